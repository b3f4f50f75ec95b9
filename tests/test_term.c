/* SPDX-License-Identifier: MIT */
/* Tests of term: text wrapped and shortened to a width, colour from the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "term.h"

static char *wrap(const char *first, size_t indent, const char *text, size_t width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	term_wrap(f, first, indent, text, width);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static size_t longest_line(const char *s)
{
	size_t max = 0, cur = 0;

	for (; *s; s++) {
		if (*s == '\n') {
			max = cur > max ? cur : max;
			cur = 0;
		} else {
			cur++;
		}
	}
	return cur > max ? cur : max;
}

static void test_term_wrap_breaks_at_spaces_with_indent(void **state)
{
	char *out = wrap("fix: ", 5, "raise the buffer of the listener to two megabytes now", 20);

	(void)state;
	assert_string_equal(out, "fix: raise the\n"
				 "     buffer of the\n"
				 "     listener to two\n"
				 "     megabytes now\n");
	free(out);
}

static void test_term_wrap_short_text_is_one_line(void **state)
{
	char *out = wrap("need ", 5, "832 B per event", 80);

	(void)state;
	assert_string_equal(out, "need 832 B per event\n");
	free(out);
}

static void test_term_wrap_cuts_a_word_longer_than_the_line(void **state)
{
	static const char word[] =
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	char *out = wrap("", 0, word, 20);

	(void)state;
	assert_true(longest_line(out) <= 20);
	assert_int_equal(strlen(out), sizeof(word) - 1 + 4); /* nothing lost: 4 newlines */
	free(out);
}

static void test_term_wrap_never_exceeds_width(void **state)
{
	static const char text[] =
	    "setsockopt(SO_RCVBUF, 1024) got the kernel floor of 2304 bytes: ask for "
	    "1675264 (the kernel doubles it) or run nltune fix 4242 for a live raise";
	size_t w;

	(void)state;
	for (w = 30; w <= 100; w++) {
		char *out = wrap("  fix: ", 7, text, w);

		if (longest_line(out) > w)
			fail_msg("width %zu:\n%s", w, out);
		free(out);
	}
}

static void test_term_fit_shortens_with_dots(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(term_fit(buf, sizeof(buf), "abcdefghij", 10), "abcdefghij");
	assert_string_equal(term_fit(buf, sizeof(buf), "abcdefghijk", 10), "abcdefgh..");
	assert_string_equal(term_fit(buf, sizeof(buf), "abc", 1), "a");
	assert_string_equal(term_fit(buf, 5, "abcdefghijk", 10), "ab..");
}

static void test_term_color_follows_environment(void **state)
{
	(void)state;
	unsetenv("NO_COLOR");
	setenv("TERM", "xterm", 1);
	setenv("SYSTEMD_COLORS", "1", 1);
	assert_true(term_color()); /* forced on even without a tty */
	setenv("SYSTEMD_COLORS", "256", 1);
	assert_true(term_color());
	setenv("SYSTEMD_COLORS", "false", 1);
	assert_false(term_color());
	setenv("SYSTEMD_COLORS", "1", 1);
	setenv("NO_COLOR", "", 1); /* set at all: no colour */
	assert_false(term_color());
	unsetenv("NO_COLOR");
	unsetenv("SYSTEMD_COLORS");
	setenv("TERM", "dumb", 1);
	assert_false(term_color());
}

static void test_term_width_from_columns(void **state)
{
	(void)state;
	setenv("COLUMNS", "132", 1);
	assert_int_equal(term_width(), 132);
	setenv("COLUMNS", "garbage", 1);
	unsetenv("COLUMNS");
	if (!term_isatty())
		assert_int_equal(term_width(), TERM_WIDTH_DEFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_wrap_breaks_at_spaces_with_indent),
		cmocka_unit_test(test_term_wrap_short_text_is_one_line),
		cmocka_unit_test(test_term_wrap_cuts_a_word_longer_than_the_line),
		cmocka_unit_test(test_term_wrap_never_exceeds_width),
		cmocka_unit_test(test_term_fit_shortens_with_dots),
		cmocka_unit_test(test_term_color_follows_environment),
		cmocka_unit_test(test_term_width_from_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
