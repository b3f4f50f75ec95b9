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
 *
 * A peer whose last Ping came back is proven: while all peers together have
 * more than PEERS_MAX_UNREAD unread, an unproven one is refused past
 * PEER_BUSY_UNREAD, a proven one only past PEERS_MAX_PROVEN in all, and Pings
 * to unproven peers leave PEERS_PROVEN_PINGS for proven ones: a caller that
 * reads is asked in time, between its calls, however many others do not read.
 * In the broker, charged to nltuned: at most PEERS_MAX_PROVEN plus
 * PEER_BUSY_UNREAD and a reply per peer (256 connections per user: some 80 MiB
 * of dbus-daemon's 127).
 */
/*
 * Peers tracked: twice dbus-daemon's max_completed_connections on a system bus (2048), so its
 * callers, idle or not, never fill the table. Were it full, the least recently seen idle peer
 * (no Ping out, no call held, less than PEER_PING_AT unread: what is forgotten is that little)
 * makes room; with none, the call of a new peer is refused, except root's and the bus's (the
 * bus layer decides: peers_admit says PEER_FULL).
 */
#define PEERS_MAX	 4096
#define PEERS_BUCKETS	 4096		     /* hash chains of names, a power of 2 */
#define PEER_NAME_LEN	 64		     /* ":1.123456" and well beyond */
#define PEER_PING_AT	 (64u * 1024)	     /* unread bytes that make nltuned send a Ping */
#define PEER_MAX_UNREAD	 (1024u * 1024)	     /* a peer with more unread gets no answer */
#define PEER_BUSY_UNREAD (2 * PEER_PING_AT)  /* refused past it while all have PEERS_MAX_UNREAD */
#define PEERS_MAX_UNREAD (4u * 1024 * 1024)  /* past it, PEER_BUSY_UNREAD for the unproven */
#define PEERS_MAX_PROVEN (40u * 1024 * 1024) /* past it, PEER_BUSY_UNREAD for all */
#define PEER_MAX_HELD	 4		     /* calls of a refused peer kept until it reads */
#define PEERS_MAX_HELD	 4096		     /* all together: some 0.5 kB each */
/*
 * Pings waiting for their answer. The broker lets a connection have 128 calls
 * pending (max_replies_per_connection): Pings to callers that never answer
 * must leave room for nltuned's calls to polkit and for Pings to those that do.
 */
#define PEERS_MAX_PINGS	   64
#define PEERS_PROVEN_PINGS 16 /* of them, for proven peers only */

struct peer {
	char name[PEER_NAME_LEN]; /* unique bus name; "" = free slot */
	uint64_t unread;	  /* reply bytes sent and not yet proven read */
	uint64_t pinged;	  /* unread when the outstanding Ping was sent */
	bool ping_out;		  /* a Ping is on its way */
	unsigned answered;	  /* Pings it answered */
	unsigned failed;	  /* Pings it did not answer in time */
	bool proven;		  /* its last Ping came back */
	bool refused;		  /* calls are being dropped (said once in the log) */
	unsigned held;		  /* its calls kept for when its Ping comes back */
	uint64_t dropped;	  /* calls dropped unanswered */
	uint64_t seen;		  /* struct peers' clock at its last call */
	uint32_t uid;		  /* its user, once asked of the bus (uid_known) */
	bool uid_known;
	uint16_t next; /* 1 + index of the next peer in its hash chain; 0: none */
};

struct peers {
	struct peer p[PEERS_MAX];
	uint16_t bucket[PEERS_BUCKETS]; /* 1 + index of each chain's first peer; 0: empty */
	uint16_t free[PEERS_MAX];	/* indexes of free slots, nfree of them */
	unsigned nfree;
	uint64_t clock;	 /* calls admitted so far */
	uint64_t unread; /* over all peers */
	uint64_t dropped;
	uint64_t forgotten; /* idle peers forgotten to make room */
	unsigned held;	    /* over all peers */
	unsigned pings;	    /* Pings on their way, PEERS_MAX_PINGS at most */
};

void peers_init(struct peers *ps);

enum peer_verdict {
	PEER_ANSWER,	 /* answer the call */
	PEER_HOLD,	 /* keep it and answer it once the peer's Ping comes back */
	PEER_DROP,	 /* drop it unanswered: the peer does not read */
	PEER_DROP_FIRST, /* the same, and the first of a run: say so once */
	PEER_FULL, /* a new peer, and no slot: answer root and the bus untracked, drop others */
};

/*
 * A method call from name arrives: may it be answered? A peer over
 * PEER_MAX_UNREAD, or with PEER_BUSY_UNREAD unread while all peers together are
 * over PEERS_MAX_UNREAD, is not. A refused call is held (PEER_MAX_HELD per
 * peer, PEERS_MAX_HELD in all): a caller that reads is answered late, not
 * never; past that it is dropped. A new peer when PEERS_MAX are tracked takes
 * the slot of the least recently seen idle one; with none, PEER_FULL. Pure;
 * O(1) but for that search, O(PEERS_MAX) when the table is full.
 */
enum peer_verdict peers_admit(struct peers *ps, const char *name);

/*
 * bytes of reply went to name. Returns true when nltuned should send name a
 * Ping now (then call peers_ping_sent()).
 */
bool peers_sent(struct peers *ps, const char *name, uint64_t bytes);
/*
 * Whether name owes a Ping answer, has none outstanding and one may be sent now
 * (fewer than PEERS_MAX_PINGS are on their way; a refused call asks again).
 */
bool peers_want_ping(const struct peers *ps, const char *name);
void peers_ping_sent(struct peers *ps, const char *name);
/*
 * The Ping came back (read: everything before it was read) or failed (read: false).
 * Counted even when name has left: the Ping no longer waits.
 */
void peers_ping_done(struct peers *ps, const char *name, bool answered);
/*
 * Who to Ping now that one may be sent: a peer with calls held whose Ping is
 * owed, the one that failed the fewest Pings first and among them the one that
 * answered the most (a caller that reads waits behind none that do not). NULL
 * when there is none or no Ping may be sent.
 */
const char *peers_next_ping(const struct peers *ps);
/* The calls held for name are answered or dropped now; returns how many. */
unsigned peers_release(struct peers *ps, const char *name);
/* name left the bus: its replies went with it (release its held calls first). */
void peers_gone(struct peers *ps, const char *name);

/*
 * The user of a tracked name, asked of the bus once for the name's life: peers_uid() gives
 * it (true) once peers_set_uid() kept it; an untracked name keeps nothing.
 */
bool peers_uid(const struct peers *ps, const char *name, uint32_t *uid);
void peers_set_uid(struct peers *ps, const char *name, uint32_t uid);

/* The tracked peer of name, or NULL. */
const struct peer *peers_find(const struct peers *ps, const char *name);

#endif
