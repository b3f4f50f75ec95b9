/* SPDX-License-Identifier: MIT */
/* Benchmark helper: round-trip latency of nltuned's D-Bus API, measured with sd-bus. */
/*
 * usage: buslat [N [KIND,...]]   (default 10000 calls of ping,describe,sockets,property)
 * Connects to the system bus (sd-bus honours DBUS_SYSTEM_BUS_ADDRESS) and makes N
 * synchronous calls of each kind, one after the other, to org.nltune1 /org/nltune1:
 *   ping      org.freedesktop.DBus.Peer.Ping
 *   describe  org.nltune1.Manager.Describe()
 *   sockets   org.nltune1.Manager.ListSockets()
 *   property  org.freedesktop.DBus.Properties.Get("org.nltune1.Manager", "RmemDefault")
 *   apply     org.nltune1.Manager.Apply(true): a dry run, authorized (root, or polkit asked)
 * Each call is timed from before sending to after the reply is parsed (CLOCK_MONOTONIC);
 * 1% of N (at least 10) untimed warm-up calls come first. Prints one line per kind:
 *   KIND calls=N median_us=X p99_us=Y mean_us=Z max_us=W
 * then, with the default kinds, "reply describe_bytes=N sockets=N" (the size of the answers
 * measured), and exits 1
 * if any call fails (the error is printed).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#define DEST  "org.nltune1"
#define PATH  "/org/nltune1"
#define IFACE "org.nltune1.Manager"

enum kind { PING, DESCRIBE, SOCKETS, PROPERTY, APPLY, KINDS };
static const char *const names[KINDS] = { "ping", "describe", "sockets", "property", "apply" };

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* One call of kind k; its reply is read to the end so parsing is part of the cost. */
static int call(sd_bus *bus, enum kind k, long *size)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const char *s;
	uint64_t v;
	int r;

	switch (k) {
	case PING:
		r = sd_bus_call_method(bus, DEST, PATH, "org.freedesktop.DBus.Peer", "Ping", &err,
				       &m, "");
		break;
	case DESCRIBE:
		r = sd_bus_call_method(bus, DEST, PATH, IFACE, "Describe", &err, &m, "");
		if (r >= 0 && (r = sd_bus_message_read(m, "s", &s)) >= 0 && s[0] != '{')
			r = -EBADMSG;
		if (r >= 0 && size)
			*size = (long)strlen(s);
		break;
	case SOCKETS:
		r = sd_bus_call_method(bus, DEST, PATH, IFACE, "ListSockets", &err, &m, "");
		if (r >= 0 && !size)
			r = sd_bus_message_skip(m, "aa{sv}");
		else if (r >= 0 && (r = sd_bus_message_enter_container(m, 'a', "a{sv}")) >= 0) {
			*size = 0;
			while ((r = sd_bus_message_skip(m, "a{sv}")) > 0)
				++*size;
		}
		break;
	case PROPERTY:
		r = sd_bus_call_method(bus, DEST, PATH, "org.freedesktop.DBus.Properties", "Get",
				       &err, &m, "ss", IFACE, "RmemDefault");
		if (r >= 0)
			r = sd_bus_message_read(m, "v", "t", &v);
		break;
	case APPLY:
		r = sd_bus_call_method(bus, DEST, PATH, IFACE, "Apply", &err, &m, "b", 1);
		if (r >= 0)
			r = sd_bus_message_read(m, "tt", &v, &v);
		break;
	default:
		r = -EINVAL;
	}
	if (r < 0)
		fprintf(stderr, "buslat: %s: %s\n", names[k],
			err.message ? err.message : strerror(-r));
	sd_bus_error_free(&err);
	sd_bus_message_unref(m);
	/* Dispatch what came meanwhile, as a client with a main loop does: nltuned's Peer.Ping
	 * (it asks callers with many replies outstanding to prove they read them) is answered. */
	while (r >= 0 && sd_bus_process(bus, NULL) > 0)
		;
	return r;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	long warm = n / 100 > 10 ? n / 100 : 10;
	sd_bus *bus = NULL;
	double *t;
	int r;

	const char *kinds = argc > 2 ? argv[2] : "ping,describe,sockets,property";
	bool run[KINDS] = { false };

	for (int k = 0; k < KINDS; k++) {
		size_t len = strlen(names[k]);

		for (const char *p = kinds; (p = strstr(p, names[k])) != NULL; p += len)
			if ((p == kinds || p[-1] == ',') && (p[len] == ',' || !p[len]))
				run[k] = true;
	}
	if (n <= 0) {
		fprintf(stderr, "usage: buslat [N [KIND,...]]\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 1;
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "buslat: cannot connect to the system bus: %s\n", strerror(-r));
		return 1;
	}
	for (int k = 0; k < KINDS; k++) {
		double sum = 0;

		if (!run[k])
			continue;
		for (long i = 0; i < warm; i++)
			if (call(bus, (enum kind)k, NULL) < 0)
				return 1;
		for (long i = 0; i < n; i++) {
			double a = now_us();

			if (call(bus, (enum kind)k, NULL) < 0)
				return 1;
			t[i] = now_us() - a;
			sum += t[i];
		}
		qsort(t, (size_t)n, sizeof(*t), cmp);
		printf("%s calls=%ld median_us=%.1f p99_us=%.1f mean_us=%.1f max_us=%.1f\n",
		       names[k], n, t[n / 2], t[(n * 99 + 99) / 100 - 1], sum / (double)n,
		       t[n - 1]);
		fflush(stdout);
	}
	if (argc <= 2) {
		long desc = 0, socks = 0;

		if (call(bus, DESCRIBE, &desc) < 0 || call(bus, SOCKETS, &socks) < 0)
			return 1;
		printf("reply describe_bytes=%ld sockets=%ld\n", desc, socks);
	}
	sd_bus_flush_close_unref(bus);
	free(t);
	return 0;
}
