/* SPDX-License-Identifier: MIT */
/* Burst and totals records in the one vocabulary shared by --json, D-Bus and metrics. */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "recommend.h"
#include "sysctl.h"

const char *report_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes < 10000)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else if (bytes < 1000000)
		snprintf(buf, len, "%.1f kB", (double)bytes / 1e3);
	else if (bytes < 1000000000)
		snprintf(buf, len, "%.2f MB", (double)bytes / 1e6);
	else
		snprintf(buf, len, "%.2f GB", (double)bytes / 1e9);
	return buf;
}

static uint64_t burst_ms(const struct burst *b)
{
	return (b->end_us - b->start_us) / 1000;
}

json_object *report_burst_json(const struct burst *b)
{
	json_object *o = json_object_new_object(), *subs = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("burst"));
	json_object_object_add(o, "events", json_object_new_uint64(b->events));
	json_object_object_add(o, "bytes", json_object_new_uint64(b->bytes));
	json_object_object_add(o, "duration_ms", json_object_new_uint64(burst_ms(b)));
	for (size_t i = 0; i < b->nsubsys; i++)
		json_object_object_add(subs, b->subsys[i].name,
				       json_object_new_uint64(b->subsys[i].events));
	json_object_object_add(o, "subsystems", subs);
	return o;
}

void report_burst_text(char *buf, size_t len, const struct burst *b)
{
	char sz[32];
	size_t off;
	int n;

	n = snprintf(buf, len, "burst: %" PRIu64 " events, %s charged in %" PRIu64 " ms (",
		     b->events, report_size(sz, sizeof(sz), b->bytes), burst_ms(b));
	off = n < 0 ? 0 : (size_t)n;
	for (size_t i = 0; i < b->nsubsys && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s %" PRIu64, i ? ", " : "", b->subsys[i].name,
			     b->subsys[i].events);
		off += n < 0 ? 0 : (size_t)n;
	}
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

json_object *report_totals_json(const struct meter *mt)
{
	const struct burst_stats *s = &mt->stats;
	json_object *o = json_object_new_object(), *wins = json_object_new_array();

	json_object_object_add(o, "type", json_object_new_string("totals"));
	json_object_object_add(o, "events", json_object_new_uint64(s->total_events));
	json_object_object_add(o, "bytes", json_object_new_uint64(s->total_bytes));
	json_object_object_add(o, "window_ms",
			       json_object_new_uint64(burst_window(s, 2)->width_us / 1000));
	json_object_object_add(o, "peak_events", json_object_new_uint64(burst_peak_events(s)));
	json_object_object_add(o, "peak_bytes", json_object_new_uint64(burst_peak_bytes(s)));
	json_object_object_add(o, "own_drops", json_object_new_uint64(mt->mon.own_drops));
	json_object_object_add(o, "enobufs", json_object_new_uint64(mt->mon.enobufs));
	json_object_object_add(o, "malformed",
			       json_object_new_uint64(mt->malformed + mt->mon.truncated));
	json_object_object_add(o, "monitor_rcvbuf", json_object_new_uint64(mt->mon.rcvbuf));
	for (size_t i = 0; i < BURST_NWIN; i++) {
		const struct burst_window *w = burst_window(s, i);
		json_object *wo = json_object_new_object();

		json_object_object_add(wo, "window_ms", json_object_new_uint64(w->width_us / 1000));
		json_object_object_add(wo, "peak_events", json_object_new_uint64(w->peak_ev));
		json_object_object_add(wo, "peak_bytes", json_object_new_uint64(w->peak_bytes));
		json_object_array_add(wins, wo);
	}
	json_object_object_add(o, "windows", wins);
	return o;
}

void report_totals_text(char *buf, size_t len, const struct meter *mt)
{
	const struct burst_stats *s = &mt->stats;
	char a[32], b[32];

	snprintf(buf, len,
		 "totals: %" PRIu64 " events, %s charged; peak %" PRIu64 " events / %s in %" PRIu64
		 " ms; %" PRIu64 " lost by nltune itself",
		 s->total_events, report_size(a, sizeof(a), s->total_bytes), burst_peak_events(s),
		 report_size(b, sizeof(b), burst_peak_bytes(s)), burst_window(s, 2)->width_us / 1000,
		 mt->mon.own_drops);
}

void report_print_json(json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}

json_object *report_rmem_json(const struct rmem *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "rmem_default", json_object_new_uint64(v->rmem_default));
	json_object_object_add(o, "rmem_max", json_object_new_uint64(v->rmem_max));
	return o;
}

json_object *report_recommended_json(const struct recommendation *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "rmem_default", json_object_new_uint64(r->rmem_default));
	json_object_object_add(o, "rmem_max", json_object_new_uint64(r->rmem_max));
	json_object_object_add(o, "need_bytes", json_object_new_uint64(r->need_bytes));
	json_object_object_add(o, "need_events", json_object_new_uint64(r->need_events));
	json_object_object_add(o, "ceiling", json_object_new_uint64(r->ceiling));
	json_object_object_add(o, "reason", json_object_new_string(r->reason));
	return o;
}
