/* SPDX-License-Identifier: MIT */
/* The burst meter: monitor socket -> parse -> charge -> burst statistics. */
#ifndef NLTUNE_METER_H
#define NLTUNE_METER_H

#include <stdint.h>

#include "burst.h"
#include "charge.h"
#include "coldmeter.h"
#include "uevmon.h"

struct meter;
typedef void (*meter_burst_cb)(void *arg, const struct burst *b);
typedef void (*meter_coldplug_cb)(void *arg, const struct coldmeter *c);

struct meter {
	struct uevmon mon;
	struct charge_model model;
	struct burst_stats stats;
	uint64_t malformed; /* datagrams uevent_parse refused */
	uint64_t now_us;    /* time stamp of the batch being read */
	meter_burst_cb on_burst;
	struct coldmeter cold;
	meter_coldplug_cb on_coldplug; /* NULL: coldplug not watched */
	void *arg;
};

/* Open the socket (buffer bytes) and calibrate the charge model; -errno on failure. */
int meter_open(struct meter *mt, uint64_t buffer, uint32_t window_ms, uint32_t gap_ms,
	       meter_burst_cb on_burst, void *arg);
void meter_close(struct meter *mt);

/*
 * Also measure the coldplug burst of `devices` devices; on_coldplug is called
 * once, from meter_read or meter_tick, when it is complete (coldmeter.h).
 */
void meter_watch_coldplug(struct meter *mt, uint64_t devices, meter_coldplug_cb on_coldplug);

/* When meter_tick may next complete the coldplug (monotonic us), or UINT64_MAX. */
uint64_t meter_coldplug_deadline(const struct meter *mt);

/* Drain the socket (bounded per call); returns datagrams read or -errno. */
int meter_read(struct meter *mt, uint64_t now_us);

/* End the burst in progress if it has been quiet long enough (or, with flush, at once). */
void meter_tick(struct meter *mt, uint64_t now_us, int flush);

#endif
