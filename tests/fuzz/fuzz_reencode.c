// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the re-encoding round trip: UPDATEs from the input
 * go into an established peer's Adj-RIB-In; a collector added afterwards
 * gets the table replayed (UPDATEs bmptapd encodes from the RIB), and the
 * UPDATEs after it go out live.  A station decodes everything it was sent
 * with the exporter's own parser.
 *
 * Input: one flags octet (bit 0: 2-octet AS session), one octet choosing
 * how many UPDATEs come before the collector, then UPDATE bodies, each
 * preceded by its length (2 octets, big endian).
 *
 * Invariant (abort() otherwise): after the replay, and again after the
 * live UPDATEs, the station's Adj-RIB-In equals the peer's exactly, route
 * by route and attribute byte by attribute byte.
 */
#include <stddef.h>
#include <stdint.h>

#include "station.h"

#define MAX_UPDATES 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct st_feed f;
	const uint8_t *body[MAX_UPDATES];
	size_t len[MAX_UPDATES], n = 0, off = 2, before;
	struct collector *c;
	struct peer *p;

	if (size < 2)
		return 0;
	while (n < MAX_UPDATES && size - off >= 2) {
		size_t l = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (l > size - off || l > 4096 - 19)
			break;
		body[n] = data + off;
		len[n++] = l;
		off += l;
	}
	before = n * data[1] / 255;
	st_feed_init(&f, 8u << 20);
	st_establish(&f.ps, &f.rb, 1, "10.0.1.1", !(data[0] & 1));
	for (size_t i = 0; i < before; i++)
		st_bgp(&f.ps, &f.rb, 1, BMPTAP_DIR_RX, BGP_UPDATE, body[i], len[i]);
	c = st_collector(&f);
	st_take(&f.st, c, 0);
	p = peers_find(&f.ps, 1);
	if (p && p->state == PEER_ESTABLISHED)
		st_equal(&f.st, p, &f.ps.attrs);
	for (size_t i = before; i < n; i++)
		st_bgp(&f.ps, &f.rb, 1, BMPTAP_DIR_RX, BGP_UPDATE, body[i], len[i]);
	st_take(&f.st, c, 0);
	p = peers_find(&f.ps, 1);
	if (p && p->state == PEER_ESTABLISHED)
		st_equal(&f.st, p, &f.ps.attrs);
	st_feed_free(&f);
	return 0;
}
