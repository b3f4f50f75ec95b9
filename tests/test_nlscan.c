/* SPDX-License-Identifier: MIT */
/* Unit tests for nlparse.c (captures, hostile rows) and nlscan.c (--proc reads, live sock_diag). */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "nlscan.h"
#include "paths.h"
#include "unit.h"

#define HDR                                                                                        \
	"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    "      \
	"Inode\n"
/* A row as the kernel prints it: "%pK %-3d %-10u %08x %-8d %-8d %-5d %-8d %-8u %-8lu\n". */
#define ROW                                                                                        \
	"00000000deadbeef 15  4242       00000001 832      0        0     2        7        "      \
	"31337   \n"

struct want_row {
	uint64_t inode;
	uint32_t protocol, portid, groups, rmem, drops;
};

/*
 * tests/fixtures/basic: /proc/net/netlink captured on Linux 6.18 while a
 * python3 listener (pid 10394) held a uevent socket with SO_RCVBUF 1024
 * bound to group 1 (inode 15527). tests/fixtures/dropping: the same socket
 * after six "change" events on lo that it never read: two queued, four lost.
 */
static const struct want_row basic_rows[] = {
	{ 4, 0, 0, 0, 0, 0 }, /* NETLINK_ROUTE, kernel side */
	{ 493, 4, 0, 0, 0, 0 },	 { 495, 6, 0, 0, 0, 0 },	{ 107, 7, 0, 0, 0, 0 },
	{ 6, 9, 0, 0, 0, 0 },	 { 104, 10, 0, 0, 0, 0 },	{ 1026, 11, 0, 0, 0, 0 },
	{ 494, 12, 0, 0, 0, 0 }, { 15527, 15, 10394, 1, 0, 0 }, /* the listener */
	{ 8, 15, 0, 0, 0, 0 },					/* the kernel's uevent socket */
	{ 5, 16, 0, 0, 0, 0 },
};

static void assert_rows(const struct nlsock *got, size_t n, const struct want_row *want,
			size_t nwant, uint64_t netns)
{
	size_t i;

	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++) {
		assert_int_equal(got[i].inode, want[i].inode);
		assert_int_equal(got[i].protocol, want[i].protocol);
		assert_int_equal(got[i].portid, want[i].portid);
		assert_int_equal(got[i].groups, want[i].groups);
		assert_int_equal(got[i].rmem, want[i].rmem);
		assert_int_equal(got[i].drops, want[i].drops);
		assert_int_equal(got[i].netns, netns);
		assert_false(got[i].has_diag);
		assert_int_equal(got[i].rcvbuf, 0);
		assert_false(got[i].no_enobufs);
	}
}

/* Parse HDR + text; returns rows stored, fills *bad. */
static ssize_t parse_text(const char *text, struct nlsock *out, size_t max, size_t *bad)
{
	return nlparse_table(text, strlen(text), 0, out, max, bad);
}

/* Every line of text (after HDR) is one bad row between two good ones. */
static void assert_each_row_bad(const char *const *rows, size_t n)
{
	char buf[2048];
	size_t i, bad;

	for (i = 0; i < n; i++) {
		struct nlsock out[4];
		ssize_t r;

		snprintf(buf, sizeof(buf), HDR ROW "%s\n" ROW, rows[i]);
		r = parse_text(buf, out, 4, &bad);
		if (r != 2 || bad != 1)
			fail_msg("row \"%s\": %zd rows, %zu bad; want 2 and 1", rows[i], r, bad);
	}
}

static void test_nlparse_real_capture_gives_exact_rows(void **state)
{
	struct nlsock out[32];
	size_t len, bad = 99;
	char *buf = unit_slurp("tests/fixtures/basic/proc/net/netlink", &len);
	ssize_t n;

	(void)state;
	n = nlparse_table(buf, len, 4026531840u, out, NCASES(out), &bad);
	free(buf);
	assert_int_equal(bad, 0);
	assert_rows(out, (size_t)n, basic_rows, NCASES(basic_rows), 4026531840u);
}

static void test_nlparse_dropping_capture_shows_queue_and_drops(void **state)
{
	struct nlsock out[32];
	size_t len, bad = 99;
	char *buf = unit_slurp("tests/fixtures/dropping/proc/net/netlink", &len);
	const struct nlsock *s;
	ssize_t n;

	(void)state;
	n = nlparse_table(buf, len, 0, out, NCASES(out), &bad);
	free(buf);
	assert_int_equal(n, NCASES(basic_rows));
	assert_int_equal(bad, 0);
	s = unit_find_inode(out, (size_t)n, 15527);
	assert_non_null(s);
	assert_int_equal(s->rmem, 2 * 832);
	assert_int_equal(s->drops, 4);
	assert_int_equal(s->portid, 10394);
}

