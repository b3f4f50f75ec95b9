/* SPDX-License-Identifier: MIT */
/* A scan: sock_diag of every namespace (or /proc/net/netlink of a copied tree), owners, verdicts.
 */
#include "scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "sorted.h"

int scanner_init(struct scanner *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->owners = owners_new();
	return sc->owners ? 0 : -ENOMEM;
}

void scanner_free(struct scanner *sc)
{
	owners_free(sc->owners);
	free(sc->rows);
	free(sc->prev);
	free(sc->ns);
	memset(sc, 0, sizeof(*sc));
}

static int cmp_row(const void *a, const void *b)
{
	const struct sockrow *x = a, *y = b;

	return x->s.inode < y->s.inode ? -1 : x->s.inode > y->s.inode;
}

static int reserve(struct scanner *sc, size_t more)
{
	size_t want = sc->nrows + more, ncap;
	struct sockrow *r;

	if (want <= sc->cap)
		return 0;
	ncap = sc->cap ? sc->cap : 256;
	while (ncap < want)
		ncap *= 2;
	r = realloc(sc->rows, ncap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	sc->rows = r;
	sc->cap = ncap;
	return 0;
}

static int add_rows(struct scanner *sc, const struct nlsock *s, size_t n)
{
	if (n > SCAN_MAX_SOCKETS - sc->nrows)
		n = SCAN_MAX_SOCKETS - sc->nrows;
	if (reserve(sc, n) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct sockrow *r = &sc->rows[sc->nrows++];

		memset(r, 0, sizeof(*r));
		r->s = s[i];
	}
	return 0;
}

/* A copied tree (--proc) has no live kernel behind it: only its files count. */
static bool live_proc(void)
{
	return strcmp(paths_proc(), "/proc") == 0;
}

static int cmp_sock(const void *a, const void *b)
{
	const struct nlsock *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/*
 * Sort one dump by inode and keep each socket once (its sock_diag copy): the
 * kernel lists a bound and subscribed socket twice, a third more rows at
 * 20,000 sockets, which the rows would otherwise hold until the fold.
 */
static size_t fold_dump(struct nlsock *s, size_t n)
{
	size_t w = 0;

	if (n > 1)
		qsort(s, n, sizeof(*s), cmp_sock);
	for (size_t i = 0; i < n; i++) {
		if (w && s[w - 1].inode == s[i].inode) {
			if (!s[w - 1].has_diag && s[i].has_diag)
				s[w - 1] = s[i];
			continue;
		}
		s[w++] = s[i];
	}
	return w;
}

/* Rows of one namespace: pid 0 is our own. Returns 0 or -errno. */
static int scan_ns(struct scanner *sc, pid_t pid, uint64_t netns)
{
	struct nlsock *s = NULL;
	char rel[64];
	size_t bad = 0, over = 0;
	ssize_t n = -ENOENT;
	int r;

	if (live_proc())
		n = pid ? nlscan_dump_netns(pid, &netns, &s) : nlscan_dump(netns, &s);
	if (n < 0) {
		/* No sock_diag (or a copied tree): the file, whose rows lack rcvbuf. */
		if (pid)
			snprintf(rel, sizeof(rel), "%d/net/netlink", (int)pid);
		else
			snprintf(rel, sizeof(rel), "net/netlink");
		n = nlscan_read(rel, netns, &s, &bad, &over);
		if (n < 0)
			return (int)n;
		sc->bad_rows += bad - over;
		sc->over_rows += over;
		/* Rows and not one of them readable: no answer, rather than "no socket drops". */
		if (n == 0 && bad > 0) {
			free(s);
			return -EBADMSG;
		}
	}
	r = add_rows(sc, s, fold_dump(s, (size_t)n));
	free(s);
	sc->nnetns++;
	return r;
}

static int cmp_netns(const void *a, const void *b)
{
	const struct scan_netns *x = a, *y = b;

	return x->netns < y->netns ? -1 : x->netns > y->netns;
}

/* The namespaces there are now; a known one keeps its place in the queue, a new one queues. */
static void find_namespaces(struct scanner *sc)
{
	pid_t *pids = malloc(SCAN_MAX_NETNS * sizeof(*pids));
	uint64_t *netns = malloc(SCAN_MAX_NETNS * sizeof(*netns));
	struct scan_netns *ns = NULL, *old = NULL;
	int n;

	if (!pids || !netns)
		goto out;
	n = owners_netns_pids(sc->netns_self, pids, netns, SCAN_MAX_NETNS);
	if (n < 0)
		goto out;
	ns = malloc((n ? (size_t)n : 1) * sizeof(*ns));
	old = malloc((sc->nns ? sc->nns : 1) * sizeof(*old));
	if (!ns || !old)
		goto out;
	if (sc->nns)
		memcpy(old, sc->ns, sc->nns * sizeof(*old));
	qsort(old, sc->nns, sizeof(*old), cmp_netns);
	for (int i = 0; i < n; i++) {
		struct scan_netns key = { .netns = netns[i] };
		const struct scan_netns *known =
		    sc->nns ? bsearch(&key, old, sc->nns, sizeof(*old), cmp_netns) : NULL;

		ns[i].pid = pids[i];
		ns[i].netns = netns[i];
		ns[i].due = known ? known->due : sc->runs;
	}
	free(sc->ns);
	sc->ns = ns;
	ns = NULL;
	sc->nns = (size_t)n;
out:
	free(ns);
	free(old);
	free(pids);
	free(netns);
}

struct ns_pos {
	uint64_t due;
	size_t i;
};

static int cmp_ns_pos(const void *a, const void *b)
{
	const struct ns_pos *x = a, *y = b;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void scan_netns_order(const struct scan_netns *ns, size_t n, size_t *order)
{
	struct ns_pos *p = malloc((n ? n : 1) * sizeof(*p));

	if (!p) { /* out of memory: the list's own order, still every one in turn */
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		return;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = (struct ns_pos){ .due = ns[i].due, .i = i };
	qsort(p, n, sizeof(*p), cmp_ns_pos);
	for (size_t i = 0; i < n; i++)
		order[i] = p[i].i;
	free(p);
}

/*
 * Rows of the previous run from namespaces known but not dumped this time
 * (skip[0..n), sorted) stay listed as they were; a namespace no longer known
 * takes its rows with it.
 */
static int carry(struct scanner *sc, const uint64_t *skip, size_t n)
{
	for (size_t i = 0; i < sc->nprev && n; i++) {
		const struct sockrow *p = &sc->prev[i];

		if (SORTED_FIND_U64(skip, n, p->s.netns) == n)
			continue;
		if (sc->nrows >= SCAN_MAX_SOCKETS)
			break;
		if (reserve(sc, 1) < 0)
			return -ENOMEM;
		sc->rows[sc->nrows] = *p;
		sc->rows[sc->nrows].own = NULL;
		sc->nrows++;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* How many namespaces of the turn this run may dump; the time budget is checked as it goes. */
static size_t turn_count(const struct scanner *sc, const struct scan_ctx *ctx)
{
	if (ctx->all_netns || ctx->netns_wide || sc->nns <= SCAN_NETNS_PER_RUN)
		return sc->nns;
	return SCAN_NETNS_PER_RUN;
}

static int dump_all(struct scanner *sc, const struct scan_ctx *ctx)
{
	size_t *order = NULL, turn, done = 0, nskip = 0;
	uint64_t *skip = NULL, start = 0;
	bool timed = ctx->clock_ms && !ctx->all_netns, spent = false;
	int r;

	if (nlscan_netns_of(getpid(), &sc->netns_self) < 0)
		sc->netns_self = 0;
	r = scan_ns(sc, 0, sc->netns_self);
	if (r < 0)
		return r;
	if (ctx->all_netns || ctx->netns_wide || !sc->ns_found_ms ||
	    ctx->now_ms - sc->ns_found_ms >= SCAN_NETNS_REFRESH_MS) {
		find_namespaces(sc);
		sc->ns_found_ms = ctx->now_ms ? ctx->now_ms : 1;
	}
	order = malloc((sc->nns ? sc->nns : 1) * sizeof(*order));
	skip = malloc((sc->nns ? sc->nns : 1) * sizeof(*skip));
	if (!order || !skip) {
		r = -ENOMEM;
		goto out;
	}
	scan_netns_order(sc->ns, sc->nns, order);
	turn = turn_count(sc, ctx);
	if (timed)
		start = ctx->clock_ms();
	for (size_t k = 0; k < sc->nns; k++) {
		struct scan_netns *ns = &sc->ns[order[k]];

		/* At least one a run, so every namespace comes in bounded time. */
		if (done && timed && !spent)
			spent = ctx->clock_ms() - start >= SCAN_NETNS_BUDGET_MS;
		if (done >= turn || spent) {
			skip[nskip++] = ns->netns;
			continue;
		}
		/* A namespace that vanished is no error; its rows go with it. */
		scan_ns(sc, ns->pid, ns->netns);
		ns->due = sc->runs + 1;
		done++;
	}
	sc->ns_deferred = nskip;
	qsort(skip, nskip, sizeof(*skip), cmp_u64);
	r = carry(sc, skip, nskip);
out:
	free(order);
	free(skip);
	return r;
}

struct row_pos {
	uint64_t inode;
	size_t i; /* where the row is */
};

static int cmp_pos(const void *a, const void *b)
{
	const struct row_pos *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Sort the rows by inode: sort small (inode, place) pairs, then move each row
 * once along the cycles of the permutation. Sorting the rows themselves moved
 * and compared 112-byte records; at 20,000 sockets that was a third of a scan.
 */
static void sort_rows(struct scanner *sc)
{
	struct row_pos *p = malloc(sc->nrows * sizeof(*p));
	struct sockrow tmp;

	if (!p) {
		qsort(sc->rows, sc->nrows, sizeof(sc->rows[0]), cmp_row);
		return;
	}
	for (size_t i = 0; i < sc->nrows; i++) {
		p[i].inode = sc->rows[i].s.inode;
		p[i].i = i;
	}
	qsort(p, sc->nrows, sizeof(*p), cmp_pos);
	/* Place k gets the row at p[k].i; p[k].i = k marks it placed. */
	for (size_t k = 0; k < sc->nrows; k++) {
		size_t j = k, src;

		if (p[k].i == k)
			continue;
		tmp = sc->rows[k];
		for (;;) {
			src = p[j].i;
			p[j].i = j;
			if (src == k) {
				sc->rows[j] = tmp;
				break;
			}
			sc->rows[j] = sc->rows[src];
			j = src;
		}
	}
	free(p);
}

/* Sort by inode; a socket seen twice (bound and subscribed) keeps its sock_diag copy. */
static void fold(struct scanner *sc)
{
	size_t w = 0;

	/* Fold duplicates (same inode twice) keeping the row with sock_diag data. */
	if (sc->nrows > 1) /* rows is NULL when there are none */
		sort_rows(sc);
	for (size_t i = 0; i < sc->nrows; i++) {
		if (w && sc->rows[w - 1].s.inode == sc->rows[i].s.inode) {
			if (!sc->rows[w - 1].s.has_diag && sc->rows[i].s.has_diag)
				sc->rows[w - 1] = sc->rows[i];
			continue;
		}
		sc->rows[w++] = sc->rows[i];
	}
	sc->nrows = w;
}

/* Does the row deserve an owner lookup: a uevent listener, or a socket that drops. */
static bool row_matters(const struct sockrow *r)
{
	return (r->s.protocol == NLSCAN_PROTO_UEVENT && r->s.groups) || r->new_drops ||
	       r->v.verdict != VERDICT_OK;
}

/* Point every row at its cache entry: both are sorted by inode. */
static void point_owners(struct scanner *sc)
{
	size_t n = owners_count(sc->owners), j = 0;

	for (size_t i = 0; i < sc->nrows; i++) {
		struct sockrow *r = &sc->rows[i];

		while (j < n && owners_at(sc->owners, j)->inode < r->s.inode)
			j++;
		r->own = j < n && owners_at(sc->owners, j)->inode == r->s.inode
			     ? owners_at(sc->owners, j)
			     : NULL;
	}
}

/* One walk of /proc for the rows that want an owner and have none cached. */
static int resolve(struct scanner *sc, bool all)
{
	uint64_t *want = NULL;
	size_t nwant = 0;
	int r = 0;

	for (size_t i = 0; i < sc->nrows; i++)
		if (!sc->rows[i].own && (all || row_matters(&sc->rows[i])))
			nwant++;
	if (nwant) {
		want = malloc(nwant * sizeof(*want));
		if (!want)
			return -ENOMEM;
		nwant = 0;
		for (size_t i = 0; i < sc->nrows; i++)
			if (!sc->rows[i].own && (all || row_matters(&sc->rows[i])))
				want[nwant++] = sc->rows[i].s.inode;
		r = owners_resolve(sc->owners, want, nwant);
		sc->owner_walks++;
		free(want);
	}
	/* Whatever the walk found or missed, the next caller does not walk again this run. */
	if (all)
		sc->walked_all = true;
	point_owners(sc);
	return r < 0 ? r : 0;
}

int scanner_resolve_all(struct scanner *sc)
{
	return sc->walked_all ? 0 : resolve(sc, true);
}

int scanner_resolve_pid(struct scanner *sc, pid_t pid)
{
	uint64_t *inodes = malloc((sc->nrows ? sc->nrows : 1) * sizeof(*inodes));
	int r;

	if (!inodes)
		return -ENOMEM;
	for (size_t i = 0; i < sc->nrows; i++)
		inodes[i] = sc->rows[i].s.inode;
	r = owners_resolve_pid(sc->owners, pid, inodes, sc->nrows);
	free(inodes);
	point_owners(sc);
	return r;
}

pid_t scan_row_pid(const struct sockrow *r)
{
	return r->own && r->own->npids ? r->own->pids[0] : 0;
}

/* What nltune fix did to r this boot, or NULL (the list is short and usually empty). */
static const struct fix_record *fix_of(const struct scan_ctx *ctx, const struct sockrow *r)
{
	return ctx->fixes && ctx->fixes->n ? fixlog_find(ctx->fixes, r->s.inode) : NULL;
}

/* The verdict input of r under ctx (pid for the fix text). */
static void verdict_input_of(const struct scan_ctx *ctx, const struct sockrow *r,
			     struct verdict_input *in)
{
	uint64_t since = r->rise_ms && ctx->now_ms >= r->rise_ms ? ctx->now_ms - r->rise_ms : 0;
	const struct fix_record *fx;

	memset(in, 0, sizeof(*in));
	in->protocol = r->s.protocol;
	in->groups = r->s.groups;
	in->rcvbuf = r->s.has_diag ? r->s.rcvbuf : 0;
	in->rmem_default = ctx->sysctl.rmem_default;
	in->rmem_max = ctx->sysctl.rmem_max;
	in->n_old_default = ctx->n_old_default;
	in->n_old_max = ctx->n_old_max;
	memcpy(in->old_default, ctx->old_default, sizeof(in->old_default));
	memcpy(in->old_max, ctx->old_max, sizeof(in->old_max));
	in->sock_min = ctx->sock_min;
	in->typical_charge = ctx->typical_charge;
	in->need_bytes = r->s.has_diag ? ctx->need_bytes : 0;
	in->udev_need_bytes = r->s.has_diag ? ctx->udev_need_bytes : 0;
	in->udev_typical_charge = ctx->udev_typical_charge;
	in->target_default = ctx->target_default;
	in->drops_rising = r->new_drops > 0 || (r->rise_ms && since < ctx->recent_ms);
	fx = fix_of(ctx, r);
	in->forced_by_nltune = fx && r->s.has_diag && r->s.rcvbuf == fx->rcvbuf;
	in->pid = scan_row_pid(r);
}

const char *scan_fix(const struct sockrow *r, char *buf, size_t len)
{
	struct verdict_input in;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!r->ctx)
		return buf;
	verdict_input_of(r->ctx, r, &in);
	verdict_fix(&in, buf, len);
	return buf;
}

/* Drop deltas and history from the previous run: both lists are sorted by inode. */
static void compare(struct scanner *sc)
{
	size_t j = 0;

	for (size_t i = 0; i < sc->nrows; i++) {
		struct sockrow *row = &sc->rows[i];
		const struct fix_record *fx;
		const struct sockrow *old;

		while (j < sc->nprev && sc->prev[j].s.inode < row->s.inode)
			j++;
		old = j < sc->nprev && sc->prev[j].s.inode == row->s.inode ? &sc->prev[j] : NULL;
		fx = fix_of(&sc->ctx, row);
		/* uint32 arithmetic: the kernel's counter wraps. First sight counts every drop,
		 * or, on a socket nltune fixed, every drop since the fix. */
		row->new_drops = old  ? (uint32_t)(row->s.drops - old->s.drops)
				 : fx ? (uint32_t)(row->s.drops - fx->drops)
				      : row->s.drops;
		row->rise_ms = old ? old->rise_ms : 0;
		if (row->new_drops)
			row->rise_ms = sc->ctx.now_ms ? sc->ctx.now_ms : 1;
		else if (fx && row->s.drops == fx->drops)
			row->rise_ms = 0; /* none since nltune fixed it */
		row->was_at_risk = old && old->v.verdict != VERDICT_OK;
		row->known = old != NULL;
	}
}

/*
 * What a scan at rest would not see: a new socket that matters, a drop, a
 * verdict turned, a problem gone. Short-lived sockets that do not matter (a
 * resolver's rtnetlink socket) are no change.
 */
static size_t count_changes(const struct scanner *sc)
{
	size_t n = 0, was = 0, still = 0;

	for (size_t i = 0; i < sc->nprev; i++)
		was += sc->prev[i].v.verdict != VERDICT_OK;
	for (size_t i = 0; i < sc->nrows; i++) {
		const struct sockrow *r = &sc->rows[i];

		still += r->was_at_risk;
		if (r->new_drops || (r->v.verdict != VERDICT_OK) != r->was_at_risk ||
		    (!r->known && row_matters(r)))
			n++;
	}
	return n + (was - still);
}

unsigned int scan_rest_factor(unsigned int factor, size_t changes)
{
	if (changes || factor < 1)
		return 1;
	return factor >= SCAN_REST_MAX / 2 ? SCAN_REST_MAX : factor * 2;
}

/*
 * Between runs only the rows live: the previous run's array goes back to the
 * kernel (arrays this large are mmap'ed), 2.2 MiB at 20,000 sockets.
 */
static void drop_prev(struct scanner *sc)
{
	free(sc->prev);
	sc->prev = NULL;
	sc->nprev = sc->prevcap = 0;
}

int scanner_run(struct scanner *sc, const struct scan_ctx *ctx)
{
	struct sockrow *t;
	size_t tn;
	int r;

	/* The previous rows become prev; their owner pointers die with this run. */
	t = sc->prev, sc->prev = sc->rows, sc->rows = t;
	tn = sc->prevcap, sc->prevcap = sc->cap, sc->cap = tn;
	sc->nprev = sc->nrows;
	sc->nrows = sc->bad_rows = sc->over_rows = sc->nnetns = sc->ns_deferred = 0;
	sc->walked_all = false;
	sc->runs++;
	sc->ctx = *ctx;
	r = dump_all(sc, ctx);
	if (r < 0) {
		sc->nrows = 0;
		drop_prev(sc);
		return r;
	}
	fold(sc);
	compare(sc);
	for (size_t i = 0; i < sc->nrows; i++) {
		struct sockrow *row = &sc->rows[i];
		struct verdict_input in;

		row->ctx = &sc->ctx;
		verdict_input_of(&sc->ctx, row, &in);
		verdict_judge(&in, &row->v);
	}
	sc->changes = count_changes(sc);

	/* Forget owners of sockets that are gone, then look up the new ones that matter. */
	{
		uint64_t *live = malloc((sc->nrows ? sc->nrows : 1) * sizeof(*live));

		if (live) {
			for (size_t i = 0; i < sc->nrows; i++)
				live[i] = sc->rows[i].s.inode;
			owners_retain(sc->owners, live, sc->nrows);
			free(live);
		}
	}
	point_owners(sc);
	resolve(sc, ctx->owners_all);
	drop_prev(sc);
	return (int)sc->nrows;
}

bool scan_row_problem(const struct sockrow *r)
{
	return r->v.verdict != VERDICT_OK;
}

bool scan_row_match(const struct sockrow *r, const struct scan_filter *f)
{
	bool held = false;

	switch (f->verdict) {
	case SCAN_ANY:
		break;
	case SCAN_PROBLEM:
		if (r->v.verdict == VERDICT_OK)
			return false;
		break;
	case SCAN_OK:
		if (r->v.verdict != VERDICT_OK)
			return false;
		break;
	case SCAN_AT_RISK:
		if (r->v.verdict != VERDICT_AT_RISK)
			return false;
		break;
	case SCAN_DROPPING:
		if (r->v.verdict != VERDICT_DROPPING)
			return false;
		break;
	}
	if (f->protocol >= 0 && r->s.protocol != (uint32_t)f->protocol)
		return false;
	if (f->netns && r->s.netns != f->netns)
		return false;
	if (!f->pid)
		return true;
	for (size_t i = 0; r->own && i < r->own->npids && !held; i++)
		held = r->own->pids[i] == f->pid;
	return held;
}

int scan_verdict_filter_parse(const char *s, enum scan_verdict_filter *v)
{
	static const struct {
		const char *name;
		enum scan_verdict_filter v;
	} names[] = {
		{ "", SCAN_ANY },
		{ "problem", SCAN_PROBLEM },
		{ "ok", SCAN_OK },
		{ "at-risk", SCAN_AT_RISK },
		{ "dropping", SCAN_DROPPING },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*v = names[i].v;
			return 0;
		}
	return -EINVAL;
}
