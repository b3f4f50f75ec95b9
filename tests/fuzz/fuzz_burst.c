/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for burst.c: replay an event stream, recount every window after each call. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "burst.h"

/*
 * Input: a 16-byte header, u32 window_ms, u32 gap_ms, u64 start time in us
 * (little-endian), then 9-byte records: u32 time delta in us, u32 bytes, one
 * byte whose low 6 bits pick a subsystem name and high 2 bits the operation:
 *   0, 1  burst_add() at t += delta
 *   2     burst_poll() at t += delta
 *   3     bytes odd: burst_flush(); even: burst_add() at t - delta (a clock going back)
 */
#define HDR	   16
#define REC	   9
#define MAX_EVENTS 8192 /* more than -max_len allows; the rest is ignored */
#define NNAMES	   64

/*
 * The oracle below re-checks every window after every call; traced by
 * -fsanitize=fuzzer it costs 3/4 of the time and feeds the fuzzer the
 * harness's own branches. ASan and UBSan still cover it.
 */
#define ORACLE __attribute__((no_sanitize("coverage")))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *names[NNAMES] = {
	NULL, "", "other",
	"abcdefghijklmnopqrstuvwxyz01234",  /* BURST_SUBSYS_LEN - 1: the longest kept */
	"abcdefghijklmnopqrstuvwxyz012345", /* BURST_SUBSYS_LEN: counted as "other" */
	/* the subsystems of this machine's /sys/devices, most frequent first */
	"memory", "tty", "acpi", "misc", "block", "bdi", "vc", "platform", "pci", "mem", "virtio",
	"event_source", "net", "clockevents", "workqueue", "serial-base", "pnp", "cpuid", "cpu",
	"xt_idletimer", "vtconsole", "pci_bus", "node", "memory_tiering", "clocksource"
};
static char generated[NNAMES][8];

/* What the harness knows independently of burst.c. */
struct model {
	uint64_t last; /* latest clamped timestamp */
	bool clock_started;
	uint64_t bucket_us[BURST_NWIN];
	uint32_t nbuckets[BURST_NWIN];
	size_t first[BURST_NWIN]; /* oldest event still in each window: times never go back */
	size_t n;
	uint64_t max_ev[BURST_NWIN], max_bytes[BURST_NWIN];
	uint64_t ended_events, ended_bytes;
	uint64_t biggest_bytes, biggest_start;
	bool have_biggest;
	uint64_t t[MAX_EVENTS]; /* clamped time of each event; written before read, not cleared */
	uint64_t prefix_bytes[MAX_EVENTS + 1];
};

static void check(int ok)
{
	if (!ok)
		abort();
}

static uint64_t le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t clamp(struct model *m, uint64_t t)
{
	if (m->clock_started && t < m->last)
		t = m->last;
	m->last = t;
	m->clock_started = true;
	return t;
}

/* The geometry burst.h describes: at most 100 buckets per window, none under 1 ms. */
ORACLE static void model_init(struct model *m, uint32_t window_ms)
{
	static const uint32_t fixed_ms[BURST_NWIN] = { 10, 100, 0, 10000 };
	uint64_t ms;
	size_t i;

	/* t[] and prefix_bytes[] are written before they are read: 130 KB not cleared per input. */
	memset(m, 0, offsetof(struct model, t));
	m->prefix_bytes[0] = 0;
	for (i = 0; i < BURST_NWIN; i++) {
		ms = i == 2 ? window_ms : fixed_ms[i];
		if (ms == 0)
			ms = 1000;
		m->nbuckets[i] = ms < BURST_BUCKETS ? (uint32_t)ms : BURST_BUCKETS;
		m->bucket_us[i] = ms * 1000 / m->nbuckets[i];
	}
}

/*
 * The live sums of window i, recounted from the events: those whose bucket is
 * one of the last nbuckets ones. Prefix sums keep this O(1) amortized.
 */
ORACLE static void recount(struct model *m, size_t i, uint64_t *ev, uint64_t *bytes)
{
	uint64_t cur = m->last / m->bucket_us[i];

	while (m->first[i] < m->n && m->t[m->first[i]] / m->bucket_us[i] + m->nbuckets[i] <= cur)
		m->first[i]++;
	*ev = m->n - m->first[i];
	*bytes = m->prefix_bytes[m->n] - m->prefix_bytes[m->first[i]];
}

/* Counts add up to the events; with all, names are also unique (O(n^2), so not always). */
ORACLE static void check_table(const struct burst_subsys *tab, size_t n, uint64_t events, bool all)
{
	uint64_t sum = 0;
	size_t i, j;

	check(n <= BURST_SUBSYS_MAX);
	for (i = 0; i < n; i++) {
		check(tab[i].events > 0);
		sum += tab[i].events;
		if (!all)
			continue;
		check(memchr(tab[i].name, '\0', BURST_SUBSYS_LEN) != NULL && tab[i].name[0]);
		for (j = 0; j < i; j++)
			check(strcmp(tab[i].name, tab[j].name) != 0);
	}
	check(sum == events);
}

ORACLE static void check_ended(struct model *m, const struct burst_stats *s, const struct burst *b)
{
	check(b->events > 0 && b->start_us <= b->end_us && b->end_us <= s->last_us);
	check_table(b->subsys, b->nsubsys, b->events, true);
	m->ended_events += b->events;
	m->ended_bytes += b->bytes;
	if (!m->have_biggest || b->bytes > m->biggest_bytes) {
		m->biggest_bytes = b->bytes;
		m->biggest_start = b->start_us;
		m->have_biggest = true;
	}
}