static void test_nlscan_read_goes_through_proc_root(void **state)
{
	struct nlsock *rows = NULL;
	size_t bad = 99;
	ssize_t n;

	(void)state;
	paths_set_proc("tests/fixtures/basic/proc");
	n = nlscan_read("net/netlink", 7, &rows, &bad, NULL);
	paths_set_proc("/proc");
	assert_non_null(rows);
	assert_int_equal(bad, 0);
	assert_rows(rows, (size_t)n, basic_rows, NCASES(basic_rows), 7);
	free(rows);
}

static void test_nlscan_read_missing_file_is_enoent(void **state)
{
	struct nlsock *rows = (struct nlsock *)&rows;
	size_t bad;

	(void)state;
	paths_set_proc("tests/fixtures/basic/proc");
	assert_int_equal(nlscan_read("1/net/netlink", 0, &rows, &bad, NULL), -ENOENT);
	paths_set_proc("/proc");
	assert_null(rows);
}

static void test_nlparse_row_fields_and_maxima(void **state)
{
	static const char text[] =
	    HDR "ffffffffffffffff 31  4294967295 ffffffff 4294967295 0 1 4294967295 "
		"4294967295 18446744073709551615\n"
		"0 0 0 0 0 0 0 0 0 0\n"			  /* shortest form */
		"(____ptrval____) 15\t1 2 3 4 5 6 7 8\n"; /* %p before the RNG, a tab */
	struct nlsock out[4];
	size_t bad;

	(void)state;
	assert_int_equal(parse_text(text, out, 4, &bad), 3);
	assert_int_equal(bad, 0);
	assert_int_equal(out[0].protocol, 31);
	assert_int_equal(out[0].portid, UINT32_MAX);
	assert_int_equal(out[0].groups, UINT32_MAX);
	assert_int_equal(out[0].rmem, UINT32_MAX);
	assert_int_equal(out[0].drops, UINT32_MAX);
	assert_true(out[0].inode == UINT64_MAX);
	assert_int_equal(out[1].inode, 0);
	assert_int_equal(out[2].protocol, 15);
	assert_int_equal(out[2].portid, 1);
	assert_int_equal(out[2].groups, 2);
	assert_int_equal(out[2].rmem, 3);
	assert_int_equal(out[2].drops, 7);
	assert_int_equal(out[2].inode, 8);
}

static void test_nlparse_sets_netns_on_every_row(void **state)
{
	static const char text[] = HDR ROW ROW;
	struct nlsock out[2];
	size_t bad;

	(void)state;
	memset(out, 0xff, sizeof(out));
	assert_int_equal(nlparse_table(text, strlen(text), 4026532000u, out, 2, &bad), 2);
	assert_int_equal(out[0].netns, 4026532000u);
	assert_int_equal(out[1].netns, 4026532000u);
	assert_false(out[1].has_diag);
	assert_int_equal(out[1].rcvbuf, 0);
	assert_false(out[1].no_enobufs);
}

static void test_nlparse_missing_columns_are_bad(void **state)
{
	static const char *const rows[] = {
		"",
		"   ",
		"00000000deadbeef",
		"00000000deadbeef 15  4242       00000001 832      0        0     2        7",
		"00000000deadbeef 15  4242       00000001 832      0        0     2",
	};

	(void)state;
	assert_each_row_bad(rows, NCASES(rows));
}

static void test_nlparse_extra_columns_are_bad(void **state)
{
	static const char *const rows[] = {
		"00000000deadbeef 15  4242       00000001 832      0        0     2        7       "
		" 31337 1",
		"00000000deadbeef 15  4242       00000001 832      0        0     2        7       "
		" 31337 x",
		"a b c d e f g h i j k l m n o p",
	};

	(void)state;
	assert_each_row_bad(rows, NCASES(rows));
}

