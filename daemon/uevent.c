/* SPDX-License-Identifier: MIT */
/* Parse one kernel uevent datagram in place: header, keys and the four fields nltune reads. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "num.h"

#include "uevent.h"

/* libudev's re-broadcasts (group 2) start with this 8-byte tag, NUL included. */
static const char libudev_tag[] = "libudev";

static void uevent_reset(struct uevent *ev)
{
	ev->header = NULL;
	ev->action = NULL;
	ev->devpath = NULL;
	ev->subsystem = NULL;
	ev->seqnum = 0;
	ev->len = 0;
	ev->nkeys = 0;
}

/* "ACTION@DEVPATH": both sides non-empty; the kernel never sends anything else. */
static bool header_valid(const char *h, size_t hlen)
{
	const char *at = memchr(h, '@', hlen);

	return at != NULL && at != h && at + 1 < h + hlen;
}

static int parse_fields(struct uevent *ev, const char *buf, size_t len)
{
	const char *end = buf + len;
	const char *p;
	size_t hlen;
	int r;

	/* The final byte is NUL, so every strlen() below stops inside buf. */
	hlen = strlen(buf);
	if (!header_valid(buf, hlen))
		return -EINVAL;
	ev->header = buf;

	for (p = buf + hlen + 1; p < end; p += strlen(p) + 1) {
		const char *eq = strchr(p, '=');
		struct uevent_kv *kv;

		if (eq == NULL || eq == p)
			return -EINVAL;
		if (ev->nkeys == UEVENT_MAX_KEYS)
			return -E2BIG;
		kv = &ev->keys[ev->nkeys++];
		kv->key = p;
		kv->keylen = (size_t)(eq - p);
		kv->value = eq + 1;
	}

	/* Duplicated keys: the first one wins, as in uevent_get(). */
	ev->action = uevent_get(ev, "ACTION");
	ev->devpath = uevent_get(ev, "DEVPATH");
	ev->subsystem = uevent_get(ev, "SUBSYSTEM");
	p = uevent_get(ev, "SEQNUM");
	if (p != NULL) {
		r = num_u64_str(p, UINT64_MAX, &ev->seqnum);
		if (r < 0)
			return r;
	}
	ev->len = len;
	return 0;
}

int uevent_parse(struct uevent *ev, const char *buf, size_t len)
{
	int r;

	if (ev == NULL)
		return -EINVAL;
	uevent_reset(ev);
	if (buf == NULL || len == 0)
		return -EINVAL;
	if (len > UEVENT_MAX_SIZE)
		return -E2BIG;
	if (len >= sizeof(libudev_tag) && memcmp(buf, libudev_tag, sizeof(libudev_tag)) == 0)
		return -EINVAL;
	if (buf[len - 1] != '\0')
		return -EINVAL;

	r = parse_fields(ev, buf, len);
	if (r < 0)
		uevent_reset(ev);
	return r;
}

const char *uevent_get(const struct uevent *ev, const char *key)
{
	size_t klen, i;

	if (ev == NULL || key == NULL)
		return NULL;
	klen = strlen(key);
	for (i = 0; i < ev->nkeys; i++) {
		const struct uevent_kv *kv = &ev->keys[i];

		if (kv->keylen == klen && memcmp(kv->key, key, klen) == 0)
			return kv->value;
	}
	return NULL;
}
