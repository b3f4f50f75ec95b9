/* SPDX-License-Identifier: MIT */
/* nltuned's event loop: uevent socket, burst, scan, save and watchdog timers, signals. */
#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "collect.h"
#include "costscan.h"
#include "fixlog.h"
#include "fixsock.h"
#include "hide.h"
#include "log.h"
#include "metrics.h"
#include "paths.h"
#include "report.h"
#include "safedir.h"
#include "revert.h"
#include "sysctl.h"
#include "units.h"
#include "watch.h"

#define SAVE_INTERVAL_US    (30ull * 1000000) /* peaks are written at most this often */
#define BURST_LOG_EVENTS    32	  /* smaller bursts are logged with -v only (or when large) */
#define SCAN_AFTER_BURST_US 50000 /* a scan follows each burst this soon */

static void manager_save_state(struct manager *m, int force);
static json_object *manager_status_json(struct manager *m, const struct hide_view *v);

/* What a caller of uid may see (hide.h); HIDE_UID_ANYONE: whoever listens to a broadcast. */
static struct hide_view view_of(struct manager *m, uint32_t uid)
{
	int hidepid = m->conf.hide_owners == NLT_HIDE_AUTO ? paths_proc_hidepid() : 0;

	return hide_view_of(hide_active(m->conf.hide_owners, hidepid), uid, m->scan.netns_self);
}

bool manager_hides_owners(struct manager *m)
{
	return view_of(m, HIDE_UID_ANYONE).on;
}

uint32_t manager_view_uid(struct manager *m, uint32_t uid)
{
	return view_of(m, uid).on ? uid : 0;
}

static void notify_status(struct manager *m)
{
	const struct burst_stats *st = &m->meter.stats;
	size_t bad = 0;

	for (size_t i = 0; i < m->scan.nrows; i++)
		bad += m->scan.rows[i].v.verdict != VERDICT_OK;
	sd_notifyf(0,
		   "STATUS=%" PRIu64 " uevents, peak %" PRIu64 " in %u ms; rmem_default %" PRIu64
		   " (recommended %" PRIu64 "); %zu sockets at risk or dropping",
		   st->total_events, burst_peak_events(st), m->conf.window_ms,
		   m->snap.sysctl.rmem_default, m->snap.rec.rmem_default, bad);
}

static void refresh_status(struct manager *m)
{
	const struct burst_stats *st = &m->meter.stats;
	struct manager_status *s = &m->status;
	uint64_t pe = burst_peak_events(st);

	s->rmem_default = m->snap.sysctl.rmem_default;
	s->rmem_max = m->snap.sysctl.rmem_max;
	s->rec_rmem_default = m->snap.rec.rmem_default;
	s->rec_rmem_max = m->snap.rec.rmem_max;
	s->events_total = st->total_events;
	s->peak_bytes = burst_peak_bytes(st);
	s->peak_events = pe > UINT32_MAX ? UINT32_MAX : (uint32_t)pe;
	s->drops_total = m->drops_total + m->meter.mon.own_drops;
	pe = burst_peak_events(&m->meter.udev_stats);
	s->udev_events_total = m->meter.udev_stats.total_events;
	s->udev_peak_bytes = burst_peak_bytes(&m->meter.udev_stats);
	s->udev_peak_events = pe > UINT32_MAX ? UINT32_MAX : (uint32_t)pe;
	s->policy = nlt_policy_name(m->conf.policy);
	s->version = NLTUNE_VERSION;
}

/* Refresh the read model and tell the server. */
static void changed(struct manager *m)
{
	refresh_status(m);
	if (m->hooks.changed)
		m->hooks.changed(m->hooks.ctx, &m->status);
}

void manager_set_hooks(struct manager *m, const struct manager_hooks *hooks)
{
	m->hooks = *hooks;
}

/* One journal entry per alert: priority by severity, MESSAGE_ID by kind, the socket's fields. */
static void log_alert(const struct alert *a)
{
	static const int prio[] = {
		[SEV_INFO] = LOG_NOTICE, [SEV_WARNING] = LOG_WARNING, [SEV_CRITICAL] = LOG_CRIT
	};
	const char *kind = alerts_kind_name(a->kind);
	struct log_fields f = { .message_id = catalog_message_id(kind),
				.kind = kind,
				.pid = a->pid,
				.comm = a->comm[0] ? a->comm : NULL,
				.inode = a->inode };

	log_fields(prio[a->severity], &f, "alert #%" PRIu64 " %s: %s", a->id, kind, a->message);
}

/* Keep an alert: log it once, hand it to the server. */
static void raise_alert(struct manager *m, const struct alert *proto)
{
	uint64_t now = clock_mono_ms();
	struct hide_view anyone;
	struct alert a;
	json_object *o;

	if (alerts_raise(m->alerts, now, proto, &a) <= 0)
		return;
	if (alerts_log_pass(m->alerts, now, &a))
		log_alert(&a);
	if (!m->hooks.alert)
		return;
	/* A broadcast reaches every user: owners hidden from one are hidden from it. */
	anyone = view_of(m, HIDE_UID_ANYONE);
	hide_alert(&anyone, &a, &a);
	o = report_alert_json(&a);
	m->hooks.alert(m->hooks.ctx, o);
	json_object_put(o);
}

