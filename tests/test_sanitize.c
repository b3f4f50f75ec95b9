/* SPDX-License-Identifier: MIT */
/* Tests of sanitize: characters that reorder, hide or break text become '?', the rest stays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sanitize.h"
#include "unit.h"

struct text_case {
	const char *name, *in, *want;
};

static void run(const struct text_case *c, size_t n)
{
	char out[64];

	for (size_t i = 0; i < n; i++) {
		memset(out, 'Z', sizeof(out));
		sanitize_text(out, sizeof(out), c[i].in);
		if (strcmp(out, c[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", c[i].name, out, c[i].want);
	}
}

static void test_sanitize_replaces_bidi_controls(void **state)
{
	static const struct text_case c[] = {
		{ "RLO, the reported comm",
		  "\xe2\x80\xae"
		  "gnp.exe",
		  "?gnp.exe" },
		{ "LRE U+202A",
		  "a\xe2\x80\xaa"
		  "b",
		  "a?b" },
		{ "RLE U+202B", "\xe2\x80\xab", "?" },
		{ "PDF U+202C", "\xe2\x80\xac", "?" },
		{ "LRO U+202D", "\xe2\x80\xad", "?" },
		{ "LRI U+2066", "\xe2\x81\xa6", "?" },
		{ "RLI U+2067", "\xe2\x81\xa7", "?" },
		{ "FSI U+2068", "\xe2\x81\xa8", "?" },
		{ "PDI U+2069", "\xe2\x81\xa9", "?" },
		{ "LRM U+200E", "\xe2\x80\x8e", "?" },
		{ "RLM U+200F", "\xe2\x80\x8f", "?" },
		{ "ALM U+061C", "\xd8\x9c", "?" },
		{ "a Trojan Source line",
		  "x\xe2\x81\xa7"
		  "y\xe2\x81\xa9"
		  "z",
		  "x?y?z" },
	};

	(void)state;
	run(c, NCASES(c));
}

static void test_sanitize_replaces_line_separators(void **state)
{
	static const struct text_case c[] = {
		{ "LS U+2028", "one\xe2\x80\xa8two", "one?two" },
		{ "PS U+2029", "one\xe2\x80\xa9two", "one?two" },
		{ "NEL U+0085, a C1 control", "one\xc2\x85two", "one?two" },
	};

	(void)state;
	run(c, NCASES(c));
}

static void test_sanitize_replaces_invisible_format_characters(void **state)
{
	static const struct text_case c[] = {
		{ "zero-width space U+200B", "systemd\xe2\x80\x8b-udevd", "systemd?-udevd" },
		{ "zero-width joiner U+200D",
		  "a\xe2\x80\x8d"
		  "b",
		  "a?b" },
		{ "soft hyphen U+00AD",
		  "ud\xc2\xad"
		  "evd",
		  "ud?evd" },
		{ "word joiner U+2060", "\xe2\x81\xa0", "?" },
		{ "BOM U+FEFF",
		  "\xef\xbb\xbf"
		  "x",
		  "?x" },
		{ "annotation U+FFF9", "\xef\xbf\xb9", "?" },
		{ "tag U+E0041", "\xf3\xa0\x81\x81", "?" },
		{ "mongolian vowel separator U+180E", "\xe1\xa0\x8e", "?" },
	};

	(void)state;
	run(c, NCASES(c));
}

/* Their neighbours are ordinary characters and stay. */
static void test_sanitize_keeps_neighbours(void **state)
{
	static const struct text_case c[] = {
		{ "en dash U+2013",
		  "a\xe2\x80\x93"
		  "b",
		  "a\xe2\x80\x93"
		  "b" },
		{ "ellipsis U+2026", "\xe2\x80\xa6", "\xe2\x80\xa6" },
		{ "narrow no-break space U+202F", "\xe2\x80\xaf", "\xe2\x80\xaf" },
		{ "U+2065, unassigned between the ranges", "\xe2\x81\xa5", "\xe2\x81\xa5" },
		{ "superscript zero U+2070", "\xe2\x81\xb0", "\xe2\x81\xb0" },
		{ "arabic letter U+0627", "\xd8\xa7", "\xd8\xa7" },
		{ "U+00AC not sign", "\xc2\xac", "\xc2\xac" },
		{ "U+FFFD", "\xef\xbf\xbd", "\xef\xbf\xbd" },
		{ "emoji U+1F600", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "U+E0080 past the tags", "\xf3\xa0\x82\x80", "\xf3\xa0\x82\x80" },
	};

	(void)state;
	run(c, NCASES(c));
}

/* In place, as log lines are cleaned, a replaced character shortens the text. */
static void test_sanitize_in_place(void **state)
{
	char buf[32] = "\xe2\x80\xae"
		       "gnp.exe\xe2\x80\xa8";

	(void)state;
	assert_string_equal(sanitize_text(buf, sizeof(buf), buf), "?gnp.exe?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_replaces_bidi_controls),
		cmocka_unit_test(test_sanitize_replaces_line_separators),
		cmocka_unit_test(test_sanitize_replaces_invisible_format_characters),
		cmocka_unit_test(test_sanitize_keeps_neighbours),
		cmocka_unit_test(test_sanitize_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
