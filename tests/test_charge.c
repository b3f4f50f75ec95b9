/* SPDX-License-Identifier: MIT */
/* Unit tests for charge.c: the truesize boundaries measured on Linux 6.18 and the capacity rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "charge.h"

struct charge_case {
	size_t payload;
	uint32_t charge;
};

static void assert_charges(const struct charge_model *m, const struct charge_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t got = charge_of(m, cases[i].payload);

		if (got != cases[i].charge)
			fail_msg("payload %zu: charge %u, want %u", cases[i].payload, got,
				 cases[i].charge);
	}
}

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

static void test_charge_default_model_is_linux_6_18_x86_64(void **state)
{
	struct charge_model m;

	charge_model_default(&m);
	assert_int_equal(m.small_head, 576);
	assert_int_equal(m.skb_size, 256);
	assert_int_equal(m.shinfo, 320);
	assert_int_equal(m.align, 64);
}

/* Measured with SO_MEMINFO on an unread socket. */
static void test_charge_matches_measured_boundaries(void **state)
{
	static const struct charge_case cases[] = {
		{ 0, 832 },	{ 1, 832 },
		{ 138, 832 },			/* echo change > /sys/class/net/lo/uevent */
		{ 191, 832 },			/* the same with "change <uuid> FOO=bar" */
		{ 256, 832 },			/* 256 + 320 = 576: the small head exactly */
		{ 257, 1280 },	{ 704, 1280 },	/* 704 + 320 = 1024 */
		{ 705, 2304 },	{ 911, 2304 },	/* cpu0 with its long MODALIAS */
		{ 1728, 2304 },			/* 1728 + 320 = 2048 */
		{ 1729, 4352 }, { 3776, 4352 }, /* 3776 + 320 = 4096 */
		{ 3777, 8448 },
	};
	struct charge_model m;

	charge_model_default(&m);
	assert_charges(&m, cases, NCASES(cases));
}

static void test_charge_without_small_head_uses_kmalloc_classes(void **state)
{
	static const struct charge_case cases[] = {
		{ 0, 512 + 256 },    /* 0 + 320 */
		{ 192, 512 + 256 },  /* 192 + 320 = 512 */
		{ 193, 1024 + 256 }, /* 256 + 320: what the small head takes on 6.18 */
		{ 256, 1024 + 256 }, { 704, 1024 + 256 }, { 705, 2048 + 256 },
	};
	struct charge_model m;

	charge_model_default(&m);
	m.small_head = 0;
	assert_charges(&m, cases, NCASES(cases));
}

/* kmalloc_size_roundup()'s small classes, 96 and 192 included, seen through a bare model. */
static void test_charge_kmalloc_classes_include_96_and_192(void **state)
{
	static const struct charge_case cases[] = {
		{ 0, 0 },	{ 1, 8 },	{ 8, 8 },     { 9, 16 },    { 16, 16 },
		{ 17, 32 },	{ 32, 32 },	{ 33, 64 },   { 64, 64 },   { 65, 96 },
		{ 96, 96 },	{ 97, 128 },	{ 128, 128 }, { 129, 192 }, { 192, 192 },
		{ 193, 256 },	{ 256, 256 },	{ 257, 512 }, { 512, 512 }, { 513, 1024 },
		{ 4097, 8192 }, { 8192, 8192 },
	};
	static const uint32_t aligns[] = { 0, 1 }; /* both mean: no alignment */
	struct charge_model m = { 0 };
	size_t i;

	for (i = 0; i < NCASES(aligns); i++) {
		m.align = aligns[i];
		assert_charges(&m, cases, NCASES(cases));
	}
}

/* Above KMALLOC_MAX_CACHE_SIZE the page allocator still rounds to a power of two. */
static void test_charge_above_8192_rounds_to_power_of_two(void **state)
{
	static const struct charge_case cases[] = {
		{ 7872, 8192 + 256 }, /* 7872 + 320 = 8192 */
		{ 7873, 16384 + 256 },
		{ 16000, 16384 + 256 },
		{ 16065, 32768 + 256 },
		{ 100000, 131072 + 256 },
		{ (size_t)1 << 30, 0x80000000u + 256 },
	};
	struct charge_model m;

	charge_model_default(&m);
	assert_charges(&m, cases, NCASES(cases));
}

