/* SPDX-License-Identifier: MIT */
/* Burst and totals records in the one vocabulary shared by --json, D-Bus and metrics. */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "alerts.h"
#include "recommend.h"
#include "record.h"
#include "sanitize.h"
#include "scan.h"
#include "state.h"
#include "units.h"
#include "sysctl.h"

static uint64_t burst_ms(const struct burst *b)
{
	return (b->end_us - b->start_us) / 1000;
}

json_object *report_burst_json(const struct burst *b)
{
	json_object *o = json_object_new_object(), *subs = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("burst"));
	json_object_object_add(o, "events", json_object_new_uint64(b->events));
	json_object_object_add(o, "bytes", json_object_new_uint64(b->bytes));
	json_object_object_add(o, "duration_ms", json_object_new_uint64(burst_ms(b)));
	for (size_t i = 0; i < b->nsubsys; i++)
		json_object_object_add(subs, b->subsys[i].name,
				       json_object_new_uint64(b->subsys[i].events));
	json_object_object_add(o, "subsystems", subs);
	return o;
}

void report_burst_text(char *buf, size_t len, const struct burst *b)
{
	char sz[32];
	size_t off;
	int n;

	n = snprintf(buf, len, "burst: %" PRIu64 " events, %s charged in %" PRIu64 " ms (",
		     b->events, units_size(sz, sizeof(sz), b->bytes), burst_ms(b));
	off = n < 0 ? 0 : (size_t)n;
	for (size_t i = 0; i < b->nsubsys && off < len; i++) {
		char name[BURST_SUBSYS_LEN];

		/* For a log line or a terminal: no control byte of a uevent gets through. */
		sanitize_text(name, sizeof(name), b->subsys[i].name);
		n = snprintf(buf + off, len - off, "%s%s %" PRIu64, i ? ", " : "", name,
			     b->subsys[i].events);
		off += n < 0 ? 0 : (size_t)n;
	}
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

json_object *report_totals_json(const struct meter *mt)
{
	const struct burst_stats *s = &mt->stats;
	json_object *o = json_object_new_object(), *wins = json_object_new_array();

	json_object_object_add(o, "type", json_object_new_string("totals"));
	json_object_object_add(o, "events", json_object_new_uint64(s->total_events));
	json_object_object_add(o, "bytes", json_object_new_uint64(s->total_bytes));
	json_object_object_add(o, "window_ms",
			       json_object_new_uint64(burst_window(s, 2)->width_us / 1000));
	json_object_object_add(o, "peak_events", json_object_new_uint64(burst_peak_events(s)));
	json_object_object_add(o, "peak_bytes", json_object_new_uint64(burst_peak_bytes(s)));
	json_object_object_add(o, "own_drops", json_object_new_uint64(mt->mon.own_drops));
	json_object_object_add(o, "enobufs", json_object_new_uint64(mt->mon.enobufs));
	json_object_object_add(o, "malformed",
			       json_object_new_uint64(mt->malformed + mt->mon.truncated));
	json_object_object_add(o, "monitor_rcvbuf", json_object_new_uint64(mt->mon.rcvbuf));
	for (size_t i = 0; i < BURST_NWIN; i++) {
		const struct burst_window *w = burst_window(s, i);
		json_object *wo = json_object_new_object();

		json_object_object_add(wo, "window_ms", json_object_new_uint64(w->width_us / 1000));
		json_object_object_add(wo, "peak_events", json_object_new_uint64(w->peak_ev));
		json_object_object_add(wo, "peak_bytes", json_object_new_uint64(w->peak_bytes));
		json_object_array_add(wins, wo);
	}
	json_object_object_add(o, "windows", wins);
	return o;
}

void report_totals_text(char *buf, size_t len, const struct meter *mt)
{
	const struct burst_stats *s = &mt->stats;
	char a[32], b[32];

	snprintf(buf, len,
		 "totals: %" PRIu64 " events, %s charged; peak %" PRIu64 " events / %s in %" PRIu64
		 " ms; %" PRIu64 " lost by nltune itself",
		 s->total_events, units_size(a, sizeof(a), s->total_bytes), burst_peak_events(s),
		 units_size(b, sizeof(b), burst_peak_bytes(s)), burst_window(s, 2)->width_us / 1000,
		 mt->mon.own_drops);
}

uint64_t report_u64(json_object *o, const char *key)
{
	json_object *v = report_get(o, key);

	return v ? (uint64_t)json_object_get_uint64(v) : 0;
}

const char *report_str(json_object *o, const char *key)
{
	json_object *v = report_get(o, key);

	return v ? json_object_get_string(v) : "";
}

json_object *report_get(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

void report_print_json(json_object *obj, bool pretty)
{
	puts(json_object_to_json_string_ext(
	    obj,
	    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN) |
		JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}

json_object *report_rmem_json(const struct rmem *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "rmem_default", json_object_new_uint64(v->rmem_default));
	json_object_object_add(o, "rmem_max", json_object_new_uint64(v->rmem_max));
	return o;
}

json_object *report_cost_json(const struct recommendation *r)
{
	json_object *o = json_object_new_object(), *inh = json_object_new_object();
	json_object *cut = json_object_new_array(), *missing = json_object_new_object();
	const struct cost_count *c = &r->cost;

	for (int f = 0; f < COST_NFAM; f++) {
		const char *name = cost_family_name((enum cost_family)f);

		if (c->fam[f].err) {
			json_object_object_add(missing, name,
					       json_object_new_string(strerror(-c->fam[f].err)));
			continue;
		}
		json_object_object_add(inh, name, json_object_new_uint64(c->fam[f].inheriting));
		if (c->fam[f].cut)
			json_object_array_add(cut, json_object_new_string(name));
	}
	json_object_object_add(o, "inheriting", inh);
	json_object_object_add(o, "worst_case_bytes", json_object_new_uint64(r->worst_case_bytes));
	json_object_object_add(o, "rmem_default", json_object_new_uint64(c->rmem_default));
	json_object_object_add(o, "udp_mem_bytes", json_object_new_uint64(c->udp_mem_bytes));
	json_object_object_add(o, "cut", cut);
	json_object_object_add(o, "unavailable", missing);
	json_object_object_add(o, "at_risk", json_object_new_uint64(r->risk.at_risk));
	json_object_object_add(o, "at_risk_own_buffer", json_object_new_uint64(r->risk.own_buffer));
	return o;
}

json_object *report_recommended_json(const struct recommendation *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "rmem_default", json_object_new_uint64(r->rmem_default));
	json_object_object_add(o, "rmem_max", json_object_new_uint64(r->rmem_max));
	json_object_object_add(o, "need_bytes", json_object_new_uint64(r->need_bytes));
	json_object_object_add(o, "need_events", json_object_new_uint64(r->need_events));
	json_object_object_add(o, "ceiling", json_object_new_uint64(r->ceiling));
	json_object_object_add(o, "reason", json_object_new_string(r->reason));
	if (r->has_cost)
		json_object_object_add(o, "cost", report_cost_json(r));
	return o;
}

/* One value of a record field as JSON; strings made valid UTF-8 without control bytes. */
static json_object *field_json(const struct field *f, const union field_value *v)
{
	json_object *arr;
	char clean[1024];

	switch (f->type) {
	case FIELD_U64:
	case FIELD_U32:
		return json_object_new_uint64(v->u);
	case FIELD_BOOL:
		return json_object_new_boolean(v->b);
	case FIELD_PIDS:
		arr = json_object_new_array_ext((int)v->pids.n);
		for (size_t i = 0; i < v->pids.n; i++)
			json_object_array_add(arr, json_object_new_int(v->pids.v[i]));
		return arr;
	case FIELD_STR:
		break;
	}
	sanitize_text(clean, sizeof(clean), v->s ? v->s : "");
	return json_object_new_string(clean);
}

/* A record as JSON, walking its field table (record.h); strings come out valid UTF-8. */
static json_object *record_json(const struct record_schema *s, const void *rec)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *f = &s->fields[i];
		union field_value v = { 0 };
		char buf[RECORD_TEXT_LEN];

		if (f->get(rec, &v, buf, sizeof(buf)))
			json_object_object_add(o, f->key, field_json(f, &v));
	}
	return o;
}

