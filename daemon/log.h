/* SPDX-License-Identifier: MIT */
/* Logging for the entry points and the daemon loop; pure modules never log. */
#ifndef NLTUNE_LOG_H
#define NLTUNE_LOG_H

#include <stdbool.h>

#define LOG_FMT(a, b) __attribute__((format(printf, a, b)))

/* Prefix every line with "ident: "; verbose enables log_debug. */
void log_init(const char *ident, bool verbose);
void log_debug(const char *fmt, ...) LOG_FMT(1, 2);
void log_info(const char *fmt, ...) LOG_FMT(1, 2);
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) LOG_FMT(1, 2);
void log_warnx(const char *fmt, ...) LOG_FMT(1, 2);
/* Print and exit with code. */
void fatalx(int code, const char *fmt, ...) LOG_FMT(2, 3) __attribute__((noreturn));

#endif
