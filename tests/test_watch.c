/* SPDX-License-Identifier: MIT */
/* Tests of watch: which scan rows and counters become alert protos, and what their messages say. */
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
#include "report.h"
#include "scan.h"
#include "sysctl.h"
#include "watch.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NOW	      1795666451123ull /* 2026-11-26T04:14:11.123Z */
#define JUNK	      0xa5

static struct sockrow mkrow(enum nl_verdict verdict, uint64_t new_drops)
{
	struct sockrow r;

	memset(&r, 0, sizeof(r));
	r.s.inode = 4242;
	r.s.protocol = NLSCAN_PROTO_UEVENT;
	r.s.portid = 812;
	r.s.groups = 1;
	r.s.rcvbuf = 2304;
	r.s.drops = (uint32_t)new_drops;
	r.new_drops = new_drops;
	r.has_owner = true;
	r.own.inode = 4242;
	r.own.npids = 1;
	r.own.pids[0] = 812;
	snprintf(r.own.comm, sizeof(r.own.comm), "udevd");
	r.v.limit = LIMIT_MINIMUM;
	r.v.verdict = verdict;
	r.v.holds_events = 2;
	snprintf(r.v.fix, sizeof(r.v.fix), "nltune fix 812");
	return r;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* ---- watch_row ------------------------------------------------------------------------------ */

/*
 * socket-drops only for new drops; socket-at-risk only for the at-risk verdict,
 * and only when the socket becomes at-risk (not when the last scan said so).
 */
static void test_watch_row_kinds_by_verdict_and_new_drops(void **state)
{
	static const struct {
		enum nl_verdict verdict;
		uint64_t new_drops;
		bool was_at_risk;
		int n;
		enum alert_kind kind[2];
	} c[] = {
		{ VERDICT_OK, 0, false, 0, { 0 } },
		{ VERDICT_OK, 0, true, 0, { 0 } },
		{ VERDICT_AT_RISK, 0, false, 1, { ALERT_SOCKET_AT_RISK } },
		{ VERDICT_AT_RISK, 0, true, 0, { 0 } },
		{ VERDICT_DROPPING, 0, false, 0, { 0 } }, /* rose, but not since the last scan */
		{ VERDICT_DROPPING, 1, false, 1, { ALERT_SOCKET_DROPS } },
		{ VERDICT_DROPPING, 1, true, 1, { ALERT_SOCKET_DROPS } },
		{ VERDICT_DROPPING, UINT64_MAX, false, 1, { ALERT_SOCKET_DROPS } },
		{ VERDICT_OK, 3, false, 1, { ALERT_SOCKET_DROPS } },
		{ VERDICT_AT_RISK, 5, false, 2, { ALERT_SOCKET_DROPS, ALERT_SOCKET_AT_RISK } },
		{ VERDICT_AT_RISK, 5, true, 1, { ALERT_SOCKET_DROPS } },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct sockrow r = mkrow(c[i].verdict, c[i].new_drops);
		struct alert p[2];
		int n, k;

		r.was_at_risk = c[i].was_at_risk;
		n = watch_row(&r, NOW, p);
		if (n != c[i].n)
			fail_msg("case %zu: %d protos, want %d", i, n, c[i].n);
		for (k = 0; k < n; k++)
			if (p[k].kind != c[i].kind[k])
				fail_msg("case %zu: proto %d is %s, want %s", i, k,
					 alerts_kind_name(p[k].kind),
					 alerts_kind_name(c[i].kind[k]));
	}
}

static void test_watch_row_drops_proto(void **state)
{
	struct sockrow r = mkrow(VERDICT_DROPPING, 17);
	struct alert p[2];

	(void)state;
	memset(p, JUNK, sizeof(p));
	assert_int_equal(watch_row(&r, NOW, p), 1);
	assert_int_equal(p[0].id, 0);
	assert_int_equal(p[0].time_ms, NOW);
	assert_int_equal(p[0].kind, ALERT_SOCKET_DROPS);
	assert_int_equal(p[0].severity, SEV_CRITICAL);
	assert_int_equal(p[0].pid, 812);
	assert_string_equal(p[0].comm, "udevd");
	assert_int_equal(p[0].inode, 4242);
	assert_int_equal(p[0].drops, 17);
	assert_string_equal(p[0].message,
			    "udevd[812] lost 17 netlink messages (protocol 15, socket 4242, "
			    "rcvbuf 2304 holds 2 events, limit minimum): nltune fix 812");
}

static void test_watch_row_drops_without_fix_has_no_colon(void **state)
{
	struct sockrow r = mkrow(VERDICT_DROPPING, 3);
	struct alert p[2];

	(void)state;
	r.v.fix[0] = '\0';
	r.v.limit = LIMIT_DEFAULT;
	assert_int_equal(watch_row(&r, NOW, p), 1);
	assert_string_equal(p[0].message,
			    "udevd[812] lost 3 netlink messages (protocol 15, socket 4242, "
			    "rcvbuf 2304 holds 2 events, limit default)");
}

static void test_watch_row_at_risk_proto(void **state)
{
	struct sockrow r = mkrow(VERDICT_AT_RISK, 0);
	struct alert p[2];

	(void)state;
	memset(p, JUNK, sizeof(p));
	assert_int_equal(watch_row(&r, NOW, p), 1);
	assert_int_equal(p[0].id, 0);
	assert_int_equal(p[0].time_ms, NOW);
	assert_int_equal(p[0].kind, ALERT_SOCKET_AT_RISK);
	assert_int_equal(p[0].severity, SEV_WARNING);
	assert_int_equal(p[0].pid, 812);
	assert_string_equal(p[0].comm, "udevd");
	assert_int_equal(p[0].inode, 4242);
	assert_int_equal(p[0].drops, 0);
	assert_string_equal(p[0].message,
			    "udevd[812] listens to uevents with rcvbuf 2304 (2 events, "
			    "limit minimum), less than the measured need: nltune fix 812");
}

/* Both protos describe the same socket; drops first, the more urgent. */
static void test_watch_row_drops_and_at_risk_same_socket(void **state)
{
	struct sockrow r = mkrow(VERDICT_AT_RISK, 5);
	struct alert p[2];

	(void)state;
	assert_int_equal(watch_row(&r, NOW, p), 2);
	assert_int_equal(p[0].kind, ALERT_SOCKET_DROPS);
	assert_int_equal(p[1].kind, ALERT_SOCKET_AT_RISK);
	assert_int_equal(p[0].inode, p[1].inode);
	assert_int_equal(p[0].pid, p[1].pid);
	assert_int_equal(p[0].drops, 5);
	assert_int_equal(p[1].drops, 5);
}

/* No holder (kernel socket) or never resolved: no pid, no comm, "an unknown process". */
static void test_watch_row_unknown_owner(void **state)
{
	static const struct {
		bool has_owner;
		size_t npids;
	} c[] = { { false, 1 }, { true, 0 } };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct sockrow r = mkrow(VERDICT_AT_RISK, 4);
		struct alert p[2];
		int k;

		r.has_owner = c[i].has_owner;
		r.own.npids = c[i].npids;
		memset(p, JUNK, sizeof(p));
		assert_int_equal(watch_row(&r, NOW, p), 2);
		for (k = 0; k < 2; k++) {
			assert_int_equal(p[k].pid, 0);
			assert_string_equal(p[k].comm, "");
			assert_int_equal(p[k].inode, 4242);
			if (strncmp(p[k].message, "an unknown process ", 19) != 0)
				fail_msg("case %zu: \"%s\"", i, p[k].message);
		}
	}
}

