/* SPDX-License-Identifier: MIT */
/* Table tests of verdict: which limit set rcvbuf, ok/at-risk/dropping, events held, fix text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "verdict.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A verdict with its fix text, as the console shows them together. */
struct judged {
	enum nl_limit limit;
	enum nl_verdict verdict;
	uint64_t holds_events, ask_bytes;
	char fix[VERDICT_FIX_LEN];
};

static void judge(const struct verdict_input *in, struct judged *j)
{
	struct verdict v;

	verdict_judge(in, &v);
	j->limit = v.limit;
	j->verdict = v.verdict;
	j->holds_events = v.holds_events;
	j->ask_bytes = v.ask_bytes;
	verdict_fix(in, j->fix, sizeof(j->fix));
}

#define UEV    15	 /* NETLINK_KOBJECT_UEVENT */
#define ROUTE  0	 /* NETLINK_ROUTE */
#define DEF    212992ull /* Debian's rmem_default and rmem_max */
#define MAX4   4194304ull
#define SMIN   2304u /* SOCK_MIN_RCVBUF on 6.18 x86_64 */
#define NEED   1000000ull
#define ASK    503808ull  /* ceil(NEED / 2) rounded up to 4096 */
#define NEED_R 1003520ull /* NEED rounded up to 4096 */
#define PID    4242

/*
 * The first eight columns are the inputs in the order of the brief; the
 * rest are named where a row needs them. fix lists strings the fix text must
 * contain; a first entry of "" means it must be empty. absent must not occur.
 */
struct row {
	uint32_t rcvbuf;
	uint64_t rmem_default, rmem_max;
	uint32_t sock_min;
	uint64_t need;
	bool drops;
	uint32_t groups, protocol;
	enum nl_limit limit;
	enum nl_verdict verdict;
	uint64_t holds;
	const char *fix[4];
	const char *absent;
	uint64_t old_default;
	int pid;
	uint32_t charge;
};

#define ROW(rb, def, max, smin, nd, dr, grp, proto, lim, ver, hold)                                \
	.rcvbuf = (rb), .rmem_default = (def), .rmem_max = (max), .sock_min = (smin),              \
	.need = (nd), .drops = (dr), .groups = (grp), .protocol = (proto), .limit = LIMIT_##lim,   \
	.verdict = VERDICT_##ver, .holds = (hold)

static void run_rows(const struct row *r, size_t n)
{
	struct verdict_input in;
	struct judged v;
	size_t i, k;

	for (i = 0; i < n; i++) {
		memset(&in, 0, sizeof(in));
		in.rcvbuf = r[i].rcvbuf;
		in.rmem_default = r[i].rmem_default;
		in.rmem_max = r[i].rmem_max;
		in.sock_min = r[i].sock_min;
		in.need_bytes = r[i].need;
		in.drops_rising = r[i].drops;
		in.groups = r[i].groups;
		in.protocol = r[i].protocol;
		in.old_default[0] = r[i].old_default;
		in.n_old_default = r[i].old_default != 0;
		in.pid = r[i].pid;
		in.typical_charge = r[i].charge ? r[i].charge : 832;
		memset(&v, 0x5a, sizeof(v));
		judge(&in, &v);

		if (v.limit != r[i].limit)
			fail_msg("row %zu (rcvbuf %u): limit %s, want %s", i, r[i].rcvbuf,
				 verdict_limit_name(v.limit), verdict_limit_name(r[i].limit));
		if (v.verdict != r[i].verdict)
			fail_msg("row %zu (rcvbuf %u): verdict %s, want %s", i, r[i].rcvbuf,
				 verdict_name(v.verdict), verdict_name(r[i].verdict));
		if (r[i].holds && v.holds_events != r[i].holds)
			fail_msg("row %zu (rcvbuf %u): holds %llu, want %llu", i, r[i].rcvbuf,
				 (unsigned long long)v.holds_events,
				 (unsigned long long)r[i].holds);
		if (memchr(v.fix, '\0', sizeof(v.fix)) == NULL)
			fail_msg("row %zu: fix not terminated", i);
		for (k = 0; k < ARRAY_SIZE(r[i].fix) && r[i].fix[k]; k++) {
			if (r[i].fix[k][0] == '\0' && v.fix[0] != '\0')
				fail_msg("row %zu: fix \"%s\", want none", i, v.fix);
			if (!strstr(v.fix, r[i].fix[k]))
				fail_msg("row %zu: fix \"%s\" lacks \"%s\"", i, v.fix, r[i].fix[k]);
		}
		if (r[i].absent && strstr(v.fix, r[i].absent))
			fail_msg("row %zu: fix \"%s\" has \"%s\"", i, v.fix, r[i].absent);
	}
}

