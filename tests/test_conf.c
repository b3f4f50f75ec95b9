/* SPDX-License-Identifier: MIT */
/* Unit tests for conf.c: defaults, every key and unit form, and every error with its FILE:LINE. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

#define NAME	  "test.conf"
#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

static char err[512];

static int load_n(struct nlt_conf *c, const char *doc, size_t len)
{
	return nlt_conf_load_buffer(c, NAME, doc, len, err, sizeof(err));
}

static int load(struct nlt_conf *c, const char *doc)
{
	return load_n(c, doc, strlen(doc));
}

/* A document that must be rejected at line, with needle somewhere in the message. */
struct bad_case {
	const char *doc;
	int line;
	const char *needle;
};

static void assert_rejected_n(const char *doc, size_t len, int line, const char *needle)
{
	struct nlt_conf c;
	char want[64];
	int r;

	snprintf(want, sizeof(want), "%s:%d: ", NAME, line);
	r = load_n(&c, doc, len);
	if (r != -EINVAL)
		fail_msg("%.80s: returned %d, want -EINVAL (err '%s')", doc, r, err);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("%.80s: error '%s', want prefix '%s'", doc, err, want);
	if (needle && !strstr(err, needle))
		fail_msg("%.80s: error '%s' lacks '%s'", doc, err, needle);
}

static void assert_rejects(const struct bad_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_rejected_n(cases[i].doc, strlen(cases[i].doc), cases[i].line,
				  cases[i].needle);
}

static void assert_loads(struct nlt_conf *c, const char *doc)
{
	int r = load(c, doc);

	if (r != 0)
		fail_msg("%.80s: returned %d: %s", doc, r, err);
}

static void assert_conf_equal(const struct nlt_conf *a, const struct nlt_conf *b)
{
	size_t i;

	assert_int_equal(a->policy, b->policy);
	assert_int_equal(a->window_ms, b->window_ms);
	assert_true(a->headroom == b->headroom);
	assert_int_equal(a->floor, b->floor);
	assert_int_equal(a->ceiling, b->ceiling);
	assert_int_equal(a->history, b->history);
	assert_int_equal(a->monitor_buffer, b->monitor_buffer);
	assert_int_equal(a->scan_interval_ms, b->scan_interval_ms);
	assert_string_equal(a->state_dir, b->state_dir);
	assert_string_equal(a->sysctl_dir, b->sysctl_dir);
	assert_string_equal(a->metrics_file, b->metrics_file);
	assert_int_equal(a->alert_min_drops, b->alert_min_drops);
	assert_int_equal(a->alert_interval_ms, b->alert_interval_ms);
	assert_int_equal(a->n_ignore_comm, b->n_ignore_comm);
	for (i = 0; i < a->n_ignore_comm; i++)
		assert_string_equal(a->ignore_comm[i], b->ignore_comm[i]);
	assert_int_equal(a->autofix, b->autofix);
	assert_int_equal(a->hide_owners, b->hide_owners);
}

static void assert_defaults(const struct nlt_conf *c)
{
	struct nlt_conf d;

	nlt_conf_defaults(&d);
	assert_conf_equal(c, &d);
}

static void test_conf_defaults_match_spec(void **state)
{
	struct nlt_conf c;

	(void)state;
	nlt_conf_defaults(&c);
	assert_int_equal(c.policy, NLT_POLICY_RAISE_ONLY);
	assert_int_equal(c.window_ms, 1000);
	assert_true(c.headroom == 2.0);
	assert_int_equal(c.floor, 212992);
	assert_int_equal(c.ceiling, 0); /* auto, resolved from MemTotal elsewhere */
	assert_int_equal(c.history, 5);
	assert_int_equal(c.monitor_buffer, 0); /* auto: min(16 MiB, MemTotal/16) */
	assert_int_equal(c.scan_interval_ms, 2000);
	assert_string_equal(c.state_dir, "/var/lib/nltune");
	assert_string_equal(c.sysctl_dir, "/etc/sysctl.d");
	assert_string_equal(c.metrics_file, "");
	assert_int_equal(c.alert_min_drops, 1);
	assert_int_equal(c.alert_interval_ms, 10000);
	assert_int_equal(c.n_ignore_comm, 0);
	assert_false(c.autofix);
	assert_int_equal(c.hide_owners, NLT_HIDE_AUTO);
}

static void test_conf_policy_names_round_trip(void **state)
{
	static const enum nlt_policy all[] = { NLT_POLICY_RAISE_ONLY, NLT_POLICY_EXACT,
					       NLT_POLICY_OBSERVE };
	char doc[64];
	size_t i;

	(void)state;
	assert_string_equal(nlt_policy_name(NLT_POLICY_RAISE_ONLY), "raise-only");
	assert_string_equal(nlt_policy_name(NLT_POLICY_EXACT), "exact");
	assert_string_equal(nlt_policy_name(NLT_POLICY_OBSERVE), "observe");
	assert_string_equal(nlt_policy_name((enum nlt_policy)42), "unknown");
	for (i = 0; i < NCASES(all); i++) {
		struct nlt_conf c;

		snprintf(doc, sizeof(doc), "policy = %s\n", nlt_policy_name(all[i]));
		assert_loads(&c, doc);
		assert_int_equal(c.policy, all[i]);
	}
}

