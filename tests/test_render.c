/* SPDX-License-Identifier: MIT */
/* Tests of render: console tables aligned, colour only when asked, hostile bytes made harmless. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "render.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RED	      "\033[1;31m"
#define YELLOW	      "\033[33m"
#define GREEN	      "\033[32m"
#define BOLD	      "\033[1m"
#define RESET	      "\033[0m"
#define EMPTY_SOCKETS "no netlink socket drops or is at risk\n"
#define EMPTY_ALERTS  "no alerts\n"

static const char status_text[] =
    "{\"source\":\"local\","
    "\"sysctl\":{\"rmem_default\":212992,\"rmem_max\":212992},"
    "\"recommended\":{\"rmem_default\":3330048,\"rmem_max\":3330048,\"need_bytes\":1664000,"
    "\"reason\":\"2000 events of 832 B within 1000 ms, x2.0 headroom\"},"
    "\"uevents\":{\"total\":4000,\"window_ms\":1000,\"peak_events\":2000,"
    "\"peak_bytes\":1664000,\"own_drops\":3},"
    "\"sockets\":[{\"inode\":4242,\"protocol\":15,\"pids\":[812],\"comm\":\"udevd\","
    "\"rcvbuf\":2304,\"queued\":1664,\"drops\":17,\"holds_events\":2,\"limit\":\"minimum\","
    "\"verdict\":\"dropping\",\"fix\":\"nltune fix 812\"}],"
    "\"alerts\":[{\"id\":1,\"time\":\"2026-11-26T04:14:10.000Z\",\"severity\":\"warning\","
    "\"kind\":\"socket-at-risk\",\"message\":\"older\"},"
    "{\"id\":2,\"time\":\"2026-11-26T04:14:11.123Z\",\"severity\":\"critical\","
    "\"kind\":\"socket-drops\",\"message\":\"newer\"}]}";

/* ---- helpers -------------------------------------------------------------------------------- */

enum what { SOCKETS, ALERTS, STATUS };

/* What render_* prints for doc; the caller frees. */
static char *capture(enum what w, json_object *doc, bool color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct render_opts o = { .color = color, .legend = true, .width = 80 };

	assert_non_null(f);
	if (w == SOCKETS)
		render_sockets(f, doc, &o);
	else if (w == ALERTS)
		render_alerts(f, doc, &o);
	else
		render_status(f, doc, &o);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

static json_object *parse(const char *text)
{
	json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static json_object *sock(const char *verdict, int pid, const char *comm, uint64_t inode,
			 uint64_t rcvbuf, uint64_t drops, const char *fix)
{
	json_object *s = json_object_new_object(), *pids = json_object_new_array();

	if (pid)
		json_object_array_add(pids, json_object_new_int(pid));
	json_object_object_add(s, "inode", json_object_new_uint64(inode));
	json_object_object_add(s, "protocol", json_object_new_uint64(15));
	json_object_object_add(s, "portid", json_object_new_uint64((uint64_t)pid));
	json_object_object_add(s, "netns", json_object_new_uint64(4026531840u));
	json_object_object_add(s, "pids", pids);
	json_object_object_add(s, "comm", json_object_new_string(comm));
	json_object_object_add(s, "groups", json_object_new_uint64(1));
	json_object_object_add(s, "rcvbuf", json_object_new_uint64(rcvbuf));
	json_object_object_add(s, "queued", json_object_new_uint64(rcvbuf / 2));
	json_object_object_add(s, "drops", json_object_new_uint64(drops));
	json_object_object_add(s, "holds_events", json_object_new_uint64(rcvbuf / 832));
	json_object_object_add(s, "limit", json_object_new_string("minimum"));
	json_object_object_add(s, "verdict", json_object_new_string(verdict));
	json_object_object_add(s, "fix", json_object_new_string(fix));
	return s;
}

/* Three sockets, one of each verdict, with ordinary values. */
static json_object *three_sockets(void)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, sock("dropping", 812, "udevd", 4242, 2304, 17, "nltune fix 812"));
	json_object_array_add(a, sock("at-risk", 1234567, "NetworkManager", 99999999, 212992, 0,
				      "raise rmem_default"));
	json_object_array_add(a, sock("ok", 1, "systemd", 7, 33554432, 12345678, ""));
	return a;
}

