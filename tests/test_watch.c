/* SPDX-License-Identifier: MIT */
/* Tests of watch: which scans and counters become alerts (grouped by cause), and what they say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "alerts.h"
#include "clock.h"
#include "report.h"
#include "scan.h"
#include "sysctl.h"
#include "watch.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NOW	      1795666451123ull /* 2026-11-26T04:14:11.123Z */
#define JUNK	      0xa5

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* ---- watch_scan ----------------------------------------------------------------------------- */

#define NEED	329280u
#define MAXROWS 96

static struct sockrow rows[MAXROWS];
static struct owner owners[MAXROWS];
static struct scanner sc;
static struct alert got[MAXROWS * 2];
static size_t ngot;

static void collect(void *arg, const struct alert *proto)
{
	(void)arg;
	assert_true(ngot < ARRAY_SIZE(got));
	got[ngot++] = *proto;
}

static void reset(void)
{
	memset(&sc, 0, sizeof(sc));
	memset(rows, 0, sizeof(rows));
	sc.rows = rows;
	sc.ctx.need_bytes = NEED;
	sc.ctx.target_default = 659456;
	sc.ctx.sysctl.rmem_default = 212992;
	sc.ctx.sysctl.rmem_max = 212992;
	sc.ctx.sock_min = 2304;
	sc.ctx.typical_charge = 832;
	ngot = 0;
}

/* A uevent listener of pid (0: owner unknown) with rcvbuf under limit lim. */
static struct sockrow *add(uint64_t inode, pid_t pid, uint32_t uid, uint32_t rcvbuf,
			   enum nl_limit lim, uint64_t new_drops)
{
	struct sockrow *r = &rows[sc.nrows];
	struct owner *o = &owners[sc.nrows];

	assert_true(sc.nrows < MAXROWS);
	sc.nrows++;
	r->ctx = &sc.ctx;
	r->s.inode = inode;
	r->s.protocol = NLSCAN_PROTO_UEVENT;
	r->s.groups = 1;
	r->s.has_diag = true;
	r->s.rcvbuf = rcvbuf;
	r->s.drops = (uint32_t)new_drops;
	r->new_drops = new_drops;
	r->v.limit = lim;
	r->v.verdict = new_drops ? VERDICT_DROPPING : rcvbuf < NEED ? VERDICT_AT_RISK : VERDICT_OK;
	r->v.holds_events = rcvbuf / 832 ? rcvbuf / 832 : 1;
	if (pid) {
		memset(o, 0, sizeof(*o));
		o->inode = inode;
		o->npids = 1;
		o->pids[0] = pid;
		o->uid = uid;
		snprintf(o->comm, sizeof(o->comm), "app%d", (int)pid);
		r->own = o;
	}
	return r;
}

static size_t count_kind(enum alert_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < ngot; i++)
		n += got[i].kind == k;
	return n;
}

/* Fifty default-buffer listeners in ten processes: one alert names the cause and the remedy. */
static void test_watch_scan_default_buffers_are_one_alert(void **state)
{
	(void)state;
	reset();
	for (int i = 0; i < 50; i++)
		add(1000 + (uint64_t)i, 100 + i % 10, 0, 212992, LIMIT_DEFAULT, 0);
	rows[7].s.rcvbuf = 106496; /* an older, smaller default: named first among the worst */
	watch_scan(&sc, NULL, 0, NOW, collect, NULL);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].kind, ALERT_RMEM_DEFAULT_LOW);
	assert_int_equal(got[0].severity, SEV_WARNING);
	assert_int_equal(got[0].sockets, 50);
	assert_int_equal(got[0].pid, 0);
	assert_int_equal(got[0].uid, ALERTS_UID_NONE);
	assert_non_null(strstr(got[0].message, "50 uevent listeners in 10 processes"));
	assert_non_null(strstr(got[0].message, "net.core.rmem_default is 212992"));
	assert_non_null(strstr(got[0].message, "nltune apply (it writes 659456)"));
	assert_non_null(strstr(got[0].message, "worst: app107[107] rcvbuf 106496, app"));
}

