/* SPDX-License-Identifier: MIT */
/* The local snapshot behind status/sockets/alerts/explain/fix when no daemon answers. */
#ifndef NLTUNE_COLLECT_H
#define NLTUNE_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#include "alerts.h"
#include "conf.h"
#include "fixlog.h"
#include "scan.h"
#include "snapshot.h"

#define COLLECT_RECENT_MS 60000 /* a drop this recent still makes a socket "dropping" */

struct collect {
	struct snapshot snap;
	struct scanner scan;
	struct alerts *alerts; /* what a scan now would raise */
	struct fixlog *fixes;  /* sockets nltune raised live this boot */
};

/*
 * Snapshot, scan every namespace once, derive alerts. owners_all: name the owner
 * of every socket, not only of those that matter. 0 or -errno (sysctls or this
 * namespace's sockets unreadable).
 */
int collect_local(const struct nlt_conf *c, bool owners_all, struct collect *col);
void collect_free(struct collect *col);

/* The typical charge of one event of group 1 (the kernel's) as far as the snapshot knows. */
uint32_t collect_typical_charge(const struct snapshot *s);

/* Fill a scan context from a snapshot (each group's need, from the recommendation). */
void collect_scan_ctx(const struct snapshot *s, uint64_t now_ms, struct scan_ctx *ctx);

/* Alerts conf from the configuration. */
void collect_alerts_conf(const struct nlt_conf *c, struct alerts_conf *ac);

#endif
