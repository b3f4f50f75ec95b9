/* SPDX-License-Identifier: MIT */
/*
 * Walk what udevadm trigger --type=all writes "add" to (<sys>/devices, and the
 * modules, buses and drivers) and price the event the kernel makes for each.
 */
#include "coldplug.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

#define UEVENT_READ_MAX 4096 /* sysfs shows at most a page */
#define SEQNUM_DIGITS	5    /* the counter at coldplug time; 20 at most */

/* Bytes of "KEY" + "VALUE" + NUL. */
#define VAR(key, vlen) (sizeof(key) - 1 + (vlen) + 1)

/*
 * The order of lib/kobject_uevent.c: "ACTION@DEVPATH", ACTION, DEVPATH,
 * SUBSYSTEM, the caller's keys (a write of a bare "add" to a uevent file
 * passes SYNTH_UUID=0: that is how udevadm trigger makes coldplug events),
 * then the bus/class keys, then SEQNUM. Reading the uevent file shows those
 * bus/class keys each followed by '\n' where the event has a NUL, so they
 * weigh exactly the file's bytes. Not one NUL per non-empty line: a value may
 * end in '\n' itself (a CPU's MODALIAS does), which shows as an empty line.
 */
size_t coldplug_payload(const char *devpath, const char *subsystem, const char *uevent_file,
			size_t file_len)
{
	size_t dp = devpath != NULL ? strlen(devpath) : 0;
	size_t n, keys = 0;

	n = sizeof("add@") - 1 + dp + 1;
	n += VAR("ACTION=", sizeof("add") - 1);
	n += VAR("DEVPATH=", dp);
	if (subsystem != NULL && subsystem[0] != '\0')
		n += VAR("SUBSYSTEM=", strlen(subsystem));
	n += VAR("SYNTH_UUID=", 1);
	if (uevent_file != NULL)
		keys = strnlen(uevent_file, file_len);
	if (keys > 0 && uevent_file[keys - 1] != '\n')
		keys++; /* the last key's NUL */
	n += keys;
	n += VAR("SEQNUM=", SEQNUM_DIGITS);
	return n;
}

struct walk {
	const struct charge_model *m; /* NULL: count without reading */
	uint64_t found;		      /* uevent files seen, for COLDPLUG_MAX_FILES */
	uint64_t devices, bytes, skipped;
	char path[PATH_MAX]; /* the directory being visited, relative to <sys> */
};

static int read_bounded(int dfd, const char *name, char *buf, size_t len)
{
	size_t off = 0;
	int fd, r = 0;

	/* O_NONBLOCK: a fifo swapped in after the type check must not hang the walk */
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t k = read(fd, buf + off, len - off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (k == 0)
			break;
		off += (size_t)k;
	}
	close(fd);
	return r < 0 ? r : (int)off;
}

/*
 * The uevent file of the directory dfd, if any. A device without a bus or a
 * class has no subsystem link, and the kernel drops its events
 * (dev_uevent_filter), so it is not counted.
 */
