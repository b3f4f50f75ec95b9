/* SPDX-License-Identifier: MIT */
/* Tests of metrics: a valid Prometheus text exposition, escaped labels, an atomic textfile. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "alerts.h"
#include "metrics.h"
#include "recommend.h"
#include "report.h"
#include "scan.h"
#include "sysctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char status_text[] =
    "{\"source\":\"local\","
    "\"sysctl\":{\"rmem_default\":212992,\"rmem_max\":4194304},"
    "\"recommended\":{\"rmem_default\":3330048,\"rmem_max\":3334144,\"need_bytes\":1664000,"
    "\"need_events\":2000,\"ceiling\":33554432,\"reason\":\"2000 events\"},"
    "\"uevents\":{\"total\":4000,\"window_ms\":1000,\"peak_events\":2000,"
    "\"peak_bytes\":1664000,\"own_drops\":3},"
    "\"sockets\":[],\"alerts\":[{\"id\":1},{\"id\":2}]}";

static const char sockets_text[] =
    "[{\"inode\":4242,\"protocol\":15,\"portid\":812,\"netns\":4026531840,\"pids\":[812,813],"
    "\"comm\":\"udevd\",\"groups\":1,\"rcvbuf\":2304,\"queued\":1664,\"drops\":17,"
    "\"holds_events\":2,\"limit\":\"minimum\",\"verdict\":\"dropping\","
    "\"fix\":\"nltune fix 812\"},"
    "{\"inode\":4243,\"protocol\":15,\"portid\":900,\"netns\":4026531840,\"pids\":[900],"
    "\"comm\":\"NetworkManager\",\"groups\":1,\"rcvbuf\":212992,\"queued\":0,\"drops\":0,"
    "\"holds_events\":256,\"limit\":\"default\",\"verdict\":\"at-risk\",\"fix\":\"raise it\"},"
    "{\"inode\":17,\"protocol\":0,\"portid\":0,\"netns\":4026531840,\"pids\":[],"
    "\"comm\":\"\",\"groups\":0,\"rcvbuf\":212992,\"queued\":0,\"drops\":0,"
    "\"holds_events\":0,\"limit\":\"default\",\"verdict\":\"ok\",\"fix\":\"\"}]";

/* ---- helpers -------------------------------------------------------------------------------- */

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

/* What metrics_write prints; the caller frees. */
static char *capture(json_object *status, json_object *sockets)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	metrics_write(f, status, sockets);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static char *capture_default(void)
{
	json_object *st = parse(status_text), *socks = parse(sockets_text);
	char *out = capture(st, socks);

	json_object_put(st);
	json_object_put(socks);
	return out;
}

