// SPDX-License-Identifier: GPL-2.0
/*
 * The Loc-RIB from installed routes (issue 6 item 3): rtnetlink route
 * messages parsed, the installed-route table (protocol / table / type
 * selection, ECMP, IPv6 nexthop-by-nexthop changes, dump resync), and the
 * join of each installed route to the Adj-RIB-In path it came from.
 */
#include "peer_testutil.h"

#include <stdlib.h>
#include <linux/rtnetlink.h>

#include "kroute.h"
#include "locrib.h"

/* ---- rtnetlink messages ------------------------------------------------------ */

struct rtbuf {
	uint8_t b[4096] __attribute__((aligned(4)));
	size_t len;
};

static void put_attr(struct rtbuf *m, uint16_t type, const void *d, size_t n)
{
	struct rtattr *a = (struct rtattr *)(m->b + m->len);

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(n);
	memcpy(RTA_DATA(a), d, n);
	m->len += RTA_SPACE(n);
}

/*
 * A route message: family AF_INET / AF_INET6, dst "addr/len", protocol,
 * table, and gateways gws (NULL-terminated; more than one: RTA_MULTIPATH).
 */
static const struct nlmsghdr *mk_route(struct rtbuf *m, uint16_t type, uint16_t flags, int family,
				       const char *dst, uint8_t plen, uint8_t proto, uint32_t table,
				       uint8_t rtype, const char *const *gws)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)m->b;
	struct rtmsg *rt;
	uint8_t a[16];
	size_t alen = family == AF_INET ? 4 : 16, n = 0;

	memset(m, 0, sizeof(*m));
	nh->nlmsg_type = type;
	nh->nlmsg_flags = flags;
	m->len = NLMSG_LENGTH(sizeof(*rt));
	rt = NLMSG_DATA(nh);
	rt->rtm_family = (uint8_t)family;
	rt->rtm_dst_len = plen;
	rt->rtm_protocol = proto;
	rt->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rt->rtm_type = rtype;
	assert_int_equal(inet_pton(family, dst, a), 1);
	put_attr(m, RTA_DST, a, alen);
	put_attr(m, RTA_TABLE, &table, 4);
	while (gws && gws[n])
		n++;
	if (n == 1) {
		assert_int_equal(inet_pton(family, gws[0], a), 1);
		put_attr(m, RTA_GATEWAY, a, alen);
	} else if (n > 1) {
		struct rtattr *mp = (struct rtattr *)(m->b + m->len);
		size_t start = m->len;

		mp->rta_type = RTA_MULTIPATH;
		m->len += RTA_LENGTH(0);
		for (size_t i = 0; i < n; i++) {
			struct rtnexthop *rh = (struct rtnexthop *)(m->b + m->len);
			size_t at = m->len;

			memset(rh, 0, sizeof(*rh));
			rh->rtnh_ifindex = 2;
			m->len += RTNH_ALIGN(sizeof(*rh));
			assert_int_equal(inet_pton(family, gws[i], a), 1);
			put_attr(m, RTA_GATEWAY, a, alen);
			rh->rtnh_len = (unsigned short)(m->len - at);
		}
		mp->rta_len = (unsigned short)(m->len - start);
	}
	nh->nlmsg_len = (uint32_t)m->len;
	return nh;
}

