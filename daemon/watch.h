/* SPDX-License-Identifier: MIT */
/* What deserves an alert: scan rows, the monitor's own overruns and lowered sysctls. */
#ifndef NLTUNE_WATCH_H
#define NLTUNE_WATCH_H

#include <stdint.h>

#include "alerts.h"
#include "scan.h"
#include "sysctl.h"

#define WATCH_DROPS_PER_SCAN 64 /* socket-drops alerts of one scan; the rest are one summary */

typedef void (*watch_emit_fn)(void *arg, const struct alert *proto);

/*
 * The alerts a scan implies, handed to emit in this order: rmem-default-low,
 * one for every uevent listener the sysctls hold short of the need, when one
 * of them is new to that; process-buffer, one per process whose own
 * SO_RCVBUF keeps a listener short, when one is new; socket-drops, one per
 * socket that lost messages since the last scan (the first WATCH_DROPS_PER_SCAN
 * of them; one more socket-drops alert, about no socket, counts the rest). skip_inode (nltuned's
 * own socket) is left out. The one derivation for nltuned and the console.
 *
 * With al (the alerts emit raises into; NULL: none kept between scans) a loss is said whole:
 * a socket's alert adds what the rate limit held back of it ("lost N more netlink messages,
 * M in all since alert #ID"), and last come the rests, one per socket whose held-back drops
 * stopped rising this scan or whose socket is gone. Within a scan after a burst ends, the
 * socket-drops alerts about a socket add up to its drop counter's rise since the first.
 */
void watch_scan(const struct scanner *sc, const struct alerts *al, uint64_t skip_inode,
		uint64_t now_wall_ms, watch_emit_fn emit, void *arg);

/* monitor-overrun: nltuned itself lost n events with a buffer of rcvbuf. */
void watch_overrun(uint64_t n, uint64_t rcvbuf, uint64_t now_wall_ms, struct alert *a);

/* sysctl-lowered: 1 and an alert when a value in force is below what nltune applied. */
int watch_sysctl(const struct rmem *now, uint64_t applied_default, uint64_t applied_max,
		 uint64_t now_wall_ms, struct alert *a);

#endif
