/* SPDX-License-Identifier: MIT */
/* What the console commands share beyond their options: JSON as --json asked, scan warnings. */
#include "cli.h"

#include <errno.h>

#include "log.h"
#include "paths.h"
#include "report.h"

void cli_print_json(const struct cli *c, json_object *obj)
{
	report_print_json(obj, c->json_pretty == 1);
}

/* Why a local snapshot failed: a table with no readable row is named as such. */
void cli_scan_failed(const struct scanner *sc, int r)
{
	if (r == -EBADMSG && sc->bad_rows)
		log_warnx("%s/net/netlink: none of its %zu rows could be read; it is not a netlink "
			  "socket table",
			  paths_proc(), sc->bad_rows);
	else
		log_warnx("cannot take a snapshot under %s: %s", paths_proc(), paths_strerror(r));
}

/* The local scan read part of the table only: say so on stderr (JSON carries it in "scan"). */
void cli_scan_gaps(const struct scanner *sc)
{
	if (sc->bad_rows)
		log_warnx("%s/net/netlink: %zu malformed rows were not read", paths_proc(),
			  sc->bad_rows);
	if (sc->over_rows)
		log_warnx("%s/net/netlink: %zu rows past the first %d were not looked at",
			  paths_proc(), sc->over_rows, NLSCAN_MAX_ROWS);
}