/* A standing condition is said when it starts, not on every scan. */
static void test_watch_scan_standing_condition_is_quiet(void **state)
{
	(void)state;
	reset();
	for (int i = 0; i < 20; i++)
		add(1000 + (uint64_t)i, 100 + i, 0, i % 2 ? 212992 : 2304,
		    i % 2 ? LIMIT_DEFAULT : LIMIT_MINIMUM, 0)
		    ->was_at_risk = true;
	watch_scan(&sc, NULL, 0, NOW, collect, NULL);
	assert_int_equal(ngot, 0);
	/* one new member speaks for its group again, and only for it */
	add(2000, 300, 0, 212992, LIMIT_DEFAULT, 0);
	watch_scan(&sc, NULL, 0, NOW, collect, NULL);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].kind, ALERT_RMEM_DEFAULT_LOW);
	assert_int_equal(got[0].sockets, 11);
}

/* An application's own SO_RCVBUF: one alert per process, with its fix. */
static void test_watch_scan_app_limits_one_alert_per_process(void **state)
{
	(void)state;
	reset();
	for (int i = 0; i < 6; i++)
		add(1000 + (uint64_t)i, 100 + i / 2, 1000, 2304, LIMIT_MINIMUM, 0);
	add(2000, 200, 1001, 65536, LIMIT_APP, 0);
	add(2001, 201, 1001, 4194304, LIMIT_APP, 0); /* holds the need: not alerted */
	watch_scan(&sc, NULL, 0, NOW, collect, NULL);
	assert_int_equal(ngot, 4);
	assert_int_equal(count_kind(ALERT_PROCESS_BUFFER), 4);
	for (size_t i = 0; i < 3; i++) {
		char fix[32];

		assert_int_equal(got[i].pid, 100 + (int)i);
		assert_int_equal(got[i].uid, 1000);
		assert_int_equal(got[i].sockets, 2);
		assert_int_equal(got[i].inode, 0);
		snprintf(fix, sizeof(fix), "nltune fix %d", 100 + (int)i);
		assert_non_null(strstr(got[i].message, fix));
		assert_non_null(strstr(got[i].message, "2 sockets"));
		assert_non_null(strstr(got[i].message, "SO_RCVBUF"));
	}
	assert_int_equal(got[3].pid, 200);
	assert_non_null(strstr(got[3].message, "limit app"));
}

/* Drops are the one per-socket alert; nltuned's own socket is left out. */
static void test_watch_scan_drops_one_per_socket(void **state)
{
	(void)state;
	reset();
	for (int i = 0; i < 5; i++)
		add(1000 + (uint64_t)i, 100, 0, 2304, LIMIT_MINIMUM, 7 + (uint64_t)i)->was_at_risk =
		    true;
	add(3000, 50, 0, 16777216, LIMIT_FORCED, 9); /* the skipped one */
	watch_scan(&sc, NULL, 3000, NOW, collect, NULL);
	assert_int_equal(ngot, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(got[i].kind, ALERT_SOCKET_DROPS);
		assert_int_equal(got[i].severity, SEV_CRITICAL);
		assert_int_equal(got[i].inode, 1000 + i);
		assert_int_equal(got[i].drops, 7 + i);
		assert_int_equal(got[i].pid, 100);
		assert_int_equal(got[i].time_ms, NOW);
		assert_true(strncmp(got[i].message, "app100[100] lost ", 17) == 0);
		assert_non_null(strstr(got[i].message, "nltune fix 100"));
	}
}

/* A burst on more sockets than one scan alerts on: the rest are one summary. */
static void test_watch_scan_drops_past_the_cap_are_summed(void **state)
{
	(void)state;
	reset();
	for (int i = 0; i < WATCH_DROPS_PER_SCAN + 10; i++)
		add(1000 + (uint64_t)i, 100 + i, 0, 2304, LIMIT_MINIMUM, 3)->was_at_risk = true;
	watch_scan(&sc, NULL, 0, NOW, collect, NULL);
	assert_int_equal(ngot, WATCH_DROPS_PER_SCAN + 1);
	assert_int_equal(got[WATCH_DROPS_PER_SCAN - 1].inode, 1000 + WATCH_DROPS_PER_SCAN - 1);
	assert_int_equal(got[WATCH_DROPS_PER_SCAN].kind, ALERT_SOCKET_DROPS);
	assert_int_equal(got[WATCH_DROPS_PER_SCAN].inode, 0);
	assert_int_equal(got[WATCH_DROPS_PER_SCAN].pid, 0);
	assert_int_equal(got[WATCH_DROPS_PER_SCAN].sockets, 10);
	assert_int_equal(got[WATCH_DROPS_PER_SCAN].drops, 30);
	assert_non_null(strstr(got[WATCH_DROPS_PER_SCAN].message, "10 more sockets lost 30"));
}

