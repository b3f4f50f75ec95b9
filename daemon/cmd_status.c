/* SPDX-License-Identifier: MIT */
/* `nltune status|sockets|alerts|metrics`: the status and socket documents on the console. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "collect.h"
#include "costscan.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "reply.h"
#include "report.h"

enum { DOC_STATUS = 1, DOC_ALL_SOCKETS = 2 }; /* what a command needs built */

struct docs {
	json_object *status;  /* SPEC status document */
	json_object *sockets; /* every socket (for --all, metrics) */
	struct collect col;
	bool have_col;
};

static int local_docs(struct cli *c, struct docs *d, int want)
{
	struct status_input in = { .source = "local" };
	const struct state_boot *b;
	struct alert *alerts;
	char why[256];
	size_t na;
	int r;

	r = collect_local(&c->conf, (want & DOC_ALL_SOCKETS) != 0, &d->col);
	d->have_col = true;
	if (r < 0) {
		cli_scan_failed(&d->col.scan, r);
		return r;
	}
	cli_scan_gaps(&d->col.scan);
	if (snapshot_state_problem(&d->col.snap, why, sizeof(why))[0])
		log_warnx("%s/%s: %s", c->conf.state_dir, STATE_FILE, why);
	if (want & DOC_ALL_SOCKETS)
		d->sockets = report_sockets_json(&d->col.scan, true);
	if (!(want & DOC_STATUS))
		return 0;
	alerts = calloc(ALERTS_MAX, sizeof(*alerts));
	if (!alerts)
		return -ENOMEM;
	na = alerts_list(d->col.alerts, alerts, ALERTS_MAX);
	costscan_annotate(&d->col.snap.rec, d->col.snap.sysctl.rmem_default, &d->col.scan, 0);
	in.sysctl = &d->col.snap.sysctl;
	in.rec = &d->col.snap.rec;
	in.window_ms = c->conf.window_ms;
	b = d->col.snap.boot_id[0] ? state_find_boot(&d->col.snap.state, d->col.snap.boot_id)
				   : NULL;
	if (b) { /* what nltuned saved of this boot */
		in.events_total = b->total_events;
		in.peak_events = b->peak_events;
		in.peak_bytes = b->peak_bytes;
		in.udev_total = b->udev_total_events;
		in.udev_peak_events = b->udev_peak_events;
		in.udev_peak_bytes = b->udev_peak_bytes;
		in.boot = b;
	}
	in.scan = &d->col.scan;
	in.alerts = alerts;
	in.nalerts = na;
	d->status = report_status_json(&in);
	free(alerts);
	return 0;
}

static void docs_free(struct docs *d)
{
	json_object_put(d->status);
	json_object_put(d->sockets);
	if (d->have_col)
		collect_free(&d->col);
}

/* Ask nltuned first (unless --no-daemon); a daemon that does not answer means a local snapshot. */
static int daemon_docs(struct cli *c, struct docs *d, int want)
{
	char why[256];
	int r = 0;

	if (c->no_daemon)
		return -ENOTCONN;
	if (want & DOC_STATUS) {
		r = client_describe(&d->status);
		/* Whoever owns the name (another version, an impostor) is checked before use. */
		if (r >= 0 && (r = reply_check_status(d->status, why, sizeof(why))) < 0)
			log_warnx("nltuned's Describe reply: %s; using a local snapshot", why);
	}
	if (r >= 0 && (want & DOC_ALL_SOCKETS)) {
		r = client_list_sockets_matching("", 0, -1, 0, &d->sockets);
		if (r == -EBADMSG ||
		    (r >= 0 && (r = reply_check_sockets(d->sockets, why, sizeof(why))) < 0))
			log_warnx("nltuned's ListSocketsJSON reply: %s; using a local snapshot",
				  r == -EBADMSG && !d->sockets ? "not a JSON array" : why);
	}
	if (r < 0) {
		json_object_put(d->sockets);
		d->sockets = NULL;
		json_object_put(d->status);
		d->status = NULL;
	}
	return r;
}

static int get_docs(struct cli *c, struct docs *d, int want)
{
	memset(d, 0, sizeof(*d));
	if (daemon_docs(c, d, want) == 0)
		return 0;
	log_debug("no answer from nltuned: local snapshot");
	return local_docs(c, d, want);
}

int cmd_recommend_daemon(struct cli *c, json_object **rec)
{
	json_object *st, *r, *sys;
	struct docs d;

	memset(&d, 0, sizeof(d));
	if (daemon_docs(c, &d, DOC_STATUS) < 0)
		return -ENOTCONN;
	st = d.status;
	if (!json_object_object_get_ex(st, "recommended", &r) ||
	    !json_object_object_get_ex(st, "sysctl", &sys)) {
		docs_free(&d);
		return -EBADMSG;
	}
	*rec = json_object_get(r);
	json_object_object_add(*rec, "sysctl", json_object_get(sys));
	json_object_object_add(*rec, "source", json_object_new_string("daemon"));
	docs_free(&d);
	return 0;
}

static struct render_opts ropts(const struct cli *c)
{
	struct render_opts o = { .color = c->color, .legend = !c->no_legend, .width = c->width };

	return o;
}

