/* SPDX-License-Identifier: MIT */
/* The SOCKET and ALERT field tables; pure. Add or rename a key here and every output follows. */
#include "record.h"

#include <string.h>

#include "alerts.h"
#include "scan.h"
#include "units.h"
#include "verdict.h"

#define ROW(rec) ((const struct sockrow *)(rec))
#define ALR(rec) ((const struct alert *)(rec))
#define GETTER(name, expr_assign)                                                                  \
	static bool name(const void *rec, union field_value *v, char *buf, size_t len)             \
	{                                                                                          \
		(void)buf;                                                                         \
		(void)len;                                                                         \
		expr_assign;                                                                       \
		return true;                                                                       \
	}

/* ---- SOCKET ---------------------------------------------------------------------------------- */

GETTER(sock_inode, v->u = ROW(rec)->s.inode)
GETTER(sock_protocol, v->u = ROW(rec)->s.protocol)
GETTER(sock_portid, v->u = ROW(rec)->s.portid)
GETTER(sock_netns, v->u = ROW(rec)->s.netns)
GETTER(sock_comm, v->s = ROW(rec)->own ? ROW(rec)->own->comm : "")
GETTER(sock_groups, v->u = ROW(rec)->s.groups)
GETTER(sock_rcvbuf, v->u = ROW(rec)->s.rcvbuf)
GETTER(sock_queued, v->u = ROW(rec)->s.rmem)
GETTER(sock_drops, v->u = ROW(rec)->s.drops)
GETTER(sock_new_drops, v->u = ROW(rec)->new_drops)
GETTER(sock_no_enobufs, v->b = ROW(rec)->s.no_enobufs)
GETTER(sock_holds_events, v->u = ROW(rec)->v.holds_events)
GETTER(sock_limit, v->s = verdict_limit_name(ROW(rec)->v.limit))
GETTER(sock_verdict, v->s = verdict_name(ROW(rec)->v.verdict))

static bool sock_pids(const void *rec, union field_value *v, char *buf, size_t len)
{
	const struct sockrow *r = rec;

	v->pids.v = r->own ? r->own->pids : NULL;
	v->pids.n = r->own ? r->own->npids : 0;
	return true;
}

/* Built when shown, never per scan: buf holds RECORD_TEXT_LEN. */
static bool sock_fix(const void *rec, union field_value *v, char *buf, size_t len)
{
	v->s = scan_fix(ROW(rec), buf, len);
	return true;
}

static const char *const verdict_states[] = { "ok", "at-risk", "dropping", NULL };

static const struct field socket_fields[] = {
	{ "inode", FIELD_U64, METRIC_LABEL, NULL, NULL, sock_inode, NULL },
	{ "protocol", FIELD_U32, METRIC_LABEL, NULL, NULL, sock_protocol, NULL },
	{ "portid", FIELD_U32, METRIC_NONE, NULL, NULL, sock_portid, NULL },
	{ "netns", FIELD_U64, METRIC_LABEL, NULL, NULL, sock_netns, NULL },
	{ "pids", FIELD_PIDS, METRIC_INFO, "pid", NULL, sock_pids, NULL },
	{ "comm", FIELD_STR, METRIC_INFO, NULL, NULL, sock_comm, NULL },
	{ "groups", FIELD_U32, METRIC_NONE, NULL, NULL, sock_groups, NULL },
	{ "rcvbuf", FIELD_U64, METRIC_GAUGE, "rcvbuf_bytes", "receive buffer", sock_rcvbuf, NULL },
	{ "queued", FIELD_U64, METRIC_GAUGE, "queued_bytes", "bytes queued, not yet read",
	  sock_queued, NULL },
	{ "drops", FIELD_U64, METRIC_COUNTER, "drops_total", "messages the kernel dropped",
	  sock_drops, NULL },
	{ "new_drops", FIELD_U64, METRIC_NONE, NULL, NULL, sock_new_drops, NULL },
	{ "no_enobufs", FIELD_BOOL, METRIC_NONE, NULL, NULL, sock_no_enobufs, NULL },
	{ "holds_events", FIELD_U64, METRIC_GAUGE, NULL, "typical uevents the buffer holds",
	  sock_holds_events, NULL },
	{ "limit", FIELD_STR, METRIC_INFO, NULL, NULL, sock_limit, NULL },
	{ "verdict", FIELD_STR, METRIC_STATE, NULL, "the verdict: 0 ok, 1 at-risk, 2 dropping",
	  sock_verdict, verdict_states },
	{ "fix", FIELD_STR, METRIC_NONE, NULL, NULL, sock_fix, NULL },
};