static void test_conf_empty_document_gives_defaults(void **state)
{
	static const char *const docs[] = {
		"",
		"\n\n\n",
		"   \t\n",
		"# only a comment",
		"/* block */\n// line\n# hash\n",
		"alerts {\n}\n",
		"\xef\xbb\xbf# with a UTF-8 byte order mark\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(docs); i++) {
		struct nlt_conf c;

		memset(&c, 0x5a, sizeof(c));
		assert_loads(&c, docs[i]);
		assert_defaults(&c);
	}
}

static void test_conf_example_file_parses_to_defaults(void **state)
{
	struct nlt_conf c;
	int r;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	r = nlt_conf_load(&c, "conf/nltune.conf", err, sizeof(err));
	if (r != 0)
		fail_msg("conf/nltune.conf (run from the repository root): %d: %s", r, err);
	assert_defaults(&c);
}

static void test_conf_missing_file_gives_defaults(void **state)
{
	struct nlt_conf c;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(nlt_conf_load(&c, "/nonexistent/nltune/nltune.conf", err, sizeof(err)), 0);
	assert_defaults(&c);
	assert_string_equal(err, "");
}

enum field {
	F_POLICY,
	F_WINDOW,
	F_FLOOR,
	F_CEILING,
	F_HISTORY,
	F_MONBUF,
	F_SCAN,
	F_DROPS,
	F_INTERVAL,
	F_AUTOFIX,
	F_HIDE
};

static uint64_t field(const struct nlt_conf *c, enum field f)
{
	switch (f) {
	case F_POLICY:
		return c->policy;
	case F_WINDOW:
		return c->window_ms;
	case F_FLOOR:
		return c->floor;
	case F_CEILING:
		return c->ceiling;
	case F_HISTORY:
		return c->history;
	case F_MONBUF:
		return c->monitor_buffer;
	case F_SCAN:
		return c->scan_interval_ms;
	case F_DROPS:
		return c->alert_min_drops;
	case F_INTERVAL:
		return c->alert_interval_ms;
	case F_AUTOFIX:
		return c->autofix;
	case F_HIDE:
		return c->hide_owners;
	}
	return UINT64_MAX;
}

struct ok_case {
	const char *doc;
	enum field f;
	uint64_t want;
};

static void assert_accepts(const struct ok_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct nlt_conf c;

		assert_loads(&c, cases[i].doc);
		if (field(&c, cases[i].f) != cases[i].want)
			fail_msg("%s: got %llu, want %llu", cases[i].doc,
				 (unsigned long long)field(&c, cases[i].f),
				 (unsigned long long)cases[i].want);
	}
}

static void test_conf_accepts_every_key_in_every_unit_form(void **state)
{
	static const struct ok_case cases[] = {
		{ "policy = raise-only", F_POLICY, NLT_POLICY_RAISE_ONLY },
		{ "policy = exact", F_POLICY, NLT_POLICY_EXACT },
		{ "policy = \"observe\"", F_POLICY, NLT_POLICY_OBSERVE },
		{ "window = 1500", F_WINDOW, 1500 },
		{ "window = 1500ms", F_WINDOW, 1500 },
		{ "window = 2s", F_WINDOW, 2000 },
		{ "window = \"250ms\"", F_WINDOW, 250 },
		{ "floor = 4096", F_FLOOR, 4096 },
		{ "floor = 64K", F_FLOOR, 65536 },
		{ "floor = 64k", F_FLOOR, 65536 },
		{ "floor = 1M", F_FLOOR, 1048576 },
		{ "ceiling = 0", F_CEILING, 0 },
		{ "ceiling = 8388608", F_CEILING, 8388608 },
		{ "ceiling = 8M", F_CEILING, 8388608 },
		{ "ceiling = 8m", F_CEILING, 8388608 },
		{ "ceiling = 1G", F_CEILING, 1073741824 },
		{ "ceiling = 1g", F_CEILING, 1073741824 },
		{ "history = 7", F_HISTORY, 7 },
		{ "monitor-buffer = 1048576", F_MONBUF, 1048576 },
		{ "monitor-buffer = 512K", F_MONBUF, 524288 },
		{ "monitor-buffer = 32M", F_MONBUF, 33554432 },
		{ "monitor-buffer = 1G", F_MONBUF, 1073741824 },
		{ "scan-interval = 500", F_SCAN, 500 },
		{ "scan-interval = 500ms", F_SCAN, 500 },
		{ "scan-interval = 5s", F_SCAN, 5000 },
		{ "alerts {\n min-drops = 10\n}", F_DROPS, 10 },
		{ "alerts {\n interval = 30000\n}", F_INTERVAL, 30000 },
		{ "alerts {\n interval = 30000ms\n}", F_INTERVAL, 30000 },
		{ "alerts {\n interval = 30s\n}", F_INTERVAL, 30000 },
		{ "alerts { interval = 0 }", F_INTERVAL, 0 },
		{ "autofix = true", F_AUTOFIX, 1 },
		{ "autofix = yes", F_AUTOFIX, 1 },
		{ "autofix = on", F_AUTOFIX, 1 },
		{ "autofix = false", F_AUTOFIX, 0 },
		{ "autofix = no", F_AUTOFIX, 0 },
		{ "autofix = off", F_AUTOFIX, 0 },
		{ "hide-owners = auto", F_HIDE, NLT_HIDE_AUTO },
		{ "hide-owners = yes", F_HIDE, NLT_HIDE_YES },
		{ "hide-owners = \"no\"", F_HIDE, NLT_HIDE_NO },
	};

	(void)state;
	assert_accepts(cases, NCASES(cases));
}

