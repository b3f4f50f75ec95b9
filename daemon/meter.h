/* SPDX-License-Identifier: MIT */
/* The burst meter: monitor socket -> parse -> charge -> burst statistics. */
#ifndef NLTUNE_METER_H
#define NLTUNE_METER_H

#include <stdint.h>

#include "burst.h"
#include "charge.h"
#include "uevmon.h"

struct meter;
typedef void (*meter_burst_cb)(void *arg, const struct burst *b);

struct meter {
	struct uevmon mon;
	struct charge_model model;
	struct burst_stats stats;
	uint64_t malformed; /* datagrams uevent_parse refused */
	uint64_t now_us;    /* time stamp of the batch being read */
	meter_burst_cb on_burst;
	void *arg;
};

/* Open the socket (buffer bytes) and calibrate the charge model; -errno on failure. */
int meter_open(struct meter *mt, uint64_t buffer, uint32_t window_ms, uint32_t gap_ms,
	       meter_burst_cb on_burst, void *arg);
void meter_close(struct meter *mt);

/* Drain the socket (bounded per call); returns datagrams read or -errno. */
int meter_read(struct meter *mt, uint64_t now_us);

/* End the burst in progress if it has been quiet long enough (or, with flush, at once). */
void meter_tick(struct meter *mt, uint64_t now_us, int flush);

#endif
