/* SPDX-License-Identifier: MIT */
/* Tests of hide: what a caller sees of other users' sockets and alerts under hidepid. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "alerts.h"
#include "hide.h"
#include "paths.h"
#include "report.h"
#include "scan.h"
#include "unit.h"
#include "watch.h"

#define SELF_NS	 4026531840ull /* nltuned's own namespace */
#define OTHER_NS 4026532999ull
#define ALICE	 1000u
#define BOB	 1001u
#define NEED	 329280u

static struct scanner sc;
static struct sockrow rows[8];
static struct owner owners[8];

/* A uevent listener at the kernel's floor (it has a fix text naming its pid) held by pid. */
static struct sockrow *add(uint64_t inode, pid_t pid, uint32_t uid, uint64_t netns)
{
	struct sockrow *r = &rows[sc.nrows];
	struct owner *o = &owners[sc.nrows];

	sc.nrows++;
	memset(r, 0, sizeof(*r));
	r->ctx = &sc.ctx;
	r->s.inode = inode;
	r->s.protocol = NLSCAN_PROTO_UEVENT;
	r->s.portid = (uint32_t)pid;
	r->s.netns = netns;
	r->s.groups = 1;
	r->s.has_diag = true;
	r->s.rcvbuf = 2304;
	r->new_drops = 5;
	r->s.drops = 5;
	r->v.limit = LIMIT_MINIMUM;
	r->v.verdict = VERDICT_DROPPING;
	r->v.holds_events = 2;
	if (pid) {
		memset(o, 0, sizeof(*o));
		o->inode = inode;
		o->npids = 1;
		o->pids[0] = pid;
		o->uid = uid;
		snprintf(o->comm, sizeof(o->comm), "app%d", (int)pid);
		r->own = o;
	}
	return r;
}

static void reset(void)
{
	memset(&sc, 0, sizeof(sc));
	memset(rows, 0, sizeof(rows));
	sc.rows = rows;
	sc.netns_self = SELF_NS;
	sc.ctx.need_bytes = NEED;
	sc.ctx.target_default = 659456;
	sc.ctx.sysctl.rmem_default = 212992;
	sc.ctx.sysctl.rmem_max = 212992;
	sc.ctx.sock_min = 2304;
	sc.ctx.typical_charge = 832;
}

