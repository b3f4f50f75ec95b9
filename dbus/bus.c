/* SPDX-License-Identifier: MIT */
/* nltuned on the system bus: connection to org.nltune1 on the manager's sd-event loop. */
#include "bus.h"

#include <errno.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "manager.h"

struct bus {
	sd_bus *bus;
};

static struct bus the_bus;

int bus_start(struct manager *m)
{
	int r = sd_bus_open_system(&the_bus.bus);

	if (r >= 0)
		r = sd_bus_attach_event(the_bus.bus, m->event, 0);
	if (r < 0) {
		log_warnx("no system bus (%s): D-Bus API off, measuring anyway", strerror(-r));
		the_bus.bus = sd_bus_flush_close_unref(the_bus.bus);
		return r;
	}
	m->bus = &the_bus;
	return 0;
}

void bus_stop(struct manager *m)
{
	if (!m->bus)
		return;
	m->bus->bus = sd_bus_flush_close_unref(m->bus->bus);
	m->bus = NULL;
}
