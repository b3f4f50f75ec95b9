/* SPDX-License-Identifier: MIT */
/* org.nltune1 on the system bus: properties, methods, the Alert signal, reconnection. */
#include "bus.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "alerts.h"
#include "log.h"
#include "manager.h"
#include "report.h"

#define BUS_NAME	 "org.nltune1"
#define BUS_PATH	 "/org/nltune1"
#define BUS_IFACE	 "org.nltune1.Manager"
#define BUS_MAX_SOCKETS	 2000	   /* dictionaries in one ListSockets reply */
#define BUS_RETRY_MIN_US 250000ull /* reconnect backoff: 0.25 s doubling to 8 s */
#define BUS_RETRY_MAX_US 8000000ull

/* The values PropertiesChanged compares against. */
struct props {
	uint64_t rmem_default, rmem_max, rec_default, rec_max, events, peak_bytes, drops;
	uint32_t peak_events;
	int policy;
};

struct bus {
	struct manager *m;
	sd_bus *bus;
	sd_event_source *retry;
	uint64_t backoff_us;
	bool said_absent;
	struct props last;
};

static struct bus the_bus;

static int bus_connect(struct bus *b);

/* ---- values -------------------------------------------------------------------------------- */

static void props_now(const struct manager *m, struct props *p)
{
	const struct burst_stats *st = &m->meter.stats;
	uint64_t pe = burst_peak_events(st);

	p->rmem_default = m->snap.sysctl.rmem_default;
	p->rmem_max = m->snap.sysctl.rmem_max;
	p->rec_default = m->snap.rec.rmem_default;
	p->rec_max = m->snap.rec.rmem_max;
	p->events = st->total_events;
	p->peak_bytes = burst_peak_bytes(st);
	p->peak_events = pe > UINT32_MAX ? UINT32_MAX : (uint32_t)pe;
	p->drops = m->drops_total + m->meter.mon.own_drops;
	p->policy = (int)m->conf.policy;
}

static int get_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
		    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	struct props p;

	props_now(b->m, &p);
	if (strcmp(prop, "RmemDefault") == 0)
		return sd_bus_message_append(reply, "t", p.rmem_default);
	if (strcmp(prop, "RmemMax") == 0)
		return sd_bus_message_append(reply, "t", p.rmem_max);
	if (strcmp(prop, "RecommendedRmemDefault") == 0)
		return sd_bus_message_append(reply, "t", p.rec_default);
	if (strcmp(prop, "RecommendedRmemMax") == 0)
		return sd_bus_message_append(reply, "t", p.rec_max);
	if (strcmp(prop, "EventsTotal") == 0)
		return sd_bus_message_append(reply, "t", p.events);
	if (strcmp(prop, "PeakBytes") == 0)
		return sd_bus_message_append(reply, "t", p.peak_bytes);
	if (strcmp(prop, "DropsTotal") == 0)
		return sd_bus_message_append(reply, "t", p.drops);
	if (strcmp(prop, "PeakEvents") == 0)
		return sd_bus_message_append(reply, "u", p.peak_events);
	if (strcmp(prop, "Policy") == 0)
		return sd_bus_message_append(reply, "s", nlt_policy_name(b->m->conf.policy));
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "no property %s", prop);
}

/* ---- privilege ----------------------------------------------------------------------------- */

/* 0 if the sender is root; otherwise AccessDenied is set and a negative value returned. */
static int require_root(sd_bus_message *msg, sd_bus_error *error, const char *what)
{
	sd_bus_creds *creds = NULL;
	uid_t uid = (uid_t)-1;
	int r;

	r = sd_bus_query_sender_creds(
	    msg, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID | SD_BUS_CREDS_AUGMENT, &creds);
	if (r >= 0 && sd_bus_creds_get_euid(creds, &uid) < 0 &&
	    sd_bus_creds_get_uid(creds, &uid) < 0)
		uid = (uid_t)-1;
	sd_bus_creds_unref(creds);
	if (uid == 0)
		return 0;
	return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "%s is for root only", what);
}

/* ---- dictionaries -------------------------------------------------------------------------- */

static int dict_t(sd_bus_message *r, const char *k, uint64_t v)
{
	return sd_bus_message_append(r, "{sv}", k, "t", v);
}

static int dict_u(sd_bus_message *r, const char *k, uint32_t v)
{
	return sd_bus_message_append(r, "{sv}", k, "u", v);
}

static int dict_s(sd_bus_message *r, const char *k, const char *v)
{
	char clean[1024];

	report_utf8(clean, sizeof(clean), v);
	return sd_bus_message_append(r, "{sv}", k, "s", clean);
}

