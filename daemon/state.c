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
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "num.h"
#include "paths.h"
#include "safedir.h"

/*
 * The file, one record per line, each field separated by exactly one space:
 *
 *   nltune-state 3
 *   boot <boot_id> <peak_events> <peak_bytes> <window_ms> <total_events> <updated>
 *   coldplug-burst <boot_id> <events> <bytes> <duration_ms>
 *   udev <boot_id> <peak_events> <peak_bytes> <total_events>
 *   udev-coldplug-burst <boot_id> <events> <bytes> <duration_ms>
 *   apply <boot_id> <at> <by> <before_default> <before_max> <after_default> <after_max>
 *   coldplug <devices> <bytes>
 *   applied <default> <max>
 *   end <crc32 of every byte before this line, 8 lowercase hex digits>
 *
 * coldplug-burst, udev, udev-coldplug-burst and apply lines follow the boot
 * line they name, in this order (at most one of each but apply, of which
 * STATE_MAX_APPLIES, oldest first); <by> is boot, cli, bus or revert. The udev
 * lines are group 2's figures (udevd's re-broadcasts). Version 2 is the same
 * without the udev lines, version 1 also without coldplug-burst and apply.
 * The end line is written last, so a file cut anywhere lacks it or fails
 * its checksum; numbers are canonical decimal so format(parse(x)) == x.
 */
#define MAGIC	   "nltune-state"
#define MAX_TOKENS 8 /* the apply line */

static const char *const by_names[STATE_BY_N] = { "boot", "cli", "bus", "revert" };

const char *state_by_name(enum state_by by)
{
	return (unsigned)by < STATE_BY_N ? by_names[by] : "unknown";
}
#define CRC_HEX 8

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
		if (!state_boot_id_valid(s->boots[i].boot_id) ||
		    s->boots[i].napplies > STATE_MAX_APPLIES)
			return -EINVAL;
		for (j = 0; j < s->boots[i].napplies; j++)
			if ((unsigned)s->boots[i].applies[j].by >= STATE_BY_N)
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
	const struct state_apply *a;
	size_t off = 0, i, k;
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
		if (r == 0 && b->has_coldplug)
			r = append(buf, len, &off,
				   "coldplug-burst %s %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				   b->boot_id, b->coldplug_events, b->coldplug_bytes,
				   b->coldplug_ms);
		if (r == 0 && b->has_udev)
			r = append(buf, len, &off, "udev %s %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				   b->boot_id, b->udev_peak_events, b->udev_peak_bytes,
				   b->udev_total_events);
		if (r == 0 && b->has_udev_coldplug)
			r = append(buf, len, &off,
				   "udev-coldplug-burst %s %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
				   b->boot_id, b->udev_coldplug_events, b->udev_coldplug_bytes,
				   b->udev_coldplug_ms);
		for (k = 0; r == 0 && k < b->napplies; k++) {
			a = &b->applies[k];
			r = append(buf, len, &off,
				   "apply %s %" PRIu64 " %s %" PRIu64 " %" PRIu64 " %" PRIu64
				   " %" PRIu64 "\n",
				   b->boot_id, a->at, by_names[a->by], a->before_default,
				   a->before_max, a->after_default, a->after_max);
		}
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
	if (l->toklen[i] > 1 && l->tok[i][0] == '0')
		return -EBADMSG;
	return num_u64(l->tok[i], l->toklen[i], UINT64_MAX, v) < 0 ? -EBADMSG : 0;
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

/* The boot a coldplug-burst or apply line names: it must be the last boot line read. */
static struct state_boot *line_boot(struct state *s, const struct line *l)
{
	struct state_boot *b;

	if (s->nboots == 0 || l->toklen[1] != STATE_BOOT_ID_LEN)
		return NULL;
	b = &s->boots[s->nboots - 1];
	return memcmp(b->boot_id, l->tok[1], STATE_BOOT_ID_LEN) ? NULL : b;
}