static void test_charge_saturates_instead_of_wrapping(void **state)
{
	static const struct charge_case cases[] = {
		{ (size_t)1 << 31, UINT32_MAX }, /* 2^31 + 320 would need a 2^32 head */
		{ UINT32_MAX - 63, UINT32_MAX },
		{ UINT32_MAX, UINT32_MAX },
#if SIZE_MAX > UINT32_MAX /* a 32-bit size_t cannot say more than UINT32_MAX */
		{ (size_t)UINT32_MAX + 1, UINT32_MAX },
#endif
		{ SIZE_MAX, UINT32_MAX },
	};
	struct charge_model m;

	charge_model_default(&m);
	assert_charges(&m, cases, NCASES(cases));
	m.skb_size = UINT32_MAX;
	m.shinfo = UINT32_MAX;
	m.align = UINT32_MAX;
	assert_int_equal(charge_of(&m, 1), UINT32_MAX);
}

static void test_charge_model_set_reads_skb_size_from_sock_min_rcvbuf(void **state)
{
	static const struct {
		uint32_t sock_min_rcvbuf;
		uint32_t skb_size;
	} cases[] = {
		{ 2304, 256 }, /* 6.18 x86_64: 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
		{ 2232, 192 }, /* old kernels: 2048 + sizeof(struct sk_buff), 184 unaligned */
		{ 2048, 256 }, /* not a SOCK_MIN_RCVBUF we understand: keep the default */
		{ 256, 256 },  /* pre-3.5 kernels */
		{ 0, 256 },
	};
	struct charge_model m;
	size_t i;

	for (i = 0; i < NCASES(cases); i++) {
		charge_model_default(&m);
		charge_model_set(&m, 576, cases[i].sock_min_rcvbuf);
		assert_int_equal(m.skb_size, cases[i].skb_size);
		assert_int_equal(m.small_head, 576);
		assert_int_equal(m.shinfo, 320);
		assert_int_equal(m.align, 64);
		assert_int_equal(charge_of(&m, 0), 576 + cases[i].skb_size);
	}
}

static void test_charge_model_set_small_head_zero_means_kmalloc_only(void **state)
{
	static const struct charge_case cases[] = {
		{ 0, 512 + 256 },
		{ 138, 512 + 256 },
		{ 256, 1024 + 256 },
		{ 911, 2048 + 256 },
	};
	struct charge_model m;

	charge_model_default(&m);
	charge_model_set(&m, 0, 2304);
	assert_int_equal(m.small_head, 0);
	assert_charges(&m, cases, NCASES(cases));
}

static void test_charge_model_set_takes_another_small_head_size(void **state)
{
	static const struct charge_case cases[] = {
		{ 320, 640 + 256 }, /* 320 + 320 = 640 fits a 640-byte small head */
		{ 321, 1024 + 256 },
	};
	struct charge_model m;

	charge_model_default(&m);
	charge_model_set(&m, 640, 2304);
	assert_charges(&m, cases, NCASES(cases));
}

static void test_charge_capacity_is_max_one_floor(void **state)
{
	static const struct {
		uint64_t rcvbuf;
		uint32_t each;
		uint64_t capacity;
	} cases[] = {
		{ 212992, 832, 256 }, /* the default rmem holds exactly 256 typical events */
		{ 212992, 2304, 92 },
		{ 2304, 832, 2 }, /* SOCK_MIN_RCVBUF */
		{ 1663, 832, 1 },
		{ 1664, 832, 2 },
		{ 832, 832, 1 },
		{ 100, 832, 1 }, /* an empty queue always takes one */
		{ 0, 832, 1 },
		{ 212992, 0, 212992 }, /* each 0 counts as 1 */
		{ 0, 0, 1 },
		{ 134217728, 832, 161319 }, /* systemd-udevd's 128 MiB */
		{ UINT64_MAX, 1, UINT64_MAX },
		{ UINT64_MAX, UINT32_MAX, UINT64_MAX / UINT32_MAX },
	};
	size_t i;

	for (i = 0; i < NCASES(cases); i++)
		assert_int_equal(charge_capacity(cases[i].rcvbuf, cases[i].each),
				 cases[i].capacity);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charge_default_model_is_linux_6_18_x86_64),
		cmocka_unit_test(test_charge_matches_measured_boundaries),
		cmocka_unit_test(test_charge_without_small_head_uses_kmalloc_classes),
		cmocka_unit_test(test_charge_kmalloc_classes_include_96_and_192),
		cmocka_unit_test(test_charge_above_8192_rounds_to_power_of_two),
		cmocka_unit_test(test_charge_saturates_instead_of_wrapping),
		cmocka_unit_test(test_charge_model_set_reads_skb_size_from_sock_min_rcvbuf),
		cmocka_unit_test(test_charge_model_set_small_head_zero_means_kmalloc_only),
		cmocka_unit_test(test_charge_model_set_takes_another_small_head_size),
		cmocka_unit_test(test_charge_capacity_is_max_one_floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
