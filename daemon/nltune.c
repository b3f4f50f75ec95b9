/* SPDX-License-Identifier: MIT */
/* nltune: the command line; parses options, checks them against the command, runs it. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "conf.h"
#include "log.h"
#include "num.h"
#include "term.h"

enum opt_bit {
	O_JSON = 1 << 0,
	O_ALL = 1 << 1,
	O_DRY = 1 << 2,
	O_BOOT = 1 << 3,
	O_PERSIST = 1 << 4,
	O_NODAEMON = 1 << 5,
	O_FOR = 1 << 6,
	O_SIZE = 1 << 7,
	O_LEGEND = 1 << 8,
	O_FILTER = 1 << 9,
	O_FORCE = 1 << 10,
};

/* One row per command option: how it is spelled in help and what it does. */
static const struct option_help {
	enum opt_bit bit;
	const char *spelling, *help;
} option_help[] = {
	{ O_JSON, "--json[=pretty|short]",
	  "print JSON: short is one line (the default when "
	  "stdout is not a terminal), pretty indents" },
	{ O_ALL, "--all", "include the healthy sockets" },
	{ O_NODAEMON, "--no-daemon", "do not ask nltuned: compute a local snapshot" },
	{ O_DRY, "--dry-run", "say what would change and change nothing" },
	{ O_BOOT, "--boot", "early-boot mode: no D-Bus, no daemon, one log line" },
	{ O_PERSIST, "--persist", "also write <sysctl-dir>/60-nltune.conf" },
	{ O_FOR, "--for SECONDS", "stop after SECONDS and print the totals" },
	{ O_SIZE, "--size BYTES",
	  "the buffer to set (default: the recommended rmem_default), 4096 up to the ceiling" },
	{ O_FORCE, "--force", "allow a --size above the configured ceiling" },
	{ O_LEGEND, "-q, --no-legend", "no title, column headers or hints: rows only" },
	{ O_FILTER, "--verdict V",
	  "only sockets whose verdict is V: ok, at-risk, dropping, problem" },
	{ O_FILTER, "--pid PID", "only sockets PID holds" },
	{ O_FILTER, "--protocol N", "only sockets of netlink protocol N (15: uevent)" },
	{ O_FILTER, "--netns INODE", "only sockets of that network namespace" },
};

struct command {
	const char *name;
	int (*run)(struct cli *c);
	int min_args, max_args;
	unsigned opts;	  /* enum opt_bit the command takes */
	const char *args; /* positional arguments as usage shows them */
	const char *summary, *more;
};

static int cmd_help(struct cli *c);

