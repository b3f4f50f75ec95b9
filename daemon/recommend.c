/* SPDX-License-Identifier: MIT */
/* From the largest burst on record to rmem_default/rmem_max, with a reason a person can redo. */
#include "recommend.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

#define TIB	  (1ull << 40)
#define U64_LIMIT 18446744073709551616.0 /* 2^64: the first double above UINT64_MAX */

/* The largest burst found so far and where it comes from. */
struct need {
	uint64_t bytes, events;
	uint32_t window_ms;
	enum rec_source source;
	size_t boot_k, boot_n; /* position in the history window, oldest first; 1-based */
};

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* A size set in the configuration, or for 0 a share of memory (MemTotal / div) up to max. */
static uint64_t set_or_share(uint64_t set, uint64_t max, uint64_t memtotal, uint64_t div)
{
	if (set != 0)
		return set;
	if (memtotal != 0 && memtotal / div < max)
		return memtotal / div;
	return max;
}

uint64_t recommend_ceiling(const struct nlt_conf *c, uint64_t memtotal)
{
	return max_u64(set_or_share(c->ceiling, RECOMMEND_CEILING_MAX, memtotal, 32), c->floor);
}

uint64_t recommend_monitor_buffer(const struct nlt_conf *c, uint64_t memtotal)
{
	return max_u64(set_or_share(c->monitor_buffer, RECOMMEND_MONITOR_BUFFER_MAX, memtotal, 16),
		       RECOMMEND_MONITOR_BUFFER_MIN);
}

/* "2.0", "2.5", "2.25": at least one decimal, no trailing zeros beyond it. */
static const char *fmt_factor(char *buf, size_t len, double f)
{
	size_t n;

	snprintf(buf, len, "%.3f", f);
	n = strlen(buf);
	while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
	return buf;
}

/* Append to the reason; a reason that does not fit is cut, never overrun. */
__attribute__((format(printf, 2, 3))) static void append(struct recommendation *out,
							 const char *fmt, ...)
{
	size_t used = strlen(out->reason);
	va_list ap;

	if (used + 1 >= sizeof(out->reason))
		return;
	va_start(ap, fmt);
	vsnprintf(out->reason + used, sizeof(out->reason) - used, fmt, ap);
	va_end(ap);
}

/* A zero peak with events, or more than a TiB in one window, is a damaged record. */
static bool peak_damaged(uint64_t bytes, uint64_t events)
{
	return (bytes == 0 && events > 0) || bytes > TIB;
}

/* One group's figures of a boot: peak in window, measured coldplug (has_cold false: none). */
struct group_figures {
	uint64_t peak_bytes, peak_events;
	bool has_cold;
	uint64_t cold_bytes, cold_events;
};

static void figures_of(const struct state_boot *b, unsigned int group, struct group_figures *f)
{
	if (group == REC_GROUP_UDEV)
		*f = (struct group_figures){ b->udev_peak_bytes, b->udev_peak_events,
					     b->has_udev_coldplug, b->udev_coldplug_bytes,
					     b->udev_coldplug_events };
	else
		*f = (struct group_figures){ b->peak_bytes, b->peak_events, b->has_coldplug,
					     b->coldplug_bytes, b->coldplug_events };
}

/* Take bytes/events of boot i (1-based k of n in the window) if larger than the need so far. */
static void take(struct need *n, uint64_t bytes, uint64_t events, uint32_t window_ms,
		 enum rec_source src, size_t k, size_t nb)
{
	n->bytes = bytes;
	n->events = events;
	n->window_ms = window_ms;
	n->source = src;
	n->boot_k = k;
	n->boot_n = nb;
}

/*
 * The need of group 1 or 2, the largest of: the group's live peak, the newest
 * c->history entries of the history (newest first, so on a tie the newest
 * boot is named), each with its measured coldplug burst, and for group 1 the
 * coldplug estimate. Strictly larger wins, so the live peak beats an equal
 * record; a measured coldplug beats an equal peak (the coldplug is what it
 * was). The estimate of /sys counts only while no boot in the window measured
 * its coldplug: it is the first boot's fallback. It sizes kernel events, so
 * group 2, whose messages carry what udevd's rules added, has none.
 */
static void find_need(const struct nlt_conf *c, const struct rec_input *in, unsigned int group,
		      struct need *n)
{
	const struct state *h = in->history;
	uint64_t live_bytes =
	    group == REC_GROUP_UDEV ? in->now_udev_peak_bytes : in->now_peak_bytes;
	uint64_t live_events =
	    group == REC_GROUP_UDEV ? in->now_udev_peak_events : in->now_peak_events;
	size_t nboots, first, i, k, nb;
	bool measured = false;

