/* SPDX-License-Identifier: MIT */
/* A stand-in that owns org.nltune1 and answers with badly typed replies (version skew, impostor).
 */
/*
 * usage: fakenltuned DESCRIBE_FILE
 * Owns org.nltune1 on the system bus ($DBUS_SYSTEM_BUS_ADDRESS), prints "ready", and answers
 * Describe() with the file's text as it is and ListSockets(), ListSocketsPage() and
 * ListSocketsJSON() with an array of strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

static char doc[65536];

static int describe(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return sd_bus_reply_method_return(m, "s", doc);
}

static int list_sockets(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return sd_bus_reply_method_return(m, "as", 2, "not", "a dictionary");
}

static int list_page(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return sd_bus_reply_method_return(m, "asu", 2, "not", "a dictionary", 2);
}

static int list_json(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return sd_bus_reply_method_return(m, "su", "[\"not\", \"a dictionary\"]", 2);
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Describe", "", "s", describe, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ListSockets", "", "as", list_sockets, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ListSocketsPage", "suituu", "asu", list_page, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ListSocketsJSON", "suituu", "su", list_json, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	size_t n;
	FILE *f;
	int r;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: fakenltuned DESCRIBE_FILE\n");
		return 2;
	}
	n = fread(doc, 1, sizeof(doc) - 1, f);
	doc[n] = '\0';
	fclose(f);
	r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, "/org/nltune1", "org.nltune1.Manager",
					     vtable, NULL);
	if (r >= 0)
		r = sd_bus_request_name(bus, "org.nltune1", 0);
	if (r < 0) {
		fprintf(stderr, "fakenltuned: %s\n", strerror(-r));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return 1;
		if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			return 1;
	}
}
