// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the peer state machine fed whole record streams, as
 * bmptapd --records reads them (the same parser, bt_records_parse, and a
 * malformed stream reported the same way): FLOW_START, both directions'
 * BGP messages, gaps, FLOW_END, any number of flows.  The peer table feeds
 * a socketless collector with a small output bound, read to the end.
 *
 * Invariants (abort() otherwise): no crash or sanitizer report; the
 * collector catches up; its station then holds exactly the Adj-RIB-In of
 * every established peer whose address no other peer shares (the station
 * knows peers by address only).
 */
#include <stddef.h>
#include <stdint.h>

#include "station.h"

static int on_record(void *ctx, const struct bt_rec *r)
{
	return peers_record(ctx, r);
}

static bool unique_addr(const struct peers *ps, const struct peer *p)
{
	struct bmp_peer a, b;

	peer_bmp_hdr(p, 0, &a);
	for (const struct peer *o = ps->head; o; o = o->next) {
		if (o == p)
			continue;
		peer_bmp_hdr(o, 0, &b);
		if (!memcmp(a.addr, b.addr, sizeof(a.addr)))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct st_feed f;
	uint64_t seq = BT_SEQ_UNKNOWN;
	struct collector *c;
	int r;

	st_feed_init(&f, 4096);
	c = st_collector(&f);
	feed_batch_begin(&f.feed);
	r = bt_records_parse(data, size, &seq, on_record, &f.ps);
	if (r < 0) {
		struct bt_rec m = { .kind = BT_RK_MALFORMED, .error = r };

		peers_record(&f.ps, &m);
	}
	feed_batch_end(&f.feed);
	st_take(&f.st, c, 0);
	for (const struct peer *p = f.ps.head; p; p = p->next)
		if (p->state == PEER_ESTABLISHED && !p->locrib && unique_addr(&f.ps, p))
			st_equal(&f.st, p, &f.ps.attrs);
	st_feed_free(&f);
	return 0;
}
