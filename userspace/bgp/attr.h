/*
 * Interned (hash-consed) path attribute sets.  Every route of a peer points
 * at one by a 32-bit id, so a full table costs one copy per distinct set.
 * Sets are canonical so that the same path received over a 2-octet and a
 * 4-octet session, or in a different attribute order, interns once:
 *  - attributes in ascending type order, duplicates and discarded ones gone;
 *  - AS_PATH in 4-octet form after the AS4_PATH merge, AGGREGATOR in its
 *    8-octet form; AS4_PATH / AS4_AGGREGATOR are dropped (an encoder for a
 *    2-octet peer derives them again);
 *  - NEXT_HOP, MP_REACH_NLRI and MP_UNREACH_NLRI are not attributes here:
 *    the next hop is kept beside them, per family.
 */
#ifndef BMPTAP_ATTR_H
#define BMPTAP_ATTR_H

#include <stdint.h>

#include "bgp.h"
#include "budget.h"
#include "buf.h"

struct attr_set {
	uint32_t refcnt;
	uint32_t hash;
	uint8_t fam;		/* enum bgp_fam the next hop belongs to */
	uint8_t nh_len;		/* 4 (IPv4), 16, or 32 (IPv6 global + link-local) */
	uint8_t nh[32];
	struct budget *bud;	/* charged with this set's bytes, or NULL */
	uint32_t len;
	uint8_t data[];		/* canonical attributes in wire form */
};

struct attr_table {
	struct attr_set **sets;	/* by id; id 0 is never used */
	uint32_t n_ids, cap_ids;
	uint32_t *free_ids;	/* ids ready for reuse */
	uint32_t n_free;
	/* Open addressing, linear probing: hash << 32 | id, or 0.  The hash
	 * beside the id spares a probe the load of a set that cannot match. */
	uint64_t *index;
	uint32_t index_cap;	/* power of two */
	uint32_t count;		/* live sets */
	/* Sets freed so far: while it stays the same, an id names one set. */
	uint64_t frees;
	/* Random per table (getrandom at init): peers choose the attributes
	 * and prefixes, so the hashes over them are keyed.  The RIBs sharing
	 * this table take it too.  Tests may overwrite it before use. */
	uint64_t seed;
	/* While references are deferred (attr_defer_begin()): those taken
	 * since, by id below n_defer. */
	uint32_t *defer;
	uint32_t n_defer;
	/* The last attr_intern_budget() returned 0 because of its budget. */
	bool refused;
	struct buf scratch;
};

void attr_table_init(struct attr_table *t);
void attr_table_free(struct attr_table *t);

/* Returns the id with one new reference taken, or 0 on allocation failure. */
uint32_t attr_intern(struct attr_table *t, int fam, const uint8_t *nh, uint8_t nh_len,
		     const uint8_t *data, uint32_t len);
/*
 * attr_intern() charging a new set's bytes (attr_set_bytes) to bud, which
 * may be NULL: 0 with t->refused set when bud cannot take them.
 */
uint32_t attr_intern_budget(struct attr_table *t, struct budget *bud, int fam,
			    const uint8_t *nh, uint8_t nh_len, const uint8_t *data, uint32_t len);
/* Canonicalizes the usable attributes of u, with next hop nh for fam. */
uint32_t attr_intern_update(struct attr_table *t, struct budget *bud, const struct bgp_update *u,
			    int fam, struct bgp_span nh);
/*
 * A set of a family famrib.h keeps: no next hop of its own (fam
 * ATTR_FAM_MP, nh_len 0); the family's next hop is in an MP_REACH_NLRI
 * attribute (AFI, SAFI, next hop, reserved octet, no NLRI) among the
 * others, of any length (a VPN-IPv6 one with its link-local has 48 octets).
 */
#define ATTR_FAM_MP 0xfe
uint32_t attr_intern_update_mp(struct attr_table *t, struct budget *bud,
			       const struct bgp_update *u, uint16_t afi, uint8_t safi,
			       struct bgp_span nh);
/* The heap bytes a set of len attribute octets takes: glibc's chunk (the
 * request plus its 8-byte header, rounded up to 16). */
static inline uint64_t attr_set_bytes(uint32_t len)
{
	return ((uint64_t)sizeof(struct attr_set) + len + 8 + 15) & ~(uint64_t)15;
}
void attr_ref(struct attr_table *t, uint32_t id);
void attr_unref(struct attr_table *t, uint32_t id);

/*
 * Loading whole tables (a checkpoint) takes a reference per route, in an
 * order random in set ids: the count in each set's header, scattered over
 * the heap, costs a cache miss per route.  Between attr_defer_begin() and
 * attr_defer_end() the references to ids below max_ids are counted in one
 * compact array instead, and added to the sets at the end; attr_unref()
 * spends them first, so a set is freed exactly when it would have been.
 * begin: 0, or -ENOMEM (references then go to the sets as usual).
 */
int attr_defer_begin(struct attr_table *t, uint32_t max_ids);
void attr_defer_end(struct attr_table *t);

static inline const struct attr_set *attr_get(const struct attr_table *t, uint32_t id)
{
	return id && id < t->n_ids ? t->sets[id] : NULL;
}

/* Finds attribute type in a canonical set. */
bool attr_find(const struct attr_set *s, uint8_t type, struct bgp_attr *a);

#endif