static void test_watch_row_several_holders_say_and_others(void **state)
{
	static const struct {
		size_t npids, more;
		const char *start;
	} c[] = {
		{ 1, 0, "udevd[812] lost" },
		{ 2, 0, "udevd[812] and others lost" },
		{ 1, 1, "udevd[812] and others lost" },
		{ OWNERS_MAX_PIDS, 100, "udevd[812] and others lost" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct sockrow r = mkrow(VERDICT_DROPPING, 1);
		struct alert p[2];

		r.own.npids = c[i].npids;
		r.own.more = c[i].more;
		assert_int_equal(watch_row(&r, NOW, p), 1);
		if (strncmp(p[0].message, c[i].start, strlen(c[i].start)) != 0)
			fail_msg("case %zu: \"%s\"", i, p[0].message);
		assert_int_equal(p[0].pid, 812);
	}
}

/* The longest comm, the largest pid and "and others" are all kept in the message. */
static void test_watch_row_longest_owner_text_fits(void **state)
{
	struct sockrow r = mkrow(VERDICT_DROPPING, 1);
	struct alert p[2];

	(void)state;
	snprintf(r.own.comm, sizeof(r.own.comm), "123456789012345");
	r.own.pids[0] = 4194304;
	r.own.npids = 2;
	memset(r.v.fix, 'f', sizeof(r.v.fix) - 1);
	r.v.fix[sizeof(r.v.fix) - 1] = '\0';
	assert_int_equal(watch_row(&r, NOW, p), 1);
	assert_string_equal(p[0].comm, "123456789012345");
	assert_true(strncmp(p[0].message, "123456789012345[4194304] and others lost 1 ", 43) == 0);
	assert_non_null(strstr(p[0].message, r.v.fix)); /* the whole fix text */
}

/* watch copies the comm as it is; report cleans it on the way out. */
static void test_watch_row_hostile_comm_copied_verbatim(void **state)
{
	struct sockrow r = mkrow(VERDICT_DROPPING, 2);
	struct alert p[2];

	(void)state;
	snprintf(r.own.comm, sizeof(r.own.comm), "foo) Z \n");
	assert_int_equal(watch_row(&r, NOW, p), 1);
	assert_string_equal(p[0].comm, "foo) Z \n");
	assert_true(strncmp(p[0].message, "foo) Z \n[812] lost 2 ", 21) == 0);
}

static void test_watch_row_hostile_comm_clean_in_alert_json(void **state)
{
	struct sockrow r = mkrow(VERDICT_DROPPING, 2);
	struct alert p[2];
	json_object *o, *v;

	(void)state;
	snprintf(r.own.comm, sizeof(r.own.comm), "\x1b]0;pwn\x07\n");
	assert_int_equal(watch_row(&r, NOW, p), 1);
	o = report_alert_json(&p[0]);
	assert_true(json_object_object_get_ex(o, "comm", &v));
	assert_string_equal(json_object_get_string(v), "?]0;pwn??");
	assert_true(json_object_object_get_ex(o, "message", &v));
	assert_false(has_control(json_object_get_string(v)));
	json_object_put(o);
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

/* ---- watch_wall_ms -------------------------------------------------------------------------- */

static void test_watch_wall_ms_is_unix_ms(void **state)
{
	uint64_t before, ms, after;

	(void)state;
	before = (uint64_t)time(NULL) * 1000;
	ms = watch_wall_ms();
	after = ((uint64_t)time(NULL) + 1) * 1000;
	assert_in_range(ms, before, after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_row_kinds_by_verdict_and_new_drops),
		cmocka_unit_test(test_watch_row_drops_proto),
		cmocka_unit_test(test_watch_row_drops_without_fix_has_no_colon),
		cmocka_unit_test(test_watch_row_at_risk_proto),
		cmocka_unit_test(test_watch_row_drops_and_at_risk_same_socket),
		cmocka_unit_test(test_watch_row_unknown_owner),
		cmocka_unit_test(test_watch_row_several_holders_say_and_others),
		cmocka_unit_test(test_watch_row_longest_owner_text_fits),
		cmocka_unit_test(test_watch_row_hostile_comm_copied_verbatim),
		cmocka_unit_test(test_watch_row_hostile_comm_clean_in_alert_json),
		cmocka_unit_test(test_watch_overrun_proto),
		cmocka_unit_test(test_watch_overrun_extreme_counts),
		cmocka_unit_test(test_watch_sysctl_lowered_values),
		cmocka_unit_test(test_watch_sysctl_message_says_what_to_do),
		cmocka_unit_test(test_watch_sysctl_untouched_when_fine),
		cmocka_unit_test(test_watch_wall_ms_is_unix_ms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
