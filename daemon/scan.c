/* SPDX-License-Identifier: MIT */
/* A scan: /proc/net/netlink of every namespace, sock_diag, owners, drop history, verdicts. */
#include "scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int scanner_init(struct scanner *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->owners = owners_new();
	return sc->owners ? 0 : -ENOMEM;
}

void scanner_free(struct scanner *sc)
{
	owners_free(sc->owners);
	free(sc->seen);
	free(sc->rows);
	memset(sc, 0, sizeof(*sc));
}

static int cmp_row(const void *a, const void *b)
{
	const struct sockrow *x = a, *y = b;

	return x->s.inode < y->s.inode ? -1 : x->s.inode > y->s.inode;
}

static const struct scan_seen *find_seen(const struct scanner *sc, uint64_t inode)
{
	size_t lo = 0, hi = sc->nseen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->seen[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sc->nseen && sc->seen[lo].inode == inode ? &sc->seen[lo] : NULL;
}

/* Append the rows of one namespace; a socket seen twice (bound and subscribed) is folded. */
static int add_rows(struct scanner *sc, size_t *cap, const struct nlsock *s, size_t n)
{
	for (size_t i = 0; i < n && sc->nrows < SCAN_MAX_SOCKETS; i++) {
		if (sc->nrows == *cap) {
			size_t ncap = *cap ? *cap * 2 : 256;
			struct sockrow *r = realloc(sc->rows, ncap * sizeof(*r));

			if (!r)
				return -ENOMEM;
			sc->rows = r;
			*cap = ncap;
		}
		memset(&sc->rows[sc->nrows], 0, sizeof(sc->rows[0]));
		sc->rows[sc->nrows++].s = s[i];
	}
	return 0;
}

static int scan_ns(struct scanner *sc, size_t *cap, pid_t pid, uint64_t netns)
{
	struct nlsock *s = NULL;
	char rel[64];
	size_t bad = 0;
	ssize_t n;
	int r;

	if (pid)
		snprintf(rel, sizeof(rel), "%d/net/netlink", (int)pid);
	else
		snprintf(rel, sizeof(rel), "net/netlink");
	n = nlscan_read(rel, netns, &s, &bad);
	if (n < 0)
		return (int)n;
	sc->bad_rows += bad;
	/* Without sock_diag the rcvbuf stays unknown; the rows still count. */
	if (pid)
		nlscan_diag_netns(pid, s, (size_t)n);
	else
		nlscan_diag(s, (size_t)n);
	r = add_rows(sc, cap, s, (size_t)n);
	free(s);
	sc->nnetns++;
	return r;
}

static void judge(struct sockrow *row, const struct scan_ctx *ctx, bool rising, bool forced)
{
	struct verdict_input in = {
		.protocol = row->s.protocol,
		.groups = row->s.groups,
		.rcvbuf = row->s.has_diag ? row->s.rcvbuf : 0,
		.rmem_default = ctx->sysctl.rmem_default,
		.rmem_max = ctx->sysctl.rmem_max,
		.old_default = ctx->old_default,
		.sock_min = ctx->sock_min,
		.typical_charge = ctx->typical_charge,
		.need_bytes = row->s.has_diag ? ctx->need_bytes : 0,
		.target_default = ctx->target_default,
		.drops_rising = rising,
		.forced_by_nltune = forced,
		.pid = row->has_owner && row->own.npids ? row->own.pids[0] : 0,
	};

	verdict_judge(&in, &row->v);
}

/* Keep this scan's drop counters for the next one. */
static int remember(struct scanner *sc, const struct scan_ctx *ctx)
{
	struct scan_seen *next = calloc(sc->nrows ? sc->nrows : 1, sizeof(*next));
	size_t n = 0;

	if (!next)
		return -ENOMEM;
	for (size_t i = 0; i < sc->nrows; i++) {
		const struct sockrow *r = &sc->rows[i];
		const struct scan_seen *old = find_seen(sc, r->s.inode);

		if (n && next[n - 1].inode == r->s.inode)
			continue;
		next[n].inode = r->s.inode;
		next[n].drops = r->s.drops;
		next[n].rose = old ? old->rose : false;
		next[n].rise_ms = old ? old->rise_ms : 0;
		next[n].at_risk = r->v.verdict == VERDICT_AT_RISK;
		if (r->new_drops) {
			next[n].rose = true;
			next[n].rise_ms = ctx->now_ms;
		}
		n++;
	}
	free(sc->seen);
	sc->seen = next;
	sc->nseen = n;
	return 0;
}

static void resolve_owners(struct scanner *sc)
{
	uint64_t *want = malloc((sc->nrows ? sc->nrows : 1) * sizeof(*want)), *live;
	size_t nwant = 0;

	live = malloc((sc->nrows ? sc->nrows : 1) * sizeof(*live));
	if (!want || !live)
		goto out;
	for (size_t i = 0; i < sc->nrows; i++) {
		const struct sockrow *r = &sc->rows[i];

		live[i] = r->s.inode;
		if (!owners_get(sc->owners, r->s.inode) || r->new_drops)
			want[nwant++] = r->s.inode;
	}
	owners_retain(sc->owners, live, sc->nrows);
	if (nwant)
		owners_resolve(sc->owners, want, nwant);
out:
	free(want);
	free(live);
}

int scanner_run(struct scanner *sc, const struct scan_ctx *ctx)
{
	pid_t pids[SCAN_MAX_NETNS];
	uint64_t netns[SCAN_MAX_NETNS];
	size_t cap = 0, w = 0;
	int r, nns;

	free(sc->rows);
	sc->rows = NULL;
	sc->nrows = sc->bad_rows = sc->nnetns = 0;
	if (nlscan_netns_of(getpid(), &sc->netns_self) < 0)
		sc->netns_self = 0;
	r = scan_ns(sc, &cap, 0, sc->netns_self);
	if (r < 0)
		return r;
	nns = owners_netns_pids(sc->netns_self, pids, netns, SCAN_MAX_NETNS);
	for (int i = 0; i < nns; i++)
		scan_ns(sc, &cap, pids[i], netns[i]); /* a namespace that vanished is no error */

	/* Fold duplicates (same inode twice) keeping the row with sock_diag data. */
	qsort(sc->rows, sc->nrows, sizeof(sc->rows[0]), cmp_row);
	for (size_t i = 0; i < sc->nrows; i++) {
		if (w && sc->rows[w - 1].s.inode == sc->rows[i].s.inode) {
			if (!sc->rows[w - 1].s.has_diag && sc->rows[i].s.has_diag)
				sc->rows[w - 1] = sc->rows[i];
			continue;
		}
		sc->rows[w++] = sc->rows[i];
	}
	sc->nrows = w;

	for (size_t i = 0; i < sc->nrows; i++) {
		struct sockrow *row = &sc->rows[i];
		const struct scan_seen *old = find_seen(sc, row->s.inode);

		const struct fix_record *fx =
		    ctx->fixes ? fixlog_find(ctx->fixes, row->s.inode) : NULL;

		/* uint32 arithmetic: the kernel's counter wraps. First sight counts every drop,
		 * or, on a socket nltune fixed, every drop since the fix. */
		row->new_drops = old  ? (uint32_t)(row->s.drops - old->drops)
				 : fx ? (uint32_t)(row->s.drops - fx->drops)
				      : row->s.drops;
	}
	resolve_owners(sc);
	for (size_t i = 0; i < sc->nrows; i++) {
		struct sockrow *row = &sc->rows[i];
		const struct scan_seen *old = find_seen(sc, row->s.inode);
		const struct owner *o = owners_get(sc->owners, row->s.inode);
		const struct fix_record *fx =
		    ctx->fixes ? fixlog_find(ctx->fixes, row->s.inode) : NULL;
		bool rising = row->new_drops > 0 ||
			      (old && old->rose && ctx->now_ms - old->rise_ms < ctx->recent_ms &&
			       !(fx && row->s.drops == fx->drops)); /* none since nltune fixed it */

		if (o) {
			row->has_owner = true;
			row->own = *o;
		}
		row->was_at_risk = old && old->at_risk;
		judge(row, ctx, rising, fx && row->s.has_diag && row->s.rcvbuf == fx->rcvbuf);
	}
	r = remember(sc, ctx);
	return r < 0 ? r : (int)sc->nrows;
}

bool scan_row_problem(const struct sockrow *r)
{
	return r->v.verdict != VERDICT_OK;
}
