/* SPDX-License-Identifier: MIT */
/* Tests of cost: diag messages parsed, inheriting sockets counted and folded, the worst case. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "cost.h"
#include "unit.h"

#define DEF 212992u

/* What one dump message holds, as the kernel writes it; nmem = 0: no meminfo attribute. */
struct msg_case {
	const char *name;
	enum cost_family fam;
	uint16_t type; /* nlmsg_type */
	size_t hdr;    /* bytes of the family's header written (short ones are damaged) */
	uint32_t ino;
	uint8_t unix_type; /* udiag_type */
	uint16_t attr;	   /* the meminfo attribute's type */
	size_t nmem;	   /* u32 entries of meminfo */
	uint32_t rcvbuf;
	int want; /* cost_parse's result */
	uint64_t want_ino;
};

/* The message of c in buf. */
static struct nlmsghdr *build(char *buf, const struct msg_case *c)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	char *h;

	nlh->nlmsg_type = c->type;
	h = mnl_nlmsg_put_extra_header(nlh, c->hdr);
	switch (c->fam) {
	case COST_NETLINK:
		if (c->hdr >= sizeof(struct netlink_diag_msg))
			((struct netlink_diag_msg *)h)->ndiag_ino = c->ino;
		break;
	case COST_UDP:
		if (c->hdr >= sizeof(struct inet_diag_msg))
			((struct inet_diag_msg *)h)->idiag_inode = c->ino;
		break;
	case COST_UNIX_DGRAM:
		if (c->hdr >= sizeof(struct unix_diag_msg)) {
			((struct unix_diag_msg *)h)->udiag_ino = c->ino;
			((struct unix_diag_msg *)h)->udiag_type = c->unix_type;
		}
		break;
	case COST_PACKET:
		if (c->hdr >= sizeof(struct packet_diag_msg))
			((struct packet_diag_msg *)h)->pdiag_ino = c->ino;
		break;
	case COST_NFAM:
		break;
	}
	/* an unrelated attribute first: the parser must look past it */
	mnl_attr_put_u32(nlh, 0x7e, 0xdeadbeef);
	if (c->nmem) {
		uint32_t v[SK_MEMINFO_VARS + 2] = { 0 };

		v[SK_MEMINFO_RMEM_ALLOC] = 832;
		v[SK_MEMINFO_RCVBUF] = c->rcvbuf;
		mnl_attr_put(nlh, c->attr, c->nmem * sizeof(uint32_t), v);
	}
	return nlh;
}

static void test_cost_parse_reads_rcvbuf_of_each_family(void **state)
{
	static const struct msg_case c[] = {
		{ "netlink row", COST_NETLINK, SOCK_DIAG_BY_FAMILY, sizeof(struct netlink_diag_msg),
		  11, 0, NETLINK_DIAG_MEMINFO, SK_MEMINFO_VARS, DEF, 1, 11 },
		{ "udp row", COST_UDP, SOCK_DIAG_BY_FAMILY, sizeof(struct inet_diag_msg), 22, 0,
		  INET_DIAG_SKMEMINFO, SK_MEMINFO_VARS, 4096, 1, 22 },
		{ "unix dgram row", COST_UNIX_DGRAM, SOCK_DIAG_BY_FAMILY,
		  sizeof(struct unix_diag_msg), 33, SOCK_DGRAM, UNIX_DIAG_MEMINFO, SK_MEMINFO_VARS,
		  DEF, 1, 33 },
		{ "packet row", COST_PACKET, SOCK_DIAG_BY_FAMILY, sizeof(struct packet_diag_msg),
		  44, 0, PACKET_DIAG_MEMINFO, SK_MEMINFO_VARS, DEF, 1, 44 },
		{ "meminfo of a newer kernel, longer", COST_UDP, SOCK_DIAG_BY_FAMILY,
		  sizeof(struct inet_diag_msg), 55, 0, INET_DIAG_SKMEMINFO, SK_MEMINFO_VARS + 2,
		  DEF, 1, 55 },
		{ "meminfo up to rcvbuf only", COST_NETLINK, SOCK_DIAG_BY_FAMILY,
		  sizeof(struct netlink_diag_msg), 66, 0, NETLINK_DIAG_MEMINFO,
		  SK_MEMINFO_RCVBUF + 1, DEF, 1, 66 },
		{ "unix stream socket skipped", COST_UNIX_DGRAM, SOCK_DIAG_BY_FAMILY,
		  sizeof(struct unix_diag_msg), 77, SOCK_STREAM, UNIX_DIAG_MEMINFO, SK_MEMINFO_VARS,
		  DEF, 0, 0 },
		{ "unix seqpacket socket skipped", COST_UNIX_DGRAM, SOCK_DIAG_BY_FAMILY,
		  sizeof(struct unix_diag_msg), 78, SOCK_SEQPACKET, UNIX_DIAG_MEMINFO,
		  SK_MEMINFO_VARS, DEF, 0, 0 },
		{ "NLMSG_DONE skipped", COST_NETLINK, NLMSG_DONE, 4, 0, 0, 0, 0, 0, 0, 0 },
		{ "truncated header", COST_UDP, SOCK_DIAG_BY_FAMILY, 8, 0, 0, 0, 0, 0, -EBADMSG,
		  0 },
		{ "no meminfo", COST_PACKET, SOCK_DIAG_BY_FAMILY, sizeof(struct packet_diag_msg),
		  88, 0, PACKET_DIAG_MEMINFO, 0, 0, -EBADMSG, 0 },
		{ "meminfo cut before rcvbuf", COST_NETLINK, SOCK_DIAG_BY_FAMILY,
		  sizeof(struct netlink_diag_msg), 99, 0, NETLINK_DIAG_MEMINFO, SK_MEMINFO_RCVBUF,
		  DEF, -EBADMSG, 0 },
		{ "meminfo under another family's type", COST_UDP, SOCK_DIAG_BY_FAMILY,
		  sizeof(struct inet_diag_msg), 100, 0, INET_DIAG_MEMINFO, SK_MEMINFO_VARS, DEF,
		  -EBADMSG, 0 },
	};
	char buf[1024] __attribute__((aligned(4)));

	(void)state;
	for (size_t i = 0; i < NCASES(c); i++) {
		struct cost_row row = { 0 };
		int r;

		memset(buf, 0, sizeof(buf));
		r = cost_parse(c[i].fam, build(buf, &c[i]), &row);
		if (r != c[i].want)
			fail_msg("%s: cost_parse returned %d, want %d", c[i].name, r, c[i].want);
		if (r == 1 && (row.inode != c[i].want_ino || row.rcvbuf != c[i].rcvbuf))
			fail_msg("%s: inode %llu rcvbuf %u, want %llu %u", c[i].name,
				 (unsigned long long)row.inode, row.rcvbuf,
				 (unsigned long long)c[i].want_ino, c[i].rcvbuf);
	}
}

