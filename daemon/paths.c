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
