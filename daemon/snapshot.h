/* SPDX-License-Identifier: MIT */
/* Everything a recommendation rests on, gathered from <proc>, <sys> and the state file. */
#ifndef NLTUNE_SNAPSHOT_H
#define NLTUNE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "charge.h"
#include "conf.h"
#include "recommend.h"
#include "state.h"
#include "sysctl.h"

struct snapshot {
	struct rmem sysctl; /* in force */
	uint64_t memtotal;
	uint32_t sock_min;		     /* SOCK_MIN_RCVBUF */
	char boot_id[STATE_BOOT_ID_LEN + 1]; /* "" if unknown */
	struct charge_model model;
	struct state state; /* the state file with this boot's early records merged in */
	int state_err;	    /* 0, -ENOENT (none yet) or why the file was ignored */
	bool state_on_disk; /* the state directory (or its parent) exists: /var is there */
	bool state_dirty;   /* a write recorded or the coldplug cache refreshed: worth saving */
	struct state_file_id state_id; /* the state file as last read or written here */
	int64_t coldplug_devices;      /* or -errno */
	/* Group 2's live peaks, as the running meter knows them (the caller sets them; 0: none). */
	uint64_t udev_live_peak_bytes, udev_live_peak_events;
	struct recommendation rec;
};

/*
 * Gather and recommend. live_peak_bytes/events are this boot's peaks as a
 * running meter knows them (0 when there is none). Uses the cached coldplug
 * estimate when the device count has not changed; with trust_cache, whenever
 * there is one, without walking /sys to count devices (the early-boot and
 * console paths: nltuned checks the count when it starts). Returns 0, or
 * -errno when the sysctls cannot be read. Never logs: the caller reports state_err.
 */
int snapshot_take(const struct nlt_conf *c, uint64_t live_peak_bytes, uint64_t live_peak_events,
		  bool trust_cache, struct snapshot *s);

/*
 * Re-read the sysctls and recommend again from s->state (no /sys walk): the
 * daemon's per-scan refresh. The state file is looked at (one stat) and, when
 * another writer replaced it since s last read or wrote it, read and merged
 * into s->state: a record the console wrote is seen at the next scan. 0 or -errno.
 */
int snapshot_refresh(const struct nlt_conf *c, uint64_t live_peak_bytes, uint64_t live_peak_events,
		     struct snapshot *s);

/*
 * Write s->state where it belongs: the state directory when it is there (a
 * /var mounted since the snapshot counts), else the runtime directory
 * (paths_run()). With early (apply --boot), the state directory only if it
 * exists itself (never made: /var may not be mounted yet). Every save is
 * state_save_merged(): under the writers' lock the file is read again and s's
 * records merged into it, so a record another writer saved meanwhile stays,
 * and s->state holds the merged result. *dir tells where it went. 0 or
 * -errno; never logs.
 */
int snapshot_save(const struct nlt_conf *c, struct snapshot *s, bool early, const char **dir);

/*
 * Record a write of the sysctls (who, what was in force before, what after)
 * in this boot's entry of s->state and mark it for saving: the one record of
 * a write, for nltuned's Apply and Revert and the console's apply and revert.
 * Without a boot id only the applied values are kept.
 */
void snapshot_record_write(struct snapshot *s, enum state_by by, const struct rmem *before,
			   const struct rmem *after, uint32_t keep);

/*
 * The records alone, read only: the state file with this boot's early records
 * merged in, and the boot id ("" if unknown). 0, or why the file was ignored
 * (*st is then what the runtime directory holds).
 */
int snapshot_load_records(const struct nlt_conf *c, struct state *st, char *boot_id, size_t len);

/* The state directory (or its parent) is there: a separate /var is mounted. */
bool snapshot_state_dir_there(const char *dir);

/* One line on why the state file was ignored, for the caller to log ("" if it was fine). */
const char *snapshot_state_problem(const struct snapshot *s, char *buf, size_t len);

#endif