#define GW(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_parse(void **state)
{
	struct rtbuf m;
	struct kr_msg r;
	uint8_t want[16] = { 0 };

	(void)state;
	/* IPv4, one gateway; host bits cleared. */
	assert_int_equal(kroute_parse(mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.1", 24, 12,
					       RT_TABLE_MAIN, RTN_UNICAST, GW("10.0.1.2")), &r), 1);
	assert_false(r.del);
	assert_int_equal(r.pfx.fam, BGP_FAM_IPV4);
	assert_int_equal(r.pfx.len, 24);
	assert_int_equal(r.pfx.addr[3], 0);
	assert_int_equal(r.pfx.addr[2], 2);
	assert_int_equal(r.protocol, 12);
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.n_gw, 1);
	want[0] = 10; want[2] = 1; want[3] = 2;
	assert_memory_equal(r.gw[0], want, 16);
	/* IPv6 ECMP: each nexthop's gateway; a table id above 255. */
	assert_int_equal(kroute_parse(mk_route(&m, RTM_DELROUTE, 0, AF_INET6, "2001:db8::", 32, 186,
					       1000, RTN_UNICAST,
					       GW("fe80::1", "fe80::2", "fd00:4::2")), &r), 1);
	assert_true(r.del);
	assert_int_equal(r.pfx.fam, BGP_FAM_IPV6);
	assert_int_equal(r.table, 1000);
	assert_int_equal(r.n_gw, 3);
	assert_int_equal(r.gw[1][15], 2);
	assert_int_equal(r.gw[2][1], 0x00);
	assert_int_equal(r.gw[2][0], 0xfd);
	/* Not a route message, or not IPv4/IPv6: 0. */
	struct nlmsghdr *nh = (struct nlmsghdr *)m.b;
	nh->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(kroute_parse(nh, &r), 0);
	mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN, RTN_UNICAST, NULL);
	((struct rtmsg *)NLMSG_DATA(nh))->rtm_family = AF_BRIDGE;
	assert_int_equal(kroute_parse(nh, &r), 0);
	/* Malformed: short header, a prefix length past the family, a wrong
	 * sized RTA_DST, a nexthop running past its attribute. */
	mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN, RTN_UNICAST, NULL);
	nh->nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(kroute_parse(nh, &r), -1);
	mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 33, 12, RT_TABLE_MAIN, RTN_UNICAST, NULL);
	assert_int_equal(kroute_parse(nh, &r), -1);
	mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN, RTN_UNICAST, NULL);
	((struct rtattr *)RTM_RTA(NLMSG_DATA(nh)))->rta_len = RTA_LENGTH(3);
	assert_int_equal(kroute_parse(nh, &r), -1);
	mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN, RTN_UNICAST,
		 GW("10.0.1.2", "10.0.2.2"));
	struct rtnexthop *rh = (struct rtnexthop *)(m.b + NLMSG_LENGTH(sizeof(struct rtmsg)) +
						   RTA_SPACE(4) + RTA_SPACE(4) + RTA_LENGTH(0));
	rh->rtnh_len = 200;
	assert_int_equal(kroute_parse(nh, &r), -1);
}

static void test_protos_parse(void **state)
{
	uint8_t p[KR_MAX_PROTO];

	(void)state;
	assert_int_equal(kroute_protos_parse("bird,bgp", p, KR_MAX_PROTO), 2);
	assert_int_equal(p[0], 12);
	assert_int_equal(p[1], 186);
	assert_int_equal(kroute_protos_parse("ZEBRA,42", p, KR_MAX_PROTO), 2);
	assert_int_equal(p[0], 11);
	assert_int_equal(p[1], 42);
	assert_int_equal(kroute_protos_parse("0", p, KR_MAX_PROTO), -1);
	assert_int_equal(kroute_protos_parse("256", p, KR_MAX_PROTO), -1);
	assert_int_equal(kroute_protos_parse("bird,x", p, KR_MAX_PROTO), -1);
	assert_int_equal(kroute_protos_parse("", p, KR_MAX_PROTO), -1);
	assert_int_equal(kroute_protos_parse("1,2,3", p, 2), -1);
}

/* ---- the table ----------------------------------------------------------------- */

struct chg {
	int n;
	struct bgp_prefix last;
	struct peers *ps;
};

static void on_changed(void *ctx, const struct bgp_prefix *pfx)
{
	struct chg *c = ctx;

	c->n++;
	c->last = *pfx;
	if (c->ps)
		peers_locrib_refresh(c->ps, pfx);
}

static void apply(struct kroute *k, const struct nlmsghdr *nh)
{
	struct kr_msg m;

	assert_int_equal(kroute_parse(nh, &m), 1);
	kroute_apply(k, &m);
}

static struct bgp_prefix pfx4(const char *a, uint8_t len)
{
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = len };

	inet_pton(AF_INET, a, p.addr);
	return p;
}