static void test_watch_scan_unknown_and_several_owners(void **state)
{
	struct sockrow *r;

	(void)state;
	reset();
	add(1000, 0, 0, 2304, LIMIT_MINIMUM, 3);
	r = add(1001, 77, 0, 2304, LIMIT_MINIMUM, 4);
	owners[1].npids = 2;
	owners[1].pids[1] = 78;
	r->was_at_risk = true;
	watch_scan(&sc, NULL, 0, NOW, collect, NULL);
	assert_int_equal(ngot, 2);
	assert_true(strncmp(got[0].message, "an unknown process lost 3 ", 26) == 0);
	assert_int_equal(got[0].pid, 0);
	assert_int_equal(got[0].uid, ALERTS_UID_NONE);
	assert_true(strncmp(got[1].message, "app77[77] and others lost 4 ", 28) == 0);
}

static void test_watch_scan_hostile_comm_copied_verbatim_clean_in_json(void **state)
{
	json_object *o, *v;

	(void)state;
	reset();
	add(1000, 812, 0, 2304, LIMIT_MINIMUM, 2)->was_at_risk = true;
	snprintf(owners[0].comm, sizeof(owners[0].comm), "\x1b]0;pwn\x07\n");
	watch_scan(&sc, NULL, 0, NOW, collect, NULL);
	assert_int_equal(ngot, 1);
	assert_string_equal(got[0].comm, "\x1b]0;pwn\x07\n");
	o = report_alert_json(&got[0]);
	assert_true(json_object_object_get_ex(o, "comm", &v));
	assert_string_equal(json_object_get_string(v), "?]0;pwn??");
	assert_true(json_object_object_get_ex(o, "message", &v));
	assert_false(has_control(json_object_get_string(v)));
	json_object_put(o);
}

/* The longest owner and fix texts are cut, never overrun. */
static void test_watch_scan_longest_texts_fit(void **state)
{
	(void)state;
	reset();
	add(1000, 2147483647, 0, 2304, LIMIT_MINIMUM, UINT32_MAX)->was_at_risk = true;
	memset(owners[0].comm, 'c', sizeof(owners[0].comm) - 1);
	owners[0].npids = 2;
	sc.ctx.need_bytes = UINT64_MAX / 4;
	watch_scan(&sc, NULL, 0, NOW, collect, NULL);
	assert_int_equal(ngot, 1);
	assert_non_null(memchr(got[0].message, '\0', sizeof(got[0].message)));
}

/* ---- a loss said whole ---------------------------------------------------------------------- */

#define SCANS	   16
#define SCAN_MS	   200
#define LOSS_SOCKS 2

static struct alerts AL; /* about 400 KiB: kept off the stack */
static struct alert raised[SCANS * LOSS_SOCKS * 2];
static size_t nraised;
static uint64_t mono_ms;

/* emit as nltuned does: raise into the alerts kept between scans, keep what was raised */
static void raise_kept(void *arg, const struct alert *proto)
{
	struct alert out;

	(void)arg;
	if (alerts_raise(&AL, mono_ms, proto, &out) == 1) {
		assert_true(nraised < ARRAY_SIZE(raised));
		raised[nraised++] = out;
	}
}

/*
 * Scans SCAN_MS apart feed sockets 1000 and 1001 (pids 100, 101) their new
 * drops; -1: the socket is gone. After the last scan the socket-drops alerts
 * raised about each socket add up to the drops fed to it, with at most lines
 * alerts in all.
 */