#define RUN(rows) run_rows(rows, ARRAY_SIZE(rows))

/* setsockopt(SO_RCVBUF, 1024) -> 2 x 1024 < SOCK_MIN_RCVBUF -> 2304: two events. */
static void test_verdict_seed_victim_is_minimum_at_risk(void **state)
{
	static const struct row r[] = {
		{ ROW(2304, DEF, MAX4, SMIN, NEED, false, 1, UEV, MINIMUM, AT_RISK, 2),
		  .fix = { "SO_RCVBUF, 503808)", "floor is 2304", "nltune fix 4242" }, .pid = PID },
		/* rmem_max too small for the ask: the text says so. */
		{ ROW(2304, DEF, DEF, SMIN, NEED, false, 1, UEV, MINIMUM, AT_RISK, 2),
		  .fix = { "SO_RCVBUF, 503808)", "rmem_max must be at least 503808" } },
		/* rmem_default holds the need: not setting SO_RCVBUF at all is a fix too. */
		{ ROW(2304, 2 * NEED, MAX4, SMIN, NEED, false, 1, UEV, MINIMUM, AT_RISK, 2),
		  .fix = { "stop setting SO_RCVBUF" } },
		{ ROW(2304, DEF, MAX4, SMIN, NEED, false, 1, UEV, MINIMUM, AT_RISK, 2),
		  .fix = { "SO_RCVBUF" }, .absent = "stop setting" },
	};
	(void)state;
	RUN(r);
}

static void test_verdict_default_fix_names_the_recommended_value(void **state)
{
	struct verdict_input in = {
		.protocol = 15,
		.groups = 1,
		.rcvbuf = 212992,
		.rmem_default = 212992,
		.rmem_max = 4194304,
		.sock_min = 2304,
		.typical_charge = 832,
		.need_bytes = 329280,
		.target_default = 659456,
		.pid = 7,
	};
	struct judged v;

	(void)state;
	judge(&in, &v);
	assert_int_equal(v.verdict, VERDICT_AT_RISK);
	assert_non_null(strstr(v.fix, "raise rmem_default to 659456"));
	in.target_default = 0; /* unknown: the need itself, rounded up to 4096 */
	judge(&in, &v);
	assert_non_null(strstr(v.fix, "raise rmem_default to 331776"));
}

static void test_verdict_seed_victim_dropping(void **state)
{
	static const struct row r[] = {
		{ ROW(2304, DEF, MAX4, SMIN, NEED, true, 1, UEV, MINIMUM, DROPPING, 2),
		  .fix = { "SO_RCVBUF", "503808", "nltune fix 4242" }, .pid = PID },
		/* Dropping wins even where the need says the buffer is big enough. */
		{ ROW(2304, DEF, MAX4, SMIN, 1000, true, 1, UEV, MINIMUM, DROPPING, 2),
		  .fix = { "reads too slowly", "congested" } },
	};
	(void)state;
	RUN(r);
}

static void test_verdict_default_listener_by_need(void **state)
{
	static const struct row r[] = {
		{ ROW(DEF, DEF, MAX4, SMIN, 100000, false, 1, UEV, DEFAULT, OK, 256),
		  .fix = { "" } },
		{ ROW(DEF, DEF, MAX4, SMIN, DEF, false, 1, UEV, DEFAULT, OK, 256), .fix = { "" } },
		{ ROW(DEF, DEF, MAX4, SMIN, DEF + 1, false, 1, UEV, DEFAULT, AT_RISK, 256),
		  .fix = { "raise rmem_default to 217088: nltune apply" } },
		{ ROW(DEF, DEF, MAX4, SMIN, NEED, false, 1, UEV, DEFAULT, AT_RISK, 256),
		  .fix = { "raise rmem_default to 1003520: nltune apply", "(4242) restarts",
			   "now: nltune fix 4242" },
		  .pid = PID },
		{ ROW(DEF, DEF, DEF, SMIN, NEED, false, 0x7, UEV, DEFAULT, AT_RISK, 256),
		  .fix = { "rmem_default to 1003520" } },
	};
	(void)state;
	RUN(r);
}