json_object *report_socket_json(const struct sockrow *r)
{
	return record_json(&record_socket, r);
}

/* A growing text; oom once an allocation failed (the text is then dropped). */
struct jtext {
	char *p;
	size_t len, cap;
	bool oom;
};

static void jt_put(struct jtext *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t ncap = t->cap ? t->cap : 4096;
		char *q;

		while (t->len + n + 1 > ncap)
			ncap *= 2;
		q = realloc(t->p, ncap);
		if (!q) {
			t->oom = true;
			return;
		}
		t->p = q;
		t->cap = ncap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void jt_puts(struct jtext *t, const char *s)
{
	jt_put(t, s, strlen(s));
}

static void jt_u64(struct jtext *t, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);

	jt_put(t, num, (size_t)n);
}

/* A JSON string, escaped as json-c writes it with JSON_C_TO_STRING_NOSLASHESCAPE. */
static void jt_str(struct jtext *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	jt_put(t, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		size_t n = 6;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jt_put(t, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			n = 2;
			break;
		case '\b':
			esc[1] = 'b', n = 2;
			break;
		case '\n':
			esc[1] = 'n', n = 2;
			break;
		case '\r':
			esc[1] = 'r', n = 2;
			break;
		case '\t':
			esc[1] = 't', n = 2;
			break;
		case '\f':
			esc[1] = 'f', n = 2;
			break;
		}
		jt_put(t, esc, n);
	}
	jt_put(t, run, (size_t)(s - run));
	jt_put(t, "\"", 1);
}

