/* SPDX-License-Identifier: MIT */
/* Shared helpers of the unit test programs; cmocka's assertions report what failed. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "nlscan.h"
#include "paths.h"

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

/* A test may have left a directory unreadable or unwritable: open every one up first. */
static int open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		chmod(path, 0700);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int unit_rm_tree(const char *dir)
{
	nftw(dir, open_up, 16, FTW_PHYS);
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
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

void unit_machine_up(struct unit_machine *m, const char *scenario)
{
	unit_copy_fixture(m->root, sizeof(m->root), scenario);
	snprintf(m->proc, sizeof(m->proc), "%s/proc", m->root);
	snprintf(m->sys, sizeof(m->sys), "%s/sys", m->root);
	snprintf(m->run, sizeof(m->run), "%s/run", m->root);
	paths_set_proc(m->proc);
	paths_set_sys(m->sys);
	paths_set_run(m->run);
	nlt_conf_defaults(&m->conf);
	snprintf(m->conf.state_dir, sizeof(m->conf.state_dir), "%s/state", m->root);
}

void unit_machine_down(struct unit_machine *m)
{
	paths_set_proc("/proc");
	paths_set_sys("/sys");
	paths_set_run(PATHS_RUN_DEFAULT);
	unit_rm_tree(m->root);
}

int unit_machine_setup(void **state, size_t size)
{
	struct unit_machine *m = calloc(1, size);

	if (!m)
		return -1;
	unit_machine_up(m, "system");
	*state = m;
	return 0;
}

int unit_machine_teardown(void **state)
{
	unit_machine_down(*state);
	free(*state);
	return 0;
}

int unit_uevent_socket(int rcvbuf, uint64_t *inode)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct stat st;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*inode = st.st_ino;
	return fd;
}

int unit_rcvbuf(int fd)
{
	int v = 0;
	socklen_t l = sizeof(v);

	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &l), 0);
	return v;
}

const struct nlsock *unit_find_inode(const struct nlsock *s, size_t n, uint64_t inode)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].inode == inode)
			return &s[i];
	return NULL;
}

void unit_scan_live(uint64_t inode, struct nlsock *row)
{
	struct nlsock *rows = NULL;
	const struct nlsock *s;
	size_t bad;
	ssize_t n;

	paths_set_proc("/proc");
	n = nlscan_read("net/netlink", 0, &rows, &bad, NULL);
	assert_true(n > 0);
	assert_int_equal(bad, 0);
	assert_int_equal(nlscan_diag(rows, (size_t)n), 0);
	s = unit_find_inode(rows, (size_t)n, inode);
	assert_non_null(s);
	*row = *s;
	free(rows);
}
