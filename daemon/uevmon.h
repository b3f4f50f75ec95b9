/* SPDX-License-Identifier: MIT */
/* The uevent monitor socket: forced buffer, batched reads, its own drops counted. */
#ifndef NLTUNE_UEVMON_H
#define NLTUNE_UEVMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "charge.h"

#define UEVMON_BATCH 16

struct uevmon {
	int fd;
	uint64_t rcvbuf;	/* what the kernel granted */
	bool forced;		/* SO_RCVBUFFORCE worked */
	uint32_t meminfo_drops; /* last SK_MEMINFO_DROPS read */
	uint64_t own_drops;	/* messages the kernel dropped on this socket */
	uint64_t enobufs;	/* ENOBUFS errors seen (one per overrun episode) */
	uint64_t truncated;	/* datagrams larger than the buffer (MSG_TRUNC) */
	uint64_t foreign;	/* group-1 datagrams not sent by the kernel: ignored */
	char *bufs;		/* UEVMON_BATCH receive buffers */
};

/*
 * Called for every datagram of group 1 (the kernel's) and group 2 (udevd's, or
 * any other sender's there: the kernel charges the listeners for all of them):
 * buf[0..len), the length recv() returned, and the group it was sent to.
 */
typedef void (*uevmon_cb)(void *arg, const char *buf, size_t len, unsigned int group);

/*
 * Open a non-blocking NETLINK_KOBJECT_UEVENT socket on groups 1 and 2 with a buffer of
 * `want` bytes: SO_RCVBUFFORCE, else SO_RCVBUF (m->forced tells which; the
 * caller warns). Returns 0 or -errno; never logs.
 */
int uevmon_open(struct uevmon *m, uint64_t want);
void uevmon_close(struct uevmon *m);

/*
 * Read what is queued, in batches, until EAGAIN or `max` datagrams; calls cb for
 * each. ENOBUFS is counted, not fatal. Returns the datagrams delivered or -errno.
 */
int uevmon_read(struct uevmon *m, size_t max, uevmon_cb cb, void *arg);

/* Refresh own_drops from SO_MEMINFO; returns the drops that are new since last call. */
uint64_t uevmon_update_drops(struct uevmon *m);

/* SOCK_MIN_RCVBUF of the running kernel (SO_RCVBUF 0 on a scratch socket), or -errno. */
int uevmon_sock_min_rcvbuf(void);

/* The charge model of the running kernel: slab size from <sys>, floor from a scratch socket. */
void uevmon_charge_model(struct charge_model *m);

#endif
