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
#include <unistd.h>

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

/* Records as "inode@at_ms" pairs; rcvbuf follows from at_ms so a record shows where it came from.
 */
struct rec {
	uint64_t inode, at;
};

static void put(struct fixlog *l, const struct rec *r, size_t n)
{
	for (size_t i = 0; i < n && r[i].inode; i++)
		fixlog_add(l, &(struct fix_record){ .inode = r[i].inode,
						    .rcvbuf = (uint32_t)r[i].at,
						    .at_ms = r[i].at,
						    .pid = 1 });
}

/* The file's records and a writer's, and what fixlog_merge keeps, oldest first. */
static const struct merge_case {
	const char *name;
	const char *file_boot;
	struct rec file[4], mine[4], want[6];
} merge_cases[] = {
	{ "the console's fix survives a daemon that never read it",
	  BOOT,
	  { { 7, 100 } },
	  { { 0 } },
	  { { 7, 100 } } },
	{ "fixes of two sockets by two writers are both kept",
	  BOOT,
	  { { 7, 100 } },
	  { { 8, 200 } },
	  { { 7, 100 }, { 8, 200 } } },
	{ "one socket fixed twice: the newer record, the file's",
	  BOOT,
	  { { 7, 300 } },
	  { { 7, 200 } },
	  { { 7, 300 } } },
	{ "one socket fixed twice: the newer record, the writer's",
	  BOOT,
	  { { 7, 100 } },
	  { { 7, 200 }, { 8, 150 } },
	  { { 8, 150 }, { 7, 200 } } },
	{ "records in time order whichever side had them",
	  BOOT,
	  { { 1, 10 }, { 3, 30 } },
	  { { 2, 20 }, { 4, 40 } },
	  { { 1, 10 }, { 2, 20 }, { 3, 30 }, { 4, 40 } } },
	{ "a file of another boot names other sockets: the writer's alone",
	  OTHER,
	  { { 7, 100 } },
	  { { 8, 200 } },
	  { { 8, 200 } } },
};

static void test_fixlog_merge_table(void **state)
{
	struct fixlog *file = new_log(), *mine = new_log(), *back = new_log();
	char buf[FIXLOG_MAX_SIZE];
	size_t k;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(merge_cases) / sizeof(merge_cases[0]); i++) {
		const struct merge_case *c = &merge_cases[i];

		/* As fixlog_save does: the file parsed for the writer's boot, the writer merged in.
		 */
		fixlog_init(file, c->file_boot);
		fixlog_init(mine, BOOT);
		put(file, c->file, 4);
		put(mine, c->mine, 4);
		n = fixlog_format(file, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(fixlog_parse(back, BOOT, buf, (size_t)n), 0);
		fixlog_merge(back, mine);
		for (k = 0; k < 6 && c->want[k].inode; k++)
			if (k >= back->n || back->r[k].inode != c->want[k].inode ||
			    back->r[k].at_ms != c->want[k].at || back->r[k].rcvbuf != c->want[k].at)
				fail_msg("%s: record %zu is %llu@%llu", c->name, k,
					 k < back->n ? (unsigned long long)back->r[k].inode : 0ull,
					 k < back->n ? (unsigned long long)back->r[k].at_ms : 0ull);
		if (back->n != k)
			fail_msg("%s: %zu records, want %zu", c->name, back->n, k);
		/* Merging again changes nothing. */
		n = fixlog_format(back, buf, sizeof(buf));
		fixlog_merge(back, mine);
		assert_int_equal(
		    fixlog_format(back, buf + FIXLOG_MAX_SIZE / 2, FIXLOG_MAX_SIZE / 2), n);
		assert_memory_equal(buf, buf + FIXLOG_MAX_SIZE / 2, (size_t)n);
	}
	free(file);
	free(mine);
	free(back);
}

/* Full: the newest FIXLOG_MAX of both sides, an older one arriving late is not kept. */
static void test_fixlog_merge_bounded(void **state)
{
	struct fixlog *file = new_log(), *mine = new_log();

	(void)state;
	for (uint64_t i = 0; i < FIXLOG_MAX; i++)
		fixlog_add(file, &(struct fix_record){ .inode = 1000 + i, .at_ms = 100 + 2 * i });
	fixlog_add(mine, &(struct fix_record){ .inode = 1, .at_ms = 50 });     /* too old */
	fixlog_add(mine, &(struct fix_record){ .inode = 2, .at_ms = 103 });    /* among the kept */
	fixlog_add(mine, &(struct fix_record){ .inode = 3, .at_ms = 100000 }); /* newest */
	fixlog_merge(file, mine);
	assert_int_equal(file->n, FIXLOG_MAX);
	assert_null(fixlog_find(file, 1));
	assert_null(fixlog_find(file, 1000)); /* the two oldest went for the two newer ones */
	assert_null(fixlog_find(file, 1001));
	assert_non_null(fixlog_find(file, 1002));
	assert_int_equal(file->r[0].inode, 2);
	assert_int_equal(file->r[FIXLOG_MAX - 1].inode, 3);
	for (size_t i = 1; i < file->n; i++)
		assert_true(file->r[i - 1].at_ms <= file->r[i].at_ms);
	free(file);
	free(mine);
}

/* Two writers save one after the other, neither having read the other's: both records stay. */
static void test_fixlog_save_merges_the_file(void **state)
{
	struct fixlog *a = new_log(), *b = new_log(), *back = new_log();
	char dir[] = "/tmp/test_fixlog.XXXXXX", path[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	fixlog_add(a, &(struct fix_record){ .inode = 7, .rcvbuf = 4096, .at_ms = 100, .pid = 3 });
	fixlog_add(b, &(struct fix_record){ .inode = 8, .rcvbuf = 8192, .at_ms = 200, .pid = 4 });
	assert_int_equal(fixlog_save(dir, a), 0);
	assert_int_equal(fixlog_save(dir, b), 0);
	assert_int_equal(fixlog_load(dir, BOOT, back), 0);
	assert_int_equal(back->n, 2);
	assert_non_null(fixlog_find(back, 7));
	assert_non_null(fixlog_find(back, 8));
	snprintf(path, sizeof(path), "%s/%s", dir, FIXLOG_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_LOCK_FILE);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	free(a);
	free(b);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixlog_round_trip),
		cmocka_unit_test(test_fixlog_other_boot_is_dropped),
		cmocka_unit_test(test_fixlog_same_inode_replaced_and_bounded),
		cmocka_unit_test(test_fixlog_damage_refused),
		cmocka_unit_test(test_fixlog_format_too_small),
		cmocka_unit_test(test_fixlog_merge_table),
		cmocka_unit_test(test_fixlog_merge_bounded),
		cmocka_unit_test(test_fixlog_save_merges_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