/* Asked for more than rmem_max: the kernel gave 2 x rmem_max. */
static void test_verdict_capped(void **state)
{
	static const struct row r[] = {
		{ ROW(2 * DEF, DEF, DEF, SMIN, NEED, false, 1, UEV, CAPPED, AT_RISK, 512),
		  .fix = { "more than rmem_max (212992)", "raise rmem_max to at least 503808",
			   "nltune apply" } },
		{ ROW(2 * DEF, DEF, DEF, SMIN, 400000, false, 1, UEV, CAPPED, OK, 512),
		  .fix = { "" } },
		{ ROW(2 * MAX4, DEF, MAX4, SMIN, NEED, false, 1, UEV, CAPPED, OK, 10082),
		  .fix = { "" } },
	};
	(void)state;
	RUN(r);
}

/* Above 2 x rmem_max only SO_RCVBUFFORCE gets: systemd-udevd forces 128 MiB. */
static void test_verdict_forced(void **state)
{
	static const struct row r[] = {
		{ ROW(268435456, DEF, MAX4, SMIN, NEED, false, 1, UEV, FORCED, OK, 322638),
		  .fix = { "" } },
		{ ROW(268435456, DEF, DEF, SMIN, NEED, true, 1, UEV, FORCED, DROPPING, 322638),
		  .fix = { "reads too slowly" } },
		{ ROW(16777216, DEF, DEF, SMIN, 20000000, false, 1, UEV, FORCED, AT_RISK, 20164),
		  .fix = { "SO_RCVBUFFORCE", "force at least 10002432" } },
	};
	(void)state;
	RUN(r);
}

/* A buffer nltune fix set is `forced` whatever its size: within 2 x rmem_max it looks like app. */
static void test_verdict_forced_by_nltune(void **state)
{
	struct verdict_input in = { .protocol = 15,
				    .groups = 1,
				    .rcvbuf = 2097152,
				    .rmem_default = 212992,
				    .rmem_max = 4194304,
				    .sock_min = 2304,
				    .typical_charge = 832,
				    .need_bytes = 1000000 };
	struct judged v;

	(void)state;
	judge(&in, &v);
	assert_int_equal(v.limit, LIMIT_APP);
	in.forced_by_nltune = true;
	judge(&in, &v);
	assert_int_equal(v.limit, LIMIT_FORCED);
	assert_int_equal(v.verdict, VERDICT_OK);
	assert_string_equal(v.fix, "");
}

/* An explicit size within the limits: SO_RCVBUF 32768 -> 65536. */
static void test_verdict_app(void **state)
{
	static const struct row r[] = {
		{ ROW(65536, DEF, MAX4, SMIN, NEED, false, 1, UEV, APP, AT_RISK, 78),
		  .fix = { "SO_RCVBUF to 32768", "ask for 503808 bytes", "nltune fix 4242" },
		  .absent = "rmem_max", .pid = PID },
		{ ROW(65536, DEF, DEF, SMIN, NEED, false, 1, UEV, APP, AT_RISK, 78),
		  .fix = { "ask for 503808 bytes", "rmem_max must be at least 503808" } },
		{ ROW(65536, DEF, DEF, SMIN, 60000, false, 1, UEV, APP, OK, 78), .fix = { "" } },
	};
	(void)state;
	RUN(r);
}

