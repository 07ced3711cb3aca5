// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the per-family NLRI walk (nlri.h): remote input in
 * every MP_REACH/MP_UNREACH a tapped peer sends.  Input: AFI (2 octets),
 * SAFI, a flags octet (bit 0 ADD-PATH, bit 1 withdrawal, bits 4-7 the
 * Multiple Labels count), then the NLRI.
 *
 * Invariants (abort() otherwise): no crash or sanitizer report; routes are
 * consecutive and inside the input; a key lies inside its route or in the
 * route's own copy buffer; a walk that ends without error consumed it all.
 */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "nlri.h"

static bool inside(struct bgp_span s, const uint8_t *lo, const uint8_t *hi)
{
	return s.p >= lo && s.p + s.len <= hi;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlri_family *f;
	struct nlri_iter it;
	struct nlri_route r;
	const uint8_t *at, *end = data + size;
	int rc;

	if (size < 4 || size > 1 << 16)
		return 0;
	f = nlri_family_find(get_u16(data), data[2]);
	if (!f)
		return 0;
	at = data + 4;
	nlri_iter_init(&it, f, (struct bgp_span){ at, (uint32_t)(size - 4) }, data[3] & 1,
		       data[3] & 2, data[3] >> 4);
	while ((rc = nlri_next(&it, &r)) == 1) {
		at += it.addpath ? 4 : 0;
		if (r.nlri.p != at || !inside(r.nlri, data + 4, end))
			abort();
		if (!inside(r.key, r.nlri.p, r.nlri.p + r.nlri.len) &&
		    !inside(r.key, r.key_copy, r.key_copy + sizeof(r.key_copy)))
			abort();
		at += r.nlri.len;
	}
	if (rc == 0 && at != end)
		abort();
	return 0;
}
