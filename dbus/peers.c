/* SPDX-License-Identifier: MIT */
/* The bookkeeping of unread replies per bus peer; pure: the bus layer sends and receives. */
#include "peers.h"

#include <string.h>

void peers_init(struct peers *ps)
{
	memset(ps, 0, sizeof(*ps));
}

static struct peer *find(struct peers *ps, const char *name)
{
	for (size_t i = 0; i < PEERS_MAX; i++)
		if (ps->p[i].name[0] && strcmp(ps->p[i].name, name) == 0)
			return &ps->p[i];
	return NULL;
}

const struct peer *peers_find(const struct peers *ps, const char *name)
{
	return find((struct peers *)ps, name);
}

/* A slot for name: a free one, or one of a peer that owes nothing (it is tracked again later). */
static struct peer *add(struct peers *ps, const char *name)
{
	struct peer *idle = NULL;

	if (strlen(name) >= PEER_NAME_LEN)
		return NULL;
	for (size_t i = 0; i < PEERS_MAX; i++) {
		struct peer *p = &ps->p[i];

		if (!p->name[0] || (!idle && !p->unread && !p->ping_out && !p->held)) {
			idle = p;
			if (!p->name[0])
				break;
		}
	}
	if (!idle)
		return NULL;
	memset(idle, 0, sizeof(*idle));
	strcpy(idle->name, name);
	return idle;
}

enum peer_verdict peers_admit(struct peers *ps, const char *name)
{
	struct peer *p;
	bool drop;

	if (!name)
		return PEER_ANSWER; /* a peer-to-peer connection: nothing queues in a broker */
	p = find(ps, name);
	if (!p)
		p = add(ps, name);
	if (!p) {
		ps->dropped++;
		return PEER_DROP;
	}
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

	if (!p)
		return;
	ps->unread -= p->unread;
	ps->held -= p->held;
	memset(p, 0, sizeof(*p));
}
