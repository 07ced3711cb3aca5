/* A record as bmptapd gets it from the module, for the unit tests and the
 * fuzz targets (so no cmocka here). */
#ifndef BMPTAP_REC_TESTUTIL_H
#define BMPTAP_REC_TESTUTIL_H

#include <stdint.h>
#include <string.h>

#include "records.h"

struct recb {
	uint8_t payload[8192];
	struct bt_rec r;
	uint64_t seq;
};

static inline const struct bt_rec *mkrec(struct recb *b, uint16_t type, uint32_t flow, int dir,
					 uint32_t aux, const void *pl, size_t len, uint64_t ts)
{
	memset(&b->r, 0, sizeof(b->r));
	b->r.kind = BT_RK_RECORD;
	b->r.hdr.type = type;
	b->r.hdr.dir = (uint8_t)dir;
	b->r.hdr.flow_id = flow;
	b->r.hdr.aux = aux;
	b->r.hdr.seq = b->seq++;
	b->r.hdr.ts_ns = ts;
	b->r.hdr.len = (uint32_t)(sizeof(struct bmptap_rec) + len);
	if (len)
		memcpy(b->payload, pl, len);
	b->r.payload = b->payload;
	b->r.payload_len = len;
	return &b->r;
}

#endif
