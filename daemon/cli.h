/* SPDX-License-Identifier: MIT */
/* The nltune commands: options parsed by nltune.c, one function per command. */
#ifndef NLTUNE_CLI_H
#define NLTUNE_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "conf.h"
#include "scan.h"

#define EXIT_USAGE 2

struct cli {
	struct nlt_conf conf;
	bool json, all, dry_run, boot, persist, no_daemon;
	int json_pretty; /* --json=pretty 1, =short 0; -1 until main decides from the tty */
	bool no_legend;	 /* -q/--no-legend: table rows only */
	bool color;	 /* term_color() */
	unsigned width;	 /* term_width() */
	double for_s;	 /* monitor --for; 0 = until interrupted */
	uint64_t size;	 /* fix --size; 0 = computed */
	struct scan_filter filter; /* sockets --verdict/--pid/--protocol/--netns */
	bool filtered;		   /* one of them was given */
	bool force;		   /* fix --force: a --size above the ceiling */
	int argc;		   /* positional arguments after the command */
	char **argv;
};

int cmd_monitor(struct cli *c);
int cmd_recommend(struct cli *c);
int cmd_apply(struct cli *c);
int cmd_status(struct cli *c);
int cmd_sockets(struct cli *c);
int cmd_alerts(struct cli *c);
int cmd_metrics(struct cli *c);
int cmd_explain(struct cli *c);
int cmd_fix(struct cli *c);
int cmd_revert(struct cli *c);
int cmd_history(struct cli *c);
/* history --json from the state file (NULL on ENOMEM); quiet: no warning on a damaged file. */
json_object *cli_history(const struct cli *c, bool quiet);
/* Print obj as --json asked (short or pretty) and free it. */
void cli_print_json(const struct cli *c, json_object *obj);
/* Say on stderr why a local scan failed (r from collect_local()). */
void cli_scan_failed(const struct scanner *sc, int r);
/* Say on stderr which rows of /proc/net/netlink the local scan could not read, if any. */
void cli_scan_gaps(const struct scanner *sc);
/* The recommendation as nltuned sees it (with live peaks): 0, or -errno if it does not answer. */
int cmd_recommend_daemon(struct cli *c, json_object **rec);

#endif