/* The SOCKET record of r as uid sees it, as one JSON text. */
static const char *seen_text(const struct hide_view *v, const struct sockrow *r, char *buf,
			     size_t len)
{
	struct hide_buf hb;
	json_object *o = report_socket_json(hide_row(v, r, &hb));

	snprintf(buf, len, "%s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return buf;
}

static void test_hide_active_by_mode_and_hidepid(void **state)
{
	static const struct {
		enum nlt_hide mode;
		int hidepid;
		bool want;
	} cases[] = {
		{ NLT_HIDE_AUTO, 0, false },  { NLT_HIDE_AUTO, 1, true },
		{ NLT_HIDE_AUTO, 2, true },   { NLT_HIDE_AUTO, 4, true },
		{ NLT_HIDE_AUTO, -2, false }, /* no proc mount there: a copy given with --proc */
		{ NLT_HIDE_YES, 0, true },    { NLT_HIDE_YES, -2, true },
		{ NLT_HIDE_NO, 2, false },    { NLT_HIDE_NO, 0, false },
	};

	(void)state;
	for (size_t i = 0; i < NCASES(cases); i++)
		if (hide_active(cases[i].mode, cases[i].hidepid) != cases[i].want)
			fail_msg("case %zu: mode %d hidepid %d", i, cases[i].mode,
				 cases[i].hidepid);
	/* Root always sees everything; without hiding, everyone does. */
	assert_false(hide_view_of(true, 0, SELF_NS).on);
	assert_false(hide_view_of(false, ALICE, SELF_NS).on);
	assert_true(hide_view_of(true, ALICE, SELF_NS).on);
	assert_true(hide_view_of(true, HIDE_UID_ANYONE, SELF_NS).on);
}

/* Another user's socket keeps its figures; pid, comm, netns, portid and the fix's pid go. */
static void test_hide_row_of_another_user(void **state)
{
	struct hide_view alice = hide_view_of(true, ALICE, SELF_NS);
	struct hide_view root = hide_view_of(true, 0, SELF_NS);
	struct sockrow *bob;
	char t[2048];

	(void)state;
	reset();
	bob = add(7001, 4242, BOB, OTHER_NS);
	seen_text(&root, bob, t, sizeof(t));
	assert_non_null(strstr(t, "\"pids\":[4242]"));
	assert_non_null(strstr(t, "\"comm\":\"app4242\""));
	assert_non_null(strstr(t, "nltune fix 4242"));
	seen_text(&alice, bob, t, sizeof(t));
	assert_null(strstr(t, "4242"));
	assert_null(strstr(t, "app4242"));
	assert_non_null(strstr(t, "\"pids\":[]"));
	assert_non_null(strstr(t, "\"comm\":\"\""));
	assert_non_null(strstr(t, "\"netns\":0,"));
	assert_non_null(strstr(t, "\"portid\":0,"));
	assert_non_null(strstr(t, "\"inode\":7001,"));
	assert_non_null(strstr(t, "\"rcvbuf\":2304,"));
	assert_non_null(strstr(t, "\"drops\":5,"));
	assert_non_null(strstr(t, "\"verdict\":\"dropping\""));
	assert_non_null(strstr(t, "nltune fix <pid>"));
	/* The scanner's row is untouched. */
	assert_ptr_equal(bob->own, &owners[0]);
	assert_int_equal(bob->s.netns, OTHER_NS);
}

/* A row in nltuned's own namespace keeps its netns and portid (/proc/net/netlink shows them). */
static void test_hide_row_in_own_namespace_keeps_netns(void **state)
{
	struct hide_view alice = hide_view_of(true, ALICE, SELF_NS);
	char t[2048];

	(void)state;
	reset();
	add(7002, 4243, BOB, SELF_NS);
	seen_text(&alice, &rows[0], t, sizeof(t));
	assert_non_null(strstr(t, "\"netns\":4026531840,"));
	assert_non_null(strstr(t, "\"portid\":4243,"));
	assert_non_null(strstr(t, "\"pids\":[]"));
}

/* The caller's own socket is shown whole, with its first holder only when several hold it. */
static void test_hide_row_of_own_user(void **state)
{
	struct hide_view alice = hide_view_of(true, ALICE, SELF_NS);
	struct hide_buf hb;
	struct sockrow *mine;
	const struct sockrow *seen;
	char t[2048];

	(void)state;
	reset();
	mine = add(7003, 3000, ALICE, OTHER_NS);
	assert_ptr_equal(hide_row(&alice, mine, &hb), mine);
	seen_text(&alice, mine, t, sizeof(t));
	assert_non_null(strstr(t, "\"pids\":[3000]"));
	assert_non_null(strstr(t, "\"comm\":\"app3000\""));
	assert_non_null(strstr(t, "\"netns\":4026532999,"));
	assert_non_null(strstr(t, "nltune fix 3000"));
	owners[0].npids = 2;
	owners[0].pids[1] = 1; /* a holder whose user is not known: root's, say */
	seen = hide_row(&alice, mine, &hb);
	assert_int_equal(seen->own->npids, 1);
	assert_int_equal(seen->own->pids[0], 3000);
	assert_int_equal(seen->own->more, 1);
	assert_int_equal(owners[0].npids, 2);
	/* A socket no process holds is no one's own. */
	mine = add(7004, 0, 0, OTHER_NS);
	assert_ptr_not_equal(hide_row(&alice, mine, &hb), mine);
	assert_int_equal(hide_row(&alice, mine, &hb)->s.netns, 0);
}

/* Without hiding, and for root, rows come back as they are. */
static void test_hide_row_unhidden_is_identity(void **state)
{
	struct hide_view off = hide_view_of(false, ALICE, SELF_NS);
	struct hide_view root = hide_view_of(true, 0, SELF_NS);
	struct hide_buf hb;

	(void)state;
	reset();
	add(7005, 4242, BOB, OTHER_NS);
	assert_ptr_equal(hide_row(&off, &rows[0], &hb), &rows[0]);
	assert_ptr_equal(hide_row(&root, &rows[0], &hb), &rows[0]);
}

/* A filter on another user's pid or namespace finds nothing, as if there were none. */
static void test_hide_filter_matches_what_is_seen(void **state)
{
	struct hide_view alice = hide_view_of(true, ALICE, SELF_NS);
	struct hide_view root = hide_view_of(true, 0, SELF_NS);
	struct scan_filter f = { .protocol = -1 };
	size_t idx[3] = { 0, 1, 2 };

	(void)state;
	reset();
	add(7010, 4242, BOB, OTHER_NS);
	add(7011, 3000, ALICE, OTHER_NS);
	add(7012, 4244, BOB, SELF_NS);
	f.pid = 4242;
	assert_int_equal(hide_filter(&alice, rows, idx, 3, &f), 0);
	assert_int_equal(hide_filter(&root, rows, idx, 3, &f), 3); /* root: not filtered here */
	f.pid = 3000;
	assert_int_equal(hide_filter(&alice, rows, idx, 3, &f), 1);
	assert_int_equal(idx[0], 1);
	idx[0] = 0, idx[1] = 1, idx[2] = 2;
	f.pid = 0;
	f.netns = OTHER_NS;
	assert_int_equal(hide_filter(&alice, rows, idx, 3, &f), 1); /* its own, not Bob's */
	assert_int_equal(idx[0], 1);
	idx[0] = 0, idx[1] = 1, idx[2] = 2;
	f.netns = 0;
	assert_int_equal(hide_filter(&alice, rows, idx, 3, &f), 3);
	assert_int_equal(hide_filter(&alice, rows, idx, 3, NULL), 3);
}

static struct alert got[8];
static size_t ngot;

static void collect(void *arg, const struct alert *proto)
{
	(void)arg;
	assert_true(ngot < NCASES(got));
	got[ngot++] = *proto;
}

/* Alerts from a scan: the owner's user sees them whole, others without a process named. */
static void test_hide_alert_from_scan(void **state)
{
	struct hide_view alice = hide_view_of(true, ALICE, SELF_NS);
	struct hide_view bob = hide_view_of(true, BOB, SELF_NS);
	struct hide_view anyone = hide_view_of(true, HIDE_UID_ANYONE, SELF_NS);
	struct hide_view root = hide_view_of(true, 0, SELF_NS);
	struct alert out;

	(void)state;
	reset();
	ngot = 0;
	add(7020, 4242, BOB, OTHER_NS);
	add(7021, 4242, BOB, OTHER_NS)->new_drops = 0; /* new to the short: process-buffer */
	watch_scan(&sc, NULL, 0, 1795666451123ull, collect, NULL);
	for (size_t i = 0; i < ngot; i++) {
		const struct alert *a = &got[i];

		assert_int_equal(a->uid, BOB);
		assert_non_null(strstr(a->message, "app4242[4242]"));
		assert_null(strstr(a->message_hidden, "4242"));
		hide_alert(&alice, a, &out);
		assert_int_equal(out.pid, 0);
		assert_string_equal(out.comm, "");
		assert_string_equal(out.message, a->message_hidden);
		assert_non_null(strstr(out.message, "a process"));
		hide_alert(&anyone, a, &out);
		assert_int_equal(out.pid, 0);
		assert_null(strstr(out.message, "4242"));
		hide_alert(&bob, a, &out);
		assert_int_equal(out.pid, 4242);
		assert_string_equal(out.message, a->message);
		hide_alert(&root, a, &out);
		assert_string_equal(out.comm, "app4242");
		assert_string_equal(out.message_hidden, ""); /* never shown */
	}
	assert_int_equal(ngot, 2);
	assert_int_equal(got[0].kind, ALERT_PROCESS_BUFFER);
	assert_int_equal(got[1].kind, ALERT_SOCKET_DROPS);
}

/* rmem-default-low names the worst listeners of any users: hidden from everyone but root. */
static void test_hide_alert_group_names_nobody(void **state)
{
	struct hide_view alice = hide_view_of(true, ALICE, SELF_NS);
	struct alert out;

	(void)state;
	reset();
	ngot = 0;
	add(7030, 3000, ALICE, SELF_NS)->v.limit = LIMIT_DEFAULT;
	add(7031, 4242, BOB, SELF_NS)->v.limit = LIMIT_DEFAULT;
	rows[0].new_drops = rows[1].new_drops = 0;
	rows[0].s.rcvbuf = rows[1].s.rcvbuf = 212992;
	watch_scan(&sc, NULL, 0, 1795666451123ull, collect, NULL);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].kind, ALERT_RMEM_DEFAULT_LOW);
	assert_non_null(strstr(got[0].message, "app4242[4242]"));
	hide_alert(&alice, &got[0], &out);
	assert_null(strstr(out.message, "4242"));
	assert_null(strstr(out.message, "3000"));
	assert_non_null(strstr(out.message, "run nltune apply"));
	/* An alert about no process at all is the same for everyone. */
	watch_overrun(5, 4096, 1795666451123ull, &got[1]);
	hide_alert(&alice, &got[1], &out);
	assert_string_equal(out.message, got[1].message);
}

