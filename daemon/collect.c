/* SPDX-License-Identifier: MIT */
/* Local snapshot: sysctls, recommendation, one socket scan and the alerts it implies. */
#include "collect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "uevmon.h"
#include "watch.h"

uint32_t collect_typical_charge(const struct snapshot *s)
{
	const struct recommendation *r = &s->rec;

	if (r->kernel_need_events && r->kernel_need_bytes / r->kernel_need_events <= UINT32_MAX)
		return (uint32_t)(r->kernel_need_bytes / r->kernel_need_events);
	if (s->state.has_coldplug && s->state.coldplug_devices)
		return (uint32_t)(s->state.coldplug_bytes / s->state.coldplug_devices);
	return charge_of(&s->model, 200); /* a typical net/block/tty event */
}

void collect_scan_ctx(const struct snapshot *s, uint64_t now_ms, struct scan_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->sysctl = s->sysctl;
	ctx->sock_min = s->sock_min;
	ctx->typical_charge = collect_typical_charge(s);
	ctx->need_bytes = s->rec.kernel_need_bytes;
	ctx->udev_need_bytes = s->rec.udev_need_bytes;
	if (s->rec.udev_need_events &&
	    s->rec.udev_need_bytes / s->rec.udev_need_events <= UINT32_MAX)
		ctx->udev_typical_charge =
		    (uint32_t)(s->rec.udev_need_bytes / s->rec.udev_need_events);
	ctx->target_default = s->rec.rmem_default;
	ctx->now_ms = now_ms;
	ctx->recent_ms = COLLECT_RECENT_MS;
	if (s->boot_id[0]) {
		struct state_earlier e;

		state_earlier(&s->state, s->boot_id, s->sysctl.rmem_default, s->sysctl.rmem_max,
			      &e);
		ctx->n_old_default =
		    e.ndefault < VERDICT_EARLIER_MAX ? e.ndefault : VERDICT_EARLIER_MAX;
		ctx->n_old_max = e.nmax < VERDICT_EARLIER_MAX ? e.nmax : VERDICT_EARLIER_MAX;
		memcpy(ctx->old_default, e.rmem_default, ctx->n_old_default * sizeof(uint64_t));
		memcpy(ctx->old_max, e.rmem_max, ctx->n_old_max * sizeof(uint64_t));
	}
}

void collect_alerts_conf(const struct nlt_conf *c, struct alerts_conf *ac)
{
	memset(ac, 0, sizeof(*ac));
	ac->min_drops = c->alert_min_drops;
	ac->interval_ms = c->alert_interval_ms;
	ac->n_ignore = c->n_ignore_comm < ALERTS_IGNORE_MAX ? c->n_ignore_comm : ALERTS_IGNORE_MAX;
	for (size_t i = 0; i < ac->n_ignore; i++)
		memcpy(ac->ignore_comm[i], c->ignore_comm[i], ALERTS_COMM_LEN);
}

static void keep_alert(void *arg, const struct alert *proto)
{
	struct collect *col = arg;

	alerts_raise(col->alerts, clock_mono_ms(), proto, NULL);
}

int collect_local(const struct nlt_conf *c, bool owners_all, struct collect *col)
{
	struct alerts_conf ac;
	struct scan_ctx ctx;
	uint64_t now = clock_mono_ms(), wall = clock_wall_ms();
	struct alert proto, out;
	int r;

	memset(col, 0, sizeof(*col));
	r = snapshot_take(c, 0, 0, true, &col->snap);
	if (r < 0)
		return r;
	r = scanner_init(&col->scan);
	if (r < 0)
		return r;
	col->fixes = malloc(sizeof(*col->fixes));
	if (!col->fixes)
		return -ENOMEM;
	/* A missing or damaged record only means no socket counts as fixed by nltune. */
	fixlog_load(c->state_dir, col->snap.boot_id, col->fixes);
	collect_scan_ctx(&col->snap, now, &ctx);
	ctx.fixes = col->fixes;
	ctx.owners_all = owners_all;
	ctx.all_netns = true;
	r = scanner_run(&col->scan, &ctx);
	if (r < 0)
		return r;
	col->alerts = malloc(sizeof(*col->alerts));
	if (!col->alerts)
		return -ENOMEM;
	collect_alerts_conf(c, &ac);
	alerts_init(col->alerts, &ac);
	if (watch_sysctl(&col->snap.sysctl, col->snap.state.applied_default,
			 col->snap.state.applied_max, wall, &proto))
		alerts_raise(col->alerts, now, &proto, &out);
	watch_scan(&col->scan, col->alerts, 0, wall, keep_alert, col);
	return 0;
}

void collect_free(struct collect *col)
{
	scanner_free(&col->scan);
	free(col->alerts);
	col->alerts = NULL;
	free(col->fixes);
	col->fixes = NULL;
}