const struct record_schema record_socket = {
	"socket",
	socket_fields,
	sizeof(socket_fields) / sizeof(socket_fields[0]),
};

/* ---- ALERT ----------------------------------------------------------------------------------- */

GETTER(alert_id, v->u = ALR(rec)->id)
GETTER(alert_severity, v->s = alerts_severity_name(ALR(rec)->severity))
GETTER(alert_kind, v->s = alerts_kind_name(ALR(rec)->kind))
GETTER(alert_message, v->s = ALR(rec)->message)

static bool alert_time(const void *rec, union field_value *v, char *buf, size_t len)
{
	v->s = units_time(buf, len, ALR(rec)->time_ms);
	return true;
}

static bool alert_pid(const void *rec, union field_value *v, char *buf, size_t len)
{
	v->u = ALR(rec)->pid > 0 ? (uint64_t)ALR(rec)->pid : 0;
	return ALR(rec)->pid > 0;
}

/* A socket's alert always says its drops, 0 included; other alerts only when there are some. */
static bool alert_drops(const void *rec, union field_value *v, char *buf, size_t len)
{
	v->u = ALR(rec)->drops;
	return ALR(rec)->inode || ALR(rec)->drops;
}

static bool alert_comm(const void *rec, union field_value *v, char *buf, size_t len)
{
	v->s = ALR(rec)->comm;
	return ALR(rec)->pid != 0 || ALR(rec)->inode != 0; /* a process's alert names it */
}

static bool alert_inode(const void *rec, union field_value *v, char *buf, size_t len)
{
	v->u = ALR(rec)->inode;
	return ALR(rec)->inode != 0;
}

static const struct field alert_fields[] = {
	{ "id", FIELD_U64, METRIC_NONE, NULL, NULL, alert_id, NULL },
	{ "time", FIELD_STR, METRIC_NONE, NULL, NULL, alert_time, NULL },
	{ "severity", FIELD_STR, METRIC_NONE, NULL, NULL, alert_severity, NULL },
	{ "kind", FIELD_STR, METRIC_NONE, NULL, NULL, alert_kind, NULL },
	{ "message", FIELD_STR, METRIC_NONE, NULL, NULL, alert_message, NULL },
	{ "pid", FIELD_U32, METRIC_NONE, NULL, NULL, alert_pid, NULL },
	{ "drops", FIELD_U64, METRIC_NONE, NULL, NULL, alert_drops, NULL },
	{ "comm", FIELD_STR, METRIC_NONE, NULL, NULL, alert_comm, NULL },
	{ "inode", FIELD_U64, METRIC_NONE, NULL, NULL, alert_inode, NULL },
};

const struct record_schema record_alert = {
	"alert",
	alert_fields,
	sizeof(alert_fields) / sizeof(alert_fields[0]),
};

/* ---- lookups --------------------------------------------------------------------------------- */

const char *record_dbus_type(enum field_type t)
{
	switch (t) {
	case FIELD_U64:
		return "t";
	case FIELD_U32:
		return "u";
	case FIELD_BOOL:
		return "b";
	case FIELD_STR:
		return "s";
	case FIELD_PIDS:
		return "au";
	}
	return "s";
}

const char *record_metric_name(const struct field *f)
{
	return f->metric_name ? f->metric_name : f->key;
}