static int parse_coldplug_burst(struct state *s, const struct line *l)
{
	struct state_boot *b = l->n == 5 ? line_boot(s, l) : NULL;

	if (!b || b->has_coldplug || b->has_udev || b->has_udev_coldplug || b->napplies ||
	    parse_u64(l, 2, &b->coldplug_events) < 0 || parse_u64(l, 3, &b->coldplug_bytes) < 0 ||
	    parse_u64(l, 4, &b->coldplug_ms) < 0)
		return -EBADMSG;
	b->has_coldplug = true;
	return 0;
}

static int parse_udev(struct state *s, const struct line *l)
{
	struct state_boot *b = l->n == 5 ? line_boot(s, l) : NULL;

	if (!b || b->has_udev || b->has_udev_coldplug || b->napplies ||
	    parse_u64(l, 2, &b->udev_peak_events) < 0 || parse_u64(l, 3, &b->udev_peak_bytes) < 0 ||
	    parse_u64(l, 4, &b->udev_total_events) < 0)
		return -EBADMSG;
	b->has_udev = true;
	return 0;
}

static int parse_udev_coldplug_burst(struct state *s, const struct line *l)
{
	struct state_boot *b = l->n == 5 ? line_boot(s, l) : NULL;

	if (!b || b->has_udev_coldplug || b->napplies ||
	    parse_u64(l, 2, &b->udev_coldplug_events) < 0 ||
	    parse_u64(l, 3, &b->udev_coldplug_bytes) < 0 ||
	    parse_u64(l, 4, &b->udev_coldplug_ms) < 0)
		return -EBADMSG;
	b->has_udev_coldplug = true;
	return 0;
}

