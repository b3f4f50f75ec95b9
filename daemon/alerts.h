/* SPDX-License-Identifier: MIT */
/* Alerts: a bounded ring, rate-limited per socket and kind, honouring min-drops and ignore-comm. */
#ifndef NLTUNE_ALERTS_H
#define NLTUNE_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALERTS_MAX	  256  /* kept; the oldest go first */
#define ALERTS_RATE_SLOTS 1024 /* (inode, kind) pairs remembered for rate limiting */
#define ALERTS_IGNORE_MAX 32
#define ALERTS_COMM_LEN	  16

enum alert_kind {
	ALERT_SOCKET_DROPS,
	ALERT_SOCKET_AT_RISK,
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
	int pid; /* 0 = none */
	char comm[ALERTS_COMM_LEN];
	uint64_t inode; /* 0 = none */
	uint64_t drops; /* new drops this alert is about */
	char message[640];
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
	size_t head, count; /* ring of ALERTS_MAX */
	struct alert ring[ALERTS_MAX];
	struct {
		uint64_t inode;
		enum alert_kind kind;
		uint64_t last_ms; /* monotonic */
		bool used;
	} rate[ALERTS_RATE_SLOTS];
	uint64_t suppressed; /* alerts held back by the rate limit */
};

void alerts_init(struct alerts *a, const struct alerts_conf *c);
/* Change the configuration, keeping the ring. */
void alerts_set_conf(struct alerts *a, const struct alerts_conf *c);

/*
 * Raise proto (id ignored) at monotonic now_ms. Returns 1 and stores a copy
 * (with its id) in *out when raised; 0 when held back: rate-limited
 * (same inode and kind within interval_ms), an ignored comm, or
 * ALERT_SOCKET_DROPS with drops < min_drops. Pure.
 */
int alerts_raise(struct alerts *a, uint64_t now_ms, const struct alert *proto, struct alert *out);

/* The alerts kept, oldest first: copies up to max into out, returns the count. */
size_t alerts_list(const struct alerts *a, struct alert *out, size_t max);

const char *alerts_kind_name(enum alert_kind k);
const char *alerts_severity_name(enum alert_severity s);

#endif
