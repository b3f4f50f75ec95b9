/* SPDX-License-Identifier: MIT */
/* Table tests of the burst meter: window edges, clamped time, storms, gaps, subsystem limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "burst.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MS	      1000ull
#define SEC	      1000000ull

/* One window of a given configuration, fed two events dt apart. */
struct pair_case {
	uint32_t window_ms;
	size_t win;
	uint64_t t, dt;
	uint64_t peak;
};

static void run_pair_cases(const struct pair_case *c, size_t n)
{
	struct burst_stats s;
	size_t i;

	for (i = 0; i < n; i++) {
		burst_init(&s, c[i].window_ms, 0);
		burst_add(&s, c[i].t, 1, "net", NULL);
		burst_add(&s, c[i].t + c[i].dt, 1, "net", NULL);
		if (burst_window(&s, c[i].win)->peak_ev != c[i].peak)
			fail_msg(
			    "row %zu: window %zu, events at %llu and +%llu: peak %llu, want %llu",
			    i, c[i].win, (unsigned long long)c[i].t, (unsigned long long)c[i].dt,
			    (unsigned long long)burst_window(&s, c[i].win)->peak_ev,
			    (unsigned long long)c[i].peak);
	}
}

static void test_burst_init_sets_window_geometry(void **state)
{
	static const struct {
		uint32_t window_ms;
		size_t win;
		uint64_t width_us, bucket_us;
		uint32_t nbuckets;
	} c[] = {
		{ 1000, 0, 10 * MS, 1 * MS, 10 },
		{ 1000, 1, 100 * MS, 1 * MS, 100 },
		{ 1000, 2, 1000 * MS, 10 * MS, 100 },
		{ 1000, 3, 10 * SEC, 100 * MS, 100 },
		{ 0, 2, 1000 * MS, 10 * MS, 100 }, /* 0: the default */
		{ 1, 2, 1 * MS, 1 * MS, 1 },
		{ 7, 2, 7 * MS, 1 * MS, 7 },
		{ 99, 2, 99 * MS, 1 * MS, 99 },
		{ 150, 2, 150 * MS, 1500, 100 },
		{ 250, 2, 250 * MS, 2500, 100 },
		{ UINT32_MAX, 2, UINT32_MAX * MS, UINT32_MAX * 10ull, 100 },
	};
	struct burst_stats s;
	const struct burst_window *w;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		burst_init(&s, c[i].window_ms, 0);
		w = burst_window(&s, c[i].win);
		assert_non_null(w);
		assert_int_equal(w->width_us, c[i].width_us);
		assert_int_equal(w->bucket_us, c[i].bucket_us);
		assert_int_equal(w->nbuckets, c[i].nbuckets);
		assert_int_equal(w->bucket_us * w->nbuckets, w->width_us);
	}
}

static void test_burst_init_zero_gap_uses_default(void **state)
{
	static const struct {
		uint32_t gap_ms;
		uint64_t gap_us;
	} c[] = {
		{ 0, BURST_GAP_MS_DEFAULT * MS },
		{ 1, 1 * MS },
		{ 5, 5 * MS },
		{ UINT32_MAX, UINT32_MAX * MS },
	};
	struct burst_stats s;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		burst_init(&s, 1000, c[i].gap_ms);
		assert_int_equal(s.gap_us, c[i].gap_us);
	}
}

static void test_burst_window_out_of_range_is_null(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 1000, 200);
	assert_non_null(burst_window(&s, BURST_NWIN - 1));
	assert_null(burst_window(&s, BURST_NWIN));
	assert_null(burst_window(&s, SIZE_MAX));
}

static void test_burst_events_at_window_edge_not_counted_together(void **state)
{
	/* t and t + W land nbuckets apart: never in one window, whatever t. */
	static const struct pair_case c[] = {
		{ 1000, 0, 0, 10 * MS, 1 },    { 1000, 0, 1, 10 * MS, 1 },
		{ 1000, 0, 999, 10 * MS, 1 },  { 1000, 0, 123456789, 10 * MS, 1 },
		{ 1000, 1, 0, 100 * MS, 1 },   { 1000, 1, 500, 100 * MS, 1 },
		{ 1000, 2, 0, 1000 * MS, 1 },  { 1000, 2, 9999, 1000 * MS, 1 },
		{ 1000, 3, 0, 10 * SEC, 1 },   { 1000, 3, 99999, 10 * SEC, 1 },
		{ 1, 2, 0, 1 * MS, 1 },	       { 7, 2, 3, 7 * MS, 1 },
		{ 150, 2, 1499, 150 * MS, 1 },
	};

	(void)state;
	run_pair_cases(c, ARRAY_SIZE(c));
}