static int parse_apply(struct state *s, const struct line *l)
{
	struct state_boot *b = l->n == 8 ? line_boot(s, l) : NULL;
	struct state_apply *a;
	int by;

	if (!b || b->napplies >= STATE_MAX_APPLIES)
		return -EBADMSG;
	a = &b->applies[b->napplies];
	for (by = 0; by < STATE_BY_N; by++)
		if (tok_is(l, 3, by_names[by]))
			break;
	if (by == STATE_BY_N || parse_u64(l, 2, &a->at) < 0 ||
	    parse_u64(l, 4, &a->before_default) < 0 || parse_u64(l, 5, &a->before_max) < 0 ||
	    parse_u64(l, 6, &a->after_default) < 0 || parse_u64(l, 7, &a->after_max) < 0)
		return -EBADMSG;
	a->by = (enum state_by)by;
	b->napplies++;
	return 0;
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
	if (version < 1 || version > STATE_VERSION) {
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
		} else if (version > 1 && tok_is(&l, 0, "coldplug-burst")) {
			if (parse_coldplug_burst(s, &l) < 0)
				goto out;
		} else if (version > 2 && tok_is(&l, 0, "udev")) {
			if (parse_udev(s, &l) < 0)
				goto out;
		} else if (version > 2 && tok_is(&l, 0, "udev-coldplug-burst")) {
			if (parse_udev_coldplug_burst(s, &l) < 0)
				goto out;
		} else if (version > 1 && tok_is(&l, 0, "apply")) {
			if (parse_apply(s, &l) < 0)
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

static void file_id(const struct stat *st, struct state_file_id *id)
{
	id->dev = (uint64_t)st->st_dev;
	id->ino = (uint64_t)st->st_ino;
	id->size = (uint64_t)st->st_size;
	id->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

bool state_file_id_equal(const struct state_file_id *a, const struct state_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

int state_file_stat(const char *dir, struct state_file_id *id)
{
	char path[PATH_MAX];
	struct stat st;
	int r;

	memset(id, 0, sizeof(*id));
	r = state_path(path, sizeof(path), dir, STATE_FILE);
	if (r < 0)
		return r;
	if (lstat(path, &st) < 0)
		return -errno;
	file_id(&st, id);
	return 0;
}

int state_load(const char *dir, struct state *s)
{
	return state_load_id(dir, s, NULL);
}

int state_load_id(const char *dir, struct state *s, struct state_file_id *id)
{
	char path[PATH_MAX], *buf = NULL;
	size_t got = 0;
	struct stat st;
	ssize_t n;
	int fd = -1, r;

	state_init(s);
	if (id)
		memset(id, 0, sizeof(*id));
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
	if (id)
		file_id(&st, id);
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

int state_save(const char *dir, const struct state *s)
{
	char *buf;
	int r, len;

	buf = malloc(STATE_MAX_SIZE);
	if (!buf)
		return -ENOMEM;
	len = state_format(s, buf, STATE_MAX_SIZE);
	r = len < 0 ? len : paths_write_atomic(dir, STATE_FILE, buf, (size_t)len);
	free(buf);
	return r;
}

int state_lock(int dfd)
{
	struct timespec pause = { 0, 10 * 1000000 };
	struct stat st;
	int fd, i;

	/* 0600: a user who could open it could hold the lock, and every save would wait. */
	fd = openat(dfd, STATE_LOCK_FILE,
		    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	for (i = 0; i * 10 < STATE_LOCK_WAIT_MS; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		nanosleep(&pause, NULL);
	}
	i = errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	close(fd);
	return i;
}

bool state_replaceable(int err)
{
	/* None yet, damaged, too large, another version, or not a regular file (a FIFO, a link). */
	return err == -ENOENT || err == -EBADMSG || err == -EPROTONOSUPPORT || err == -EFBIG ||
	       err == -EINVAL || err == -ELOOP;
}

int state_lock_dir(const char *dir, int *dfd)
{
	int lk;

	*dfd = safedir_open(dir, true);
	if (*dfd < 0) {
		lk = *dfd;
		*dfd = -1;
		return lk;
	}
	lk = state_lock(*dfd);
	if (lk < 0) {
		close(*dfd);
		*dfd = -1;
	}
	return lk;
}

int state_save_merged(const char *dir, struct state *s, uint32_t keep, struct state_file_id *id)
{
	struct state *disk = malloc(sizeof(*disk));
	char *buf = malloc(STATE_MAX_SIZE);
	int dfd = -1, lk = -1, r, len;
	struct stat st;

	if (id)
		memset(id, 0, sizeof(*id));
	r = -ENOMEM;
	if (!disk || !buf)
		goto out;
	lk = state_lock_dir(dir, &dfd);
	if (lk < 0) {
		r = lk;
		goto out;
	}
	/* What others wrote since this writer read the file; a damaged or foreign file is replaced.
	 */
	r = state_load(dir, disk);
	if (r < 0 && !state_replaceable(r))
		goto out;
	state_merge(disk, s, keep);
	len = state_format(disk, buf, STATE_MAX_SIZE);
	r = len < 0 ? len
		    : safedir_replace(dfd, STATE_FILE, "." STATE_FILE ".tmp", buf, (size_t)len);
	if (r < 0)
		goto out;
	*s = *disk;
	if (id && fstatat(dfd, STATE_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0)
		file_id(&st, id);
out:
	if (lk >= 0)
		close(lk); /* releases the lock */
	if (dfd >= 0)
		close(dfd);
	free(disk);
	free(buf);
	return r;
}

int state_remove_temps(const char *dir)
{
	int dfd = safedir_open(dir, false), r;

	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	r = safedir_remove_temps(dfd, STATE_TEMP_PATTERN);
	close(dfd);
	return r;
}

static uint32_t clamp_keep(uint32_t keep)
{
	if (keep == 0)
		return 1;
	return keep > STATE_MAX_BOOTS ? STATE_MAX_BOOTS : keep;
}

/* Keep the newest keep entries. */
static void trim(struct state *s, uint32_t keep)
{
	size_t drop;

	if (s->nboots > keep) {
		drop = s->nboots - keep;
		memmove(s->boots, s->boots + drop, keep * sizeof(s->boots[0]));
		s->nboots = keep;
	}
}

/* boot_id's entry, or a new empty one appended (the oldest dropped to make room). */
static struct state_boot *find_or_make(struct state *s, const char *boot_id, uint32_t keep)
{
	struct state_boot *e;

	if (!state_boot_id_valid(boot_id))
		return NULL;
	keep = clamp_keep(keep);
	e = (struct state_boot *)state_find_boot(s, boot_id);
	if (e)
		return e;
	/* Make room for one: the new entry always survives the trim. */
	trim(s, keep - 1);
	e = &s->boots[s->nboots++];
	memset(e, 0, sizeof(*e));
	memcpy(e->boot_id, boot_id, STATE_BOOT_ID_LEN);
	return e;
}

struct state_boot *state_record_boot(struct state *s, const struct state_boot *b, uint32_t keep)
{
	struct state_boot nb = *b, *e; /* b may point into s, which moves below */

	nb.boot_id[STATE_BOOT_ID_LEN] = '\0';
	e = find_or_make(s, nb.boot_id, keep);
	if (!e)
		return NULL;
	if (nb.peak_events > e->peak_events)
		e->peak_events = nb.peak_events;
	if (nb.peak_bytes > e->peak_bytes)
		e->peak_bytes = nb.peak_bytes;
	e->window_ms = nb.window_ms;
	e->total_events = nb.total_events;
	e->updated = nb.updated;
	if (nb.has_udev) {
		e->has_udev = true;
		if (nb.udev_peak_events > e->udev_peak_events)
			e->udev_peak_events = nb.udev_peak_events;
		if (nb.udev_peak_bytes > e->udev_peak_bytes)
			e->udev_peak_bytes = nb.udev_peak_bytes;
		e->udev_total_events = nb.udev_total_events;
	}
	/* history may have shrunk since the last save (SIGHUP). */
	trim(s, clamp_keep(keep));
	return (struct state_boot *)state_find_boot(s, nb.boot_id);
}

static bool apply_equal(const struct state_apply *a, const struct state_apply *b)
{
	return a->at == b->at && a->by == b->by && a->before_default == b->before_default &&
	       a->before_max == b->before_max && a->after_default == b->after_default &&
	       a->after_max == b->after_max;
}

/*
 * Add a write to e unless it is there, in time order (a write of the same
 * second goes after the ones there). Full, the boot keeps its first write and
 * the newest others: whatever order writes arrive in, e holds the earliest one
 * and the STATE_MAX_APPLIES - 1 latest of all it was given.
 */
static void add_apply(struct state_boot *e, const struct state_apply *a)
{
	struct state_apply all[STATE_MAX_APPLIES + 1];
	size_t i, n = e->napplies;

	for (i = 0; i < n; i++)
		if (apply_equal(&e->applies[i], a))
			return;
	memcpy(all, e->applies, n * sizeof(all[0]));
	for (i = n; i > 0 && all[i - 1].at > a->at; i--)
		all[i] = all[i - 1];
	all[i] = *a;
	n++;
	if (n > STATE_MAX_APPLIES) { /* [0] is the first write: the oldest of the others goes */
		memmove(&all[1], &all[2], (n - 2) * sizeof(all[0]));
		n--;
	}
	memcpy(e->applies, all, n * sizeof(all[0]));
	e->napplies = n;
}

int state_record_apply(struct state *s, const char *boot_id, const struct state_apply *a,
		       uint32_t keep)
{
	struct state_apply na = *a;
	struct state_boot *e;

	if ((unsigned)na.by >= STATE_BY_N)
		return -EINVAL;
	e = find_or_make(s, boot_id, keep);
	if (!e)
		return -EINVAL;
	add_apply(e, &na);
	s->applied_default = na.after_default;
	s->applied_max = na.after_max;
	return 0;
}

int state_record_coldplug(struct state *s, const char *boot_id, uint64_t events, uint64_t bytes,
			  uint64_t ms, uint32_t keep)
{
	struct state_boot *e = find_or_make(s, boot_id, keep);

	if (!e)
		return -EINVAL;
	e->has_coldplug = true;
	e->coldplug_events = events;
	e->coldplug_bytes = bytes;
	e->coldplug_ms = ms;
	return 0;
}

int state_record_udev_coldplug(struct state *s, const char *boot_id, uint64_t events,
			       uint64_t bytes, uint64_t ms, uint32_t keep)
{
	struct state_boot *e = find_or_make(s, boot_id, keep);

	if (!e)
		return -EINVAL;
	e->has_udev_coldplug = true;
	e->udev_coldplug_events = events;
	e->udev_coldplug_bytes = bytes;
	e->udev_coldplug_ms = ms;
	return 0;
}

/* Group 2's figures of b into e, an entry of the same boot (state_merge's rules). */
static void merge_udev(struct state_boot *e, const struct state_boot *b)
{
	if (b->has_udev) {
		if (!e->has_udev || b->updated > e->updated)
			e->udev_total_events = b->udev_total_events;
		e->has_udev = true;
		if (b->udev_peak_events > e->udev_peak_events)
			e->udev_peak_events = b->udev_peak_events;
		if (b->udev_peak_bytes > e->udev_peak_bytes)
			e->udev_peak_bytes = b->udev_peak_bytes;
	}
	if (b->has_udev_coldplug && !e->has_udev_coldplug) {
		e->has_udev_coldplug = true;
		e->udev_coldplug_events = b->udev_coldplug_events;
		e->udev_coldplug_bytes = b->udev_coldplug_bytes;
		e->udev_coldplug_ms = b->udev_coldplug_ms;
	}
}

/* The applied values are those of the newest write on record, else src's if it has any. */
static void newest_applied(struct state *dst, const struct state *src)
{
	const struct state_apply *last = NULL, *a;
	size_t i;

	for (i = 0; i < dst->nboots; i++) {
		if (dst->boots[i].napplies == 0)
			continue;
		a = &dst->boots[i].applies[dst->boots[i].napplies - 1];
		if (!last || a->at >= last->at)
			last = a;
	}
	if (last) {
		dst->applied_default = last->after_default;
		dst->applied_max = last->after_max;
	} else if (src->applied_default || src->applied_max) {
		dst->applied_default = src->applied_default;
		dst->applied_max = src->applied_max;
	}
}

void state_merge(struct state *dst, const struct state *src, uint32_t keep)
{
	const struct state_boot *b;
	struct state_boot *e;
	size_t i, k;

	for (i = 0; i < src->nboots; i++) {
		b = &src->boots[i];
		e = state_find_boot(dst, b->boot_id) ? NULL : find_or_make(dst, b->boot_id, keep);
		if (e) {
			*e = *b; /* new here: taken whole */
			continue;
		}
		e = (struct state_boot *)state_find_boot(dst, b->boot_id);
		if (b->peak_events > e->peak_events)
			e->peak_events = b->peak_events;
		if (b->peak_bytes > e->peak_bytes)
			e->peak_bytes = b->peak_bytes;
		merge_udev(e, b); /* before updated changes: it compares the two */
		if (b->updated > e->updated) {
			e->window_ms = b->window_ms;
			e->total_events = b->total_events;
			e->updated = b->updated;
		}
		if (b->has_coldplug && !e->has_coldplug) {
			e->has_coldplug = true;
			e->coldplug_events = b->coldplug_events;
			e->coldplug_bytes = b->coldplug_bytes;
			e->coldplug_ms = b->coldplug_ms;
		}
		for (k = 0; k < b->napplies && k < STATE_MAX_APPLIES; k++)
			add_apply(e, &b->applies[k]);
	}
	if (src->has_coldplug) {
		dst->has_coldplug = true;
		dst->coldplug_devices = src->coldplug_devices;
		dst->coldplug_bytes = src->coldplug_bytes;
	}
	newest_applied(dst, src);
}

static void add_value(uint64_t *v, size_t *n, uint64_t x, uint64_t now)
{
	size_t i;

	if (x == 0 || x == now || *n == 2 * STATE_MAX_APPLIES)
		return;
	for (i = 0; i < *n; i++)
		if (v[i] == x)
			return;
	v[(*n)++] = x;
}

void state_earlier(const struct state *s, const char *boot_id, uint64_t now_default,
		   uint64_t now_max, struct state_earlier *out)
{
	const struct state_boot *b = state_find_boot(s, boot_id);
	const struct state_apply *a;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; b && i < b->napplies; i++) {
		a = &b->applies[i];
		add_value(out->rmem_default, &out->ndefault, a->before_default, now_default);
		add_value(out->rmem_default, &out->ndefault, a->after_default, now_default);
		add_value(out->rmem_max, &out->nmax, a->before_max, now_max);
		add_value(out->rmem_max, &out->nmax, a->after_max, now_max);
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
