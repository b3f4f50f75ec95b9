/* SPDX-License-Identifier: MIT */
/* `nltune explain|fix PID`: one process's netlink sockets, why each has its limit, the live fix. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "client.h"
#include "clock.h"
#include "collect.h"
#include "fixlog.h"
#include "fixsock.h"
#include "log.h"
#include "num.h"
#include "owners.h"
#include "paths.h"
#include "report.h"
#include "sanitize.h"
#include "units.h"

static int parse_pid(const char *s, pid_t *pid)
{
	uint64_t v;

	if (num_u64_str(s, 4194304, &v) < 0 || v == 0) {
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
	r = collect_local(&c->conf, false, col);
	if (r < 0) {
		cli_scan_failed(&col->scan, r);
		collect_free(col);
		return 1;
	}
	cli_scan_gaps(&col->scan);
	/* Its sockets from its own fd table: exact however many sockets the system holds. */
	r = scanner_resolve_pid(&col->scan, *pid);
	if (r < 0) {
		fprintf(stderr, "nltune: cannot look at the sockets of process %d: %s\n", (int)*pid,
			strerror(-r));
		collect_free(col);
		return 1;
	}
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

static void fix_hint(pid_t pid)
{
	printf("the application may shrink its buffer again or open a new socket: check with "
	       "nltune explain %d\n",
	       (int)pid);
}

/*
 * Fix through nltuned's FixSocket, so the fix log has one writer: PID's
 * uevent listeners as nltuned lists them, each undersized or dropping one
 * raised. Not with --force (nltuned keeps to the ceiling), --no-daemon, or a
 * console pointed at another tree. Returns the exit code, or -1 when no
 * nltuned answered: fix here.
 */
static int fix_through_daemon(struct cli *c)
{
	uint64_t size, rec_max, got;
	json_object *socks = NULL;
	char reason[8], err[512], dir[64];
	int fixed = 0, failed = 0, r;
	struct stat st;
	pid_t pid;
	size_t n;

	if (c->no_daemon || c->force || strcmp(paths_proc(), "/proc") ||
	    strcmp(paths_sys(), "/sys"))
		return -1;
	if (parse_pid(c->argv[0], &pid) < 0)
		return EXIT_USAGE;
	if (client_recommend(&size, &rec_max, reason, sizeof(reason)) != 0)
		return -1;
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	if (stat(dir, &st) < 0 && errno == ENOENT) {
		fprintf(stderr, "nltune: no process %d under /proc\n", (int)pid);
		return 1;
	}
	if (client_list_sockets_matching("", (uint32_t)pid, NLSCAN_PROTO_UEVENT, 0, &socks) < 0)
		return -1;
	if (c->size)
		size = c->size;
	n = json_object_array_length(socks);
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(socks, i), *v;
		uint64_t inode = report_u64(row, "inode"), rcvbuf = report_u64(row, "rcvbuf");
		bool dropping = json_object_object_get_ex(row, "verdict", &v) &&
				!strcmp(json_object_get_string(v), "dropping");

		if (!report_u64(row, "groups") || (rcvbuf >= size && !dropping))
			continue;
		r = client_fix_socket(inode, c->size, &got, err, sizeof(err));
		if (r > 0 && !fixed && !failed) {
			json_object_put(socks);
			return -1; /* nltuned went away: the local scan decides */
		}
		if (r != 0) {
			log_warnx("socket %" PRIu64 ": nltuned answered %s", inode, err);
			if (strstr(err, "org.nltune1.Error.InvalidSize")) {
				json_object_put(socks);
				return EXIT_USAGE;
			}
			failed++;
			continue;
		}
		printf("socket %" PRIu64 ": rcvbuf %" PRIu64 " -> %" PRIu64
		       ", congestion cleared\n",
		       inode, rcvbuf, got);
		fixed++;
	}
	json_object_put(socks);
	if (!fixed && !failed)
		printf("process %d has no undersized or dropping uevent socket\n", (int)pid);
	else if (fixed)
		fix_hint(pid);
	return failed ? 1 : 0;
}

int cmd_fix(struct cli *c)
{
	struct collect col;
	uint64_t size, got;
	char err[256];
	pid_t pid;
	int fixed = 0, failed = 0, r;

	r = fix_through_daemon(c);
	if (r >= 0)
		return r;
	r = pid_and_scan(c, &pid, &col);
	if (r)
		return r;
	/* The bounds D-Bus FixSocket has too: up to the ceiling unless forced. */
	if (c->size &&
	    fixsock_check_size(c->size, col.snap.rec.ceiling, c->force, err, sizeof(err)) < 0) {
		fprintf(stderr, "nltune: %s\n", err);
		collect_free(&col);
		return EXIT_USAGE;
	}
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
		fix_hint(pid);
	return failed ? 1 : 0;
}
