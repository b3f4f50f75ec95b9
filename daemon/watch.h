/* SPDX-License-Identifier: MIT */
/* What deserves an alert: scan rows, the monitor's own overruns and lowered sysctls. */
#ifndef NLTUNE_WATCH_H
#define NLTUNE_WATCH_H

#include <stdint.h>

#include "alerts.h"
#include "scan.h"
#include "sysctl.h"

/*
 * Fill protos for one row: socket-drops when it lost messages since the last
 * scan, socket-at-risk when it became at-risk. Returns how many (0..2).
 */
int watch_row(const struct sockrow *r, uint64_t now_wall_ms, struct alert protos[2]);

/* monitor-overrun: nltuned itself lost n events with a buffer of rcvbuf. */
void watch_overrun(uint64_t n, uint64_t rcvbuf, uint64_t now_wall_ms, struct alert *a);

/* sysctl-lowered: 1 and an alert when a value in force is below what nltune applied. */
int watch_sysctl(const struct rmem *now, uint64_t applied_default, uint64_t applied_max,
		 uint64_t now_wall_ms, struct alert *a);

/* Wall clock in unix ms. */
uint64_t watch_wall_ms(void);

#endif
