/* SPDX-License-Identifier: MIT */
/* Tests of units: the one size scheme of every screen and log line, and ISO 8601 times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "units.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CANARY	      'X'

static void test_units_size_bytes_then_binary_units(void **state)
{
	static const struct {
		uint64_t bytes;
		const char *want;
	} c[] = {
		{ 0, "0" },
		{ 812, "812" },
		{ 10239, "10239" },
		{ 10240, "10.0K" },
		{ 212992, "208.0K" },
		{ 659456, "644.0K" },
		{ 3330048, "3.2M" },
		{ 1048524, "1023.9K" },
		{ 1048525, "1.0M" },
		{ 10485760, "10.0M" },
		{ 16777216, "16.0M" },
		{ 33554432, "32.0M" },
		{ 4294967295u, "4.0G" },
		{ 10ull << 30, "10.0G" },
		{ 10ull << 40, "10.0T" },
		{ UINT64_MAX, "16.0E" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		assert_string_equal(units_size(buf, sizeof(buf), c[i].bytes), c[i].want);
}

/* The unit switches before the rounded figure would reach 1024: never wider than 7. */
static void test_units_size_fits_seven_columns(void **state)
{
	static const uint64_t c[] = {
		10239,	  10240,       10239999,    10240000,	   10420224,   10485759,
		10485760, 4294967295u, 10ull << 30, 9999ull << 30, UINT64_MAX,
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		if (strlen(units_size(buf, sizeof(buf), c[i])) > 7)
			fail_msg("%llu bytes: \"%s\" is wider than 7", (unsigned long long)c[i],
				 buf);
	assert_string_equal(units_size(buf, sizeof(buf), 10240000), "9.8M");
	assert_string_equal(units_size(buf, sizeof(buf), 1073689395), "1023.9M");
}

static void test_units_size_truncates_to_buffer(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, CANARY, sizeof(buf));
	assert_string_equal(units_size(buf, 4, 1530000), "1.5");
	assert_int_equal(buf[4], CANARY);
}

static void test_units_time_iso8601_utc_with_ms(void **state)
{
	static const struct {
		uint64_t ms;
		const char *want;
	} c[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 999, "1970-01-01T00:00:00.999Z" },
		{ 1000, "1970-01-01T00:00:01.000Z" },
		{ 951782400000ull, "2000-02-29T00:00:00.000Z" },
		{ 1795666451123ull, "2026-11-26T04:14:11.123Z" },
		{ 4102444799999ull, "2099-12-31T23:59:59.999Z" },
	};
	char buf[40];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		assert_string_equal(units_time(buf, sizeof(buf), c[i].ms), c[i].want);
}

static void test_units_time_truncates_to_buffer(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, CANARY, sizeof(buf));
	assert_string_equal(units_time(buf, 11, 1795666451123ull), "2026-11-26");
	assert_int_equal(buf[11], CANARY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_size_bytes_then_binary_units),
		cmocka_unit_test(test_units_size_fits_seven_columns),
		cmocka_unit_test(test_units_size_truncates_to_buffer),
		cmocka_unit_test(test_units_time_iso8601_utc_with_ms),
		cmocka_unit_test(test_units_time_truncates_to_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