	memset(n, 0, sizeof(*n));
	n->source = REC_SRC_NONE;
	if (live_bytes > 0)
		take(n, live_bytes, live_events, c->window_ms, REC_SRC_THIS_BOOT, 0, 0);
	if (h == NULL)
		return;
	nboots = h->nboots < STATE_MAX_BOOTS ? h->nboots : STATE_MAX_BOOTS;
	first = nboots > c->history ? nboots - c->history : 0;
	nb = nboots - first;
	for (i = nboots; i-- > first;) {
		const struct state_boot *b = &h->boots[i];
		bool this_boot = in->boot_id != NULL && in->boot_id[0] != '\0' &&
				 strncmp(b->boot_id, in->boot_id, sizeof(b->boot_id)) == 0;
		struct group_figures f;

		figures_of(b, group, &f);
		k = i - first + 1;
		if (f.has_cold && f.cold_bytes <= TIB && f.cold_events > 0) {
			measured = true;
			if (f.cold_bytes >= n->bytes)
				take(n, f.cold_bytes, f.cold_events, 0,
				     this_boot ? REC_SRC_COLDPLUG_THIS_BOOT
					       : REC_SRC_COLDPLUG_HISTORY,
				     k, nb);
		}
		if (peak_damaged(f.peak_bytes, f.peak_events) || f.peak_bytes <= n->bytes)
			continue;
		take(n, f.peak_bytes, f.peak_events,
		     b->window_ms != 0 ? b->window_ms : c->window_ms,
		     this_boot ? REC_SRC_THIS_BOOT : REC_SRC_HISTORY, k, nb);
	}
	if (group == REC_GROUP_KERNEL && !measured && h->has_coldplug &&
	    h->coldplug_bytes > n->bytes && h->coldplug_bytes <= TIB)
		take(n, h->coldplug_bytes, h->coldplug_devices, 0, REC_SRC_COLDPLUG, 0, 0);
}

/*
 * headroom x need rounded up to whole bytes, saturated at UINT64_MAX. A
 * fraction within 1e-9 of the product is rounding noise of the double (1.1 is
 * not exactly 1.1): 1.1 x 204800 must give 225280, not 225281.
 */
static uint64_t scale(uint64_t need, double headroom)
{
	double p = (double)need * headroom;
	uint64_t u;

	if (p >= U64_LIMIT)
		return UINT64_MAX;
	u = (uint64_t)p;
	if (p - (double)u > 1e-9 * p && u < UINT64_MAX)
		u++;
	return u;
}

static uint64_t round_up(uint64_t x, uint64_t to)
{
	if (x > UINT64_MAX - (to - 1))
		return UINT64_MAX;
	return (x + to - 1) / to * to;
}

/* "peak N events / SIZE in W ms on boot k of n, xH headroom -> ROUNDED; N bytes per event". */
static void explain_need(struct recommendation *out, const struct need *n, double headroom,
			 uint64_t rounded)
{
	char size[32], fac[16], res[32];

	if (n->source == REC_SRC_NONE) {
		append(out, "no burst measured yet");
		return;
	}
	units_size(size, sizeof(size), n->bytes);
	if (n->source == REC_SRC_COLDPLUG) {
		append(out, "coldplug estimate %" PRIu64 " devices / %s", n->events, size);
	} else if (n->source == REC_SRC_COLDPLUG_THIS_BOOT) {
		append(out, "measured coldplug %" PRIu64 " events / %s this boot", n->events, size);
	} else if (n->source == REC_SRC_COLDPLUG_HISTORY) {
		append(out, "measured coldplug %" PRIu64 " events / %s on boot %zu of %zu",
		       n->events, size, n->boot_k, n->boot_n);
	} else {
		append(out, "peak %" PRIu64 " events / %s in %" PRIu32 " ms", n->events, size,
		       n->window_ms);
		if (n->source == REC_SRC_THIS_BOOT)
			append(out, " this boot");
		else
			append(out, " on boot %zu of %zu", n->boot_k, n->boot_n);
	}
	append(out, ", x%s headroom -> %s", fmt_factor(fac, sizeof(fac), headroom),
	       units_size(res, sizeof(res), rounded));
	if (n->events > 0)
		append(out, "; %" PRIu64 " bytes per event", n->bytes / n->events);
}

