/* SPDX-License-Identifier: MIT */
/* Console tables rendered from the same JSON documents that --json prints, fitted to a width. */
#include "render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nlscan.h"
#include "report.h"
#include "sanitize.h"
#include "term.h"
#include "units.h"

#define RED    "\033[1;31m"
#define YELLOW "\033[33m"
#define GREEN  "\033[32m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

/* status is one screen: the worst sockets and the newest alerts, the rest counted. */
#define RENDER_STATUS_SOCKETS 8
#define RENDER_STATUS_ALERTS  5
#define RENDER_STATUS_BOOTS   5
#define BAR_MAX		      20

/* A count in at most 8 columns: exact below 10^8, else in millions. */
static const char *count8(char *buf, size_t len, uint64_t v)
{
	if (v < 100000000)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%.0fM", (double)v / 1e6);
	return buf;
}

void render_scan_gaps(FILE *f, json_object *scan)
{
	uint64_t bad = report_u64(scan, "bad_rows"), over = report_u64(scan, "rows_over_limit");

	if (bad)
		fprintf(f,
			"warning: %" PRIu64 " malformed rows of /proc/net/netlink were not read\n",
			bad);
	if (over)
		fprintf(f,
			"warning: %" PRIu64 " rows of /proc/net/netlink past the first %d were "
			"not looked at\n",
			over, NLSCAN_MAX_ROWS);
}

static const char *on(const struct render_opts *o, const char *esc)
{
	return o->color ? esc : "";
}

static const char *paint(const char *verdict, const struct render_opts *o)
{
	if (strcmp(verdict, "dropping") == 0)
		return on(o, RED);
	if (strcmp(verdict, "at-risk") == 0)
		return on(o, YELLOW);
	return on(o, GREEN);
}

/* "uevent", or the number for a protocol ss has no name for. */
static const char *proto(char *buf, size_t len, uint64_t p)
{
	const char *n = p <= UINT32_MAX ? nlparse_proto_name((uint32_t)p) : NULL;

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%" PRIu64, p);
	return buf;
}

/* "Nov 26 04:14:11" in local time from an ISO 8601 UTC time; the input itself if unparsable. */
static const char *short_time(char *buf, size_t len, const char *iso, bool seconds)
{
	struct tm tm = { 0 }, lt;
	const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
	time_t t;

	if (!end || !*iso) {
		snprintf(buf, len, "%s", iso);
		return buf;
	}
	t = timegm(&tm);
	localtime_r(&t, &lt);
	strftime(buf, len, seconds ? "%b %d %H:%M:%S" : "%b %d %H:%M", &lt);
	return buf;
}

/* Sockets table columns; COMM takes what the width leaves, QUEUED shows on wide terminals. */
struct sock_cols {
	int comm;
	bool queued;
};

static struct sock_cols sock_layout(unsigned width)
{
	/* VERDICT PID PROTO RCVBUF HOLDS DROPS LIMIT INODE and their separators, without COMM */
	const int fixed = 8 + 1 + 7 + 1 + 1 + 9 + 1 + 7 + 1 + 6 + 1 + 8 + 1 + 7 + 1 + 10;
	struct sock_cols c = { .queued = (int)width >= fixed + 15 + 8 };
	int room = (int)width - fixed - (c.queued ? 8 : 0);

	c.comm = room > 15 ? 15 : room < 7 ? 7 : room;
	return c;
}

