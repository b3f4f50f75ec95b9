/* SPDX-License-Identifier: MIT */
/* `nltune status|sockets|alerts|explain|fix|metrics`: the socket watch on the console. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "cli.h"
#include "client.h"
#include "collect.h"
#include "fixlog.h"
#include "fixsock.h"
#include "log.h"
#include "metrics.h"
#include "owners.h"
#include "paths.h"
#include "render.h"
#include "reply.h"
#include "report.h"
#include "sanitize.h"
#include "units.h"
#include "watch.h"

enum { DOC_STATUS = 1, DOC_ALL_SOCKETS = 2 }; /* what a command needs built */

struct docs {
	json_object *status;  /* SPEC status document */
	json_object *sockets; /* every socket (for --all, metrics) */
	struct collect col;
	bool have_col;
};

/* Why a local snapshot failed: a table with no readable row is named as such. */
static void scan_failed(const struct scanner *sc, int r)
{
	if (r == -EBADMSG && sc->bad_rows)
		log_warnx("%s/net/netlink: none of its %zu rows could be read; it is not a netlink "
			  "socket table",
			  paths_proc(), sc->bad_rows);
	else
		log_warnx("cannot take a snapshot under %s: %s", paths_proc(), paths_strerror(r));
}

/* The local scan read part of the table only: say so on stderr (JSON carries it in "scan"). */
static void warn_scan_gaps(const struct scanner *sc)
{
	if (sc->bad_rows)
		log_warnx("%s/net/netlink: %zu malformed rows were not read", paths_proc(),
			  sc->bad_rows);
	if (sc->over_rows)
		log_warnx("%s/net/netlink: %zu rows past the first %d were not looked at",
			  paths_proc(), sc->over_rows, NLSCAN_MAX_ROWS);
}

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
		scan_failed(&d->col.scan, r);
		return r;
	}
	warn_scan_gaps(&d->col.scan);
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
	in.sysctl = &d->col.snap.sysctl;
	in.rec = &d->col.snap.rec;
	in.window_ms = c->conf.window_ms;
	b = d->col.snap.boot_id[0] ? state_find_boot(&d->col.snap.state, d->col.snap.boot_id)
				   : NULL;
	if (b) { /* what nltuned saved of this boot */
		in.events_total = b->total_events;
		in.peak_events = b->peak_events;
		in.peak_bytes = b->peak_bytes;
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
	/* 3: it worked and something needs attention, as SPEC.md says. */
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

/* Every socket that passes f from a local scan, worst first. */
static json_object *local_sockets(struct cli *c, const struct scan_filter *f)
{
	json_object *arr = NULL;
	struct collect col;
	size_t n, *idx;
	int r;

	/* A pid's or a healthy socket's owner is looked up only when asked for. */
	r = collect_local(&c->conf, f->pid || f->verdict != SCAN_PROBLEM, &col);
	if (r < 0) {
		scan_failed(&col.scan, r);
		collect_free(&col);
		return NULL;
	}
	warn_scan_gaps(&col.scan);
	idx = report_rows_matching(&col.scan, f, &n);
	arr = json_object_new_array();
	for (size_t i = 0; idx && i < n; i++)
		json_object_array_add(arr, report_socket_json(&col.scan.rows[idx[i]]));
	free(idx);
	collect_free(&col);
	return arr;
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

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 4194304) {
		fprintf(stderr, "nltune: '%s' is not a process id\n", s);
		return -EINVAL;
	}
	*pid = (pid_t)v;
	return 0;
}

/* The PID argument and a fresh local scan; 0, or the exit code after saying why. */
static int pid_and_scan(struct cli *c, pid_t *pid, struct collect *col)
{
	int r;

	if (parse_pid(c->argv[0], pid) < 0)
		return EXIT_USAGE;
	/* A check that could not look fails; it never reports "nothing to do". */
	r = owners_check_pid(*pid);
	if (r == -ESRCH) {
		fprintf(stderr, "nltune: no process %d under %s\n", (int)*pid, paths_proc());
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "nltune: cannot look at the sockets of process %d: %s%s\n",
			(int)*pid, strerror(-r),
			r == -EACCES || r == -EPERM ? "; run as root" : "");
		return 1;
	}
	r = collect_local(&c->conf, true, col);
	if (r < 0) {
		scan_failed(&col->scan, r);
		collect_free(col);
		return 1;
	}
	warn_scan_gaps(&col->scan);
	return 0;
}

/* Index of pid among the holders of r, or -1. */
static int holder(const struct sockrow *r, pid_t pid)
{
	for (size_t i = 0; r->own && i < r->own->npids; i++)
		if (r->own->pids[i] == pid)
			return (int)i;
	return -1;
}