void recommend(const struct nlt_conf *c, const struct rec_input *in, struct recommendation *out)
{
	double headroom = c->headroom >= 1.0 ? c->headroom : 1.0; /* also catches NaN */
	uint64_t lo = max_u64(c->floor, in->sock_min_rcvbuf);
	uint64_t hi = max_u64(recommend_ceiling(c, in->memtotal), lo);
	uint64_t val;
	struct need n, kn, un;
	char other[32];

	memset(out, 0, sizeof(*out));
	find_need(c, in, REC_GROUP_KERNEL, &kn);
	find_need(c, in, REC_GROUP_UDEV, &un);
	out->kernel_need_bytes = kn.bytes;
	out->kernel_need_events = kn.source == REC_SRC_COLDPLUG ? 0 : kn.events;
	out->udev_need_bytes = un.bytes;
	out->udev_need_events = un.events;
	out->need_group = un.bytes > kn.bytes ? REC_GROUP_UDEV : REC_GROUP_KERNEL;
	n = out->need_group == REC_GROUP_UDEV ? un : kn;
	out->need_bytes = n.bytes;
	out->need_events = n.source == REC_SRC_COLDPLUG ? 0 : n.events;
	out->source = n.source;
	out->ceiling = hi;

	val = round_up(scale(n.bytes, headroom), RECOMMEND_ROUND);
	/* Once group 2 was heard, the reason says whose need decided and what the other needs. */
	if (un.bytes > 0)
		append(out, "%s: ",
		       out->need_group == REC_GROUP_UDEV ? "group 2 (udev)" : "group 1 (kernel)");
	explain_need(out, &n, headroom, val);
	if (un.bytes > 0)
		append(out, "; %s needs %s",
		       out->need_group == REC_GROUP_UDEV ? "group 1 (kernel)" : "group 2 (udev)",
		       units_size(other, sizeof(other),
				  out->need_group == REC_GROUP_UDEV ? kn.bytes : un.bytes));
	if (val < lo) {
		val = lo;
		if (lo == c->floor)
			append(out, "; raised to floor %" PRIu64, lo);
		else
			append(out, "; raised to the kernel minimum %" PRIu64, lo);
	} else if (val > hi) {
		val = hi;
		append(out, "; capped at ceiling %" PRIu64 "%s", hi,
		       c->ceiling == 0 ? " (auto)" : "");
	}
	out->rmem_default = val;
	out->rmem_max = val;

	switch (c->policy) {
	case NLT_POLICY_RAISE_ONLY:
		out->write_default = out->rmem_default > in->rmem_default;
		/* rmem_max must end at least as large as the new rmem_default */
		out->write_max = out->rmem_max > in->rmem_max ||
				 (out->write_default && out->rmem_default > in->rmem_max);
		if (!out->write_default && out->rmem_default < in->rmem_default)
			append(out, "; in force %" PRIu64 " is larger, kept (raise-only)",
			       in->rmem_default);
		break;
	case NLT_POLICY_EXACT:
		out->write_default = out->rmem_default != in->rmem_default;
		out->write_max = out->rmem_max != in->rmem_max;
		break;
	case NLT_POLICY_OBSERVE:
		out->write_default = false;
		out->write_max = false;
		break;
	}
	out->reason_base = strlen(out->reason);
}

/* "netlink 35, udp 4, unix_dgram 12, packet ?": a cut count ends in "+", an unknown one is "?". */
static void explain_families(struct recommendation *out, const struct cost_count *c)
{
	for (int f = 0; f < COST_NFAM; f++) {
		const struct cost_family_count *fc = &c->fam[f];

		append(out, "%s%s ", f ? ", " : "", cost_family_name((enum cost_family)f));
		if (fc->err)
			append(out, "?");
		else
			append(out, "%" PRIu64 "%s", fc->inheriting, fc->cut ? "+" : "");
	}
}

void recommend_cost(struct recommendation *out, const struct cost_count *cost,
		    const struct cost_risk *risk)
{
	uint64_t n = cost_inheriting_total(cost);
	char size[32];

	if (out->reason_base < sizeof(out->reason))
		out->reason[out->reason_base] = '\0';
	out->has_cost = true;
	out->cost = *cost;
	out->risk = *risk;
	out->worst_case_bytes = cost_worst_case(cost, out->rmem_default);
	if (out->rmem_default > cost->rmem_default) {
		append(out,
		       "; the raise reaches %" PRIu64 " socket%s that inherit%s rmem_default (", n,
		       n == 1 ? "" : "s", n == 1 ? "s" : "");
		explain_families(out, cost);
		append(out, "): worst case +%s if all fill",
		       units_size(size, sizeof(size), out->worst_case_bytes));
	} else {
		append(out,
		       "; no raise of rmem_default: no cost (%" PRIu64 " socket%s inherit%s it: ",
		       n, n == 1 ? "" : "s", n == 1 ? "s" : "");
		explain_families(out, cost);
		append(out, ")");
	}
	/* A socket that set its own buffer keeps it whatever rmem_default says. */
	if (risk->at_risk == 0 || risk->own_buffer != risk->at_risk)
		return;
	if (risk->at_risk == 1)
		append(out, "; the socket at risk set its own buffer: a global raise does not "
			    "reach it: ");
	else
		append(out,
		       "; the %zu sockets at risk set their own buffers: a global raise does not "
		       "reach them: ",
		       risk->at_risk);
	if (risk->pid > 0 && risk->at_risk == 1)
		append(out, "`nltune fix %d` (%s) raises it live", (int)risk->pid, risk->comm);
	else if (risk->pid > 0)
		append(out, "`nltune fix PID` raises each live (%d %s is one)", (int)risk->pid,
		       risk->comm);
	else
		append(out, "`nltune fix PID` of %s raises it live",
		       risk->at_risk > 1 ? "each owner" : "its owner");
	append(out, ", or the application asks for more with SO_RCVBUF");
}