static void test_cost_tally_counts_equal_rcvbuf_once_per_inode(void **state)
{
	static const struct {
		const char *name;
		struct cost_row rows[6];
		size_t n;
		uint64_t want;
	} c[] = {
		{ "none", { { 0 } }, 0, 0 },
		{ "one inherits", { { 1, DEF } }, 1, 1 },
		{ "own buffer not counted", { { 1, DEF }, { 2, 2304 }, { 3, 2 * DEF } }, 3, 1 },
		{ "an earlier rmem_default not counted", { { 1, 65536 }, { 2, DEF } }, 2, 1 },
		{ "one that set exactly rmem_default counted", { { 1, DEF }, { 2, DEF } }, 2, 2 },
		{ "bound and subscribed: reported twice, counted once",
		  { { 5, DEF }, { 7, DEF }, { 5, DEF }, { 6, 4096 }, { 7, DEF } },
		  5,
		  2 },
	};

	(void)state;
	for (size_t i = 0; i < NCASES(c); i++) {
		struct cost_tally t = { 0 };
		struct cost_family_count out = { 0 };

		for (size_t k = 0; k < c[i].n; k++)
			assert_int_equal(cost_tally_add(&t, &c[i].rows[k], DEF), 1);
		cost_tally_finish(&t, &out);
		if (out.inheriting != c[i].want || out.rows != c[i].n || out.cut)
			fail_msg("%s: %llu inheriting of %llu rows%s, want %llu", c[i].name,
				 (unsigned long long)out.inheriting, (unsigned long long)out.rows,
				 out.cut ? " (cut)" : "", (unsigned long long)c[i].want);
		assert_null(t.ino);
	}
}

static void test_cost_tally_is_cut_at_max_rows(void **state)
{
	struct cost_tally t = { 0 };
	struct cost_family_count out = { 0 };
	struct cost_row row = { 0, DEF };

	(void)state;
	for (uint32_t i = 0; i < COST_MAX_ROWS; i++) {
		row.inode = i + 1;
		assert_int_equal(cost_tally_add(&t, &row, DEF), 1);
	}
	row.inode = COST_MAX_ROWS + 1;
	assert_int_equal(cost_tally_add(&t, &row, DEF), 0);
	cost_tally_finish(&t, &out);
	assert_true(out.cut);
	assert_int_equal(out.inheriting, COST_MAX_ROWS);
	assert_int_equal(out.rows, COST_MAX_ROWS);
}

