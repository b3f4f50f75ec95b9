/* SPDX-License-Identifier: MIT */
/* How the kernel arrived at a socket's rcvbuf, how many events it holds, and what fixes it. */
#ifndef NLTUNE_VERDICT_H
#define NLTUNE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nl_limit { LIMIT_DEFAULT, LIMIT_CAPPED, LIMIT_MINIMUM, LIMIT_APP, LIMIT_FORCED };
enum nl_verdict { VERDICT_OK, VERDICT_AT_RISK, VERDICT_DROPPING };

#define VERDICT_EARLIER_MAX 8 /* earlier values of each sysctl looked at */

struct verdict_input {
	uint32_t protocol; /* 15 = uevent: the only one with a known need */
	uint32_t groups;
	uint32_t rcvbuf;
	uint64_t rmem_default, rmem_max; /* in force now */
	/* Values in force earlier this boot (what nltune's writes replaced): a socket created then.
	 */
	size_t n_old_default, n_old_max;
	uint64_t old_default[VERDICT_EARLIER_MAX];
	uint64_t old_max[VERDICT_EARLIER_MAX];
	uint32_t sock_min;	      /* SOCK_MIN_RCVBUF; 0 = unknown: (2048, 2560] counts as it */
	uint32_t typical_charge;      /* truesize of a typical event of group 1 */
	uint64_t need_bytes;	      /* group 1's need: the kernel's events (0 = unknown) */
	uint64_t udev_need_bytes;     /* group 2's: udevd's re-broadcasts (0 = unknown) */
	uint32_t udev_typical_charge; /* truesize of a typical one of those (0 = unknown) */
	uint64_t
	    target_default;    /* the recommended rmem_default the fix names (0: need rounded up) */
	bool drops_rising;     /* drop counter rose recently */
	bool forced_by_nltune; /* rcvbuf is what nltune fix set: limit `forced` */
	int pid;	       /* for the fix text; 0 = unknown */
};

#define VERDICT_FIX_LEN 320 /* the longest fix text, terminator included */

struct verdict {
	enum nl_limit limit;
	enum nl_verdict verdict;
	uint64_t holds_events;
	uint64_t ask_bytes; /* what SO_RCVBUF should be given (need/2, doubled by the kernel) */
};

/*
 * The need of a uevent socket that joined `groups` (a bitmask: 1 is group 1):
 * the larger need of the groups it joined. Group 2's need, while unknown (0),
 * is group 1's: udevd re-broadcasts every kernel event, larger. A socket in
 * neither group (unicast only) gets group 1's. Pure.
 */
uint64_t verdict_group_need(uint32_t groups, uint64_t need_kernel, uint64_t need_udev);

/*
 * Limit, verdict, events held (of the typical charge of the group whose need
 * applies): no text, cheap enough for every socket of every scan. Pure.
 */
void verdict_judge(const struct verdict_input *in, struct verdict *out);

/*
 * The concrete fix for in, "" when nothing needs fixing, cut to len (at most
 * VERDICT_FIX_LEN is ever needed). Built when asked, never per scan. Pure.
 */
void verdict_fix(const struct verdict_input *in, char *buf, size_t len);

const char *verdict_limit_name(enum nl_limit l);
const char *verdict_name(enum nl_verdict v);

#endif