/* The first max sockets (0: all); the rest are counted on one line. */
static void sockets_table(FILE *f, json_object *socks, const struct render_opts *o, size_t max)
{
	size_t n = socks ? json_object_array_length(socks) : 0, shown = max && max < n ? max : n;
	struct sock_cols col = sock_layout(o->width);
	char rb[16], q[16], pr[16], h[24], dr[24], comm[32], text[1024], fit[1024];

	if (n == 0) {
		if (o->legend)
			fprintf(f, "no netlink socket drops or is at risk\n");
		return;
	}
	if (o->legend) {
		fprintf(f, "%s%-8s %7s %-*s %-9s %7s %6s %8s ", on(o, BOLD), "VERDICT", "PID",
			col.comm, "COMM", "PROTO", "RCVBUF", "HOLDS", "DROPS");
		if (col.queued)
			fprintf(f, "%7s ", "QUEUED");
		fprintf(f, "%-7s %s%s\n", "LIMIT", "INODE", on(o, RESET));
	}
	for (size_t i = 0; i < shown; i++) {
		json_object *s = json_object_array_get_idx(socks, i), *pids = report_get(s, "pids");
		const char *v = report_str(s, "verdict");
		char pid[16] = "-";

		if (pids && json_object_array_length(pids))
			snprintf(
			    pid, sizeof(pid), "%" PRIu64,
			    (uint64_t)json_object_get_uint64(json_object_array_get_idx(pids, 0)));
		sanitize_text(comm, sizeof(comm), report_str(s, "comm"));
		fprintf(f, "%s%-8s%s %7s %-*.*s %-9.9s %7s %6s %8s ", paint(v, o), v, on(o, RESET),
			pid, col.comm, col.comm, comm[0] ? comm : "-",
			proto(pr, sizeof(pr), report_u64(s, "protocol")),
			units_size(rb, sizeof(rb), report_u64(s, "rcvbuf")),
			count8(h, sizeof(h),
			       report_u64(s, "holds_events") > 999999
				   ? 999999
				   : report_u64(s, "holds_events")),
			count8(dr, sizeof(dr), report_u64(s, "drops")));
		if (col.queued)
			fprintf(f, "%7s ", units_size(q, sizeof(q), report_u64(s, "queued")));
		fprintf(f, "%-7s %" PRIu64 "\n", report_str(s, "limit"), report_u64(s, "inode"));
		if (report_str(s, "fix")[0]) {
			/* One line: the whole text is in explain and --json. */
			sanitize_text(text, sizeof(text), report_str(s, "fix"));
			fprintf(f, "  fix: %s\n",
				term_fit(fit, sizeof(fit), text, o->width > 7 ? o->width - 7 : 1));
		}
	}
	if (shown < n && o->legend)
		fprintf(f, "... and %zu more: nltune sockets\n", n - shown);
}

void render_sockets(FILE *f, json_object *socks, const struct render_opts *o)
{
	sockets_table(f, socks, o, 0);
}

/* The newest max alerts (0: all), newest first: the one to act on; one line each. */
static void alerts_recent(FILE *f, json_object *alerts, const struct render_opts *o, size_t max)
{
	size_t n = alerts ? json_object_array_length(alerts) : 0,
	       stop = max && max < n ? n - max : 0;

	if (n == 0) {
		if (o->legend)
			fprintf(f, "no alerts\n");
		return;
	}
	for (size_t i = n; i-- > stop;) {
		json_object *a = json_object_array_get_idx(alerts, i);
		const char *sev = report_str(a, "severity");
		const char *c = strcmp(sev, "critical") == 0  ? on(o, RED)
				: strcmp(sev, "warning") == 0 ? on(o, YELLOW)
							      : "";
		char msg[1024], line[1200], fit[1200], when[64];
		int pre;

		/* The severity is printed apart so the colour codes take no column. */
		pre = snprintf(line, sizeof(line), "%s #%" PRIu64 " %s: %s",
			       short_time(when, sizeof(when), report_str(a, "time"), true),
			       report_u64(a, "id"), report_str(a, "kind"),
			       sanitize_text(msg, sizeof(msg), report_str(a, "message")));
		(void)pre;
		fprintf(f, "%s%-8s%s %s\n", c, sev, on(o, RESET),
			term_fit(fit, sizeof(fit), line, o->width > 9 ? o->width - 9 : 1));
	}
	if (stop && o->legend)
		fprintf(f, "... and %zu older: nltune alerts\n", stop);
}

void render_alerts(FILE *f, json_object *alerts, const struct render_opts *o)
{
	alerts_recent(f, alerts, o, 0);
}

