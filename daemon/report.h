/* SPDX-License-Identifier: MIT */
/* Shared vocabulary for output: JSON objects (json-c) and one-line texts of bursts and totals. */
#ifndef NLTUNE_REPORT_H
#define NLTUNE_REPORT_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "burst.h"
#include "meter.h"

/* "832 B", "12.3 kB", "1.53 MB": decimal units, as a person reads them. */
const char *report_size(char *buf, size_t len, uint64_t bytes);

/* {"events","bytes","duration_ms","subsystems":{name:n}} ; caller owns the object. */
json_object *report_burst_json(const struct burst *b);
/* "burst: 2000 events, 1.66 MB charged in 41 ms (net 2000)" */
void report_burst_text(char *buf, size_t len, const struct burst *b);

/* Totals of a meter: events, bytes, peak_events, peak_bytes, own_drops, window_ms, ... */
json_object *report_totals_json(const struct meter *mt);
void report_totals_text(char *buf, size_t len, const struct meter *mt);

/* Print obj as one line on stdout, then free it. */
void report_print_json(json_object *obj);



struct recommendation;
struct rmem;

/* {"rmem_default","rmem_max"} */
json_object *report_rmem_json(const struct rmem *v);
/* {"rmem_default","rmem_max","need_bytes","need_events","ceiling","reason"} */
json_object *report_recommended_json(const struct recommendation *r);
#endif
