/* SPDX-License-Identifier: MIT */
/* The recommendation: measured need + configuration + values in force -> rmem_* and a reason. */
#ifndef NLTUNE_RECOMMEND_H
#define NLTUNE_RECOMMEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "cost.h"
#include "state.h"

#define RECOMMEND_ROUND		     4096
#define RECOMMEND_CEILING_MAX	     (32ull << 20)
#define RECOMMEND_MONITOR_BUFFER_MAX (16ull << 20)
#define RECOMMEND_MONITOR_BUFFER_MIN (64ull << 10)

struct rec_input {
	const struct state *history; /* boots of history (may include this boot) */
	const char *boot_id;	     /* this boot, or NULL */
	uint64_t now_peak_bytes;     /* this boot's live peak in window (charged bytes) */
	uint64_t now_peak_events;
	uint64_t now_udev_peak_bytes; /* the same for group 2 (udevd's re-broadcasts) */
	uint64_t now_udev_peak_events;
	uint64_t rmem_default, rmem_max; /* in force */
	uint64_t memtotal;		 /* bytes; for the automatic ceiling */
	uint64_t sock_min_rcvbuf;	 /* the kernel refuses less */
};

/* Where need_bytes comes from: a window peak, a measured coldplug burst, or the /sys estimate. */
enum rec_source {
	REC_SRC_NONE,
	REC_SRC_THIS_BOOT,
	REC_SRC_HISTORY,
	REC_SRC_COLDPLUG,
	REC_SRC_COLDPLUG_THIS_BOOT,
	REC_SRC_COLDPLUG_HISTORY,
};

/* The multicast groups whose need is measured: the kernel's events and udevd's re-broadcasts. */
#define REC_GROUP_KERNEL 1
#define REC_GROUP_UDEV	 2

/*
 * need_bytes is the larger of the two groups' needs (group 1 on a tie): the
 * one the recommendation covers, need_group says whose. Group 2's need comes
 * from its own peaks and coldplug bursts only: 0 until udevd re-broadcast
 * something nltuned heard.
 */
struct recommendation {
	uint64_t need_bytes;
	uint64_t need_events;	 /* events of the burst that set need_bytes (0 for the estimate) */
	unsigned int need_group; /* REC_GROUP_KERNEL or REC_GROUP_UDEV */
	uint64_t kernel_need_bytes, kernel_need_events;
	uint64_t udev_need_bytes, udev_need_events;
	enum rec_source source;
	uint64_t rmem_default, rmem_max; /* recommended */
	uint64_t ceiling;		 /* the ceiling that applied (auto resolved) */
	bool write_default, write_max;	 /* what the policy would write now */
	/* The cost of the raise (recommend_cost), once known; recommend() leaves it unknown. */
	bool has_cost;
	struct cost_count cost;
	struct cost_risk risk;
	uint64_t worst_case_bytes;
	size_t reason_base; /* the reason's length before the cost was added to it */
	char reason[1024];
};

/* The ceiling in force: conf->ceiling, or min(32 MiB, memtotal/32) when it is 0 (auto). */
uint64_t recommend_ceiling(const struct nlt_conf *c, uint64_t memtotal);

/*
 * nltuned's own monitor buffer: conf->monitor_buffer, or when it is 0 (auto)
 * min(16 MiB, memtotal/16), at least 64 KiB: twice the automatic ceiling on a
 * small board, so nltuned still sees every burst a recommendation could cover.
 */
uint64_t recommend_monitor_buffer(const struct nlt_conf *c, uint64_t memtotal);

/* Compute; pure, never fails (inputs already validated). */
void recommend(const struct nlt_conf *c, const struct rec_input *in, struct recommendation *out);

/*
 * Add what the raise costs to out (from recommend() against rmem_now, the
 * rmem_default in force): the sockets that inherit rmem_default now, the worst
 * case if all filled at out->rmem_default, and, when every socket at risk set
 * its own buffer, that a global raise does not reach them and what does. The
 * reason gets one clause for it; calling again replaces the clause. Pure.
 */
void recommend_cost(struct recommendation *out, const struct cost_count *cost,
		    const struct cost_risk *risk);

#endif
