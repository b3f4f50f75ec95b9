/* SPDX-License-Identifier: MIT */
/* Shared option handling and configuration loading of the two entry points. */
#include "common.h"

#include <stdio.h>
#include <string.h>

#include "paths.h"

int common_option(struct common *c, int opt, const char *arg)
{
	switch (opt) {
	case 'c':
		c->conf_path = arg;
		return 1;
	case COMMON_OPT_PROC:
		paths_set_proc(arg);
		return 1;
	case COMMON_OPT_SYS:
		paths_set_sys(arg);
		return 1;
	case COMMON_OPT_STATE:
		c->state_dir = arg;
		return 1;
	case COMMON_OPT_VERSION:
		printf("%s %s\n", c->prog, NLTUNE_VERSION);
		return -1;
	default:
		return 0;
	}
}

int common_load(const struct common *c, struct nlt_conf *conf)
{
	static char run[sizeof(conf->state_dir) + 4];
	char err[1024];

	/* An empty -c would otherwise read as "no file: defaults". */
	if (!c->conf_path[0]) {
		fprintf(stderr, "%s: -c wants a configuration file, not an empty string\n",
			c->prog);
		return 2;
	}
	if (!paths_proc()[0] || !paths_sys()[0]) {
		fprintf(stderr, "%s: --proc and --sys want a directory, not an empty string\n",
			c->prog);
		return 2;
	}
	if (c->state_dir && c->state_dir[0] != '/') {
		fprintf(stderr, "%s: --state-dir wants an absolute path, not '%s'\n", c->prog,
			c->state_dir);
		return 2;
	}
	if (nlt_conf_load(conf, c->conf_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		return NLT_EX_CONFIG;
	}
	if (c->state_dir) {
		if (strlen(c->state_dir) >= sizeof(conf->state_dir)) {
			fprintf(stderr, "%s: --state-dir is too long\n", c->prog);
			return 2;
		}
		strcpy(conf->state_dir, c->state_dir);
		/* A state directory of its own brings its own early-boot records too. */
		snprintf(run, sizeof(run), "%s/run", c->state_dir);
		paths_set_run(run);
	}
	return 0;
}
