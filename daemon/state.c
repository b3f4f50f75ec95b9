/* SPDX-License-Identifier: MIT */
/* The state file: a checksummed line format, a strict parser and an atomic save/load of it. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The file, one record per line, each field separated by exactly one space:
 *
 *   nltune-state 1
 *   boot <boot_id> <peak_events> <peak_bytes> <window_ms> <total_events> <updated>
 *   coldplug <devices> <bytes>
 *   applied <default> <max>
 *   end <crc32 of every byte before this line, 8 lowercase hex digits>
 *
 * The end line is written last, so a file cut anywhere lacks it or fails
 * its checksum; numbers are canonical decimal so format(parse(x)) == x.
 */
#define MAGIC	   "nltune-state"
#define MAX_TOKENS 7 /* the boot line */
#define CRC_HEX	   8

static uint32_t crc32_ieee(const char *buf, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	/* Bitwise: at most 64 KiB a save, so a table buys nothing. */
	for (i = 0; i < len; i++) {
		crc ^= (unsigned char)buf[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1u));
	}
	return ~crc;
}

void state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
}

bool state_boot_id_valid(const char *boot_id)
{
	size_t i;

	if (!boot_id || strnlen(boot_id, STATE_BOOT_ID_LEN + 1) != STATE_BOOT_ID_LEN)
		return false;
	for (i = 0; i < STATE_BOOT_ID_LEN; i++)
		if (!strchr("0123456789abcdef-", boot_id[i]))
			return false;
	return true;
}

__attribute__((format(printf, 4, 5))) static int append(char *buf, size_t len, size_t *off,
							const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off)
		return -ENOSPC;
	*off += (size_t)n;
	return 0;
}

/* Refuse what state_parse would refuse, so every formatted file loads again. */
static int check_boots(const struct state *s)
{
	size_t i, j;

	if (s->nboots > STATE_MAX_BOOTS)
		return -EINVAL;
	for (i = 0; i < s->nboots; i++) {
		if (!state_boot_id_valid(s->boots[i].boot_id))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(s->boots[i].boot_id, s->boots[j].boot_id))
				return -EINVAL;
	}
	return 0;
}

int state_format(const struct state *s, char *buf, size_t len)
{
	const struct state_boot *b;
	size_t off = 0, i;
	int r;

	r = check_boots(s);
	if (r < 0)
		goto out;
	r = -ENOSPC;
	if (!buf || len == 0)
		goto out;
	if (len > INT_MAX)
		len = INT_MAX;
	r = append(buf, len, &off, MAGIC " %d\n", STATE_VERSION);
	for (i = 0; r == 0 && i < s->nboots; i++) {
		b = &s->boots[i];
		r = append(buf, len, &off,
			   "boot %s %" PRIu64 " %" PRIu64 " %" PRIu32 " %" PRIu64 " %" PRIu64 "\n",
			   b->boot_id, b->peak_events, b->peak_bytes, b->window_ms, b->total_events,
			   b->updated);
	}
	if (r == 0 && s->has_coldplug)
		r = append(buf, len, &off, "coldplug %" PRIu64 " %" PRIu64 "\n",
			   s->coldplug_devices, s->coldplug_bytes);
	if (r == 0)
		r = append(buf, len, &off, "applied %" PRIu64 " %" PRIu64 "\n", s->applied_default,
			   s->applied_max);
	if (r == 0)
		r = append(buf, len, &off, "end %08" PRIx32 "\n", crc32_ieee(buf, off));
	if (r == 0)
		r = (int)off;
out:
	return r;
}

struct line {
	const char *tok[MAX_TOKENS];
	size_t toklen[MAX_TOKENS];
	size_t n;
};

/* Split on single spaces: no empty fields, no leading or trailing space. */
static int split(const char *p, size_t len, struct line *l)
{
	const char *end = p + len, *sp;

	l->n = 0;
	for (;;) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			sp = end;
		if (sp == p || l->n == MAX_TOKENS)
			return -EBADMSG;
		l->tok[l->n] = p;
		l->toklen[l->n] = (size_t)(sp - p);
		l->n++;
		if (sp == end)
			return 0;
		p = sp + 1;
	}
}

static bool tok_is(const struct line *l, size_t i, const char *word)
{
	return l->toklen[i] == strlen(word) && !memcmp(l->tok[i], word, l->toklen[i]);
}