static void test_watch_scan_loss_said_whole(void **state)
{
	static const struct {
		const char *name;
		uint64_t interval;
		int drops[SCANS][LOSS_SOCKS];
		size_t nscans, lines;
		const char *last; /* in the last alert's message */
	} c[] = {
		{ "burst over 3 scans: alerts add up to the counter",
		  10000,
		  { { 4, 0 }, { 30, 0 }, { 72, 0 }, { 0, 0 } },
		  4,
		  2,
		  "app100[100] lost 102 more netlink messages, 106 in all since alert #1; its "
		  "drops "
		  "stopped rising (protocol 15, socket 1000, rcvbuf 2304" },
		{ "burst longer than the interval: one alert an interval, then the rest",
		  1000,
		  { { 4, 0 },
		    { 1, 0 },
		    { 1, 0 },
		    { 1, 0 },
		    { 1, 0 },
		    { 5, 0 },
		    { 1, 0 },
		    { 1, 0 },
		    { 0, 0 } },
		  9,
		  3,
		  "lost 2 more netlink messages, 15 in all since alert #1; its drops stopped "
		  "rising" },
		{ "the socket closes mid-burst: the rest says so",
		  10000,
		  { { 5, 0 }, { 7, 0 }, { -1, 0 } },
		  3,
		  2,
		  "app100[100] lost 7 more netlink messages, 12 in all since alert #1 before its "
		  "socket 1000 closed" },
		{ "drops stop and start every scan: a rest per burst up to the cap, then the "
		  "interval's end",
		  3000,
		  { { 3, 0 },
		    { 2, 0 },
		    { 0, 0 },
		    { 2, 0 },
		    { 0, 0 },
		    { 2, 0 },
		    { 0, 0 },
		    { 2, 0 },
		    { 0, 0 },
		    { 2, 0 },
		    { 0, 0 },
		    { 0, 0 },
		    { 0, 0 },
		    { 0, 0 },
		    { 0, 0 },
		    { 0, 0 } },
		  16,
		  2 + ALERTS_RESTS_MAX,
		  "lost 2 more netlink messages, 13 in all since alert #1; its drops stopped "
		  "rising" },
		{ "two sockets, one burst each: each adds up on its own",
		  10000,
		  { { 4, 9 }, { 30, 0 }, { 0, 1 }, { 0, 1 }, { 0, 0 } },
		  5,
		  4,
		  "app101[101] lost 2 more netlink messages, 11 in all since alert #2" },
		{ "no rate limit: every scan says its own drops",
		  0,
		  { { 4, 0 }, { 30, 0 }, { 72, 0 }, { 0, 0 } },
		  4,
		  3,
		  "app100[100] lost 72 netlink messages (protocol 15" },
	};

	/* the row that stops and starts has one burst more than the rests an interval lets by */
	_Static_assert(ALERTS_RESTS_MAX == 4, "five bursts after the first");
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct alerts_conf conf = { .min_drops = 1, .interval_ms = c[i].interval };
		uint64_t fed[LOSS_SOCKS] = { 0 }, said[LOSS_SOCKS] = { 0 };
		struct alerts_loss l;

		alerts_init(&AL, &conf);
		nraised = 0;
		for (size_t k = 0; k < c[i].nscans; k++) {
			reset();
			mono_ms = 5000 + k * SCAN_MS;
			for (size_t j = 0; j < LOSS_SOCKS; j++) {
				int d = c[i].drops[k][j];

				if (d < 0)
					continue;
				add(1000 + j, 100 + (pid_t)j, 0, 2304, LIMIT_MINIMUM, (uint64_t)d)
				    ->was_at_risk = true;
				fed[j] += (uint64_t)d;
			}
			watch_scan(&sc, &AL, 0, NOW, raise_kept, NULL);
		}
		for (size_t k = 0; k < nraised; k++) {
			assert_int_equal(raised[k].kind, ALERT_SOCKET_DROPS);
			assert_in_range(raised[k].inode, 1000, 1000 + LOSS_SOCKS - 1);
			said[raised[k].inode - 1000] += raised[k].drops;
		}
		for (size_t j = 0; j < LOSS_SOCKS; j++) {
			if (said[j] != fed[j])
				fail_msg("%s: socket %zu lost %llu, its alerts say %llu", c[i].name,
					 1000 + j, (unsigned long long)fed[j],
					 (unsigned long long)said[j]);
			if (alerts_loss_of(&AL, 1000 + j, &l))
				fail_msg("%s: socket %zu still holds %llu back", c[i].name,
					 1000 + j, (unsigned long long)l.held);
		}
		if (nraised != c[i].lines)
			fail_msg("%s: %zu alerts, want %zu", c[i].name, nraised, c[i].lines);
		if (!strstr(raised[nraised - 1].message, c[i].last))
			fail_msg("%s: the last alert says \"%s\"", c[i].name,
				 raised[nraised - 1].message);
	}
}

