/* SPDX-License-Identifier: MIT */
/* Unit tests for state.c: the format, damaged and hostile files, boot history, atomic saves. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "refcrc.h"
#include "state.h"
#include "unit.h"

#define BUFSZ  STATE_MAX_SIZE
#define UNUSED __attribute__((unused))

static const char *const ids[] = {
	"0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b", "1f0e9d8c-7b6a-4958-8372-6a5b4c3d2e1f",
	"2a3b4c5d-6e7f-4081-9223-344556677889", "3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b",
	"4d5e6f70-8192-43a4-b5c6-d7e8f90a1b2c", "5e6f7081-92a3-44b5-86c7-e8f90a1b2c3d",
	"6f708192-a3b4-45c6-97d8-f90a1b2c3d4e",
};

/* Header + body + a correct end line, so a case reaches the line parser past the checksum. */
static size_t seal(char *out, size_t len, const char *body)
{
	int n = snprintf(out, len, "nltune-state 1\n%s", body);

	assert_true(n > 0 && (size_t)n < len);
	n += snprintf(out + n, len - (size_t)n, "end %08" PRIx32 "\n", ref_crc32(out, (size_t)n));
	assert_true((size_t)n < len);
	return (size_t)n;
}

static void sample_boot(struct state_boot *b, size_t i)
{
	memset(b, 0, sizeof(*b));
	strcpy(b->boot_id, ids[i]);
	b->peak_events = 400 + 17 * i;
	b->peak_bytes = 332800 + 14144 * i;
	b->window_ms = 1000;
	b->total_events = 9000 + 1234 * i;
	b->updated = 1732600000 + 86400 * i;
}

/* What a machine has after five boots: history, a coldplug estimate and applied values. */
static void sample_state(struct state *s)
{
	struct state_boot b;
	size_t i;

	state_init(s);
	for (i = 0; i < 5; i++) {
		sample_boot(&b, i);
		b.has_udev = i % 2 == 0; /* some boots heard udevd, some did not */
		b.udev_peak_events = 400 + i;
		b.udev_peak_bytes = 700000 + i;
		b.udev_total_events = 9000 + i;
		state_record_boot(s, &b, 5);
		if (i == 2)
			state_record_udev_coldplug(s, b.boot_id, 460, 737280, 240, 5);
	}
	s->has_coldplug = true;
	s->coldplug_devices = 1830;
	s->coldplug_bytes = 1522560;
	s->applied_default = 1048576;
	s->applied_max = 2097152;
}

static void assert_state_empty(const struct state *s)
{
	assert_int_equal(s->nboots, 0);
	assert_false(s->has_coldplug);
	assert_int_equal(s->coldplug_devices, 0);
	assert_int_equal(s->coldplug_bytes, 0);
	assert_int_equal(s->applied_default, 0);
	assert_int_equal(s->applied_max, 0);
}

static void assert_state_equal(const struct state *a, const struct state *b)
{
	size_t i;

	assert_int_equal(a->nboots, b->nboots);
	for (i = 0; i < a->nboots; i++) {
		assert_string_equal(a->boots[i].boot_id, b->boots[i].boot_id);
		assert_int_equal(a->boots[i].peak_events, b->boots[i].peak_events);
		assert_int_equal(a->boots[i].peak_bytes, b->boots[i].peak_bytes);
		assert_int_equal(a->boots[i].window_ms, b->boots[i].window_ms);
		assert_int_equal(a->boots[i].total_events, b->boots[i].total_events);
		assert_int_equal(a->boots[i].updated, b->boots[i].updated);
		assert_int_equal(a->boots[i].has_coldplug, b->boots[i].has_coldplug);
		assert_int_equal(a->boots[i].coldplug_bytes, b->boots[i].coldplug_bytes);
		assert_int_equal(a->boots[i].has_udev, b->boots[i].has_udev);
		assert_int_equal(a->boots[i].udev_peak_events, b->boots[i].udev_peak_events);
		assert_int_equal(a->boots[i].udev_peak_bytes, b->boots[i].udev_peak_bytes);
		assert_int_equal(a->boots[i].udev_total_events, b->boots[i].udev_total_events);
		assert_int_equal(a->boots[i].has_udev_coldplug, b->boots[i].has_udev_coldplug);
		assert_int_equal(a->boots[i].udev_coldplug_events,
				 b->boots[i].udev_coldplug_events);
		assert_int_equal(a->boots[i].udev_coldplug_bytes, b->boots[i].udev_coldplug_bytes);
		assert_int_equal(a->boots[i].udev_coldplug_ms, b->boots[i].udev_coldplug_ms);
		assert_int_equal(a->boots[i].napplies, b->boots[i].napplies);
		for (size_t k = 0; k < a->boots[i].napplies; k++) {
			const struct state_apply *x = &a->boots[i].applies[k];
			const struct state_apply *y = &b->boots[i].applies[k];

			assert_int_equal(x->at, y->at);
			assert_int_equal(x->by, y->by);
			assert_int_equal(x->before_default, y->before_default);
			assert_int_equal(x->before_max, y->before_max);
			assert_int_equal(x->after_default, y->after_default);
			assert_int_equal(x->after_max, y->after_max);
		}
	}
	assert_int_equal(a->has_coldplug, b->has_coldplug);
	assert_int_equal(a->coldplug_devices, b->coldplug_devices);
	assert_int_equal(a->coldplug_bytes, b->coldplug_bytes);
	assert_int_equal(a->applied_default, b->applied_default);
	assert_int_equal(a->applied_max, b->applied_max);
}

/* Parse from an exact-size heap copy, so ASan sees any read past the end. */
static int parse_exact(struct state *s, const char *buf, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	r = state_parse(s, copy, len);
	free(copy);
	return r;
}

static int parse_str(struct state *s, const char *str)
{
	return parse_exact(s, str, strlen(str));
}

static void assert_sealed_body_rejected(const char *body)
{
	char buf[BUFSZ];
	struct state s;
	size_t n = seal(buf, sizeof(buf), body);

	if (parse_exact(&s, buf, n) != -EBADMSG)
		fail_msg("accepted: %s", body);
	assert_state_empty(&s);
}

/* ---- format and parse ---- */

/* Version 2: the measured coldplug burst and each write, with the values it replaced. */
/* Version 3: group 2's peaks and coldplug burst beside group 1's, before the writes. */
static void test_state_parse_accepts_handwritten_v3_file(void **ctx UNUSED)
{
	static const char file[] =
	    "nltune-state 3\n"
	    "boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 412 343040 1000 9876 1732600000\n"
	    "coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 405 336960 180\n"
	    "udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 466 745472 9901\n"
	    "udev-coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 460 737280 240\n"
	    "apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1732599990 boot 212992 212992 688128 "
	    "688128\n"
	    "applied 688128 688128\n"
	    "end 8572a1c5\n";
	static char again[BUFSZ];
	const struct state_boot *b;
	struct state s;

	assert_int_equal(parse_str(&s, file), 0);
	b = &s.boots[0];
	assert_int_equal(b->peak_bytes, 343040);
	assert_true(b->has_udev);
	assert_int_equal(b->udev_peak_events, 466);
	assert_int_equal(b->udev_peak_bytes, 745472);
	assert_int_equal(b->udev_total_events, 9901);
	assert_true(b->has_udev_coldplug);
	assert_int_equal(b->udev_coldplug_events, 460);
	assert_int_equal(b->udev_coldplug_bytes, 737280);
	assert_int_equal(b->udev_coldplug_ms, 240);
	assert_int_equal(b->napplies, 1);
	/* and it is what state_format writes */
	assert_int_equal(state_format(&s, again, sizeof(again)), strlen(file));
	assert_string_equal(again, file);
}