static void schedule_scan(struct manager *m, uint64_t delay_us)
{
	uint64_t at = clock_mono_us() + delay_us, cur = 0;

	if (sd_event_source_get_time(m->scan_timer, &cur) >= 0 && cur <= at &&
	    sd_event_source_get_enabled(m->scan_timer, NULL) > 0)
		return;
	sd_event_source_set_time(m->scan_timer, at);
	sd_event_source_set_enabled(m->scan_timer, SD_EVENT_ONESHOT);
}

void manager_hold_first_scan(struct manager *m, uint64_t usec)
{
	if (m->scanned || !m->scan_timer)
		return;
	sd_event_source_set_time(m->scan_timer, clock_mono_us() + usec);
	sd_event_source_set_enabled(m->scan_timer, SD_EVENT_ONESHOT);
}

void manager_release_first_scan(struct manager *m)
{
	if (!m->scanned && m->scan_timer)
		schedule_scan(m, 0);
}

static void emit_alert(void *arg, const struct alert *proto)
{
	raise_alert(arg, proto);
}

/* Once a minute at most: how many alert lines the budget kept out of the log. */
static void log_suppressed(struct manager *m)
{
	uint64_t n = alerts_log_summary(m->alerts, clock_mono_ms());

	if (n)
		log_warnx(
		    "%" PRIu64 " more alerts suppressed in the last minute (the log keeps %d a "
		    "minute, %d about one user); all are in nltune alerts and the Alert signal",
		    n, ALERTS_LOG_MAX, ALERTS_LOG_UID_MAX);
}

static void manager_burst(void *arg, const struct burst *b)
{
	struct manager *m = arg;
	char line[1024];

	report_burst_text(line, sizeof(line), b);
	/*
	 * One line for a burst of BURST_LOG_EVENTS or more, or one that fills an
	 * eighth of a default listener's buffer; the trickle of a few events
	 * (module loads, a key) and the bursts of a coldplug in progress (one line
	 * sums it up) only with -v, so the journal of a quiet boot stays short.
	 */
	if ((m->meter.cold.open && !m->meter.cold.done) ||
	    (b->events < BURST_LOG_EVENTS && b->bytes * 8 < m->snap.sysctl.rmem_default))
		log_debug("%s", line);
	else
		log_info("%s", line);
	m->scan_all_netns = true; /* a burst reaches every namespace's listeners */
	m->scan_factor = 1;	  /* and ends the rest */
	schedule_scan(m, SCAN_AFTER_BURST_US);
}

/* A burst of udevd's re-broadcasts (group 2) ended: its listeners are worth a look. */
static void manager_udev_burst(void *arg, const struct burst *b)
{
	struct manager *m = arg;
	char line[1024];

	report_burst_text(line, sizeof(line), b);
	log_debug("udev %s", line);
	m->scan_all_netns = true;
	m->scan_factor = 1;
	schedule_scan(m, SCAN_AFTER_BURST_US);
}

/* Group 2's coldplug is over: kept beside group 1's, for the need of udev's listeners. */
static void manager_udev_coldplug(void *arg, const struct coldmeter *c)
{
	struct manager *m = arg;
	char size[32];

	log_info("coldplug (udev, group 2): %" PRIu64 " messages / %s in %" PRIu64 " ms",
		 c->c_events, units_size(size, sizeof(size), c->c_bytes), coldmeter_ms(c));
	if (m->snap.boot_id[0] &&
	    state_record_udev_coldplug(&m->snap.state, m->snap.boot_id, c->c_events, c->c_bytes,
				       coldmeter_ms(c), m->conf.history) == 0) {
		m->snap.state_dirty = true;
		manager_save_state(m, 1);
	}
}

/* The coldplug burst is over: one line, and the record the next boot's apply --boot sizes from. */
static void manager_coldplug(void *arg, const struct coldmeter *c)
{
	struct manager *m = arg;
	char size[32];

	log_info("coldplug: %" PRIu64 " events / %s in %" PRIu64 " ms from udev's trigger (%" PRIu64
		 " devices added); the next boots size rmem_default from it",
		 c->c_events, units_size(size, sizeof(size), c->c_bytes), coldmeter_ms(c),
		 c->synth);
	if (m->snap.boot_id[0] &&
	    state_record_coldplug(&m->snap.state, m->snap.boot_id, c->c_events, c->c_bytes,
				  coldmeter_ms(c), m->conf.history) == 0) {
		m->snap.state_dirty = true;
		manager_save_state(m, 1);
	}
}

static void arm_burst_timer(struct manager *m)
{
	uint64_t now = clock_mono_us(), at = meter_burst_deadline(&m->meter);
	uint64_t cold = meter_coldplug_deadline(&m->meter);

	/* The coldplug completes after a quiet time: wake up for it too. */
	if (cold != UINT64_MAX && cold > now && cold < at)
		at = cold;
	if (at == UINT64_MAX) {
		sd_event_source_set_enabled(m->burst_timer, SD_EVENT_OFF);
		return;
	}
	sd_event_source_set_time(m->burst_timer, at);
	sd_event_source_set_enabled(m->burst_timer, SD_EVENT_ONESHOT);
}

