/* SPDX-License-Identifier: MIT */
/* Tests of metrics: a valid Prometheus text exposition, escaped labels, an atomic textfile. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
    "\"udev\":{\"total\":4100,\"peak_events\":466,\"peak_bytes\":1075200},"
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
		"nltune_udev_events_total",
		"nltune_udev_peak_events",
		"nltune_udev_peak_bytes",
		"nltune_sockets",
		"nltune_netlink_sockets",
		"nltune_socket_series_omitted",
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
		"# TYPE nltune_udev_events_total counter",
		"# TYPE nltune_udev_peak_bytes gauge",
		"# TYPE nltune_sockets gauge",
		"# TYPE nltune_netlink_sockets gauge",
		"# TYPE nltune_socket_series_omitted gauge",
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
		"nltune_udev_events_total 4100",
		"nltune_udev_peak_events 466",
		"nltune_udev_peak_bytes 1075200",
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

static void test_metrics_socket_series_per_listener(void **state)
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
		"nltune_socket_info{inode=\"4242\",protocol=\"15\",netns=\"4026531840\","
		"pid=\"812\",comm=\"udevd\",limit=\"minimum\"} 1",
		"nltune_socket_info{inode=\"4243\",protocol=\"15\",netns=\"4026531840\","
		"pid=\"900\",comm=\"NetworkManager\",limit=\"default\"} 1",
		"nltune_socket_series_omitted 0",
	};
	char *out = capture_default();

	(void)state;
	assert_lines(out, lines, ARRAY_SIZE(lines));
	/* the route socket (protocol 0) is counted, not listed */
	assert_int_equal(count_prefix(out, "nltune_socket_drops_total{"), 2);
	assert_int_equal(count_prefix(out, "nltune_socket_info{"), 2);
	assert_null(strstr(out, "inode=\"17\""));
	free(out);
}

/* Every socket counted by protocol, limit and verdict; combinations without sockets left out. */
static void test_metrics_netlink_sockets_by_protocol_limit_verdict(void **state)
{
	static const char *const lines[] = {
		"nltune_netlink_sockets{protocol=\"0\",limit=\"default\",verdict=\"ok\"} 1",
		"nltune_netlink_sockets{protocol=\"15\",limit=\"default\",verdict=\"at-risk\"} 1",
		"nltune_netlink_sockets{protocol=\"15\",limit=\"minimum\",verdict=\"dropping\"} 1",
	};
	char *out = capture_default();

	(void)state;
	assert_lines(out, lines, ARRAY_SIZE(lines));
	assert_int_equal(count_prefix(out, "nltune_netlink_sockets{"), 3);
	free(out);
}

/* One uevent listener as SOCKET JSON. */
static json_object *listener(uint64_t inode, const char *verdict, uint64_t holds, int proto,
			     int groups)
{
	json_object *s = json_object_new_object();

	json_object_object_add(s, "inode", json_object_new_uint64(inode));
	json_object_object_add(s, "protocol", json_object_new_int(proto));
	json_object_object_add(s, "groups", json_object_new_int(groups));
	json_object_object_add(s, "netns", json_object_new_uint64(4026531840ULL));
	json_object_object_add(s, "comm", json_object_new_string("holder"));
	json_object_object_add(s, "limit", json_object_new_string("default"));
	json_object_object_add(s, "verdict", json_object_new_string(verdict));
	json_object_object_add(s, "holds_events", json_object_new_uint64(holds));
	return s;
}

static bool listed(const char *out, uint64_t inode)
{
	char want[128];

	snprintf(want, sizeof(want), "\nnltune_socket_verdict{inode=\"%" PRIu64 "\",", inode);
	return strstr(out, want) != NULL;
}

/*
 * 20,000 listeners of one user: the file stays the size of METRICS_SOCKETS_MAX sockets, the
 * dropping and at-risk ones and then the smallest buffers listed, the rest counted.
 */