static void test_state_parse_rejects_bad_v3_lines(void **ctx UNUSED)
{
	static const char *const cases[] = {
		/* names no boot, or another one */
		"udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"udev 1f0e9d8c-7b6a-4958-8372-6a5b4c3d2e1f 1 832 1\n",
		/* missing field, extra field, twice */
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"udev-coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5 5\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1\n"
		"udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1\n",
		/* out of order: after the writes, udev after its coldplug, group 1 after group 2 */
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 boot 1 1 2 2\n"
		"udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"udev-coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5\n"
		"udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1\n"
		"coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5\n",
		/* not canonical */
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 01 832 1\n",
	};
	char buf[BUFSZ], body[BUFSZ];
	struct state s;
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = (size_t)snprintf(body, sizeof(body), "nltune-state 3\n%s", cases[i]);
		n += (size_t)snprintf(body + n, sizeof(body) - n, "end %08" PRIx32 "\n",
				      ref_crc32(body, n));
		memcpy(buf, body, n);
		if (parse_exact(&s, buf, n) != -EBADMSG)
			fail_msg("case %zu accepted", i);
		assert_state_empty(&s);
	}
}

/* A version 2 file (an older nltune's) has no udev lines: they are refused there. */
static void test_state_parse_v2_refuses_udev_lines(void **ctx UNUSED)
{
	char buf[BUFSZ];
	struct state s;
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf),
			     "nltune-state 2\n"
			     "boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
			     "udev 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1\n");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "end %08" PRIx32 "\n", ref_crc32(buf, n));
	assert_int_equal(parse_exact(&s, buf, n), -EBADMSG);
}

/* Group 2's peaks grow like group 1's; a record without them leaves them alone. */
static void test_state_record_boot_keeps_udev_figures(void **ctx UNUSED)
{
	struct state s;
	struct state_boot b;
	const struct state_boot *e;

	state_init(&s);
	sample_boot(&b, 0);
	b.has_udev = true;
	b.udev_peak_events = 466;
	b.udev_peak_bytes = 745472;
	b.udev_total_events = 500;
	state_record_boot(&s, &b, 5);
	b.udev_peak_events = 10; /* smaller later: the peaks stay, the total follows */
	b.udev_peak_bytes = 8320;
	b.udev_total_events = 510;
	state_record_boot(&s, &b, 5);
	e = state_find_boot(&s, ids[0]);
	assert_true(e->has_udev);
	assert_int_equal(e->udev_peak_events, 466);
	assert_int_equal(e->udev_peak_bytes, 745472);
	assert_int_equal(e->udev_total_events, 510);
	b.has_udev = false; /* nltuned heard nothing on group 2 yet */
	b.udev_total_events = 0;
	state_record_boot(&s, &b, 5);
	assert_int_equal(e->udev_total_events, 510);
	assert_int_equal(state_record_udev_coldplug(&s, ids[0], 460, 737280, 240, 5), 0);
	assert_true(e->has_udev_coldplug);
	assert_int_equal(e->udev_coldplug_bytes, 737280);
	assert_false(e->has_coldplug); /* group 1's is another record */
	assert_int_equal(state_record_udev_coldplug(&s, "nope", 1, 1, 1, 5), -EINVAL);
}

/* Merging: the larger udev peaks, the newer total, the coldplug dst had first. */
static void test_state_merge_keeps_udev_figures(void **ctx UNUSED)
{
	struct state file, mine;
	struct state_boot b;
	const struct state_boot *e;

	state_init(&file);
	state_init(&mine);
	sample_boot(&b, 0);
	b.updated = 100;
	b.has_udev = true;
	b.udev_peak_bytes = 9000;
	b.udev_peak_events = 5;
	b.udev_total_events = 50;
	state_record_boot(&file, &b, 5);
	state_record_udev_coldplug(&file, ids[0], 40, 40000, 100, 5);
	b.updated = 200;
	b.udev_peak_bytes = 8000;
	b.udev_peak_events = 9;
	b.udev_total_events = 70;
	state_record_boot(&mine, &b, 5);
	state_record_udev_coldplug(&mine, ids[0], 41, 41000, 101, 5);
	state_merge(&file, &mine, 5);
	e = state_find_boot(&file, ids[0]);
	assert_int_equal(e->udev_peak_bytes, 9000);
	assert_int_equal(e->udev_peak_events, 9);
	assert_int_equal(e->udev_total_events, 70);
	assert_int_equal(e->udev_coldplug_events, 40);
	state_merge(&file, &mine, 5); /* twice: nothing changes */
	assert_int_equal(e->udev_total_events, 70);
	assert_int_equal(e->udev_peak_bytes, 9000);
	/* a boot that had none takes src's */
	state_init(&file);
	b.has_udev = false;
	b.updated = 300;
	state_record_boot(&file, &b, 5);
	state_merge(&file, &mine, 5);
	e = state_find_boot(&file, ids[0]);
	assert_true(e->has_udev && e->has_udev_coldplug);
	assert_int_equal(e->udev_total_events, 70);
	assert_int_equal(e->udev_coldplug_events, 41);
}

static void test_state_parse_accepts_handwritten_v2_file(void **ctx UNUSED)
{
	static const char file[] =
	    "nltune-state 2\n"
	    "boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 412 343040 1000 9876 1732600000\n"
	    "coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 405 336960 180\n"
	    "apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1732599990 boot 212992 212992 688128 "
	    "688128\n"
	    "apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1732600100 bus 688128 688128 1048576 "
	    "1048576\n"
	    "coldplug 1830 1522560\n"
	    "applied 1048576 1048576\n"
	    "end e867a780\n";
	const struct state_boot *b;
	struct state s;

	assert_int_equal(parse_str(&s, file), 0);
	assert_int_equal(s.nboots, 1);
	b = &s.boots[0];
	assert_true(b->has_coldplug);
	assert_int_equal(b->coldplug_events, 405);
	assert_int_equal(b->coldplug_bytes, 336960);
	assert_int_equal(b->coldplug_ms, 180);
	assert_int_equal(b->napplies, 2);
	assert_int_equal(b->applies[0].at, 1732599990);
	assert_int_equal(b->applies[0].by, STATE_BY_BOOT);
	assert_int_equal(b->applies[0].before_default, 212992);
	assert_int_equal(b->applies[0].after_max, 688128);
	assert_int_equal(b->applies[1].by, STATE_BY_BUS);
	assert_int_equal(b->applies[1].after_default, 1048576);
}

static void test_state_parse_rejects_bad_v2_lines(void **ctx UNUSED)
{
	static const char *const cases[] = {
		/* names no boot, or not the boot line just before */
		"coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"apply 1f0e9d8c-7b6a-4958-8372-6a5b4c3d2e1f 1 boot 1 1 2 2\n",
		/* unknown writer, missing field, extra field, twice, after an apply */
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 root 1 1 2 2\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 boot 1 1 2\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5 5\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5\n"
		"coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 boot 1 1 2 2\n"
		"coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5\n",
		/* more writes than a boot keeps */
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 boot 1 1 2 2\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 2 cli 1 1 2 2\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 3 cli 1 1 2 2\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 4 cli 1 1 2 2\n"
		"apply 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 5 cli 1 1 2 2\n",
	};
	char buf[BUFSZ], body[BUFSZ];
	struct state s;
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = (size_t)snprintf(body, sizeof(body), "nltune-state 2\n%s", cases[i]);
		n += (size_t)snprintf(body + n, sizeof(body) - n, "end %08" PRIx32 "\n",
				      ref_crc32(body, n));
		memcpy(buf, body, n);
		if (parse_exact(&s, buf, n) != -EBADMSG)
			fail_msg("case %zu accepted", i);
		assert_state_empty(&s);
	}
}

/* A version 1 file has no coldplug-burst or apply lines: they are refused there. */
static void test_state_parse_v1_refuses_v2_lines(void **ctx UNUSED)
{
	assert_sealed_body_rejected(
	    "boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 1000 1 1\n"
	    "coldplug-burst 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 832 5\n");
}

static struct state_apply mkapply(uint64_t at, enum state_by by, uint64_t bd, uint64_t ad)
{
	struct state_apply a = { .at = at,
				 .by = by,
				 .before_default = bd,
				 .before_max = bd,
				 .after_default = ad,
				 .after_max = ad };
	return a;
}

