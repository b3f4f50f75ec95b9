/* SPDX-License-Identifier: MIT */
/* Tests of fixlog: the record of sockets nltune raised, per boot, bounded, damage refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixlog.h"

#define BOOT  "0a1b2c3d-0000-4000-8000-000000000001"
#define OTHER "0a1b2c3d-0000-4000-8000-000000000002"

static struct fixlog *new_log(void)
{
	struct fixlog *l = malloc(sizeof(*l));

	assert_non_null(l);
	fixlog_init(l, BOOT);
	return l;
}

static void test_fixlog_round_trip(void **state)
{
	struct fixlog *l = new_log(), *back = new_log();
	char buf[FIXLOG_MAX_SIZE];
	int n;

	(void)state;
	fixlog_add(l, &(struct fix_record){ 4242, 48, 1048576, 1764400000123ull, 812 });
	fixlog_add(l, &(struct fix_record){ 7, UINT32_MAX, 2304, 1, INT32_MAX });
	n = fixlog_format(l, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(fixlog_parse(back, BOOT, buf, (size_t)n), 0);
	assert_int_equal(back->n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(back->r[i].inode, l->r[i].inode);
		assert_int_equal(back->r[i].drops, l->r[i].drops);
		assert_int_equal(back->r[i].rcvbuf, l->r[i].rcvbuf);
		assert_int_equal(back->r[i].at_ms, l->r[i].at_ms);
		assert_int_equal(back->r[i].pid, l->r[i].pid);
	}
	assert_int_equal(fixlog_find(back, 4242)->rcvbuf, 1048576);
	assert_null(fixlog_find(back, 4243));
	free(l);
	free(back);
}

static void test_fixlog_other_boot_is_dropped(void **state)
{
	struct fixlog *l = new_log(), *back = new_log();
	char buf[4096];
	int n;

	(void)state;
	fixlog_add(l, &(struct fix_record){ 4242, 1, 2, 3, 4 });
	n = fixlog_format(l, buf, sizeof(buf));
	assert_int_equal(fixlog_parse(back, OTHER, buf, (size_t)n), 0);
	assert_int_equal(back->n, 0); /* inodes of another boot mean nothing */
	assert_string_equal(back->boot_id, OTHER);
	free(l);
	free(back);
}

static void test_fixlog_same_inode_replaced_and_bounded(void **state)
{
	struct fixlog *l = new_log();

	(void)state;
	fixlog_add(l, &(struct fix_record){ 1, 10, 100, 1000, 5 });
	fixlog_add(l, &(struct fix_record){ 1, 20, 200, 2000, 5 });
	assert_int_equal(l->n, 1);
	assert_int_equal(fixlog_find(l, 1)->drops, 20);
	for (uint64_t i = 2; i < 2 + 2 * FIXLOG_MAX; i++)
		fixlog_add(l, &(struct fix_record){ i, 0, 0, i, 1 });
	assert_int_equal(l->n, FIXLOG_MAX);
	assert_null(fixlog_find(l, 1)); /* the oldest went first */
	assert_non_null(fixlog_find(l, 1 + 2 * FIXLOG_MAX));
	free(l);
}

static void test_fixlog_damage_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"nltune-fixes 1\n",
		"nltune-fixes 2\nboot " BOOT "\n",
		"nltune-fixes 1\nboot not-a-boot-id\n",
		"nltune-fixes 1\nboot " BOOT "\nfix 1 2 3 4 5", /* truncated: no newline */
		"nltune-fixes 1\nboot " BOOT "\nfix 1 2 3 4\n",
		"nltune-fixes 1\nboot " BOOT "\nfix 1 4294967296 3 4 5\n", /* drops overflow u32 */
		"nltune-fixes 1\nboot " BOOT "\nfix 1 2 3 4 -5\n",
		"nltune-fixes 1\nboot " BOOT "\nfix 1 2 3 4 5 6\n",
		"nltune-fixes 1\nboot " BOOT "\nfix 99999999999999999999 2 3 4 5\n",
		"nltune-fixes 1\nboot " BOOT "\n\x01\x02\xff\n",
	};
	struct fixlog *l = new_log();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = fixlog_parse(l, BOOT, bad[i], strlen(bad[i]));

		if (r != -EBADMSG)
			fail_msg("case %zu: %d, want -EBADMSG", i, r);
		assert_int_equal(l->n, 0);
	}
	free(l);
}

static void test_fixlog_format_too_small(void **state)
{
	struct fixlog *l = new_log();
	char buf[40];

	(void)state;
	fixlog_add(l, &(struct fix_record){ 1, 2, 3, 4, 5 });
	assert_int_equal(fixlog_format(l, buf, sizeof(buf)), -ENOSPC);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixlog_round_trip),
		cmocka_unit_test(test_fixlog_other_boot_is_dropped),
		cmocka_unit_test(test_fixlog_same_inode_replaced_and_bounded),
		cmocka_unit_test(test_fixlog_damage_refused),
		cmocka_unit_test(test_fixlog_format_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