static void visit(struct walk *w, int dfd)
{
	char link[PATH_MAX], buf[UEVENT_READ_MAX];
	const char *subsystem;
	struct stat st;
	ssize_t n;
	int len;

	if (fstatat(dfd, "uevent", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return;
	w->found++;
	n = readlinkat(dfd, "subsystem", link, sizeof(link) - 1);
	if (n <= 0)
		return;
	if (w->m == NULL) {
		w->devices++;
		return;
	}
	link[n] = '\0';
	subsystem = strrchr(link, '/');
	subsystem = subsystem != NULL ? subsystem + 1 : link;
	len = read_bounded(dfd, "uevent", buf, sizeof(buf));
	if (len < 0) {
		w->skipped++;
		return;
	}
	w->devices++;
	w->bytes += charge_of(w->m, coldplug_payload(w->path, subsystem, buf, (size_t)len));
}

static bool is_dir(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return S_ISDIR(st.st_mode);
}

/*
 * Depth-first with one open DIR per level (at most COLDPLUG_MAX_DEPTH + 1 fds,
 * all closed before return). Symlinks are never followed, so the links of
 * /sys (subsystem, driver, device, ...) cannot lead the walk in circles.
 */
static int64_t walk(struct walk *w)
{
	DIR *stack[COLDPLUG_MAX_DEPTH + 1];
	size_t plen[COLDPLUG_MAX_DEPTH + 1];
	char root[PATH_MAX];
	int depth = 0, fd, r;

	r = paths_sys_file(root, sizeof(root), "devices");
	if (r < 0)
		return r;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	stack[0] = fdopendir(fd);
	if (stack[0] == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	strcpy(w->path, "/devices");
	plen[0] = strlen(w->path);
	visit(w, fd);

	while (depth >= 0 && w->found < COLDPLUG_MAX_FILES) {
		struct dirent *de;
		size_t nlen;
		DIR *sub;

		errno = 0;
		de = readdir(stack[depth]);
		if (de == NULL) {
			if (errno != 0)
				w->skipped++;
			closedir(stack[depth--]);
			continue;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (depth == COLDPLUG_MAX_DEPTH || !is_dir(stack[depth], de))
			continue;
		nlen = strlen(de->d_name);
		if (plen[depth] + 1 + nlen >= sizeof(w->path)) {
			w->skipped++;
			continue;
		}
		fd = openat(dirfd(stack[depth]), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			w->skipped++;
			continue;
		}
		sub = fdopendir(fd);
		if (sub == NULL) {
			close(fd);
			w->skipped++;
			continue;
		}
		w->path[plen[depth]] = '/';
		memcpy(w->path + plen[depth] + 1, de->d_name, nlen + 1);
		plen[depth + 1] = plen[depth] + 1 + nlen;
		stack[++depth] = sub;
		visit(w, fd);
	}
	while (depth >= 0)
		closedir(stack[depth--]);
	return (int64_t)w->devices;
}

/*
 * A kobject of <sys>/module or <sys>/bus: its uevent file takes writes only
 * and its events carry no keys of their own, just SUBSYSTEM (module, bus or
 * drivers, the name of its kset).
 */
static void visit_kobj(struct walk *w, int dfd, const char *subsystem)
{
	struct stat st;

	if (fstatat(dfd, "uevent", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return;
	w->found++;
	w->devices++;
	if (w->m != NULL)
		w->bytes += charge_of(w->m, coldplug_payload(w->path, subsystem, "", 0));
}

/*
 * Every directory <sys>/rel/NAME as a kobject of subsystem; with drivers set
 * (rel is "bus"), also each bus's drivers/NAME. A missing rel is no error: a
 * kernel without modules has no <sys>/module.
 */
static void walk_kobjs(struct walk *w, const char *rel, const char *subsystem, bool drivers)
{
	char dir[PATH_MAX];
	struct dirent *de;
	size_t plen;
	DIR *d;
	int fd;

	if ((size_t)snprintf(w->path, sizeof(w->path), "/%s", rel) >= sizeof(w->path) ||
	    paths_sys_file(dir, sizeof(dir), rel) < 0) {
		w->skipped++;
		return;
	}
	plen = strlen(w->path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		w->skipped += errno != ENOENT;
		return;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		w->skipped++;
		return;
	}
	while (w->found < COLDPLUG_MAX_FILES && (de = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		int sfd;

		if (de->d_name[0] == '.' || !is_dir(d, de))
			continue;
		if (plen + 1 + strlen(de->d_name) >= sizeof(w->path)) {
			w->skipped++;
			continue;
		}
		sfd = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0) {
			w->skipped++;
			continue;
		}
		snprintf(w->path + plen, sizeof(w->path) - plen, "/%s", de->d_name);
		visit_kobj(w, sfd, subsystem);
		close(sfd);
		if (drivers) {
			snprintf(sub, sizeof(sub), "%s/%s/drivers", rel, de->d_name);
			walk_kobjs(w, sub, "drivers", false);
		}
		/* walk_kobjs() of the drivers rewrote w->path: back to rel */
		snprintf(w->path, sizeof(w->path), "/%s", rel);
	}
	closedir(d);
}

/* The devices, then what --type=subsystems adds: modules, buses, drivers. */
static int64_t walk_all(struct walk *w)
{
	int64_t r = walk(w);

	if (r < 0)
		return r;
	walk_kobjs(w, "module", "module", false);
	walk_kobjs(w, "bus", "bus", true);
	return (int64_t)w->devices;
}

int64_t coldplug_count(void)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	return walk_all(&w);
}

int64_t coldplug_scan_skipped(const struct charge_model *m, uint64_t *bytes, uint64_t *skipped)
{
	struct walk w;
	int64_t r;

	memset(&w, 0, sizeof(w));
	w.m = m;
	r = walk_all(&w);
	if (r < 0)
		return r;
	if (bytes != NULL)
		*bytes = w.bytes;
	if (skipped != NULL)
		*skipped = w.skipped;
	return r;
}

int64_t coldplug_scan(const struct charge_model *m, uint64_t *bytes)
{
	return coldplug_scan_skipped(m, bytes, NULL);
}
