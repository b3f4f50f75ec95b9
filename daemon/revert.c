/* SPDX-License-Identifier: MIT */
/* The revert transaction: the values before nltune's first write, back in force. */
#include "revert.h"

#include <errno.h>
#include <string.h>

int revert_first_write(const struct state *s, const char *boot_id, struct state_apply *first)
{
	const struct state_boot *b = boot_id && boot_id[0] ? state_find_boot(s, boot_id) : NULL;

	/* applies[0] is the boot's first write; one by a revert replaced nltune's own values. */
	if (!b || !b->napplies || b->applies[0].by == STATE_BY_REVERT)
		return -ENOENT;
	*first = b->applies[0];
	return 0;
}

int revert_run(const struct nlt_conf *c, struct snapshot *s, bool dry_run, enum state_by by,
	       struct revert *out, char *err, size_t errlen)
{
	struct rmem want;
	bool wd, wm;
	int r;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	out->before = out->after = s->sysctl;
	out->recorded = revert_first_write(&s->state, s->boot_id, &out->first) == 0;
	if (out->recorded) {
		want.rmem_default = out->first.before_default;
		want.rmem_max = out->first.before_max;
		wd = want.rmem_default != s->sysctl.rmem_default;
		wm = want.rmem_max != s->sysctl.rmem_max;
		if (dry_run) {
			out->after = want;
		} else if (wd || wm) {
			r = sysctl_apply(&want, wd, wm, &out->before, &out->after, err, errlen);
			if (r < 0)
				return r;
			s->sysctl = out->after;
		}
	}
	out->changed = out->before.rmem_default != out->after.rmem_default ||
		       out->before.rmem_max != out->after.rmem_max;
	r = sysctl_unpersist(c->sysctl_dir, dry_run, out->dropin_path, sizeof(out->dropin_path),
			     err, errlen);
	if (r < 0) {
		/* Nothing half-done: the values go back to what they were a moment ago. */
		if (out->changed && !dry_run) {
			struct rmem b, a;
			char e2[256];

			if (sysctl_apply(&out->before, true, true, &b, &a, e2, sizeof(e2)) == 0)
				s->sysctl = a;
		}
		return r;
	}
	out->dropin = r;
	if (out->changed && !dry_run)
		snapshot_record_write(s, by, &out->before, &out->after, c->history);
	return 0;
}
