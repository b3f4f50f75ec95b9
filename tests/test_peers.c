/* SPDX-License-Identifier: MIT */
/* peers: unread replies per bus caller; a caller that does not read stops getting answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peers.h"

#define REPLY 14000 /* a Describe with a dozen sockets */

static int setup(void **state)
{
	struct peers *ps = malloc(sizeof(*ps));

	if (!ps)
		return -1;
	peers_init(ps);
	*state = ps;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Calls answered and replies sent until name is refused; returns how many were answered. */
static int call_until_refused(struct peers *ps, const char *name, int max)
{
	for (int i = 0; i < max; i++) {
		if (peers_admit(ps, name) != PEER_ANSWER)
			return i;
		if (peers_sent(ps, name, REPLY))
			peers_ping_sent(ps, name);
	}
	return max;
}

/* After the refusal that ended call_until_refused(): the held calls, then the first drop. */
static void refuse_until_dropped(struct peers *ps, const char *name)
{
	for (int i = 1; i < PEER_MAX_HELD; i++)
		assert_int_equal(peers_admit(ps, name), PEER_HOLD);
	assert_int_equal(peers_admit(ps, name), PEER_DROP_FIRST);
	assert_int_equal(peers_find(ps, name)->held, PEER_MAX_HELD);
}

static void test_peers_reader_that_answers_pings_is_always_answered(void **state)
{
	struct peers *ps = *state;

	for (int i = 0; i < 10000; i++) {
		assert_int_equal(peers_admit(ps, ":1.7"), PEER_ANSWER);
		if (peers_sent(ps, ":1.7", REPLY)) {
			peers_ping_sent(ps, ":1.7");
			peers_ping_done(ps, ":1.7", true); /* it reads: the Ping comes back */
		}
	}
	assert_true(peers_find(ps, ":1.7")->unread < PEER_PING_AT);
	assert_int_equal(ps->dropped, 0);
}

static void test_peers_caller_that_never_reads_is_refused_past_its_limit(void **state)
{
	struct peers *ps = *state;
	int answered = call_until_refused(ps, ":1.8", 1000);

	assert_int_equal(answered, (PEER_MAX_UNREAD + REPLY - 1) / REPLY);
	refuse_until_dropped(ps, ":1.8");
	assert_int_equal(peers_admit(ps, ":1.8"), PEER_DROP); /* said once already */
	assert_true(peers_find(ps, ":1.8")->ping_out);
	assert_false(peers_want_ping(ps, ":1.8"));
	/* The broker fails the Ping: the next refused call asks again. */
	peers_ping_done(ps, ":1.8", false);
	assert_int_equal(ps->pings, 0);
	assert_true(peers_want_ping(ps, ":1.8"));
	assert_string_equal(peers_next_ping(ps), ":1.8"); /* it has calls held */
	/* It reads at last: its held calls are released and it is answered again. */
	peers_ping_sent(ps, ":1.8");
	peers_ping_done(ps, ":1.8", true);
	assert_int_equal(peers_find(ps, ":1.8")->unread, 0);
	assert_int_equal(peers_release(ps, ":1.8"), PEER_MAX_HELD);
	assert_int_equal(ps->held, 0);
	assert_int_equal(peers_admit(ps, ":1.8"), PEER_ANSWER);
}

static void test_peers_dropped_calls_earn_no_credit(void **state)
{
	struct peers *ps = *state;

	call_until_refused(ps, ":1.5", 1000);
	refuse_until_dropped(ps, ":1.5");
	/* Its next calls are dropped and prove nothing, even with the bus idle. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(peers_admit(ps, ":1.5"), PEER_DROP);
	assert_true(peers_find(ps, ":1.5")->unread >= PEER_MAX_UNREAD);
}

static void test_peers_first_refusal_is_reported_once_per_run(void **state)
{
	struct peers *ps = *state;

	call_until_refused(ps, ":1.9", 1000);
	refuse_until_dropped(ps, ":1.9");
	assert_int_equal(peers_admit(ps, ":1.9"), PEER_DROP);
	peers_ping_done(ps, ":1.9", true);
	peers_release(ps, ":1.9");
	assert_int_equal(peers_admit(ps, ":1.9"), PEER_ANSWER);
	call_until_refused(ps, ":1.9", 1000);
	refuse_until_dropped(ps, ":1.9"); /* a new run: said again */
	assert_int_equal(peers_admit(ps, ":1.9"), PEER_DROP);
}

static void test_peers_all_together_stay_under_the_total(void **state)
{
	struct peers *ps = *state;
	char name[32];
	int i;

	/* 200 callers that never read: the total stops near PEERS_MAX_UNREAD, not at 200 MiB. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), ":1.%d", 100 + i);
		call_until_refused(ps, name, 1000);
	}
	assert_true(ps->unread <
		    PEERS_MAX_UNREAD + PEER_MAX_UNREAD + 200 * (PEER_BUSY_UNREAD + REPLY));
	/* A new caller still gets answers, up to PEER_BUSY_UNREAD unread; then it waits for its
	 * Ping.
	 */
	assert_int_equal(call_until_refused(ps, ":1.999", 1000),
			 (PEER_BUSY_UNREAD + REPLY - 1) / REPLY);
	/* The first 200 leave the bus: everything they had unread goes with them. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), ":1.%d", 100 + i);
		peers_gone(ps, name);
	}
	assert_int_equal(ps->unread, peers_find(ps, ":1.999")->unread);
	assert_int_equal(peers_admit(ps, ":1.999"), PEER_ANSWER);
}

/*
 * 200 callers that never read and are never proven: a caller whose Pings came back keeps its
 * answers past PEER_BUSY_UNREAD, and a Ping slot kept for it.
 */
static void test_peers_proven_reader_is_answered_among_callers_that_do_not_read(void **state)
{
	struct peers *ps = *state;
	char name[32];
	int i;

	/* :1.7 reads: its first Ping comes back. */
	assert_int_equal(call_until_refused(ps, ":1.7", 6), 6);
	assert_true(peers_find(ps, ":1.7")->ping_out);
	peers_ping_done(ps, ":1.7", true);
	assert_true(peers_find(ps, ":1.7")->proven);
	/* 200 that do not read: their Pings stay pending, as many as the unproven may have. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), ":1.%d", 100 + i);
		call_until_refused(ps, name, 1000);
	}
	assert_int_equal(ps->pings, PEERS_MAX_PINGS - PEERS_PROVEN_PINGS);
	assert_true(ps->unread >= PEERS_MAX_UNREAD);
	assert_null(peers_next_ping(ps)); /* no slot left for the unproven */
	/* :1.7 is answered past PEER_BUSY_UNREAD and is asked again, in a slot kept for it. */
	for (i = 0; i < (int)(2 * PEER_BUSY_UNREAD / REPLY); i++) {
		assert_int_equal(peers_admit(ps, ":1.7"), PEER_ANSWER);
		if (peers_sent(ps, ":1.7", REPLY))
			peers_ping_sent(ps, ":1.7");
	}
	assert_true(peers_find(ps, ":1.7")->ping_out);
	assert_int_equal(ps->pings, PEERS_MAX_PINGS - PEERS_PROVEN_PINGS + 1);
	/* An unproven newcomer is not: refused past PEER_BUSY_UNREAD, no Ping slot for it. */
	assert_int_equal(call_until_refused(ps, ":1.999", 1000),
			 (PEER_BUSY_UNREAD + REPLY - 1) / REPLY);
	assert_false(peers_find(ps, ":1.999")->ping_out);
	/* A Ping the broker fails takes the proof away. */
	peers_ping_done(ps, ":1.7", false);
	assert_false(peers_find(ps, ":1.7")->proven);
	assert_int_equal(peers_admit(ps, ":1.7"), PEER_HOLD);
}

/* count callers named PREFIX.i each make one small call that is answered and never read. */
static void idle_callers(struct peers *ps, const char *prefix, int count, uint64_t bytes)
{
	char name[32];

	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, i);
		assert_int_equal(peers_admit(ps, name), PEER_ANSWER);
		assert_false(peers_sent(ps, name, bytes));
	}
}