static const struct command commands[] = {
	{ "status", cmd_status, 0, 0, O_JSON | O_ALL | O_NODAEMON | O_LEGEND, "",
	  "one screen: sysctls in force against the recommendation, burst figures, sockets "
	  "that drop or are at risk, the newest alerts",
	  "Exit status: 0 all is well; 3 something needs attention (a socket dropping or at "
	  "risk, an rmem value below the recommendation, nltuned losing events); 1 it could "
	  "not tell." },
	{ "sockets", cmd_sockets, 0, 0, O_JSON | O_ALL | O_NODAEMON | O_LEGEND | O_FILTER, "",
	  "netlink sockets that drop or are at risk (--all: every one), with owner, protocol, "
	  "buffer, drops, limit and verdict",
	  "The fix texts are shortened to the terminal's width; nltune explain PID and --json "
	  "give them whole." },
	{ "recommend", cmd_recommend, 0, 0, O_JSON | O_NODAEMON, "",
	  "the recommended rmem_default and rmem_max and the reasoning", NULL },
	{ "apply", cmd_apply, 0, 0, O_DRY | O_BOOT | O_PERSIST | O_JSON | O_NODAEMON, "",
	  "write the recommendation to /proc/sys under the configured policy",
	  "The values in force before nltune first wrote them this boot are kept: nltune "
	  "revert puts them back." },
	{ "revert", cmd_revert, 0, 0, O_DRY | O_JSON | O_NODAEMON, "",
	  "put back the values in force before nltune first wrote them this boot and remove "
	  "the --persist drop-in",
	  NULL },
	{ "alerts", cmd_alerts, 0, 0, O_JSON | O_NODAEMON | O_LEGEND, "",
	  "recent alerts, newest first", NULL },
	{ "history", cmd_history, 0, 0, O_JSON | O_LEGEND, "",
	  "the kept boots: peak burst, coldplug burst, values applied and when, one bar each",
	  NULL },
	{ "explain", cmd_explain, 1, 1, 0, " PID",
	  "each netlink socket of PID: which limit decided its buffer, how many events it "
	  "holds, what it lost, and the fix",
	  NULL },
	{ "fix", cmd_fix, 1, 1, O_SIZE | O_FORCE | O_NODAEMON, " PID",
	  "raise PID's undersized or dropping uevent sockets live and clear their congestion",
	  NULL },
	{ "monitor", cmd_monitor, 0, 0, O_JSON | O_FOR, "",
	  "listen to uevents: one timestamped line per burst, a live line while one arrives, "
	  "then totals",
	  "With --json, one JSON object per line (JSON Lines) unless --json=pretty is asked "
	  "for." },
	{ "metrics", cmd_metrics, 0, 0, 0, "", "Prometheus text exposition of all of the above",
	  NULL },
	{ "help", cmd_help, 0, 1, 0, " [COMMAND]", "usage of one command or of all", NULL },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* "usage: nltune status [--json[=pretty|short]] [--all] ...": the options of one command. */
static void usage_line(FILE *f, const struct command *cmd)
{
	char first[64], line[512] = "";

	snprintf(first, sizeof(first), "usage: nltune %s%s ", cmd->name, cmd->args);
	for (size_t i = 0; i < sizeof(option_help) / sizeof(option_help[0]); i++) {
		const char *sp = option_help[i].spelling;

		if (!(cmd->opts & option_help[i].bit))
			continue;
		if (option_help[i].bit == O_LEGEND)
			sp = "-q";
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s[%s]",
			 line[0] ? " " : "", sp);
	}
	term_wrap(f, first, strlen(first), line, term_width());
}

static void command_help(FILE *f, const struct command *cmd)
{
	unsigned w = term_width();

	char summary[256];

	usage_line(f, cmd);
	fputc('\n', f);
	snprintf(summary, sizeof(summary), "%s.", cmd->summary);
	summary[0] = (char)toupper((unsigned char)summary[0]);
	term_wrap(f, "", 0, summary, w);
	if (cmd->more) {
		fputc('\n', f);
		term_wrap(f, "", 0, cmd->more, w);
	}
	if (cmd->opts) {
		fprintf(f, "\noptions:\n");
		for (size_t i = 0; i < sizeof(option_help) / sizeof(option_help[0]); i++) {
			char first[64];

			if (!(cmd->opts & option_help[i].bit))
				continue;
			snprintf(first, sizeof(first), "  %-23s ", option_help[i].spelling);
			if (strlen(first) > 26) {
				fprintf(f, "  %s\n", option_help[i].spelling);
				snprintf(first, sizeof(first), "%26s", "");
			}
			term_wrap(f, first, 26, option_help[i].help, w);
		}
	}
	fprintf(f, "\ncommon options: -c/--config FILE, --proc DIR, --sys DIR, --state-dir DIR,\n"
		   "  -h/--help, --version\n");
}

static void usage(FILE *f)
{
	unsigned w = term_width();

	fprintf(f, "usage: nltune [-c FILE] [--proc DIR] [--sys DIR] [--state-dir DIR]\n"
		   "              COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char first[32];

		snprintf(first, sizeof(first), "  %-10s ", commands[i].name);
		term_wrap(f, first, 13, commands[i].summary, w);
	}
	fprintf(f, "\nnltune help COMMAND (or nltune COMMAND --help) shows its options;\n"
		   "nltune(8) describes everything.\n");
}

