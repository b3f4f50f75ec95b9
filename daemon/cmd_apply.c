/* SPDX-License-Identifier: MIT */
/* `nltune recommend|apply|revert`: the recommendation shown, written to /proc/sys, undone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "clock.h"
#include "collect.h"
#include "costscan.h"
#include "log.h"
#include "paths.h"
#include "report.h"
#include "safedir.h"
#include "revert.h"
#include "units.h"
#include "snapshot.h"

static int take(struct cli *c, struct snapshot *s)
{
	char why[256];
	int r = snapshot_take(&c->conf, 0, 0, c->boot, s);

	if (r < 0) {
		log_warnx("cannot read net.core.rmem_default/rmem_max under %s/sys/net/core: %s",
			  "<proc>", strerror(-r));
		return r;
	}
	if (snapshot_state_problem(s, why, sizeof(why))[0])
		log_warnx("%s/%s: %s", c->conf.state_dir, STATE_FILE, why);
	return 0;
}

/*
 * What the raise costs, added to s->rec: the sockets of this namespace that
 * inherit rmem_default now, and those at risk in every namespace (one scan).
 */
static void add_cost(struct snapshot *s)
{
	struct scan_ctx ctx;
	struct scanner sc;
	bool scanned = false;

	if (scanner_init(&sc) == 0) {
		collect_scan_ctx(s, clock_mono_ms(), &ctx);
		ctx.all_netns = true;
		scanned = scanner_run(&sc, &ctx) >= 0;
	}
	costscan_annotate(&s->rec, s->sysctl.rmem_default, scanned ? &sc : NULL, 0);
	scanner_free(&sc);
}

/*
 * "rmem_default    208.0K -> 644.0K   659456 bytes (write)": the one size scheme, and the
 * exact bytes that are (or would be) in /proc/sys.
 */
static void change_line(const char *name, uint64_t from, uint64_t to, const char *note)
{
	char a[16], b[16];

	printf("%-14s %7s -> %-7s %10llu bytes%s%s\n", name, units_size(a, sizeof(a), from),
	       units_size(b, sizeof(b), to), (unsigned long long)to, note[0] ? " " : "", note);
}

static void print_change(const char *name, uint64_t now, uint64_t rec, bool write)
{
	change_line(name, now, rec, write ? "(write)" : now == rec ? "(keep)" : "(policy: keep)");
}

/* Print what nltuned recommends; false if it does not answer. */
static bool recommend_from_daemon(struct cli *c)
{
	json_object *o, *sys, *v;

	if (cmd_recommend_daemon(c, &o) < 0)
		return false;
	if (c->json) {
		json_object_object_add(o, "policy",
				       json_object_new_string(nlt_policy_name(c->conf.policy)));
		cli_print_json(c, o);
		return true;
	}
	json_object_object_get_ex(o, "sysctl", &sys);
	change_line("rmem_default", report_u64(sys, "rmem_default"), report_u64(o, "rmem_default"),
		    "");
	change_line("rmem_max", report_u64(sys, "rmem_max"), report_u64(o, "rmem_max"), "");
	printf("%-14s %s\n", "reason",
	       json_object_object_get_ex(o, "reason", &v) ? json_object_get_string(v) : "");
	printf("%-14s nltuned\n", "source");
	json_object_put(o);
	return true;
}

int cmd_recommend(struct cli *c)
{
	struct snapshot s;
	json_object *o;

	if (!c->no_daemon && recommend_from_daemon(c))
		return 0;
	if (take(c, &s) < 0)
		return 1;
	add_cost(&s);
	if (c->json) {
		o = report_recommended_json(&s.rec);
		json_object_object_add(o, "sysctl", report_rmem_json(&s.sysctl));
		json_object_object_add(o, "policy",
				       json_object_new_string(nlt_policy_name(c->conf.policy)));
		json_object_object_add(o, "source", json_object_new_string("local"));
		cli_print_json(c, o);
		return 0;
	}
	print_change("rmem_default", s.sysctl.rmem_default, s.rec.rmem_default,
		     s.rec.write_default);
	print_change("rmem_max", s.sysctl.rmem_max, s.rec.rmem_max, s.rec.write_max);
	printf("%-14s %s\n", "policy", nlt_policy_name(c->conf.policy));
	printf("%-14s %s\n", "reason", s.rec.reason);
	return 0;
}

