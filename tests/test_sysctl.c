/* SPDX-License-Identifier: MIT */
/* Unit tests for sysctl.c: a fake proc tree with real refusals (tests/host has the real one). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "paths.h"
#include "sysctl.h"
#include "unit.h"

#define KDEFAULT  212992 /* the kernel's own rmem_default and rmem_max here */
#define KMAX	  4194304
#define NOBODY	  65534
#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* A fake <proc> under mkdtemp; paths_set_proc() points at root. */
struct tree {
	char root[32]; /* /tmp/test_sysctl.XXXXXX */
	char core[64];
	char def[96];
	char max[96];
};

static void mkdir_at(const char *root, const char *rel)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static void write_bytes(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void write_str(const char *path, const char *s)
{
	write_bytes(path, s, strlen(s));
}

static void write_at(const struct tree *t, const char *rel, const char *s, size_t len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", t->root, rel);
	write_bytes(path, s, len);
}

static void put_u64(const char *path, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);
	write_str(path, buf);
}

static uint64_t get_u64(const char *path)
{
	uint64_t v = 0;

	assert_int_equal(paths_read_u64(path, 0, &v), 0);
	return v;
}

static void read_str(const char *path, char *buf, size_t len)
{
	assert_true(paths_read(path, 0, buf, len) >= 0);
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->root, sizeof(t->root), "/tmp/test_sysctl.XXXXXX");
	if (mkdtemp(t->root) == NULL || chmod(t->root, 0755) < 0) {
		free(t);
		return -1;
	}
	*state = t;
	mkdir_at(t->root, "sys");
	mkdir_at(t->root, "sys/net");
	mkdir_at(t->root, "sys/net/core");
	mkdir_at(t->root, "sys/kernel");
	mkdir_at(t->root, "sys/kernel/random");
	snprintf(t->core, sizeof(t->core), "%s/sys/net/core", t->root);
	snprintf(t->def, sizeof(t->def), "%s/rmem_default", t->core);
	snprintf(t->max, sizeof(t->max), "%s/rmem_max", t->core);
	put_u64(t->def, KDEFAULT);
	put_u64(t->max, KMAX);
	paths_set_proc(t->root);
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	int r;

	paths_set_proc("/proc");
	r = unit_rm_tree(t->root); /* a failed test may leave a 0555 directory: opened up */
	free(t);
	return r;
}

/* Names of the files closed after writing, in order, comma-separated. */
static int watch_start(const struct tree *t)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(fd >= 0);
	assert_true(inotify_add_watch(fd, t->core, IN_CLOSE_WRITE) >= 0);
	return fd;
}

static void watch_end(int fd, char *out, size_t len)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n, off;

	out[0] = '\0';
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			const struct inotify_event *ev = (const void *)(buf + off);

			if (ev->len > 0) {
				size_t used = strlen(out);

				snprintf(out + used, len - used, "%s%s", used ? "," : "", ev->name);
			}
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
	assert_int_equal(errno, EAGAIN);
	close(fd);
}

/*
 * Some refusals need a process of their own: one that gave up root, or has a
 * private mount namespace, or whose own /proc/self files it may scribble on.
 * The child prepares, runs one call and sends the outcome back by pipe.
 */
struct outcome {
	bool skipped;
	char why[256];
	int r;
	struct rmem before, after;
	char err[512];
};

struct call {
	const char *target; /* the file or directory the preparation makes refuse */
	int (*prepare)(const char *target, char *why, size_t len); /* 0, or skip */
	struct rmem want;
	bool write_default, write_max;
	const char *persist_dir; /* persist instead of apply */
};

static void run_in_child(const struct call *c, struct outcome *o)
{
	size_t got = 0;
	int p[2], status;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct outcome mine;

		memset(&mine, 0, sizeof(mine));
		if (c->prepare(c->target, mine.why, sizeof(mine.why)) != 0)
			mine.skipped = true;
		else if (c->persist_dir != NULL)
			mine.r =
			    sysctl_persist(c->persist_dir, &c->want, mine.err, sizeof(mine.err));
		else
			mine.r =
			    sysctl_apply(&c->want, c->write_default, c->write_max, &mine.before,
					 &mine.after, mine.err, sizeof(mine.err));
		_exit(write(p[1], &mine, sizeof(mine)) == (ssize_t)sizeof(mine) ? 0 : 1);
	}
	close(p[1]);
	while (got < sizeof(*o)) {
		ssize_t n = read(p[0], (char *)o + got, sizeof(*o) - got);

		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		got += (size_t)n;
	}
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (o->skipped) {
		print_message("skipped: %s\n", o->why);
		skip();
	}
}

