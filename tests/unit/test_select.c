/* Per-collector selection (families, peers), pacing and connection options:
 * the parser's accepted and refused values, and what a collector really
 * receives, decoded into a shadow Adj-RIB-In (collector_testutil.h). */
#include "collector_testutil.h"

#include <arpa/inet.h>
#include <netinet/ip.h>

#include "bmp.h"
#include "select.h"

static int sel(unsigned int bit, const char *v, struct bt_server_cfg *s, char *err)
{
	static const char *const kw[] = { "families", "peers", "replay-rate", "source", "dscp" };
	unsigned int i = 0;

	while ((BT_SRV_FAMILIES << i) != bit)
		i++;
	return bt_sel_parse(bit, kw[i], v, s, err, 256);
}

static void test_parse_ok(void **state)
{
	struct bt_server_cfg s = { 0 };
	char err[256], out[512];

	(void)state;
	assert_int_equal(sel(BT_SRV_FAMILIES, "ipv6-unicast,ipv4-unicast", &s, err), 0);
	assert_int_equal(s.families, BMPTAP_FAMILY_IPV4_UNICAST | BMPTAP_FAMILY_IPV6_UNICAST);
	/* Every family by its name, GoBGP's aliases too. */
	assert_int_equal(sel(BT_SRV_FAMILIES, "vpnv4,l3vpn-ipv6-unicast,evpn,ipv4-flowspec,ls-vpn",
			     &s, err), 0);
	assert_int_equal(s.families, BMPTAP_FAMILY_VPNV4 | BMPTAP_FAMILY_VPNV6 | BMPTAP_FAMILY_EVPN |
				     BMPTAP_FAMILY_IPV4_FLOWSPEC | BMPTAP_FAMILY_LS_VPN);
	bt_sel_families_str(s.families, out, sizeof(out));
	assert_string_equal(out, "l3vpn-ipv4-unicast,l3vpn-ipv6-unicast,l2vpn-evpn,ipv4-flowspec,ls-vpn");
	assert_int_equal(sel(BT_SRV_FAMILIES, "ipv4-unicast,ipv6-unicast,ipv4-multicast,"
			     "ipv6-multicast,ipv4-labelled-unicast,ipv6-labelled-unicast,"
			     "l3vpn-ipv4-unicast,l3vpn-ipv6-unicast,ipv4-mvpn,ipv6-mvpn,l2vpn-evpn,rtc,"
			     "ipv4-flowspec,ipv6-flowspec,l3vpn-ipv4-flowspec,l3vpn-ipv6-flowspec,ls,ls-vpn",
			     &s, err), 0);
	assert_int_equal(s.families, BMPTAP_FAMILY_ALL);
	assert_int_equal(sel(BT_SRV_FAMILIES, "ipv6-unicast", &s, err), 0);
	assert_int_equal(s.families, BMPTAP_FAMILY_IPV6_UNICAST);
	assert_int_equal(sel(BT_SRV_PEERS, "10.0.0.0/8,2001:db8::1,65001,4294967295", &s, err), 0);
	assert_string_equal(s.peers, "10.0.0.0/8,2001:db8::1,65001,4294967295");
	assert_int_equal(sel(BT_SRV_REPLAY_RATE, "0", &s, err), 0);
	assert_int_equal(sel(BT_SRV_REPLAY_RATE, "4294967295", &s, err), 0);
	assert_int_equal(s.replay_rate, UINT32_MAX);
	/* The source is stored in canonical form. */
	assert_int_equal(sel(BT_SRV_SOURCE, "2001:DB8:0::1", &s, err), 0);
	assert_string_equal(s.source, "2001:db8::1");
	assert_int_equal(sel(BT_SRV_DSCP, "63", &s, err), 0);
	assert_int_equal(s.dscp, 63);
	assert_int_equal(s.have, BT_SRV_SEL_ALL);
	bt_sel_describe(&s, out, sizeof(out));
	assert_string_equal(out, "families ipv6-unicast peers 10.0.0.0/8,2001:db8::1,65001,4294967295"
			    " source 2001:db8::1 replay-rate 4294967295 dscp 63");
}

