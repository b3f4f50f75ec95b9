/* SPDX-License-Identifier: MIT */
/*
 * A second CRC-32 (IEEE, table-driven; the state parser's is bitwise), so that the state tests
 * and the state fuzzer do not trust the one under test and can give a body the checksum it needs.
 */
#ifndef NLTUNE_TESTS_REFCRC_H
#define NLTUNE_TESTS_REFCRC_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t ref_crc32(const char *buf, size_t len)
{
	static uint32_t table[256];
	uint32_t crc = 0xffffffffu, c;
	size_t i;
	int k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			c = (uint32_t)i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	for (i = 0; i < len; i++)
		crc = table[(crc ^ (unsigned char)buf[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#endif
