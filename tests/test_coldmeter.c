/* SPDX-License-Identifier: MIT */
/* Unit tests for coldmeter.c: when a coldplug starts, what it counts, when it is complete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "coldmeter.h"

#define UNUSED __attribute__((unused))
#define MS     1000ull
#define QUIET  (COLDMETER_QUIET_MS * MS)

static void test_coldmeter_ignores_events_before_first_synthetic_add(void **ctx UNUSED)
{
	struct coldmeter c;

	coldmeter_init(&c, 10);
	coldmeter_event(&c, 1 * MS, 832, false);
	assert_false(c.open);
	coldmeter_burst_end(&c, 1 * MS);
	assert_int_equal(coldmeter_poll(&c, 10000 * MS), 0);
	assert_int_equal(coldmeter_deadline(&c), UINT64_MAX);
	coldmeter_event(&c, 500 * MS, 832, true);
	coldmeter_event(&c, 501 * MS, 2304, false); /* a driver's own event within: counted */
	assert_true(c.open);
	assert_int_equal(c.events, 2);
	assert_int_equal(c.bytes, 832 + 2304);
	assert_int_equal(coldmeter_deadline(&c), 500 * MS + QUIET);
}

/* A slow machine splits the trigger into bursts: they are one coldplug until the adds stop. */
static void test_coldmeter_spans_bursts_until_quiet(void **ctx UNUSED)
{
	struct coldmeter c;
	uint64_t t = 100 * MS, first = t + 100;

	coldmeter_init(&c, 400);
	for (int i = 0; i < 250; i++)
		coldmeter_event(&c, t += 100, 832, true);
	coldmeter_burst_end(&c, t);
	assert_int_equal(coldmeter_poll(&c, t + 300 * MS), 0); /* enough adds, not quiet yet */
	t += 900 * MS;					       /* a gap inside the trigger */
	for (int i = 0; i < 150; i++)
		coldmeter_event(&c, t += 100, 832, true);
	coldmeter_event(&c, t += 100, 2304, false);
	/* Quiet long enough, but the burst holding the last add has not ended: not yet. */
	assert_int_equal(coldmeter_poll(&c, t + QUIET), 0);
	coldmeter_burst_end(&c, t);
	coldmeter_event(&c, t + 5 * QUIET, 832, false); /* later, outside the coldplug */
	assert_int_equal(coldmeter_poll(&c, t + QUIET), 1);
	assert_true(c.done);
	assert_int_equal(c.c_events, 401);
	assert_int_equal(c.c_bytes, 400 * 832 + 2304);
	assert_int_equal(coldmeter_ms(&c), (t - first) / 1000);
	/* Done once: later events and bursts change nothing. */
	coldmeter_event(&c, t + 10 * QUIET, 832, true);
	coldmeter_burst_end(&c, t + 10 * QUIET);
	assert_int_equal(coldmeter_poll(&c, t + 20 * QUIET), 0);
	assert_int_equal(c.c_events, 401);
}

static void test_coldmeter_stray_add_starts_over(void **ctx UNUSED)
{
	struct coldmeter c;
	uint64_t t = 0;

	coldmeter_init(&c, 10);
	coldmeter_event(&c, t += MS, 832, true); /* someone wrote "add" to one uevent file */
	coldmeter_burst_end(&c, t);
	assert_int_equal(coldmeter_poll(&c, t + QUIET), 0);
	assert_false(c.open);
	t += 5 * QUIET;
	for (int i = 0; i < 5; i++)
		coldmeter_event(&c, t += 100, 832, true);
	coldmeter_burst_end(&c, t);
	assert_int_equal(coldmeter_poll(&c, t + QUIET), 1);
	assert_int_equal(c.c_events, 5);
}

static void test_coldmeter_unknown_device_count_takes_one(void **ctx UNUSED)
{
	struct coldmeter c;

	coldmeter_init(&c, 0);
	assert_int_equal(c.want, 1);
	coldmeter_event(&c, MS, 832, true);
	coldmeter_burst_end(&c, MS);
	assert_int_equal(coldmeter_poll(&c, MS + QUIET), 1);
	assert_int_equal(coldmeter_ms(&c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coldmeter_ignores_events_before_first_synthetic_add),
		cmocka_unit_test(test_coldmeter_spans_bursts_until_quiet),
		cmocka_unit_test(test_coldmeter_stray_add_starts_over),
		cmocka_unit_test(test_coldmeter_unknown_device_count_takes_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