static void test_conf_accepts_range_boundaries(void **state)
{
	static const struct ok_case cases[] = {
		{ "window = 10", F_WINDOW, 10 },
		{ "window = 60s", F_WINDOW, 60000 },
		{ "floor = 2304", F_FLOOR, 2304 },
		{ "floor = 1G\nceiling = 0", F_FLOOR, 1073741824 },
		{ "ceiling = 4096\nfloor = 4096", F_CEILING, 4096 },
		{ "ceiling = 2147483647", F_CEILING, 2147483647 },
		{ "history = 1", F_HISTORY, 1 },
		{ "history = 100", F_HISTORY, 100 },
		{ "monitor-buffer = 64K", F_MONBUF, 65536 },
		{ "monitor-buffer = 1073741824", F_MONBUF, 1073741824 },
		{ "scan-interval = 100", F_SCAN, 100 },
		{ "scan-interval = 86400s", F_SCAN, 86400000 },
		{ "alerts { min-drops = 1 }", F_DROPS, 1 },
		{ "alerts { min-drops = 2147483647 }", F_DROPS, 2147483647 },
		{ "alerts { interval = 86400000 }", F_INTERVAL, 86400000 },
	};

	(void)state;
	assert_accepts(cases, NCASES(cases));
}

static void test_conf_accepts_headroom_decimals(void **state)
{
	static const struct {
		const char *doc;
		double want;
	} cases[] = {
		{ "headroom = 1", 1.0 },
		{ "headroom = 1.0", 1.0 },
		{ "headroom = 1.05", 1.05 },
		{ "headroom = 2.5", 2.5 },
		{ "headroom = \"3\"", 3.0 },
		{ "headroom = 100", 100.0 },
		{ "headroom = 1.000000000000000000001", 1.0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		struct nlt_conf c;

		assert_loads(&c, cases[i].doc);
		if (c.headroom < cases[i].want - 1e-9 || c.headroom > cases[i].want + 1e-9)
			fail_msg("%s: got %g, want %g", cases[i].doc, c.headroom, cases[i].want);
	}
}

static void test_conf_reads_full_document(void **state)
{
	static const char doc[] = "policy = exact\n"
				  "window = 1500ms\n"
				  "headroom = 1.5\n"
				  "floor = 256K\n"
				  "ceiling = 64M\n"
				  "history = 9\n"
				  "monitor-buffer = 32M\n"
				  "scan-interval = 3s\n"
				  "state-dir = \"/srv/nltune/state\"\n"
				  "sysctl-dir = '/run/sysctl.d'\n"
				  "metrics-file = \"/var/lib/node_exporter/nltune.prom\"\n"
				  "alerts {\n"
				  "  min-drops = 3\n"
				  "  interval = 1s\n"
				  "  ignore-comm = {\"systemd-udevd\", \"foo) Z \",\n"
				  "                 NetworkManager}\n"
				  "}\n"
				  "autofix = true\n";
	struct nlt_conf c;

	(void)state;
	assert_loads(&c, doc);
	assert_int_equal(c.policy, NLT_POLICY_EXACT);
	assert_int_equal(c.window_ms, 1500);
	assert_true(c.headroom == 1.5);
	assert_int_equal(c.floor, 262144);
	assert_int_equal(c.ceiling, 67108864);
	assert_int_equal(c.history, 9);
	assert_int_equal(c.monitor_buffer, 33554432);
	assert_int_equal(c.scan_interval_ms, 3000);
	assert_string_equal(c.state_dir, "/srv/nltune/state");
	assert_string_equal(c.sysctl_dir, "/run/sysctl.d");
	assert_string_equal(c.metrics_file, "/var/lib/node_exporter/nltune.prom");
	assert_int_equal(c.alert_min_drops, 3);
	assert_int_equal(c.alert_interval_ms, 1000);
	assert_int_equal(c.n_ignore_comm, 3);
	assert_string_equal(c.ignore_comm[0], "systemd-udevd");
	assert_string_equal(c.ignore_comm[1], "foo) Z ");
	assert_string_equal(c.ignore_comm[2], "NetworkManager");
	assert_true(c.autofix);
}

static void test_conf_accepts_ignore_comm_up_to_limit(void **state)
{
	char doc[2048];
	struct nlt_conf c;
	size_t off;
	int i;

	(void)state;
	off = (size_t)snprintf(doc, sizeof(doc), "alerts {\n ignore-comm = {");
	for (i = 0; i < NLT_IGNORE_MAX; i++)
		off += (size_t)snprintf(doc + off, sizeof(doc) - off, "%s\"fifteen-bytes%02d\"",
					i ? ", " : "", i);
	snprintf(doc + off, sizeof(doc) - off, "}\n}\n");
	assert_loads(&c, doc);
	assert_int_equal(c.n_ignore_comm, NLT_IGNORE_MAX);
	assert_string_equal(c.ignore_comm[0], "fifteen-bytes00");
	assert_string_equal(c.ignore_comm[NLT_IGNORE_MAX - 1], "fifteen-bytes31");

	assert_loads(&c, "alerts { ignore-comm = \"single\" }");
	assert_int_equal(c.n_ignore_comm, 1);
	assert_string_equal(c.ignore_comm[0], "single");
	assert_loads(&c, "alerts { ignore-comm = {} }");
	assert_int_equal(c.n_ignore_comm, 0);
}

static void test_conf_later_assignment_wins(void **state)
{
	struct nlt_conf c;

	(void)state;
	assert_loads(&c, "window = 100\nwindow = 200\nalerts { min-drops = 2 }\n"
			 "alerts { interval = 5s }\n");
	assert_int_equal(c.window_ms, 200);
	assert_int_equal(c.alert_min_drops, 2);
	assert_int_equal(c.alert_interval_ms, 5000);
}

static void test_conf_comments_in_every_style_are_ignored(void **state)
{
	static const char doc[] = "# hash\n"
				  "// slashes\n"
				  "/* block\n   over lines */\n"
				  "window = 1500 # after a value\n"
				  "history = 7 // after a value\n"
				  "floor = /* inside */ 64K/* glued */\n"
				  "sysctl-dir = /run//sysctl.d# glued\n"
				  "state-dir = \"/srv/#not-a-comment//x\"\n"
				  "alerts {\n"
				  "  ignore-comm = { \"a\", # between list elements\n"
				  "                  \"b\" // and here\n"
				  "  }\n"
				  "}\n"
				  "autofix = yes # no newline at the end";
	struct nlt_conf c;

	(void)state;
	assert_loads(&c, doc);
	assert_int_equal(c.window_ms, 1500);
	assert_int_equal(c.history, 7);
	assert_int_equal(c.floor, 65536);
	assert_string_equal(c.state_dir, "/srv/#not-a-comment//x");
	assert_string_equal(c.sysctl_dir, "/run//sysctl.d");
	assert_int_equal(c.n_ignore_comm, 2);
	assert_string_equal(c.ignore_comm[1], "b");
	assert_true(c.autofix);
}

static void test_conf_accepts_crlf_line_endings(void **state)
{
	struct nlt_conf c;

	(void)state;
	assert_loads(&c, "window = 1500\r\nhistory = 3\r\nalerts {\r\n min-drops = 4\r\n}\r\n");
	assert_int_equal(c.window_ms, 1500);
	assert_int_equal(c.history, 3);
	assert_int_equal(c.alert_min_drops, 4);
}

static void test_conf_rejects_unknown_key_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "bogus = 1\n", 1, "no such option 'bogus'" },
		{ "window = 1000\n\n\nwindwo = 1000\n", 4, "no such option 'windwo'" },
		{ "Window = 1000\n", 1, "no such option 'Window'" },
		{ "\"window \" = 1000\n", 1, "no such option" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_unknown_key_in_section_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "alerts {\n  min-drops = 1\n  window = 5\n}\n", 3, "no such option 'window'" },
		{ "alerts {\n  min_drops = 1\n}\n", 2, "no such option 'min_drops'" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_unknown_and_nested_sections_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "window = 100\nmonitor {\n  buffer = 1\n}\n", 2, "no such option 'monitor'" },
		{ "alerts {\n  alerts {\n    alerts {\n    }\n  }\n}\n", 2,
		  "no such option 'alerts'" },
		/* Braces are counted before libconfuse reads the file. */
		{ "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\n", 1, "'{' is never closed" },
		{ "alerts {\n  ignore-comm = {{{{ \"a\" }}}}\n}\n", 2, "unexpected token '{'" },
		{ "window { }\n", 1, NULL },
		{ "alerts = 5\n", 1, NULL },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_wrong_type_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "window = \"abc\"\n", 1, "window: 'abc' is not a duration" },
		{ "\nwindow = 1.5s\n", 2, "not a duration" },
		{ "window = 10 ms\n", 1, NULL },
		{ "window = 2h\n", 1, "not a duration" },
		{ "window = 0x10\n", 1, "not a duration" },
		{ "headroom = yes\n", 1, "headroom: 'yes' is not a number" },
		{ "headroom = nan\n", 1, "not a number" },
		{ "headroom = inf\n", 1, "not a number" },
		{ "headroom = 1e3\n", 1, "not a number" },
		{ "headroom = 2,5\n", 1, NULL },
		{ "headroom = .5\n", 1, "not a number" },
		{ "headroom = 2.\n", 1, "not a number" },
		{ "floor = big\n", 1, "floor: 'big' is not a size" },
		{ "floor = 64KiB\n", 1, "not a size" },
		{ "floor = 1.5M\n", 1, "not a size" },
		{ "floor = 010\n\n", 1, NULL },
		{ "monitor-buffer = 16T\n", 1, "not a size" },
		{ "monitor-buffer = \" 16M\"\n", 1, "not a size" },
		{ "history = two\n", 1, "history: 'two' is not a whole number" },
		{ "history = 5s\n", 1, "not a whole number" },
		{ "policy = fast\n", 1, "unknown policy 'fast'; use raise-only, exact or observe" },
		{ "policy = Exact\n", 1, "unknown policy" },
		{ "autofix = maybe\n", 1, "invalid boolean value for option 'autofix'" },
		{ "autofix = 1\n", 1, "invalid boolean value" },
		{ "hide-owners = true\n", 1,
		  "hide-owners: unknown value 'true'; use auto, yes or no" },
		{ "state-dir = {\"/a\"}\n", 1, NULL },
		{ "alerts {\n min-drops = many\n}\n", 2, "alerts.min-drops: 'many'" },
		{ "alerts {\n interval = soon\n}\n", 2,
		  "alerts.interval: 'soon' is not a duration" },
		{ "window 1000\n", 1, "missing equal sign" },
		{ "window =\n", 1, "premature end of file" },
		{ "window = 500\nhistory =\n\n\n", 2, "premature end of file" },
		{ "window = = 5\n", 1, NULL },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_negative_size_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "monitor-buffer = -1\n", 1, "monitor-buffer: '-1' is negative" },
		{ "\nfloor = -4096\n", 2, "floor: '-4096' is negative" },
		{ "ceiling = -1M\n", 1, "is negative" },
		{ "window = -5\n", 1, "window: '-5' is negative" },
		{ "history = -1\n", 1, "is negative" },
		{ "alerts {\n\n interval = -1s\n}\n", 3, "is negative" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_out_of_range_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "window = 9\n", 1, "window: 9 ms is out of range; use 10 ms .. 60 s" },
		{ "window = 61s\n", 1, "out of range" },
		{ "window = 0\n", 1, "out of range" },
		{ "floor = 2303\n", 1, "floor: 2303 bytes is out of range; use 2304 .. 1G" },
		{ "floor = 1025M\n", 1, "out of range" },
		{ "ceiling = 4095\n", 1, "use 0 (auto) or 4K .. 2147483647" },
		{ "ceiling = 2G\n", 1, "out of range" },
		{ "history = 0\n", 1, "history: 0 is out of range; use 1 .. 100" },
		{ "history = 101\n", 1, "out of range" },
		{ "monitor-buffer = 65535\n", 1, "use 0 (auto) or 64K .. 1G" },
		{ "monitor-buffer = 1025M\n", 1, "out of range" },
		{ "scan-interval = 99\n", 1, "scan-interval: 99 ms is out of range" },
		{ "scan-interval = 86401s\n", 1, "out of range" },
		{ "alerts {\n min-drops = 0\n}\n", 2, "alerts.min-drops: 0 is out of range" },
		{ "alerts {\n min-drops = 2147483648\n}\n", 2, "out of range" },
		{ "alerts {\n interval = 86400001\n}\n", 2, "alerts.interval" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_headroom_below_one_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "headroom = 0.5\n", 1, "headroom: 0.5 is below 1.0" },
		{ "window = 100\n\nheadroom = 0\n", 3, "below 1.0" },
		{ "headroom = 0.999\n", 1, "below 1.0" },
		{ "headroom = -2\n", 1, NULL },
		{ "headroom = 100.5\n", 1, "too large" },
		{ "headroom = 99999999999999999999999999999999999999999\n", 1, "too large" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_floor_above_ceiling_at_later_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "floor = 1M\nceiling = 512K\n", 2,
		  "floor (1048576 bytes) is above ceiling (524288 bytes)" },
		{ "ceiling = 512K\n\nfloor = 1M\n", 3, "floor (1048576 bytes) is above ceiling" },
		{ "ceiling = 8192\n", 1, "floor (212992 bytes) is above ceiling (8192 bytes)" },
		{ "floor = 1M\nwindow = 100\nceiling = 512K\nhistory = 3\n", 3, "above ceiling" },
		{ "ceiling = 512K\nfloor = 1M\nfloor = 2M\nhistory = 2\n", 3, "above ceiling" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_accepts_floor_below_ceiling_in_any_order(void **state)
{
	struct nlt_conf c;

	(void)state;
	/* The default floor (208K) is above this ceiling until the file lowers it. */
	assert_loads(&c, "ceiling = 128K\nfloor = 64K\n");
	assert_int_equal(c.ceiling, 131072);
	assert_int_equal(c.floor, 65536);
	assert_loads(&c, "floor = 64K\nceiling = 128K\n");
	assert_loads(&c, "floor = 1G\nceiling = 0\n");
	assert_loads(&c, "floor = 1M\nceiling = 1M\n");
}

static void test_conf_rejects_overflow_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "monitor-buffer = 99999999999999999999G\n", 1,
		  "monitor-buffer: '99999999999999999999G' is too large; use at most 1G" },
		{ "monitor-buffer = 17179869184G\n", 1, "too large" },
		{ "monitor-buffer = 9223372036854775807\n", 1, "out of range" },
		{ "monitor-buffer = 9223372036854775808\n", 1, "too large" },
		{ "ceiling = 18446744073709551616\n", 1, "too large" },
		{ "\n\nwindow = 99999999999999999999\n", 3,
		  "window: '99999999999999999999' is too large" },
		{ "window = 9223372036854776s\n", 1, "too large" },
		{ "history = 4294967297\n", 1, "out of range" },
		{ "alerts {\n min-drops = 99999999999999999999999\n}\n", 2, "too large" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_unterminated_string_at_opening_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "window = 100\nstate-dir = \"/var/lib\nhistory = 5\nfloor = 4096\n", 2,
		  "unterminated string; add the closing \"" },
		{ "state-dir = '/var/lib\n\n\n", 1, "unterminated string; add the closing '" },
		{ "state-dir = \"abc\\", 1, "unterminated string" },
		{ "state-dir = \"abc\\\"\n", 1, "unterminated string" },
		{ "alerts {\n ignore-comm = {\"a\", \"b}\n}\n", 2, "unterminated string" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_unterminated_comment_at_opening_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "window = 100\n/* the rest\nhistory = 0\n", 2, "unterminated comment" },
		{ "/* a */ /* b\n", 1, "unterminated comment; add the closing */" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_unclosed_brace_at_opening_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "window = 100\nalerts {\n  min-drops = 3\n", 2, "'{' is never closed" },
		{ "alerts {\n  ignore-comm = {\"a\", \"b\"\n", 2, "never closed" },
		{ "alerts {\n  ignore-comm = {\"a\"\n}\n", 1, "never closed" },
		{ "alerts {", 1, "never closed" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_stray_closing_brace_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "window = 100\n}\n", 2, "closing brace" },
		{ "alerts {\n}\n}\n", 3, "closing brace" },
	};

	(void)state;
	assert_rejects(cases, NCASES(cases));
}

