/* SPDX-License-Identifier: MIT */
/* Clients that call and never read: N connections, each sending CALLS method calls to org.nltune1.
 */
/*
 * usage: busflood CONNS CALLS [METHOD]
 * Connects CONNS times to the system bus ($DBUS_SYSTEM_BUS_ADDRESS), sends CALLS calls of METHOD
 * (default Describe) on each without ever reading a reply, prints "sent N" and then waits for
 * stdin to close (or a signal) before it exits. What it sent and could not write stays queued.
 *        busflood --sync CALLS
 * The opposite: one connection, CALLS synchronous calls of Describe (sd_bus_call, 5 s each),
 * dispatching what else arrives between them (a Peer.Ping is answered); prints "answered N",
 * exit 1 if one was not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

/* Never called: nothing here reads. A callback at all makes the calls expect a reply. */
static int never(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return 0;
}

int main(int argc, char **argv)
{
	int conns = argc > 2 ? atoi(argv[1]) : 0, calls = argc > 2 ? atoi(argv[2]) : 0;
	const char *method = argc > 3 ? argv[3] : "Describe";
	sd_bus **bus;
	long sent = 0;
	char line[16];

	if (argc == 3 && strcmp(argv[1], "--sync") == 0) {
		sd_bus_message *reply = NULL;
		sd_bus *b = NULL;
		int n = atoi(argv[2]), ok = 0, r;

		r = sd_bus_open_system(&b);
		if (r >= 0)
			r = sd_bus_set_method_call_timeout(b, 5000000);
		for (int i = 0; r >= 0 && i < n; i++) {
			r = sd_bus_call_method(b, "org.nltune1", "/org/nltune1",
					       "org.nltune1.Manager", "Describe", NULL, &reply, "");
			reply = sd_bus_message_unref(reply);
			ok += r >= 0;
			while (r >= 0 && sd_bus_process(b, NULL) > 0)
				;
		}
		printf("answered %d\n", ok);
		if (r < 0)
			fprintf(stderr, "busflood: call %d: %s\n", ok + 1, strerror(-r));
		sd_bus_flush_close_unref(b);
		return ok == n ? 0 : 1;
	}
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