static void test_table(void **state)
{
	static const uint8_t protos[] = { 12, 186 };
	struct kroute k;
	struct chg c = { 0 };
	struct rtbuf m;
	struct bgp_prefix p = pfx4("192.0.2.0", 24);
	struct bgp_prefix p6 = { .fam = BGP_FAM_IPV6, .len = 32, .addr = { 0x20, 0x01, 0x0d, 0xb8 } };
	struct kr_route *r;

	(void)state;
	assert_int_equal(kroute_init(&k, protos, 2, on_changed, &c), 0);
	/* Another protocol, another table, a non-unicast route: not kept. */
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, RTPROT_STATIC,
			   RT_TABLE_MAIN, RTN_UNICAST, GW("10.0.1.2")));
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, 100, RTN_UNICAST,
			   GW("10.0.1.2")));
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN,
			   RTN_UNREACHABLE, NULL));
	assert_int_equal(k.count, 0);
	assert_false(k.seen);
	assert_int_equal(c.n, 0);
	/* BIRD's route: kept, reported, unjoined until the join says so. */
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN,
			   RTN_UNICAST, GW("10.0.1.2")));
	assert_int_equal(k.count, 1);
	assert_true(k.seen);
	assert_int_equal(c.n, 1);
	assert_int_equal(k.unjoined, 1);
	r = kroute_lookup(&k, &p);
	assert_non_null(r);
	assert_int_equal(r->n_gw, 1);
	kroute_set_joined(&k, r, true);
	assert_int_equal(k.unjoined, 0);
	/* The same again: no change.  A new gateway: a change. */
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN,
			   RTN_UNICAST, GW("10.0.1.2")));
	assert_int_equal(c.n, 1);
	apply(&k, mk_route(&m, RTM_NEWROUTE, NLM_F_REPLACE, AF_INET, "192.0.2.0", 24, 12,
			   RT_TABLE_MAIN, RTN_UNICAST, GW("10.0.2.2", "10.0.1.2")));
	assert_int_equal(c.n, 2);
	r = kroute_lookup(&k, &p);
	assert_int_equal(r->n_gw, 2);
	assert_true(r->joined);
	/* A static route replacing it: gone. */
	apply(&k, mk_route(&m, RTM_NEWROUTE, NLM_F_REPLACE, AF_INET, "192.0.2.0", 24,
			   RTPROT_STATIC, RT_TABLE_MAIN, RTN_UNICAST, GW("10.0.9.9")));
	assert_null(kroute_lookup(&k, &p));
	assert_int_equal(c.n, 3);
	assert_int_equal(k.count, 0);
	/* IPv6 ECMP built and taken apart nexthop by nexthop (FRR's zebra). */
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET6, "2001:db8::", 32, 186, RT_TABLE_MAIN,
			   RTN_UNICAST, GW("fe80::1")));
	apply(&k, mk_route(&m, RTM_NEWROUTE, NLM_F_APPEND, AF_INET6, "2001:db8::", 32, 186,
			   RT_TABLE_MAIN, RTN_UNICAST, GW("fe80::2")));
	r = kroute_lookup(&k, &p6);
	assert_non_null(r);
	assert_int_equal(r->n_gw, 2);
	apply(&k, mk_route(&m, RTM_DELROUTE, 0, AF_INET6, "2001:db8::", 32, 186, RT_TABLE_MAIN,
			   RTN_UNICAST, GW("fe80::1")));
	r = kroute_lookup(&k, &p6);
	assert_non_null(r);
	assert_int_equal(r->n_gw, 1);
	assert_int_equal(r->gw[0][15], 2);
	apply(&k, mk_route(&m, RTM_DELROUTE, 0, AF_INET6, "2001:db8::", 32, 186, RT_TABLE_MAIN,
			   RTN_UNICAST, GW("fe80::2")));
	assert_null(kroute_lookup(&k, &p6));
	assert_int_equal(k.unjoined, 0);
	/* A resync: what the dump did not list goes, with a change each. */
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN,
			   RTN_UNICAST, GW("10.0.1.2")));
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "198.51.100.0", 24, 12, RT_TABLE_MAIN,
			   RTN_UNICAST, GW("10.0.1.2")));
	kroute_mark_stale(&k);
	apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24, 12, RT_TABLE_MAIN,
			   RTN_UNICAST, GW("10.0.1.2")));
	int before = c.n;
	kroute_sweep(&k);
	assert_int_equal(c.n, before + 1);
	assert_int_equal(c.last.addr[0], 198);
	assert_int_equal(k.count, 1);
	/* Many routes: the table grows and finds them all. */
	for (int i = 0; i < 3000; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.%d.%d.0", i / 256, i % 256);
		apply(&k, mk_route(&m, RTM_NEWROUTE, 0, AF_INET, a, 24, 186, RT_TABLE_MAIN,
				   RTN_UNICAST, GW("10.0.1.2")));
	}
	assert_int_equal(k.count, 3001);
	struct bgp_prefix q = pfx4("10.11.183.0", 24);	/* i = 2999 */
	assert_non_null(kroute_lookup(&k, &q));
	kroute_free(&k);
}