/* Only uevent traffic has a measured need. */
static void test_verdict_non_uevent_never_at_risk(void **state)
{
	static const struct row r[] = {
		{ ROW(2304, DEF, MAX4, SMIN, NEED, false, 1, ROUTE, MINIMUM, OK, 2),
		  .fix = { "" } },
		{ ROW(DEF, DEF, MAX4, SMIN, NEED, false, 1, ROUTE, DEFAULT, OK, 256),
		  .fix = { "" } },
		{ ROW(65536, DEF, MAX4, SMIN, NEED, false, 1, 16, APP, OK, 78), .fix = { "" } },
		/* It can still drop; nltune fix handles uevent sockets only. */
		{ ROW(DEF, DEF, MAX4, SMIN, NEED, true, 1, ROUTE, DEFAULT, DROPPING, 256),
		  .fix = { "read faster", "rmem_default (212992 now)" }, .absent = "nltune fix" },
	};
	(void)state;
	RUN(r);
}

/* A socket in no multicast group receives no broadcast: no uevent can be lost. */
static void test_verdict_no_groups_is_ok(void **state)
{
	static const struct row r[] = {
		{ ROW(2304, DEF, MAX4, SMIN, NEED, false, 0, UEV, MINIMUM, OK, 2), .fix = { "" } },
		{ ROW(DEF, DEF, MAX4, SMIN, NEED, false, 0, UEV, DEFAULT, OK, 256), .fix = { "" } },
	};
	(void)state;
	RUN(r);
}

/* need 0 = unknown: never at-risk, but a listener at the floor still gets a warning. */
static void test_verdict_need_unknown_is_ok(void **state)
{
	static const struct row r[] = {
		{ ROW(DEF, DEF, MAX4, SMIN, 0, false, 1, UEV, DEFAULT, OK, 256), .fix = { "" } },
		{ ROW(65536, DEF, MAX4, SMIN, 0, false, 1, UEV, APP, OK, 78), .fix = { "" } },
		{ ROW(2304, DEF, MAX4, SMIN, 0, false, 1, UEV, MINIMUM, OK, 2),
		  .fix = { "holds only 2 events", "SO_RCVBUF", "nltune fix <pid>" } },
	};
	(void)state;
	RUN(r);
}

static void test_verdict_dropping_need_unknown(void **state)
{
	static const struct row r[] = {
		{ ROW(DEF, DEF, MAX4, SMIN, 0, true, 1, UEV, DEFAULT, DROPPING, 256),
		  .fix = { "rcvbuf 212992 (about 256 events)", "read faster",
			   "SO_RCVBUF (212992 doubles it)", "nltune fix 4242" },
		  .pid = PID },
		{ ROW(2 * DEF, DEF, DEF, SMIN, 0, true, 1, UEV, CAPPED, DROPPING, 512),
		  .fix = { "rmem_max (212992) caps" } },
		{ ROW(2304, DEF, DEF, SMIN, 0, true, 1, UEV, MINIMUM, DROPPING, 2),
		  .fix = { "tiny size" } },
		{ ROW(65536, DEF, DEF, SMIN, 0, true, 1, UEV, APP, DROPPING, 78),
		  .fix = { "asked for 32768" } },
		{ ROW(268435456, DEF, DEF, SMIN, 0, true, 1, UEV, FORCED, DROPPING, 322638),
		  .fix = { "SO_RCVBUFFORCE" } },
	};
	(void)state;
	RUN(r);
}

/* A socket created before nltune raised rmem_default keeps the old size. */
static void test_verdict_old_default_predates(void **state)
{
	static const struct row r[] = {
		{ ROW(DEF, MAX4, MAX4, SMIN, NEED, false, 1, UEV, DEFAULT, AT_RISK, 256),
		  .fix = { "predates the raised rmem_default",
			   "restart the process (4242) to get 4194304", "nltune fix 4242" },
		  .old_default = DEF, .pid = PID },
		{ ROW(DEF, 524288, MAX4, SMIN, NEED, false, 1, UEV, DEFAULT, AT_RISK, 256),
		  .fix = { "still too small", "raise rmem_default to 1003520" },
		  .old_default = DEF },
		{ ROW(DEF, MAX4, MAX4, SMIN, 100000, false, 1, UEV, DEFAULT, OK, 256),
		  .fix = { "" }, .old_default = DEF },
		/* Unknown old default: the same rcvbuf is an explicit SO_RCVBUF 106496. */
		{ ROW(DEF, MAX4, MAX4, SMIN, NEED, false, 1, UEV, APP, AT_RISK, 256),
		  .fix = { "SO_RCVBUF to 106496" } },
	};
	(void)state;
	RUN(r);
}

