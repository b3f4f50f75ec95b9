/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for charge_of(): monotonic in the payload and never below skb_size. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charge.h"

/*
 * Input: one mode byte, then for modes 1 and 2 the model's parameters, then
 * payloads as 8-byte little-endian numbers.
 *   mode % 4 == 0  the default model
 *   mode % 4 == 1  charge_model_set(default, u32 small_head, u32 sock_min_rcvbuf)
 *   mode % 4 == 2  any model: u32 small_head, skb_size, shinfo, align
 *   mode % 4 == 3  the default model without a small head (older kernels)
 */
enum { MODE_DEFAULT, MODE_MEASURED, MODE_ANY, MODE_NO_SMALL_HEAD };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static uint64_t take(const uint8_t **p, size_t *left, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < *left; i++)
		v |= (uint64_t)(*p)[i] << (8 * i);
	i = n < *left ? n : *left;
	*p += i;
	*left -= i;
	return v;
}

/* The properties at one payload, and against its neighbours. */
static void check_payload(const struct charge_model *m, size_t payload)
{
	uint32_t c = charge_of(m, payload);

	check(c >= m->skb_size);
	/* truesize covers the payload itself, up to the saturation */
	check(c >= (payload < UINT32_MAX ? payload : UINT32_MAX));
	if (payload > UINT32_MAX)
		check(c == UINT32_MAX);
	if (payload > 0)
		check(charge_of(m, payload - 1) <= c);
	if (payload < SIZE_MAX)
		check(c <= charge_of(m, payload + 1));
	check(charge_capacity(UINT64_MAX, c) >= 1 && charge_capacity(0, c) == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct charge_model m;
	size_t prev = 0, cur;
	uint32_t a, b;
	int have_prev = 0;

	if (size == 0)
		return 0;
	charge_model_default(&m);
	switch (data[0] % 4) {
	case MODE_MEASURED:
		data++, size--;
		a = (uint32_t)take(&data, &size, 4);
		b = (uint32_t)take(&data, &size, 4);
		charge_model_set(&m, a, b);
		check(b <= 2048 || m.skb_size >= b - 2048u);
		break;
	case MODE_ANY:
		data++, size--;
		m.small_head = (uint32_t)take(&data, &size, 4);
		m.skb_size = (uint32_t)take(&data, &size, 4);
		m.shinfo = (uint32_t)take(&data, &size, 4);
		m.align = (uint32_t)take(&data, &size, 4);
		break;
	case MODE_NO_SMALL_HEAD:
		m.small_head = 0;
		data++, size--;
		break;
	default:
		data++, size--;
		break;
	}

	/* The edges every model has, then the fuzzer's payloads, each against the last. */
	check_payload(&m, 0);
	check_payload(&m, UINT32_MAX);
	check_payload(&m, (size_t)UINT32_MAX + 1);
	while (size > 0) {
		cur = (size_t)take(&data, &size, 8);
		check_payload(&m, cur);
		if (have_prev)
			check(prev <= cur ? charge_of(&m, prev) <= charge_of(&m, cur)
					  : charge_of(&m, prev) >= charge_of(&m, cur));
		prev = cur;
		have_prev = 1;
	}
	return 0;
}
