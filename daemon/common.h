/* SPDX-License-Identifier: MIT */
/* The options nltune and nltuned share: -c, --proc, --sys, --state-dir, --version. */
#ifndef NLTUNE_COMMON_H
#define NLTUNE_COMMON_H

#include <getopt.h>

#include "conf.h"

enum {
	COMMON_OPT_PROC = 256,
	COMMON_OPT_SYS,
	COMMON_OPT_STATE,
	COMMON_OPT_VERSION,
	COMMON_OPT_NEXT /* the first value left for a program's own options */
};

#define COMMON_LONG_OPTIONS                                                                        \
	{ "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },            \
	    { "proc", required_argument, NULL, COMMON_OPT_PROC },                                  \
	    { "sys", required_argument, NULL, COMMON_OPT_SYS },                                    \
	    { "state-dir", required_argument, NULL, COMMON_OPT_STATE },                            \
	{                                                                                          \
		"version", no_argument, NULL, COMMON_OPT_VERSION                                   \
	}

struct common {
	const char *prog; /* "nltune" or "nltuned", for messages */
	const char *conf_path;
	const char *state_dir; /* --state-dir, or NULL */
};

/*
 * Take opt if it is a shared option: returns 1 when taken, 0 when it is not a
 * shared one, -1 when the program should exit 0 now (--version printed).
 */
int common_option(struct common *c, int opt, const char *arg);

/*
 * Load the configuration and apply --state-dir. Returns 0, or the exit code
 * after printing why: 78 (configuration error, FILE:LINE) or 2 (usage).
 */
int common_load(const struct common *c, struct nlt_conf *conf);

#endif
