/* SPDX-License-Identifier: MIT */
/* One scan of every netlink socket: rows from nlscan, owners, drop history and a verdict each. */
#ifndef NLTUNE_SCAN_H
#define NLTUNE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fixlog.h"
#include "nlscan.h"
#include "owners.h"
#include "sysctl.h"
#include "verdict.h"

#define SCAN_MAX_NETNS	      1024   /* other network namespaces looked into */
#define SCAN_MAX_SOCKETS      200000 /* rows kept over all namespaces */
#define SCAN_NETNS_PER_RUN    32     /* other namespaces dumped by a routine scan, in turn */
#define SCAN_NETNS_BUDGET_MS  100    /* no other namespace's dump starts past this in a scan */
#define SCAN_NETNS_REFRESH_MS 10000  /* how often a routine scan looks for new namespaces */
#define SCAN_REST_MAX	      8	     /* at rest the interval grows to this many scan-intervals */

struct scan_ctx {
	struct rmem sysctl;		 /* in force */
	size_t n_old_default, n_old_max; /* values in force earlier this boot */
	uint64_t old_default[VERDICT_EARLIER_MAX];
	uint64_t old_max[VERDICT_EARLIER_MAX];
	uint32_t sock_min;
	uint32_t typical_charge;
	uint64_t need_bytes;	      /* group 1's need (the kernel's events) */
	uint64_t udev_need_bytes;     /* group 2's (udevd's re-broadcasts); 0: unknown */
	uint32_t udev_typical_charge; /* 0: unknown */
	uint64_t target_default;      /* the recommended rmem_default, for fix texts */
	uint64_t now_ms;	      /* monotonic */
	uint64_t recent_ms;	      /* a drop within this long makes a socket "dropping" */
	bool owners_all;	      /* look up every socket's owner, not only those that matter */
	bool all_netns;		      /* dump every namespace now, unbudgeted (the console) */
	bool netns_wide; /* after a burst: as many namespaces as the time budget allows */
	/* The monotonic clock for the time budget of namespace dumps; NULL: no time budget. */
	uint64_t (*clock_ms)(void);
	const struct fixlog *fixes; /* sockets nltune raised this boot, or NULL */
};

struct sockrow {
	struct nlsock s;
	const struct scan_ctx *ctx; /* the scanner's, for texts built when shown; NULL: none */
	const struct owner *own;    /* in the scanner's cache until its next run; NULL: not known */
	uint64_t new_drops;	    /* since the previous scan (first sight: all of them) */
	uint64_t rise_ms;	    /* when drops last rose; 0 = never seen rising */
	bool was_at_risk;	    /* the previous scan judged it at-risk or dropping already */
	bool known;		    /* the previous scan listed it */
	struct verdict v;
};

struct scan_netns {
	pid_t pid; /* a process inside it, to enter it by */
	uint64_t netns;
	uint64_t due; /* the run it waits from: after its last dump, or when found; lowest first */
};

struct scanner {
	struct owners *owners;
	struct scan_ctx ctx;  /* of the last run: fix texts are built from it */
	struct sockrow *rows; /* sorted by inode, one per socket */
	size_t nrows, cap;
	struct sockrow *prev; /* the run before, during a run: drop deltas, carried namespaces */
	size_t nprev, prevcap;
	size_t bad_rows;  /* malformed /proc/net/netlink lines */
	size_t over_rows; /* rows past NLSCAN_MAX_ROWS, not looked at */
	uint64_t netns_self;
	struct scan_netns *ns; /* other namespaces known */
	size_t nns;
	uint64_t ns_found_ms; /* when they were last looked for; 0 = never */
	uint64_t runs;	      /* scanner_run calls so far */
	size_t nnetns;	      /* namespaces dumped by the last run, this one included */
	size_t ns_deferred;   /* other namespaces the last run left to later runs (carried) */
	uint64_t owner_walks; /* walks of <proc>/<pid>/fd so far */
	bool walked_all;      /* this run's rows all had their owner looked up (one walk) */
	size_t changes;	      /* the last run's new rows that matter, drops, verdicts turned */
};

int scanner_init(struct scanner *sc);
void scanner_free(struct scanner *sc);

/*
 * Dump this namespace and other ones in turn, least recently dumped first (a
 * new one queues behind those waiting longer): SCAN_NETNS_PER_RUN of them
 * (every one with ctx->netns_wide), none started once SCAN_NETNS_BUDGET_MS
 * have gone by on ctx->clock_ms, and at least one; every namespace with
 * ctx->all_netns. The rows of the others are carried from the previous run.
 * Then look up the owners of new sockets that matter (uevent listeners,
 * droppers; every one with ctx->owners_all), judge each. Returns the row count
 * or -errno (only when this namespace cannot be read: -EBADMSG when its file
 * has rows but none of them could be parsed).
 */
int scanner_run(struct scanner *sc, const struct scan_ctx *ctx);

/*
 * The turn of namespaces: order[] gets the indexes of ns[0..n) by due, then
 * by index (the queue a run dumps from the front of). Pure.
 */
void scan_netns_order(const struct scan_netns *ns, size_t n, size_t *order);

/*
 * The next scan interval in scan-intervals: a run that changed nothing (changes
 * 0) doubles factor up to SCAN_REST_MAX; a change brings it back to 1. Pure.
 */
unsigned int scan_rest_factor(unsigned int factor, size_t changes);

/*
 * Look up the owner of every row that has none yet: one walk of /proc at most
 * per run, shared by every caller until the next run. 0 or -errno.
 */
int scanner_resolve_all(struct scanner *sc);

/*
 * Look up which rows pid holds in <proc>/<pid>/fd alone (pid becomes their one
 * listed holder): exact and cheap whatever the rest of the system holds. The
 * count of its rows, -ESRCH without such a process, or -errno.
 */
int scanner_resolve_pid(struct scanner *sc, pid_t pid);

/* Which sockets a listing shows; zero values match everything. */
enum scan_verdict_filter { SCAN_ANY, SCAN_PROBLEM, SCAN_OK, SCAN_AT_RISK, SCAN_DROPPING };
struct scan_filter {
	enum scan_verdict_filter verdict;
	pid_t pid;	  /* among its holders; 0 = any */
	int32_t protocol; /* -1 = any */
	uint64_t netns;	  /* 0 = any */
};

/* Does r pass f. */
bool scan_row_match(const struct sockrow *r, const struct scan_filter *f);
/* "problem", "ok", "at-risk", "dropping" or "" (any) -> *v; -EINVAL for anything else. */
int scan_verdict_filter_parse(const char *s, enum scan_verdict_filter *v);

/* Is row worth showing without --all: dropping or at-risk. */
bool scan_row_problem(const struct sockrow *r);

/* First holder of r, 0 if none is known. */
pid_t scan_row_pid(const struct sockrow *r);

/* The fix text of r, built now (see verdict_fix) under r->ctx; returns buf ("" without one). */
const char *scan_fix(const struct sockrow *r, char *buf, size_t len);

#endif
