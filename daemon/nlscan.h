/* SPDX-License-Identifier: MIT */
/* Netlink sockets read from the kernel: /proc/net/netlink, sock_diag, other network namespaces. */
#ifndef NLTUNE_NLSCAN_H
#define NLTUNE_NLSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nlparse.h"

#define NLSCAN_MAX_ROWS	    100000 /* rows of one /proc/net/netlink kept; the rest is counted */
#define NLSCAN_PROTO_UEVENT 15

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

#endif
