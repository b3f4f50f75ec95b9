/* SPDX-License-Identifier: MIT */
/* Shared helpers of the unit test programs; cmocka's assertions report what failed. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#ifndef NLTUNE_SRCDIR
#define NLTUNE_SRCDIR "."
#endif

const char *unit_fixture(char *buf, size_t len, const char *rel)
{
	assert_true((size_t)snprintf(buf, len, "%s/tests/fixtures/%s", NLTUNE_SRCDIR, rel) < len);
	return buf;
}

void unit_tmpdir(char *buf, size_t len)
{
	assert_true((size_t)snprintf(buf, len, "/tmp/nltune-unit-XXXXXX") < len);
	assert_non_null(mkdtemp(buf));
}

void unit_copy_fixture(char *buf, size_t len, const char *scenario)
{
	char src[PATH_MAX], cmd[2 * PATH_MAX + 32];

	unit_tmpdir(buf, len);
	unit_fixture(src, sizeof(src), scenario);
	snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", src, buf);
	assert_int_equal(system(cmd), 0);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700); /* a test may have left a directory unwritable */
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

void unit_rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void unit_write(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	size_t n = strlen(text);
	int fd;

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) < sizeof(path));
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

char *unit_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = n + 4096 + 1);

			assert_non_null(b);
			buf = b;
		}
		size_t k = fread(buf + n, 1, cap - n - 1, f);

		n += k;
		if (k == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
