/* SPDX-License-Identifier: MIT */
/* The uevent monitor socket (groups 1 and 2): forced buffer, recvmmsg batches, SO_MEMINFO drops. */
#include "uevmon.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"
#include "uevent.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

#define UEVMON_BUFSZ (UEVENT_MAX_SIZE + 1)

int uevmon_open(struct uevmon *m, uint64_t want)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = (1u << (UEVENT_GROUP_KERNEL - 1)) |
					       (1u << (UEVENT_GROUP_UDEV - 1)) };
	int half, val = 0, r;
	socklen_t sl = sizeof(val);

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (want > (uint64_t)INT32_MAX)
		want = INT32_MAX;
	half = (int)(want / 2); /* the kernel doubles what it is given */
	m->bufs = malloc((size_t)UEVMON_BATCH * UEVMON_BUFSZ);
	if (!m->bufs)
		return -ENOMEM;
	m->fd =
	    socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (m->fd < 0)
		goto fail;
	if (setsockopt(m->fd, SOL_SOCKET, SO_RCVBUFFORCE, &half, sizeof(half)) == 0)
		m->forced = true;
	else if (setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &half, sizeof(half)) < 0)
		goto fail;
	if (getsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &val, &sl) < 0)
		goto fail;
	m->rcvbuf = (uint64_t)val;
	if (bind(m->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	uevmon_update_drops(m);
	m->own_drops = 0;
	return 0;
fail:
	r = -errno;
	uevmon_close(m);
	return r;
}

void uevmon_close(struct uevmon *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	free(m->bufs);
	m->bufs = NULL;
}

uint64_t uevmon_update_drops(struct uevmon *m)
{
	uint32_t mi[SK_MEMINFO_VARS] = { 0 };
	socklen_t sl = sizeof(mi);
	uint32_t d;

	if (getsockopt(m->fd, SOL_SOCKET, SO_MEMINFO, mi, &sl) < 0)
		return 0;
	d = mi[SK_MEMINFO_DROPS] - m->meminfo_drops; /* the counter wraps at 2^32 */
	m->meminfo_drops = mi[SK_MEMINFO_DROPS];
	m->own_drops += d;
	return d;
}

int uevmon_read(struct uevmon *m, size_t max, uevmon_cb cb, void *arg)
{
	struct mmsghdr msgs[UEVMON_BATCH];
	struct iovec iov[UEVMON_BATCH];
	struct sockaddr_nl from[UEVMON_BATCH];
	size_t done = 0;

	while (done < max) {
		unsigned int want = UEVMON_BATCH;
		int n;

		if (max - done < want)
			want = (unsigned int)(max - done);
		memset(msgs, 0, sizeof(msgs));
		for (unsigned int i = 0; i < want; i++) {
			iov[i].iov_base = m->bufs + (size_t)i * UEVMON_BUFSZ;
			iov[i].iov_len = UEVMON_BUFSZ - 1;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(m->fd, msgs, want, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* The kernel dropped messages; the count comes from SO_MEMINFO. */
				m->enobufs++;
				uevmon_update_drops(m);
				continue;
			}
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			unsigned int group;
			char *buf = iov[i].iov_base;
			size_t len = msgs[i].msg_len;

			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				m->truncated++;
				continue;
			}
			if (msgs[i].msg_hdr.msg_namelen < sizeof(from[i])) {
				m->foreign++;
				continue;
			}
			/* nl_groups holds the group the datagram was sent to, as a mask. */
			if (from[i].nl_groups == 1u << (UEVENT_GROUP_UDEV - 1)) {
				group = UEVENT_GROUP_UDEV;
			} else if (from[i].nl_pid == 0) {
				group = UEVENT_GROUP_KERNEL;
			} else {
				m->foreign++;
				continue;
			}
			buf[len] = '\0';
			cb(arg, buf, len, group);
		}
		done += (size_t)n;
		if ((unsigned int)n < want)
			break;
	}
	return (int)done;
}

int uevmon_sock_min_rcvbuf(void)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	int zero = 0, val = 0, r;
	socklen_t sl = sizeof(val);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, &sl) < 0)
		r = -errno;
	else
		r = val;
	close(fd);
	return r;
}

void uevmon_charge_model(struct charge_model *m)
{
	char path[4096];
	uint64_t small = 0;
	int min;

	charge_model_default(m);
	if (paths_sys_file(path, sizeof(path), "kernel/slab/skbuff_small_head/object_size") < 0 ||
	    paths_read_u64(path, 0, &small) < 0 || small > UINT32_MAX) {
		/*
		 * SLUB lists every cache under kernel/slab: a list without
		 * skbuff_small_head is a kernel before 6.3, whose skb heads all come
		 * from kmalloc (a 150-byte event costs 768 there, not 832). No list
		 * at all (another allocator): keep the measured default.
		 */
		small = paths_sys_file(path, sizeof(path), "kernel/slab") == 0 &&
				access(path, F_OK) == 0
			    ? 0
			    : m->small_head;
	}
	min = uevmon_sock_min_rcvbuf();
	charge_model_set(m, (uint32_t)small, min > 0 ? (uint32_t)min : 0);
}
