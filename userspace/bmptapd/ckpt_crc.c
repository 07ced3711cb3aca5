// SPDX-License-Identifier: GPL-2.0
/* The checkpoint's checksum (checkpoint.h): CRC-32C, apart from the format. */
#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"

/* ---- crc32c (Castagnoli, reflected 0x82f63b78) ---------------------------- */

/* Slicing by 8: table k advances a byte's contribution by k more bytes, so
 * eight bytes take eight independent lookups instead of a chain of eight
 * (a full table's checkpoint is tens of MB, checked at every restart). */
uint32_t ckpt_crc32c(uint32_t crc, const void *data, size_t len)
{
	static uint32_t t[8][256];
	const uint8_t *p = data;

	if (!t[0][1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
			t[0][i] = c;
		}
		for (int k = 1; k < 8; k++)
			for (uint32_t i = 0; i < 256; i++)
				t[k][i] = t[k - 1][i] >> 8 ^ t[0][t[k - 1][i] & 0xff];
	}
	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				     (uint32_t)p[3] << 24);
		uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
			      (uint32_t)p[7] << 24;

		crc = t[7][lo & 0xff] ^ t[6][lo >> 8 & 0xff] ^ t[5][lo >> 16 & 0xff] ^ t[4][lo >> 24] ^
		      t[3][hi & 0xff] ^ t[2][hi >> 8 & 0xff] ^ t[1][hi >> 16 & 0xff] ^ t[0][hi >> 24];
	}
	while (len--)
		crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
