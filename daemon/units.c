/* SPDX-License-Identifier: MIT */
/* Size and time formatting; pure. */
#include "units.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

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

const char *units_time(char *buf, size_t len, uint64_t unix_ms)
{
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int)(unix_ms % 1000));
	return buf;
}
