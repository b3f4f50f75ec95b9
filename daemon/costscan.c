/* SPDX-License-Identifier: MIT */
/* One sock_diag dump per family, counted as cost.c says; udp_mem; the scan's sockets at risk. */
#include "costscan.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"
#include "recommend.h"
#include "scan.h"

#define DIAG_BUF       32768 /* the kernel's largest dump skb */
#define DIAG_TIMEOUT_S 5     /* the kernel answers at once; never hang the daemon */

struct dump_ctx {
	enum cost_family fam;
	uint64_t rmem_default;
	struct cost_tally *t;
	uint64_t self_ino; /* the dump's own socket, which inherits too: left out */
	int err;
	bool full; /* COST_MAX_ROWS reached: stop reading */
};

static int dump_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct cost_row row;
	int r = cost_parse(c->fam, nlh, &row);

	if (r <= 0 || row.inode == c->self_ino) /* not a row of this count, or malformed */
		return MNL_CB_OK;
	r = cost_tally_add(c->t, &row, c->rmem_default);
	if (r < 0)
		c->err = r;
	if (r <= 0) {
		c->full = r == 0;
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

/* The request of one family (and, for UDP, one address family) into nlh. */
static void put_request(struct nlmsghdr *nlh, enum cost_family f, uint8_t af)
{
	switch (f) {
	case COST_NETLINK: {
		struct netlink_diag_req *q = mnl_nlmsg_put_extra_header(nlh, sizeof(*q));

		q->sdiag_family = AF_NETLINK;
		q->sdiag_protocol = NDIAG_PROTO_ALL;
		q->ndiag_show = NDIAG_SHOW_MEMINFO;
		break;
	}
	case COST_UDP: {
		struct inet_diag_req_v2 *q = mnl_nlmsg_put_extra_header(nlh, sizeof(*q));

		q->sdiag_family = af;
		q->sdiag_protocol = IPPROTO_UDP;
		q->idiag_ext = 1u << (INET_DIAG_SKMEMINFO - 1);
		q->idiag_states = ~0u;
		break;
	}
	case COST_UNIX_DGRAM: {
		struct unix_diag_req *q = mnl_nlmsg_put_extra_header(nlh, sizeof(*q));

		q->sdiag_family = AF_UNIX;
		q->udiag_states = ~0u;
		q->udiag_show = UDIAG_SHOW_MEMINFO;
		break;
	}
	case COST_PACKET: {
		struct packet_diag_req *q = mnl_nlmsg_put_extra_header(nlh, sizeof(*q));

		q->sdiag_family = AF_PACKET;
		q->pdiag_show = PACKET_SHOW_MEMINFO;
		break;
	}
	case COST_NFAM:
		break;
	}
}

/* One dump on a fresh sock_diag socket into c->t. 0 or -errno (-ENOENT: no such diag module). */
static int dump(struct dump_ctx *c, uint8_t af, char *buf)
{
	struct timeval tv = { .tv_sec = DIAG_TIMEOUT_S };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *nlh;
	unsigned int portid;
	struct stat st;
	int r = 0;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (fstat(mnl_socket_get_fd(nl), &st) == 0)
		c->self_ino = (uint64_t)st.st_ino;
	memset(buf, 0, DIAG_BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	put_request(nlh, c->fam, af);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	while (!c->full && c->err == 0) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, DIAG_BUF);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			break;
		}
		errno = 0;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, dump_msg_cb, c);
		if (r == MNL_CB_ERROR) {
			r = errno ? -errno : -EIO;
			break;
		}
		if (r == MNL_CB_STOP) {
			r = 0;
			break;
		}
		r = 0;
	}
out:
	mnl_socket_close(nl); /* a dump cut short ends with its socket */
	return r < 0 ? r : c->err;
}

static void count_family(enum cost_family f, uint64_t rmem_default, char *buf,
			 struct cost_family_count *out)
{
	struct cost_tally t = { 0 };
	struct dump_ctx c = { .fam = f, .rmem_default = rmem_default, .t = &t };
	int r;

	if (f == COST_UDP) {
		r = dump(&c, AF_INET, buf);
		/* a kernel without IPv6 still has IPv4's sockets */
		if (r == 0 && !c.full) {
			int r6 = dump(&c, AF_INET6, buf);

			r = r6 == -EAFNOSUPPORT || r6 == -EINVAL ? 0 : r6;
		}
	} else {
		r = dump(&c, 0, buf);
	}
	cost_tally_finish(&t, out);
	out->err = r;
}

static uint64_t udp_mem_bytes(void)
{
	char path[4096], text[128];
	uint64_t pages;
	long page = sysconf(_SC_PAGESIZE);

	if (paths_proc_file(path, sizeof(path), "sys/net/ipv4/udp_mem") < 0 ||
	    paths_read(path, 0, text, sizeof(text)) < 0 || cost_parse_udp_mem(text, &pages) < 0 ||
	    page <= 0)
		return 0;
	return pages > UINT64_MAX / (uint64_t)page ? UINT64_MAX : pages * (uint64_t)page;
}

void costscan_count(uint64_t rmem_default, struct cost_count *out)
{
	char *buf = malloc(DIAG_BUF);

	memset(out, 0, sizeof(*out));
	out->rmem_default = rmem_default;
	out->udp_mem_bytes = udp_mem_bytes();
	for (int f = 0; f < COST_NFAM; f++) {
		if (buf)
			count_family((enum cost_family)f, rmem_default, buf, &out->fam[f]);
		else
			out->fam[f].err = -ENOMEM;
	}
	free(buf);
}

void costscan_risk(const struct scanner *sc, uint64_t skip_inode, struct cost_risk *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sc->nrows; i++) {
		const struct sockrow *r = &sc->rows[i];

		if (r->s.inode == 0 || r->s.inode == skip_inode || r->v.verdict == VERDICT_OK)
			continue;
		cost_risk_add(out, r->v.limit != LIMIT_DEFAULT, scan_row_pid(r),
			      r->own ? r->own->comm : "");
	}
}

void costscan_annotate(struct recommendation *rec, uint64_t rmem_now, const struct scanner *sc,
		       uint64_t skip_inode)
{
	struct cost_count cc;
	struct cost_risk risk = { 0 };

	costscan_count(rmem_now, &cc);
	if (sc)
		costscan_risk(sc, skip_inode, &risk);
	recommend_cost(rec, &cc, &risk);
}