/*
 * Remember the write (what it replaced, when, by whom) and the refreshed
 * coldplug cache. apply --boot runs before /var may be mounted: it writes the
 * state file only if the state directory is already there (so the next boot
 * finds the coldplug cache and does not walk /sys), else its record goes to
 * the runtime directory, merged into the state file once that is there.
 */
static void save_state(struct cli *c, struct snapshot *s, const struct rmem *before,
		       const struct rmem *after, bool changed)
{
	const char *dir = c->conf.state_dir;
	int r;

	if (changed)
		snapshot_record_write(s, c->boot ? STATE_BY_BOOT : STATE_BY_CLI, before, after,
				      c->conf.history);
	if (!s->state_dirty)
		return;
	r = snapshot_save(&c->conf, s, c->boot, &dir);
	if (r < 0)
		log_warnx("cannot save %s/%s: %s (the values are applied all the same)", dir,
			  STATE_FILE, safedir_strerror(r));
}

/*
 * The changes go through nltuned when it answers, so the state file has one
 * writer: not for --no-daemon and --boot, nor for a console pointed at another
 * tree with --proc or --sys (what it would write is not what nltuned sees).
 */
static bool through_daemon(const struct cli *c)
{
	return !c->no_daemon && !c->boot && !strcmp(paths_proc(), "/proc") &&
	       !strcmp(paths_sys(), "/sys");
}

/* Why a call to nltuned failed, as one line: AccessDenied says who may. */
static void daemon_failed(const char *what, int r, const char *err, const char *after)
{
	log_warnx("%s failed: nltuned answered %s%s%s", what, err,
		  (r == -EACCES || r == -EPERM) && geteuid() != 0
		      ? " (run it as root, or as a user polkit allows org.nltune1.apply)"
		      : "",
		  after);
}

/* --persist: the drop-in with the values in force now. 0, or 1 after saying why it failed. */
static int persist(struct cli *c, const struct rmem *after)
{
	char err[512];

	if (!c->persist || c->dry_run)
		return 0;
	if (c->conf.policy == NLT_POLICY_OBSERVE) {
		log_info("policy observe: no drop-in written");
	} else if (sysctl_persist(c->conf.sysctl_dir, after, err, sizeof(err)) < 0) {
		log_warnx("--persist failed: %s (the values in /proc/sys stay applied)", err);
		return 1;
	}
	return 0;
}

static void print_apply(struct cli *c, const struct rmem *before, const struct rmem *after,
			const char *reason, json_object *cost)
{
	bool changed =
	    before->rmem_default != after->rmem_default || before->rmem_max != after->rmem_max;

	if (c->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "before", report_rmem_json(before));
		json_object_object_add(o, "after", report_rmem_json(after));
		json_object_object_add(o, "changed", json_object_new_boolean(changed));
		json_object_object_add(o, "dry_run", json_object_new_boolean(c->dry_run));
		json_object_object_add(o, "reason", json_object_new_string(reason));
		if (cost)
			json_object_object_add(o, "cost", json_object_get(cost));
		cli_print_json(c, o);
	} else if (c->boot) {
		log_info("rmem_default %llu -> %llu, rmem_max %llu -> %llu%s: %s",
			 (unsigned long long)before->rmem_default,
			 (unsigned long long)after->rmem_default,
			 (unsigned long long)before->rmem_max, (unsigned long long)after->rmem_max,
			 changed ? "" : " (unchanged)", reason);
	} else {
		printf("%s%s\n", c->dry_run ? "would apply: " : "",
		       changed ? "changed" : "unchanged");
		change_line("rmem_default", before->rmem_default, after->rmem_default, "");
		change_line("rmem_max", before->rmem_max, after->rmem_max, "");
		printf("%-14s %s\n", "reason", reason);
	}
}