/*
 * Every connection a system bus allows (max_completed_connections, 2048), each with a call
 * answered and never read, so owing a reply for ever: all tracked, and room for more.
 */
static void test_peers_idle_callers_of_a_full_bus_leave_room(void **state)
{
	struct peers *ps = *state;

	idle_callers(ps, ":1", 2048, 256);
	assert_int_equal(ps->unread, 2048 * 256);
	assert_int_equal(peers_admit(ps, ":9.1"), PEER_ANSWER);
	assert_int_equal(ps->forgotten, 0);
	assert_non_null(peers_find(ps, ":1.0"));
	assert_non_null(peers_find(ps, ":1.2047"));
	assert_int_equal(peers_find(ps, ":1.2047")->unread, 256);
}

static void test_peers_full_table_forgets_the_least_recently_seen_idle_caller(void **state)
{
	struct peers *ps = *state;

	idle_callers(ps, ":2", PEERS_MAX, 10);
	assert_int_equal(peers_admit(ps, ":2.0"), PEER_ANSWER); /* :2.0 calls again: recent now */
	assert_int_equal(peers_admit(ps, ":3.1"), PEER_ANSWER); /* takes :2.1's slot */
	assert_null(peers_find(ps, ":2.1"));
	assert_non_null(peers_find(ps, ":2.0"));
	assert_int_equal(ps->forgotten, 1);
	assert_int_equal(ps->unread, (PEERS_MAX - 1) * 10);	/* what :2.1 owed is forgotten */
	assert_int_equal(peers_admit(ps, ":3.2"), PEER_ANSWER); /* then :2.2's */
	assert_null(peers_find(ps, ":2.2"));
	/* :2.1 calls again: tracked anew, in the slot of the next least recently seen. */
	assert_int_equal(peers_admit(ps, ":2.1"), PEER_ANSWER);
	assert_int_equal(peers_find(ps, ":2.1")->unread, 0);
	assert_null(peers_find(ps, ":2.3"));
	assert_int_equal(ps->forgotten, 3);
}

