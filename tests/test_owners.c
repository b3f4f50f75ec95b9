/* SPDX-License-Identifier: MIT */
/* Unit tests for owners.c: a /proc tree built in a temporary directory, then the real /proc. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "owners.h"
#include "paths.h"
#include "unit.h"

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))
#define NS_SELF	  4026531840u

struct tree {
	char root[64];
};

static void mkdirs(char *path, size_t from)
{
	char *slash;

	for (slash = strchr(path + from, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
}

static void make_link(const struct tree *t, const char *rel, const char *target)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	mkdirs(path, strlen(t->root) + 1);
	assert_int_equal(symlink(target, path), 0);
}

static void make_file(const struct tree *t, const char *rel, const char *data, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	mkdirs(path, strlen(t->root) + 1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void make_comm(const struct tree *t, int pid, const char *comm)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/comm", pid);
	make_file(t, rel, comm, strlen(comm));
}

static void make_fd(const struct tree *t, int pid, int fd, const char *target)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/fd/%d", pid, fd);
	make_link(t, rel, target);
}

static void make_netns(const struct tree *t, int pid, const char *target)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%d/ns/net", pid);
	make_link(t, rel, target);
}

/*
 * 100 "foo) Z "  fd 3, 8 -> socket:[123] (twice), fd 4 -> pipe, fd 5 -> socket:[456]
 * 200 "bar"      fd 9 -> socket:[123], fd 0 -> /dev/null
 * 300 "ghost"    no fd directory: a process that vanished mid-walk
 * 400 "baz"      fd 1 -> socket:[999999]
 * 500 (no comm)  fd 2 -> socket:[456], fd 6 -> socket:[4242]
 * 0100, 12abc, self, net: not processes
 */
static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	strcpy(t->root, "/tmp/nltune-owners-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	make_comm(t, 100, "foo) Z \n");
	make_fd(t, 100, 3, "socket:[123]");
	make_fd(t, 100, 4, "pipe:[55]");
	make_fd(t, 100, 5, "socket:[456]");
	make_fd(t, 100, 8, "socket:[123]");
	make_netns(t, 100, "net:[4026531840]");
	make_comm(t, 200, "bar\n");
	make_fd(t, 200, 0, "/dev/null");
	make_fd(t, 200, 9, "socket:[123]");
	make_netns(t, 200, "net:[4026532000]");
	make_comm(t, 300, "ghost\n");
	make_comm(t, 400, "baz\n");
	make_fd(t, 400, 1, "socket:[999999]");
	make_netns(t, 400, "net:[4026532000]");
	make_fd(t, 500, 2, "socket:[456]");
	make_fd(t, 500, 6, "socket:[4242]");
	make_netns(t, 500, "net:[4026532001]");
	make_fd(t, 0, 7, "socket:[123]");
	make_link(t, "0100/fd/7", "socket:[123]");
	make_link(t, "12abc/fd/7", "socket:[123]");
	make_link(t, "self", "100");
	make_file(t, "net/netlink", "", 0);
	paths_set_proc(t->root);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;

	paths_set_proc("/proc");
	unit_rm_tree(t->root);
	free(t);
	return 0;
}

static void assert_holders(const struct owner *o, const pid_t *pids, const int *fds, size_t n)
{
	size_t i;

	assert_non_null(o);
	assert_int_equal(o->npids, n);
	assert_int_equal(o->more, 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(o->pids[i], pids[i]);
		assert_int_equal(o->fds[i], fds[i]);
	}
}

static void test_owners_shared_socket_lists_both_pids(void **state)
{
	static const pid_t pids[] = { 100, 200 };
	static const int fds[] = { 3, 9 }; /* 100 holds it twice: listed once, lowest fd */
	const uint64_t want[] = { 123 };
	struct owners *o = owners_new();

	(void)state;
	assert_non_null(o);
	assert_int_equal(owners_resolve(o, want, 1), 1);
	assert_holders(owners_get(o, 123), pids, fds, 2);
	owners_free(o);
}

