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

/* Nobody but root or the caller can rename or replace child (st) inside parent (pst). */
static bool pinned(const struct stat *pst, const struct stat *st)
{
	return trusted(pst) || ((pst->st_mode & S_ISVTX) && owned(pst) && owned(st));
}

/*
 * A walk from "/": fd is the directory reached, every step checked. Each step opens the next
 * entry of fd with openat(), so it stays anchored on the directory checked before. While every
 * entry so far is pinned, path names fd exactly (nobody else can swap a directory on it), and
 * the step opens the absolute path instead, which reaches the same entry: that is what
 * qemu-user's -L sysroot translates ("/" and "/tmp" may be the sysroot's, "/tmp/x" the
 * host's), so the unit programs run there too.
 */
struct walk {
	int fd;
	struct stat st; /* fd's */
	bool stable;	/* path names fd */
	char path[PATH_MAX];
	size_t plen;
};

static int walk_start(struct walk *w)
{
	w->fd = open("/", DIR_FLAGS);
	if (w->fd < 0)
		return -errno;
	if (fstat(w->fd, &w->st) < 0) {
		int r = -errno;

		close(w->fd);
		w->fd = -1;
		return r;
	}
	w->stable = true;
	w->path[0] = '\0';
	w->plen = 0;
	return 0;
}

/* Open, create or read the link comp in w: its fd, or the link's target in link. */
static int step_open(struct walk *w, const char *abs, const char *comp, bool create)
{
	int fd;

	fd = w->stable ? open(abs, DIR_FLAGS | O_NOFOLLOW)
		       : openat(w->fd, comp, DIR_FLAGS | O_NOFOLLOW);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : -errno;
	if ((w->stable ? mkdir(abs, 0755) : mkdirat(w->fd, comp, 0755)) < 0 && errno != EEXIST)
		return -errno;
	fd = w->stable ? open(abs, DIR_FLAGS | O_NOFOLLOW)
		       : openat(w->fd, comp, DIR_FLAGS | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	/* 0755 whatever the umask: what nltune keeps there is world-readable. */
	if (fchmod(fd, 0755) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/*
 * Enter comp (no '/', not "." or ".."). Returns 0 entered, 1 comp is a symlink in a trusted
 * directory (its target in link, NUL-terminated), or -errno: -ELOOP a symlink others could
 * have planted, -EPERM a directory others made where they can write.
 */
static int walk_step(struct walk *w, const char *comp, bool create, char *link, size_t linklen)
{
	char abs[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if ((size_t)snprintf(abs, sizeof(abs), "%s/%s", w->path, comp) >= sizeof(abs))
		return -ENAMETOOLONG;
	fd = step_open(w, abs, comp, create);
	if (fd == -ENOTDIR || fd == -ELOOP) {
		n = w->stable ? readlink(abs, link, linklen)
			      : readlinkat(w->fd, comp, link, linklen);
		if (n < 0)
			return errno == EINVAL ? -ENOTDIR : -errno;
		if ((size_t)n >= linklen)
			return -ENAMETOOLONG;
		link[n] = '\0';
		return trusted(&w->st) ? 1 : -ELOOP;
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	/* Anyone could have made this directory in a world-writable parent. */
	if (!trusted(&w->st) && !owned(&st)) {
		close(fd);
		return -EPERM;
	}
	w->stable = w->stable && pinned(&w->st, &st);
	close(w->fd);
	w->fd = fd;
	w->st = st;
	w->plen = strlen(abs);
	memcpy(w->path, abs, w->plen + 1);
	return 0;
}

/* in made absolute and lexical: "." and empty components dropped, ".." taken back. */
static int normalize(char *out, size_t len, const char *in)
{
	size_t o = 0;

	while (*in) {
		size_t n;

		while (*in == '/')
			in++;
		n = strcspn(in, "/");
		if (n == 0 || (n == 1 && in[0] == '.')) {
			in += n;
			continue;
		}
		if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (o > 0 && out[--o] != '/')
				;
			in += n;
			continue;
		}
		if (o + 1 + n >= len)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, in, n);
		o += n;
		in += n;
	}
	out[o] = '\0';
	return 0;
}

/* Has path a ".." component? */
static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
	return false;
}

#define LINKS_MAX 40 /* symlinks followed in one walk, as the kernel's ELOOP */

int safedir_open(const char *path, bool create)
{
	char rest[PATH_MAX], link[PATH_MAX], joined[2 * PATH_MAX], comp[NAME_MAX + 1];
	size_t off = 0, n;
	struct walk w;
	int links = 0, r;

	if (path[0] != '/' || has_dotdot(path))
		return -EINVAL;
	if (strlen(path) >= sizeof(rest))
		return -ENAMETOOLONG;
	strcpy(rest, path);
	r = walk_start(&w);
	if (r < 0)
		return r;
	for (;;) {
		off += strspn(rest + off, "/");
		if (!rest[off])
			break;
		n = strcspn(rest + off, "/");
		if (n >= sizeof(comp)) {
			r = -ENAMETOOLONG;
			goto fail;
		}
		memcpy(comp, rest + off, n);
		comp[n] = '\0';
		off += n;
		if (strcmp(comp, ".") == 0)
			continue;
		r = walk_step(&w, comp, create && !rest[off + strspn(rest + off, "/")], link,
			      sizeof(link));
		if (r < 0)
			goto fail;
		if (r == 0)
			continue;
		/*
		 * A symlink root or the caller made: walk its target from "/" with the same checks,
		 * so no symlink is ever followed by the kernel unseen.
		 */
		if (++links > LINKS_MAX) {
			r = -ELOOP;
			goto fail;
		}
		if ((size_t)snprintf(joined, sizeof(joined), "%s/%s/%s",
				     link[0] == '/' ? "" : w.path, link,
				     rest + off) >= sizeof(joined)) {
			r = -ENAMETOOLONG;
			goto fail;
		}
		r = normalize(rest, sizeof(rest), joined);
		if (r < 0)
			goto fail;
		off = 0;
		close(w.fd);
		r = walk_start(&w);
		if (r < 0)
			return r;
	}
	if (!trusted(&w.st)) {
		r = -EPERM;
		goto fail;
	}
	return w.fd;
fail:
	close(w.fd);
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
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
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
			 mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, r;

	fd = create_temp(dfd, prefix, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	r = fchmod(fd, mode) < 0 ? -errno : write_all(fd, buf, len);
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

int safedir_unlink(const char *path)
{
	const char *name;
	int dfd, r;

	dfd = safedir_open_parent(path, &name);
	if (dfd < 0)
		return dfd;
	r = unlinkat(dfd, name, 0) < 0 ? -errno : 0;
	/* The removal is durable only once the directory is. */
	if (r == 0 && fsync(dfd) < 0)
		r = -errno;
	close(dfd);
	return r;
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
