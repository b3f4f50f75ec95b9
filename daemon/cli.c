/* SPDX-License-Identifier: MIT */
/* What the console commands share beyond their options: JSON as --json asked for it. */
#include "cli.h"
#include "report.h"

void cli_print_json(const struct cli *c, json_object *obj)
{
	report_print_json(obj, c->json_pretty == 1);
}