/* Where two rules give the same number, the documented order decides. */
static void test_verdict_ambiguous_order(void **state)
{
	static const struct row r[] = {
		/* rmem_default == 2 x rmem_max: default (its remedy raises rmem_max too). */
		{ ROW(2 * DEF, 2 * DEF, DEF, SMIN, 0, false, 1, UEV, DEFAULT, OK, 512),
		  .fix = { "" } },
		/* rmem_default at the floor: default. */
		{ ROW(2304, 2304, DEF, SMIN, NEED, false, 1, UEV, DEFAULT, AT_RISK, 2),
		  .fix = { "rmem_default to 1003520" } },
		/* old_default (exact) beats forced (a range). */
		{ ROW(4194304, 8388608, 1048576, SMIN, 0, false, 1, UEV, DEFAULT, OK, 5041),
		  .fix = { "" }, .old_default = 4194304 },
		/* old_default equal to the floor: the floor wins. */
		{ ROW(2304, DEF, MAX4, SMIN, 0, false, 1, UEV, MINIMUM, OK, 2),
		  .fix = { "tiny size" }, .old_default = 2304 },
		/* sock_min unknown: (2048, 2560] is the floor. */
		{ ROW(2304, DEF, MAX4, 0, NEED, false, 1, UEV, MINIMUM, AT_RISK, 2),
		  .fix = { "SO_RCVBUF, 503808)" } },
		{ ROW(2232, DEF, MAX4, 0, 0, false, 1, UEV, MINIMUM, OK, 2), .fix = { "tiny" } },
		{ ROW(2560, DEF, MAX4, 0, 0, false, 1, UEV, MINIMUM, OK, 3), .fix = { "tiny" } },
		{ ROW(2048, DEF, MAX4, 0, 0, false, 1, UEV, APP, OK, 2), .fix = { "" } },
		{ ROW(2562, DEF, MAX4, 0, 0, false, 1, UEV, APP, OK, 3), .fix = { "" } },
		/* sock_min known: 2232 can only be an explicit SO_RCVBUF 1116. */
		{ ROW(2232, DEF, MAX4, SMIN, 0, false, 1, UEV, APP, OK, 2), .fix = { "" } },
		/* rmem_max unknown: nothing is capped or forced. */
		{ ROW(268435456, DEF, 0, SMIN, 0, false, 1, UEV, APP, OK, 322638), .fix = { "" } },
	};
	(void)state;
	RUN(r);
}

static void test_verdict_holds_events(void **state)
{
	static const struct row r[] = {
		{ ROW(DEF, DEF, MAX4, SMIN, 0, false, 1, UEV, DEFAULT, OK, 256), .fix = { "" } },
		{ ROW(DEF, DEF, MAX4, SMIN, 0, false, 1, UEV, DEFAULT, OK, 92), .fix = { "" },
		  .charge = 2304 },
		{ ROW(DEF, DEF, MAX4, SMIN, 0, false, 1, UEV, DEFAULT, OK, 48), .fix = { "" },
		  .charge = 4352 },
		/* Less than one event still holds one: an empty queue always accepts. */
		{ ROW(2304, DEF, MAX4, SMIN, 0, false, 1, ROUTE, MINIMUM, OK, 1), .fix = { "" },
		  .charge = 4352 },
		{ ROW(0, DEF, MAX4, SMIN, 0, false, 1, ROUTE, APP, OK, 1), .fix = { "" } },
	};
	struct verdict_input in = { .protocol = UEV,
				    .groups = 1,
				    .rcvbuf = DEF,
				    .rmem_default = DEF,
				    .rmem_max = MAX4,
				    .sock_min = SMIN };
	struct judged v;

	(void)state;
	RUN(r);
	/* typical_charge 0: the small-event charge, 832. */
	judge(&in, &v);
	assert_int_equal(v.holds_events, 256);
}

