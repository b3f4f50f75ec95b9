/* SPDX-License-Identifier: MIT */
/* Benchmark baseline: the barest uevent reader, what nltuned's cost per event is compared to. */
/*
 * usage: uevread [BUFFER_BYTES]         (default 16 MiB, forced with SO_RCVBUFFORCE as root)
 * Joins the kernel's uevent group, reads datagrams in a loop and counts them, nothing else:
 * no parsing, no charge, no statistics. Prints "ready PID RCVBUF" on stdout when listening;
 * on SIGTERM or SIGINT prints "events N bytes B enobufs E" on stdout and exits 0.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct sigaction act = { .sa_handler = on_signal };
	unsigned long long events = 0, bytes = 0, enobufs = 0;
	static char buf[8192];
	int size = argc > 1 ? atoi(argv[1]) : 16 << 20;
	socklen_t len = sizeof(size);
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "uevread: uevent socket: %s\n", strerror(errno));
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len);
	sigaction(SIGTERM, &act, NULL); /* no SA_RESTART: recv() returns EINTR */
	sigaction(SIGINT, &act, NULL);
	printf("ready %d %d\n", (int)getpid(), size);
	fflush(stdout);
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n >= 0) {
			events++;
			bytes += (unsigned long long)n;
		} else if (errno == ENOBUFS) {
			enobufs++;
		} else if (errno != EINTR) {
			fprintf(stderr, "uevread: recv: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("events %llu bytes %llu enobufs %llu\n", events, bytes, enobufs);
	return 0;
}