static void test_parse_errors(void **state)
{
	static const struct {
		unsigned int bit;
		const char *v, *err;
	} bad[] = {
		{ BT_SRV_FAMILIES, "", "invalid families \"\" (FAMILY[,FAMILY..]: ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)" },
		{ BT_SRV_FAMILIES, "ipv4-unicast,", "invalid families \"ipv4-unicast,\" (FAMILY[,FAMILY..]: ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)" },
		{ BT_SRV_FAMILIES, "ipv4", "invalid family \"ipv4\" in families (ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)" },
		{ BT_SRV_FAMILIES, "ipv4-unicast,l2vpn-evpnx", "invalid family \"l2vpn-evpnx\" in families (ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)" },
		{ BT_SRV_FAMILIES, "VPNV4", "invalid family \"VPNV4\" in families (ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)" },
		{ BT_SRV_PEERS, "", "invalid peers \"\" (PEER[,PEER..], at most 255 bytes)" },
		{ BT_SRV_PEERS, "10.0.0.1,,65001", "invalid peers \"10.0.0.1,,65001\" (PEER[,PEER..], at most 255 bytes)" },
		{ BT_SRV_PEERS, "0", "invalid peer \"0\" in peers (ADDRESS[/LEN] or AS number 1..4294967295)" },
		{ BT_SRV_PEERS, "4294967296", "invalid peer \"4294967296\" in peers (ADDRESS[/LEN] or AS number 1..4294967295)" },
		{ BT_SRV_PEERS, "AS65001", "invalid peer \"AS65001\" in peers (ADDRESS[/LEN] or AS number 1..4294967295)" },
		{ BT_SRV_PEERS, "10.0.0.0/33", "invalid peer \"10.0.0.0/33\" in peers (ADDRESS[/LEN] or AS number 1..4294967295)" },
		{ BT_SRV_PEERS, "peer1", "invalid peer \"peer1\" in peers (ADDRESS[/LEN] or AS number 1..4294967295)" },
		{ BT_SRV_REPLAY_RATE, "-1", "invalid replay-rate \"-1\" (messages per second 1..4294967295, 0: unpaced)" },
		{ BT_SRV_REPLAY_RATE, "4294967296", "invalid replay-rate \"4294967296\" (messages per second 1..4294967295, 0: unpaced)" },
		{ BT_SRV_REPLAY_RATE, "10k", "invalid replay-rate \"10k\" (messages per second 1..4294967295, 0: unpaced)" },
		{ BT_SRV_SOURCE, "collector.example", "invalid source \"collector.example\" (IPv4 or IPv6 address)" },
		{ BT_SRV_SOURCE, "10.0.0.0/8", "invalid source \"10.0.0.0/8\" (IPv4 or IPv6 address)" },
		{ BT_SRV_DSCP, "64", "invalid dscp \"64\" (0..63)" },
		{ BT_SRV_DSCP, "0x2e", "invalid dscp \"0x2e\" (0..63)" },
		{ BT_SRV_DSCP, "", "invalid dscp \"\" (0..63)" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bt_server_cfg s = { 0 }, zero = { 0 };

		if (sel(bad[i].bit, bad[i].v, &s, err) != -1)
			fail_msg("\"%s\" accepted", bad[i].v);
		assert_string_equal(err, bad[i].err);
		/* Nothing changed. */
		assert_memory_equal(&s, &zero, sizeof(s));
	}
}

static void test_check_source_family(void **state)
{
	struct bt_server_cfg s = { .have = BT_SRV_SOURCE };
	char err[256];

	(void)state;
	snprintf(s.address, sizeof(s.address), "2001:db8::9");
	snprintf(s.source, sizeof(s.source), "192.0.2.1");
	assert_int_equal(bt_sel_check(&s, err, sizeof(err)), -1);
	assert_string_equal(err, "source 192.0.2.1 is IPv4 but address 2001:db8::9 is IPv6");
	snprintf(s.source, sizeof(s.source), "2001:db8::1");
	assert_int_equal(bt_sel_check(&s, err, sizeof(err)), 0);
	/* A host name: its addresses of the source's family are used. */
	snprintf(s.address, sizeof(s.address), "bmp.example");
	assert_int_equal(bt_sel_check(&s, err, sizeof(err)), 0);
}

/* The token bucket: 64 messages (or a twentieth of a second) of burst, then
 * the rate, in steps of at least 64 messages' room. */
static void test_pace_bucket(void **state)
{
	struct sel_pace pc = { 0 };
	uint64_t now = 1000, sent = 0;

	(void)state;
	assert_int_equal(sel_pace_room(&pc, 0, now), SIZE_MAX);
	assert_int_equal(sel_pace_room(&pc, 100, now), 64);
	sel_pace_spend(&pc, 100, 70);		/* a step may overdraw */
	assert_int_equal(sel_pace_room(&pc, 100, now), 0);
	assert_int_equal(sel_pace_wait_ms(&pc, 100), 700);
	assert_int_equal(sel_pace_room(&pc, 100, now + 699), 0);
	assert_int_equal(sel_pace_room(&pc, 100, now + 700), 64);
	memset(&pc, 0, sizeof(pc));
	assert_int_equal(sel_pace_room(&pc, 100000, now), 5000);
	/* Ten seconds of greedy sending: 100/s, plus the first burst. */
	memset(&pc, 0, sizeof(pc));
	for (now = 1000; now < 11000; now++) {
		size_t r = sel_pace_room(&pc, 100, now);

		sent += r;
		sel_pace_spend(&pc, 100, r);
	}
	assert_true(sent >= 990 && sent <= 1064);
}

/* ---- what a collector receives --------------------------------------------- */

static struct collector *add_sel(struct fx *f, const char *fams, const char *peers)
{
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_SYS_NAME, .port = 1 };
	char err[256];

	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	snprintf(cfg.sys_name, sizeof(cfg.sys_name), "unit");
	if (fams)
		assert_int_equal(bt_sel_parse(BT_SRV_FAMILIES, "families", fams, &cfg, err, 256), 0);
	if (peers)
		assert_int_equal(bt_sel_parse(BT_SRV_PEERS, "peers", peers, &cfg, err, 256), 0);
	struct collector *c = feed_add(&f->feed, &cfg);
	assert_non_null(c);
	return c;
}