int cmd_status(struct cli *c)
{
	struct render_opts ro = ropts(c);
	json_object *h;
	char why[512];
	int r;
	struct docs d;

	if (get_docs(c, &d, DOC_STATUS | (c->all ? DOC_ALL_SOCKETS : 0)) < 0) {
		docs_free(&d);
		return 1;
	}
	if (c->all) {
		json_object_object_del(d.status, "sockets");
		json_object_object_add(d.status, "sockets", json_object_get(d.sockets));
	}
	h = cli_history(c, true);
	if (h)
		json_object_object_add(d.status, "history", h);
	/* 3: it worked and something needs attention, as nltune(8) says. */
	r = render_attention(d.status, why, sizeof(why)) ? 3 : 0;
	if (c->json)
		cli_print_json(c, json_object_get(d.status));
	else
		render_status(stdout, d.status, &ro);
	docs_free(&d);
	return r;
}

static const char *verdict_filter_name(enum scan_verdict_filter v)
{
	static const char *const names[] = { "", "problem", "ok", "at-risk", "dropping" };

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "";
}

/* A local scan and the rows that pass f, worst first (*idx: free it); 0 or -errno. */
static int local_rows(struct cli *c, const struct scan_filter *f, struct collect *col, size_t **idx,
		      size_t *n)
{
	int r;

	/* A pid's or a healthy socket's owner is looked up only when asked for. */
	r = collect_local(&c->conf, f->pid || f->verdict != SCAN_PROBLEM, col);
	if (r < 0) {
		cli_scan_failed(&col->scan, r);
		collect_free(col);
		return r;
	}
	cli_scan_gaps(&col->scan);
	*idx = report_rows_matching(&col->scan, f, n);
	if (!*idx) {
		collect_free(col);
		return -ENOMEM;
	}
	return 0;
}

/* Every socket that passes f from a local scan, worst first. */
static json_object *local_sockets(struct cli *c, const struct scan_filter *f)
{
	json_object *arr;
	struct collect col;
	size_t n, *idx;

	if (local_rows(c, f, &col, &idx, &n) < 0)
		return NULL;
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, report_socket_json(&col.scan.rows[idx[i]]));
	free(idx);
	collect_free(&col);
	return arr;
}

/* The same printed as plain JSON straight from the rows, with no object per socket. */
static int local_sockets_print(struct cli *c, const struct scan_filter *f)
{
	struct collect col;
	size_t n, *idx;
	char *text;

	if (local_rows(c, f, &col, &idx, &n) < 0)
		return 1;
	text = report_sockets_text(&col.scan, idx, n);
	free(idx);
	collect_free(&col);
	if (!text) {
		log_warnx("out of memory");
		return 1;
	}
	puts(text);
	fflush(stdout);
	free(text);
	return 0;
}

/* Every socket that passes f from nltuned, checked by type; NULL if it did not answer well. */
static json_object *daemon_sockets(const struct scan_filter *f)
{
	json_object *out = NULL;
	char why[256];
	int r;

	r = client_list_sockets_matching(verdict_filter_name(f->verdict), (uint32_t)f->pid,
					 f->protocol, f->netns, &out);
	if (r == -EBADMSG || (r >= 0 && (r = reply_check_sockets(out, why, sizeof(why))) < 0))
		log_warnx("nltuned's ListSocketsJSON reply: %s; using a local snapshot",
			  r == -EBADMSG && !out ? "not a JSON array" : why);
	if (r < 0) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

/* The daemon's scan left rows unread: say so under the table, as status does. */
static void daemon_scan_gaps(void)
{
	json_object *st = NULL;
	char why[256];

	if (client_describe(&st) >= 0 && reply_check_status(st, why, sizeof(why)) >= 0)
		render_scan_gaps(stdout, report_get(st, "scan"));
	json_object_put(st);
}

int cmd_sockets(struct cli *c)
{
	struct render_opts ro = ropts(c);
	struct scan_filter f = c->filter;
	json_object *out = NULL;
	bool local = c->no_daemon;

	/* Without --all or --verdict: the problems. Paged from nltuned: never cut. */
	if (f.verdict == SCAN_ANY && !c->all)
		f.verdict = SCAN_PROBLEM;
	if (!local && !(out = daemon_sockets(&f))) {
		log_debug("no answer from nltuned: local snapshot");
		local = true;
	}
	if (local && c->json && c->json_pretty != 1)
		return local_sockets_print(c, &f);
	if (local && !(out = local_sockets(c, &f)))
		return 1;
	if (c->json)
		cli_print_json(c, out);
	else {
		render_sockets(stdout, out, &ro);
		if (!local)
			daemon_scan_gaps();
		json_object_put(out);
	}
	return 0;
}

int cmd_alerts(struct cli *c)
{
	struct render_opts ro = ropts(c);
	json_object *a;
	struct docs d;

	if (get_docs(c, &d, DOC_STATUS) < 0) {
		docs_free(&d);
		return 1;
	}
	if (!json_object_object_get_ex(d.status, "alerts", &a))
		a = NULL;
	if (c->json)
		cli_print_json(c, a ? json_object_get(a) : json_object_new_array());
	else
		render_alerts(stdout, a, &ro);
	docs_free(&d);
	return 0;
}

int cmd_metrics(struct cli *c)
{
	struct docs d;

	if (get_docs(c, &d, DOC_STATUS | DOC_ALL_SOCKETS) < 0) {
		docs_free(&d);
		return 1;
	}
	metrics_write(stdout, d.status, d.sockets);
	docs_free(&d);
	return 0;
}
