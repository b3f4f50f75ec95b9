/* SPDX-License-Identifier: MIT */
/* `nltune monitor`: listen to uevents, print one line per burst and a totals line. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "meter.h"
#include "report.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

struct monitor_ctx {
	bool json;
};

static void print_burst(void *arg, const struct burst *b)
{
	struct monitor_ctx *mc = arg;
	char line[1024];

	if (mc->json) {
		report_print_json(report_burst_json(b));
		return;
	}
	report_burst_text(line, sizeof(line), b);
	puts(line);
	fflush(stdout);
}

int cmd_monitor(struct cli *c)
{
	struct monitor_ctx mc = { .json = c->json };
	struct sigaction sa = { .sa_handler = on_signal };
	struct meter mt;
	uint64_t start, end = UINT64_MAX;
	uint64_t drops_reported = 0;
	char line[512];
	int r;

	r = meter_open(&mt, c->conf.monitor_buffer, c->conf.window_ms, BURST_GAP_MS_DEFAULT,
		       print_burst, &mc);
	if (r < 0) {
		errno = -r;
		log_warn("cannot open the uevent socket");
		return 1;
	}
	if (!mt.mon.forced)
		log_warnx("SO_RCVBUFFORCE refused (needs CAP_NET_ADMIN): monitor buffer is %llu "
			  "bytes, not %llu; run as root to measure large bursts without loss",
			  (unsigned long long)mt.mon.rcvbuf,
			  (unsigned long long)c->conf.monitor_buffer);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = uevmon_now_us();
	if (c->for_s > 0)
		end = start + (uint64_t)llround(c->for_s * 1e6);
	log_info("listening for uevents (buffer %llu bytes, burst ends after %d ms quiet)",
		 (unsigned long long)mt.mon.rcvbuf, BURST_GAP_MS_DEFAULT);

	while (!stop) {
		struct pollfd pfd = { .fd = mt.mon.fd, .events = POLLIN };
		uint64_t now = uevmon_now_us(), dl = burst_next_deadline(&mt.stats), wake = end;
		int timeout;

		if (dl != UINT64_MAX && now + dl < wake)
			wake = now + dl;
		if (now >= end)
			break;
		timeout = wake == UINT64_MAX ? -1 : (int)((wake - now + 999) / 1000);
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
			log_warn("poll");
			break;
		}
		now = uevmon_now_us();
		if (pfd.revents & (POLLIN | POLLERR)) {
			r = meter_read(&mt, now);
			if (r < 0) {
				errno = -r;
				log_warn("reading uevents");
				break;
			}
		}
		meter_tick(&mt, now, 0);
		if (mt.mon.own_drops > drops_reported) {
			log_warnx(
			    "missed %llu events! raise monitor-buffer (now %llu bytes) or run "
			    "as root so SO_RCVBUFFORCE works",
			    (unsigned long long)(mt.mon.own_drops - drops_reported),
			    (unsigned long long)mt.mon.rcvbuf);
			drops_reported = mt.mon.own_drops;
		}
	}
	meter_tick(&mt, uevmon_now_us(), 1);
	if (c->json) {
		report_print_json(report_totals_json(&mt));
	} else {
		report_totals_text(line, sizeof(line), &mt);
		puts(line);
	}
	meter_close(&mt);
	return 0;
}
