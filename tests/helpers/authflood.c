/* SPDX-License-Identifier: MIT */
/* Callers of org.nltune1's Apply that leave before their answer, or ask many at once. */
/*
 * usage: authflood rounds N INTROSPECTS WAIT_MS
 * N times: connect to the system bus ($DBUS_SYSTEM_BUS_ADDRESS), send Apply(true) and then
 * INTROSPECTS Introspect calls without reading any reply, wait WAIT_MS milliseconds and hang up.
 * Prints "rounds N".
 *        authflood pending N
 * N connections, one Apply(true) on each; prints "reply ok" or "reply ERROR.NAME" for each
 * answer as it comes, and exits when stdin closes.
 *        authflood latency N
 * N times: connect, time one Recommend call (the call alone, not the connection), hang up.
 * Prints "latency_us median M max X"; exit 1 if a call fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#define DEST  "org.nltune1"
#define PATH  "/org/nltune1"
#define IFACE "org.nltune1.Manager"

/* Never called in rounds: nothing there reads. A callback makes the calls expect a reply. */
static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);

	printf("reply %s\n", e ? e->name : "ok");
	fflush(stdout);
	return 0;
}

static int rounds(int n, int introspects, int wait_ms)
{
	for (int i = 0; i < n; i++) {
		sd_bus *b = NULL;
		const char *me;
		int r = sd_bus_open_system(&b);

		if (r >= 0)
			r = sd_bus_get_unique_name(b, &me);
		if (r >= 0)
			r = sd_bus_call_method_async(b, NULL, DEST, PATH, IFACE, "Apply", on_reply,
						     NULL, "b", 1);
		for (int k = 0; r >= 0 && k < introspects; k++)
			r = sd_bus_call_method_async(b, NULL, DEST, PATH,
						     "org.freedesktop.DBus.Introspectable",
						     "Introspect", on_reply, NULL, "");
		if (r >= 0)
			r = sd_bus_flush(b);
		if (r < 0) {
			fprintf(stderr, "authflood: round %d: %s\n", i, strerror(-r));
			return 1;
		}
		usleep((useconds_t)wait_ms * 1000);
		sd_bus_close_unref(b);
	}
	printf("rounds %d\n", n);
	return 0;
}

static int pending(int n)
{
	sd_bus **bus = calloc((size_t)n, sizeof(*bus));
	int ret = 1;
	char c;

	if (!bus)
		return 1;
	for (int i = 0; i < n; i++) {
		const char *me;
		int r = sd_bus_open_system(&bus[i]);

		if (r >= 0)
			r = sd_bus_get_unique_name(bus[i], &me);
		if (r >= 0)
			r = sd_bus_call_method_async(bus[i], NULL, DEST, PATH, IFACE, "Apply",
						     on_reply, NULL, "b", 1);
		if (r < 0) {
			fprintf(stderr, "authflood: connection %d: %s\n", i, strerror(-r));
			n = i + 1;
			goto out;
		}
	}
	fcntl(0, F_SETFL, O_NONBLOCK);
	while (read(0, &c, 1) != 0) {
		for (int i = 0; i < n; i++)
			while (sd_bus_process(bus[i], NULL) > 0)
				;
		usleep(10000);
	}
	ret = 0;
out:
	for (int i = 0; i < n; i++)
		sd_bus_close_unref(bus[i]);
	free(bus);
	return ret;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int latency(int n)
{
	long *us = n > 0 ? calloc((size_t)n, sizeof(*us)) : NULL;

	if (!us)
		return 2;
	for (int i = 0; i < n; i++) {
		sd_bus_message *reply = NULL;
		sd_bus *b = NULL;
		const char *me;
		long t0;
		int r = sd_bus_open_system(&b);

		if (r >= 0)
			r = sd_bus_get_unique_name(b, &me);
		t0 = now_us();
		if (r >= 0)
			r = sd_bus_call_method(b, DEST, PATH, IFACE, "Recommend", NULL, &reply, "");
		us[i] = now_us() - t0;
		sd_bus_message_unref(reply);
		sd_bus_flush_close_unref(b);
		if (r < 0) {
			fprintf(stderr, "authflood: call %d: %s\n", i, strerror(-r));
			free(us);
			return 1;
		}
	}
	qsort(us, (size_t)n, sizeof(*us), cmp_long);
	printf("latency_us median %ld max %ld\n", us[n / 2], us[n - 1]);
	free(us);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "rounds") == 0)
		return rounds(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 3 && strcmp(argv[1], "pending") == 0)
		return pending(atoi(argv[2]));
	if (argc == 3 && strcmp(argv[1], "latency") == 0)
		return latency(atoi(argv[2]));
	fprintf(stderr, "usage: authflood rounds N INTROSPECTS WAIT_MS | pending N | latency N\n");
	return 2;
}
