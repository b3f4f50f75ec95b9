/* SPDX-License-Identifier: MIT */
/* Turns scan rows and counters into alert records whose message says what to do. */
#include "watch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Who holds r: "comm[pid]", or (hidden, for callers who may not see it) "a process". */
static void who(const struct sockrow *r, bool hidden, char *buf, size_t len)
{
	if (r->own && r->own->npids && hidden)
		snprintf(buf, len, "a process");
	else if (r->own && r->own->npids)
		snprintf(buf, len, "%s[%d]%s", r->own->comm, (int)r->own->pids[0],
			 r->own->npids + r->own->more > 1 ? " and others" : "");
	else
		snprintf(buf, len, "an unknown process");
}

/* The fix text of r, naming its process or (hidden) not. */
static void fix_of(const struct sockrow *r, bool hidden, char *buf, size_t len)
{
	struct sockrow anon;

	if (hidden) {
		anon = *r;
		anon.own = NULL;
		r = &anon;
	}
	scan_fix(r, buf, len);
}

static void base(const struct sockrow *r, uint64_t now, enum alert_kind kind, struct alert *a)
{
	memset(a, 0, sizeof(*a));
	a->time_ms = now;
	a->kind = kind;
	a->severity = alerts_kind_severity(kind);
	a->uid = ALERTS_UID_NONE;
	if (r && r->own && r->own->npids) {
		a->pid = r->own->pids[0];
		a->uid = (uint32_t)r->own->uid;
		snprintf(a->comm, sizeof(a->comm), "%s", r->own->comm);
	}
}

/* A uevent listener whose buffer holds less than the measured need. */
static bool short_of_need(const struct scanner *sc, const struct sockrow *r)
{
	uint64_t need =
	    verdict_group_need(r->s.groups, sc->ctx.need_bytes, sc->ctx.udev_need_bytes);

	return r->s.protocol == NLSCAN_PROTO_UEVENT && r->s.groups && r->s.has_diag && need &&
	       r->s.rcvbuf < need;
}

/* Held back by the sysctls (nltune apply is the remedy), not by the application's own size. */
static bool sysctl_bound(const struct sockrow *r)
{
	return r->v.limit == LIMIT_DEFAULT || r->v.limit == LIMIT_CAPPED;
}

struct member {
	pid_t pid;
	size_t row;
};

static int cmp_member(const void *x, const void *y)
{
	const struct member *p = x, *q = y;

	if (p->pid != q->pid)
		return p->pid < q->pid ? -1 : 1;
	return p->row < q->row ? -1 : p->row > q->row;
}

/* Members of one group (sysctl-bound or not), sorted by pid; *fresh: one is new to it. */
static struct member *members(const struct scanner *sc, uint64_t skip, bool by_sysctl, size_t *n,
			      bool *fresh)
{
	struct member *m = NULL;
	size_t k = 0, cap = 0;

	*fresh = false;
	for (size_t i = 0; i < sc->nrows; i++) {
		const struct sockrow *r = &sc->rows[i];

		if (r->s.inode == 0 || r->s.inode == skip || !short_of_need(sc, r) ||
		    sysctl_bound(r) != by_sysctl)
			continue;
		if (k == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct member *t = realloc(m, ncap * sizeof(*t));

			if (!t)
				break;
			m = t;
			cap = ncap;
		}
		m[k].pid = scan_row_pid(r);
		m[k].row = i;
		k++;
		if (!r->was_at_risk && !r->new_drops)
			*fresh = true;
	}
	if (m)
		qsort(m, k, sizeof(*m), cmp_member);
	*n = k;
	return m;
}

#define WORST_NAMED 3

/* rmem-default-low: one alert for every listener the sysctls hold back. */
static void sysctl_group(const struct scanner *sc, const struct member *m, size_t n, uint64_t now,
			 watch_emit_fn emit, void *arg)
{
	size_t procs = 0, worst[WORST_NAMED], nworst = 0, off;
	const struct scan_ctx *c = &sc->ctx;
	uint64_t target = c->target_default > c->need_bytes ? c->target_default : c->need_bytes;
	struct alert a;
	int w;

	for (size_t i = 0; i < n; i++) {
		const struct sockrow *r = &sc->rows[m[i].row];
		size_t j;

		if (i == 0 || m[i].pid != m[i - 1].pid || m[i].pid == 0)
			procs++;
		else
			continue; /* one name per process */
		/* keep the WORST_NAMED smallest buffers, smallest first */
		for (j = nworst; j > 0 && sc->rows[worst[j - 1]].s.rcvbuf > r->s.rcvbuf; j--)
			if (j < WORST_NAMED)
				worst[j] = worst[j - 1];
		if (j < WORST_NAMED) {
			worst[j] = m[i].row;
			if (nworst < WORST_NAMED)
				nworst++;
		}
	}
	base(NULL, now, ALERT_RMEM_DEFAULT_LOW, &a);
	a.sockets = n;
	for (int hidden = 0; hidden <= 1; hidden++) {
		char *msg = hidden ? a.message_hidden : a.message;
		size_t len = sizeof(a.message);

		w = snprintf(msg, len,
			     "%zu uevent listener%s in %zu process%s hold%s less than the measured "
			     "need (%" PRIu64 " bytes): net.core.rmem_default is %" PRIu64
			     " (rmem_max %" PRIu64 "); run nltune apply (it writes %" PRIu64
			     "), then restart them; worst:",
			     n, n == 1 ? "" : "s", procs, procs == 1 ? "" : "es", n == 1 ? "s" : "",
			     c->need_bytes, c->sysctl.rmem_default, c->sysctl.rmem_max, target);
		off = w < 0 ? 0 : (size_t)w;
		for (size_t i = 0; i < nworst && off < len; i++) {
			const struct sockrow *r = &sc->rows[worst[i]];
			char who_[64];

			who(r, hidden, who_, sizeof(who_));
			w = snprintf(msg + off, len - off, "%s %s rcvbuf %u", i ? "," : "", who_,
				     r->s.rcvbuf);
			off += w < 0 ? 0 : (size_t)w;
		}
	}
	emit(arg, &a);
}

