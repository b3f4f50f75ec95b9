/* SPDX-License-Identifier: MIT */
/* Unit tests for uevent.c: real datagrams captured on Linux 6.18, then hostile input. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "uevent.h"

/*
 * Captured from a NETLINK_KOBJECT_UEVENT socket bound to group 1. A literal's
 * own terminating NUL is the datagram's final NUL, so sizeof() is what recv()
 * returned.
 */
static const char dg_lo[] = /* echo change > /sys/class/net/lo/uevent */
    "change@/devices/virtual/net/lo\0"
    "ACTION=change\0"
    "DEVPATH=/devices/virtual/net/lo\0"
    "SUBSYSTEM=net\0"
    "SYNTH_UUID=0\0"
    "INTERFACE=lo\0"
    "IFINDEX=1\0"
    "SEQNUM=820";

static const char dg_cpu0[] = /* echo change > /sys/devices/system/cpu/cpu0/uevent */
    "change@/devices/system/cpu/cpu0\0"
    "ACTION=change\0"
    "DEVPATH=/devices/system/cpu/cpu0\0"
    "SUBSYSTEM=cpu\0"
    "SYNTH_UUID=0\0"
    "MODALIAS=cpu:type:x86,ven0002fam0019mod0011:feature:,0000,0001,0002,0003,0004,0005,"
    "0006,0007,0008,0009,000B,000C,000D,000E,000F,0010,0011,0013,0017,0018,0019,001A,"
    "001C,0020,0021,0022,0023,0024,0025,0026,0027,0028,0029,002B,002C,002D,002E,002F,"
    "0030,0031,0034,0036,0037,0038,0039,003A,003B,003D,0064,0068,006E,0070,0074,0075,"
    "0076,0078,0079,007A,007F,0080,0081,0089,008C,008D,0091,0093,0094,0095,0096,0097,"
    "0098,0099,009A,009B,009C,009D,009E,009F,00C0,00C1,00C4,00C5,00C6,00C7,00C8,00C9,"
    "00D6,00EA,00ED,00F3,00FC,010F,0114,0115,0120,0121,0123,0125,0127,0128,0129,012A,"
    "0130,0131,0132,0133,0134,0135,0137,0138,013C,013D,013E,013F,0140,0141,0142,0143,"
    "0165,016C,016E,016F,0179,017E,0185,018B,01A0,01A2,01B1,01BC,01BE,01C2,0201,0202,"
    "0206,0207,0208,0209,020A,020B,020C,020E,0216,0244,0282,0289,02AB,02AC\n\0"
    "SEQNUM=821";

static const char dg_synth[] = /* echo "change 00000000-...-000000000000 FOO=bar" > .../lo/uevent */
    "change@/devices/virtual/net/lo\0"
    "ACTION=change\0"
    "DEVPATH=/devices/virtual/net/lo\0"
    "SUBSYSTEM=net\0"
    "SYNTH_UUID=00000000-0000-0000-0000-000000000000\0"
    "SYNTH_ARG_FOO=bar\0"
    "INTERFACE=lo\0"
    "IFINDEX=1\0"
    "SEQNUM=822";

struct real_case {
	const char *bytes;
	size_t len;
	size_t want_len; /* what recv() returned when it was captured */
	const char *action;
	const char *devpath;
	const char *subsystem;
	uint64_t seqnum;
	size_t nkeys;
};

static const struct real_case real_cases[] = {
	{ dg_lo, sizeof(dg_lo), 138, "change", "/devices/virtual/net/lo", "net", 820, 7 },
	{ dg_cpu0, sizeof(dg_cpu0), 911, "change", "/devices/system/cpu/cpu0", "cpu", 821, 6 },
	{ dg_synth, sizeof(dg_synth), 191, "change", "/devices/virtual/net/lo", "net", 822, 8 },
};

#define NREAL (sizeof(real_cases) / sizeof(real_cases[0]))

/* An exact-size heap copy, so that ASan catches any read past len. */
static char *copy_exact(const char *bytes, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, bytes, len);
	return p;
}

static void assert_empty(const struct uevent *ev)
{
	assert_int_equal(ev->group, 0);
	assert_null(ev->header);
	assert_null(ev->action);
	assert_null(ev->devpath);
	assert_null(ev->subsystem);
	assert_int_equal(ev->seqnum, 0);
	assert_int_equal(ev->len, 0);
	assert_int_equal(ev->nkeys, 0);
}

static int in_buf(const char *p, const char *buf, size_t len)
{
	return p >= buf && p < buf + len;
}

