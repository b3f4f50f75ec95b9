/* SPDX-License-Identifier: MIT */
/* The burst meter: every datagram is parsed, charged with its truesize and counted. */
#include "meter.h"

#include <stdbool.h>
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

void meter_watch_coldplug(struct meter *mt, uint64_t devices, meter_coldplug_cb on_coldplug)
{
	coldmeter_init(&mt->cold, devices);
	mt->on_coldplug = on_coldplug;
}

/* A burst ended: tell the owner and the coldplug meter. */
static void burst_ended(struct meter *mt, const struct burst *b)
{
	if (mt->on_burst)
		mt->on_burst(mt->arg, b);
	if (mt->on_coldplug)
		coldmeter_burst_end(&mt->cold, b->end_us);
}

static void check_coldplug(struct meter *mt, uint64_t now_us)
{
	if (mt->on_coldplug && coldmeter_poll(&mt->cold, now_us))
		mt->on_coldplug(mt->arg, &mt->cold);
}

uint64_t meter_coldplug_deadline(const struct meter *mt)
{
	return mt->on_coldplug ? coldmeter_deadline(&mt->cold) : UINT64_MAX;
}

/* udev's trigger writes "add" to uevent files: the kernel marks those SYNTH_UUID. */
static bool synthetic_add(const struct uevent *ev)
{
	return ev->action && !strcmp(ev->action, "add") && uevent_get(ev, "SYNTH_UUID");
}

static void meter_event(void *arg, const char *buf, size_t len)
{
	struct meter *mt = arg;
	struct uevent ev;
	struct burst ended;
	uint32_t bytes;

	if (uevent_parse(&ev, buf, len) < 0) {
		mt->malformed++;
		return;
	}
	bytes = charge_of(&mt->model, len);
	if (burst_add(&mt->stats, mt->now_us, bytes, ev.subsystem, &ended)) {
		burst_ended(mt, &ended);
		check_coldplug(mt, mt->now_us);
	}
	if (mt->on_coldplug)
		coldmeter_event(&mt->cold, mt->now_us, bytes, synthetic_add(&ev));
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

	if (r > 0)
		burst_ended(mt, &ended);
	check_coldplug(mt, now_us);
}
