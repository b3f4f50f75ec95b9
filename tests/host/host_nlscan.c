/* SPDX-License-Identifier: MIT */
/* nlscan against the live kernel where it changes the host: real uevents overflow a listener,
 * and a child network namespace is scanned through setns. Run as root by tests/integration/host.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sched.h>
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

#include "nlscan.h"
#include "paths.h"
#include "unit.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

/* Root only: real uevents on lo overflow a minimum-sized listener that never reads. */
static void test_nlscan_live_diag_counts_drops_like_so_meminfo(void **state)
{
	uint32_t mi[SK_MEMINFO_VARS] = { 0 };
	socklen_t ml = sizeof(mi);
	struct nlsock row;
	uint64_t inode;
	int fd, lo, i;

	(void)state;
	lo = open("/sys/class/net/lo/uevent", O_WRONLY | O_CLOEXEC);
	if (lo < 0) {
		print_message("skipped: cannot write /sys/class/net/lo/uevent: %s\n",
			      strerror(errno));
		skip();
	}
	fd = unit_uevent_socket(1024, &inode);
	assert_true(fd >= 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(write(lo, "change", 6), 6);
	close(lo);
	unit_scan_live(inode, &row);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &ml), 0);
	assert_true(row.has_diag);
	assert_true(row.drops > 0);
	assert_int_equal(row.drops, mi[SK_MEMINFO_DROPS]);
	assert_int_equal(row.rmem, mi[SK_MEMINFO_RMEM_ALLOC]);
	assert_true(row.rmem > 0);
	close(fd);
}

struct child_report {
	int err; /* errno of the step that failed, or 0 */
	int rcvbuf;
	uint64_t inode;
};

/* The child: a new network namespace, a listener in it, then wait for the parent. */
static void __attribute__((noreturn)) netns_child(int report, int hold)
{
	struct child_report rep = { 0 };
	char c;
	int fd = -1;

	if (unshare(CLONE_NEWNET) < 0) {
		rep.err = errno;
	} else {
		fd = unit_uevent_socket(4096, &rep.inode);
		if (fd < 0)
			rep.err = -fd;
		else
			rep.rcvbuf = unit_rcvbuf(fd);
	}
	if (write(report, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void test_nlscan_live_diag_netns_reaches_child_namespace(void **state)
{
	struct nlsock *rows = NULL, *copy = NULL, found = { 0 }, found_here = { 0 };
	struct nlsock *dumped = NULL, found_dump = { 0 };
	int report[2], hold[2], status, r_diag = -1, r_here = -1;
	uint64_t ns_self = 0, ns_child = 0, ns_dump = 0;
	ssize_t n_dump = -1;
	struct child_report rep = { 0 };
	char rel[64];
	size_t bad = 0;
	ssize_t n = -1;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: entering a network namespace needs root\n");
		skip();
	}
	assert_int_equal(pipe2(report, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(report[0]);
		close(hold[1]);
		netns_child(report[1], hold[0]);
	}
	close(report[1]);
	close(hold[0]);
	if (read(report[0], &rep, sizeof(rep)) != sizeof(rep))
		rep.err = EPIPE;
	close(report[0]);

	/* gather everything while the child lives, then let it go, then judge */
	paths_set_proc("/proc");
	if (rep.err == 0 && nlscan_netns_of(getpid(), &ns_self) == 0 &&
	    nlscan_netns_of(pid, &ns_child) == 0) {
		snprintf(rel, sizeof(rel), "%d/net/netlink", (int)pid);
		n = nlscan_read(rel, ns_child, &rows, &bad, NULL);
	}
	if (n > 0) {
		const struct nlsock *s;

		copy = malloc((size_t)n * sizeof(*copy));
		assert_non_null(copy);
		memcpy(copy, rows, (size_t)n * sizeof(*copy));
		r_here = nlscan_diag(copy, (size_t)n);
		r_diag = nlscan_diag_netns(pid, rows, (size_t)n);
		n_dump = nlscan_dump_netns(pid, &ns_dump, &dumped);
		if (n_dump > 0 && (s = unit_find_inode(dumped, (size_t)n_dump, rep.inode)))
			found_dump = *s;
		free(dumped);
		s = unit_find_inode(rows, (size_t)n, rep.inode);
		if (s)
			found = *s;
		s = unit_find_inode(copy, (size_t)n, rep.inode);
		if (s)
			found_here = *s;
	}
	close(hold[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	free(copy);
	free(rows);

	if (rep.err) {
		print_message("skipped: the child could not make its namespace: %s\n",
			      strerror(rep.err));
		skip();
	}
	assert_true(ns_child != 0);
	assert_true(ns_child != ns_self);
	assert_true(n > 0);
	assert_int_equal(bad, 0);
	assert_int_equal(found.inode, rep.inode);
	assert_int_equal(found.netns, ns_child);
	assert_int_equal(found.protocol, NLSCAN_PROTO_UEVENT);
	assert_int_equal(found.groups, 1);
	assert_int_equal(r_here, 0);
	assert_false(found_here.has_diag); /* not visible from our namespace */
	assert_int_equal(r_diag, 0);
	assert_true(found.has_diag);
	assert_int_equal(found.rcvbuf, rep.rcvbuf);
	/* a dump inside it lists it too, labelled with the namespace it entered */
	assert_true(n_dump > 0);
	assert_int_equal(ns_dump, ns_child);
	assert_int_equal(found_dump.inode, rep.inode);
	assert_int_equal(found_dump.netns, ns_child);
	assert_int_equal(found_dump.groups, 1);
	assert_int_equal(found_dump.rcvbuf, rep.rcvbuf);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nlscan_live_diag_counts_drops_like_so_meminfo),
		cmocka_unit_test(test_nlscan_live_diag_netns_reaches_child_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