static void check_own_drops(struct manager *m)
{
	const struct uevmon *u = &m->meter.mon;
	struct alert a;

	if (u->own_drops <= m->drops_reported)
		return;
	log_warnx("missed %llu events! raise monitor-buffer (now %llu bytes)%s",
		  (unsigned long long)(u->own_drops - m->drops_reported),
		  (unsigned long long)u->rcvbuf,
		  u->forced ? "" : " and give nltuned CAP_NET_ADMIN so SO_RCVBUFFORCE works");
	watch_overrun(u->own_drops - m->drops_reported, u->rcvbuf, clock_wall_ms(), &a);
	raise_alert(m, &a);
	m->drops_reported = u->own_drops;
}

static int on_uevent(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	int r = meter_read(&m->meter, clock_mono_us());

	if (r < 0) {
		errno = -r;
		log_warn("reading uevents");
	}
	/* Group 2's peaks change only here: the next recommendation takes them. */
	m->snap.udev_live_peak_bytes = burst_peak_bytes(&m->meter.udev_stats);
	m->snap.udev_live_peak_events = burst_peak_events(&m->meter.udev_stats);
	check_own_drops(m);
	arm_burst_timer(m);
	refresh_status(m);
	return 0;
}

static int on_burst_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	meter_tick(&m->meter, clock_mono_us(), 0);
	arm_burst_timer(m);
	return 0;
}

/* Record this boot's peaks into the state and write it if they changed (or force). */
static void manager_save_state(struct manager *m, int force)
{
	const struct burst_stats *st = &m->meter.stats;
	struct state_boot b = { 0 };
	const char *dir = m->conf.state_dir;
	bool was_on_disk = m->snap.state_on_disk;
	int r;

	if (!m->snap.boot_id[0])
		return;
	if (!force && burst_peak_bytes(st) == m->saved_peak_bytes &&
	    burst_peak_bytes(&m->meter.udev_stats) == m->saved_udev_peak_bytes &&
	    !m->snap.state_dirty)
		return;
	memcpy(b.boot_id, m->snap.boot_id, sizeof(b.boot_id));
	b.peak_events = burst_peak_events(st);
	b.peak_bytes = burst_peak_bytes(st);
	b.window_ms = m->conf.window_ms;
	b.total_events = st->total_events;
	b.updated = (uint64_t)time(NULL);
	if (m->meter.udev_stats.total_events > 0) {
		b.has_udev = true;
		b.udev_peak_events = burst_peak_events(&m->meter.udev_stats);
		b.udev_peak_bytes = burst_peak_bytes(&m->meter.udev_stats);
		b.udev_total_events = m->meter.udev_stats.total_events;
	}
	state_record_boot(&m->snap.state, &b, m->conf.history);
	r = snapshot_save(&m->conf, &m->snap, false, &dir);
	if (r < 0) {
		log_warnx("cannot save %s/%s: %s; burst history of this boot is not kept", dir,
			  STATE_FILE, safedir_strerror(r));
		return;
	}
	if (!was_on_disk && m->snap.state_on_disk)
		log_info("%s is there: this boot's early records merged into %s/%s",
			 m->conf.state_dir, m->conf.state_dir, STATE_FILE);
	m->saved_peak_bytes = b.peak_bytes;
	m->saved_udev_peak_bytes = b.udev_peak_bytes;
	m->snap.state_dirty = false;
}

/* Stop watching the mount table: the state file is on /var now (or cannot be watched). */
static void unwatch_mounts(struct manager *m)
{
	m->mounts = sd_event_source_disable_unref(m->mounts);
	if (m->mounts_fd >= 0)
		close(m->mounts_fd);
	m->mounts_fd = -1;
}

/* The mount table changed: when that brought the state directory (/var), move the state there. */
static int on_mounts(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;

	if (!m->snap.state_on_disk && snapshot_state_dir_there(m->conf.state_dir))
		manager_save_state(m, 1);
	if (m->snap.state_on_disk)
		unwatch_mounts(m);
	return 0;
}

/* Started before /var is mounted: watch the mount table rather than wait for the next save. */
static void watch_mounts(struct manager *m)
{
	char path[PATH_MAX];

	if (m->snap.state_on_disk || paths_proc_file(path, sizeof(path), "self/mountinfo") < 0)
		return;
	m->mounts_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->mounts_fd < 0 ||
	    sd_event_add_io(m->event, &m->mounts, m->mounts_fd, EPOLLPRI, on_mounts, m) < 0)
		unwatch_mounts(m); /* the periodic save still gets there */
}

static int on_save_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	manager_save_state(m, 0);
	sd_event_source_set_time(s, usec + SAVE_INTERVAL_US);
	return 0;
}

/* Keep what nltune forced, so verdicts count drops from now and explain says `forced`. */
static void record_fix(struct manager *m, const struct sockrow *r, uint64_t got)
{
	int e;

	if (!m->fixes || !m->fixes->boot_id[0])
		return;
	fixlog_add(m->fixes,
		   &(struct fix_record){ .inode = r->s.inode,
					 .drops = r->s.drops,
					 .rcvbuf = got > UINT32_MAX ? UINT32_MAX : (uint32_t)got,
					 .at_ms = clock_wall_ms(),
					 .pid = r->own->pids[0] });
	e = fixlog_save(m->conf.state_dir, m->fixes);
	if (e < 0)
		log_warnx("cannot save %s/%s: %s", m->conf.state_dir, FIXLOG_FILE, strerror(-e));
}