static int append_socket(sd_bus_message *r, const struct sockrow *row)
{
	int ret;

	if ((ret = sd_bus_message_open_container(r, 'a', "{sv}")) < 0 ||
	    (ret = dict_t(r, "inode", row->s.inode)) < 0 ||
	    (ret = dict_u(r, "protocol", row->s.protocol)) < 0 ||
	    (ret = dict_u(r, "portid", row->s.portid)) < 0 ||
	    (ret = dict_t(r, "netns", row->s.netns)) < 0)
		return ret;
	if ((ret = sd_bus_message_open_container(r, 'e', "sv")) < 0 ||
	    (ret = sd_bus_message_append(r, "s", "pids")) < 0 ||
	    (ret = sd_bus_message_open_container(r, 'v', "au")) < 0 ||
	    (ret = sd_bus_message_open_container(r, 'a', "u")) < 0)
		return ret;
	for (size_t i = 0; row->has_owner && i < row->own.npids; i++)
		if ((ret = sd_bus_message_append(r, "u", (uint32_t)row->own.pids[i])) < 0)
			return ret;
	if ((ret = sd_bus_message_close_container(r)) < 0 ||
	    (ret = sd_bus_message_close_container(r)) < 0 ||
	    (ret = sd_bus_message_close_container(r)) < 0)
		return ret;
	if ((ret = dict_s(r, "comm", row->has_owner ? row->own.comm : "")) < 0 ||
	    (ret = dict_u(r, "groups", row->s.groups)) < 0 ||
	    (ret = dict_t(r, "rcvbuf", row->s.rcvbuf)) < 0 ||
	    (ret = dict_t(r, "queued", row->s.rmem)) < 0 ||
	    (ret = dict_t(r, "drops", row->s.drops)) < 0 ||
	    (ret = dict_t(r, "holds_events", row->v.holds_events)) < 0 ||
	    (ret = dict_s(r, "limit", verdict_limit_name(row->v.limit))) < 0 ||
	    (ret = dict_s(r, "verdict", verdict_name(row->v.verdict))) < 0 ||
	    (ret = dict_s(r, "fix", row->v.fix)) < 0)
		return ret;
	return sd_bus_message_close_container(r);
}

static int append_alert(sd_bus_message *r, const struct alert *a)
{
	char t[40];
	int ret;

	if ((ret = sd_bus_message_open_container(r, 'a', "{sv}")) < 0 ||
	    (ret = dict_t(r, "id", a->id)) < 0 ||
	    (ret = dict_s(r, "time", report_time(t, sizeof(t), a->time_ms))) < 0 ||
	    (ret = dict_s(r, "severity", alerts_severity_name(a->severity))) < 0 ||
	    (ret = dict_s(r, "kind", alerts_kind_name(a->kind))) < 0 ||
	    (ret = dict_s(r, "message", a->message)) < 0)
		return ret;
	if (a->pid > 0 && (ret = dict_u(r, "pid", (uint32_t)a->pid)) < 0)
		return ret;
	if ((a->inode || a->drops) && (ret = dict_t(r, "drops", a->drops)) < 0)
		return ret;
	if (a->inode &&
	    ((ret = dict_s(r, "comm", a->comm)) < 0 || (ret = dict_t(r, "inode", a->inode)) < 0))
		return ret;
	return sd_bus_message_close_container(r);
}

/* ---- methods ------------------------------------------------------------------------------- */

static int method_describe(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	json_object *o, *socks;
	int r;

	if (!b->m->scanned)
		manager_scan(b->m);
	o = manager_status_json(b->m);
	/* Bounded reply: the worst sockets first, the rest only counted. */
	if (json_object_object_get_ex(o, "sockets", &socks) &&
	    json_object_array_length(socks) > BUS_MAX_SOCKETS) {
		size_t n = json_object_array_length(socks);

		json_object_array_del_idx(socks, BUS_MAX_SOCKETS, n - BUS_MAX_SOCKETS);
		json_object_object_add(o, "sockets_omitted",
				       json_object_new_uint64(n - BUS_MAX_SOCKETS));
	}
	r = sd_bus_reply_method_return(
	    msg, "s",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r;
}

static int method_list_sockets(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	sd_bus_message *reply = NULL;
	size_t n, *idx;
	int r;

	if (!b->m->scanned)
		manager_scan(b->m);
	idx = report_rows_by_severity(&b->m->scan, true, &n);
	if (!idx)
		return -ENOMEM;
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "a{sv}");
	for (size_t i = 0; r >= 0 && i < n && i < BUS_MAX_SOCKETS; i++)
		r = append_socket(reply, &b->m->scan.rows[idx[i]]);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	free(idx);
	sd_bus_message_unref(reply);
	return r;
}

