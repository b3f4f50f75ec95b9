/* SPDX-License-Identifier: MIT */
/* Tests of scan against tests/fixtures/system through --proc: rows, drop history across scans,
 * and the verdict each row gets. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* A netlink row as /proc/net/netlink prints it. */
static size_t netlink_row(char *buf, size_t len, unsigned int proto, unsigned int groups,
			  unsigned int drops, uint64_t inode)
{
	return (size_t)snprintf(buf, len,
				"%016x %-3u %-10u %08x %-8u %-8u %-5u %-8u %-8u %-8" PRIu64 "\n",
				0u, proto, 0u, groups, 0u, 0u, 0u, 2u, drops, inode);
}

static const char netlink_head[] =
    "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n";

#define BIG_N	   70000  /* past the 65,536 owners the cache once kept */
#define BIG_INO	   100000 /* the first inode; the last one is a dropping uevent listener */
#define BIG_PID	   4242
#define BIG_LAST   (BIG_INO + BIG_N - 1)
#define BIG_LASTFD (3 + BIG_N - 1)

/* The tree of the big tests, built once: 70,000 symlinks take seconds on a disk. */
static char big_root[64];

/* BIG_N rtnetlink sockets but the last, a dropping uevent listener, all held by BIG_PID. */
static int big_group_setup(void **state)
{
	size_t len = 0, cap = (size_t)(BIG_N + 2) * 100;
	char *text = malloc(cap), path[512], target[64];

	(void)state;
	/* tmpfs when there is one: the same files, ten times faster to make */
	snprintf(big_root, sizeof(big_root), "%s/nltune-big-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!text || !mkdtemp(big_root)) {
		free(text);
		return -1;
	}
	len += (size_t)snprintf(text, cap, "%s", netlink_head);
	for (unsigned int k = 0; k < BIG_N; k++)
		len += netlink_row(text + len, cap - len, k + 1 == BIG_N ? 15 : 0,
				   k + 1 == BIG_N ? 1 : 0, k + 1 == BIG_N ? 5 : 0, BIG_INO + k);
	unit_write(big_root, "net/netlink", text);
	free(text);
	unit_write(big_root, "4242/comm", "holder\n");
	snprintf(path, sizeof(path), "%s/4242/fd", big_root);
	if (mkdir(path, 0755) < 0)
		return -1;
	for (unsigned int k = 0; k < BIG_N; k++) {
		snprintf(path, sizeof(path), "%s/4242/fd/%u", big_root, 3 + k);
		snprintf(target, sizeof(target), "socket:[%u]", BIG_INO + k);
		if (symlink(target, path) < 0)
			return -1;
	}
	return 0;
}

static int big_group_teardown(void **state)
{
	(void)state;
	unit_rm_tree(big_root);
	return 0;
}

static int big_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || scanner_init(&f->sc) < 0)
		return -1;
	f->ctx.sysctl.rmem_default = 212992;
	f->ctx.sysctl.rmem_max = 212992;
	f->ctx.sock_min = 2304;
	f->ctx.typical_charge = 832;
	f->ctx.now_ms = 1000000;
	f->ctx.recent_ms = 60000;
	paths_set_proc(big_root);
	*state = f;
	return 0;
}

static int big_teardown(void **state)
{
	struct fx *f = *state;

	paths_set_proc("/proc");
	scanner_free(&f->sc);
	free(f);
	return 0;
}

/* Listings past 65,536 sockets: every row gets its owner, from one walk shared by every call. */
static void test_scan_listings_share_one_owner_walk(void **state)
{
	struct fx *f = *state;
	uint64_t walks;

	assert_int_equal(scanner_run(&f->sc, &f->ctx), BIG_N);
	walks = owners_walks(f->sc.owners);
	for (int call = 0; call < 3; call++)
		assert_int_equal(scanner_resolve_all(&f->sc), 0);
	assert_int_equal(owners_walks(f->sc.owners), walks + 1);
	for (size_t i = 0; i < f->sc.nrows; i++)
		assert_int_equal(scan_row_pid(&f->sc.rows[i]), BIG_PID);
	assert_int_equal(owners_count(f->sc.owners), BIG_N);
	/* The next run asks nothing again: every owner is cached. */
	f->ctx.now_ms += 1000;
	walks = owners_walks(f->sc.owners);
	assert_int_equal(scanner_run(&f->sc, &f->ctx), BIG_N);
	assert_int_equal(scanner_resolve_all(&f->sc), 0);
	assert_int_equal(scanner_resolve_all(&f->sc), 0);
	assert_int_equal(owners_walks(f->sc.owners), walks);
	assert_int_equal(scan_row_pid(row_of(&f->sc, BIG_LAST)), BIG_PID);
}

