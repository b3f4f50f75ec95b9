/* SPDX-License-Identifier: MIT */
/* Unit tests for recommend.c: need, headroom, rounding, clamps, policies and the reason text. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "recommend.h"

#define NCASES(a)   (sizeof(a) / sizeof((a)[0]))
#define MIB	    (1ull << 20)
#define GIB	    (1ull << 30)
#define TIB	    (1ull << 40)
#define DEF_FLOOR   212992ull
#define DEF_CEILING 33554432ull
#define BOOT_NOW    "11111111-2222-3333-4444-555555555555"

/* The built-in defaults (nltune.conf(5)), filled by hand: conf.c is not linked here. */
static void conf_fill(struct nlt_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->policy = NLT_POLICY_RAISE_ONLY;
	c->window_ms = 1000;
	c->headroom = 2.0;
	c->floor = DEF_FLOOR;
	c->ceiling = DEF_CEILING;
	c->history = 5;
	c->monitor_buffer = 16 * MIB;
	c->scan_interval_ms = 2000;
}

/* In force: the kernel defaults of a small machine; no history. */
static void input_fill(struct rec_input *in, const struct state *h)
{
	memset(in, 0, sizeof(*in));
	in->history = h;
	in->boot_id = BOOT_NOW;
	in->rmem_default = DEF_FLOOR;
	in->rmem_max = DEF_FLOOR;
	in->memtotal = 8 * GIB;
	in->sock_min_rcvbuf = 2304;
}

static void state_clear(struct state *s)
{
	memset(s, 0, sizeof(*s));
}

static void add_boot(struct state *s, const char *id, uint64_t events, uint64_t bytes)
{
	struct state_boot *b = &s->boots[s->nboots++];

	memset(b, 0, sizeof(*b));
	snprintf(b->boot_id, sizeof(b->boot_id), "%s", id);
	b->peak_events = events;
	b->peak_bytes = bytes;
	b->window_ms = 1000;
	b->total_events = events * 3;
	b->updated = 1700000000;
}

static void assert_reason_has(const struct recommendation *r, const char *want)
{
	if (strstr(r->reason, want) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", r->reason, want);
}

struct policy_case {
	enum nlt_policy policy;
	uint64_t cur_default, cur_max;
	uint64_t need;
	uint64_t rec; /* recommended rmem_default == rmem_max */
	bool write_default, write_max;
};

static void test_recommend_policy_decides_what_is_written(void **state)
{
	/* need 1000000 x 2.0 = 2000000 -> 489 x 4096 = 2002944 */
	static const struct policy_case cases[] = {
		/* raise-only: raises, never lowers */
		{ NLT_POLICY_RAISE_ONLY, 212992, 212992, 1000000, 2002944, true, true },
		{ NLT_POLICY_RAISE_ONLY, 4194304, 4194304, 1000000, 2002944, false, false },
		{ NLT_POLICY_RAISE_ONLY, 212992, 8388608, 1000000, 2002944, true, false },
		{ NLT_POLICY_RAISE_ONLY, 4194304, 1048576, 1000000, 2002944, false, true },
		{ NLT_POLICY_RAISE_ONLY, 2002944, 2002944, 1000000, 2002944, false, false },
		{ NLT_POLICY_RAISE_ONLY, 212992, 212992, 0, 212992, false, false },
		/* exact: writes whatever differs, lowering too */
		{ NLT_POLICY_EXACT, 4194304, 4194304, 1000000, 2002944, true, true },
		{ NLT_POLICY_EXACT, 212992, 212992, 1000000, 2002944, true, true },
		{ NLT_POLICY_EXACT, 2002944, 8388608, 1000000, 2002944, false, true },
		{ NLT_POLICY_EXACT, 2002944, 2002944, 1000000, 2002944, false, false },
		{ NLT_POLICY_EXACT, 4194304, 4194304, 0, 212992, true, true },
		/* observe: never */
		{ NLT_POLICY_OBSERVE, 212992, 212992, 1000000, 2002944, false, false },
		{ NLT_POLICY_OBSERVE, 4194304, 4194304, 1000000, 2002944, false, false },
		{ NLT_POLICY_OBSERVE, 0, 0, 0, 212992, false, false },
	};
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		const struct policy_case *t = &cases[i];

		conf_fill(&c);
		c.policy = t->policy;
		input_fill(&in, NULL);
		in.rmem_default = t->cur_default;
		in.rmem_max = t->cur_max;
		in.now_peak_bytes = t->need;
		in.now_peak_events = t->need / 832;
		recommend(&c, &in, &r);
		if (r.rmem_default != t->rec || r.rmem_max != t->rec ||
		    r.write_default != t->write_default || r.write_max != t->write_max)
			fail_msg("case %zu: rec %" PRIu64 "/%" PRIu64 " write %d/%d, want %" PRIu64
				 " write %d/%d",
				 i, r.rmem_default, r.rmem_max, r.write_default, r.write_max,
				 t->rec, t->write_default, t->write_max);
	}
}

