/* SPDX-License-Identifier: MIT */
/* Netlink sockets as the kernel lists them: /proc/net/netlink (parsed purely) and sock_diag. */
#ifndef NLTUNE_NLSCAN_H
#define NLTUNE_NLSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NLSCAN_MAX_ROWS	    100000 /* rows of one /proc/net/netlink kept; the rest is counted */
#define NLSCAN_MAX_LINE	    512	   /* a longer line is malformed */
#define NLSCAN_PROTO_UEVENT 15

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
 * exactly the ten columns, or overflow, or are longer than NLSCAN_MAX_LINE, are
 * skipped and counted in *bad. At most max rows are stored; the rest are
 * counted in *bad too. Returns rows stored or -EBADMSG if the header is wrong.
 * Pure. Every row's netns is set to netns.
 */
ssize_t nlscan_parse(const char *buf, size_t len, uint64_t netns, struct nlsock *out, size_t max,
		     size_t *bad);

/*
 * Read <proc>/<rel> (e.g. "net/netlink" or "1234/net/netlink") and parse; *out
 * is malloc'ed (free it even with 0 rows; NULL on error). At most 16 MiB are
 * read: a longer file is cut at its last whole line and the cut counts in *bad.
 * *over (if not NULL) counts the rows past NLSCAN_MAX_ROWS, which *bad
 * includes; *bad - *over rows were malformed.
 */
ssize_t nlscan_read(const char *rel, uint64_t netns, struct nlsock **out, size_t *bad,
		    size_t *over);

/*
 * Dump every netlink socket of the caller's network namespace with sock_diag
 * (libmnl) and fill rcvbuf/rmem/drops/no_enobufs/has_diag of the matching
 * rows of socks by inode (duplicates in the dump are folded). 0 or -errno.
 */
int nlscan_diag(struct nlsock *socks, size_t n);

/*
 * Every netlink socket of the caller's network namespace from one sock_diag
 * dump: inode, protocol, portid, groups (the first 32), queued bytes, rcvbuf,
 * drops, NO_ENOBUFS; netns is set on each. The kernel walks its tables once
 * (reading /proc/net/netlink restarts the walk at every page, quadratic in the
 * socket count). A socket may come twice: fold by inode. *out is malloc'ed
 * (NULL on error); at most NLSCAN_MAX_ROWS rows. Returns the count or -errno.
 */
ssize_t nlscan_dump(uint64_t netns, struct nlsock **out);

/* The same inside the network namespace of <proc>/<pid>/ns/net; *netns gets its inode. */
ssize_t nlscan_dump_netns(pid_t pid, uint64_t *netns, struct nlsock **out);

/*
 * The same from inside another network namespace: enter <proc>/<pid>/ns/net
 * with setns() in a short-lived thread, dump, come back. 0 or -errno.
 */
int nlscan_diag_netns(pid_t pid, struct nlsock *socks, size_t n);

/* The netns inode of <proc>/<pid>/ns/net (readlink "net:[N]"), or -errno. */
int nlscan_netns_of(pid_t pid, uint64_t *netns);

/* The protocol's name as ss(8) prints it ("rtnl", "uevent", ...), or NULL if it has none. */
const char *nlscan_proto_name(uint32_t protocol);

#endif
