/* SPDX-License-Identifier: MIT */
/* The one binary search: arrays kept sorted by a uint64_t key (inodes, namespaces). */
#ifndef NLTUNE_SORTED_H
#define NLTUNE_SORTED_H

#include <stddef.h>
#include <stdint.h>

/*
 * The first index i of base[0..n) (elements of size bytes, sorted ascending
 * by the uint64_t at offset off of each) whose key is >= key, or n when none
 * is. Pure.
 */
size_t sorted_lower(const void *base, size_t n, size_t size, size_t off, uint64_t key);
/* The index of an element whose key equals key, or n. Pure. */
size_t sorted_find(const void *base, size_t n, size_t size, size_t off, uint64_t key);

/* The same over an array a of structs sorted by a->field, or of plain uint64_t (field omitted). */
#define SORTED_LOWER(a, n, field, key)                                                             \
	sorted_lower((a), (n), sizeof(*(a)), offsetof(__typeof__(*(a)), field), (key))
#define SORTED_FIND(a, n, field, key)                                                              \
	sorted_find((a), (n), sizeof(*(a)), offsetof(__typeof__(*(a)), field), (key))
#define SORTED_LOWER_U64(a, n, key) sorted_lower((a), (n), sizeof(uint64_t), 0, (key))
#define SORTED_FIND_U64(a, n, key)  sorted_find((a), (n), sizeof(uint64_t), 0, (key))

#endif