/* Does text hold line as a whole line? */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void assert_line(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void assert_lines(const char *text, const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_line(text, lines[i]);
}

static size_t count_prefix(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p = text;

	while (*p) {
		n += strncmp(p, prefix, len) == 0;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return n;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/* Length of a metric or label name at s (0 if none). */
static size_t name_len(const char *s)
{
	size_t n = 0;

	while (name_char(s[n], n == 0))
		n++;
	return n;
}

struct family {
	char name[64];
	bool help, type;
	size_t samples;
};

struct exposition {
	struct family fam[64];
	size_t nfam, samples;
};

static struct family *family(struct exposition *e, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < e->nfam; i++)
		if (strlen(e->fam[i].name) == len && strncmp(e->fam[i].name, name, len) == 0)
			return &e->fam[i];
	assert_true(e->nfam < ARRAY_SIZE(e->fam) && len < sizeof(e->fam[0].name));
	memcpy(e->fam[e->nfam].name, name, len);
	e->fam[e->nfam].name[len] = '\0';
	return &e->fam[e->nfam++];
}

/* Labels {name="value",...} at *p; value escapes are \\, \" and \n only. */
static void check_labels(const char **p, const char *line)
{
	const char *s = *p + 1;

	for (;;) {
		size_t n = name_len(s);

		if (!n || s[n] != '=' || s[n + 1] != '"')
			fail_msg("bad label in \"%s\"", line);
		for (s += n + 2; *s != '"'; s++) {
			if (!*s || (unsigned char)*s < 0x20 || *s == 0x7f)
				fail_msg("raw control byte or end in a label value: \"%s\"", line);
			if (*s == '\\' && (s++, *s != '\\' && *s != '"' && *s != 'n'))
				fail_msg("bad escape in \"%s\"", line);
		}
		s++;
		if (*s == '}')
			break;
		if (*s != ',')
			fail_msg("bad label list in \"%s\"", line);
		s++;
	}
	*p = s + 1;
}

/*
 * Check text line by line against the text format 0.0.4: HELP and TYPE at
 * most once per family and before its samples, TYPE gauge or counter, every
 * sample of a declared family named nltune_*, labels well escaped, decimal
 * values, a final newline.
 */
static void check_exposition(const char *text, struct exposition *e)
{
	const char *p = text;
	char line[1024];

	memset(e, 0, sizeof(*e));
	assert_true(*text);
	assert_int_equal(text[strlen(text) - 1], '\n');
	while (*p) {
		const char *end = strchr(p, '\n'), *s = line;
		struct family *fam;
		size_t n;

		assert_non_null(end);
		assert_true((size_t)(end - p) < sizeof(line));
		memcpy(line, p, (size_t)(end - p));
		line[end - p] = '\0';
		p = end + 1;
		if (strncmp(s, "# HELP ", 7) == 0 || strncmp(s, "# TYPE ", 7) == 0) {
			bool help = s[2] == 'H';

			n = name_len(s + 7);
			if (strncmp(s + 7, "nltune_", 7) != 0 || s[7 + n] != ' ' || !s[8 + n])
				fail_msg("bad comment line \"%s\"", line);
			fam = family(e, s + 7, n);
			if (fam->samples || (help ? fam->help : fam->type))
				fail_msg("\"%s\" repeated or after the samples", line);
			if (help)
				fam->help = true;
			else if (strcmp(s + 8 + n, "gauge") == 0 ||
				 strcmp(s + 8 + n, "counter") == 0)
				fam->type = true;
			else
				fail_msg("bad type in \"%s\"", line);
			continue;
		}
		n = name_len(s);
		if (!n || strncmp(s, "nltune_", 7) != 0)
			fail_msg("bad sample line \"%s\"", line);
		fam = family(e, s, n);
		if (!fam->help || !fam->type)
			fail_msg("sample before its HELP and TYPE: \"%s\"", line);
		fam->samples++;
		e->samples++;
		s += n;
		if (*s == '{')
			check_labels(&s, line);
		if (*s != ' ' || !s[1] || strspn(s + 1, "0123456789.") != strlen(s + 1))
			fail_msg("bad value in \"%s\"", line);
	}
}

/* ---- the exposition ------------------------------------------------------------------------- */

static void test_metrics_output_is_valid_exposition(void **state)
{
	struct exposition e;
	char *out = capture_default();

	(void)state;
	check_exposition(out, &e);
	assert_true(e.samples > 0);
	free(out);
}

static void test_metrics_every_family_has_help_and_type(void **state)
{
	static const char *const families[] = {
		"nltune_build_info",
		"nltune_rmem_default_bytes",
		"nltune_rmem_max_bytes",
		"nltune_recommended_rmem_default_bytes",
		"nltune_recommended_rmem_max_bytes",
		"nltune_need_bytes",
		"nltune_uevents_total",
		"nltune_window_seconds",
		"nltune_peak_events",
		"nltune_peak_bytes",
		"nltune_own_drops_total",
		"nltune_sockets",
		"nltune_alerts",
		"nltune_socket_drops_total",
		"nltune_socket_rcvbuf_bytes",
		"nltune_socket_queued_bytes",
		"nltune_socket_holds_events",
		"nltune_socket_verdict",
		"nltune_socket_info",
	};
	struct exposition e;
	char *out = capture_default();
	size_t i;

	(void)state;
	check_exposition(out, &e);
	assert_int_equal(e.nfam, ARRAY_SIZE(families));
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		struct family *f = family(&e, families[i], strlen(families[i]));

		if (!f->help || !f->type || !f->samples)
			fail_msg("%s: help %d type %d samples %zu", families[i], f->help, f->type,
				 f->samples);
	}
	free(out);
}

static void test_metrics_types_of_counters_and_gauges(void **state)
{
	static const char *const lines[] = {
		"# TYPE nltune_rmem_default_bytes gauge",
		"# TYPE nltune_uevents_total counter",
		"# TYPE nltune_own_drops_total counter",
		"# TYPE nltune_sockets gauge",
		"# TYPE nltune_socket_drops_total counter",
		"# TYPE nltune_socket_rcvbuf_bytes gauge",
		"# TYPE nltune_socket_verdict gauge",
		"# TYPE nltune_socket_info gauge",
	};
	char *out = capture_default();

	(void)state;
	assert_lines(out, lines, ARRAY_SIZE(lines));
	free(out);
}

static void test_metrics_status_values(void **state)
{
	static const char *const lines[] = {
		"nltune_build_info{version=\"" NLTUNE_VERSION "\"} 1",
		"nltune_rmem_default_bytes 212992",
		"nltune_rmem_max_bytes 4194304",
		"nltune_recommended_rmem_default_bytes 3330048",
		"nltune_recommended_rmem_max_bytes 3334144",
		"nltune_need_bytes 1664000",
		"nltune_uevents_total 4000",
		"nltune_window_seconds 1.000",
		"nltune_peak_events 2000",
		"nltune_peak_bytes 1664000",
		"nltune_own_drops_total 3",
		"nltune_alerts 2",
	};
	char *out = capture_default();

	(void)state;
	assert_lines(out, lines, ARRAY_SIZE(lines));
	free(out);
}

static void test_metrics_sockets_counted_by_verdict(void **state)
{
	char *out = capture_default();

	(void)state;
	assert_line(out, "nltune_sockets{verdict=\"dropping\"} 1");
	assert_line(out, "nltune_sockets{verdict=\"at-risk\"} 1");
	assert_line(out, "nltune_sockets{verdict=\"ok\"} 1");
	free(out);
}

static void test_metrics_socket_series_per_socket(void **state)
{
	static const char *const lines[] = {
		"nltune_socket_drops_total{inode=\"4242\",protocol=\"15\",netns=\"4026531840\"} 17",
		"nltune_socket_rcvbuf_bytes{inode=\"4242\",protocol=\"15\",netns=\"4026531840\"} "
		"2304",
		"nltune_socket_queued_bytes{inode=\"4242\",protocol=\"15\",netns=\"4026531840\"} "
		"1664",
		"nltune_socket_holds_events{inode=\"4242\",protocol=\"15\",netns=\"4026531840\"} 2",
		"nltune_socket_holds_events{inode=\"4243\",protocol=\"15\",netns=\"4026531840\"} "
		"256",
		/* the verdict is a value, not a label: a change keeps the series */
		"nltune_socket_verdict{inode=\"4242\",protocol=\"15\",netns=\"4026531840\"} 2",
		"nltune_socket_verdict{inode=\"4243\",protocol=\"15\",netns=\"4026531840\"} 1",
		"nltune_socket_verdict{inode=\"17\",protocol=\"0\",netns=\"4026531840\"} 0",
		"nltune_socket_info{inode=\"4242\",protocol=\"15\",netns=\"4026531840\","
		"pid=\"812\",comm=\"udevd\",limit=\"minimum\"} 1",
		"nltune_socket_info{inode=\"4243\",protocol=\"15\",netns=\"4026531840\","
		"pid=\"900\",comm=\"NetworkManager\",limit=\"default\"} 1",
	};
	char *out = capture_default();

	(void)state;
	assert_lines(out, lines, ARRAY_SIZE(lines));
	assert_int_equal(count_prefix(out, "nltune_socket_drops_total{"), 3);
	assert_int_equal(count_prefix(out, "nltune_socket_info{"), 3);
	free(out);
}

/* A kernel socket (no holder) is pid "0" and comm "". */
static void test_metrics_socket_without_pids_is_pid_zero(void **state)
{
	char *out = capture_default();

	(void)state;
	assert_line(out, "nltune_socket_info{inode=\"17\",protocol=\"0\",netns=\"4026531840\","
			 "pid=\"0\",comm=\"\",limit=\"default\"} 1");
	free(out);
}

static void test_metrics_comm_label_escaped(void **state)
{
	static const struct {
		const char *comm, *label;
	} c[] = {
		{ "udevd", "udevd" },
		{ "back\\slash", "back\\\\slash" },
		{ "say \"hi\"", "say \\\"hi\\\"" },
		/* Control bytes are '?' as in JSON: one sanitizer, then Prometheus escaping. */
		{ "two\nlines", "two?lines" },
		{ "foo) Z \n", "foo) Z ?" },
		{ "\x1b[2Jbell\x07", "?[2Jbell?" },
		{ "tab\there\r", "tab?here?" },
		{ "del\x7f", "del?" },
		{ "\\\"\n", "\\\\\\\"?" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		json_object *socks = json_object_new_array(), *s = json_object_new_object();
		struct exposition e;
		char want[256], *out;

		json_object_object_add(s, "inode", json_object_new_uint64(7));
		json_object_object_add(s, "comm", json_object_new_string(c[i].comm));
		json_object_object_add(s, "verdict", json_object_new_string("ok"));
		json_object_object_add(s, "drops", json_object_new_uint64(5));
		json_object_array_add(socks, s);
		out = capture(NULL, socks);
		check_exposition(out, &e);
		snprintf(want, sizeof(want),
			 "nltune_socket_info{inode=\"7\",protocol=\"0\",netns=\"0\",pid=\"0\","
			 "comm=\"%s\",limit=\"\"} 1",
			 c[i].label);
		if (!has_line(out, want))
			fail_msg("case %zu: no line %s in:\n%s", i, want, out);
		json_object_put(socks);
		free(out);
	}
}

/* Without sockets every family is still declared, with no socket samples. */
static void test_metrics_no_sockets(void **state)
{
	json_object *st = parse(status_text), *empty = json_object_new_array();
	json_object *socks[] = { NULL, empty };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(socks); i++) {
		struct exposition e;
		char *out = capture(st, socks[i]);

		check_exposition(out, &e);
		assert_line(out, "nltune_sockets{verdict=\"dropping\"} 0");
		assert_line(out, "nltune_sockets{verdict=\"at-risk\"} 0");
		assert_line(out, "nltune_sockets{verdict=\"ok\"} 0");
		assert_line(out, "# TYPE nltune_socket_drops_total counter");
		assert_int_equal(count_prefix(out, "nltune_socket_"), 0);
		free(out);
	}
	json_object_put(st);
	json_object_put(empty);
}

/* A missing document or missing keys read as 0, never a crash or a malformed line. */
static void test_metrics_missing_keys_read_as_zero(void **state)
{
	json_object *docs[] = { NULL, json_object_new_object(), parse("{\"sysctl\":{}}") };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(docs); i++) {
		struct exposition e;
		char *out = capture(docs[i], NULL);

		check_exposition(out, &e);
		assert_line(out, "nltune_rmem_default_bytes 0");
		assert_line(out, "nltune_uevents_total 0");
		assert_line(out, "nltune_alerts 0");
		free(out);
		json_object_put(docs[i]);
	}
}

