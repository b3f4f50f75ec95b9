/* SPDX-License-Identifier: MIT */
/* The sockets nltune raised live this boot (fix, FixSocket, autofix), kept in <state-dir>/fixes. */
#ifndef NLTUNE_FIXLOG_H
#define NLTUNE_FIXLOG_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

#define FIXLOG_FILE	"fixes"
#define FIXLOG_MAX	256 /* records kept; the oldest go first */
#define FIXLOG_MAX_SIZE (FIXLOG_MAX * 96 + 128)

struct fix_record {
	uint64_t inode;
	uint32_t drops;	 /* the socket's drop counter when it was fixed */
	uint32_t rcvbuf; /* what it got */
	uint64_t at_ms;	 /* unix ms */
	int32_t pid;
};

struct fixlog {
	char boot_id[STATE_BOOT_ID_LEN + 1]; /* inodes mean something within one boot only */
	size_t n;			     /* oldest first */
	struct fix_record r[FIXLOG_MAX];
};

void fixlog_init(struct fixlog *l, const char *boot_id);

/* Add r, replacing an older record of the same inode; the oldest goes when full. Pure. */
void fixlog_add(struct fixlog *l, const struct fix_record *r);

/*
 * Merge src into dst, both of one boot (src of another boot changes nothing):
 * per inode the newer record (at_ms) stays, the records in time order, the
 * oldest dropped beyond FIXLOG_MAX. Merging the same src twice changes nothing. Pure.
 */
void fixlog_merge(struct fixlog *dst, const struct fixlog *src);

/* The record of inode, or NULL. Pure. */
const struct fix_record *fixlog_find(const struct fixlog *l, uint64_t inode);

/* Text form: bytes written (without NUL) or -ENOSPC. Pure. */
int fixlog_format(const struct fixlog *l, char *buf, size_t len);

/*
 * Parse a file image for boot_id: records of another boot are dropped (0, empty).
 * Returns 0 or -EBADMSG (the log is left empty). Pure; never logs.
 */
int fixlog_parse(struct fixlog *l, const char *boot_id, const char *buf, size_t len);

/* Load <dir>/fixes for boot_id: 0, -ENOENT, or why it was ignored; *l is always usable. */
int fixlog_load(const char *dir, const char *boot_id, struct fixlog *l);

/*
 * Save l into <dir>/fixes: under the writers' lock (state_lock) the file is
 * read again and l merged into it (fixlog_merge), so a record another writer
 * (nltuned, a console) saved meanwhile stays; then replaced atomically. A
 * damaged file, or one of another boot, is replaced. 0 or -errno. Never logs.
 */
int fixlog_save(const char *dir, const struct fixlog *l);

#endif
