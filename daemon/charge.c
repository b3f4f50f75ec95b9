/* SPDX-License-Identifier: MIT */
/* The kernel's truesize of one uevent skb, as __alloc_skb() and kmalloc_reserve() compute it. */
#include "charge.h"

void charge_model_default(struct charge_model *m)
{
	m->small_head = 576;
	m->skb_size = 256;
	m->shinfo = 320;
	m->align = 64;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	if (a <= 1)
		return x;
	return (x + a - 1) / a * a;
}

/*
 * SOCK_MIN_RCVBUF is 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)) today, but
 * was 2048 + sizeof(struct sk_buff) on old kernels (2232), while truesize has
 * always used the aligned size: so align what is left after the 2048.
 */
void charge_model_set(struct charge_model *m, uint32_t small_head, uint32_t sock_min_rcvbuf)
{
	uint64_t skb;

	m->small_head = small_head;
	if (sock_min_rcvbuf <= 2048)
		return;
	skb = align_up(sock_min_rcvbuf - 2048u, m->align);
	m->skb_size = skb > UINT32_MAX ? UINT32_MAX : (uint32_t)skb;
}

static uint64_t next_pow2(uint64_t x)
{
	uint64_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

/*
 * kmalloc_size_roundup(): classes 8, 16, 32, 64, 96, 128, 192, 256, ... 8192;
 * larger sizes go to the page allocator, which also rounds to a power of two.
 */
static uint64_t kmalloc_class(uint64_t size)
{
	if (size == 0)
		return 0;
	if (size <= 8)
		return 8;
	if (size > 64 && size <= 96)
		return 96;
	if (size > 128 && size <= 192)
		return 192;
	return next_pow2(size);
}

uint32_t charge_of(const struct charge_model *m, size_t payload)
{
	uint64_t len = payload, obj, total;

	/* Every term below fits 33 bits, so the sums cannot wrap in 64. */
	if (len > UINT32_MAX)
		return UINT32_MAX;
	obj = align_up(len, m->align) + m->shinfo;
	if (m->small_head != 0 && obj <= m->small_head)
		total = m->small_head;
	else
		total = kmalloc_class(obj);
	total += m->skb_size;
	return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

uint64_t charge_capacity(uint64_t rcvbuf, uint32_t each)
{
	uint64_t n = rcvbuf / (each != 0 ? each : 1);

	return n != 0 ? n : 1;
}