struct size_case {
	double headroom;
	uint64_t floor, ceiling, need;
	uint64_t rec;
};

static void test_recommend_rounds_up_to_4096(void **state)
{
	static const struct size_case cases[] = {
		{ 1.0, 4096, DEF_CEILING, 4096, 4096 }, /* an exact multiple stays */
		{ 1.0, 4096, DEF_CEILING, 8192, 8192 },
		{ 1.0, 4096, DEF_CEILING, 8193, 12288 },
		{ 1.0, 4096, DEF_CEILING, 1, 4096 },
		{ 1.0, 4096, DEF_CEILING, 212992, 212992 }, /* 256 x 832 = 52 x 4096 */
		{ 2.0, 4096, DEF_CEILING, 212992, 425984 },
		{ 2.5, 4096, DEF_CEILING, 4096, 12288 },    /* 10240 -> 3 pages */
		{ 2.5, 4096, DEF_CEILING, 8192, 20480 },    /* 20480 is exact */
		{ 2.5, 4096, DEF_CEILING, 343000, 860160 }, /* 857500 -> 210 pages */
		{ 1.1, 4096, DEF_CEILING, 40960, 45056 },
		{ 1.1, 4096, DEF_CEILING, 204800,
		  225280 },			     /* the double gives 225280.00000000003 */
		{ 1.0, 4096, DEF_CEILING, 0, 4096 }, /* nothing measured: the floor */
	};
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		conf_fill(&c);
		c.headroom = cases[i].headroom;
		c.floor = cases[i].floor;
		c.ceiling = cases[i].ceiling;
		input_fill(&in, NULL);
		in.now_peak_bytes = cases[i].need;
		in.now_peak_events = 1;
		recommend(&c, &in, &r);
		if (r.rmem_default != cases[i].rec)
			fail_msg("case %zu: x%.2f %" PRIu64 " -> %" PRIu64 ", want %" PRIu64, i,
				 cases[i].headroom, cases[i].need, r.rmem_default, cases[i].rec);
		assert_int_equal(r.rmem_max, r.rmem_default);
		assert_int_equal(r.need_bytes, cases[i].need);
	}
}

/* One peak of this boot against the bounds: the value, the ceiling and the words that say why. */
struct bound_case {
	const char *what;
	double headroom;
	uint64_t floor, ceiling, memtotal, in_force, min_rcvbuf;
	uint64_t peak_bytes, peak_events;
	uint64_t rec, rec_ceiling; /* rmem_default == rmem_max, and the ceiling in effect */
	const char *reason, *not_in_reason;
};