#define AUTOFIX_LOG_WINDOW_MS 60000 /* autofix's log budget: lines per window, like alerts' */
#define AUTOFIX_LOG_MAX	      10

/*
 * May autofix log one more line? AUTOFIX_LOG_MAX a window; the rest are counted and summed
 * up in one line by the first call after the window (autofix runs for every row of every scan).
 */
static bool autofix_log_pass(struct manager *m, bool line)
{
	uint64_t now = clock_mono_ms();

	if (now - m->autofix_log.start_ms >= AUTOFIX_LOG_WINDOW_MS) {
		if (m->autofix_log.more)
			log_warnx(
			    "autofix: %" PRIu64 " more sockets raised or failed in the last "
			    "minute, not logged one by one (the log keeps %d a minute); nltune "
			    "sockets shows the raised ones as limit forced",
			    m->autofix_log.more, AUTOFIX_LOG_MAX);
		m->autofix_log.start_ms = now;
		m->autofix_log.lines = 0;
		m->autofix_log.more = 0;
	}
	if (!line)
		return false;
	if (m->autofix_log.lines < AUTOFIX_LOG_MAX) {
		m->autofix_log.lines++;
		return true;
	}
	m->autofix_log.more++;
	return false;
}

static void autofix(struct manager *m, const struct sockrow *r)
{
	uint64_t got;
	char err[256];
	bool act = m->conf.autofix && r->v.limit == LIMIT_MINIMUM &&
		   r->s.protocol == NLSCAN_PROTO_UEVENT && r->s.groups && r->own && r->own->npids;

	if (m->autofix_log.more) /* a window's summary, even in a scan with nothing to fix */
		autofix_log_pass(m, false);
	if (!act)
		return;
	if (fixsock_raise(r->own->pids[0], r->own->fds[0], r->s.inode, m->snap.rec.rmem_default,
			  &got, err, sizeof(err)) < 0) {
		if (autofix_log_pass(m, true))
			log_warnx("autofix of %s[%d] socket %" PRIu64 " failed: %s", r->own->comm,
				  (int)r->own->pids[0], r->s.inode, err);
		return;
	}
	if (autofix_log_pass(m, true))
		log_info("autofix: %s[%d] socket %" PRIu64 " rcvbuf %u -> %" PRIu64
			 " (it asked for less than the kernel's floor)",
			 r->own->comm, (int)r->own->pids[0], r->s.inode, r->s.rcvbuf, got);
	record_fix(m, r, got);
}

static void write_metrics(struct manager *m)
{
	json_object *st, *socks;
	/*
	 * Who may read the file: node_exporter runs as another user. Its labels name owners
	 * (pid, comm): owners hidden from callers are hidden from its readers too.
	 */
	mode_t mode = view_of(m, HIDE_UID_ANYONE).on ? 0640 : 0644;
	int r;

	if (!m->conf.metrics_file[0])
		return;
	st = manager_status_json(m, NULL);
	socks = report_sockets_json(&m->scan, true);
	r = metrics_file_update(&m->metrics_out, m->conf.metrics_file, mode, st, socks,
				clock_mono_ms());
	if (r < 0)
		log_repeat_warnx(&m->metrics_fail, "cannot write metrics-file %s: %s",
				 m->conf.metrics_file, safedir_strerror(r));
	else
		log_repeat_ok(&m->metrics_fail, "writing metrics-file");
	json_object_put(st);
	json_object_put(socks);
}

/* Scan every netlink socket now, raise alerts, refresh the recommendation. */
static void manager_scan(struct manager *m)
{
	const struct burst_stats *st = &m->meter.stats;
	struct alert proto;
	struct scan_ctx ctx;
	int r;

	r = snapshot_refresh(&m->conf, burst_peak_bytes(st), burst_peak_events(st), &m->snap);
	if (r < 0)
		log_warnx("cannot read net.core.rmem_*: %s", strerror(-r));
	if (watch_sysctl(&m->snap.sysctl, m->snap.state.applied_default, m->snap.state.applied_max,
			 clock_wall_ms(), &proto))
		raise_alert(m, &proto);
	collect_scan_ctx(&m->snap, clock_mono_ms(), &ctx);
	if (m->fixes) { /* `nltune fix` on the console adds to it */
		fixlog_load(m->conf.state_dir, m->snap.boot_id, m->fixes);
		ctx.fixes = m->fixes;
	}
	/* A burst widens the turn of namespaces; the time budget holds all the same. */
	ctx.netns_wide = m->scan_all_netns;
	ctx.clock_ms = clock_mono_ms;
	m->scan_all_netns = false;
	r = scanner_run(&m->scan, &ctx);
	if (r < 0) {
		log_repeat_warnx(&m->scan_fail, "cannot scan netlink sockets: %s", strerror(-r));
		return;
	}
	log_repeat_ok(&m->scan_fail, "scanning netlink sockets");
	m->scanned = true;
	m->scanned_ms = clock_mono_ms();
	if (m->scan.changes) { /* whoever scanned (the timer, a D-Bus call): the rest is over */
		m->scan_factor = 1;
		schedule_scan(m, (uint64_t)m->conf.scan_interval_ms * 1000);
	}
	log_suppressed(m);
	for (size_t i = 0; i < m->scan.nrows; i++) {
		const struct sockrow *row = &m->scan.rows[i];

		if (row->s.inode == 0)
			continue;
		m->drops_total += row->new_drops;
		if (row->s.inode != m->meter_inode)
			autofix(m, row);
	}
	/* nltuned's own socket: its losses are monitor-overrun alerts, its size monitor-buffer. */
	watch_scan(&m->scan, m->alerts, m->meter_inode, clock_wall_ms(), emit_alert, m);
	write_metrics(m);
	notify_status(m);
	changed(m);
}