static void test_verdict_ask_bytes_rounds_half_need_up(void **state)
{
	static const struct {
		uint64_t need, ask;
		uint32_t protocol, groups;
	} c[] = {
		{ 0, 0, UEV, 1 },
		{ 1, 4096, UEV, 1 },
		{ 8192, 4096, UEV, 1 },
		{ 8193, 8192, UEV, 1 },
		{ 16384, 8192, UEV, 1 },
		{ NEED, ASK, UEV, 1 },
		{ UINT64_MAX, 1ull << 63, UEV, 1 },
		{ NEED, 0, ROUTE, 1 }, /* no need for other protocols */
		{ NEED, 0, UEV, 0 },   /* nor for a socket that hears no broadcast */
	};
	struct verdict_input in;
	struct judged v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(&in, 0, sizeof(in));
		in.protocol = c[i].protocol;
		in.groups = c[i].groups;
		in.rcvbuf = SMIN;
		in.rmem_default = DEF;
		in.rmem_max = MAX4;
		in.sock_min = SMIN;
		in.need_bytes = c[i].need;
		judge(&in, &v);
		if (v.ask_bytes != c[i].ask)
			fail_msg("row %zu: need %llu: ask %llu, want %llu", i,
				 (unsigned long long)c[i].need, (unsigned long long)v.ask_bytes,
				 (unsigned long long)c[i].ask);
	}
}

/* The largest numbers each text can carry still fit whole: the fix command ends it. */
static void test_verdict_fix_fits_with_huge_numbers(void **state)
{
	static const uint32_t rcvbufs[] = { 2304, 0x7ffffffe, UINT32_MAX - 1 };
	static const uint64_t defaults[] = { UINT64_MAX, 0x7ffffffe, 1 };
	struct verdict_input in;
	struct judged v;
	size_t i, j, d, len;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(rcvbufs); i++)
		for (j = 0; j < 4; j++)
			for (d = 0; d < ARRAY_SIZE(defaults); d++) {
				memset(&in, 0, sizeof(in));
				in.protocol = UEV;
				in.groups = UINT32_MAX;
				in.rcvbuf = rcvbufs[i];
				in.rmem_default = j == 3 ? rcvbufs[i] : defaults[d];
				in.old_default[0] = j == 2 ? rcvbufs[i] : 0;
				in.n_old_default = j == 2;
				in.rmem_max = j == 1 ? rcvbufs[i] / 2 : UINT64_MAX / 4;
				in.sock_min = SMIN;
				in.need_bytes = UINT64_MAX;
				in.drops_rising = d == 0;
				in.pid = 2147483647;
				judge(&in, &v);
				len = strlen(v.fix);
				if (len < 20 || strcmp(v.fix + len - 21, "nltune fix 2147483647"))
					fail_msg("rcvbuf %u case %zu/%zu: cut: \"%s\" (%zu)",
						 in.rcvbuf, j, d, v.fix, len);
			}
}

static void test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(verdict_limit_name(LIMIT_DEFAULT), "default");
	assert_string_equal(verdict_limit_name(LIMIT_CAPPED), "capped");
	assert_string_equal(verdict_limit_name(LIMIT_MINIMUM), "minimum");
	assert_string_equal(verdict_limit_name(LIMIT_APP), "app");
	assert_string_equal(verdict_limit_name(LIMIT_FORCED), "forced");
	assert_string_equal(verdict_limit_name((enum nl_limit)99), "unknown");
	assert_string_equal(verdict_name(VERDICT_OK), "ok");
	assert_string_equal(verdict_name(VERDICT_AT_RISK), "at-risk");
	assert_string_equal(verdict_name(VERDICT_DROPPING), "dropping");
	assert_string_equal(verdict_name((enum nl_verdict)99), "unknown");
}