static int cmd_help(struct cli *c)
{
	const struct command *cmd;

	if (c->argc == 0) {
		usage(stdout);
		return 0;
	}
	cmd = find_command(c->argv[0]);
	if (!cmd) {
		fprintf(stderr, "nltune: unknown command '%s'\n", c->argv[0]);
		return EXIT_USAGE;
	}
	command_help(stdout, cmd);
	return 0;
}

enum {
	OPT_JSON = COMMON_OPT_NEXT,
	OPT_ALL,
	OPT_DRY,
	OPT_BOOT,
	OPT_PERSIST,
	OPT_NODAEMON,
	OPT_FOR,
	OPT_SIZE,
	OPT_LEGEND,
	OPT_VERDICT,
	OPT_PID,
	OPT_PROTOCOL,
	OPT_NETNS,
	OPT_FORCE
};

/* The bit of an option and its spelling for messages. */
static unsigned opt_bit(int opt, const char **name)
{
	static const struct {
		int opt;
		unsigned bit;
		const char *name;
	} map[] = {
		{ OPT_JSON, O_JSON, "--json" },
		{ OPT_ALL, O_ALL, "--all" },
		{ OPT_DRY, O_DRY, "--dry-run" },
		{ OPT_BOOT, O_BOOT, "--boot" },
		{ OPT_PERSIST, O_PERSIST, "--persist" },
		{ OPT_NODAEMON, O_NODAEMON, "--no-daemon" },
		{ OPT_FOR, O_FOR, "--for" },
		{ OPT_SIZE, O_SIZE, "--size" },
		{ OPT_LEGEND, O_LEGEND, "--no-legend" },
		{ OPT_VERDICT, O_FILTER, "--verdict" },
		{ OPT_PID, O_FILTER, "--pid" },
		{ OPT_PROTOCOL, O_FILTER, "--protocol" },
		{ OPT_NETNS, O_FILTER, "--netns" },
		{ OPT_FORCE, O_FORCE, "--force" },
		{ 'q', O_LEGEND, "-q" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].opt == opt) {
			*name = map[i].name;
			return map[i].bit;
		}
	*name = "?";
	return 0;
}

