/* SPDX-License-Identifier: MIT */
/* The kernel's netlink socket tables: /proc/net/netlink read, sock_diag dumps, other namespaces. */
#include "nlscan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "num.h"
#include "paths.h"
#include "sorted.h"

#define READ_CAP       (16u * 1024 * 1024) /* > NLSCAN_MAX_ROWS lines of ~92 bytes */
#define DIAG_BUF       32768		   /* the kernel's largest dump skb (max_recvmsg_len) */
#define DIAG_TIMEOUT_S 5		   /* the kernel answers at once; never hang the daemon */

static size_t count_lines(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t n = 0;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p = nl + 1;
	}
	return n + (p < end);
}

/*
 * /proc files can only be sized by reading them. A capped image loses its
 * last, partial line: *truncated says so.
 */
static int read_image(const char *path, char **out, size_t *len, bool *truncated)
{
	int r = paths_read_alloc(path, 0, READ_CAP, out, len);

	*truncated = r == 1;
	if (r == 1) {
		char *nl = memrchr(*out, '\n', *len);

		*len = nl ? (size_t)(nl - *out + 1) : 0;
	}
	return r < 0 ? r : 0;
}

ssize_t nlscan_read(const char *rel, uint64_t netns, struct nlsock **out, size_t *bad, size_t *over)
{
	char path[PATH_MAX];
	struct nlsock *socks;
	size_t len = 0, rows, nbad = 0;
	bool truncated;
	char *buf = NULL;
	ssize_t n;
	int r;

	*out = NULL;
	if (bad)
		*bad = 0;
	if (over)
		*over = 0;
	r = paths_proc_file(path, sizeof(path), rel);
	if (r < 0)
		return r;
	r = read_image(path, &buf, &len, &truncated);
	if (r < 0)
		return r;
	rows = count_lines(buf, len);
	rows = rows > 0 ? rows - 1 : 0;
	if (rows > NLSCAN_MAX_ROWS) {
		if (over)
			*over = rows - NLSCAN_MAX_ROWS;
		rows = NLSCAN_MAX_ROWS;
	}
	socks = calloc(rows ? rows : 1, sizeof(*socks));
	if (!socks) {
		n = -ENOMEM;
		goto out;
	}
	n = nlparse_table(buf, len, netns, socks, rows, &nbad);
	if (n < 0) {
		free(socks);
		goto out;
	}
	*out = socks;
	if (bad)
		*bad = nbad + truncated;
out:
	free(buf);
	return n;
}

struct ino_index {
	uint64_t inode;
	size_t i;
};

/* Either fill the rows of socks by inode (idx), or collect every socket into *out. */
struct diag_ctx {
	struct nlsock *socks;
	const struct ino_index *idx;
	size_t n;
	struct nlsock **out; /* collect mode when set */
	size_t nout, cap;
	uint64_t netns;
	int err;
};