static void test_conf_rejects_binary_file_at_nul_line(void **state)
{
	static const char at1[] = "\0window = 100\n";
	static const char at3[] = "window = 100\nhistory = 5\nfloor\0 = 4096\n";
	static const char elf[] = "\x7f"
				  "ELF\x02\x01\x01\0\0\0";

	(void)state;
	assert_rejected_n(at1, sizeof(at1) - 1, 1, "binary file");
	assert_rejected_n(at3, sizeof(at3) - 1, 3, "binary file");
	assert_rejected_n(elf, sizeof(elf) - 1, 1, "binary file");
}

static void test_conf_rejects_bad_paths_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "state-dir = \"var/lib/nltune\"\n", 1,
		  "state-dir: 'var/lib/nltune' is not an absolute path" },
		{ "\nsysctl-dir = etc\n", 2, "sysctl-dir: 'etc' is not an absolute path" },
		{ "state-dir = \"\"\n", 1, "not an absolute path" },
		{ "metrics-file = \"nltune.prom\"\n", 1,
		  "metrics-file: 'nltune.prom' is not an absolute path" },
		{ "state-dir = \"/var/lib\\nnltune\"\n", 1, "control character" },
		{ "state-dir = \"/var/lib/nltune\r\"\n", 1, "control character" },
	};
	char *doc = malloc(PATH_MAX + 64);
	size_t off;

	(void)state;
	assert_rejects(cases, NCASES(cases));

	assert_non_null(doc);
	off = (size_t)snprintf(doc, 64, "window = 100\nstate-dir = \"/");
	memset(doc + off, 'a', PATH_MAX - 1);
	strcpy(doc + off + PATH_MAX - 1, "\"\n");
	assert_rejected_n(doc, strlen(doc), 2, "the limit is 4095");
	/* One byte shorter fits. */
	strcpy(doc + off + PATH_MAX - 2, "\"\n");
	{
		struct nlt_conf c;

		assert_loads(&c, doc);
		assert_int_equal(strlen(c.state_dir), PATH_MAX - 1);
	}
	free(doc);
}

