/* SPDX-License-Identifier: MIT */
/* The coldplug burst as it arrives: synthetic adds counted, every event charged, ended by quiet. */
#include "coldmeter.h"

#include <string.h>

#define QUIET_US (COLDMETER_QUIET_MS * 1000ull)

void coldmeter_init(struct coldmeter *c, uint64_t devices)
{
	memset(c, 0, sizeof(*c));
	c->want = devices / 2 ? devices / 2 : 1;
}

void coldmeter_event(struct coldmeter *c, uint64_t now_us, uint32_t bytes, bool synth_add)
{
	if (c->done)
		return;
	if (!c->open) {
		if (!synth_add)
			return;
		c->open = true;
		c->start_us = now_us;
	}
	c->events++;
	c->bytes += bytes;
	if (synth_add) {
		c->synth++;
		c->last_synth_us = now_us;
		c->burst_synth = true;
	}
}

void coldmeter_burst_end(struct coldmeter *c, uint64_t end_us)
{
	if (c->done || !c->open || !c->burst_synth)
		return;
	/* The coldplug reaches at least to here. */
	c->burst_synth = false;
	c->end_us = end_us > c->start_us ? end_us : c->start_us;
	c->c_events = c->events;
	c->c_bytes = c->bytes;
}

int coldmeter_poll(struct coldmeter *c, uint64_t now_us)
{
	if (c->done || !c->open || c->burst_synth || now_us < c->last_synth_us + QUIET_US)
		return 0;
	if (c->synth < c->want) { /* a stray synthetic add, not a coldplug: wait for the next */
		coldmeter_init(c, c->want * 2);
		return 0;
	}
	c->done = true;
	return 1;
}

uint64_t coldmeter_deadline(const struct coldmeter *c)
{
	if (c->done || !c->open)
		return UINT64_MAX;
	return c->last_synth_us + QUIET_US;
}

uint64_t coldmeter_ms(const struct coldmeter *c)
{
	return c->done ? (c->end_us - c->start_us) / 1000 : 0;
}