static void test_burst_events_closer_than_width_minus_bucket_counted_together(void **state)
{
	/* Less than W - W/nbuckets apart: always together, whatever the alignment. */
	static const struct pair_case c[] = {
		{ 1000, 0, 0, 9 * MS - 1, 2 },
		{ 1000, 0, 999, 9 * MS - 1, 2 },
		{ 1000, 0, 500, 9 * MS - 1, 2 },
		{ 1000, 1, 999, 99 * MS - 1, 2 },
		{ 1000, 2, 9999, 990 * MS - 1, 2 },
		{ 1000, 3, 99999, 9900 * MS - 1, 2 },
		{ 1, 2, 0, 0, 2 }, /* one bucket: only the same millisecond */
		{ 150, 2, 1499, 150 * MS - 1500 - 1, 2 },
		{ 1000, 0, 0, 0, 2 },
	};

	(void)state;
	run_pair_cases(c, ARRAY_SIZE(c));
}

static void test_burst_events_one_us_inside_window_follow_bucket_alignment(void **state)
{
	/*
	 * t and t + W - 1 share a window only when t starts a bucket: otherwise
	 * the later one falls nbuckets buckets on.
	 */
	static const struct pair_case c[] = {
		{ 1000, 0, 0, 10 * MS - 1, 2 },
		{ 1000, 0, 5 * MS, 10 * MS - 1, 2 },
		{ 1000, 0, 1, 10 * MS - 1, 1 },
		{ 1000, 0, 999, 10 * MS - 1, 1 },
		{ 1000, 1, 0, 100 * MS - 1, 2 },
		{ 1000, 1, 1, 100 * MS - 1, 1 },
		{ 1000, 2, 10 * MS, 1000 * MS - 1, 2 },
		{ 1000, 2, 9999, 1000 * MS - 1, 1 },
		{ 1000, 3, 100 * MS, 10 * SEC - 1, 2 },
		{ 1000, 3, 100001, 10 * SEC - 1, 1 },
		{ 1, 2, 0, 999, 2 },
		{ 1, 2, 1, 999, 1 },
	};

	(void)state;
	run_pair_cases(c, ARRAY_SIZE(c));
}

static void test_burst_out_of_order_timestamp_clamped_to_latest(void **state)
{
	struct burst_stats s;
	struct burst ended;

	(void)state;
	burst_init(&s, 1000, 200);
	assert_int_equal(burst_add(&s, 50 * MS, 10, "net", &ended), 0);
	assert_int_equal(burst_add(&s, 20 * MS, 10, "net", &ended), 0);
	assert_int_equal(s.last_us, 50 * MS);
	assert_int_equal(s.cur.start_us, 50 * MS);
	assert_int_equal(s.cur.end_us, 50 * MS);
	assert_int_equal(s.cur.events, 2);
	/* Counted in the current bucket, not in one that is long gone. */
	assert_int_equal(burst_window(&s, 0)->sum_ev, 2);
	assert_int_equal(burst_window(&s, 0)->ev[(50 * MS / MS) % 10], 2);
}

static void test_burst_out_of_order_timestamp_does_not_reopen_ended_burst(void **state)
{
	struct burst_stats s;
	struct burst ended;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 1, "net", NULL);
	assert_int_equal(burst_add(&s, 1 * SEC, 1, "net", &ended), 1);
	assert_int_equal(ended.events, 1);
	/* 100 ms is before the new burst began: it joins the new one, at 1 s. */
	assert_int_equal(burst_add(&s, 100 * MS, 1, "net", &ended), 0);
	assert_int_equal(s.cur.events, 2);
	assert_int_equal(s.cur.start_us, 1 * SEC);
	assert_int_equal(s.cur.end_us, 1 * SEC);
	assert_int_equal(burst_window(&s, 3)->sum_ev, 3);
	assert_int_equal(burst_window(&s, 0)->sum_ev, 2);
}