static json_object *alert(uint64_t id, const char *severity, const char *kind, const char *msg)
{
	json_object *a = json_object_new_object();

	json_object_object_add(a, "id", json_object_new_uint64(id));
	json_object_object_add(a, "time", json_object_new_string("2026-11-26T04:14:11.123Z"));
	json_object_object_add(a, "severity", json_object_new_string(severity));
	json_object_object_add(a, "kind", json_object_new_string(kind));
	json_object_object_add(a, "message", json_object_new_string(msg));
	return a;
}

/* Copy of s without CSI sequences (ESC [ ... final byte); the caller frees. */
static char *strip_ansi(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	while (*s) {
		if (s[0] == '\033' && s[1] == '[') {
			for (s += 2; *s && !(*s >= 0x40 && *s <= 0x7e); s++)
				;
			if (*s)
				s++;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* Line i of text (0-based) into buf; false if there are fewer lines. */
static bool line_at(const char *text, size_t i, char *buf, size_t len)
{
	const char *end;

	for (; i > 0; i--) {
		text = strchr(text, '\n');
		if (!text)
			return false;
		text++;
	}
	if (!*text)
		return false;
	end = strchr(text, '\n');
	if (!end)
		end = text + strlen(text);
	assert_true((size_t)(end - text) < len);
	memcpy(buf, text, (size_t)(end - text));
	buf[end - text] = '\0';
	return true;
}

struct span {
	size_t start, end;
};

/* Whitespace-separated words of line with their columns; returns the count. */
static size_t words(const char *line, struct span *w, size_t max)
{
	size_t n = 0, i = 0;

	while (line[i]) {
		while (line[i] == ' ')
			i++;
		if (!line[i])
			break;
		assert_true(n < max);
		w[n].start = i;
		while (line[i] && line[i] != ' ')
			i++;
		w[n++].end = i;
	}
	return n;
}

/*
 * Each word of row sits in the column of the header word of the same index:
 * left-aligned columns start where the header word starts, right-aligned ones
 * end where it ends.
 */
static void assert_aligned(const char *header, const char *row)
{
	struct span h[16], r[16];
	size_t nh = words(header, h, ARRAY_SIZE(h)), nr = words(row, r, ARRAY_SIZE(r)), i;

	if (nh != nr)
		fail_msg("%zu columns under %zu headers:\n%s\n%s", nr, nh, header, row);
	for (i = 0; i < nh; i++)
		if (r[i].start != h[i].start && r[i].end != h[i].end)
			fail_msg("column %zu out of line:\n%s\n%s", i, header, row);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (; (text = strstr(text, needle)) != NULL; text++)
		n++;
	return n;
}

/* ---- render_sockets ------------------------------------------------------------------------- */

static void test_render_sockets_plain_has_no_escapes(void **state)
{
	json_object *a = three_sockets();
	char *out = capture(SOCKETS, a, false);

	(void)state;
	assert_null(strchr(out, '\033'));
	assert_true(strncmp(out, "VERDICT ", 8) == 0);
	free(out);
	json_object_put(a);
}

static void test_render_sockets_color_by_verdict(void **state)
{
	json_object *a = three_sockets();
	char *out = capture(SOCKETS, a, true);

	(void)state;
	assert_true(strncmp(out, BOLD "VERDICT ", strlen(BOLD) + 8) == 0);
	assert_non_null(strstr(out, RED "dropping" RESET " "));
	assert_non_null(strstr(out, YELLOW "at-risk " RESET " "));
	assert_non_null(strstr(out, GREEN "ok      " RESET " "));
	free(out);
	json_object_put(a);
}

static void check_alignment(bool color)
{
	json_object *a = three_sockets();
	char *raw = capture(SOCKETS, a, color), *out = strip_ansi(raw);
	char header[256], row[256];
	size_t i, rows = 0;

	assert_true(line_at(out, 0, header, sizeof(header)));
	for (i = 1; line_at(out, i, row, sizeof(row)); i++) {
		if (strncmp(row, "  fix: ", 7) == 0)
			continue;
		assert_aligned(header, row);
		rows++;
	}
	assert_int_equal(rows, 3);
	free(raw);
	free(out);
	json_object_put(a);
}

static void test_render_sockets_header_and_rows_align(void **state)
{
	(void)state;
	check_alignment(false);
}

/* Escapes take no column: with them stripped, the table lines up the same. */
static void test_render_sockets_color_keeps_alignment(void **state)
{
	(void)state;
	check_alignment(true);
}

static void test_render_sockets_row_values(void **state)
{
	json_object *a = three_sockets();
	char *out = capture(SOCKETS, a, false);
	char row[256];

	(void)state;
	assert_true(line_at(out, 1, row, sizeof(row)));
	assert_string_equal(row, "dropping     812 udevd      uevent       2304      2       17 "
				 "minimum 4242");
	free(out);
	json_object_put(a);
}

static void test_render_sockets_hostile_comm_printed_as_question_marks(void **state)
{
	static const struct {
		const char *comm, *shown;
	} c[] = {
		{ "foo) Z \n", "foo) Z ?" },
		{ "\x1b]0;pwn\x07", "?]0;pwn?" },
		{ "\x1b[2J\x1b[H", "?[2J?[H" },
		{ "\r\t\x7f", "???" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		int color;

		for (color = 0; color < 2; color++) {
			json_object *a = json_object_new_array();
			char *out, *plain;

			json_object_array_add(a, sock("dropping", 812, c[i].comm, 7, 2304, 1, ""));
			out = capture(SOCKETS, a, color);
			plain = strip_ansi(out);
			if (!strstr(plain, c[i].shown))
				fail_msg("case %zu: \"%s\" not shown in:\n%s", i, c[i].shown,
					 plain);
			assert_null(strchr(plain, '\033'));
			assert_null(strchr(plain, '\r'));
			assert_null(strchr(plain, '\a'));
			assert_int_equal(count(out, "\n"), 2); /* header and row, nothing else */
			free(out);
			free(plain);
			json_object_put(a);
		}
	}
}

static void test_render_sockets_long_comm_cut_to_column(void **state)
{
	json_object *a = json_object_new_array();
	char *out, header[256], row[256];

	(void)state;
	json_object_array_add(a, sock("ok", 812, "abcdefghijklmnopqrstuvwxyz", 7, 2304, 0, ""));
	out = capture(SOCKETS, a, false);
	assert_true(line_at(out, 0, header, sizeof(header)));
	assert_true(line_at(out, 1, row, sizeof(row)));
	assert_non_null(strstr(row, " abcdefghij ")); /* COMM is 10 wide at 80 columns */
	assert_null(strstr(row, "abcdefghijk"));
	assert_aligned(header, row);
	free(out);
	json_object_put(a);
}

/* A kernel socket: no pid, no comm; both columns show "-". */
static void test_render_sockets_missing_owner_shows_dashes(void **state)
{
	json_object *a = json_object_new_array();
	char *out, header[256], row[256];
	struct span w[16];

	(void)state;
	json_object_array_add(a, sock("at-risk", 0, "", 7, 2304, 0, ""));
	out = capture(SOCKETS, a, false);
	assert_true(line_at(out, 0, header, sizeof(header)));
	assert_true(line_at(out, 1, row, sizeof(row)));
	assert_aligned(header, row);
	assert_int_equal(words(row, w, ARRAY_SIZE(w)), 9); /* no QUEUED at 80 columns */
	assert_true(strncmp(row + w[1].start, "- ", 2) == 0);
	assert_true(strncmp(row + w[2].start, "- ", 2) == 0);
	free(out);
	json_object_put(a);
}

/* A fix is printed on its own line under its row; none for a row without one. */
static void test_render_sockets_fix_line_under_row(void **state)
{
	json_object *a = three_sockets();
	char *out = capture(SOCKETS, a, false), l[256];

	(void)state;
	assert_true(line_at(out, 2, l, sizeof(l)));
	assert_string_equal(l, "  fix: nltune fix 812");
	assert_true(line_at(out, 4, l, sizeof(l)));
	assert_string_equal(l, "  fix: raise rmem_default");
	assert_true(line_at(out, 5, l, sizeof(l)));
	assert_true(strncmp(l, "ok ", 3) == 0);
	assert_false(line_at(out, 6, l, sizeof(l)));
	free(out);
	json_object_put(a);
}

/* No list and an empty one both print want, with and without color. */
static void assert_empty_list_says(enum what w, const char *want)
{
	json_object *empty = json_object_new_array();
	json_object *docs[] = { NULL, empty };
	size_t i;
	int color;

	for (i = 0; i < ARRAY_SIZE(docs); i++)
		for (color = 0; color < 2; color++) {
			char *out = capture(w, docs[i], color);

			assert_string_equal(out, want);
			free(out);
		}
	json_object_put(empty);
}

static void test_render_sockets_empty_list_says_so(void **state)
{
	(void)state;
	assert_empty_list_says(SOCKETS, EMPTY_SOCKETS);
}

/* ---- render_alerts -------------------------------------------------------------------------- */

static json_object *three_alerts(void)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, alert(1, "info", "sysctl-lowered", "first"));
	json_object_array_add(a, alert(2, "warning", "socket-at-risk", "second"));
	json_object_array_add(a, alert(3, "critical", "socket-drops", "third"));
	return a;
}

static void test_render_alerts_newest_first(void **state)
{
	json_object *a = three_alerts();
	char *out = capture(ALERTS, a, false);

	(void)state;
	assert_string_equal(out, "critical Nov 26 04:14:11 #3 socket-drops: third\n"
				 "warning  Nov 26 04:14:11 #2 socket-at-risk: second\n"
				 "info     Nov 26 04:14:11 #1 sysctl-lowered: first\n");
	free(out);
	json_object_put(a);
}

static void test_render_alerts_plain_has_no_escapes(void **state)
{
	json_object *a = three_alerts();
	char *out = capture(ALERTS, a, false);

	(void)state;
	assert_null(strchr(out, '\033'));
	free(out);
	json_object_put(a);
}

static void test_render_alerts_color_by_severity(void **state)
{
	json_object *a = three_alerts();
	char *out = capture(ALERTS, a, true), *want = capture(ALERTS, a, false);
	char *plain = strip_ansi(out);

	(void)state;
	assert_true(strncmp(out, RED "critical" RESET " ", strlen(RED RESET) + 9) == 0);
	assert_non_null(strstr(out, "\n" YELLOW "warning " RESET " "));
	assert_non_null(strstr(out, "\ninfo    " RESET " "));
	assert_string_equal(plain, want);
	free(out);
	free(plain);
	free(want);
	json_object_put(a);
}

static void test_render_alerts_empty_list_says_so(void **state)
{
	(void)state;
	assert_empty_list_says(ALERTS, EMPTY_ALERTS);
}

/* Through report_alert_json the comm is already clean; the raw case is tested below. */
static void test_render_alerts_hostile_comm_clean_message_passes(void **state)
{
	json_object *a = json_object_new_array();
	char *out;

	(void)state;
	json_object_array_add(a, alert(1, "critical", "socket-drops", "foo) Z ?[812] lost 2"));
	out = capture(ALERTS, a, false);
	assert_non_null(strstr(out, ": foo) Z ?[812] lost 2\n"));
	free(out);
	json_object_put(a);
}

/* The message carries the owner's comm: its control bytes must not reach the terminal. */
static void test_render_alerts_control_bytes_in_message_as_question_marks(void **state)
{
	json_object *a = json_object_new_array();
	bool esc, shown;
	size_t lines;
	char *out;

	(void)state;
	json_object_array_add(
	    a, alert(1, "critical", "socket-drops", "\x1b]0;pwn\x07[812] lost 2\n\x1b[2J"));
	out = capture(ALERTS, a, false);
	esc = strchr(out, '\033') || strchr(out, '\a');
	lines = count(out, "\n");
	shown = strstr(out, ": ?]0;pwn?[812] lost 2??[2J\n") != NULL;
	free(out); /* before asserting: a failure leaks nothing */
	json_object_put(a);
	assert_false(esc);
	assert_int_equal(lines, 1);
	assert_true(shown);
}

/* ---- render_status -------------------------------------------------------------------------- */

static void test_render_status_plain_has_no_escapes(void **state)
{
	json_object *st = parse(status_text);
	char *out = capture(STATUS, st, false);

	(void)state;
	assert_null(strchr(out, '\033'));
	free(out);
	json_object_put(st);
}

static void test_render_status_color_has_escapes(void **state)
{
	json_object *st = parse(status_text);
	char *out = capture(STATUS, st, true), *want = capture(STATUS, st, false);
	char *plain = strip_ansi(out);

	(void)state;
	assert_true(
	    strncmp(out, BOLD "nltune status" RESET " (local)\n", strlen(BOLD RESET) + 22) == 0);
	assert_non_null(strstr(out, RED "dropping" RESET " "));
	assert_non_null(strstr(out, RED "critical"));
	assert_string_equal(plain, want); /* the colours are all there is to it */
	free(out);
	free(plain);
	free(want);
	json_object_put(st);
}

static void test_render_status_sections(void **state)
{
	static const char *const lines[] = {
		"nltune status (local)",
		"                 in force  recommended",
		"rmem_default       208.0K         3.2M   low: nltune apply",
		"rmem_max           208.0K         3.2M   low: nltune apply",
		"need           2000 events of 832 B within 1000 ms, x2.0 headroom",
		"uevents        4000 this boot; peak 2000 events / 1.6M in 1000 ms; nltuned lost",
		"               3",
		"  fix: nltune fix 812",
		"critical Nov 26 04:14:11 #2 socket-drops: newer",
		"warning  Nov 26 04:14:10 #1 socket-at-risk: older",
		"attention: 1 socket dropping; rmem_default below the recommendation; rmem_max",
		"           below the recommendation; nltuned lost 3 events.",
	};
	json_object *st = parse(status_text);
	char *out = capture(STATUS, st, false), l[256];
	size_t i, at = 0;

	(void)state;
	/* in this order, other lines between allowed */
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		while (line_at(out, at, l, sizeof(l)) && strcmp(l, lines[i]) != 0)
			at++;
		if (!line_at(out, at, l, sizeof(l)))
			fail_msg("no line \"%s\" (in order) in:\n%s", lines[i], out);
	}
	free(out);
	json_object_put(st);
}

/* Group 2's line follows group 1's once nltuned heard udevd; none before. */
static void test_render_status_udev_line_beside_uevents(void **state)
{
	json_object *st = parse(status_text), *ue = NULL, *u = json_object_new_object();
	char *out;

	(void)state;
	out = capture(STATUS, st, false);
	assert_null(strstr(out, "udev  "));
	free(out);
	assert_true(json_object_object_get_ex(st, "uevents", &ue));
	json_object_object_add(u, "total", json_object_new_uint64(4100));
	json_object_object_add(u, "peak_events", json_object_new_uint64(466));
	json_object_object_add(u, "peak_bytes", json_object_new_uint64(1075200));
	json_object_object_add(u, "coldplug_events", json_object_new_uint64(460));
	json_object_object_add(u, "coldplug_bytes", json_object_new_uint64(1060000));
	json_object_object_add(u, "coldplug_ms", json_object_new_uint64(240));
	json_object_object_add(ue, "udev", u);
	out = capture(STATUS, st, false);
	if (strstr(out, "\nudev           4100 this boot; peak 466 messages / 1.0M (group 2); "
			"coldplug 460\n") == NULL ||
	    strstr(out, "messages / 1.0M in 240 ms") == NULL)
		fail_msg("no udev line in:\n%s", out);
	assert_true(strstr(out, "\nuevents ") < strstr(out, "\nudev "));
	free(out);
	json_object_object_add(u, "total", json_object_new_uint64(0)); /* nothing heard */
	out = capture(STATUS, st, false);
	assert_null(strstr(out, "\nudev "));
	free(out);
	json_object_put(st);
}

/* "low: nltune apply" exactly when the value in force is below the recommendation. */
static void test_render_status_low_hint_only_below_recommendation(void **state)
{
	static const struct {
		uint64_t d, m, rd, rm;
		size_t hints;
	} c[] = {
		{ 212992, 212992, 3330048, 3330048, 2 },
		{ 3330048, 3330048, 3330048, 3330048, 0 },
		{ 4194304, 4194304, 3330048, 3330048, 0 },
		{ 3330047, 3330048, 3330048, 3330048, 1 },
		{ 3330048, 212992, 3330048, 3330048, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		json_object *st = parse(status_text), *sys, *rec;
		size_t hints;
		char *out;

		assert_true(json_object_object_get_ex(st, "sysctl", &sys));
		assert_true(json_object_object_get_ex(st, "recommended", &rec));
		json_object_object_add(sys, "rmem_default", json_object_new_uint64(c[i].d));
		json_object_object_add(sys, "rmem_max", json_object_new_uint64(c[i].m));
		json_object_object_add(rec, "rmem_default", json_object_new_uint64(c[i].rd));
		json_object_object_add(rec, "rmem_max", json_object_new_uint64(c[i].rm));
		out = capture(STATUS, st, false);
		hints = count(out, "low: nltune apply");
		if (hints != c[i].hints)
			fail_msg("case %zu: %zu hints, want %zu", i, hints, c[i].hints);
		free(out);
		json_object_put(st);
	}
}

/* The values end under "in force" and "recommended", whatever their width. */
static void test_render_status_rmem_columns_align(void **state)
{
	static const uint64_t values[] = { 0, 4096, 212992, 16777216, 4294967295u };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		json_object *st = parse(status_text), *sys;
		char *out, head[256], row[256];
		struct span h[4], r[8];
		size_t k;

		assert_true(json_object_object_get_ex(st, "sysctl", &sys));
		json_object_object_add(sys, "rmem_default", json_object_new_uint64(values[i]));
		json_object_object_add(sys, "rmem_max", json_object_new_uint64(values[i]));
		out = capture(STATUS, st, false);
		assert_true(line_at(out, 2, head, sizeof(head)));
		assert_int_equal(words(head, h, ARRAY_SIZE(h)), 3); /* "in" "force" "recommended" */
		for (k = 3; k <= 4; k++) {
			assert_true(line_at(out, k, row, sizeof(row)));
			assert_true(words(row, r, ARRAY_SIZE(r)) >= 3);
			if (r[1].end != h[1].end || r[2].end != h[2].end)
				fail_msg("value %zu:\n%s\n%s", i, head, row);
		}
		free(out);
		json_object_put(st);
	}
}

static void test_render_status_empty_lists_say_so(void **state)
{
	json_object *st = parse(status_text);
	char *out;

	(void)state;
	json_object_object_add(st, "sockets", json_object_new_array());
	json_object_object_add(st, "alerts", json_object_new_array());
	out = capture(STATUS, st, false);
	assert_non_null(
	    strstr(out, "\n\n" EMPTY_SOCKETS "\n" EMPTY_ALERTS "\nattention: rmem_default"));
	free(out);
	json_object_put(st);
}

/* status stays one screen: the 8 worst sockets and the 5 newest alerts, the rest counted. */
static void test_render_status_is_one_screen(void **state)
{
	json_object *st = parse(status_text), *socks = json_object_new_array();
	json_object *alerts = json_object_new_array();
	char *out, msg[32];
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		json_object_array_add(
		    socks, sock("at-risk", 1000 + i, "victim", 100 + (uint64_t)i, 2304, 0, ""));
	for (i = 1; i <= 9; i++) {
		json_object *a = json_object_new_object();

		snprintf(msg, sizeof(msg), "alert number %d", i);
		json_object_object_add(a, "id", json_object_new_int(i));
		json_object_object_add(a, "severity", json_object_new_string("warning"));
		json_object_object_add(a, "kind", json_object_new_string("socket-at-risk"));
		json_object_object_add(a, "message", json_object_new_string(msg));
		json_object_array_add(alerts, a);
	}
	json_object_object_add(st, "sockets", socks);
	json_object_object_add(st, "alerts", alerts);
	out = capture(STATUS, st, false);
	assert_non_null(strstr(out, " 1007 victim")); /* the 8th socket is shown */
	assert_null(strstr(out, " 1008 victim"));     /* the 9th is not */
	assert_non_null(strstr(out, "... and 12 more: nltune sockets\n"));
	assert_non_null(strstr(out, "alert number 9\n")); /* the newest five */
	assert_non_null(strstr(out, "alert number 5\n"));
	assert_null(strstr(out, "alert number 4\n"));
	assert_non_null(strstr(out, "... and 4 older: nltune alerts\n"));
	free(out);
	/* The full lists stay complete. */
	out = capture(SOCKETS, socks, false);
	assert_non_null(strstr(out, " 1019 victim"));
	assert_null(strstr(out, "more: nltune sockets"));
	free(out);
	json_object_put(st);
}

/* A local snapshot without figures of this boot says why instead of printing zeros. */
static void test_render_status_local_without_figures_says_why(void **state)
{
	static const struct {
		const char *source;
		uint64_t total;
		const char *line;
	} c[] = {
		{ "local", 0, "uevents        no figures of this boot: nltuned is not running" },
		{ "local", 4000,
		  "uevents        4000 this boot; peak 2000 events / 1.6M in 1000 ms; "
		  "nltuned lost" },
		{ "daemon", 0,
		  "uevents        0 this boot; peak 2000 events / 1.6M in 1000 ms; nltuned "
		  "lost 3" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		json_object *st = parse(status_text), *ue;
		char *out, l[256];

		assert_true(json_object_object_get_ex(st, "uevents", &ue));
		json_object_object_add(st, "source", json_object_new_string(c[i].source));
		json_object_object_add(ue, "total", json_object_new_uint64(c[i].total));
		out = capture(STATUS, st, false);
		assert_true(line_at(out, 6, l, sizeof(l)));
		assert_string_equal(l, c[i].line);
		free(out);
		json_object_put(st);
	}
}

/* A document missing everything still renders: zeros and the empty-list lines. */
static void test_render_status_empty_document(void **state)
{
	json_object *st = json_object_new_object();
	char *out = capture(STATUS, st, false);

	(void)state;
	assert_true(strncmp(out, "nltune status ()\n", 17) == 0);
	assert_non_null(strstr(out, EMPTY_SOCKETS));
	assert_non_null(strstr(out, EMPTY_ALERTS));
	free(out);
	json_object_put(st);
}

/* Long fix, alert and reason texts: no line of status is wider than the width asked for. */
static void test_render_status_fits_the_width(void **state)
{
	static const char longtext[] =
	    "setsockopt(SO_RCVBUF, 1024) got the kernel floor of 2304 bytes, two events: ask "
	    "for 1675264 (the kernel doubles it) or run nltune fix 4242 for a live raise now";
	static const unsigned widths[] = { 80, 100, 132 };
	json_object *st = parse(status_text), *socks, *alerts, *rec;

	(void)state;
	assert_true(json_object_object_get_ex(st, "sockets", &socks));
	assert_true(json_object_object_get_ex(st, "alerts", &alerts));
	assert_true(json_object_object_get_ex(st, "recommended", &rec));
	json_object_array_add(socks, sock("at-risk", 4194304, "a-very-long-process-name",
					  4294967295u, 2304, 4294967295u, longtext));
	json_object_array_add(alerts, alert(99999, "critical", "socket-drops", longtext));
	json_object_object_add(rec, "reason", json_object_new_string(longtext));
	for (size_t i = 0; i < ARRAY_SIZE(widths); i++) {
		for (int legend = 0; legend < 2; legend++) {
			struct render_opts o = { .legend = legend, .width = widths[i] };
			char *buf = NULL, l[512];
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);

			render_status(f, st, &o);
			fclose(f);
			for (size_t k = 0; line_at(buf, k, l, sizeof(l)); k++)
				if (strlen(l) > widths[i])
					fail_msg("width %u: %zu columns: %s", widths[i], strlen(l),
						 l);
			if (!legend)
				assert_null(strstr(buf, "VERDICT"));
			else
				assert_non_null(strstr(buf, "VERDICT"));
			free(buf);
		}
	}
	json_object_put(st);
}

static void test_render_attention_counts_what_needs_it(void **state)
{
	json_object *st = parse(status_text), *sys, *ue;
	char why[256];

	(void)state;
	assert_int_equal(render_attention(st, why, sizeof(why)), 4);
	assert_string_equal(why, "1 socket dropping; rmem_default below the recommendation; "
				 "rmem_max below the recommendation; nltuned lost 3 events");
	assert_true(json_object_object_get_ex(st, "sysctl", &sys));
	assert_true(json_object_object_get_ex(st, "uevents", &ue));
	json_object_object_add(sys, "rmem_default", json_object_new_uint64(3330048));
	json_object_object_add(sys, "rmem_max", json_object_new_uint64(4194304));
	json_object_object_add(ue, "own_drops", json_object_new_uint64(0));
	json_object_object_add(st, "sockets", json_object_new_array());
	assert_int_equal(render_attention(st, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	json_object_put(st);
}

int main(void)
{
	setenv("TZ", "UTC", 1); /* alert times are shown in local time */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_sockets_plain_has_no_escapes),
		cmocka_unit_test(test_render_sockets_color_by_verdict),
		cmocka_unit_test(test_render_sockets_header_and_rows_align),
		cmocka_unit_test(test_render_sockets_color_keeps_alignment),
		cmocka_unit_test(test_render_sockets_row_values),
		cmocka_unit_test(test_render_sockets_hostile_comm_printed_as_question_marks),
		cmocka_unit_test(test_render_sockets_long_comm_cut_to_column),
		cmocka_unit_test(test_render_sockets_missing_owner_shows_dashes),
		cmocka_unit_test(test_render_sockets_fix_line_under_row),
		cmocka_unit_test(test_render_sockets_empty_list_says_so),
		cmocka_unit_test(test_render_alerts_newest_first),
		cmocka_unit_test(test_render_alerts_plain_has_no_escapes),
		cmocka_unit_test(test_render_alerts_color_by_severity),
		cmocka_unit_test(test_render_alerts_empty_list_says_so),
		cmocka_unit_test(test_render_alerts_hostile_comm_clean_message_passes),
		cmocka_unit_test(test_render_alerts_control_bytes_in_message_as_question_marks),
		cmocka_unit_test(test_render_status_plain_has_no_escapes),
		cmocka_unit_test(test_render_status_color_has_escapes),
		cmocka_unit_test(test_render_status_sections),
		cmocka_unit_test(test_render_status_udev_line_beside_uevents),
		cmocka_unit_test(test_render_status_low_hint_only_below_recommendation),
		cmocka_unit_test(test_render_status_rmem_columns_align),
		cmocka_unit_test(test_render_status_empty_lists_say_so),
		cmocka_unit_test(test_render_status_is_one_screen),
		cmocka_unit_test(test_render_status_local_without_figures_says_why),
		cmocka_unit_test(test_render_status_empty_document),
		cmocka_unit_test(test_render_status_fits_the_width),
		cmocka_unit_test(test_render_attention_counts_what_needs_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