/* explain 4242 the way the console runs it: the dropping socket past 65,536 others is found. */
static void test_scan_resolve_pid_finds_every_socket_of_a_pid(void **state)
{
	struct fx *f = *state;
	const struct sockrow *r;
	uint64_t walks;

	assert_int_equal(scanner_run(&f->sc, &f->ctx), BIG_N);
	walks = owners_walks(f->sc.owners);
	assert_int_equal(scanner_resolve_pid(&f->sc, BIG_PID), BIG_N);
	assert_int_equal(owners_walks(f->sc.owners), walks); /* its fd table alone */
	r = row_of(&f->sc, BIG_LAST);
	assert_non_null(r);
	assert_int_equal(r->v.verdict, VERDICT_DROPPING);
	assert_non_null(r->own);
	assert_int_equal(r->own->npids, 1);
	assert_int_equal(r->own->pids[0], BIG_PID);
	assert_int_equal(r->own->fds[0], BIG_LASTFD);
	assert_string_equal(r->own->comm, "holder");
	for (size_t i = 0; i < f->sc.nrows; i++)
		assert_int_equal(scan_row_pid(&f->sc.rows[i]), BIG_PID);
	assert_int_equal(scanner_resolve_pid(&f->sc, 4243), -ESRCH);
}

#define NS_N (2 * SCAN_NETNS_PER_RUN + 4)
/*
 * The scanner takes its own namespace from <proc>/<its pid>/ns/net: the namespaces' pids stay
 * clear of the test's own, which a busy machine's wrapped pid counter may put anywhere.
 */
#define NS_PID ns_pid_base()
static int ns_pid_base(void)
{
	int self = (int)getpid();

	return self >= 2000 && self <= 2000 + NS_N ? 3000 : 2000;
}
#define NS_INO 500000

/* NS_N other namespaces, each entered by pid NS_PID + i and holding one socket. */
static void ns_tree(struct fx *f, int from, int to)
{
	char rel[64], path[512], target[64], text[256];

	for (int i = from; i < to; i++) {
		size_t len = (size_t)snprintf(text, sizeof(text), "%s", netlink_head);

		netlink_row(text + len, sizeof(text) - len, 0, 0, 0, (uint64_t)NS_INO + i);
		snprintf(rel, sizeof(rel), "%d/net/netlink", NS_PID + i);
		unit_write(f->m.proc, rel, text);
		snprintf(path, sizeof(path), "%s/%d/ns", f->m.proc, NS_PID + i);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/%d/ns/net", f->m.proc, NS_PID + i);
		snprintf(target, sizeof(target), "net:[%d]", 7000 + i);
		assert_int_equal(symlink(target, path), 0);
	}
}

/* Which of the namespaces' sockets the last run listed. */
static int ns_rows(const struct fx *f, bool *seen)
{
	int n = 0;

	for (int i = 0; i < NS_N + 1; i++)
		if ((seen[i] = row_of(&f->sc, (uint64_t)NS_INO + i) != NULL))
			n++;
	return n;
}

static void test_scan_netns_order_is_a_queue(void **state)
{
	struct scan_netns ns[5] = {
		{ .netns = 1, .due = 3 }, { .netns = 2, .due = 1 }, { .netns = 3, .due = 2 },
		{ .netns = 4, .due = 1 }, { .netns = 5, .due = 3 },
	};
	size_t order[5], want[5] = { 1, 3, 2, 0, 4 };

	(void)state;
	scan_netns_order(ns, 5, order);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(order[i], want[i]);
	scan_netns_order(ns, 0, order); /* nothing to order */
}

/*
 * SCAN_NETNS_PER_RUN namespaces a run, the rest carried; every one in
 * ceil(NS_N / SCAN_NETNS_PER_RUN) runs; a new one queues behind those
 * waiting longer rather than being dumped at once.
 */
