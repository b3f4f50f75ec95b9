/* SPDX-License-Identifier: MIT */
/* A fixed ring of alerts, a fixed rate table, a log budget: a storm costs no memory and no noise.
 */
#include "alerts.h"

#include <stdlib.h>
#include <string.h>

/* c may be NULL: no min-drops, no rate limit, nothing ignored. */
void alerts_init(struct alerts *a, const struct alerts_conf *c)
{
	/* Slots are read only where id != 0: left untouched, the ring's pages stay unallocated. */
	memset(&a->conf, 0, sizeof(a->conf));
	a->count = 0;
	for (size_t i = 0; i < ALERTS_MAX; i++)
		a->ring[i].id = 0;
	a->suppressed = a->crowded = 0;
	memset(a->rate, 0, sizeof(a->rate));
	memset(&a->log, 0, sizeof(a->log));
	if (c)
		a->conf = *c;
	a->next_id = 1;
}

void alerts_set_conf(struct alerts *a, const struct alerts_conf *c)
{
	a->conf = *c;
}

/* Exact, bounded comparison: neither side needs a terminator within ALERTS_COMM_LEN. */
static bool comm_ignored(const struct alerts_conf *c, const char *comm)
{
	size_t i, n = c->n_ignore < ALERTS_IGNORE_MAX ? c->n_ignore : ALERTS_IGNORE_MAX;

	/* An alert about no process is never ignored, not even by an empty entry. */
	if (comm[0] == '\0')
		return false;
	for (i = 0; i < n; i++)
		if (strncmp(c->ignore_comm[i], comm, ALERTS_COMM_LEN) == 0)
			return true;
	return false;
}

/*
 * Both halves of the key go into the hash: inode * kind alone would send
 * every socket-drops alert (kind 0) to one slot. Fibonacci hashing spreads
 * the sequential inodes the kernel hands out.
 */
static size_t rate_hash(uint64_t inode, enum alert_kind kind)
{
	uint64_t h = (inode * ALERT_KIND_MAX + (uint64_t)kind) * 0x9e3779b97f4a7c15ull;

	return (size_t)((h ^ (h >> 32)) % ALERTS_RATE_SLOTS);
}

/*
 * Linear probing without deletion: a slot once used stays used (eviction
 * re-keys it), so a probe may stop at the first unused slot. The slot of the
 * pair, or -1 with *spare the slot a new pair takes: the first unused one, or
 * when the table is full the one used least recently; that key may then
 * alert once early (and a loss it held is not said), the price of a bound.
 */
static long rate_find(const struct alerts *a, uint64_t inode, enum alert_kind kind, size_t *spare)
{
	size_t k, i = rate_hash(inode, kind), oldest = i;

	for (k = 0; k < ALERTS_RATE_SLOTS; k++, i = (i + 1) % ALERTS_RATE_SLOTS) {
		if (!a->rate[i].used)
			break;
		if (a->rate[i].inode == inode && a->rate[i].kind == kind)
			return (long)i;
		if (a->rate[i].last_ms < a->rate[oldest].last_ms)
			oldest = i;
	}
	*spare = k == ALERTS_RATE_SLOTS ? oldest : i;
	return -1;
}

/* Did slot s alert less than interval_ms before now? A clock that steps back is no time. */
static bool rate_held(const struct alerts *a, long s, uint64_t now_ms)
{
	uint64_t last;

	if (s < 0 || a->conf.interval_ms == 0)
		return false;
	last = a->rate[s].last_ms;
	return (now_ms > last ? now_ms - last : 0) < a->conf.interval_ms;
}

/* The slot of a pair that alerts now: found, or taken (re-keyed, its loss forgotten). */
static size_t rate_take(struct alerts *a, long s, size_t spare, uint64_t inode,
			enum alert_kind kind)
{
	if (s >= 0)
		return (size_t)s;
	memset(&a->rate[spare], 0, sizeof(a->rate[spare]));
	a->rate[spare].inode = inode;
	a->rate[spare].kind = kind;
	a->rate[spare].used = true;
	return spare;
}

/* The rate key: the socket, else the process, else the kind alone. */
static uint64_t rate_key(const struct alert *p)
{
	return p->inode ? p->inode : (uint64_t)(p->pid > 0 ? p->pid : 0);
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t p = *(const uint32_t *)x, q = *(const uint32_t *)y;

	return p < q ? -1 : p > q;
}

/*
 * The slot a full ring gives up for p, or -1 when every candidate is more
 * severe than p. Candidates: p's user's own alerts when it holds its share,
 * else those of the user holding most when that is over its share, else all.
 */