static void test_recommend_bounds_and_reasons(void **state)
{
	static const struct bound_case cases[] = {
		{ "raised to floor", 2.0, DEF_FLOOR, DEF_CEILING, 8 * GIB, DEF_FLOOR, 2304, 8320,
		  10, DEF_FLOOR, DEF_CEILING, "; raised to floor 212992", NULL },
		{ "explicit ceiling", 2.0, DEF_FLOOR, 1048576, 8 * GIB, DEF_FLOOR, 2304, 1000000,
		  1200, 1048576, 1048576, "; capped at ceiling 1048576", "(auto)" },
		{ "auto ceiling", 2.0, DEF_FLOOR, 0, 512 * MIB, DEF_FLOOR, 2304, 100000000, 120000,
		  16 * MIB, 16 * MIB, "; capped at ceiling 16777216 (auto)", NULL },
		/* auto ceiling 131072 < floor 212992: the floor is the ceiling */
		{ "auto ceiling below floor", 2.0, DEF_FLOOR, 0, 4 * MIB, DEF_FLOOR, 2304, 10000000,
		  12000, DEF_FLOOR, DEF_FLOOR, "; capped at ceiling 212992 (auto)", NULL },
		{ "kernel minimum over explicit ceiling", 2.0, 0, 2048, 8 * GIB, DEF_FLOOR, 2304, 0,
		  0, 2304, 2304, "raised to the kernel minimum 2304", NULL },
		/* auto ceiling 1024 */
		{ "kernel minimum over auto ceiling", 2.0, 0, 0, 32768, DEF_FLOOR, 2304, 0, 0, 2304,
		  2304, "raised to the kernel minimum 2304", NULL },
		{ "raise-only keeps larger", 2.0, DEF_FLOOR, DEF_CEILING, 8 * GIB, 4194304, 2304,
		  1000000, 1000, 2002944, DEF_CEILING,
		  "in force 4194304 is larger, kept (raise-only)", NULL },
		/* 245 x 4096 */
		{ "headroom 1.0", 1.0, DEF_FLOOR, DEF_CEILING, 8 * GIB, DEF_FLOOR, 2304, 1000000,
		  1200, 1003520, DEF_CEILING, "x1.0 headroom -> 980.0K", NULL },
		/* 2500000 -> 611 x 4096 */
		{ "headroom 2.5", 2.5, DEF_FLOOR, DEF_CEILING, 8 * GIB, DEF_FLOOR, 2304, 1000000,
		  1200, 2502656, DEF_CEILING, "x2.5 headroom -> 2.4M", NULL },
	};
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		const struct bound_case *t = &cases[i];

		conf_fill(&c);
		c.headroom = t->headroom;
		c.floor = t->floor;
		c.ceiling = t->ceiling;
		input_fill(&in, NULL);
		in.memtotal = t->memtotal;
		in.rmem_default = t->in_force;
		in.rmem_max = t->in_force;
		in.sock_min_rcvbuf = t->min_rcvbuf;
		in.now_peak_bytes = t->peak_bytes;
		in.now_peak_events = t->peak_events;
		recommend(&c, &in, &r);
		if (r.rmem_default != t->rec || r.rmem_max != t->rec || r.ceiling != t->rec_ceiling)
			fail_msg("%s: rec %" PRIu64 "/%" PRIu64 " ceiling %" PRIu64
				 ", want %" PRIu64 " ceiling %" PRIu64,
				 t->what, r.rmem_default, r.rmem_max, r.ceiling, t->rec,
				 t->rec_ceiling);
		if (strstr(r.reason, t->reason) == NULL)
			fail_msg("%s: reason \"%s\" lacks \"%s\"", t->what, r.reason, t->reason);
		if (t->not_in_reason != NULL && strstr(r.reason, t->not_in_reason) != NULL)
			fail_msg("%s: reason \"%s\" has \"%s\"", t->what, r.reason,
				 t->not_in_reason);
	}
}

struct ceiling_case {
	uint64_t ceiling, floor, memtotal;
	uint64_t want;
};

static void test_recommend_ceiling_auto_from_memtotal(void **state)
{
	static const struct ceiling_case cases[] = {
		{ 0, DEF_FLOOR, 8 * GIB, 32 * MIB }, /* 256 MiB / 32 > 32 MiB */
		{ 0, DEF_FLOOR, 1 * GIB, 32 * MIB }, /* exactly 32 MiB */
		{ 0, DEF_FLOOR, 512 * MIB, 16 * MIB },
		{ 0, DEF_FLOOR, 0, 32 * MIB },	      /* MemTotal unknown */
		{ 0, DEF_FLOOR, 4 * MIB, DEF_FLOOR }, /* 128 KiB < floor: the floor wins */
		{ 0, 0, 4 * MIB, 128 * 1024 },
		{ 1048576, DEF_FLOOR, 512 * MIB, 1048576 }, /* explicit: MemTotal does not matter */
		{ 65536, DEF_FLOOR, 8 * GIB, DEF_FLOOR },   /* explicit below floor: floor wins */
		{ 64 * GIB, DEF_FLOOR, 8 * GIB, 64 * GIB }, /* explicit above 32 MiB is allowed */
	};
	struct nlt_conf c;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		uint64_t got;

		conf_fill(&c);
		c.ceiling = cases[i].ceiling;
		c.floor = cases[i].floor;
		got = recommend_ceiling(&c, cases[i].memtotal);
		if (got != cases[i].want)
			fail_msg("case %zu: ceiling %" PRIu64 ", want %" PRIu64, i, got,
				 cases[i].want);
	}
}

