/* SPDX-License-Identifier: MIT */
/* Reads and writes net.core.rmem_default/rmem_max below <proc>; writes the sysctl.d drop-in. */
#include "sysctl.h"

#include "num.h"
#include "paths.h"
#include "safedir.h"

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

#define REL_DEFAULT "sys/net/core/rmem_default"
#define REL_MAX	    "sys/net/core/rmem_max"
#define REL_MEMINFO "meminfo"
#define REL_BOOT_ID "sys/kernel/random/boot_id"

#define BOOT_ID_LEN 36
#define MEMINFO_MAX 4096 /* MemTotal is the first line; this bounds the search */

/* One value to write, with what it was before; cur tracks what the file holds now. */
struct step {
	const char *name;
	const char *path;
	uint64_t val, old;
	uint64_t *cur;
};

/* Append to err; never overflows, truncates silently. */
__attribute__((format(printf, 3, 4))) static void err_append(char *err, size_t errlen,
							     const char *fmt, ...)
{
	size_t off;
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	off = strnlen(err, errlen - 1);
	va_start(ap, fmt);
	vsnprintf(err + off, errlen - off, fmt, ap);
	va_end(ap);
}

static int read_one(const char *path, uint64_t *v, char *err, size_t errlen)
{
	int r = paths_read_u64(path, 0, v);

	if (r < 0)
		err_append(err, errlen, "reading %s: %s", path, strerror(-r));
	return r;
}

static int rmem_paths(char *def, char *max, size_t len, char *err, size_t errlen)
{
	int r = paths_proc_file(def, len, REL_DEFAULT);

	if (r == 0)
		r = paths_proc_file(max, len, REL_MAX);
	if (r < 0)
		err_append(err, errlen, "the --proc directory %s is too long", paths_proc());
	return r;
}

int sysctl_read(struct rmem *v)
{
	char def[PATH_MAX], max[PATH_MAX];
	int r;

	r = rmem_paths(def, max, sizeof(def), NULL, 0);
	if (r == 0)
		r = paths_read_u64(def, 0, &v->rmem_default);
	if (r == 0)
		r = paths_read_u64(max, 0, &v->rmem_max);
	return r;
}

/*
 * One write() of "N\n", as sysctl(8) does: the kernel parses a sysctl write
 * per call, so a value split over two writes would be two values. O_TRUNC
 * changes nothing in /proc but makes a copied tree behave like it.
 */
static int write_u64(const char *path, uint64_t v)
{
	char buf[32];
	ssize_t w;
	int fd, n, r = 0;

	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);
	fd = paths_open(path, O_WRONLY | O_TRUNC, 0);
	if (fd < 0)
		return fd;
	do
		w = write(fd, buf, (size_t)n);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		r = -errno;
	else if (w != n)
		r = -EIO;
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	return r;
}

/* Write v to path and read it back; 0, or -errno with the reason (not the path) in why. */
static int put(const char *path, uint64_t v, char *why, size_t len)
{
	uint64_t got;
	int r;

	r = write_u64(path, v);
	if (r < 0) {
		snprintf(why, len, "%s", strerror(-r));
		return r;
	}
	r = paths_read_u64(path, 0, &got);
	if (r < 0) {
		snprintf(why, len, "reading it back: %s", strerror(-r));
		return r;
	}
	if (got != v) {
		snprintf(why, len, "read back %" PRIu64 ", wrote %" PRIu64, got, v);
		return -EIO;
	}
	return 0;
}

/* Put s->old back and say so in err. */
static void restore(const struct step *s, char *err, size_t errlen)
{
	char why[128];

	if (put(s->path, s->old, why, sizeof(why)) < 0) {
		err_append(err, errlen, "; restoring %s to %" PRIu64 " failed: %s", s->name, s->old,
			   why);
		return;
	}
	*s->cur = s->old;
	err_append(err, errlen, "; %s restored to %" PRIu64, s->name, s->old);
}

