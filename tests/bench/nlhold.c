/* SPDX-License-Identifier: MIT */
/* Benchmark helper: many processes holding many netlink sockets, for `nltune sockets` vs ss. */
/*
 * usage: nlhold [PROCS [PER_PROC [FLAGS]]]   (defaults: 200 processes x 10 sockets)
 * FLAGS: n = each child in a network namespace of its own (root), s = SO_RCVBUF 1024 on
 * every socket. The parent raises RLIMIT_NOFILE to its hard limit, so do the children.
 * Forks PROCS children; each opens PER_PROC netlink sockets, alternating
 * NETLINK_KOBJECT_UEVENT bound to group 1, NETLINK_ROUTE bound without groups, and
 * NETLINK_KOBJECT_UEVENT bound without groups. Every socket is bound: an unbound netlink
 * socket is in no kernel table, so neither /proc/net/netlink nor sock_diag (ss) can list
 * it. Nobody reads; SO_RCVBUF is set to 1024 on every fourth socket so the scanners see a
 * mix of limits (and the small group listeners drop any uevent burst). Once every child
 * has opened all of its sockets the parent prints "ready PROCS SOCKETS" and waits until
 * its stdin closes (or SIGTERM/SIGINT), then kills and reaps its children and exits.
 * Children die with the parent (PR_SET_PDEATHSIG), so nothing outlives a killed run.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static bool all_small, own_netns;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int open_one(int i)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int proto = i % 3 == 1 ? NETLINK_ROUTE : NETLINK_KOBJECT_UEVENT;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);

	if (fd < 0)
		return -1;
	if (i % 3 == 0)
		sa.nl_groups = 1; /* a uevent listener, like udevd or a desktop daemon */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	if (i % 4 == 3 || all_small) {
		int small = 1024;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	}
	return fd;
}

static void child(int per, int ready_fd, pid_t parent)
{
	sigset_t set;
	int sig;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	if (own_netns && unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "nlhold: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		_exit(1);
	}
	for (int i = 0; i < per; i++) {
		if (open_one(i) < 0) {
			fprintf(stderr, "nlhold: socket %d of pid %d: %s\n", i, (int)getpid(),
				strerror(errno));
			_exit(1);
		}
	}
	if (write(ready_fd, "x", 1) != 1)
		_exit(1);
	close(ready_fd);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	_exit(0);
}

int main(int argc, char **argv)
{
	int procs = argc > 1 ? atoi(argv[1]) : 200;
	int per = argc > 2 ? atoi(argv[2]) : 10;
	const char *flags = argc > 3 ? argv[3] : "";
	struct rlimit rl;
	pid_t me = getpid(), *kids;
	int p[2], ok = 0, n = 0;
	char c, buf[256];
	sigset_t set;

	if (procs <= 0 || per <= 0) {
		fprintf(stderr, "usage: nlhold [PROCS [PER_PROC [FLAGS]]]\n");
		return 2;
	}
	own_netns = strchr(flags, 'n') != NULL;
	all_small = strchr(flags, 's') != NULL;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	kids = calloc((size_t)procs, sizeof(*kids));
	if (!kids || pipe(p) < 0)
		return 1;
	/* Block the stop signals before forking: children sigwait() for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (n = 0; n < procs; n++) {
		kids[n] = fork();
		if (kids[n] < 0)
			break;
		if (kids[n] == 0) {
			close(p[0]);
			child(per, p[1], me);
		}
	}
	close(p[1]);
	while (ok < n && read(p[0], &c, 1) == 1)
		ok++;
	close(p[0]);
	if (ok == procs) {
		printf("ready %d %d\n", procs, procs * per);
		fflush(stdout);
		/* Until stdin closes or SIGTERM/SIGINT interrupts read() (no SA_RESTART). */
		struct sigaction sa = { .sa_handler = on_stop };

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		while (!stop && read(0, buf, sizeof(buf)) > 0)
			;
	} else {
		fprintf(stderr, "nlhold: only %d of %d children got their sockets\n", ok, procs);
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	return ok == procs ? 0 : 1;
}
