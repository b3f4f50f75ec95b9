/* SPDX-License-Identifier: MIT */
/* Burst history per boot and the coldplug estimate, kept in <state-dir>/state across reboots. */
#ifndef NLTUNE_STATE_H
#define NLTUNE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_VERSION	  1
#define STATE_MAX_BOOTS	  100 /* the configured history is at most this */
#define STATE_BOOT_ID_LEN 36  /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
#define STATE_FILE	  "state"
#define STATE_MAX_SIZE	  65536 /* a larger file is refused unread */

struct state_boot {
	char boot_id[STATE_BOOT_ID_LEN + 1];
	uint64_t peak_events; /* in window_ms */
	uint64_t peak_bytes;  /* charged bytes in window_ms */
	uint32_t window_ms;
	uint64_t total_events;
	uint64_t updated; /* unix seconds */
};

struct state {
	size_t nboots; /* oldest first */
	struct state_boot boots[STATE_MAX_BOOTS];
	bool has_coldplug;
	uint64_t coldplug_devices;	       /* uevent files counted */
	uint64_t coldplug_bytes;	       /* their total charge */
	uint64_t applied_default, applied_max; /* last values nltune wrote; 0 = never */
};

void state_init(struct state *s);

/* True for 36 characters of [0-9a-f-], the form of /proc/sys/kernel/random/boot_id. */
bool state_boot_id_valid(const char *boot_id);

/*
 * Serialize to buf; returns bytes written (without NUL), -ENOSPC, or -EINVAL
 * for what state_parse would refuse (an invalid or repeated boot_id).
 */
int state_format(const struct state *s, char *buf, size_t len);

/*
 * Parse a whole file image. Returns 0, or -EBADMSG for anything damaged
 * (truncated, bad checksum, garbage, empty) and -EPROTONOSUPPORT for another
 * version; on error *s is left initialized and empty. Never logs.
 */
int state_parse(struct state *s, const char *buf, size_t len);

/*
 * Load <dir>/state: 0, -ENOENT (none yet), -EFBIG (over STATE_MAX_SIZE), or a
 * parse/IO error; *s is always usable. Never logs.
 */
int state_load(const char *dir, struct state *s);

/*
 * Write <dir>/state atomically: temp file, fsync, rename, fsync the directory;
 * creates dir (0755, last component only). 0 or -errno; on failure the old
 * file stays and no temp file is left. Never logs; not async-signal-safe.
 */
int state_save(const char *dir, const struct state *s);

/*
 * Record this boot's peaks: update the entry of boot_id (peaks only grow;
 * window_ms, total_events and updated are replaced) or append it, dropping
 * the oldest entries beyond keep boots (0 counts as 1, at most
 * STATE_MAX_BOOTS). An invalid boot_id is ignored: check it first.
 */
void state_record_boot(struct state *s, const struct state_boot *b, uint32_t keep);

/* The entry of boot_id, or NULL. */
const struct state_boot *state_find_boot(const struct state *s, const char *boot_id);

#endif