int render_attention(json_object *st, char *buf, size_t len)
{
	json_object *sys = report_get(st, "sysctl"), *rec = report_get(st, "recommended");
	json_object *socks = report_get(st, "sockets");
	size_t ns = socks ? json_object_array_length(socks) : 0, dropping = 0, risk = 0;
	int n = 0;
	size_t at = 0;

	buf[0] = '\0';
#define SAY(...)                                                                                   \
	do {                                                                                       \
		if (at < len)                                                                      \
			at += (size_t)snprintf(buf + at, len - at, "%s", n ? "; " : "");           \
		if (at < len)                                                                      \
			at += (size_t)snprintf(buf + at, len - at, __VA_ARGS__);                   \
		n++;                                                                               \
	} while (0)
	for (size_t i = 0; i < ns; i++) {
		const char *v = report_str(json_object_array_get_idx(socks, i), "verdict");

		dropping += strcmp(v, "dropping") == 0;
		risk += strcmp(v, "at-risk") == 0;
	}
	if (dropping)
		SAY("%zu socket%s dropping", dropping, dropping == 1 ? "" : "s");
	if (risk)
		SAY("%zu socket%s at risk", risk, risk == 1 ? "" : "s");
	if (report_u64(sys, "rmem_default") < report_u64(rec, "rmem_default"))
		SAY("rmem_default below the recommendation");
	if (report_u64(sys, "rmem_max") < report_u64(rec, "rmem_max"))
		SAY("rmem_max below the recommendation");
	if (report_u64(report_get(st, "uevents"), "own_drops"))
		SAY("nltuned lost %" PRIu64 " events",
		    report_u64(report_get(st, "uevents"), "own_drops"));
#undef SAY
	return n;
}

/* "#########" scaled to max, at least one mark for a boot with any peak. */
static const char *bar(char *buf, size_t len, uint64_t v, uint64_t max, size_t width)
{
	size_t n = max ? (size_t)((double)v / (double)max * (double)width + 0.5) : 0;

	if (v && !n)
		n = 1;
	if (n >= len)
		n = len - 1;
	memset(buf, '#', n);
	buf[n] = '\0';
	return buf;
}

/* "peaks of the last boots: 1.6M 980.0K 3.2M (now)": one short line. */
static void boots_line(FILE *f, json_object *hist, const struct render_opts *o)
{
	json_object *boots = report_get(hist, "boots");
	size_t n = boots ? json_object_array_length(boots) : 0, from, at = 0;
	char line[512], k[16];

	if (!n)
		return;
	from = n > RENDER_STATUS_BOOTS ? n - RENDER_STATUS_BOOTS : 0;
	at += (size_t)snprintf(line, sizeof(line), "%-14s", "last boots");
	for (size_t i = from; i < n && at < sizeof(line); i++) {
		json_object *b = json_object_array_get_idx(boots, i);
		json_object *cur = report_get(b, "current");

		at += (size_t)snprintf(line + at, sizeof(line) - at, " %s%s",
				       units_size(k, sizeof(k), report_u64(b, "peak_bytes")),
				       cur && json_object_get_boolean(cur) ? " (this)" : "");
	}
	if (at < sizeof(line))
		snprintf(line + at, sizeof(line) - at, "%s", o->legend ? "; nltune history" : "");
	term_wrap(f, "", 15, line, o->width);
}

