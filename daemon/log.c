/* SPDX-License-Identifier: MIT */
/* Logging to stderr, one line per message; the journal adds time and priority. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_ident = "nltune";
static bool log_verbose;

void log_init(const char *ident, bool verbose)
{
	log_ident = ident;
	log_verbose = verbose;
}

static void vlog(const char *prio, const char *fmt, va_list ap, const char *err)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (err)
		fprintf(stderr, "%s%s: %s: %s\n", prio, log_ident, line, err);
	else
		fprintf(stderr, "%s%s: %s\n", prio, log_ident, line);
}

/* sd-daemon style priority prefixes when stderr goes to the journal. */
static const char *prio(const char *p)
{
	return getenv("JOURNAL_STREAM") ? p : "";
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(prio("<7>"), fmt, ap, NULL);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio("<6>"), fmt, ap, NULL);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(prio("<4>"), fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio("<4>"), fmt, ap, NULL);
	va_end(ap);
}

void fatalx(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio("<3>"), fmt, ap, NULL);
	va_end(ap);
	exit(code);
}
