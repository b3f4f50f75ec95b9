/* SPDX-License-Identifier: MIT */
/* Tests of safedir: write directories reached step by step, planted symlinks refused. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "safedir.h"
#include "unit.h"

/*
 * open() and openat() as safedir calls them, with one hook: before the first call that opens
 * a last component race_name, race() runs, as another user swapping a directory between two
 * steps would.
 */
int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __real_openat(int dfd, const char *path, int flags, ...);
int __real_openat64(int dfd, const char *path, int flags, ...);
int __wrap_openat(int dfd, const char *path, int flags, ...);
int __wrap_openat64(int dfd, const char *path, int flags, ...);
static const char *race_name;
static void (*race)(void);

static void maybe_race(const char *path)
{
	const char *base = strrchr(path, '/');

	if (race_name && strcmp(base ? base + 1 : path, race_name) == 0) {
		race_name = NULL;
		race();
	}
}

#define WRAP_OPEN(name)                                                                            \
	int __wrap_##name(const char *path, int flags, ...)                                        \
	{                                                                                          \
		va_list ap;                                                                        \
		mode_t mode;                                                                       \
                                                                                                   \
		va_start(ap, flags);                                                               \
		mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;                            \
		va_end(ap);                                                                        \
		maybe_race(path);                                                                  \
		return __real_##name(path, flags, mode);                                           \
	}
WRAP_OPEN(open)
WRAP_OPEN(open64)

int __wrap_openat(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	maybe_race(path);
	return __real_openat(dfd, path, flags, mode);
}

int __wrap_openat64(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	maybe_race(path);
	return __real_openat64(dfd, path, flags, mode);
}

static char root[256];

static int setup(void **state)
{
	(void)state;
	unit_tmpdir(root, sizeof(root));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	race_name = NULL;
	return unit_rm_tree(root) == 0 ? 0 : -1;
}

static const char *at(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", root, rel);
	return buf[i];
}

static void make_dir(const char *rel, mode_t mode)
{
	assert_int_equal(mkdir(at(rel), mode), 0);
	assert_int_equal(chmod(at(rel), mode), 0); /* whatever the umask */
}

static void make_link(const char *target, const char *rel)
{
	assert_int_equal(symlink(target, at(rel)), 0);
}

