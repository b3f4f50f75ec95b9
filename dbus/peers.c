/* SPDX-License-Identifier: MIT */
/* The bookkeeping of unread replies per bus peer; pure: the bus layer sends and receives. */
#include "peers.h"

#include <string.h>

void peers_init(struct peers *ps)
{
	memset(ps, 0, sizeof(*ps));
	for (unsigned i = 0; i < PEERS_MAX; i++) /* slot 0 first */
		ps->free[i] = (uint16_t)(PEERS_MAX - 1 - i);
	ps->nfree = PEERS_MAX;
}

/* FNV-1a */
static uint16_t *chain(struct peers *ps, const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return &ps->bucket[h & (PEERS_BUCKETS - 1)];
}

static struct peer *find(struct peers *ps, const char *name)
{
	for (uint16_t i = *chain(ps, name); i; i = ps->p[i - 1].next)
		if (strcmp(ps->p[i - 1].name, name) == 0)
			return &ps->p[i - 1];
	return NULL;
}

const struct peer *peers_find(const struct peers *ps, const char *name)
{
	return find((struct peers *)ps, name);
}

/* p leaves the table: its counts leave the totals, its slot is free. */
static void forget(struct peers *ps, struct peer *p)
{
	uint16_t idx = (uint16_t)(p - ps->p), *pp = chain(ps, p->name);

	while (*pp && *pp != idx + 1)
		pp = &ps->p[*pp - 1].next;
	if (*pp)
		*pp = p->next;
	ps->unread -= p->unread;
	ps->held -= p->held; /* a Ping on its way is counted when it comes back or fails */
	memset(p, 0, sizeof(*p));
	ps->free[ps->nfree++] = idx;
}

/* Owes nothing that matters: no Ping on its way, no call held, less than PEER_PING_AT unread. */
static bool idle(const struct peer *p)
{
	return !p->ping_out && !p->held && p->unread < PEER_PING_AT;
}

/* A slot for name: a free one, or the least recently seen idle peer's (tracked anew later). */
static struct peer *add(struct peers *ps, const char *name)
{
	struct peer *p = NULL;
	uint16_t *head;

	if (strlen(name) >= PEER_NAME_LEN)
		return NULL;
	if (!ps->nfree) {
		for (size_t i = 0; i < PEERS_MAX; i++)
			if (idle(&ps->p[i]) && (!p || ps->p[i].seen < p->seen))
				p = &ps->p[i];
		if (!p)
			return NULL;
		forget(ps, p);
		ps->forgotten++;
	}
	p = &ps->p[ps->free[--ps->nfree]];
	strcpy(p->name, name);
	head = chain(ps, name);
	p->next = *head;
	*head = (uint16_t)(p - ps->p + 1);
	return p;
}

enum peer_verdict peers_admit(struct peers *ps, const char *name)
{
	struct peer *p;
	bool drop;

	if (!name)
		return PEER_ANSWER; /* a peer-to-peer connection: nothing queues in a broker */
	if (strlen(name) >= PEER_NAME_LEN) {
		ps->dropped++;
		return PEER_DROP; /* no bus gives out such names */
	}
	p = find(ps, name);
	if (!p)
		p = add(ps, name);
	if (!p)
		return PEER_FULL;
	p->seen = ++ps->clock;
	drop = p->unread >= PEER_MAX_UNREAD ||
	       (p->unread >= PEER_BUSY_UNREAD &&
		ps->unread >= (p->proven ? PEERS_MAX_PROVEN : PEERS_MAX_UNREAD));
	if (!drop) {
		p->refused = false;
		return PEER_ANSWER;
	}
	if (p->held < PEER_MAX_HELD && ps->held < PEERS_MAX_HELD) {
		p->held++;
		ps->held++;
		return PEER_HOLD;
	}
	p->dropped++;
	ps->dropped++;
	if (p->refused)
		return PEER_DROP;
	p->refused = true;
	return PEER_DROP_FIRST;
}

static bool owes_ping(const struct peers *ps, const struct peer *p)
{
	unsigned slots = p->proven ? PEERS_MAX_PINGS : PEERS_MAX_PINGS - PEERS_PROVEN_PINGS;

	return !p->ping_out && p->unread >= PEER_PING_AT && ps->pings < slots;
}

bool peers_want_ping(const struct peers *ps, const char *name)
{
	const struct peer *p = peers_find(ps, name);

	return p && owes_ping(ps, p);
}

const char *peers_next_ping(const struct peers *ps)
{
	const struct peer *best = NULL;

	if (ps->pings >= PEERS_MAX_PINGS)
		return NULL;
	for (size_t i = 0; i < PEERS_MAX; i++) {
		const struct peer *p = &ps->p[i];

		if (!p->name[0] || !p->held || !owes_ping(ps, p))
			continue;
		if (!best || p->failed < best->failed ||
		    (p->failed == best->failed && p->answered > best->answered))
			best = p;
	}
	return best ? best->name : NULL;
}

bool peers_sent(struct peers *ps, const char *name, uint64_t bytes)
{
	struct peer *p = name ? find(ps, name) : NULL;

	if (!p)
		return false;
	p->unread += bytes;
	ps->unread += bytes;
	return peers_want_ping(ps, name);
}

void peers_ping_sent(struct peers *ps, const char *name)
{
	struct peer *p = find(ps, name);

	if (!p)
		return;
	p->ping_out = true;
	p->pinged = p->unread;
	ps->pings++;
}

void peers_ping_done(struct peers *ps, const char *name, bool answered)
{
	struct peer *p = find(ps, name);

	if (ps->pings)
		ps->pings--;
	if (!p || !p->ping_out)
		return;
	p->ping_out = false;
	p->proven = answered;
	if (!answered) {
		p->failed++;
		return;
	}
	p->answered++;
	/* What was sent before the Ping has been read; what came after may not be. */
	p->unread -= p->pinged;
	ps->unread -= p->pinged;
	p->pinged = 0;
}

unsigned peers_release(struct peers *ps, const char *name)
{
	struct peer *p = find(ps, name);
	unsigned n;

	if (!p)
		return 0;
	n = p->held;
	ps->held -= n;
	p->held = 0;
	return n;
}

void peers_gone(struct peers *ps, const char *name)
{
	struct peer *p = find(ps, name);

	if (p)
		forget(ps, p);
}

bool peers_uid(const struct peers *ps, const char *name, uint32_t *uid)
{
	const struct peer *p = name ? peers_find(ps, name) : NULL;

	if (!p || !p->uid_known)
		return false;
	*uid = p->uid;
	return true;
}

void peers_set_uid(struct peers *ps, const char *name, uint32_t uid)
{
	struct peer *p = name ? find(ps, name) : NULL;

	if (!p)
		return;
	p->uid = uid;
	p->uid_known = true;
}