struct monbuf_case {
	uint64_t conf, memtotal;
	uint64_t want;
};

static void test_recommend_monitor_buffer_scales_with_memtotal(void **state)
{
	static const struct monbuf_case cases[] = {
		{ 0, 24 * GIB, 16 * MIB },	   /* a server: the full 16 MiB */
		{ 0, 256 * MIB, 16 * MIB },	   /* exactly 16 MiB */
		{ 0, 128 * MIB, 8 * MIB },	   /* a small board: twice its 4 MiB ceiling */
		{ 0, 0, 16 * MIB },		   /* MemTotal unknown */
		{ 0, 512 * 1024, 64 * 1024 },	   /* never below 64 KiB */
		{ 32 * MIB, 128 * MIB, 32 * MIB }, /* explicit: MemTotal does not matter */
	};
	struct nlt_conf c;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		uint64_t got;

		conf_fill(&c);
		c.monitor_buffer = cases[i].conf;
		got = recommend_monitor_buffer(&c, cases[i].memtotal);
		if (got != cases[i].want)
			fail_msg("case %zu: monitor buffer %" PRIu64 ", want %" PRIu64, i, got,
				 cases[i].want);
	}
}

static void test_recommend_skips_damaged_history(void **state)
{
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	struct state h;

	(void)state;
	state_clear(&h);
	add_boot(&h, "a0000000-0000-0000-0000-000000000000", 120, 100000);
	add_boot(&h, "b0000000-0000-0000-0000-000000000000", 500, 0);	  /* 0 B, 500 events */
	add_boot(&h, "c0000000-0000-0000-0000-000000000000", 9, 2 * TIB); /* > 1 TiB */
	add_boot(&h, "d0000000-0000-0000-0000-000000000000", 60, 50000);
	add_boot(&h, "e0000000-0000-0000-0000-000000000000", 0, 0); /* quiet boot: fine */
	conf_fill(&c);
	c.floor = 4096;
	input_fill(&in, &h);
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_HISTORY);
	assert_int_equal(r.need_bytes, 100000);
	assert_int_equal(r.need_events, 120);
	assert_int_equal(r.rmem_default, 200704); /* 200000 -> 49 x 4096 */
	assert_reason_has(&r, "on boot 1 of 5");
}

static void test_recommend_uses_only_newest_history_entries(void **state)
{
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	struct state h;

	(void)state;
	state_clear(&h);
	add_boot(&h, "a0000000-0000-0000-0000-000000000000", 9000, 9000000); /* too old */
	add_boot(&h, "b0000000-0000-0000-0000-000000000000", 8000, 8000000); /* too old */
	add_boot(&h, "c0000000-0000-0000-0000-000000000000", 100, 83200);
	add_boot(&h, "d0000000-0000-0000-0000-000000000000", 300, 249600);
	add_boot(&h, "e0000000-0000-0000-0000-000000000000", 200, 166400);
	conf_fill(&c);
	c.history = 3;
	input_fill(&in, &h);
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_HISTORY);
	assert_int_equal(r.need_bytes, 249600);
	assert_int_equal(r.need_events, 300);
	assert_reason_has(&r, "peak 300 events / 243.8K in 1000 ms on boot 2 of 3");

	c.history = 0; /* no history used at all */
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_NONE);
	assert_int_equal(r.need_bytes, 0);

	c.history = 100; /* more than kept: all of them */
	recommend(&c, &in, &r);
	assert_int_equal(r.need_bytes, 9000000);
	assert_reason_has(&r, "on boot 1 of 5");
}

static void test_recommend_first_boot_uses_coldplug_estimate(void **state)
{
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	struct state h;

	(void)state;
	state_clear(&h);
	h.has_coldplug = true;
	h.coldplug_devices = 412;
	h.coldplug_bytes = 343000;
	conf_fill(&c);
	input_fill(&in, &h);
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_COLDPLUG);
	assert_int_equal(r.need_bytes, 343000);
	assert_int_equal(r.need_events, 0);
	assert_int_equal(r.rmem_default, 688128); /* 686000 -> 168 x 4096 */
	assert_true(r.write_default);
	assert_true(r.write_max);
	assert_reason_has(&r, "coldplug estimate 412 devices / 335.0K, x2.0 headroom -> 672.0K");
	assert_reason_has(&r, "832 bytes per event");

	h.has_coldplug = false; /* the figures are ignored without the flag */
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_NONE);
}