/* One command option into c; 0, or EXIT_USAGE after saying why. */
static int take_option(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_JSON:
		c->json = true;
		if (!arg)
			c->json_pretty = -1;
		else if (strcmp(arg, "pretty") == 0)
			c->json_pretty = 1;
		else if (strcmp(arg, "short") == 0 || strcmp(arg, "compact") == 0)
			c->json_pretty = 0;
		else {
			fprintf(stderr, "nltune: --json takes pretty or short, not '%s'\n", arg);
			return EXIT_USAGE;
		}
		break;
	case OPT_ALL:
		c->all = true;
		break;
	case OPT_DRY:
		c->dry_run = true;
		break;
	case OPT_BOOT:
		c->boot = true;
		break;
	case OPT_PERSIST:
		c->persist = true;
		break;
	case OPT_NODAEMON:
		c->no_daemon = true;
		break;
	case OPT_FORCE:
		c->force = true;
		break;
	case OPT_LEGEND:
	case 'q':
		c->no_legend = true;
		break;
	case OPT_FOR:
		if (num_decimal(arg, 1e7, &c->for_s) < 0 || c->for_s <= 0) {
			fprintf(stderr,
				"nltune: --for wants a positive number of seconds, not '%s'\n",
				arg);
			return EXIT_USAGE;
		}
		break;
	case OPT_VERDICT:
		if (scan_verdict_filter_parse(arg, &c->filter.verdict) < 0 || !arg[0]) {
			fprintf(
			    stderr,
			    "nltune: --verdict takes ok, at-risk, dropping or problem, not '%s'\n",
			    arg);
			return EXIT_USAGE;
		}
		c->filtered = true;
		break;
	case OPT_PID:
	case OPT_PROTOCOL:
	case OPT_NETNS: {
		uint64_t v;

		if (num_u64_str(arg,
				opt == OPT_NETNS ? UINT64_MAX
				: opt == OPT_PID ? 4194304
						 : INT32_MAX,
				&v) < 0 ||
		    (v == 0 && opt != OPT_PROTOCOL)) {
			fprintf(stderr, "nltune: --%s wants a number, not '%s'\n",
				opt == OPT_PID	   ? "pid"
				: opt == OPT_NETNS ? "netns"
						   : "protocol",
				arg);
			return EXIT_USAGE;
		}
		if (opt == OPT_PID)
			c->filter.pid = (pid_t)v;
		else if (opt == OPT_PROTOCOL)
			c->filter.protocol = (int32_t)v;
		else
			c->filter.netns = v;
		c->filtered = true;
		break;
	}
	case OPT_SIZE:
		if (num_u64_str(arg, INT32_MAX, &c->size) < 0 || c->size == 0) {
			fprintf(stderr, "nltune: --size wants bytes (1..%d), not '%s'\n", INT32_MAX,
				arg);
			return EXIT_USAGE;
		}
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTIONS,
		{ "json", optional_argument, NULL, OPT_JSON },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "boot", no_argument, NULL, OPT_BOOT },
		{ "persist", no_argument, NULL, OPT_PERSIST },
		{ "no-daemon", no_argument, NULL, OPT_NODAEMON },
		{ "for", required_argument, NULL, OPT_FOR },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "no-legend", no_argument, NULL, OPT_LEGEND },
		{ "verdict", required_argument, NULL, OPT_VERDICT },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "protocol", required_argument, NULL, OPT_PROTOCOL },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ NULL, 0, NULL, 0 },
	};
	struct common com = { .prog = "nltune", .conf_path = NLT_CONF_DEFAULT_PATH };
	struct cli c = { .filter = { .protocol = -1 } };
	const struct command *cmd = NULL;
	const char *first_name[16] = { 0 }; /* spelling of each option bit as first given */
	unsigned given = 0;
	bool help = false;
	int opt, r;

	/*
	 * A listing builds and frees an object per socket and field; with glibc's fast bins every
	 * table that outgrows them consolidates the heap first (a fifth of `sockets --all`).
	 */
	mallopt(M_MXFAST, 0);
	log_init("nltune", getenv("NLTUNE_DEBUG") != NULL, false);
	while ((opt = getopt_long(argc, argv, "c:hq", opts, NULL)) != -1) {
		const char *name;
		unsigned bit;

		r = common_option(&com, opt, optarg);
		if (r < 0)
			return 0;
		if (r > 0)
			continue;
		if (opt == 'h') {
			help = true;
			continue;
		}
		bit = opt_bit(opt, &name);
		if (!bit) {
			fprintf(stderr, "nltune help shows the commands; nltune help COMMAND their "
					"options\n");
			return EXIT_USAGE;
		}
		if (!(given & bit))
			first_name[__builtin_ctz(bit)] = name;
		given |= bit;
		r = take_option(&c, opt, optarg);
		if (r)
			return r;
	}
	if (optind < argc) {
		cmd = find_command(argv[optind]);
		if (!cmd) {
			fprintf(stderr, "nltune: unknown command '%s'; nltune help lists them\n",
				argv[optind]);
			return EXIT_USAGE;
		}
	}
	if (help) {
		if (cmd)
			command_help(stdout, cmd);
		else
			usage(stdout);
		return 0;
	}
	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (given & ~cmd->opts) {
		unsigned bad = given & ~cmd->opts;

		fprintf(stderr, "nltune: %s does not take %s; nltune help %s lists its options\n",
			cmd->name, first_name[__builtin_ctz(bad)], cmd->name);
		return EXIT_USAGE;
	}
	c.argc = argc - optind - 1;
	c.argv = argv + optind + 1;
	if (c.argc < cmd->min_args || c.argc > cmd->max_args) {
		usage_line(stderr, cmd);
		return EXIT_USAGE;
	}
	/* Pretty on a terminal, as busctl -j; monitor's stream stays one object per line. */
	if (c.json && c.json_pretty < 0)
		c.json_pretty = cmd->run != cmd_monitor && term_isatty();
	c.color = term_color();
	c.width = term_width();
	if (cmd->run == cmd_help)
		return cmd_help(&c);
	r = common_load(&com, &c.conf);
	if (r)
		return r;
	return cmd->run(&c);
}
