// SPDX-License-Identifier: GPL-2.0
/* Unit tests: what TCP would accept (kmod/core/tcpwin.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tcpwin.h"

static struct bmptap_tcp_seg seg(u32 seq, u32 ack, u32 len, u16 win)
{
	struct bmptap_tcp_seg s = { .seq = seq, .ack = ack, .len = len, .win = win, .wscale = -1,
				.has_ack = true };

	return s;
}

static struct bmptap_tcp_seg syn(u32 isn, bool has_ack, u32 ack, s8 wscale)
{
	struct bmptap_tcp_seg s = seg(isn, ack, 0, 1000);

	s.syn = true;
	s.has_ack = has_ack;
	s.wscale = wscale;
	return s;
}

/* Remote r connects to local l, both offering wscale; l's window is 1000 << ws. */
static void handshake(struct bmptap_tcp_side *l, struct bmptap_tcp_side *r, s8 ws_l, s8 ws_r)
{
	struct bmptap_tcp_seg s = syn(1000, false, 0, ws_r);

	memset(l, 0, sizeof(*l));
	memset(r, 0, sizeof(*r));
	bmptap_tcp_sent(r, l, &s);
	s = syn(5000, true, 1001, ws_l);
	bmptap_tcp_sent(l, r, &s);
	s = seg(1001, 5001, 0, 1000);
	bmptap_tcp_sent(r, l, &s);
	s = seg(5001, 1001, 0, 1000);
	bmptap_tcp_sent(l, r, &s);
}

static void test_window_scaled(void **state)
{
	struct bmptap_tcp_side l, r;
	struct bmptap_tcp_seg s;

	(void)state;
	handshake(&l, &r, 7, 2);
	assert_int_equal(l.wnd_end, 1001 + (1000 << 7));
	s = seg(1001 + (1000 << 7) - 1, 5001, 100, 1000);	/* starts inside */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OK);
	s.seq++;						/* starts at the edge */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OUT_OF_WINDOW);
	/* Only one side offering the option: nothing is scaled. */
	handshake(&l, &r, 7, -1);
	assert_int_equal(l.wnd_end, 1001 + 1000);
	s = seg(2001, 5001, 1, 1000);
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OUT_OF_WINDOW);
	s.len = 0;						/* a bare ACK has no window to fit */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OK);
}

/*
 * Picked up mid-stream: the scale is unknown, so the window is taken at the
 * largest shift (a Linux receiver advertising 500 may mean 64000), and the
 * right edge never moves back.
 */
static void test_window_midstream(void **state)
{
	struct bmptap_tcp_side l = { 0 }, r = { 0 };
	struct bmptap_tcp_seg s = seg(100, 900000, 0, 500);

	(void)state;
	bmptap_tcp_sent(&l, &r, &s);
	assert_int_equal(l.wnd_end, 900000 + (500u << 14));
	s = seg(100, 900100, 0, 100);				/* shrinks: kept */
	bmptap_tcp_sent(&l, &r, &s);
	assert_int_equal(l.ack, 900100);
	assert_int_equal(l.wnd_end, 900000 + (500u << 14));
	s = seg(900000 + 64000, 100, 1000, 0);			/* a scaled window's burst */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OK);
	s.seq = 900000 + (500u << 14) - 1;
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OK);
	s.seq++;
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OUT_OF_WINDOW);
	s.len = 0;
	s.fin = true;						/* a FIN takes a byte */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OUT_OF_WINDOW);
}

static void test_bad_ack(void **state)
{
	struct bmptap_tcp_side l, r;
	struct bmptap_tcp_seg s;

	(void)state;
	handshake(&l, &r, 7, 7);
	s = seg(1001, 5001, 10, 1000);
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OK);
	s.ack = 5002;					/* l never sent that byte */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_BAD_ACK);
	s.ack = 5001;
	s.has_ack = false;
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_BAD_ACK);
	s = seg(5001, 1001, 300, 1000);			/* l sends 300 bytes */
	bmptap_tcp_sent(&l, &r, &s);
	s = seg(1001, 5301, 10, 1000);
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OK);
	s.ack = 5302;
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_BAD_ACK);
}

/* RFC 5961 5.2: an ACK older than the sender's last minus its largest window. */
static void test_old_ack(void **state)
{
	struct bmptap_tcp_side l, r;
	struct bmptap_tcp_seg s;

	(void)state;
	handshake(&l, &r, 7, 2);			/* r's window: 1000 << 2 */
	s = seg(5001, 1001, 20000, 1000);
	bmptap_tcp_sent(&l, &r, &s);
	s = seg(1001, 25001, 0, 1000);
	bmptap_tcp_sent(&r, &l, &s);
	s = seg(1001, 25001 - 4000, 10, 1000);
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OK);
	s.ack--;
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_BAD_ACK);
	s.ack = 25001 - (1u << 30);			/* a blind guess, half the space away */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_BAD_ACK);
}

/* A SYN-ACK that does not acknowledge the SYN (a blind forgery) is refused. */
static void test_synack_ack(void **state)
{
	struct bmptap_tcp_side l = { 0 }, r = { 0 };
	struct bmptap_tcp_seg s = syn(7000, false, 0, 7);

	(void)state;
	bmptap_tcp_sent(&l, &r, &s);			/* l's SYN: isn 7000 */
	s = syn(300, true, 7000, 7);			/* acknowledges nothing */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_BAD_ACK);
	s.ack = 7000 - 0x40000000;			/* far behind */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_BAD_ACK);
	s.ack = 7002;					/* beyond the SYN */
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_BAD_ACK);
	s.ack = 7001;
	assert_int_equal(bmptap_tcp_check(&l, &r, &s), BMPTAP_TCP_OK);
}