static void two_peers(struct fx *f)
{
	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	establish(&f->ps, &f->rb, 2, "10.0.2.1");
	announce_v4(f, 1, 0, 40, 0);
	announce_v6(f, 1, 7);
	announce_v4(f, 2, 100, 30, 0);
}

/* families ipv4-unicast, peers 10.0.1.0/24: one Peer Up, IPv4 routes only,
 * in the replay and live; an UPDATE of both families goes out in part. */
static void test_families_and_peers(void **state)
{
	struct fx *f = *state;

	two_peers(f);
	struct collector *c = add_sel(f, "ipv4-unicast", "10.0.1.0/24");
	collector_start(c, -1);
	drain(f, c);
	struct peer *p = peers_find(&f->ps, 1);
	struct bmp_peer h;

	peer_bmp_hdr(p, 0, &h);
	struct rib *sr = sh_peer(&f->sh, h.addr);

	assert_int_equal(f->sh.up, 1);
	assert_int_equal(f->sh.n, 1);
	assert_int_equal(rib_count(sr, BGP_FAM_IPV4), 40);
	assert_int_equal(rib_count(sr, BGP_FAM_IPV6), 0);
	assert_int_equal(f->sh.eor, 1);		/* no IPv6 End-of-RIB either */
	int rm = f->sh.rm;
	announce_v6(f, 1, 9);
	announce_v4(f, 2, 200, 5, 0);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm);
	announce_v4(f, 1, 300, 2, 0);
	/* IPv4 NLRI and an IPv6 MP_REACH in one UPDATE. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "",
		    "80 0e 1c 0002 01 10 fd000001000000000000000000000001 00 30 20010db8ffff "
		    ORIGIN_IGP ASPATH4 NH4, "18 0b0000", TS0);
	drain(f, c);
	assert_int_equal(rib_count(sr, BGP_FAM_IPV4), 43);
	assert_int_equal(rib_count(sr, BGP_FAM_IPV6), 0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV6), 10);
	/* The other peer never shows: no Peer Up, no Peer Down. */
	end_flow(&f->ps, &f->rb, 2, 0);
	drain(f, c);
	assert_int_equal(f->sh.down, 0);
	assert_int_equal(f->sh.n, 1);
}

