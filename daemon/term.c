/* SPDX-License-Identifier: MIT */
/* Terminal width and colour from the environment; wrapping and shortening are pure. */
#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "num.h"

bool term_isatty(void)
{
	return isatty(STDOUT_FILENO) == 1;
}

unsigned term_width(void)
{
	const char *e = getenv("COLUMNS");
	struct winsize ws;
	uint64_t v;

	if (e && num_u64_str(e, 10000, &v) == 0 && v >= 20)
		return (unsigned)v;
	if (term_isatty() && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return TERM_WIDTH_DEFAULT;
}

/* SYSTEMD_COLORS: a boolean or a mode; 1 on, 0 off, -1 not said. */
static int systemd_colors(void)
{
	const char *e = getenv("SYSTEMD_COLORS");
	static const char *const on[] = {
		"1", "yes", "y", "true", "t", "on", "16", "256", "24bit"
	};
	static const char *const off[] = { "0", "no", "n", "false", "f", "off" };

	if (!e || !*e)
		return -1;
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++)
		if (strcasecmp(e, on[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (strcasecmp(e, off[i]) == 0)
			return 0;
	return -1;
}

bool term_color(void)
{
	const char *t = getenv("TERM");
	int sc;

	if (getenv("NO_COLOR"))
		return false;
	sc = systemd_colors();
	if (sc >= 0)
		return sc == 1;
	return term_isatty() && t && *t && strcmp(t, "dumb") != 0;
}

void term_wrap(FILE *f, const char *first, size_t indent, const char *text, size_t width)
{
	size_t room = width > indent + 10 ? width - indent : 10;
	const char *p = text;
	bool firstline = true;

	do {
		size_t n = strlen(p), cut = n;

		if (n > room) {
			cut = room;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = room;
		}
		if (firstline)
			fputs(first, f);
		else
			fprintf(f, "%*s", (int)indent, "");
		fprintf(f, "%.*s\n", (int)cut, p);
		firstline = false;
		p += cut;
		while (*p == ' ')
			p++;
	} while (*p);
}

const char *term_fit(char *dst, size_t len, const char *src, size_t cols)
{
	size_t n = strlen(src);

	if (!len)
		return dst;
	if (cols >= len)
		cols = len - 1;
	if (n <= cols) {
		memcpy(dst, src, n + 1);
		return dst;
	}
	if (cols < 2) {
		memcpy(dst, src, cols);
		dst[cols] = '\0';
		return dst;
	}
	memcpy(dst, src, cols - 2);
	memcpy(dst + cols - 2, "..", 3);
	return dst;
}
