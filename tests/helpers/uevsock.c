/* SPDX-License-Identifier: MIT */
/* Test listener on the uevent group, driven line by line on stdin: a probe or a victim. */
/*
 * usage: uevsock [--rcvbuf N | --force N] [--no-enobufs] [--comm NAME]
 * Prints "ready PID RCVBUF" and then answers commands read from stdin:
 *   stat   -> {"rcvbuf":..,"rmem_alloc":..,"drops":..,"events":..,"bytes":..,"enobufs":..}
 *   drain  -> read everything queued (counting events, payload bytes and ENOBUFS), then stat
 *   quit   -> exit 0
 * It never reads the socket unless told to, so it stalls exactly as long as the test wants.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#ifndef NETLINK_NO_ENOBUFS
#define NETLINK_NO_ENOBUFS 5
#endif

static int fd;
static unsigned long long events, bytes, enobufs;

static void stat_line(void)
{
	unsigned int mi[SK_MEMINFO_VARS] = { 0 };
	socklen_t sl = sizeof(mi);
	int rb = 0;
	socklen_t rl = sizeof(rb);

	getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &sl);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, &rl);
	printf("{\"pid\":%d,\"rcvbuf\":%d,\"rmem_alloc\":%u,\"drops\":%u,\"events\":%llu,"
	       "\"bytes\":%llu,\"enobufs\":%llu}\n",
	       (int)getpid(), rb, mi[SK_MEMINFO_RMEM_ALLOC], mi[SK_MEMINFO_DROPS], events, bytes,
	       enobufs);
	fflush(stdout);
}

static void drain(void)
{
	static char buf[16384];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == ENOBUFS) {
				enobufs++;
				continue;
			}
			if (errno == EINTR)
				continue;
			break;
		}
		events++;
		bytes += (unsigned long long)n;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	char line[64];
	int rb = 0;
	socklen_t rl = sizeof(rb);

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0) {
		perror("uevsock: socket");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		int v, one = 1;

		if (strcmp(argv[i], "--no-enobufs") == 0) {
			setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
			continue;
		}
		if (i + 1 >= argc)
			goto usage;
		if (strcmp(argv[i], "--comm") == 0) { /* any bytes: a hostile process name */
			prctl(PR_SET_NAME, argv[++i]);
			continue;
		}
		v = atoi(argv[i + 1]);
		if (strcmp(argv[i], "--rcvbuf") == 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		else if (strcmp(argv[i], "--force") == 0) {
			v /= 2;
			if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0) {
				perror("uevsock: SO_RCVBUFFORCE");
				return 1;
			}
		} else
			goto usage;
		i++;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("uevsock: bind");
		return 1;
	}
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, &rl);
	printf("ready %d %d\n", (int)getpid(), rb);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (strncmp(line, "stat", 4) == 0)
			stat_line();
		else if (strncmp(line, "drain", 5) == 0) {
			drain();
			stat_line();
		} else if (strncmp(line, "quit", 4) == 0)
			break;
	}
	return 0;
usage:
	fprintf(stderr, "usage: uevsock [--rcvbuf N | --force N] [--no-enobufs] [--comm NAME]\n");
	return 2;
}