static int victim(const struct alerts *a, const struct alert *p)
{
	size_t own = 0, best_n = 0, i, j;
	uint32_t best_uid = p->uid;
	int v = -1;

	for (i = 0; i < ALERTS_MAX; i++)
		own += a->ring[i].uid == p->uid;
	if (own < ALERTS_UID_SHARE) {
		uint32_t uids[ALERTS_MAX];

		/* the user holding most: the longest run of equal uids */
		for (i = 0; i < ALERTS_MAX; i++)
			uids[i] = a->ring[i].uid;
		qsort(uids, ALERTS_MAX, sizeof(uids[0]), cmp_u32);
		for (i = 0; i < ALERTS_MAX; i = j) {
			for (j = i; j < ALERTS_MAX && uids[j] == uids[i]; j++)
				;
			if (j - i > best_n) {
				best_n = j - i;
				best_uid = uids[i];
			}
		}
		if (best_n <= ALERTS_UID_SHARE)
			best_uid = p->uid, best_n = 0;
	}
	for (i = 0; i < ALERTS_MAX; i++) {
		const struct alert *s = &a->ring[i];

		if ((own >= ALERTS_UID_SHARE || best_n) && s->uid != best_uid)
			continue;
		if (v < 0 || s->severity < a->ring[v].severity ||
		    (s->severity == a->ring[v].severity && s->id < a->ring[v].id))
			v = (int)i;
	}
	if (v >= 0 && a->ring[v].severity > p->severity)
		return -1;
	return v;
}

/* Who a loss is about, for its rest once the socket is gone. */
static void loss_who(struct alerts *a, size_t s, const struct alert *p)
{
	a->rate[s].pid = p->pid;
	a->rate[s].uid = p->uid;
	memcpy(a->rate[s].comm, p->comm, ALERTS_COMM_LEN);
	a->rate[s].comm[ALERTS_COMM_LEN - 1] = '\0';
}

int alerts_raise(struct alerts *a, uint64_t now_ms, const struct alert *proto, struct alert *out)
{
	bool loss = proto->kind == ALERT_SOCKET_DROPS && proto->inode, early = false;
	uint64_t key = rate_key(proto);
	struct alert *slot = NULL;
	size_t spare = 0, r = 0;
	long s;

	if (comm_ignored(&a->conf, proto->comm))
		return 0;
	s = loss || a->conf.interval_ms ? rate_find(a, key, proto->kind, &spare) : -1;
	if (rate_held(a, s, now_ms)) {
		if (loss && proto->rest && a->rate[s].rests < ALERTS_RESTS_MAX) {
			early = true;
		} else {
			a->suppressed++;
			if (loss) { /* not said yet: what it says is what the socket holds back */
				a->rate[s].held = proto->drops;
				loss_who(a, (size_t)s, proto);
			}
			return 0;
		}
	}
	if (proto->kind == ALERT_SOCKET_DROPS && proto->drops < a->conf.min_drops &&
	    !(loss && s >= 0 && a->rate[s].held))
		return 0;
	if (loss || a->conf.interval_ms) {
		r = rate_take(a, s, spare, key, proto->kind);
		if (early) {
			a->rate[r].rests++;
		} else {
			a->rate[r].last_ms = now_ms;
			a->rate[r].rests = 0;
		}
	}
	if (a->count == ALERTS_MAX) {
		int v = victim(a, proto);

		if (v < 0) {
			a->crowded++;
			if (loss) {
				a->rate[r].held = proto->drops;
				loss_who(a, r, proto);
			}
			return 0;
		}
		slot = &a->ring[v];
	}
	if (!slot) {
		for (size_t i = 0; i < ALERTS_MAX && !slot; i++)
			if (a->ring[i].id == 0)
				slot = &a->ring[i];
		a->count++;
	}
	*slot = *proto;
	slot->id = a->next_id++;
	slot->comm[sizeof(slot->comm) - 1] = '\0';
	slot->message[sizeof(slot->message) - 1] = '\0';
	slot->message_hidden[sizeof(slot->message_hidden) - 1] = '\0';
	if (loss) {
		if (!a->rate[r].held) { /* nothing held: a new loss begins */
			a->rate[r].said = 0;
			a->rate[r].first_id = slot->id;
		}
		a->rate[r].said += proto->drops;
		a->rate[r].held = 0;
		loss_who(a, r, proto);
	}
	if (out)
		*out = *slot;
	return 1;
}

