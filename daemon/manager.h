/* SPDX-License-Identifier: MIT */
/*
 * nltuned's state and its one sd-event loop: meter, scanner, alerts, state. Whoever serves it
 * (dbus/bus.c) reads struct manager_status, calls the verbs below and is told of alerts and
 * changes through struct manager_hooks; the manager knows nothing of its servers.
 */
#ifndef NLTUNE_MANAGER_H
#define NLTUNE_MANAGER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

#include "alerts.h"
#include "conf.h"
#include "cost.h"
#include "log.h"
#include "metrics.h"
#include "meter.h"
#include "scan.h"
#include "snapshot.h"

/* The read model: what nltuned shows as properties, kept current by the manager. */
struct manager_status {
	uint64_t rmem_default, rmem_max;	 /* in force */
	uint64_t rec_rmem_default, rec_rmem_max; /* recommended */
	uint64_t events_total, peak_bytes;	 /* this boot */
	uint64_t drops_total; /* on every netlink socket, nltuned's own included */
	uint32_t peak_events;
	uint64_t udev_events_total, udev_peak_bytes; /* group 2 (udevd's), this boot */
	uint32_t udev_peak_events;
	const char *policy; /* static name */
	const char *version;
};

/* What the manager tells its server; every member may be NULL. */
struct manager_hooks {
	void *ctx;
	/* An alert was raised: the ALERT record (borrowed for the call). */
	void (*alert)(void *ctx, json_object *alert);
	/* status may have changed (after a scan, an apply, a reload). */
	void (*changed)(void *ctx, const struct manager_status *status);
};

struct manager {
	sd_event *event;
	sd_event_source *io, *burst_timer, *save_timer, *scan_timer, *watchdog;
	sd_event_source *mounts; /* until the state directory is there */
	int mounts_fd;
	struct nlt_conf conf;
	const char *conf_path;
	struct meter meter;
	uint64_t meter_inode; /* our own uevent socket, left out of socket alerts */
	uint64_t drops_reported;
	uint64_t drops_total;		/* drops seen on every netlink socket since start */
	struct snapshot snap;		/* sysctls, recommendation, history (snap.state) */
	uint64_t saved_peak_bytes;	/* this boot's peak at the last save */
	uint64_t saved_udev_peak_bytes; /* group 2's */
	struct scanner scan;
	struct cost_count cost;	    /* the sockets a raise reaches, counted on demand */
	struct cost_risk cost_risk; /* the scan's sockets at risk */
	uint64_t cost_runs;	    /* the scan run the count belongs to; 0 = none yet */
	bool scanned;
	uint64_t scanned_ms;	  /* monotonic time of the last scan */
	bool scan_all_netns;	  /* the next scan widens its turn of namespaces */
	unsigned int scan_factor; /* the next routine scan in scan-intervals (grows at rest) */
	struct alerts *alerts;
	struct fixlog *fixes; /* sockets nltune raised live this boot; NULL without memory */
	uint64_t watchdog_usec;
	struct manager_status status;
	struct manager_hooks hooks;
	struct log_repeat metrics_fail, scan_fail; /* failures that repeat every scan */
	struct metrics_file metrics_out;	   /* what metrics-file last got */
	struct {				   /* autofix's log budget */
		uint64_t start_ms, more;
		unsigned int lines;
	} autofix_log;
};

/* Open the meter and register every source; returns 0 or -errno, logs what failed. */
int manager_init(struct manager *m, const struct nlt_conf *conf, const char *conf_path);
/* Run until SIGTERM/SIGINT; returns the exit code. */
int manager_run(struct manager *m);
void manager_free(struct manager *m);

/* Tell hooks of alerts and changes from now on. */
void manager_set_hooks(struct manager *m, const struct manager_hooks *hooks);

/*
 * The first scan waits at most usec (the server is taking its name: a scan of many sockets
 * would hold up its answers), or until manager_release_first_scan(). No-op once scanned.
 */
void manager_hold_first_scan(struct manager *m, uint64_t usec);
void manager_release_first_scan(struct manager *m);

/* Re-read the configuration; a bad file keeps the old one: -EINVAL with why in err. */
int manager_reload(struct manager *m, char *err, size_t errlen);

/*
 * The listings below show a caller of uid what hide.h allows it: with hidepid on /proc (or
 * hide-owners = yes) a caller other than root sees the owners of its own user's sockets only.
 * manager_view_uid() is 0 when uid sees everything (root, or nothing hidden), else uid: the
 * callers with the same view_uid see the same documents.
 */
uint32_t manager_view_uid(struct manager *m, uint32_t uid);
/* Whether some callers see fewer owners than root does (hidepid, hide-owners = yes). */
bool manager_hides_owners(struct manager *m);
/* The `status --json` document (source "daemon") after a scan if none ran yet, with at most
 * max sockets (the rest counted in "sockets_omitted"); caller owns it. */
json_object *manager_describe(struct manager *m, size_t max_sockets, uint32_t uid);
/* Array of SOCKET (all, worst first, at most max) after a scan if none ran yet. */
json_object *manager_sockets_json(struct manager *m, size_t max, uint32_t uid);
/*
 * The sockets that pass f (NULL: all), worst first, from offset, at most limit; *total
 * counts every one that passes, so a caller sees what it did not get. A filter on pid or
 * netns matches what the caller sees.
 */
json_object *manager_sockets_page(struct manager *m, const struct scan_filter *f, size_t offset,
				  size_t limit, size_t *total, uint32_t uid);
/* The same page as the JSON text report_sockets_text() writes; NULL without memory. */
char *manager_sockets_page_text(struct manager *m, const struct scan_filter *f, size_t offset,
				size_t limit, size_t *total, uint32_t uid);
/* Array of ALERT, oldest first, as uid sees them (MANAGER_UID_ANYONE: as a broadcast shows them).
 */
#define MANAGER_UID_ANYONE UINT32_MAX
json_object *manager_alerts_json(struct manager *m, uint32_t uid);
/* Refresh the recommendation from the sysctls in force and the peaks; it stays valid until
 * the next call into the manager. */
const struct recommendation *manager_recommend(struct manager *m);
/*
 * Apply the recommendation under the policy (dry_run: only compute). *after is
 * what is in force afterwards. 0, or -errno with err filled.
 */
int manager_apply(struct manager *m, bool dry_run, struct rmem *after, char *err, size_t errlen);
/*
 * Put back the values in force before nltune first wrote them this boot and
 * remove the --persist drop-in (dry_run: compute only); the values in force
 * afterwards. 0 or -errno with err (what was written is restored).
 */
int manager_revert(struct manager *m, bool dry_run, struct rmem *after, char *err, size_t errlen);
/*
 * Raise the uevent socket inode to size bytes (0 = recommended) in its first holder. 0, or
 * -ENOENT (no such socket), -EPROTOTYPE (not a uevent socket), -ESRCH (no holder) or what
 * fixsock_raise returns, with err filled.
 */
int manager_fix_socket(struct manager *m, uint64_t inode, uint64_t size, uint64_t *rcvbuf,
		       char *err, size_t errlen);

#endif
