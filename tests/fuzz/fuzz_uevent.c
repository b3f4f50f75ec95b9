/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for uevent_parse(): one datagram per input, checked against its contract. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uevent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

/* p lies in [buf, buf + len) and its string ends inside too. */
static int inside(const char *buf, size_t len, const char *p)
{
	return p >= buf && p < buf + len && memchr(p, '\0', (size_t)(buf + len - p)) != NULL;
}

/* On success every pointer is into buf and every key well formed. */
static void check_parsed(const struct uevent *ev, const char *buf, size_t len)
{
	size_t i;

	if (ev->group == UEVENT_GROUP_UDEV)
		check(ev->header == NULL && ev->action != NULL && ev->devpath != NULL &&
		      len >= UEVENT_UDEV_HEADER_SIZE && memcmp(buf, "libudev", 8) == 0);
	else
		check(ev->group == UEVENT_GROUP_KERNEL && ev->header == buf &&
		      strchr(ev->header, '@') != NULL);
	check(ev->len == len);
	check(ev->nkeys <= UEVENT_MAX_KEYS);
	for (i = 0; i < ev->nkeys; i++) {
		const struct uevent_kv *kv = &ev->keys[i];

		check(kv->keylen > 0 && inside(buf, len, kv->key));
		check(kv->key + kv->keylen + 1 == kv->value && kv->value[-1] == '=');
		check(memchr(kv->key, '\0', kv->keylen) == NULL);
		check(inside(buf, len, kv->value));
	}
	check(ev->action == uevent_get(ev, "ACTION"));
	check(ev->devpath == uevent_get(ev, "DEVPATH"));
	check(ev->subsystem == uevent_get(ev, "SUBSYSTEM"));
	check(uevent_get(ev, "SEQNUM") != NULL || ev->seqnum == 0);
	check(uevent_get(ev, "") == NULL);
	check(uevent_get(ev, NULL) == NULL);
}

/* On failure the documented errors only, and an empty event. */
static void check_failed(const struct uevent *ev, int r)
{
	check(r == -EINVAL || r == -ERANGE || r == -E2BIG);
	check(ev->group == 0);
	check(ev->header == NULL && ev->action == NULL && ev->devpath == NULL);
	check(ev->subsystem == NULL && ev->seqnum == 0 && ev->nkeys == 0 && ev->len == 0);
	check(uevent_get(ev, "ACTION") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uevent ev;
	const char *buf = (const char *)data;
	int r;

	check(uevent_parse(NULL, buf, size) == -EINVAL);
	check(uevent_parse(&ev, NULL, size) == -EINVAL);

	/* ev is static: leftovers of the previous input must not survive a parse. */
	r = uevent_parse(&ev, buf, size);
	if (r == 0)
		check_parsed(&ev, buf, size);
	else
		check_failed(&ev, r);
	return 0;
}
