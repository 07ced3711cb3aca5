/* Peer state from synthetic record sequences: the exact BMP bytes of Peer
 * Up, Route Monitoring, Peer Down (reasons 1-4) and "messages lost". */
#include "peer_testutil.h"

#include <stdlib.h>

#include "bmp.h"
#include "nlri.h"

/* A sink that encodes every event as the feed would, into one buffer. */
struct cap {
	struct buf out;
	int ups, downs, updates, losts, msgs;
	int rib_only;		/* updates passed without msg (RFC 7606 errors) */
	size_t last_chg;
	int last_eor;
};

static void c_up(void *ctx, struct peer *p) { struct cap *c = ctx; c->ups++; peer_encode_up(p, &c->out); }
static void c_down(void *ctx, struct peer *p) { struct cap *c = ctx; c->downs++; peer_encode_down(p, &c->out); }
static void c_update(void *ctx, struct peer *p, const uint8_t *m, size_t len, uint64_t ts,
		     const struct bgp_prefix *chg, size_t n, int eor)
{
	struct cap *c = ctx;
	(void)chg;
	c->updates++;
	c->last_chg = n;
	c->last_eor = eor;
	if (m)
		peer_encode_rm(p, &c->out, m, len, ts);
	else
		c->rib_only++;
}
static void c_message(void *ctx, struct peer *p, const uint8_t *m, size_t len, uint64_t ts)
{
	struct cap *c = ctx;
	(void)p; (void)m; (void)len; (void)ts;
	c->msgs++;
}
static void c_lost(void *ctx, struct peer *p, uint64_t ts)
{
	struct cap *c = ctx;
	c->losts++;
	peer_encode_lost(p, &c->out, ts);
}