/* Everything a successful parse hands out stays inside buf and is NUL-terminated there. */
static void assert_consistent(const struct uevent *ev, const char *buf, size_t len)
{
	size_t i;

	assert_int_equal(ev->len, len);
	if (ev->group == UEVENT_GROUP_UDEV) {
		assert_null(ev->header);
		assert_non_null(ev->action);
		assert_non_null(ev->devpath);
	} else {
		assert_int_equal(ev->group, UEVENT_GROUP_KERNEL);
		assert_ptr_equal(ev->header, buf);
		assert_non_null(memchr(buf, '@', len));
	}
	assert_true(ev->nkeys <= UEVENT_MAX_KEYS);
	for (i = 0; i < ev->nkeys; i++) {
		const struct uevent_kv *kv = &ev->keys[i];

		assert_true(in_buf(kv->key, buf, len));
		assert_true(kv->keylen > 0);
		assert_true(in_buf(kv->key + kv->keylen, buf, len));
		assert_int_equal(kv->key[kv->keylen], '=');
		assert_ptr_equal(kv->value, kv->key + kv->keylen + 1);
		assert_true(in_buf(kv->value, buf, len));
		assert_non_null(memchr(kv->value, '\0', (size_t)(buf + len - kv->value)));
	}
	assert_ptr_equal(ev->action, uevent_get(ev, "ACTION"));
	assert_ptr_equal(ev->devpath, uevent_get(ev, "DEVPATH"));
	assert_ptr_equal(ev->subsystem, uevent_get(ev, "SUBSYSTEM"));
	if (uevent_get(ev, "SEQNUM") == NULL)
		assert_int_equal(ev->seqnum, 0);
}

static void assert_error_or_consistent(int r, const struct uevent *ev, const char *buf, size_t len)
{
	if (r == 0) {
		assert_consistent(ev, buf, len);
		return;
	}
	assert_true(r == -EINVAL || r == -ERANGE || r == -E2BIG);
	assert_empty(ev);
}

static void test_uevent_parses_real_datagrams(void **state)
{
	static struct uevent ev;
	size_t i;

	for (i = 0; i < NREAL; i++) {
		const struct real_case *c = &real_cases[i];
		char *buf = copy_exact(c->bytes, c->len);

		assert_int_equal(c->len, c->want_len);
		assert_int_equal(uevent_parse(&ev, buf, c->len), 0);
		assert_consistent(&ev, buf, c->len);
		assert_string_equal(ev.action, c->action);
		assert_string_equal(ev.devpath, c->devpath);
		assert_string_equal(ev.subsystem, c->subsystem);
		assert_int_equal(ev.seqnum, c->seqnum);
		assert_int_equal(ev.nkeys, c->nkeys);
		assert_int_equal(ev.len, c->len);
		assert_int_equal(strncmp(ev.header, c->action, strlen(c->action)), 0);
		free(buf);
	}
}

static void test_uevent_get_finds_exact_keys_only(void **state)
{
	static const struct {
		const char *key;
		const char *value; /* NULL: absent */
	} cases[] = {
		{ "SYNTH_UUID", "00000000-0000-0000-0000-000000000000" },
		{ "SYNTH_ARG_FOO", "bar" },
		{ "INTERFACE", "lo" },
		{ "IFINDEX", "1" },
		{ "SEQNUM", "822" },
		{ "FOO", NULL }, /* synthetic keys arrive as SYNTH_ARG_FOO */
		{ "SEQ", NULL }, /* a prefix of a key is not the key */
		{ "SEQNUMX", NULL },
		{ "seqnum", NULL }, /* keys are case-sensitive */
		{ "", NULL },
	};
	static struct uevent ev;
	size_t i;

	assert_int_equal(uevent_parse(&ev, dg_synth, sizeof(dg_synth)), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v = uevent_get(&ev, cases[i].key);

		if (cases[i].value == NULL)
			assert_null(v);
		else
			assert_string_equal(v, cases[i].value);
	}
	assert_null(uevent_get(&ev, NULL));
	assert_null(uevent_get(NULL, "ACTION"));
}

