/* SPDX-License-Identifier: MIT */
/* Raise another process's socket buffer live: pidfd_getfd + SO_RCVBUFFORCE, congestion cleared. */
#ifndef NLTUNE_FIXSOCK_H
#define NLTUNE_FIXSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Duplicate fd of pid (checking it is still socket inode), force its receive
 * buffer to size bytes if it is smaller, and clear a CONGESTED state by setting
 * NETLINK_NO_ENOBUFS to 1 and back (left at 1 if the owner had set it). The
 * duplicate is never read and its flags are never changed. Returns 0 with the
 * new rcvbuf in *rcvbuf, or -errno with what failed in err. Never logs.
 */
int fixsock_raise(pid_t pid, int fd, uint64_t inode, uint64_t size, uint64_t *rcvbuf, char *err,
		  size_t errlen);

#define FIXSOCK_MIN_SIZE 4096 /* a smaller buffer fixes nothing */

/*
 * The bounds of a size asked for a live fix, the same for `nltune fix --size`
 * and D-Bus FixSocket: FIXSOCK_MIN_SIZE..ceiling (the configured ceiling in
 * force), or up to INT32_MAX when forced on purpose (`fix --force`). 0, or
 * -ERANGE with the reason in why. Pure.
 */
int fixsock_check_size(uint64_t size, uint64_t ceiling, bool force, char *why, size_t len);

#endif