static void test_owners_comm_keeps_every_byte(void **state)
{
	const uint64_t want[] = { 123 };
	struct owners *o = owners_new();
	const struct owner *w;

	(void)state;
	assert_int_equal(owners_resolve(o, want, 1), 1);
	w = owners_get(o, 123);
	assert_non_null(w);
	assert_string_equal(w->comm, "foo) Z ");
	owners_free(o);
}

static void test_owners_comm_is_bounded_and_strips_one_newline(void **state)
{
	static const struct {
		const char *file;
		const char *comm;
	} cases[] = {
		{ "abcdefghijklmno\n", "abcdefghijklmno" }, /* TASK_COMM_LEN - 1 */
		{ "kworker/u8:0-events_unbound\n", "kworker/u8:0-ev" },
		{ "a\nb\n", "a\nb" },
		{ "two\n\n", "two\n" },
		{ "\n", "" },
		{ "", "" },
		{ "no-newline", "no-newline" },
	};
	const struct tree *t = *state;
	struct owners *o = owners_new();
	uint64_t want[NCASES(cases)];
	char target[32];
	size_t i;

	for (i = 0; i < NCASES(cases); i++) {
		make_comm(t, 7000 + (int)i, cases[i].file);
		snprintf(target, sizeof(target), "socket:[%zu]", 70000 + i);
		make_fd(t, 7000 + (int)i, 3, target);
		want[i] = 70000 + i;
	}
	assert_int_equal(owners_resolve(o, want, NCASES(cases)), NCASES(cases));
	for (i = 0; i < NCASES(cases); i++) {
		const struct owner *w = owners_get(o, want[i]);

		assert_non_null(w);
		assert_string_equal(w->comm, cases[i].comm);
	}
	owners_free(o);
}

static void test_owners_missing_comm_is_empty(void **state)
{
	static const pid_t pids[] = { 500 };
	static const int fds[] = { 6 };
	const uint64_t want[] = { 4242 };
	struct owners *o = owners_new();

	(void)state;
	assert_int_equal(owners_resolve(o, want, 1), 1);
	assert_holders(owners_get(o, 4242), pids, fds, 1);
	assert_string_equal(owners_get(o, 4242)->comm, "");
	owners_free(o);
}

static void test_owners_vanished_process_is_skipped(void **state)
{
	static const pid_t pids[] = { 100, 500 };
	static const int fds[] = { 5, 2 };
	const uint64_t want[] = { 456, 999999 };
	struct owners *o = owners_new();

	(void)state;
	/* 300 has no fd directory; the walk goes on past it */
	assert_int_equal(owners_resolve(o, want, 2), 2);
	assert_holders(owners_get(o, 456), pids, fds, 2);
	assert_int_equal(owners_get(o, 999999)->pids[0], 400);
	assert_string_equal(owners_get(o, 999999)->comm, "baz");
	owners_free(o);
}

static void test_owners_non_pid_entries_are_not_walked(void **state)
{
	static const pid_t pids[] = { 100, 200 };
	static const int fds[] = { 3, 9 };
	const uint64_t want[] = { 123 };
	struct owners *o = owners_new();

	(void)state;
	/* "0", "0100", "12abc" and "self" all hold or lead to socket:[123] */
	assert_int_equal(owners_resolve(o, want, 1), 1);
	assert_holders(owners_get(o, 123), pids, fds, 2);
	owners_free(o);
}

static void test_owners_unheld_inode_is_cached_without_holders(void **state)
{
	const uint64_t want[] = { 777, 123 };
	struct owners *o = owners_new();
	const struct owner *w;

	(void)state;
	assert_null(owners_get(o, 777));
	assert_int_equal(owners_resolve(o, want, 2), 1);
	w = owners_get(o, 777);
	assert_non_null(w);
	assert_int_equal(w->npids, 0);
	assert_int_equal(w->more, 0);
	assert_string_equal(w->comm, "");
	assert_null(owners_get(o, 778));
	owners_free(o);
}