/*
 * Whoever asks sees sockets no older than scan-interval, although scans at rest
 * grow apart; asking again and again costs at most one scan an interval.
 */
static void scan_if_stale(struct manager *m)
{
	if (!m->scanned || clock_mono_ms() - m->scanned_ms >= m->conf.scan_interval_ms)
		manager_scan(m);
}

static int on_scan_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	manager_scan(m);
	/* At rest (nothing new, no drop) scans grow apart; a change or a burst brings them back. */
	m->scan_factor = scan_rest_factor(m->scan_factor, m->scan.changes);
	sd_event_source_set_time(s, clock_mono_us() +
					(uint64_t)m->conf.scan_interval_ms * m->scan_factor * 1000);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	sd_notify(0, "WATCHDOG=1");
	sd_event_source_set_time(s, usec + m->watchdog_usec / 2);
	return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	char err[1024];

	manager_reload(userdata, err, sizeof(err));
	return 0;
}

int manager_reload(struct manager *m, char *err, size_t errlen)
{
	struct nlt_conf next;
	struct alerts_conf ac;

	sd_notify(0, "RELOADING=1");
	if (nlt_conf_load(&next, m->conf_path, err, errlen) < 0) {
		log_warnx("%s; keeping the configuration in force", err);
		sd_notify(0, "READY=1");
		return -EINVAL;
	}
	/* The state dir given on the command line outlives a reload; so does the socket. */
	memcpy(next.state_dir, m->conf.state_dir, sizeof(next.state_dir));
	if (next.monitor_buffer != m->conf.monitor_buffer || next.window_ms != m->conf.window_ms)
		log_info("monitor-buffer and window take effect when nltuned restarts");
	next.monitor_buffer = m->conf.monitor_buffer;
	next.window_ms = m->conf.window_ms;
	m->conf = next;
	collect_alerts_conf(&m->conf, &ac);
	alerts_set_conf(m->alerts, &ac);
	log_info("configuration reloaded from %s", m->conf_path);
	sd_notify(0, "READY=1");
	changed(m);
	schedule_scan(m, 0);
	return 0;
}

/*
 * The cost of the raise on m->snap.rec: the dumps run at most once per scan
 * (and again when rmem_default changed since), the clause is added again after
 * every refresh. Where owners are hidden from uid, the remedy names no process.
 */
static void add_cost(struct manager *m, uint32_t uid)
{
	struct cost_risk risk;

	if (m->cost_runs == 0 || m->cost_runs != m->scan.runs ||
	    m->cost.rmem_default != m->snap.sysctl.rmem_default) {
		costscan_count(m->snap.sysctl.rmem_default, &m->cost);
		costscan_risk(&m->scan, m->meter_inode, &m->cost_risk);
		m->cost_runs = m->scan.runs;
	}
	risk = m->cost_risk;
	if (view_of(m, uid).on) {
		risk.pid = 0;
		risk.comm[0] = '\0';
	}
	recommend_cost(&m->snap.rec, &m->cost, &risk);
}

/* The socket rows of sc at idx[0..n) as v sees them, as SOCKET JSON. */
static json_object *sockets_seen(const struct scanner *sc, const size_t *idx, size_t n,
				 const struct hide_view *v)
{
	json_object *arr = json_object_new_array();
	struct hide_buf buf;

	for (size_t i = 0; arr && i < n; i++)
		json_object_array_add(arr,
				      report_socket_json(hide_row(v, &sc->rows[idx[i]], &buf)));
	return arr;
}

/* The `status --json` document (source "daemon") as v sees it (NULL: all); caller owns it. */
static json_object *manager_status_json(struct manager *m, const struct hide_view *v)
{
	const struct burst_stats *st = &m->meter.stats;
	struct status_input in = { .source = "daemon" };
	struct alert *alerts = calloc(ALERTS_MAX, sizeof(*alerts));
	json_object *o;

	in.sysctl = &m->snap.sysctl;
	in.rec = &m->snap.rec;
	in.events_total = st->total_events;
	in.window_ms = m->conf.window_ms;
	in.peak_events = burst_peak_events(st);
	in.peak_bytes = burst_peak_bytes(st);
	in.own_drops = m->meter.mon.own_drops;
	in.udev_total = m->meter.udev_stats.total_events;
	in.udev_peak_events = burst_peak_events(&m->meter.udev_stats);
	in.udev_peak_bytes = burst_peak_bytes(&m->meter.udev_stats);
	in.boot = m->snap.boot_id[0] ? state_find_boot(&m->snap.state, m->snap.boot_id) : NULL;
	in.scan = &m->scan;
	in.alerts = alerts;
	in.nalerts = alerts ? alerts_list(m->alerts, alerts, ALERTS_MAX) : 0;
	for (size_t i = 0; v && i < in.nalerts; i++)
		hide_alert(v, &alerts[i], &alerts[i]);
	o = report_status_json(&in);
	free(alerts);
	if (o && v && v->on) { /* the same sockets, their owners as v sees them */
		size_t n, *idx = report_rows_by_severity(&m->scan, false, &n);

		json_object_object_add(o, "sockets",
				       idx ? sockets_seen(&m->scan, idx, n, v)
					   : json_object_new_array());
		free(idx);
	}
	return o;
}

