/* SPDX-License-Identifier: MIT */
/* Logging: native journal entries under journald, else one sanitized line per message on stderr. */
#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#define SD_JOURNAL_SUPPRESS_LOCATION /* CODE_FILE would always name this file */
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "num.h"
#include "sanitize.h"

#define LOG_LINE_MAX 1024

static const char *log_ident = "nltune";
static bool log_verbose, log_journal;

/* JOURNAL_STREAM is "DEV:INODE" of the stream journald gave us; only our own stderr counts. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM"), *colon;
	uint64_t dev, ino;
	struct stat st;

	if (!e || !(colon = strchr(e, ':')) ||
	    num_u64(e, (size_t)(colon - e), UINT64_MAX, &dev) < 0 ||
	    num_u64_str(colon + 1, UINT64_MAX, &ino) < 0 || fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino;
}

void log_init(const char *ident, bool verbose, bool native)
{
	log_ident = ident;
	log_verbose = verbose;
	log_journal = native && stderr_is_journal();
}

/* One native entry: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and the fields that are set. */
static int journal_send(int prio, const struct log_fields *f, const char *msg)
{
	char buf[8][LOG_LINE_MAX + 32], clean[64];
	struct iovec iov[8];
	int n = 0;

#define FIELD(...) snprintf(buf[n], sizeof(buf[n]), __VA_ARGS__), n++
	FIELD("MESSAGE=%s", msg);
	FIELD("PRIORITY=%d", prio);
	FIELD("SYSLOG_IDENTIFIER=%s", log_ident);
	if (f && f->message_id)
		FIELD("MESSAGE_ID=%s", f->message_id);
	if (f && f->kind)
		FIELD("NLTUNE_KIND=%s", f->kind);
	if (f && f->pid > 0)
		FIELD("NLTUNE_PID=%d", f->pid);
	if (f && f->comm) {
		sanitize_text(clean, sizeof(clean), f->comm);
		FIELD("NLTUNE_COMM=%s", clean);
	}
	if (f && f->inode)
		FIELD("NLTUNE_INODE=%" PRIu64, f->inode);
#undef FIELD
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = strlen(buf[i]);
	}
	return sd_journal_sendv(iov, n);
}

static void vlog(int prio, const struct log_fields *f, const char *fmt, va_list ap, const char *err)
{
	char raw[LOG_LINE_MAX], line[LOG_LINE_MAX];
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);

	if (err && n >= 0 && (size_t)n < sizeof(raw))
		snprintf(raw + n, sizeof(raw) - (size_t)n, ": %s", err);
	sanitize_text(line, sizeof(line), raw);
	if (log_journal && journal_send(prio, f, line) >= 0)
		return;
	/* Not under journald, or it refused: a line, with a priority prefix journald reads. */
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "%s: %s\n", log_ident, line);
}

#define LOG_BODY(prio, f, err)                                                                     \
	do {                                                                                       \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vlog(prio, f, fmt, ap, err);                                                       \
		va_end(ap);                                                                        \
	} while (0)

void log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(LOG_DEBUG, NULL, NULL);
}

void log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, NULL, NULL);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY(LOG_WARNING, NULL, strerror(saved));
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, NULL, NULL);
}

void log_fields(int prio, const struct log_fields *f, const char *fmt, ...)
{
	if (prio < LOG_DEBUG || log_verbose)
		LOG_BODY(prio, f, NULL);
}

void log_repeat_warnx(struct log_repeat *r, const char *fmt, ...)
{
	char text[sizeof(r->last)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (strcmp(text, r->last) == 0) {
		r->repeats++;
		return;
	}
	if (r->repeats)
		log_warnx("%s (and %" PRIu64 " times more, not logged)", r->last, r->repeats);
	snprintf(r->last, sizeof(r->last), "%s", text);
	r->repeats = 0;
	log_warnx("%s (repeats are counted, not logged)", text);
}

void log_repeat_ok(struct log_repeat *r, const char *what)
{
	if (!r->last[0])
		return;
	log_info("%s works again (the failure repeated %" PRIu64 " times more)", what, r->repeats);
	r->last[0] = '\0';
	r->repeats = 0;
}
