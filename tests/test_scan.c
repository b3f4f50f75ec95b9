/* SPDX-License-Identifier: MIT */
/* Tests of scan against tests/fixtures/system through --proc: rows, drop history across scans,
 * and the verdict each row gets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "paths.h"
#include "scan.h"
#include "unit.h"

#define LISTENER 15527 /* the uevent listener of the capture: 4 drops, 1664 bytes queued */

struct fx {
	struct unit_machine m;
	struct scanner sc;
	struct scan_ctx ctx;
};

static int setup(void **state)
{
	struct fx *f;

	if (unit_machine_setup(state, sizeof(*f)) < 0)
		return -1;
	f = *state;
	assert_int_equal(scanner_init(&f->sc), 0);
	f->ctx.sysctl.rmem_default = 212992;
	f->ctx.sysctl.rmem_max = 212992;
	f->ctx.sock_min = 2304;
	f->ctx.typical_charge = 832;
	f->ctx.need_bytes = 832 * 1000;
	f->ctx.target_default = 1703936;
	f->ctx.now_ms = 1000000;
	f->ctx.recent_ms = 60000;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	scanner_free(&f->sc);
	return unit_machine_teardown(state);
}

static const struct sockrow *row_of(const struct scanner *sc, uint64_t inode)
{
	for (size_t i = 0; i < sc->nrows; i++)
		if (sc->rows[i].s.inode == inode)
			return &sc->rows[i];
	return NULL;
}

/* Rewrite the listener's Drops column (two characters wide at most). */
static void set_listener_drops(struct fx *f, const char *drops)
{
	static const char cols[] = "2        4        15527";
	char *text, *p, path[400];

	snprintf(path, sizeof(path), "%s/net/netlink", f->m.proc);
	text = unit_slurp(path, NULL);
	assert_non_null(text);
	p = strstr(text, cols);
	assert_non_null(p);
	memset(p + 9, ' ', 2);
	memcpy(p + 9, drops, strlen(drops));
	unit_write(f->m.proc, "net/netlink", text);
	free(text);
}

static void test_scan_lists_every_row_of_the_capture(void **state)
{
	struct fx *f = *state;
	const struct sockrow *r;

	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	assert_int_equal(f->sc.nrows, 11);
	assert_int_equal(f->sc.bad_rows, 0);
	r = row_of(&f->sc, LISTENER);
	assert_non_null(r);
	assert_int_equal(r->s.protocol, 15);
	assert_int_equal(r->s.portid, 10394);
	assert_int_equal(r->s.groups, 1);
	assert_int_equal(r->s.rmem, 1664);
	assert_int_equal(r->s.drops, 4);
	assert_true(!r->own || r->own->npids == 0); /* no /proc/<pid>/fd in the fixture */
}

/* First sight: every drop is new and the socket is dropping; the kernel's own rows are fine. */
static void test_scan_first_sight_drops_make_dropping(void **state)
{
	struct fx *f = *state;
	const struct sockrow *r;

	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	r = row_of(&f->sc, LISTENER);
	assert_int_equal(r->new_drops, 4);
	assert_int_equal(r->v.verdict, VERDICT_DROPPING);
	assert_true(scan_row_problem(r));
	for (size_t i = 0; i < f->sc.nrows; i++)
		if (f->sc.rows[i].s.inode != LISTENER)
			assert_int_equal(f->sc.rows[i].v.verdict, VERDICT_OK);
}

/* The next scans count only what rose, and the verdict fades once no drop is recent. */
static void test_scan_remembers_drops_between_scans(void **state)
{
	struct fx *f = *state;
	const struct sockrow *r;

	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	f->ctx.now_ms += 1000;
	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	r = row_of(&f->sc, LISTENER);
	assert_int_equal(r->new_drops, 0);
	assert_int_equal(r->v.verdict, VERDICT_DROPPING); /* rose 1 s ago */

	set_listener_drops(f, "10");
	f->ctx.now_ms += 1000;
	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	r = row_of(&f->sc, LISTENER);
	assert_int_equal(r->s.drops, 10);
	assert_int_equal(r->new_drops, 6);

	f->ctx.now_ms += f->ctx.recent_ms + 1;
	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	r = row_of(&f->sc, LISTENER);
	assert_int_equal(r->new_drops, 0);
	assert_int_not_equal(r->v.verdict, VERDICT_DROPPING);
}