static int method_list_alerts(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	sd_bus_message *reply = NULL;
	struct alert *a = calloc(ALERTS_MAX, sizeof(*a));
	size_t n;
	int r;

	if (!a)
		return -ENOMEM;
	n = alerts_list(b->m->alerts, a, ALERTS_MAX);
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "a{sv}");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = append_alert(reply, &a[i]);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	free(a);
	sd_bus_message_unref(reply);
	return r;
}

static int method_recommend(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	const struct burst_stats *st = &b->m->meter.stats;
	const struct recommendation *rec = &b->m->snap.rec;

	snapshot_refresh(&b->m->conf, burst_peak_bytes(st), burst_peak_events(st), &b->m->snap);
	return sd_bus_reply_method_return(msg, "tts", rec->rmem_default, rec->rmem_max,
					  rec->reason);
}

static int method_apply(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	struct rmem after;
	char err[512];
	int dry, r;

	r = sd_bus_message_read(msg, "b", &dry);
	if (r < 0)
		return r;
	if (require_root(msg, error, "Apply") < 0)
		return -EACCES;
	r = manager_apply(b->m, dry, &after, err, sizeof(err));
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s", err);
	bus_properties_changed(b->m);
	return sd_bus_reply_method_return(msg, "tt", after.rmem_default, after.rmem_max);
}

