/* SPDX-License-Identifier: MIT */
/* `nltune monitor`: listen to uevents, print one line per burst and a totals line. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "cli.h"
#include "log.h"
#include "meter.h"
#include "recommend.h"
#include "report.h"
#include "sysctl.h"
#include "term.h"
#include "units.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

struct monitor_ctx {
	bool json, pretty;
	bool live;	  /* a terminal: one line that shows the burst in progress */
	bool live_shown;  /* that line is on the screen now */
	uint64_t live_at; /* monotonic us of its last refresh */
	unsigned width;
};

/* Wall-clock unix ms of a monotonic timestamp (us) taken in this process. */
static uint64_t wall_ms(uint64_t mono_us)
{
	uint64_t now_mono = clock_mono_us(), real = clock_wall_ms();

	return real - (now_mono > mono_us ? (now_mono - mono_us) / 1000 : 0);
}

/* "16:13:47.123": local time of the day, as a line's stamp. */
static const char *stamp(char *buf, size_t len, uint64_t unix_ms)
{
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;
	char hms[16];

	localtime_r(&t, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03u", hms, (unsigned)(unix_ms % 1000));
	return buf;
}

static void live_clear(struct monitor_ctx *mc)
{
	if (mc->live_shown)
		fputs("\r\033[K", stdout);
	mc->live_shown = false;
}

/* Refresh the live line at most ten times a second while a burst is in progress. */
static void live_show(struct monitor_ctx *mc, const struct meter *mt, uint64_t now)
{
	const struct burst *b = &mt->stats.cur;
	char sz[32], line[256], when[32];

	if (!mc->live || !b->events || (mc->live_shown && now - mc->live_at < 100000))
		return;
	snprintf(line, sizeof(line), "%s burst in progress: %" PRIu64 " events, %s so far",
		 stamp(when, sizeof(when), wall_ms(b->start_us)), b->events,
		 units_size(sz, sizeof(sz), b->bytes));
	if (strlen(line) >= mc->width)
		line[mc->width - 1] = '\0';
	fprintf(stdout, "\r\033[K%s", line);
	fflush(stdout);
	mc->live_shown = true;
	mc->live_at = now;
}

static void print_burst(void *arg, const struct burst *b)
{
	struct monitor_ctx *mc = arg;
	char line[1024], when[32], first[48];
	uint64_t t = wall_ms(b->start_us);
	json_object *o;

	live_clear(mc);
	if (mc->json) {
		o = report_burst_json(b);
		json_object_object_add(o, "time",
				       json_object_new_string(units_time(when, sizeof(when), t)));
		report_print_json(o, mc->pretty);
		return;
	}
	report_burst_text(line, sizeof(line), b);
	snprintf(first, sizeof(first), "%s ", stamp(when, sizeof(when), t));
	if (mc->live) /* a terminal: wrapped to its width */
		term_wrap(stdout, first, strlen(first), line, mc->width);
	else
		printf("%s%s\n", first, line);
	fflush(stdout);
}

int cmd_monitor(struct cli *c)
{
	struct monitor_ctx mc = { .json = c->json,
				  .pretty = c->json_pretty == 1,
				  .live = !c->json && term_isatty(),
				  .width = c->width };
	struct sigaction sa = { .sa_handler = on_signal };
	struct meter mt;
	uint64_t start, end = UINT64_MAX;
	uint64_t drops_reported = 0, memtotal = 0, buffer;
	char line[512];
	int r;

	if (sysctl_memtotal(&memtotal) < 0)
		memtotal = 0; /* unknown: the full default */
	buffer = recommend_monitor_buffer(&c->conf, memtotal);
	r = meter_open(&mt, buffer, c->conf.window_ms, BURST_GAP_MS_DEFAULT, print_burst, &mc);
	if (r < 0) {
		errno = -r;
		log_warn("cannot open the uevent socket");
		return 1;
	}
	if (!mt.mon.forced)
		log_warnx("SO_RCVBUFFORCE refused (needs CAP_NET_ADMIN): monitor buffer is %llu "
			  "bytes, not %llu; run as root to measure large bursts without loss",
			  (unsigned long long)mt.mon.rcvbuf, (unsigned long long)buffer);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = clock_mono_us();
	if (c->for_s > 0)
		end = start + (uint64_t)llround(c->for_s * 1e6);
	log_info("listening for uevents (buffer %llu bytes, burst ends after %d ms quiet)",
		 (unsigned long long)mt.mon.rcvbuf, BURST_GAP_MS_DEFAULT);

	while (!stop) {
		struct pollfd pfd = { .fd = mt.mon.fd, .events = POLLIN };
		uint64_t now = clock_mono_us(), dl = burst_next_deadline(&mt.stats), wake = end;
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
		now = clock_mono_us();
		if (pfd.revents & (POLLIN | POLLERR)) {
			r = meter_read(&mt, now);
			if (r < 0) {
				errno = -r;
				log_warn("reading uevents");
				break;
			}
		}
		meter_tick(&mt, now, 0);
		live_show(&mc, &mt, now);
		if (mt.mon.own_drops > drops_reported) {
			log_warnx(
			    "missed %llu events! raise monitor-buffer (now %llu bytes) or run "
			    "as root so SO_RCVBUFFORCE works",
			    (unsigned long long)(mt.mon.own_drops - drops_reported),
			    (unsigned long long)mt.mon.rcvbuf);
			drops_reported = mt.mon.own_drops;
		}
	}
	meter_tick(&mt, clock_mono_us(), 1);
	live_clear(&mc);
	if (c->json) {
		cli_print_json(c, report_totals_json(&mt));
	} else {
		report_totals_text(line, sizeof(line), &mt);
		puts(line);
	}
	meter_close(&mt);
	return 0;
}
