/* SPDX-License-Identifier: MIT */
/* Every read of /proc and /sys goes through these roots so tests can point at copies. */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "clock.h"
#include "num.h"
#include "safedir.h"

static const char *proc_root = "/proc";
static const char *sys_root = "/sys";
static const char *run_dir = PATHS_RUN_DEFAULT;

void paths_set_proc(const char *dir)
{
	proc_root = dir;
}

void paths_set_sys(const char *dir)
{
	sys_root = dir;
}

const char *paths_proc(void)
{
	return proc_root;
}

const char *paths_sys(void)
{
	return sys_root;
}

void paths_set_run(const char *dir)
{
	run_dir = dir;
}

const char *paths_run(void)
{
	return run_dir;
}

static int join(char *buf, size_t len, const char *root, const char *rel)
{
	int n = snprintf(buf, len, "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int paths_proc_file(char *buf, size_t len, const char *rel)
{
	return join(buf, len, proc_root, rel);
}

int paths_sys_file(char *buf, size_t len, const char *rel)
{
	return join(buf, len, sys_root, rel);
}

#define MOUNTINFO_MAX	   (16 * 1024 * 1024) /* bytes of a mount table read */
#define MOUNTINFO_FIELDS   64		      /* fields of one line looked at */
#define HIDEPID_RECHECK_MS 1000

/* The hidepid= level in a comma-separated option list of len bytes; -1 without one. */
static int hidepid_option(const char *opts, size_t len)
{
	static const struct {
		const char *name;
		int level;
	} values[] = { { "0", 0 }, { "off", 0 },       { "1", 1 }, { "noaccess", 1 },
		       { "2", 2 }, { "invisible", 2 }, { "4", 4 }, { "ptraceable", 4 } };
	const char *end = opts + len;
	int level = -1;

	while (opts < end) {
		const char *comma = memchr(opts, ',', (size_t)(end - opts));
		size_t n = (size_t)((comma ? comma : end) - opts);

		if (n > 8 && memcmp(opts, "hidepid=", 8) == 0) {
			level = 2; /* a mode this code does not know hides at least something */
			for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
				if (strlen(values[i].name) == n - 8 &&
				    memcmp(opts + 8, values[i].name, n - 8) == 0)
					level = values[i].level;
		}
		opts += n + 1;
	}
	return level;
}

/* Does the mountinfo path field (spaces and the like as \ooo) of len bytes spell path? */
static bool mount_point_is(const char *f, size_t len, const char *path)
{
	size_t i = 0;

	for (; i < len; path++) {
		char c = f[i];

		if (c == '\\' && i + 3 < len && f[i + 1] >= '0' && f[i + 1] <= '3' &&
		    f[i + 2] >= '0' && f[i + 2] <= '7' && f[i + 3] >= '0' && f[i + 3] <= '7') {
			c = (char)((f[i + 1] - '0') * 64 + (f[i + 2] - '0') * 8 + (f[i + 3] - '0'));
			i += 4;
		} else {
			i++;
		}
		if (*path != c)
			return false;
	}
	return *path == '\0';
}

int paths_mountinfo_hidepid(const char *text, size_t len, const char *mnt)
{
	const char *p = text, *end = text + len;
	int found = -ENOENT;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *f[MOUNTINFO_FIELDS];
		size_t fl[MOUNTINFO_FIELDS], n = 0, dash = 0;

		if (!eol)
			eol = end;
		while (p < eol && n < MOUNTINFO_FIELDS) {
			const char *sp = memchr(p, ' ', (size_t)(eol - p));

			f[n] = p;
			fl[n] = (size_t)((sp ? sp : eol) - p);
			if (fl[n] == 1 && *p == '-' && n >= 6 && !dash)
				dash = n;
			n++;
			p += fl[n - 1] + 1;
		}
		p = eol + 1;
		/* id parent dev root point options [optional...] - type source super-options */
		if (!dash || dash + 3 >= n || fl[dash + 1] != 4 || memcmp(f[dash + 1], "proc", 4) ||
		    !mount_point_is(f[4], fl[4], mnt))
			continue;
		found = hidepid_option(f[5], fl[5]);
		if (hidepid_option(f[dash + 3], fl[dash + 3]) > found)
			found = hidepid_option(f[dash + 3], fl[dash + 3]);
		if (found < 0)
			found = 0;
	}
	return found;
}

int paths_proc_hidepid(void)
{
	static const char *checked_root;
	static uint64_t checked_ms;
	static int level = -ENOENT;
	uint64_t now = clock_mono_ms();
	char real[PATH_MAX], file[PATH_MAX], *text = NULL;
	size_t len = 0;
	int r;

	if (checked_root == proc_root && checked_ms && now - checked_ms < HIDEPID_RECHECK_MS)
		return level;
	if (!realpath(proc_root, real)) {
		r = -errno;
	} else {
		r = paths_read_alloc("/proc/self/mountinfo", 0, MOUNTINFO_MAX, &text, &len);
		if (r < 0 && join(file, sizeof(file), proc_root, "self/mountinfo") == 0)
			r = paths_read_alloc(file, 0, MOUNTINFO_MAX, &text, &len);
		if (r >= 0)
			r = paths_mountinfo_hidepid(text, len, real);
		free(text);
	}
	checked_root = proc_root;
	checked_ms = now ? now : 1;
	level = r;
	return level;
}

int paths_open(const char *path, int oflags, int flags)
{
	struct stat st;
	int fd;

	oflags |= O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	if (flags & PATHS_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	fd = open(path, oflags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	/* /dev/null is the empty file by convention (-c /dev/null); other devices may block. */
	if (!S_ISREG(st.st_mode) &&
	    !(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ENOTSUP;
	}
	return fd;
}

const char *paths_strerror(int err)
{
	if (err == -ENOTSUP || err == ENOTSUP)
		return "not a regular file";
	if (err == -ELOOP || err == ELOOP)
		return "a symbolic link where none is allowed";
	return strerror(err < 0 ? -err : err);
}

int paths_read(const char *path, int flags, char *buf, size_t len)
{
	size_t off = 0;
	int fd, r = 0;

	if (len == 0)
		return -EINVAL;
	fd = paths_open(path, O_RDONLY, flags);
	if (fd < 0)
		return fd;
	while (off < len - 1) {
		ssize_t n = read(fd, buf + off, len - 1 - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	return r < 0 ? r : (int)off;
}

int paths_read_alloc(const char *path, int flags, size_t max, char **buf, size_t *len)
{
	size_t cap = 0, used = 0;
	char *b = NULL, extra;
	int fd, r = 0;

	*buf = NULL;
	*len = 0;
	fd = paths_open(path, O_RDONLY, flags);
	if (fd < 0)
		return fd;
	for (;;) {
		ssize_t n;

		if (used == cap) {
			char *nb;

			if (cap == max) {
				/* Full: one more byte tells whether the file goes on. */
				do
					n = read(fd, &extra, 1);
				while (n < 0 && errno == EINTR);
				r = n > 0 ? 1 : n < 0 ? -errno : 0;
				break;
			}
			cap = cap ? cap * 2 : 4096;
			if (cap > max)
				cap = max;
			nb = realloc(b, cap ? cap : 1);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			b = nb;
		}
		n = read(fd, b + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(b);
		return r;
	}
	*buf = b;
	*len = used;
	return r;
}

int paths_read_u64(const char *path, int flags, uint64_t *v)
{
	char buf[64];
	size_t n;
	int r = paths_read(path, flags, buf, sizeof(buf));

	if (r < 0)
		return r;
	n = num_digits(buf);
	if (buf[n] != '\0' && strcmp(buf + n, "\n") != 0)
		return -EINVAL;
	return num_u64(buf, n, UINT64_MAX, v);
}

int paths_write_atomic(const char *dir, const char *name, const char *buf, size_t len)
{
	char prefix[NAME_MAX + 1];
	int dfd, r;

	if (snprintf(prefix, sizeof(prefix), ".%s.tmp", name) >= (int)sizeof(prefix) - 6)
		return -ENAMETOOLONG;
	/* Only the last component: a missing /var/lib is not ours to create. */
	dfd = safedir_open(dir, true);
	if (dfd < 0)
		return dfd;
	r = safedir_replace(dfd, name, prefix, buf, len);
	close(dfd);
	return r;
}
