/* SPDX-License-Identifier: MIT */
/* Gather sysctls, memory, boot id, history and the coldplug estimate, then recommend. */
#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "coldplug.h"
#include "uevmon.h"

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
	coldplug_estimate(s, trust_cache);
	snapshot_recommend(c, live_peak_bytes, live_peak_events, s);
	return 0;
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