static void test_owners_requested_inodes_may_repeat(void **state)
{
	const uint64_t want[] = { 123, 456, 123, 123 };
	struct owners *o = owners_new();

	(void)state;
	assert_int_equal(owners_resolve(o, want, NCASES(want)), 2);
	assert_int_equal(owners_get(o, 123)->npids, 2);
	owners_free(o);
}

static void test_owners_holders_beyond_max_are_counted(void **state)
{
	const struct tree *t = *state;
	const uint64_t want[] = { 789 };
	struct owners *o = owners_new();
	const struct owner *w;
	int i;

	for (i = 0; i < OWNERS_MAX_PIDS + 2; i++) {
		make_fd(t, 1000 + i, 4, "socket:[789]");
		make_fd(t, 1000 + i, 5, "socket:[789]"); /* twice in a pid still counts once */
	}
	assert_int_equal(owners_resolve(o, want, 1), 1);
	w = owners_get(o, 789);
	assert_non_null(w);
	assert_int_equal(w->npids, OWNERS_MAX_PIDS);
	assert_int_equal(w->more, 2);
	for (i = 1; i < OWNERS_MAX_PIDS; i++)
		assert_true(w->pids[i - 1] < w->pids[i]);
	owners_free(o);
}

static void test_owners_resolve_replaces_cached_holders(void **state)
{
	const struct tree *t = *state;
	const uint64_t want[] = { 123 };
	struct owners *o = owners_new();
	char path[4096];

	assert_int_equal(owners_resolve(o, want, 1), 1);
	assert_int_equal(owners_get(o, 123)->npids, 2);
	snprintf(path, sizeof(path), "%s/200/fd/9", t->root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(owners_resolve(o, want, 1), 1);
	assert_int_equal(owners_get(o, 123)->npids, 1);
	snprintf(path, sizeof(path), "%s/100/fd/3", t->root);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/100/fd/8", t->root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(owners_resolve(o, want, 1), 0);
	assert_int_equal(owners_get(o, 123)->npids, 0);
	owners_free(o);
}

static void test_owners_resolve_keeps_other_cached_inodes(void **state)
{
	const uint64_t first[] = { 123 }, second[] = { 456 };
	struct owners *o = owners_new();

	(void)state;
	assert_int_equal(owners_resolve(o, first, 1), 1);
	assert_int_equal(owners_resolve(o, second, 1), 1);
	assert_int_equal(owners_get(o, 123)->npids, 2);
	assert_int_equal(owners_get(o, 456)->npids, 2);
	owners_free(o);
}

static void test_owners_retain_forgets_dead_inodes(void **state)
{
	const uint64_t want[] = { 123, 456, 999999, 777 }, live[] = { 999999, 5, 456, 456 };
	struct owners *o = owners_new();

	(void)state;
	assert_int_equal(owners_resolve(o, want, NCASES(want)), 3);
	owners_retain(o, live, NCASES(live));
	assert_null(owners_get(o, 123));
	assert_null(owners_get(o, 777));
	assert_non_null(owners_get(o, 456));
	assert_non_null(owners_get(o, 999999));
	owners_retain(o, NULL, 0);
	assert_null(owners_get(o, 456));
	assert_null(owners_get(o, 999999));
	owners_free(o);
}

static void test_owners_resolve_of_nothing_is_zero(void **state)
{
	struct owners *o = owners_new();

	(void)state;
	assert_int_equal(owners_resolve(o, NULL, 0), 0);
	assert_null(owners_get(o, 123));
	owners_free(o);
	owners_free(NULL);
}

static void test_owners_missing_proc_root_is_enoent(void **state)
{
	const struct tree *t = *state;
	const uint64_t want[] = { 123 };
	struct owners *o = owners_new();
	pid_t pids[4];
	uint64_t netns[4];
	char path[4096];

	snprintf(path, sizeof(path), "%s/nonexistent", t->root);
	paths_set_proc(path);
	assert_int_equal(owners_resolve(o, want, 1), -ENOENT);
	assert_null(owners_get(o, 123));
	assert_int_equal(owners_netns_pids(NS_SELF, pids, netns, 4), -ENOENT);
	owners_free(o);
}

static void test_owners_netns_pids_one_pid_per_foreign_namespace(void **state)
{
	pid_t pids[8];
	uint64_t netns[8];
	int n, i, seen000 = 0, seen001 = 0;

	(void)state;
	n = owners_netns_pids(NS_SELF, pids, netns, 8);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		if (netns[i] == 4026532000u) {
			seen000++;
			assert_true(pids[i] == 200 || pids[i] == 400);
		} else if (netns[i] == 4026532001u) {
			seen001++;
			assert_int_equal(pids[i], 500);
		} else {
			fail_msg("unexpected netns %llu", (unsigned long long)netns[i]);
		}
	}
	assert_int_equal(seen000, 1);
	assert_int_equal(seen001, 1);
}

