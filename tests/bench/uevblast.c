/* SPDX-License-Identifier: MIT */
/* Benchmark helper: emit N synthetic uevents by writing an action to one uevent file. */
/*
 * usage: uevblast N [FILE [ACTION]]     (defaults: /sys/class/net/lo/uevent, "change")
 * Each write() of ACTION to a sysfs uevent file makes the kernel broadcast one uevent on
 * NETLINK_KOBJECT_UEVENT. Prints "emitted N in S s (R/s)" on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *file = argc > 2 ? argv[2] : "/sys/class/net/lo/uevent";
	const char *action = argc > 3 ? argv[3] : "change";
	size_t len = strlen(action);
	struct timespec a, b;
	long long n, i;
	double s;
	int fd;

	if (argc < 2 || (n = atoll(argv[1])) <= 0) {
		fprintf(stderr, "usage: uevblast N [FILE [ACTION]]\n");
		return 2;
	}
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "uevblast: %s: %s\n", file, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		if (write(fd, action, len) < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			fprintf(stderr, "uevblast: write %s after %lld: %s\n", file, i,
				strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	fprintf(stderr, "emitted %lld in %.2f s (%.0f/s)\n", n, s, s > 0 ? (double)n / s : 0.0);
	close(fd);
	return 0;
}
