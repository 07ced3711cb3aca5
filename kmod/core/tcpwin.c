// SPDX-License-Identifier: GPL-2.0
/*
 * What TCP would accept (see tcpwin.h).  Compared with tcp_validate_incoming()
 * and conntrack's tcp_in_window() this is deliberately simpler: the tap
 * never has to be exact about what TCP took, because a gated stream still
 * delivers only what the receiver acknowledged.  These checks keep what
 * TCP did not take out of the held data, where it would win over the real
 * bytes, and keep forged RSTs and FINs from ending or truncating a flow.
 */
#include "tcpwin.h"

/* RFC 7323: larger shifts are treated as 14. */
#define BMPTAP_TCP_MAX_WSCALE	14

void bmptap_tcp_sent(struct bmptap_tcp_side *side, const struct bmptap_tcp_side *peer,
		     const struct bmptap_tcp_seg *seg)
{
	u32 end = seg->seq + seg->len + seg->syn + seg->fin;
	u32 shift = 0, right;

	if (seg->syn) {
		side->syn = true;
		side->isn = seg->seq;
		side->wscale = seg->wscale;
	}
	if (!side->sent || bmptap_seq_after(end, side->snd_nxt))
		side->snd_nxt = end;
	side->sent = true;
	if (!seg->has_ack)
		return;
	/*
	 * Scaling is on only if both SYNs carried the option.  Without the
	 * handshake (a session picked up mid-stream) the tap cannot know and
	 * assumes the largest shift: assuming none refused the bytes a
	 * scaled window let in (a refresh's burst), which TCP then took and
	 * the tap reported as lost.  The stream stays gated by the ACK, and
	 * forged bytes that win a range still only make it a gap.
	 */
	if (seg->syn)
		shift = 0;
	else if (!side->syn || !peer->syn)
		shift = BMPTAP_TCP_MAX_WSCALE;
	else if (side->wscale >= 0 && peer->wscale >= 0)
		shift = side->wscale < BMPTAP_TCP_MAX_WSCALE ? (u32)side->wscale :
			BMPTAP_TCP_MAX_WSCALE;
	right = seg->ack + ((u32)seg->win << shift);
	if (!side->acked || ((u32)seg->win << shift) > side->max_win)
		side->max_win = (u32)seg->win << shift;
	if (!side->acked || bmptap_seq_after(seg->ack, side->ack))
		side->ack = seg->ack;
	/* A window is never shrunk (RFC 7323 2.4): keep its furthest edge. */
	if (!side->acked || bmptap_seq_after(right, side->wnd_end))
		side->wnd_end = right;
	side->acked = true;
}

enum bmptap_tcp_verdict bmptap_tcp_check(const struct bmptap_tcp_side *rcv,
					 const struct bmptap_tcp_side *snd,
					 const struct bmptap_tcp_seg *seg)
{
	if (!seg->has_ack)
		return BMPTAP_TCP_BAD_ACK;
	if (rcv->sent && bmptap_seq_after(seg->ack, rcv->snd_nxt))
		return BMPTAP_TCP_BAD_ACK;
	/* tcp_ack() drops data whose ACK is this old: a blind guess passes
	 * the check above one time in two. */
	if (snd->acked && bmptap_seq_before(seg->ack, snd->ack - snd->max_win))
		return BMPTAP_TCP_BAD_ACK;
	/*
	 * A SYN-ACK must acknowledge the SYN (RFC 9293 3.10.7.3: ISS < ACK):
	 * a blind one then has one chance in 2^32, not one in two.
	 */
	if (seg->syn && rcv->syn && !bmptap_seq_after(seg->ack, rcv->isn))
		return BMPTAP_TCP_BAD_ACK;
	if ((seg->len || seg->fin) && rcv->acked && !bmptap_seq_before(seg->seq, rcv->wnd_end))
		return BMPTAP_TCP_OUT_OF_WINDOW;
	return BMPTAP_TCP_OK;
}

bool bmptap_tcp_rst_ok(const struct bmptap_tcp_side *rcv, const struct bmptap_tcp_side *snd,
		       const struct bmptap_tcp_seg *seg)
{
	if (rcv->acked)
		return seg->seq == rcv->ack || (snd->fin_done && seg->seq == rcv->ack - 1);
	return seg->has_ack && rcv->sent && seg->ack == rcv->snd_nxt;
}

u32 bmptap_tcp_fin_sent(struct bmptap_tcp_side *snd, u32 fin_seq)
{
	u32 i, hi = 0;

	for (i = 0; i < snd->nfin; i++) {
		if (snd->fin[i] == fin_seq)
			return 0;
		if (bmptap_seq_after(snd->fin[i], snd->fin[hi]))
			hi = i;
	}
	if (snd->nfin < BMPTAP_FIN_CANDIDATES) {
		snd->fin[snd->nfin++] = fin_seq;
		return 0;
	}
	if (bmptap_seq_before(fin_seq, snd->fin[hi]))
		snd->fin[hi] = fin_seq;
	return 1;
}

bool bmptap_tcp_fin_acked(struct bmptap_tcp_side *snd, u32 ack, u32 *fin_seq, u32 *passed)
{
	bool found = false;
	u32 i = 0;

	*passed = 0;
	while (i < snd->nfin) {
		if (snd->fin[i] + 1 == ack) {
			found = true;
			*fin_seq = snd->fin[i];
		} else if (!bmptap_seq_before(ack, snd->fin[i] + 1)) {
			(*passed)++;
		} else {
			i++;
			continue;
		}
		snd->fin[i] = snd->fin[--snd->nfin];
	}
	if (found) {
		/* The rest lie beyond the FIN TCP took: none of them can be. */
		*passed += snd->nfin;
		snd->nfin = 0;
		snd->fin_done = true;
	}
	return found;
}
