/* SPDX-License-Identifier: MIT */
/*
 * Who may see a socket's owner. With hidepid on /proc (or hide-owners = yes) a caller other than
 * root sees the pid, name and network namespace only of its own user's processes; the other rows
 * keep their socket figures and alerts about them name no process. Pure.
 */
#ifndef NLTUNE_HIDE_H
#define NLTUNE_HIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "conf.h"
#include "owners.h"
#include "scan.h"

#define HIDE_UID_ANYONE UINT32_MAX /* the viewer of a broadcast: whoever listens */

struct hide_view {
	bool on;	     /* owners are hidden from this viewer */
	uint32_t uid;	     /* the viewer's */
	uint64_t netns_self; /* nltuned's own namespace: shown on every row, it is no secret */
};

/* Whether owners are hidden from callers other than root: yes, or auto and hidepid > 0. */
bool hide_active(enum nlt_hide mode, int hidepid);
/* The view of uid: on when hiding is active and uid is not root. */
struct hide_view hide_view_of(bool active, uint32_t uid, uint64_t netns_self);

/* Room for one row as a viewer sees it. */
struct hide_buf {
	struct sockrow row;
	struct owner own;
};

/*
 * r as v sees it: r itself, or a copy in buf. A row of the viewer's own user keeps its owner
 * with its first holder only (the one whose user is known); any other row loses its owner (no
 * pids, no comm, a fix text naming no process) and, outside netns_self, its netns and portid.
 */
const struct sockrow *hide_row(const struct hide_view *v, const struct sockrow *r,
			       struct hide_buf *buf);

/* Keep those of idx[0..n) into rows whose row as v sees it passes f; returns how many. */
size_t hide_filter(const struct hide_view *v, const struct sockrow *rows, size_t *idx, size_t n,
		   const struct scan_filter *f);

/* a as v sees it: about a process of another user (or several), no pid, comm or name in it. */
void hide_alert(const struct hide_view *v, const struct alert *a, struct alert *out);

#endif
