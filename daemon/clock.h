/* SPDX-License-Identifier: MIT */
/* The clocks nltune reads: monotonic for intervals and peaks, wall for what people see. */
#ifndef NLTUNE_CLOCK_H
#define NLTUNE_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in microseconds / milliseconds. */
uint64_t clock_mono_us(void);
uint64_t clock_mono_ms(void);
/* CLOCK_REALTIME as unix milliseconds. */
uint64_t clock_wall_ms(void);

#endif