/* Once a boot measured its coldplug, that is the need: the estimate was only the first boot's. */
static void test_recommend_measured_coldplug_replaces_estimate(void **state)
{
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	struct state h;

	(void)state;
	state_clear(&h);
	add_boot(&h, "a0000000-0000-0000-0000-000000000000", 300, 249600);
	h.boots[0].has_coldplug = true;
	h.boots[0].coldplug_events = 412;
	h.boots[0].coldplug_bytes = 342784;
	h.has_coldplug = true; /* an estimate larger than what was measured: not used */
	h.coldplug_devices = 500;
	h.coldplug_bytes = 416000;
	conf_fill(&c);
	input_fill(&in, &h);
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_COLDPLUG_HISTORY);
	assert_int_equal(r.need_bytes, 342784);
	assert_int_equal(r.need_events, 412);
	assert_reason_has(&r,
			  "measured coldplug 412 events / 334.8K on boot 1 of 1, x2.0 headroom");

	/* A later boot's larger peak wins over it; the estimate still does not come back. */
	add_boot(&h, "b0000000-0000-0000-0000-000000000000", 600, 499200);
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_HISTORY);
	assert_int_equal(r.need_bytes, 499200);

	/* An equal peak of the same boot: the measured coldplug is named. */
	h.nboots = 1;
	h.boots[0].peak_bytes = 342784;
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_COLDPLUG_HISTORY);

	/* This boot's own. */
	snprintf(h.boots[0].boot_id, sizeof(h.boots[0].boot_id), "%s", BOOT_NOW);
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_COLDPLUG_THIS_BOOT);
	assert_reason_has(&r, "measured coldplug 412 events / 334.8K this boot");
}

/*
 * The need per group: each group's own peaks, coldplug bursts and history;
 * the larger decides (group 1 on a tie), and the reason says whose.
 */
static const struct group_case {
	const char *name;
	uint64_t k_live, u_live; /* live peaks (bytes; events = bytes / 832) */
	uint64_t k_hist, u_hist; /* a boot of history: group 1's and 2's peaks */
	uint64_t u_cold;	 /* group 2's measured coldplug in that boot (0: none) */
	uint64_t estimate;	 /* the /sys estimate (0: none) */
	unsigned int want_group;
	uint64_t want_need, want_k, want_u;
	const char *reason, *not_in_reason;
} group_cases[] = {
	{ "no group 2 heard: the reason is group 1's alone", 100000, 0, 0, 0, 0, 0,
	  REC_GROUP_KERNEL, 100000, 100000, 0, "peak 120 events", "group" },
	{ "group 2 larger live: it decides", 100000, 300000, 0, 0, 0, 0, REC_GROUP_UDEV, 300000,
	  100000, 300000, "group 2 (udev): peak 360 events / 293.0K in 1000 ms this boot",
	  "group 1 (kernel): peak" },
	{ "group 2 heard, group 1 larger: group 1 decides, named", 400000, 300000, 0, 0, 0, 0,
	  REC_GROUP_KERNEL, 400000, 400000, 300000,
	  "group 1 (kernel): peak 480 events / 390.6K in 1000 ms this boot, x2.0 headroom -> "
	  "784.0K; 833 bytes per event; group 2 (udev) needs 293.0K",
	  "group 2 (udev):" },
	{ "a tie: group 1", 300000, 300000, 0, 0, 0, 0, REC_GROUP_KERNEL, 300000, 300000, 300000,
	  "group 1 (kernel): ", NULL },
	{ "group 2 from history", 100000, 0, 50000, 600000, 0, 0, REC_GROUP_UDEV, 600000, 100000,
	  600000, "group 2 (udev): peak 721 events / 585.9K in 1000 ms on boot 1 of 1", NULL },
	{ "group 2's measured coldplug", 0, 0, 50000, 60000, 900000, 0, REC_GROUP_UDEV, 900000,
	  50000, 900000, "group 2 (udev): measured coldplug 1081 events / 878.9K on boot 1 of 1",
	  NULL },
	{ "the /sys estimate is group 1's only", 0, 0, 0, 0, 0, 700000, REC_GROUP_KERNEL, 700000,
	  700000, 0, "coldplug estimate", "group" },
	{ "group 2 above the estimate", 0, 800000, 0, 0, 0, 700000, REC_GROUP_UDEV, 800000, 700000,
	  800000, "; group 1 (kernel) needs 683.6K", NULL },
};

