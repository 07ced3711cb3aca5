/* Growable arrays of fixed-size elements (lists appended one at a time). */
#ifndef BMPTAP_ARRAY_H
#define BMPTAP_ARRAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Room for element n of an array of elem-byte elements with *cap allocated
 * (doubling, first_cap to start): the array, moved or not, or NULL when out
 * of memory (the old array and *cap then unchanged).
 */
static inline void *array_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first_cap)
{
	size_t c = *cap ? *cap * 2 : first_cap;

	if (n < *cap)
		return v;
	if (c > SIZE_MAX / elem)
		return NULL;
	v = realloc(v, c * elem);
	if (v)
		*cap = c;
	return v;
}

#endif