/* Everything that must hold between any two calls. */
ORACLE static void check_stats(struct model *m, const struct burst_stats *s, bool all)
{
	uint64_t ev, bytes, dl, quiet;
	size_t i, k;

	for (i = 0; i < BURST_NWIN; i++) {
		const struct burst_window *w = burst_window(s, i);
		uint64_t bev = 0, bby = 0;

		check(w == &s->win[i]);
		check(w->nbuckets == m->nbuckets[i] && w->bucket_us == m->bucket_us[i]);
		check(w->bucket_us >= 1000 && w->bucket_us * w->nbuckets == w->width_us);
		if (w->started)
			check(w->cur == m->last / w->bucket_us);
		for (k = 0; k < w->nbuckets; k++) {
			bev += w->ev[k];
			bby += w->bytes[k];
		}
		check(bev == w->sum_ev && bby == w->sum_bytes);
		recount(m, i, &ev, &bytes);
		check(w->sum_ev == ev && w->sum_bytes == bytes);
		/* the properties asked for: peaks and window sums never exceed the totals */
		check(w->peak_ev <= s->total_events && w->peak_bytes <= s->total_bytes);
		check(w->sum_ev <= s->total_events && w->sum_bytes <= s->total_bytes);
		check(w->sum_ev <= w->peak_ev && w->sum_bytes <= w->peak_bytes);
		check(w->peak_ev == m->max_ev[i] && w->peak_bytes == m->max_bytes[i]);
	}
	check(burst_window(s, BURST_NWIN) == NULL);
	check(burst_peak_events(s) == s->win[2].peak_ev);
	check(burst_peak_bytes(s) == s->win[2].peak_bytes);

	check(s->total_events == m->n && s->last_us == m->last);
	check(m->ended_events + s->cur.events == s->total_events);
	check(m->ended_bytes + s->cur.bytes == s->total_bytes);
	check(s->cur.events <= s->total_events && s->cur.bytes <= s->total_bytes);
	check_table(s->subsys, s->nsubsys, s->total_events, all);
	check_table(s->cur.subsys, s->cur.nsubsys, s->cur.events, all);
	if (m->have_biggest)
		check(s->biggest.bytes == m->biggest_bytes &&
		      s->biggest.start_us == m->biggest_start);
	else
		check(s->biggest.events == 0);

	dl = burst_next_deadline(s);
	quiet = s->last_us - s->cur.end_us;
	if (s->cur.events == 0)
		check(dl == UINT64_MAX);
	else
		check(dl == (quiet >= s->gap_us ? 0 : s->gap_us - quiet));
}

ORACLE static void add(struct model *m, struct burst_stats *s, uint64_t t, uint32_t bytes,
		       const char *name)
{
	struct burst ended;
	uint64_t eff = clamp(m, t), ev, by;
	bool quiet = s->cur.events > 0 && eff - s->cur.end_us >= s->gap_us;
	size_t i;
	int r;

	memset(&ended, 0, sizeof(ended));
	r = burst_add(s, t, bytes, name, &ended);
	check(r == (quiet ? 1 : 0));
	if (r == 1)
		check_ended(m, s, &ended);
	m->t[m->n] = eff;
	m->prefix_bytes[m->n + 1] = m->prefix_bytes[m->n] + bytes;
	m->n++;
	for (i = 0; i < BURST_NWIN; i++) {
		recount(m, i, &ev, &by);
		if (ev > m->max_ev[i])
			m->max_ev[i] = ev;
		if (by > m->max_bytes[i])
			m->max_bytes[i] = by;
	}
	check(s->cur.end_us == eff && s->cur.events >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct burst_stats s;
	static struct model m;
	struct burst ended;
	uint64_t t, delta;
	uint32_t bytes;
	size_t i;
	int r;

	/* Past the real names, made-up ones: enough to overflow the table into "other". */
	for (i = 5; i < NNAMES; i++) {
		if (!names[i]) {
			snprintf(generated[i], sizeof(generated[i]), "sub%02zu", i);
			names[i] = generated[i];
		}
	}
	if (size < HDR)
		return 0;
	model_init(&m, (uint32_t)le(data, 4));
	burst_init(&s, (uint32_t)le(data, 4), (uint32_t)le(data + 4, 4));
	t = le(data + 8, 8);
	check(s.gap_us == (le(data + 4, 4) ? le(data + 4, 4) : BURST_GAP_MS_DEFAULT) * 1000);
	check_stats(&m, &s, true);

	for (data += HDR, size -= HDR; size >= REC && m.n < MAX_EVENTS; data += REC, size -= REC) {
		const char *name = names[data[8] % NNAMES];

		delta = le(data, 4);
		bytes = (uint32_t)le(data + 4, 4);
		switch (data[8] >> 6) {
		case 2: {
			uint64_t eff;
			bool quiet;

			t = t > UINT64_MAX - delta ? UINT64_MAX : t + delta;
			eff = clamp(&m, t);
			quiet = s.cur.events > 0 && eff - s.cur.end_us >= s.gap_us;
			r = burst_poll(&s, t, &ended);
			check(r == (quiet ? 1 : 0));
			if (r)
				check_ended(&m, &s, &ended);
			break;
		}
		case 3:
			if (bytes & 1) {
				bool had = s.cur.events > 0;

				r = burst_flush(&s, &ended);
				check(r == (had ? 1 : 0) && s.cur.events == 0);
				if (r)
					check_ended(&m, &s, &ended);
			} else {
				add(&m, &s, t > delta ? t - delta : 0, bytes, name);
			}
			break;
		default:
			t = t > UINT64_MAX - delta ? UINT64_MAX : t + delta;
			add(&m, &s, t, bytes, name);
			break;
		}
		check_stats(&m, &s, false);
	}
	check_stats(&m, &s, true);
	if (burst_flush(&s, &ended))
		check_ended(&m, &s, &ended);
	check_stats(&m, &s, true);
	return 0;
}
