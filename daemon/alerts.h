/* SPDX-License-Identifier: MIT */
/* Alerts: a bounded ring that keeps the severe, rate limits per key and kind, a log budget. */
#ifndef NLTUNE_ALERTS_H
#define NLTUNE_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALERTS_MAX	     256 /* kept; the least severe, oldest go first */
#define ALERTS_UID_SHARE     64	 /* a full ring takes no more than this from one user for another */
#define ALERTS_RATE_SLOTS    1024 /* (key, kind) pairs remembered for rate limiting */
#define ALERTS_IGNORE_MAX    32
#define ALERTS_COMM_LEN	     16
#define ALERTS_LOG_WINDOW_MS 60000 /* the log budget's period */
#define ALERTS_LOG_MAX	     20	   /* alert lines logged per window; the rest are counted */
#define ALERTS_LOG_UID_MAX   10	   /* of those, at most this many about one user's processes */
#define ALERTS_LOG_UIDS	     32	   /* users counted per window; more count as over their share */
#define ALERTS_UID_NONE	     UINT32_MAX /* about no process, or one whose user is unknown */
#define ALERTS_RESTS_MAX     4 /* rests of one socket's loss let through within an interval */

/*
 * The kinds, one cause and remedy each: socket-drops is per socket,
 * process-buffer per process, rmem-default-low one for every socket held back
 * by net.core.rmem_default (or rmem_max). Add a kind here and in alerts.c's
 * table; journald MESSAGE_IDs and the like hang off the same index.
 */
enum alert_kind {
	ALERT_SOCKET_DROPS,
	ALERT_RMEM_DEFAULT_LOW,
	ALERT_PROCESS_BUFFER,
	ALERT_MONITOR_OVERRUN,
	ALERT_SYSCTL_LOWERED,
	ALERT_KIND_MAX,
};
enum alert_severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };

struct alert {
	uint64_t id;	  /* 1, 2, ... assigned by alerts_raise */
	uint64_t time_ms; /* wall clock, unix ms */
	enum alert_severity severity;
	enum alert_kind kind;
	int pid;      /* 0 = none */
	uint32_t uid; /* of pid; ALERTS_UID_NONE = none or unknown */
	char comm[ALERTS_COMM_LEN];
	uint64_t inode;	  /* 0 = none */
	uint64_t drops;	  /* new drops this alert is about */
	uint64_t sockets; /* sockets it is about (grouped kinds), 0 = one or none */
	/* socket-drops: the rest of a loss the rate limit held back, said once its drops stopped
	 * rising (or its socket closed); passes the rate limit ALERTS_RESTS_MAX times an interval
	 */
	bool rest;
	char message[640];
	/* The message naming no process, for callers who may not see pid's owner; "": the same. */
	char message_hidden[640];
};

struct alerts_conf {
	uint64_t min_drops;
	uint64_t interval_ms;
	size_t n_ignore;
	char ignore_comm[ALERTS_IGNORE_MAX][ALERTS_COMM_LEN];
};

struct alerts {
	struct alerts_conf conf;
	uint64_t next_id;
	size_t count; /* used slots of ring (id != 0), in no order */
	struct alert ring[ALERTS_MAX];
	struct {
		uint64_t inode;	  /* the key: inode, else pid, else 0 */
		uint64_t last_ms; /* monotonic */
		/* socket-drops about a socket: its loss, said and held back (struct alerts_loss) */
		uint64_t held, said, first_id;
		int pid;
		uint32_t uid;
		char comm[ALERTS_COMM_LEN];
		enum alert_kind kind;
		bool used;
		uint8_t rests; /* rests let through since last_ms */
	} rate[ALERTS_RATE_SLOTS];
	uint64_t suppressed; /* alerts held back by the rate limit */
	uint64_t crowded;    /* alerts not kept: the ring held only more severe ones */
	struct {	     /* the log budget */
		uint64_t start_ms;
		size_t lines;
		uint64_t held; /* lines not logged in this window */
		size_t nuid;
		struct {
			uint32_t uid;
			size_t lines;
		} uid[ALERTS_LOG_UIDS];
	} log;
};

void alerts_init(struct alerts *a, const struct alerts_conf *c);
/* Change the configuration, keeping the ring. */
void alerts_set_conf(struct alerts *a, const struct alerts_conf *c);

/*
 * Raise proto (id ignored) at monotonic now_ms. Returns 1 and stores a copy
 * (with its id) in *out when raised; 0 when held back: rate-limited (same key
 * and kind within interval_ms; the key is the inode, else the pid), an
 * ignored comm, ALERT_SOCKET_DROPS with drops < min_drops, or a full ring
 * that holds only more severe alerts. A full ring makes room by dropping the
 * least severe, oldest alert: of the same user when that user holds
 * ALERTS_UID_SHARE or more, else of the user holding most. Pure.
 *
 * A loss is said whole. A socket-drops alert about a socket (inode != 0)
 * says everything about it not said yet: its drops are the socket's new
 * drops plus the held of alerts_loss_of (watch_scan builds it so). Held back
 * by the rate limit, its drops become the socket's held (min_drops does not
 * apply then: the loss is being said); raised, they are said, and a raise
 * with nothing held starts a new loss. A rest (proto->rest: the drops stopped
 * rising, one per burst) passes the rate limit ALERTS_RESTS_MAX times between
 * two alerts the interval lets through, so a socket whose drops stop and
 * start again every scan raises at most 1 + ALERTS_RESTS_MAX alerts an
 * interval; a rest past those waits for the interval's end.
 */
int alerts_raise(struct alerts *a, uint64_t now_ms, const struct alert *proto, struct alert *out);

/* What the socket-drops alerts about one socket said and held back. */
struct alerts_loss {
	uint64_t inode;
	uint64_t held;	   /* drops the rate limit held back: not said yet */
	uint64_t said;	   /* drops said since alert first_id, that one's included */
	uint64_t first_id; /* the alert that began saying this loss */
	int pid;	   /* of the last alert about it, for a socket gone since */
	uint32_t uid;
	char comm[ALERTS_COMM_LEN];
};

/*
 * Socket inode's loss: 1 and *l when the rate limit holds drops of it back, else 0. The
 * table is bounded like the rate limit: a socket evicted from it loses what it held. Pure.
 */
int alerts_loss_of(const struct alerts *a, uint64_t inode, struct alerts_loss *l);
/* The same for slot i (0 <= i < ALERTS_RATE_SLOTS) of the table, to visit every socket. */
int alerts_loss_at(const struct alerts *a, size_t i, struct alerts_loss *l);

/*
 * May a raised alert be logged? At most ALERTS_LOG_MAX lines per
 * ALERTS_LOG_WINDOW_MS, ALERTS_LOG_UID_MAX of them about one user (sockets of
 * unknown owners count as one user). An alert about no process and no socket
 * (a system-wide cause) always may: its kind's rate limit bounds it. Counts
 * what it refuses. Pure.
 */
bool alerts_log_pass(struct alerts *a, uint64_t now_ms, const struct alert *al);

/*
 * Once the log window has ended: the number of lines it refused (then a new
 * window starts), for one "N more suppressed" line; 0 otherwise. Pure.
 */
uint64_t alerts_log_summary(struct alerts *a, uint64_t now_ms);

/* The alerts kept, oldest first: copies the oldest max into out, returns the count. */
size_t alerts_list(const struct alerts *a, struct alert *out, size_t max);

const char *alerts_kind_name(enum alert_kind k);
/* The severity alerts of kind k carry. */
enum alert_severity alerts_kind_severity(enum alert_kind k);
const char *alerts_severity_name(enum alert_severity s);

#endif
