/* SPDX-License-Identifier: MIT */
/* Gather sysctls, memory, boot id, history and the coldplug estimate, then recommend. */
#include "snapshot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "coldplug.h"
#include "paths.h"
#include "uevmon.h"

/* The state directory, or its parent (state_save makes the last component), is a directory. */
bool snapshot_state_dir_there(const char *dir)
{
	char parent[PATH_MAX];
	struct stat st;
	char *slash;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode);
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return false;
	*slash = '\0';
	return stat(parent, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Merge this boot's early records (apply --boot, nltuned before /var) into s->state. */
static void merge_runtime(const struct nlt_conf *c, struct state *st)
{
	struct state *run = malloc(sizeof(*run));

	if (run && state_load(paths_run(), run) == 0)
		state_merge(st, run, c->history);
	free(run);
}

static void coldplug_estimate(struct snapshot *s, bool trust_cache)
{
	uint64_t bytes = 0;
	int64_t n;

	if (trust_cache && s->state.has_coldplug) {
		s->coldplug_devices = (int64_t)s->state.coldplug_devices;
		return;
	}
	n = coldplug_count();
	s->coldplug_devices = n;
	if (n < 0)
		return;
	if (s->state.has_coldplug && s->state.coldplug_devices == (uint64_t)n)
		return; /* same device count: the cached estimate stands */
	n = coldplug_scan(&s->model, &bytes);
	if (n < 0)
		return;
	s->state.has_coldplug = true;
	s->state.coldplug_devices = (uint64_t)n;
	s->state.coldplug_bytes = bytes;
	s->state_dirty = true;
}

static void snapshot_recommend(const struct nlt_conf *c, uint64_t live_peak_bytes,
			       uint64_t live_peak_events, struct snapshot *s)
{
	struct rec_input in = { 0 };

	in.history = &s->state;
	in.boot_id = s->boot_id[0] ? s->boot_id : NULL;
	in.now_peak_bytes = live_peak_bytes;
	in.now_peak_events = live_peak_events;
	in.now_udev_peak_bytes = s->udev_live_peak_bytes;
	in.now_udev_peak_events = s->udev_live_peak_events;
	in.rmem_default = s->sysctl.rmem_default;
	in.rmem_max = s->sysctl.rmem_max;
	in.memtotal = s->memtotal;
	in.sock_min_rcvbuf = s->sock_min;
	recommend(c, &in, &s->rec);
}

/* Where s->state is saved: the state directory once it is there, else the runtime directory. */
static const char *state_home(const struct nlt_conf *c, const struct snapshot *s)
{
	return s->state_on_disk ? c->state_dir : paths_run();
}

/* Another writer replaced the file since s last read or wrote it: merge what it holds. */
static void pick_up(const struct nlt_conf *c, struct snapshot *s)
{
	const char *dir = state_home(c, s);
	struct state_file_id now;
	struct state *disk;

	if (state_file_stat(dir, &now) < 0 || state_file_id_equal(&now, &s->state_id))
		return;
	disk = malloc(sizeof(*disk));
	if (!disk)
		return;
	if (state_load_id(dir, disk, &now) == 0) {
		state_merge(disk, &s->state, c->history);
		s->state = *disk;
	}
	s->state_id = now; /* a damaged file is not read again until it changes */
	free(disk);
}

int snapshot_refresh(const struct nlt_conf *c, uint64_t live_peak_bytes, uint64_t live_peak_events,
		     struct snapshot *s)
{
	int r = sysctl_read(&s->sysctl);

	if (r < 0)
		return r;
	pick_up(c, s);
	snapshot_recommend(c, live_peak_bytes, live_peak_events, s);
	return 0;
}

int snapshot_take(const struct nlt_conf *c, uint64_t live_peak_bytes, uint64_t live_peak_events,
		  bool trust_cache, struct snapshot *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	r = sysctl_read(&s->sysctl);
	if (r < 0)
		return r;
	if (sysctl_memtotal(&s->memtotal) < 0)
		s->memtotal = 0;
	if (sysctl_boot_id(s->boot_id, sizeof(s->boot_id)) < 0)
		s->boot_id[0] = '\0';
	uevmon_charge_model(&s->model);
	r = uevmon_sock_min_rcvbuf();
	s->sock_min = r > 0 ? (uint32_t)r : 2304;
	s->state_err = state_load_id(c->state_dir, &s->state, &s->state_id);
	if (s->state_err < 0 && s->state_err != -ENOENT)
		state_init(&s->state);
	s->state_on_disk = s->state_err != -ENOENT || snapshot_state_dir_there(c->state_dir);
	merge_runtime(c, &s->state);
	coldplug_estimate(s, trust_cache);
	snapshot_recommend(c, live_peak_bytes, live_peak_events, s);
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int snapshot_save(const struct nlt_conf *c, struct snapshot *s, bool early, const char **dir)
{
	int r;

	/*
	 * Early in boot only a state directory that is there itself counts: the
	 * package installs it, and a separate /var not mounted yet shows none
	 * below its empty mount point. Never created that early.
	 */
	if (early && !is_dir(c->state_dir))
		goto runtime;
	if (s->state_on_disk || snapshot_state_dir_there(c->state_dir)) {
		/* The file as it is now, then this writer's records on top: nothing is lost. */
		*dir = c->state_dir;
		r = state_save_merged(c->state_dir, &s->state, c->history, &s->state_id);
		if (r == 0) {
			s->state_on_disk = true; /* a /var mounted since: from now on there */
			return 0;
		}
	}
runtime:
	*dir = paths_run();
	return state_save_merged(paths_run(), &s->state, c->history,
				 s->state_on_disk ? NULL : &s->state_id);
}

int snapshot_load_records(const struct nlt_conf *c, struct state *st, char *boot_id, size_t len)
{
	int r = state_load(c->state_dir, st);

	if (r < 0 && r != -ENOENT)
		state_init(st);
	merge_runtime(c, st);
	if (sysctl_boot_id(boot_id, len) < 0)
		boot_id[0] = '\0';
	return r == -ENOENT ? 0 : r;
}

static bool same_write(const struct state_apply *x, const struct state_apply *y)
{
	return x->at == y->at && x->by == y->by && x->before_default == y->before_default &&
	       x->before_max == y->before_max && x->after_default == y->after_default &&
	       x->after_max == y->after_max;
}

void snapshot_record_write(struct snapshot *s, enum state_by by, const struct rmem *before,
			   const struct rmem *after, uint32_t keep)
{
	const struct state_boot *b = s->boot_id[0] ? state_find_boot(&s->state, s->boot_id) : NULL;
	struct state_apply a = { .at = (uint64_t)time(NULL),
				 .by = by,
				 .before_default = before->rmem_default,
				 .before_max = before->rmem_max,
				 .after_default = after->rmem_default,
				 .after_max = after->rmem_max };

	/*
	 * Records carry the second: a write the same as one on record in the same
	 * second (a revert, an apply and a revert again) is dated a second later, so
	 * a merge, which keeps a write seen twice once, keeps both.
	 */
	for (size_t i = 0; b && i < b->napplies; i++)
		if (same_write(&b->applies[i], &a)) {
			a.at++;
			i = (size_t)-1; /* look again from the first */
		}
	/* Without a boot id there is no entry to keep it in: the applied values still say it. */
	if (!s->boot_id[0] || state_record_apply(&s->state, s->boot_id, &a, keep) < 0) {
		s->state.applied_default = after->rmem_default;
		s->state.applied_max = after->rmem_max;
	}
	s->state_dirty = true;
}

const char *snapshot_state_problem(const struct snapshot *s, char *buf, size_t len)
{
	buf[0] = '\0';
	if (s->state_err == -EPROTONOSUPPORT)
		snprintf(buf, len, "state file is from another nltune version: ignored");
	else if (s->state_err == -EBADMSG)
		snprintf(buf, len,
			 "state file is damaged or truncated: ignored (it is rewritten "
			 "on the next save)");
	else if (s->state_err < 0 && s->state_err != -ENOENT)
		snprintf(buf, len, "state file unreadable (%s): ignored", strerror(-s->state_err));
	return buf;
}
