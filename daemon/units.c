/* SPDX-License-Identifier: MIT */
/* Decimal size formatting; pure. */
#include "units.h"

#include <inttypes.h>
#include <stdio.h>

const char *units_size(char *buf, size_t len, uint64_t bytes)
{
	/* Thresholds after rounding, so 999999 reads "1.00 MB", never "1000.0 kB". */
	if (bytes < 10000)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else if (bytes < 999950)
		snprintf(buf, len, "%.1f kB", (double)bytes / 1e3);
	else if (bytes < 999995000)
		snprintf(buf, len, "%.2f MB", (double)bytes / 1e6);
	else if (bytes < 999995000000ull)
		snprintf(buf, len, "%.2f GB", (double)bytes / 1e9);
	else
		snprintf(buf, len, "%.2f TB", (double)bytes / 1e12);
	return buf;
}