/* The need of a socket is the larger need of the groups it joined. */
static void test_verdict_group_need_table(void **state)
{
	static const struct {
		const char *name;
		uint32_t groups;
		uint64_t kernel, udev, want;
	} rows[] = {
		{ "group 1 only: the kernel's need", 0x1, 100000, 900000, 100000 },
		{ "group 2 only: udev's need", 0x2, 100000, 900000, 900000 },
		{ "group 2 only, udev's smaller: still udev's", 0x2, 100000, 50000, 50000 },
		{ "both: the larger", 0x3, 100000, 900000, 900000 },
		{ "both, the kernel's larger", 0x3, 950000, 900000, 950000 },
		{ "group 2, udev's unknown: the kernel's", 0x2, 100000, 0, 100000 },
		{ "both unknown", 0x3, 0, 0, 0 },
		{ "other groups only: the kernel's", 0x4, 100000, 900000, 100000 },
		{ "group 2 among others", 0x6, 100000, 900000, 900000 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint64_t got = verdict_group_need(rows[i].groups, rows[i].kernel, rows[i].udev);

		if (got != rows[i].want)
			fail_msg("%s: %llu, want %llu", rows[i].name, (unsigned long long)got,
				 (unsigned long long)rows[i].want);
	}
}

/*
 * A default-buffer listener of 831488 bytes (what apply wrote from group 1's
 * need): fine on group 1, at risk on group 2 when udev's need is larger, its
 * events counted in group 2's charge and the fix naming group 2's need.
 */
static void test_verdict_follows_the_groups_joined(void **state)
{
	static const struct {
		const char *name;
		uint32_t groups;
		enum nl_verdict want;
		uint64_t holds;
		const char *fix;
	} rows[] = {
		{ "group 1 listener", 0x1, VERDICT_OK, 831488 / 832, "" },
		{ "group 2 listener", 0x2, VERDICT_AT_RISK, 831488 / 2304,
		  "raise rmem_default to 1630208" },
		{ "both groups", 0x3, VERDICT_AT_RISK, 831488 / 2304,
		  "raise rmem_default to 1630208" },
	};
	struct verdict_input in;
	struct verdict v;
	char fix[VERDICT_FIX_LEN];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		memset(&in, 0, sizeof(in));
		in.protocol = 15;
		in.groups = rows[i].groups;
		in.rcvbuf = 831488;
		in.rmem_default = 831488;
		in.rmem_max = 831488;
		in.sock_min = 2304;
		in.typical_charge = 832;
		in.need_bytes = 415744;
		in.udev_need_bytes = 1630000;
		in.udev_typical_charge = 2304;
		in.target_default = 1630208;
		in.pid = 4242;
		verdict_judge(&in, &v);
		verdict_fix(&in, fix, sizeof(fix));
		if (v.verdict != rows[i].want || v.holds_events != rows[i].holds)
			fail_msg("%s: %s holding %llu", rows[i].name, verdict_name(v.verdict),
				 (unsigned long long)v.holds_events);
		if (rows[i].fix[0] == '\0' ? fix[0] != '\0' : strstr(fix, rows[i].fix) == NULL)
			fail_msg("%s: fix \"%s\", want \"%s\"", rows[i].name, fix, rows[i].fix);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_seed_victim_is_minimum_at_risk),
		cmocka_unit_test(test_verdict_seed_victim_dropping),
		cmocka_unit_test(test_verdict_default_fix_names_the_recommended_value),
		cmocka_unit_test(test_verdict_default_listener_by_need),
		cmocka_unit_test(test_verdict_capped),
		cmocka_unit_test(test_verdict_forced),
		cmocka_unit_test(test_verdict_forced_by_nltune),
		cmocka_unit_test(test_verdict_app),
		cmocka_unit_test(test_verdict_non_uevent_never_at_risk),
		cmocka_unit_test(test_verdict_no_groups_is_ok),
		cmocka_unit_test(test_verdict_need_unknown_is_ok),
		cmocka_unit_test(test_verdict_dropping_need_unknown),
		cmocka_unit_test(test_verdict_old_default_predates),
		cmocka_unit_test(test_verdict_ambiguous_order),
		cmocka_unit_test(test_verdict_holds_events),
		cmocka_unit_test(test_verdict_ask_bytes_rounds_half_need_up),
		cmocka_unit_test(test_verdict_fix_fits_with_huge_numbers),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_verdict_group_need_table),
		cmocka_unit_test(test_verdict_follows_the_groups_joined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
