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

static void test_peers_full_table_forgets_callers_that_owe_nothing(void **state)
{
	struct peers *ps = *state;
	char name[32];

	for (int i = 0; i < PEERS_MAX; i++) {
		snprintf(name, sizeof(name), ":2.%d", i);
		assert_int_equal(peers_admit(ps, name), PEER_ANSWER);
		peers_sent(ps, name, i == 5 ? 0 : 10); /* :2.5 owes nothing */
	}
	assert_int_equal(peers_admit(ps, ":3.1"), PEER_ANSWER); /* took :2.5's slot */
	assert_null(peers_find(ps, ":2.5"));
	peers_sent(ps, ":3.1", 10);
	assert_int_equal(peers_admit(ps, ":3.2"), PEER_DROP); /* nobody can be forgotten */
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
		cmocka_unit_test_setup_teardown(
		    test_peers_full_table_forgets_callers_that_owe_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peers_without_sender_and_overlong_names, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
