/*
 * Memory budgets (operator-guide.md, "Memory budgets"): bytes charged by
 * the RIB tables and the attribute sets, per peer and in total.  A charge
 * that would pass a budget (or its parent's) is refused, so a peer
 * announcing more than it may costs a refusal, not RSS.
 *
 * A peer's budget outlives the peer while attribute sets it created are
 * still shared by other RIBs: every charged set holds a reference.
 */
#ifndef BMPTAP_BUDGET_H
#define BMPTAP_BUDGET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct budget {
	uint64_t used;			/* bytes charged */
	uint64_t max;			/* 0: unlimited */
	uint32_t refs;			/* 0 for one that is not allocated */
	struct budget *parent;		/* also charged (the total), not counted */
};

/* A new peer budget under parent (may be NULL), one reference held. */
static inline struct budget *budget_new(struct budget *parent, uint64_t max)
{
	struct budget *b = calloc(1, sizeof(*b));

	if (b) {
		b->max = max;
		b->refs = 1;
		b->parent = parent;
	}
	return b;
}

static inline void budget_get(struct budget *b)
{
	if (b && b->refs)
		b->refs++;
}

static inline void budget_put(struct budget *b)
{
	if (b && b->refs && !--b->refs)
		free(b);
}

/* 64-bit throughout: a charge near UINT64_MAX is refused, never wraps. */
static inline bool budget_fits(const struct budget *b, uint64_t add)
{
	for (; b; b = b->parent)
		if (b->max && (add > b->max || b->used > b->max - add))
			return false;
	return true;
}

static inline void budget_add(struct budget *b, uint64_t n)
{
	for (; b; b = b->parent)
		b->used += n;
}

static inline void budget_sub(struct budget *b, uint64_t n)
{
	for (; b; b = b->parent)
		b->used = b->used > n ? b->used - n : 0;
}

#endif
