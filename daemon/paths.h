/* SPDX-License-Identifier: MIT */
/* The /proc and /sys roots (--proc, --sys), the runtime directory, bounded reads below them. */
#ifndef NLTUNE_PATHS_H
#define NLTUNE_PATHS_H

#include <stddef.h>
#include <stdint.h>

void paths_set_proc(const char *dir);
void paths_set_sys(const char *dir);
const char *paths_proc(void);
const char *paths_sys(void);

/*
 * Where early-boot records go before the state directory can be written
 * (/var not mounted yet): /run/nltune, or <state-dir>/run under --state-dir.
 */
#define PATHS_RUN_DEFAULT "/run/nltune"
void paths_set_run(const char *dir);
const char *paths_run(void);

/*
 * hidepid of the proc file system mounted at mnt, from the text of a mountinfo file (the last
 * such mount wins, as it covers the others): 0 off, 1 noaccess, 2 invisible, 4 ptraceable (an
 * unknown value counts as 2); -ENOENT when no proc is mounted at mnt. Pure.
 */
int paths_mountinfo_hidepid(const char *text, size_t len, const char *mnt);
/*
 * The same for paths_proc() in /proc/self/mountinfo, read again at most once a second
 * (a remount with hidepid is seen within that); -errno when it cannot be told.
 */
int paths_proc_hidepid(void);

/* "<proc>/rel" and "<sys>/rel" into buf; -ENAMETOOLONG if it does not fit. */
int paths_proc_file(char *buf, size_t len, const char *rel);
int paths_sys_file(char *buf, size_t len, const char *rel);

#define PATHS_NOFOLLOW 1 /* refuse a symlink as the last component (files nltune keeps) */

/*
 * Open a file that comes from the configuration, /proc or /sys: O_NONBLOCK, so
 * a FIFO cannot hang the caller, O_NOFOLLOW with PATHS_NOFOLLOW, and only a
 * regular file or /dev/null (-EISDIR for a directory, -ENOTSUP for a FIFO,
 * socket or other device). Symlinks are followed otherwise: a copy of /proc
 * given with --proc may be made of them, and what they lead to is checked. oflags is O_RDONLY or
 * O_WRONLY (| O_TRUNC). Returns the fd or -errno.
 */
int paths_open(const char *path, int oflags, int flags);

/* A reason for paths_open()'s errors: "not a regular file" for -ENOTSUP, else strerror. */
const char *paths_strerror(int err);

/* Read at most len-1 bytes of path, NUL-terminate; flags as for paths_open(). Bytes or -errno. */
int paths_read(const char *path, int flags, char *buf, size_t len);
/*
 * Read all of path, up to max bytes, into a malloc'd *buf (not NUL-terminated)
 * of *len bytes, in one pass. flags as for paths_open(). Returns 0, 1 when the
 * file holds more than max (*buf has the first max bytes), or -errno.
 */
int paths_read_alloc(const char *path, int flags, size_t max, char **buf, size_t *len);

/* Read one unsigned decimal from path (flags as for paths_open()); -EINVAL if it is not one. */
int paths_read_u64(const char *path, int flags, uint64_t *v);

/*
 * Replace <dir>/<name> with len bytes of buf atomically: temp file
 * ".<name>.tmpXXXXXX", fsync, rename, fsync the directory; mode 0644; creates
 * dir (0755, last component only). dir is reached with safedir_open(): -ELOOP
 * or -EPERM for a planted symlink or a directory others control. 0 or -errno;
 * on failure the old file stays and no temp file is left.
 */
int paths_write_atomic(const char *dir, const char *name, const char *buf, size_t len);

#endif
