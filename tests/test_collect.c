/* SPDX-License-Identifier: MIT */
/* Tests of collect, the console's local snapshot, against tests/fixtures/system through
 * --proc/--sys: one scan and the alerts it implies, as `nltune --no-daemon` shows them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collect.h"
#include "conf.h"
#include "paths.h"
#include "state.h"
#include "unit.h"

struct fx {
	struct unit_machine m;
	struct collect col;
	struct alert a[ALERTS_MAX];
};

static int setup(void **state)
{
	return unit_machine_setup(state, sizeof(struct fx));
}

static int teardown(void **state)
{
	struct fx *f = *state;

	collect_free(&f->col);
	return unit_machine_teardown(state);
}

static size_t alerts_of(struct fx *f, enum alert_kind kind, const struct alert **first)
{
	size_t n = alerts_list(f->col.alerts, f->a, ALERTS_MAX), k = 0;

	*first = NULL;
	for (size_t i = 0; i < n; i++)
		if (f->a[i].kind == kind && k++ == 0)
			*first = &f->a[i];
	return k;
}

static void test_collect_scans_and_alerts_on_the_dropping_listener(void **state)
{
	struct fx *f = *state;
	const struct alert *a;

	assert_int_equal(collect_local(&f->m.conf, true, &f->col), 0);
	assert_int_equal(f->col.snap.sysctl.rmem_default, 212992);
	assert_int_equal(f->col.scan.nrows, 11);
	assert_int_equal(alerts_of(f, ALERT_SOCKET_DROPS, &a), 1);
	assert_int_equal(a->inode, 15527);
	assert_int_equal(a->drops, 4);
	assert_int_equal(alerts_of(f, ALERT_SYSCTL_LOWERED, &a), 0);
}

/* min-drops above what the socket lost: no alert. */
static void test_collect_honours_min_drops(void **state)
{
	struct fx *f = *state;
	const struct alert *a;

	f->m.conf.alert_min_drops = 5;
	assert_int_equal(collect_local(&f->m.conf, true, &f->col), 0);
	assert_int_equal(alerts_of(f, ALERT_SOCKET_DROPS, &a), 0);
}

/* Values nltune applied, now lowered by someone else: sysctl-lowered. */
static void test_collect_sees_sysctls_lowered_below_what_was_applied(void **state)
{
	struct fx *f = *state;
	struct state st;
	const struct alert *a;

	state_init(&st);
	st.applied_default = 1703936;
	st.applied_max = 1703936;
	assert_int_equal(state_save(f->m.conf.state_dir, &st), 0);
	assert_int_equal(collect_local(&f->m.conf, true, &f->col), 0);
	assert_int_equal(alerts_of(f, ALERT_SYSCTL_LOWERED, &a), 1);
}

/* The typical charge: the recommendation's own per-event figure when there is one. */
static void test_collect_typical_charge_follows_the_need(void **state)
{
	struct fx *f = *state;
	struct scan_ctx ctx;

	assert_int_equal(collect_local(&f->m.conf, true, &f->col), 0);
	f->col.snap.rec.need_bytes = f->col.snap.rec.kernel_need_bytes = 832 * 100;
	f->col.snap.rec.need_events = f->col.snap.rec.kernel_need_events = 100;
	assert_int_equal(collect_typical_charge(&f->col.snap), 832);
	collect_scan_ctx(&f->col.snap, 42, &ctx);
	assert_int_equal(ctx.typical_charge, 832);
	assert_int_equal(ctx.need_bytes, 832 * 100);
	assert_int_equal(ctx.udev_need_bytes, 0);
	assert_int_equal(ctx.udev_typical_charge, 0);
	/* group 2 larger: each group keeps its own need and charge */
	f->col.snap.rec.need_bytes = f->col.snap.rec.udev_need_bytes = 1280 * 300;
	f->col.snap.rec.need_events = f->col.snap.rec.udev_need_events = 300;
	collect_scan_ctx(&f->col.snap, 42, &ctx);
	assert_int_equal(ctx.typical_charge, 832);
	assert_int_equal(ctx.need_bytes, 832 * 100);
	assert_int_equal(ctx.udev_need_bytes, 1280 * 300);
	assert_int_equal(ctx.udev_typical_charge, 1280);
	assert_int_equal(ctx.now_ms, 42);
	assert_int_equal(ctx.recent_ms, COLLECT_RECENT_MS);
}

static void test_collect_without_sysctls_fails(void **state)
{
	struct fx *f = *state;
	char path[400];

	snprintf(path, sizeof(path), "%s/sys", f->m.proc);
	unit_rm_tree(path);
	assert_int_equal(collect_local(&f->m.conf, true, &f->col), -ENOENT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_collect_scans_and_alerts_on_the_dropping_listener),
		T(test_collect_honours_min_drops),
		T(test_collect_sees_sysctls_lowered_below_what_was_applied),
		T(test_collect_typical_charge_follows_the_need),
		T(test_collect_without_sysctls_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