/* A scan that sees nothing new counts no change; a drop is one; the first sees every listener. */
static void test_scan_counts_changes(void **state)
{
	struct fx *f = *state;

	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	assert_true(f->sc.changes >= 1); /* the dropping listener, first seen */
	f->ctx.now_ms += 1000;
	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	assert_int_equal(f->sc.changes, 0);
	set_listener_drops(f, "10");
	f->ctx.now_ms += 1000;
	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	assert_int_equal(f->sc.changes, 1);
	f->ctx.now_ms += 1000;
	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	assert_int_equal(f->sc.changes, 0);
}

/* At rest the interval doubles up to SCAN_REST_MAX; any change brings it back to one. */
static void test_scan_rest_factor(void **state)
{
	unsigned int k = 1;

	(void)state;
	k = scan_rest_factor(k, 0);
	assert_int_equal(k, 2);
	k = scan_rest_factor(k, 0);
	assert_int_equal(k, 4);
	k = scan_rest_factor(k, 0);
	assert_int_equal(k, SCAN_REST_MAX);
	k = scan_rest_factor(k, 0);
	assert_int_equal(k, SCAN_REST_MAX);
	assert_int_equal(scan_rest_factor(k, 3), 1);
	assert_int_equal(scan_rest_factor(0, 0), 1);
}

/* Thousands of rows in scrambled order, some twice: sorted by inode, each once. */
static void test_scan_sorts_and_folds_many_rows(void **state)
{
	enum { N = 5000 };
	struct fx *f = *state;
	size_t len = 0, cap = (N + N / 10 + 1) * 100;
	char *text = malloc(cap);

	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len,
				"sk               Eth Pid        Groups   Rmem     Wmem     Dump  "
				"Locks    Drops    Inode\n");
	for (unsigned int k = 0; k < N + N / 10; k++) {
		unsigned int ino = 1000 + (k % N) * 7919 % N; /* 7919 is prime: a permutation */

		len += (size_t)snprintf(text + len, cap - len,
					"%016x %-3u %-10u %08x %-8u %-8u %-5u %-8u %-8u %-8u\n", k,
					15, k, 1, 0, 0, 0, 2, 0, ino);
	}
	unit_write(f->m.proc, "net/netlink", text);
	free(text);
	assert_int_equal(scanner_run(&f->sc, &f->ctx), N);
	for (size_t i = 0; i < f->sc.nrows; i++)
		assert_int_equal(f->sc.rows[i].s.inode, 1000 + i);
}

static void test_scan_without_netlink_file_fails(void **state)
{
	struct fx *f = *state;
	char path[400];

	snprintf(path, sizeof(path), "%s/net", f->m.proc);
	unit_rm_tree(path);
	assert_int_equal(scanner_run(&f->sc, &f->ctx), -ENOENT);
}

static void test_scan_counts_refused_lines(void **state)
{
	struct fx *f = *state;
	char *text, path[400], *more;

	snprintf(path, sizeof(path), "%s/net/netlink", f->m.proc);
	text = unit_slurp(path, NULL);
	assert_non_null(text);
	assert_true(asprintf(&more, "%sgarbage line\n0000 15 1 2\n", text) > 0);
	unit_write(f->m.proc, "net/netlink", more);
	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11);
	assert_int_equal(f->sc.bad_rows, 2);
	free(more);
	free(text);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scan_lists_every_row_of_the_capture),
		T(test_scan_first_sight_drops_make_dropping),
		T(test_scan_remembers_drops_between_scans),
		T(test_scan_counts_changes),
		T(test_scan_sorts_and_folds_many_rows),
		T(test_scan_rest_factor),
		T(test_scan_without_netlink_file_fails),
		T(test_scan_counts_refused_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