/* process-buffer: one alert per process whose own SO_RCVBUF leaves a listener short. */
static void process_groups(const struct scanner *sc, const struct member *m, size_t n, uint64_t now,
			   watch_emit_fn emit, void *arg)
{
	char w[64], fix[VERDICT_FIX_LEN];

	for (size_t i = 0, j; i < n; i = j) {
		const struct sockrow *worst = &sc->rows[m[i].row];
		bool fresh = false;
		struct alert a;

		for (j = i; j < n && m[j].pid == m[i].pid; j++) {
			const struct sockrow *r = &sc->rows[m[j].row];

			fresh |= !r->was_at_risk && !r->new_drops;
			if (r->s.rcvbuf < worst->s.rcvbuf)
				worst = r;
			if (m[i].pid == 0) { /* unknown holders are not one process */
				j++;
				break;
			}
		}
		if (!fresh)
			continue;
		base(worst, now, ALERT_PROCESS_BUFFER, &a);
		a.sockets = j - i;
		if (m[i].pid == 0)
			a.inode = worst->s.inode;
		for (int hidden = 0; hidden <= 1; hidden++) {
			who(worst, hidden, w, sizeof(w));
			fix_of(worst, hidden, fix, sizeof(fix));
			snprintf(hidden ? a.message_hidden : a.message, sizeof(a.message),
				 "%s listens to uevents with %zu socket%s its own SO_RCVBUF keeps "
				 "short of the measured need (smallest rcvbuf %u holds %" PRIu64
				 " events, limit %s)%s%s",
				 w, j - i, j - i == 1 ? "" : "s", worst->s.rcvbuf,
				 worst->v.holds_events, verdict_limit_name(worst->v.limit),
				 fix[0] ? ": " : "", fix);
		}
		emit(arg, &a);
	}
}

/*
 * "who lost n netlink messages" or, when a loss held back by the rate limit goes on
 * being said, "who lost n more netlink messages, m in all since alert #id".
 */
static int lost(char *buf, size_t len, const char *who_, uint64_t n, const struct alerts_loss *l)
{
	if (!l)
		return snprintf(buf, len, "%s lost %" PRIu64 " netlink messages", who_, n);
	if (!l->first_id)
		return snprintf(buf, len, "%s lost %" PRIu64 " more netlink messages", who_, n);
	return snprintf(buf, len,
			"%s lost %" PRIu64 " more netlink messages, %" PRIu64
			" in all since alert #%" PRIu64,
			who_, n, l->said + n, l->first_id);
}

/*
 * socket-drops: one alert per socket that lost messages since the last scan, with what the
 * rate limit held back of it before (l); with rest, the socket's drops stopped rising and l
 * is all it says.
 */
static void drops(const struct sockrow *r, const struct alerts_loss *l, bool rest, uint64_t now,
		  watch_emit_fn emit, void *arg)
{
	char w[64], fix[VERDICT_FIX_LEN];
	uint64_t n = (rest ? 0 : r->new_drops) + (l ? l->held : 0);
	struct alert a;

	base(r, now, ALERT_SOCKET_DROPS, &a);
	a.inode = r->s.inode;
	a.drops = n;
	a.rest = rest;
	for (int hidden = 0; hidden <= 1; hidden++) {
		char *msg = hidden ? a.message_hidden : a.message;
		size_t len = sizeof(a.message);
		int k;

		who(r, hidden, w, sizeof(w));
		fix_of(r, hidden, fix, sizeof(fix));
		k = lost(msg, len, w, n, l);
		if (k < 0 || (size_t)k >= len)
			continue;
		snprintf(msg + k, len - (size_t)k,
			 "%s (protocol %u, socket %" PRIu64 ", rcvbuf %u holds %" PRIu64
			 " events, limit %s)%s%s",
			 rest ? "; its drops stopped rising" : "", r->s.protocol, r->s.inode,
			 r->s.rcvbuf, r->v.holds_events, verdict_limit_name(r->v.limit),
			 fix[0] ? ": " : "", fix);
	}
	emit(arg, &a);
}

