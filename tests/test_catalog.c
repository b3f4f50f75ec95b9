/* SPDX-License-Identifier: MIT */
/* Tests of the MESSAGE_ID table: every alert kind has a well-formed, unique id with a catalog
 * entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alerts.h"
#include "catalog.h"

#define CATALOG "conf/nltune.catalog"

static void test_catalog_every_kind_has_a_32_hex_id(void **state)
{
	for (int k = 0; k < ALERT_KIND_MAX; k++) {
		const char *kind = alerts_kind_name((enum alert_kind)k);
		const char *id = catalog_message_id(kind);

		if (!id)
			fail_msg("alert kind %s has no MESSAGE_ID in daemon/catalog.c", kind);
		assert_int_equal(strlen(id), 32);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
	}
}

static void test_catalog_ids_are_unique(void **state)
{
	for (int a = 0; a < ALERT_KIND_MAX; a++)
		for (int b = a + 1; b < ALERT_KIND_MAX; b++)
			assert_string_not_equal(
			    catalog_message_id(alerts_kind_name((enum alert_kind)a)),
			    catalog_message_id(alerts_kind_name((enum alert_kind)b)));
}

static void test_catalog_unknown_kind_has_none(void **state)
{
	assert_null(catalog_message_id("no-such-kind"));
	assert_null(catalog_message_id(""));
	assert_null(catalog_message_id(NULL));
}

/* The shipped catalog explains every id: a "-- ID" header followed by a Subject line. */
static void test_catalog_file_has_an_entry_per_kind(void **state)
{
	char line[256], want[64];
	FILE *f;

	for (int k = 0; k < ALERT_KIND_MAX; k++) {
		const char *kind = alerts_kind_name((enum alert_kind)k);
		int found = 0;

		snprintf(want, sizeof(want), "-- %s\n", catalog_message_id(kind));
		f = fopen(CATALOG, "r");
		assert_non_null(f);
		while (!found && fgets(line, sizeof(line), f))
			if (strcmp(line, want) == 0 && fgets(line, sizeof(line), f))
				found = strncmp(line, "Subject: ", 9) == 0;
		fclose(f);
		if (!found)
			fail_msg("%s has no entry for %s (%s)", CATALOG, kind, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_every_kind_has_a_32_hex_id),
		cmocka_unit_test(test_catalog_ids_are_unique),
		cmocka_unit_test(test_catalog_unknown_kind_has_none),
		cmocka_unit_test(test_catalog_file_has_an_entry_per_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