static void test_uevent_accepts_odd_but_valid_fields(void **state)
{
	static const char dg[] = "add@/x\0EMPTY=\0EQ=a=b\0SEQNUM=0\0SEQNUM=junk\0"
				 "ACTION=add\0ACTION=remove";
	static struct uevent ev;

	assert_int_equal(uevent_parse(&ev, dg, sizeof(dg)), 0);
	assert_string_equal(uevent_get(&ev, "EMPTY"), "");
	assert_string_equal(uevent_get(&ev, "EQ"), "a=b");
	/* a duplicated key: the first one wins, for the fields as for uevent_get() */
	assert_int_equal(ev.seqnum, 0);
	assert_string_equal(ev.action, "add");
	assert_null(ev.devpath);
	assert_null(ev.subsystem);
	assert_int_equal(ev.nkeys, 6);
}

static void test_uevent_accepts_header_without_keys(void **state)
{
	static const char dg[] = "add@/devices/x";
	static struct uevent ev;

	assert_int_equal(uevent_parse(&ev, dg, sizeof(dg)), 0);
	assert_int_equal(ev.nkeys, 0);
	assert_null(ev.action);
	assert_int_equal(ev.seqnum, 0);
}

static void test_uevent_seqnum_takes_full_u64_range(void **state)
{
	static const struct {
		const char *dg;
		size_t len;
		int ret;
		uint64_t seqnum;
	} cases[] = {
#define SEQ(s, r, v) { "add@/x\0SEQNUM=" s, sizeof("add@/x\0SEQNUM=" s), r, v }
		SEQ("0", 0, 0),
		SEQ("007", 0, 7),
		SEQ("18446744073709551615", 0, UINT64_MAX),
		SEQ("18446744073709551616", -ERANGE, 0),
		SEQ("18446744073709551620", -ERANGE, 0),
		SEQ("99999999999999999999999", -ERANGE, 0),
		SEQ("000000000000000000000000000001", 0, 1),
		SEQ("", -EINVAL, 0),
		SEQ("-1", -EINVAL, 0),
		SEQ("+1", -EINVAL, 0),
		SEQ(" 1", -EINVAL, 0),
		SEQ("1 ", -EINVAL, 0),
		SEQ("12a", -EINVAL, 0),
		SEQ("0x10", -EINVAL, 0),
		SEQ("\xff", -EINVAL, 0),
#undef SEQ
	};
	static struct uevent ev;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = copy_exact(cases[i].dg, cases[i].len);
		int r = uevent_parse(&ev, buf, cases[i].len);

		assert_int_equal(r, cases[i].ret);
		if (r == 0)
			assert_int_equal(ev.seqnum, cases[i].seqnum);
		else
			assert_empty(&ev);
		free(buf);
	}
}

static void test_uevent_rejects_malformed_datagrams(void **state)
{
	static const struct {
		const char *name;
		const char *bytes;
		size_t len;
	} cases[] = {
#define DG(n, s) { n, s, sizeof(s) } /* the literal's NUL ends it */
#define RAW(n, s)                                                                                  \
	{                                                                                          \
		n, s, sizeof(s) - 1                                                                \
	} /* exactly the bytes written */
		RAW("empty", ""),
		DG("only the final NUL", ""),
		RAW("no final NUL", "add@/x\0ACTION=add"),
		RAW("header without any NUL", "add@/devices/virtual/net/lo"),
		RAW("real datagram without its final NUL",
		    "change@/devices/virtual/net/lo\0ACTION=change\0SEQNUM=820"),
		DG("no @", "change/devices/virtual/net/lo\0ACTION=change"),
		DG("@ first", "@/devices/x\0ACTION=add"),
		DG("@ last", "add@\0ACTION=add"),
		DG("key without =", "add@/x\0ACTION=add\0DEVPATH"),
		DG("empty key", "add@/x\0=add"),
		DG("empty field", "add@/x\0ACTION=add\0\0SEQNUM=1"),
		DG("trailing empty field", "add@/x\0ACTION=add\0"),
		DG("leading NUL", "\0add@/x\0ACTION=add"),
		DG("libudev properties_len beyond the datagram",
		   "libudev\0\xfe\xed\xca\xfe\x28\0\0\0\x28\0\0\0\x40\0\0\0"
		   "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
		   "ACTION=add\0DEVPATH=/devices/x\0SUBSYSTEM=net\0SEQNUM=1"),
		RAW("bare libudev tag", "libudev\0"),
#undef DG
#undef RAW
	};
	static struct uevent ev;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = copy_exact(cases[i].bytes, cases[i].len);

		/* a previous good parse must not leak into a failed one */
		assert_int_equal(uevent_parse(&ev, dg_lo, sizeof(dg_lo)), 0);
		if (uevent_parse(&ev, buf, cases[i].len) != -EINVAL)
			fail_msg("case \"%s\" was not rejected with -EINVAL", cases[i].name);
		assert_empty(&ev);
		free(buf);
	}
}

