/* SPDX-License-Identifier: MIT */
/* A stand-in for polkitd that refuses every CheckAuthorization, after a delay. */
/*
 * usage: fakepolkit DELAY_MS
 * Owns org.freedesktop.PolicyKit1 on the system bus ($DBUS_SYSTEM_BUS_ADDRESS) and answers each
 * CheckAuthorization DELAY_MS milliseconds after it came with "not authorized, no challenge"
 * (nltuned then says AccessDenied). Takes the name over from an earlier one. Prints "ready"
 * once it owns the name; runs until killed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

static uint64_t delay_us;

static int on_due(sd_event_source *s, uint64_t usec, void *userdata)
{
	sd_bus_message *call = userdata;

	sd_bus_reply_method_return(call, "(bba{ss})", 0, 0, 0);
	sd_bus_message_unref(call);
	sd_event_source_unref(s);
	return 0;
}

static int check(sd_bus_message *call, void *userdata, sd_bus_error *error)
{
	sd_event_source *s = NULL;

	if (!delay_us)
		return sd_bus_reply_method_return(call, "(bba{ss})", 0, 0, 0);
	if (sd_event_add_time_relative(userdata, &s, CLOCK_MONOTONIC, delay_us, 1000, on_due,
				       sd_bus_message_ref(call)) < 0) {
		sd_bus_message_unref(call);
		return -ENOMEM;
	}
	return 1;
}

static const sd_bus_vtable authority[] = { SD_BUS_VTABLE_START(0),
					   SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us",
							 "(bba{ss})", check,
							 SD_BUS_VTABLE_UNPRIVILEGED),
					   SD_BUS_VTABLE_END };

int main(int argc, char **argv)
{
	sd_event *e = NULL;
	sd_bus *bus = NULL;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: fakepolkit DELAY_MS\n");
		return 2;
	}
	delay_us = strtoull(argv[1], NULL, 10) * 1000u;
	r = sd_event_default(&e);
	if (r >= 0)
		r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/PolicyKit1/Authority",
					     "org.freedesktop.PolicyKit1.Authority", authority, e);
	if (r >= 0)
		r = sd_bus_request_name(bus, "org.freedesktop.PolicyKit1",
					SD_BUS_NAME_ALLOW_REPLACEMENT |
					    SD_BUS_NAME_REPLACE_EXISTING);
	if (r >= 0)
		r = sd_bus_attach_event(bus, e, 0);
	if (r < 0) {
		fprintf(stderr, "fakepolkit: %s\n", strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	return sd_event_loop(e) < 0;
}