static void test_cost_worst_case_by_family(void **state)
{
	static const struct {
		const char *name;
		uint64_t netlink, udp, unix_dgram, packet;
		int udp_err;
		uint64_t udp_mem, rmem_new, want;
	} c[] = {
		{ "no raise: nothing", 10, 10, 10, 10, 0, 0, DEF, 0 },
		{ "a lower value: nothing", 10, 10, 10, 10, 0, 0, 4096, 0 },
		{ "netlink in full", 10, 0, 0, 0, 0, 0, DEF + 1000, 10000 },
		{ "packet in full", 0, 0, 0, 3, 0, 0, DEF + 1000, 3000 },
		{ "unix datagram: rcvbuf bounds nothing", 0, 0, 50, 0, 0, 0, DEF + 1000, 0 },
		{ "udp below udp_mem", 0, 20, 0, 0, 0, 1 << 20, DEF + 1000, 20000 },
		{ "udp capped by udp_mem", 0, 20000, 0, 0, 0, 4096000, 2 * 1024 * 1024, 4096000 },
		{ "udp without udp_mem known: in full", 0, 4, 0, 0, 0, 0, DEF + 1000, 4000 },
		{ "a family not dumped adds nothing", 1, 99, 0, 0, -ENOENT, 0, DEF + 1000, 1000 },
		{ "all together", 35, 40, 12, 2, 0, 8192, DEF + 1000, 35000 + 8192 + 2000 },
		{ "saturates", UINT64_MAX / 2, 0, 0, UINT64_MAX / 2, 0, 0, UINT64_MAX, UINT64_MAX },
	};

	(void)state;
	for (size_t i = 0; i < NCASES(c); i++) {
		struct cost_count cc = { .rmem_default = DEF, .udp_mem_bytes = c[i].udp_mem };
		uint64_t got;

		cc.fam[COST_NETLINK].inheriting = c[i].netlink;
		cc.fam[COST_UDP].inheriting = c[i].udp;
		cc.fam[COST_UDP].err = c[i].udp_err;
		cc.fam[COST_UNIX_DGRAM].inheriting = c[i].unix_dgram;
		cc.fam[COST_PACKET].inheriting = c[i].packet;
		got = cost_worst_case(&cc, c[i].rmem_new);
		if (got != c[i].want)
			fail_msg("%s: worst case %llu, want %llu", c[i].name,
				 (unsigned long long)got, (unsigned long long)c[i].want);
	}
}

static void test_cost_inheriting_total_leaves_out_unknown_families(void **state)
{
	struct cost_count cc = { .rmem_default = DEF };

	(void)state;
	cc.fam[COST_NETLINK].inheriting = 3;
	cc.fam[COST_UDP].inheriting = 500;
	cc.fam[COST_PACKET].inheriting = 7;
	cc.fam[COST_PACKET].err = -ENOENT;
	assert_int_equal(cost_inheriting_total(&cc), 503);
}

static void test_cost_parse_udp_mem(void **state)
{
	static const struct {
		const char *name, *text;
		int want;
		uint64_t pages;
	} c[] = {
		{ "tabs and newline", "575814\t767753\t1151628\n", 0, 1151628 },
		{ "spaces, no newline", "1 2 3", 0, 3 },
		{ "two fields", "1\t2\n", -EINVAL, 0 },
		{ "four fields", "1\t2\t3\t4\n", -EINVAL, 0 },
		{ "empty", "", -EINVAL, 0 },
		{ "sign", "1\t2\t-3\n", -EINVAL, 0 },
		{ "overflow", "1\t2\t99999999999999999999999\n", -ERANGE, 0 },
	};

	(void)state;
	for (size_t i = 0; i < NCASES(c); i++) {
		uint64_t pages = 42;
		int r = cost_parse_udp_mem(c[i].text, &pages);

		if (r != c[i].want || (r == 0 && pages != c[i].pages))
			fail_msg("%s: %d, %llu pages", c[i].name, r, (unsigned long long)pages);
		if (r < 0)
			assert_int_equal(pages, 42);
	}
}

static void test_cost_risk_names_the_first_own_buffer_owner(void **state)
{
	struct cost_risk r = { 0 };

	(void)state;
	cost_risk_add(&r, false, 10, "udevmon");
	cost_risk_add(&r, true, 0, NULL);
	cost_risk_add(&r, true, 280, "plug\x1b[31mvictim");
	cost_risk_add(&r, true, 300, "other");
	assert_int_equal(r.at_risk, 4);
	assert_int_equal(r.own_buffer, 3);
	assert_int_equal(r.pid, 280);
	assert_string_equal(r.comm, "plug?[31mvictim"); /* no escape reaches a terminal */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cost_parse_reads_rcvbuf_of_each_family),
		cmocka_unit_test(test_cost_tally_counts_equal_rcvbuf_once_per_inode),
		cmocka_unit_test(test_cost_tally_is_cut_at_max_rows),
		cmocka_unit_test(test_cost_worst_case_by_family),
		cmocka_unit_test(test_cost_inheriting_total_leaves_out_unknown_families),
		cmocka_unit_test(test_cost_parse_udp_mem),
		cmocka_unit_test(test_cost_risk_names_the_first_own_buffer_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
