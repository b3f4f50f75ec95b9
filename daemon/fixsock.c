/* SPDX-License-Identifier: MIT */
/* Live fix of a victim's uevent socket through a pidfd duplicate (Linux 5.6+). */
#include "fixsock.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef NETLINK_NO_ENOBUFS
#define NETLINK_NO_ENOBUFS 5
#endif

static int fail(char *err, size_t len, int e, const char *what, pid_t pid, int fd)
{
	snprintf(err, len, "%s (pid %d, fd %d): %s%s", what, (int)pid, fd, strerror(e),
		 e == EPERM ? "; needs root with CAP_SYS_PTRACE and CAP_NET_ADMIN" : "");
	return -e;
}

int fixsock_raise(pid_t pid, int fd, uint64_t inode, uint64_t size, uint64_t *rcvbuf, char *err,
		  size_t errlen)
{
	int pidfd, dup = -1, r = 0, val = 0, one = 1, zero = 0;
	socklen_t sl = sizeof(val);
	struct stat st;

	if (size > INT32_MAX || size < 2)
		return fail(err, errlen, EINVAL, "size out of range", pid, fd);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return fail(err, errlen, errno, "pidfd_open", pid, fd);
	dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (dup < 0) {
		r = fail(err, errlen, errno, "pidfd_getfd", pid, fd);
		goto out;
	}
	if (fstat(dup, &st) < 0 || !S_ISSOCK(st.st_mode) || (uint64_t)st.st_ino != inode) {
		r = fail(err, errlen, ESTALE, "the fd no longer holds that socket", pid, fd);
		goto out;
	}
	if (getsockopt(dup, SOL_SOCKET, SO_RCVBUF, &val, &sl) < 0) {
		r = fail(err, errlen, errno, "SO_RCVBUF", pid, fd);
		goto out;
	}
	if ((uint64_t)val < size) {
		int half = (int)(size / 2); /* the kernel doubles it */

		if (setsockopt(dup, SOL_SOCKET, SO_RCVBUFFORCE, &half, sizeof(half)) < 0) {
			r = fail(err, errlen, errno, "SO_RCVBUFFORCE", pid, fd);
			goto out;
		}
	}
	/* Setting NETLINK_NO_ENOBUFS clears CONGESTED; put the owner's choice back. */
	val = 0;
	sl = sizeof(val);
	if (getsockopt(dup, SOL_NETLINK, NETLINK_NO_ENOBUFS, &val, &sl) < 0)
		val = 0;
	if (setsockopt(dup, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one)) < 0 ||
	    (!val && setsockopt(dup, SOL_NETLINK, NETLINK_NO_ENOBUFS, &zero, sizeof(zero)) < 0)) {
		r = fail(err, errlen, errno, "NETLINK_NO_ENOBUFS", pid, fd);
		goto out;
	}
	val = 0;
	sl = sizeof(val);
	getsockopt(dup, SOL_SOCKET, SO_RCVBUF, &val, &sl);
	*rcvbuf = (uint64_t)val;
out:
	if (dup >= 0)
		close(dup);
	close(pidfd);
	return r;
}

int fixsock_check_size(uint64_t size, uint64_t ceiling, bool force, char *why, size_t len)
{
	uint64_t max = force || ceiling == 0 || ceiling > INT32_MAX ? INT32_MAX : ceiling;

	if (size >= FIXSOCK_MIN_SIZE && size <= max)
		return 0;
	if (size > max && !force)
		snprintf(
		    why, len,
		    "size %" PRIu64 " is above the configured ceiling (%" PRIu64
		    " bytes): raise ceiling in nltune.conf, or force it with nltune fix --force",
		    size, max);
	else
		snprintf(why, len, "size %" PRIu64 " is out of range: %d..%" PRIu64 " bytes", size,
			 FIXSOCK_MIN_SIZE, max);
	return -ERANGE;
}