json_object *manager_describe(struct manager *m, size_t max_sockets, uint32_t uid)
{
	struct hide_view v;
	json_object *o, *socks;
	size_t n;

	scan_if_stale(m);
	add_cost(m, uid);
	v = view_of(m, uid);
	o = manager_status_json(m, &v);
	socks = report_get(o, "sockets");
	n = socks ? json_object_array_length(socks) : 0;
	if (n > max_sockets) {
		json_object_array_del_idx(socks, max_sockets, n - max_sockets);
		json_object_object_add(o, "sockets_omitted",
				       json_object_new_uint64(n - max_sockets));
	}
	return o;
}

/* Rows matching f as v sees them, worst first; NULL without memory. */
static size_t *rows_seen(struct manager *m, const struct scan_filter *f, const struct hide_view *v,
			 size_t *n)
{
	size_t *idx;

	scan_if_stale(m);
	/* Owners of healthy sockets are looked up when a listing asks for them, once. */
	if (!f || f->pid || f->verdict == SCAN_ANY || f->verdict == SCAN_OK)
		scanner_resolve_all(&m->scan);
	idx = report_rows_matching(&m->scan, f, n);
	if (idx)
		*n = hide_filter(v, m->scan.rows, idx, *n, f);
	return idx;
}

json_object *manager_sockets_page(struct manager *m, const struct scan_filter *f, size_t offset,
				  size_t limit, size_t *total, uint32_t uid)
{
	struct hide_view v = view_of(m, uid);
	size_t n, *idx = rows_seen(m, f, &v, &n);
	json_object *arr;

	*total = idx ? n : 0;
	if (offset > *total)
		offset = *total;
	arr =
	    idx ? sockets_seen(&m->scan, idx + offset, n - offset < limit ? n - offset : limit, &v)
		: json_object_new_array();
	free(idx);
	return arr;
}

char *manager_sockets_page_text(struct manager *m, const struct scan_filter *f, size_t offset,
				size_t limit, size_t *total, uint32_t uid)
{
	struct hide_view v = view_of(m, uid);
	size_t n, *idx = rows_seen(m, f, &v, &n), k;
	struct scanner seen = { 0 };
	struct owner *owns = NULL;
	struct hide_buf buf;
	char *text = NULL;

	if (!idx)
		return NULL;
	*total = n;
	if (offset > n)
		offset = n;
	k = n - offset < limit ? n - offset : limit;
	if (!v.on) {
		text = report_sockets_text(&m->scan, idx + offset, k);
		free(idx);
		return text;
	}
	/* The page's rows as v sees them, in a scanner of their own: idx becomes 0..k-1. */
	seen.rows = calloc(k ? k : 1, sizeof(*seen.rows));
	owns = calloc(k ? k : 1, sizeof(*owns));
	for (size_t i = 0; seen.rows && owns && i < k; i++) {
		const struct sockrow *r = hide_row(&v, &m->scan.rows[idx[offset + i]], &buf);

		seen.rows[i] = *r;
		if (r->own == &buf.own) {
			owns[i] = buf.own;
			seen.rows[i].own = &owns[i];
		}
		idx[i] = i;
	}
	if (seen.rows && owns)
		text = report_sockets_text(&seen, idx, k);
	free(seen.rows);
	free(owns);
	free(idx);
	return text;
}

json_object *manager_sockets_json(struct manager *m, size_t max, uint32_t uid)
{
	struct hide_view v;
	json_object *arr;
	size_t n, *idx;

	scan_if_stale(m);
	v = view_of(m, uid);
	idx = report_rows_by_severity(&m->scan, true, &n);
	arr = idx ? sockets_seen(&m->scan, idx, n < max ? n : max, &v) : json_object_new_array();
	free(idx);
	return arr;
}

json_object *manager_alerts_json(struct manager *m, uint32_t uid)
{
	struct alert *a = calloc(ALERTS_MAX, sizeof(*a));
	struct hide_view v = view_of(m, uid);
	size_t n = a ? alerts_list(m->alerts, a, ALERTS_MAX) : 0;
	json_object *arr;

	for (size_t i = 0; i < n; i++)
		hide_alert(&v, &a[i], &a[i]);
	arr = report_alerts_json(a, n);
	free(a);
	return arr;
}

const struct recommendation *manager_recommend(struct manager *m)
{
	const struct burst_stats *st = &m->meter.stats;

	scan_if_stale(m);
	snapshot_refresh(&m->conf, burst_peak_bytes(st), burst_peak_events(st), &m->snap);
	refresh_status(m);
	add_cost(m, HIDE_UID_ANYONE);
	return &m->snap.rec;
}

/* Keep the write in this boot's record: history and revert need what it replaced, and when. */
static void record_write(struct manager *m, const struct rmem *before, const struct rmem *after)
{
	snapshot_record_write(&m->snap, STATE_BY_BUS, before, after, m->conf.history);
}

