/* SPDX-License-Identifier: MIT */
/* What every unit test program shares: case counts, fixtures, scratch trees under /tmp. */
#ifndef NLTUNE_TESTS_UNIT_H
#define NLTUNE_TESTS_UNIT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* The absolute path of tests/fixtures/<rel> in the source tree. */
const char *unit_fixture(char *buf, size_t len, const char *rel);

/* A fresh empty directory /tmp/nltune-unit-XXXXXX; the test fails if none can be made. */
void unit_tmpdir(char *buf, size_t len);
/* A fresh directory holding a copy of tests/fixtures/<scenario>, symlinks kept. */
void unit_copy_fixture(char *buf, size_t len, const char *scenario);
/* Remove dir and everything below it, symlinks not followed, modes opened up: 0 or -1. */
int unit_rm_tree(const char *dir);

/*
 * A machine of tests/fixtures/<scenario> (system: tests/fixtures/system/README): a scratch copy
 * with --proc, --sys and the runtime directory pointing into it (never the host's), and a
 * default configuration whose state directory is <root>/state.
 */
struct unit_machine {
	char root[256], proc[300], sys[300], run[300];
	struct nlt_conf conf;
};
void unit_machine_up(struct unit_machine *m, const char *scenario);
/* Point --proc, --sys and the runtime directory back at the host's; remove the copy. */
void unit_machine_down(struct unit_machine *m);
/*
 * cmocka setup: *state = a zeroed fixture of size bytes whose first member is a struct
 * unit_machine, brought up on tests/fixtures/system. The teardown brings it down and frees it.
 */
int unit_machine_setup(void **state, size_t size);
int unit_machine_teardown(void **state);

/* Live-kernel helpers of the nlscan programs (unit and host). */
struct nlsock;
/* A uevent listener on group 1 with SO_RCVBUF rcvbuf, as a careless application makes it: the
 * fd (its inode in *inode) or -errno. */
int unit_uevent_socket(int rcvbuf, uint64_t *inode);
/* SO_RCVBUF of fd. */
int unit_rcvbuf(int fd);
/* The row of inode in s[0..n), or NULL. */
const struct nlsock *unit_find_inode(const struct nlsock *s, size_t n, uint64_t inode);
/* /proc/net/netlink of this namespace plus sock_diag; the row of inode copied into row. */
void unit_scan_live(uint64_t inode, struct nlsock *row);

/* Write text to <root>/<rel> (replacing it), making the missing parent directories. */
void unit_write(const char *root, const char *rel, const char *text);
/* The whole file, NUL-terminated and malloc'd (*len its size if len is not NULL), or NULL. */
char *unit_slurp(const char *path, size_t *len);

#endif
