/* SPDX-License-Identifier: MIT */
/* Clients that call and never read: N connections, each sending CALLS method calls to org.nltune1.
 */
/*
 * usage: busflood CONNS CALLS [METHOD]
 * Connects CONNS times to the system bus ($DBUS_SYSTEM_BUS_ADDRESS), sends CALLS calls of METHOD
 * (default Describe) on each without ever reading a reply, prints "sent N" and then waits for
 * stdin to close (or a signal) before it exits. What it sent and could not write stays queued.
 *        busflood --read
 * The opposite, a caller that reads: one connection, a synchronous Describe (5 s timeout) every
 * 10 ms until stdin closes, dispatching what else arrives between them (nltuned's Peer.Ping is
 * answered); prints "calls 20" after its 20th call and "answered N slowest_ms MS as NAME" at the
 * end, exit 1 as soon as a call fails.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

/* Never called: nothing here reads. A callback at all makes the calls expect a reply. */
static int never(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return 0;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static int reader(void)
{
	sd_bus_message *reply = NULL;
	sd_bus *b = NULL;
	const char *me = "?";
	long ok = 0, slowest = 0;
	char c;
	int r;

	fcntl(0, F_SETFL, O_NONBLOCK);
	r = sd_bus_open_system(&b);
	if (r >= 0)
		r = sd_bus_set_method_call_timeout(b, 5000000);
	if (r >= 0)
		r = sd_bus_get_unique_name(b, &me);
	while (r >= 0 && read(0, &c, 1) != 0) {
		long t0 = now_us(), took;

		r = sd_bus_call_method(b, "org.nltune1", "/org/nltune1", "org.nltune1.Manager",
				       "Describe", NULL, &reply, "");
		reply = sd_bus_message_unref(reply);
		if (r < 0)
			break;
		if (++ok == 20) { /* its first Pings have been answered by now */
			printf("calls 20\n");
			fflush(stdout);
		}
		took = now_us() - t0;
		if (took > slowest)
			slowest = took;
		while (r >= 0 && sd_bus_process(b, NULL) > 0)
			;
		usleep(10000);
	}
	printf("answered %ld slowest_ms %ld as %s\n", ok, slowest / 1000, me);
	if (r < 0)
		fprintf(stderr, "busflood: call %ld: %s\n", ok + 1, strerror(-r));
	sd_bus_flush_close_unref(b);
	return r < 0;
}

int main(int argc, char **argv)
{
	int conns = argc > 2 ? atoi(argv[1]) : 0, calls = argc > 2 ? atoi(argv[2]) : 0;
	const char *method = argc > 3 ? argv[3] : "Describe";
	sd_bus **bus;
	long sent = 0;
	char line[16];

	if (argc == 2 && strcmp(argv[1], "--read") == 0)
		return reader();
	if (conns <= 0 || calls <= 0) {
		fprintf(stderr, "usage: busflood CONNS CALLS [METHOD]\n");
		return 2;
	}
	bus = calloc((size_t)conns, sizeof(*bus));
	if (!bus)
		return 1;
	for (int i = 0; i < conns; i++) {
		const char *name;
		int r = sd_bus_open_system(&bus[i]);

		/* Wait for Hello: calls sent before it would only queue in this process. */
		if (r >= 0)
			r = sd_bus_get_unique_name(bus[i], &name);
		if (r < 0) {
			fprintf(stderr, "busflood: connection %d: %s\n", i, strerror(-r));
			break;
		}
		for (int k = 0; k < calls; k++)
			if (sd_bus_call_method_async(bus[i], NULL, "org.nltune1", "/org/nltune1",
						     "org.nltune1.Manager", method, never, NULL,
						     "") >= 0)
				sent++;
	}
	printf("sent %ld\n", sent);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}
