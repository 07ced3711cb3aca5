// fuzz-sources: userspace/bgp/bgp.c userspace/bgp/attr.c userspace/bgp/rib.c userspace/lib/buf.c userspace/bgp/midstream.c
/*
 * Input: one flags octet (codec for when the OPENs do not parse: bit 0
 * 4-octet AS, 1/2 ADD-PATH IPv4/IPv6, 3 extended messages), then a stream
 * of BGP messages.  Two leading OPENs (local, remote) set the codec by
 * negotiation; every UPDATE is parsed and applied to an Adj-RIB-In, and fed
 * to the mid-stream encoding detection (alternating directions), whose
 * synthesized OPENs must parse.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "attr.h"
#include "bgp.h"
#include "midstream.h"
#include "rib.h"

static void on_change(void *ctx, const struct bgp_prefix *p, uint32_t old, uint32_t new)
{
	(void)p;
	*(uint64_t *)ctx += old ^ new;
}

static int on_group(void *ctx, uint32_t attr, const struct bgp_prefix *p, size_t n)
{
	const struct rib *r = ctx;
	struct bgp_attr a;
	const struct attr_set *s = attr_get(r->attrs, attr);
	if (!s || (attr_find(s, BGP_ATTR_ORIGIN, &a) && a.len != 1))
		abort();
	for (size_t i = 0; i < n; i++)
		if (rib_lookup(r, &p[i]) != attr)
			abort();
	return 0;
}

static void midstream_step(struct midstream *m, int dir, const uint8_t *msg, size_t len)
{
	struct bgp_session s;
	struct bgp_open o;
	uint8_t *open[2];
	size_t open_len[2];

	if (m->up) {
		ms_deliverable(m, dir, msg, len);
		return;
	}
	ms_learn(m, dir, msg, len);
	ms_hold(m, dir, msg, len, 0);
	if (!ms_ready(m))
		return;
	ms_session(m, &s);
	uint32_t as = ms_sender_as(m, 0, &s.rx);
	if (!ms_opens(m, &s, as, ms_sender_as(m, 1, &s.tx), open, open_len))
		return;
	/* Only the unknown BGP Identifier (0) may be objected to. */
	for (int d = 0; d < 2; d++) {
		int err = bgp_open_parse(open[d], open_len[d], &o);
		if (err && err != (BGP_ERR_OPEN << 8 | 3) && err != (BGP_ERR_OPEN << 8 | 2))
			abort();
		free(open[d]);
	}
	ms_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	struct bgp_codec c = {
		.as4 = data[0] & 1,
		.addpath = { data[0] & 2, data[0] & 4 },
		.ext_msg = data[0] & 8,
	};
	const uint8_t *p = data + 1, *end = data + size;
	struct bgp_open local, remote;
	struct attr_table at;
	struct rib rib;
	struct buf path;
	struct midstream ms;
	uint64_t sum = 0;
	int n_open = 0, n_upd = 0;

	attr_table_init(&at);
	rib_init(&rib, &at);
	buf_init(&path);
	ms_init(&ms);
	while (p < end) {
		int len = bgp_msg_check(p, (size_t)(end - p), true);
		if (len <= 0)
			break;
		switch (p[18]) {
		case BGP_OPEN:
			if (n_open == 0 && !bgp_open_parse(p, (size_t)len, &local))
				n_open = 1;
			else if (n_open == 1 && !bgp_open_parse(p, (size_t)len, &remote)) {
				struct bgp_session s;
				bgp_negotiate(&local, &remote, &s);
				c = s.rx;
				n_open = 2;
			}
			break;
		case BGP_UPDATE: {
			struct bgp_update u;
			struct bgp_attr a;
			struct bgp_attr_iter it;
			uint32_t as, addr;
			bgp_update_parse(p, (size_t)len, &c, &u);
			if (u.action != BGP_ACT_RESET) {
				bgp_attr_iter_init(&it, &u);
				while (bgp_attr_next(&it, &a))
					sum += a.len;
				buf_reset(&path);
				bgp_update_aspath(&u, &path);
				bgp_update_aggregator(&u, &as, &addr);
			}
			rib_apply(&rib, &u, on_change, &sum);
			midstream_step(&ms, n_upd++ & 1, p, (size_t)len);
			break;
		}
		case BGP_NOTIFICATION: {
			struct bgp_notification nt;
			bgp_notification_parse(p, (size_t)len, &nt);
			rib_reset(&rib, on_change, &sum);
			break;
		}
		default:
			break;
		}
		p += len;
	}
	for (int f = 0; f < BGP_FAM_MAX; f++)
		rib_walk_grouped(&rib, f, on_group, &rib);
	rib_free(&rib);
	if (at.count)
		abort();	/* a reference leaked */
	attr_table_free(&at);
	buf_free(&path);
	ms_free(&ms);
	return 0;
}