static void test_burst_poll_in_the_past_is_clamped(void **state)
{
	struct burst_stats s;
	struct burst ended;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 10 * SEC, 1, "net", NULL);
	assert_int_equal(burst_poll(&s, 0, &ended), 0);
	assert_int_equal(s.last_us, 10 * SEC);
	assert_int_equal(burst_next_deadline(&s), 200 * MS);
}

static void test_burst_storm_of_a_million_events_has_exact_peaks(void **state)
{
	static const struct {
		uint32_t window_ms;
		uint64_t t0;
		uint64_t peak[BURST_NWIN];
	} c[] = {
		/* Aligned start: every window peaks at its width in events. */
		{ 1000, 5 * SEC, { 10000, 100000, 1000000, 1000000 } },
		{ 250, 5 * SEC, { 10000, 100000, 250000, 1000000 } },
		{ 7, 5 * SEC, { 10000, 100000, 7000, 1000000 } },
		/*
		 * Start 7 us into a 10 ms bucket: the storm spans 101 buckets of
		 * the 1 s window, whose best 100 miss the last bucket's 7 events.
		 */
		{ 1000, 5 * SEC + 7, { 10000, 100000, 999993, 1000000 } },
	};
	const uint32_t bytes = 1000;
	struct burst_stats s;
	struct burst ended;
	const struct burst_window *w;
	size_t i, k;
	uint64_t t, ends;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		burst_init(&s, c[i].window_ms, 200);
		ends = 0;
		for (t = c[i].t0; t < c[i].t0 + 1000000; t++)
			ends += (uint64_t)burst_add(&s, t, bytes, "block", &ended);
		assert_int_equal(ends, 0);
		for (k = 0; k < BURST_NWIN; k++) {
			w = burst_window(&s, k);
			assert_int_equal(w->peak_ev, c[i].peak[k]);
			assert_int_equal(w->peak_bytes, c[i].peak[k] * bytes);
		}
		assert_int_equal(burst_peak_events(&s), c[i].peak[2]);
		assert_int_equal(burst_peak_bytes(&s), c[i].peak[2] * bytes);
		assert_int_equal(s.total_events, 1000000);
		assert_int_equal(s.total_bytes, 1000000ull * bytes);
		assert_int_equal(burst_flush(&s, &ended), 1);
		assert_int_equal(ended.events, 1000000);
		assert_int_equal(ended.bytes, 1000000ull * bytes);
		assert_int_equal(ended.start_us, c[i].t0);
		assert_int_equal(ended.end_us, c[i].t0 + 999999);
		assert_int_equal(ended.nsubsys, 1);
		assert_string_equal(ended.subsys[0].name, "block");
		assert_int_equal(ended.subsys[0].events, 1000000);
	}
}

static void test_burst_storm_at_one_timestamp_counts_every_event(void **state)
{
	struct burst_stats s;
	size_t k;
	uint64_t n;

	(void)state;
	burst_init(&s, 1000, 200);
	for (n = 0; n < 1000000; n++)
		burst_add(&s, 42, 1, "net", NULL);
	for (k = 0; k < BURST_NWIN; k++)
		assert_int_equal(burst_window(&s, k)->peak_ev, 1000000);
	assert_int_equal(s.cur.events, 1000000);
}

