/* SPDX-License-Identifier: MIT */
/* Prometheus metrics: the JSON keys with a nltune_ prefix, base units and _total as promtool wants.
 */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nlscan.h"
#include "record.h"
#include "report.h"
#include "safedir.h"
#include "sanitize.h"
#include "verdict.h"

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
 * recs, labelled by identity only; then nltune_<record>_info with the describing labels.
 */
static void record_series(FILE *f, const struct record_schema *s, json_object *const *recs,
			  size_t n)
{
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
			fprintf(f, "nltune_%s_%s", s->name, name);
			labels(f, s, recs[k], false);
			if (fl->metric == METRIC_STATE)
				fprintf(f, " %" PRIu64 "\n",
					state_index(fl, report_str(recs[k], fl->key)));
			else
				fprintf(f, " %" PRIu64 "\n", report_u64(recs[k], fl->key));
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
		labels(f, s, recs[k], true);
		fputs(" 1\n", f);
	}
}

/* ---- which sockets get series of their own -------------------------------------------------- */

#define NPROTO	 33 /* netlink protocols 0-31 (MAX_LINKS), and one bucket for anything else */
#define NLIMIT	 5  /* enum nl_limit */
#define NVERDICT 3

struct pick {
	json_object *rec;
	unsigned rank; /* 0 dropping, 1 at risk, 2 ok */
	uint64_t holds, inode;
};

/* Index of name among names(0..n-1), or n if none. */
static unsigned name_index(const char *(*names)(unsigned), unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(names(i), name) == 0)
			break;
	return i;
}

static const char *limit_name(unsigned i)
{
	return verdict_limit_name((enum nl_limit)i);
}

static const char *verdict_of(unsigned i)
{
	return verdict_name((enum nl_verdict)i);
}

/* Dropping first, then at risk, then the fewest events held; the inode keeps the order stable. */
static int pick_cmp(const void *a, const void *b)
{
	const struct pick *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->holds != y->holds)
		return x->holds < y->holds ? -1 : 1;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

struct tally {
	uint64_t n[NPROTO][NLIMIT + 1][NVERDICT]; /* limit NLIMIT: unknown */
	uint64_t by_verdict[NVERDICT];
	size_t nshown, nlisteners;
	json_object *shown[METRICS_SOCKETS_MAX];
};

/* Count every socket; keep the METRICS_SOCKETS_MAX uevent listeners that matter most. */
static void tally(json_object *socks, struct tally *t)
{
	size_t n = socks ? json_object_array_length(socks) : 0;
	struct pick *p = n ? calloc(n, sizeof(*p)) : NULL;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		json_object *rec = json_object_array_get_idx(socks, i);
		uint64_t proto = report_u64(rec, "protocol");
		unsigned v = name_index(verdict_of, NVERDICT, report_str(rec, "verdict"));
		unsigned l = name_index(limit_name, NLIMIT, report_str(rec, "limit"));

		if (v == NVERDICT) /* unknown reads as ok, as nltune_socket_verdict does */
			v = VERDICT_OK;
		t->n[proto < NPROTO - 1 ? proto : NPROTO - 1][l][v]++;
		t->by_verdict[v]++;
		if (proto != NLSCAN_PROTO_UEVENT || !report_u64(rec, "groups"))
			continue;
		t->nlisteners++;
		if (p)
			p[t->nlisteners - 1] =
			    (struct pick){ rec, 2 - v, report_u64(rec, "holds_events"),
					   report_u64(rec, "inode") };
	}
	if (!p) { /* no memory: the counts alone */
		t->nshown = 0;
		return;
	}
	qsort(p, t->nlisteners, sizeof(*p), pick_cmp);
	t->nshown = t->nlisteners < METRICS_SOCKETS_MAX ? t->nlisteners : METRICS_SOCKETS_MAX;
	for (size_t i = 0; i < t->nshown; i++)
		t->shown[i] = p[i].rec;
	free(p);
}

/* nltune_netlink_sockets: every socket by protocol, limit and verdict; non-zero rows only. */
static void tally_series(FILE *f, const struct tally *t)
{
	header(f, "netlink_sockets", "netlink sockets by protocol, buffer limit and verdict",
	       "gauge");
	for (unsigned p = 0; p < NPROTO; p++)
		for (unsigned l = 0; l <= NLIMIT; l++)
			for (unsigned v = 0; v < NVERDICT; v++) {
				if (!t->n[p][l][v])
					continue;
				if (p < NPROTO - 1)
					fprintf(f, "nltune_netlink_sockets{protocol=\"%u\"", p);
				else
					fputs("nltune_netlink_sockets{protocol=\"other\"", f);
				fprintf(f, ",limit=\"%s\",verdict=\"%s\"} %" PRIu64 "\n",
					l < NLIMIT ? limit_name(l) : "unknown", verdict_of(v),
					t->n[p][l][v]);
			}
}