/* Callers that owe a Ping's answer, have calls held or PEER_PING_AT unread are never forgotten. */
static void test_peers_full_table_keeps_callers_that_owe(void **state)
{
	struct peers *ps = *state;
	uint64_t unread;

	assert_int_equal(call_until_refused(ps, ":4.held", 1000),
			 (PEER_MAX_UNREAD + REPLY - 1) / REPLY);
	assert_int_equal(peers_admit(ps, ":4.held"), PEER_HOLD);
	assert_int_equal(peers_admit(ps, ":4.pinged"), PEER_ANSWER);
	peers_sent(ps, ":4.pinged", 10);
	peers_ping_sent(ps, ":4.pinged");
	idle_callers(ps, ":4", PEERS_MAX - 2, PEER_PING_AT - 1);
	for (int i = 0; i < PEERS_MAX - 2; i++) { /* their next reply takes them to PEER_PING_AT */
		char name[32];

		snprintf(name, sizeof(name), ":4.%d", i);
		assert_true(peers_sent(ps, name, 1));
	}
	unread = ps->unread;
	/* Nobody can be forgotten: the newcomer is the bus layer's to answer or drop. */
	assert_int_equal(peers_admit(ps, ":5.1"), PEER_FULL);
	assert_null(peers_find(ps, ":5.1"));
	assert_int_equal(ps->unread, unread);
	assert_int_equal(ps->held, 2);
	assert_int_equal(ps->forgotten, 0);
	assert_non_null(peers_find(ps, ":4.held"));
	assert_non_null(peers_find(ps, ":4.pinged"));
	/* One leaves: the newcomer takes its slot; idle, it makes room for the next one. */
	peers_gone(ps, ":4.17");
	assert_int_equal(peers_admit(ps, ":5.1"), PEER_ANSWER);
	assert_int_equal(peers_admit(ps, ":5.2"), PEER_ANSWER);
	assert_null(peers_find(ps, ":5.1"));
	assert_int_equal(ps->forgotten, 1);
}