static void test_burst_gap_splits_at_gap_not_before(void **state)
{
	static const struct {
		uint32_t gap_ms;
		uint64_t dt;
		int split;
	} c[] = {
		{ 200, 200 * MS, 1 },
		{ 200, 200 * MS - 1, 0 },
		{ 200, 200 * MS + 1, 1 },
		{ 1, 1 * MS, 1 },
		{ 1, 1 * MS - 1, 0 },
		{ 0, BURST_GAP_MS_DEFAULT * MS, 1 },
		{ 0, BURST_GAP_MS_DEFAULT * MS - 1, 0 },
		{ 5000, 5 * SEC, 1 },
		{ 5000, 0, 0 },
	};
	struct burst_stats s;
	struct burst ended;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		burst_init(&s, 1000, c[i].gap_ms);
		burst_add(&s, 1 * SEC, 7, "net", NULL);
		memset(&ended, 0, sizeof(ended));
		assert_int_equal(burst_add(&s, 1 * SEC + c[i].dt, 9, "net", &ended), c[i].split);
		if (c[i].split) {
			assert_int_equal(ended.events, 1);
			assert_int_equal(ended.bytes, 7);
			assert_int_equal(ended.start_us, 1 * SEC);
			assert_int_equal(ended.end_us, 1 * SEC);
			assert_int_equal(s.cur.events, 1);
			assert_int_equal(s.cur.start_us, 1 * SEC + c[i].dt);
		} else {
			assert_int_equal(ended.events, 0);
			assert_int_equal(s.cur.events, 2);
			assert_int_equal(s.cur.bytes, 16);
		}
	}
}

static void test_burst_gap_is_measured_from_last_event_not_first(void **state)
{
	struct burst_stats s;
	uint64_t t;

	(void)state;
	burst_init(&s, 1000, 200);
	/* One event every 150 ms for 3 s: one long burst, never a gap. */
	for (t = 0; t <= 3 * SEC; t += 150 * MS)
		assert_int_equal(burst_add(&s, t, 1, "net", NULL), 0);
	assert_int_equal(s.cur.events, 21);
	assert_int_equal(s.cur.start_us, 0);
	assert_int_equal(s.cur.end_us, 3 * SEC);
}

static void test_burst_add_accepts_null_ended(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 5, "net", NULL);
	assert_int_equal(burst_add(&s, 1 * SEC, 5, "net", NULL), 1);
	assert_int_equal(s.biggest.events, 1);
	assert_int_equal(s.cur.events, 1);
}

static void test_burst_poll_ends_burst_at_deadline(void **state)
{
	struct burst_stats s;
	struct burst ended;

	(void)state;
	burst_init(&s, 1000, 200);
	assert_int_equal(burst_poll(&s, 0, &ended), 0); /* nothing in progress */
	burst_add(&s, 1 * SEC, 3, "usb", NULL);
	burst_add(&s, 1 * SEC + 50 * MS, 4, "usb", NULL);
	assert_int_equal(burst_poll(&s, 1 * SEC + 250 * MS - 1, &ended), 0);
	assert_int_equal(s.cur.events, 2);
	memset(&ended, 0, sizeof(ended));
	assert_int_equal(burst_poll(&s, 1 * SEC + 250 * MS, &ended), 1);
	assert_int_equal(ended.events, 2);
	assert_int_equal(ended.bytes, 7);
	assert_int_equal(ended.start_us, 1 * SEC);
	assert_int_equal(ended.end_us, 1 * SEC + 50 * MS);
	assert_int_equal(ended.nsubsys, 1);
	assert_string_equal(ended.subsys[0].name, "usb");
	assert_int_equal(ended.subsys[0].events, 2);
	assert_int_equal(s.cur.events, 0);
	assert_int_equal(burst_poll(&s, 10 * SEC, &ended), 0);
	assert_int_equal(burst_next_deadline(&s), UINT64_MAX);
}

static void test_burst_poll_advances_windows(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 8, "net", NULL);
	burst_add(&s, 0, 8, "net", NULL);
	burst_poll(&s, 10 * MS, NULL);
	assert_int_equal(burst_window(&s, 0)->sum_ev, 0);
	assert_int_equal(burst_window(&s, 0)->sum_bytes, 0);
	assert_int_equal(burst_window(&s, 1)->sum_ev, 2);
	assert_int_equal(burst_window(&s, 0)->peak_ev, 2);
}

static void test_burst_next_deadline_counts_down_from_latest_time(void **state)
{
	static const struct {
		uint64_t poll_at; /* after one event at 1 s, gap 200 ms */
		uint64_t deadline;
	} c[] = {
		{ 1 * SEC, 200 * MS },
		{ 1 * SEC + 1, 200 * MS - 1 },
		{ 1 * SEC + 150 * MS, 50 * MS },
		{ 1 * SEC + 200 * MS - 1, 1 },
		{ 1 * SEC + 200 * MS, UINT64_MAX }, /* ended by the poll */
		{ 500 * MS, 200 * MS },		    /* the past: clamped */
	};
	struct burst_stats s;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		burst_init(&s, 1000, 200);
		assert_int_equal(burst_next_deadline(&s), UINT64_MAX);
		burst_add(&s, 1 * SEC, 1, "net", NULL);
		burst_poll(&s, c[i].poll_at, NULL);
		assert_int_equal(burst_next_deadline(&s), c[i].deadline);
	}
}