static void test_owners_netns_pids_stops_at_max(void **state)
{
	pid_t pids[2] = { -1, -1 };
	uint64_t netns[2] = { 0, 0 };

	(void)state;
	assert_int_equal(owners_netns_pids(NS_SELF, pids, netns, 1), 1);
	assert_true(netns[0] == 4026532000u || netns[0] == 4026532001u);
	assert_int_equal(pids[1], -1);
	assert_int_equal(owners_netns_pids(NS_SELF, pids, netns, 0), 0);
}

static void test_owners_netns_pids_skips_malformed_links(void **state)
{
	const struct tree *t = *state;
	pid_t pids[8];
	uint64_t netns[8];

	make_netns(t, 600, "mnt:[4026532002]");
	make_netns(t, 601, "net:[]");
	make_netns(t, 602, "net:[99999999999999999999999]");
	make_netns(t, 603, "net:[4026532003");
	assert_int_equal(owners_netns_pids(NS_SELF, pids, netns, 8), 2);
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static int index_of(const struct owner *o, pid_t pid)
{
	size_t i;

	for (i = 0; i < o->npids; i++)
		if (o->pids[i] == pid)
			return (int)i;
	return -1;
}

static void test_owners_live_finds_this_process(void **state)
{
	struct owners *o = owners_new();
	const struct owner *w;
	char comm[64] = "";
	uint64_t want[1];
	int fd, i;
	FILE *f;

	(void)state;
	paths_set_proc("/proc");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	want[0] = inode_of(fd);
	assert_int_equal(owners_resolve(o, want, 1), 1);
	w = owners_get(o, want[0]);
	assert_non_null(w);
	i = index_of(w, getpid());
	assert_true(i >= 0);
	assert_int_equal(w->fds[i], fd);
	f = fopen("/proc/self/comm", "r");
	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	comm[OWNERS_COMM_LEN - 1] = '\0';
	assert_string_equal(w->comm, comm);
	close(fd);
	owners_free(o);
}

static void test_owners_live_fork_shares_the_socket(void **state)
{
	struct owners *o = owners_new();
	struct owner got = { 0 };
	const struct owner *w;
	int fd, go[2], hold[2], r, status;
	uint64_t want[1];
	char c;
	pid_t pid;

	(void)state;
	paths_set_proc("/proc");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	want[0] = inode_of(fd);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[0]);
		close(hold[1]);
		if (write(go[1], "r", 1) != 1)
			_exit(1);
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(go[1]);
	close(hold[0]);
	/* resolve while the child holds the socket, release the child, then judge */
	r = read(go[0], &c, 1) == 1 ? owners_resolve(o, want, 1) : -EPIPE;
	w = owners_get(o, want[0]);
	if (w)
		got = *w;
	close(go[0]);
	close(hold[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fd);
	owners_free(o);

	assert_int_equal(r, 1);
	assert_int_equal(got.npids, 2);
	assert_true(index_of(&got, getpid()) >= 0);
	assert_true(index_of(&got, pid) >= 0);
	assert_int_equal(got.fds[0], fd);
	assert_int_equal(got.fds[1], fd);
	assert_true(got.pids[0] < got.pids[1]);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_owners_live_netns_pids_excludes_own_namespace(void **state)
{
	pid_t pids[OWNERS_MAX_NETNS];
	uint64_t netns[OWNERS_MAX_NETNS], self;
	char link[64];
	ssize_t len;
	int n, i;

	(void)state;
	paths_set_proc("/proc");
	len = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
	assert_true(len > 0);
	link[len] = '\0';
	assert_int_equal(sscanf(link, "net:[%" SCNu64 "]", &self), 1);
	n = owners_netns_pids(self, pids, netns, OWNERS_MAX_NETNS);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		assert_true(netns[i] != self);
		assert_true(pids[i] > 0);
	}
}

#define TREE_TEST(f) cmocka_unit_test_setup_teardown(f, tree_setup, tree_teardown)

/* One process's fd table alone: it becomes the one holder of what it holds; the rest stays. */
static void test_owners_resolve_pid_looks_at_one_process(void **state)
{
	static const pid_t pids[] = { 500 };
	static const int fds[] = { 2 };
	const uint64_t all[] = { 123, 456 }, want[] = { 123, 456, 4242, 999999 };
	struct owners *o = owners_new();

	(void)state;
	assert_non_null(o);
	assert_int_equal(owners_resolve(o, all, 2), 2);
	assert_int_equal(owners_walks(o), 1);
	assert_int_equal(owners_resolve_pid(o, 500, want, NCASES(want)), 2);
	assert_int_equal(owners_walks(o), 1); /* no walk of every process */
	assert_holders(owners_get(o, 456), pids, fds, 1);
	assert_int_equal(owners_get(o, 4242)->pids[0], 500);
	assert_int_equal(owners_get(o, 4242)->fds[0], 6);
	assert_int_equal(owners_get(o, 123)->npids, 2); /* not 500's: what the walk found */
	assert_null(owners_get(o, 999999));		/* not 500's and never resolved */
	assert_int_equal(owners_resolve_pid(o, 300, want, NCASES(want)), -ESRCH);
	assert_int_equal(owners_resolve_pid(o, 600, want, NCASES(want)), -ESRCH);
	owners_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TREE_TEST(test_owners_shared_socket_lists_both_pids),
		TREE_TEST(test_owners_comm_keeps_every_byte),
		TREE_TEST(test_owners_comm_is_bounded_and_strips_one_newline),
		TREE_TEST(test_owners_missing_comm_is_empty),
		TREE_TEST(test_owners_vanished_process_is_skipped),
		TREE_TEST(test_owners_non_pid_entries_are_not_walked),
		TREE_TEST(test_owners_unheld_inode_is_cached_without_holders),
		TREE_TEST(test_owners_requested_inodes_may_repeat),
		TREE_TEST(test_owners_holders_beyond_max_are_counted),
		TREE_TEST(test_owners_resolve_replaces_cached_holders),
		TREE_TEST(test_owners_resolve_keeps_other_cached_inodes),
		TREE_TEST(test_owners_retain_forgets_dead_inodes),
		TREE_TEST(test_owners_resolve_of_nothing_is_zero),
		TREE_TEST(test_owners_resolve_pid_looks_at_one_process),
		TREE_TEST(test_owners_missing_proc_root_is_enoent),
		TREE_TEST(test_owners_netns_pids_one_pid_per_foreign_namespace),
		TREE_TEST(test_owners_netns_pids_stops_at_max),
		TREE_TEST(test_owners_netns_pids_skips_malformed_links),
		cmocka_unit_test(test_owners_live_finds_this_process),
		cmocka_unit_test(test_owners_live_fork_shares_the_socket),
		cmocka_unit_test(test_owners_live_netns_pids_excludes_own_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
