/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What TCP would accept, judged from both directions of a tapped flow.
 *
 * The tap believes only what the receiving TCP confirms (RFC 5961, and
 * conntrack's window tracking): a side's own segments tell its receive
 * window (its ACK plus its window, scaled as its SYN said when both SYNs
 * were seen, unscaled otherwise), what it has sent (snd_nxt) and the next
 * byte it expects (its last ACK).  A segment toward that side is then held
 * only if TCP would take it: it carries ACK, acknowledges nothing the side
 * never sent (a SYN-ACK: at least its SYN), and starts inside the window.  A RST counts only at exactly
 * the expected sequence number; a FIN only once the receiver acknowledged
 * it (until then it is a candidate, like held data).
 */
#ifndef BMPTAP_CORE_TCPWIN_H
#define BMPTAP_CORE_TCPWIN_H

#include "shim.h"

/* FINs of one side awaiting the other side's ACK. */
#define BMPTAP_FIN_CANDIDATES	4

/* One TCP segment, as far as acceptance goes. */
struct bmptap_tcp_seg {
	u32 seq;
	u32 ack;
	u32 len;		/* payload bytes */
	u16 win;		/* the window field, unscaled */
	s8 wscale;		/* SYN: the window scale option's shift, or -1 */
	bool syn, has_ack, fin, rst;
};

/* What one side has shown of itself by its own segments. */
struct bmptap_tcp_side {
	bool sent;		/* it sent something: snd_nxt is valid */
	bool acked;		/* it sent an ACK: ack and wnd_end are valid */
	bool syn;		/* its SYN was seen; wscale is its option */
	bool fin_done;		/* one of its FINs was acknowledged */
	s8 wscale;
	u32 isn;		/* its SYN's sequence number, if syn */
	u32 snd_nxt;		/* end of what it sent, SYN and FIN included */
	u32 ack;		/* its last ACK: the next byte it expects */
	u32 wnd_end;		/* the furthest right edge of its receive window */
	u32 max_win;		/* the largest window it advertised (scaled) */
	u8 nfin;
	u32 fin[BMPTAP_FIN_CANDIDATES];	/* its FINs' sequence numbers, unconfirmed */
};

enum bmptap_tcp_verdict {
	BMPTAP_TCP_OK,
	BMPTAP_TCP_OUT_OF_WINDOW,	/* payload starting at or beyond the window's end */
	BMPTAP_TCP_BAD_ACK,		/* no ACK flag, acknowledging unsent data, or too old */
};

/* side sent seg, which was believed or accepted; peer is the other side. */
void bmptap_tcp_sent(struct bmptap_tcp_side *side, const struct bmptap_tcp_side *peer,
		     const struct bmptap_tcp_seg *seg);

/*
 * Would rcv's TCP take seg (not a RST, not a bare SYN) sent toward it by
 * snd?  Its ACK must lie within [snd's last ACK - the largest window snd
 * advertised, rcv's snd_nxt] (RFC 5961 5.2), its payload start within
 * rcv's window.
 */
enum bmptap_tcp_verdict bmptap_tcp_check(const struct bmptap_tcp_side *rcv,
					 const struct bmptap_tcp_side *snd,
					 const struct bmptap_tcp_seg *seg);

/*
 * Would rcv's TCP accept the RST seg from snd: its seq is exactly rcv's last
 * ACK (or the one before, once snd's FIN was acknowledged, as
 * tcp_reset_check() allows), or (rcv never acknowledged anything: SYN-SENT)
 * it acknowledges rcv's SYN.
 */
bool bmptap_tcp_rst_ok(const struct bmptap_tcp_side *rcv, const struct bmptap_tcp_side *snd,
		       const struct bmptap_tcp_seg *seg);

/*
 * snd sent a FIN at fin_seq: keep it as a candidate.  The lowest candidates
 * are kept (TCP applies the first FIN the data reaches); returns how many
 * candidates were dropped for it (0 or 1).
 */
u32 bmptap_tcp_fin_sent(struct bmptap_tcp_side *snd, u32 fin_seq);

/*
 * The other side acknowledged everything before ack: a candidate at ack - 1
 * is confirmed (*fin_seq, returns true); candidates the ACK went past were
 * not FINs TCP took, and *passed says how many were dropped.
 */
bool bmptap_tcp_fin_acked(struct bmptap_tcp_side *snd, u32 ack, u32 *fin_seq, u32 *passed);

#endif /* BMPTAP_CORE_TCPWIN_H */