/*
 * A libudev datagram as udevd sends it to group 2: the 40-byte header (magic in
 * network order, the rest in host order, as sd-device writes it), then props.
 */
static size_t build_udev(char *buf, uint32_t magic_be, uint32_t off, uint32_t plen,
			 const char *props, size_t props_len)
{
	uint32_t hdr[8] = { magic_be, 40, off, plen, 0x1234, 0, 0, 0 };

	memcpy(buf, "libudev", 8);
	memcpy(buf + 8, hdr, sizeof(hdr));
	memcpy(buf + 40, props, props_len);
	return 40 + props_len;
}

/* The properties udevd adds to the kernel's for lo (net_id, the .link file, tags). */
static const char udev_lo[] = "ACTION=change\0"
			      "DEVPATH=/devices/virtual/net/lo\0"
			      "SUBSYSTEM=net\0"
			      "SYNTH_UUID=0\0"
			      "INTERFACE=lo\0"
			      "IFINDEX=1\0"
			      "SEQNUM=4312\0"
			      "USEC_INITIALIZED=2671283\0"
			      "ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link\0"
			      "ID_PATH=virtual\0"
			      "TAGS=:systemd:\0"
			      "CURRENT_TAGS=:systemd:"; /* the literal's NUL ends the last one */

static void test_uevent_parses_udev_datagrams(void **state)
{
	static char src[UEVENT_MAX_SIZE + 64];
	static struct uevent ev;
	const struct {
		const char *name;
		uint32_t off_delta; /* added to 40 */
		size_t pad;	    /* NULs after the properties, counted in properties_len */
	} cases[] = {
		{ "as sd-device sends it", 0, 0 },
		{ "trailing NUL padding", 0, 3 },
		{ "a longer header of a newer sender", 8, 0 },
	};
	const uint32_t MAGIC_BE = htonl(UEVENT_UDEV_MAGIC);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t plen = sizeof(udev_lo) + cases[i].pad;
		char props[512] = { 0 };
		size_t len;
		char *buf;

		memcpy(props + cases[i].off_delta, udev_lo, sizeof(udev_lo));
		len = build_udev(src, MAGIC_BE, 40 + cases[i].off_delta, (uint32_t)plen, props,
				 plen + cases[i].off_delta);
		buf = copy_exact(src, len);
		if (uevent_parse(&ev, buf, len) != 0)
			fail_msg("case \"%s\" was refused", cases[i].name);
		assert_consistent(&ev, buf, len);
		assert_int_equal(ev.group, UEVENT_GROUP_UDEV);
		assert_int_equal(ev.len, len); /* the header counts: the kernel charges it */
		assert_string_equal(ev.action, "change");
		assert_string_equal(ev.devpath, "/devices/virtual/net/lo");
		assert_string_equal(ev.subsystem, "net");
		assert_int_equal(ev.seqnum, 4312);
		assert_int_equal(ev.nkeys, 12);
		assert_string_equal(uevent_get(&ev, "CURRENT_TAGS"), ":systemd:");
		free(buf);
	}
}