/* A rest about a socket that is gone names no process to one who may not see it. */
static void test_watch_scan_rest_of_a_closed_socket_hidden(void **state)
{
	struct alerts_conf conf = { .min_drops = 1, .interval_ms = 10000 };

	(void)state;
	alerts_init(&AL, &conf);
	nraised = 0;
	mono_ms = 5000;
	reset();
	add(1000, 100, 1000, 2304, LIMIT_MINIMUM, 5)->was_at_risk = true;
	watch_scan(&sc, &AL, 0, NOW, raise_kept, NULL);
	mono_ms += SCAN_MS;
	reset();
	add(1000, 100, 1000, 2304, LIMIT_MINIMUM, 3)->was_at_risk = true;
	watch_scan(&sc, &AL, 0, NOW, raise_kept, NULL);
	mono_ms += SCAN_MS;
	reset();
	watch_scan(&sc, &AL, 0, NOW, raise_kept, NULL);
	assert_int_equal(nraised, 2);
	assert_true(raised[1].rest);
	assert_int_equal(raised[1].pid, 100);
	assert_int_equal(raised[1].uid, 1000);
	assert_int_equal(raised[1].inode, 1000);
	assert_int_equal(raised[1].drops, 3);
	assert_string_equal(raised[1].comm, "app100");
	assert_string_equal(
	    raised[1].message_hidden,
	    "a process lost 3 more netlink messages, 8 in all since alert #1 before "
	    "its socket 1000 closed");
}

/* ---- watch_overrun -------------------------------------------------------------------------- */

static void test_watch_overrun_proto(void **state)
{
	struct alert a;

	(void)state;
	memset(&a, JUNK, sizeof(a));
	watch_overrun(42, 16777216, NOW, &a);
	assert_int_equal(a.id, 0);
	assert_int_equal(a.time_ms, NOW);
	assert_int_equal(a.kind, ALERT_MONITOR_OVERRUN);
	assert_int_equal(a.severity, SEV_WARNING);
	assert_int_equal(a.drops, 42);
	assert_int_equal(a.pid, 0);
	assert_int_equal(a.inode, 0);
	assert_string_equal(a.comm, "");
	assert_string_equal(a.message, "nltuned itself missed 42 uevents with a 16777216-byte "
				       "buffer: its burst figures are low; raise monitor-buffer");
}

static void test_watch_overrun_extreme_counts(void **state)
{
	struct alert a;

	(void)state;
	watch_overrun(UINT64_MAX, UINT64_MAX, NOW, &a);
	assert_string_equal(a.message, "nltuned itself missed 18446744073709551615 uevents with a "
				       "18446744073709551615-byte buffer: its burst figures are "
				       "low; raise monitor-buffer");
}

/* ---- watch_sysctl --------------------------------------------------------------------------- */

