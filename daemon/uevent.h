/* SPDX-License-Identifier: MIT */
/* Parse one uevent datagram: the kernel's (group 1) or udevd's libudev one (group 2); bounded. */
#ifndef NLTUNE_UEVENT_H
#define NLTUNE_UEVENT_H

#include <stddef.h>
#include <stdint.h>

#define UEVENT_MAX_KEYS 128  /* the kernel's UEVENT_NUM_ENVP is 64 */
#define UEVENT_MAX_SIZE 8192 /* larger datagrams are refused (kernel: 2048 of env) */

/* The multicast groups of NETLINK_KOBJECT_UEVENT: the kernel's events and udevd's. */
#define UEVENT_GROUP_KERNEL 1
#define UEVENT_GROUP_UDEV   2

/*
 * udevd's (sd-device's) header before the properties: "libudev\0", the magic
 * 0xfeedcafe in network order, then header_size, properties_off and
 * properties_len in host order and four filter hashes: 40 bytes.
 */
#define UEVENT_UDEV_MAGIC	0xfeedcafeu
#define UEVENT_UDEV_HEADER_SIZE 40

struct uevent_kv {
	const char
	    *key; /* points into the datagram, ends at '=' (not NUL-terminated): use keylen */
	size_t keylen;
	const char *value; /* NUL-terminated (the datagram's own separator) */
};

struct uevent {
	unsigned int group;    /* UEVENT_GROUP_KERNEL or UEVENT_GROUP_UDEV (0 when empty) */
	const char *header;    /* "ACTION@DEVPATH", NUL-terminated; NULL for udevd's */
	const char *action;    /* value of ACTION= (or NULL) */
	const char *devpath;   /* value of DEVPATH= (or NULL) */
	const char *subsystem; /* value of SUBSYSTEM= (or NULL) */
	uint64_t seqnum;       /* value of SEQNUM=, 0 if absent */
	size_t len;	       /* payload bytes, as recv() returned them */
	size_t nkeys;
	struct uevent_kv keys[UEVENT_MAX_KEYS];
};

/*
 * Parse buf[0..len): a kernel datagram "ACTION@DEVPATH\0KEY=VALUE\0...", which
 * must be NUL-terminated (the kernel's always is), or a libudev one: the
 * header above, then properties_len bytes of "KEY=VALUE\0" at properties_off
 * (NUL padding after the last one is allowed), which must lie within buf,
 * after the header, and hold ACTION and DEVPATH. Returns 0, -EINVAL for
 * anything malformed (no '@' header, a libudev header truncated or with
 * another magic or its properties outside the datagram, key without '=' or
 * empty key, missing final NUL, empty, SEQNUM not all digits), -ERANGE for a
 * SEQNUM above UINT64_MAX, -E2BIG for more than UEVENT_MAX_KEYS keys or more
 * than UEVENT_MAX_SIZE bytes. ev->len is always the whole datagram (what the
 * kernel charges). ev points into buf afterwards; on error it is left empty
 * (group 0, nkeys 0, pointers NULL). Never logs.
 */
int uevent_parse(struct uevent *ev, const char *buf, size_t len);

/* The value of key in ev, or NULL. */
const char *uevent_get(const struct uevent *ev, const char *key);

#endif