/* Canonical decimal only: digits, no sign, no leading zero, no overflow. */
static int parse_u64(const struct line *l, size_t i, uint64_t *v)
{
	const char *p = l->tok[i];
	size_t n = l->toklen[i], k;
	uint64_t x = 0, d;

	if (n == 0 || (n > 1 && p[0] == '0'))
		return -EBADMSG;
	for (k = 0; k < n; k++) {
		if (p[k] < '0' || p[k] > '9')
			return -EBADMSG;
		d = (uint64_t)(p[k] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static int parse_boot(struct state *s, const struct line *l)
{
	struct state_boot *b;
	uint64_t window;
	int r = -EBADMSG;

	if (l->n != 7 || l->toklen[1] != STATE_BOOT_ID_LEN || s->nboots >= STATE_MAX_BOOTS)
		goto out;
	b = &s->boots[s->nboots];
	memset(b, 0, sizeof(*b));
	memcpy(b->boot_id, l->tok[1], STATE_BOOT_ID_LEN);
	if (!state_boot_id_valid(b->boot_id) || state_find_boot(s, b->boot_id))
		goto out;
	if (parse_u64(l, 2, &b->peak_events) < 0 || parse_u64(l, 3, &b->peak_bytes) < 0 ||
	    parse_u64(l, 4, &window) < 0 || window > UINT32_MAX ||
	    parse_u64(l, 5, &b->total_events) < 0 || parse_u64(l, 6, &b->updated) < 0)
		goto out;
	b->window_ms = (uint32_t)window;
	s->nboots++;
	r = 0;
out:
	return r;
}

static int parse_pair(const struct line *l, bool *seen, uint64_t *a, uint64_t *b)
{
	if (l->n != 3 || *seen || parse_u64(l, 1, a) < 0 || parse_u64(l, 2, b) < 0)
		return -EBADMSG;
	*seen = true;
	return 0;
}

/* The end line: "end" and the checksum of everything before it, lowercase hex. */
static int check_end(const char *buf, size_t body, const char *p, size_t len)
{
	uint32_t want = 0;
	size_t i;

	if (len != 4 + CRC_HEX || memcmp(p, "end ", 4))
		return -EBADMSG;
	for (i = 4; i < len; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			want = want << 4 | (uint32_t)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			want = want << 4 | (uint32_t)(p[i] - 'a' + 10);
		else
			return -EBADMSG;
	}
	return crc32_ieee(buf, body) == want ? 0 : -EBADMSG;
}

int state_parse(struct state *s, const char *buf, size_t len)
{
	const char *p, *end, *nl, *last;
	bool seen_applied = false;
	struct line l;
	uint64_t version;
	int r = -EBADMSG;

	state_init(s);
	if (!buf || len == 0 || len > STATE_MAX_SIZE || memchr(buf, '\0', len))
		goto out;
	end = buf + len;

	/* The version first: another version may have another layout altogether. */
	nl = memchr(buf, '\n', len);
	if (!nl || split(buf, (size_t)(nl - buf), &l) < 0 || l.n != 2 || !tok_is(&l, 0, MAGIC) ||
	    parse_u64(&l, 1, &version) < 0)
		goto out;
	if (version != STATE_VERSION) {
		r = -EPROTONOSUPPORT;
		goto out;
	}

	/* Then the checksum, over the bytes before the last line. */
	if (end[-1] != '\n' || nl == end - 1)
		goto out;
	last = (const char *)memrchr(buf, '\n', len - 1) + 1; /* finds nl at the latest */
	if (check_end(buf, (size_t)(last - buf), last, (size_t)(end - 1 - last)) < 0)
		goto out;

	/* Then every line between, strictly: a good checksum does not prove a sane writer. */
	for (p = nl + 1; p < last; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(last - p));
		if (!nl || split(p, (size_t)(nl - p), &l) < 0)
			goto out;
		if (tok_is(&l, 0, "boot")) {
			if (parse_boot(s, &l) < 0)
				goto out;
		} else if (tok_is(&l, 0, "coldplug")) {
			if (parse_pair(&l, &s->has_coldplug, &s->coldplug_devices,
				       &s->coldplug_bytes) < 0)
				goto out;
		} else if (tok_is(&l, 0, "applied")) {
			if (parse_pair(&l, &seen_applied, &s->applied_default, &s->applied_max) < 0)
				goto out;
		} else {
			goto out;
		}
	}
	r = 0;
out:
	if (r < 0)
		state_init(s);
	return r;
}

static int state_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int state_load(const char *dir, struct state *s)
{
	char path[PATH_MAX], *buf = NULL;
	size_t got = 0;
	struct stat st;
	ssize_t n;
	int fd = -1, r;

	state_init(s);
	r = state_path(path, sizeof(path), dir, STATE_FILE);
	if (r < 0)
		goto out;
	/* O_NONBLOCK: a FIFO planted as the state file must not hang the boot. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if (st.st_size > STATE_MAX_SIZE) {
		r = -EFBIG;
		goto out;
	}
	buf = malloc(STATE_MAX_SIZE + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	/* Read one byte past the limit: st_size may be stale if the file grows. */
	while (got < STATE_MAX_SIZE + 1) {
		n = read(fd, buf + got, STATE_MAX_SIZE + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > STATE_MAX_SIZE) {
		r = -EFBIG;
		goto out;
	}
	r = state_parse(s, buf, got);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int state_save(const char *dir, const struct state *s)
{
	char path[PATH_MAX], tmp[PATH_MAX], *buf = NULL;
	bool have_tmp = false;
	int fd = -1, dfd = -1, r, len;

	r = state_path(path, sizeof(path), dir, STATE_FILE);
	if (r == 0)
		r = state_path(tmp, sizeof(tmp), dir, "." STATE_FILE ".tmpXXXXXX");
	if (r < 0)
		goto out;
	buf = malloc(STATE_MAX_SIZE);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	len = state_format(s, buf, STATE_MAX_SIZE);
	if (len < 0) {
		r = len;
		goto out;
	}
	/* Only the last component: a missing /var/lib is not ours to create. */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	have_tmp = true;
	/* mkostemp makes 0600; the history is no secret and `nltune` reads it unprivileged. */
	r = fchmod(fd, 0644) < 0 ? -errno : write_all(fd, buf, (size_t)len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r < 0)
		goto out;
	r = close(fd);
	fd = -1;
	if (r < 0 || rename(tmp, path) < 0) {
		r = -errno;
		goto out;
	}
	have_tmp = false;
	if (fsync(dfd) < 0) {
		r = -errno;
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (have_tmp)
		unlink(tmp);
	if (dfd >= 0)
		close(dfd);
	free(buf);
	return r;
}

void state_record_boot(struct state *s, const struct state_boot *b, uint32_t keep)
{
	struct state_boot nb = *b, *e; /* b may point into s, which moves below */
	size_t drop;

	if (!state_boot_id_valid(nb.boot_id))
		return;
	if (keep == 0)
		keep = 1;
	if (keep > STATE_MAX_BOOTS)
		keep = STATE_MAX_BOOTS;

	e = (struct state_boot *)state_find_boot(s, nb.boot_id);
	if (e) {
		if (nb.peak_events > e->peak_events)
			e->peak_events = nb.peak_events;
		if (nb.peak_bytes > e->peak_bytes)
			e->peak_bytes = nb.peak_bytes;
		e->window_ms = nb.window_ms;
		e->total_events = nb.total_events;
		e->updated = nb.updated;
	} else {
		/* Make room for one: the new entry always survives the trim. */
		if (s->nboots >= keep) {
			drop = s->nboots - keep + 1;
			memmove(s->boots, s->boots + drop,
				(s->nboots - drop) * sizeof(s->boots[0]));
			s->nboots -= drop;
		}
		e = &s->boots[s->nboots++];
		*e = nb;
		e->boot_id[STATE_BOOT_ID_LEN] = '\0';
	}
	/* history may have shrunk since the last save (SIGHUP). */
	if (s->nboots > keep) {
		drop = s->nboots - keep;
		memmove(s->boots, s->boots + drop, keep * sizeof(s->boots[0]));
		s->nboots = keep;
	}
}

const struct state_boot *state_find_boot(const struct state *s, const char *boot_id)
{
	size_t i;

	if (!boot_id)
		return NULL;
	for (i = 0; i < s->nboots; i++)
		if (!strcmp(s->boots[i].boot_id, boot_id))
			return &s->boots[i];
	return NULL;
}