/* The documents report builds are what metrics reads: one vocabulary end to end. */
static void test_metrics_reads_report_documents(void **state)
{
	struct rmem sys = { .rmem_default = 212992, .rmem_max = 212992 };
	struct recommendation rec;
	struct status_input in = { .source = "local" };
	struct sockrow row;
	struct owner own;
	struct scanner sc;
	struct exposition e;
	json_object *st, *socks;
	char *out;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	rec.rmem_default = rec.rmem_max = 3330048;
	rec.need_bytes = 1664000;
	memset(&row, 0, sizeof(row));
	row.s.inode = 4242;
	row.s.protocol = 15;
	row.s.rcvbuf = 2304;
	row.s.drops = 9;
	row.new_drops = 9;
	memset(&own, 0, sizeof(own));
	own.npids = 1;
	own.pids[0] = 812;
	snprintf(own.comm, sizeof(own.comm), "foo) Z \n");
	row.own = &own;
	row.v.verdict = VERDICT_DROPPING;
	row.v.limit = LIMIT_MINIMUM;
	memset(&sc, 0, sizeof(sc));
	sc.rows = &row;
	sc.nrows = 1;
	in.sysctl = &sys;
	in.rec = &rec;
	in.events_total = 4000;
	in.window_ms = 1000;
	in.own_drops = 2;
	in.scan = &sc;
	st = report_status_json(&in);
	socks = report_sockets_json(&sc, true);
	out = capture(st, socks);
	check_exposition(out, &e);
	assert_line(out, "nltune_rmem_default_bytes 212992");
	assert_line(out, "nltune_recommended_rmem_default_bytes 3330048");
	assert_line(out, "nltune_need_bytes 1664000");
	assert_line(out, "nltune_uevents_total 4000");
	assert_line(out, "nltune_window_seconds 1.000");
	assert_line(out, "nltune_own_drops_total 2");
	assert_line(out, "nltune_sockets{verdict=\"dropping\"} 1");
	assert_line(out, "nltune_socket_drops_total{inode=\"4242\",protocol=\"15\",netns=\"0\"} 9");
	assert_line(out, "nltune_socket_info{inode=\"4242\",protocol=\"15\",netns=\"0\","
			 "pid=\"812\",comm=\"foo) Z ?\",limit=\"minimum\"} 1");
	free(out);
	json_object_put(st);
	json_object_put(socks);
}