static int cmp_index(const void *a, const void *b)
{
	const struct ino_index *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Keep the attributes we understand and that are well formed; ignore the rest. */
static int diag_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, NETLINK_DIAG_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case NETLINK_DIAG_MEMINFO:
		/* u32[SK_MEMINFO_VARS]; newer kernels may append entries */
		if (mnl_attr_validate(a, MNL_TYPE_BINARY) < 0 ||
		    mnl_attr_get_payload_len(a) < (SK_MEMINFO_RCVBUF + 1) * sizeof(uint32_t))
			return MNL_CB_OK;
		break;
	case NETLINK_DIAG_FLAGS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case NETLINK_DIAG_GROUPS:
		/* a bitmap of u32 words; the first holds groups 1..32 as /proc/net/netlink shows */
		if (mnl_attr_get_payload_len(a) < sizeof(uint32_t))
			return MNL_CB_OK;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

static void diag_fill(struct nlsock *s, const struct nlattr *const *tb)
{
	const struct nlattr *mi = tb[NETLINK_DIAG_MEMINFO];

	if (mi) {
		uint32_t v[SK_MEMINFO_VARS] = { 0 };
		size_t len = mnl_attr_get_payload_len(mi);

		memcpy(v, mnl_attr_get_payload(mi), len < sizeof(v) ? len : sizeof(v));
		s->rmem = v[SK_MEMINFO_RMEM_ALLOC];
		s->rcvbuf = v[SK_MEMINFO_RCVBUF];
		if (len >= (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
			s->drops = v[SK_MEMINFO_DROPS];
		s->has_diag = true;
	}
	if (tb[NETLINK_DIAG_FLAGS])
		s->no_enobufs =
		    (mnl_attr_get_u32(tb[NETLINK_DIAG_FLAGS]) & NDIAG_FLAG_NO_ENOBUFS) != 0;
}

/* Collect mode: one row per message; the caller folds the socket a dump shows twice. */
static int diag_collect(struct diag_ctx *c, const struct netlink_diag_msg *m,
			const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NETLINK_DIAG_MAX + 1] = { NULL };
	struct nlsock *s;

	if (c->nout == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 256;
		struct nlsock *v;

		if (ncap > NLSCAN_MAX_ROWS)
			ncap = NLSCAN_MAX_ROWS;
		if (c->nout == ncap)
			return MNL_CB_OK; /* bounded: the rest is not kept */
		v = realloc(*c->out, ncap * sizeof(*v));
		if (!v) {
			c->err = -ENOMEM;
			return MNL_CB_OK;
		}
		*c->out = v;
		c->cap = ncap;
	}
	if (mnl_attr_parse(nlh, sizeof(*m), diag_attr_cb, tb) < MNL_CB_OK)
		return MNL_CB_OK;
	s = &(*c->out)[c->nout++];
	memset(s, 0, sizeof(*s));
	s->inode = m->ndiag_ino;
	s->netns = c->netns;
	s->protocol = m->ndiag_protocol;
	s->portid = m->ndiag_portid;
	if (tb[NETLINK_DIAG_GROUPS])
		memcpy(&s->groups, mnl_attr_get_payload(tb[NETLINK_DIAG_GROUPS]), sizeof(uint32_t));
	diag_fill(s, tb);
	return MNL_CB_OK;
}

/* A bound and subscribed socket comes twice: both copies land on the same rows. */
static int diag_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NETLINK_DIAG_MAX + 1] = { NULL };
	struct diag_ctx *c = data;
	const struct netlink_diag_msg *m;
	size_t i;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_OK;
	m = mnl_nlmsg_get_payload(nlh);
	if (c->out)
		return diag_collect(c, m, nlh);
	i = SORTED_LOWER(c->idx, c->n, inode, m->ndiag_ino);
	if (i == c->n || c->idx[i].inode != m->ndiag_ino)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*m), diag_attr_cb, tb) < MNL_CB_OK)
		return MNL_CB_OK;
	for (; i < c->n && c->idx[i].inode == m->ndiag_ino; i++)
		diag_fill(&c->socks[c->idx[i].i], tb);
	return MNL_CB_OK;
}

static int diag_dump(struct mnl_socket *nl, char *buf, struct diag_ctx *ctx)
{
	struct timeval tv = { .tv_sec = DIAG_TIMEOUT_S };
	struct netlink_diag_req *req;
	struct nlmsghdr *nlh;
	unsigned int portid;
	uint32_t seq = (uint32_t)time(NULL);
	int r;

	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_NETLINK;
	req->sdiag_protocol = NDIAG_PROTO_ALL;
	req->ndiag_show = NDIAG_SHOW_MEMINFO | NDIAG_SHOW_GROUPS | NDIAG_SHOW_FLAGS;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, DIAG_BUF);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, diag_msg_cb, ctx);
		if (r == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

/* One dump into ctx on a fresh sock_diag socket of the calling thread's namespace. */
static int diag_run(struct diag_ctx *ctx)
{
	struct mnl_socket *nl;
	char *buf = malloc(DIAG_BUF);
	int r;

	if (!buf)
		return -ENOMEM;
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl) {
		r = -errno;
		goto out;
	}
	r = diag_dump(nl, buf, ctx);
	mnl_socket_close(nl);
out:
	free(buf);
	return r < 0 ? r : ctx->err;
}