static void test_burst_flush_closes_burst_regardless_of_time(void **state)
{
	struct burst_stats s;
	struct burst ended;

	(void)state;
	burst_init(&s, 1000, 200);
	assert_int_equal(burst_flush(&s, &ended), 0);
	burst_add(&s, 5 * SEC, 11, NULL, NULL);
	assert_int_equal(burst_flush(&s, &ended), 1);
	assert_int_equal(ended.events, 1);
	assert_int_equal(ended.bytes, 11);
	assert_int_equal(ended.start_us, 5 * SEC);
	assert_int_equal(burst_flush(&s, &ended), 0);
	assert_int_equal(burst_flush(&s, NULL), 0);
	assert_int_equal(burst_next_deadline(&s), UINT64_MAX);
	assert_int_equal(s.biggest.bytes, 11);
}

/* Subsystems s<from>..s<to - 1>, one event each, all at time 0. */
static void add_named(struct burst_stats *s, unsigned int from, unsigned int to)
{
	char name[16];
	unsigned int i;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "s%02u", i);
		burst_add(s, 0, 1, name, NULL);
	}
}

static void assert_overflow_table(const struct burst_subsys *tab, size_t n)
{
	char name[16];
	unsigned int i;

	assert_int_equal(n, BURST_SUBSYS_MAX);
	for (i = 0; i < BURST_SUBSYS_MAX - 1; i++) {
		snprintf(name, sizeof(name), "s%02u", i);
		assert_string_equal(tab[i].name, name);
		assert_int_equal(tab[i].events, i == 0 ? 2 : 1);
	}
	assert_string_equal(tab[BURST_SUBSYS_MAX - 1].name, "other");
	assert_int_equal(tab[BURST_SUBSYS_MAX - 1].events, 40 - (BURST_SUBSYS_MAX - 1) + 1);
}

static void test_burst_subsystem_overflow_counted_as_other(void **state)
{
	struct burst_stats s;
	struct burst ended;

	(void)state;
	burst_init(&s, 1000, 200);
	add_named(&s, 0, 40);
	burst_add(&s, 0, 1, "s00", NULL); /* known: its own slot */
	burst_add(&s, 0, 1, "s99", NULL); /* new and full: "other" */
	assert_overflow_table(s.subsys, s.nsubsys);
	assert_int_equal(burst_flush(&s, &ended), 1);
	assert_overflow_table(ended.subsys, ended.nsubsys);
	assert_int_equal(ended.events, 42);
}

static void test_burst_null_and_empty_subsystem_counted_as_other(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 1, NULL, NULL);
	burst_add(&s, 0, 1, "", NULL);
	burst_add(&s, 0, 1, "net", NULL);
	burst_add(&s, 0, 1, "other", NULL);
	assert_int_equal(s.nsubsys, 2);
	assert_string_equal(s.subsys[0].name, "other");
	assert_int_equal(s.subsys[0].events, 3);
	assert_string_equal(s.subsys[1].name, "net");
	assert_int_equal(s.cur.nsubsys, 2);
	assert_int_equal(s.cur.subsys[0].events, 3);
}

static void test_burst_early_other_leaves_last_slot_to_a_name(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 1, NULL, NULL);
	add_named(&s, 0, BURST_SUBSYS_MAX);
	assert_int_equal(s.nsubsys, BURST_SUBSYS_MAX);
	assert_string_equal(s.subsys[0].name, "other");
	assert_int_equal(s.subsys[0].events, 2);
	assert_string_equal(s.subsys[BURST_SUBSYS_MAX - 1].name, "s30");
}

