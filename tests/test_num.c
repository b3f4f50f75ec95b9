/* SPDX-License-Identifier: MIT */
/* Tests of num: the one strict number parser (decimals, hex, plain fractions). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "num.h"
#include "unit.h"

static void test_num_u64_accepts_digits_up_to_max(void **state)
{
	static const struct {
		const char *s;
		uint64_t max, want;
	} c[] = {
		{ "0", 0, 0 },
		{ "7", 9, 7 },
		{ "010", 100, 10 },
		{ "4294967295", UINT32_MAX, UINT32_MAX },
		{ "2147483647", INT32_MAX, INT32_MAX },
		{ "18446744073709551615", UINT64_MAX, UINT64_MAX },
		{ "4194304", 4194304, 4194304 },
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < NCASES(c); i++) {
		v = 12345;
		if (num_u64_str(c[i].s, c[i].max, &v) != 0)
			fail_msg("'%s' (max %llu) was refused", c[i].s,
				 (unsigned long long)c[i].max);
		assert_int_equal(v, c[i].want);
	}
}

static void test_num_u64_refuses_what_is_not_plain_digits(void **state)
{
	static const char *const c[] = {
		"", "-1", "+1", " 1", "1 ", "1\n", "0x10", "1e3", "1.0", "１", "1a", "\xff",
	};
	uint64_t v = 42;

	(void)state;
	for (size_t i = 0; i < NCASES(c); i++) {
		if (num_u64_str(c[i], UINT64_MAX, &v) != -EINVAL)
			fail_msg("'%s' was not refused as -EINVAL", c[i]);
		assert_int_equal(v, 42); /* untouched on failure */
	}
}

static void test_num_u64_overflow_is_erange(void **state)
{
	static const struct {
		const char *s;
		uint64_t max;
	} c[] = {
		{ "18446744073709551616", UINT64_MAX },
		{ "99999999999999999999999", UINT64_MAX },
		{ "4294967296", UINT32_MAX },
		{ "2147483648", INT32_MAX },
		{ "10", 9 },
		{ "1", 0 },
		{ "10001", 10000 },
	};
	uint64_t v = 42;

	(void)state;
	for (size_t i = 0; i < NCASES(c); i++) {
		if (num_u64_str(c[i].s, c[i].max, &v) != -ERANGE)
			fail_msg("'%s' above %llu was not -ERANGE", c[i].s,
				 (unsigned long long)c[i].max);
		assert_int_equal(v, 42);
	}
	/* A non-digit after an overlong run is still a bad number, not a big one. */
	assert_int_equal(num_u64_str("99999999999999999999999x", UINT64_MAX, &v), -EINVAL);
}

static void test_num_u64_reads_only_len_bytes(void **state)
{
	uint64_t v = 0;

	(void)state;
	/* A field of a larger line: what follows the field is not read. */
	assert_int_equal(num_u64("123 456", 3, UINT64_MAX, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(num_u64("123 456", 4, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(num_u64("123", 0, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(num_digits("2048K"), 4);
	assert_int_equal(num_digits("K"), 0);
	assert_int_equal(num_digits(""), 0);
}

static void test_num_hex_bounded_digits(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(num_hex("ffffffff", 8, 8, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(num_hex("DeadBeef", 8, 8, &v), 0);
	assert_int_equal(v, 0xdeadbeef);
	assert_int_equal(num_hex("100000000", 9, 8, &v), -EINVAL);
	assert_int_equal(num_hex("ffffffffffffffff", 16, 16, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(num_hex("10000000000000000", 17, 17, &v), -EINVAL);
	assert_int_equal(num_hex("0x1", 3, 16, &v), -EINVAL);
	assert_int_equal(num_hex("g", 1, 16, &v), -EINVAL);
	assert_int_equal(num_hex("", 0, 16, &v), -EINVAL);
}

static void test_num_decimal_plain_fractions_only(void **state)
{
	static const struct {
		const char *s;
		double want;
	} ok[] = {
		{ "2", 2.0 },	  { "2.5", 2.5 },      { "1.05", 1.05 },
		{ "0.25", 0.25 }, { "10000000", 1e7 },
	};
	static const char *const bad[] = {
		"",    ".5",	"2.",  "-1",	"+1", "1e3", "nan",
		"inf", "0x1p3", "1,5", "1.2.3", " 1", "1 ",
	};
	char big[401];
	double v = 0;

	(void)state;
	for (size_t i = 0; i < NCASES(ok); i++) {
		if (num_decimal(ok[i].s, 1e7, &v) != 0)
			fail_msg("'%s' was refused", ok[i].s);
		assert_float_equal(v, ok[i].want, 1e-12);
	}
	for (size_t i = 0; i < NCASES(bad); i++)
		if (num_decimal(bad[i], 1e7, &v) != -EINVAL)
			fail_msg("'%s' was not refused as -EINVAL", bad[i]);
	assert_int_equal(num_decimal("10000000.5", 1e7, &v), -ERANGE);
	/* 400 digits overflow a double to infinity: above any finite max. */
	memset(big, '9', 400);
	big[400] = '\0';
	assert_int_equal(num_decimal(big, 1e308, &v), -ERANGE);
	assert_int_equal(num_decimal(big, HUGE_VAL, &v), 0);
	assert_true(isinf(v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num_u64_accepts_digits_up_to_max),
		cmocka_unit_test(test_num_u64_refuses_what_is_not_plain_digits),
		cmocka_unit_test(test_num_u64_overflow_is_erange),
		cmocka_unit_test(test_num_u64_reads_only_len_bytes),
		cmocka_unit_test(test_num_hex_bounded_digits),
		cmocka_unit_test(test_num_decimal_plain_fractions_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