/* ---- metrics_write_file --------------------------------------------------------------------- */

struct tmpdir {
	char path[64];
};

static int dir_setup(void **state)
{
	struct tmpdir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/test_metrics.XXXXXX");
	if (!mkdtemp(d->path)) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

/* Remove what a test left (files and empty directories, one level) and the directory. */
static int dir_teardown(void **state)
{
	struct tmpdir *d = *state;
	struct dirent *de;
	DIR *dir = opendir(d->path);
	char p[512];

	while (dir && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", d->path, de->d_name);
		if (unlink(p) < 0)
			rmdir(p);
	}
	if (dir)
		closedir(dir);
	rmdir(d->path);
	free(d);
	return 0;
}

/* Names in dir, sorted into one space-separated string. */
static void list_dir(const char *path, char *out, size_t len)
{
	char names[16][256];
	struct dirent *de;
	size_t n = 0, i, j, o = 0;
	DIR *dir = opendir(path);

	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		assert_true(n < ARRAY_SIZE(names));
		snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	}
	closedir(dir);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char t[256];

			memcpy(t, names[j], sizeof(t));
			memcpy(names[j], names[j - 1], sizeof(t));
			memcpy(names[j - 1], t, sizeof(t));
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "", names[i]);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_metrics_write_file_writes_exposition(void **state)
{
	struct tmpdir *d = *state;
	json_object *st = parse(status_text), *socks = parse(sockets_text);
	char path[128], names[512], *want, *got;
	struct stat sb;

	snprintf(path, sizeof(path), "%s/nltune.prom", d->path);
	assert_int_equal(metrics_write_file(path, st, socks), 0);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "nltune.prom");
	want = capture(st, socks);
	got = slurp(path);
	assert_string_equal(got, want);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644); /* node_exporter runs as another user */
	free(want);
	free(got);
	json_object_put(st);
	json_object_put(socks);
}