static void test_hide_hidepid_from_mountinfo(void **state)
{
	static const char mi[] =
	    "22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
	    "25 28 0:22 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
	    "90 28 0:50 / /srv/p1 rw,relatime - proc proc rw,hidepid=invisible\n"
	    "91 28 0:51 / /srv/p\\0402 rw,relatime shared:1 master:2 - proc proc rw,hidepid=2\n"
	    "92 28 0:52 / /srv/p3 rw,relatime - proc proc rw,hidepid=noaccess,subset=pid\n"
	    "93 28 0:53 / /srv/p4 rw - proc proc rw,hidepid=ptraceable\n"
	    "94 28 0:54 / /srv/p5 rw - proc proc rw,hidepid=off\n"
	    "95 28 0:55 / /srv/p6 rw - proc none rw,hidepid=whatever\n"
	    "96 28 0:56 / /srv/tmp rw - tmpfs tmpfs rw,hidepid=2\n"
	    "97 28 0:57 / /srv/p1 rw - proc proc rw\n"		/* mounted over the first one */
	    "98 28 0:58 / /srv/p7 rw - proc proc rw,hidepid=4"; /* no final newline */
	static const struct {
		const char *mnt;
		int want;
	} cases[] = {
		{ "/proc", 0 },	     { "/srv/p1", 0 },	      { "/srv/p 2", 2 },
		{ "/srv/p3", 1 },    { "/srv/p4", 4 },	      { "/srv/p5", 0 },
		{ "/srv/p6", 2 },    { "/srv/tmp", -ENOENT }, { "/srv/p7", 4 },
		{ "/srv", -ENOENT }, { "/srv/p", -ENOENT },   { "/srv/p 2x", -ENOENT },
	};

	(void)state;
	for (size_t i = 0; i < NCASES(cases); i++) {
		int got_ = paths_mountinfo_hidepid(mi, sizeof(mi) - 1, cases[i].mnt);

		if (got_ != cases[i].want)
			fail_msg("%s: got %d, want %d", cases[i].mnt, got_, cases[i].want);
	}
	assert_int_equal(paths_mountinfo_hidepid("", 0, "/proc"), -ENOENT);
	assert_int_equal(paths_mountinfo_hidepid("garbage\n- - -\n", 14, "/proc"), -ENOENT);
}

/* The host's own /proc: a number, whatever its options are. */
static void test_hide_proc_hidepid_reads_this_host(void **state)
{
	int r;

	(void)state;
	paths_set_proc("/proc");
	r = paths_proc_hidepid();
	assert_true(r == 0 || r == 1 || r == 2 || r == 4);
	paths_set_proc("/nonexistent-proc-root");
	assert_int_equal(paths_proc_hidepid(), -ENOENT);
	paths_set_proc("/proc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hide_active_by_mode_and_hidepid),
		cmocka_unit_test(test_hide_row_of_another_user),
		cmocka_unit_test(test_hide_row_in_own_namespace_keeps_netns),
		cmocka_unit_test(test_hide_row_of_own_user),
		cmocka_unit_test(test_hide_row_unhidden_is_identity),
		cmocka_unit_test(test_hide_filter_matches_what_is_seen),
		cmocka_unit_test(test_hide_alert_from_scan),
		cmocka_unit_test(test_hide_alert_group_names_nobody),
		cmocka_unit_test(test_hide_hidepid_from_mountinfo),
		cmocka_unit_test(test_hide_proc_hidepid_reads_this_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