void metrics_write(FILE *f, json_object *st, json_object *socks)
{
	json_object *sys = report_get(st, "sysctl"), *rec = report_get(st, "recommended"),
		    *ue = report_get(st, "uevents");
	json_object *alerts = report_get(st, "alerts");
	struct tally *t = malloc(sizeof(*t));

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
	/* Group 2 beside group 1: a document without it (an older daemon's) shows zeros. */
	gauge(f, "udev_events_total", "udevd's re-broadcasts (group 2) seen this boot", "counter",
	      report_u64(report_get(ue, "udev"), "total"));
	gauge(f, "udev_peak_events", "most udevd messages within one window this boot", "gauge",
	      report_u64(report_get(ue, "udev"), "peak_events"));
	gauge(f, "udev_peak_bytes", "largest udevd message charge within one window this boot",
	      "gauge", report_u64(report_get(ue, "udev"), "peak_bytes"));
	gauge(f, "alerts", "alerts kept", "gauge", alerts ? json_object_array_length(alerts) : 0);
	if (!t) /* no memory: the file says so by lacking the socket families */
		return;
	tally(socks, t);
	header(f, "sockets", "netlink sockets by verdict", "gauge");
	fprintf(f,
		"nltune_sockets{verdict=\"dropping\"} %" PRIu64 "\n"
		"nltune_sockets{verdict=\"at-risk\"} %" PRIu64 "\n"
		"nltune_sockets{verdict=\"ok\"} %" PRIu64 "\n",
		t->by_verdict[VERDICT_DROPPING], t->by_verdict[VERDICT_AT_RISK],
		t->by_verdict[VERDICT_OK]);
	tally_series(f, t);
	fprintf(f,
		"# HELP nltune_socket_series_omitted uevent listeners without nltune_socket_* "
		"series of their own (beyond the %d that matter most)\n",
		METRICS_SOCKETS_MAX);
	fputs("# TYPE nltune_socket_series_omitted gauge\n", f);
	fprintf(f, "nltune_socket_series_omitted %zu\n", t->nlisteners - t->nshown);
	record_series(f, &record_socket, t->shown, t->nshown);
	free(t);
}

/* The exposition as text in *buf (the caller frees). 0/-errno. */
static int render(json_object *status, json_object *sockets, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f)
		return -errno;
	metrics_write(f, status, sockets);
	if (fclose(f) != 0) {
		free(*buf);
		*buf = NULL;
		return -EIO;
	}
	return 0;
}

/* Replace path with buf (mode), or only bump its mtime (buf NULL). 0/-errno. */
static int put_file(const char *path, mode_t mode, const char *buf, size_t len)
{
	char prefix[NAME_MAX + 1];
	const char *name;
	int dfd, r;

	dfd = safedir_open_parent(path, &name);
	if (dfd < 0)
		return dfd;
	/* "<name>.XXXXXX": the textfile collector reads *.prom only, so it skips the temporary. */
	if (snprintf(prefix, sizeof(prefix), "%s.", name) >= (int)sizeof(prefix) - 6)
		r = -ENAMETOOLONG;
	else if (buf)
		r = safedir_replace_mode(dfd, name, prefix, buf, len, mode);
	else
		r = utimensat(dfd, name, NULL, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	close(dfd);
	return r;
}

int metrics_write_file(const char *path, json_object *status, json_object *sockets)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = render(status, sockets, &buf, &len);
	if (r == 0)
		r = put_file(path, 0644, buf, len);
	free(buf);
	return r;
}

int metrics_file_update(struct metrics_file *mf, const char *path, mode_t mode, json_object *status,
			json_object *sockets, uint64_t now_ms)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = render(status, sockets, &buf, &len);
	if (r < 0)
		return r;
	if (mf->text && mf->len == len && mf->mode == mode && memcmp(mf->text, buf, len) == 0) {
		free(buf);
		if (now_ms - mf->written_ms < METRICS_REFRESH_MS)
			return 0;
		r = put_file(path, mode, NULL, 0);
		if (r < 0) { /* gone or replaced: write it whole next time */
			metrics_file_free(mf);
			return r;
		}
		mf->written_ms = now_ms;
		return 0;
	}
	r = put_file(path, mode, buf, len);
	metrics_file_free(mf);
	if (r < 0) {
		free(buf);
		return r;
	}
	mf->text = buf;
	mf->len = len;
	mf->mode = mode;
	mf->written_ms = now_ms;
	return 1;
}

int metrics_remove_temps(const char *path)
{
	char pattern[2 * NAME_MAX + 64];
	const char *name;
	size_t o = 0;
	int dfd, r;

	dfd = safedir_open_parent(path, &name);
	if (dfd < 0)
		return dfd;
	/* name with fnmatch's specials escaped, '.', then the six characters create_temp adds */
	for (; *name && o + 2 < sizeof(pattern) - 64; name++) {
		if (strchr("*?[]\\", *name))
			pattern[o++] = '\\';
		pattern[o++] = *name;
	}
	pattern[o] = '\0';
	strcat(pattern, ".[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]");
	r = safedir_remove_temps(dfd, pattern);
	close(dfd);
	return r;
}

void metrics_file_free(struct metrics_file *mf)
{
	free(mf->text);
	mf->text = NULL;
	mf->len = 0;
}