/* Names leave and come in any order: each is found with its own count, the gone ones not. */
static void test_peers_names_leave_in_any_order(void **state)
{
	struct peers *ps = *state;
	char name[32];
	int i;

	for (i = 0; i < PEERS_MAX; i++) {
		snprintf(name, sizeof(name), ":6.%d", i);
		assert_int_equal(peers_admit(ps, name), PEER_ANSWER);
		peers_sent(ps, name, (uint64_t)i);
	}
	for (i = 0; i < PEERS_MAX; i += 3) {
		snprintf(name, sizeof(name), ":6.%d", i);
		peers_gone(ps, name);
	}
	for (i = 0; i < PEERS_MAX; i++) {
		const struct peer *p;

		snprintf(name, sizeof(name), ":6.%d", i);
		p = peers_find(ps, name);
		if (i % 3 == 0) {
			assert_null(p);
			continue;
		}
		assert_non_null(p);
		assert_int_equal(p->unread, i);
	}
	for (i = 0; i < PEERS_MAX; i += 3) { /* as many come back as left: no one is forgotten */
		snprintf(name, sizeof(name), ":7.%d", i);
		assert_int_equal(peers_admit(ps, name), PEER_ANSWER);
	}
	assert_int_equal(ps->forgotten, 0);
	assert_int_equal(ps->nfree, 0);
}

static void test_peers_without_sender_and_overlong_names(void **state)
{
	struct peers *ps = *state;
	char longname[PEER_NAME_LEN + 8];

	assert_int_equal(peers_admit(ps, NULL), PEER_ANSWER);
	assert_false(peers_sent(ps, NULL, 1 << 30));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(peers_admit(ps, longname), PEER_DROP);
}

static void test_peers_uid_is_kept_for_the_name_life(void **state)
{
	struct peers *ps = *state;
	uint32_t uid = 12345;

	assert_false(peers_uid(ps, ":8.1", &uid)); /* untracked: nothing kept */
	peers_set_uid(ps, ":8.1", 1000);
	assert_false(peers_uid(ps, ":8.1", &uid));
	assert_int_equal(peers_admit(ps, ":8.1"), PEER_ANSWER);
	assert_false(peers_uid(ps, ":8.1", &uid)); /* tracked, not asked yet */
	peers_set_uid(ps, ":8.1", 1000);
	assert_true(peers_uid(ps, ":8.1", &uid));
	assert_int_equal(uid, 1000);
	assert_false(peers_uid(ps, NULL, &uid));
	peers_gone(ps, ":8.1"); /* a name comes back only as another connection */
	assert_int_equal(peers_admit(ps, ":8.1"), PEER_ANSWER);
	assert_false(peers_uid(ps, ":8.1", &uid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_peers_reader_that_answers_pings_is_always_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_peers_caller_that_never_reads_is_refused_past_its_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peers_dropped_calls_earn_no_credit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peers_first_refusal_is_reported_once_per_run,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_peers_all_together_stay_under_the_total, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
		    test_peers_proven_reader_is_answered_among_callers_that_do_not_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peers_idle_callers_of_a_full_bus_leave_room,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_peers_full_table_forgets_the_least_recently_seen_idle_caller, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peers_full_table_keeps_callers_that_owe, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peers_names_leave_in_any_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peers_uid_is_kept_for_the_name_life, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peers_without_sender_and_overlong_names, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
