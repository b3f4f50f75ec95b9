/* SPDX-License-Identifier: MIT */
/* Size and time formatting; pure. */
#include "units.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

const char *units_size(char *buf, size_t len, uint64_t bytes)
{
	static const char unit[] = "KMGTPE";
	double v = (double)bytes;
	size_t u = 0;

	/* Bytes up to 10239; then the unit switches before the rounded figure reaches 1024. */
	if (bytes < 10240) {
		snprintf(buf, len, "%" PRIu64, bytes);
		return buf;
	}
	v /= 1024;
	while (v >= 1023.95 && u + 1 < sizeof(unit) - 1) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, unit[u]);
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
