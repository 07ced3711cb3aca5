// SPDX-License-Identifier: GPL-2.0
/*
 * A peer's BMP messages: the per-peer header of each view, Peer Up and
 * Down, Route Monitoring and Mirroring, built from what peer.c observed.
 */
#include "peer.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

void peer_bmp_hdr(const struct peer *p, uint64_t ts_ns, struct bmp_peer *h)
{
	memset(h, 0, sizeof(*h));
	if (p->locrib) {
		/* RFC 9069 4.1: no peer address; the local AS and BGP ID. */
		h->type = BMP_PEER_LOC_RIB;
		h->as = p->op[BMPTAP_DIR_TX].as;
		h->bgp_id = p->op[BMPTAP_DIR_TX].bgp_id;
		h->ts_sec = (uint32_t)(ts_ns / 1000000000u);
		h->ts_usec = (uint32_t)(ts_ns % 1000000000u / 1000u);
		return;
	}
	h->type = p->inst_type;
	h->distinguisher = p->inst_dist;
	bmp_peer_set_addr(h, p->info.remote_addr, p->info.family == AF_INET6 ? 16 : 4);
	/* A: the encapsulated UPDATEs use 2-octet AS_PATHs (RFC 7854 4.2). */
	if (!p->sess.rx.as4)
		h->flags |= BMP_PEER_F_A;
	h->as = p->op[BMPTAP_DIR_RX].as;
	h->bgp_id = p->op[BMPTAP_DIR_RX].bgp_id;
	h->ts_sec = (uint32_t)(ts_ns / 1000000000u);
	h->ts_usec = (uint32_t)(ts_ns % 1000000000u / 1000u);
}

void peer_encode_up(const struct peer *p, struct buf *b)
{
	struct bmp_peer h;
	uint8_t local[16] = { 0 };

	peer_bmp_hdr(p, p->up_ts_ns, &h);
	if (p->locrib) {
		/* RFC 9069 5.3: no addresses or ports; the fabricated OPEN as
		 * both the sent and the received one; the table name TLV. */
		struct bmp_tlv t = { BMP_INFO_TABLE_NAME, sizeof(LOCRIB_TABLE_NAME) - 1,
				     LOCRIB_TABLE_NAME };

		bmp_peer_up(b, &h, local, 0, 0, p->open[BMPTAP_DIR_TX], p->open_len[BMPTAP_DIR_TX],
			    p->open[BMPTAP_DIR_RX], p->open_len[BMPTAP_DIR_RX], &t, 1);
		return;
	}
	/* RFC 7854 4.10: an IPv4 local address goes in the last 4 octets. */
	if (p->info.family == AF_INET6)
		memcpy(local, p->info.local_addr, 16);
	else
		memcpy(local + 12, p->info.local_addr, 4);
	struct bmp_tlv t = { BMP_INFO_STRING, sizeof(MS_PEER_UP_INFO) - 1, MS_PEER_UP_INFO };

	bmp_peer_up(b, &h, local, ntohs(p->info.local_port), ntohs(p->info.remote_port),
		    p->open[BMPTAP_DIR_TX], p->open_len[BMPTAP_DIR_TX],
		    p->open[BMPTAP_DIR_RX], p->open_len[BMPTAP_DIR_RX], p->ms ? &t : NULL,
		    p->ms ? 1 : 0);	/* only synthesized OPENs leave p->ms set */
}

void peer_encode_down(const struct peer *p, struct buf *b)
{
	struct bmp_peer h;

	if (p->locrib) {
		/* RFC 9069 5.4: reason 6, with the table name TLV of the Peer Up;
		 * the instance stays, only its monitoring ends now. */
		uint8_t tlv[4 + sizeof(LOCRIB_TABLE_NAME) - 1];
		struct timespec t;

		clock_gettime(CLOCK_REALTIME, &t);
		put_u16(tlv, BMP_INFO_TABLE_NAME);
		put_u16(tlv + 2, sizeof(LOCRIB_TABLE_NAME) - 1);
		memcpy(tlv + 4, LOCRIB_TABLE_NAME, sizeof(LOCRIB_TABLE_NAME) - 1);
		peer_bmp_hdr(p, (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec, &h);
		bmp_peer_down(b, &h, BMP_DOWN_LOCAL_TLV, tlv, sizeof(tlv));
		return;
	}
	peer_bmp_hdr(p, p->down_ts_ns, &h);
	switch (p->down_reason) {
	case BMP_DOWN_LOCAL_NOTIFY:
	case BMP_DOWN_REMOTE_NOTIFY:
		bmp_peer_down(b, &h, p->down_reason, p->notif, p->notif_len);
		break;
	case BMP_DOWN_LOCAL_NO_NOTIFY:
		bmp_peer_down_fsm(b, &h, 0);
		break;
	default:
		bmp_peer_down(b, &h, p->down_reason, NULL, 0);
		break;
	}
}

void peer_encode_rm(const struct peer *p, struct buf *b, const uint8_t *msg, size_t len,
		    uint64_t ts_ns)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, ts_ns, &h);
	bmp_route_monitoring(b, &h, msg, len);
}

void peer_encode_lost(const struct peer *p, struct buf *b, uint64_t ts_ns)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, ts_ns, &h);
	bmp_route_mirroring(b, &h, NULL, 0, BMP_MIRROR_MSGS_LOST);
}

void peer_view_hdr(const struct peer *p, int view, uint64_t ts_ns, struct bmp_peer *h)
{
	peer_bmp_hdr(p, ts_ns, h);
	switch (view) {
	case VIEW_POST:
		h->flags |= BMP_PEER_F_L;
		break;
	case VIEW_OUT:
		/* What the daemon sent is after its export policy: O and L. */
		h->flags |= BMP_PEER_F_O | BMP_PEER_F_L;
		if (p->sess.tx.as4)
			h->flags &= (uint8_t)~BMP_PEER_F_A;
		else
			h->flags |= BMP_PEER_F_A;
		break;
	default:
		break;
	}
}

const struct bgp_codec *peer_view_codec(const struct peer *p, int view)
{
	return view == VIEW_OUT ? &p->sess.tx : &p->sess.rx;
}

void peer_encode_rm_view(const struct peer *p, int view, struct buf *b, const uint8_t *msg,
			 size_t len, uint64_t ts_ns)
{
	struct bmp_peer h;

	peer_view_hdr(p, view, ts_ns, &h);
	bmp_route_monitoring(b, &h, msg, len);
}

void peer_encode_mirror_info(const struct peer *p, struct buf *b, const uint8_t *msg,
			     size_t len, uint64_t ts_ns, int info)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, ts_ns, &h);
	bmp_route_mirroring(b, &h, msg, len, info);
}
