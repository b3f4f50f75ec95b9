/* SPDX-License-Identifier: MIT */
/* Logging for the entry points and the daemon loop; pure modules never log. */
#ifndef NLTUNE_LOG_H
#define NLTUNE_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#define LOG_FMT(a, b) __attribute__((format(printf, a, b)))

/*
 * Under journald (JOURNAL_STREAM names our stderr) every entry goes to the journal natively,
 * with PRIORITY, SYSLOG_IDENTIFIER=ident and the fields below; elsewhere it is one line on
 * stderr, "ident: text". Either way bytes that are not printable UTF-8 become '?'. verbose
 * enables log_debug. native=false keeps stderr even under journald: a short-lived command's
 * native entries lose their unit (journald reads the sender's cgroup after it has exited),
 * while its stderr stream stays attributed to the unit that started it.
 */
void log_init(const char *ident, bool verbose, bool native);
void log_debug(const char *fmt, ...) LOG_FMT(1, 2);
void log_info(const char *fmt, ...) LOG_FMT(1, 2);
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) LOG_FMT(1, 2);
void log_warnx(const char *fmt, ...) LOG_FMT(1, 2);

/* Journal fields of one entry; every member may be 0 or NULL (then it is left out). */
struct log_fields {
	const char *message_id; /* MESSAGE_ID: 32 lowercase hex digits (conf/nltune.catalog) */
	const char *kind;	/* NLTUNE_KIND */
	int pid;		/* NLTUNE_PID */
	const char *comm;	/* NLTUNE_COMM */
	uint64_t inode;		/* NLTUNE_INODE */
};
/* Log at syslog priority prio (LOG_CRIT .. LOG_DEBUG) with fields (journal only). */
void log_fields(int prio, const struct log_fields *f, const char *fmt, ...) LOG_FMT(3, 4);

/*
 * A failure that may repeat every scan (a metrics file that cannot be written): the first
 * occurrence, or one with a new text, is logged; repeats are only counted. log_repeat_ok()
 * says once that it works again and how many repeats went unlogged.
 */
struct log_repeat {
	char last[256];
	uint64_t repeats;
};
void log_repeat_warnx(struct log_repeat *r, const char *fmt, ...) LOG_FMT(2, 3);
void log_repeat_ok(struct log_repeat *r, const char *what);

#endif
