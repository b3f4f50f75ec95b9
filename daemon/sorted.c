/* SPDX-License-Identifier: MIT */
/* Lower bound and lookup in arrays sorted by a uint64_t key. */
#include "sorted.h"

#include <string.h>

static uint64_t key_at(const void *base, size_t i, size_t size, size_t off)
{
	uint64_t k;

	memcpy(&k, (const char *)base + i * size + off, sizeof(k));
	return k;
}

size_t sorted_lower(const void *base, size_t n, size_t size, size_t off, uint64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_at(base, mid, size, off) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t sorted_find(const void *base, size_t n, size_t size, size_t off, uint64_t key)
{
	size_t i = sorted_lower(base, n, size, off, key);

	return i < n && key_at(base, i, size, off) == key ? i : n;
}
