/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FNV-1a over bytes, for the hash tables whose keys are byte strings: the
 * attribute sets (attr.c, seeded), the installed routes (kroute.c) and the
 * TOML reader's names (toml.c).  Chained calls hash a key in pieces.
 */
#ifndef BMPTAP_HASH_H
#define BMPTAP_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_BASIS	2166136261u

static inline uint32_t fnv1a(uint32_t h, const void *data, size_t n)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

#endif /* BMPTAP_HASH_H */
