/* SPDX-License-Identifier: MIT */
/* Which kernel rule set a netlink socket's rcvbuf, whether it holds the uevent need, and the fix.
 */
#include "verdict.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "charge.h"

#define PROTO_UEVENT 15 /* NETLINK_KOBJECT_UEVENT */
#define CHARGE_FALLBACK                                                                            \
	832 /* truesize of a small uevent (measured: README.md, How nltune decides) */
#define ROUND 4096u

/*
 * SOCK_MIN_RCVBUF is 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)): 2232 on
 * old kernels, 2304 on 6.18. When the caller could not measure it, any
 * rcvbuf in (2048, 2560] is taken for the floor: setsockopt can produce such
 * a value only from a request under 1280 bytes, which is just as wrong.
 */
#define FLOOR_LO 2048u
#define FLOOR_HI 2560u

struct text {
	char *s;
	size_t cap, len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append; a message that does not fit is cut, never overrun. */
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	t->len += (size_t)n;
	if (t->len >= t->cap)
		t->len = t->cap - 1;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Up to a multiple of 4096; the largest such multiple when that would wrap. */
static uint64_t round_up(uint64_t x)
{
	if (x > UINT64_MAX - (ROUND - 1))
		return UINT64_MAX & ~(uint64_t)(ROUND - 1);
	return (x + ROUND - 1) & ~(uint64_t)(ROUND - 1);
}

static bool at_floor(const struct verdict_input *in)
{
	if (in->sock_min != 0)
		return in->rcvbuf == in->sock_min;
	return in->rcvbuf > FLOOR_LO && in->rcvbuf <= FLOOR_HI;
}

/*
 * Exact matches first, then ranges; among exact matches the sysctl in force
 * wins. rcvbuf == rmem_default is checked before the floor and the cap because
 * those coincide only when rmem_default itself sits at a kernel limit, a
 * misconfiguration that `nltune apply` (the default remedy) corrects, and it
 * also raises rmem_max. Earlier values come after the current ones: they
 * are history, and they can only collide with an explicit size. An earlier
 * rmem_default is the default of a socket made before the write; twice an
 * earlier rmem_max the cap it got then. rmem_max == 0 (unknown) rules out
 * capped and forced. *stale tells a limit from before the last write.
 */
static enum nl_limit classify(const struct verdict_input *in, bool *stale)
{
	uint64_t r = in->rcvbuf;
	uint64_t cap = in->rmem_max > UINT64_MAX / 2 ? UINT64_MAX : 2 * in->rmem_max;
	size_t i;

