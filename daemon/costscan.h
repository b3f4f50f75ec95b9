/* SPDX-License-Identifier: MIT */
/* The dumps behind the cost of a raise: sock_diag of each family, udp_mem, the scan's risks. */
#ifndef NLTUNE_COSTSCAN_H
#define NLTUNE_COSTSCAN_H

#include <stdint.h>

#include "cost.h"

struct scanner;

/*
 * Count the sockets of the caller's network namespace whose rcvbuf is
 * rmem_default: netlink (sock_diag), UDP over IPv4 and IPv6 (inet_diag),
 * unix datagram (unix_diag) and packet (packet_diag) sockets, at most
 * COST_MAX_ROWS rows each; reads net.ipv4.udp_mem. Never fails: a family the
 * kernel cannot dump (its diag module missing) keeps its error in err. Never logs.
 */
void costscan_count(uint64_t rmem_default, struct cost_count *out);

/* The rows of sc judged at risk or dropping, skip_inode (nltuned's own socket) left out. */
void costscan_risk(const struct scanner *sc, uint64_t skip_inode, struct cost_risk *out);

struct recommendation;

/*
 * Count now (costscan_count against the rmem_default rec was computed from,
 * rmem_now) and add the cost to rec with recommend_cost(); the sockets at risk
 * are those of sc (NULL: none known). Never fails, never logs.
 */
void costscan_annotate(struct recommendation *rec, uint64_t rmem_now, const struct scanner *sc,
		       uint64_t skip_inode);

#endif
