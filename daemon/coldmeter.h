/* SPDX-License-Identifier: MIT */
/* The coldplug burst: from udev's first synthetic "add" until the synthetic adds stop. */
#ifndef NLTUNE_COLDMETER_H
#define NLTUNE_COLDMETER_H

#include <stdbool.h>
#include <stdint.h>

#define COLDMETER_QUIET_MS 2000

/*
 * udev's coldplug trigger writes "add" to every device's uevent file; the
 * kernel marks such events with SYNTH_UUID. A coldplug is measured from the
 * first synthetic add to the end of the burst (gap-separated, burst.h) that
 * held the last one: every event in between counts, whatever made it, since a
 * listener stalled through the coldplug holds all of them. It is complete once
 * at least `want` synthetic adds came and none for COLDMETER_QUIET_MS: the
 * gaps inside a trigger on a slow machine are shorter than that. Fewer than
 * `want` and quiet that long was a stray add: the count starts over.
 * Pure: time is an argument.
 */
struct coldmeter {
	uint64_t want; /* synthetic adds that make a coldplug */
	bool open, done;
	uint64_t start_us, end_us;
	uint64_t synth; /* synthetic adds since start_us */
	uint64_t last_synth_us;
	bool burst_synth;	    /* the burst in progress has one */
	uint64_t events, bytes;	    /* every event since start_us */
	uint64_t c_events, c_bytes; /* ... up to the end of the last burst with one */
};

/* devices: how many a coldplug triggers (the coldplug estimate's count); want is half of it. */
void coldmeter_init(struct coldmeter *c, uint64_t devices);

/* One event of charge bytes at now_us; call it after the burst it starts (if any) has ended. */
void coldmeter_event(struct coldmeter *c, uint64_t now_us, uint32_t bytes, bool synth_add);

/* The burst in progress ended at end_us. */
void coldmeter_burst_end(struct coldmeter *c, uint64_t end_us);

/*
 * At now_us (after the burst in progress, if any, has ended): 1 when that
 * completes the coldplug (c->done; c_events, c_bytes and coldmeter_ms() are
 * its figures), else 0.
 */
int coldmeter_poll(struct coldmeter *c, uint64_t now_us);

/* When coldmeter_poll may next complete it (monotonic us), or UINT64_MAX. */
uint64_t coldmeter_deadline(const struct coldmeter *c);

/* Milliseconds from the first synthetic add to the end of the coldplug burst. */
uint64_t coldmeter_ms(const struct coldmeter *c);

#endif