static void test_nlparse_overflowing_numbers_are_bad(void **state)
{
	static const char *const rows[] = {
		"1 4294967296 0 0 0 0 0 0 0 1",		  /* Eth */
		"1 0 4294967296 0 0 0 0 0 0 1",		  /* Pid */
		"1 0 0 100000000 0 0 0 0 0 1",		  /* Groups: nine hex digits */
		"1 0 0 0 4294967296 0 0 0 0 1",		  /* Rmem */
		"1 0 0 0 0 99999999999999999999 0 0 0 1", /* Wmem */
		"1 0 0 0 0 0 0 0 4294967296 1",		  /* Drops */
		"1 0 0 0 0 0 0 0 0 18446744073709551616", /* Inode */
		"1 0 0 0 0 0 0 0 0 184467440737095516150",
		"11112222333344445 0 0 0 0 0 0 0 0 1", /* sk: 17 hex digits */
	};

	(void)state;
	assert_each_row_bad(rows, NCASES(rows));
}

static void test_nlparse_non_digits_are_bad(void **state)
{
	static const char *const rows[] = {
		"1 -1 0 0 0 0 0 0 0 1",	  "1 +1 0 0 0 0 0 0 0 1",	"1 0 12a 0 0 0 0 0 0 1",
		"1 0 0 0x10 0 0 0 0 0 1", "1 0 0 0000000g 0 0 0 0 0 1", "1 0 0 0 0 0 0 0 -4 1",
		"1 0 0 0 0 0 0 0 0 1.5",  "xyz 0 0 0 0 0 0 0 0 1",	"(ptrval 0 0 0 0 0 0 0 0 1",
		"1 0 0 0 0 0 0 0 0 1\r",  "1 0 0 0 0 0 0 0 0 \xc3\xa9",
	};

	(void)state;
	assert_each_row_bad(rows, NCASES(rows));
}

static void test_nlparse_line_longer_than_max_is_bad(void **state)
{
	char buf[4 * NLPARSE_MAX_LINE];
	struct nlsock out[2];
	size_t row = strlen(ROW) - 1, bad;
	char *p;

	(void)state;
	/* ROW padded with trailing spaces to exactly NLPARSE_MAX_LINE: still good */
	p = buf + sprintf(buf, HDR "%.*s", (int)row, ROW);
	memset(p, ' ', NLPARSE_MAX_LINE - row);
	strcpy(p + NLPARSE_MAX_LINE - row, "\n");
	assert_int_equal(parse_text(buf, out, 2, &bad), 1);
	assert_int_equal(bad, 0);

	/* one byte more: bad */
	p = buf + sprintf(buf, HDR "%.*s", (int)row, ROW);
	memset(p, ' ', NLPARSE_MAX_LINE + 1 - row);
	strcpy(p + NLPARSE_MAX_LINE + 1 - row, "\n" ROW);
	assert_int_equal(parse_text(buf, out, 2, &bad), 1);
	assert_int_equal(bad, 1);
}

static void test_nlparse_bad_header_is_ebadmsg(void **state)
{
	static const char *const texts[] = {
		"\n" ROW,
		"sk\n" ROW,
		" sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops  "
		"  Inode\n",
		"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    "
		"Drops\n" ROW,
		"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops   "
		" Inode"
		"    Extra\n" ROW,
		"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops   "
		" inode\n",
		"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops   "
		" Ino\n",
		"skb              Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops   "
		" Inode\n",
		"sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n",
		ROW,
	};
	struct nlsock out[2];
	size_t i, bad;

	(void)state;
	for (i = 0; i < NCASES(texts); i++) {
		ssize_t r = parse_text(texts[i], out, 2, &bad);

		if (r != -EBADMSG)
			fail_msg("text %zu: %zd, want -EBADMSG", i, r);
	}
}

static void test_nlparse_overlong_header_is_ebadmsg(void **state)
{
	char buf[2 * NLPARSE_MAX_LINE];
	struct nlsock out[1];
	size_t bad;
	int n;

	(void)state;
	n = snprintf(buf, sizeof(buf), "%.*s", (int)strlen(HDR) - 1, HDR);
	memset(buf + n, ' ', NLPARSE_MAX_LINE + 1 - (size_t)n);
	strcpy(buf + NLPARSE_MAX_LINE + 1, "\n");
	assert_int_equal(parse_text(buf, out, 1, &bad), -EBADMSG);
}

static void test_nlparse_empty_is_ebadmsg(void **state)
{
	struct nlsock out[1];
	size_t bad;

	(void)state;
	assert_int_equal(nlparse_table("", 0, 0, out, 1, &bad), -EBADMSG);
	assert_int_equal(nlparse_table(NULL, 0, 0, out, 1, &bad), -EBADMSG);
}

