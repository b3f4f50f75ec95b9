/* SPDX-License-Identifier: MIT */
/* Console tables rendered from the same JSON documents that --json prints. */
#include "render.h"

#include <inttypes.h>
#include <string.h>

#include "report.h"

#define RED    "\033[1;31m"
#define YELLOW "\033[33m"
#define GREEN  "\033[32m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

/* status is one screen: the worst sockets and the newest alerts, the rest counted. */
#define RENDER_STATUS_SOCKETS 8
#define RENDER_STATUS_ALERTS  5

const char *render_k(char *buf, size_t len, uint64_t b)
{
	/* Units switch once the rounded figure would reach 10000: at most 7 columns. */
	if (b < 10240)
		snprintf(buf, len, "%" PRIu64, b);
	else if ((double)b / 1024 < 9999.95)
		snprintf(buf, len, "%.1fK", (double)b / 1024);
	else if ((double)b / (1 << 20) < 9999.95)
		snprintf(buf, len, "%.1fM", (double)b / (1 << 20));
	else
		snprintf(buf, len, "%.1fG", (double)b / (1 << 30));
	return buf;
}

/* Printable comm: control bytes become '?', so a hostile name cannot drive the terminal. */
static const char *clean(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = '\0';
	return dst;
}

static const char *paint(const char *verdict, bool color)
{
	if (!color)
		return "";
	if (strcmp(verdict, "dropping") == 0)
		return RED;
	if (strcmp(verdict, "at-risk") == 0)
		return YELLOW;
	return GREEN;
}

/* The first max sockets (0: all); the rest are counted on one line. */
static void sockets_table(FILE *f, json_object *socks, bool color, size_t max)
{
	size_t n = socks ? json_object_array_length(socks) : 0, shown = max && max < n ? max : n;
	char rb[16], q[16], comm[32], text[1024];

	if (n == 0) {
		fprintf(f, "no netlink socket drops or is at risk\n");
		return;
	}
	fprintf(f, "%s%-9s %7s %-15s %5s %7s %6s %8s %7s %-8s %s%s\n", color ? BOLD : "", "VERDICT",
		"PID", "COMM", "PROTO", "RCVBUF", "HOLDS", "DROPS", "QUEUED", "LIMIT", "INODE",
		color ? RESET : "");
	for (size_t i = 0; i < shown; i++) {
		json_object *s = json_object_array_get_idx(socks, i), *pids = report_get(s, "pids");
		const char *v = report_str(s, "verdict");
		char pid[16] = "-";

		if (pids && json_object_array_length(pids))
			snprintf(
			    pid, sizeof(pid), "%" PRIu64,
			    (uint64_t)json_object_get_uint64(json_object_array_get_idx(pids, 0)));
		clean(comm, sizeof(comm), report_str(s, "comm"));
		fprintf(f,
			"%s%-9s%s %7s %-15.15s %5" PRIu64 " %7s %6" PRIu64 " %8" PRIu64
			" %7s %-8s %" PRIu64 "\n",
			paint(v, color), v, color ? RESET : "", pid, comm[0] ? comm : "-",
			report_u64(s, "protocol"),
			render_k(rb, sizeof(rb), report_u64(s, "rcvbuf")),
			report_u64(s, "holds_events"), report_u64(s, "drops"),
			render_k(q, sizeof(q), report_u64(s, "queued")), report_str(s, "limit"),
			report_u64(s, "inode"));
		if (report_str(s, "fix")[0]) {
			clean(text, sizeof(text), report_str(s, "fix"));
			fprintf(f, "          fix: %s\n", text);
		}
	}
	if (shown < n)
		fprintf(f, "... and %zu more: nltune sockets\n", n - shown);
}

void render_sockets(FILE *f, json_object *socks, bool color)
{
	sockets_table(f, socks, color, 0);
}

/* The newest max alerts (0: all), newest first: the one to act on. */
static void alerts_recent(FILE *f, json_object *alerts, bool color, size_t max)
{
	size_t n = alerts ? json_object_array_length(alerts) : 0,
	       stop = max && max < n ? n - max : 0;

	if (n == 0) {
		fprintf(f, "no alerts\n");
		return;
	}
	for (size_t i = n; i-- > stop;) {
		json_object *a = json_object_array_get_idx(alerts, i);
		const char *sev = report_str(a, "severity");
		const char *c = !color			       ? ""
				: strcmp(sev, "critical") == 0 ? RED
				: strcmp(sev, "warning") == 0  ? YELLOW
							       : "";
		char msg[1024];

		fprintf(f, "%s%-8s%s %s #%" PRIu64 " %s: %s\n", c, sev, color ? RESET : "",
			report_str(a, "time"), report_u64(a, "id"), report_str(a, "kind"),
			clean(msg, sizeof(msg), report_str(a, "message")));
	}
	if (stop)
		fprintf(f, "... and %zu older: nltune alerts\n", stop);
}

void render_alerts(FILE *f, json_object *alerts, bool color)
{
	alerts_recent(f, alerts, color, 0);
}

void render_status(FILE *f, json_object *st, bool color)
{
	json_object *sys = report_get(st, "sysctl"), *rec = report_get(st, "recommended"),
		    *ue = report_get(st, "uevents");
	json_object *socks = report_get(st, "sockets"), *alerts = report_get(st, "alerts");
	uint64_t d = report_u64(sys, "rmem_default"), m = report_u64(sys, "rmem_max");
	uint64_t rd = report_u64(rec, "rmem_default"), rm = report_u64(rec, "rmem_max");
	char a[16], b[16], text[1024];

	fprintf(f, "%snltune status%s (%s)\n\n", color ? BOLD : "", color ? RESET : "",
		report_str(st, "source"));
	fprintf(f, "%-14s %10s %12s\n", "", "in force", "recommended");
	fprintf(f, "%-14s %10s %12s%s\n", "rmem_default", render_k(a, sizeof(a), d),
		render_k(b, sizeof(b), rd), d < rd ? "   low: nltune apply" : "");
	fprintf(f, "%-14s %10s %12s%s\n", "rmem_max", render_k(a, sizeof(a), m),
		render_k(b, sizeof(b), rm), m < rm ? "   low: nltune apply" : "");
	fprintf(f, "%-14s %s\n", "need", clean(text, sizeof(text), report_str(rec, "reason")));
	if (strcmp(report_str(st, "source"), "daemon") != 0 && report_u64(ue, "total") == 0)
		fprintf(f, "%-14s no figures of this boot: nltuned is not running\n\n", "uevents");
	else
		fprintf(f,
			"%-14s %" PRIu64 " this boot; peak %" PRIu64 " events / %s in %" PRIu64
			" ms; nltuned lost %" PRIu64 "\n\n",
			"uevents", report_u64(ue, "total"), report_u64(ue, "peak_events"),
			render_k(a, sizeof(a), report_u64(ue, "peak_bytes")),
			report_u64(ue, "window_ms"), report_u64(ue, "own_drops"));
	sockets_table(f, socks, color, RENDER_STATUS_SOCKETS);
	fprintf(f, "\n");
	alerts_recent(f, alerts, color, RENDER_STATUS_ALERTS);
}