struct fx {
	struct peers ps;
	struct cap cap;
	struct recb rb;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct peer_sink s = { .up = c_up, .down = c_down, .update = c_update,
			       .message = c_message, .lost = c_lost };
	s.ctx = &f->cap;
	buf_init(&f->cap.out);
	assert_int_equal(peers_init(&f->ps, &(struct peers_cfg){ .sink = s }, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	peers_free(&f->ps);
	buf_free(&f->cap.out);
	free(f);
	return 0;
}

/* Expected bytes built from hex pieces. */
static size_t cat_hex(uint8_t *out, const char *const *parts)
{
	size_t n = 0;
	for (; *parts; parts++)
		n += hx(out + n, *parts);
	return n;
}

#define PEERHDR_V4_AS4(ts) "00 00 0000000000000000 000000000000000000000000 0a000101 0000fde9 0a000101 " ts
#define TS0_HEX "6553f100 0001e240"

/* Found by decode-diff.sh: the peer sent its KEEPALIVE right after its
 * OPEN, and the router then refused that OPEN; a Peer Up (and a Peer Down)
 * went out for a session that never came up. */
static void test_refused_after_peer_keepalive(void **state)
{
	struct fx *f = *state;

	flow_start4(&f->ps, &f->rb, 7, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	assert_int_equal(f->cap.ups, 0);
	assert_int_equal(peers_find(&f->ps, 7)->state, PEER_OPENCONFIRM);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_NOTIFICATION, "02 02", TS0);
	assert_int_equal(f->cap.ups, 0);
	assert_int_equal(f->cap.downs, 0);
}

/* ADD-PATH for IPv4: the local side "send/receive"; the peer "receive",
 * then "send" in a second capability.  BIRD reads "send" (the last), FRR
 * "send/receive" (the OR): whether the local daemon sends path ids depends
 * on which one it is.  tuples2 repeats the same tuple: no dispute. */
#define OPEN_TX_AP3 "04 fdea 00b4 0a000102 14 02 12 0104 00010001 4104 0000fdea 4504 00010103"
#define OPEN_RX_AP_DISPUTED \
	"04 fde9 00b4 0a000101 1a 02 18 0104 00010001 4104 0000fde9 4504 00010101 4504 00010102"
#define OPEN_RX_AP_TWICE \
	"04 fde9 00b4 0a000101 1a 02 18 0104 00010001 4104 0000fde9 4504 00010103 4504 00010103"

static struct peer *establish_opens(struct fx *f, const char *rx_open)
{
	flow_start4(&f->ps, &f->rb, 7, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AP3, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_OPEN, rx_open, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	assert_int_equal(f->cap.ups, 1);
	return peers_find(&f->ps, 7);
}

static void test_addpath_disputed_not_decoded(void **state)
{
	struct fx *f = *state;
	struct peer *p = establish_opens(f, OPEN_RX_AP_DISPUTED);

	assert_true(p->sess.ambiguous[BGP_FAM_IPV4]);
	assert_true(p->incomplete);
	assert_int_equal(f->cap.losts, 1);
	assert_int_equal(p->cnt.ambiguous_families, 1);
	send_update(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4,
		    "00000001 18 0a0000", TS0);
	send_update(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, "", ORIGIN_IGP ASPATH4 NH4,
		    "18 0b0000", TS0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 0);
	assert_int_equal(rib_count(&p->rib_out, BGP_FAM_IPV4), 0);
	assert_int_equal(f->cap.losts, 1);
}

static void test_addpath_repeated_tuple_decoded(void **state)
{
	struct fx *f = *state;
	struct peer *p = establish_opens(f, OPEN_RX_AP_TWICE);

	assert_false(p->sess.ambiguous[BGP_FAM_IPV4]);
	assert_false(p->incomplete);
	assert_int_equal(f->cap.losts, 0);
	send_update(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4,
		    "00000001 18 0a0000 00000002 18 0a0000", TS0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
}

static void test_peer_up_bytes(void **state)
{
	struct fx *f = *state;
	uint8_t want[2048], open_tx[256], open_rx[256];
	size_t ltx = mk_msg_hex(open_tx, BGP_OPEN, OPEN_TX_AS4);
	size_t lrx = mk_msg_hex(open_rx, BGP_OPEN, OPEN_RX_AS4);

	flow_start4(&f->ps, &f->rb, 7, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS4, TS0);
	assert_int_equal(f->cap.ups, 0);	/* OpenConfirm: not yet */
	assert_int_equal(peers_find(&f->ps, 7)->state, PEER_OPENCONFIRM);
	/* The local KEEPALIVE only says it accepted the peer's OPEN. */
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
	assert_int_equal(f->cap.ups, 0);
	assert_int_equal(peers_find(&f->ps, 7)->state, PEER_OPENCONFIRM);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	assert_int_equal(f->cap.ups, 1);
	assert_int_equal(peers_find(&f->ps, 7)->state, PEER_ESTABLISHED);

	size_t total = 6 + 42 + 16 + 4 + ltx + lrx;
	char hdr[64];
	snprintf(hdr, sizeof(hdr), "03 %08zx 03", total);
	const char *parts[] = {
		hdr, PEERHDR_V4_AS4(TS0_HEX),
		"000000000000000000000000 0a000102", "00b3 c350", NULL,
	};
	size_t n = cat_hex(want, parts);
	memcpy(want + n, open_tx, ltx);	/* sent OPEN first (RFC 7854 4.10) */
	n += ltx;
	memcpy(want + n, open_rx, lrx);
	n += lrx;
	char hex[4096] = "";
	for (size_t i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", want[i]);
	assert_hex(f->cap.out.data, f->cap.out.len, hex);
}

/* Found by fuzz_peer: a record longer than the message its header
 * describes (a damaged --records file) was kept whole as the OPEN, and the
 * Peer Up then carried bytes collectors read as the start of the next
 * OPEN.  Such a record is ignored. */
static void test_record_length_mismatch(void **state)
{
	struct fx *f = *state;
	uint8_t open_tx[256];
	size_t ltx = mk_msg_hex(open_tx, BGP_OPEN, OPEN_TX_AS4);

	flow_start4(&f->ps, &f->rb, 7, "10.0.1.2", "10.0.1.1", 0);
	open_tx[ltx] = open_tx[ltx + 1] = 0;	/* two bytes past the header's length */
	feed_rec(&f->ps, mkrec(&f->rb, BMPTAP_REC_MSG, 7, BMPTAP_DIR_TX, 0, open_tx, ltx + 2, TS0));
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	struct peer *p = peers_find(&f->ps, 7);
	assert_int_equal(f->cap.ups, 0);
	assert_null(p->open[BMPTAP_DIR_TX]);
	assert_true(p->cnt.ignored >= 1);
	/* The whole message, when it comes, is taken. */
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
	assert_int_equal(f->cap.ups, 1);
	assert_int_equal(p->open_len[BMPTAP_DIR_TX], ltx);
}

static void test_route_monitoring_raw(void **state)
{
	struct fx *f = *state;
	uint8_t upd[256];
	size_t ul = mk_update(upd, "", ORIGIN_IGP ASPATH4 NH4, "18 c00002 10 0a01");

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	buf_reset(&f->cap.out);
	feed_rec(&f->ps, mkrec(&f->rb, BMPTAP_REC_MSG, 1, BMPTAP_DIR_RX, 0, upd, ul,
			       TS0 + 1000000000ull));
	assert_int_equal(f->cap.updates, 1);
	assert_int_equal(f->cap.last_chg, 2);
	/* Header, per-peer header with the UPDATE's own timestamp, the UPDATE verbatim. */
	assert_int_equal(f->cap.out.len, 6 + 42 + ul);
	uint8_t want[64];
	size_t n = hx(want, "03 00000000 00" PEERHDR_V4_AS4("6553f101 0001e240"));
	put_u32(want + 1, (uint32_t)(6 + 42 + ul));
	assert_memory_equal(f->cap.out.data, want, n);
	assert_memory_equal(f->cap.out.data + n, upd, ul);

	struct peer *p = peers_find(&f->ps, 1);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
	assert_int_equal(p->cnt.updates, 1);
	/* UPDATEs the local side sends are not the Adj-RIB-In. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, "", ORIGIN_IGP ASPATH4 NH4, "18 c63364", TS0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
	assert_int_equal(f->cap.updates, 1);
	/* Withdrawal and End-of-RIB. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "18 c00002", "", "", TS0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 1);
	assert_int_equal(p->cnt.withdrawn, 1);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", "", "", TS0);
	assert_int_equal(f->cap.last_eor, BGP_FAM_IPV4);
}

static void test_flags_as2_and_v6(void **state)
{
	struct fx *f = *state;
	struct bmp_peer h;

	flow_start4(&f->ps, &f->rb, 3, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, 3, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 3, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS2, TS0);
	send_msg(&f->ps, &f->rb, 3, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	peer_bmp_hdr(peers_find(&f->ps, 3), 0, &h);
	assert_int_equal(h.flags, BMP_PEER_F_A);
	assert_int_equal(h.as, 65001);
	/* A 2-octet AS_PATH is parsed as such into the RIB. */
	send_update(&f->ps, &f->rb, 3, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH2 NH4, "18 c00002", TS0);
	assert_int_equal(rib_count(&peers_find(&f->ps, 3)->rib, BGP_FAM_IPV4), 1);

	flow_start6(&f->ps, &f->rb, 4, "fd00:1::2", "fd00:1::1");
	send_msg(&f->ps, &f->rb, 4, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 4, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 4, BMPTAP_DIR_RX, BGP_UPDATE, "0000 0000", TS0);
	struct peer *p = peers_find(&f->ps, 4);
	assert_int_equal(p->state, PEER_ESTABLISHED);	/* an UPDATE proves it too */
	peer_bmp_hdr(p, 0, &h);
	assert_int_equal(h.flags, BMP_PEER_F_V);
	uint8_t a[16];
	inet_pton(AF_INET6, "fd00:1::1", a);
	assert_memory_equal(h.addr, a, 16);
}

#define NOTIF_CEASE "06 02"	/* Cease / administrative shutdown */

static void down_case(struct fx *f, int how, uint8_t want_reason)
{
	uint8_t notif[64];
	size_t nl = mk_msg_hex(notif, BGP_NOTIFICATION, NOTIF_CEASE);

	establish(&f->ps, &f->rb, 5, "10.0.1.1");
	send_update(&f->ps, &f->rb, 5, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4, "18 c00002", TS0);
	buf_reset(&f->cap.out);
	switch (how) {
	case 1:
		send_msg(&f->ps, &f->rb, 5, BMPTAP_DIR_TX, BGP_NOTIFICATION, NOTIF_CEASE, TS0 + 2000000000ull);
		end_flow(&f->ps, &f->rb, 5, BMPTAP_END_FIN_LOCAL);
		break;
	case 2:
		end_flow(&f->ps, &f->rb, 5, BMPTAP_END_RST_LOCAL);
		break;
	case 3:
		send_msg(&f->ps, &f->rb, 5, BMPTAP_DIR_RX, BGP_NOTIFICATION, NOTIF_CEASE, TS0 + 2000000000ull);
		end_flow(&f->ps, &f->rb, 5, BMPTAP_END_FIN_REMOTE);
		break;
	case 4:
		end_flow(&f->ps, &f->rb, 5, BMPTAP_END_FIN_REMOTE);
		break;
	}
	assert_int_equal(f->cap.downs, 1);	/* exactly once, also with NOTIFICATION + FIN */
	assert_null(peers_find(&f->ps, 5));	/* the flow is gone */
	const uint8_t *m = f->cap.out.data;
	assert_int_equal(m[5], BMP_PEER_DOWN);
	assert_int_equal(get_u32(m + 1), f->cap.out.len);
	assert_int_equal(m[6 + 42], want_reason);
	const uint8_t *data = m + 6 + 42 + 1;
	size_t dl = f->cap.out.len - (6 + 42 + 1);
	if (want_reason == 1 || want_reason == 3) {
		assert_int_equal(dl, nl);
		assert_memory_equal(data, notif, nl);
		/* timestamp: the NOTIFICATION's */
		assert_int_equal(get_u32(m + 6 + 34), 0x6553f102);
	} else if (want_reason == 2) {
		assert_int_equal(dl, 2);	/* FSM event 0: none applicable */
		assert_int_equal(get_u16(data), 0);
	} else {
		assert_int_equal(dl, 0);
	}
}

static void test_down_local_notification(void **state) { down_case(*state, 1, 1); }
static void test_down_local_close(void **state) { down_case(*state, 2, 2); }
static void test_down_remote_notification(void **state) { down_case(*state, 3, 3); }
static void test_down_remote_close(void **state) { down_case(*state, 4, 4); }

static void test_gap_messages_lost(void **state)
{
	struct fx *f = *state;
	struct bmptap_gap g = { .bytes = 100, .messages = 0, .reason = BMPTAP_GAP_MISSING };

	establish(&f->ps, &f->rb, 9, "10.0.1.1");
	buf_reset(&f->cap.out);
	/* A gap in what the local side sent does not touch the Adj-RIB-In. */
	feed_rec(&f->ps, mkrec(&f->rb, BMPTAP_REC_GAP, 9, BMPTAP_DIR_TX, 0, &g, sizeof(g), TS0));
	assert_int_equal(f->cap.losts, 0);
	assert_false(peers_find(&f->ps, 9)->incomplete);
	feed_rec(&f->ps, mkrec(&f->rb, BMPTAP_REC_GAP, 9, BMPTAP_DIR_RX, 0, &g, sizeof(g), TS0));
	assert_int_equal(f->cap.losts, 1);
	assert_true(peers_find(&f->ps, 9)->incomplete);
	assert_int_equal(peers_find(&f->ps, 9)->cnt.gaps[BMPTAP_DIR_RX], 1);
	/* Route Mirroring with one Information TLV: type 1, length 2, code 1. */
	assert_hex(f->cap.out.data, f->cap.out.len,
		   "03 00000036 06" PEERHDR_V4_AS4(TS0_HEX) "0001 0002 0001");
}

/* 10.(i>>8).(i&255).0/24 with MED i + salt: a set each. */
static void announce_sets(struct fx *f, uint32_t flow, unsigned from, unsigned n, unsigned salt)
{
	for (unsigned i = from; i < from + n; i++) {
		char attrs[128], nlri[32];

		snprintf(attrs, sizeof(attrs), ORIGIN_IGP ASPATH4 NH4 "80 04 04 %08x", i + salt);
		snprintf(nlri, sizeof(nlri), "18 0a%02x%02x", (i >> 8) & 0xff, i & 0xff);
		send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, "", attrs, nlri, TS0);
	}
}

/*
 * A peer over its memory budget: the routes past it are not stored but
 * counted, the peer is incomplete, the collectors are told once with the
 * same "messages lost" Route Mirroring as a gap; withdrawals still apply.
 * The total budget refuses another peer's routes the same way.
 */
static void test_memory_budget(void **state)
{
	struct fx *f = *state;

	peers_set_budgets(&f->ps, 64 * 1024, 0);
	establish(&f->ps, &f->rb, 9, "10.0.1.1");
	struct peer *p = peers_find(&f->ps, 9);
	buf_reset(&f->cap.out);
	announce_sets(f, 9, 0, 2000, 0);
	uint32_t stored = rib_count(&p->rib, BGP_FAM_IPV4);
	assert_true(stored > 100 && stored < 2000);
	assert_int_equal(p->cnt.mem_refused, 2000 - stored);
	assert_true(p->mem->used <= 64 * 1024);
	assert_true(p->incomplete);
	assert_int_equal(f->cap.losts, 1);
	/* Among the Route Monitoring messages, the Route Mirroring one. */
	const uint8_t *m = f->cap.out.data;
	size_t o = 0;

	while (o + 6 <= f->cap.out.len && m[o + 5] != BMP_ROUTE_MIRRORING)
		o += get_u32(m + o + 1);
	assert_true(o + 6 <= f->cap.out.len);
	assert_hex(m + o, get_u32(m + o + 1),
		   "03 00000036 06" PEERHDR_V4_AS4(TS0_HEX) "0001 0002 0001");
	/* Withdrawals still apply; what they free takes new routes. */
	send_update(&f->ps, &f->rb, 9, BMPTAP_DIR_RX, "18 0a0000 18 0a0001", "", "", TS0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), stored - 2);
	announce_sets(f, 9, 0, 1, 0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), stored - 1);
	assert_int_equal(f->cap.losts, 1);

	/* The total: peer 10 gets what peer 9 left of 80 KiB. */
	peers_set_budgets(&f->ps, 0, p->mem->used + 16 * 1024 + 4096);
	establish(&f->ps, &f->rb, 10, "10.0.1.3");
	struct peer *q = peers_find(&f->ps, 10);
	announce_sets(f, 10, 0, 200, 100000);
	assert_int_equal(f->cap.losts, 2);
	assert_true(q->incomplete);
	assert_true(q->cnt.mem_refused > 0);
	assert_true(f->ps.mem_total.used <= f->ps.mem_total.max);
	/* Session down: every byte returned, to the peer and the total. */
	end_flow(&f->ps, &f->rb, 9, BMPTAP_END_RST_REMOTE);
	end_flow(&f->ps, &f->rb, 10, BMPTAP_END_RST_REMOTE);
	assert_int_equal(f->ps.mem_total.used, 0);
}

static void test_lost_records_all_peers(void **state)
{
	struct fx *f = *state;
	struct bt_rec hole = { .kind = BT_RK_SEQ_HOLE, .expected = 5, .got = 9 };

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	establish(&f->ps, &f->rb, 2, "10.0.1.3");
	feed_rec(&f->ps, &hole);
	assert_int_equal(f->cap.losts, 2);
	assert_true(f->ps.want_flow_dump);
}

static void test_midstream_pending(void **state)
{
	struct fx *f = *state;

	/* Picked up mid-stream: no OPEN seen, and an UPDATE whose empty
	 * AS_PATH cannot tell the AS size: held, nothing invented. */
	flow_start4(&f->ps, &f->rb, 11, "10.0.1.2", "10.0.1.1", BMPTAP_FLOWF_MIDSTREAM);
	send_msg(&f->ps, &f->rb, 11, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	send_update(&f->ps, &f->rb, 11, BMPTAP_DIR_RX, "", ORIGIN_IGP "40 02 00 " NH4, "18 c00002",
		    TS0);
	struct peer *p = peers_find(&f->ps, 11);
	assert_int_equal(p->state, PEER_PENDING);
	assert_int_equal(f->cap.ups + f->cap.updates, 0);	/* nothing invented */
	assert_int_equal(p->cnt.ignored, 1);
	assert_int_equal(p->ms->n_held, 1);
	/* The flow dump knows the OPENs: Peer Up with them. */
	struct bt_flow fl = { .id = 11 };
	uint8_t tx[128], rx[128];
	fl.open[BMPTAP_DIR_TX] = tx;
	fl.open_len[BMPTAP_DIR_TX] = mk_msg_hex(tx, BGP_OPEN, OPEN_TX_AS4);
	fl.open[BMPTAP_DIR_RX] = rx;
	fl.open_len[BMPTAP_DIR_RX] = mk_msg_hex(rx, BGP_OPEN, OPEN_RX_AS4);
	peers_learn_flow(&f->ps, &fl, TS0);
	assert_int_equal(p->state, PEER_OPENCONFIRM);
	/* The real OPENs take over; the held UPDATE is left out, counted. */
	assert_null(p->ms);
	assert_int_equal(p->cnt.ignored, 2);
	assert_true(p->incomplete);
	send_msg(&f->ps, &f->rb, 11, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	assert_int_equal(f->cap.ups, 1);
	assert_int_equal(f->cap.losts, 1);
}

static void test_midstream_synthesized(void **state)
{
	struct fx *f = *state;
	struct peer *p;

	flow_start4(&f->ps, &f->rb, 12, "10.0.1.2", "10.0.1.1", BMPTAP_FLOWF_MIDSTREAM);
	/* Path id 1 + 192.0.2.0/24 with an AS_PATH only valid as 4-octet. */
	send_update(&f->ps, &f->rb, 12, BMPTAP_DIR_RX, "", ORIGIN_IGP "40 02 00 " NH4,
		    "00000001 18 c00002", TS0);
	p = peers_find(&f->ps, 12);
	assert_int_equal(p->state, PEER_PENDING);
	send_update(&f->ps, &f->rb, 12, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4,
		    "00000002 18 c00002", TS0 + 1);
	assert_int_equal(p->state, PEER_ESTABLISHED);
	assert_true(p->sess.rx.as4);
	assert_true(p->sess.rx.addpath[BGP_FAM_IPV4]);
	assert_int_equal(p->op[BMPTAP_DIR_RX].as, 65001);
	/* Peer Up, marked; messages lost; both held UPDATEs in order. */
	assert_int_equal(f->cap.ups, 1);
	assert_int_equal(f->cap.losts, 1);
	assert_int_equal(f->cap.updates, 2);
	assert_int_equal(f->cap.msgs, 2);	/* mirrored UPDATEs, no invented OPEN */
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
	assert_non_null(memmem(f->cap.out.data, f->cap.out.len, MS_PEER_UP_INFO,
			       sizeof(MS_PEER_UP_INFO) - 1));
	assert_int_equal(p->cnt.msgs[BMPTAP_DIR_RX], 2);
}

static void test_flow_dump_at_start(void **state)
{
	struct fx *f = *state;
	struct bt_flow fl = { .id = 21, .have_info = true, .have_last_seq = true, .last_seq = 7 };
	uint8_t tx[128], rx[128];

	fl.info.family = AF_INET;
	inet_pton(AF_INET, "10.0.1.2", fl.info.local_addr);
	inet_pton(AF_INET, "10.0.1.1", fl.info.remote_addr);
	fl.open[BMPTAP_DIR_TX] = tx;
	fl.open_len[BMPTAP_DIR_TX] = mk_msg_hex(tx, BGP_OPEN, OPEN_TX_AS4);
	fl.open[BMPTAP_DIR_RX] = rx;
	fl.open_len[BMPTAP_DIR_RX] = mk_msg_hex(rx, BGP_OPEN, OPEN_RX_AS4);
	peers_learn_flow(&f->ps, &fl, TS0);
	assert_int_equal(f->cap.ups, 1);	/* established before the helper: up now */
	/* Its records were consumed earlier (no FLOW_START in the queue). */
	peers_first_read_done(&f->ps, TS0);
	assert_true(peers_find(&f->ps, 21)->incomplete);
	assert_int_equal(f->cap.losts, 1);

	/* A dumped flow whose FLOW_START is still queued is complete. */
	fl.id = 22;
	peers_learn_flow(&f->ps, &fl, TS0);
	flow_start4(&f->ps, &f->rb, 22, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, 22, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS4, TS0);
	peers_first_read_done(&f->ps, TS0);
	assert_false(peers_find(&f->ps, 22)->incomplete);
	assert_int_equal(f->cap.ups, 2);

	/* A dumped flow that never queued a record (no FLOW_START yet) lost nothing. */
	memset(&fl, 0, sizeof(fl));
	fl.id = 23;
	peers_learn_flow(&f->ps, &fl, TS0);
	peers_first_read_done(&f->ps, TS0);
	assert_false(peers_find(&f->ps, 23)->incomplete);
	assert_int_equal(f->cap.losts, 1);
}

static void test_malformed_update_counted(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	/* ORIGIN with a bad value: treat-as-withdraw (RFC 7606 7.1). */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", "40 01 01 07 " ASPATH4 NH4, "18 c00002", TS0);
	struct peer *p = peers_find(&f->ps, 1);
	assert_int_equal(p->cnt.errors, 1);
	assert_int_equal(p->cnt.treat_as_withdraw, 1);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 0);
	assert_int_equal(f->cap.updates, 1);	/* passed on: its effect on the RIB, */
	assert_int_equal(f->cap.rib_only, 1);	/* not the bad bytes */
	/* Garbage must not crash anything. */
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_UPDATE, "ffff 0000", TS0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_UPDATE, "", TS0);
	assert_int_equal(p->cnt.errors, 3);
}

/* Bad input often ends the session: its counts must outlive the peer. */
static void test_ended_peer_counters_kept(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", "40 01 01 07 " ASPATH4 NH4, "18 c00002", TS0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_UPDATE, "ffff 0000", TS0);
	/* The router resets on a header; the UPDATE completes after that. */
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, BGP_NOTIFICATION, "0102 ffff", TS0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_UPDATE, "ffff 0000", TS0);
	end_flow(&f->ps, &f->rb, 1, BMPTAP_END_FIN_REMOTE);
	assert_null(peers_find(&f->ps, 1));
	assert_int_equal(f->ps.ended.errors, 3);
	assert_int_equal(f->ps.ended.treat_as_withdraw, 1);
	assert_int_equal(f->ps.ended.session_reset, 2);
	assert_int_equal(f->ps.ended.updates, 2);
	assert_int_equal(f->ps.ended.ignored, 1);

	struct peer_counters t = f->ps.ended;

	peer_counters_add(&t, &f->ps.ended);
	assert_int_equal(t.errors, 6);
	assert_int_equal(t.msgs[BMPTAP_DIR_RX], 2 * f->ps.ended.msgs[BMPTAP_DIR_RX]);
}

/* VPNv4 10.1.1.0/24 under RD 0:65000:100, label 100, next hop RD 0 + 10.0.1.1. */
#define MP_VPN4(label) "90 0e 0020 0001 80 0c 0000000000000000 0a000101 00 70 " label \
	" 0000fde800000064 0a0101 "

/*
 * Issue 17: UPDATEs of a family rib.c does not keep go to the collectors as
 * received and into the peer's famrib; its End-of-RIB and duplicates are
 * counted; a malformed one disables the family and goes as the RIB's
 * outcome; the session's end clears it all.
 */
static void test_other_families_kept(void **state)
{
	struct fx *f = *state;
	struct peer *p;
	unsigned vpn = nlri_family_index(nlri_family_find(1, 128));

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	p = peers_find(&f->ps, 1);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 MP_VPN4("000641"), "",
		    TS0);
	assert_int_equal(p->fr.count[vpn], 1);
	assert_int_equal(f->cap.updates, 1);
	assert_int_equal(f->cap.rib_only, 0);	/* the UPDATE as received */
	assert_int_equal(p->cnt.announced, 1);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 MP_VPN4("000641"), "",
		    TS0);
	assert_int_equal(p->cnt.dup_updates, 1);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", "80 0f 03 0001 80", "", TS0);
	assert_int_equal(p->cnt.eor, 1);
	assert_true(p->mem->used > 0);
	/* A /255 VPN route: the family goes, and the collectors get the
	 * RIB's outcome rather than the UPDATE. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "",
		    ORIGIN_IGP ASPATH4 "90 0e 0012 0001 80 0c 0000000000000000 0a000101 00 ff", "",
		    TS0);
	assert_true(p->fr.disabled[vpn]);
	assert_int_equal(p->fr.count[vpn], 0);
	assert_int_equal(p->cnt.withdrawn, 1);
	assert_int_equal(f->cap.rib_only, 1);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 MP_VPN4("000641"), "",
		    TS0);
	assert_int_equal(p->fr.count[vpn], 0);
	assert_int_equal(f->cap.rib_only, 2);
	/* Peer Down: nothing kept, nothing charged. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "",
		    ORIGIN_IGP ASPATH4 "90 0e 001c 0019 46 04 0a000101 00 03 11 0000fde800000064 00000000 20 0a000101", "",
		    TS0);
	assert_int_equal(famrib_total(&p->fr), 1);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_NOTIFICATION, NOTIF_CEASE, TS0);
	assert_int_equal(f->cap.downs, 1);
	assert_int_equal(famrib_total(&p->fr), 0);
	assert_false(p->fr.disabled[vpn]);
}

/* RFC 7911 for EVPN: path ids where both OPENs agree, none otherwise; RFC
 * 8277 Multiple Labels as the local OPEN takes them. */