/* For apply --json: the cost nltuned's recommendation carries ("cost" of Describe), or NULL. */
static json_object *daemon_cost(struct cli *c, json_object **cost)
{
	json_object *o;

	*cost = NULL;
	if (!c->json || cmd_recommend_daemon(c, &o) < 0)
		return NULL;
	*cost = json_object_get(report_get(o, "cost"));
	json_object_put(o);
	return *cost;
}

/*
 * Apply through nltuned's Apply: it writes and records. `before` is what is in
 * force just before the call (read here: the properties lag by up to a scan).
 * Returns the exit code, or -1 when no nltuned answered: apply here.
 */
static int apply_through_daemon(struct cli *c)
{
	json_object *cost = NULL;
	struct rmem before, after;
	uint64_t rd, rm;
	char reason[1024], err[512];
	int r;

	if (!through_daemon(c) || sysctl_read(&before) < 0)
		return -1;
	r = client_recommend(&rd, &rm, reason, sizeof(reason));
	if (r > 0)
		return -1;
	if (r < 0)
		reason[0] = '\0';
	daemon_cost(c, &cost); /* before the write: the cost of the raise it makes */
	r = client_rmem_write("Apply", c->dry_run, &after.rmem_default, &after.rmem_max, err,
			      sizeof(err));
	if (r == CLIENT_NO_ANSWER)
		log_warnx("nltuned did not answer (%s): applying here", err);
	if (r > 0) {
		r = -1;
		goto out;
	}
	if (r < 0) {
		daemon_failed("apply", r, err, "");
		r = 1;
		goto out;
	}
	r = persist(c, &after);
	if (r)
		goto out;
	print_apply(c, &before, &after, reason, cost);
out:
	json_object_put(cost);
	return r;
}

int cmd_apply(struct cli *c)
{
	json_object *cost;
	struct snapshot s;
	struct rmem want, before, after;
	bool wd, wm, changed;
	char err[512];
	int r;

	r = apply_through_daemon(c);
	if (r >= 0)
		return r;
	if (take(c, &s) < 0)
		return 1;
	if (!c->boot) /* early boot stays fast: nothing is open yet to inherit */
		add_cost(&s);
	want.rmem_default = s.rec.rmem_default;
	want.rmem_max = s.rec.rmem_max;
	wd = s.rec.write_default;
	wm = s.rec.write_max;
	before = after = s.sysctl;
	if (c->dry_run) {
		if (wd)
			after.rmem_default = want.rmem_default;
		if (wm)
			after.rmem_max = want.rmem_max;
	} else if (wd || wm) {
		r = sysctl_apply(&want, wd, wm, &before, &after, err, sizeof(err));
		if (r < 0) {
			log_warnx("apply failed: %s%s", err,
				  (r == -EACCES || r == -EPERM) && geteuid() != 0
				      ? "; run it as root"
				  : r == -EACCES ? "; in a container or another network namespace "
						   "the host must set them"
						 : "");
			return 1;
		}
	}
	changed = before.rmem_default != after.rmem_default || before.rmem_max != after.rmem_max;
	if (!c->dry_run)
		save_state(c, &s, &before, &after, changed);
	if (persist(c, &after))
		return 1;
	cost = s.rec.has_cost ? report_cost_json(&s.rec) : NULL;
	print_apply(c, &before, &after, s.rec.reason, cost);
	json_object_put(cost);
	return 0;
}

