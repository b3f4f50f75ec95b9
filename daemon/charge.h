/* SPDX-License-Identifier: MIT */
/* What one uevent costs a receiving socket: the kernel's skb truesize, from the payload length. */
#ifndef NLTUNE_CHARGE_H
#define NLTUNE_CHARGE_H

#include <stddef.h>
#include <stdint.h>

struct charge_model {
	uint32_t small_head; /* object_size of skbuff_small_head; 0 = kernel without it */
	uint32_t skb_size;   /* SKB_DATA_ALIGN(sizeof(struct sk_buff)): SOCK_MIN_RCVBUF - 2048 */
	uint32_t shinfo;     /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
	uint32_t align;	     /* SMP_CACHE_BYTES */
};

/* The model measured on Linux 6.18 x86_64: 576, 256, 320, 64. */
void charge_model_default(struct charge_model *m);

/*
 * Fill the runtime-measured parts of a model already holding the defaults:
 * small_head from the slab, skb_size = ALIGN(sock_min_rcvbuf - 2048, align)
 * when sock_min_rcvbuf > 2048 (else skb_size is kept).
 */
void charge_model_set(struct charge_model *m, uint32_t small_head, uint32_t sock_min_rcvbuf);

/*
 * truesize of one uevent skb of payload bytes: bucket(ALIGN(payload) + shinfo)
 * + skb_size, bucket being small_head if it fits, else the kmalloc class.
 * Saturates at UINT32_MAX.
 */
uint32_t charge_of(const struct charge_model *m, size_t payload);

/*
 * How many messages of charge each fit in rcvbuf under the kernel's delivery
 * rule (an empty queue always takes one): max(1, rcvbuf / each).
 */
uint64_t charge_capacity(uint64_t rcvbuf, uint32_t each);

#endif
