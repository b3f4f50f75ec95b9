/* SPDX-License-Identifier: MIT */
/* Format, parse, load and save of the live-fix record; the format and parse are pure. */
#include "fixlog.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "num.h"
#include "paths.h"
#include "safedir.h"

#define FIXLOG_MAGIC "nltune-fixes 1"

void fixlog_init(struct fixlog *l, const char *boot_id)
{
	memset(l, 0, sizeof(*l));
	if (boot_id && state_boot_id_valid(boot_id))
		memcpy(l->boot_id, boot_id, STATE_BOOT_ID_LEN);
}

void fixlog_add(struct fixlog *l, const struct fix_record *r)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->r[i].inode == r->inode) {
			memmove(&l->r[i], &l->r[i + 1], (l->n - i - 1) * sizeof(l->r[0]));
			l->n--;
			break;
		}
	if (l->n == FIXLOG_MAX) {
		memmove(&l->r[0], &l->r[1], (FIXLOG_MAX - 1) * sizeof(l->r[0]));
		l->n--;
	}
	l->r[l->n++] = *r;
}

void fixlog_merge(struct fixlog *dst, const struct fixlog *src)
{
	const struct fix_record *have;
	size_t i, k;

	if (strcmp(dst->boot_id, src->boot_id) != 0)
		return; /* inodes of another boot name other sockets */
	for (k = 0; k < src->n; k++) {
		have = fixlog_find(dst, src->r[k].inode);
		if (have && have->at_ms >= src->r[k].at_ms)
			continue;
		/* The newer record of the inode, in time order; full, the oldest goes. */
		if (have) {
			i = (size_t)(have - dst->r);
			memmove(&dst->r[i], &dst->r[i + 1], (dst->n - i - 1) * sizeof(dst->r[0]));
			dst->n--;
		}
		for (i = dst->n; i > 0 && dst->r[i - 1].at_ms > src->r[k].at_ms; i--)
			;
		if (dst->n == FIXLOG_MAX) {
			if (i == 0)
				continue; /* older than everything kept */
			memmove(&dst->r[0], &dst->r[1], (i - 1) * sizeof(dst->r[0]));
			dst->n--;
			i--;
		} else {
			memmove(&dst->r[i + 1], &dst->r[i], (dst->n - i) * sizeof(dst->r[0]));
		}
		dst->r[i] = src->r[k];
		dst->n++;
	}
}

const struct fix_record *fixlog_find(const struct fixlog *l, uint64_t inode)
{
	for (size_t i = l->n; i-- > 0;)
		if (l->r[i].inode == inode)
			return &l->r[i];
	return NULL;
}

int fixlog_format(const struct fixlog *l, char *buf, size_t len)
{
	size_t at = 0;
	int n;

	n = snprintf(buf, len, FIXLOG_MAGIC "\nboot %s\n", l->boot_id);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	at = (size_t)n;
	for (size_t i = 0; i < l->n; i++) {
		const struct fix_record *r = &l->r[i];

		/* fix <inode> <drops> <rcvbuf> <unix ms> <pid> */
		n = snprintf(buf + at, len - at,
			     "fix %" PRIu64 " %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRId32 "\n",
			     r->inode, r->drops, r->rcvbuf, r->at_ms, r->pid);
		if (n < 0 || (size_t)n >= len - at)
			return -ENOSPC;
		at += (size_t)n;
	}
	return (int)at;
}

/* One line into *line (NUL-terminated copy); false at the end. */
static bool next_line(const char **p, const char *end, char *line, size_t len)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		return false; /* unterminated: truncated file */
	n = (size_t)(nl - *p);
	if (n >= len)
		n = len - 1; /* an overlong line cannot parse below */
	memcpy(line, *p, n);
	line[n] = '\0';
	*p = nl + 1;
	return true;
}

int fixlog_parse(struct fixlog *l, const char *boot_id, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	char line[128], *f[7], *save;
	bool same_boot;

	fixlog_init(l, boot_id);
	if (!next_line(&p, end, line, sizeof(line)) || strcmp(line, FIXLOG_MAGIC) != 0)
		return -EBADMSG;
	if (!next_line(&p, end, line, sizeof(line)) || strncmp(line, "boot ", 5) != 0 ||
	    !state_boot_id_valid(line + 5))
		return -EBADMSG;
	same_boot = boot_id && strcmp(line + 5, boot_id) == 0;
	while (next_line(&p, end, line, sizeof(line))) {
		struct fix_record r;
		uint64_t v[5];
		size_t nf = 0;

		for (char *t = strtok_r(line, " ", &save); t && nf < 7;
		     t = strtok_r(NULL, " ", &save))
			f[nf++] = t;
		if (nf != 6 || strcmp(f[0], "fix") != 0 || num_u64_str(f[1], UINT64_MAX, &v[0]) ||
		    num_u64_str(f[2], UINT32_MAX, &v[1]) || num_u64_str(f[3], UINT32_MAX, &v[2]) ||
		    num_u64_str(f[4], UINT64_MAX, &v[3]) || num_u64_str(f[5], INT32_MAX, &v[4])) {
			fixlog_init(l, boot_id);
			return -EBADMSG;
		}
		r = (struct fix_record){ .inode = v[0],
					 .drops = (uint32_t)v[1],
					 .rcvbuf = (uint32_t)v[2],
					 .at_ms = v[3],
					 .pid = (int32_t)v[4] };
		if (same_boot)
			fixlog_add(l, &r);
	}
	if (p != end) { /* a last line without its newline: truncated */
		fixlog_init(l, boot_id);
		return -EBADMSG;
	}
	return 0;
}

int fixlog_load(const char *dir, const char *boot_id, struct fixlog *l)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	int r;

	fixlog_init(l, boot_id);
	if (snprintf(path, sizeof(path), "%s/%s", dir, FIXLOG_FILE) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = paths_read_alloc(path, PATHS_NOFOLLOW, FIXLOG_MAX_SIZE, &buf, &len);
	if (r == 1)
		r = -EFBIG;
	if (r == 0)
		r = fixlog_parse(l, boot_id, buf, len);
	free(buf);
	return r;
}

int fixlog_save(const char *dir, const struct fixlog *l)
{
	struct fixlog *disk = malloc(sizeof(*disk));
	char *buf = malloc(FIXLOG_MAX_SIZE);
	int dfd = -1, lk = -1, n, r = -ENOMEM;

	if (!disk || !buf)
		goto out;
	lk = state_lock_dir(dir, &dfd);
	if (lk < 0) {
		r = lk;
		goto out;
	}
	/* What another writer saved since l was read stays; a damaged file is replaced. */
	r = fixlog_load(dir, l->boot_id, disk);
	if (r < 0 && !state_replaceable(r))
		goto out;
	fixlog_merge(disk, l);
	n = fixlog_format(disk, buf, FIXLOG_MAX_SIZE);
	r = n < 0 ? n : safedir_replace(dfd, FIXLOG_FILE, "." FIXLOG_FILE ".tmp", buf, (size_t)n);
out:
	if (lk >= 0)
		close(lk);
	if (dfd >= 0)
		close(dfd);
	free(disk);
	free(buf);
	return r;
}
