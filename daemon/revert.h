/* SPDX-License-Identifier: MIT */
/* Put back the values in force before nltune first wrote them this boot; drop the drop-in. */
#ifndef NLTUNE_REVERT_H
#define NLTUNE_REVERT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "snapshot.h"
#include "state.h"
#include "sysctl.h"

struct revert {
	struct rmem before, after; /* in force before and after (with dry_run: what would be) */
	bool recorded;		   /* nltune wrote this boot: first says what it replaced */
	struct state_apply first;
	bool changed;
	int dropin; /* 1 removed (with dry_run: there), 0 none */
	char dropin_path[PATH_MAX];
};

/* This boot's first write by nltune (not a revert): 0, or -ENOENT if there is none. */
int revert_first_write(const struct state *s, const char *boot_id, struct state_apply *first);

/*
 * Revert: write first.before_* to /proc/sys (each read back; restored on any
 * failure), remove <sysctl-dir>/60-nltune.conf, and record the write (by) in
 * s->state for the caller to save. With dry_run nothing is touched. s must be
 * fresh (snapshot_take or snapshot_refresh). Returns 0 (also when nltune wrote
 * nothing this boot: out->recorded is false) or -errno with what failed in
 * err. Never logs.
 */
int revert_run(const struct nlt_conf *c, struct snapshot *s, bool dry_run, enum state_by by,
	       struct revert *out, char *err, size_t errlen);

#endif
