/* SPDX-License-Identifier: MIT */
/* Sizes and times as a person reads them, shared by reasons, log lines and reports. */
#ifndef NLTUNE_UNITS_H
#define NLTUNE_UNITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The one size scheme of every screen and log line: bytes below 10 KiB ("9216"), then binary
 * units with one decimal below 1024 ("644.0K", "1.6M", "2.0G"), at most 7 columns. Where the exact
 * figure matters, print the bytes instead.
 */
const char *units_size(char *buf, size_t len, uint64_t bytes);

/* "2026-11-26T04:14:11.123Z" (ISO 8601 UTC) from unix ms; truncated to len. */
const char *units_time(char *buf, size_t len, uint64_t unix_ms);

#endif