static int method_fix_socket(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	uint64_t inode, size, got = 0;
	char err[512];
	int r;

	r = sd_bus_message_read(msg, "tt", &inode, &size);
	if (r < 0)
		return r;
	if (require_root(msg, error, "FixSocket") < 0)
		return -EACCES;
	if (inode == 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "inode 0 names no socket");
	if (size != 0 && (size < 4096 || size > INT32_MAX))
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "size %" PRIu64 " is out of range: 0 (recommended) or "
					 "4096..%d bytes",
					 size, INT32_MAX);
	r = manager_fix_socket(b->m, inode, size, &got, err, sizeof(err));
	if (r == -ENOENT || r == -ESRCH)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s", err);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s", err);
	return sd_bus_reply_method_return(msg, "t", got);
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;
	char err[1024];

	if (require_root(msg, error, "Reload") < 0)
		return -EACCES;
	if (manager_reload(b->m, err, sizeof(err)) < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
					 "%s; the configuration in force "
					 "is kept",
					 err);
	bus_properties_changed(b->m);
	return sd_bus_reply_method_return(msg, "");
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("RmemDefault", "t", get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("RmemMax", "t", get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("RecommendedRmemDefault", "t", get_prop, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("RecommendedRmemMax", "t", get_prop, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("EventsTotal", "t", get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("PeakBytes", "t", get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("DropsTotal", "t", get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("PeakEvents", "u", get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Policy", "s", get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("Describe", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", status_json),
				method_describe, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListSockets", SD_BUS_NO_ARGS, SD_BUS_RESULT("aa{sv}", sockets),
				method_list_sockets, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListAlerts", SD_BUS_NO_ARGS, SD_BUS_RESULT("aa{sv}", alerts),
				method_list_alerts, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Recommend", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("t", rmem_default, "t", rmem_max, "s", reason),
				method_recommend, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Apply", SD_BUS_ARGS("b", dry_run),
				SD_BUS_RESULT("t", rmem_default, "t", rmem_max), method_apply, 0),
	SD_BUS_METHOD_WITH_ARGS("FixSocket", SD_BUS_ARGS("t", inode, "t", size),
				SD_BUS_RESULT("t", rcvbuf), method_fix_socket, 0),
	SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_reload, 0),
	SD_BUS_SIGNAL_WITH_ARGS("Alert", SD_BUS_ARGS("a{sv}", alert), 0),
	SD_BUS_VTABLE_END
};

/* ---- connection ---------------------------------------------------------------------------- */

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct bus *b = userdata;

	bus_connect(b);
	return 0;
}

static void schedule_retry(struct bus *b)
{
	b->backoff_us = b->backoff_us ? b->backoff_us * 2 : BUS_RETRY_MIN_US;
	if (b->backoff_us > BUS_RETRY_MAX_US)
		b->backoff_us = BUS_RETRY_MAX_US;
	if (!b->retry) {
		if (sd_event_add_time_relative(b->m->event, &b->retry, CLOCK_MONOTONIC,
					       b->backoff_us, 10000, on_retry, b) < 0)
			return;
	} else {
		sd_event_source_set_time_relative(b->retry, b->backoff_us);
	}
	sd_event_source_set_enabled(b->retry, SD_EVENT_ONESHOT);
}

static void drop_bus(struct bus *b)
{
	if (b->bus) {
		sd_bus_detach_event(b->bus);
		b->bus = sd_bus_close_unref(b->bus); /* no flush: a wedged bus must not hang us */
	}
	b->m->bus = NULL;
}

static int on_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct bus *b = userdata;

	log_warnx("lost the system bus: D-Bus API off until it is back (measuring goes on)");
	drop_bus(b);
	b->said_absent = true;
	b->backoff_us = 0;
	schedule_retry(b);
	return 0;
}

static int on_name(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
	const sd_bus_error *e = sd_bus_message_get_error(msg);

	if (e) {
		log_warnx(
		    "cannot own %s on the system bus: %s (is dbus/org.nltune1.conf installed?)",
		    BUS_NAME, e->message);
		return 0;
	}
	log_info("serving %s on the system bus", BUS_NAME);
	return 0;
}

static int bus_connect(struct bus *b)
{
	sd_bus *bus = NULL;
	int r;

	r = sd_bus_open_system(&bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, BUS_PATH, BUS_IFACE, manager_vtable, b);
	if (r >= 0)
		r = sd_bus_match_signal_async(bus, NULL, "org.freedesktop.DBus.Local", NULL,
					      "org.freedesktop.DBus.Local", "Disconnected",
					      on_disconnected, NULL, b);
	if (r >= 0)
		r = sd_bus_request_name_async(bus, NULL, BUS_NAME, 0, on_name, b);
	if (r >= 0)
		r = sd_bus_attach_event(bus, b->m->event, 0);
	if (r < 0) {
		if (!b->said_absent)
			log_warnx(
			    "no system bus (%s): D-Bus API off, measuring anyway; retrying in "
			    "the background",
			    strerror(-r));
		b->said_absent = true;
		sd_bus_close_unref(bus);
		schedule_retry(b);
		return r;
	}
	b->bus = bus;
	b->m->bus = b;
	b->backoff_us = 0;
	if (b->said_absent)
		log_info("system bus is back");
	b->said_absent = false;
	props_now(b->m, &b->last);
	return 0;
}

int bus_start(struct manager *m)
{
	memset(&the_bus, 0, sizeof(the_bus));
	the_bus.m = m;
	return bus_connect(&the_bus);
}

void bus_stop(struct manager *m)
{
	struct bus *b = &the_bus;

	if (b->m != m)
		return;
	if (b->bus)
		sd_bus_release_name(b->bus, BUS_NAME);
	drop_bus(b);
	b->retry = sd_event_source_unref(b->retry);
}

void bus_emit_alert(struct manager *m, const struct alert *a)
{
	sd_bus_message *sig = NULL;
	int r;

	if (!m->bus || !m->bus->bus)
		return;
	r = sd_bus_message_new_signal(m->bus->bus, &sig, BUS_PATH, BUS_IFACE, "Alert");
	if (r >= 0)
		r = append_alert(sig, a);
	if (r >= 0)
		r = sd_bus_send(m->bus->bus, sig, NULL);
	if (r < 0)
		log_debug("cannot send the Alert signal: %s", strerror(-r));
	sd_bus_message_unref(sig);
}

void bus_properties_changed(struct manager *m)
{
	struct bus *b = m->bus;
	const char *names[10];
	struct props p;
	size_t n = 0;

	if (!b || !b->bus)
		return;
	props_now(m, &p);
#define CHANGED(field, name)                                                                       \
	if (p.field != b->last.field)                                                              \
	names[n++] = name
	CHANGED(rmem_default, "RmemDefault");
	CHANGED(rmem_max, "RmemMax");
	CHANGED(rec_default, "RecommendedRmemDefault");
	CHANGED(rec_max, "RecommendedRmemMax");
	CHANGED(events, "EventsTotal");
	CHANGED(peak_bytes, "PeakBytes");
	CHANGED(drops, "DropsTotal");
	CHANGED(peak_events, "PeakEvents");
	CHANGED(policy, "Policy");
#undef CHANGED
	names[n] = NULL;
	b->last = p;
	if (n)
		sd_bus_emit_properties_changed_strv(b->bus, BUS_PATH, BUS_IFACE, (char **)names);
}
