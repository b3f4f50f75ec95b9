/* SPDX-License-Identifier: MIT */
/* Burst statistics: sliding-window peaks and gap-separated bursts; time is an argument. */
#ifndef NLTUNE_BURST_H
#define NLTUNE_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BURST_NWIN	     4	 /* 10 ms, 100 ms, the configured window, 10 s */
#define BURST_BUCKETS	     100 /* buckets per window at most; a bucket is never under 1 ms */
#define BURST_SUBSYS_MAX     32	 /* table entries: up to 31 names, then "other" takes the last */
#define BURST_SUBSYS_LEN     32
#define BURST_GAP_MS_DEFAULT 200

/*
 * A window of width W counts the events whose bucket (t / (W / buckets)) lies
 * within the last `buckets` buckets, the current one included. So events at
 * t and t + W are never counted together, events less than W - W/buckets apart
 * always are. Memory is fixed, whatever the event rate. Peaks of events and
 * of bytes are kept apart: they may come from different moments.
 */
struct burst_window {
	uint64_t width_us;
	uint64_t bucket_us;
	uint32_t nbuckets;
	uint64_t cur; /* index of the current bucket (t / bucket_us) */
	bool started;
	uint64_t ev[BURST_BUCKETS];
	uint64_t bytes[BURST_BUCKETS];
	uint64_t sum_ev, sum_bytes;   /* over the live buckets */
	uint64_t peak_ev, peak_bytes; /* largest sums seen */
};

struct burst_subsys {
	char name[BURST_SUBSYS_LEN];
	uint64_t events;
};

/* One run of events with no quiet gap of gap_us or more between them. */
struct burst {
	uint64_t start_us, end_us; /* first and last event */
	uint64_t events, bytes;
	size_t nsubsys;
	struct burst_subsys subsys[BURST_SUBSYS_MAX]; /* overflow is counted under "other" */
};

struct burst_stats {
	struct burst_window win[BURST_NWIN];
	uint64_t gap_us;
	uint64_t last_us; /* latest timestamp seen; earlier ones are clamped to it */
	uint64_t total_events, total_bytes;
	struct burst cur;     /* the burst in progress (cur.events == 0: none) */
	struct burst biggest; /* largest ended burst by bytes since init; first one wins ties */
	size_t nsubsys;
	struct burst_subsys subsys[BURST_SUBSYS_MAX]; /* totals */
};

/*
 * window_ms is the configured window (index 2); gap_ms ends a burst. A zero
 * window_ms means 1000, a zero gap_ms BURST_GAP_MS_DEFAULT.
 */
void burst_init(struct burst_stats *s, uint32_t window_ms, uint32_t gap_ms);

/*
 * Account one event of charge bytes at now_us (monotonic). A timestamp earlier
 * than one seen before counts as the latest one. If the event starts a new
 * burst because the previous one ended (gap reached), the ended burst is
 * copied to *ended (when non-NULL) and 1 is returned; else 0. A NULL, empty
 * or overlong (>= BURST_SUBSYS_LEN) subsystem is counted as "other".
 */
int burst_add(struct burst_stats *s, uint64_t now_us, uint32_t bytes, const char *subsystem,
	      struct burst *ended);

/*
 * If the burst in progress has been quiet for gap_us at now_us, move it to *ended, return 1.
 * now_us is a timestamp seen like any other: it is clamped, advances last_us and the windows.
 */
int burst_poll(struct burst_stats *s, uint64_t now_us, struct burst *ended);

/* Close the burst in progress regardless of time (at exit); 1 if there was one. */
int burst_flush(struct burst_stats *s, struct burst *ended);

/* The window of index i (0..BURST_NWIN-1): its width and peaks; NULL if i is out of range. */
const struct burst_window *burst_window(const struct burst_stats *s, size_t i);

/* Peak events/bytes of the configured window (index 2). */
uint64_t burst_peak_events(const struct burst_stats *s);
uint64_t burst_peak_bytes(const struct burst_stats *s);

/*
 * Microseconds from last_us (the latest add or poll) until the burst in progress
 * ends if nothing arrives, or UINT64_MAX if none.
 */
uint64_t burst_next_deadline(const struct burst_stats *s);

#endif
