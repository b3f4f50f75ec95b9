/* SPDX-License-Identifier: MIT */
/* `nltune history`: the boots kept in the state file, each with its peaks and a bar. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "render.h"
#include "report.h"
#include "state.h"
#include "sysctl.h"

json_object *cli_history(const struct cli *c, bool quiet)
{
	char boot_id[STATE_BOOT_ID_LEN + 1];
	struct state *s = malloc(sizeof(*s));
	json_object *o;
	int r;

	if (!s)
		return NULL;
	r = state_load(c->conf.state_dir, s);
	if (r < 0 && r != -ENOENT && !quiet)
		log_warnx("%s/%s: %s: ignored", c->conf.state_dir, STATE_FILE, strerror(-r));
	if (sysctl_boot_id(boot_id, sizeof(boot_id)) < 0)
		boot_id[0] = '\0';
	o = report_history_json(s, boot_id[0] ? boot_id : NULL);
	free(s);
	return o;
}

int cmd_history(struct cli *c)
{
	struct render_opts ro = { .color = c->color, .legend = !c->no_legend, .width = c->width };
	json_object *h = cli_history(c, false);

	if (!h)
		return 1;
	if (c->json) {
		cli_print_json(c, h);
		return 0;
	}
	render_history(stdout, h, &ro);
	json_object_put(h);
	return 0;
}