/* The record as JSON text, straight from its field table, with no json_object built. */
static void jt_record(struct jtext *t, const struct record_schema *s, const void *rec)
{
	bool first = true;

	jt_put(t, "{", 1);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *f = &s->fields[i];
		union field_value v = { 0 };
		char buf[RECORD_TEXT_LEN], clean[1024];

		if (!f->get(rec, &v, buf, sizeof(buf)))
			continue;
		if (!first)
			jt_put(t, ",", 1);
		first = false;
		jt_str(t, f->key);
		jt_put(t, ":", 1);
		switch (f->type) {
		case FIELD_U64:
		case FIELD_U32:
			jt_u64(t, v.u);
			break;
		case FIELD_BOOL:
			jt_puts(t, v.b ? "true" : "false");
			break;
		case FIELD_PIDS:
			jt_put(t, "[", 1);
			for (size_t k = 0; k < v.pids.n; k++) {
				char num[16];
				int n = snprintf(num, sizeof(num), "%s%d", k ? "," : "",
						 (int)v.pids.v[k]);

				jt_put(t, num, (size_t)n);
			}
			jt_put(t, "]", 1);
			break;
		case FIELD_STR:
			sanitize_text(clean, sizeof(clean), v.s ? v.s : "");
			jt_str(t, clean);
			break;
		}
	}
	jt_put(t, "}", 1);
}

char *report_sockets_text(const struct scanner *sc, const size_t *idx, size_t n)
{
	struct jtext t = { 0 };

	jt_put(&t, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			jt_put(&t, ",", 1);
		jt_record(&t, &record_socket, &sc->rows[idx[i]]);
	}
	jt_put(&t, "]", 1);
	if (t.oom) {
		free(t.p);
		return NULL;
	}
	return t.p;
}

json_object *report_alert_json(const struct alert *a)
{
	return record_json(&record_alert, a);
}

static int cmp_severity(const void *a, const void *b, void *arg)
{
	const struct scanner *sc = arg;
	const struct sockrow *x = &sc->rows[*(const size_t *)a];
	const struct sockrow *y = &sc->rows[*(const size_t *)b];

	if (x->v.verdict != y->v.verdict)
		return x->v.verdict > y->v.verdict ? -1 : 1;
	if (x->new_drops != y->new_drops)
		return x->new_drops > y->new_drops ? -1 : 1;
	if (x->s.drops != y->s.drops)
		return x->s.drops > y->s.drops ? -1 : 1;
	return x->s.inode < y->s.inode ? -1 : x->s.inode > y->s.inode;
}

