/* SPDX-License-Identifier: MIT */
/* One scan of every netlink socket: rows from nlscan, owners, drop history and a verdict each. */
#ifndef NLTUNE_SCAN_H
#define NLTUNE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fixlog.h"
#include "nlscan.h"
#include "owners.h"
#include "sysctl.h"
#include "verdict.h"

#define SCAN_MAX_NETNS	 64	/* other network namespaces looked into per scan */
#define SCAN_MAX_SOCKETS 200000 /* rows kept over all namespaces */

struct scan_ctx {
	struct rmem sysctl;   /* in force */
	uint64_t old_default; /* rmem_default before nltune raised it, 0 = unknown */
	uint32_t sock_min;
	uint32_t typical_charge;
	uint64_t need_bytes;
	uint64_t target_default;    /* the recommended rmem_default, for fix texts */
	uint64_t now_ms;	    /* monotonic */
	uint64_t recent_ms;	    /* a drop within this long makes a socket "dropping" */
	const struct fixlog *fixes; /* sockets nltune raised this boot, or NULL */
};

struct sockrow {
	struct nlsock s;
	bool has_owner;
	struct owner own;
	uint64_t new_drops; /* since the previous scan (first sight: all of them) */
	bool was_at_risk;   /* the previous scan judged it at-risk already */
	struct verdict v;
};

struct scan_seen {
	uint64_t inode;
	uint32_t drops;
	uint64_t rise_ms; /* when drops last rose; 0 = never seen rising */
	bool rose;
	bool at_risk; /* verdict of that scan was at-risk */
};

struct scanner {
	struct owners *owners;
	struct scan_seen *seen; /* previous scan, sorted by inode */
	size_t nseen;
	struct sockrow *rows;
	size_t nrows;
	size_t bad_rows; /* /proc/net/netlink lines refused */
	uint64_t netns_self;
	size_t nnetns; /* namespaces scanned, this one included */
};

int scanner_init(struct scanner *sc);
void scanner_free(struct scanner *sc);

/*
 * Scan this namespace and up to SCAN_MAX_NETNS others (when /proc allows),
 * resolve owners of new sockets and of sockets whose drops rose, judge each.
 * Returns the row count or -errno (only when this namespace cannot be read).
 */
int scanner_run(struct scanner *sc, const struct scan_ctx *ctx);

/* Is row worth showing without --all: dropping or at-risk. */
bool scan_row_problem(const struct sockrow *r);

#endif
