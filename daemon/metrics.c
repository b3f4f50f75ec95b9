/* SPDX-License-Identifier: MIT */
/* Prometheus metrics: the JSON keys with a nltune_ prefix, base units and _total as promtool wants.
 */
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "report.h"
#include "safedir.h"
#include "sanitize.h"

/* A label value: sanitized (control bytes become '?'), then backslash and quote escaped. */
static void label(FILE *f, const char *text)
{
	char buf[256];
	const char *s = sanitize_text(buf, sizeof(buf), text);

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == '"')
			fputc('\\', f);
		fputc(c, f);
	}
}

static void header(FILE *f, const char *name, const char *help, const char *type)
{
	fprintf(f, "# HELP nltune_%s %s\n# TYPE nltune_%s %s\n", name, help, name, type);
}

static void gauge(FILE *f, const char *name, const char *help, const char *type, uint64_t v)
{
	header(f, name, help, type);
	fprintf(f, "nltune_%s %" PRIu64 "\n", name, v);
}

/* The labels of kind (METRIC_LABEL, or METRIC_LABEL and METRIC_INFO) from a record's JSON. */
static void labels(FILE *f, const struct record_schema *s, json_object *rec, bool info)
{
	const char *sep = "{";

	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *fl = &s->fields[i];
		json_object *v = report_get(rec, fl->key);

		if (fl->metric != METRIC_LABEL && (!info || fl->metric != METRIC_INFO))
			continue;
		fprintf(f, "%s%s=\"", sep, record_metric_name(fl));
		sep = ",";
		if (fl->type == FIELD_PIDS)
			v = v && json_object_array_length(v) ? json_object_array_get_idx(v, 0)
							     : NULL;
		if (fl->type == FIELD_STR)
			label(f, v ? json_object_get_string(v) : "");
		else
			fprintf(f, "%" PRIu64, v ? (uint64_t)json_object_get_uint64(v) : 0);
		fputc('"', f);
	}
	fputs(sep[0] == ',' ? "}" : "", f);
}

/* A METRIC_STATE value: its index among the field's states (the first if unknown). */
static uint64_t state_index(const struct field *fl, const char *v)
{
	for (uint64_t i = 0; v && fl->states[i]; i++)
		if (strcmp(fl->states[i], v) == 0)
			return i;
	return 0;
}

/*
 * One series per gauge, counter or state field of the record table, a sample per record in
 * arr, labelled by identity only; then nltune_<record>_info with the describing labels.
 */
static void record_series(FILE *f, const struct record_schema *s, json_object *arr)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	bool has_info = false;

	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *fl = &s->fields[i];
		const char *name = record_metric_name(fl);

		has_info |= fl->metric == METRIC_INFO;
		if (fl->metric != METRIC_GAUGE && fl->metric != METRIC_COUNTER &&
		    fl->metric != METRIC_STATE)
			continue;
		fprintf(f, "# HELP nltune_%s_%s %s\n# TYPE nltune_%s_%s %s\n", s->name, name,
			fl->help, s->name, name,
			fl->metric == METRIC_COUNTER ? "counter" : "gauge");
		for (size_t k = 0; k < n; k++) {
			json_object *rec = json_object_array_get_idx(arr, k);

			fprintf(f, "nltune_%s_%s", s->name, name);
			labels(f, s, rec, false);
			if (fl->metric == METRIC_STATE)
				fprintf(f, " %" PRIu64 "\n",
					state_index(fl, report_str(rec, fl->key)));
			else
				fprintf(f, " %" PRIu64 "\n", report_u64(rec, fl->key));
		}
	}
	if (!has_info)
		return;
	fprintf(f,
		"# HELP nltune_%s_info what describes each %s: owner, limit (always 1)\n"
		"# TYPE nltune_%s_info gauge\n",
		s->name, s->name, s->name);
	for (size_t k = 0; k < n; k++) {
		fprintf(f, "nltune_%s_info", s->name);
		labels(f, s, json_object_array_get_idx(arr, k), true);
		fputs(" 1\n", f);
	}
}

