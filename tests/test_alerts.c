/* SPDX-License-Identifier: MIT */
/* Tests of the alert ring: rate limit per socket and kind, filters, overflow, a full rate table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alerts.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define INTERVAL      10000

/* About 150 KiB: kept off the stack. */
static struct alerts A;
static struct alert list[ALERTS_MAX + 8];

static void init(uint64_t min_drops, uint64_t interval_ms)
{
	struct alerts_conf c = { .min_drops = min_drops, .interval_ms = interval_ms };

	alerts_init(&A, &c);
}

static struct alert proto(enum alert_kind kind, uint64_t inode, uint64_t drops, const char *comm)
{
	struct alert p = { .severity = SEV_WARNING, .kind = kind, .inode = inode, .drops = drops };

	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	snprintf(p.message, sizeof(p.message), "%s lost %llu", comm, (unsigned long long)drops);
	return p;
}

static int raise_at(uint64_t now_ms, enum alert_kind kind, uint64_t inode, uint64_t drops,
		    const char *comm)
{
	struct alert p = proto(kind, inode, drops, comm);

	return alerts_raise(&A, now_ms, &p, NULL);
}

static int drops_at(uint64_t now_ms, uint64_t inode)
{
	return raise_at(now_ms, ALERT_SOCKET_DROPS, inode, 3, "victim");
}

static void test_alerts_init_is_empty_and_ids_start_at_one(void **state)
{
	struct alert p = proto(ALERT_SOCKET_DROPS, 7, 3, "victim"), out;

	(void)state;
	init(1, INTERVAL);
	assert_int_equal(alerts_list(&A, list, ARRAY_SIZE(list)), 0);
	p.id = 999; /* ignored */
	assert_int_equal(alerts_raise(&A, 5, &p, &out), 1);
	assert_int_equal(out.id, 1);
	assert_string_equal(out.comm, "victim");
	assert_string_equal(out.message, "victim lost 3");
	assert_int_equal(out.inode, 7);
	assert_int_equal(out.drops, 3);
	assert_int_equal(alerts_list(&A, list, ARRAY_SIZE(list)), 1);
	assert_int_equal(list[0].id, 1);
}

/* However many scans see new drops within the interval: one alert, then one more after it. */
static void test_alerts_one_per_socket_per_interval(void **state)
{
	static const uint64_t held[] = { 1000, 1001, 5000, 9999, 10999 };
	size_t i;

	(void)state;
	init(1, INTERVAL);
	assert_int_equal(drops_at(1000, 7), 1);
	for (i = 0; i < ARRAY_SIZE(held); i++)
		assert_int_equal(drops_at(held[i], 7), 0);
	assert_int_equal(A.suppressed, ARRAY_SIZE(held));
	assert_int_equal(drops_at(11000, 7), 1); /* exactly one interval later */
	assert_int_equal(drops_at(11001, 7), 0);
	assert_int_equal(drops_at(20999, 7), 0);
	assert_int_equal(drops_at(21000, 7), 1);
	assert_int_equal(A.suppressed, ARRAY_SIZE(held) + 2);
	assert_int_equal(alerts_list(&A, list, ARRAY_SIZE(list)), 3);
	assert_int_equal(list[0].id, 1);
	assert_int_equal(list[1].id, 2);
	assert_int_equal(list[2].id, 3);
}