static void test_metrics_write_file_replaces_old_file(void **state)
{
	struct tmpdir *d = *state;
	json_object *st = parse(status_text);
	char path[128], names[512], *want, *got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/nltune.prom", d->path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("stale\n", f);
	fclose(f);
	assert_int_equal(metrics_write_file(path, st, NULL), 0);
	assert_int_equal(metrics_write_file(path, st, NULL), 0);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "nltune.prom");
	want = capture(st, NULL);
	got = slurp(path);
	assert_string_equal(got, want);
	free(want);
	free(got);
	json_object_put(st);
}

static void test_metrics_write_file_missing_dir_fails_cleanly(void **state)
{
	struct tmpdir *d = *state;
	char path[128], names[512];

	snprintf(path, sizeof(path), "%s/missing/nltune.prom", d->path);
	assert_int_equal(metrics_write_file(path, NULL, NULL), -ENOENT);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "");
}

/* The rename fails (the target is a directory): the temp file is removed. */
static void test_metrics_write_file_failed_rename_leaves_no_temp(void **state)
{
	struct tmpdir *d = *state;
	char path[128], names[512];

	snprintf(path, sizeof(path), "%s/nltune.prom", d->path);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(metrics_write_file(path, NULL, NULL), -EISDIR);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "nltune.prom");
}

static void test_metrics_write_file_name_too_long(void **state)
{
	struct tmpdir *d = *state;
	char path[5000], names[512];
	int n;

	n = snprintf(path, sizeof(path), "%s/", d->path);
	memset(path + n, 'm', sizeof(path) - (size_t)n - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(metrics_write_file(path, NULL, NULL), -ENAMETOOLONG);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "");
}

#define IN_TMPDIR(t) cmocka_unit_test_setup_teardown(t, dir_setup, dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_output_is_valid_exposition),
		cmocka_unit_test(test_metrics_every_family_has_help_and_type),
		cmocka_unit_test(test_metrics_types_of_counters_and_gauges),
		cmocka_unit_test(test_metrics_status_values),
		cmocka_unit_test(test_metrics_sockets_counted_by_verdict),
		cmocka_unit_test(test_metrics_socket_series_per_socket),
		cmocka_unit_test(test_metrics_socket_without_pids_is_pid_zero),
		cmocka_unit_test(test_metrics_comm_label_escaped),
		cmocka_unit_test(test_metrics_no_sockets),
		cmocka_unit_test(test_metrics_missing_keys_read_as_zero),
		cmocka_unit_test(test_metrics_reads_report_documents),
		IN_TMPDIR(test_metrics_write_file_writes_exposition),
		IN_TMPDIR(test_metrics_write_file_replaces_old_file),
		IN_TMPDIR(test_metrics_write_file_missing_dir_fails_cleanly),
		IN_TMPDIR(test_metrics_write_file_failed_rename_leaves_no_temp),
		IN_TMPDIR(test_metrics_write_file_name_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