	*stale = false;
	if (r == in->rmem_default)
		return LIMIT_DEFAULT;
	if (at_floor(in))
		return LIMIT_MINIMUM;
	if (in->rmem_max != 0 && r == cap)
		return LIMIT_CAPPED;
	for (i = 0; i < in->n_old_default && i < VERDICT_EARLIER_MAX; i++) {
		if (in->old_default[i] != 0 && r == in->old_default[i]) {
			*stale = true;
			return LIMIT_DEFAULT;
		}
	}
	for (i = 0; i < in->n_old_max && i < VERDICT_EARLIER_MAX; i++) {
		if (in->old_max[i] != 0 && in->old_max[i] <= UINT64_MAX / 2 &&
		    r == 2 * in->old_max[i]) {
			*stale = true;
			return LIMIT_CAPPED;
		}
	}
	if (in->rmem_max != 0 && r > cap)
		return LIMIT_FORCED;
	return LIMIT_APP;
}

/* Every figure the texts name, formatted once. */
struct words {
	char fix[40];  /* "nltune fix 1234" */
	char proc[40]; /* "the process (1234)" */
	uint64_t need, n, ask;
};

static void limit_fix(const struct verdict_input *in, enum nl_limit limit, bool stale,
		      const struct words *w, struct text *t)
{
	bool max_low = in->rmem_max < w->ask;

	switch (limit) {
	case LIMIT_DEFAULT:
		if (stale && in->rmem_default >= w->need)
			put(t,
			    "the socket predates the raised rmem_default: restart %s to get "
			    "%" PRIu64 " bytes; now: %s",
			    w->proc, in->rmem_default, w->fix);
		else if (stale)
			put(t,
			    "the socket predates the raised rmem_default, which is still too "
			    "small: "
			    "raise rmem_default to %" PRIu64
			    " (nltune apply), then restart %s; now: %s",
			    w->n, w->proc, w->fix);
		else
			put(t,
			    "raise rmem_default to %" PRIu64
			    ": nltune apply; the socket keeps %" PRIu32
			    " bytes until %s restarts; now: %s",
			    w->n, in->rcvbuf, w->proc, w->fix);
		break;
	case LIMIT_CAPPED:
		if (stale) {
			put(t,
			    "the socket got twice an earlier rmem_max: restart %s to get up to "
			    "%" PRIu64 " bytes",
			    w->proc, in->rmem_max > UINT64_MAX / 2 ? UINT64_MAX : 2 * in->rmem_max);
			if (max_low)
				put(t,
				    " (raise rmem_max to at least %" PRIu64 " first: nltune apply)",
				    w->ask);
			put(t, "; now: %s", w->fix);
			break;
		}
		put(t,
		    "the application asks for more than rmem_max (%" PRIu64
		    ") allows: raise rmem_max"
		    " to at least %" PRIu64 " (nltune apply), then restart %s; now: %s",
		    in->rmem_max, w->ask, w->proc, w->fix);
		break;
	case LIMIT_MINIMUM:
		put(t,
		    "the application set SO_RCVBUF to a tiny size (the kernel's floor is %" PRIu32
		    " bytes): it must ask for setsockopt(SO_RCVBUF, %" PRIu64 ")",
		    in->rcvbuf, w->ask);
		if (max_low)
			put(t, " (and rmem_max must be at least %" PRIu64 ")", w->ask);
		if (in->rmem_default >= w->need)
			put(t, " or stop setting SO_RCVBUF");
		put(t, "; now: %s", w->fix);
		break;
	case LIMIT_APP:
		put(t,
		    "the application set SO_RCVBUF to %" PRIu32 ": it must ask for %" PRIu64
		    " bytes",
		    in->rcvbuf / 2, w->ask);
		if (max_low)
			put(t, " (and rmem_max must be at least %" PRIu64 ")", w->ask);
		put(t, "; now: %s", w->fix);
		break;
	case LIMIT_FORCED:
		put(t,
		    "the application forces rcvbuf with SO_RCVBUFFORCE: it must force at least "
		    "%" PRIu64 "; now: %s",
		    w->ask, w->fix);
		break;
	}
}

/* Dropping without a known need: say what can be said without a number to aim at. */
static void blind_fix(const struct verdict_input *in, enum nl_limit limit, uint64_t holds,
		      const struct words *w, struct text *t)
{
	put(t,
	    "the socket drops messages with rcvbuf %" PRIu32 " (about %" PRIu64 " events): the "
	    "application must read faster or ask for a larger SO_RCVBUF (%" PRIu32 " doubles it)",
	    in->rcvbuf, holds, in->rcvbuf);
	switch (limit) {
	case LIMIT_DEFAULT:
		put(t,
		    "; it never set SO_RCVBUF, so a larger rmem_default (%" PRIu64
		    " now) helps once it"
		    " restarts",
		    in->rmem_default);
		break;
	case LIMIT_CAPPED:
		put(t, "; rmem_max (%" PRIu64 ") caps what it asks for", in->rmem_max);
		break;
	case LIMIT_MINIMUM:
		put(t, "; it set SO_RCVBUF to a tiny size and got the kernel's floor");
		break;
	case LIMIT_APP:
		put(t, "; it asked for %" PRIu32, in->rcvbuf / 2);
		break;
	case LIMIT_FORCED:
		put(t, "; it forces its size with SO_RCVBUFFORCE");
		break;
	}
	if (in->protocol == PROTO_UEVENT)
		put(t, "; now: %s", w->fix);
}

#define GROUP_KERNEL_BIT 1u
#define GROUP_UDEV_BIT	 2u

uint64_t verdict_group_need(uint32_t groups, uint64_t need_kernel, uint64_t need_udev)
{
	uint64_t need = 0;

	if (!(groups & GROUP_UDEV_BIT))
		return need_kernel;
	if (groups & GROUP_KERNEL_BIT)
		need = need_kernel;
	return max_u64(need, need_udev != 0 ? need_udev : need_kernel);
}

/* Group 2's need decides for this socket: its events are group 2's typical ones. */
static bool udev_decides(const struct verdict_input *in)
{
	return (in->groups & GROUP_UDEV_BIT) && in->udev_need_bytes != 0 &&
	       (!(in->groups & GROUP_KERNEL_BIT) || in->udev_need_bytes > in->need_bytes);
}

/* The figures both the verdict and its text rest on. */
static void words_of(const struct verdict_input *in, struct words *w)
{
	bool listener = in->protocol == PROTO_UEVENT && in->groups != 0;

	/* Only a uevent listener has a need: other protocols' traffic is not measured. */
	w->need =
	    listener ? verdict_group_need(in->groups, in->need_bytes, in->udev_need_bytes) : 0;
	w->n = max_u64(round_up(w->need), w->need ? in->target_default : 0);
	w->ask = w->need ? round_up(w->need / 2 + (w->need & 1)) : 0;
}

void verdict_judge(const struct verdict_input *in, struct verdict *out)
{
	uint32_t charge = in->typical_charge ? in->typical_charge : CHARGE_FALLBACK;
	struct words w;
	bool stale;

	if (udev_decides(in) && in->udev_typical_charge != 0)
		charge = in->udev_typical_charge;
	words_of(in, &w);
	out->limit = classify(in, &stale);
	if (in->forced_by_nltune)
		out->limit = LIMIT_FORCED;
	out->holds_events = charge_capacity(in->rcvbuf, charge);
	out->ask_bytes = w.ask;
	if (in->drops_rising)
		out->verdict = VERDICT_DROPPING;
	else if (w.need != 0 && in->rcvbuf < w.need)
		out->verdict = VERDICT_AT_RISK;
	else
		out->verdict = VERDICT_OK;
}

void verdict_fix(const struct verdict_input *in, char *buf, size_t len)
{
	struct text t = { buf, len, 0 };
	bool listener = in->protocol == PROTO_UEVENT && in->groups != 0;
	struct verdict v;
	struct words w;
	bool stale;

	if (len == 0)
		return;
	buf[0] = '\0';
	verdict_judge(in, &v);
	classify(in, &stale);
	words_of(in, &w);
	if (in->pid > 0) {
		snprintf(w.fix, sizeof(w.fix), "nltune fix %d", in->pid);
		snprintf(w.proc, sizeof(w.proc), "the process (%d)", in->pid);
	} else {
		snprintf(w.fix, sizeof(w.fix), "nltune fix <pid>");
		snprintf(w.proc, sizeof(w.proc), "the process");
	}

	if (w.need != 0 && in->rcvbuf < w.need) {
		limit_fix(in, v.limit, stale, &w, &t);
	} else if (v.verdict == VERDICT_DROPPING && w.need != 0) {
		put(&t,
		    "rcvbuf (%" PRIu32 ") holds the measured need (%" PRIu64 ") yet the socket "
		    "drops: the application reads too slowly, or its socket stayed congested after "
		    "an "
		    "overrun; now: %s clears it, and the application must drain its socket faster",
		    in->rcvbuf, w.need, w.fix);
	} else if (v.verdict == VERDICT_DROPPING) {
		blind_fix(in, v.limit, v.holds_events, &w, &t);
	} else if (listener && v.limit == LIMIT_MINIMUM) {
		/* Need unknown, but a listener at the floor overruns on any burst. */
		put(&t,
		    "the application set SO_RCVBUF to a tiny size (the kernel's floor is %" PRIu32
		    " bytes): the socket holds only %" PRIu64
		    " events, so any burst overruns it; it "
		    "must stop setting SO_RCVBUF or ask for more; now: %s",
		    in->rcvbuf, v.holds_events, w.fix);
	}
}

const char *verdict_limit_name(enum nl_limit l)
{
	switch (l) {
	case LIMIT_DEFAULT:
		return "default";
	case LIMIT_CAPPED:
		return "capped";
	case LIMIT_MINIMUM:
		return "minimum";
	case LIMIT_APP:
		return "app";
	case LIMIT_FORCED:
		return "forced";
	}
	return "unknown";
}

const char *verdict_name(enum nl_verdict v)
{
	switch (v) {
	case VERDICT_OK:
		return "ok";
	case VERDICT_AT_RISK:
		return "at-risk";
	case VERDICT_DROPPING:
		return "dropping";
	}
	return "unknown";
}
