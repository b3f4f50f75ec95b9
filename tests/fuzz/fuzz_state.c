/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for state_parse(): what parses must format and parse back to the same state. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../refcrc.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static bool boot_equal(const struct state_boot *a, const struct state_boot *b)
{
	return !strcmp(a->boot_id, b->boot_id) && a->peak_events == b->peak_events &&
	       a->peak_bytes == b->peak_bytes && a->window_ms == b->window_ms &&
	       a->total_events == b->total_events && a->updated == b->updated;
}

static bool state_equal(const struct state *a, const struct state *b)
{
	size_t i;

	if (a->nboots != b->nboots || a->has_coldplug != b->has_coldplug ||
	    a->coldplug_devices != b->coldplug_devices || a->coldplug_bytes != b->coldplug_bytes ||
	    a->applied_default != b->applied_default || a->applied_max != b->applied_max)
		return false;
	for (i = 0; i < a->nboots; i++)
		if (!boot_equal(&a->boots[i], &b->boots[i]))
			return false;
	return true;
}

/* The documented results, an empty state on error, and the round trip on success. */
static void parse_and_round_trip(const char *buf, size_t len)
{
	static struct state s, t, u;
	static char out[STATE_MAX_SIZE], out2[STATE_MAX_SIZE];
	int r, n, n2;

	r = state_parse(&s, buf, len);
	if (r < 0) {
		check(r == -EBADMSG || r == -EPROTONOSUPPORT);
		check(s.nboots == 0 && !s.has_coldplug && s.applied_default == 0 &&
		      s.applied_max == 0);
		return;
	}
	check(r == 0 && s.nboots <= STATE_MAX_BOOTS);

	/* STATE_MAX_BOOTS lines of 20-digit numbers fit easily: this must not fail. */
	n = state_format(&s, out, sizeof(out));
	check(n > 0 && (size_t)n < sizeof(out) && out[n] == '\0');
	r = state_parse(&t, out, (size_t)n);
	check(r == 0);
	check(state_equal(&s, &t));

	/* And the formatted file is a fixed point: format(parse(format(x))) == format(x). */
	n2 = state_format(&t, out2, sizeof(out2));
	check(n2 == n && !memcmp(out, out2, (size_t)n));
	check(state_parse(&u, out2, (size_t)n2) == 0 && state_equal(&t, &u));

	/* The NUL needs its byte: n bytes of room are too few, n + 1 are enough. */
	check(state_format(&s, out2, (size_t)n) == -ENOSPC);
	check(state_format(&s, out2, (size_t)n + 1) == n && !memcmp(out, out2, (size_t)n + 1));
}

/*
 * The input with its "end" line replaced by the right one, so that mutations
 * of the body are not all stopped by the checksum. NULL if it would not fit.
 */
static char *with_checksum(const char *buf, size_t len, size_t *outlen)
{
	const char *nl = len > 1 ? memrchr(buf, '\n', len - 1) : NULL;
	size_t body = len, cap;
	char *t;
	int n;

	/* Drop a last line that starts like an end line: the fuzzer mutates seed files. */
	if (len >= 4 && nl && (size_t)(buf + len - (nl + 1)) >= 4 && !memcmp(nl + 1, "end ", 4))
		body = (size_t)(nl + 1 - buf);
	else if (len >= 4 && !nl && !memcmp(buf, "end ", 4))
		body = 0;
	cap = body + 1 + sizeof("end 12345678\n");
	t = malloc(cap);
	if (!t)
		return NULL;
	memcpy(t, buf, body);
	if (body > 0 && t[body - 1] != '\n')
		t[body++] = '\n';
	n = snprintf(t + body, cap - body, "end %08x\n", (unsigned int)ref_crc32(t, body));
	check(n == 13);
	*outlen = body + (size_t)n;
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t len;
	char *fixed;

	parse_and_round_trip(buf, size);

	fixed = with_checksum(buf, size, &len);
	if (fixed) {
		parse_and_round_trip(fixed, len);
		free(fixed);
	}
	return 0;
}
