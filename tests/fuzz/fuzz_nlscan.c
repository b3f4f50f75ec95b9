/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for nlparse_table(): a /proc/net/netlink image per input, rows accounted for.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "nlparse.h"

#define MAX_ROWS 16 /* small, so that the "more than max rows" path is reachable */
#define NETNS	 4026531840u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

/* Lines after the header, the way nlparse_table() cuts them: a final partial line counts. */
static size_t body_lines(const char *buf, size_t len)
{
	const char *p = memchr(buf, '\n', len), *end = buf + len, *nl;
	size_t n = 0;

	if (!p)
		return 0;
	for (p++; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct nlsock *out, *again;
	size_t bad = (size_t)-1, bad2 = 0, i;
	ssize_t n, n2;

	/* Exactly MAX_ROWS elements on the heap: a write past max is an ASan report. */
	out = malloc(MAX_ROWS * sizeof(*out));
	again = malloc(MAX_ROWS * sizeof(*again));
	if (!out || !again)
		abort();

	n = nlparse_table(buf, size, NETNS, out, MAX_ROWS, &bad);
	if (n < 0) {
		check(n == -EBADMSG && bad == 0);
		goto out;
	}
	check((size_t)n <= MAX_ROWS);
	check((size_t)n + bad == body_lines(buf, size));
	for (i = 0; i < (size_t)n; i++) {
		check(out[i].netns == NETNS);
		check(!out[i].has_diag && out[i].rcvbuf == 0 && !out[i].no_enobufs);
	}

	/* Pure: the same image gives the same rows, with or without a bad counter. */
	n2 = nlparse_table(buf, size, NETNS, again, MAX_ROWS, NULL);
	check(n2 == n);
	check(memcmp(out, again, (size_t)n * sizeof(*out)) == 0);

	/* max 0 stores nothing and touches no row; every line is then bad. */
	n2 = nlparse_table(buf, size, NETNS, NULL, 0, &bad2);
	check(n2 == 0 && bad2 == (size_t)n + bad);
out:
	free(again);
	free(out);
	return 0;
}
