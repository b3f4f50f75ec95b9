/* SPDX-License-Identifier: MIT */
/* nltune: the command line; parses options, loads the configuration, runs one command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "conf.h"
#include "log.h"

struct command {
	const char *name;
	int (*run)(struct cli *c);
	int min_args, max_args;
	const char *usage;
};

static const struct command commands[] = {
	{ "status", cmd_status, 0, 0, "status [--json] [--all] [--no-daemon]" },
	{ "sockets", cmd_sockets, 0, 0, "sockets [--json] [--all] [--no-daemon]" },
	{ "recommend", cmd_recommend, 0, 0, "recommend [--json] [--no-daemon]" },
	{ "apply", cmd_apply, 0, 0, "apply [--dry-run] [--boot] [--persist] [--json]" },
	{ "alerts", cmd_alerts, 0, 0, "alerts [--json] [--no-daemon]" },
	{ "explain", cmd_explain, 1, 1, "explain PID" },
	{ "fix", cmd_fix, 1, 1, "fix PID [--size BYTES]" },
	{ "monitor", cmd_monitor, 0, 0, "monitor [--json] [--for SECONDS]" },
	{ "metrics", cmd_metrics, 0, 0, "metrics" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nltune [-c FILE] [--proc DIR] [--sys DIR] [--state-dir DIR] COMMAND ...\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  nltune %s\n", commands[i].usage);
	fprintf(f, "options: -h/--help, --version, --json, --no-daemon; see README.md\n");
}

enum {
	OPT_JSON = COMMON_OPT_NEXT,
	OPT_ALL,
	OPT_DRY,
	OPT_BOOT,
	OPT_PERSIST,
	OPT_NODAEMON,
	OPT_FOR,
	OPT_SIZE
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "json", no_argument, NULL, OPT_JSON },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "boot", no_argument, NULL, OPT_BOOT },
		{ "persist", no_argument, NULL, OPT_PERSIST },
		{ "no-daemon", no_argument, NULL, OPT_NODAEMON },
		{ "for", required_argument, NULL, OPT_FOR },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ NULL, 0, NULL, 0 },
	};
	struct common com = { .prog = "nltune", .conf_path = NLT_CONF_DEFAULT_PATH };
	struct cli c = { 0 };
	const struct command *cmd = NULL;
	char *end;
	int opt, r;

	log_init("nltune", getenv("NLTUNE_DEBUG") != NULL);
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		r = common_option(&com, opt, optarg);
		if (r < 0)
			return 0;
		if (r > 0)
			continue;
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case OPT_JSON:
			c.json = true;
			break;
		case OPT_ALL:
			c.all = true;
			break;
		case OPT_DRY:
			c.dry_run = true;
			break;
		case OPT_BOOT:
			c.boot = true;
			break;
		case OPT_PERSIST:
			c.persist = true;
			break;
		case OPT_NODAEMON:
			c.no_daemon = true;
			break;
		case OPT_FOR:
			errno = 0;
			c.for_s = strtod(optarg, &end);
			if (errno || *end || c.for_s <= 0 || c.for_s > 1e7) {
				fprintf(
				    stderr,
				    "nltune: --for wants a positive number of seconds, not '%s'\n",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_SIZE:
			errno = 0;
			c.size = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-' || c.size == 0 ||
			    c.size > INT32_MAX) {
				fprintf(stderr, "nltune: --size wants bytes (1..%d), not '%s'\n",
					INT32_MAX, optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "nltune: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	c.argc = argc - optind - 1;
	c.argv = argv + optind + 1;
	if (c.argc < cmd->min_args || c.argc > cmd->max_args) {
		fprintf(stderr, "usage: nltune %s\n", cmd->usage);
		return EXIT_USAGE;
	}
	r = common_load(&com, &c.conf);
	if (r)
		return r;
	return cmd->run(&c);
}