static const char *limit_story(const struct sockrow *r, const struct collect *col, char *buf,
			       size_t len)
{
	const struct snapshot *s = &col->snap;
	const struct fix_record *fx = fixlog_find(col->fixes, r->s.inode);
	char when[40];

	if (r->v.limit == LIMIT_FORCED && fx && fx->rcvbuf == r->s.rcvbuf) {
		snprintf(buf, len, "forced by nltune fix at %s (SO_RCVBUFFORCE)",
			 units_time(when, sizeof(when), fx->at_ms));
		return buf;
	}
	switch (r->v.limit) {
	case LIMIT_DEFAULT:
		snprintf(buf, len,
			 "never set SO_RCVBUF: it got net.core.rmem_default (%" PRIu64
			 " now) when it was created",
			 s->sysctl.rmem_default);
		break;
	case LIMIT_CAPPED:
		snprintf(buf, len,
			 "asked SO_RCVBUF for more than net.core.rmem_max (%" PRIu64
			 "): the kernel capped it at 2 x rmem_max",
			 s->sysctl.rmem_max);
		break;
	case LIMIT_MINIMUM:
		snprintf(buf, len,
			 "asked SO_RCVBUF for less than the kernel's floor: it got "
			 "SOCK_MIN_RCVBUF (%u bytes), e.g. setsockopt(SO_RCVBUF, 1024)",
			 s->sock_min);
		break;
	case LIMIT_APP:
		snprintf(buf, len, "asked SO_RCVBUF for %u bytes; the kernel doubled it",
			 r->s.rcvbuf / 2);
		break;
	case LIMIT_FORCED:
		snprintf(buf, len, "forced with SO_RCVBUFFORCE beyond 2 x rmem_max (%" PRIu64 ")",
			 s->sysctl.rmem_max);
		break;
	}
	return buf;
}

int cmd_explain(struct cli *c)
{
	struct collect col;
	char story[256], sz[32], fix[VERDICT_FIX_LEN], text[1024];
	pid_t pid;
	int found = 0, r;

	r = pid_and_scan(c, &pid, &col);
	if (r)
		return r;
	for (size_t i = 0; i < col.scan.nrows; i++) {
		const struct sockrow *row = &col.scan.rows[i];

		if (holder(row, pid) < 0)
			continue;
		if (!found++)
			printf("%s[%d]\n", sanitize_text(text, sizeof(text), row->own->comm),
			       (int)pid);
		printf("\nsocket %" PRIu64
		       ": netlink protocol %u%s, port %u, groups 0x%x, netns %" PRIu64 "\n",
		       row->s.inode, row->s.protocol,
		       row->s.protocol == NLSCAN_PROTO_UEVENT ? " (uevent)" : "", row->s.portid,
		       row->s.groups, row->s.netns);
		printf("  rcvbuf   %u bytes: limit %s: %s\n", row->s.rcvbuf,
		       verdict_limit_name(row->v.limit),
		       limit_story(row, &col, story, sizeof(story)));
		printf("  holds    %" PRIu64 " events of %u bytes", row->v.holds_events,
		       collect_typical_charge(&col.snap));
		if (row->s.protocol == NLSCAN_PROTO_UEVENT && col.snap.rec.need_bytes)
			printf("; the measured need is %s",
			       units_size(sz, sizeof(sz), col.snap.rec.need_bytes));
		printf("\n  lost     %u messages since it was created%s; %u bytes queued\n",
		       row->s.drops, row->s.no_enobufs ? " (NETLINK_NO_ENOBUFS hides ENOBUFS)" : "",
		       row->s.rmem);
		printf("  verdict  %s\n", verdict_name(row->v.verdict));
		if (scan_fix(row, fix, sizeof(fix))[0])
			printf("  fix      %s\n", sanitize_text(text, sizeof(text), fix));
	}
	collect_free(&col);
	if (!found) {
		fprintf(stderr, "nltune: process %d holds no netlink socket\n", (int)pid);
		return 1;
	}
	return 0;
}

int cmd_fix(struct cli *c)
{
	struct collect col;
	uint64_t size, got;
	char err[256];
	pid_t pid;
	int fixed = 0, failed = 0, r;

	r = pid_and_scan(c, &pid, &col);
	if (r)
		return r;
	size = c->size ? c->size : col.snap.rec.rmem_default;
	for (size_t i = 0; i < col.scan.nrows; i++) {
		const struct sockrow *row = &col.scan.rows[i];
		int h = holder(row, pid);

		if (h < 0 || row->s.protocol != NLSCAN_PROTO_UEVENT || !row->s.groups)
			continue;
		if (row->s.rcvbuf >= size && row->v.verdict != VERDICT_DROPPING)
			continue;
		r = fixsock_raise(pid, row->own->fds[h], row->s.inode, size, &got, err,
				  sizeof(err));
		if (r < 0) {
			log_warnx("socket %" PRIu64 ": %s", row->s.inode, err);
			failed++;
			continue;
		}
		printf("socket %" PRIu64 " (fd %d): rcvbuf %u -> %" PRIu64 ", congestion cleared\n",
		       row->s.inode, row->own->fds[h], row->s.rcvbuf, got);
		fixlog_add(col.fixes, &(struct fix_record){ .inode = row->s.inode,
							    .drops = row->s.drops,
							    .rcvbuf = (uint32_t)got,
							    .at_ms = clock_wall_ms(),
							    .pid = (int32_t)pid });
		fixed++;
	}
	/* explain and the verdicts know it was nltune: limit forced, drops counted from now. */
	if (fixed && col.fixes->boot_id[0] && (r = fixlog_save(c->conf.state_dir, col.fixes)) < 0)
		log_warnx("cannot save %s/%s: %s (the sockets are fixed all the same)",
			  c->conf.state_dir, FIXLOG_FILE, strerror(-r));
	collect_free(&col);
	if (!fixed && !failed)
		printf("process %d has no undersized or dropping uevent socket\n", (int)pid);
	else if (fixed)
		printf(
		    "the application may shrink its buffer again or open a new socket: check with "
		    "nltune explain %d\n",
		    (int)pid);
	return failed ? 1 : 0;
}
