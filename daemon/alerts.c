/* SPDX-License-Identifier: MIT */
/* A fixed ring of alerts with a fixed rate table: a storm of drops costs no memory and no noise. */
#include "alerts.h"

#include <string.h>

/* c may be NULL: no min-drops, no rate limit, nothing ignored. */
void alerts_init(struct alerts *a, const struct alerts_conf *c)
{
	/* The ring is read only up to count: left untouched, its pages stay unallocated. */
	memset(&a->conf, 0, sizeof(a->conf));
	a->head = a->count = 0;
	a->suppressed = 0;
	memset(a->rate, 0, sizeof(a->rate));
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
 * re-keys it), so a probe may stop at the first unused slot. When the table
 * is full the probe visits every slot and a new key takes the one used least
 * recently; that key may then alert once early, which is the price of a
 * bound. Returns false when the pair alerted less than interval_ms ago.
 */
static bool rate_pass(struct alerts *a, uint64_t now_ms, uint64_t inode, enum alert_kind kind)
{
	size_t k, i = rate_hash(inode, kind), oldest = i;
	uint64_t elapsed;

	for (k = 0; k < ALERTS_RATE_SLOTS; k++, i = (i + 1) % ALERTS_RATE_SLOTS) {
		if (!a->rate[i].used)
			break;
		if (a->rate[i].inode == inode && a->rate[i].kind == kind) {
			/* A clock that steps back counts as no time elapsed. */
			elapsed = now_ms > a->rate[i].last_ms ? now_ms - a->rate[i].last_ms : 0;
			if (elapsed < a->conf.interval_ms)
				return false;
			a->rate[i].last_ms = now_ms;
			return true;
		}
		if (a->rate[i].last_ms < a->rate[oldest].last_ms)
			oldest = i;
	}
	if (k == ALERTS_RATE_SLOTS)
		i = oldest;
	a->rate[i].inode = inode;
	a->rate[i].kind = kind;
	a->rate[i].last_ms = now_ms;
	a->rate[i].used = true;
	return true;
}

int alerts_raise(struct alerts *a, uint64_t now_ms, const struct alert *proto, struct alert *out)
{
	struct alert *slot;

	if (comm_ignored(&a->conf, proto->comm))
		return 0;
	if (proto->kind == ALERT_SOCKET_DROPS && proto->drops < a->conf.min_drops)
		return 0;
	if (a->conf.interval_ms != 0 && !rate_pass(a, now_ms, proto->inode, proto->kind)) {
		a->suppressed++;
		return 0;
	}

	if (a->count < ALERTS_MAX) {
		slot = &a->ring[(a->head + a->count) % ALERTS_MAX];
		a->count++;
	} else {
		slot = &a->ring[a->head];
		a->head = (a->head + 1) % ALERTS_MAX;
	}
	*slot = *proto;
	slot->id = a->next_id++;
	slot->comm[sizeof(slot->comm) - 1] = '\0';
	slot->message[sizeof(slot->message) - 1] = '\0';
	if (out)
		*out = *slot;
	return 1;
}

size_t alerts_list(const struct alerts *a, struct alert *out, size_t max)
{
	size_t i, n = a->count < max ? a->count : max;

	for (i = 0; i < n; i++)
		out[i] = a->ring[(a->head + i) % ALERTS_MAX];
	return n;
}

const char *alerts_kind_name(enum alert_kind k)
{
	switch (k) {
	case ALERT_SOCKET_DROPS:
		return "socket-drops";
	case ALERT_SOCKET_AT_RISK:
		return "socket-at-risk";
	case ALERT_MONITOR_OVERRUN:
		return "monitor-overrun";
	case ALERT_SYSCTL_LOWERED:
		return "sysctl-lowered";
	case ALERT_KIND_MAX:
		break;
	}
	return "unknown";
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
