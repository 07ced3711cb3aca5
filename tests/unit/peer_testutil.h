/* Record and session builders shared by test_peer.c and test_collector.c. */
#ifndef BMPTAP_PEER_TESTUTIL_H
#define BMPTAP_PEER_TESTUTIL_H

#include "bgp_testutil.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "nl.h"
#include "peer.h"
#include "rec_testutil.h"

#define TS0 1700000000123456789ull	/* 0x6553f100 s, 123456 us */

/* OPENs: AS 65001 / 10.0.1.1 (remote) and AS 65002 / 10.0.1.2 (local). */
#define OPEN_RX_AS4 "04 fde9 00b4 0a000101 14 02 12 0104 00010001 0104 00020001 4104 0000fde9"
#define OPEN_TX_AS4 "04 fdea 00b4 0a000102 14 02 12 0104 00010001 0104 00020001 4104 0000fdea"
#define OPEN_RX_AS2 "04 fde9 00b4 0a000101 08 02 06 0104 00010001"
#define ORIGIN_IGP "40 01 01 00 "
#define ASPATH4 "40 02 06 02 01 0000fde9 "
#define ASPATH2 "40 02 04 02 01 fde9 "
#define NH4 "40 03 04 0a000101 "

static inline void feed_rec(struct peers *ps, const struct bt_rec *r)
{
	assert_int_equal(peers_record(ps, r), 0);
}

static inline void flow_start4(struct peers *ps, struct recb *b, uint32_t flow,
			       const char *local, const char *remote, uint8_t flags)
{
	struct bmptap_flow_info fi = { .family = AF_INET, .flags = flags };

	fi.local_port = htons(179);
	fi.remote_port = htons(50000);
	inet_pton(AF_INET, local, fi.local_addr);
	inet_pton(AF_INET, remote, fi.remote_addr);
	feed_rec(ps, mkrec(b, BMPTAP_REC_FLOW_START, flow, BMPTAP_DIR_RX, 0, &fi, sizeof(fi), TS0));
}

static inline void flow_start6(struct peers *ps, struct recb *b, uint32_t flow,
			       const char *local, const char *remote)
{
	struct bmptap_flow_info fi = { .family = AF_INET6 };

	fi.local_port = htons(179);
	fi.remote_port = htons(50000);
	inet_pton(AF_INET6, local, fi.local_addr);
	inet_pton(AF_INET6, remote, fi.remote_addr);
	feed_rec(ps, mkrec(b, BMPTAP_REC_FLOW_START, flow, BMPTAP_DIR_RX, 0, &fi, sizeof(fi), TS0));
}

static inline size_t mk_msg_hex(uint8_t *out, uint8_t type, const char *body_hex)
{
	uint8_t body[4096];
	size_t n = hx(body, body_hex);
	return bgp_msg(out, type, body, n);
}

static inline void send_msg(struct peers *ps, struct recb *b, uint32_t flow, int dir,
			    uint8_t type, const char *body_hex, uint64_t ts)
{
	uint8_t m[4096];
	size_t n = mk_msg_hex(m, type, body_hex);
	feed_rec(ps, mkrec(b, BMPTAP_REC_MSG, flow, dir, 0, m, n, ts));
}

static inline void send_update(struct peers *ps, struct recb *b, uint32_t flow, int dir,
			       const char *wd, const char *attrs, const char *nlri, uint64_t ts)
{
	uint8_t m[8192];
	size_t n = mk_update(m, wd, attrs, nlri);
	feed_rec(ps, mkrec(b, BMPTAP_REC_MSG, flow, dir, 0, m, n, ts));
}

/* FLOW_START, both OPENs, KEEPALIVEs both ways: established. */
static inline void establish(struct peers *ps, struct recb *b, uint32_t flow, const char *remote)
{
	flow_start4(ps, b, flow, "10.0.1.2", remote, 0);
	send_msg(ps, b, flow, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AS4, TS0);
	send_msg(ps, b, flow, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS4, TS0);
	send_msg(ps, b, flow, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	send_msg(ps, b, flow, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
}

static inline void end_flow(struct peers *ps, struct recb *b, uint32_t flow, uint32_t how)
{
	feed_rec(ps, mkrec(b, BMPTAP_REC_FLOW_END, flow, BMPTAP_DIR_RX, how, NULL, 0, TS0 + 9));
}

#endif
