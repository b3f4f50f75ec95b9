/* SPDX-License-Identifier: MIT */
/* Tests of sorted: the one binary search over arrays sorted by a uint64_t key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sorted.h"
#include "unit.h"

struct item {
	char pad[3];
	uint64_t key;
	int payload;
};

/* Against a linear scan, for every key around every element, sizes 0 to 9. */
static void test_sorted_lower_matches_linear_scan(void **state)
{
	static const uint64_t a[] = { 0, 3, 3, 3, 7, 8, 20, UINT64_MAX - 1, UINT64_MAX };

	(void)state;
	for (size_t n = 0; n <= NCASES(a); n++) {
		for (size_t j = 0; j < NCASES(a); j++) {
			for (int d = -1; d <= 1; d++) {
				uint64_t key = a[j] + (uint64_t)d; /* wraps at both ends */
				size_t want = 0;

				while (want < n && a[want] < key)
					want++;
				if (SORTED_LOWER_U64(a, n, key) != want)
					fail_msg("n %zu key %llu: %zu, want %zu", n,
						 (unsigned long long)key,
						 SORTED_LOWER_U64(a, n, key), want);
			}
		}
	}
}

static void test_sorted_find_exact_or_n(void **state)
{
	static const uint64_t a[] = { 2, 4, 4, 9 };

	(void)state;
	assert_int_equal(SORTED_FIND_U64(a, 4, 2), 0);
	assert_int_equal(SORTED_FIND_U64(a, 4, 4), 1); /* the first of equal keys */
	assert_int_equal(SORTED_FIND_U64(a, 4, 9), 3);
	assert_int_equal(SORTED_FIND_U64(a, 4, 1), 4);
	assert_int_equal(SORTED_FIND_U64(a, 4, 5), 4);
	assert_int_equal(SORTED_FIND_U64(a, 4, 10), 4);
	assert_int_equal(SORTED_FIND_U64(a, 0, 2), 0);
}

static void test_sorted_struct_key_at_offset(void **state)
{
	static const struct item v[] = {
		{ "ab", 10, 1 },
		{ "cd", 20, 2 },
		{ "ef", 30, 3 },
		{ "gh", 40, 4 },
	};
	size_t i;

	(void)state;
	i = SORTED_FIND(v, NCASES(v), key, 30);
	assert_int_equal(i, 2);
	assert_int_equal(v[i].payload, 3);
	assert_int_equal(SORTED_FIND(v, NCASES(v), key, 25), NCASES(v));
	assert_int_equal(SORTED_LOWER(v, NCASES(v), key, 25), 2);
	assert_int_equal(SORTED_LOWER(v, NCASES(v), key, 41), NCASES(v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_lower_matches_linear_scan),
		cmocka_unit_test(test_sorted_find_exact_or_n),
		cmocka_unit_test(test_sorted_struct_key_at_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