/* Group 2 (udevd's re-broadcasts) beside group 1, once nltuned heard any. */
static void udev_line(FILE *f, json_object *u, const struct render_opts *o)
{
	char a[16], line[300];
	int n;

	if (u == NULL || report_u64(u, "total") == 0)
		return;
	n = snprintf(line, sizeof(line),
		     "%" PRIu64 " this boot; peak %" PRIu64 " messages / %s (group 2)",
		     report_u64(u, "total"), report_u64(u, "peak_events"),
		     units_size(a, sizeof(a), report_u64(u, "peak_bytes")));
	if (json_object_object_get_ex(u, "coldplug_events", NULL) && n > 0 &&
	    (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n,
			 "; coldplug %" PRIu64 " messages / %s in %" PRIu64 " ms",
			 report_u64(u, "coldplug_events"),
			 units_size(a, sizeof(a), report_u64(u, "coldplug_bytes")),
			 report_u64(u, "coldplug_ms"));
	term_wrap(f, "udev           ", 15, line, o->width);
}

void render_status(FILE *f, json_object *st, const struct render_opts *o)
{
	json_object *sys = report_get(st, "sysctl"), *rec = report_get(st, "recommended"),
		    *ue = report_get(st, "uevents");
	json_object *socks = report_get(st, "sockets"), *alerts = report_get(st, "alerts");
	uint64_t d = report_u64(sys, "rmem_default"), m = report_u64(sys, "rmem_max");
	uint64_t rd = report_u64(rec, "rmem_default"), rm = report_u64(rec, "rmem_max");
	char a[16], b[16], text[1024], line[1200];

	if (o->legend) {
		fprintf(f, "%snltune status%s (%s)\n\n", on(o, BOLD), on(o, RESET),
			report_str(st, "source"));
		fprintf(f, "%-14s %10s %12s\n", "", "in force", "recommended");
	}
	fprintf(f, "%-14s %10s %12s%s\n", "rmem_default", units_size(a, sizeof(a), d),
		units_size(b, sizeof(b), rd), d < rd ? "   low: nltune apply" : "");
	fprintf(f, "%-14s %10s %12s%s\n", "rmem_max", units_size(a, sizeof(a), m),
		units_size(b, sizeof(b), rm), m < rm ? "   low: nltune apply" : "");
	term_wrap(f, "need           ", 15,
		  sanitize_text(text, sizeof(text), report_str(rec, "reason")), o->width);
	if (strcmp(report_str(st, "source"), "daemon") != 0 && report_u64(ue, "total") == 0)
		snprintf(line, sizeof(line), "no figures of this boot: nltuned is not running");
	else {
		int n = snprintf(line, sizeof(line),
				 "%" PRIu64 " this boot; peak %" PRIu64 " events / %s in %" PRIu64
				 " ms",
				 report_u64(ue, "total"), report_u64(ue, "peak_events"),
				 units_size(a, sizeof(a), report_u64(ue, "peak_bytes")),
				 report_u64(ue, "window_ms"));

		if (report_u64(ue, "own_drops") && n > 0 && (size_t)n < sizeof(line))
			snprintf(line + n, sizeof(line) - (size_t)n, "; nltuned lost %" PRIu64,
				 report_u64(ue, "own_drops"));
	}
	term_wrap(f, "uevents        ", 15, line, o->width);
	udev_line(f, report_get(ue, "udev"), o);
	if (json_object_object_get_ex(ue, "coldplug_events", NULL)) {
		snprintf(line, sizeof(line),
			 "%" PRIu64 " events / %s in %" PRIu64 " ms from udev's trigger, measured",
			 report_u64(ue, "coldplug_events"),
			 units_size(a, sizeof(a), report_u64(ue, "coldplug_bytes")),
			 report_u64(ue, "coldplug_ms"));
		term_wrap(f, "coldplug       ", 15, line, o->width);
	}
	boots_line(f, report_get(st, "history"), o);
	fprintf(f, "\n");
	sockets_table(f, socks, o, RENDER_STATUS_SOCKETS);
	render_scan_gaps(f, report_get(st, "scan"));
	if (o->legend)
		fprintf(f, "\n");
	alerts_recent(f, alerts, o, RENDER_STATUS_ALERTS);
	if (o->legend && render_attention(st, text, sizeof(text))) {
		fprintf(f, "\n");
		snprintf(line, sizeof(line), "%s%s", text, ".");
		term_wrap(f, "attention: ", 11, line, o->width);
	}
}

/* "16:42:29" (or "Nov 28 16:42" on another day than today) in local time from ISO 8601. */
static const char *clock_time(char *buf, size_t len, const char *iso)
{
	struct tm tm = { 0 }, lt, today;
	time_t t, now = time(NULL);

	if (!strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "-");
		return buf;
	}
	t = timegm(&tm);
	localtime_r(&t, &lt);
	localtime_r(&now, &today);
	strftime(buf, len,
		 lt.tm_yday == today.tm_yday && lt.tm_year == today.tm_year ? "%H:%M:%S"
									    : "%b %d %H:%M",
		 &lt);
	return buf;
}