#define OPEN_TX_EVPN_AP "04 fdea 00b4 0a000102 1e 02 1c 0104 00010001 4104 0000fdea 4504 00194603" \
	" 0808 00018003 00020402"
#define OPEN_RX_EVPN_AP "04 fde9 00b4 0a000101 14 02 12 0104 00010001 4104 0000fde9 4504 00194603"
#define OPEN_RX_EVPN_AP2 \
	"04 fde9 00b4 0a000101 1a 02 18 0104 00010001 4104 0000fde9 4504 00194601 4504 00194602"

static struct peer *establish_evpn(struct fx *f, uint32_t flow, const char *rx_open)
{
	flow_start4(&f->ps, &f->rb, flow, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, flow, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_EVPN_AP, TS0);
	send_msg(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, BGP_OPEN, rx_open, TS0);
	send_msg(&f->ps, &f->rb, flow, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
	send_msg(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	return peers_find(&f->ps, flow);
}

static void test_other_family_addpath(void **state)
{
	struct fx *f = *state;
	unsigned evpn = nlri_family_index(nlri_family_find(25, 70));
	struct peer *p = establish_evpn(f, 3, OPEN_RX_EVPN_AP);

	assert_int_equal(p->fr_addpath, 1u << evpn);
	/* The local OPEN's Multiple Labels: 3 for VPNv4, 2 for labeled IPv6. */
	assert_int_equal(p->fr.max_labels[nlri_family_index(nlri_family_find(1, 128))], 3);
	assert_int_equal(p->fr.max_labels[nlri_family_index(nlri_family_find(2, 4))], 2);
	assert_int_equal(p->fr.max_labels[nlri_family_index(nlri_family_find(2, 128))], 0);
	send_update(&f->ps, &f->rb, 3, BMPTAP_DIR_RX, "",
		    ORIGIN_IGP ASPATH4 "90 0e 0037 0019 46 04 0a000101 00"
		    " 00000001 03 11 0000fde800000064 00000000 20 0a000101"
		    " 00000002 03 11 0000fde800000064 00000000 20 0a000101", "", TS0);
	assert_int_equal(p->fr.count[evpn], 2);
	assert_false(p->incomplete);
	/* Tuples the routers read differently: EVPN not decoded, peer incomplete. */
	p = establish_evpn(f, 4, OPEN_RX_EVPN_AP2);
	assert_true(p->fr.disabled[evpn]);
	assert_true(p->incomplete);
	assert_int_equal(p->cnt.ambiguous_families, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_peer_up_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_families_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_family_addpath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_after_peer_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addpath_disputed_not_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addpath_repeated_tuple_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_length_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_monitoring_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_as2_and_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down_local_notification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down_local_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down_remote_notification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down_remote_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_messages_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_records_all_peers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_synthesized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_dump_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_update_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ended_peer_counters_kept, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