static void test_burst_overlong_subsystem_counted_as_other(void **state)
{
	static const struct {
		size_t len;
		const char *slot;
	} c[] = {
		{ 1, NULL },
		{ BURST_SUBSYS_LEN - 1, NULL }, /* fits with its NUL: kept */
		{ BURST_SUBSYS_LEN, "other" },
		{ BURST_SUBSYS_LEN + 100, "other" },
	};
	char name[BURST_SUBSYS_LEN + 101];
	struct burst_stats s;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(name, 'x', c[i].len);
		name[c[i].len] = '\0';
		burst_init(&s, 1000, 200);
		burst_add(&s, 0, 1, name, NULL);
		assert_int_equal(s.nsubsys, 1);
		assert_string_equal(s.subsys[0].name, c[i].slot ? c[i].slot : name);
	}
}

static void test_burst_totals_accumulate_across_bursts(void **state)
{
	struct burst_stats s;
	struct burst ended;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 100, "net", NULL);
	burst_add(&s, 1, 200, "block", NULL);
	burst_add(&s, 1 * SEC, 300, "net", &ended); /* second burst */
	burst_add(&s, 2 * SEC, 400, "tty", &ended); /* third burst */
	assert_int_equal(ended.events, 1);
	assert_int_equal(ended.nsubsys, 1);
	assert_string_equal(ended.subsys[0].name, "net");
	assert_int_equal(s.total_events, 4);
	assert_int_equal(s.total_bytes, 1000);
	assert_int_equal(s.nsubsys, 3);
	assert_string_equal(s.subsys[0].name, "net");
	assert_int_equal(s.subsys[0].events, 2);
	assert_string_equal(s.subsys[1].name, "block");
	assert_int_equal(s.subsys[1].events, 1);
	assert_string_equal(s.subsys[2].name, "tty");
	assert_int_equal(s.subsys[2].events, 1);
}

static void test_burst_biggest_keeps_largest_by_bytes(void **state)
{
	static const struct {
		uint32_t bytes; /* one event, one burst each */
		uint64_t events;
	} c[] = {
		{ 100, 1 }, { 500, 2 }, { 300, 5 }, { 500, 5 }, { 0, 1 },
	};
	struct burst_stats s;
	size_t i, k;
	uint64_t t = 0;

	(void)state;
	burst_init(&s, 1000, 200);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		for (k = 0; k < c[i].events; k++)
			burst_add(&s, t, c[i].bytes / c[i].events, "net", NULL);
		t += 1 * SEC;
	}
	burst_flush(&s, NULL);
	/* Two bursts of 500 bytes tie: the first one stays. */
	assert_int_equal(s.biggest.bytes, 500);
	assert_int_equal(s.biggest.events, 2);
	assert_int_equal(s.biggest.start_us, 1 * SEC);
}

static void test_burst_biggest_records_zero_byte_burst(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 0, "net", NULL);
	burst_flush(&s, NULL);
	assert_int_equal(s.biggest.events, 1);
	assert_int_equal(s.biggest.bytes, 0);
}

static void test_burst_biggest_ignores_burst_in_progress(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 10, "net", NULL);
	assert_int_equal(s.biggest.events, 0);
	burst_add(&s, 1 * SEC, 99, "net", NULL);
	assert_int_equal(s.biggest.bytes, 10);
	burst_flush(&s, NULL);
	assert_int_equal(s.biggest.bytes, 99);
}

static void test_burst_jump_past_window_resets_buckets(void **state)
{
	/* The 10 ms window (10 buckets of 1 ms): one event at 0, one `jump` buckets on. */
	static const struct {
		uint64_t jump;
		uint64_t sum;
	} c[] = {
		{ 0, 2 },
		{ 1, 2 },
		{ 9, 2 },
		{ 10, 1 },
		{ 11, 1 },
		{ 1000000, 1 },
		{ UINT64_MAX / MS, 1 },
	};
	struct burst_stats s;
	const struct burst_window *w;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		burst_init(&s, 1000, 200);
		burst_add(&s, 0, 5, "net", NULL);
		burst_add(&s, c[i].jump * MS, 7, "net", NULL);
		w = burst_window(&s, 0);
		assert_int_equal(w->sum_ev, c[i].sum);
		assert_int_equal(w->sum_bytes, c[i].sum == 2 ? 12 : 7);
		assert_int_equal(w->cur, c[i].jump);
		assert_int_equal(w->peak_ev, c[i].sum);
	}
}

