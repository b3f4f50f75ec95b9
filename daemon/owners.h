/* SPDX-License-Identifier: MIT */
/* Who holds a socket: inode -> pids and comm, from <proc>/<pid>/fd, cached. */
#ifndef NLTUNE_OWNERS_H
#define NLTUNE_OWNERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OWNERS_MAX_PIDS	 16 /* pids listed per socket; more are counted */
#define OWNERS_MAX_NETNS 1024
#define OWNERS_COMM_LEN	 16

struct owner {
	uint64_t inode;
	size_t npids; /* listed in pids[] */
	size_t more;  /* holders beyond OWNERS_MAX_PIDS */
	pid_t pids[OWNERS_MAX_PIDS];
	int fds[OWNERS_MAX_PIDS];   /* the fd number in each pid */
	char comm[OWNERS_COMM_LEN]; /* of pids[0]; any byte may appear */
	uid_t uid;		    /* of pids[0] (the owner of its /proc/<pid>/fd) */
};

struct owners;

struct owners *owners_new(void);
void owners_free(struct owners *o);

/*
 * Walk <proc>/<pid>/fd of every process once and record the holders of each
 * of the n inodes (replacing what the cache had for them); the cache holds
 * as many entries as are asked for, with no cap of its own. An inode nobody
 * holds (a kernel socket) is cached with npids == 0, so owners_get() tells
 * "no holder" from "never resolved"; a walk cut short at its bound of fds
 * caches only what it found. pids[] come out ascending, one per process
 * however many fds it holds (fds[] has its lowest). Processes that vanish
 * mid-walk are skipped silently. Returns the number of inodes found or -errno.
 */
int owners_resolve(struct owners *o, const uint64_t *inodes, size_t n);

/*
 * Look only in <proc>/<pid>/fd: each of the n inodes that pid holds is cached
 * with pid as its one holder (its lowest fd, its comm and uid); the other
 * inodes keep what the cache had. Cheap and exact whatever the rest of the
 * system holds, for `nltune explain|fix PID`. Returns the number of inodes
 * found, -ESRCH without such a process, or -errno.
 */
int owners_resolve_pid(struct owners *o, pid_t pid, const uint64_t *inodes, size_t n);

/* Walks of every process's <proc>/<pid>/fd by this cache so far (owners_resolve calls). */
uint64_t owners_walks(const struct owners *o);

/*
 * Whether the sockets of pid can be seen: 0, -ESRCH (no such process) or the
 * error of opening <proc>/<pid>/fd (-EACCES: another user's process).
 */
int owners_check_pid(pid_t pid);

/* Cached holders of inode, or NULL if never resolved (or evicted). */
const struct owner *owners_get(const struct owners *o, uint64_t inode);

/* The cache in inode order: entries 0..owners_count()-1, valid until the next change. */
size_t owners_count(const struct owners *o);
const struct owner *owners_at(const struct owners *o, size_t i);

/* Forget every cached inode not in live[0..n) (fastest when live is sorted). */
void owners_retain(struct owners *o, const uint64_t *live, size_t n);

/*
 * One pid per network namespace other than netns_self: fills pids/netns up to
 * max and returns the count or -errno. For reading <proc>/<pid>/net/netlink.
 */
int owners_netns_pids(uint64_t netns_self, pid_t *pids, uint64_t *netns, size_t max);

#endif
