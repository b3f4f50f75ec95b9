/* SPDX-License-Identifier: MIT */
/* Sliding-window peaks and gap-separated bursts of uevents, with time passed in by the caller. */
#include "burst.h"

#include <string.h>

#define US_PER_MS	  1000u
#define WIN_CONF	  2 /* index of the configured window */
#define WINDOW_MS_DEFAULT 1000
#define OTHER		  "other"

static const uint32_t fixed_ms[BURST_NWIN] = { 10, 100, 0, 10000 };

/* Byte counters grow by up to 4 GiB a step: pin them at the top rather than wrap. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * At most BURST_BUCKETS buckets and none narrower than 1 ms: width_us is a
 * multiple of 1000, so bucket_us * nbuckets == width_us exactly, no rounding.
 */
static void win_init(struct burst_window *w, uint32_t width_ms)
{
	memset(w, 0, sizeof(*w));
	w->nbuckets = width_ms < BURST_BUCKETS ? width_ms : BURST_BUCKETS;
	w->width_us = (uint64_t)width_ms * US_PER_MS;
	w->bucket_us = w->width_us / w->nbuckets;
}

/*
 * Move the current bucket to the one holding now_us (never backwards: the
 * caller clamps). Buckets that fall out are zeroed one by one, or all at once
 * when the jump covers the whole ring, so the cost is O(nbuckets), not O(jump).
 */
static void win_advance(struct burst_window *w, uint64_t now_us)
{
	uint64_t b = now_us / w->bucket_us, k;
	uint32_t i;

	if (!w->started) {
		w->cur = b;
		w->started = true;
		return;
	}
	if (b <= w->cur)
		return;
	if (b - w->cur >= w->nbuckets) {
		memset(w->ev, 0, sizeof(w->ev));
		memset(w->bytes, 0, sizeof(w->bytes));
		w->sum_ev = 0;
		w->sum_bytes = 0;
	} else {
		for (k = w->cur + 1; k <= b; k++) {
			i = (uint32_t)(k % w->nbuckets);
			w->sum_ev -= w->ev[i];
			w->sum_bytes -= w->bytes[i];
			w->ev[i] = 0;
			w->bytes[i] = 0;
		}
	}
	w->cur = b;
}

/*
 * The sums hold one window's worth of events, each under 4 GiB: reaching 2^64
 * would take 2^32 events inside one window, so plain adds keep them exact.
 */
static void win_add(struct burst_window *w, uint32_t bytes)
{
	uint32_t i = (uint32_t)(w->cur % w->nbuckets);

	w->ev[i]++;
	w->bytes[i] += bytes;
	w->sum_ev++;
	w->sum_bytes += bytes;
	if (w->sum_ev > w->peak_ev)
		w->peak_ev = w->sum_ev;
	if (w->sum_bytes > w->peak_bytes)
		w->peak_bytes = w->sum_bytes;
}

static size_t subsys_find(const struct burst_subsys *tab, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0)
			break;
	return i;
}

/* A new name may take a slot if one stays free for "other" or "other" already has one. */
static bool subsys_room(const struct burst_subsys *tab, size_t n, const char *name)
{
	if (n + 1 < BURST_SUBSYS_MAX)
		return true;
	if (n >= BURST_SUBSYS_MAX)
		return false;
	return strcmp(name, OTHER) == 0 || subsys_find(tab, n, OTHER) < n;
}

/*
 * Count one event in a table of at most BURST_SUBSYS_MAX entries. A full table
 * always holds "other", which also takes NULL, empty and overlong names (an
 * overlong name is not truncated: two names cut to one prefix would merge).
 */
