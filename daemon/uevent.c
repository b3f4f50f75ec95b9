/* SPDX-License-Identifier: MIT */
/* Parse one uevent datagram in place (kernel or libudev): keys and the four fields nltune reads. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "num.h"

#include "uevent.h"

/* libudev's re-broadcasts (group 2) start with this 8-byte tag, NUL included. */
static const char libudev_tag[] = "libudev";

static void uevent_reset(struct uevent *ev)
{
	ev->group = 0;
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

/*
 * "KEY=VALUE\0" fields in [p, end); end[-1] is NUL, so every strlen() stops
 * inside. With pad, an empty field ends the list if only NULs follow it.
 */
static int parse_keys(struct uevent *ev, const char *p, const char *end, bool pad)
{
	const char *q;
	int r;

	for (; p < end; p += strlen(p) + 1) {
		const char *eq = strchr(p, '=');
		struct uevent_kv *kv;

		if (*p == '\0' && pad) {
			for (q = p; q < end && *q == '\0'; q++)
				;
			if (q != end)
				return -EINVAL;
			break;
		}
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
	return 0;
}

static int parse_kernel(struct uevent *ev, const char *buf, size_t len)
{
	size_t hlen;

	if (buf[len - 1] != '\0')
		return -EINVAL;
	/* The final byte is NUL, so strlen() stops inside buf. */
	hlen = strlen(buf);
	if (!header_valid(buf, hlen))
		return -EINVAL;
	ev->group = UEVENT_GROUP_KERNEL;
	ev->header = buf;
	return parse_keys(ev, buf + hlen + 1, buf + len, false);
}

static uint32_t read_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* sd-device's struct monitor_netlink_header: the offsets of its fields. */
#define UDEV_OFF_MAGIC	   8
#define UDEV_OFF_PROPS_OFF 16
#define UDEV_OFF_PROPS_LEN 20

static int parse_udev(struct uevent *ev, const char *buf, size_t len)
{
	uint32_t off, plen;
	int r;

	if (len < UEVENT_UDEV_HEADER_SIZE ||
	    ntohl(read_u32(buf + UDEV_OFF_MAGIC)) != UEVENT_UDEV_MAGIC)
		return -EINVAL;
	off = read_u32(buf + UDEV_OFF_PROPS_OFF);
	plen = read_u32(buf + UDEV_OFF_PROPS_LEN);
	/* len <= UEVENT_MAX_SIZE, so off and plen are checked before their sum could wrap. */
	if (off < UEVENT_UDEV_HEADER_SIZE || off >= len || plen == 0 || plen > len - off ||
	    buf[off + plen - 1] != '\0')
		return -EINVAL;
	ev->group = UEVENT_GROUP_UDEV;
	r = parse_keys(ev, buf + off, buf + off + plen, true);
	if (r < 0)
		return r;
	if (ev->action == NULL || ev->devpath == NULL)
		return -EINVAL;
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
		r = parse_udev(ev, buf, len);
	else
		r = parse_kernel(ev, buf, len);
	if (r < 0)
		uevent_reset(ev);
	else
		ev->len = len;
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
