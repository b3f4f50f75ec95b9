/* SPDX-License-Identifier: MIT */
/* The one sanitizer for text from other processes on its way to a terminal, a log line or JSON. */
#include "sanitize.h"

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
		if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) { /* C1 controls drive terminals too */
			dst[o++] = '?';
			s += 2;
			continue;
		}
		memmove(dst + o, s, n); /* dst may be src: the output never overtakes the input */
		o += n;
		s += n;
	}
	dst[o] = '\0';
	return dst;
}