/*
 * Order: max first is safe iff the current default <= the new max, default
 * first iff the new default <= the current max. When the request is sane
 * (new default <= new max) and so is the system, one of them always is. If
 * the system already has default > max, neither may be, and the writes repair
 * it: max first when that is safe, else default first.
 *
 * A request is refused with -EINVAL, nothing written, when it would leave
 * default > max: always if both are written, and for one value only if the
 * system is sane now (never be the one to break the invariant; a system that
 * is already broken may still have one value raised).
 */
int sysctl_apply(const struct rmem *want, bool write_default, bool write_max, struct rmem *before,
		 struct rmem *after, char *err, size_t errlen)
{
	char def[PATH_MAX], max[PATH_MAX], why[128];
	struct step steps[2], tmp;
	struct rmem cur, final, now;
	size_t n = 0, done, i;
	int r, rr;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	r = rmem_paths(def, max, sizeof(def), err, errlen);
	if (r < 0)
		return r;
	r = read_one(def, &before->rmem_default, err, errlen);
	if (r == 0)
		r = read_one(max, &before->rmem_max, err, errlen);
	if (r < 0)
		return r;
	cur = *before;
	*after = *before;

	final = *before;
	if (write_default)
		final.rmem_default = want->rmem_default;
	if (write_max)
		final.rmem_max = want->rmem_max;
	if (final.rmem_default > final.rmem_max &&
	    ((write_default && write_max) || before->rmem_default <= before->rmem_max)) {
		err_append(err, errlen,
			   "rmem_default %" PRIu64 " would exceed rmem_max %" PRIu64
			   "; nothing written",
			   final.rmem_default, final.rmem_max);
		return -EINVAL;
	}

	if (write_default)
		steps[n++] = (struct step){ "rmem_default", def, want->rmem_default,
					    before->rmem_default, &cur.rmem_default };
	if (write_max)
		steps[n++] = (struct step){ "rmem_max", max, want->rmem_max, before->rmem_max,
					    &cur.rmem_max };
	if (n == 2 && before->rmem_default <= want->rmem_max) {
		tmp = steps[0];
		steps[0] = steps[1];
		steps[1] = tmp;
	}

	for (done = 0; done < n; done++) {
		r = put(steps[done].path, steps[done].val, why, sizeof(why));
		if (r < 0)
			break;
		*steps[done].cur = steps[done].val;
	}
	if (r < 0) {
		uint64_t held;

		err_append(err, errlen, "writing %" PRIu64 " to %s: %s", steps[done].val,
			   steps[done].path, why);
		/*
		 * A refused write changed nothing; one that read back wrong, or
		 * a copied file left truncated, did: put that one back too.
		 */
		if (paths_read_u64(steps[done].path, 0, &held) < 0 || held != steps[done].old)
			restore(&steps[done], err, errlen);
		for (i = done; i-- > 0;)
			restore(&steps[i], err, errlen);
	}

	/* What is in force now, whatever happened above; what we last saw if unreadable. */
	rr = sysctl_read(&now);
	if (rr == 0) {
		*after = now;
	} else {
		*after = cur;
		if (r == 0) {
			r = rr;
			err_append(err, errlen, "reading %s and %s back: %s", def, max,
				   strerror(-r));
		}
	}
	return r;
}

/*
 * rmem_max first so that `sysctl --system`, which applies lines in order,
 * keeps rmem_default <= rmem_max on the way. The temporary file lives in the
 * same directory so that rename() is atomic; systemd-sysctl ignores it, as it
 * does not end in .conf.
 */