size_t *report_rows_matching(const struct scanner *sc, const struct scan_filter *f, size_t *n)
{
	size_t *idx = malloc((sc->nrows ? sc->nrows : 1) * sizeof(*idx));

	*n = 0;
	if (!idx)
		return NULL;
	for (size_t i = 0; i < sc->nrows; i++)
		if (!f || scan_row_match(&sc->rows[i], f))
			idx[(*n)++] = i;
	qsort_r(idx, *n, sizeof(*idx), cmp_severity, (void *)sc);
	return idx;
}

size_t *report_rows_by_severity(const struct scanner *sc, bool all, size_t *n)
{
	size_t *idx = malloc((sc->nrows ? sc->nrows : 1) * sizeof(*idx));

	*n = 0;
	if (!idx)
		return NULL;
	for (size_t i = 0; i < sc->nrows; i++)
		if (all || scan_row_problem(&sc->rows[i]))
			idx[(*n)++] = i;
	qsort_r(idx, *n, sizeof(*idx), cmp_severity, (void *)sc);
	return idx;
}

json_object *report_sockets_json(const struct scanner *sc, bool all)
{
	json_object *arr = json_object_new_array();
	size_t n, *idx = sc ? report_rows_by_severity(sc, all, &n) : NULL;

	for (size_t i = 0; idx && i < n; i++)
		json_object_array_add(arr, report_socket_json(&sc->rows[idx[i]]));
	free(idx);
	return arr;
}

json_object *report_alerts_json(const struct alert *a, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, report_alert_json(&a[i]));
	return arr;
}

/* Group 2's figures: {"total","peak_events","peak_bytes"}, and its coldplug once measured. */
static json_object *udev_json(const struct status_input *in)
{
	json_object *u = json_object_new_object();

	json_object_object_add(u, "total", json_object_new_uint64(in->udev_total));
	json_object_object_add(u, "peak_events", json_object_new_uint64(in->udev_peak_events));
	json_object_object_add(u, "peak_bytes", json_object_new_uint64(in->udev_peak_bytes));
	if (in->boot && in->boot->has_udev_coldplug) {
		json_object_object_add(u, "coldplug_events",
				       json_object_new_uint64(in->boot->udev_coldplug_events));
		json_object_object_add(u, "coldplug_bytes",
				       json_object_new_uint64(in->boot->udev_coldplug_bytes));
		json_object_object_add(u, "coldplug_ms",
				       json_object_new_uint64(in->boot->udev_coldplug_ms));
	}
	return u;
}

/* A measured coldplug burst: {"events","bytes","duration_ms"}. */
static json_object *coldplug_burst_json(uint64_t events, uint64_t bytes, uint64_t ms)
{
	json_object *cb = json_object_new_object();

	json_object_object_add(cb, "events", json_object_new_uint64(events));
	json_object_object_add(cb, "bytes", json_object_new_uint64(bytes));
	json_object_object_add(cb, "duration_ms", json_object_new_uint64(ms));
	return cb;
}

json_object *report_status_json(const struct status_input *in)
{
	json_object *o = json_object_new_object(), *ue = json_object_new_object();

	json_object_object_add(o, "source", json_object_new_string(in->source));
	json_object_object_add(o, "sysctl", report_rmem_json(in->sysctl));
	json_object_object_add(o, "recommended", report_recommended_json(in->rec));
	json_object_object_add(ue, "total", json_object_new_uint64(in->events_total));
	json_object_object_add(ue, "window_ms", json_object_new_uint64(in->window_ms));
	json_object_object_add(ue, "peak_events", json_object_new_uint64(in->peak_events));
	json_object_object_add(ue, "peak_bytes", json_object_new_uint64(in->peak_bytes));
	json_object_object_add(ue, "own_drops", json_object_new_uint64(in->own_drops));
	if (in->boot && in->boot->has_coldplug) {
		json_object_object_add(ue, "coldplug_events",
				       json_object_new_uint64(in->boot->coldplug_events));
		json_object_object_add(ue, "coldplug_bytes",
				       json_object_new_uint64(in->boot->coldplug_bytes));
		json_object_object_add(ue, "coldplug_ms",
				       json_object_new_uint64(in->boot->coldplug_ms));
	}
	json_object_object_add(ue, "udev", udev_json(in));
	json_object_object_add(o, "uevents", ue);
	json_object_object_add(o, "sockets", report_sockets_json(in->scan, false));
	json_object_object_add(o, "alerts", report_alerts_json(in->alerts, in->nalerts));
	if (in->scan) { /* what the socket list leaves out, so that it is never silent */
		json_object *sc = json_object_new_object();

		json_object_object_add(sc, "namespaces", json_object_new_uint64(in->scan->nnetns));
		json_object_object_add(sc, "bad_rows", json_object_new_uint64(in->scan->bad_rows));
		json_object_object_add(sc, "rows_over_limit",
				       json_object_new_uint64(in->scan->over_rows));
		json_object_object_add(o, "scan", sc);
	}
	return o;
}