static void test_watch_sysctl_lowered_values(void **state)
{
	static const struct {
		uint64_t now_d, now_m, applied_d, applied_m;
		const char *msg; /* NULL: no alert */
	} c[] = {
		{ 3330048, 3330048, 3330048, 3330048, NULL }, /* as applied */
		{ 4000000, 8000000, 3330048, 3330048, NULL }, /* raised since: fine */
		{ 212992, 212992, 0, 0, NULL },		      /* nothing applied */
		{ 212992, 3330048, 0, 3330048, NULL },	      /* default not applied */
		{ 3330048, 212992, 3330048, 0, NULL },	      /* max not applied */
		{ 212992, 3330048, 3330048, 3330048,
		  "net.core.rmem_default is 212992, below the 3330048 nltune applied" },
		{ 3330047, 3330048, 3330048, 3330048,
		  "net.core.rmem_default is 3330047, below the 3330048 nltune applied" },
		{ 3330048, 212992, 3330048, 3330048,
		  "net.core.rmem_max is 212992, below the 3330048 nltune applied" },
		{ 212992, 212992, 3330048, 4194304, /* both: the default is named */
		  "net.core.rmem_default is 212992, below the 3330048 nltune applied" },
		{ 0, 0, 1, 1, "net.core.rmem_default is 0, below the 1 nltune applied" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct rmem now = { .rmem_default = c[i].now_d, .rmem_max = c[i].now_m };
		struct alert a;
		int r;

		memset(&a, JUNK, sizeof(a));
		r = watch_sysctl(&now, c[i].applied_d, c[i].applied_m, NOW, &a);
		if (r != (c[i].msg != NULL))
			fail_msg("case %zu: returned %d", i, r);
		if (!r)
			continue;
		if (strncmp(a.message, c[i].msg, strlen(c[i].msg)) != 0)
			fail_msg("case %zu: \"%s\"", i, a.message);
		assert_int_equal(a.kind, ALERT_SYSCTL_LOWERED);
		assert_int_equal(a.severity, SEV_WARNING);
		assert_int_equal(a.time_ms, NOW);
		assert_int_equal(a.id, 0);
		assert_int_equal(a.pid, 0);
		assert_int_equal(a.inode, 0);
		assert_int_equal(a.drops, 0);
	}
}

/* The message says what to do next. */
static void test_watch_sysctl_message_says_what_to_do(void **state)
{
	struct rmem now = { .rmem_default = 212992, .rmem_max = 212992 };
	struct alert a;

	(void)state;
	assert_int_equal(watch_sysctl(&now, 3330048, 3330048, NOW, &a), 1);
	assert_string_equal(a.message, "net.core.rmem_default is 212992, below the 3330048 nltune "
				       "applied: something lowered it (a sysctl.d file ordered "
				       "after 60-nltune.conf?); run nltune apply --persist");
}

/* Nothing lowered: *a is left as it was. */
static void test_watch_sysctl_untouched_when_fine(void **state)
{
	struct rmem now = { .rmem_default = 3330048, .rmem_max = 3330048 };
	struct alert a, before;

	(void)state;
	memset(&a, JUNK, sizeof(a));
	before = a;
	assert_int_equal(watch_sysctl(&now, 3330048, 3330048, NOW, &a), 0);
	assert_memory_equal(&a, &before, sizeof(a));
}

/* ---- clock_wall_ms -------------------------------------------------------------------------- */

static uint64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void test_clock_wall_ms_is_unix_ms(void **state)
{
	uint64_t before, ms, after;

	(void)state;
	/* Bounded by CLOCK_REALTIME itself: time() reads the coarse clock, which may lag it by a
	 * tick, so a bound made from time() fails when a second turns between the two reads. */
	before = realtime_ms();
	ms = clock_wall_ms();
	after = realtime_ms();
	assert_in_range(ms, before, after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_scan_default_buffers_are_one_alert),
		cmocka_unit_test(test_watch_scan_standing_condition_is_quiet),
		cmocka_unit_test(test_watch_scan_app_limits_one_alert_per_process),
		cmocka_unit_test(test_watch_scan_drops_one_per_socket),
		cmocka_unit_test(test_watch_scan_drops_past_the_cap_are_summed),
		cmocka_unit_test(test_watch_scan_unknown_and_several_owners),
		cmocka_unit_test(test_watch_scan_hostile_comm_copied_verbatim_clean_in_json),
		cmocka_unit_test(test_watch_scan_longest_texts_fit),
		cmocka_unit_test(test_watch_scan_loss_said_whole),
		cmocka_unit_test(test_watch_scan_rest_of_a_closed_socket_hidden),
		cmocka_unit_test(test_watch_overrun_proto),
		cmocka_unit_test(test_watch_overrun_extreme_counts),
		cmocka_unit_test(test_watch_sysctl_lowered_values),
		cmocka_unit_test(test_watch_sysctl_message_says_what_to_do),
		cmocka_unit_test(test_watch_sysctl_untouched_when_fine),
		cmocka_unit_test(test_clock_wall_ms_is_unix_ms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
