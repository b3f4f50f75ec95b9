/* SPDX-License-Identifier: MIT */
/* Replies per bus peer not yet proven read: who gets answers, who is asked to prove it reads. */
#ifndef NLTUNE_PEERS_H
#define NLTUNE_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The broker holds what a peer does not read and charges it to nltuned: past
 * dbus-daemon's max_incoming_bytes (127 MiB) it stops reading nltuned, whose
 * replies to everyone then pile up in its own memory. So the bytes sent to
 * each peer count as unread until the peer answers a Peer.Ping sent after
 * them (replies arrive in order: an answer proves the earlier ones were read),
 * and both per peer and in all are kept far below that. A caller that only
 * makes synchronous calls and never dispatches what else arrives (sd-bus's
 * sd_bus_call() alone) does not answer the Ping: past PEER_MAX_UNREAD it must
 * dispatch, or connect anew, as the nltune commands do.
 */
#define PEERS_MAX	 1024		     /* peers tracked; more are not answered */
#define PEER_NAME_LEN	 64		     /* ":1.123456" and well beyond */
#define PEER_PING_AT	 (64u * 1024)	     /* unread bytes that make nltuned send a Ping */
#define PEER_MAX_UNREAD	 (1024u * 1024)	     /* a peer with more unread gets no answer */
#define PEER_BUSY_UNREAD (2 * PEER_PING_AT)  /* refused past it while all have PEERS_MAX_UNREAD */
#define PEERS_MAX_UNREAD (16u * 1024 * 1024) /* past it only peers with none unread do */

struct peer {
	char name[PEER_NAME_LEN]; /* unique bus name; "" = free slot */
	uint64_t unread;	  /* reply bytes sent and not yet proven read */
	uint64_t pinged;	  /* unread when the outstanding Ping was sent */
	bool ping_out;		  /* a Ping is on its way */
	bool refused;		  /* calls are being dropped (said once in the log) */
	uint64_t dropped;	  /* calls dropped unanswered */
};

struct peers {
	struct peer p[PEERS_MAX];
	uint64_t unread; /* over all peers */
	uint64_t dropped;
};

void peers_init(struct peers *ps);

enum peer_verdict {
	PEER_ANSWER,	 /* answer the call */
	PEER_DROP,	 /* drop it unanswered: the peer does not read */
	PEER_DROP_FIRST, /* the same, and the first of a run: say so once */
};

/*
 * A method call from name arrives: may it be answered? A peer over
 * PEER_MAX_UNREAD, or with PEER_BUSY_UNREAD unread while all peers together are
 * over PEERS_MAX_UNREAD, is not; nor a new one when PEERS_MAX peers are
 * tracked and none can be forgotten. Pure.
 */
enum peer_verdict peers_admit(struct peers *ps, const char *name);

/*
 * bytes of reply went to name. Returns true when nltuned should send name a
 * Ping now (then call peers_ping_sent()).
 */
bool peers_sent(struct peers *ps, const char *name, uint64_t bytes);
/* Whether name owes a Ping answer and has none outstanding (a dropped call asks again). */
bool peers_want_ping(const struct peers *ps, const char *name);
void peers_ping_sent(struct peers *ps, const char *name);
/* The Ping came back (read: everything before it was read) or failed (read: false). */
void peers_ping_done(struct peers *ps, const char *name, bool answered);
/* name left the bus: its replies went with it. */
void peers_gone(struct peers *ps, const char *name);

/* The tracked peer of name, or NULL. */
const struct peer *peers_find(const struct peers *ps, const char *name);

#endif
