/* SPDX-License-Identifier: MIT */
/* reply: badly typed daemon replies are refused by name, good ones pass with strings sanitized. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "reply.h"

#define GOOD                                                                                       \
	"\"source\":\"daemon\",\"sysctl\":{\"rmem_default\":212992,\"rmem_max\":212992},"          \
	"\"recommended\":{\"rmem_default\":1,\"rmem_max\":2,\"need_bytes\":3,\"reason\":\"r\"},"   \
	"\"uevents\":{\"total\":1,\"window_ms\":1000,\"peak_events\":1,\"peak_bytes\":832,"        \
	"\"own_drops\":0}"

#define SOCK "{\"inode\":5,\"pids\":[1,2],\"comm\":\"udevd\",\"drops\":0,\"verdict\":\"ok\"}"

struct bad_case {
	const char *doc, *why;
};

static void test_reply_status_refuses_each_mistyped_member_by_name(void **state)
{
	static const struct bad_case c[] = {
		{ "[]", "the reply: an array, want an object" },
		{ "{}", "source: missing" },
		{ "{" GOOD ",\"sockets\":{},\"alerts\":[]}", "sockets: an object, want an array" },
		{ "{" GOOD ",\"sockets\":[],\"alerts\":7}", "alerts: a number, want an array" },
		{ "{" GOOD ",\"sockets\":[\"x\"],\"alerts\":[]}",
		  "sockets[0]: a string, want an object" },
		{ "{" GOOD ",\"sockets\":[" SOCK ",{\"pids\":\"1\"}],\"alerts\":[]}",
		  "sockets[1].pids: a string, want an array" },
		{ "{" GOOD ",\"sockets\":[{\"pids\":[1,\"2\"]}],\"alerts\":[]}",
		  "sockets[0].pids[1]: a string, want a number" },
		{ "{" GOOD ",\"sockets\":[{\"comm\":5}],\"alerts\":[]}",
		  "sockets[0].comm: a number, want a string" },
		{ "{" GOOD ",\"sockets\":[],\"alerts\":[{\"id\":\"1\"}]}",
		  "alerts[0].id: a string, want a number" },
		{ "{" GOOD ",\"sockets\":[],\"alerts\":[],\"history\":{\"boots\":{}}}",
		  "history.boots: an object, want an array" },
		{ "{" GOOD
		  ",\"sockets\":[],\"alerts\":[],\"history\":{\"boots\":[{\"current\":1}]}}",
		  "history.boots[0].current: a number, want true or false" },
		{ "{\"source\":\"daemon\",\"sysctl\":[1],\"sockets\":[],\"alerts\":[]}",
		  "sysctl: an array, want an object" },
		{ "{\"source\":\"daemon\",\"sysctl\":{\"rmem_default\":1},\"sockets\":[],"
		  "\"alerts\":[]}",
		  "sysctl.rmem_max: missing" },
		{ "{" GOOD ",\"sockets\":[],\"alerts\":[],\"scan\":{\"bad_rows\":\"2\"}}",
		  "scan.bad_rows: a string, want a number" },
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		json_object *o = json_tokener_parse(c[i].doc);

		assert_non_null(o);
		why[0] = '\0';
		if (reply_check_status(o, why, sizeof(why)) != -EBADMSG)
			fail_msg("case %zu accepted: %s", i, c[i].doc);
		if (strcmp(why, c[i].why) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, why, c[i].why);
		json_object_put(o);
	}
}

static void test_reply_status_accepts_the_spec_document_and_sanitizes_it(void **state)
{
	json_object *o = json_tokener_parse(
	    "{" GOOD ",\"sockets\":[{\"inode\":5,\"pids\":[1],\"comm\":\"x\\n<0>\\u001b[2J\"}],"
	    "\"alerts\":[{\"id\":1,\"message\":\"bell\\u0007\"}],\"extra\":{\"a\":1}}");
	json_object *s, *a;
	char why[256] = "";

	(void)state;
	assert_non_null(o);
	assert_int_equal(reply_check_status(o, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	s = json_object_array_get_idx(json_object_object_get(o, "sockets"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(s, "comm")), "x?<0>?[2J");
	a = json_object_array_get_idx(json_object_object_get(o, "alerts"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(a, "message")), "bell?");
	json_object_put(o);
}

static void test_reply_sockets_checks_the_array_and_each_record(void **state)
{
	json_object *ok = json_tokener_parse("[" SOCK "]"), *obj = json_tokener_parse("{}"),
		    *bad = json_tokener_parse("[" SOCK ",{\"drops\":true}]");
	char why[256];

	(void)state;
	assert_int_equal(reply_check_sockets(ok, why, sizeof(why)), 0);
	assert_int_equal(reply_check_sockets(obj, why, sizeof(why)), -EBADMSG);
	assert_string_equal(why, "sockets: an object, want an array");
	assert_int_equal(reply_check_sockets(bad, why, sizeof(why)), -EBADMSG);
	assert_string_equal(why, "sockets[1].drops: true or false, want a number");
	assert_int_equal(reply_check_sockets(NULL, why, sizeof(why)), -EBADMSG);
	json_object_put(ok);
	json_object_put(obj);
	json_object_put(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_status_refuses_each_mistyped_member_by_name),
		cmocka_unit_test(test_reply_status_accepts_the_spec_document_and_sanitizes_it),
		cmocka_unit_test(test_reply_sockets_checks_the_array_and_each_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