/* "  16:42:29 cli     default 208.0K -> 4.0M, max 4.0M": one write of a boot. */
static void write_line(FILE *f, json_object *w, const struct render_opts *o)
{
	json_object *b = report_get(w, "before"), *a = report_get(w, "after");
	char when[32], k1[16], k2[16], line[256], *at = line;
	size_t left = sizeof(line);
	int n;

	n = snprintf(at, left, "%-13s %-6s", clock_time(when, sizeof(when), report_str(w, "time")),
		     report_str(w, "by"));
	at += n, left -= (size_t)n;
	if (report_u64(b, "rmem_default") != report_u64(a, "rmem_default")) {
		n = snprintf(at, left, " default %s -> %s",
			     units_size(k1, sizeof(k1), report_u64(b, "rmem_default")),
			     units_size(k2, sizeof(k2), report_u64(a, "rmem_default")));
		at += n, left -= (size_t)n;
	}
	if (report_u64(b, "rmem_max") != report_u64(a, "rmem_max"))
		snprintf(at, left, "%s max %s -> %s", at > line + 21 ? "," : "",
			 units_size(k1, sizeof(k1), report_u64(b, "rmem_max")),
			 units_size(k2, sizeof(k2), report_u64(a, "rmem_max")));
	term_wrap(f, "          ", 10, line, o->width);
}

void render_history(FILE *f, json_object *hist, const struct render_opts *o)
{
	json_object *boots = report_get(hist, "boots"), *cp = report_get(hist, "coldplug");
	size_t n = boots ? json_object_array_length(boots) : 0;
	uint64_t max = 0;
	char k[16], k2[16], when[64], bars[BAR_MAX + 1], id[16];

	if (o->legend && cp)
		fprintf(f, "coldplug estimate: %" PRIu64 " devices, %s (covers a first boot)\n\n",
			report_u64(cp, "devices"),
			units_size(k, sizeof(k), report_u64(cp, "bytes")));
	if (n == 0) {
		if (o->legend)
			fprintf(f, "no boots recorded yet: nltuned keeps them\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t v = report_u64(json_object_array_get_idx(boots, i), "peak_bytes");

		max = v > max ? v : max;
	}
	if (o->legend)
		fprintf(f, "%s%-9s %-12s %7s %7s %8s %s%s\n", on(o, BOLD), "BOOT", "LAST SEEN",
			"EVENTS", "PEAK", "COLDPLUG", "PEAK BYTES", on(o, RESET));
	for (size_t i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(boots, i),
			    *cur = report_get(b, "current");
		json_object *cb = report_get(b, "coldplug_burst"), *w = report_get(b, "writes");
		json_object *u = report_get(b, "udev");

		snprintf(id, sizeof(id), "%.8s%s", report_str(b, "boot_id"),
			 cur && json_object_get_boolean(cur) ? "*" : "");
		if (report_get(b, "updated"))
			short_time(when, sizeof(when), report_str(b, "updated"), false);
		else
			snprintf(when, sizeof(when), "-");
		fprintf(f, "%-9s %-12s %7" PRIu64 " %7s %8s%s%s\n", id, when,
			report_u64(b, "peak_events"),
			units_size(k, sizeof(k), report_u64(b, "peak_bytes")),
			cb ? units_size(k2, sizeof(k2), report_u64(cb, "bytes")) : "-",
			report_u64(b, "peak_bytes") ? " " : "",
			bar(bars, sizeof(bars), report_u64(b, "peak_bytes"), max, BAR_MAX));
		if (u != NULL) { /* group 2 beside group 1: udevd's re-broadcasts */
			json_object *ucb = report_get(u, "coldplug_burst");

			fprintf(f, "%-9s udev: peak %" PRIu64 " / %s, coldplug %s\n", "",
				report_u64(u, "peak_events"),
				units_size(k, sizeof(k), report_u64(u, "peak_bytes")),
				ucb ? units_size(k2, sizeof(k2), report_u64(ucb, "bytes")) : "-");
		}
		for (size_t j = 0; w && j < json_object_array_length(w); j++)
			write_line(f, json_object_array_get_idx(w, j), o);
	}
}
