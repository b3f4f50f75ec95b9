/* SPDX-License-Identifier: MIT */
/* The console's terminal: its width, whether to colour, and text wrapped to fit. */
#ifndef NLTUNE_TERM_H
#define NLTUNE_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TERM_WIDTH_DEFAULT 80 /* when stdout is not a terminal */

/* Columns of stdout: $COLUMNS if set and sane, else the tty's width, else 80. */
unsigned term_width(void);

/*
 * Colour on stdout: a tty, TERM set and not "dumb", NO_COLOR unset, and
 * SYSTEMD_COLORS not false/0/no/16-less ("1", "true", "yes", "16", "256" force it on).
 */
bool term_color(void);

/* Is stdout a terminal (JSON is pretty there by default). */
bool term_isatty(void);

/*
 * Print text in lines of at most width columns, breaking at spaces (a word
 * longer than a line is cut). The first line starts with first (counted as
 * indent columns wide), the following ones with indent spaces. Bytes, not
 * glyphs, are counted: callers pass sanitized ASCII-ish text. Writes only to f.
 */
void term_wrap(FILE *f, const char *first, size_t indent, const char *text, size_t width);

/*
 * Copy src into dst shortened to at most cols bytes: a cut text ends in "..".
 * Returns dst.
 */
const char *term_fit(char *dst, size_t len, const char *src, size_t cols);

#endif