static void test_nlparse_header_only_is_zero_rows(void **state)
{
	struct nlsock out[1];
	size_t bad = 99;

	(void)state;
	assert_int_equal(parse_text(HDR, out, 1, &bad), 0);
	assert_int_equal(bad, 0);
	/* the header alone without its newline */
	assert_int_equal(nlparse_table(HDR, strlen(HDR) - 1, 0, out, 1, &bad), 0);
	assert_int_equal(bad, 0);
}

static void test_nlparse_last_row_without_newline_counts(void **state)
{
	static const char text[] = HDR ROW "0 16 0 00000000 0 0 0 2 0 5";
	struct nlsock out[4];
	size_t bad;

	(void)state;
	assert_int_equal(parse_text(text, out, 4, &bad), 2);
	assert_int_equal(bad, 0);
	assert_int_equal(out[1].protocol, 16);
	assert_int_equal(out[1].inode, 5);
}

static void test_nlparse_uses_len_not_nul(void **state)
{
	static const char text[] = HDR ROW "0 16 0 00000000 0 0 0 2 0 5\n";
	static const char nul[] = HDR "0 16 0 00000000 0 0 0 2 0 5\0 1\n";
	struct nlsock out[4];
	size_t bad;

	(void)state;
	/* the buffer stops in the middle of the second row's inode: a short row */
	assert_int_equal(nlparse_table(text, strlen(HDR ROW) + 10, 0, out, 4, &bad), 1);
	assert_int_equal(bad, 1);
	/* a NUL inside a row is a byte like any other, not an end */
	assert_int_equal(nlparse_table(nul, sizeof(nul) - 1, 0, out, 4, &bad), 0);
	assert_int_equal(bad, 1);
}

static void test_nlparse_binary_garbage_is_counted_not_crashed(void **state)
{
	const size_t glen = 1 << 16;
	size_t hlen = strlen(HDR), len = hlen + glen, lines = 0, i, bad;
	char *buf = malloc(len);
	struct nlsock *out = calloc(glen, sizeof(*out));
	uint32_t x = 2463534242u;
	ssize_t n;

	(void)state;
	assert_non_null(buf);
	assert_non_null(out);
	memcpy(buf, HDR, hlen);
	for (i = hlen; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char)(x % 7 == 0 ? '\n' : x % 11 == 0 ? ' ' : x >> 24);
		lines += buf[i] == '\n';
	}
	lines += buf[len - 1] != '\n';
	n = nlparse_table(buf, len, 0, out, glen, &bad);
	assert_true(n >= 0);
	assert_int_equal((size_t)n + bad, lines);
	/* garbage where the header should be */
	assert_int_equal(nlparse_table(buf + hlen, glen, 0, out, glen, &bad), -EBADMSG);
	free(out);
	free(buf);
}

static void test_nlparse_max_zero_counts_every_row(void **state)
{
	static const char text[] = HDR ROW ROW ROW;
	size_t bad;

	(void)state;
	assert_int_equal(parse_text(text, NULL, 0, &bad), 0);
	assert_int_equal(bad, 3);
}

