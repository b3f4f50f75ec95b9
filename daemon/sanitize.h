/* SPDX-License-Identifier: MIT */
/* The one sanitizer for text from other processes (comm, daemon replies, file contents). */
#ifndef NLTUNE_SANITIZE_H
#define NLTUNE_SANITIZE_H

#include <stddef.h>

/*
 * Copy src into dst (len bytes, NUL-terminated) as valid UTF-8 without
 * control characters: invalid bytes, C0 controls (newline, ESC, BEL...), DEL
 * and C1 controls become '?', and a character that does not fit whole is
 * left out. dst may be src (in place). Returns dst. Pure.
 */
char *sanitize_text(char *dst, size_t len, const char *src);

#endif