static void test_burst_partial_advance_drops_only_expired_buckets(void **state)
{
	struct burst_stats s;
	const struct burst_window *w;
	uint64_t ms;

	(void)state;
	burst_init(&s, 1000, 200);
	for (ms = 0; ms < 10; ms++)
		burst_add(&s, ms * MS, (uint32_t)ms, "net", NULL); /* one per bucket */
	w = burst_window(&s, 0);
	assert_int_equal(w->sum_ev, 10);
	assert_int_equal(w->sum_bytes, 45);
	burst_poll(&s, 13 * MS, NULL); /* buckets 0..3 fall out */
	assert_int_equal(w->sum_ev, 6);
	assert_int_equal(w->sum_bytes, 45 - (0 + 1 + 2 + 3));
	assert_int_equal(w->peak_ev, 10);
}

static void test_burst_peaks_survive_window_draining(void **state)
{
	struct burst_stats s;
	size_t i, k;

	(void)state;
	burst_init(&s, 1000, 200);
	for (i = 0; i < 5; i++)
		burst_add(&s, 0, 100, "net", NULL);
	burst_add(&s, 20 * SEC, 1, "net", NULL);
	for (k = 0; k < BURST_NWIN; k++) {
		assert_int_equal(burst_window(&s, k)->sum_ev, 1);
		assert_int_equal(burst_window(&s, k)->peak_ev, 5);
		assert_int_equal(burst_window(&s, k)->peak_bytes, 500);
	}
}

static void test_burst_peak_events_and_bytes_are_independent(void **state)
{
	struct burst_stats s;
	const struct burst_window *w;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 1000, "net", NULL);	/* heavy, alone */
	burst_add(&s, 20 * MS, 1, "net", NULL); /* three light, together */
	burst_add(&s, 20 * MS, 1, "net", NULL);
	burst_add(&s, 20 * MS, 1, "net", NULL);
	w = burst_window(&s, 0);
	assert_int_equal(w->peak_ev, 3);
	assert_int_equal(w->peak_bytes, 1000);
}

static void test_burst_peak_accessors_read_configured_window(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 250, 200);
	burst_add(&s, 0, 10, "net", NULL);
	burst_add(&s, 200 * MS, 20, "net", NULL); /* 100 ms and 10 ms: apart; 250 ms: together */
	burst_add(&s, 400 * MS, 40, "net", NULL); /* 250 ms: the first has left */
	assert_int_equal(burst_peak_events(&s), 2);
	assert_int_equal(burst_peak_bytes(&s), 60);
	assert_int_equal(burst_window(&s, 1)->peak_ev, 1);
	assert_int_equal(burst_window(&s, 3)->peak_ev, 3);
}

static void test_burst_huge_timestamps_do_not_overflow(void **state)
{
	struct burst_stats s;
	struct burst ended;
	size_t k;

	(void)state;
	burst_init(&s, UINT32_MAX, UINT32_MAX);
	burst_add(&s, 0, 1, "net", NULL);
	assert_int_equal(burst_add(&s, UINT64_MAX - 1, 1, "net", &ended), 1);
	assert_int_equal(ended.start_us, 0);
	assert_int_equal(ended.end_us, 0);
	assert_int_equal(burst_add(&s, UINT64_MAX, 1, "net", &ended), 0);
	assert_int_equal(burst_next_deadline(&s), UINT32_MAX * MS);
	assert_int_equal(burst_poll(&s, UINT64_MAX, &ended), 0);
	assert_int_equal(burst_add(&s, 5, 1, "net", &ended), 0); /* clamped to the top */
	assert_int_equal(s.last_us, UINT64_MAX);
	for (k = 0; k < BURST_NWIN; k++) {
		assert_int_equal(burst_window(&s, k)->sum_ev, 3);
		assert_int_equal(burst_window(&s, k)->cur,
				 UINT64_MAX / burst_window(&s, k)->bucket_us);
	}
	/* Windows of ~49.7 days: 0 and the top are far apart, so only 3 together. */
	assert_int_equal(burst_peak_events(&s), 3);
	assert_int_equal(burst_flush(&s, &ended), 1);
	assert_int_equal(ended.events, 3);
	assert_int_equal(ended.start_us, UINT64_MAX - 1);
	assert_int_equal(ended.end_us, UINT64_MAX);
}