/* ---- the join ------------------------------------------------------------------- */

struct fx {
	struct peers ps;
	struct recb rb;
	struct kroute kr;
	struct chg c;
	int lchanges;		/* Loc-RIB change batches sent */
	int lwithdrawn;		/* of which entries removed */
};

static void sink_out(void *ctx, struct peer *p, const uint8_t *msg, size_t len, uint64_t ts,
		     const struct bgp_prefix *chg, size_t n, int eor)
{
	struct fx *f = ctx;

	(void)msg; (void)len; (void)ts; (void)eor;
	if (!p->locrib)
		return;
	f->lchanges++;
	for (size_t i = 0; i < n; i++)
		if (!rib_lookup(&p->rib, &chg[i]))
			f->lwithdrawn++;
}

static int setup(void **state)
{
	static const uint8_t protos[] = { 12 };
	struct fx *f = calloc(1, sizeof(*f));
	struct peer_sink s = { .ctx = f, .update_out = sink_out };

	f->c.ps = &f->ps;
	assert_int_equal(kroute_init(&f->kr, protos, 1, on_changed, &f->c), 0);
	assert_int_equal(peers_init(&f->ps, &(struct peers_cfg){ .sink = s,
			 .locrib_src = LOCRIB_SRC_KERNEL, .kroutes = &f->kr }, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	peers_free(&f->ps);
	kroute_free(&f->kr);
	free(f);
	return 0;
}

/* Peer 1 (10.0.1.1): AS_PATH 65001, NEXT_HOP 10.0.1.1; peer 2 (10.0.1.3):
 * AS_PATH 65001 65024, NEXT_HOP 10.0.1.3: the decision process picks 1. */
#define NH_P2 "40 03 04 0a000103 "
#define PATH_P2 "40 02 0a 02 02 0000fde9 0000fe00 "

static uint32_t lr_attr(struct fx *f, const char *a, uint8_t len)
{
	struct bgp_prefix p = pfx4(a, len);

	return rib_lookup(&f->ps.locrib->rib, &p);
}

static uint32_t peer_attr(struct fx *f, uint32_t flow, const char *a, uint8_t len)
{
	struct bgp_prefix p = pfx4(a, len);

	return rib_lookup(&peers_find(&f->ps, flow)->rib, &p);
}

static void kr(struct fx *f, uint16_t type, const char *dst, const char *const *gws)
{
	struct rtbuf m;

	apply(&f->kr, mk_route(&m, type, type == RTM_NEWROUTE ? NLM_F_REPLACE : 0, AF_INET, dst,
			       24, 12, RT_TABLE_MAIN, RTN_UNICAST, gws));
}

static void test_join(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	establish(&f->ps, &f->rb, 2, "10.0.1.3");
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4, "18 0a0900", TS0);
	send_update(&f->ps, &f->rb, 2, BMPTAP_DIR_RX, "", ORIGIN_IGP PATH_P2 NH_P2, "18 0a0900",
		    TS0);
	/* Kernel source, nothing installed: nothing selected. */
	assert_true(locrib_kernel(&f->ps));
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), 0);
	/* The daemon installed peer 2's path (its own policy, a higher
	 * LOCAL_PREF): that, not the decision process's choice, is reported. */
	kr(f, RTM_NEWROUTE, "10.9.0.0", GW("10.0.1.3"));
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), peer_attr(f, 2, "10.9.0.0", 24));
	assert_int_equal(f->kr.unjoined, 0);
	/* It moves to peer 1: the Loc-RIB follows. */
	kr(f, RTM_NEWROUTE, "10.9.0.0", GW("10.0.1.1"));
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), peer_attr(f, 1, "10.9.0.0", 24));
	/* ECMP over both: one path, the decision process breaking the tie. */
	kr(f, RTM_NEWROUTE, "10.9.0.0", GW("10.0.1.3", "10.0.1.1"));
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), peer_attr(f, 1, "10.9.0.0", 24));
	/* Peer 1 withdraws while the kernel still lists both: peer 2's. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "18 0a0900", "", "", TS0);
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), peer_attr(f, 2, "10.9.0.0", 24));
	/* Removed from the kernel: withdrawn from the Loc-RIB. */
	int w = f->lwithdrawn;
	kr(f, RTM_DELROUTE, "10.9.0.0", NULL);
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), 0);
	assert_int_equal(f->lwithdrawn, w + 1);
	assert_int_equal(f->kr.unjoined, 0);
	/* Installed via a gateway no peer announced: unjoined, counted, not
	 * reported; the path arriving later joins it. */
	kr(f, RTM_NEWROUTE, "10.8.0.0", GW("10.0.1.3"));
	assert_int_equal(lr_attr(f, "10.8.0.0", 24), 0);
	assert_int_equal(f->kr.unjoined, 1);
	assert_int_equal(f->kr.unjoined_total, 1);
	send_update(&f->ps, &f->rb, 2, BMPTAP_DIR_RX, "", ORIGIN_IGP PATH_P2 NH_P2, "18 0a0800",
		    TS0);
	assert_int_equal(lr_attr(f, "10.8.0.0", 24), peer_attr(f, 2, "10.8.0.0", 24));
	assert_int_equal(f->kr.unjoined, 0);
	/* A path with another next hop from a peer whose address is the
	 * gateway (next-hop rewritten on import) still joins. */
	send_update(&f->ps, &f->rb, 2, BMPTAP_DIR_RX, "", ORIGIN_IGP PATH_P2 "40 03 04 c0000201 ",
		    "18 0a0700", TS0);
	kr(f, RTM_NEWROUTE, "10.7.0.0", GW("10.0.1.3"));
	assert_int_equal(lr_attr(f, "10.7.0.0", 24), peer_attr(f, 2, "10.7.0.0", 24));
	/* Peer 2 goes down: its paths leave the Loc-RIB; the installed routes
	 * left behind (the daemon has not removed them yet) are unjoined. */
	end_flow(&f->ps, &f->rb, 2, BMPTAP_END_RST_REMOTE);
	assert_int_equal(rib_count(&f->ps.locrib->rib, BGP_FAM_IPV4), 0);
	assert_int_equal(f->kr.unjoined, 2);
}

