/* SPDX-License-Identifier: MIT */
/* The burst meter: every datagram is parsed, charged with its truesize and counted per group. */
#include "meter.h"

#include <stdbool.h>
#include <string.h>

#include "uevent.h"

/* A storm is read in slices so the loop can serve its other sources. */
#define METER_READ_MAX 4096

/* One group's statistics, coldplug and callbacks, as pointers into struct meter. */
struct group {
	struct burst_stats *stats;
	struct coldmeter *cold;
	meter_burst_cb on_burst;
	meter_coldplug_cb on_coldplug;
};

static bool group_of(struct meter *mt, unsigned int group, struct group *g)
{
	if (group == UEVENT_GROUP_KERNEL)
		*g = (struct group){ &mt->stats, &mt->cold, mt->on_burst, mt->on_coldplug };
	else if (group == UEVENT_GROUP_UDEV)
		*g = (struct group){ &mt->udev_stats, &mt->udev_cold, mt->on_udev_burst,
				     mt->on_udev_coldplug };
	else
		return false;
	return true;
}

const struct burst_stats *meter_stats(const struct meter *mt, unsigned int group)
{
	if (group == UEVENT_GROUP_KERNEL)
		return &mt->stats;
	if (group == UEVENT_GROUP_UDEV)
		return &mt->udev_stats;
	return NULL;
}

int meter_open(struct meter *mt, uint64_t buffer, uint32_t window_ms, uint32_t gap_ms,
	       meter_burst_cb on_burst, void *arg)
{
	memset(mt, 0, sizeof(*mt));
	uevmon_charge_model(&mt->model);
	burst_init(&mt->stats, window_ms, gap_ms);
	burst_init(&mt->udev_stats, window_ms, gap_ms);
	mt->on_burst = on_burst;
	mt->arg = arg;
	return uevmon_open(&mt->mon, buffer);
}

void meter_close(struct meter *mt)
{
	uevmon_close(&mt->mon);
}

void meter_watch_coldplug(struct meter *mt, uint64_t devices, meter_coldplug_cb on_coldplug,
			  meter_coldplug_cb on_udev)
{
	coldmeter_init(&mt->cold, devices);
	coldmeter_init(&mt->udev_cold, devices);
	mt->on_coldplug = on_coldplug;
	mt->on_udev_coldplug = on_udev;
}

/* A burst ended: tell the owner and the coldplug meter. */
static void burst_ended(struct meter *mt, const struct group *g, const struct burst *b)
{
	if (g->on_burst)
		g->on_burst(mt->arg, b);
	if (g->on_coldplug)
		coldmeter_burst_end(g->cold, b->end_us);
}

static void check_coldplug(struct meter *mt, const struct group *g, uint64_t now_us)
{
	if (g->on_coldplug && coldmeter_poll(g->cold, now_us))
		g->on_coldplug(mt->arg, g->cold);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t meter_coldplug_deadline(const struct meter *mt)
{
	uint64_t k = mt->on_coldplug ? coldmeter_deadline(&mt->cold) : UINT64_MAX;
	uint64_t u = mt->on_udev_coldplug ? coldmeter_deadline(&mt->udev_cold) : UINT64_MAX;

	return min_u64(k, u);
}

/* burst_next_deadline() counts from the latest time stamp the statistics saw. */
static uint64_t burst_deadline(const struct burst_stats *s)
{
	uint64_t dl = burst_next_deadline(s);

	if (dl == UINT64_MAX || dl > UINT64_MAX - s->last_us)
		return UINT64_MAX;
	return s->last_us + dl;
}

uint64_t meter_burst_deadline(const struct meter *mt)
{
	return min_u64(burst_deadline(&mt->stats), burst_deadline(&mt->udev_stats));
}

/* udev's trigger writes "add" to uevent files: the kernel marks those SYNTH_UUID. */
static bool synthetic_add(const struct uevent *ev)
{
	return ev->action && !strcmp(ev->action, "add") && uevent_get(ev, "SYNTH_UUID");
}

static void meter_event(void *arg, const char *buf, size_t len, unsigned int group)
{
	struct meter *mt = arg;
	struct uevent ev;
	struct burst ended;
	struct group g;
	uint32_t bytes;

	/* A group carries one format: a libudev datagram on group 1 is no kernel event. */
	if (uevent_parse(&ev, buf, len) < 0 || ev.group != group || !group_of(mt, group, &g)) {
		mt->malformed++;
		return;
	}
	bytes = charge_of(&mt->model, len);
	if (burst_add(g.stats, mt->now_us, bytes, ev.subsystem, &ended)) {
		burst_ended(mt, &g, &ended);
		check_coldplug(mt, &g, mt->now_us);
	}
	if (g.on_coldplug)
		coldmeter_event(g.cold, mt->now_us, bytes, synthetic_add(&ev));
}

int meter_read(struct meter *mt, uint64_t now_us)
{
	int n;

	mt->now_us = now_us;
	n = uevmon_read(&mt->mon, METER_READ_MAX, meter_event, mt);
	uevmon_update_drops(&mt->mon);
	return n;
}

static void tick_group(struct meter *mt, const struct group *g, uint64_t now_us, int flush)
{
	struct burst ended;
	int r = flush ? burst_flush(g->stats, &ended) : burst_poll(g->stats, now_us, &ended);

	if (r > 0)
		burst_ended(mt, g, &ended);
	check_coldplug(mt, g, now_us);
}

void meter_tick(struct meter *mt, uint64_t now_us, int flush)
{
	struct group g;

	for (unsigned int group = UEVENT_GROUP_KERNEL; group <= UEVENT_GROUP_UDEV; group++)
		if (group_of(mt, group, &g))
			tick_group(mt, &g, now_us, flush);
}
