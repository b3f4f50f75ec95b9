/* SPDX-License-Identifier: MIT */
/* nltuned's event loop: uevent socket, burst timer, SIGTERM/SIGINT/SIGHUP, the bus. */
#include "manager.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "bus.h"
#include "log.h"
#include "report.h"
#include "sysctl.h"

#define SAVE_INTERVAL_US (30ull * 1000000) /* peaks are written at most this often */

static void manager_burst(void *arg, const struct burst *b)
{
	char line[1024];

	(void)arg;
	report_burst_text(line, sizeof(line), b);
	log_info("%s", line);
}

static void arm_burst_timer(struct manager *m)
{
	uint64_t dl = burst_next_deadline(&m->meter.stats);

	if (dl == UINT64_MAX) {
		sd_event_source_set_enabled(m->burst_timer, SD_EVENT_OFF);
		return;
	}
	sd_event_source_set_time(m->burst_timer, uevmon_now_us() + dl);
	sd_event_source_set_enabled(m->burst_timer, SD_EVENT_ONESHOT);
}

static void check_own_drops(struct manager *m)
{
	const struct uevmon *u = &m->meter.mon;

	if (u->own_drops <= m->drops_reported)
		return;
	log_warnx("missed %llu events! raise monitor-buffer (now %llu bytes)%s",
		  (unsigned long long)(u->own_drops - m->drops_reported),
		  (unsigned long long)u->rcvbuf,
		  u->forced ? "" : " and give nltuned CAP_NET_ADMIN so SO_RCVBUFFORCE works");
	m->drops_reported = u->own_drops;
}

static int on_uevent(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	int r = meter_read(&m->meter, uevmon_now_us());

	if (r < 0) {
		errno = -r;
		log_warn("reading uevents");
	}
	check_own_drops(m);
	arm_burst_timer(m);
	return 0;
}

static int on_burst_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	meter_tick(&m->meter, uevmon_now_us(), 0);
	arm_burst_timer(m);
	return 0;
}

void manager_save_state(struct manager *m, int force)
{
	const struct burst_stats *st = &m->meter.stats;
	struct state_boot b = { 0 };
	int r;

	if (!m->boot_id[0])
		return;
	if (!force && burst_peak_bytes(st) == m->saved_peak_bytes)
		return;
	memcpy(b.boot_id, m->boot_id, sizeof(b.boot_id));
	b.peak_events = burst_peak_events(st);
	b.peak_bytes = burst_peak_bytes(st);
	b.window_ms = m->conf.window_ms;
	b.total_events = st->total_events;
	b.updated = (uint64_t)time(NULL);
	state_record_boot(&m->state, &b, m->conf.history);
	r = state_save(m->conf.state_dir, &m->state);
	if (r < 0) {
		log_warnx("cannot save %s/%s: %s; burst history of this boot is not kept",
			  m->conf.state_dir, STATE_FILE, strerror(-r));
		return;
	}
	m->saved_peak_bytes = b.peak_bytes;
}

static int on_save_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	manager_save_state(m, 0);
	sd_event_source_set_time(s, usec + SAVE_INTERVAL_US);
	return 0;
}

static void load_state(struct manager *m)
{
	int r = state_load(m->conf.state_dir, &m->state);

	if (r == -EBADMSG)
		log_warnx("%s/%s is damaged or truncated: ignored, rewritten on the next save",
			  m->conf.state_dir, STATE_FILE);
	else if (r == -EPROTONOSUPPORT)
		log_warnx("%s/%s is from another nltune version: ignored", m->conf.state_dir,
			  STATE_FILE);
	else if (r < 0 && r != -ENOENT)
		log_warnx("cannot read %s/%s: %s; starting without history", m->conf.state_dir,
			  STATE_FILE, strerror(-r));
	if (r < 0)
		state_init(&m->state);
	if (sysctl_boot_id(m->boot_id, sizeof(m->boot_id)) < 0) {
		log_warnx("no boot id under %s/sys/kernel/random: burst history is not saved",
			  "<proc>");
		m->boot_id[0] = '\0';
	}
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	manager_reload(userdata);
	return 0;
}

int manager_reload(struct manager *m)
{
	struct nlt_conf next;
	char err[1024];

	sd_notify(0, "RELOADING=1");
	if (nlt_conf_load(&next, m->conf_path, err, sizeof(err)) < 0) {
		log_warnx("%s; keeping the configuration in force", err);
		sd_notify(0, "READY=1");
		return -EINVAL;
	}
	/* The state dir given on the command line outlives a reload. */
	memcpy(next.state_dir, m->conf.state_dir, sizeof(next.state_dir));
	m->conf = next;
	log_info("configuration reloaded from %s", m->conf_path);
	sd_notify(0, "READY=1");
	return 0;
}

int manager_init(struct manager *m, const struct nlt_conf *conf, const char *conf_path)
{
	sigset_t ss;
	int r;

	memset(m, 0, sizeof(*m));
	m->conf = *conf;
	m->conf_path = conf_path;
	r = meter_open(&m->meter, conf->monitor_buffer, conf->window_ms, BURST_GAP_MS_DEFAULT,
		       manager_burst, m);
	if (r < 0) {
		errno = -r;
		log_warn("cannot open the uevent socket");
		return r;
	}
	if (!m->meter.mon.forced)
		log_warnx("SO_RCVBUFFORCE refused: monitor buffer is %llu bytes, not %llu; give "
			  "nltuned CAP_NET_ADMIN to measure large bursts without loss",
			  (unsigned long long)m->meter.mon.rcvbuf,
			  (unsigned long long)conf->monitor_buffer);
	r = sd_event_default(&m->event);
	if (r < 0)
		return r;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	if ((r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL)) < 0 ||
	    (r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL)) < 0 ||
	    (r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m)) < 0 ||
	    (r = sd_event_add_io(m->event, &m->io, m->meter.mon.fd, EPOLLIN, on_uevent, m)) < 0 ||
	    (r = sd_event_add_time(m->event, &m->burst_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
				   on_burst_timer, m)) < 0)
		return r;
	sd_event_source_set_enabled(m->burst_timer, SD_EVENT_OFF);
	load_state(m);
	r = sd_event_add_time_relative(m->event, &m->save_timer, CLOCK_MONOTONIC, SAVE_INTERVAL_US,
				       1000000, on_save_timer, m);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(m->save_timer, SD_EVENT_ON);
	bus_start(m);
	return 0;
}

int manager_run(struct manager *m)
{
	char line[512];
	int r;

	log_info("measuring uevent bursts (monitor buffer %llu bytes, window %u ms)",
		 (unsigned long long)m->meter.mon.rcvbuf, m->conf.window_ms);
	sd_notify(0, "READY=1\nSTATUS=measuring uevent bursts");
	r = sd_event_loop(m->event);
	sd_notify(0, "STOPPING=1");
	meter_tick(&m->meter, uevmon_now_us(), 1);
	report_totals_text(line, sizeof(line), &m->meter);
	log_info("%s", line);
	manager_save_state(m, 1);
	return r < 0 ? 1 : 0;
}

void manager_free(struct manager *m)
{
	bus_stop(m);
	sd_event_source_unref(m->io);
	sd_event_source_unref(m->burst_timer);
	sd_event_source_unref(m->save_timer);
	sd_event_unref(m->event);
	meter_close(&m->meter);
}
