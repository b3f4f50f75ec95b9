/* SPDX-License-Identifier: MIT */
/* The one sanitizer for text from other processes (comm, daemon replies, file contents). */
#ifndef NLTUNE_SANITIZE_H
#define NLTUNE_SANITIZE_H

#include <stddef.h>

/*
 * Copy src into dst (len bytes, NUL-terminated) as valid UTF-8 without
 * control characters: invalid bytes, C0 controls (newline, ESC, BEL...), DEL,
 * C1 controls, bidirectional controls (U+202A-202E, U+2066-2069, U+200E/200F,
 * U+061C), line and paragraph separators (U+2028/2029) and invisible format
 * characters (zero-width ones, U+FEFF, tags) become '?', and a character that
 * does not fit whole is left out. dst may be src (in place). Returns dst. Pure.
 */
char *sanitize_text(char *dst, size_t len, const char *src);

#endif
