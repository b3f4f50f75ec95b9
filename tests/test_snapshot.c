/* SPDX-License-Identifier: MIT */
/* Tests of snapshot against tests/fixtures/system through --proc/--sys: sysctls, memory, boot id,
 * coldplug estimate, the state file and the recommendation drawn from them. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "coldplug.h"
#include "conf.h"
#include "paths.h"
#include "snapshot.h"
#include "state.h"
#include "unit.h"

struct fx {
	struct unit_machine m;
	struct snapshot snap;
};

static int setup(void **state)
{
	return unit_machine_setup(state, sizeof(struct fx));
}

static void test_snapshot_reads_the_tree(void **state)
{
	struct fx *f = *state;

	assert_int_equal(snapshot_take(&f->m.conf, 0, 0, false, &f->snap), 0);
	assert_int_equal(f->snap.sysctl.rmem_default, 212992);
	assert_int_equal(f->snap.sysctl.rmem_max, 212992);
	assert_int_equal(f->snap.memtotal, 16318496ull * 1024);
	assert_string_equal(f->snap.boot_id, "3f1b9a2c-6d4e-4f8a-9b1c-2d3e4f5a6b7c");
	assert_int_equal(f->snap.state_err, -ENOENT); /* no state file yet */
}

/* Three devices have a subsystem; the one without is left out, as the kernel drops its events. */
static void test_snapshot_first_boot_recommends_from_coldplug(void **state)
{
	struct fx *f = *state;
	uint64_t bytes = 0;

	assert_int_equal(snapshot_take(&f->m.conf, 0, 0, false, &f->snap), 0);
	assert_int_equal(f->snap.coldplug_devices, 3);
	assert_true(f->snap.state.has_coldplug);
	assert_int_equal(f->snap.state.coldplug_devices, 3);
	assert_int_equal(coldplug_scan(&f->snap.model, &bytes), 3);
	assert_int_equal(f->snap.state.coldplug_bytes, bytes);
	assert_true(f->snap.state_dirty);
	assert_int_equal(f->snap.rec.source, REC_SRC_COLDPLUG);
	assert_int_equal(f->snap.rec.need_bytes, bytes);
	assert_int_equal(f->snap.rec.need_events,
			 0); /* a coldplug estimate counts devices, not a burst */
	/* so small a need: the floor decides */
	assert_int_equal(f->snap.rec.rmem_default, f->m.conf.floor);
}

/* A live peak larger than the coldplug estimate wins. */
static void test_snapshot_live_peak_beats_coldplug(void **state)
{
	struct fx *f = *state;

	assert_int_equal(snapshot_take(&f->m.conf, 2000 * 832, 2000, false, &f->snap), 0);
	assert_int_equal(f->snap.rec.source, REC_SRC_THIS_BOOT);
	assert_int_equal(f->snap.rec.need_bytes, 2000 * 832);
	assert_int_equal(f->snap.rec.rmem_default, (2 * 2000 * 832 + 4095) / 4096 * 4096);
}

/* trust_cache takes the saved estimate without walking /sys. */
static void test_snapshot_trusts_the_cached_estimate(void **state)
{
	struct fx *f = *state;

	assert_int_equal(snapshot_take(&f->m.conf, 0, 0, false, &f->snap), 0);
	f->snap.state.coldplug_bytes = 777777; /* not what /sys would give */
	assert_int_equal(state_save(f->m.conf.state_dir, &f->snap.state), 0);
	unit_rm_tree(f->m.sys);
	assert_int_equal(snapshot_take(&f->m.conf, 0, 0, true, &f->snap), 0);
	assert_int_equal(f->snap.state_err, 0);
	assert_int_equal(f->snap.coldplug_devices, 3);
	assert_int_equal(f->snap.rec.need_bytes, 777777);
	assert_false(f->snap.state_dirty);
}

static void test_snapshot_damaged_state_is_reported_and_ignored(void **state)
{
	struct fx *f = *state;
	char why[256];

	unit_write(f->m.root, "state/state", "this is not a state file\n\x01\x02");
	assert_int_equal(snapshot_take(&f->m.conf, 0, 0, false, &f->snap), 0);
	assert_int_not_equal(f->snap.state_err, 0);
	assert_int_not_equal(f->snap.state_err, -ENOENT);
	assert_true(snapshot_state_problem(&f->snap, why, sizeof(why))[0] != '\0');
	assert_non_null(strstr(why, "ignored"));
	assert_int_equal(f->snap.rec.source, REC_SRC_COLDPLUG); /* recommended all the same */
}

static void test_snapshot_without_sysctls_fails(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/sys/net", f->m.proc);
	unit_rm_tree(path);
	assert_int_equal(snapshot_take(&f->m.conf, 0, 0, false, &f->snap), -ENOENT);
}

static void test_snapshot_refresh_rereads_sysctls_only(void **state)
{
	struct fx *f = *state;

	assert_int_equal(snapshot_take(&f->m.conf, 0, 0, false, &f->snap), 0);
	unit_write(f->m.proc, "sys/net/core/rmem_default", "425984\n");
	unit_write(f->m.proc, "sys/net/core/rmem_max", "851968\n");
	unit_rm_tree(f->m.sys); /* a refresh must not walk /sys */
	assert_int_equal(snapshot_refresh(&f->m.conf, 0, 0, &f->snap), 0);
	assert_int_equal(f->snap.sysctl.rmem_default, 425984);
	assert_int_equal(f->snap.sysctl.rmem_max, 851968);
	assert_int_equal(f->snap.rec.source, REC_SRC_COLDPLUG);
}

/* The one record of a write: a second write the same as one on record keeps its own record. */
static void test_snapshot_record_write_keeps_repeated_writes(void **state)
{
	static struct snapshot s;
	struct rmem lo = { 212992, 4194304 }, hi = { 8388608, 8388608 };
	const struct state_boot *b;

	(void)state;
	memset(&s, 0, sizeof(s));
	strcpy(s.boot_id, "0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b");
	snapshot_record_write(&s, STATE_BY_BUS, &lo, &hi, 5);
	snapshot_record_write(&s, STATE_BY_REVERT, &hi, &lo, 5);
	snapshot_record_write(&s, STATE_BY_CLI, &lo, &hi, 5);
	snapshot_record_write(&s, STATE_BY_REVERT, &hi, &lo, 5); /* the same second, likely */
	b = state_find_boot(&s.state, s.boot_id);
	assert_non_null(b);
	assert_int_equal(b->napplies, 4);
	assert_int_equal(b->applies[3].by, STATE_BY_REVERT);
	assert_true(b->applies[3].at > b->applies[1].at);
	assert_true(s.state_dirty);
	assert_int_equal(s.state.applied_default, 212992);
	/* Without a boot id only the applied values say it. */
	memset(&s, 0, sizeof(s));
	snapshot_record_write(&s, STATE_BY_CLI, &lo, &hi, 5);
	assert_int_equal(s.state.nboots, 0);
	assert_int_equal(s.state.applied_default, 8388608);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, unit_machine_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_record_write_keeps_repeated_writes),
		T(test_snapshot_reads_the_tree),
		T(test_snapshot_first_boot_recommends_from_coldplug),
		T(test_snapshot_live_peak_beats_coldplug),
		T(test_snapshot_trusts_the_cached_estimate),
		T(test_snapshot_damaged_state_is_reported_and_ignored),
		T(test_snapshot_without_sysctls_fails),
		T(test_snapshot_refresh_rereads_sysctls_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
