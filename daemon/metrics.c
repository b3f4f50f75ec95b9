/* SPDX-License-Identifier: MIT */
/* Prometheus metrics named after the JSON keys with a nltune_ prefix. */
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "report.h"

/* A label value: backslash, quote and newline escaped; other control bytes dropped. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == '"')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c >= 0x20 && c != 0x7f)
			fputc(c, f);
	}
}

static void gauge(FILE *f, const char *name, const char *help, const char *type, uint64_t v)
{
	fprintf(f, "# HELP nltune_%s %s\n# TYPE nltune_%s %s\nnltune_%s %" PRIu64 "\n", name, help,
		name, type, name, v);
}

/* The labels of a record's series: its METRIC_LABEL fields, from the record's JSON. */
static void labels(FILE *f, const struct record_schema *s, json_object *rec)
{
	const char *sep = "{";

	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *fl = &s->fields[i];
		json_object *v = report_get(rec, fl->key);

		if (fl->metric != METRIC_LABEL)
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

/* One series per gauge or counter field of the record table, a sample per record in arr. */
static void record_series(FILE *f, const struct record_schema *s, json_object *arr)
{
	size_t n = arr ? json_object_array_length(arr) : 0;

	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *fl = &s->fields[i];
		const char *name = record_metric_name(fl);

		if (fl->metric != METRIC_GAUGE && fl->metric != METRIC_COUNTER)
			continue;
		fprintf(f, "# HELP nltune_%s_%s %s\n# TYPE nltune_%s_%s %s\n", s->name, name,
			fl->help, s->name, name,
			fl->metric == METRIC_COUNTER ? "counter" : "gauge");
		for (size_t k = 0; k < n; k++) {
			json_object *rec = json_object_array_get_idx(arr, k);

			fprintf(f, "nltune_%s_%s", s->name, name);
			labels(f, s, rec);
			fprintf(f, " %" PRIu64 "\n", report_u64(rec, fl->key));
		}
	}
}

void metrics_write(FILE *f, json_object *st, json_object *socks)
{
	json_object *sys = report_get(st, "sysctl"), *rec = report_get(st, "recommended"),
		    *ue = report_get(st, "uevents");
	json_object *alerts = report_get(st, "alerts");
	size_t n = socks ? json_object_array_length(socks) : 0;
	uint64_t dropping = 0, at_risk = 0;

	gauge(f, "rmem_default", "net.core.rmem_default in force, bytes", "gauge",
	      report_u64(sys, "rmem_default"));
	gauge(f, "rmem_max", "net.core.rmem_max in force, bytes", "gauge",
	      report_u64(sys, "rmem_max"));
	gauge(f, "recommended_rmem_default", "recommended net.core.rmem_default, bytes", "gauge",
	      report_u64(rec, "rmem_default"));
	gauge(f, "recommended_rmem_max", "recommended net.core.rmem_max, bytes", "gauge",
	      report_u64(rec, "rmem_max"));
	gauge(f, "need_bytes", "largest uevent charge within one window, bytes", "gauge",
	      report_u64(rec, "need_bytes"));
	gauge(f, "uevents_total", "uevents seen this boot", "counter", report_u64(ue, "total"));
	gauge(f, "window_ms", "the window peaks are measured over, ms", "gauge",
	      report_u64(ue, "window_ms"));
	gauge(f, "peak_events", "most uevents within one window this boot", "gauge",
	      report_u64(ue, "peak_events"));
	gauge(f, "peak_bytes", "largest uevent charge within one window this boot, bytes", "gauge",
	      report_u64(ue, "peak_bytes"));
	gauge(f, "own_drops", "uevents nltuned itself lost", "counter",
	      report_u64(ue, "own_drops"));
	for (size_t i = 0; i < n; i++) {
		const char *v = report_str(json_object_array_get_idx(socks, i), "verdict");

		dropping += strcmp(v, "dropping") == 0;
		at_risk += strcmp(v, "at-risk") == 0;
	}
	fprintf(f,
		"# HELP nltune_sockets netlink sockets by verdict\n# TYPE nltune_sockets gauge\n"
		"nltune_sockets{verdict=\"dropping\"} %" PRIu64 "\n"
		"nltune_sockets{verdict=\"at-risk\"} %" PRIu64 "\n"
		"nltune_sockets{verdict=\"ok\"} %" PRIu64 "\n",
		dropping, at_risk, (uint64_t)n - dropping - at_risk);
	gauge(f, "alerts", "alerts kept", "gauge", alerts ? json_object_array_length(alerts) : 0);
	record_series(f, &record_socket, socks);
}

int metrics_write_file(const char *path, json_object *status, json_object *sockets)
{
	char tmp[4200];
	FILE *f;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	fchmod(fd, 0644);
	metrics_write(f, status, sockets);
	if (fflush(f) != 0 || ferror(f))
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}
