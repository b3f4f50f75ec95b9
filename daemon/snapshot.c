/* SPDX-License-Identifier: MIT */
/* Gather sysctls, memory, boot id, history and the coldplug estimate, then recommend. */
#include "snapshot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	in.rmem_default = s->sysctl.rmem_default;
	in.rmem_max = s->sysctl.rmem_max;
	in.memtotal = s->memtotal;
	in.sock_min_rcvbuf = s->sock_min;
	recommend(c, &in, &s->rec);
}

int snapshot_refresh(const struct nlt_conf *c, uint64_t live_peak_bytes, uint64_t live_peak_events,
		     struct snapshot *s)
{
	int r = sysctl_read(&s->sysctl);

	if (r < 0)
		return r;
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
	s->state_err = state_load(c->state_dir, &s->state);
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
	struct state *disk;
	int r;

	/*
	 * Early in boot only a state directory that is there itself counts: the
	 * package installs it, and a separate /var not mounted yet shows none
	 * below its empty mount point. Never created that early.
	 */
	if (early && !is_dir(c->state_dir))
		goto runtime;
	if (!s->state_on_disk && snapshot_state_dir_there(c->state_dir)) {
		/* /var came up since: what is there first, then this boot on top. */
		disk = malloc(sizeof(*disk));
		if (!disk)
			return -ENOMEM;
		r = state_load(c->state_dir, disk);
		if (r < 0 && r != -ENOENT && r != -EBADMSG && r != -EPROTONOSUPPORT) {
			free(disk);
			goto runtime;
		}
		state_merge(disk, &s->state, c->history);
		s->state = *disk;
		free(disk);
		s->state_on_disk = true;
	}
	if (s->state_on_disk) {
		*dir = c->state_dir;
		r = state_save(c->state_dir, &s->state);
		if (r == 0)
			return 0;
	}
runtime:
	*dir = paths_run();
	return state_save(paths_run(), &s->state);
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