static void print_revert(struct cli *c, const struct revert *rv)
{
	char when[40];

	if (c->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "before", report_rmem_json(&rv->before));
		json_object_object_add(o, "after", report_rmem_json(&rv->after));
		json_object_object_add(o, "changed", json_object_new_boolean(rv->changed));
		json_object_object_add(o, "dry_run", json_object_new_boolean(c->dry_run));
		json_object_object_add(o, "dropin", json_object_new_string(rv->dropin_path));
		json_object_object_add(o, "dropin_removed",
				       json_object_new_boolean(rv->dropin == 1));
		if (rv->recorded) {
			json_object *f = json_object_new_object();

			json_object_object_add(f, "time",
					       json_object_new_string(units_time(
						   when, sizeof(when), rv->first.at * 1000)));
			json_object_object_add(f, "by",
					       json_object_new_string(state_by_name(rv->first.by)));
			json_object_object_add(f, "rmem_default",
					       json_object_new_uint64(rv->first.before_default));
			json_object_object_add(f, "rmem_max",
					       json_object_new_uint64(rv->first.before_max));
			json_object_object_add(o, "first_write", f);
		}
		cli_print_json(c, o);
		return;
	}
	if (!rv->recorded)
		printf("nltune wrote nothing this boot: the values in force stay\n");
	else
		printf("%s\n", !rv->changed ? "unchanged: the values from before are in force"
			       : c->dry_run ? "would revert"
					    : "reverted");
	if (rv->recorded) {
		change_line("rmem_default", rv->before.rmem_default, rv->after.rmem_default, "");
		change_line("rmem_max", rv->before.rmem_max, rv->after.rmem_max, "");
		printf("%-14s %s (%s): the values before it %s\n", "first write",
		       units_time(when, sizeof(when), rv->first.at * 1000),
		       state_by_name(rv->first.by), c->dry_run ? "would be back" : "are back");
	}
	printf("%-14s %s %s\n", "drop-in", rv->dropin_path,
	       rv->dropin ? (c->dry_run ? "would be removed" : "removed") : "not there");
}

/*
 * Revert through nltuned's Revert: it writes and records; the console removes
 * its --persist drop-in (nltuned removes the one of its own configuration) and
 * reads the first write from the state file. Returns the exit code, or -1 when
 * no nltuned answered: revert here.
 */
static int revert_through_daemon(struct cli *c)
{
	struct revert rv = { 0 };
	char boot_id[STATE_BOOT_ID_LEN + 1], err[512];
	struct state *st;
	int r, there;

	if (!through_daemon(c) || sysctl_read(&rv.before) < 0)
		return -1;
	there = sysctl_unpersist(c->conf.sysctl_dir, true, rv.dropin_path, sizeof(rv.dropin_path),
				 err, sizeof(err));
	if (there < 0)
		return -1; /* the local revert says what is wrong, before it writes anything */
	r = client_rmem_write("Revert", c->dry_run, &rv.after.rmem_default, &rv.after.rmem_max, err,
			      sizeof(err));
	if (r == CLIENT_NO_ANSWER)
		log_warnx("nltuned did not answer (%s): reverting here", err);
	if (r > 0)
		return -1;
	if (r < 0) {
		daemon_failed("revert", r, err, "; nothing was changed");
		return 1;
	}
	rv.changed = rv.before.rmem_default != rv.after.rmem_default ||
		     rv.before.rmem_max != rv.after.rmem_max;
	if (there && !c->dry_run) {
		r = sysctl_unpersist(c->conf.sysctl_dir, false, rv.dropin_path,
				     sizeof(rv.dropin_path), err, sizeof(err));
		if (r < 0) {
			log_warnx("revert: the values are back, but the drop-in stays: %s", err);
			return 1;
		}
	}
	rv.dropin = there;
	st = malloc(sizeof(*st));
	if (st) {
		snapshot_load_records(&c->conf, st, boot_id, sizeof(boot_id));
		rv.recorded = revert_first_write(st, boot_id, &rv.first) == 0;
		free(st);
	}
	print_revert(c, &rv);
	return 0;
}

int cmd_revert(struct cli *c)
{
	struct snapshot s;
	struct revert rv;
	const char *dir = c->conf.state_dir;
	char err[512];
	int r;

	r = revert_through_daemon(c);
	if (r >= 0)
		return r;
	if (take(c, &s) < 0)
		return 1;
	r = revert_run(&c->conf, &s, c->dry_run, STATE_BY_REVERT, &rv, err, sizeof(err));
	if (r < 0) {
		log_warnx("revert failed: %s%s; nothing was changed", err,
			  (r == -EACCES || r == -EPERM) && geteuid() != 0 ? "; run it as root"
									  : "");
		return 1;
	}
	if (rv.changed && !c->dry_run) {
		r = snapshot_save(&c->conf, &s, false, &dir);
		if (r < 0)
			log_warnx("cannot save %s/%s: %s (the values are reverted all the same)",
				  dir, STATE_FILE, safedir_strerror(r));
	}
	print_revert(c, &rv);
	return 0;
}
