/* SPDX-License-Identifier: MIT */
/* Tests of report: UTF-8 cleaning and every JSON record checked against the documented keys. */
#include <errno.h>
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

#include "alerts.h"
#include "recommend.h"
#include "report.h"
#include "sanitize.h"
#include "scan.h"
#include "state.h"
#include "sysctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CANARY	      'X'

/* ---- helpers -------------------------------------------------------------------------------- */

/* Strict RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		uint32_t cp;
		size_t n, i;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 2, cp = *s & 0x1f;
		else if ((*s & 0xf0) == 0xe0)
			n = 3, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 4, cp = *s & 0x07;
		else
			return false;
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n;
	}
	return true;
}

/* s with bytes outside printable ASCII as \xNN, for failure messages; two results at a time. */
static const char *esc(const char *s)
{
	static char buf[2][1024];
	static int which;
	char *b = buf[which ^= 1];
	size_t o = 0;

	for (; *s && o + 5 < sizeof(buf[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(b + o, sizeof(buf[0]) - o, "\\x%02x", c);
		else
			b[o++] = (char)c;
	}
	b[o] = '\0';
	return b;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * Serialize o, check the text is strictly valid UTF-8 and strict JSON, parse it
 * back. Consumes o; the caller owns the result.
 */
static json_object *roundtrip(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	struct json_tokener *tok = json_tokener_new();
	json_object *back;

	assert_non_null(s);
	assert_non_null(tok);
	if (!utf8_valid(s))
		fail_msg("not valid UTF-8: %s", esc(s));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	back = json_tokener_parse_ex(tok, s, (int)strlen(s));
	if (!back || json_tokener_get_error(tok) != json_tokener_success)
		fail_msg("does not parse back (%s): %s",
			 json_tokener_error_desc(json_tokener_get_error(tok)), s);
	json_tokener_free(tok);
	json_object_put(o);
	return back;
}

struct key {
	const char *name;
	json_type type;
};

/* Every key of k present with its type; with exact, no other key either. */
static void assert_keys(json_object *o, const struct key *k, size_t n, bool exact)
{
	json_object *v;
	size_t i;

	assert_true(json_object_is_type(o, json_type_object));
	for (i = 0; i < n; i++) {
		if (!json_object_object_get_ex(o, k[i].name, &v))
			fail_msg("key \"%s\" missing in %s", k[i].name,
				 json_object_to_json_string(o));
		if (!json_object_is_type(v, k[i].type))
			fail_msg("key \"%s\" is a %s, want a %s", k[i].name,
				 json_type_to_name(json_object_get_type(v)),
				 json_type_to_name(k[i].type));
	}
	if (exact && (size_t)json_object_object_length(o) != n)
		fail_msg("%d keys, want exactly %zu: %s", json_object_object_length(o), n,
			 json_object_to_json_string(o));
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key \"%s\" missing", key);
	return v;
}

static uint64_t u64_of(json_object *o, const char *key)
{
	return json_object_get_uint64(member(o, key));
}

static const char *str_of(json_object *o, const char *key)
{
	return json_object_get_string(member(o, key));
}

static const struct key socket_keys[] = {
	{ "inode", json_type_int },	   { "protocol", json_type_int },
	{ "portid", json_type_int },	   { "netns", json_type_int },
	{ "pids", json_type_array },	   { "comm", json_type_string },
	{ "groups", json_type_int },	   { "rcvbuf", json_type_int },
	{ "queued", json_type_int },	   { "drops", json_type_int },
	{ "holds_events", json_type_int }, { "limit", json_type_string },
	{ "verdict", json_type_string },   { "fix", json_type_string },
};

static const struct key alert_base_keys[] = {
	{ "id", json_type_int },	  { "time", json_type_string },
	{ "severity", json_type_string }, { "kind", json_type_string },
	{ "message", json_type_string },
};

static const struct key alert_socket_keys[] = {
	{ "id", json_type_int },	  { "time", json_type_string },
	{ "severity", json_type_string }, { "kind", json_type_string },
	{ "message", json_type_string },  { "pid", json_type_int },
	{ "comm", json_type_string },	  { "inode", json_type_int },
	{ "drops", json_type_int },
};

/* Owners live in the scanner's cache; a row points at one of these. */
static struct owner owner_pool[64];
static size_t owner_next;
#define OWN(r) ((struct owner *)(r).own)

static struct sockrow mkrow(uint64_t inode, enum nl_verdict verdict, uint64_t new_drops,
			    uint32_t drops)
{
	struct owner *o = &owner_pool[owner_next++ % ARRAY_SIZE(owner_pool)];
	struct sockrow r;

	memset(&r, 0, sizeof(r));
	r.s.inode = inode;
	r.s.protocol = NLSCAN_PROTO_UEVENT;
	r.s.portid = 812;
	r.s.netns = 4026531840u;
	r.s.groups = 1;
	r.s.rcvbuf = 2304;
	r.s.rmem = 1664;
	r.s.drops = drops;
	r.s.has_diag = true;
	r.new_drops = new_drops;
	memset(o, 0, sizeof(*o));
	o->inode = inode;
	o->npids = 1;
	o->pids[0] = 812;
	snprintf(o->comm, sizeof(o->comm), "udevd");
	r.own = o;
	r.v.limit = LIMIT_MINIMUM;
	r.v.verdict = verdict;
	r.v.holds_events = 2;
	return r;
}

static struct alert mkalert(uint64_t id, enum alert_kind kind, uint64_t inode, const char *comm,
			    const char *msg)
{
	struct alert a;

	memset(&a, 0, sizeof(a));
	a.id = id;
	a.time_ms = 1795666451123ull;
	a.severity = SEV_CRITICAL;
	a.kind = kind;
	a.inode = inode;
	if (inode) {
		a.pid = 812;
		a.drops = 17;
		snprintf(a.comm, sizeof(a.comm), "%s", comm);
	}
	snprintf(a.message, sizeof(a.message), "%s", msg);
	return a;
}

/* ---- sanitize_text ----------------------------------------------------------------------------
 */

struct utf8_case {
	const char *in, *want;
};

static void run_utf8(const struct utf8_case *c, size_t n)
{
	char out[64];
	size_t i;

	for (i = 0; i < n; i++) {
		memset(out, CANARY, sizeof(out));
		sanitize_text(out, sizeof(out), c[i].in);
		if (strcmp(out, c[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, esc(out), esc(c[i].want));
	}
}

static void test_sanitize_text_keeps_valid_text(void **state)
{
	static const struct utf8_case c[] = {
		{ "", "" },
		{ "systemd-udevd", "systemd-udevd" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },	    /* U+00E9, 2 bytes */
		{ "\xc2\xa0", "\xc2\xa0" },		    /* U+00A0, first after the C1 block */
		{ "\xe2\x82\xac", "\xe2\x82\xac" },	    /* U+20AC, 3 bytes */
		{ "\xe0\xa0\x80", "\xe0\xa0\x80" },	    /* U+0800, smallest 3-byte */
		{ "\xef\xbf\xbd", "\xef\xbf\xbd" },	    /* U+FFFD */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" }, /* U+1F600, 4 bytes */
		{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" }, /* U+10FFFF, the last one */
		{ "a\xc3\xa9"
		  "b\xe2\x82\xac"
		  "c",
		  "a\xc3\xa9"
		  "b\xe2\x82\xac"
		  "c" },
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

static void test_sanitize_text_replaces_c1_controls(void **state)
{
	static const struct utf8_case c[] = {
		{ "\xc2\x80", "?" }, /* U+0080 */
		{ "a\xc2\x9b"
		  "2J",
		  "a?2J" },	     /* U+009B, CSI: would start an escape sequence */
		{ "\xc2\x9f", "?" }, /* U+009F, the last C1 control */
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

static void test_sanitize_text_replaces_invalid_bytes(void **state)
{
	static const struct utf8_case c[] = {
		{ "\x80", "?" }, /* lone continuation bytes */
		{ "\xbf", "?" },
		{ "a\x80\x80z", "a??z" },
		{ "\xfe", "?" }, /* never valid */
		{ "\xff\xff", "??" },
		{ "\xf8\x88\x80\x80\x80", "?????" }, /* old 5-byte form */
		{ "\xc3"
		  "A",
		  "?A" }, /* lead byte, then no continuation */
		{ "\xe2\x82"
		  "A",
		  "??A" },
		{ "\xf0\x9f\x98"
		  "A",
		  "???A" },
		{ "\xc3\xc3\xa9", "?\xc3\xa9" }, /* a lead byte cut short by another character */
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

static void test_sanitize_text_replaces_two_byte_overlongs(void **state)
{
	static const struct utf8_case c[] = {
		{ "\xc0\x80", "??" }, /* NUL */
		{ "\xc0\xaf", "??" }, /* '/' */
		{ "\xc1\xbf", "??" }, /* U+007F */
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

/* 3- and 4-byte overlongs are not valid UTF-8 either (and sd-bus would refuse them). */
static void test_sanitize_text_replaces_three_and_four_byte_overlongs(void **state)
{
	static const struct utf8_case c[] = {
		{ "\xe0\x80\xaf", "???" },	/* '/' in 3 bytes */
		{ "\xe0\x9f\xbf", "???" },	/* U+07FF in 3 bytes */
		{ "\xf0\x80\x80\xaf", "????" }, /* '/' in 4 bytes */
		{ "\xf0\x8f\xbf\xbf", "????" }, /* U+FFFF in 4 bytes */
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

/* Surrogates and code points above U+10FFFF are not valid UTF-8. */
static void test_sanitize_text_replaces_surrogates_and_beyond_u10ffff(void **state)
{
	static const struct utf8_case c[] = {
		{ "\xed\xa0\x80", "???" },	/* U+D800 */
		{ "\xed\xbf\xbf", "???" },	/* U+DFFF */
		{ "\xf4\x90\x80\x80", "????" }, /* U+110000 */
		{ "\xf5\x80\x80\x80", "????" }, /* lead bytes 0xf5..0xf7 are never valid */
		{ "\xf7\xbf\xbf\xbf", "????" },
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

static void test_sanitize_text_replaces_truncated_multibyte_at_end(void **state)
{
	static const struct utf8_case c[] = {
		{ "ab\xc3", "ab?" }, { "ab\xe2", "ab?" },      { "ab\xe2\x82", "ab??" },
		{ "ab\xf0", "ab?" }, { "ab\xf0\x9f", "ab??" }, { "ab\xf0\x9f\x98", "ab???" },
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

static void test_sanitize_text_replaces_control_bytes(void **state)
{
	static const struct utf8_case c[] = {
		{ "\x01", "?" },
		{ "a\tb", "a?b" },
		{ "a\rb", "a?b" },
		{ "\x1b[31mred\x1b[0m", "?[31mred?[0m" },
		{ "\x1b]0;title\x07", "?]0;title?" },
		{ "del\x7f", "del?" },
		{ "\x1f\x20", "? " },
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

static void test_sanitize_text_hostile_comm(void **state)
{
	static const struct utf8_case c[] = {
		{ "foo) Z \n", "foo) Z ?" },
		{ "foo) Z ", "foo) Z " },
		{ "\"quoted\\\"", "\"quoted\\\"" }, /* JSON's business, not ours */
	};

	(void)state;
	run_utf8(c, ARRAY_SIZE(c));
}

static void test_sanitize_text_zero_length_writes_nothing(void **state)
{
	char out[4];

	(void)state;
	memset(out, CANARY, sizeof(out));
	sanitize_text(out, 0, "abc");
	assert_memory_equal(out, "XXXX", 4);
}

static void test_sanitize_text_dst_of_one_is_empty(void **state)
{
	static const char *const in[] = { "", "a", "\xc3\xa9", "\xf0\x9f\x98\x80", "\x80", "\n" };
	char out[4];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		memset(out, CANARY, sizeof(out));
		sanitize_text(out, 1, in[i]);
		assert_int_equal(out[0], '\0');
		assert_int_equal(out[1], CANARY);
	}
}

static void test_sanitize_text_dst_of_two_holds_one_byte(void **state)
{
	static const struct utf8_case c[] = {
		{ "abc", "a" },
		{ "\n", "?" },
		{ "\x80z", "?" },
		{ "\xc3\xa9", "?" }, /* does not fit: never half a character */
		{ "\xe2\x82\xac", "?" },
		{ "\xf0\x9f\x98\x80", "?" },
	};
	char out[4];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(out, CANARY, sizeof(out));
		sanitize_text(out, 2, c[i].in);
		if (strcmp(out, c[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, esc(out), esc(c[i].want));
		assert_int_equal(out[2], CANARY);
	}
}

/* Whatever the length, the result ends inside dst and never holds a cut character. */
static void test_sanitize_text_never_splits_a_character(void **state)
{
	static const char in[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
	char out[sizeof(in) + 4];
	size_t len;

	(void)state;
	for (len = 1; len <= sizeof(in); len++) {
		memset(out, CANARY, sizeof(out));
		sanitize_text(out, len, in);
		if (strlen(out) >= len)
			fail_msg("len %zu: %zu bytes written", len, strlen(out));
		if (!utf8_valid(out))
			fail_msg("len %zu: \"%s\" is not valid UTF-8", len, esc(out));
		assert_int_equal(out[len], CANARY);
	}
	sanitize_text(out, sizeof(out), in);
	assert_string_equal(out, in);
}

/* Random bytes in, strictly valid UTF-8 without control bytes out, always inside dst. */
static void test_sanitize_text_random_bytes_give_valid_utf8(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	char in[48], out[64];
	size_t iter, i;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		size_t n, len;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = x % (sizeof(in) - 1);
		len = 1 + (x >> 8) % (sizeof(out) - 1);
		for (i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly high bytes: that is where the sequences are */
			in[i] = (char)(x & 1 ? 0x80 | (x >> 1) : (x >> 1) | 1);
			if (!in[i])
				in[i] = 1;
		}
		in[n] = '\0';
		memset(out, CANARY, sizeof(out));
		sanitize_text(out, len, in);
		if (strlen(out) >= len || (len < sizeof(out) && out[len] != CANARY))
			fail_msg("iteration %zu: wrote past %zu bytes", iter, len);
		if (!utf8_valid(out) || has_control(out))
			fail_msg("iteration %zu: \"%s\" gives \"%s\"", iter, esc(in), esc(out));
	}
}

/* ---- bursts and totals ---------------------------------------------------------------------- */

static void mkburst(struct burst *b)
{
	memset(b, 0, sizeof(*b));
	b->start_us = 5000000;
	b->end_us = 5041999; /* 41.999 ms: whole ms, rounded down */
	b->events = 2000;
	b->bytes = 1660000;
	b->nsubsys = 2;
	snprintf(b->subsys[0].name, sizeof(b->subsys[0].name), "usb");
	b->subsys[0].events = 1500;
	snprintf(b->subsys[1].name, sizeof(b->subsys[1].name), "block");
	b->subsys[1].events = 500;
}

static void test_report_burst_json_fields(void **state)
{
	static const struct key keys[] = {
		{ "events", json_type_int },
		{ "bytes", json_type_int },
		{ "duration_ms", json_type_int },
		{ "subsystems", json_type_object },
	};
	struct burst b;
	json_object *o, *subs;

	(void)state;
	mkburst(&b);
	o = roundtrip(report_burst_json(&b));
	assert_keys(o, keys, ARRAY_SIZE(keys), false);
	assert_int_equal(u64_of(o, "events"), 2000);
	assert_int_equal(u64_of(o, "bytes"), 1660000);
	assert_int_equal(u64_of(o, "duration_ms"), 41);
	subs = member(o, "subsystems");
	assert_int_equal(json_object_object_length(subs), 2);
	assert_int_equal(u64_of(subs, "usb"), 1500);
	assert_int_equal(u64_of(subs, "block"), 500);
	json_object_put(o);
}

static void test_report_burst_text_one_line(void **state)
{
	struct burst b;
	char buf[256];

	(void)state;
	mkburst(&b);
	report_burst_text(buf, sizeof(buf), &b);
	assert_string_equal(buf, "burst: 2000 events, 1.6M charged in 41 ms (usb 1500, block 500)");
	b.nsubsys = 0;
	report_burst_text(buf, sizeof(buf), &b);
	assert_string_equal(buf, "burst: 2000 events, 1.6M charged in 41 ms ()");
}

/* Subsystem names reach the log and the terminal through the one sanitizer. */
static void test_report_burst_text_sanitizes_subsystems(void **state)
{
	struct burst b;
	char buf[256];

	(void)state;
	mkburst(&b);
	snprintf(b.subsys[0].name, sizeof(b.subsys[0].name), "x\n<0>FAKE\033[2J\a");
	snprintf(b.subsys[1].name, sizeof(b.subsys[1].name), "bl\xffk");
	report_burst_text(buf, sizeof(buf), &b);
	assert_string_equal(
	    buf, "burst: 2000 events, 1.6M charged in 41 ms (x?<0>FAKE?[2J? 1500, bl?k 500)");
}

/* Every buffer length gives a NUL-terminated prefix of the full line and no write beyond. */
static void test_report_burst_text_truncates_to_buffer(void **state)
{
	char full[256], buf[256];
	struct burst b;
	size_t len;

	(void)state;
	mkburst(&b);
	report_burst_text(full, sizeof(full), &b);
	for (len = 1; len <= strlen(full) + 1; len++) {
		memset(buf, CANARY, sizeof(buf));
		report_burst_text(buf, len, &b);
		if (strlen(buf) != len - 1 || strncmp(buf, full, len - 1) != 0)
			fail_msg("len %zu: \"%s\"", len, buf);
		assert_int_equal(buf[len], CANARY);
	}
}

static struct meter meter; /* several KiB: kept off the stack */

static void mkmeter(void)
{
	memset(&meter, 0, sizeof(meter));
	burst_init(&meter.stats, 1000, 0);
	burst_add(&meter.stats, 1000000, 832, "usb", NULL);
	burst_add(&meter.stats, 1001000, 900, "block", NULL);
	meter.mon.own_drops = 3;
	meter.mon.enobufs = 1;
	meter.mon.truncated = 2;
	meter.mon.rcvbuf = 16777216;
	meter.malformed = 1;
}

static void test_report_totals_json_fields(void **state)
{
	static const struct key keys[] = {
		{ "events", json_type_int },	 { "bytes", json_type_int },
		{ "window_ms", json_type_int },	 { "peak_events", json_type_int },
		{ "peak_bytes", json_type_int }, { "own_drops", json_type_int },
		{ "windows", json_type_array },
	};
	static const uint64_t widths[BURST_NWIN] = { 10, 100, 1000, 10000 };
	json_object *o, *wins;
	size_t i;

	(void)state;
	mkmeter();
	o = roundtrip(report_totals_json(&meter));
	assert_keys(o, keys, ARRAY_SIZE(keys), false);
	assert_int_equal(u64_of(o, "events"), 2);
	assert_int_equal(u64_of(o, "bytes"), 1732);
	assert_int_equal(u64_of(o, "window_ms"), 1000);
	assert_int_equal(u64_of(o, "peak_events"), 2);
	assert_int_equal(u64_of(o, "peak_bytes"), 1732);
	assert_int_equal(u64_of(o, "own_drops"), 3);
	assert_int_equal(u64_of(o, "enobufs"), 1);
	assert_int_equal(u64_of(o, "malformed"), 3); /* refused + truncated */
	assert_int_equal(u64_of(o, "monitor_rcvbuf"), 16777216);
	wins = member(o, "windows");
	assert_int_equal(json_object_array_length(wins), BURST_NWIN);
	for (i = 0; i < BURST_NWIN; i++) {
		json_object *w = json_object_array_get_idx(wins, i);

		assert_int_equal(u64_of(w, "window_ms"), widths[i]);
	}
	json_object_put(o);
}

static void test_report_totals_text_one_line(void **state)
{
	char buf[256];

	(void)state;
	mkmeter();
	report_totals_text(buf, sizeof(buf), &meter);
	assert_string_equal(buf, "totals: 2 events, 1732 charged; peak 2 events / 1732 in "
				 "1000 ms; 3 lost by nltune itself");
}

/* ---- recommendation and sysctls ------------------------------------------------------------- */

static void mkrec(struct recommendation *r)
{
	memset(r, 0, sizeof(*r));
	r->need_bytes = 1664000;
	r->need_events = 2000;
	r->rmem_default = 3330048;
	r->rmem_max = 3330048;
	r->ceiling = 33554432;
	snprintf(r->reason, sizeof(r->reason),
		 "2000 events of 832 B within 1000 ms, x2.0 headroom");
}

static void test_report_recommended_json_fields(void **state)
{
	static const struct key keys[] = {
		{ "rmem_default", json_type_int },
		{ "rmem_max", json_type_int },
		{ "need_bytes", json_type_int },
		{ "reason", json_type_string },
	};
	struct recommendation r;
	json_object *o;

	(void)state;
	mkrec(&r);
	o = roundtrip(report_recommended_json(&r));
	assert_keys(o, keys, ARRAY_SIZE(keys), false);
	assert_int_equal(u64_of(o, "rmem_default"), 3330048);
	assert_int_equal(u64_of(o, "rmem_max"), 3330048);
	assert_int_equal(u64_of(o, "need_bytes"), 1664000);
	assert_int_equal(u64_of(o, "need_events"), 2000);
	assert_int_equal(u64_of(o, "ceiling"), 33554432);
	assert_string_equal(str_of(o, "reason"), r.reason);
	json_object_put(o);
}

static void test_report_rmem_json_exact_keys(void **state)
{
	static const struct key keys[] = {
		{ "rmem_default", json_type_int },
		{ "rmem_max", json_type_int },
	};
	struct rmem v = { .rmem_default = 212992, .rmem_max = UINT64_MAX };
	json_object *o;

	(void)state;
	o = roundtrip(report_rmem_json(&v));
	assert_keys(o, keys, ARRAY_SIZE(keys), true);
	assert_int_equal(u64_of(o, "rmem_default"), 212992);
	assert_true(u64_of(o, "rmem_max") == UINT64_MAX);
	json_object_put(o);
}

/* ---- SOCKET --------------------------------------------------------------------------------- */

static struct scan_ctx fix_ctx; /* a context of zeros: need unknown */

static void test_report_socket_json_has_spec_keys(void **state)
{
	struct sockrow r = mkrow(4242, VERDICT_DROPPING, 17, 40);
	json_object *o, *pids;

	(void)state;
	OWN(r)->npids = 2;
	OWN(r)->pids[1] = 813;
	r.s.no_enobufs = true;
	r.ctx = &fix_ctx;
	o = roundtrip(report_socket_json(&r));
	assert_keys(o, socket_keys, ARRAY_SIZE(socket_keys), false);
	assert_int_equal(u64_of(o, "inode"), 4242);
	assert_int_equal(u64_of(o, "protocol"), 15);
	assert_int_equal(u64_of(o, "portid"), 812);
	assert_int_equal(u64_of(o, "netns"), 4026531840u);
	assert_int_equal(u64_of(o, "groups"), 1);
	assert_int_equal(u64_of(o, "rcvbuf"), 2304);
	assert_int_equal(u64_of(o, "queued"), 1664);
	assert_int_equal(u64_of(o, "drops"), 40);
	assert_int_equal(u64_of(o, "holds_events"), 2);
	assert_string_equal(str_of(o, "comm"), "udevd");
	assert_string_equal(str_of(o, "limit"), "minimum");
	assert_string_equal(str_of(o, "verdict"), "dropping");
	/* built from the row and the scanner's context when asked */
	assert_non_null(strstr(str_of(o, "fix"), "nltune fix 812"));
	pids = member(o, "pids");
	assert_int_equal(json_object_array_length(pids), 2);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(pids, 0)), 812);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(pids, 1)), 813);
	json_object_put(o);
}

static void test_report_socket_json_limit_and_verdict_names(void **state)
{
	static const struct {
		enum nl_limit limit;
		enum nl_verdict verdict;
		const char *lname, *vname;
	} c[] = {
		{ LIMIT_DEFAULT, VERDICT_OK, "default", "ok" },
		{ LIMIT_CAPPED, VERDICT_AT_RISK, "capped", "at-risk" },
		{ LIMIT_MINIMUM, VERDICT_DROPPING, "minimum", "dropping" },
		{ LIMIT_APP, VERDICT_OK, "app", "ok" },
		{ LIMIT_FORCED, VERDICT_OK, "forced", "ok" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct sockrow r = mkrow(7, c[i].verdict, 0, 0);
		json_object *o;

		r.v.limit = c[i].limit;
		o = roundtrip(report_socket_json(&r));
		assert_string_equal(str_of(o, "limit"), c[i].lname);
		assert_string_equal(str_of(o, "verdict"), c[i].vname);
		json_object_put(o);
	}
}

static void test_report_socket_json_without_owner(void **state)
{
	struct sockrow r = mkrow(7, VERDICT_OK, 0, 0);
	json_object *o;

	(void)state;
	r.own = NULL;
	o = roundtrip(report_socket_json(&r));
	assert_keys(o, socket_keys, ARRAY_SIZE(socket_keys), false);
	assert_int_equal(json_object_array_length(member(o, "pids")), 0);
	assert_string_equal(str_of(o, "comm"), "");
	json_object_put(o);
}

static void test_report_socket_json_hostile_comm(void **state)
{
	static const struct utf8_case c[] = {
		{ "foo) Z \n", "foo) Z ?" },
		{ "\x1b[2J\x1b[H", "?[2J?[H" },
		{ "a\"b\\c", "a\"b\\c" },
		{ "\xff\xfe\x80", "???" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "123456789012345", "123456789012345" }, /* the longest the kernel gives */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct sockrow r = mkrow(7, VERDICT_OK, 0, 0);
		json_object *o;

		snprintf(OWN(r)->comm, sizeof(OWN(r)->comm), "%s", c[i].in);
		o = roundtrip(report_socket_json(&r));
		if (strcmp(str_of(o, "comm"), c[i].want) != 0)
			fail_msg("case %zu: comm \"%s\", want \"%s\"", i, esc(str_of(o, "comm")),
				 esc(c[i].want));
		json_object_put(o);
	}
}

/* The text ListSocketsJSON and `sockets --json` write is byte for byte json-c's of the objects. */
static void test_report_sockets_text_is_json_c_text(void **state)
{
	static const char *const comms[] = { "udevd",	 "a\"b\\c/d",	"\x1b[2J\t\n",
					     "\xff\xfe", "caf\xc3\xa9", "" };
	struct sockrow rows[ARRAY_SIZE(comms) + 1];
	struct scanner sc = { .rows = rows, .nrows = ARRAY_SIZE(rows) };
	size_t idx[ARRAY_SIZE(rows)];
	json_object *arr = json_object_new_array();
	char *text;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		rows[i] = mkrow(100 + i, i % 2 ? VERDICT_DROPPING : VERDICT_OK, i, (uint32_t)i * 7);
		rows[i].ctx = &fix_ctx;
		if (i < ARRAY_SIZE(comms))
			snprintf(OWN(rows[i])->comm, sizeof(OWN(rows[i])->comm), "%s", comms[i]);
		else
			rows[i].own = NULL; /* no owner: pids [] */
		idx[i] = ARRAY_SIZE(rows) - 1 - i;
	}
	OWN(rows[1])->npids = 3;
	OWN(rows[1])->pids[1] = 9;
	OWN(rows[1])->pids[2] = 4194304;
	rows[2].s.no_enobufs = true;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		json_object_array_add(arr, report_socket_json(&rows[idx[i]]));
	text = report_sockets_text(&sc, idx, ARRAY_SIZE(rows));
	assert_non_null(text);
	assert_string_equal(text,
			    json_object_to_json_string_ext(
				arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	free(text);
	text = report_sockets_text(&sc, idx, 0);
	assert_string_equal(text, "[]");
	free(text);
	json_object_put(arr);
}

/* ---- ALERT ---------------------------------------------------------------------------------- */

static void test_report_alert_json_socket_alert_keys(void **state)
{
	struct alert a = mkalert(9, ALERT_SOCKET_DROPS, 4242, "udevd", "udevd[812] lost 17");
	json_object *o;

	(void)state;
	o = roundtrip(report_alert_json(&a));
	assert_keys(o, alert_socket_keys, ARRAY_SIZE(alert_socket_keys), true);
	assert_int_equal(u64_of(o, "id"), 9);
	assert_string_equal(str_of(o, "time"), "2026-11-26T04:14:11.123Z");
	assert_string_equal(str_of(o, "severity"), "critical");
	assert_string_equal(str_of(o, "kind"), "socket-drops");
	assert_string_equal(str_of(o, "message"), "udevd[812] lost 17");
	assert_int_equal(u64_of(o, "pid"), 812);
	assert_string_equal(str_of(o, "comm"), "udevd");
	assert_int_equal(u64_of(o, "inode"), 4242);
	assert_int_equal(u64_of(o, "drops"), 17);
	json_object_put(o);
}

/* An alert about no socket carries no pid, comm, inode or drops keys. */
static void test_report_alert_json_system_alert_keys(void **state)
{
	struct alert a = mkalert(1, ALERT_SYSCTL_LOWERED, 0, "", "net.core.rmem_default is low");
	json_object *o;

	(void)state;
	a.severity = SEV_WARNING;
	o = roundtrip(report_alert_json(&a));
	assert_keys(o, alert_base_keys, ARRAY_SIZE(alert_base_keys), true);
	assert_string_equal(str_of(o, "kind"), "sysctl-lowered");
	assert_string_equal(str_of(o, "severity"), "warning");
	json_object_put(o);
}

static void test_report_alert_json_kind_and_severity_names(void **state)
{
	static const struct {
		enum alert_kind kind;
		enum alert_severity sev;
		const char *kname, *sname;
	} c[] = {
		{ ALERT_SOCKET_DROPS, SEV_CRITICAL, "socket-drops", "critical" },
		{ ALERT_PROCESS_BUFFER, SEV_WARNING, "process-buffer", "warning" },
		{ ALERT_MONITOR_OVERRUN, SEV_WARNING, "monitor-overrun", "warning" },
		{ ALERT_SYSCTL_LOWERED, SEV_INFO, "sysctl-lowered", "info" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct alert a = mkalert(i + 1, c[i].kind, 0, "", "m");
		json_object *o;

		a.severity = c[i].sev;
		o = roundtrip(report_alert_json(&a));
		assert_string_equal(str_of(o, "kind"), c[i].kname);
		assert_string_equal(str_of(o, "severity"), c[i].sname);
		json_object_put(o);
	}
}

static void test_report_alert_json_hostile_comm_and_message(void **state)
{
	struct alert a =
	    mkalert(3, ALERT_SOCKET_DROPS, 7, "foo) Z \n", "foo) Z \n[1] lost 3 \x1b[2J\xc3");
	json_object *o;

	(void)state;
	o = roundtrip(report_alert_json(&a));
	assert_string_equal(str_of(o, "comm"), "foo) Z ?");
	assert_string_equal(str_of(o, "message"), "foo) Z ?[1] lost 3 ?[2J?");
	json_object_put(o);
}

/* A message filling the whole field comes out whole, cleaned, NUL-terminated. */
static void test_report_alert_json_full_length_message(void **state)
{
	struct alert a = mkalert(3, ALERT_SOCKET_DROPS, 7, "x", "");
	json_object *o;

	(void)state;
	memset(a.message, 'm', sizeof(a.message) - 1);
	a.message[sizeof(a.message) - 1] = '\0';
	a.message[0] = '\n';
	o = roundtrip(report_alert_json(&a));
	assert_int_equal(strlen(str_of(o, "message")), sizeof(a.message) - 1);
	assert_int_equal(str_of(o, "message")[0], '?');
	json_object_put(o);
}

/* ---- lists and the status document --------------------------------------------------------- */

static struct sockrow rows[8];
static struct scanner scanner;

/* inode -> (verdict, new drops, drops); the expected order follows. */
static void mkscanner(void)
{
	static const struct {
		uint64_t inode;
		enum nl_verdict verdict;
		uint64_t new_drops;
		uint32_t drops;
	} c[] = {
		{ 10, VERDICT_OK, 0, 0 },	  { 11, VERDICT_AT_RISK, 0, 0 },
		{ 12, VERDICT_DROPPING, 5, 5 },	  { 13, VERDICT_DROPPING, 50, 50 },
		{ 14, VERDICT_DROPPING, 5, 100 }, { 9, VERDICT_AT_RISK, 0, 0 },
		{ 8, VERDICT_OK, 0, 7 },
	};
	size_t i;

	memset(&scanner, 0, sizeof(scanner));
	for (i = 0; i < ARRAY_SIZE(c); i++)
		rows[i] = mkrow(c[i].inode, c[i].verdict, c[i].new_drops, c[i].drops);
	scanner.rows = rows;
	scanner.nrows = ARRAY_SIZE(c);
}

static const uint64_t worst_first_all[] = { 13, 14, 12, 9, 11, 8, 10 };
static const uint64_t worst_first_problems[] = { 13, 14, 12, 9, 11 };

static void test_report_rows_by_severity_all_worst_first(void **state)
{
	size_t n, i, *idx;

	(void)state;
	mkscanner();
	idx = report_rows_by_severity(&scanner, true, &n);
	assert_non_null(idx);
	assert_int_equal(n, ARRAY_SIZE(worst_first_all));
	for (i = 0; i < n; i++)
		assert_int_equal(rows[idx[i]].s.inode, worst_first_all[i]);
	free(idx);
}

static void test_report_rows_by_severity_problems_only(void **state)
{
	size_t n, i, *idx;

	(void)state;
	mkscanner();
	idx = report_rows_by_severity(&scanner, false, &n);
	assert_non_null(idx);
	assert_int_equal(n, ARRAY_SIZE(worst_first_problems));
	for (i = 0; i < n; i++)
		assert_int_equal(rows[idx[i]].s.inode, worst_first_problems[i]);
	free(idx);
}

static void test_report_rows_matching_filters(void **state)
{
	static const struct {
		struct scan_filter f;
		size_t n;
		uint64_t first;
	} c[] = {
		{ { .verdict = SCAN_ANY, .protocol = -1 }, 7, 13 },
		{ { .verdict = SCAN_PROBLEM, .protocol = -1 }, 5, 13 },
		{ { .verdict = SCAN_DROPPING, .protocol = -1 }, 3, 13 },
		{ { .verdict = SCAN_AT_RISK, .protocol = -1 }, 2, 9 },
		{ { .verdict = SCAN_OK, .protocol = -1 }, 2, 8 },
		{ { .verdict = SCAN_ANY, .protocol = 15 }, 7, 13 },
		{ { .verdict = SCAN_ANY, .protocol = 0 }, 0, 0 },
		{ { .verdict = SCAN_ANY, .protocol = -1, .netns = 4026531840u }, 7, 13 },
		{ { .verdict = SCAN_ANY, .protocol = -1, .netns = 1 }, 0, 0 },
		{ { .verdict = SCAN_PROBLEM, .protocol = -1, .pid = 812 }, 5, 13 },
		{ { .verdict = SCAN_ANY, .protocol = -1, .pid = 813 }, 1, 11 },
		{ { .verdict = SCAN_ANY, .protocol = -1, .pid = 999 }, 0, 0 },
	};
	enum scan_verdict_filter v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		size_t n, *idx;

		mkscanner();
		OWN(rows[1])->npids = 2; /* inode 11: held by 812 and 813 */
		OWN(rows[1])->pids[1] = 813;
		idx = report_rows_matching(&scanner, &c[i].f, &n);
		assert_non_null(idx);
		if (n != c[i].n || (n && rows[idx[0]].s.inode != c[i].first))
			fail_msg("case %zu: %zu rows, first %llu; want %zu, %llu", i, n,
				 n ? (unsigned long long)rows[idx[0]].s.inode : 0ull, c[i].n,
				 (unsigned long long)c[i].first);
		free(idx);
	}
	assert_int_equal(scan_verdict_filter_parse("at-risk", &v), 0);
	assert_int_equal(v, SCAN_AT_RISK);
	assert_int_equal(scan_verdict_filter_parse("", &v), 0);
	assert_int_equal(v, SCAN_ANY);
	assert_int_equal(scan_verdict_filter_parse("At-Risk", &v), -EINVAL);
	assert_int_equal(scan_verdict_filter_parse("problems", &v), -EINVAL);
}

static void test_report_rows_by_severity_empty_scanner(void **state)
{
	struct scanner empty;
	size_t n = 99, *idx;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	idx = report_rows_by_severity(&empty, true, &n);
	assert_non_null(idx);
	assert_int_equal(n, 0);
	free(idx);
}

static void test_report_sockets_json_worst_first(void **state)
{
	json_object *arr;
	size_t i;

	(void)state;
	mkscanner();
	arr = roundtrip(report_sockets_json(&scanner, true));
	assert_true(json_object_is_type(arr, json_type_array));
	assert_int_equal(json_object_array_length(arr), ARRAY_SIZE(worst_first_all));
	for (i = 0; i < ARRAY_SIZE(worst_first_all); i++) {
		json_object *s = json_object_array_get_idx(arr, i);

		assert_keys(s, socket_keys, ARRAY_SIZE(socket_keys), false);
		assert_int_equal(u64_of(s, "inode"), worst_first_all[i]);
	}
	json_object_put(arr);
}

static void test_report_sockets_json_without_scanner_is_empty(void **state)
{
	json_object *arr;

	(void)state;
	arr = roundtrip(report_sockets_json(NULL, true));
	assert_true(json_object_is_type(arr, json_type_array));
	assert_int_equal(json_object_array_length(arr), 0);
	json_object_put(arr);
}

static void test_report_alerts_json_oldest_first(void **state)
{
	struct alert a[3];
	json_object *arr;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = mkalert(i + 1, ALERT_SOCKET_DROPS, 100 + i, "udevd", "m");
	arr = roundtrip(report_alerts_json(a, ARRAY_SIZE(a)));
	assert_int_equal(json_object_array_length(arr), 3);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		assert_int_equal(u64_of(json_object_array_get_idx(arr, i), "id"), i + 1);
	json_object_put(arr);
	arr = roundtrip(report_alerts_json(NULL, 0));
	assert_int_equal(json_object_array_length(arr), 0);
	json_object_put(arr);
}

static void test_report_status_json_spec_document(void **state)
{
	static const struct key top[] = {
		{ "source", json_type_string },	     { "sysctl", json_type_object },
		{ "recommended", json_type_object }, { "uevents", json_type_object },
		{ "sockets", json_type_array },	     { "alerts", json_type_array },
		{ "scan", json_type_object },
	};
	static const struct key sysctl[] = {
		{ "rmem_default", json_type_int },
		{ "rmem_max", json_type_int },
	};
	static const struct key rec[] = {
		{ "rmem_default", json_type_int },
		{ "rmem_max", json_type_int },
		{ "need_bytes", json_type_int },
		{ "reason", json_type_string },
	};
	static const struct key ue[] = {
		{ "total", json_type_int },	  { "window_ms", json_type_int },
		{ "peak_events", json_type_int }, { "peak_bytes", json_type_int },
		{ "own_drops", json_type_int },	  { "udev", json_type_object },
	};
	static const struct key udev[] = {
		{ "total", json_type_int },
		{ "peak_events", json_type_int },
		{ "peak_bytes", json_type_int },
	};
	struct rmem sys = { .rmem_default = 212992, .rmem_max = 212992 };
	struct recommendation r;
	struct alert a[2];
	struct status_input in = { .source = "local" };
	struct state_boot boot = { .has_udev_coldplug = true,
				   .udev_coldplug_events = 460,
				   .udev_coldplug_bytes = 737280,
				   .udev_coldplug_ms = 240 };
	json_object *o;

	(void)state;
	mkrec(&r);
	mkscanner();
	a[0] = mkalert(1, ALERT_SOCKET_DROPS, 12, "udevd", "first");
	a[1] = mkalert(2, ALERT_SYSCTL_LOWERED, 0, "", "second");
	in.sysctl = &sys;
	in.rec = &r;
	in.events_total = 4000;
	in.window_ms = 1000;
	in.peak_events = 2000;
	in.peak_bytes = 1664000;
	in.own_drops = 3;
	in.udev_total = 4100;
	in.udev_peak_events = 1900;
	in.udev_peak_bytes = 4377600;
	in.scan = &scanner;
	in.alerts = a;
	in.nalerts = 2;
	o = roundtrip(report_status_json(&in));
	assert_keys(o, top, ARRAY_SIZE(top), true);
	/* group 2 beside group 1 */
	assert_keys(member(member(o, "uevents"), "udev"), udev, ARRAY_SIZE(udev), true);
	assert_int_equal(u64_of(member(member(o, "uevents"), "udev"), "total"), 4100);
	assert_int_equal(u64_of(member(member(o, "uevents"), "udev"), "peak_events"), 1900);
	assert_int_equal(u64_of(member(member(o, "uevents"), "udev"), "peak_bytes"), 4377600);
	json_object_put(o);
	in.boot = &boot; /* its measured coldplug comes along */
	o = roundtrip(report_status_json(&in));
	assert_int_equal(u64_of(member(member(o, "uevents"), "udev"), "coldplug_bytes"), 737280);
	assert_int_equal(u64_of(member(member(o, "uevents"), "udev"), "coldplug_ms"), 240);
	assert_false(json_object_object_get_ex(member(o, "uevents"), "coldplug_bytes", NULL));
	json_object_put(o);
	in.boot = NULL;
	o = roundtrip(report_status_json(&in));
	assert_string_equal(str_of(o, "source"), "local");
	assert_keys(member(o, "sysctl"), sysctl, ARRAY_SIZE(sysctl), true);
	assert_keys(member(o, "recommended"), rec, ARRAY_SIZE(rec), false);
	assert_keys(member(o, "uevents"), ue, ARRAY_SIZE(ue), true);
	assert_int_equal(u64_of(member(o, "uevents"), "total"), 4000);
	assert_int_equal(u64_of(member(o, "uevents"), "window_ms"), 1000);
	assert_int_equal(u64_of(member(o, "uevents"), "peak_events"), 2000);
	assert_int_equal(u64_of(member(o, "uevents"), "peak_bytes"), 1664000);
	assert_int_equal(u64_of(member(o, "uevents"), "own_drops"), 3);
	assert_int_equal(u64_of(member(o, "sysctl"), "rmem_max"), 212992);
	assert_int_equal(u64_of(member(o, "recommended"), "need_bytes"), 1664000);
	json_object_put(o);
}

/* status lists problems only, worst first, and the alerts oldest first. */
static void test_report_status_json_lists_problems_and_alerts(void **state)
{
	struct rmem sys = { .rmem_default = 212992, .rmem_max = 212992 };
	struct recommendation r;
	struct alert a[2];
	struct status_input in = { .source = "daemon" };
	json_object *o, *socks, *alerts;
	size_t i;

	(void)state;
	mkrec(&r);
	mkscanner();
	a[0] = mkalert(1, ALERT_SOCKET_DROPS, 12, "udevd", "first");
	a[1] = mkalert(2, ALERT_SYSCTL_LOWERED, 0, "", "second");
	in.sysctl = &sys;
	in.rec = &r;
	in.scan = &scanner;
	in.alerts = a;
	in.nalerts = 2;
	o = roundtrip(report_status_json(&in));
	assert_string_equal(str_of(o, "source"), "daemon");
	socks = member(o, "sockets");
	assert_int_equal(json_object_array_length(socks), ARRAY_SIZE(worst_first_problems));
	for (i = 0; i < ARRAY_SIZE(worst_first_problems); i++)
		assert_int_equal(u64_of(json_object_array_get_idx(socks, i), "inode"),
				 worst_first_problems[i]);
	alerts = member(o, "alerts");
	assert_int_equal(json_object_array_length(alerts), 2);
	assert_keys(json_object_array_get_idx(alerts, 0), alert_socket_keys,
		    ARRAY_SIZE(alert_socket_keys), true);
	assert_keys(json_object_array_get_idx(alerts, 1), alert_base_keys,
		    ARRAY_SIZE(alert_base_keys), true);
	assert_string_equal(str_of(json_object_array_get_idx(alerts, 0), "message"), "first");
	json_object_put(o);
}

static void test_report_status_json_without_scan_or_alerts(void **state)
{
	struct rmem sys = { 0 };
	struct recommendation r;
	struct status_input in = { .source = "local" };
	json_object *o;

	(void)state;
	mkrec(&r);
	in.sysctl = &sys;
	in.rec = &r;
	o = roundtrip(report_status_json(&in));
	assert_int_equal(json_object_array_length(member(o, "sockets")), 0);
	assert_int_equal(json_object_array_length(member(o, "alerts")), 0);
	json_object_put(o);
}

/* history: group 2's figures beside group 1's, only for the boots that heard udevd. */
static void test_report_history_json_has_udev_beside(void **state)
{
	static struct state s;
	json_object *o, *boots, *u;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.nboots = 2;
	snprintf(s.boots[0].boot_id, sizeof(s.boots[0].boot_id), "%s",
		 "0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b");
	s.boots[0].peak_bytes = 343040;
	snprintf(s.boots[1].boot_id, sizeof(s.boots[1].boot_id), "%s",
		 "1f0e9d8c-7b6a-4958-8372-6a5b4c3d2e1f");
	s.boots[1].peak_bytes = 343040;
	s.boots[1].has_udev = true;
	s.boots[1].udev_peak_events = 466;
	s.boots[1].udev_peak_bytes = 745472;
	s.boots[1].udev_total_events = 9901;
	s.boots[1].has_udev_coldplug = true;
	s.boots[1].udev_coldplug_events = 460;
	s.boots[1].udev_coldplug_bytes = 737280;
	s.boots[1].udev_coldplug_ms = 240;
	o = roundtrip(report_history_json(&s, NULL));
	boots = member(o, "boots");
	assert_false(json_object_object_get_ex(json_object_array_get_idx(boots, 0), "udev", NULL));
	u = member(json_object_array_get_idx(boots, 1), "udev");
	assert_int_equal(u64_of(u, "peak_events"), 466);
	assert_int_equal(u64_of(u, "peak_bytes"), 745472);
	assert_int_equal(u64_of(u, "total_events"), 9901);
	assert_int_equal(u64_of(member(u, "coldplug_burst"), "bytes"), 737280);
	assert_int_equal(u64_of(member(u, "coldplug_burst"), "duration_ms"), 240);
	assert_int_equal(u64_of(json_object_array_get_idx(boots, 1), "peak_bytes"), 343040);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_history_json_has_udev_beside),
		cmocka_unit_test(test_sanitize_text_keeps_valid_text),
		cmocka_unit_test(test_sanitize_text_replaces_c1_controls),
		cmocka_unit_test(test_sanitize_text_replaces_invalid_bytes),
		cmocka_unit_test(test_sanitize_text_replaces_two_byte_overlongs),
		cmocka_unit_test(test_sanitize_text_replaces_three_and_four_byte_overlongs),
		cmocka_unit_test(test_sanitize_text_replaces_surrogates_and_beyond_u10ffff),
		cmocka_unit_test(test_sanitize_text_replaces_truncated_multibyte_at_end),
		cmocka_unit_test(test_sanitize_text_replaces_control_bytes),
		cmocka_unit_test(test_sanitize_text_hostile_comm),
		cmocka_unit_test(test_sanitize_text_zero_length_writes_nothing),
		cmocka_unit_test(test_sanitize_text_dst_of_one_is_empty),
		cmocka_unit_test(test_sanitize_text_dst_of_two_holds_one_byte),
		cmocka_unit_test(test_sanitize_text_never_splits_a_character),
		cmocka_unit_test(test_sanitize_text_random_bytes_give_valid_utf8),
		cmocka_unit_test(test_report_burst_json_fields),
		cmocka_unit_test(test_report_burst_text_one_line),
		cmocka_unit_test(test_report_burst_text_truncates_to_buffer),
		cmocka_unit_test(test_report_burst_text_sanitizes_subsystems),
		cmocka_unit_test(test_report_totals_json_fields),
		cmocka_unit_test(test_report_totals_text_one_line),
		cmocka_unit_test(test_report_recommended_json_fields),
		cmocka_unit_test(test_report_rmem_json_exact_keys),
		cmocka_unit_test(test_report_socket_json_has_spec_keys),
		cmocka_unit_test(test_report_sockets_text_is_json_c_text),
		cmocka_unit_test(test_report_socket_json_limit_and_verdict_names),
		cmocka_unit_test(test_report_socket_json_without_owner),
		cmocka_unit_test(test_report_socket_json_hostile_comm),
		cmocka_unit_test(test_report_alert_json_socket_alert_keys),
		cmocka_unit_test(test_report_alert_json_system_alert_keys),
		cmocka_unit_test(test_report_alert_json_kind_and_severity_names),
		cmocka_unit_test(test_report_alert_json_hostile_comm_and_message),
		cmocka_unit_test(test_report_alert_json_full_length_message),
		cmocka_unit_test(test_report_rows_by_severity_all_worst_first),
		cmocka_unit_test(test_report_rows_by_severity_problems_only),
		cmocka_unit_test(test_report_rows_matching_filters),
		cmocka_unit_test(test_report_rows_by_severity_empty_scanner),
		cmocka_unit_test(test_report_sockets_json_worst_first),
		cmocka_unit_test(test_report_sockets_json_without_scanner_is_empty),
		cmocka_unit_test(test_report_alerts_json_oldest_first),
		cmocka_unit_test(test_report_status_json_spec_document),
		cmocka_unit_test(test_report_status_json_lists_problems_and_alerts),
		cmocka_unit_test(test_report_status_json_without_scan_or_alerts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