static void test_rst(void **state)
{
	struct bmptap_tcp_side l, r;
	struct bmptap_tcp_seg s;
	u32 fin, passed;

	(void)state;
	handshake(&l, &r, 7, 7);
	s = seg(1001, 0, 0, 0);
	s.rst = true;
	s.has_ack = false;
	assert_true(bmptap_tcp_rst_ok(&l, &r, &s));
	s.seq = 1002;					/* in window, not exact */
	assert_false(bmptap_tcp_rst_ok(&l, &r, &s));
	s.seq = 1000;
	assert_false(bmptap_tcp_rst_ok(&l, &r, &s));
	/* After r's FIN at 1000... acknowledged, 1001 - 1 is fine too. */
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	handshake(&l, &r, 7, 7);
	assert_int_equal(bmptap_tcp_fin_sent(&r, 1001), 0);
	s = seg(5001, 1002, 0, 1000);
	bmptap_tcp_sent(&l, &r, &s);
	assert_true(bmptap_tcp_fin_acked(&r, 1002, &fin, &passed));
	s = seg(1001, 0, 0, 0);
	s.rst = true;
	assert_true(bmptap_tcp_rst_ok(&l, &r, &s));
	s.seq = 1002;
	assert_true(bmptap_tcp_rst_ok(&l, &r, &s));
	s.seq = 1003;
	assert_false(bmptap_tcp_rst_ok(&l, &r, &s));
}

/* l only sent its SYN (SYN-SENT): a RST counts only if it acknowledges it. */
static void test_rst_syn_sent(void **state)
{
	struct bmptap_tcp_side l = { 0 }, r = { 0 };
	struct bmptap_tcp_seg s = syn(7000, false, 0, 7);

	(void)state;
	s.win = 100;
	bmptap_tcp_sent(&l, &r, &s);
	s = seg(0, 7001, 0, 0);
	s.rst = true;
	assert_true(bmptap_tcp_rst_ok(&l, &r, &s));
	s.ack = 7002;
	assert_false(bmptap_tcp_rst_ok(&l, &r, &s));
	s.has_ack = false;
	s.ack = 7001;
	assert_false(bmptap_tcp_rst_ok(&l, &r, &s));
	memset(&l, 0, sizeof(l));			/* l sent nothing at all */
	s.has_ack = true;
	assert_false(bmptap_tcp_rst_ok(&l, &r, &s));
}

static void test_fin_candidates(void **state)
{
	struct bmptap_tcp_side r = { 0 };
	u32 fin = 0, passed = 0;

	(void)state;
	assert_int_equal(bmptap_tcp_fin_sent(&r, 3000), 0);	/* forged, ahead */
	assert_int_equal(bmptap_tcp_fin_sent(&r, 1500), 0);	/* forged, behind the real one */
	assert_int_equal(bmptap_tcp_fin_sent(&r, 1500), 0);	/* retransmit: one candidate */
	assert_int_equal(r.nfin, 2);
	assert_false(bmptap_tcp_fin_acked(&r, 1400, &fin, &passed));
	assert_int_equal(passed, 0);
	assert_false(bmptap_tcp_fin_acked(&r, 1600, &fin, &passed));	/* data went past 1500 */
	assert_int_equal(passed, 1);
	assert_int_equal(r.nfin, 1);
	assert_int_equal(bmptap_tcp_fin_sent(&r, 2000), 0);	/* the real one */
	assert_true(bmptap_tcp_fin_acked(&r, 2001, &fin, &passed));
	assert_int_equal(fin, 2000);
	assert_int_equal(passed, 1);			/* 3000 can no longer be */
	assert_int_equal(r.nfin, 0);
	assert_true(r.fin_done);
}

/* Full: the lowest candidates stay, as TCP meets the lowest FIN first. */
static void test_fin_candidates_full(void **state)
{
	struct bmptap_tcp_side r = { 0 };
	u32 i, fin = 0, passed = 0;

	(void)state;
	for (i = 0; i < BMPTAP_FIN_CANDIDATES; i++)
		assert_int_equal(bmptap_tcp_fin_sent(&r, 0xfffffff0u + 100 * i), 0);
	assert_int_equal(bmptap_tcp_fin_sent(&r, 0xfffffff0u + 1000), 1);	/* dropped */
	assert_int_equal(bmptap_tcp_fin_sent(&r, 50),
			 1);			/* replaces the top */
	assert_true(bmptap_tcp_fin_acked(&r, 51, &fin, &passed));
	assert_int_equal(fin, 50);
	assert_int_equal(passed, BMPTAP_FIN_CANDIDATES - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_scaled),
		cmocka_unit_test(test_window_midstream),
		cmocka_unit_test(test_bad_ack),
		cmocka_unit_test(test_old_ack),
		cmocka_unit_test(test_synack_ack),
		cmocka_unit_test(test_rst),
		cmocka_unit_test(test_rst_syn_sent),
		cmocka_unit_test(test_fin_candidates),
		cmocka_unit_test(test_fin_candidates_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
