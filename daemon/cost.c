/* SPDX-License-Identifier: MIT */
/* The sockets a raise of rmem_default reaches and the memory they could take: parse and sum. */
#include "cost.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "num.h"
#include "sanitize.h"

/* How each family's dump message looks: its fixed header and its meminfo attribute. */
static const struct {
	const char *name;
	size_t hdr;
	uint16_t meminfo;
} fams[COST_NFAM] = {
	[COST_NETLINK] = { "netlink", sizeof(struct netlink_diag_msg), NETLINK_DIAG_MEMINFO },
	[COST_UDP] = { "udp", sizeof(struct inet_diag_msg), INET_DIAG_SKMEMINFO },
	[COST_UNIX_DGRAM] = { "unix_dgram", sizeof(struct unix_diag_msg), UNIX_DIAG_MEMINFO },
	[COST_PACKET] = { "packet", sizeof(struct packet_diag_msg), PACKET_DIAG_MEMINFO },
};

const char *cost_family_name(enum cost_family f)
{
	return (unsigned int)f < COST_NFAM ? fams[f].name : "";
}

/* The inode in the family's header; false for a row the count leaves out. */
static bool header_inode(enum cost_family f, const void *p, uint64_t *ino)
{
	switch (f) {
	case COST_NETLINK:
		*ino = ((const struct netlink_diag_msg *)p)->ndiag_ino;
		return true;
	case COST_UDP:
		*ino = ((const struct inet_diag_msg *)p)->idiag_inode;
		return true;
	case COST_UNIX_DGRAM:
		*ino = ((const struct unix_diag_msg *)p)->udiag_ino;
		return ((const struct unix_diag_msg *)p)->udiag_type == SOCK_DGRAM;
	case COST_PACKET:
		*ino = ((const struct packet_diag_msg *)p)->pdiag_ino;
		return true;
	case COST_NFAM:
		break;
	}
	return false;
}

int cost_parse(enum cost_family f, const struct nlmsghdr *nlh, struct cost_row *row)
{
	const struct nlattr *a;
	uint32_t v[SK_MEMINFO_RCVBUF + 1];

	if ((unsigned int)f >= COST_NFAM || nlh->nlmsg_len < sizeof(*nlh))
		return -EBADMSG;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < fams[f].hdr)
		return -EBADMSG;
	memset(row, 0, sizeof(*row));
	if (!header_inode(f, mnl_nlmsg_get_payload(nlh), &row->inode))
		return 0;
	mnl_attr_for_each(a, nlh, fams[f].hdr)
	{
		if (mnl_attr_get_type(a) != fams[f].meminfo)
			continue;
		/* u32[SK_MEMINFO_VARS]; older kernels wrote fewer, newer ones may write more */
		if (mnl_attr_get_payload_len(a) < sizeof(v))
			return -EBADMSG;
		memcpy(v, mnl_attr_get_payload(a), sizeof(v));
		row->rcvbuf = v[SK_MEMINFO_RCVBUF];
		return 1;
	}
	return -EBADMSG;
}

int cost_tally_add(struct cost_tally *t, const struct cost_row *row, uint64_t rmem_default)
{
	if (t->rows >= COST_MAX_ROWS) {
		t->cut = true;
		return 0;
	}
	t->rows++;
	/*
	 * A socket inherits when its rcvbuf is the rmem_default in force now. One
	 * created under an earlier rmem_default is not counted (a raise does not
	 * change it either); one that set exactly this value with SO_RCVBUF is.
	 */
	if (row->rcvbuf == rmem_default) {
		if (t->n == t->cap) {
			size_t ncap = t->cap ? t->cap * 2 : 256;
			uint64_t *p = realloc(t->ino, ncap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			t->ino = p;
			t->cap = ncap;
		}
		t->ino[t->n++] = row->inode;
	}
	return 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void cost_tally_finish(struct cost_tally *t, struct cost_family_count *out)
{
	size_t k = 0;

	if (t->n)
		qsort(t->ino, t->n, sizeof(*t->ino), cmp_u64);
	for (size_t i = 0; i < t->n; i++)
		k += i == 0 || t->ino[i] != t->ino[i - 1];
	out->inheriting = k;
	out->rows = t->rows;
	out->cut = t->cut;
	free(t->ino);
	memset(t, 0, sizeof(*t));
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t cost_worst_case(const struct cost_count *c, uint64_t rmem_new)
{
	uint64_t delta, sum = 0;

	if (rmem_new <= c->rmem_default)
		return 0;
	delta = rmem_new - c->rmem_default;
	for (int f = 0; f < COST_NFAM; f++) {
		uint64_t part;

		if (c->fam[f].err || f == COST_UNIX_DGRAM)
			continue;
		part = mul_sat(c->fam[f].inheriting, delta);
		/* every UDP socket together is held to udp_mem[2] pages */
		if (f == COST_UDP && c->udp_mem_bytes && part > c->udp_mem_bytes)
			part = c->udp_mem_bytes;
		sum = add_sat(sum, part);
	}
	return sum;
}

uint64_t cost_inheriting_total(const struct cost_count *c)
{
	uint64_t n = 0;

	for (int f = 0; f < COST_NFAM; f++)
		if (!c->fam[f].err)
			n = add_sat(n, c->fam[f].inheriting);
	return n;
}

int cost_parse_udp_mem(const char *text, uint64_t *pages)
{
	const char *p = text;
	uint64_t v = 0;
	size_t n;
	int r;

	for (int i = 0; i < 3; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		n = num_digits(p);
		if (n == 0)
			return -EINVAL;
		r = num_u64(p, n, UINT64_MAX, &v);
		if (r < 0)
			return r;
		p += n;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' && strcmp(p, "\n") != 0)
		return -EINVAL;
	*pages = v;
	return 0;
}

void cost_risk_add(struct cost_risk *r, bool own, pid_t pid, const char *comm)
{
	r->at_risk++;
	if (!own)
		return;
	r->own_buffer++;
	if (r->pid == 0 && pid > 0) {
		r->pid = pid;
		sanitize_text(r->comm, sizeof(r->comm), comm ? comm : "");
	}
}
