/* SPDX-License-Identifier: MIT */
/* Opening write directories from a trusted root, and the one atomic file writer inside them. */
#include "safedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)

static bool owned(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

/* Only root or the caller can add or swap entries in it. */
static bool trusted(const struct stat *st)
{
	return owned(st) && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/*
 * Open the directory prefix (an absolute path whose components before the last were opened
 * the same way); a symlink as its last component only where the parent is trusted. Absolute
 * paths at each step, not openat() from "/": qemu-user's -L sysroot translates those.
 */
static int open_step(const char *prefix, bool parent_trusted, bool create)
{
	struct stat st;
	int next;

	next = open(prefix, DIR_FLAGS | O_NOFOLLOW);
	if (next >= 0)
		return next;
	if (errno == ENOENT && create) {
		if (mkdir(prefix, 0755) < 0 && errno != EEXIST)
			return -errno;
		next = open(prefix, DIR_FLAGS | O_NOFOLLOW);
		/* 0755 whatever the umask: what nltune keeps there is world-readable. */
		if (next >= 0 && fchmod(next, 0755) < 0) {
			int r = -errno;

			close(next);
			return r;
		}
		return next >= 0 ? next : -errno;
	}
	if (errno != ENOTDIR && errno != ELOOP)
		return -errno;
	if (lstat(prefix, &st) < 0 || !S_ISLNK(st.st_mode))
		return -ENOTDIR;
	if (!parent_trusted)
		return -ELOOP;
	next = open(prefix, DIR_FLAGS);
	return next >= 0 ? next : -errno;
}

int safedir_open(const char *path, bool create)
{
	char buf[PATH_MAX], prefix[PATH_MAX], *comp, *save = NULL, *next_comp;
	size_t plen = 0;
	bool parent_trusted;
	struct stat st;
	int fd, next, r;

	if (path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	fd = open("/", DIR_FLAGS);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		goto fail_errno;
	parent_trusted = trusted(&st);
	prefix[0] = '\0';
	for (comp = strtok_r(buf, "/", &save); comp; comp = next_comp) {
		next_comp = strtok_r(NULL, "/", &save);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			r = -EINVAL;
			goto fail;
		}
		plen += (size_t)snprintf(prefix + plen, sizeof(prefix) - plen, "/%s", comp);
		next = open_step(prefix, parent_trusted, create && !next_comp);
		if (next < 0) {
			r = next;
			goto fail;
		}
		close(fd);
		fd = next;
		if (fstat(fd, &st) < 0)
			goto fail_errno;
		/* Anyone could have made this directory in a world-writable parent. */
		if (!parent_trusted && !owned(&st)) {
			r = -EPERM;
			goto fail;
		}
		parent_trusted = trusted(&st);
	}
	if (!trusted(&st)) {
		r = -EPERM;
		goto fail;
	}
	return fd;
fail_errno:
	r = -errno;
fail:
	close(fd);
	return r;
}

int safedir_open_parent(const char *path, const char **name)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash || !slash[1])
		return -EINVAL;
	*name = slash + 1;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return safedir_open(dir, false);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new "<prefix>XXXXXX" in dfd, O_EXCL; its name in tmp. */
static int create_temp(int dfd, const char *prefix, char *tmp, size_t len)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	for (int tries = 0; tries < 100; tries++) {
		unsigned char rnd[6];
		int n = snprintf(tmp, len, "%s", prefix), fd;

		if (n < 0 || (size_t)n + sizeof(rnd) >= len)
			return -ENAMETOOLONG;
		if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
			for (size_t i = 0; i < sizeof(rnd); i++)
				rnd[i] = (unsigned char)(getpid() + tries * 7 + (int)i * 13);
		for (size_t i = 0; i < sizeof(rnd); i++)
			tmp[n + i] = set[rnd[i] % (sizeof(set) - 1)];
		tmp[n + sizeof(rnd)] = '\0';
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int safedir_replace(int dfd, const char *name, const char *prefix, const char *buf, size_t len)
{
	/* 0644 whatever the umask: the files nltune keeps are no secret. */
	return safedir_replace_mode(dfd, name, prefix, buf, len, 0644);
}

int safedir_replace_mode(int dfd, const char *name, const char *prefix, const char *buf, size_t len,
			 unsigned int mode)
{
	char tmp[NAME_MAX + 1];
	int fd, r;

	fd = create_temp(dfd, prefix, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	r = fchmod(fd, (mode_t)mode) < 0 ? -errno : write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
		return r;
	}
	/* The rename is durable only once the directory is. */
	return fsync(dfd) < 0 ? -errno : 0;
}

int safedir_remove_temps(int dfd, const char *pattern)
{
	struct dirent *de;
	int fd, n = 0;
	DIR *d;

	fd = openat(dfd, ".", DIR_FLAGS);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL)
		if ((de->d_type == DT_REG || de->d_type == DT_UNKNOWN) &&
		    fnmatch(pattern, de->d_name, 0) == 0 && unlinkat(dfd, de->d_name, 0) == 0)
			n++;
	closedir(d);
	return n;
}

const char *safedir_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == ELOOP)
		return "a symbolic link in a directory others can write; give a path without it";
	if (err == EPERM)
		return "owned by another user or writable by group or others; make it root's, mode "
		       "0755";
	if (err == EINVAL)
		return "not an absolute path without '..'";
	return strerror(err);
}