int manager_apply(struct manager *m, bool dry_run, struct rmem *after, char *err, size_t errlen)
{
	const struct burst_stats *st = &m->meter.stats;
	const struct recommendation *rec = &m->snap.rec;
	struct rmem want, before;
	int r;

	r = snapshot_refresh(&m->conf, burst_peak_bytes(st), burst_peak_events(st), &m->snap);
	if (r < 0) {
		snprintf(err, errlen, "cannot read net.core.rmem_*: %s", strerror(-r));
		return r;
	}
	*after = m->snap.sysctl;
	want.rmem_default = rec->rmem_default;
	want.rmem_max = rec->rmem_max;
	if (dry_run) {
		if (rec->write_default)
			after->rmem_default = want.rmem_default;
		if (rec->write_max)
			after->rmem_max = want.rmem_max;
		return 0;
	}
	if (!rec->write_default && !rec->write_max)
		return 0;
	r = sysctl_apply(&want, rec->write_default, rec->write_max, &before, after, err, errlen);
	if (r < 0) {
		log_warnx("apply failed: %s", err);
		return r;
	}
	log_info("applied rmem_default %" PRIu64 " -> %" PRIu64 ", rmem_max %" PRIu64 " -> %" PRIu64
		 " (%s)",
		 before.rmem_default, after->rmem_default, before.rmem_max, after->rmem_max,
		 rec->reason);
	record_write(m, &before, after);
	manager_save_state(m, 1);
	m->snap.sysctl = *after;
	changed(m);
	schedule_scan(m, 0);
	return 0;
}

int manager_revert(struct manager *m, bool dry_run, struct rmem *after, char *err, size_t errlen)
{
	const struct burst_stats *st = &m->meter.stats;
	struct revert rv;
	int r;

	r = snapshot_refresh(&m->conf, burst_peak_bytes(st), burst_peak_events(st), &m->snap);
	if (r < 0) {
		snprintf(err, errlen, "cannot read net.core.rmem_*: %s", strerror(-r));
		return r;
	}
	r = revert_run(&m->conf, &m->snap, dry_run, STATE_BY_REVERT, &rv, err, errlen);
	if (r < 0) {
		log_warnx("revert failed: %s", err);
		return r;
	}
	*after = rv.after;
	if (dry_run)
		return 0;
	if (rv.changed)
		log_info("reverted rmem_default %" PRIu64 " -> %" PRIu64 ", rmem_max %" PRIu64
			 " -> %" PRIu64 " (the values before nltune's first write this boot)",
			 rv.before.rmem_default, rv.after.rmem_default, rv.before.rmem_max,
			 rv.after.rmem_max);
	if (rv.dropin)
		log_info("removed %s", rv.dropin_path);
	if (!rv.changed)
		return 0;
	manager_save_state(m, 1);
	changed(m);
	schedule_scan(m, 0);
	return 0;
}

int manager_fix_socket(struct manager *m, uint64_t inode, uint64_t size, uint64_t *rcvbuf,
		       char *err, size_t errlen)
{
	scan_if_stale(m);
	/* The bounds of nltune fix --size (without --force). */
	if (size && fixsock_check_size(size, m->snap.rec.ceiling, false, err, errlen) < 0)
		return -ERANGE;
	for (size_t i = 0; i < m->scan.nrows; i++) {
		const struct sockrow *r = &m->scan.rows[i];
		int ret;

		if (r->s.inode != inode)
			continue;
		if (r->s.protocol == NLSCAN_PROTO_UEVENT && !r->s.groups) {
			snprintf(err, errlen,
				 "socket %" PRIu64 " is a uevent socket that listens to no group; "
				 "only uevent listeners are fixed",
				 inode);
			return -EPROTOTYPE;
		}
		if (r->s.protocol != NLSCAN_PROTO_UEVENT) {
			snprintf(err, errlen,
				 "socket %" PRIu64
				 " is netlink protocol %u, not a uevent socket (%d); "
				 "only uevent sockets are fixed",
				 inode, r->s.protocol, NLSCAN_PROTO_UEVENT);
			return -EPROTOTYPE;
		}
		if (!r->own) /* not looked up yet: it did not matter until now */
			scanner_resolve_all(&m->scan);
		if (!r->own || !r->own->npids) {
			snprintf(err, errlen, "socket %" PRIu64 " has no process holding it",
				 inode);
			return -ESRCH;
		}
		ret = fixsock_raise(r->own->pids[0], r->own->fds[0], inode,
				    size ? size : m->snap.rec.rmem_default, rcvbuf, err, errlen);
		if (ret == 0) {
			log_info("fixed %s[%d] socket %" PRIu64 ": rcvbuf %u -> %" PRIu64,
				 r->own->comm, (int)r->own->pids[0], inode, r->s.rcvbuf, *rcvbuf);
			record_fix(m, r, *rcvbuf);
			schedule_scan(m, 0);
		}
		return ret;
	}
	snprintf(err, errlen, "no netlink socket with inode %" PRIu64, inode);
	return -ENOENT;
}

/* A write killed between create and rename leaves "<metrics-file>.XXXXXX" beside it. */
static void remove_metrics_temps(const struct manager *m)
{
	int r;

	if (!m->conf.metrics_file[0])
		return;
	r = metrics_remove_temps(m->conf.metrics_file);
	if (r > 0)
		log_info("removed %d temporary files a killed write left beside %s", r,
			 m->conf.metrics_file);
	else if (r < 0 && r != -ENOENT)
		log_warnx("%s: %s", m->conf.metrics_file, safedir_strerror(r));
}