static void test_recommend_need_per_group(void **state)
{
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	static struct state h;

	(void)state;
	conf_fill(&c);
	for (size_t i = 0; i < NCASES(group_cases); i++) {
		const struct group_case *t = &group_cases[i];

		state_clear(&h);
		if (t->k_hist || t->u_hist) {
			struct state_boot *b;

			add_boot(&h, "a0000000-0000-0000-0000-000000000000", t->k_hist / 832,
				 t->k_hist);
			b = &h.boots[0];
			b->has_udev = true;
			b->udev_peak_bytes = t->u_hist;
			b->udev_peak_events = t->u_hist / 832;
			if (t->u_cold) {
				b->has_udev_coldplug = true;
				b->udev_coldplug_bytes = t->u_cold;
				b->udev_coldplug_events = t->u_cold / 832;
			}
		}
		if (t->estimate) {
			h.has_coldplug = true;
			h.coldplug_devices = t->estimate / 832;
			h.coldplug_bytes = t->estimate;
		}
		input_fill(&in, &h);
		in.now_peak_bytes = t->k_live;
		in.now_peak_events = t->k_live / 832;
		in.now_udev_peak_bytes = t->u_live;
		in.now_udev_peak_events = t->u_live / 832;
		recommend(&c, &in, &r);
		if (r.need_group != t->want_group || r.need_bytes != t->want_need ||
		    r.kernel_need_bytes != t->want_k || r.udev_need_bytes != t->want_u)
			fail_msg("%s: group %u need %" PRIu64 " (kernel %" PRIu64 ", udev %" PRIu64
				 ")",
				 t->name, r.need_group, r.need_bytes, r.kernel_need_bytes,
				 r.udev_need_bytes);
		if (strstr(r.reason, t->reason) == NULL)
			fail_msg("%s: reason \"%s\" lacks \"%s\"", t->name, r.reason, t->reason);
		if (t->not_in_reason != NULL && strstr(r.reason, t->not_in_reason) != NULL)
			fail_msg("%s: reason \"%s\" has \"%s\"", t->name, r.reason,
				 t->not_in_reason);
	}
}

static void test_recommend_this_boot_live_peak_beats_history(void **state)
{
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	struct state h;

	(void)state;
	state_clear(&h);
	add_boot(&h, "a0000000-0000-0000-0000-000000000000", 120, 100000);
	h.has_coldplug = true;
	h.coldplug_devices = 400;
	h.coldplug_bytes = 332800;
	conf_fill(&c);
	input_fill(&in, &h);
	in.now_peak_bytes = 500000;
	in.now_peak_events = 600;
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_THIS_BOOT);
	assert_int_equal(r.need_bytes, 500000);
	assert_int_equal(r.need_events, 600);
	assert_reason_has(&r, "peak 600 events / 488.3K in 1000 ms this boot, x2.0 headroom");

	/* a stored record of this boot (daemon restarted) also counts as this boot */
	add_boot(&h, BOOT_NOW, 900, 748800);
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_THIS_BOOT);
	assert_int_equal(r.need_bytes, 748800);
	assert_reason_has(&r, "peak 900 events / 731.2K in 1000 ms this boot");

	/* without a boot id the same record is just history */
	in.boot_id = NULL;
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_HISTORY);
	assert_reason_has(&r, "on boot 2 of 2");
}

static void test_recommend_saturates_on_overflow(void **state)
{
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;

	(void)state;
	conf_fill(&c);
	c.headroom = 2.5;
	input_fill(&in, NULL);
	in.now_peak_bytes = UINT64_MAX / 2;
	in.now_peak_events = 1;
	recommend(&c, &in, &r);
	assert_int_equal(r.rmem_default, DEF_CEILING);
	assert_reason_has(&r, "; capped at ceiling 33554432");

	c.ceiling = UINT64_MAX; /* nothing left to clamp: pinned at the top, not wrapped */
	recommend(&c, &in, &r);
	assert_true(r.rmem_default == UINT64_MAX);
	assert_true(r.rmem_max == UINT64_MAX);

	in.now_peak_bytes = UINT64_MAX - 100; /* round_up alone would wrap */
	c.headroom = 1.0;
	recommend(&c, &in, &r);
	assert_true(r.rmem_default == UINT64_MAX);
}