void metrics_write(FILE *f, json_object *st, json_object *socks)
{
	json_object *sys = report_get(st, "sysctl"), *rec = report_get(st, "recommended"),
		    *ue = report_get(st, "uevents");
	json_object *alerts = report_get(st, "alerts");
	size_t n = socks ? json_object_array_length(socks) : 0;
	uint64_t dropping = 0, at_risk = 0;

	header(f, "build_info", "the nltune version that wrote these metrics (always 1)", "gauge");
	fputs("nltune_build_info{version=\"", f);
	label(f, NLTUNE_VERSION);
	fputs("\"} 1\n", f);
	gauge(f, "rmem_default_bytes", "net.core.rmem_default in force", "gauge",
	      report_u64(sys, "rmem_default"));
	gauge(f, "rmem_max_bytes", "net.core.rmem_max in force", "gauge",
	      report_u64(sys, "rmem_max"));
	gauge(f, "recommended_rmem_default_bytes", "recommended net.core.rmem_default", "gauge",
	      report_u64(rec, "rmem_default"));
	gauge(f, "recommended_rmem_max_bytes", "recommended net.core.rmem_max", "gauge",
	      report_u64(rec, "rmem_max"));
	gauge(f, "need_bytes", "largest uevent charge within one window", "gauge",
	      report_u64(rec, "need_bytes"));
	gauge(f, "uevents_total", "uevents seen this boot", "counter", report_u64(ue, "total"));
	header(f, "window_seconds", "the window peaks are measured over", "gauge");
	fprintf(f, "nltune_window_seconds %.3f\n", (double)report_u64(ue, "window_ms") / 1000.0);
	gauge(f, "peak_events", "most uevents within one window this boot", "gauge",
	      report_u64(ue, "peak_events"));
	gauge(f, "peak_bytes", "largest uevent charge within one window this boot", "gauge",
	      report_u64(ue, "peak_bytes"));
	gauge(f, "own_drops_total", "uevents nltuned itself lost", "counter",
	      report_u64(ue, "own_drops"));
	for (size_t i = 0; i < n; i++) {
		const char *v = report_str(json_object_array_get_idx(socks, i), "verdict");

		dropping += strcmp(v, "dropping") == 0;
		at_risk += strcmp(v, "at-risk") == 0;
	}
	header(f, "sockets", "netlink sockets by verdict", "gauge");
	fprintf(f,
		"nltune_sockets{verdict=\"dropping\"} %" PRIu64 "\n"
		"nltune_sockets{verdict=\"at-risk\"} %" PRIu64 "\n"
		"nltune_sockets{verdict=\"ok\"} %" PRIu64 "\n",
		dropping, at_risk, (uint64_t)n - dropping - at_risk);
	gauge(f, "alerts", "alerts kept", "gauge", alerts ? json_object_array_length(alerts) : 0);
	record_series(f, &record_socket, socks);
}

static unsigned int file_mode = 0644;

void metrics_set_file_mode(unsigned int mode)
{
	file_mode = mode;
}

int metrics_write_file(const char *path, json_object *status, json_object *sockets)
{
	char prefix[NAME_MAX + 1], *buf = NULL;
	const char *name;
	size_t len = 0;
	FILE *f;
	int dfd, r = 0;

	dfd = safedir_open_parent(path, &name);
	if (dfd < 0)
		return dfd;
	/* "<name>.XXXXXX": the textfile collector reads *.prom only, so it skips the temporary. */
	if (snprintf(prefix, sizeof(prefix), "%s.", name) >= (int)sizeof(prefix) - 6) {
		close(dfd);
		return -ENAMETOOLONG;
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		r = -errno;
		close(dfd);
		return r;
	}
	metrics_write(f, status, sockets);
	if (fclose(f) != 0)
		r = -EIO;
	if (r == 0)
		r = safedir_replace_mode(dfd, name, prefix, buf, len, file_mode);
	free(buf);
	close(dfd);
	return r;
}