static void subsys_count(struct burst_subsys *tab, size_t *n, const char *name)
{
	size_t len = name ? strnlen(name, BURST_SUBSYS_LEN) : 0;
	size_t i;

	if (len == 0 || len == BURST_SUBSYS_LEN)
		name = OTHER;
	i = subsys_find(tab, *n, name);
	if (i == *n && !subsys_room(tab, *n, name)) {
		name = OTHER;
		i = subsys_find(tab, *n, name);
	}
	if (i == *n) {
		memset(&tab[i], 0, sizeof(tab[i]));
		memcpy(tab[i].name, name, strlen(name) + 1);
		(*n)++;
	}
	tab[i].events++;
}

/* Clamp now_us to the latest time seen, then bring every window up to it. */
static uint64_t clock_advance(struct burst_stats *s, uint64_t now_us)
{
	size_t i;

	if (now_us < s->last_us)
		now_us = s->last_us;
	s->last_us = now_us;
	for (i = 0; i < BURST_NWIN; i++)
		win_advance(&s->win[i], now_us);
	return now_us;
}

static bool burst_quiet(const struct burst_stats *s, uint64_t now_us)
{
	return s->cur.events > 0 && now_us - s->cur.end_us >= s->gap_us;
}

/* Hand the burst in progress to *ended and start afresh; the caller checked it has events. */
static int burst_end(struct burst_stats *s, struct burst *ended)
{
	if (s->biggest.events == 0 || s->cur.bytes > s->biggest.bytes)
		s->biggest = s->cur;
	if (ended)
		*ended = s->cur;
	memset(&s->cur, 0, sizeof(s->cur));
	return 1;
}

void burst_init(struct burst_stats *s, uint32_t window_ms, uint32_t gap_ms)
{
	uint32_t ms;
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < BURST_NWIN; i++) {
		ms = i == WIN_CONF ? window_ms : fixed_ms[i];
		win_init(&s->win[i], ms ? ms : WINDOW_MS_DEFAULT);
	}
	s->gap_us = (uint64_t)(gap_ms ? gap_ms : BURST_GAP_MS_DEFAULT) * US_PER_MS;
}

int burst_add(struct burst_stats *s, uint64_t now_us, uint32_t bytes, const char *subsystem,
	      struct burst *ended)
{
	int ret = 0;
	size_t i;

	now_us = clock_advance(s, now_us);
	if (burst_quiet(s, now_us))
		ret = burst_end(s, ended);
	if (s->cur.events == 0)
		s->cur.start_us = now_us;
	s->cur.end_us = now_us;
	s->cur.events++;
	s->cur.bytes = sat_add(s->cur.bytes, bytes);
	subsys_count(s->cur.subsys, &s->cur.nsubsys, subsystem);

	s->total_events++;
	s->total_bytes = sat_add(s->total_bytes, bytes);
	subsys_count(s->subsys, &s->nsubsys, subsystem);

	for (i = 0; i < BURST_NWIN; i++)
		win_add(&s->win[i], bytes);
	return ret;
}

int burst_poll(struct burst_stats *s, uint64_t now_us, struct burst *ended)
{
	now_us = clock_advance(s, now_us);
	if (!burst_quiet(s, now_us))
		return 0;
	return burst_end(s, ended);
}

int burst_flush(struct burst_stats *s, struct burst *ended)
{
	if (s->cur.events == 0)
		return 0;
	return burst_end(s, ended);
}

const struct burst_window *burst_window(const struct burst_stats *s, size_t i)
{
	return i < BURST_NWIN ? &s->win[i] : NULL;
}

uint64_t burst_peak_events(const struct burst_stats *s)
{
	return s->win[WIN_CONF].peak_ev;
}

uint64_t burst_peak_bytes(const struct burst_stats *s)
{
	return s->win[WIN_CONF].peak_bytes;
}

uint64_t burst_next_deadline(const struct burst_stats *s)
{
	uint64_t quiet;

	if (s->cur.events == 0)
		return UINT64_MAX;
	quiet = s->last_us - s->cur.end_us;
	return quiet >= s->gap_us ? 0 : s->gap_us - quiet;
}