static void test_sources(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	establish(&f->ps, &f->rb, 2, "10.0.1.3");
	/* auto, nothing installed yet: the decision process (peer 1). */
	f->ps.locrib_src = LOCRIB_SRC_AUTO;
	assert_false(locrib_kernel(&f->ps));
	assert_string_equal(locrib_source_name(&f->ps), "decision process");
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4, "18 0a0900", TS0);
	send_update(&f->ps, &f->rb, 2, BMPTAP_DIR_RX, "", ORIGIN_IGP PATH_P2 NH_P2, "18 0a0900",
		    TS0);
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), peer_attr(f, 1, "10.9.0.0", 24));
	/* The first installed route switches it (as bmptapd does: all). */
	f->c.ps = NULL;
	kr(f, RTM_NEWROUTE, "10.9.0.0", GW("10.0.1.3"));
	assert_true(locrib_kernel(&f->ps));
	assert_string_equal(locrib_source_name(&f->ps), "kernel routes");
	peers_locrib_refresh(&f->ps, NULL);
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), peer_attr(f, 2, "10.9.0.0", 24));
	/* decision: the installed routes are ignored. */
	f->ps.locrib_src = LOCRIB_SRC_DECISION;
	peers_locrib_refresh(&f->ps, NULL);
	assert_int_equal(lr_attr(f, "10.9.0.0", 24), peer_attr(f, 1, "10.9.0.0", 24));
}

/* RFC 9069 5.4: the Loc-RIB Peer Down, reason 6, with the table name TLV. */
static void test_peer_down(void **state)
{
	struct fx *f = *state;
	struct buf b = { 0 };

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	peer_encode_down(f->ps.locrib, &b);
	assert_int_equal(b.len, 6 + 42 + 1 + 4 + 6);
	uint8_t *m = b.data;
	assert_hex(m, 6, "03 0000003b 02");
	/* Peer type 3, no flags, no distinguisher or address; local AS, BGP ID. */
	assert_hex(m + 6, 34, "03 00 0000000000000000 00000000000000000000000000000000 "
		   "0000fdea 0a000102");
	assert_true(get_u32(m + 40) > 0);	/* the time it ended: now */
	assert_hex(m + 48, 11, "06 0003 0006 676c6f62616c");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_protos_parse),
		cmocka_unit_test(test_table),
		cmocka_unit_test_setup_teardown(test_join, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_down, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