static void test_metrics_listeners_capped_dropping_first(void **state)
{
	json_object *socks = json_object_new_array();
	struct exposition e;
	char *out;
	size_t n = 20000;

	(void)state;
	for (size_t i = 0; i < n; i++) /* ok ones, holding 100 + i % 50 events */
		json_object_array_add(socks, listener(100000 + i, "ok", 100 + i % 50, 15, 1));
	json_object_array_add(socks, listener(7, "dropping", 4000, 15, 1));
	json_object_array_add(socks, listener(8, "at-risk", 3000, 15, 1));
	json_object_array_add(socks, listener(9, "dropping", 10, 0, 0));   /* not a uevent socket */
	json_object_array_add(socks, listener(10, "dropping", 10, 15, 0)); /* sends, no groups */
	out = capture(NULL, socks);
	check_exposition(out, &e);
	assert_int_equal(count_prefix(out, "nltune_socket_info{"), METRICS_SOCKETS_MAX);
	assert_int_equal(count_prefix(out, "nltune_socket_verdict{"), METRICS_SOCKETS_MAX);
	assert_true(listed(out, 7));
	assert_true(listed(out, 8));
	assert_false(listed(out, 9));
	assert_false(listed(out, 10));
	/* the ok ones shown hold 100 events, the fewest */
	assert_true(listed(out, 100000));
	assert_false(listed(out, 100001));
	assert_line(out, "nltune_socket_series_omitted 19938"); /* 20,002 listeners - 64 */
	assert_line(out, "nltune_sockets{verdict=\"ok\"} 20000");
	assert_line(out, "nltune_sockets{verdict=\"dropping\"} 3");
	assert_line(out, "nltune_netlink_sockets{protocol=\"15\",limit=\"default\",verdict=\"ok\"} "
			 "20000");
	assert_true(strlen(out) < 64 * 1024);
	json_object_put(socks);
	free(out);
}

/* The order among listeners does not depend on the order of the list. */
static void test_metrics_listeners_order_is_stable(void **state)
{
	json_object *a = json_object_new_array(), *b = json_object_new_array();
	char *oa, *ob;

	(void)state;
	for (size_t i = 0; i < 200; i++) {
		json_object_array_add(a, listener(1000 + i, i % 7 ? "ok" : "at-risk", 50, 15, 1));
		json_object_array_add(
		    b, listener(1000 + 199 - i, (199 - i) % 7 ? "ok" : "at-risk", 50, 15, 1));
	}
	oa = capture(NULL, a);
	ob = capture(NULL, b);
	assert_string_equal(oa, ob);
	json_object_put(a);
	json_object_put(b);
	free(oa);
	free(ob);
}

/* A kernel socket (no holder) is pid "0" and comm "". */
static void test_metrics_socket_without_pids_is_pid_zero(void **state)
{
	json_object *socks = json_object_new_array();
	char *out;

	(void)state;
	json_object_array_add(socks, listener(17, "ok", 5, 15, 1));
	out = capture(NULL, socks);
	assert_line(out, "nltune_socket_info{inode=\"17\",protocol=\"15\",netns=\"4026531840\","
			 "pid=\"0\",comm=\"holder\",limit=\"default\"} 1");
	json_object_put(socks);
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
		json_object_object_add(s, "protocol", json_object_new_int(15));
		json_object_object_add(s, "groups", json_object_new_int(1));
		json_object_object_add(s, "comm", json_object_new_string(c[i].comm));
		json_object_object_add(s, "verdict", json_object_new_string("ok"));
		json_object_object_add(s, "drops", json_object_new_uint64(5));
		json_object_array_add(socks, s);
		out = capture(NULL, socks);
		check_exposition(out, &e);
		snprintf(want, sizeof(want),
			 "nltune_socket_info{inode=\"7\",protocol=\"15\",netns=\"0\",pid=\"0\","
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
		assert_int_equal(count_prefix(out, "nltune_socket_"), 1);
		assert_line(out, "nltune_socket_series_omitted 0");
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
	row.s.groups = 1;
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

/*
 * The same text is not written again: the file keeps its inode (a rewrite renames a new one
 * over it) until the text changes; after METRICS_REFRESH_MS only its mtime moves.
 */
static void test_metrics_file_update_writes_only_changes(void **state)
{
	struct tmpdir *d = *state;
	struct metrics_file mf = { 0 };
	json_object *st = parse(status_text), *socks = parse(sockets_text);
	char path[128], names[512];
	struct stat a, b;
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };

	snprintf(path, sizeof(path), "%s/nltune.prom", d->path);
	assert_int_equal(metrics_file_update(&mf, path, 0640, st, socks, 5000), 1);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0640); /* the mode the caller gives */
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_int_equal(metrics_file_update(&mf, path, 0640, st, socks, 6000), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(b.st_mtim.tv_sec, 1000); /* not touched within METRICS_REFRESH_MS */
	assert_int_equal(metrics_file_update(&mf, path, 0640, st, socks, 5000 + METRICS_REFRESH_MS),
			 0);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_true(b.st_mtim.tv_sec > 1000); /* touched: node_exporter sees it alive */
	json_object_object_add(json_object_object_get(st, "uevents"), "total",
			       json_object_new_uint64(4001));
	assert_int_equal(metrics_file_update(&mf, path, 0640, st, socks, 5001 + METRICS_REFRESH_MS),
			 1);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_ino != b.st_ino);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "nltune.prom");
	metrics_file_free(&mf);
	json_object_put(st);
	json_object_put(socks);
}

