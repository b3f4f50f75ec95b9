/* SPDX-License-Identifier: MIT */
/* nltuned's state and its one sd-event loop: meter, timers, signals, bus. */
#ifndef NLTUNE_MANAGER_H
#define NLTUNE_MANAGER_H

#include <systemd/sd-event.h>

#include "conf.h"
#include "meter.h"
#include "state.h"

struct bus;

struct manager {
	sd_event *event;
	sd_event_source *io, *burst_timer, *save_timer;
	struct nlt_conf conf;
	const char *conf_path;
	struct meter meter;
	uint64_t drops_reported;
	struct state state;        /* history as loaded, this boot's entry kept current */
	char boot_id[STATE_BOOT_ID_LEN + 1];
	uint64_t saved_peak_bytes; /* this boot's peak at the last save */
	struct bus *bus;
};

/* Open the meter and register every source; returns 0 or -errno, logs what failed. */
int manager_init(struct manager *m, const struct nlt_conf *conf, const char *conf_path);
/* Run until SIGTERM/SIGINT; returns the exit code. */
int manager_run(struct manager *m);
void manager_free(struct manager *m);
/* Re-read the configuration; a bad file keeps the old one. Returns 0 or -EINVAL. */
int manager_reload(struct manager *m);
/* Record this boot's peaks into the state and write it if they changed (or force). */
void manager_save_state(struct manager *m, int force);

#endif