static void test_scan_dumps_a_turn_of_namespaces(void **state)
{
	struct fx *f = *state;
	bool seen[NS_N + 1], ever[NS_N + 1] = { false };
	int runs = (NS_N + SCAN_NETNS_PER_RUN - 1) / SCAN_NETNS_PER_RUN;

	ns_tree(f, 0, NS_N);
	for (int run = 1; run <= runs; run++) {
		int n = scanner_run(&f->sc, &f->ctx);

		assert_int_equal(n, 11 + ns_rows(f, seen));
		assert_int_equal(f->sc.nns, NS_N);
		assert_int_equal(f->sc.nnetns, 1 + SCAN_NETNS_PER_RUN);
		assert_int_equal(ns_rows(f, seen), run < runs ? run * SCAN_NETNS_PER_RUN : NS_N);
		for (int i = 0; i < NS_N; i++)
			ever[i] |= seen[i];
		f->ctx.now_ms += 1000;
	}
	for (int i = 0; i < NS_N; i++)
		assert_true(ever[i]);
	/* A new namespace, found at the next look: not dumped while older ones wait. */
	ns_tree(f, NS_N, NS_N + 1);
	f->ctx.now_ms += SCAN_NETNS_REFRESH_MS;
	scanner_run(&f->sc, &f->ctx);
	assert_int_equal(f->sc.nns, NS_N + 1);
	assert_int_equal(f->sc.nnetns, 1 + SCAN_NETNS_PER_RUN);
	assert_int_equal(f->sc.ns_deferred, NS_N + 1 - SCAN_NETNS_PER_RUN);
	ns_rows(f, seen);
	assert_false(seen[NS_N]);
	for (int run = 0; run < runs && !seen[NS_N]; run++) {
		f->ctx.now_ms += 1000;
		scanner_run(&f->sc, &f->ctx);
		ns_rows(f, seen);
	}
	assert_true(seen[NS_N]);
	/* The console asks for every namespace at once. */
	f->ctx.all_netns = true;
	scanner_run(&f->sc, &f->ctx);
	assert_int_equal(f->sc.nnetns, 1 + NS_N + 1);
	assert_int_equal(f->sc.ns_deferred, 0);
}

static uint64_t fake_ms;

/* A clock on which each look costs 60 ms. */
static uint64_t slow_clock(void)
{
	fake_ms += 60;
	return fake_ms;
}

/* After a burst the turn widens, but no dump starts once SCAN_NETNS_BUDGET_MS went by. */
static void test_scan_netns_dumps_stop_at_the_time_budget(void **state)
{
	struct fx *f = *state;
	bool seen[NS_N + 1];

	ns_tree(f, 0, NS_N);
	f->ctx.netns_wide = true;
	assert_int_equal(scanner_run(&f->sc, &f->ctx), 11 + NS_N); /* no clock: every one */
	f->ctx.clock_ms = slow_clock;
	fake_ms = 1000;
	f->ctx.now_ms += 1000;
	scanner_run(&f->sc, &f->ctx);
	/* dumps start at 0 and 60 ms; at 120 ms the budget is spent */
	assert_int_equal(f->sc.nnetns, 1 + 2);
	assert_int_equal(f->sc.ns_deferred, NS_N - 2);
	assert_int_equal(ns_rows(f, seen), NS_N); /* the others carried */
	/* At least one a run, whatever the clock says. */
	fake_ms = 1000;
	f->ctx.clock_ms = slow_clock;
	f->ctx.netns_wide = false;
	f->ctx.now_ms += 1000;
	scanner_run(&f->sc, &f->ctx);
	assert_true(f->sc.nnetns >= 2);
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
		T(test_scan_netns_order_is_a_queue),
		T(test_scan_dumps_a_turn_of_namespaces),
		T(test_scan_netns_dumps_stop_at_the_time_budget),
	};

	const struct CMUnitTest big[] = {
		cmocka_unit_test_setup_teardown(test_scan_listings_share_one_owner_walk, big_setup,
						big_teardown),
		cmocka_unit_test_setup_teardown(test_scan_resolve_pid_finds_every_socket_of_a_pid,
						big_setup, big_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL) +
	       cmocka_run_group_tests(big, big_group_setup, big_group_teardown);
}