static void test_recommend_reason_has_the_numbers(void **state)
{
	struct nlt_conf c;
	struct rec_input in;
	struct recommendation r;
	struct state h;

	(void)state;
	state_clear(&h);
	add_boot(&h, "a0000000-0000-0000-0000-000000000000", 400, 332800);
	add_boot(&h, "b0000000-0000-0000-0000-000000000000", 500, 416000);
	add_boot(&h, "c0000000-0000-0000-0000-000000000000", 1843, 1530000);
	add_boot(&h, "d0000000-0000-0000-0000-000000000000", 700, 582400);
	add_boot(&h, "e0000000-0000-0000-0000-000000000000", 10, 8320);
	conf_fill(&c);
	input_fill(&in, &h);
	recommend(&c, &in, &r);
	assert_int_equal(r.rmem_default, 3063808); /* 3060000 -> 748 x 4096 */
	assert_reason_has(&r, "peak 1843 events / 1.5M in 1000 ms on boot 3 of 5, "
			      "x2.0 headroom -> 2.9M");
	assert_reason_has(&r, "830 bytes per event");
	assert_null(strstr(r.reason, "floor"));
	assert_null(strstr(r.reason, "ceiling"));

	state_clear(&h);
	recommend(&c, &in, &r);
	assert_int_equal(r.source, REC_SRC_NONE);
	assert_int_equal(r.need_bytes, 0);
	assert_string_equal(r.reason, "no burst measured yet; raised to floor 212992");

	in.now_peak_bytes = 832;
	in.now_peak_events = 1;
	c.headroom = 2.25;
	recommend(&c, &in, &r);
	assert_string_equal(r.reason, "peak 1 events / 832 in 1000 ms this boot, "
				      "x2.25 headroom -> 4096; 832 bytes per event; "
				      "raised to floor 212992");
}

/* A recommendation that raises 212992 to 1 MiB: a peak of 512 KiB this boot, x2.0. */
static void raising(struct nlt_conf *c, struct rec_input *in, struct recommendation *r)
{
	conf_fill(c);
	input_fill(in, NULL);
	in->now_peak_bytes = 512 * 1024;
	in->now_peak_events = 630;
	recommend(c, in, r);
	assert_int_equal(r->rmem_default, MIB);
}

static void cost_fill(struct cost_count *cc, uint64_t rmem_default)
{
	memset(cc, 0, sizeof(*cc));
	cc->rmem_default = rmem_default;
	cc->udp_mem_bytes = 4 * MIB;
	cc->fam[COST_NETLINK].inheriting = 35;
	cc->fam[COST_UDP].inheriting = 4;
	cc->fam[COST_UNIX_DGRAM].inheriting = 12;
	cc->fam[COST_PACKET].err = -ENOENT;
}

static void test_recommend_cost_names_families_and_worst_case(void **state)
{
	struct recommendation r;
	struct rec_input in;
	struct cost_risk risk = { 0 };
	struct cost_count cc;
	struct nlt_conf c;
	char base[sizeof(r.reason)];

	(void)state;
	raising(&c, &in, &r);
	snprintf(base, sizeof(base), "%s", r.reason);
	cost_fill(&cc, DEF_FLOOR);
	cc.fam[COST_UDP].cut = true;
	recommend_cost(&r, &cc, &risk);
	assert_true(r.has_cost);
	/* netlink 35 and udp 4 in full; unix datagram and an unknown packet count add nothing */
	assert_int_equal(r.worst_case_bytes, 39 * (MIB - DEF_FLOOR));
	assert_int_equal(strncmp(r.reason, base, strlen(base)), 0);
	assert_string_equal(r.reason + strlen(base),
			    "; the raise reaches 51 sockets that inherit rmem_default (netlink 35, "
			    "udp 4+, unix_dgram 12, packet ?): worst case +31.1M if all fill");
}

static void test_recommend_cost_without_raise_is_none(void **state)
{
	struct recommendation r;
	struct rec_input in;
	struct cost_risk risk = { 0 };
	struct cost_count cc;
	struct nlt_conf c;

	(void)state;
	conf_fill(&c);
	input_fill(&in, NULL);
	in.rmem_default = 2 * MIB;
	recommend(&c, &in, &r);
	cost_fill(&cc, 2 * MIB);
	recommend_cost(&r, &cc, &risk);
	assert_int_equal(r.worst_case_bytes, 0);
	assert_non_null(strstr(r.reason, "; no raise of rmem_default: no cost (51 sockets inherit "
					 "it: netlink 35, udp 4, unix_dgram 12, packet ?)"));
}

