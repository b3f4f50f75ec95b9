/* SPDX-License-Identifier: MIT */
/* Shared vocabulary for output: JSON objects (json-c) and one-line texts of bursts and totals. */
#ifndef NLTUNE_REPORT_H
#define NLTUNE_REPORT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burst.h"
#include "meter.h"
#include "units.h"

/* {"events","bytes","duration_ms","subsystems":{name:n}} ; caller owns the object. */
json_object *report_burst_json(const struct burst *b);
/* "burst: 2000 events, 1.66 MB charged in 41 ms (net 2000)" */
void report_burst_text(char *buf, size_t len, const struct burst *b);

/* Totals of a meter: events, bytes, peak_events, peak_bytes, own_drops, window_ms, ... */
json_object *report_totals_json(const struct meter *mt);
void report_totals_text(char *buf, size_t len, const struct meter *mt);

/* Members of a JSON object, or 0 / "" / NULL when o is NULL or lacks key. */
uint64_t report_u64(json_object *o, const char *key);
const char *report_str(json_object *o, const char *key);
json_object *report_get(json_object *o, const char *key);

/* Print obj on stdout, as one line or indented (pretty), then free it. */
void report_print_json(json_object *obj, bool pretty);

struct recommendation;
struct rmem;

/* {"rmem_default","rmem_max"} */
json_object *report_rmem_json(const struct rmem *v);
/* {"rmem_default","rmem_max","need_bytes","need_events","ceiling","reason"}, "cost" once known */
json_object *report_recommended_json(const struct recommendation *r);
/*
 * The cost of the raise: {"inheriting":{"netlink":N,"udp":N,"unix_dgram":N,"packet":N},
 * "worst_case_bytes","rmem_default","udp_mem_bytes","cut":[family...],
 * "unavailable":{family:why},"at_risk","at_risk_own_buffer"}; a family that could not
 * be dumped is left out of "inheriting".
 */
json_object *report_cost_json(const struct recommendation *r);
struct sockrow;
struct alert;

struct record_schema;

/* A SOCKET record (README.md, JSON). */
json_object *report_socket_json(const struct sockrow *r);
/* An ALERT record (README.md, JSON); time as ISO 8601 UTC. */
json_object *report_alert_json(const struct alert *a);

struct scanner;
struct scan_filter;

/* Everything `status` shows, from the daemon or from a local snapshot. */
struct status_input {
	const char *source; /* "daemon" or "local" */
	const struct rmem *sysctl;
	const struct recommendation *rec;
	uint64_t events_total, window_ms, peak_events, peak_bytes, own_drops;
	uint64_t udev_total, udev_peak_events, udev_peak_bytes; /* group 2: udevd's */
	const struct state_boot *boot; /* this boot's record: its measured coldplug; may be NULL */
	const struct scanner *scan;
	const struct alert *alerts;
	size_t nalerts;
};

struct state_boot;
/*
 * The `status --json` document (README.md, JSON); "uevents" also carries
 * coldplug_events, coldplug_bytes and coldplug_ms once this boot's coldplug
 * burst was measured, and "udev" (group 2: {"total","peak_events","peak_bytes"},
 * with its own coldplug_* once measured) always.
 */
json_object *report_status_json(const struct status_input *in);
/* Array of SOCKET: problems only, or all; worst first. */
json_object *report_sockets_json(const struct scanner *sc, bool all);
/* Array of ALERT, oldest first. */
json_object *report_alerts_json(const struct alert *a, size_t n);
struct state;
/*
 * `history --json`: {"coldplug":{"devices","bytes"},"boots":[{"boot_id","current",
 * "updated","peak_events","peak_bytes","window_ms","total_events","coldplug_burst":
 * {"events","bytes","duration_ms"},"udev":{"peak_events","peak_bytes","total_events",
 * "coldplug_burst"} (group 2, when heard),"writes":[{"time","by","before","after"}],"reverted"},
 * ...]}, oldest first; boot_id (may be NULL) marks the current boot.
 */
json_object *report_history_json(const struct state *s, const char *boot_id);
/* Row indexes of sc sorted worst first (dropping, at-risk, ok; then drops). Caller frees. */
size_t *report_rows_by_severity(const struct scanner *sc, bool all, size_t *n);
/* The same for the rows that pass f (NULL: all), worst first. Caller frees. */
size_t *report_rows_matching(const struct scanner *sc, const struct scan_filter *f, size_t *n);
/*
 * The rows idx[0..n) of sc as one JSON array of SOCKET, the text json-c writes
 * for report_socket_json() of each (plain, no slash escaped), built without a
 * JSON object per row: 20,000 rows in a fraction of the time. Caller frees;
 * NULL without memory.
 */
char *report_sockets_text(const struct scanner *sc, const size_t *idx, size_t n);

#endif
