/* SPDX-License-Identifier: MIT */
/* Test listener on the uevent group, driven line by line on stdin: a probe or a victim. */
/*
 * usage: uevsock [--rcvbuf N | --force N] [--no-enobufs] [--comm NAME] [--mark UUID]
 *                [--groups MASK]
 * MASK: the multicast groups it joins (default 1: the kernel's; 2: udevd's; 3: both).
 * Prints "ready PID RCVBUF" and then answers commands read from stdin:
 *   stat   -> {"rcvbuf":..,"rmem_alloc":..,"drops":..,"events":..,"bytes":..,"enobufs":..,
 *              "marked":..,"marked_bytes":..,"queued":..}
 *   drain  -> read everything queued (counting events, payload bytes and ENOBUFS), then stat
 *   follow -> read everything queued and from now on every event as soon as it comes, then stat
 *   hold   -> stop reading again, then stat
 *   settle MS -> read every event as it comes until none came for MS ms (10 s at most), then
 *             stat with "settled" true (or false after 10 s): the queue is empty and quiet
 *   quit   -> exit 0
 * It never reads the socket unless told to, so it stalls exactly as long as the test wants.
 * With --mark, "marked" counts the events read that carry SYNTH_UUID=UUID (a test's own
 * synthetic uevents, written as "change UUID" to a uevent file): the rest came from elsewhere.
 * "queued" is rmem_alloc as the last drain found it, before reading: the charge of what it read.
 * "charge" adds up the fall of rmem_alloc across each read: between two moments when the queue
 * is empty (after settle), it grew by exactly the kernel's charge of the events that came.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#ifndef NETLINK_NO_ENOBUFS
#define NETLINK_NO_ENOBUFS 5
#endif

static int fd;
static unsigned long long events, bytes, enobufs, marked, marked_bytes;
static unsigned int queued;
static long long charge;
static bool settled;
static char mark[64]; /* "SYNTH_UUID=<uuid>", or empty: count nothing as marked */

static unsigned int rmem_alloc(void)
{
	unsigned int mi[SK_MEMINFO_VARS] = { 0 };
	socklen_t sl = sizeof(mi);

	getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &sl);
	return mi[SK_MEMINFO_RMEM_ALLOC];
}

/* Does the NUL-separated payload of n bytes hold the field mark exactly? */
static bool is_marked(const char *buf, size_t n)
{
	size_t len = strlen(mark);

	if (len == 0)
		return false;
	for (size_t i = 0; i < n; i += strnlen(buf + i, n - i) + 1)
		if (n - i >= len + 1 && memcmp(buf + i, mark, len + 1) == 0)
			return true;
	return false;
}

static void stat_line(void)
{
	unsigned int mi[SK_MEMINFO_VARS] = { 0 };
	socklen_t sl = sizeof(mi);
	int rb = 0;
	socklen_t rl = sizeof(rb);

	getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &sl);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, &rl);
	printf("{\"pid\":%d,\"rcvbuf\":%d,\"rmem_alloc\":%u,\"drops\":%u,\"events\":%llu,"
	       "\"bytes\":%llu,\"enobufs\":%llu,\"marked\":%llu,\"marked_bytes\":%llu,"
	       "\"queued\":%u,\"charge\":%lld,\"settled\":%s}\n",
	       (int)getpid(), rb, mi[SK_MEMINFO_RMEM_ALLOC], mi[SK_MEMINFO_DROPS], events, bytes,
	       enobufs, marked, marked_bytes, queued, charge, settled ? "true" : "false");
	fflush(stdout);
}

static void drain(void)
{
	static char buf[16384];

	queued = rmem_alloc();
	for (;;) {
		long long before = rmem_alloc();
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		charge += before - (long long)rmem_alloc();
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
		if (is_marked(buf, (size_t)n)) {
			marked++;
			marked_bytes += (unsigned long long)n;
		}
	}
}

/* Read everything as it comes until nothing came for ms milliseconds, or 10 s passed. */
static void settle(int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec t0, t;

	settled = false;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int r = poll(&p, 1, ms);

		if (r == 0) {
			settled = true;
			return;
		}
		if (r < 0 && errno != EINTR)
			return;
		drain();
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= 10)
			return;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	char line[64];
	bool follow = false;
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
		if (strcmp(argv[i], "--mark") == 0) {
			if (snprintf(mark, sizeof(mark), "SYNTH_UUID=%s", argv[++i]) >=
			    (int)sizeof(mark))
				goto usage;
			continue;
		}
		v = atoi(argv[i + 1]);
		if (strcmp(argv[i], "--groups") == 0)
			sa.nl_groups = (unsigned int)v;
		else if (strcmp(argv[i], "--rcvbuf") == 0)
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
	/* stdin is read with read(2), a line at a time: stdio would hide buffered lines from poll.
	 */
	for (size_t have = 0;;) {
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN },
				       { .fd = fd, .events = POLLIN } };
		char *nl;
		ssize_t n;

		if (poll(p, follow ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (follow && p[1].revents)
			drain();
		if (!p[0].revents)
			continue;
		n = read(0, line + have, sizeof(line) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		line[have] = '\0';
		while ((nl = strchr(line, '\n')) != NULL || have == sizeof(line) - 1) {
			size_t used = nl ? (size_t)(nl - line) + 1 : have;

			if (strncmp(line, "stat", 4) == 0)
				stat_line();
			else if (strncmp(line, "drain", 5) == 0) {
				drain();
				stat_line();
			} else if (strncmp(line, "follow", 6) == 0) {
				follow = true;
				drain();
				stat_line();
			} else if (strncmp(line, "settle ", 7) == 0) {
				settle(atoi(line + 7));
				stat_line();
			} else if (strncmp(line, "hold", 4) == 0) {
				follow = false;
				stat_line();
			} else if (strncmp(line, "quit", 4) == 0)
				return 0;
			memmove(line, line + used, have - used + 1);
			have -= used;
		}
	}
	return 0;
usage:
	fprintf(
	    stderr,
	    "usage: uevsock [--rcvbuf N | --force N] [--no-enobufs] [--comm NAME] [--mark UUID] "
	    "[--groups MASK]\n");
	return 2;
}
