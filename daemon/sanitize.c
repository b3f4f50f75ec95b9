/* SPDX-License-Identifier: MIT */
/* The one sanitizer for text from other processes on its way to a terminal, a log line or JSON. */
#include "sanitize.h"

#include <stdbool.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	if (*s == 0xe0)
		lo = 0xa0;
	else if (*s == 0xed)
		hi = 0x9f;
	else if (*s == 0xf0)
		lo = 0x90;
	else if (*s == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* The code point of the valid n-byte sequence at s. */
static unsigned long code_point(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned long c = s[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		c = (c << 6) | (s[i] & 0x3f);
	return c;
}

/*
 * Characters that reorder, hide or break the text around them on a terminal, in a log or in a
 * browser: bidirectional controls (the "Trojan Source" ones), line and paragraph separators,
 * and the invisible format characters that make one name look like another.
 */
static const struct {
	unsigned long lo, hi;
} invisible[] = {
	{ 0x00ad, 0x00ad },   /* soft hyphen */
	{ 0x061c, 0x061c },   /* arabic letter mark */
	{ 0x180e, 0x180e },   /* mongolian vowel separator */
	{ 0x200b, 0x200f },   /* zero-width space, non-joiner, joiner; LRM, RLM */
	{ 0x2028, 0x202e },   /* line and paragraph separators; LRE, RLE, PDF, LRO, RLO */
	{ 0x2060, 0x2064 },   /* word joiner, invisible operators */
	{ 0x2066, 0x206f },   /* LRI, RLI, FSI, PDI; deprecated format characters */
	{ 0xfeff, 0xfeff },   /* zero-width no-break space (BOM) */
	{ 0xfff9, 0xfffb },   /* interlinear annotation */
	{ 0xe0001, 0xe0001 }, /* language tag */
	{ 0xe0020, 0xe007f }, /* tag characters */
};

static bool is_invisible(unsigned long c)
{
	for (size_t i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++)
		if (c >= invisible[i].lo && c <= invisible[i].hi)
			return true;
	return false;
}

char *sanitize_text(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	if (!len)
		return dst;
	while (*s && o + 1 < len) {
		size_t n = utf8_len(s);

		/* Invalid, a control byte, or a character that does not fit whole: '?'. */
		if (n == 0 || o + n >= len || (n == 1 && (*s < 0x20 || *s == 0x7f))) {
			dst[o++] = '?';
			s++;
			continue;
		}
		/* C1 controls drive terminals too; bidi and invisible ones mislead the reader */
		if ((n == 2 && s[0] == 0xc2 && s[1] < 0xa0) ||
		    (n > 1 && is_invisible(code_point(s, n)))) {
			dst[o++] = '?';
			s += n;
			continue;
		}
		memmove(dst + o, s, n); /* dst may be src: the output never overtakes the input */
		o += n;
		s += n;
	}
	dst[o] = '\0';
	return dst;
}
