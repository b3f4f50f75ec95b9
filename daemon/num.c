/* SPDX-License-Identifier: MIT */
/* Strict, bounded, overflow-checked number parsing; no locale, no errno, no strto*(). */
#include "num.h"

#include <errno.h>
#include <string.h>

static unsigned int digit(char c)
{
	return (unsigned int)(unsigned char)c - '0'; /* above 9 for anything else */
}

int num_u64(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (digit(s[i]) > 9)
			return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d = digit(s[i]);

		if (d > max || x > (max - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int num_u64_str(const char *s, uint64_t max, uint64_t *v)
{
	return num_u64(s, strlen(s), max, v);
}

size_t num_digits(const char *s)
{
	size_t n = 0;

	while (digit(s[n]) <= 9)
		n++;
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int num_hex(const char *s, size_t len, size_t maxdigits, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (len == 0 || len > maxdigits || len > 16)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return -EINVAL;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return 0;
}

int num_decimal(const char *s, double max, double *v)
{
	double x = 0, scale = 1;
	size_t n = num_digits(s), i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		x = x * 10 + digit(s[i]);
	s += n;
	if (*s == '.') {
		n = num_digits(++s);
		if (n == 0)
			return -EINVAL;
		for (i = 0; i < n; i++)
			x += digit(s[i]) * (scale /= 10); /* digits past 1e-300 add 0 */
		s += n;
	}
	if (*s != '\0')
		return -EINVAL;
	/* Written so that an overflow to infinity fails too. */
	if (!(x <= max))
		return -ERANGE;
	*v = x;
	return 0;
}