/* An AS number selects the peers of that AS (65001: both test peers). */
static void test_peers_by_as(void **state)
{
	struct fx *f = *state;

	two_peers(f);
	struct collector *a = add_sel(f, NULL, "65001");
	struct collector *b = add_sel(f, NULL, "65002,10.9.0.0/16");
	collector_start(a, -1);
	collector_start(b, -1);
	drain(f, a);
	assert_int_equal(f->sh.up, 2);
	sh_equal(&f->sh, peers_find(&f->ps, 1), &f->ps.attrs);
	sh_equal(&f->sh, peers_find(&f->ps, 2), &f->ps.attrs);
	sh_free(&f->sh);
	sh_init(&f->sh);
	drain(f, b);
	assert_int_equal(f->sh.up, 0);
	assert_int_equal(f->sh.rm, 0);
}

static void test_stats_of_selected_families(void **state)
{
	struct bt_server_cfg cfg = { .have = BT_SRV_FAMILIES, .families = BMPTAP_FAMILY_IPV6_UNICAST };
	struct bmp_stat st[] = {
		{ BMP_STAT_ADJ_RIB_IN, 0, 0, 5 },
		{ BMP_STAT_ADJ_RIB_IN_AF, 1, 1, 3 },
		{ BMP_STAT_ADJ_RIB_IN_AF, 2, 1, 2 },
		{ BMP_STAT_LOC_RIB_AF, 1, 1, 3 },
	};

	(void)state;
	assert_int_equal(sel_stats(&cfg, st, 4), 2);
	assert_int_equal(st[0].type, BMP_STAT_ADJ_RIB_IN);
	assert_int_equal(st[1].afi, 2);
	cfg.have = 0;
	assert_int_equal(sel_stats(&cfg, st, 2), 2);
}

/* A paced replay over a real session: the messages per second stay within
 * the rate (plus the first burst), and every route arrives. */
static void test_paced_replay(void **state)
{
	struct fx *f = *state;
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_REPLAY_RATE, .replay_rate = 1000 };

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_v4(f, 1, 0, 2400, 0);		/* about 1200 Route Monitoring */
	tcp_listen(f);
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	cfg.port = f->port;
	assert_non_null(feed_add(&f->feed, &cfg));
	int fd = tcp_accept(f, 2000);
	uint64_t t0 = loop_now_ms();

	assert_true(fd >= 0);
	assert_true(tcp_read_until(f, fd, 5000, one_eor) || f->sh.eor >= 1);
	uint64_t ms = loop_now_ms() - t0;
	double rate = f->sh.rm * 1000.0 / (double)(ms ? ms : 1);

	print_message("paced replay: %d messages in %llu ms: %.0f/s\n", f->sh.rm,
		      (unsigned long long)ms, rate);
	assert_true(f->sh.rm > 500);
	assert_true(ms >= (uint64_t)(f->sh.rm - 64));	/* 1000/s, a 64-message burst */
	sh_equal(&f->sh, peers_find(&f->ps, 1), &f->ps.attrs);
	close(fd);
}

/* DSCP and source address on a real connection, read back from the sockets. */
static void test_source_and_dscp(void **state)
{
	struct fx *f = *state;
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_SOURCE | BT_SRV_DSCP, .dscp = 46 };
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	char a[INET_ADDRSTRLEN];

	tcp_listen(f);
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	snprintf(cfg.source, sizeof(cfg.source), "127.0.0.2");
	cfg.port = f->port;
	struct collector *c = feed_add(&f->feed, &cfg);
	int fd = tcp_accept(f, 2000);

	assert_true(fd >= 0);
	assert_int_equal(getpeername(fd, (struct sockaddr *)&peer, &len), 0);
	assert_string_equal(inet_ntop(AF_INET, &peer.sin_addr, a, sizeof(a)), "127.0.0.2");
	int tos = 0;
	len = sizeof(tos);
	assert_true(c->fd >= 0);
	assert_int_equal(getsockopt(c->fd, IPPROTO_IP, IP_TOS, &tos, &len), 0);
	assert_int_equal(tos, 46 << 2);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_check_source_family),
		cmocka_unit_test(test_pace_bucket),
		cmocka_unit_test(test_stats_of_selected_families),
		cmocka_unit_test_setup_teardown(test_families_and_peers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peers_by_as, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paced_replay, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_source_and_dscp, setup_tcp, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
