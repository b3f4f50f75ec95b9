/* SPDX-License-Identifier: MIT */
/* Sizes and times as a person reads them, shared by reasons, log lines and reports. */
#ifndef NLTUNE_UNITS_H
#define NLTUNE_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "832 B", "12.3 kB", "1.53 MB", "2.10 GB", "1.00 TB": decimal units, rounded into the next. */
const char *units_size(char *buf, size_t len, uint64_t bytes);

/* "2026-11-26T04:14:11.123Z" (ISO 8601 UTC) from unix ms; truncated to len. */
const char *units_time(char *buf, size_t len, uint64_t unix_ms);

#endif