int sysctl_persist(const char *dir, const struct rmem *v, char *err, size_t errlen)
{
	char buf[256];
	int dfd, n, r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (v->rmem_default > v->rmem_max) {
		err_append(err, errlen, "rmem_default %" PRIu64 " exceeds rmem_max %" PRIu64,
			   v->rmem_default, v->rmem_max);
		return -EINVAL;
	}
	n = snprintf(
	    buf, sizeof(buf),
	    "# Written by nltune apply --persist; see nltune recommend for the reasoning.\n"
	    "net.core.rmem_max = %" PRIu64 "\n"
	    "net.core.rmem_default = %" PRIu64 "\n",
	    v->rmem_max, v->rmem_default);
	dfd = safedir_open(dir, true);
	if (dfd < 0) {
		err_append(err, errlen, "opening %s: %s", dir, safedir_strerror(dfd));
		return dfd;
	}
	r = safedir_replace(dfd, SYSCTL_DROPIN, "." SYSCTL_DROPIN ".", buf, (size_t)n);
	close(dfd);
	if (r < 0)
		err_append(err, errlen, "writing %s/%s: %s", dir, SYSCTL_DROPIN, strerror(-r));
	return r;
}

/* "MemTotal:  24576000 kB" starting a line; -EINVAL for anything else, -ERANGE on overflow. */
static int parse_memtotal(const char *s, uint64_t *bytes)
{
	static const char key[] = "MemTotal:";
	const char *p = s;
	uint64_t kb = 0;
	size_t digits;
	int r;

	while (strncmp(p, key, sizeof(key) - 1) != 0) {
		p = strchr(p, '\n');
		if (p == NULL)
			return -EINVAL;
		p++;
	}
	p += sizeof(key) - 1;
	while (*p == ' ' || *p == '\t')
		p++;
	digits = num_digits(p);
	r = num_u64(p, digits, UINT64_MAX, &kb);
	if (r < 0)
		return r;
	p += digits;
	if (*p != ' ')
		return -EINVAL;
	while (*p == ' ')
		p++;
	if (strncmp(p, "kB", 2) != 0 || (p[2] != '\n' && p[2] != '\0'))
		return -EINVAL;
	if (kb == 0)
		return -EINVAL;
	if (kb > UINT64_MAX / 1024)
		return -ERANGE;
	*bytes = kb * 1024;
	return 0;
}

int sysctl_memtotal(uint64_t *bytes)
{
	char path[PATH_MAX], buf[MEMINFO_MAX];
	int r;

	r = paths_proc_file(path, sizeof(path), REL_MEMINFO);
	if (r == 0)
		r = paths_read(path, 0, buf, sizeof(buf));
	if (r >= 0)
		r = parse_memtotal(buf, bytes);
	return r;
}

/* A lowercase UUID as the kernel prints it, then an optional newline. */
int sysctl_boot_id(char *buf, size_t len)
{
	char path[PATH_MAX], id[64];
	int r, i;

	if (len < BOOT_ID_LEN + 1)
		return -ENOBUFS;
	r = paths_proc_file(path, sizeof(path), REL_BOOT_ID);
	if (r == 0)
		r = paths_read(path, 0, id, sizeof(id));
	if (r < 0)
		return r;
	if (r != BOOT_ID_LEN && !(r == BOOT_ID_LEN + 1 && id[BOOT_ID_LEN] == '\n'))
		return -EINVAL;
	for (i = 0; i < BOOT_ID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char c = id[i];

		if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EINVAL;
	}
	memcpy(buf, id, BOOT_ID_LEN);
	buf[BOOT_ID_LEN] = '\0';
	return 0;
}

int sysctl_unpersist(const char *dir, bool dry_run, char *path, size_t len, char *err,
		     size_t errlen)
{
	int r = 1;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (snprintf(path, len, "%s/%s", dir, SYSCTL_DROPIN) >= (int)len) {
		err_append(err, errlen, "the directory %s is too long", dir);
		return -ENAMETOOLONG;
	}
	if (dry_run) {
		if (access(path, F_OK) == 0)
			return 1;
		r = errno == ENOENT ? 0 : -errno;
	} else {
		/* Through checked directories, no link followed, the directory fsynced. */
		r = safedir_unlink(path);
		if (r == -ENOENT)
			r = 0;
		else if (r == 0)
			r = 1;
	}
	if (r < 0)
		err_append(err, errlen, "removing %s: %s", path, safedir_strerror(r));
	return r;
}