/* Root becomes nobody; anyone else already lacks CAP_DAC_OVERRIDE. Then target must refuse. */
static int as_unprivileged(const char *target, char *why, size_t len)
{
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)) {
		snprintf(why, len, "cannot become uid %d: %s", NOBODY, strerror(errno));
		return -1;
	}
	if (access(target, W_OK) == 0) {
		snprintf(why, len, "%s stays writable without root (CAP_DAC_OVERRIDE?)", target);
		return -1;
	}
	return 0;
}

/* A private mount namespace where target is a read-only bind mount of itself. */
static int as_read_only(const char *target, char *why, size_t len)
{
	int fd;

	if (unshare(CLONE_NEWNS) < 0) {
		snprintf(why, len, "unshare(CLONE_NEWNS): %s (needs root)", strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(target, target, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
		snprintf(why, len, "read-only bind mount of %s: %s", target, strerror(errno));
		return -1;
	}
	fd = open(target, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 || errno != EROFS) {
		snprintf(why, len, "%s is still writable after a read-only bind mount", target);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

/* This process's coredump filter at 0x33, whatever the parent left. */
static int as_own_coredump_filter(const char *target, char *why, size_t len)
{
	int fd = open("/proc/self/coredump_filter", O_WRONLY | O_CLOEXEC);

	(void)target;
	if (fd < 0 || write(fd, "0x33\n", 5) != 5) {
		snprintf(why, len, "/proc/self/coredump_filter: %s (no CONFIG_ELF_CORE?)",
			 strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static void test_sysctl_read_from_fake_tree(void **state)
{
	struct rmem v;

	(void)state;
	assert_int_equal(sysctl_read(&v), 0);
	assert_int_equal(v.rmem_default, KDEFAULT);
	assert_int_equal(v.rmem_max, KMAX);
}

static void test_sysctl_read_rejects_garbage(void **state)
{
	struct tree *t = *state;
	struct rmem v;

	write_str(t->max, "4194304kB\n");
	assert_int_equal(sysctl_read(&v), -EINVAL);
}

static void test_sysctl_read_missing_file_is_enoent(void **state)
{
	struct tree *t = *state;
	struct rmem v;

	assert_int_equal(unlink(t->def), 0);
	assert_int_equal(sysctl_read(&v), -ENOENT);
}

/* New default 8M > current max 4M: only max first keeps default <= max. */
static void test_sysctl_apply_raise_writes_max_first(void **state)
{
	struct tree *t = *state;
	struct rmem want = { 8388608, 16777216 }, before, after;
	char err[256], order[128];
	int w = watch_start(t);

	assert_int_equal(sysctl_apply(&want, true, true, &before, &after, err, sizeof(err)), 0);
	watch_end(w, order, sizeof(order));
	assert_string_equal(order, "rmem_max,rmem_default");
	assert_string_equal(err, "");
	assert_int_equal(before.rmem_default, KDEFAULT);
	assert_int_equal(before.rmem_max, KMAX);
	assert_int_equal(after.rmem_default, 8388608);
	assert_int_equal(after.rmem_max, 16777216);
	assert_int_equal(get_u64(t->def), 8388608);
	assert_int_equal(get_u64(t->max), 16777216);
}

/* New max 4M < current default 8M: only default first keeps default <= max. */
static void test_sysctl_apply_lower_writes_default_first(void **state)
{
	struct tree *t = *state;
	struct rmem want = { KDEFAULT, KMAX }, before, after;
	char err[256], order[128], buf[32];
	int w;

	put_u64(t->def, 8388608);
	put_u64(t->max, 16777216);
	w = watch_start(t);
	assert_int_equal(sysctl_apply(&want, true, true, &before, &after, err, sizeof(err)), 0);
	watch_end(w, order, sizeof(order));
	assert_string_equal(order, "rmem_default,rmem_max");
	assert_int_equal(before.rmem_default, 8388608);
	assert_int_equal(before.rmem_max, 16777216);
	assert_int_equal(after.rmem_default, KDEFAULT);
	assert_int_equal(after.rmem_max, KMAX);
	read_str(t->def, buf, sizeof(buf)); /* shorter than before: nothing left over */
	assert_string_equal(buf, "212992\n");
	read_str(t->max, buf, sizeof(buf));
	assert_string_equal(buf, "4194304\n");
}

static void test_sysctl_apply_neither_selected_writes_nothing(void **state)
{
	struct tree *t = *state;
	struct rmem want = { 8388608, 16777216 }, before, after;
	char err[256], order[128];
	int w = watch_start(t);

	assert_int_equal(sysctl_apply(&want, false, false, &before, &after, err, sizeof(err)), 0);
	watch_end(w, order, sizeof(order));
	assert_string_equal(order, "");
	assert_int_equal(before.rmem_default, KDEFAULT);
	assert_int_equal(before.rmem_max, KMAX);
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_sysctl_apply_refuses_default_above_max(void **state)
{
	struct tree *t = *state;
	struct rmem want = { 16777216, 8388608 }, before, after;
	char err[256], order[128];
	int w = watch_start(t);

	assert_int_equal(sysctl_apply(&want, true, true, &before, &after, err, sizeof(err)),
			 -EINVAL);
	watch_end(w, order, sizeof(order));
	assert_string_equal(order, "");
	assert_string_equal(err,
			    "rmem_default 16777216 would exceed rmem_max 8388608; nothing written");
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(get_u64(t->def), KDEFAULT);
	assert_int_equal(get_u64(t->max), KMAX);
}

static void test_sysctl_apply_refuses_one_write_that_breaks_order(void **state)
{
	struct tree *t = *state;
	struct rmem want = { 8388608, 0 }, before, after;
	char err[256], order[128];
	int w = watch_start(t);

	assert_int_equal(sysctl_apply(&want, true, false, &before, &after, err, sizeof(err)),
			 -EINVAL);
	watch_end(w, order, sizeof(order));
	assert_string_equal(order, "");
	assert_string_equal(err,
			    "rmem_default 8388608 would exceed rmem_max 4194304; nothing written");
	assert_int_equal(get_u64(t->def), KDEFAULT);
}

/* Someone else left default > max: raising max alone moves toward sanity, so it is allowed. */
static void test_sysctl_apply_one_write_on_already_broken_system(void **state)
{
	struct tree *t = *state;
	struct rmem want = { 0, 6291456 }, before, after;
	char err[256];

	put_u64(t->def, 8388608);
	assert_int_equal(sysctl_apply(&want, false, true, &before, &after, err, sizeof(err)), 0);
	assert_int_equal(after.rmem_default, 8388608);
	assert_int_equal(after.rmem_max, 6291456);
}

/* As in a container: rmem_max accepted, then rmem_default refused with EACCES. */
static void test_sysctl_apply_eacces_halfway_restores_max(void **state)
{
	struct tree *t = *state;
	struct call c = { .target = t->def,
			  .prepare = as_unprivileged,
			  .want = { 8388608, 16777216 },
			  .write_default = true,
			  .write_max = true };
	struct outcome o;
	char want_err[1024];

	assert_int_equal(chmod(t->max, 0666), 0);
	assert_int_equal(chmod(t->def, 0444), 0);
	run_in_child(&c, &o);
	assert_int_equal(o.r, -EACCES);
	snprintf(want_err, sizeof(want_err),
		 "writing 8388608 to %s: Permission denied; rmem_max restored to 4194304", t->def);
	assert_string_equal(o.err, want_err);
	assert_int_equal(o.before.rmem_default, KDEFAULT);
	assert_int_equal(o.before.rmem_max, KMAX);
	assert_memory_equal(&o.before, &o.after, sizeof(o.before));
	assert_int_equal(get_u64(t->max), KMAX);
	assert_int_equal(get_u64(t->def), KDEFAULT);
}

/* Lowering writes default first; a read-only rmem_max then fails and default goes back. */
static void test_sysctl_apply_erofs_halfway_restores_default(void **state)
{
	struct tree *t = *state;
	struct call c = { .target = t->max,
			  .prepare = as_read_only,
			  .want = { KDEFAULT, KMAX },
			  .write_default = true,
			  .write_max = true };
	struct outcome o;
	char want_err[1024];

	put_u64(t->def, 8388608);
	put_u64(t->max, 16777216);
	run_in_child(&c, &o);
	assert_int_equal(o.r, -EROFS);
	snprintf(want_err, sizeof(want_err),
		 "writing 4194304 to %s: Read-only file system; rmem_default restored to 8388608",
		 t->max);
	assert_string_equal(o.err, want_err);
	assert_int_equal(o.after.rmem_default, 8388608);
	assert_int_equal(o.after.rmem_max, 16777216);
	assert_int_equal(get_u64(t->def), 8388608);
	assert_int_equal(get_u64(t->max), 16777216);
}

/*
 * A file that reads back something other than what was written: the child's
 * own /proc/self/coredump_filter takes "17" as decimal and prints it as hex,
 * "00000011", which reads as 11. Writing the old 33 back fails the same way
 * (0x21); rmem_max, written first, is still restored.
 */
static void test_sysctl_apply_read_back_mismatch_restores(void **state)
{
	struct tree *t = *state;
	struct call c = { .target = NULL,
			  .prepare = as_own_coredump_filter,
			  .want = { 17, KMAX * 2 },
			  .write_default = true,
			  .write_max = true };
	struct outcome o;
	char want_err[1024];

	assert_int_equal(unlink(t->def), 0);
	assert_int_equal(symlink("/proc/self/coredump_filter", t->def), 0);
	run_in_child(&c, &o);
	assert_int_equal(o.r, -EIO);
	snprintf(want_err, sizeof(want_err),
		 "writing 17 to %s: read back 11, wrote 17; restoring rmem_default to 33 failed: "
		 "read back 21, wrote 33; rmem_max restored to 4194304",
		 t->def);
	assert_string_equal(o.err, want_err);
	assert_int_equal(o.before.rmem_default, 33);
	assert_int_equal(o.after.rmem_max, KMAX);
	assert_int_equal(get_u64(t->max), KMAX);
}

static void test_sysctl_persist_exact_content_no_temp_left(void **state)
{
	struct tree *t = *state;
	struct rmem v = { 1048576, 2097152 };
	char dir[64], path[96], buf[512], err[256];
	struct dirent *de;
	struct stat st;
	int entries = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/sysctl.d", t->root);
	snprintf(path, sizeof(path), "%s/" SYSCTL_DROPIN, dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_str(path, "net.core.rmem_max = 1\n"); /* an older drop-in is replaced */
	assert_int_equal(sysctl_persist(dir, &v, err, sizeof(err)), 0);
	read_str(path, buf, sizeof(buf));
	assert_string_equal(
	    buf, "# Written by nltune apply --persist; see nltune recommend for the reasoning.\n"
		 "net.core.rmem_max = 2097152\n"
		 "net.core.rmem_default = 1048576\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		assert_string_equal(de->d_name, SYSCTL_DROPIN);
		entries++;
	}
	closedir(d);
	assert_int_equal(entries, 1);
}

static void test_sysctl_persist_creates_missing_dir(void **state)
{
	struct tree *t = *state;
	struct rmem v = { KDEFAULT, KMAX };
	char dir[64], path[96], err[256];
	struct stat st;
	mode_t old = umask(077);
	int r;

	snprintf(dir, sizeof(dir), "%s/sysctl.d", t->root);
	snprintf(path, sizeof(path), "%s/" SYSCTL_DROPIN, dir);
	r = sysctl_persist(dir, &v, err, sizeof(err));
	umask(old);
	assert_int_equal(r, 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(stat(path, &st), 0);
}

static void test_sysctl_persist_into_unwritable_dir_fails_cleanly(void **state)
{
	struct tree *t = *state;
	char dir[64], want_err[1024];
	struct call c = { .target = dir,
			  .prepare = as_unprivileged,
			  .want = { KDEFAULT, KMAX },
			  .persist_dir = dir };
	struct outcome o;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/sysctl.d", t->root);
	assert_int_equal(mkdir(dir, 0555), 0);
	assert_int_equal(chmod(dir, 0555), 0);
	run_in_child(&c, &o);
	assert_int_equal(o.r, -EACCES);
	snprintf(want_err, sizeof(want_err), "writing %s/" SYSCTL_DROPIN ": Permission denied",
		 dir);
	assert_string_equal(o.err, want_err);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		assert_true(strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0);
	closedir(d);
}

static void test_sysctl_persist_refuses_default_above_max(void **state)
{
	struct tree *t = *state;
	struct rmem v = { KMAX, KDEFAULT };
	char dir[64], err[256];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/sysctl.d", t->root);
	assert_int_equal(sysctl_persist(dir, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "rmem_default 4194304 exceeds rmem_max 212992");
	assert_int_equal(stat(dir, &st), -1);
}

static void test_sysctl_memtotal_parses_kb(void **state)
{
	static const char meminfo[] = "MemTotal:       24576000 kB\n"
				      "MemFree:         1234567 kB\n"
				      "MemAvailable:   20000000 kB\n";
	struct tree *t = *state;
	uint64_t bytes = 0;

	write_at(t, "meminfo", meminfo, sizeof(meminfo) - 1);
	assert_int_equal(sysctl_memtotal(&bytes), 0);
	assert_int_equal(bytes, 24576000ull * 1024);
	write_at(t, "meminfo", "Foo: 1 kB\nMemTotal: 2 kB", 24); /* not first, no newline */
	assert_int_equal(sysctl_memtotal(&bytes), 0);
	assert_int_equal(bytes, 2048);
}

struct bad_case {
	const char *text;
	size_t len;
	int err;
};

#define BAD(s, e)                                                                                  \
	{                                                                                          \
		s, sizeof(s) - 1, e                                                                \
	}

static void test_sysctl_memtotal_rejects_garbage(void **state)
{
	static const struct bad_case cases[] = {
		BAD("", -EINVAL),
		BAD("MemFree: 1 kB\n", -EINVAL),
		BAD("MemTotal:\n", -EINVAL),
		BAD("MemTotal: kB\n", -EINVAL),
		BAD("MemTotal: 12x kB\n", -EINVAL),
		BAD("MemTotal: 123\n", -EINVAL),
		BAD("MemTotal: 123 MB\n", -EINVAL),
		BAD("MemTotal: 123 kBytes\n", -EINVAL),
		BAD("MemTotal: -5 kB\n", -EINVAL),
		BAD("MemTotal: 0 kB\n", -EINVAL),
		BAD(" MemTotal: 5 kB\n", -EINVAL),
		BAD("XMemTotal: 5 kB\n", -EINVAL),
		BAD("MemTotal: 12\0 kB\n", -EINVAL),
		BAD("MemTotal: 99999999999999999999999 kB\n", -ERANGE),
		BAD("MemTotal: 18014398509481984 kB\n", -ERANGE), /* 2^54 KiB = 2^64 B */
	};
	struct tree *t = *state;
	char big[8192];
	uint64_t bytes;
	size_t i;

	for (i = 0; i < NCASES(cases); i++) {
		write_at(t, "meminfo", cases[i].text, cases[i].len);
		if (sysctl_memtotal(&bytes) != cases[i].err)
			fail_msg("case %zu \"%s\": want %d", i, cases[i].text, cases[i].err);
	}
	/* Beyond the bound: a huge first line hides MemTotal. */
	memset(big, 'x', sizeof(big));
	snprintf(big + sizeof(big) - 32, 32, "\nMemTotal: 5 kB\n");
	write_at(t, "meminfo", big, strlen(big));
	assert_int_equal(sysctl_memtotal(&bytes), -EINVAL);
}

static void test_sysctl_boot_id_parses(void **state)
{
	struct tree *t = *state;
	char id[37];

	write_at(t, "sys/kernel/random/boot_id", "4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6b\n", 37);
	assert_int_equal(sysctl_boot_id(id, sizeof(id)), 0);
	assert_string_equal(id, "4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6b");
	write_at(t, "sys/kernel/random/boot_id", "00000000-0000-0000-0000-000000000000", 36);
	assert_int_equal(sysctl_boot_id(id, sizeof(id)), 0);
	assert_string_equal(id, "00000000-0000-0000-0000-000000000000");
}

static void test_sysctl_boot_id_rejects_garbage(void **state)
{
	static const struct bad_case cases[] = {
		BAD("", -EINVAL),
		BAD("\n", -EINVAL),
		BAD("4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6\n", -EINVAL), /* 35 */
		BAD("4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6b7", -EINVAL), /* 37 */
		BAD("4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6b\n\n", -EINVAL),
		BAD("4A1B6C3E-58F0-4D6E-9A7B-0C2D3E4F5A6B\n", -EINVAL),
		BAD("4a1b6c3g-58f0-4d6e-9a7b-0c2d3e4f5a6b\n", -EINVAL),
		BAD("4a1b6c3e558f0-4d6e-9a7b-0c2d3e4f5a6b\n", -EINVAL),
		BAD("4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f-a6b\n", -EINVAL),
		BAD("4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6b\r", -EINVAL),
		BAD("4a1b6c3e-58f0-4d6e\0009a7b-0c2d3e4f5a6b\n", -EINVAL),
		BAD("4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6b4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6b\n",
		    -EINVAL),
	};
	struct tree *t = *state;
	char id[37];
	size_t i;

	for (i = 0; i < NCASES(cases); i++) {
		write_at(t, "sys/kernel/random/boot_id", cases[i].text, cases[i].len);
		if (sysctl_boot_id(id, sizeof(id)) != cases[i].err)
			fail_msg("case %zu \"%s\": want %d", i, cases[i].text, cases[i].err);
	}
}

static void test_sysctl_boot_id_needs_37_bytes(void **state)
{
	struct tree *t = *state;
	char id[36];

	write_at(t, "sys/kernel/random/boot_id", "4a1b6c3e-58f0-4d6e-9a7b-0c2d3e4f5a6b\n", 37);
	assert_int_equal(sysctl_boot_id(id, sizeof(id)), -ENOBUFS);
}

#define TREE_TEST(f) cmocka_unit_test_setup_teardown(f, tree_setup, tree_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TREE_TEST(test_sysctl_read_from_fake_tree),
		TREE_TEST(test_sysctl_read_rejects_garbage),
		TREE_TEST(test_sysctl_read_missing_file_is_enoent),
		TREE_TEST(test_sysctl_apply_raise_writes_max_first),
		TREE_TEST(test_sysctl_apply_lower_writes_default_first),
		TREE_TEST(test_sysctl_apply_neither_selected_writes_nothing),
		TREE_TEST(test_sysctl_apply_refuses_default_above_max),
		TREE_TEST(test_sysctl_apply_refuses_one_write_that_breaks_order),
		TREE_TEST(test_sysctl_apply_one_write_on_already_broken_system),
		TREE_TEST(test_sysctl_apply_eacces_halfway_restores_max),
		TREE_TEST(test_sysctl_apply_erofs_halfway_restores_default),
		TREE_TEST(test_sysctl_apply_read_back_mismatch_restores),
		TREE_TEST(test_sysctl_persist_exact_content_no_temp_left),
		TREE_TEST(test_sysctl_persist_creates_missing_dir),
		TREE_TEST(test_sysctl_persist_into_unwritable_dir_fails_cleanly),
		TREE_TEST(test_sysctl_persist_refuses_default_above_max),
		TREE_TEST(test_sysctl_memtotal_parses_kb),
		TREE_TEST(test_sysctl_memtotal_rejects_garbage),
		TREE_TEST(test_sysctl_boot_id_parses),
		TREE_TEST(test_sysctl_boot_id_rejects_garbage),
		TREE_TEST(test_sysctl_boot_id_needs_37_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