static void test_uevent_rejects_hostile_udev_datagrams(void **state)
{
	static char src[1024];
	static struct uevent ev;
	const uint32_t n = sizeof(udev_lo), MAGIC_BE = htonl(UEVENT_UDEV_MAGIC);
	const struct {
		const char *name;
		uint32_t magic, off, plen;
		const char *props;
		size_t props_len; /* bytes after the header */
		size_t cut;	  /* bytes cut off the end */
		int ret;
	} cases[] = {
		{ "wrong magic", ~MAGIC_BE, 40, n, udev_lo, n, 0, -EINVAL },
		{ "magic in host order", htonl(MAGIC_BE) == MAGIC_BE ? 0 : UEVENT_UDEV_MAGIC, 40, n,
		  udev_lo, n, 0, -EINVAL },
		{ "truncated header", MAGIC_BE, 40, n, udev_lo, 0, 10, -EINVAL },
		{ "header only", MAGIC_BE, 40, 0, "", 0, 0, -EINVAL },
		{ "properties_off beyond the datagram", MAGIC_BE, 4096, n, udev_lo, n, 0, -EINVAL },
		{ "properties_off at its end", MAGIC_BE, 40 + n, 1, udev_lo, n, 0, -EINVAL },
		{ "properties_off inside the header", MAGIC_BE, 16, n, udev_lo, n, 0, -EINVAL },
		{ "properties_off near 2^32", MAGIC_BE, 0xfffffff0u, 0x20, udev_lo, n, 0, -EINVAL },
		{ "properties_len beyond the datagram", MAGIC_BE, 40, n + 1, udev_lo, n, 0,
		  -EINVAL },
		{ "properties_len near 2^32", MAGIC_BE, 40, 0xffffffffu, udev_lo, n, 0, -EINVAL },
		{ "datagram cut in the properties", MAGIC_BE, 40, n, udev_lo, n, 20, -EINVAL },
		{ "properties without final NUL", MAGIC_BE, 40, n - 1, udev_lo, n - 1, 0, -EINVAL },
		{ "no ACTION", MAGIC_BE, 40, 23, "DEVPATH=/x\0SUBSYSTEM=a", 23, 0, -EINVAL },
		{ "no DEVPATH", MAGIC_BE, 40, 11, "ACTION=add", 11, 0, -EINVAL },
		{ "only NULs", MAGIC_BE, 40, 8, "\0\0\0\0\0\0\0", 8, 0, -EINVAL },
		{ "an empty field then more", MAGIC_BE, 40, 23, "ACTION=add\0\0DEVPATH=/x", 23, 0,
		  -EINVAL },
		{ "key without =", MAGIC_BE, 40, 27, "ACTION=add\0DEVPATH=/x\0JUNK", 27, 0,
		  -EINVAL },
		{ "bad SEQNUM", MAGIC_BE, 40, 30, "ACTION=add\0DEVPATH=/x\0SEQNUM=x", 30, 0,
		  -EINVAL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = build_udev(src, cases[i].magic, cases[i].off, cases[i].plen,
					cases[i].props, cases[i].props_len) -
			     cases[i].cut;
		char *buf = copy_exact(src, len);
		int r;

		assert_int_equal(uevent_parse(&ev, dg_lo, sizeof(dg_lo)), 0);
		r = uevent_parse(&ev, buf, len);
		if (r != cases[i].ret)
			fail_msg("case \"%s\": %d, not %d", cases[i].name, r, cases[i].ret);
		assert_empty(&ev);
		free(buf);
	}
}

static void test_uevent_rejects_null_arguments(void **state)
{
	static struct uevent ev;

	assert_int_equal(uevent_parse(NULL, dg_lo, sizeof(dg_lo)), -EINVAL);
	assert_int_equal(uevent_parse(&ev, NULL, 0), -EINVAL);
	assert_int_equal(uevent_parse(&ev, NULL, sizeof(dg_lo)), -EINVAL);
	assert_empty(&ev);
}

/* "add@/x\0" then n fields "K=v\0": n keys in 7 + 4n bytes. */
static size_t build_keys(char *buf, size_t n)
{
	size_t off = 0, i;

	memcpy(buf, "add@/x", 7);
	off = 7;
	for (i = 0; i < n; i++) {
		memcpy(buf + off, "K=v", 4);
		off += 4;
	}
	return off;
}

static void test_uevent_rejects_more_than_max_keys(void **state)
{
	static const struct {
		size_t nkeys;
		int ret;
	} cases[] = {
		{ 1, 0 },
		{ UEVENT_MAX_KEYS - 1, 0 },
		{ UEVENT_MAX_KEYS, 0 },
		{ UEVENT_MAX_KEYS + 1, -E2BIG },
		{ 2 * UEVENT_MAX_KEYS, -E2BIG },
	};
	static char src[7 + 4 * 2 * UEVENT_MAX_KEYS];
	static struct uevent ev;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = build_keys(src, cases[i].nkeys);
		char *buf = copy_exact(src, len);
		int r = uevent_parse(&ev, buf, len);

		assert_int_equal(r, cases[i].ret);
		if (r == 0) {
			assert_int_equal(ev.nkeys, cases[i].nkeys);
			assert_consistent(&ev, buf, len);
		} else {
			assert_empty(&ev);
		}
		free(buf);
	}
}

