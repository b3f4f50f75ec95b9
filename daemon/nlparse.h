/* SPDX-License-Identifier: MIT */
/* One netlink socket as the kernel lists it, and the pure parser of /proc/net/netlink. */
#ifndef NLTUNE_NLPARSE_H
#define NLTUNE_NLPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NLPARSE_MAX_LINE 512 /* a longer line is malformed */

struct nlsock {
	uint64_t inode;	   /* the only stable identity */
	uint64_t netns;	   /* inode of the network namespace (0 = unknown) */
	uint32_t protocol; /* Eth column */
	uint32_t portid;   /* Pid column: the netlink port id */
	uint32_t groups;   /* first 32 multicast groups */
	uint32_t rmem;	   /* bytes queued */
	uint32_t drops;	   /* cumulative, wraps at 2^32 */
	bool has_diag;	   /* the fields below came from sock_diag */
	uint32_t rcvbuf;
	bool no_enobufs; /* NETLINK_NO_ENOBUFS set */
};

/*
 * Parse a /proc/net/netlink image (header line first). Rows that do not have
 * exactly the ten columns, or overflow, or are longer than NLPARSE_MAX_LINE, are
 * skipped and counted in *bad. At most max rows are stored; the rest are
 * counted in *bad too. Returns rows stored or -EBADMSG if the header is wrong.
 * Pure. Every row's netns is set to netns.
 */
ssize_t nlparse_table(const char *buf, size_t len, uint64_t netns, struct nlsock *out, size_t max,
		      size_t *bad);

/* The protocol's name as ss(8) prints it ("rtnl", "uevent", ...), or NULL if it has none. */
const char *nlparse_proto_name(uint32_t protocol);

#endif
