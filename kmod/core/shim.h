/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place where the reassembly and framing core touches its
 * environment.  The same core sources build into bmptap.ko and into the
 * userspace unit tests, fuzzers and benchmarks.
 */
#ifndef BMPTAP_CORE_SHIM_H
#define BMPTAP_CORE_SHIM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/errno.h>
#include <linux/rbtree.h>

/* Called from netfilter hooks in softirq context: never sleep. */
static inline void *bmptap_alloc(size_t size)
{
	return kmalloc(size, GFP_ATOMIC | __GFP_NOWARN);
}

static inline void bmptap_free(void *p)
{
	kfree(p);
}

/* What kmalloc(size) really takes: the core is charged for that. */
static inline size_t bmptap_alloc_size(size_t size)
{
#ifdef BMPTAP_HAVE_KMALLOC_SIZE_ROUNDUP
	return kmalloc_size_roundup(size);
#else
	return size;
#endif
}
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

typedef int8_t s8;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

/* Tests replace this to inject allocation failures. */
extern void *(*bmptap_alloc_hook)(size_t size);

static inline void *bmptap_alloc(size_t size)
{
	return bmptap_alloc_hook ? bmptap_alloc_hook(size) : malloc(size);
}

static inline void bmptap_free(void *p)
{
	free(p);
}

/*
 * kmalloc's bucket for size (SLUB: powers of two from 8, plus 96 and 192),
 * so that tests see the charges the module makes.
 */
static inline size_t bmptap_alloc_size(size_t size)
{
	size_t b = 8;

	while (b < size) {
		if (b == 64 && size <= 96)
			return 96;
		if (b == 128 && size <= 192)
			return 192;
		b <<= 1;
	}
	return b;
}

#include "rbtree_user.h"
#endif

/* Wrap-safe TCP sequence comparisons (RFC 1982 arithmetic). */
static inline bool bmptap_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool bmptap_seq_after(u32 a, u32 b)
{
	return bmptap_seq_before(b, a);
}

/*
 * Payload of one segment.  In the kernel src is an skb and copy is a
 * skb_copy_bits() wrapper starting at the TCP payload; in userspace it is a
 * flat buffer.  copy returns 0 or a negative errno.  flat, when not NULL,
 * points at the same len bytes in memory (a linear skb, a held segment):
 * whole messages are then framed in place instead of copied.
 */
struct bmptap_payload {
	const void *src;
	u32 len;
	int (*copy)(const void *src, u32 off, void *dst, u32 len);
	const u8 *flat;
};

#endif /* BMPTAP_CORE_SHIM_H */
