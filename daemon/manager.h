/* SPDX-License-Identifier: MIT */
/* nltuned's state and its one sd-event loop: meter, scanner, alerts, state, bus. */
#ifndef NLTUNE_MANAGER_H
#define NLTUNE_MANAGER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "alerts.h"
#include "conf.h"
#include "meter.h"
#include "scan.h"
#include "snapshot.h"

struct bus;

struct manager {
	sd_event *event;
	sd_event_source *io, *burst_timer, *save_timer, *scan_timer, *watchdog;
	struct nlt_conf conf;
	const char *conf_path;
	struct meter meter;
	uint64_t meter_inode; /* our own uevent socket, left out of socket alerts */
	uint64_t drops_reported;
	uint64_t drops_total;	   /* drops seen on every netlink socket since start */
	struct snapshot snap;	   /* sysctls, recommendation, history (snap.state) */
	uint64_t saved_peak_bytes; /* this boot's peak at the last save */
	struct scanner scan;
	bool scanned;
	struct alerts *alerts;
	uint64_t watchdog_usec;
	struct bus *bus;
};

/* Open the meter and register every source; returns 0 or -errno, logs what failed. */
int manager_init(struct manager *m, const struct nlt_conf *conf, const char *conf_path);
/* Run until SIGTERM/SIGINT; returns the exit code. */
int manager_run(struct manager *m);
void manager_free(struct manager *m);

/* Re-read the configuration; a bad file keeps the old one: -EINVAL with why in err. */
int manager_reload(struct manager *m, char *err, size_t errlen);
/* Record this boot's peaks into the state and write it if they changed (or force). */
void manager_save_state(struct manager *m, int force);
/* Scan every netlink socket now, raise alerts, refresh the recommendation. */
void manager_scan(struct manager *m);

/* The `status --json` document (source "daemon"); caller owns it. */
json_object *manager_status_json(struct manager *m);
/*
 * Apply the recommendation under the policy (dry_run: only compute). *after is
 * what is in force afterwards. 0, or -errno with err filled.
 */
int manager_apply(struct manager *m, bool dry_run, struct rmem *after, char *err, size_t errlen);
/* Raise the socket inode to size bytes (0 = recommended) in its first holder. 0 or -errno. */
int manager_fix_socket(struct manager *m, uint64_t inode, uint64_t size, uint64_t *rcvbuf,
		       char *err, size_t errlen);

#endif