static void test_uevent_rejects_oversized_datagrams(void **state)
{
	static const struct {
		size_t len;
		int ret;
	} cases[] = {
		{ UEVENT_MAX_SIZE - 1, 0 }, { UEVENT_MAX_SIZE, 0 }, { UEVENT_MAX_SIZE + 1, -E2BIG },
		{ 65536, -E2BIG },	    { SIZE_MAX, -E2BIG }, /* refused on its length alone,
								     before any read */
	};
	static char src[65536];
	static struct uevent ev;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len;
		char *buf;
		int r;

		if (len > sizeof(src)) {
			assert_int_equal(uevent_parse(&ev, src, len), cases[i].ret);
			assert_empty(&ev);
			continue;
		}
		/* one long valid value fills the datagram exactly */
		memset(src, 'x', len);
		memcpy(src, "add@/x\0BIG=", 11);
		src[len - 1] = '\0';
		buf = copy_exact(src, len);
		r = uevent_parse(&ev, buf, len);
		assert_int_equal(r, cases[i].ret);
		if (r == 0) {
			assert_consistent(&ev, buf, len);
			assert_int_equal(strlen(uevent_get(&ev, "BIG")), len - 12);
		} else {
			assert_empty(&ev);
		}
		free(buf);
	}
}

/*
 * Every prefix of a real datagram: it parses exactly when it ends on a field's
 * NUL (and then holds the fields before the cut), and never reads past the cut.
 */
static void test_uevent_truncated_at_every_offset_is_safe(void **state)
{
	static struct uevent ev;
	size_t i, k;

	for (i = 0; i < NREAL; i++) {
		const struct real_case *c = &real_cases[i];
		size_t hlen = strlen(c->bytes);

		for (k = 0; k <= c->len; k++) {
			char *buf = copy_exact(c->bytes, k);
			int r = uevent_parse(&ev, buf, k);
			int whole_fields = k > hlen && c->bytes[k - 1] == '\0';

			assert_int_equal(r, whole_fields ? 0 : -EINVAL);
			assert_error_or_consistent(r, &ev, buf, k);
			free(buf);
		}
	}
}

/* xorshift64: a fixed seed, so a failure replays. */
static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Bytes that matter to the parser come often, the rest of the 256 values too. */
static char rnd_byte(uint64_t *s)
{
	static const char special[] = { '\0', '=', '@', '0', '9', 'S', '\xff', '\x80' };
	uint64_t v = rnd_next(s);

	if (v & 1)
		return special[(v >> 1) % sizeof(special)];
	return (char)(v >> 8);
}

static void test_uevent_binary_garbage_is_safe(void **state)
{
	static char src[UEVENT_MAX_SIZE + 16];
	static struct uevent ev;
	uint64_t seed = 0x6e6c74756e65ULL;
	int round;

	for (round = 0; round < 20000; round++) {
		size_t len = (size_t)(rnd_next(&seed) % (round < 19000 ? 64 : sizeof(src)));
		size_t j;
		char *buf;
		int r;

		for (j = 0; j < len; j++)
			src[j] = rnd_byte(&seed);
		if (len && (round & 1))
			src[len - 1] = '\0'; /* half of them get past the first check */
		buf = copy_exact(src, len);
		r = uevent_parse(&ev, buf, len);
		assert_error_or_consistent(r, &ev, buf, len);
		free(buf);
	}
}

static void test_uevent_mutated_real_datagrams_are_safe(void **state)
{
	static struct uevent ev;
	uint64_t seed = 0x75657665ULL;
	int round;

	for (round = 0; round < 20000; round++) {
		const struct real_case *c = &real_cases[rnd_next(&seed) % NREAL];
		char *buf = copy_exact(c->bytes, c->len);
		int flips = 1 + (int)(rnd_next(&seed) % 4);
		int r;

		while (flips--)
			buf[rnd_next(&seed) % c->len] = rnd_byte(&seed);
		r = uevent_parse(&ev, buf, c->len);
		assert_error_or_consistent(r, &ev, buf, c->len);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uevent_parses_real_datagrams),
		cmocka_unit_test(test_uevent_get_finds_exact_keys_only),
		cmocka_unit_test(test_uevent_accepts_odd_but_valid_fields),
		cmocka_unit_test(test_uevent_accepts_header_without_keys),
		cmocka_unit_test(test_uevent_seqnum_takes_full_u64_range),
		cmocka_unit_test(test_uevent_rejects_malformed_datagrams),
		cmocka_unit_test(test_uevent_parses_udev_datagrams),
		cmocka_unit_test(test_uevent_rejects_hostile_udev_datagrams),
		cmocka_unit_test(test_uevent_rejects_null_arguments),
		cmocka_unit_test(test_uevent_rejects_more_than_max_keys),
		cmocka_unit_test(test_uevent_rejects_oversized_datagrams),
		cmocka_unit_test(test_uevent_truncated_at_every_offset_is_safe),
		cmocka_unit_test(test_uevent_binary_garbage_is_safe),
		cmocka_unit_test(test_uevent_mutated_real_datagrams_are_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
