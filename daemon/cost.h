/* SPDX-License-Identifier: MIT */
/* What a raise of rmem_default touches: the sockets that inherit it now, by family. Pure. */
#ifndef NLTUNE_COST_H
#define NLTUNE_COST_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define COST_MAX_ROWS (1u << 18) /* dump rows looked at per family; the rest is cut */
#define COST_COMM_LEN 16

/* The families whose sockets start with sk_rcvbuf = rmem_default, in output order. */
enum cost_family { COST_NETLINK, COST_UDP, COST_UNIX_DGRAM, COST_PACKET, COST_NFAM };

struct cost_family_count {
	uint64_t inheriting; /* distinct sockets whose rcvbuf is rmem_default now */
	uint64_t rows;	     /* dump rows looked at */
	bool cut;	     /* COST_MAX_ROWS reached: more sockets were not looked at */
	int err; /* 0, or why this family could not be dumped (-ENOENT: no diag module) */
};

struct cost_count {
	uint64_t rmem_default;	/* the value in force the rows were compared with */
	uint64_t udp_mem_bytes; /* net.ipv4.udp_mem[2] x page size; 0 = unknown */
	struct cost_family_count fam[COST_NFAM];
};

/* The sockets the last scan judged at risk or dropping, and how many set their own buffer. */
struct cost_risk {
	size_t at_risk;		  /* at-risk or dropping */
	size_t own_buffer;	  /* of them: limit capped, minimum, app or forced */
	pid_t pid;		  /* an owner of one own-buffer socket; 0 = not known */
	char comm[COST_COMM_LEN]; /* its name, sanitized */
};

/* One socket of a dump. */
struct cost_row {
	uint64_t inode;
	uint32_t rcvbuf;
};

/* "netlink", "udp", "unix_dgram", "packet" */
const char *cost_family_name(enum cost_family f);

/*
 * The socket of one SOCK_DIAG_BY_FAMILY message of family f (its diag header
 * and the u32[] meminfo attribute the kernel's sock_diag_put_meminfo() writes).
 * Returns 1 with *row filled, 0 for a message to skip (another message type, a
 * unix socket that is not SOCK_DGRAM), -EBADMSG when it is short or carries no
 * meminfo. Pure.
 */
int cost_parse(enum cost_family f, const struct nlmsghdr *nlh, struct cost_row *row);

/* The inheriting sockets of one family while a dump runs: inodes kept to fold duplicates. */
struct cost_tally {
	uint64_t *ino;
	size_t n, cap;
	uint64_t rows;
	bool cut;
};

/*
 * Count row: it inherits when its rcvbuf equals rmem_default. Returns 1 while
 * more rows may come, 0 once COST_MAX_ROWS rows were seen (the tally is cut),
 * -ENOMEM. Pure (allocates).
 */
int cost_tally_add(struct cost_tally *t, const struct cost_row *row, uint64_t rmem_default);

/* Fold duplicates (netlink reports a bound and subscribed socket twice) into *out; free t. */
void cost_tally_finish(struct cost_tally *t, struct cost_family_count *out);

/*
 * The extra kernel memory if every inheriting socket filled at rmem_new
 * instead of c->rmem_default: netlink and packet sockets in full, UDP at most
 * udp_mem_bytes (when known), unix datagram sockets none (their receive side
 * is bounded by the senders' SO_SNDBUF and max_dgram_qlen, not by rcvbuf).
 * 0 when rmem_new is not larger. Saturates. Pure.
 */
uint64_t cost_worst_case(const struct cost_count *c, uint64_t rmem_new);

/* Inheriting sockets over the families that could be dumped. */
uint64_t cost_inheriting_total(const struct cost_count *c);

/*
 * The third field (the hard limit, in pages) of a net.ipv4.udp_mem image
 * ("575814\t767753\t1151628\n"). 0, -EINVAL or -ERANGE. Pure.
 */
int cost_parse_udp_mem(const char *text, uint64_t *pages);

/* Count one socket the scan judged at risk (own: it set its own buffer). Pure. */
void cost_risk_add(struct cost_risk *r, bool own, pid_t pid, const char *comm);

#endif