/* The rest of a loss whose socket is gone: named as the alerts held back named it. */
static void drops_gone(const struct alerts_loss *l, uint64_t now, watch_emit_fn emit, void *arg)
{
	char w[64];
	struct alert a;

	base(NULL, now, ALERT_SOCKET_DROPS, &a);
	a.inode = l->inode;
	a.drops = l->held;
	a.rest = true;
	if (l->pid > 0) {
		a.pid = l->pid;
		a.uid = l->uid;
		memcpy(a.comm, l->comm, sizeof(a.comm));
		a.comm[sizeof(a.comm) - 1] = '\0';
	}
	for (int hidden = 0; hidden <= 1; hidden++) {
		char *msg = hidden ? a.message_hidden : a.message;
		size_t len = sizeof(a.message);
		int k;

		if (a.pid && !hidden)
			snprintf(w, sizeof(w), "%s[%d]", a.comm, a.pid);
		else
			snprintf(w, sizeof(w), "%s", a.pid ? "a process" : "an unknown process");
		k = lost(msg, len, w, l->held, l);
		if (k >= 0 && (size_t)k < len)
			snprintf(msg + k, len - (size_t)k, " before its socket %" PRIu64 " closed",
				 l->inode);
	}
	emit(arg, &a);
}

static int cmp_row_inode(const void *key, const void *row)
{
	uint64_t k = *(const uint64_t *)key, i = ((const struct sockrow *)row)->s.inode;

	return k < i ? -1 : k > i;
}

/*
 * Losses the rate limit held back on sockets whose drops stopped rising (no new drops
 * this scan) or that are gone: said now, once, so that the alerts about a socket add up.
 */
static void rests(const struct scanner *sc, const struct alerts *al, uint64_t skip, uint64_t now,
		  watch_emit_fn emit, void *arg)
{
	struct alerts_loss l;

	for (size_t i = 0; i < ALERTS_RATE_SLOTS; i++) {
		const struct sockrow *r;

		if (!alerts_loss_at(al, i, &l) || l.inode == skip)
			continue;
		r = bsearch(&l.inode, sc->rows, sc->nrows, sizeof(*r), cmp_row_inode);
		if (!r)
			drops_gone(&l, now, emit, arg);
		else if (!r->new_drops)
			drops(r, &l, true, now, emit, arg);
	}
}

/* What the sockets past WATCH_DROPS_PER_SCAN lost: one alert, counted, not one each. */
static void drops_summary(uint64_t sockets, uint64_t lost, uint64_t now, watch_emit_fn emit,
			  void *arg)
{
	struct alert a;

	base(NULL, now, ALERT_SOCKET_DROPS, &a);
	a.sockets = sockets;
	a.drops = lost;
	snprintf(a.message, sizeof(a.message),
		 "%" PRIu64 " more sockets lost %" PRIu64 " netlink messages since the last scan: "
		 "nltune sockets --verdict dropping lists them with their fixes",
		 sockets, lost);
	emit(arg, &a);
}

void watch_scan(const struct scanner *sc, const struct alerts *al, uint64_t skip_inode,
		uint64_t now_wall_ms, watch_emit_fn emit, void *arg)
{
	struct alerts_loss l;
	uint64_t more = 0, more_lost = 0;
	size_t said = 0;
	struct member *m;
	size_t n;
	bool fresh;

	/* Standing conditions are said when they start (or grow), not every scan. */
	m = members(sc, skip_inode, true, &n, &fresh);
	if (fresh)
		sysctl_group(sc, m, n, now_wall_ms, emit, arg);
	free(m);
	m = members(sc, skip_inode, false, &n, &fresh);
	if (fresh)
		process_groups(sc, m, n, now_wall_ms, emit, arg);
	free(m);
	for (size_t i = 0; i < sc->nrows; i++) {
		const struct sockrow *r = &sc->rows[i];

		if (!r->new_drops || !r->s.inode || r->s.inode == skip_inode)
			continue;
		if (said++ < WATCH_DROPS_PER_SCAN) {
			drops(r, al && alerts_loss_of(al, r->s.inode, &l) ? &l : NULL, false,
			      now_wall_ms, emit, arg);
		} else {
			more++;
			more_lost += r->new_drops;
		}
	}
	if (more)
		drops_summary(more, more_lost, now_wall_ms, emit, arg);
	if (al)
		rests(sc, al, skip_inode, now_wall_ms, emit, arg);
}

void watch_overrun(uint64_t n, uint64_t rcvbuf, uint64_t now_wall_ms, struct alert *a)
{
	base(NULL, now_wall_ms, ALERT_MONITOR_OVERRUN, a);
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
	base(NULL, now_wall_ms, ALERT_SYSCTL_LOWERED, a);
	snprintf(a->message, sizeof(a->message),
		 "net.core.%s is %" PRIu64 ", below the %" PRIu64
		 " nltune applied: something lowered it (a sysctl.d file ordered after "
		 "60-nltune.conf?); run nltune apply --persist",
		 name, is, was);
	return 1;
}