static void test_alerts_interval_edges(void **state)
{
	static const struct {
		uint64_t interval, t0, t1;
		int second;
	} c[] = {
		{ INTERVAL, 0, 0, 0 },
		{ INTERVAL, 0, INTERVAL - 1, 0 },
		{ INTERVAL, 0, INTERVAL, 1 },
		{ INTERVAL, 123, 123 + INTERVAL, 1 },
		{ 1, 5, 5, 0 },
		{ 1, 5, 6, 1 },
		{ 0, 5, 5, 1 },		     /* 0: no rate limit */
		{ INTERVAL, 5000, 4000, 0 }, /* a clock stepping back is no time */
		{ INTERVAL, UINT64_MAX - 1, UINT64_MAX, 0 },
		{ UINT64_MAX, 0, UINT64_MAX - 1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		init(1, c[i].interval);
		if (drops_at(c[i].t0, 7) != 1)
			fail_msg("row %zu: first alert held back", i);
		if (drops_at(c[i].t1, 7) != c[i].second)
			fail_msg("row %zu: interval %llu, %llu then %llu: second %s", i,
				 (unsigned long long)c[i].interval, (unsigned long long)c[i].t0,
				 (unsigned long long)c[i].t1, c[i].second ? "held" : "raised");
	}
}

static void test_alerts_kinds_and_inodes_are_independent(void **state)
{
	static const struct {
		enum alert_kind kind;
		uint64_t inode;
	} c[] = {
		{ ALERT_SOCKET_DROPS, 7 },
		{ ALERT_PROCESS_BUFFER, 7 },
		{ ALERT_SOCKET_DROPS, 8 },
		{ ALERT_PROCESS_BUFFER, 8 },
		{ ALERT_SOCKET_DROPS, 0 },
		{ ALERT_MONITOR_OVERRUN, 0 },
		{ ALERT_SYSCTL_LOWERED, 0 },
		{ ALERT_SOCKET_DROPS, 1ull << 62 },
		/* inode * kind collides for these pairs: 4 x 1 and 2 x 2 and 1 x 4. */
		{ ALERT_PROCESS_BUFFER, 4 },
		{ ALERT_MONITOR_OVERRUN, 2 },
	};
	size_t i;

	(void)state;
	init(1, INTERVAL);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		if (raise_at(100, c[i].kind, c[i].inode, 3, "victim") != 1)
			fail_msg("row %zu: held back by another pair", i);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		if (raise_at(200, c[i].kind, c[i].inode, 3, "victim") != 0)
			fail_msg("row %zu: repeat not held back", i);
	assert_int_equal(A.suppressed, ARRAY_SIZE(c));
	assert_int_equal(alerts_list(&A, list, ARRAY_SIZE(list)), ARRAY_SIZE(c));
}

static void test_alerts_ignore_comm_is_exact(void **state)
{
	static const struct {
		const char *comm;
		int raised;
	} c[] = {
		{ "udevadm", 0 },	  { "udevadm2", 1 }, { "udevad", 1 }, { "UDEVADM", 1 },
		{ "foo) Z ", 0 },	  { "foo)", 1 },     { "", 1 }, /* no process: never ignored
									 */
		{ "abcdefghijklmno", 0 },
	};
	struct alerts_conf conf = { .min_drops = 1, .interval_ms = 0, .n_ignore = 4 };
	size_t i;

	(void)state;
	strcpy(conf.ignore_comm[0], "udevadm");
	strcpy(conf.ignore_comm[1], "foo) Z ");
	/* [2] stays empty: it must not swallow alerts about no process. */
	strcpy(conf.ignore_comm[3], "abcdefghijklmno");
	alerts_init(&A, &conf);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		if (raise_at(100 + i, ALERT_SOCKET_DROPS, 10 + i, 3, c[i].comm) != c[i].raised)
			fail_msg("row %zu: comm \"%s\" %s", i, c[i].comm,
				 c[i].raised ? "ignored" : "raised");
	assert_int_equal(A.suppressed, 0);
}

/* An ignored alert leaves no trace in the rate table. */
static void test_alerts_ignored_does_not_start_interval(void **state)
{
	struct alerts_conf conf = { .min_drops = 1, .interval_ms = INTERVAL, .n_ignore = 1 };

	(void)state;
	strcpy(conf.ignore_comm[0], "victim");
	alerts_init(&A, &conf);
	assert_int_equal(drops_at(100, 7), 0);
	conf.n_ignore = 0;
	alerts_set_conf(&A, &conf);
	assert_int_equal(drops_at(200, 7), 1);
}

static void test_alerts_min_drops_applies_to_drops_only(void **state)
{
	static const struct {
		enum alert_kind kind;
		uint64_t drops;
		int raised;
	} c[] = {
		{ ALERT_SOCKET_DROPS, 0, 0 },	{ ALERT_SOCKET_DROPS, 4, 0 },
		{ ALERT_SOCKET_DROPS, 5, 1 },	{ ALERT_SOCKET_DROPS, 500, 1 },
		{ ALERT_PROCESS_BUFFER, 0, 1 }, { ALERT_MONITOR_OVERRUN, 1, 1 },
		{ ALERT_SYSCTL_LOWERED, 0, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		init(5, INTERVAL);
		if (raise_at(100, c[i].kind, 7, c[i].drops, "victim") != c[i].raised)
			fail_msg("row %zu: %s with %llu drops %s", i, alerts_kind_name(c[i].kind),
				 (unsigned long long)c[i].drops, c[i].raised ? "held" : "raised");
	}
	/* Below min-drops: not suppressed by the rate limit and no interval started. */
	init(5, INTERVAL);
	assert_int_equal(raise_at(100, ALERT_SOCKET_DROPS, 7, 4, "victim"), 0);
	assert_int_equal(raise_at(101, ALERT_SOCKET_DROPS, 7, 5, "victim"), 1);
	assert_int_equal(A.suppressed, 0);
}

/*
 * A loss is said whole: what the rate limit holds back of a socket's loss is
 * kept, said by the next alert let through, and a rest passes once an
 * interval. Each step raises a socket-drops alert about socket 7 whose drops
 * are all its unsaid loss (the new drops plus what is held, as watch builds
 * it); then the row says whether it was raised and what is held after.
 */
static void test_alerts_loss_said_whole(void **state)
{
	struct step {
		uint64_t t, drops;
		bool rest;
		int raised;
		uint64_t held;
	};
	static const struct {
		const char *name;
		uint64_t min_drops, interval;
		struct step s[8];
		size_t n;
		uint64_t said, first_id; /* after the last step */
	} c[] = {
		{ "burst over 3 scans: held back, then said whole by a rest",
		  1,
		  INTERVAL,
		  { { 1000, 4, 0, 1, 0 },
		    { 1200, 30, 0, 0, 30 },
		    { 1400, 102, 0, 0, 102 },
		    { 1600, 102, 1, 1, 0 } },
		  4,
		  106,
		  1 },
		{ "the interval ends while drops go on: the alert says what was held",
		  1,
		  INTERVAL,
		  { { 1000, 4, 0, 1, 0 }, { 5000, 50, 0, 0, 50 }, { 11000, 80, 0, 1, 0 } },
		  3,
		  84,
		  1 },
		{ "after a rest the next alert starts its interval anew",
		  1,
		  INTERVAL,
		  { { 1000, 4, 0, 1, 0 },
		    { 1200, 10, 0, 0, 10 },
		    { 11500, 10, 1, 1, 0 },
		    { 12000, 3, 0, 0, 3 },
		    { 12200, 3, 1, 1, 0 } },
		  5,
		  17,
		  1 },
		{ "below min-drops is held once the loss is being said",
		  5,
		  INTERVAL,
		  { { 1000, 10, 0, 1, 0 }, { 1200, 2, 0, 0, 2 }, { 1400, 2, 1, 1, 0 } },
		  3,
		  12,
		  1 },
		{ "below min-drops with nothing held is no alert and no loss",
		  5,
		  INTERVAL,
		  { { 1000, 2, 0, 0, 0 }, { 1200, 5, 0, 1, 0 } },
		  2,
		  5,
		  1 },
		{ "nothing held: a raise begins a new loss",
		  1,
		  INTERVAL,
		  { { 1000, 4, 0, 1, 0 },
		    { 1200, 6, 0, 0, 6 },
		    { 1400, 6, 1, 1, 0 },
		    { 20000, 3, 0, 1, 0 } },
		  4,
		  3,
		  3 },
		{ "no rate limit: nothing is ever held",
		  1,
		  0,
		  { { 1000, 4, 0, 1, 0 }, { 1000, 30, 0, 1, 0 }, { 1000, 72, 0, 1, 0 } },
		  3,
		  72,
		  3 },
	};
	struct alerts_loss l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		uint64_t said = 0;

		init(c[i].min_drops, c[i].interval);
		for (size_t k = 0; k < c[i].n; k++) {
			const struct step *st = &c[i].s[k];
			struct alert p = proto(ALERT_SOCKET_DROPS, 7, st->drops, "victim"), out;
			int r;

			p.rest = st->rest;
			p.pid = 70;
			r = alerts_raise(&A, st->t, &p, &out);
			if (r != st->raised)
				fail_msg("%s: step %zu %s", c[i].name, k, r ? "raised" : "held");
			said += r ? out.drops : 0;
			if (alerts_loss_of(&A, 7, &l) != (st->held != 0) ||
			    (st->held && l.held != st->held))
				fail_msg("%s: step %zu holds %llu, want %llu", c[i].name, k,
					 st->held ? (unsigned long long)l.held : 0ull,
					 (unsigned long long)st->held);
		}
		/* what is said of the last loss: read through a hold that says nothing */
		if (c[i].interval) {
			struct alert p = proto(ALERT_SOCKET_DROPS, 7, 1, "victim");

			p.pid = 70;
			alerts_raise(&A, c[i].s[c[i].n - 1].t, &p, NULL);
			assert_int_equal(alerts_loss_of(&A, 7, &l), 1);
			if (l.said != c[i].said || l.first_id != c[i].first_id || l.pid != 70 ||
			    strcmp(l.comm, "victim") != 0)
				fail_msg("%s: said %llu since #%llu, want %llu since #%llu",
					 c[i].name, (unsigned long long)l.said,
					 (unsigned long long)l.first_id,
					 (unsigned long long)c[i].said,
					 (unsigned long long)c[i].first_id);
		}
		/* one loss from the first alert on: the alerts raised add up to it */
		if (c[i].first_id == 1 && said != c[i].said)
			fail_msg("%s: the alerts say %llu, the loss is %llu", c[i].name,
				 (unsigned long long)said, (unsigned long long)c[i].said);
	}
}

/* A loss that stops and starts every scan: ALERTS_RESTS_MAX rests an interval, then it waits. */
static void test_alerts_rests_bounded_per_interval(void **state)
{
	struct alerts_loss l;
	struct alert p;
	uint64_t t = 1000;
	int k;

	(void)state;
	init(1, INTERVAL);
	p = proto(ALERT_SOCKET_DROPS, 7, 4, "victim");
	assert_int_equal(alerts_raise(&A, t, &p, NULL), 1);
	for (k = 0; k <= ALERTS_RESTS_MAX; k++) {
		p = proto(ALERT_SOCKET_DROPS, 7, 2, "victim");
		assert_int_equal(alerts_raise(&A, t += 200, &p, NULL), 0);
		p.rest = true;
		if (alerts_raise(&A, t += 200, &p, NULL) != (k < ALERTS_RESTS_MAX))
			fail_msg("rest %d of an interval %s", k + 1,
				 k < ALERTS_RESTS_MAX ? "held" : "raised");
	}
	assert_int_equal(alerts_loss_of(&A, 7, &l), 1);
	assert_int_equal(l.held, 2);
	assert_int_equal(alerts_raise(&A, 1000 + INTERVAL - 1, &p, NULL), 0);
	assert_int_equal(alerts_raise(&A, 1000 + INTERVAL, &p, NULL), 1);
	assert_int_equal(alerts_loss_of(&A, 7, &l), 0);
	/* a new interval: rests may pass again */
	p = proto(ALERT_SOCKET_DROPS, 7, 2, "victim");
	assert_int_equal(alerts_raise(&A, 1000 + INTERVAL + 200, &p, NULL), 0);
	p.rest = true;
	assert_int_equal(alerts_raise(&A, 1000 + INTERVAL + 400, &p, NULL), 1);
	assert_int_equal(alerts_list(&A, list, ARRAY_SIZE(list)), ALERTS_RESTS_MAX + 3);
}

/* Only socket-drops about a socket keep a loss; other kinds and the summary keep none. */
static void test_alerts_loss_only_of_sockets(void **state)
{
	struct alerts_loss l;
	struct alert p;
	size_t i, n = 0;

	(void)state;
	init(1, INTERVAL);
	assert_int_equal(raise_at(1000, ALERT_PROCESS_BUFFER, 7, 5, "victim"), 1);
	assert_int_equal(raise_at(1100, ALERT_PROCESS_BUFFER, 7, 5, "victim"), 0);
	assert_int_equal(raise_at(1000, ALERT_SOCKET_DROPS, 0, 5, ""), 1); /* the summary */
	assert_int_equal(raise_at(1100, ALERT_SOCKET_DROPS, 0, 9, ""), 0);
	assert_int_equal(alerts_loss_of(&A, 7, &l), 0);
	assert_int_equal(alerts_loss_of(&A, 0, &l), 0);
	for (i = 0; i < ALERTS_RATE_SLOTS; i++)
		n += alerts_loss_at(&A, i, &l);
	assert_int_equal(n, 0);
	assert_int_equal(alerts_loss_at(&A, ALERTS_RATE_SLOTS, &l), 0);
	/* an ignored process's drops are no loss either */
	p = proto(ALERT_SOCKET_DROPS, 9, 5, "victim");
	A.conf.n_ignore = 1;
	strcpy(A.conf.ignore_comm[0], "victim");
	assert_int_equal(alerts_raise(&A, 1200, &p, NULL), 0);
	assert_int_equal(alerts_loss_of(&A, 9, &l), 0);
}

static void test_alerts_ring_keeps_newest_oldest_first(void **state)
{
	const size_t extra = 44, total = ALERTS_MAX + extra;
	struct alert out;
	size_t i, n;

	(void)state;
	init(1, 0);
	for (i = 0; i < total; i++) {
		struct alert p = proto(ALERT_SOCKET_DROPS, 7, i + 1, "victim");

		assert_int_equal(alerts_raise(&A, 100, &p, &out), 1);
		assert_int_equal(out.id, i + 1);
	}
	n = alerts_list(&A, list, ARRAY_SIZE(list));
	assert_int_equal(n, ALERTS_MAX);
	for (i = 0; i < n; i++) {
		if (list[i].id != extra + 1 + i || list[i].drops != list[i].id)
			fail_msg("slot %zu: id %llu drops %llu, want %zu", i,
				 (unsigned long long)list[i].id, (unsigned long long)list[i].drops,
				 extra + 1 + i);
	}
	/* A short buffer gets the oldest kept. */
	assert_int_equal(alerts_list(&A, list, 10), 10);
	assert_int_equal(list[0].id, extra + 1);
	assert_int_equal(list[9].id, extra + 10);
	assert_int_equal(alerts_list(&A, list, 0), 0);
}

static size_t used_slots(void)
{
	size_t i, n = 0;

	for (i = 0; i < ALERTS_RATE_SLOTS; i++)
		n += A.rate[i].used;
	return n;
}

/* More sockets than slots: the table stays full, never larger, and knows the recent ones. */
static void test_alerts_rate_table_full_stays_bounded(void **state)
{
	const uint64_t n = ALERTS_RATE_SLOTS + 100, base = 4000000;
	uint64_t i, held = 0;
	size_t j, k;

	(void)state;
	init(1, INTERVAL);
	for (i = 0; i < n; i++)
		assert_int_equal(drops_at(1000 + i, base + i), 1);
	assert_int_equal(used_slots(), ALERTS_RATE_SLOTS);

	/* The most recent ALERTS_RATE_SLOTS sockets are all remembered. */
	for (i = n - ALERTS_RATE_SLOTS; i < n; i++)
		held += drops_at(3000, base + i) == 0;
	assert_int_equal(held, ALERTS_RATE_SLOTS);
	assert_int_equal(A.suppressed, ALERTS_RATE_SLOTS);

	/* The oldest were evicted: they may alert again, and still fit the same table. */
	assert_int_equal(drops_at(3001, base), 1);
	assert_int_equal(drops_at(3002, base), 0);
	assert_int_equal(used_slots(), ALERTS_RATE_SLOTS);

	/* No key is held twice. */
	for (j = 0; j < ALERTS_RATE_SLOTS; j++)
		for (k = j + 1; k < ALERTS_RATE_SLOTS; k++)
			if (A.rate[j].inode == A.rate[k].inode && A.rate[j].kind == A.rate[k].kind)
				fail_msg("slots %zu and %zu both hold inode %llu", j, k,
					 (unsigned long long)A.rate[j].inode);

	/* After the interval everyone may alert again. */
	assert_int_equal(drops_at(1000 + n + INTERVAL, base + n - 1), 1);
}

static void test_alerts_set_conf_keeps_ring(void **state)
{
	struct alerts_conf conf = { .min_drops = 10, .interval_ms = 100, .n_ignore = 1 };
	struct alert out;
	struct alert p = proto(ALERT_SOCKET_DROPS, 7, 50, "victim");

	(void)state;
	init(1, INTERVAL);
	assert_int_equal(drops_at(0, 7), 1);
	assert_int_equal(drops_at(0, 8), 1);
	assert_int_equal(drops_at(0, 9), 1);
	strcpy(conf.ignore_comm[0], "other");
	alerts_set_conf(&A, &conf);
	assert_int_equal(A.conf.min_drops, 10);
	assert_int_equal(alerts_list(&A, list, ARRAY_SIZE(list)), 3);
	assert_int_equal(list[2].id, 3);
	/* The new interval applies to the times already recorded. */
	assert_int_equal(alerts_raise(&A, 99, &p, &out), 0);
	assert_int_equal(alerts_raise(&A, 100, &p, &out), 1);
	assert_int_equal(out.id, 4);
	assert_int_equal(alerts_list(&A, list, ARRAY_SIZE(list)), 4);
}

/* A prototype with full, unterminated strings is stored terminated. */
static void test_alerts_copy_is_terminated(void **state)
{
	struct alert p = proto(ALERT_PROCESS_BUFFER, 7, 0, ""), out;

	(void)state;
	init(1, INTERVAL);
	memset(p.comm, 'x', sizeof(p.comm));
	memset(p.message, 'y', sizeof(p.message));
	assert_int_equal(alerts_raise(&A, 1, &p, &out), 1);
	assert_int_equal(strlen(out.comm), sizeof(out.comm) - 1);
	assert_int_equal(strlen(out.message), sizeof(out.message) - 1);
	assert_int_equal(alerts_list(&A, list, 1), 1);
	assert_int_equal(strlen(list[0].comm), sizeof(list[0].comm) - 1);
}

static struct alert user_alert(enum alert_severity sev, uint32_t uid, uint64_t inode)
{
	struct alert p = proto(ALERT_SOCKET_DROPS, inode, 5, "flood");

	p.severity = sev;
	p.uid = uid;
	p.pid = (int)(1000 + inode % 1000);
	return p;
}

static size_t count_uid(uint32_t uid, enum alert_severity sev, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += list[i].uid == uid && list[i].severity == sev;
	return k;
}

/* A full ring of critical alerts refuses a warning rather than drop one of them. */
static void test_alerts_full_ring_never_drops_critical_for_warning(void **state)
{
	struct alert p;
	size_t i, n;

	(void)state;
	init(1, 0);
	for (i = 0; i < ALERTS_MAX; i++) {
		p = user_alert(SEV_CRITICAL, 0, 100 + i);
		assert_int_equal(alerts_raise(&A, 1, &p, NULL), 1);
	}
	p = user_alert(SEV_WARNING, 1000, 7);
	assert_int_equal(alerts_raise(&A, 2, &p, NULL), 0);
	assert_int_equal(A.crowded, 1);
	n = alerts_list(&A, list, ARRAY_SIZE(list));
	assert_int_equal(count_uid(0, SEV_CRITICAL, n), ALERTS_MAX);
	/* a critical one takes the place of the oldest critical of the user holding most */
	p = user_alert(SEV_CRITICAL, 1000, 8);
	assert_int_equal(alerts_raise(&A, 3, &p, NULL), 1);
	n = alerts_list(&A, list, ARRAY_SIZE(list));
	assert_int_equal(n, ALERTS_MAX);
	assert_int_equal(list[0].id, 2);
	assert_int_equal(list[n - 1].uid, 1000);
}

/* One user's flood of warnings replaces its own alerts, never the earlier ones of others. */
static void test_alerts_one_user_cannot_crowd_out_others(void **state)
{
	struct alert p;
	size_t i, n;

	(void)state;
	init(1, INTERVAL);
	for (i = 0; i < 5; i++) {
		p = user_alert(SEV_CRITICAL, 0, 10 + i);
		assert_int_equal(alerts_raise(&A, 1, &p, NULL), 1);
		p = user_alert(SEV_WARNING, 0, 20 + i);
		p.kind = ALERT_PROCESS_BUFFER;
		assert_int_equal(alerts_raise(&A, 1, &p, NULL), 1);
	}
	for (i = 0; i < 5000; i++) {
		p = user_alert(SEV_WARNING, 1000, 100000 + i);
		p.kind = ALERT_PROCESS_BUFFER;
		assert_int_equal(alerts_raise(&A, 2 + i, &p, NULL), 1);
	}
	n = alerts_list(&A, list, ARRAY_SIZE(list));
	assert_int_equal(n, ALERTS_MAX);
	assert_int_equal(count_uid(0, SEV_CRITICAL, n), 5);
	assert_int_equal(count_uid(0, SEV_WARNING, n), 5);
	assert_int_equal(count_uid(1000, SEV_WARNING, n), ALERTS_MAX - 10);
	/* and the flood's newest are the ones kept */
	assert_int_equal(list[n - 1].inode, 100000 + 4999);
}

/* The log: ALERTS_LOG_MAX lines a window, ALERTS_LOG_UID_MAX per user, then one summary. */
static void test_alerts_log_budget_per_window_and_user(void **state)
{
	struct alert p;
	size_t logged = 0, logged_uid0 = 0, i;

	(void)state;
	init(1, 0);
	for (i = 0; i < 500; i++) {
		p = user_alert(SEV_CRITICAL, 0, 100 + i);
		logged_uid0 += alerts_log_pass(&A, 1000 + i, &p);
	}
	assert_int_equal(logged_uid0, ALERTS_LOG_UID_MAX);
	for (i = 0; i < 50; i++) {
		p = user_alert(SEV_WARNING, (uint32_t)(1000 + i), 100 + i);
		logged += alerts_log_pass(&A, 2000 + i, &p);
	}
	assert_int_equal(logged + logged_uid0, ALERTS_LOG_MAX);
	/* a system-wide alert (no process) is bounded by its rate limit alone */
	p = proto(ALERT_RMEM_DEFAULT_LOW, 0, 0, "");
	p.uid = ALERTS_UID_NONE;
	assert_true(alerts_log_pass(&A, 3000, &p));
	/* a socket whose owner is unknown is no system-wide cause: budgeted */
	p = proto(ALERT_PROCESS_BUFFER, 77, 0, "");
	p.uid = ALERTS_UID_NONE;
	assert_false(alerts_log_pass(&A, 3000, &p));
	/* no summary inside the window; one after it, then a fresh budget */
	assert_int_equal(alerts_log_summary(&A, 1000 + ALERTS_LOG_WINDOW_MS - 1), 0);
	assert_int_equal(alerts_log_summary(&A, 1000 + ALERTS_LOG_WINDOW_MS),
			 500 + 50 + 1 - ALERTS_LOG_MAX);
	assert_int_equal(alerts_log_summary(&A, 1000 + 2 * ALERTS_LOG_WINDOW_MS), 0);
	p = user_alert(SEV_CRITICAL, 0, 1);
	assert_true(alerts_log_pass(&A, 1000 + ALERTS_LOG_WINDOW_MS + 1, &p));
}

static void test_alerts_names(void **state)
{
	(void)state;
	assert_string_equal(alerts_kind_name(ALERT_SOCKET_DROPS), "socket-drops");
	assert_string_equal(alerts_kind_name(ALERT_PROCESS_BUFFER), "process-buffer");
	assert_string_equal(alerts_kind_name(ALERT_MONITOR_OVERRUN), "monitor-overrun");
	assert_string_equal(alerts_kind_name(ALERT_SYSCTL_LOWERED), "sysctl-lowered");
	assert_string_equal(alerts_kind_name(ALERT_RMEM_DEFAULT_LOW), "rmem-default-low");
	assert_int_equal(alerts_kind_severity(ALERT_SOCKET_DROPS), SEV_CRITICAL);
	assert_int_equal(alerts_kind_severity(ALERT_PROCESS_BUFFER), SEV_WARNING);
	assert_string_equal(alerts_kind_name(ALERT_KIND_MAX), "unknown");
	assert_string_equal(alerts_severity_name(SEV_INFO), "info");
	assert_string_equal(alerts_severity_name(SEV_WARNING), "warning");
	assert_string_equal(alerts_severity_name(SEV_CRITICAL), "critical");
	assert_string_equal(alerts_severity_name((enum alert_severity)9), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alerts_init_is_empty_and_ids_start_at_one),
		cmocka_unit_test(test_alerts_one_per_socket_per_interval),
		cmocka_unit_test(test_alerts_interval_edges),
		cmocka_unit_test(test_alerts_kinds_and_inodes_are_independent),
		cmocka_unit_test(test_alerts_ignore_comm_is_exact),
		cmocka_unit_test(test_alerts_ignored_does_not_start_interval),
		cmocka_unit_test(test_alerts_min_drops_applies_to_drops_only),
		cmocka_unit_test(test_alerts_loss_said_whole),
		cmocka_unit_test(test_alerts_rests_bounded_per_interval),
		cmocka_unit_test(test_alerts_loss_only_of_sockets),
		cmocka_unit_test(test_alerts_ring_keeps_newest_oldest_first),
		cmocka_unit_test(test_alerts_rate_table_full_stays_bounded),
		cmocka_unit_test(test_alerts_set_conf_keeps_ring),
		cmocka_unit_test(test_alerts_copy_is_terminated),
		cmocka_unit_test(test_alerts_full_ring_never_drops_critical_for_warning),
		cmocka_unit_test(test_alerts_one_user_cannot_crowd_out_others),
		cmocka_unit_test(test_alerts_log_budget_per_window_and_user),
		cmocka_unit_test(test_alerts_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