int manager_init(struct manager *m, const struct nlt_conf *conf, const char *conf_path)
{
	struct alerts_conf ac;
	uint64_t memtotal = 0, buffer;
	struct stat st;
	char why[256];
	sigset_t ss;
	int r;

	memset(m, 0, sizeof(*m));
	m->mounts_fd = -1;
	m->conf = *conf;
	m->conf_path = conf_path;
	m->meter.mon.fd = -1;
	if (sysctl_memtotal(&memtotal) < 0)
		memtotal = 0; /* unknown: the full default */
	buffer = recommend_monitor_buffer(conf, memtotal);
	r = meter_open(&m->meter, buffer, conf->window_ms, BURST_GAP_MS_DEFAULT, manager_burst, m);
	if (r < 0) {
		errno = -r;
		log_warn("cannot open the uevent socket");
		return r;
	}
	if (fstat(m->meter.mon.fd, &st) == 0)
		m->meter_inode = (uint64_t)st.st_ino;
	if (!m->meter.mon.forced)
		log_warnx("SO_RCVBUFFORCE refused: monitor buffer is %llu bytes, not %llu; give "
			  "nltuned CAP_NET_ADMIN to measure large bursts without loss",
			  (unsigned long long)m->meter.mon.rcvbuf, (unsigned long long)buffer);
	r = snapshot_take(&m->conf, 0, 0, false, &m->snap);
	if (r < 0) {
		log_warnx("cannot read net.core.rmem_*: %s", strerror(-r));
		return r;
	}
	if (snapshot_state_problem(&m->snap, why, sizeof(why))[0])
		log_warnx("%s/%s: %s", m->conf.state_dir, STATE_FILE, why);
	/* A save killed between create and rename leaves its temporary file. */
	r = state_remove_temps(m->conf.state_dir);
	if (r > 0)
		log_info("removed %d temporary files a killed save left in %s", r,
			 m->conf.state_dir);
	else if (r < 0)
		log_warnx("%s: %s", m->conf.state_dir, safedir_strerror(r));
	remove_metrics_temps(m);
	if (!m->snap.boot_id[0])
		log_warnx("no boot id under %s/sys/kernel/random: burst history is not saved",
			  paths_proc());
	meter_watch_coldplug(&m->meter,
			     m->snap.coldplug_devices > 0 ? (uint64_t)m->snap.coldplug_devices : 0,
			     manager_coldplug, manager_udev_coldplug);
	m->meter.on_udev_burst = manager_udev_burst;
	r = scanner_init(&m->scan);
	if (r < 0)
		return r;
	m->alerts = malloc(sizeof(*m->alerts));
	if (!m->alerts)
		return -ENOMEM;
	m->fixes = malloc(sizeof(*m->fixes));
	if (!m->fixes)
		return -ENOMEM;
	fixlog_init(m->fixes, m->snap.boot_id);
	collect_alerts_conf(&m->conf, &ac);
	alerts_init(m->alerts, &ac);

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
				   on_burst_timer, m)) < 0 ||
	    (r = sd_event_add_time_relative(m->event, &m->save_timer, CLOCK_MONOTONIC,
					    SAVE_INTERVAL_US, 1000000, on_save_timer, m)) < 0 ||
	    (r = sd_event_add_time_relative(m->event, &m->scan_timer, CLOCK_MONOTONIC, 0, 1000,
					    on_scan_timer, m)) < 0)
		return r;
	/* uevents first: a storm must not starve behind a scan. */
	sd_event_source_set_priority(m->io, SD_EVENT_PRIORITY_IMPORTANT);
	sd_event_source_set_enabled(m->burst_timer, SD_EVENT_OFF);
	sd_event_source_set_enabled(m->save_timer, SD_EVENT_ON);
	if (sd_watchdog_enabled(0, &m->watchdog_usec) > 0 &&
	    sd_event_add_time_relative(m->event, &m->watchdog, CLOCK_MONOTONIC,
				       m->watchdog_usec / 2, 0, on_watchdog, m) >= 0)
		sd_event_source_set_enabled(m->watchdog, SD_EVENT_ON);
	if (m->snap.state_dirty)
		manager_save_state(m, 1); /* keep the fresh coldplug estimate */
	watch_mounts(m);
	refresh_status(m);
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
	meter_tick(&m->meter, clock_mono_us(), 1);
	report_totals_text(line, sizeof(line), &m->meter);
	log_info("%s", line);
	manager_save_state(m, 1);
	return r < 0 ? 1 : 0;
}

void manager_free(struct manager *m)
{
	sd_event_source_unref(m->io);
	sd_event_source_unref(m->burst_timer);
	sd_event_source_unref(m->save_timer);
	sd_event_source_unref(m->scan_timer);
	sd_event_source_unref(m->watchdog);
	unwatch_mounts(m);
	sd_event_unref(m->event);
	meter_close(&m->meter);
	scanner_free(&m->scan);
	free(m->alerts);
	m->alerts = NULL;
	free(m->fixes);
	m->fixes = NULL;
	metrics_file_free(&m->metrics_out);
}
