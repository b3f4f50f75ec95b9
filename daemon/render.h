/* SPDX-License-Identifier: MIT */
/* Console rendering of the JSON documents: screens that fit the terminal, colour when asked. */
#ifndef NLTUNE_RENDER_H
#define NLTUNE_RENDER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

struct render_opts {
	bool color;	/* ANSI colours */
	bool legend;	/* titles, column headers, hints and footers */
	unsigned width; /* columns: no line is longer (at 77 and more) */
};

void render_status(FILE *f, json_object *status, const struct render_opts *o);
void render_sockets(FILE *f, json_object *sockets, const struct render_opts *o);
void render_alerts(FILE *f, json_object *alerts, const struct render_opts *o);
/* The array of `history --json`: one line per boot with a bar of its peak. */
void render_history(FILE *f, json_object *history, const struct render_opts *o);

/*
 * What in a status document needs attention (a socket dropping or at risk,
 * an rmem value below the recommendation, nltuned losing events), as a short
 * text in buf ("" when nothing). Returns how many things; pure.
 */
int render_attention(json_object *status, char *buf, size_t len);
/* The status document's "scan" gaps (malformed rows, rows past the limit), if any. */
void render_scan_gaps(FILE *f, json_object *scan);

#endif