static void test_conf_rejects_bad_ignore_comm_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "alerts {\n ignore-comm = {\"ok\",\n \"sixteen-bytes-xx\"}\n}\n", 3,
		  "'sixteen-bytes-xx' is longer than 15 bytes" },
		{ "alerts {\n ignore-comm = {\"\"}\n}\n", 2, "empty name" },
	};
	char doc[4096];
	size_t off;
	int i;

	(void)state;
	assert_rejects(cases, NCASES(cases));

	off = (size_t)snprintf(doc, sizeof(doc), "alerts {\n ignore-comm = {\n");
	for (i = 0; i <= NLT_IGNORE_MAX; i++)
		off += (size_t)snprintf(doc + off, sizeof(doc) - off, "  \"name%d\",\n", i);
	snprintf(doc + off - 2, sizeof(doc) - off + 2, "\n }\n}\n");
	/* Line 1 "alerts {", line 2 "ignore-comm = {", names from line 3: the 33rd is on 35. */
	assert_rejected_n(doc, strlen(doc), 3 + NLT_IGNORE_MAX, "more than 32 names");
}

static void test_conf_rejects_env_reference_with_line(void **state)
{
	static const struct bad_case cases[] = {
		{ "state-dir = ${HOME}\n", 1, "environment references are not supported" },
		{ "\nstate-dir = \"${HOME}/nltune\"\n", 2, "not supported" },
		{ "window = ${WINDOW:-100}\n", 1, "not supported" },
	};
	struct nlt_conf c;

	(void)state;
	assert_rejects(cases, NCASES(cases));
	/* Quoted with '...', in a comment, or without the brace it is just text. */
	assert_loads(&c, "state-dir = '/srv/${x}'\n# ${HOME}\nsysctl-dir = \"/srv/$x\"\n");
	assert_string_equal(c.state_dir, "/srv/${x}");
	assert_string_equal(c.sysctl_dir, "/srv/$x");
}

