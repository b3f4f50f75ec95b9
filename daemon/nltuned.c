/* SPDX-License-Identifier: MIT */
/* nltuned: the daemon's entry point; parses options, loads the configuration, runs the loop. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "manager.h"
#include "paths.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nltuned [-c FILE] [-n|--check-config] [--proc DIR] [--sys DIR]\n"
		   "               [--state-dir DIR] [-v] [-h] [--version]\n");
}

int main(int argc, char **argv)
{
	enum { OPT_PROC = 256, OPT_SYS, OPT_STATE, OPT_VERSION };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "proc", required_argument, NULL, OPT_PROC },
		{ "sys", required_argument, NULL, OPT_SYS },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = NLT_CONF_DEFAULT_PATH, *state_dir = NULL;
	bool check = false, verbose = false;
	struct nlt_conf conf;
	struct manager m;
	char err[1024];
	int opt, r;

	while ((opt = getopt_long(argc, argv, "c:nvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_PROC:
			paths_set_proc(optarg);
			break;
		case OPT_SYS:
			paths_set_sys(optarg);
			break;
		case OPT_STATE:
			state_dir = optarg;
			break;
		case OPT_VERSION:
			printf("nltuned %s\n", NLTUNE_VERSION);
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
	log_init("nltuned", verbose);
	if (nlt_conf_load(&conf, conf_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "nltuned: %s\n", err);
		return NLT_EX_CONFIG;
	}
	if (check) {
		printf("%s: configuration OK\n", conf_path);
		return 0;
	}
	if (state_dir) {
		if (strlen(state_dir) >= sizeof(conf.state_dir)) {
			fprintf(stderr, "nltuned: --state-dir is too long\n");
			return 2;
		}
		strcpy(conf.state_dir, state_dir);
	}
	r = manager_init(&m, &conf, conf_path);
	if (r < 0) {
		manager_free(&m);
		return 1;
	}
	r = manager_run(&m);
	manager_free(&m);
	return r;
}