/* HDR and n kernel-formatted rows with inodes 1..n; *len is the image size. */
static char *many_rows(size_t n, size_t *len)
{
	size_t cap = strlen(HDR) + (n + 1) * 100, off;
	char *buf = malloc(cap);
	size_t i;

	assert_non_null(buf);
	off = (size_t)sprintf(buf, HDR);
	for (i = 1; i <= n; i++)
		off += (size_t)sprintf(buf + off,
				       "%016zx %-3d %-10zu %08x %-8d %-8d %-5d %-8d %-8u %-8zu\n",
				       i * 64, 15, i, 1, 0, 0, 0, 2, 0u, i);
	*len = off;
	return buf;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_nlparse_max_rows_all_parsed_quickly(void **state)
{
	struct nlsock *out = calloc(NLSCAN_MAX_ROWS, sizeof(*out));
	size_t len, bad;
	char *buf = many_rows(NLSCAN_MAX_ROWS, &len);
	struct timespec t0;
	ssize_t n;
	double s;

	(void)state;
	assert_non_null(out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = nlparse_table(buf, len, 0, out, NLSCAN_MAX_ROWS, &bad);
	s = seconds_since(&t0);
	free(buf);
	assert_int_equal(n, NLSCAN_MAX_ROWS);
	assert_int_equal(bad, 0);
	assert_int_equal(out[0].inode, 1);
	assert_int_equal(out[NLSCAN_MAX_ROWS - 1].inode, NLSCAN_MAX_ROWS);
	assert_int_equal(out[NLSCAN_MAX_ROWS - 1].portid, NLSCAN_MAX_ROWS);
	free(out);
	print_message("%d rows (%zu bytes) in %.1f ms\n", NLSCAN_MAX_ROWS, len, s * 1e3);
	assert_true(s < 2.0); /* ~20 ms here; generous for sanitizers */
}

static void test_nlparse_rows_beyond_max_are_counted_bad(void **state)
{
	struct nlsock *out = calloc(NLSCAN_MAX_ROWS, sizeof(*out));
	size_t len, bad;
	char *buf = many_rows(NLSCAN_MAX_ROWS + 5, &len);
	ssize_t n;

	(void)state;
	assert_non_null(out);
	n = nlparse_table(buf, len, 0, out, NLSCAN_MAX_ROWS, &bad);
	free(buf);
	assert_int_equal(n, NLSCAN_MAX_ROWS);
	assert_int_equal(bad, 5);
	assert_int_equal(out[NLSCAN_MAX_ROWS - 1].inode, NLSCAN_MAX_ROWS);
	free(out);
}

static void make_link(const char *root, const char *rel, const char *target)
{
	char path[4096], *slash;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	assert_int_equal(symlink(target, path), 0);
}

/* A <root>/net/netlink of n generated rows, read back with nlscan_read(). */
static ssize_t read_generated(size_t n, struct nlsock **rows, size_t *bad)
{
	char root[] = "/tmp/nltune-nlscan-XXXXXX", path[64];
	size_t len;
	char *buf = many_rows(n, &len);
	ssize_t r;
	FILE *f;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/net", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/net/netlink", root);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(buf);
	paths_set_proc(root);
	r = nlscan_read("net/netlink", 0, rows, bad, NULL);
	paths_set_proc("/proc");
	unit_rm_tree(root);
	return r;
}

static void test_nlscan_read_grows_its_buffer_for_large_files(void **state)
{
	struct nlsock *rows = NULL;
	size_t bad = 99;
	ssize_t n;

	(void)state;
	n = read_generated(5000, &rows, &bad); /* 460 KB: several times the first buffer */
	assert_int_equal(n, 5000);
	assert_int_equal(bad, 0);
	assert_int_equal(rows[4999].inode, 5000);
	free(rows);
}

static void test_nlscan_read_caps_huge_files(void **state)
{
	struct nlsock *rows = NULL;
	size_t bad = 0;
	ssize_t n;

	(void)state;
	/* 200000 rows are 18.4 MB: the reader stops at its cap, the parser at its row limit */
	n = read_generated(200000, &rows, &bad);
	assert_int_equal(n, NLSCAN_MAX_ROWS);
	assert_int_equal(rows[NLSCAN_MAX_ROWS - 1].inode, NLSCAN_MAX_ROWS);
	assert_true(bad > 0);
	assert_true(bad < 200000 - NLSCAN_MAX_ROWS); /* what lies past the cap is not read */
	free(rows);
}

static void test_nlscan_netns_of_reads_link_through_proc_root(void **state)
{
	char root[] = "/tmp/nltune-nlscan-XXXXXX";
	uint64_t ns = 0;
	int r;

	(void)state;
	assert_non_null(mkdtemp(root));
	make_link(root, "42/ns/net", "net:[4026531840]");
	paths_set_proc(root);
	r = nlscan_netns_of(42, &ns);
	paths_set_proc("/proc");
	unit_rm_tree(root);
	assert_int_equal(r, 0);
	assert_int_equal(ns, 4026531840u);
}

static void test_nlscan_netns_of_rejects_malformed_links(void **state)
{
	static const struct {
		const char *target;
		int r;
	} cases[] = {
		{ "mnt:[4026531840]", -EINVAL },
		{ "net:[]", -EINVAL },
		{ "net:[12", -EINVAL },
		{ "net:[12]x", -EINVAL },
		{ "net:[-1]", -EINVAL },
		{ "net:[ 1]", -EINVAL },
		{ "net:[99999999999999999999999]", -ERANGE },
	};
	char root[] = "/tmp/nltune-nlscan-XXXXXX", rel[32];
	int got[NCASES(cases) + 2];
	uint64_t ns;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(root));
	for (i = 0; i < NCASES(cases); i++) {
		snprintf(rel, sizeof(rel), "%zu/ns/net", 100 + i);
		make_link(root, rel, cases[i].target);
	}
	paths_set_proc(root);
	for (i = 0; i < NCASES(cases); i++)
		got[i] = nlscan_netns_of((pid_t)(100 + i), &ns);
	got[i++] = nlscan_netns_of(99, &ns); /* no such pid */
	got[i] = nlscan_netns_of(0, &ns);
	paths_set_proc("/proc");
	unit_rm_tree(root);
	for (i = 0; i < NCASES(cases); i++)
		if (got[i] != cases[i].r)
			fail_msg("\"%s\": %d, want %d", cases[i].target, got[i], cases[i].r);
	assert_int_equal(got[i], -ENOENT);
	assert_int_equal(got[i + 1], -EINVAL);
}