ssize_t nlscan_dump(uint64_t netns, struct nlsock **out)
{
	struct diag_ctx ctx = { .out = out, .netns = netns };
	int r;

	*out = NULL;
	r = diag_run(&ctx);
	if (r < 0) {
		free(*out);
		*out = NULL;
		return r;
	}
	return (ssize_t)ctx.nout;
}

/* The sockets' inodes sorted for binary search; NULL when out of memory. The caller frees it. */
static struct ino_index *index_sockets(const struct nlsock *socks, size_t n)
{
	struct ino_index *idx = malloc((n ? n : 1) * sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		idx[i].inode = socks[i].inode;
		idx[i].i = i;
	}
	qsort(idx, n, sizeof(*idx), cmp_index);
	return idx;
}

int nlscan_diag(struct nlsock *socks, size_t n)
{
	struct diag_ctx ctx = { .socks = socks, .n = n };
	struct ino_index *idx;
	int r;

	if (n == 0)
		return 0;
	idx = index_sockets(socks, n);
	if (!idx)
		return -ENOMEM;
	ctx.idx = idx;
	r = diag_run(&ctx);
	free(idx);
	return r;
}

struct netns_job {
	int fd;
	struct diag_ctx *ctx;
	int r;
};

/* setns(CLONE_NEWNET) moves the calling thread only; the thread dies in the other namespace. */
static void *netns_thread(void *arg)
{
	struct netns_job *j = arg;

	if (setns(j->fd, CLONE_NEWNET) < 0)
		j->r = -errno;
	else
		j->r = diag_run(j->ctx);
	return NULL;
}

/* "<proc>/<pid>/ns/net" */
static int netns_path(pid_t pid, char *path, size_t len)
{
	char rel[32];

	if (pid <= 0)
		return -EINVAL;
	snprintf(rel, sizeof(rel), "%d/ns/net", (int)pid);
	return paths_proc_file(path, len, rel);
}

/*
 * Run ctx's dump inside the network namespace of pid. The namespace is named
 * by the inode of the file opened, not by a second look at the link: a pid
 * reused meanwhile cannot mislabel the rows. *netns gets it (may be NULL).
 */
static int diag_in_netns(pid_t pid, struct diag_ctx *ctx, uint64_t *netns)
{
	struct netns_job job = { .fd = -1, .ctx = ctx };
	char path[PATH_MAX];
	sigset_t all, old;
	struct stat st;
	pthread_t t;
	int r;

	r = netns_path(pid, path, sizeof(path));
	if (r < 0)
		return r;
	job.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (job.fd < 0)
		return -errno;
	if (fstat(job.fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	ctx->netns = (uint64_t)st.st_ino;
	if (netns)
		*netns = ctx->netns;
	/* The helper must never take a signal meant for the daemon's loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t, NULL, netns_thread, &job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		r = -r;
		goto out;
	}
	pthread_join(t, NULL);
	r = job.r;
out:
	close(job.fd);
	return r;
}

int nlscan_diag_netns(pid_t pid, struct nlsock *socks, size_t n)
{
	struct diag_ctx ctx = { .socks = socks, .n = n };
	struct ino_index *idx;
	int r;

	idx = index_sockets(socks, n);
	if (!idx)
		return -ENOMEM;
	ctx.idx = idx;
	r = diag_in_netns(pid, &ctx, NULL);
	free(idx);
	return r;
}

ssize_t nlscan_dump_netns(pid_t pid, uint64_t *netns, struct nlsock **out)
{
	struct diag_ctx ctx = { .out = out };
	int r;

	*out = NULL;
	r = diag_in_netns(pid, &ctx, netns);
	if (r < 0) {
		free(*out);
		*out = NULL;
		return r;
	}
	return (ssize_t)ctx.nout;
}

int nlscan_netns_of(pid_t pid, uint64_t *netns)
{
	char path[PATH_MAX], link[64];
	ssize_t len;
	int r;

	r = netns_path(pid, path, sizeof(path));
	if (r < 0)
		return r;
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return -errno;
	link[len] = '\0';
	if (strncmp(link, "net:[", 5) != 0 || len < 7 || link[len - 1] != ']')
		return -EINVAL;
	return num_u64(link + 5, (size_t)len - 6, UINT64_MAX, netns);
}