static void test_state_record_apply_keeps_first_and_newest(void **ctx UNUSED)
{
	struct state s, back;
	static char buf[BUFSZ];
	struct state_apply a;
	const struct state_boot *b;
	int n;

	state_init(&s);
	for (uint64_t i = 0; i < 7; i++) {
		a = mkapply(100 + i, i ? STATE_BY_CLI : STATE_BY_BOOT, 212992 + 4096 * i,
			    212992 + 4096 * (i + 1));
		assert_int_equal(state_record_apply(&s, ids[0], &a, 5), 0);
		assert_int_equal(state_record_apply(&s, ids[0], &a, 5), 0); /* twice: kept once */
	}
	b = state_find_boot(&s, ids[0]);
	assert_non_null(b);
	assert_int_equal(b->napplies, STATE_MAX_APPLIES);
	assert_int_equal(b->applies[0].at, 100); /* the boot's first write stays */
	assert_int_equal(b->applies[0].before_default, 212992);
	assert_int_equal(b->applies[STATE_MAX_APPLIES - 1].at, 106);
	assert_int_equal(b->applies[1].at, 107 - (STATE_MAX_APPLIES - 1));
	assert_int_equal(s.applied_default, 212992 + 4096 * 7);
	n = state_format(&s, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(state_parse(&back, buf, (size_t)n), 0);
	assert_state_equal(&back, &s);
	a.by = STATE_BY_N;
	assert_int_equal(state_record_apply(&s, ids[0], &a, 5), -EINVAL);
	assert_int_equal(state_record_apply(&s, "not-a-boot-id", &a, 5), -EINVAL);
}

static void test_state_record_boot_keeps_coldplug_and_writes(void **ctx UNUSED)
{
	struct state s;
	struct state_boot b;
	struct state_apply a = mkapply(5, STATE_BY_BOOT, 212992, 688128);

	state_init(&s);
	assert_int_equal(state_record_apply(&s, ids[1], &a, 5), 0);
	assert_int_equal(state_record_coldplug(&s, ids[1], 405, 336960, 180, 5), 0);
	sample_boot(&b, 1);
	assert_non_null(state_record_boot(&s, &b, 5));
	assert_int_equal(s.nboots, 1);
	assert_true(s.boots[0].has_coldplug);
	assert_int_equal(s.boots[0].coldplug_events, 405);
	assert_int_equal(s.boots[0].napplies, 1);
	assert_int_equal(s.boots[0].peak_bytes, b.peak_bytes);
}

/* The early-boot record under /run merges into the history, and merging again changes nothing. */
static void test_state_merge_is_idempotent(void **ctx UNUSED)
{
	static char one[BUFSZ], two[BUFSZ];
	struct state disk, run;
	struct state_apply early = mkapply(10, STATE_BY_BOOT, 212992, 688128);
	struct state_apply later = mkapply(50, STATE_BY_BUS, 688128, 1048576);
	struct state_boot b;
	const struct state_boot *e;
	int n, m;

	sample_state(&disk);
	state_record_apply(&disk, ids[4], &later, 5); /* the daemon wrote after apply --boot */
	state_init(&run);
	state_record_apply(&run, ids[4], &early, 5);
	state_record_coldplug(&run, ids[4], 405, 336960, 180, 5);
	sample_boot(&b, 4);
	b.peak_bytes += 1;
	state_record_boot(&run, &b, 5);
	run.has_coldplug = true;
	run.coldplug_devices = 300;
	run.coldplug_bytes = 249600;

	state_merge(&disk, &run, 5);
	e = state_find_boot(&disk, ids[4]);
	assert_non_null(e);
	assert_int_equal(disk.nboots, 5);
	assert_int_equal(e->napplies, 2);
	assert_int_equal(e->applies[0].at, 10); /* in time order */
	assert_int_equal(e->applies[1].at, 50);
	assert_true(e->has_coldplug);
	assert_int_equal(e->peak_bytes, b.peak_bytes);
	assert_int_equal(disk.coldplug_devices, 300);
	n = state_format(&disk, one, sizeof(one));
	state_merge(&disk, &run, 5);
	m = state_format(&disk, two, sizeof(two));
	assert_int_equal(n, m);
	assert_memory_equal(one, two, (size_t)n);

	/* A boot the history does not have yet is taken whole, the oldest dropped. */
	state_init(&run);
	state_record_apply(&run, ids[6], &early, 5);
	state_merge(&disk, &run, 5);
	assert_int_equal(disk.nboots, 5);
	assert_string_equal(disk.boots[4].boot_id, ids[6]);
	assert_int_equal(disk.boots[4].napplies, 1);
}

static void test_state_earlier_lists_replaced_values(void **ctx UNUSED)
{
	struct state s;
	struct state_earlier e;
	struct state_apply a = mkapply(10, STATE_BY_BOOT, 212992, 688128);

	state_init(&s);
	state_earlier(&s, ids[0], 212992, 212992, &e);
	assert_int_equal(e.ndefault, 0);
	state_record_apply(&s, ids[0], &a, 5);
	a = mkapply(20, STATE_BY_BUS, 688128, 1048576);
	state_record_apply(&s, ids[0], &a, 5);
	state_earlier(&s, ids[0], 1048576, 1048576, &e);
	assert_int_equal(e.ndefault, 2);
	assert_int_equal(e.rmem_default[0], 212992);
	assert_int_equal(e.rmem_default[1], 688128);
	assert_int_equal(e.nmax, 2);
	state_earlier(&s, ids[1], 1048576, 1048576, &e); /* another boot's writes do not count */
	assert_int_equal(e.ndefault, 0);
}

static void test_state_format_parse_round_trip(void **ctx UNUSED)
{
	static char buf[BUFSZ], again[BUFSZ];
	struct state s, back;
	int n, m;

	sample_state(&s);
	n = state_format(&s, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(state_parse(&back, buf, (size_t)n), 0);
	assert_state_equal(&s, &back);
	m = state_format(&back, again, sizeof(again));
	assert_int_equal(m, n);
	assert_memory_equal(buf, again, (size_t)n);
}

static void test_state_format_writes_documented_lines(void **ctx UNUSED)
{
	static const char want[] = "nltune-state 3\n"
				   "applied 0 0\n"
				   "end 0fc2a3d7\n";
	char buf[256];
	struct state s;

	state_init(&s);
	assert_int_equal(state_format(&s, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
}

/* The checksum is plain CRC-32 (zlib's crc32), so a file can be checked by hand. */
static void test_state_parse_accepts_handwritten_file(void **ctx UNUSED)
{
	static const char file[] =
	    "nltune-state 1\n"
	    "boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 412 343040 1000 9876 1732600000\n"
	    "coldplug 1830 1522560\n"
	    "applied 1048576 2097152\n"
	    "end e1aa5182\n";
	struct state s;

	assert_int_equal(parse_str(&s, file), 0);
	assert_int_equal(s.nboots, 1);
	assert_string_equal(s.boots[0].boot_id, ids[0]);
	assert_int_equal(s.boots[0].peak_events, 412);
	assert_int_equal(s.boots[0].peak_bytes, 343040);
	assert_int_equal(s.boots[0].window_ms, 1000);
	assert_int_equal(s.boots[0].total_events, 9876);
	assert_int_equal(s.boots[0].updated, 1732600000);
	assert_true(s.has_coldplug);
	assert_int_equal(s.coldplug_devices, 1830);
	assert_int_equal(s.coldplug_bytes, 1522560);
	assert_int_equal(s.applied_default, 1048576);
	assert_int_equal(s.applied_max, 2097152);
}

static void test_state_parse_rejects_every_truncation(void **ctx UNUSED)
{
	static char buf[BUFSZ];
	struct state s;
	size_t cut;
	int n, r;

	sample_state(&s);
	n = state_format(&s, buf, sizeof(buf));
	assert_true(n > 0);
	for (cut = 0; cut < (size_t)n; cut++) {
		r = parse_exact(&s, buf, cut);
		if (r != -EBADMSG)
			fail_msg("cut at %zu of %d: %d", cut, n, r);
		assert_state_empty(&s);
	}
	assert_int_equal(parse_exact(&s, buf, (size_t)n), 0);
}

static void test_state_parse_rejects_every_byte_flip(void **ctx UNUSED)
{
	static const unsigned char masks[] = {
		0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff
	};
	static char buf[BUFSZ];
	struct state s;
	size_t i, k;
	int n, r;

	sample_state(&s);
	n = state_format(&s, buf, sizeof(buf));
	assert_true(n > 0);
	for (i = 0; i < (size_t)n; i++) {
		for (k = 0; k < sizeof(masks); k++) {
			buf[i] ^= (char)masks[k];
			r = parse_exact(&s, buf, (size_t)n);
			buf[i] ^= (char)masks[k];
			/* A flip in the version digit is "another version", still refused. */
			if (r != -EBADMSG && r != -EPROTONOSUPPORT)
				fail_msg("byte %zu ^ 0x%02x: %d", i, masks[k], r);
			assert_state_empty(&s);
		}
	}
}

static void test_state_parse_rejects_empty(void **ctx UNUSED)
{
	struct state s;

	assert_int_equal(parse_exact(&s, "", 0), -EBADMSG);
	assert_state_empty(&s);
	assert_int_equal(state_parse(&s, NULL, 0), -EBADMSG);
	assert_int_equal(parse_str(&s, "\n"), -EBADMSG);
}

static void test_state_parse_reports_foreign_version(void **ctx UNUSED)
{
	struct state s;

	/* Checked before the checksum: a future layout need not end the same way. */
	assert_int_equal(parse_str(&s, "nltune-state 4\nwhatever comes next\n"), -EPROTONOSUPPORT);
	assert_state_empty(&s);
	assert_int_equal(parse_str(&s, "nltune-state 0\n"), -EPROTONOSUPPORT);
	assert_int_equal(parse_str(&s, "nltune-state 18446744073709551615\n"), -EPROTONOSUPPORT);
	assert_int_equal(parse_str(&s, "nltune-state 18446744073709551616\n"), -EBADMSG);
	assert_int_equal(parse_str(&s, "nltune-state 01\n"), -EBADMSG);
	assert_int_equal(parse_str(&s, "nltune-state 1 2\n"), -EBADMSG);
}

static void test_state_parse_rejects_garbage(void **ctx UNUSED)
{
	static const char *const cases[] = {
		"hello world\n",     "{\"boots\": []}\n", "nltune-state\n",
		"nltune-state 1\n",  "nltune-state 1",	  "nltune-state  1\n",
		" nltune-state 1\n", "NLTUNE-STATE 1\n",  "nltune-state 1\r\nend 00000000\r\n",
		"end 00000000\n",    "\xff\xfe\x00\x01",  "\x89PNG\r\n\x1a\n",
	};
	static const char binary[] = { 'n', 'l', '\x80', '\n', '\x01', '\xff', '\n' };
	struct state s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse_str(&s, cases[i]) != -EBADMSG)
			fail_msg("accepted case %zu", i);
		assert_state_empty(&s);
	}
	assert_int_equal(parse_exact(&s, binary, sizeof(binary)), -EBADMSG);
}

static void test_state_parse_rejects_nul_byte(void **ctx UNUSED)
{
	static char buf[BUFSZ];
	struct state s;
	int n;

	sample_state(&s);
	n = state_format(&s, buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n + 1 < sizeof(buf));
	/* A NUL after a complete, valid file. */
	buf[n] = '\0';
	assert_int_equal(parse_exact(&s, buf, (size_t)n + 1), -EBADMSG);
	assert_state_empty(&s);
	/* A NUL inside a line whose checksum covers it. */
	memcpy(buf, "nltune-state 1\napplied 1\0002\n", 26);
	n = 26;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "end %08" PRIx32 "\n", ref_crc32(buf, 26));
	assert_int_equal(parse_exact(&s, buf, (size_t)n), -EBADMSG);
}

static void test_state_parse_rejects_oversize(void **ctx UNUSED)
{
	static char buf[STATE_MAX_SIZE + 1];
	struct state s;
	size_t n;

	/* A good file followed by padding up to one byte over the limit. */
	memset(buf, '\n', sizeof(buf));
	n = seal(buf, sizeof(buf), "applied 1 2\n");
	assert_int_equal(parse_exact(&s, buf, n), 0);
	assert_int_equal(parse_exact(&s, buf, sizeof(buf)), -EBADMSG);
	assert_state_empty(&s);
}

static void test_state_parse_rejects_overflowing_numbers(void **ctx UNUSED)
{
	static const char *const bad[] = {
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 18446744073709551616 1 1 1 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 99999999999999999999 1 1 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 1 4294967296 1 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 1 1 1 184467440737095516150\n",
		"coldplug 18446744073709551616 1\n",
		"applied 1 36893488147419103232\n",
	};
	char buf[512];
	struct state s;
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_sealed_body_rejected(bad[i]);

	/* The largest values are accepted, so the limit is exact. */
	n = seal(buf, sizeof(buf),
		 "boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 18446744073709551615 "
		 "18446744073709551615 4294967295 18446744073709551615 "
		 "18446744073709551615\n");
	assert_int_equal(parse_exact(&s, buf, n), 0);
	assert_int_equal(s.boots[0].peak_events, UINT64_MAX);
	assert_int_equal(s.boots[0].window_ms, UINT32_MAX);
}

static void test_state_parse_rejects_noncanonical_numbers(void **ctx UNUSED)
{
	static const char *const bad[] = {
		"applied +1 2\n",  "applied -1 2\n",  "applied 01 2\n",	 "applied 1 0x10\n",
		"applied 1 2.0\n", "applied 1 1e6\n", "applied 1 2\r\n", "applied 1 \t2\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_sealed_body_rejected(bad[i]);
}

static void test_state_parse_rejects_bad_boot_id(void **ctx UNUSED)
{
	static const char *const bad[] = {
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6 1 1 1 1 1\n",	  /* 35 */
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6bb 1 1 1 1 1\n", /* 37 */
		"boot 0B6A2F3E-8C1D-4E5F-9A7B-1C2D3E4F5A6B 1 1 1 1 1\n",  /* upper case */
		"boot 0b6a2f3g-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 1 1 1 1\n",  /* not hex */
		"boot ../../../../../../../../etc/passwd00 1 1 1 1 1\n",
		"boot 0b6a2f3e_8c1d_4e5f_9a7b_1c2d3e4f5a6b 1 1 1 1 1\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_sealed_body_rejected(bad[i]);
	assert_true(state_boot_id_valid(ids[0]));
	assert_false(state_boot_id_valid("0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b\n"));
	assert_false(state_boot_id_valid(""));
	assert_false(state_boot_id_valid(NULL));
}

static void test_state_parse_rejects_wrong_field_counts(void **ctx UNUSED)
{
	static const char *const bad[] = {
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 1 1 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 1 1 1 1 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b  1 1 1 1 1\n",
		"boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 1 1 1 1 \n",
		"coldplug 1\n",
		"coldplug 1 2 3\n",
		"applied\n",
		"applied 1 2 3 4 5 6 7 8 9\n",
		"\n",
		"sockets 1 2\n",
		"end 00000000\n",
		"nltune-state 1\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_sealed_body_rejected(bad[i]);
}

static void test_state_parse_rejects_duplicate_lines(void **ctx UNUSED)
{
	assert_sealed_body_rejected("coldplug 1 2\ncoldplug 1 2\n");
	assert_sealed_body_rejected("applied 1 2\napplied 3 4\n");
	assert_sealed_body_rejected("boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 1 1 1 1 1\n"
				    "boot 1f0e9d8c-7b6a-4958-8372-6a5b4c3d2e1f 1 1 1 1 1\n"
				    "boot 0b6a2f3e-8c1d-4e5f-9a7b-1c2d3e4f5a6b 2 2 2 2 2\n");
}

static void test_state_parse_rejects_bad_end_line(void **ctx UNUSED)
{
	static char buf[BUFSZ];
	struct state s;
	size_t n;

	/* The right checksum, but in upper case or with a space: not the canonical form. */
	assert_int_equal(parse_str(&s, "nltune-state 1\napplied 0 0\nend eeac677a\n"), 0);
	assert_int_equal(parse_str(&s, "nltune-state 1\napplied 0 0\nend EEAC677A\n"), -EBADMSG);
	assert_int_equal(parse_str(&s, "nltune-state 1\napplied 0 0\nend  eeac677a\n"), -EBADMSG);
	assert_int_equal(parse_str(&s, "nltune-state 1\napplied 0 0\nend eeac677a \n"), -EBADMSG);
	/* Anything after the end line. */
	n = seal(buf, sizeof(buf), "applied 1 2\n");
	memcpy(buf + n, "applied 3 4\n", 12);
	assert_int_equal(parse_exact(&s, buf, n + 12), -EBADMSG);
	/* A short checksum. */
	n = seal(buf, sizeof(buf), "applied 1 2\n");
	memmove(buf + n - 2, "\n", 1);
	assert_int_equal(parse_exact(&s, buf, n - 1), -EBADMSG);
	assert_state_empty(&s);
}

static void test_state_parse_limits_boots(void **ctx UNUSED)
{
	static char body[BUFSZ], buf[BUFSZ];
	struct state s;
	size_t off = 0, i, n;

	for (i = 0; i < STATE_MAX_BOOTS; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
					"boot %08zx-0000-4000-8000-000000000000 1 2 3 4 5\n", i);
	n = seal(buf, sizeof(buf), body);
	assert_int_equal(parse_exact(&s, buf, n), 0);
	assert_int_equal(s.nboots, STATE_MAX_BOOTS);

	snprintf(body + off, sizeof(body) - off,
		 "boot %08x-0000-4000-8000-000000000000 1 2 3 4 5\n", STATE_MAX_BOOTS);
	assert_sealed_body_rejected(body);
}

static void test_state_format_reports_short_buffer(void **ctx UNUSED)
{
	static char buf[BUFSZ];
	struct state s;
	size_t len;
	int n;

	sample_state(&s);
	n = state_format(&s, buf, sizeof(buf));
	assert_true(n > 0);
	/* Room for the NUL too, as snprintf. */
	for (len = 0; len <= (size_t)n; len++)
		assert_int_equal(state_format(&s, len ? buf : NULL, len), -ENOSPC);
	assert_int_equal(state_format(&s, buf, (size_t)n + 1), n);
}

static void test_state_format_refuses_unparseable_boots(void **ctx UNUSED)
{
	char buf[1024];
	struct state s;

	sample_state(&s);
	strcpy(s.boots[2].boot_id, "not-a-boot-id");
	assert_int_equal(state_format(&s, buf, sizeof(buf)), -EINVAL);

	sample_state(&s);
	strcpy(s.boots[3].boot_id, s.boots[1].boot_id);
	assert_int_equal(state_format(&s, buf, sizeof(buf)), -EINVAL);

	sample_state(&s);
	s.nboots = STATE_MAX_BOOTS + 1;
	assert_int_equal(state_format(&s, buf, sizeof(buf)), -EINVAL);
}

static void test_state_format_fits_max_boots_in_max_size(void **ctx UNUSED)
{
	static char buf[BUFSZ];
	struct state s, back;
	struct state_boot b;
	size_t i;
	int n;

	state_init(&s);
	memset(&b, 0, sizeof(b));
	b.peak_events = b.peak_bytes = b.total_events = b.updated = UINT64_MAX;
	b.window_ms = UINT32_MAX;
	b.has_coldplug = true;
	b.coldplug_events = b.coldplug_bytes = b.coldplug_ms = UINT64_MAX;
	b.has_udev = b.has_udev_coldplug = true;
	b.udev_peak_events = b.udev_peak_bytes = b.udev_total_events = UINT64_MAX;
	b.udev_coldplug_events = b.udev_coldplug_bytes = b.udev_coldplug_ms = UINT64_MAX;
	b.napplies = STATE_MAX_APPLIES;
	for (i = 0; i < STATE_MAX_APPLIES; i++)
		b.applies[i] = (struct state_apply){ UINT64_MAX, STATE_BY_REVERT, UINT64_MAX,
						     UINT64_MAX, UINT64_MAX,	  UINT64_MAX };
	for (i = 0; i < STATE_MAX_BOOTS; i++) {
		snprintf(b.boot_id, sizeof(b.boot_id), "%08zx-ffff-ffff-ffff-ffffffffffff", i);
		state_merge(&s, &(struct state){ .nboots = 1, .boots = { b } }, STATE_MAX_BOOTS);
	}
	assert_int_equal(s.nboots, STATE_MAX_BOOTS);
	s.has_coldplug = true;
	s.coldplug_devices = s.coldplug_bytes = s.applied_default = s.applied_max = UINT64_MAX;
	n = state_format(&s, buf, sizeof(buf));
	assert_true(n > 0 && n <= STATE_MAX_SIZE);
	assert_int_equal(state_parse(&back, buf, (size_t)n), 0);
	assert_state_equal(&s, &back);
}

/* ---- boot history ---- */

static void test_state_record_boot_appends_new_boot(void **ctx UNUSED)
{
	struct state s;
	struct state_boot b;
	const struct state_boot *e;

	state_init(&s);
	sample_boot(&b, 0);
	state_record_boot(&s, &b, 5);
	sample_boot(&b, 1);
	state_record_boot(&s, &b, 5);
	assert_int_equal(s.nboots, 2);
	assert_string_equal(s.boots[0].boot_id, ids[0]);
	assert_string_equal(s.boots[1].boot_id, ids[1]);
	e = state_find_boot(&s, ids[1]);
	assert_ptr_equal(e, &s.boots[1]);
	assert_int_equal(e->peak_bytes, b.peak_bytes);
	assert_null(state_find_boot(&s, ids[2]));
	assert_null(state_find_boot(&s, NULL));
}

static void test_state_record_boot_raises_peaks_only(void **ctx UNUSED)
{
	struct state s;
	struct state_boot b;

	state_init(&s);
	sample_boot(&b, 0);
	b.peak_events = 500;
	b.peak_bytes = 400000;
	state_record_boot(&s, &b, 5);

	/* A quieter moment later in the same boot: peaks stay, the rest moves on. */
	b.peak_events = 20;
	b.peak_bytes = 900000;
	b.window_ms = 2000;
	b.total_events = 12345;
	b.updated = 1732700000;
	state_record_boot(&s, &b, 5);
	assert_int_equal(s.nboots, 1);
	assert_int_equal(s.boots[0].peak_events, 500);
	assert_int_equal(s.boots[0].peak_bytes, 900000);
	assert_int_equal(s.boots[0].window_ms, 2000);
	assert_int_equal(s.boots[0].total_events, 12345);
	assert_int_equal(s.boots[0].updated, 1732700000);
}

static void test_state_record_boot_trims_oldest_beyond_keep(void **ctx UNUSED)
{
	struct state s;
	struct state_boot b;
	size_t i;

	state_init(&s);
	for (i = 0; i < 7; i++) {
		sample_boot(&b, i);
		state_record_boot(&s, &b, 3);
		assert_true(s.nboots <= 3);
	}
	assert_int_equal(s.nboots, 3);
	assert_string_equal(s.boots[0].boot_id, ids[4]);
	assert_string_equal(s.boots[1].boot_id, ids[5]);
	assert_string_equal(s.boots[2].boot_id, ids[6]);
}

static void test_state_record_boot_keep_zero_keeps_one(void **ctx UNUSED)
{
	struct state s;
	struct state_boot b;

	state_init(&s);
	sample_boot(&b, 0);
	state_record_boot(&s, &b, 0);
	sample_boot(&b, 1);
	state_record_boot(&s, &b, 0);
	assert_int_equal(s.nboots, 1);
	assert_string_equal(s.boots[0].boot_id, ids[1]);
}

static void test_state_record_boot_applies_smaller_keep_on_update(void **ctx UNUSED)
{
	struct state s;

	sample_state(&s);
	/* history lowered from 5 to 2 by a reload; the current boot is the newest. */
	state_record_boot(&s, &s.boots[4], 2);
	assert_int_equal(s.nboots, 2);
	assert_string_equal(s.boots[0].boot_id, ids[3]);
	assert_string_equal(s.boots[1].boot_id, ids[4]);
}

static void test_state_record_boot_caps_keep_at_max(void **ctx UNUSED)
{
	struct state s;
	struct state_boot b;
	size_t i;

	state_init(&s);
	memset(&b, 0, sizeof(b));
	for (i = 0; i < STATE_MAX_BOOTS + 10; i++) {
		snprintf(b.boot_id, sizeof(b.boot_id), "%08zx-0000-4000-8000-000000000000", i);
		state_record_boot(&s, &b, UINT32_MAX);
	}
	assert_int_equal(s.nboots, STATE_MAX_BOOTS);
	assert_string_equal(s.boots[0].boot_id, "0000000a-0000-4000-8000-000000000000");
}

static void test_state_record_boot_ignores_invalid_boot_id(void **ctx UNUSED)
{
	struct state s;
	struct state_boot b;

	state_init(&s);
	sample_boot(&b, 0);
	strcpy(b.boot_id, "0B6A2F3E-8C1D-4E5F-9A7B-1C2D3E4F5A6B");
	state_record_boot(&s, &b, 5);
	assert_int_equal(s.nboots, 0);
}

/* ---- the merge of two writers' records (state_merge with the file as dst, a writer as src) ----
 */

/* A write named by its time alone: the values follow from it, so equal times mean equal writes. */
static struct state_apply write_at(uint64_t at)
{
	return mkapply(at, at == 1 ? STATE_BY_BOOT : STATE_BY_CLI, 212992 + 4096 * at,
		       212992 + 4096 * (at + 1));
}

static void put_writes(struct state *s, const uint64_t *at, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct state_apply a = write_at(at[i]);

		assert_int_equal(state_record_apply(s, ids[0], &a, 5), 0);
	}
}

static void assert_writes(const struct state *s, const uint64_t *want, size_t n, const char *row)
{
	const struct state_boot *b = state_find_boot(s, ids[0]);
	size_t i;

	if (!b || b->napplies != n)
		fail_msg("%s: %zu writes, want %zu", row, b ? b->napplies : 0, n);
	for (i = 0; i < n; i++)
		if (b->applies[i].at != want[i])
			fail_msg("%s: write %zu at %" PRIu64 ", want %" PRIu64, row, i,
				 b->applies[i].at, want[i]);
}

#define AT(...) { __VA_ARGS__ }, sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)
#define NONE	{ 0 }, 0

/* One boot's writes in the file and in a writer's memory, and what the merge keeps. */
static const struct merge_writes_case {
	const char *name;
	uint64_t file[8];
	size_t nfile;
	uint64_t mine[8];
	size_t nmine;
	uint64_t want[STATE_MAX_APPLIES];
	size_t nwant;
} merge_writes_cases[] = {
	{ "the console's write survives a daemon that never read it", AT(100), NONE, AT(100) },
	{ "a daemon's write joins the console's, in time order", AT(100), AT(130), AT(100, 130) },
	{ "the same write on both sides is kept once", AT(10, 20), AT(10, 20), AT(10, 20) },
	{ "an earlier write from the file becomes the first (revert's before)", AT(5),
	  AT(10, 20, 30, 40), AT(5, 20, 30, 40) },
	{ "beyond four: the first and the three newest, whichever side had them", AT(10, 30, 50),
	  AT(20, 40, 60), AT(10, 40, 50, 60) },
	{ "a middle write arriving late does not push out a newer one", AT(10, 20, 30, 40), AT(15),
	  AT(10, 20, 30, 40) },
	{ "the first write stays when both sides are full of later ones", AT(1, 50, 60, 70),
	  AT(1, 80, 90, 95), AT(1, 80, 90, 95) },
};

static void test_state_merge_writes_table(void **ctx UNUSED)
{
	static struct state file, mine, other;
	static char one[BUFSZ], two[BUFSZ];
	int n, m;

	for (size_t i = 0; i < NCASES(merge_writes_cases); i++) {
		const struct merge_writes_case *c = &merge_writes_cases[i];

		state_init(&file);
		state_init(&mine);
		put_writes(&file, c->file, c->nfile);
		put_writes(&mine, c->mine, c->nmine);
		if (c->nmine == 0) { /* a writer that only measured this boot */
			struct state_boot b;

			sample_boot(&b, 0);
			memcpy(b.boot_id, ids[0], sizeof(b.boot_id));
			assert_non_null(state_record_boot(&mine, &b, 5));
		}
		other = mine;
		state_merge(&file, &mine, 5);
		assert_writes(&file, c->want, c->nwant, c->name);
		/* The same records whichever side saves last. */
		state_init(&mine);
		put_writes(&mine, c->file, c->nfile);
		state_merge(&other, &mine, 5);
		assert_writes(&other, c->want, c->nwant, c->name);
		/* The applied values are those of the newest write. */
		if (file.applied_default != write_at(c->want[c->nwant - 1]).after_default)
			fail_msg("%s: applied %" PRIu64, c->name, file.applied_default);
		/* Merging again changes nothing. */
		n = state_format(&file, one, sizeof(one));
		state_merge(&file, &other, 5);
		m = state_format(&file, two, sizeof(two));
		if (n != m || memcmp(one, two, (size_t)n))
			fail_msg("%s: a second merge changed the file", c->name);
	}
}

/* One boot's measured fields in the file and in a writer's memory, and what the merge keeps. */
static const struct merge_boot_case {
	const char *name;
	struct {
		uint64_t peak_bytes, updated, total;
		uint32_t window_ms;
		uint64_t coldplug_events; /* 0: none */
	} file, mine, want;
} merge_boot_cases[] = {
	{ "peaks take the larger: the file's",
	  { 900, 10, 5, 1000, 0 },
	  { 500, 20, 9, 1000, 0 },
	  { 900, 20, 9, 1000, 0 } },
	{ "peaks take the larger: the writer's",
	  { 500, 10, 5, 1000, 0 },
	  { 900, 20, 9, 1000, 0 },
	  { 900, 20, 9, 1000, 0 } },
	{ "window and total of the newer update, even from the file",
	  { 500, 30, 7, 500, 0 },
	  { 500, 20, 9, 1000, 0 },
	  { 500, 30, 7, 500, 0 } },
	{ "the coldplug burst in the file stands",
	  { 500, 10, 5, 1000, 405 },
	  { 500, 10, 5, 1000, 410 },
	  { 500, 10, 5, 1000, 405 } },
	{ "the writer's coldplug burst when the file has none",
	  { 500, 10, 5, 1000, 0 },
	  { 500, 10, 5, 1000, 410 },
	  { 500, 10, 5, 1000, 410 } },
};

static void set_boot(struct state *s, uint64_t peak, uint64_t updated, uint64_t total,
		     uint32_t window, uint64_t coldplug)
{
	struct state_boot b = { 0 };

	memcpy(b.boot_id, ids[0], sizeof(b.boot_id));
	b.peak_bytes = peak;
	b.peak_events = peak / 100;
	b.updated = updated;
	b.total_events = total;
	b.window_ms = window;
	state_init(s);
	assert_non_null(state_record_boot(s, &b, 5));
	if (coldplug)
		assert_int_equal(state_record_coldplug(s, ids[0], coldplug, coldplug * 832, 90, 5),
				 0);
}

static void test_state_merge_boot_fields_table(void **ctx UNUSED)
{
	struct state file, mine;

	for (size_t i = 0; i < NCASES(merge_boot_cases); i++) {
		const struct merge_boot_case *c = &merge_boot_cases[i];
		const struct state_boot *b;

		set_boot(&file, c->file.peak_bytes, c->file.updated, c->file.total,
			 c->file.window_ms, c->file.coldplug_events);
		set_boot(&mine, c->mine.peak_bytes, c->mine.updated, c->mine.total,
			 c->mine.window_ms, c->mine.coldplug_events);
		state_merge(&file, &mine, 5);
		b = state_find_boot(&file, ids[0]);
		if (!b || file.nboots != 1)
			fail_msg("%s: %zu boots", c->name, file.nboots);
		if (b->peak_bytes != c->want.peak_bytes || b->updated != c->want.updated ||
		    b->total_events != c->want.total || b->window_ms != c->want.window_ms ||
		    (b->has_coldplug ? b->coldplug_events : 0) != c->want.coldplug_events)
			fail_msg("%s: peak %" PRIu64 " updated %" PRIu64 " total %" PRIu64
				 " window %u coldplug %" PRIu64,
				 c->name, b->peak_bytes, b->updated, b->total_events, b->window_ms,
				 b->has_coldplug ? b->coldplug_events : 0);
	}
}

/* Which boots the merge keeps: by id, in the file's order, the writer's new ones after. */
static const struct merge_boots_case {
	const char *name;
	unsigned file, mine; /* bit i: ids[i] */
	uint32_t keep;
	const char *want; /* indexes into ids, oldest first */
} merge_boots_cases[] = {
	{ "a boot only in the file stays", 0x3, 0x2, 5, "01" },
	{ "a boot only in the writer's memory is appended", 0x3, 0x4, 5, "012" },
	{ "beyond keep the oldest goes", 0x7, 0x8, 3, "123" },
	{ "the union of both", 0x5, 0xa, 5, "0213" },
};

static void test_state_merge_boots_table(void **ctx UNUSED)
{
	struct state file, mine;
	struct state_boot b;
	char got[16];

	for (size_t i = 0; i < NCASES(merge_boots_cases); i++) {
		const struct merge_boots_case *c = &merge_boots_cases[i];
		size_t k;

		state_init(&file);
		state_init(&mine);
		for (k = 0; k < 4; k++) {
			sample_boot(&b, k);
			memcpy(b.boot_id, ids[k], sizeof(b.boot_id));
			if (c->file & (1u << k))
				assert_non_null(state_record_boot(&file, &b, 5));
			if (c->mine & (1u << k))
				assert_non_null(state_record_boot(&mine, &b, 5));
		}
		state_merge(&file, &mine, c->keep);
		for (k = 0; k < file.nboots && k < sizeof(got) - 1; k++)
			for (size_t j = 0; j < NCASES(ids); j++)
				if (!strcmp(file.boots[k].boot_id, ids[j]))
					got[k] = (char)('0' + j);
		got[k] = '\0';
		if (strcmp(got, c->want))
			fail_msg("%s: boots %s, want %s", c->name, got, c->want);
	}
}

/* ---- files ---- */

static int make_tmpdir(void **ctx)
{
	char *dir = strdup("/tmp/test_state.XXXXXX");

	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*ctx = dir;
	return 0;
}

static int remove_tmpdir(void **ctx)
{
	char *dir = *ctx;
	int r = unit_rm_tree(dir);

	free(dir);
	return r;
}

static char *join(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	assert_true(n > 0 && n < PATH_MAX);
	return buf;
}

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* The names in dir, sorted and '\n'-separated; "." and ".." left out. */
static void list_dir(const char *dir, char *out, size_t len)
{
	struct dirent **names;
	size_t off = 0;
	int i, n = scandir(dir, &names, NULL, alphasort);

	assert_true(n >= 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			off += (size_t)snprintf(out + off, len - off, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

static void test_state_save_then_load_round_trips(void **ctx)
{
	char dir[PATH_MAX], path[PATH_MAX], names[256];
	struct state s, back;
	struct stat st;

	/* A missing state-dir is created, as on a first boot. */
	join(dir, *ctx, "nltune");
	sample_state(&s);
	assert_int_equal(state_save(dir, &s), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(stat(join(path, dir, STATE_FILE), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);

	assert_int_equal(state_load(dir, &back), 0);
	assert_state_equal(&s, &back);
	list_dir(dir, names, sizeof(names));
	assert_string_equal(names, "state\n");
}

static void test_state_save_replaces_previous_file(void **ctx)
{
	char names[256];
	struct state s, back;
	struct state_boot b;

	sample_state(&s);
	assert_int_equal(state_save(*ctx, &s), 0);
	sample_boot(&b, 5);
	state_record_boot(&s, &b, 5);
	s.applied_default = 4194304;
	assert_int_equal(state_save(*ctx, &s), 0);

	assert_int_equal(state_load(*ctx, &back), 0);
	assert_state_equal(&s, &back);
	assert_string_equal(back.boots[4].boot_id, ids[5]);
	list_dir(*ctx, names, sizeof(names));
	assert_string_equal(names, "state\n");
}

static void test_state_load_missing_file_returns_enoent(void **ctx)
{
	struct state s;

	sample_state(&s);
	assert_int_equal(state_load(*ctx, &s), -ENOENT);
	assert_state_empty(&s);
}

static void test_state_load_damaged_file_returns_ebadmsg(void **ctx)
{
	static char buf[BUFSZ];
	char path[PATH_MAX];
	struct state s;
	int n;

	sample_state(&s);
	n = state_format(&s, buf, sizeof(buf));
	assert_true(n > 10);
	/* What a crash between write and fsync can leave without the rename. */
	write_file(join(path, *ctx, STATE_FILE), buf, (size_t)n - 10);
	assert_int_equal(state_load(*ctx, &s), -EBADMSG);
	assert_state_empty(&s);

	write_file(path, "", 0);
	sample_state(&s);
	assert_int_equal(state_load(*ctx, &s), -EBADMSG);
	assert_state_empty(&s);
}

static void test_state_load_refuses_oversize_file(void **ctx)
{
	static char buf[STATE_MAX_SIZE + 1];
	char path[PATH_MAX];
	struct state s;

	memset(buf, '\n', sizeof(buf));
	write_file(join(path, *ctx, STATE_FILE), buf, sizeof(buf));
	sample_state(&s);
	assert_int_equal(state_load(*ctx, &s), -EFBIG);
	assert_state_empty(&s);

	/* Exactly the limit is read and judged by the parser. */
	write_file(path, buf, STATE_MAX_SIZE);
	assert_int_equal(state_load(*ctx, &s), -EBADMSG);
}

static void test_state_load_refuses_symlink(void **ctx)
{
	char dir[PATH_MAX], path[PATH_MAX], target[PATH_MAX];
	struct state s;

	sample_state(&s);
	join(dir, *ctx, "real");
	assert_int_equal(state_save(dir, &s), 0);
	assert_int_equal(symlink(join(target, dir, STATE_FILE), join(path, *ctx, STATE_FILE)), 0);
	assert_int_equal(state_load(*ctx, &s), -ELOOP);
	assert_state_empty(&s);
}

static void test_state_load_refuses_non_regular_file(void **ctx)
{
	char path[PATH_MAX];
	struct state s;

	/* A FIFO must neither hang the load nor be read. */
	assert_int_equal(mkfifo(join(path, *ctx, STATE_FILE), 0600), 0);
	assert_int_equal(state_load(*ctx, &s), -EINVAL);
	assert_state_empty(&s);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(state_load(*ctx, &s), -EISDIR);
}

static void test_state_save_fails_under_regular_file(void **ctx)
{
	char file[PATH_MAX], dir[PATH_MAX], names[256];
	struct state s;

	join(file, *ctx, "file");
	write_file(file, "x", 1);
	join(dir, file, "nltune");
	sample_state(&s);
	assert_int_equal(state_save(dir, &s), -ENOTDIR);
	list_dir(*ctx, names, sizeof(names));
	assert_string_equal(names, "file\n");
}

static void test_state_save_failure_leaves_no_temp_file(void **ctx)
{
	char path[PATH_MAX], names[256];
	struct stat st;
	struct state s;

	/* rename(2) cannot replace a directory with a file: the last step fails. */
	assert_int_equal(mkdir(join(path, *ctx, STATE_FILE), 0755), 0);
	sample_state(&s);
	assert_int_equal(state_save(*ctx, &s), -EISDIR);
	list_dir(*ctx, names, sizeof(names));
	assert_string_equal(names, "state\n");
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void test_state_save_failure_keeps_previous_file(void **ctx)
{
	struct state s, bad, back;

	sample_state(&s);
	assert_int_equal(state_save(*ctx, &s), 0);
	bad = s;
	strcpy(bad.boots[0].boot_id, "garbage");
	assert_int_equal(state_save(*ctx, &bad), -EINVAL);
	assert_int_equal(state_load(*ctx, &back), 0);
	assert_state_equal(&s, &back);
}

#define T(f)  cmocka_unit_test(f)
#define TD(f) cmocka_unit_test_setup_teardown(f, make_tmpdir, remove_tmpdir)

/* Two writers each read the file, each record a write and save: both writes are in the file. */
static void test_state_save_merged_keeps_both_writers(void **ctx)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct state console, daemon, back;
	struct state_apply cli = mkapply(100, STATE_BY_CLI, 212992, 749568);
	struct state_apply bus = mkapply(130, STATE_BY_BUS, 749568, 1048576);
	struct state_file_id id, now;
	struct state_boot b;
	struct stat st;

	join(dir, *ctx, "nltune");
	state_init(&daemon);
	sample_boot(&b, 0);
	memcpy(b.boot_id, ids[0], sizeof(b.boot_id));
	assert_non_null(state_record_boot(&daemon, &b, 5));
	assert_int_equal(state_save_merged(dir, &daemon, 5, NULL), 0);

	assert_int_equal(state_load(dir, &console), 0);
	assert_int_equal(state_record_apply(&console, ids[0], &cli, 5), 0);
	assert_int_equal(state_save_merged(dir, &console, 5, &id), 0);
	assert_int_equal(state_file_stat(dir, &now), 0);
	assert_true(state_file_id_equal(&id, &now));

	/* The daemon never re-read the file: its save keeps the console's write all the same. */
	b.peak_bytes += 4096;
	b.updated += 30;
	assert_non_null(state_record_boot(&daemon, &b, 5));
	assert_int_equal(state_record_apply(&daemon, ids[0], &bus, 5), 0);
	assert_int_equal(state_save_merged(dir, &daemon, 5, NULL), 0);
	assert_int_equal(state_load(dir, &back), 0);
	assert_state_equal(&back, &daemon); /* the writer's memory is what it saved */
	assert_int_equal(back.boots[0].napplies, 2);
	assert_int_equal(back.boots[0].applies[0].at, 100);
	assert_int_equal(back.boots[0].applies[0].before_default, 212992);
	assert_int_equal(back.boots[0].applies[1].at, 130);
	assert_int_equal(back.boots[0].peak_bytes, b.peak_bytes);
	assert_int_equal(back.applied_default, 1048576);
	/* The lock file: only its owner can open it, hence hold it. */
	assert_int_equal(stat(join(path, dir, STATE_LOCK_FILE), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

/* A writer that holds the lock makes a save wait, then fail with the file untouched. */
static void test_state_save_merged_waits_for_the_lock(void **ctx)
{
	char dir[PATH_MAX];
	struct state s, back;
	struct state_apply a = mkapply(100, STATE_BY_CLI, 212992, 749568);
	int dfd, lk;

	join(dir, *ctx, "nltune");
	sample_state(&s);
	assert_int_equal(state_save_merged(dir, &s, 5, NULL), 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	lk = state_lock(dfd);
	assert_true(lk >= 0);
	assert_int_equal(state_record_apply(&s, ids[0], &a, 5), 0);
	assert_int_equal(state_save_merged(dir, &s, 5, NULL), -ETIMEDOUT);
	assert_int_equal(state_load(dir, &back), 0);
	assert_non_null(state_find_boot(&back, ids[0]));
	assert_int_equal(state_find_boot(&back, ids[0])->napplies, 0);
	close(lk);
	close(dfd);
	assert_int_equal(state_save_merged(dir, &s, 5, NULL), 0);
}

/* A damaged file is replaced by the writer's records, as a plain save would. */
static void test_state_save_merged_replaces_damaged_file(void **ctx)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct state s, back;

	join(dir, *ctx, "nltune");
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file(join(path, dir, STATE_FILE), "nltune-state 2\ngarbage\n", 23);
	sample_state(&s);
	assert_int_equal(state_save_merged(dir, &s, 5, NULL), 0);
	assert_int_equal(state_load(dir, &back), 0);
	assert_state_equal(&back, &s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_state_format_parse_round_trip),
		T(test_state_format_writes_documented_lines),
		T(test_state_parse_accepts_handwritten_file),
		T(test_state_parse_rejects_every_truncation),
		T(test_state_parse_rejects_every_byte_flip),
		T(test_state_parse_rejects_empty),
		T(test_state_parse_reports_foreign_version),
		T(test_state_parse_accepts_handwritten_v2_file),
		T(test_state_parse_accepts_handwritten_v3_file),
		T(test_state_parse_rejects_bad_v3_lines),
		T(test_state_parse_v2_refuses_udev_lines),
		T(test_state_record_boot_keeps_udev_figures),
		T(test_state_merge_keeps_udev_figures),
		T(test_state_parse_rejects_bad_v2_lines),
		T(test_state_parse_v1_refuses_v2_lines),
		T(test_state_record_apply_keeps_first_and_newest),
		T(test_state_record_boot_keeps_coldplug_and_writes),
		T(test_state_merge_is_idempotent),
		T(test_state_merge_writes_table),
		T(test_state_merge_boot_fields_table),
		T(test_state_merge_boots_table),
		T(test_state_earlier_lists_replaced_values),
		T(test_state_parse_rejects_garbage),
		T(test_state_parse_rejects_nul_byte),
		T(test_state_parse_rejects_oversize),
		T(test_state_parse_rejects_overflowing_numbers),
		T(test_state_parse_rejects_noncanonical_numbers),
		T(test_state_parse_rejects_bad_boot_id),
		T(test_state_parse_rejects_wrong_field_counts),
		T(test_state_parse_rejects_duplicate_lines),
		T(test_state_parse_rejects_bad_end_line),
		T(test_state_parse_limits_boots),
		T(test_state_format_reports_short_buffer),
		T(test_state_format_refuses_unparseable_boots),
		T(test_state_format_fits_max_boots_in_max_size),
		T(test_state_record_boot_appends_new_boot),
		T(test_state_record_boot_raises_peaks_only),
		T(test_state_record_boot_trims_oldest_beyond_keep),
		T(test_state_record_boot_keep_zero_keeps_one),
		T(test_state_record_boot_applies_smaller_keep_on_update),
		T(test_state_record_boot_caps_keep_at_max),
		T(test_state_record_boot_ignores_invalid_boot_id),
		TD(test_state_save_then_load_round_trips),
		TD(test_state_save_replaces_previous_file),
		TD(test_state_load_missing_file_returns_enoent),
		TD(test_state_load_damaged_file_returns_ebadmsg),
		TD(test_state_load_refuses_oversize_file),
		TD(test_state_load_refuses_symlink),
		TD(test_state_load_refuses_non_regular_file),
		TD(test_state_save_fails_under_regular_file),
		TD(test_state_save_failure_leaves_no_temp_file),
		TD(test_state_save_failure_keeps_previous_file),
		TD(test_state_save_merged_keeps_both_writers),
		TD(test_state_save_merged_waits_for_the_lock),
		TD(test_state_save_merged_replaces_damaged_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