static void test_nlscan_diag_of_nothing_is_a_no_op(void **state)
{
	(void)state;
	assert_int_equal(nlscan_diag(NULL, 0), 0);
}

/* What SO_RCVBUF 0 leaves: the kernel's floor. */
static int sock_min_rcvbuf(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT), zero = 0, v;

	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)), 0);
	v = unit_rcvbuf(fd);
	close(fd);
	return v;
}

/*
 * The live cases ask the running kernel. Under a user-mode emulator (the cross
 * builds' qemu-user run sets NLTUNE_EMULATOR) the "kernel" is qemu's syscall
 * layer, which carries no NETLINK_SOCK_DIAG: those cases run in the VM boot.
 */
static void skip_unless_live_kernel(void)
{
	const char *emu = getenv("NLTUNE_EMULATOR");

	if (emu && *emu) {
		print_message("skipped: needs the live kernel, not %s\n", emu);
		skip();
	}
}

/* One sock_diag dump lists the socket with everything /proc/net/netlink and meminfo give. */
static void test_nlscan_dump_lists_a_listener_whole(void **state)
{
	struct sockaddr_nl sa;
	socklen_t sl = sizeof(sa);
	struct nlsock *rows = NULL;
	const struct nlsock *s;
	uint64_t inode;
	ssize_t n;
	int fd;

	(void)state;
	skip_unless_live_kernel();
	fd = unit_uevent_socket(1024, &inode);
	assert_true(fd >= 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	n = nlscan_dump(77, &rows);
	assert_true(n > 0);
	s = unit_find_inode(rows, (size_t)n, inode);
	assert_non_null(s);
	assert_int_equal(s->netns, 77);
	assert_int_equal(s->protocol, NLSCAN_PROTO_UEVENT);
	assert_int_equal(s->groups, 1);
	assert_int_equal(s->portid, sa.nl_pid);
	assert_true(s->has_diag);
	assert_int_equal(s->rcvbuf, unit_rcvbuf(fd));
	assert_int_equal(s->rmem, 0);
	assert_int_equal(s->drops, 0);
	free(rows);
	close(fd);
}

static void test_nlscan_live_diag_finds_undersized_listener(void **state)
{
	struct sockaddr_nl sa;
	socklen_t sl = sizeof(sa);
	struct nlsock row;
	uint64_t inode;
	int fd;

	(void)state;
	skip_unless_live_kernel();
	fd = unit_uevent_socket(1024, &inode);
	assert_true(fd >= 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	unit_scan_live(inode, &row);
	assert_int_equal(row.protocol, NLSCAN_PROTO_UEVENT);
	assert_int_equal(row.groups, 1);
	assert_int_equal(row.portid, sa.nl_pid);
	assert_true(row.has_diag);
	/* SOCK_MIN_RCVBUF (2304 on 6.18 x86_64), measured rather than assumed */
	assert_int_equal(row.rcvbuf, unit_rcvbuf(fd));
	assert_int_equal(row.rcvbuf, sock_min_rcvbuf());
	/* Queued: other uevents on the machine may be; never more than one event past full. */
	assert_true(row.rmem <= row.rcvbuf + 4352);
	assert_false(row.no_enobufs);
	close(fd);
}

static void test_nlscan_live_diag_sees_no_enobufs(void **state)
{
	struct nlsock row;
	uint64_t inode;
	int fd, one = 1, zero = 0;

	(void)state;
	skip_unless_live_kernel();
	fd = unit_uevent_socket(65536, &inode);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one)), 0);
	unit_scan_live(inode, &row);
	assert_true(row.no_enobufs);
	assert_int_equal(row.rcvbuf, unit_rcvbuf(fd));
	assert_int_equal(setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &zero, sizeof(zero)), 0);
	unit_scan_live(inode, &row);
	assert_false(row.no_enobufs);
	close(fd);
}

