/* SPDX-License-Identifier: MIT */
/* What every unit test program shares: case counts, fixtures, scratch trees under /tmp. */
#ifndef NLTUNE_TESTS_UNIT_H
#define NLTUNE_TESTS_UNIT_H

#include <stddef.h>

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

/* The absolute path of tests/fixtures/<rel> in the source tree. */
const char *unit_fixture(char *buf, size_t len, const char *rel);

/* A fresh empty directory /tmp/nltune-unit-XXXXXX; the test fails if none can be made. */
void unit_tmpdir(char *buf, size_t len);
/* A fresh directory holding a copy of tests/fixtures/<scenario>, symlinks kept. */
void unit_copy_fixture(char *buf, size_t len, const char *scenario);
/* Remove dir and everything below it, symlinks not followed. */
void unit_rm_tree(const char *dir);

/* Write text to <root>/<rel> (replacing it), making the missing parent directories. */
void unit_write(const char *root, const char *rel, const char *text);
/* The whole file, NUL-terminated and malloc'd (*len its size if len is not NULL), or NULL. */
char *unit_slurp(const char *path, size_t *len);

#endif