static void test_burst_large_byte_values_sum_exactly(void **state)
{
	struct burst_stats s;
	struct burst ended;
	const uint64_t n = 1000, want = n * UINT32_MAX;
	size_t k;
	uint64_t i;

	(void)state;
	burst_init(&s, 1000, 200);
	for (i = 0; i < n; i++)
		burst_add(&s, i, UINT32_MAX, "net", NULL);
	for (k = 0; k < BURST_NWIN; k++) {
		assert_int_equal(burst_window(&s, k)->sum_bytes, want);
		assert_int_equal(burst_window(&s, k)->peak_bytes, want);
	}
	assert_int_equal(s.total_bytes, want);
	burst_flush(&s, &ended);
	assert_int_equal(ended.bytes, want);
}

static void test_burst_byte_counters_saturate(void **state)
{
	struct burst_stats s;

	(void)state;
	burst_init(&s, 1000, 200);
	burst_add(&s, 0, 1, "net", NULL);
	s.total_bytes = UINT64_MAX - 5;
	s.cur.bytes = UINT64_MAX - 5;
	burst_add(&s, 1, UINT32_MAX, "net", NULL);
	assert_int_equal(s.total_bytes, UINT64_MAX);
	assert_int_equal(s.cur.bytes, UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_init_sets_window_geometry),
		cmocka_unit_test(test_burst_init_zero_gap_uses_default),
		cmocka_unit_test(test_burst_window_out_of_range_is_null),
		cmocka_unit_test(test_burst_events_at_window_edge_not_counted_together),
		cmocka_unit_test(test_burst_events_closer_than_width_minus_bucket_counted_together),
		cmocka_unit_test(test_burst_events_one_us_inside_window_follow_bucket_alignment),
		cmocka_unit_test(test_burst_out_of_order_timestamp_clamped_to_latest),
		cmocka_unit_test(test_burst_out_of_order_timestamp_does_not_reopen_ended_burst),
		cmocka_unit_test(test_burst_poll_in_the_past_is_clamped),
		cmocka_unit_test(test_burst_storm_of_a_million_events_has_exact_peaks),
		cmocka_unit_test(test_burst_storm_at_one_timestamp_counts_every_event),
		cmocka_unit_test(test_burst_gap_splits_at_gap_not_before),
		cmocka_unit_test(test_burst_gap_is_measured_from_last_event_not_first),
		cmocka_unit_test(test_burst_add_accepts_null_ended),
		cmocka_unit_test(test_burst_poll_ends_burst_at_deadline),
		cmocka_unit_test(test_burst_poll_advances_windows),
		cmocka_unit_test(test_burst_next_deadline_counts_down_from_latest_time),
		cmocka_unit_test(test_burst_flush_closes_burst_regardless_of_time),
		cmocka_unit_test(test_burst_subsystem_overflow_counted_as_other),
		cmocka_unit_test(test_burst_null_and_empty_subsystem_counted_as_other),
		cmocka_unit_test(test_burst_early_other_leaves_last_slot_to_a_name),
		cmocka_unit_test(test_burst_overlong_subsystem_counted_as_other),
		cmocka_unit_test(test_burst_totals_accumulate_across_bursts),
		cmocka_unit_test(test_burst_biggest_keeps_largest_by_bytes),
		cmocka_unit_test(test_burst_biggest_records_zero_byte_burst),
		cmocka_unit_test(test_burst_biggest_ignores_burst_in_progress),
		cmocka_unit_test(test_burst_jump_past_window_resets_buckets),
		cmocka_unit_test(test_burst_partial_advance_drops_only_expired_buckets),
		cmocka_unit_test(test_burst_peaks_survive_window_draining),
		cmocka_unit_test(test_burst_peak_events_and_bytes_are_independent),
		cmocka_unit_test(test_burst_peak_accessors_read_configured_window),
		cmocka_unit_test(test_burst_huge_timestamps_do_not_overflow),
		cmocka_unit_test(test_burst_large_byte_values_sum_exactly),
		cmocka_unit_test(test_burst_byte_counters_saturate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
