/* SPDX-License-Identifier: MIT */
/* nltuned: the daemon's entry point; parses options, loads the configuration, wires the manager
 * to the bus and runs the loop. */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "common.h"
#include "conf.h"
#include "log.h"
#include "manager.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nltuned [-c FILE] [-n|--check-config] [--proc DIR] [--sys DIR]\n"
		   "               [--state-dir DIR] [-v] [-h] [--version]\n"
		   "see nltuned(8) and nltune.conf(5)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "check-config", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct common com = { .prog = "nltuned", .conf_path = NLT_CONF_DEFAULT_PATH };
	bool check = false, verbose = false;
	struct nlt_conf conf;
	struct manager m;
	struct bus *bus;
	sigset_t ss;
	int opt, r;

	/*
	 * Before anything else: a SIGHUP or SIGTERM that arrives while the
	 * configuration loads or the first snapshot is taken stays pending until
	 * the event loop takes it, instead of killing the daemon.
	 */
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	while ((opt = getopt_long(argc, argv, "c:nvh", opts, NULL)) != -1) {
		r = common_option(&com, opt, optarg);
		if (r < 0)
			return 0;
		if (r > 0)
			continue;
		switch (opt) {
		case 'n':
			check = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("nltuned", verbose, true);
	r = common_load(&com, &conf);
	if (r)
		return r;
	if (check) {
		printf("%s: configuration OK\n", com.conf_path);
		return 0;
	}
	/*
	 * A scan's arrays grow with the socket count and are freed every scan. glibc raises its
	 * mmap threshold after the first such free and keeps later ones on a heap it seldom
	 * gives back; a fixed threshold returns them to the kernel at once.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024);
	mallopt(M_MXFAST, 0); /* as nltune: Describe and ListSockets build an object per field */
	r = manager_init(&m, &conf, com.conf_path);
	if (r < 0) {
		manager_free(&m);
		return 1;
	}
	bus = bus_start(&m);
	r = manager_run(&m);
	bus_stop(bus);
	manager_free(&m);
	return r;
}