static void test_recommend_cost_own_buffers_get_the_narrow_remedy(void **state)
{
	static const struct {
		const char *name;
		struct cost_risk risk;
		const char *want; /* NULL: no such clause */
	} t[] = {
		{ "nothing at risk", { 0, 0, 0, "" }, NULL },
		{ "one default socket among them", { 2, 1, 280, "plugvictim" }, NULL },
		{ "the one at risk set SO_RCVBUF",
		  { 1, 1, 280, "plugvictim" },
		  "; the socket at risk set its own buffer: a global raise does not reach it: "
		  "`nltune fix 280` (plugvictim) raises it live, or the application asks for more "
		  "with SO_RCVBUF" },
		{ "three of them",
		  { 3, 3, 280, "plugvictim" },
		  "; the 3 sockets at risk set their own buffers: a global raise does not reach "
		  "them: `nltune fix PID` raises each live (280 plugvictim is one), or the "
		  "application asks for more with SO_RCVBUF" },
		{ "owner not known",
		  { 1, 1, 0, "" },
		  "; the socket at risk set its own buffer: a global raise does not reach it: "
		  "`nltune fix PID` of its owner raises it live, or the application asks for more "
		  "with SO_RCVBUF" },
	};

	(void)state;
	for (size_t i = 0; i < NCASES(t); i++) {
		struct recommendation r;
		struct rec_input in;
		struct cost_count cc;
		struct nlt_conf c;
		const char *p;

		raising(&c, &in, &r);
		cost_fill(&cc, DEF_FLOOR);
		recommend_cost(&r, &cc, &t[i].risk);
		/* the values stay: they are for the listeners that keep rmem_default */
		assert_int_equal(r.rmem_default, MIB);
		assert_true(r.write_default);
		p = strstr(r.reason, "a global raise does not reach");
		if (!t[i].want && p)
			fail_msg("%s: the reason sends them away: %s", t[i].name, r.reason);
		if (t[i].want && (!(p = strstr(r.reason, "; the ")) ||
				  strcmp(strstr(r.reason, "if all fill") + 11, t[i].want)))
			fail_msg("%s: reason %s", t[i].name, r.reason);
	}
}

static void test_recommend_cost_again_replaces_the_clause(void **state)
{
	struct recommendation r;
	struct rec_input in;
	struct cost_risk risk = { 1, 1, 280, "plugvictim" }, none = { 0 };
	struct cost_count cc;
	struct nlt_conf c;
	char once[sizeof(r.reason)];

	(void)state;
	raising(&c, &in, &r);
	cost_fill(&cc, DEF_FLOOR);
	recommend_cost(&r, &cc, &none);
	snprintf(once, sizeof(once), "%s", r.reason);
	recommend_cost(&r, &cc, &risk);
	recommend_cost(&r, &cc, &none);
	assert_string_equal(r.reason, once);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recommend_policy_decides_what_is_written),
		cmocka_unit_test(test_recommend_rounds_up_to_4096),
		cmocka_unit_test(test_recommend_bounds_and_reasons),
		cmocka_unit_test(test_recommend_need_per_group),
		cmocka_unit_test(test_recommend_ceiling_auto_from_memtotal),
		cmocka_unit_test(test_recommend_monitor_buffer_scales_with_memtotal),
		cmocka_unit_test(test_recommend_skips_damaged_history),
		cmocka_unit_test(test_recommend_uses_only_newest_history_entries),
		cmocka_unit_test(test_recommend_first_boot_uses_coldplug_estimate),
		cmocka_unit_test(test_recommend_measured_coldplug_replaces_estimate),
		cmocka_unit_test(test_recommend_this_boot_live_peak_beats_history),
		cmocka_unit_test(test_recommend_saturates_on_overflow),
		cmocka_unit_test(test_recommend_reason_has_the_numbers),
		cmocka_unit_test(test_recommend_cost_names_families_and_worst_case),
		cmocka_unit_test(test_recommend_cost_without_raise_is_none),
		cmocka_unit_test(test_recommend_cost_own_buffers_get_the_narrow_remedy),
		cmocka_unit_test(test_recommend_cost_again_replaces_the_clause),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
