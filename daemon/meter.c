/* SPDX-License-Identifier: MIT */
/* The burst meter: every datagram is parsed, charged with its truesize and counted. */
#include "meter.h"

#include <string.h>

#include "uevent.h"

/* A storm is read in slices so the loop can serve its other sources. */
#define METER_READ_MAX 4096

int meter_open(struct meter *mt, uint64_t buffer, uint32_t window_ms, uint32_t gap_ms,
	       meter_burst_cb on_burst, void *arg)
{
	memset(mt, 0, sizeof(*mt));
	uevmon_charge_model(&mt->model);
	burst_init(&mt->stats, window_ms, gap_ms);
	mt->on_burst = on_burst;
	mt->arg = arg;
	return uevmon_open(&mt->mon, buffer);
}

void meter_close(struct meter *mt)
{
	uevmon_close(&mt->mon);
}

static void meter_event(void *arg, const char *buf, size_t len)
{
	struct meter *mt = arg;
	struct uevent ev;
	struct burst ended;

	if (uevent_parse(&ev, buf, len) < 0) {
		mt->malformed++;
		return;
	}
	if (burst_add(&mt->stats, mt->now_us, charge_of(&mt->model, len), ev.subsystem, &ended) &&
	    mt->on_burst)
		mt->on_burst(mt->arg, &ended);
}

int meter_read(struct meter *mt, uint64_t now_us)
{
	int n;

	mt->now_us = now_us;
	n = uevmon_read(&mt->mon, METER_READ_MAX, meter_event, mt);
	uevmon_update_drops(&mt->mon);
	return n;
}

void meter_tick(struct meter *mt, uint64_t now_us, int flush)
{
	struct burst ended;
	int r = flush ? burst_flush(&mt->stats, &ended) : burst_poll(&mt->stats, now_us, &ended);

	if (r > 0 && mt->on_burst)
		mt->on_burst(mt->arg, &ended);
}
