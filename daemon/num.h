/* SPDX-License-Identifier: MIT */
/* The one number parser: strict decimals (and hex) from files, the command line and the kernel. */
#ifndef NLTUNE_NUM_H
#define NLTUNE_NUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The len bytes at s as an unsigned decimal: digits only (no sign, blank,
 * prefix or suffix), at most max. Returns 0, -EINVAL (empty, or a byte that
 * is not a digit) or -ERANGE (above max); *v is set only on success. Pure.
 */
int num_u64(const char *s, size_t len, uint64_t max, uint64_t *v);
/* The same for the whole NUL-terminated string s. */
int num_u64_str(const char *s, uint64_t max, uint64_t *v);
/* The number of leading decimal digits of s (where a number with a suffix ends). */
size_t num_digits(const char *s);

/* 1 to maxdigits hex digits (either case, no 0x) at s; 0 or -EINVAL. Pure. */
int num_hex(const char *s, size_t len, size_t maxdigits, uint64_t *v);

/*
 * A plain decimal "2", "2.5", "0.25" (no sign, exponent, nan, inf or locale
 * comma), at most max. Returns 0, -EINVAL or -ERANGE. Pure.
 */
int num_decimal(const char *s, double max, double *v);

#endif