/* A failed write is forgotten: the next call writes the same text again. */
static void test_metrics_file_update_retries_after_failure(void **state)
{
	struct tmpdir *d = *state;
	struct metrics_file mf = { 0 };
	json_object *st = parse(status_text);
	char path[128];

	snprintf(path, sizeof(path), "%s/nltune.prom", d->path);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(metrics_file_update(&mf, path, 0644, st, NULL, 1), -EISDIR);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(metrics_file_update(&mf, path, 0644, st, NULL, 2), 1);
	assert_int_equal(access(path, F_OK), 0);
	metrics_file_free(&mf);
	json_object_put(st);
}

static void touch(const char *dir, const char *name)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

/* What a killed nltuned left beside its file goes; the file and other names stay. */
static void test_metrics_remove_temps_only_its_own(void **state)
{
	struct tmpdir *d = *state;
	char path[128], names[512];

	snprintf(path, sizeof(path), "%s/nltune.prom", d->path);
	touch(d->path, "nltune.prom");
	touch(d->path, "nltune.prom.Ab3xY9");
	touch(d->path, "nltune.prom.zzzzzz");
	touch(d->path, "nltune.prom.keep");	  /* not six characters */
	touch(d->path, "nltune.prom.Ab3xY9.bak"); /* more after them */
	touch(d->path, "other.prom.Ab3xY9");
	assert_int_equal(metrics_remove_temps(path), 2);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "nltune.prom nltune.prom.Ab3xY9.bak nltune.prom.keep "
				   "other.prom.Ab3xY9");
	assert_int_equal(metrics_remove_temps(path), 0);
}

/* A name with fnmatch's specials matches itself only. */
static void test_metrics_remove_temps_escapes_the_name(void **state)
{
	struct tmpdir *d = *state;
	char path[128], names[512];

	snprintf(path, sizeof(path), "%s/n*[a].prom", d->path);
	touch(d->path, "n*[a].prom.Ab3xY9");
	touch(d->path, "nX[a].prom.Ab3xY9");
	touch(d->path, "na.prom.Ab3xY9");
	assert_int_equal(metrics_remove_temps(path), 1);
	list_dir(d->path, names, sizeof(names));
	assert_string_equal(names, "nX[a].prom.Ab3xY9 na.prom.Ab3xY9");
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
		cmocka_unit_test(test_metrics_socket_series_per_listener),
		cmocka_unit_test(test_metrics_netlink_sockets_by_protocol_limit_verdict),
		cmocka_unit_test(test_metrics_listeners_capped_dropping_first),
		cmocka_unit_test(test_metrics_listeners_order_is_stable),
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
		IN_TMPDIR(test_metrics_file_update_writes_only_changes),
		IN_TMPDIR(test_metrics_file_update_retries_after_failure),
		IN_TMPDIR(test_metrics_remove_temps_only_its_own),
		IN_TMPDIR(test_metrics_remove_temps_escapes_the_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
