/* SPDX-License-Identifier: MIT */
/* /proc/net/netlink parsed into struct nlsock rows, and protocol names: pure, no I/O. */
#include "nlparse.h"

#include <errno.h>
#include <string.h>

#include "num.h"

#define NCOLS 10

static const char *const columns[NCOLS] = {
	"sk", "Eth", "Pid", "Groups", "Rmem", "Wmem", "Dump", "Locks", "Drops", "Inode",
};

struct field {
	const char *p;
	size_t len;
};

/*
 * Split [p, p + len) at spaces and tabs into at most NCOLS fields. Returns the
 * number of fields, or NCOLS + 1 if there are more.
 */
static size_t split(const char *p, size_t len, struct field *f)
{
	size_t i = 0, n = 0;

	for (;;) {
		size_t start;

		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i == len)
			return n;
		if (n == NCOLS)
			return NCOLS + 1;
		start = i;
		while (i < len && p[i] != ' ' && p[i] != '\t')
			i++;
		f[n].p = p + start;
		f[n].len = i - start;
		n++;
	}
}

static bool field_is(const struct field *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->p, s, f->len) == 0;
}

static bool parse_dec(const struct field *f, uint64_t max, uint64_t *v)
{
	return num_u64(f->p, f->len, max, v) == 0;
}

/* 1..digits hex digits; no 0x prefix (the kernel prints none). */
static bool parse_hex(const struct field *f, size_t digits, uint64_t *v)
{
	return num_hex(f->p, f->len, digits, v) == 0;
}

/* %pK/%p: a hashed pointer, zeros under kptr_restrict, or a placeholder before the RNG is up. */
static bool parse_sk(const struct field *f)
{
	uint64_t ignored;

	return parse_hex(f, 16, &ignored) || field_is(f, "(____ptrval____)") ||
	       field_is(f, "(ptrval)");
}

static bool parse_header(const char *p, size_t len)
{
	struct field f[NCOLS];
	size_t i;

	if (len > NLPARSE_MAX_LINE || len < 2 || memcmp(p, "sk", 2) != 0)
		return false;
	if (split(p, len, f) != NCOLS)
		return false;
	for (i = 0; i < NCOLS; i++)
		if (!field_is(&f[i], columns[i]))
			return false;
	return true;
}

static bool parse_row(const char *p, size_t len, uint64_t netns, struct nlsock *s)
{
	struct field f[NCOLS];
	uint64_t eth, pid, groups, rmem, wmem, dump, locks, drops, inode;

	if (len > NLPARSE_MAX_LINE || split(p, len, f) != NCOLS)
		return false;
	if (!parse_sk(&f[0]) || !parse_dec(&f[1], UINT32_MAX, &eth) ||
	    !parse_dec(&f[2], UINT32_MAX, &pid) || !parse_hex(&f[3], 8, &groups) ||
	    !parse_dec(&f[4], UINT32_MAX, &rmem) || !parse_dec(&f[5], UINT32_MAX, &wmem) ||
	    !parse_dec(&f[6], UINT32_MAX, &dump) || !parse_dec(&f[7], UINT32_MAX, &locks) ||
	    !parse_dec(&f[8], UINT32_MAX, &drops) || !parse_dec(&f[9], UINT64_MAX, &inode))
		return false;
	memset(s, 0, sizeof(*s));
	s->inode = inode;
	s->netns = netns;
	s->protocol = (uint32_t)eth;
	s->portid = (uint32_t)pid;
	s->groups = (uint32_t)groups;
	s->rmem = (uint32_t)rmem;
	s->drops = (uint32_t)drops;
	return true;
}

ssize_t nlparse_table(const char *buf, size_t len, uint64_t netns, struct nlsock *out, size_t max,
		      size_t *bad)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t stored = 0, nbad = 0;

	if (bad)
		*bad = 0;
	if (len == 0)
		return -EBADMSG;
	nl = memchr(p, '\n', len);
	if (!parse_header(p, nl ? (size_t)(nl - p) : len))
		return -EBADMSG;
	p = nl ? nl + 1 : end;
	while (p < end) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (stored < max && parse_row(p, n, netns, &out[stored]))
			stored++;
		else
			nbad++;
		p = nl ? nl + 1 : end;
	}
	if (bad)
		*bad = nbad;
	return (ssize_t)stored;
}

const char *nlparse_proto_name(uint32_t protocol)
{
	static const char *const names[] = {
		[0] = "rtnl",	 [1] = "unused",      [2] = "usersock",	  [3] = "fw",
		[4] = "tcpdiag", [5] = "nflog",	      [6] = "xfrm",	  [7] = "selinux",
		[8] = "iscsi",	 [9] = "audit",	      [10] = "fiblookup", [11] = "connector",
		[12] = "nft",	 [13] = "ip6fw",      [14] = "dec-rt",	  [15] = "uevent",
		[16] = "genl",	 [18] = "scsi-trans", [19] = "ecryptfs",  [20] = "rdma",
		[21] = "crypto",
	};

	return protocol < sizeof(names) / sizeof(names[0]) ? names[protocol] : NULL;
}
