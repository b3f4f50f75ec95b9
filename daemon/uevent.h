/* SPDX-License-Identifier: MIT */
/* Parse one kernel uevent datagram "ACTION@DEVPATH\0KEY=VALUE\0..."; bounded, no allocation. */
#ifndef NLTUNE_UEVENT_H
#define NLTUNE_UEVENT_H

#include <stddef.h>
#include <stdint.h>

#define UEVENT_MAX_KEYS 128  /* the kernel's UEVENT_NUM_ENVP is 64 */
#define UEVENT_MAX_SIZE 8192 /* larger datagrams are refused (kernel: 2048 of env) */

struct uevent_kv {
	const char
	    *key; /* points into the datagram, ends at '=' (not NUL-terminated): use keylen */
	size_t keylen;
	const char *value; /* NUL-terminated (the datagram's own separator) */
};

struct uevent {
	const char *header;    /* "ACTION@DEVPATH", NUL-terminated */
	const char *action;    /* value of ACTION= (or NULL) */
	const char *devpath;   /* value of DEVPATH= (or NULL) */
	const char *subsystem; /* value of SUBSYSTEM= (or NULL) */
	uint64_t seqnum;       /* value of SEQNUM=, 0 if absent */
	size_t len;	       /* payload bytes, as recv() returned them */
	size_t nkeys;
	struct uevent_kv keys[UEVENT_MAX_KEYS];
};

/*
 * Parse buf[0..len). The datagram must be NUL-terminated (the kernel's always
 * is). Returns 0, -EINVAL for anything malformed (no '@' header, libudev
 * messages, key without '=' or empty key, missing final NUL, empty, SEQNUM not
 * all digits), -ERANGE for a SEQNUM above UINT64_MAX, -E2BIG for more than
 * UEVENT_MAX_KEYS keys or more than UEVENT_MAX_SIZE bytes. ev points into buf
 * afterwards; on error it is left empty (nkeys 0, pointers NULL). Never logs.
 */
int uevent_parse(struct uevent *ev, const char *buf, size_t len);

/* The value of key in ev, or NULL. */
const char *uevent_get(const struct uevent *ev, const char *key);

#endif
