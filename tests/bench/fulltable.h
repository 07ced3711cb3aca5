/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fulltable: a deterministic synthetic Internet routing table, as the BGP
 * UPDATE messages a transit peer would send for it (4-octet AS session,
 * IPv4 in the classic NLRI fields, IPv6 in MP_REACH_NLRI).  Where the
 * distributions come from is documented at the top of fulltable.c and in
 * Documentation/performance.md.
 *
 * Used by tests/tools/bgp-speaker.c and tests/unit/test_fulltable.c, which
 * compile it in with `#include "../bench/fulltable.c"` so that the generic
 * one-source-per-binary rules of the Makefile suffice.
 */
#ifndef BMPTAP_FULLTABLE_H
#define BMPTAP_FULLTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FT_FAM_IPV4	0
#define FT_FAM_IPV6	1

struct ft_opts {
	double scale;		/* fraction of today's table: 1.0 = ~1.04 M + ~230 k */
	uint64_t seed;		/* same seed and scale: same bytes */
	uint32_t peer_as;	/* the sending speaker's AS: first AS of every path */
	uint32_t nh4;		/* IPv4 NEXT_HOP, host byte order */
	uint8_t nh6[16];	/* IPv6 next hop (MP_REACH_NLRI, 16 octets) */
	bool fam[2];		/* families to generate (both by default) */
};

struct ft_table {
	uint8_t *data;		/* the UPDATEs, back to back, without End-of-RIB */
	size_t len;
	size_t fam_off[2];	/* where each family's UPDATEs start */
	size_t fam_len[2];
	/* Per family (FT_FAM_*). */
	uint64_t updates[2];
	uint64_t prefixes[2];
	uint64_t origins[2];	/* origin ASes that announce something */
	uint64_t attr_sets[2];	/* distinct attribute sets (groups of prefixes) */
	double mean_plen[2];	/* mean prefix length */
	/* Per prefix, both families. */
	double mean_path;	/* AS_PATH length as sent (prepends included) */
	double mean_path_uniq;	/* distinct ASes in the path */
	double mean_comms;	/* COMMUNITIES values */
	double with_comms;	/* fraction of prefixes carrying COMMUNITIES */
	double with_large;	/* fraction carrying LARGE_COMMUNITY */
};

void ft_opts_default(struct ft_opts *o);
/* 0, or -1 when out of memory or the options are invalid. */
int ft_generate(const struct ft_opts *o, struct ft_table *t);
void ft_free(struct ft_table *t);
/* Writes the End-of-RIB marker of a family to out (at least 32 bytes). */
size_t ft_eor(int fam, uint8_t *out);
/* Prints the table's statistics (one "key value" per line, prefix first). */
void ft_print_stats(const struct ft_table *t, const char *prefix, void *file);

#endif