/* {"rmem_default","rmem_max"} from two numbers. */
static json_object *rmem_pair(uint64_t d, uint64_t m)
{
	struct rmem v = { d, m };

	return report_rmem_json(&v);
}

json_object *report_history_json(const struct state *s, const char *boot_id)
{
	json_object *o = json_object_new_object(), *boots = json_object_new_array();
	char t[40];

	if (s->has_coldplug) {
		json_object *cp = json_object_new_object();

		json_object_object_add(cp, "devices", json_object_new_uint64(s->coldplug_devices));
		json_object_object_add(cp, "bytes", json_object_new_uint64(s->coldplug_bytes));
		json_object_object_add(o, "coldplug", cp);
	}
	for (size_t i = 0; i < s->nboots; i++) {
		const struct state_boot *b = &s->boots[i];
		json_object *j = json_object_new_object(), *writes = json_object_new_array();

		json_object_object_add(j, "boot_id", json_object_new_string(b->boot_id));
		json_object_object_add(
		    j, "current",
		    json_object_new_boolean(boot_id && strcmp(boot_id, b->boot_id) == 0));
		json_object_object_add(
		    j, "updated",
		    b->updated ? json_object_new_string(units_time(t, sizeof(t), b->updated * 1000))
			       : NULL);
		json_object_object_add(j, "peak_events", json_object_new_uint64(b->peak_events));
		json_object_object_add(j, "peak_bytes", json_object_new_uint64(b->peak_bytes));
		json_object_object_add(j, "window_ms", json_object_new_uint64(b->window_ms));
		json_object_object_add(j, "total_events", json_object_new_uint64(b->total_events));
		if (b->has_coldplug)
			json_object_object_add(j, "coldplug_burst",
					       coldplug_burst_json(b->coldplug_events,
								   b->coldplug_bytes,
								   b->coldplug_ms));
		if (b->has_udev || b->has_udev_coldplug) {
			json_object *u = json_object_new_object();

			json_object_object_add(u, "peak_events",
					       json_object_new_uint64(b->udev_peak_events));
			json_object_object_add(u, "peak_bytes",
					       json_object_new_uint64(b->udev_peak_bytes));
			json_object_object_add(u, "total_events",
					       json_object_new_uint64(b->udev_total_events));
			if (b->has_udev_coldplug)
				json_object_object_add(u, "coldplug_burst",
						       coldplug_burst_json(b->udev_coldplug_events,
									   b->udev_coldplug_bytes,
									   b->udev_coldplug_ms));
			json_object_object_add(j, "udev", u);
		}
		for (size_t k = 0; k < b->napplies; k++) {
			const struct state_apply *a = &b->applies[k];
			json_object *w = json_object_new_object();

			json_object_object_add(
			    w, "time",
			    json_object_new_string(units_time(t, sizeof(t), a->at * 1000)));
			json_object_object_add(w, "by",
					       json_object_new_string(state_by_name(a->by)));
			json_object_object_add(w, "before",
					       rmem_pair(a->before_default, a->before_max));
			json_object_object_add(w, "after",
					       rmem_pair(a->after_default, a->after_max));
			json_object_array_add(writes, w);
		}
		json_object_object_add(j, "writes", writes);
		json_object_object_add(
		    j, "reverted",
		    json_object_new_boolean(b->napplies &&
					    b->applies[b->napplies - 1].by == STATE_BY_REVERT));
		json_object_array_add(boots, j);
	}
	json_object_object_add(o, "boots", boots);
	return o;
}