static void test_conf_line_numbers_count_comment_lines(void **state)
{
	/* libconfuse 3.3 alone would put this error on line 16. */
	static const char doc[] = "# one\n"
				  "## two\n"
				  "// three\n"
				  "/* four\n"
				  "   five */\n"
				  "window = 1000 # six\n"
				  "alerts { # seven\n"
				  "  ignore-comm = { \"a\", # eight\n"
				  "    \"b\" } // nine\n"
				  "} /* ten */\n"
				  "bogus = 1\n";

	(void)state;
	assert_rejected_n(doc, strlen(doc), 11, "no such option 'bogus'");
}

static void test_conf_survives_very_long_lines(void **state)
{
	size_t n = 200 * 1024;
	char *doc = malloc(n + 64);
	struct nlt_conf c;

	(void)state;
	assert_non_null(doc);

	/* A long comment is fine. */
	doc[0] = '#';
	memset(doc + 1, 'x', n);
	strcpy(doc + 1 + n, "\nwindow = 1500\n");
	assert_loads(&c, doc);
	assert_int_equal(c.window_ms, 1500);

	/* A long unknown key is reported with its line and a bounded message. */
	strcpy(doc, "window = 1500\n");
	memset(doc + 14, 'k', n);
	strcpy(doc + 14 + n, " = 1\n");
	assert_rejected_n(doc, strlen(doc), 2, "no such option 'kkkk");
	assert_true(strlen(err) < 300); /* conf.c keeps 256 bytes of a message */

	/* A long value too. */
	strcpy(doc, "window = ");
	memset(doc + 9, '9', n);
	strcpy(doc + 9 + n, "\n");
	assert_rejected_n(doc, strlen(doc), 1, "too large");

	/* And a long quoted string. */
	strcpy(doc, "metrics-file = \"/");
	memset(doc + 17, 'm', n);
	strcpy(doc + 17 + n, "\"\n");
	assert_rejected_n(doc, strlen(doc), 1, "the limit is 4095");
	free(doc);
}

