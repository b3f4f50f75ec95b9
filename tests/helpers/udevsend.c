/* SPDX-License-Identifier: MIT */
/* Sends udev-style messages to NETLINK_KOBJECT_UEVENT group 2, as udevd re-broadcasts events. */
/*
 * usage: udevsend COUNT PAD
 * Sends COUNT datagrams, each sd-device's 40-byte "libudev" header and then the properties
 * ACTION=add, DEVPATH=/devices/virtual/nltune/tNNNNNN, SUBSYSTEM=nltune, SEQNUM=N and
 * NLTUNE_PAD=<PAD bytes of 'x'>: every datagram of one run has the same length. Prints
 * "sent COUNT LEN" (LEN: the length of each) or fails. Sending to a multicast group of this
 * family needs CAP_NET_ADMIN; the messages reach the listeners of the sender's network
 * namespace only, so a test runs it in a private one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HDR 40

int main(int argc, char **argv)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_groups = 2 };
	static char buf[65536];
	long count, pad;
	int fd;
	size_t len = 0;

	if (argc != 3 || (count = atol(argv[1])) <= 0 || (pad = atol(argv[2])) < 0 || pad > 60000) {
		fprintf(stderr, "usage: udevsend COUNT PAD\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0) {
		perror("udevsend: socket");
		return 1;
	}
	for (long i = 0; i < count; i++) {
		uint32_t hdr[8] = { htonl(0xfeedcafe), HDR, HDR, 0, 0, 0, 0, 0 };
		int n = snprintf(
		    buf + HDR, sizeof(buf) - HDR,
		    "ACTION=add%cDEVPATH=/devices/virtual/nltune/t%06ld%cSUBSYSTEM=nltune%c"
		    "SEQNUM=%06ld%cNLTUNE_PAD=",
		    0, i % 1000000, 0, 0, i % 1000000, 0);
		size_t plen = (size_t)n;

		memset(buf + HDR + plen, 'x', (size_t)pad);
		plen += (size_t)pad;
		buf[HDR + plen++] = '\0';
		hdr[3] = (uint32_t)plen;
		memcpy(buf, "libudev", 8);
		memcpy(buf + 8, hdr, sizeof(hdr));
		len = HDR + plen;
		/* The kernel also hands it to its own socket, which refuses it: that is no failure.
		 */
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 &&
		    errno != ECONNREFUSED) {
			perror("udevsend: sendto");
			return 1;
		}
	}
	printf("sent %ld %zu\n", count, len);
	return 0;
}