static void test_nlscan_live_diag_fills_every_row_of_an_inode(void **state)
{
	struct nlsock rows[3] = { { .inode = 0 } };
	uint64_t inode;
	int fd;

	(void)state;
	skip_unless_live_kernel();
	fd = unit_uevent_socket(1024, &inode);
	assert_true(fd >= 0);
	rows[0].inode = inode;
	rows[1].inode = UINT64_MAX; /* no such socket */
	rows[2].inode = inode;
	assert_int_equal(nlscan_diag(rows, 3), 0);
	assert_true(rows[0].has_diag);
	assert_false(rows[1].has_diag);
	assert_true(rows[2].has_diag);
	assert_int_equal(rows[0].rcvbuf, unit_rcvbuf(fd));
	assert_int_equal(rows[2].rcvbuf, unit_rcvbuf(fd));
	close(fd);
}

static void test_nlscan_diag_netns_of_missing_pid_fails(void **state)
{
	struct nlsock row = { .inode = 1 };
	char root[] = "/tmp/nltune-nlscan-XXXXXX";
	int r;

	(void)state;
	assert_non_null(mkdtemp(root));
	paths_set_proc(root);
	r = nlscan_diag_netns(12345, &row, 1);
	paths_set_proc("/proc");
	unit_rm_tree(root);
	assert_int_equal(r, -ENOENT);
	assert_int_equal(nlscan_diag_netns(0, &row, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nlparse_real_capture_gives_exact_rows),
		cmocka_unit_test(test_nlparse_dropping_capture_shows_queue_and_drops),
		cmocka_unit_test(test_nlscan_read_goes_through_proc_root),
		cmocka_unit_test(test_nlscan_read_missing_file_is_enoent),
		cmocka_unit_test(test_nlparse_row_fields_and_maxima),
		cmocka_unit_test(test_nlparse_sets_netns_on_every_row),
		cmocka_unit_test(test_nlparse_missing_columns_are_bad),
		cmocka_unit_test(test_nlparse_extra_columns_are_bad),
		cmocka_unit_test(test_nlparse_overflowing_numbers_are_bad),
		cmocka_unit_test(test_nlparse_non_digits_are_bad),
		cmocka_unit_test(test_nlparse_line_longer_than_max_is_bad),
		cmocka_unit_test(test_nlparse_bad_header_is_ebadmsg),
		cmocka_unit_test(test_nlparse_overlong_header_is_ebadmsg),
		cmocka_unit_test(test_nlparse_empty_is_ebadmsg),
		cmocka_unit_test(test_nlparse_header_only_is_zero_rows),
		cmocka_unit_test(test_nlparse_last_row_without_newline_counts),
		cmocka_unit_test(test_nlparse_uses_len_not_nul),
		cmocka_unit_test(test_nlparse_binary_garbage_is_counted_not_crashed),
		cmocka_unit_test(test_nlparse_max_zero_counts_every_row),
		cmocka_unit_test(test_nlparse_max_rows_all_parsed_quickly),
		cmocka_unit_test(test_nlparse_rows_beyond_max_are_counted_bad),
		cmocka_unit_test(test_nlscan_read_grows_its_buffer_for_large_files),
		cmocka_unit_test(test_nlscan_read_caps_huge_files),
		cmocka_unit_test(test_nlscan_netns_of_reads_link_through_proc_root),
		cmocka_unit_test(test_nlscan_netns_of_rejects_malformed_links),
		cmocka_unit_test(test_nlscan_diag_of_nothing_is_a_no_op),
		cmocka_unit_test(test_nlscan_dump_lists_a_listener_whole),
		cmocka_unit_test(test_nlscan_live_diag_finds_undersized_listener),
		cmocka_unit_test(test_nlscan_live_diag_sees_no_enobufs),
		cmocka_unit_test(test_nlscan_live_diag_fills_every_row_of_an_inode),
		cmocka_unit_test(test_nlscan_diag_netns_of_missing_pid_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
