/* SPDX-License-Identifier: MIT */
/* Turns scan rows and counters into alert records whose message says what to do. */
#include "watch.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void who(const struct sockrow *r, char *buf, size_t len)
{
	if (r->has_owner && r->own.npids)
		snprintf(buf, len, "%s[%d]%s", r->own.comm, (int)r->own.pids[0],
			 r->own.npids + r->own.more > 1 ? " and others" : "");
	else
		snprintf(buf, len, "an unknown process");
}

static void base(const struct sockrow *r, uint64_t now, struct alert *a)
{
	memset(a, 0, sizeof(*a));
	a->time_ms = now;
	a->inode = r->s.inode;
	a->drops = r->new_drops;
	if (r->has_owner && r->own.npids) {
		a->pid = r->own.pids[0];
		snprintf(a->comm, sizeof(a->comm), "%s", r->own.comm);
	}
}

int watch_row(const struct sockrow *r, uint64_t now_wall_ms, struct alert protos[2])
{
	char w[64];
	int n = 0;

	who(r, w, sizeof(w));
	if (r->new_drops) {
		struct alert *a = &protos[n++];

		base(r, now_wall_ms, a);
		a->kind = ALERT_SOCKET_DROPS;
		a->severity = SEV_CRITICAL;
		snprintf(a->message, sizeof(a->message),
			 "%s lost %" PRIu64 " netlink messages (protocol %u, socket %" PRIu64
			 ", rcvbuf %u holds %" PRIu64 " events, limit %s)%s%s",
			 w, r->new_drops, r->s.protocol, r->s.inode, r->s.rcvbuf, r->v.holds_events,
			 verdict_limit_name(r->v.limit), r->v.fix[0] ? ": " : "", r->v.fix);
	}
	/* At-risk is a standing condition: said once when it starts, not every scan. */
	if (r->v.verdict == VERDICT_AT_RISK && !r->was_at_risk) {
		struct alert *a = &protos[n++];

		base(r, now_wall_ms, a);
		a->kind = ALERT_SOCKET_AT_RISK;
		a->severity = SEV_WARNING;
		snprintf(a->message, sizeof(a->message),
			 "%s listens to uevents with rcvbuf %u (%" PRIu64
			 " events, limit %s), less than the measured need%s%s",
			 w, r->s.rcvbuf, r->v.holds_events, verdict_limit_name(r->v.limit),
			 r->v.fix[0] ? ": " : "", r->v.fix);
	}
	return n;
}

void watch_overrun(uint64_t n, uint64_t rcvbuf, uint64_t now_wall_ms, struct alert *a)
{
	memset(a, 0, sizeof(*a));
	a->time_ms = now_wall_ms;
	a->kind = ALERT_MONITOR_OVERRUN;
	a->severity = SEV_WARNING;
	a->drops = n;
	snprintf(a->message, sizeof(a->message),
		 "nltuned itself missed %" PRIu64 " uevents with a %" PRIu64
		 "-byte buffer: its burst figures are low; raise monitor-buffer",
		 n, rcvbuf);
}

int watch_sysctl(const struct rmem *now, uint64_t applied_default, uint64_t applied_max,
		 uint64_t now_wall_ms, struct alert *a)
{
	const char *name;
	uint64_t is, was;

	if (applied_default && now->rmem_default < applied_default) {
		name = "rmem_default", is = now->rmem_default, was = applied_default;
	} else if (applied_max && now->rmem_max < applied_max) {
		name = "rmem_max", is = now->rmem_max, was = applied_max;
	} else {
		return 0;
	}
	memset(a, 0, sizeof(*a));
	a->time_ms = now_wall_ms;
	a->kind = ALERT_SYSCTL_LOWERED;
	a->severity = SEV_WARNING;
	snprintf(a->message, sizeof(a->message),
		 "net.core.%s is %" PRIu64 ", below the %" PRIu64
		 " nltune applied: something lowered it (a sysctl.d file ordered after "
		 "60-nltune.conf?); run nltune apply --persist",
		 name, is, was);
	return 1;
}

uint64_t watch_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