static void test_conf_rejects_oversized_document(void **state)
{
	size_t n = 2 * 1024 * 1024;
	char *doc = malloc(n);
	struct nlt_conf c;

	(void)state;
	assert_non_null(doc);
	memset(doc, '\n', n);
	assert_int_equal(load_n(&c, doc, n), -EINVAL);
	assert_string_equal(err,
			    NAME ": larger than 1024 KiB; this is not an nltune configuration");
	free(doc);
}

static char tmpdir[] = "/tmp/test_conf.XXXXXX";

static int make_tmpdir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_conf_load_reports_path_and_line(void **state)
{
	char path[PATH_MAX], want[PATH_MAX + 32];
	struct nlt_conf c;

	(void)state;
	snprintf(path, sizeof(path), "%s/nltune.conf", tmpdir);
	write_file(path, "# comment\nwindow = 2s\nheadroom = 0.5\n");
	assert_int_equal(nlt_conf_load(&c, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: headroom: 0.5 is below 1.0", path);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);

	write_file(path, "window = 2s\n");
	assert_int_equal(nlt_conf_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.window_ms, 2000);
	assert_string_equal(err, "");
	unlink(path);
}

static void test_conf_load_rejects_unreadable_file_with_errno_text(void **state)
{
	char path[PATH_MAX], want[PATH_MAX + 64];
	struct nlt_conf c;

	(void)state;
	/* A directory opens but cannot be read. */
	assert_int_equal(nlt_conf_load(&c, tmpdir, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: cannot read: %s", tmpdir, strerror(EISDIR));
	assert_int_equal(strncmp(err, want, strlen(want)), 0);

	/* A path through a regular file is not "missing". */
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	write_file(path, "window = 100\n");
	snprintf(path, sizeof(path), "%s/file/nltune.conf", tmpdir);
	assert_int_equal(nlt_conf_load(&c, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, strerror(ENOTDIR)));

	/* Permissions, where they apply (root reads anything). */
	snprintf(path, sizeof(path), "%s/file", tmpdir);
	assert_int_equal(chmod(path, 0), 0);
	if (access(path, R_OK) != 0) {
		assert_int_equal(nlt_conf_load(&c, path, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "%s: cannot read: %s", path, strerror(EACCES));
		assert_int_equal(strncmp(err, want, strlen(want)), 0);
	}
	unlink(path);
}

static void test_conf_error_leaves_config_untouched(void **state)
{
	struct nlt_conf c, before;

	(void)state;
	assert_loads(&c, "window = 300\nalerts { ignore-comm = {\"keep\"} }\n");
	before = c;
	assert_int_equal(load(&c, "window = 400\nalerts { ignore-comm = {\"x\"} }\nbogus = 1\n"),
			 -EINVAL);
	assert_conf_equal(&c, &before);
	assert_int_equal(load(&c, "floor = 1M\nceiling = 512K\n"), -EINVAL);
	assert_conf_equal(&c, &before);
}

static void test_conf_parses_again_after_error(void **state)
{
	static const char *const bad[] = {
		"state-dir = \"\\9\"\n", /* libconfuse errors inside a string */
		"state-dir = \"\\777\"\n",
		"window = = =\n",
		"alerts {\n bogus = 1\n}\n",
		"alerts {\n ignore-comm = {\"a\",\n",
		"}\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(bad); i++) {
		struct nlt_conf c;

		if (load(&c, bad[i]) != -EINVAL)
			fail_msg("%s: accepted", bad[i]);
		assert_loads(&c, "window = 1500\nstate-dir = \"/srv/a\"\n");
		assert_int_equal(c.window_ms, 1500);
		assert_string_equal(c.state_dir, "/srv/a");
	}
}

static void test_conf_never_prints(void **state)
{
	static const char *const docs[] = {
		"state-dir = \"abc\\",
		"state-dir = 'abc\\",
		"bogus = 1\n",
		"window = abc\n",
		"autofix = maybe\n",
		"headroom = yes\n",
		"}\n",
		"alerts {\n",
		"window = 1 2 3\n",
		"state-dir = \"\\9\"\n",
		"state-dir = \"\\777\"\n",
		"window = {1}\n",
		"alerts { ignore-comm = {,} }\n",
		"policy = \n",
		"floor = 1M\nceiling = 4K\n",
		"\\\n",
		"@#$%^&*()\n",
		"window = 1000\n",
	};
	char path[PATH_MAX];
	int out, saved1, saved2;
	struct stat st;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/output", tmpdir);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(out >= 0);
	fflush(stdout);
	fflush(stderr);
	saved1 = dup(1);
	saved2 = dup(2);
	dup2(out, 1);
	dup2(out, 2);
	for (i = 0; i < NCASES(docs); i++) {
		struct nlt_conf c;

		load(&c, docs[i]);
	}
	nlt_conf_load(&(struct nlt_conf){ 0 }, tmpdir, err, sizeof(err));
	fflush(stdout);
	fflush(stderr);
	dup2(saved1, 1);
	dup2(saved2, 2);
	close(saved1);
	close(saved2);
	assert_int_equal(fstat(out, &st), 0);
	close(out);
	unlink(path);
	assert_int_equal(st.st_size, 0);
}

static void test_conf_handles_small_or_missing_error_buffer(void **state)
{
	struct nlt_conf c;
	char small[8];

	(void)state;
	assert_int_equal(nlt_conf_load_buffer(&c, NAME, "bogus = 1\n", 10, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "test.co");
	assert_int_equal(nlt_conf_load_buffer(&c, NAME, "bogus = 1\n", 10, NULL, 0), -EINVAL);
	assert_int_equal(nlt_conf_load_buffer(&c, NAME, "window = 1\n", 11, small, 0), -EINVAL);
	assert_int_equal(nlt_conf_load_buffer(&c, NULL, "window = 100\n", 13, NULL, 0), 0);
	assert_int_equal(nlt_conf_load_buffer(&c, NULL, NULL, 0, NULL, 0), 0);
	assert_defaults(&c);
}

static void test_conf_error_messages_hide_control_characters(void **state)
{
	static const char doc[] = "bo\x01gus\x1b[31m = 1\n";
	struct nlt_conf c;
	size_t i;

	(void)state;
	assert_int_equal(load(&c, doc), -EINVAL);
	for (i = 0; err[i]; i++)
		assert_true((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
	assert_non_null(strstr(err, "no such option 'bo?gus?[31m'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_defaults_match_spec),
		cmocka_unit_test(test_conf_policy_names_round_trip),
		cmocka_unit_test(test_conf_empty_document_gives_defaults),
		cmocka_unit_test(test_conf_example_file_parses_to_defaults),
		cmocka_unit_test(test_conf_missing_file_gives_defaults),
		cmocka_unit_test(test_conf_accepts_every_key_in_every_unit_form),
		cmocka_unit_test(test_conf_accepts_range_boundaries),
		cmocka_unit_test(test_conf_accepts_headroom_decimals),
		cmocka_unit_test(test_conf_reads_full_document),
		cmocka_unit_test(test_conf_accepts_ignore_comm_up_to_limit),
		cmocka_unit_test(test_conf_later_assignment_wins),
		cmocka_unit_test(test_conf_comments_in_every_style_are_ignored),
		cmocka_unit_test(test_conf_accepts_crlf_line_endings),
		cmocka_unit_test(test_conf_rejects_unknown_key_with_line),
		cmocka_unit_test(test_conf_rejects_unknown_key_in_section_with_line),
		cmocka_unit_test(test_conf_rejects_unknown_and_nested_sections_with_line),
		cmocka_unit_test(test_conf_rejects_wrong_type_with_line),
		cmocka_unit_test(test_conf_rejects_negative_size_with_line),
		cmocka_unit_test(test_conf_rejects_out_of_range_with_line),
		cmocka_unit_test(test_conf_rejects_headroom_below_one_with_line),
		cmocka_unit_test(test_conf_rejects_floor_above_ceiling_at_later_line),
		cmocka_unit_test(test_conf_accepts_floor_below_ceiling_in_any_order),
		cmocka_unit_test(test_conf_rejects_overflow_with_line),
		cmocka_unit_test(test_conf_rejects_unterminated_string_at_opening_line),
		cmocka_unit_test(test_conf_rejects_unterminated_comment_at_opening_line),
		cmocka_unit_test(test_conf_rejects_unclosed_brace_at_opening_line),
		cmocka_unit_test(test_conf_rejects_stray_closing_brace_with_line),
		cmocka_unit_test(test_conf_rejects_binary_file_at_nul_line),
		cmocka_unit_test(test_conf_rejects_bad_paths_with_line),
		cmocka_unit_test(test_conf_rejects_bad_ignore_comm_with_line),
		cmocka_unit_test(test_conf_rejects_env_reference_with_line),
		cmocka_unit_test(test_conf_line_numbers_count_comment_lines),
		cmocka_unit_test(test_conf_survives_very_long_lines),
		cmocka_unit_test(test_conf_rejects_oversized_document),
		cmocka_unit_test(test_conf_load_reports_path_and_line),
		cmocka_unit_test(test_conf_load_rejects_unreadable_file_with_errno_text),
		cmocka_unit_test(test_conf_error_leaves_config_untouched),
		cmocka_unit_test(test_conf_parses_again_after_error),
		cmocka_unit_test(test_conf_never_prints),
		cmocka_unit_test(test_conf_handles_small_or_missing_error_buffer),
		cmocka_unit_test(test_conf_error_messages_hide_control_characters),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