static ino_t ino_of_fd(int fd)
{
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static ino_t ino_of(const char *rel)
{
	struct stat st;

	assert_int_equal(lstat(at(rel), &st), 0);
	return st.st_ino;
}

/* What safedir_open(root/rel) gives: the inode reached, or 0 and the error in *err. */
static ino_t open_rel(const char *rel, bool create, int *err)
{
	int fd = safedir_open(at(rel), create);
	ino_t ino;

	*err = fd < 0 ? fd : 0;
	if (fd < 0)
		return 0;
	ino = ino_of_fd(fd);
	close(fd);
	return ino;
}

/*
 * The tree every case starts from:
 *   real/sub            a directory, its child
 *   ww/                 0777 (no sticky bit): anyone can swap its entries
 *   ww/mine/last        directories of the caller inside it
 *   tl -> real          a symlink in a trusted directory
 */
static void tree(void)
{
	make_dir("real", 0755);
	make_dir("real/sub", 0755);
	make_dir("ww", 0777);
	make_dir("ww/mine", 0755);
	make_dir("ww/mine/last", 0755);
	make_dir("elsewhere", 0755);
	make_dir("elsewhere/last", 0755);
	make_link("real", "tl");
}

struct open_case {
	const char *name, *path;
	bool create;
	int err;	     /* 0: opens */
	const char *reached; /* for 0: the directory it must be */
};

static void test_safedir_open_table(void **state)
{
	static const struct open_case c[] = {
		{ "a plain directory", "real/sub", false, 0, "real/sub" },
		{ "dot components", "./real/./sub/", false, 0, "real/sub" },
		{ "a missing one", "real/none", false, -ENOENT, NULL },
		{ "dot-dot refused", "real/../real", false, -EINVAL, NULL },
		{ "a file is no directory", "file", false, -ENOTDIR, NULL },
		{ "a symlink in a trusted directory", "tl/sub", false, 0, "real/sub" },
		{ "a symlink last, trusted parent", "tl", false, 0, "real" },
		{ "a symlink planted in a middle component", "ww/planted/last", false, -ELOOP,
		  NULL },
		{ "a symlink planted last", "ww/planted", false, -ELOOP, NULL },
		{ "a trusted link through a planted one", "tl2/last", false, -ELOOP, NULL },
		{ "a relative trusted link with dot-dot", "real/up/real/sub", false, 0,
		  "real/sub" },
		{ "a link loop", "loop/x", false, -ELOOP, NULL },
		{ "the last one writable by others", "ww", false, -EPERM, NULL },
		{ "through a world-writable directory", "ww/mine/last", false, 0, "ww/mine/last" },
	};
	int err;

	(void)state;
	tree();
	unit_write(root, "file", "x\n");
	make_link(at("elsewhere"), "ww/planted");
	/* root's link whose target goes through ww/planted, which anyone could have made */
	make_link(at("ww/planted"), "tl2");
	make_link("..", "real/up");
	make_link("loop", "loop");
	for (size_t i = 0; i < NCASES(c); i++) {
		ino_t got = open_rel(c[i].path, c[i].create, &err);

		if (err != c[i].err)
			fail_msg("%s: %s gave %d, want %d", c[i].name, c[i].path, err, c[i].err);
		if (!err && got != ino_of(c[i].reached))
			fail_msg("%s: %s reached another directory than %s", c[i].name, c[i].path,
				 c[i].reached);
	}
}

/* create makes the last component, 0755 whatever the umask; not the ones before it. */
static void test_safedir_open_creates_the_last_only(void **state)
{
	struct stat st;
	mode_t old = umask(077);
	int err;

	(void)state;
	tree();
	assert_true(open_rel("real/new", true, &err) != 0);
	assert_int_equal(err, 0);
	assert_int_equal(stat(at("real/new"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	open_rel("real/a/b", true, &err);
	assert_int_equal(err, -ENOENT);
	umask(old);
}

/* Another user swaps ww/mine for a symlink right after safedir checked it. */
static void swap_mine(void)
{
	assert_int_equal(rename(at("ww/mine"), at("ww/moved")), 0);
	assert_int_equal(symlink(at("elsewhere"), at("ww/mine")), 0);
}

/*
 * The step after a checked directory is opened in that directory's fd: a swap of a middle
 * component after its check cannot redirect it (opening the whole path again reaches
 * elsewhere/last).
 */
static void test_safedir_open_anchored_on_checked_directory(void **state)
{
	ino_t want;
	int err;

	(void)state;
	tree();
	want = ino_of("ww/mine/last");
	race_name = "last";
	race = swap_mine;
	assert_int_equal(open_rel("ww/mine/last", false, &err), want);
	assert_int_equal(err, 0);
	assert_null(race_name); /* the swap did happen between the steps */
	assert_true(ino_of("elsewhere/last") != want);
}

static void test_safedir_unlink_removes_a_file(void **state)
{
	(void)state;
	tree();
	unit_write(root, "real/drop-in.conf", "x\n");
	assert_int_equal(safedir_unlink(at("real/drop-in.conf")), 0);
	assert_int_equal(access(at("real/drop-in.conf"), F_OK), -1);
	assert_int_equal(safedir_unlink(at("real/drop-in.conf")), -ENOENT);
	assert_int_equal(safedir_unlink(at("real/sub")), -EISDIR);
}

/* The file is not removed through a directory others could have planted. */
static void test_safedir_unlink_refuses_planted_directory(void **state)
{
	(void)state;
	tree();
	unit_write(root, "elsewhere/drop-in.conf", "x\n");
	make_link(at("elsewhere"), "ww/planted");
	assert_int_equal(safedir_unlink(at("ww/planted/drop-in.conf")), -ELOOP);
	assert_int_equal(access(at("elsewhere/drop-in.conf"), F_OK), 0);
	/* a directory others can write is no place to remove from */
	unit_write(root, "ww/drop-in.conf", "x\n");
	assert_int_equal(safedir_unlink(at("ww/drop-in.conf")), -EPERM);
}

#define CASE(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CASE(test_safedir_open_table),
		CASE(test_safedir_open_creates_the_last_only),
		CASE(test_safedir_open_anchored_on_checked_directory),
		CASE(test_safedir_unlink_removes_a_file),
		CASE(test_safedir_unlink_refuses_planted_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
