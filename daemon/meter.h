/* SPDX-License-Identifier: MIT */
/* The burst meter: monitor socket -> parse -> charge -> burst statistics, per multicast group. */
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

/*
 * Group 1 (the kernel's events) keeps the first fields; group 2 (udevd's
 * re-broadcasts, each charged by its whole datagram, libudev header included)
 * the udev_ ones: the same statistics, bursts and coldplug, kept apart.
 */
struct meter {
	struct uevmon mon;
	struct charge_model model;
	struct burst_stats stats;
	uint64_t malformed; /* datagrams uevent_parse refused, or of the other group's format */
	uint64_t now_us;    /* time stamp of the batch being read */
	meter_burst_cb on_burst;
	struct coldmeter cold;
	meter_coldplug_cb on_coldplug; /* NULL: coldplug not watched */
	struct burst_stats udev_stats;
	struct coldmeter udev_cold;
	meter_burst_cb on_udev_burst;	    /* may be NULL */
	meter_coldplug_cb on_udev_coldplug; /* NULL: group 2's coldplug not watched */
	void *arg;
};

/* The statistics of group 1 or 2 (UEVENT_GROUP_*), or NULL for another group. */
const struct burst_stats *meter_stats(const struct meter *mt, unsigned int group);

/* Open the socket (buffer bytes) and calibrate the charge model; -errno on failure. */
int meter_open(struct meter *mt, uint64_t buffer, uint32_t window_ms, uint32_t gap_ms,
	       meter_burst_cb on_burst, void *arg);
void meter_close(struct meter *mt);

/*
 * Also measure the coldplug burst of `devices` devices; on_coldplug is called
 * once, from meter_read or meter_tick, when it is complete (coldmeter.h).
 * on_udev (may be NULL) is called the same way for group 2's coldplug.
 */
void meter_watch_coldplug(struct meter *mt, uint64_t devices, meter_coldplug_cb on_coldplug,
			  meter_coldplug_cb on_udev);

/* When meter_tick may next complete a coldplug (monotonic us), or UINT64_MAX. */
uint64_t meter_coldplug_deadline(const struct meter *mt);

/* When meter_tick may next end a burst of either group (monotonic us), or UINT64_MAX. */
uint64_t meter_burst_deadline(const struct meter *mt);

/* Drain the socket (bounded per call); returns datagrams read or -errno. */
int meter_read(struct meter *mt, uint64_t now_us);

/* End the bursts in progress if quiet long enough (or, with flush, at once), group 1 first. */
void meter_tick(struct meter *mt, uint64_t now_us, int flush);

#endif