int alerts_loss_at(const struct alerts *a, size_t i, struct alerts_loss *l)
{
	if (i >= ALERTS_RATE_SLOTS || !a->rate[i].used || a->rate[i].kind != ALERT_SOCKET_DROPS ||
	    !a->rate[i].held || !a->rate[i].inode)
		return 0;
	memset(l, 0, sizeof(*l));
	l->inode = a->rate[i].inode;
	l->held = a->rate[i].held;
	l->said = a->rate[i].said;
	l->first_id = a->rate[i].first_id;
	l->pid = a->rate[i].pid;
	l->uid = a->rate[i].uid;
	memcpy(l->comm, a->rate[i].comm, ALERTS_COMM_LEN);
	return 1;
}

int alerts_loss_of(const struct alerts *a, uint64_t inode, struct alerts_loss *l)
{
	size_t spare;
	long s;

	if (!inode)
		return 0;
	s = rate_find(a, inode, ALERT_SOCKET_DROPS, &spare);
	return s >= 0 ? alerts_loss_at(a, (size_t)s, l) : 0;
}

static int cmp_id(const void *x, const void *y)
{
	const struct alert *p = x, *q = y;

	return p->id < q->id ? -1 : p->id > q->id;
}

size_t alerts_list(const struct alerts *a, struct alert *out, size_t max)
{
	struct alert *all;
	size_t i, n = 0;

	if (max == 0)
		return 0;
	if (max >= a->count) {
		for (i = 0; i < ALERTS_MAX; i++)
			if (a->ring[i].id)
				out[n++] = a->ring[i];
		qsort(out, n, sizeof(*out), cmp_id);
		return n;
	}
	/* the oldest max of them: sort a copy */
	all = malloc(a->count * sizeof(*all));
	if (!all)
		return 0;
	for (i = 0; i < ALERTS_MAX; i++)
		if (a->ring[i].id)
			all[n++] = a->ring[i];
	qsort(all, n, sizeof(*all), cmp_id);
	memcpy(out, all, max * sizeof(*out));
	free(all);
	return max;
}

static void log_window(struct alerts *a, uint64_t now_ms)
{
	if (now_ms >= a->log.start_ms && now_ms - a->log.start_ms < ALERTS_LOG_WINDOW_MS &&
	    a->log.start_ms)
		return;
	a->log.start_ms = now_ms ? now_ms : 1;
	a->log.lines = 0;
	a->log.nuid = 0;
}

bool alerts_log_pass(struct alerts *a, uint64_t now_ms, const struct alert *al)
{
	size_t i;

	/* system-wide causes only: an alert about a socket of an unknown owner is budgeted */
	if (al->pid <= 0 && al->uid == ALERTS_UID_NONE && al->inode == 0)
		return true;
	if (a->log.held == 0)
		log_window(a, now_ms);
	if (a->log.lines >= ALERTS_LOG_MAX)
		goto held;
	for (i = 0; i < a->log.nuid && a->log.uid[i].uid != al->uid; i++)
		;
	if (i == a->log.nuid) {
		if (i == ALERTS_LOG_UIDS)
			goto held;
		a->log.uid[i].uid = al->uid;
		a->log.uid[i].lines = 0;
		a->log.nuid++;
	}
	if (a->log.uid[i].lines >= ALERTS_LOG_UID_MAX)
		goto held;
	a->log.uid[i].lines++;
	a->log.lines++;
	return true;
held:
	a->log.held++;
	return false;
}

uint64_t alerts_log_summary(struct alerts *a, uint64_t now_ms)
{
	uint64_t n = a->log.held;

	if (!n || (now_ms >= a->log.start_ms && now_ms - a->log.start_ms < ALERTS_LOG_WINDOW_MS))
		return 0;
	a->log.held = 0;
	log_window(a, now_ms);
	return n;
}

static const struct {
	const char *name;
	enum alert_severity severity;
} kinds[ALERT_KIND_MAX] = {
	[ALERT_SOCKET_DROPS] = { "socket-drops", SEV_CRITICAL },
	[ALERT_RMEM_DEFAULT_LOW] = { "rmem-default-low", SEV_WARNING },
	[ALERT_PROCESS_BUFFER] = { "process-buffer", SEV_WARNING },
	[ALERT_MONITOR_OVERRUN] = { "monitor-overrun", SEV_WARNING },
	[ALERT_SYSCTL_LOWERED] = { "sysctl-lowered", SEV_WARNING },
};

const char *alerts_kind_name(enum alert_kind k)
{
	return (unsigned int)k < ALERT_KIND_MAX ? kinds[k].name : "unknown";
}

enum alert_severity alerts_kind_severity(enum alert_kind k)
{
	return (unsigned int)k < ALERT_KIND_MAX ? kinds[k].severity : SEV_WARNING;
}

const char *alerts_severity_name(enum alert_severity s)
{
	switch (s) {
	case SEV_INFO:
		return "info";
	case SEV_WARNING:
		return "warning";
	case SEV_CRITICAL:
		return "critical";
	}
	return "unknown";
}
