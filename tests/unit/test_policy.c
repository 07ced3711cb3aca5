// SPDX-License-Identifier: GPL-2.0
/*
 * Route-monitoring policies (issue 6): import filters and their CLI, the
 * post-policy verdict, L / O flagged Route Monitoring, the Loc-RIB instance
 * (RFC 9069), Statistics Reports, and mirroring - with exact BMP bytes.
 */
#include "peer_testutil.h"

#include <stdlib.h>

#include "cli.h"
#include "collector.h"
#include "filter.h"
#include "locrib.h"
#include "policy.h"

/* Per-peer headers of peer 10.0.1.1 (AS 65001) at TS0, by flags. */
#define PH(flags) "00 " flags " 0000000000000000 000000000000000000000000 0a000101 " \
	"0000fde9 0a000101 6553f100 0001e240 "
#define MARKER "ffffffffffffffffffffffffffffffff "
/* 10.0.0.0/24 with ORIGIN IGP, AS_PATH 65001, NEXT_HOP 10.0.1.1. */
#define UPD_A MARKER "002f 02 0000 0014 40010100 4002060201 0000fde9 4003040a000101 180a0000"
#define WD_A MARKER "001b 02 0004 180a0000 0000"

/* ---- filters and the CLI -------------------------------------------------- */

static int fparse(const char *line, struct bt_filter *f, char *err)
{
	char buf[256], *argv[16];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 16; t = strtok(NULL, " "))
		argv[argc++] = t;
	memset(f, 0, sizeof(*f));
	return bt_filter_parse(argc, argv, f, err, 160);
}

/* Filters as read from the module: what the CLI can configure is valid;
 * lengths past the family's bits, an unknown family or kind, ge/le out of
 * order are refused (a /200 would read past the address when matched). */
static void test_filter_valid(void **state)
{
	(void)state;
	static const char *const good[] = {
		"prefix 10.0.0.0/8", "prefix ::/0 ge 48", "prefix 2001:db8::/32 ge 33 le 128",
		"prefix 0.0.0.0/0 le 32", "max-length ipv4 24", "max-length ipv6 128",
	};
	struct bt_filter f;
	char err[160];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(fparse(good[i], &f, err), 0);
		assert_true(bt_filter_valid(&f));
	}
	assert_int_equal(fparse("prefix 10.0.0.0/8", &f, err), 0);
	f.pfx.len = f.ge = f.le = 33;
	assert_false(bt_filter_valid(&f));
	f.pfx.len = f.ge = 8;
	f.le = 255;
	assert_false(bt_filter_valid(&f));
	f.le = 8;
	f.ge = 7;
	assert_false(bt_filter_valid(&f));
	f.ge = 8;
	f.pfx.family = 0;
	assert_false(bt_filter_valid(&f));
	f.pfx.family = AF_INET6;
	f.pfx.len = f.ge = f.le = 129;
	assert_false(bt_filter_valid(&f));
	f.pfx.len = f.ge = f.le = 128;
	assert_true(bt_filter_valid(&f));
	f.kind = 99;
	assert_false(bt_filter_valid(&f));
	assert_int_equal(fparse("max-length ipv4 24", &f, err), 0);
	f.max_len = 33;
	assert_false(bt_filter_valid(&f));
}

static void test_filter_parse(void **state)
{
	struct bt_filter f;
	char err[160], out[128];

	(void)state;
	assert_int_equal(fparse("prefix 10.0.0.0/8 le 24", &f, err), 0);
	assert_int_equal(f.kind, BMPTAP_FILTER_KIND_PREFIX);
	assert_int_equal(f.pfx.len, 8);
	assert_int_equal(f.ge, 8);
	assert_int_equal(f.le, 24);
	bt_filter_format(&f, out, sizeof(out));
	assert_string_equal(out, "prefix 10.0.0.0/8 ge 8 le 24");
	/* "ge" alone runs to the family's bits, as in router prefix lists. */
	assert_int_equal(fparse("prefix 2001:db8::/32 ge 48", &f, err), 0);
	assert_int_equal(f.ge, 48);
	assert_int_equal(f.le, 128);
	assert_int_equal(fparse("prefix 192.0.2.0/24", &f, err), 0);
	bt_filter_format(&f, out, sizeof(out));
	assert_string_equal(out, "prefix 192.0.2.0/24");
	assert_int_equal(fparse("max-length ipv6 48", &f, err), 0);
	assert_int_equal(f.max_len, 48);
	assert_int_equal(fparse("as-path 4200000000", &f, err), 0);
	assert_int_equal(f.asn, 4200000000u);
	assert_int_equal(fparse("community 65000:666", &f, err), 0);
	assert_int_equal(f.community, 65000u << 16 | 666);

	assert_int_equal(fparse("prefix 10.0.0.1/8", &f, err), -1);
	assert_string_equal(err, "prefix: '10.0.0.1/8' has bits set past /8");
	assert_int_equal(fparse("prefix 10.0.0.0/8 ge 4", &f, err), -1);
	assert_string_equal(err, "prefix: need /8 <= ge (4) <= le (32)");
	assert_int_equal(fparse("prefix 10.0.0.0/8 le 24 le 25", &f, err), -1);
	assert_string_equal(err, "prefix: 'le' given twice");
	assert_int_equal(fparse("prefix 10.0.0.0/33", &f, err), -1);
	assert_string_equal(err, "prefix: length '33' not in 0..32");
	assert_int_equal(fparse("max-length ipv5 3", &f, err), -1);
	assert_string_equal(err, "max-length: family 'ipv5' is not ipv4 or ipv6");
	assert_int_equal(fparse("max-length ipv4 33", &f, err), -1);
	assert_int_equal(fparse("as-path 4294967296", &f, err), -1);
	assert_string_equal(err, "as-path: '4294967296' is not an AS number");
	assert_int_equal(fparse("community 65536:1", &f, err), -1);
	assert_string_equal(err, "community: '65536:1' is not ASN:VALUE (0..65535 each)");
	assert_int_equal(fparse("bogon", &f, err), -1);
	assert_string_equal(err, "filter: unknown match 'bogon' (prefix, max-length, as-path, community)");
}

static int cparse(const char *line, struct bt_cli_req *r, char *err)
{
	char buf[256], *argv[16] = { "bmptapctl" };
	int argc = 1;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 16; t = strtok(NULL, " "))
		argv[argc++] = t;
	return bt_cli_parse(argc, argv, r, err, BT_CLI_ERRLEN);
}

static void test_cli_filter(void **state)
{
	struct bt_cli_req r;
	char err[BT_CLI_ERRLEN];

	(void)state;
	assert_int_equal(cparse("filter add no-long max-length ipv4 24", &r, err), 0);
	assert_int_equal(r.cmd, BT_CLI_FILTER_ADD);
	assert_string_equal(r.filter.name, "no-long");
	assert_int_equal(r.filter.kind, BMPTAP_FILTER_KIND_MAX_LEN);
	assert_int_equal(cparse("filter del no-long", &r, err), 0);
	assert_int_equal(r.cmd, BT_CLI_FILTER_DEL);
	assert_int_equal(cparse("-j filter show", &r, err), 0);
	assert_int_equal(r.cmd, BT_CLI_FILTER_SHOW);
	assert_true(r.json);

	assert_int_equal(cparse("filter", &r, err), -1);
	assert_string_equal(err, "missing subcommand for \"filter\" (add, del, show)");
	assert_int_equal(cparse("filter add", &r, err), -1);
	assert_string_equal(err, "missing filter name for \"filter add\"");
	assert_int_equal(cparse("filter add bad/name as-path 1", &r, err), -1);
	assert_string_equal(err, "invalid filter name \"bad/name\" (1..63 of A-Z a-z 0-9 _ . -)");
	assert_int_equal(cparse("filter add x", &r, err), -1);
	assert_string_equal(err, "filter: missing match (prefix, max-length, as-path, community)");
	assert_int_equal(cparse("filter del x extra", &r, err), -1);
	assert_string_equal(err, "unexpected argument \"extra\"");
	assert_int_equal(cparse("filter show more", &r, err), -1);
	assert_int_equal(cparse("filter zap", &r, err), -1);
	assert_string_equal(err, "unknown subcommand \"zap\" for \"filter\" (add, del, show)");
}

/* ---- verdicts --------------------------------------------------------------- */

static uint32_t intern_hex(struct attr_table *t, const char *hex)
{
	uint8_t d[512], nh[4] = { 10, 0, 1, 1 };
	size_t n = hx(d, hex);

	return attr_intern(t, BGP_FAM_IPV4, nh, 4, d, (uint32_t)n);
}

static void test_verdicts(void **state)
{
	struct attr_table t;
	struct pol_local l = { 65002, 0x0a000102 };
	struct bt_filter_list fl = { 0 };
	struct bt_filter f;
	char err[160];
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 24, .addr = { 10, 1, 2 } };
	struct bgp_prefix q = { .fam = BGP_FAM_IPV4, .len = 16, .addr = { 10, 1 } };

	(void)state;
	attr_table_init(&t);
	const struct attr_set *ok = attr_get(&t, intern_hex(&t, ORIGIN_IGP ASPATH4));
	const struct attr_set *asloop = attr_get(&t, intern_hex(&t,
		ORIGIN_IGP "40 02 0a 02 02 0000fde9 0000fdea"));
	const struct attr_set *confed = attr_get(&t, intern_hex(&t,
		ORIGIN_IGP "40 02 0c 03 01 0000fdea 02 01 0000fde9"));
	const struct attr_set *orig = attr_get(&t, intern_hex(&t,
		ORIGIN_IGP ASPATH4 "80 09 04 0a000102"));
	const struct attr_set *cluster = attr_get(&t, intern_hex(&t,
		ORIGIN_IGP ASPATH4 "80 0a 08 01010101 0a000102"));
	const struct attr_set *comm = attr_get(&t, intern_hex(&t,
		ORIGIN_IGP ASPATH4 "c0 08 08 fde8029a 00010002"));

	assert_int_equal(policy_verdict(&l, NULL, &p, ok), POL_ACCEPT);
	assert_int_equal(policy_verdict(&l, NULL, &p, asloop), POL_AS_LOOP);
	assert_int_equal(policy_verdict(&l, NULL, &p, confed), POL_CONFED_LOOP);
	assert_int_equal(policy_verdict(&l, NULL, &p, orig), POL_ORIGINATOR_LOOP);
	assert_int_equal(policy_verdict(&l, NULL, &p, cluster), POL_CLUSTER_LOOP);
	/* Unknown local AS / BGP ID (no OPEN sent seen): nothing to compare. */
	struct pol_local none = { 0, 0 };
	assert_int_equal(policy_verdict(&none, NULL, &p, asloop), POL_ACCEPT);

	assert_int_equal(fparse("prefix 10.1.0.0/16 ge 20 le 24", &f, err), 0);
	bt_filter_list_add(&fl, &f);
	assert_int_equal(policy_verdict(&l, &fl, &p, ok), POL_FILTER);
	assert_int_equal(policy_verdict(&l, &fl, &q, ok), POL_ACCEPT);	/* /16 < ge */
	p.addr[1] = 2;
	assert_int_equal(policy_verdict(&l, &fl, &p, ok), POL_ACCEPT);	/* outside */
	assert_int_equal(fparse("max-length ipv4 23", &f, err), 0);
	bt_filter_list_add(&fl, &f);
	assert_int_equal(policy_verdict(&l, &fl, &p, ok), POL_FILTER);
	fl.n = 0;
	assert_int_equal(fparse("community 65000:666", &f, err), 0);
	bt_filter_list_add(&fl, &f);
	assert_int_equal(policy_verdict(&l, &fl, &p, comm), POL_FILTER);
	assert_int_equal(policy_verdict(&l, &fl, &p, ok), POL_ACCEPT);
	assert_int_equal(fparse("as-path 65001", &f, err), 0);
	bt_filter_list_add(&fl, &f);
	assert_int_equal(policy_verdict(&l, &fl, &p, ok), POL_FILTER);
	/* Loops are told apart from filters, for statistics types 3-6. */
	assert_int_equal(policy_verdict(&l, &fl, &p, asloop), POL_AS_LOOP);
	bt_filter_list_free(&fl);
	attr_table_free(&t);
}

/* ---- feed fixture ------------------------------------------------------------ */

struct fx {
	struct peers ps;
	struct feed feed;
	struct recb rb;
	struct bt_filter_list fl;
	uint8_t out[1 << 20];
	size_t n;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(feed_init(&f->feed, NULL, NULL, &f->ps, &(struct feed_cfg){ .limit = 8u << 20 }), 0);
	struct peer_sink s = feed_sink(&f->feed);
	assert_int_equal(peers_init(&f->ps, &(struct peers_cfg){ .sink = s }, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	feed_free(&f->feed);
	peers_free(&f->ps);
	bt_filter_list_free(&f->fl);
	free(f);
	return 0;
}

static struct collector *coll(struct fx *f, uint32_t policy, bool mirroring)
{
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_POLICY | BT_SRV_MIRRORING,
				     .port = 1, .policy = policy, .mirroring = mirroring };
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	struct collector *c = feed_add(&f->feed, &cfg);
	assert_non_null(c);
	collector_start(c, -1);
	return c;
}

/* Everything the collector has now, in f->out (and n). */
static void take(struct fx *f, struct collector *c)
{
	f->n = 0;
	for (int guard = 0; guard < 1000; guard++) {
		f->n += collector_take(c, f->out + f->n, sizeof(f->out) - f->n);
		collector_pump(c);
		if (!collector_pending(c) && !collector_busy(c))
			return;
	}
	fail_msg("collector never caught up");
}

/* The i-th BMP message of f->out (its length in *len), or NULL. */
static const uint8_t *msg_at(struct fx *f, int i, size_t *len)
{
	size_t o = 0;

	for (; o + 6 <= f->n; i--) {
		uint32_t l = get_u32(f->out + o + 1);

		if (!i) {
			*len = l;
			return f->out + o;
		}
		o += l;
	}
	return NULL;
}

static int count_type(struct fx *f, uint8_t type)
{
	size_t len = 0;
	int n = 0;

	for (int i = 0; msg_at(f, i, &len); i++)
		n += msg_at(f, i, &len)[5] == type;
	return n;
}

static void add_filter(struct fx *f, const char *line)
{
	struct bt_filter flt;
	char err[160];

	assert_int_equal(fparse(line, &flt, err), 0);
	bt_filter_list_add(&f->fl, &flt);
	peers_set_filters(&f->ps, &f->fl);
	feed_filters_changed(&f->feed);
}

#define UPD(ps, rb, attrs, nlri) send_update(ps, rb, 1, BMPTAP_DIR_RX, "", attrs, nlri, TS0)
#define A_OK ORIGIN_IGP ASPATH4 NH4

/* ---- post-policy (L flag) ------------------------------------------------------- */

static void test_post_policy_live(void **state)
{
	struct fx *f = *state;
	size_t len = 0;

	add_filter(f, "prefix 10.1.0.0/16 le 32");
	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	struct collector *c = coll(f, BMPTAP_POLICY_POST, false);
	take(f, c);
	/* Initiation, Peer Up, End-of-RIB IPv4 and IPv6 (L flag). */
	assert_int_equal(count_type(f, BMP_PEER_UP), 1);
	const uint8_t *m = msg_at(f, 2, &len);
	assert_int_equal(m[5], BMP_ROUTE_MONITORING);
	assert_int_equal(m[7], BMP_PEER_F_L);

	/* One UPDATE, one accepted and one rejected prefix: only the first. */
	UPD(&f->ps, &f->rb, A_OK, "18 0a0000 18 0a0100");
	take(f, c);
	assert_hex(f->out, f->n, "03 0000005f 00" PH("40") UPD_A);
	/* The rejected one announced alone: nothing (never accepted). */
	UPD(&f->ps, &f->rb, A_OK, "18 0a0100");
	take(f, c);
	assert_int_equal(f->n, 0);
	/* The peer withdraws the accepted one: withdrawn, L flag. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "18 0a0000", "", "", TS0);
	take(f, c);
	assert_hex(f->out, f->n, "03 0000004b 00" PH("40") WD_A);
	struct peer *p = peers_find(&f->ps, 1);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 1);
	assert_int_equal(p->post_count[BGP_FAM_IPV4], 0);

	/* Re-announced, then the filter widened: the replay withdraws it. */
	UPD(&f->ps, &f->rb, A_OK, "18 0a0000");
	take(f, c);
	assert_int_equal(p->post_count[BGP_FAM_IPV4], 1);
	add_filter(f, "prefix 10.0.0.0/8 le 32");
	assert_int_equal(p->post_count[BGP_FAM_IPV4], 0);
	take(f, c);
	bool saw_wd = false;
	for (int i = 0; msg_at(f, i, &len); i++) {
		m = msg_at(f, i, &len);
		/* Both rejected routes withdrawn: 10.0.0.0/24 and 10.1.0.0/24. */
		if (len == 48 + 31 && !memcmp(m + 48 + 16, "\x00\x1f\x02\x00\x08", 5) &&
		    memmem(m + 48 + 21, 8, "\x18\x0a\x00\x00", 4) &&
		    memmem(m + 48 + 21, 8, "\x18\x0a\x01\x00", 4))
			saw_wd = true;
		assert_int_equal(m[7] & BMP_PEER_F_L, BMP_PEER_F_L);
	}
	assert_true(saw_wd);
}

static void test_pre_and_post(void **state)
{
	struct fx *f = *state;
	size_t len = 0;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	/* "both": the received UPDATE as is (L clear), then its post view. */
	struct collector *c = coll(f, BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST, false);
	take(f, c);
	UPD(&f->ps, &f->rb, A_OK, "18 0a0000");
	take(f, c);
	const uint8_t *m = msg_at(f, 0, &len);
	assert_int_equal(m[7], 0);
	m = msg_at(f, 1, &len);
	assert_hex(m, len, "03 0000005f 00" PH("40") UPD_A);
	assert_null(msg_at(f, 2, &len));
}

/* ---- Adj-RIB-Out (O flag) ------------------------------------------------------- */

#define UPD_OUT MARKER "002f 02 0000 0014 40010100 4002060201 0000fdea 4003040a000102 180a0500"

static void test_adj_rib_out(void **state)
{
	struct fx *f = *state;
	size_t len = 0;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	struct collector *c = coll(f, BMPTAP_POLICY_ADJ_OUT, false);
	take(f, c);
	/* The UPDATE the local daemon sent: as sent, O and L set. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, "",
		    ORIGIN_IGP "40 02 06 02 01 0000fdea 40 03 04 0a000102", "18 0a0500", TS0);
	take(f, c);
	assert_hex(f->out, f->n, "03 0000005f 00" PH("50") UPD_OUT);
	/* Received UPDATEs are not this policy's business. */
	UPD(&f->ps, &f->rb, A_OK, "18 0a0000");
	take(f, c);
	assert_int_equal(f->n, 0);
	/* A new collector gets the Adj-RIB-Out replayed (timestamp 0), EoRs. */
	struct collector *c2 = coll(f, BMPTAP_POLICY_ADJ_OUT, false);
	take(f, c2);
	assert_int_equal(msg_at(f, 0, &len)[5], BMP_INITIATION);
	assert_int_equal(msg_at(f, 1, &len)[5], BMP_PEER_UP);
	const uint8_t *m = msg_at(f, 2, &len);
	assert_hex(m, len, "03 0000005f 00 00 50 0000000000000000 000000000000000000000000 "
		   "0a000101 0000fde9 0a000101 00000000 00000000" UPD_OUT);
	m = msg_at(f, 3, &len);
	assert_int_equal(m[7], 0x50);
	assert_int_equal(len, 48 + 23);		/* IPv4 End-of-RIB */
	assert_int_equal(count_type(f, BMP_ROUTE_MONITORING), 3);
	assert_int_equal(rib_count(&peers_find(&f->ps, 1)->rib_out, BGP_FAM_IPV4), 1);
}

/* ---- Loc-RIB (RFC 9069) ------------------------------------------------------------ */

/*
 * An UPDATE from AS 65001 for 10.9.0.0/24: an AS_PATH of n_seg segments
 * of 250 2-octet ASes (above 0xffff for none) and n_comm communities.
 */
static size_t big_update(uint8_t *m, unsigned n_seg, unsigned n_comm)
{
	size_t o = 23, at;

	memset(m, 0xff, 16);
	m[18] = BGP_UPDATE;
	put_u16(m + 19, 0);
	o += hx(m + o, ORIGIN_IGP "50 02 0000");
	at = o - 2;
	for (unsigned s = 0; s < n_seg; s++) {
		m[o++] = BGP_AS_SEQUENCE;
		m[o++] = 250;
		for (unsigned i = 0; i < 250; i++, o += 2)
			put_u16(m + o, (uint16_t)(1000 + s * 250 + i));
	}
	put_u16(m + at, (uint16_t)(o - at - 2));
	o += hx(m + o, NH4 "d0 08 0000");
	put_u16(m + o - 2, (uint16_t)(4 * n_comm));
	for (unsigned i = 0; i < n_comm; i++, o += 4)
		put_u32(m + o, 0xfde90000u + i);
	put_u16(m + 21, (uint16_t)(o - 23));
	o += hx(m + o, "18 0a0900");
	put_u16(m + 16, (uint16_t)o);
	return o;
}

static void feed_big(struct fx *f, uint32_t flow, const uint8_t *m, size_t len)
{
	struct bt_rec r = *mkrec(&f->rb, BMPTAP_REC_MSG, flow, BMPTAP_DIR_RX, 0, NULL, 0, TS0);

	r.payload = m;
	r.payload_len = len;
	r.hdr.len += (uint32_t)len;
	feed_rec(&f->ps, &r);
}

/*
 * The Loc-RIB encodes 4-octet ASes: a 2-octet session's AS_PATH doubles.
 * Its OPEN has the extended message capability and its UPDATEs use it
 * (a 3.9 kB UPDATE becomes 5.9 kB); past 65535 octets even then, the
 * Loc-RIB collector gets the route's withdrawal and "messages lost", and
 * the failure is counted: nothing silently skipped.
 */
static void test_locrib_extended(void **state)
{
	struct fx *f = *state;
	static uint8_t m[65536];
	struct bgp_prefix pfx = { .fam = BGP_FAM_IPV4, .len = 24, .addr = { 10, 9 } };
	struct bgp_codec ext = { .as4 = true, .ext_msg = true };
	struct bgp_update u;
	size_t len = 0, n;

	flow_start4(&f->ps, &f->rb, 1, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, BGP_OPEN,
		 "04 fdea 00b4 0a000102 0a 02 08 0104 00010001 0600", TS0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_OPEN,
		 "04 fde9 00b4 0a000101 0a 02 08 0104 00010001 0600", TS0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	struct peer *p = peers_find(&f->ps, 1);
	assert_false(p->sess.rx.as4);
	assert_true(p->sess.rx.ext_msg);
	struct collector *c = coll(f, BMPTAP_POLICY_LOCAL_RIB, false);
	take(f, c);

	n = big_update(m, 4, 450);
	assert_true(n <= BGP_MAX_LEN);
	feed_big(f, 1, m, n);
	struct peer *lr = f->ps.locrib;
	assert_int_equal(rib_count(&lr->rib, BGP_FAM_IPV4), 1);
	take(f, c);
	assert_int_equal(count_type(f, BMP_ROUTE_MONITORING), 1);
	const uint8_t *rm = msg_at(f, 0, &len);
	assert_int_equal(rm[5], BMP_ROUTE_MONITORING);
	assert_true(len - 48 > BGP_MAX_LEN);
	assert_int_equal(bgp_update_parse(rm + 48, len - 48, &ext, &u), BGP_ACT_NONE);
	assert_int_equal(u.nlri.len, 4);
	assert_int_equal(c->st.encode_errors, 0);
	assert_false(lr->incomplete);

	/* 16000 ASes and 500 communities: 34 kB received, 66 kB as 4-octet. */
	n = big_update(m, 64, 500);
	feed_big(f, 1, m, n);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 1);
	assert_int_equal(rib_lookup(&lr->rib, &pfx), rib_lookup(&p->rib, &pfx));
	take(f, c);
	assert_int_equal(count_type(f, BMP_ROUTE_MONITORING), 1);
	assert_int_equal(count_type(f, BMP_ROUTE_MIRRORING), 1);
	rm = msg_at(f, 0, &len);
	assert_int_equal(rm[5], BMP_ROUTE_MONITORING);
	assert_int_equal(bgp_update_parse(rm + 48, len - 48, &ext, &u), BGP_ACT_NONE);
	assert_int_equal(u.nlri.len, 0);
	assert_hex(u.withdrawn.p, u.withdrawn.len, "18 0a0900");
	rm = msg_at(f, 1, &len);
	assert_hex(rm + 48, len - 48, "0001 0002 0001");	/* Information: messages lost */
	assert_int_equal(c->st.encode_errors, 1);
	assert_int_equal(lr->cnt.encode_failures, 1);
	assert_true(lr->incomplete);
}


#define LOCRIB_OPEN MARKER "0039 01 04 fdea 0000 0a000102 1c 0206 0104 0001 0001 0206 0104 0002 0001 " \
	"0206 4104 0000fdea 0202 0600"
#define LPH "03 00 0000000000000000 00000000000000000000000000000000 0000fdea 0a000102 "

static void test_locrib(void **state)
{
	struct fx *f = *state;
	size_t len = 0;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	establish(&f->ps, &f->rb, 2, "10.0.1.3");
	struct collector *c = coll(f, BMPTAP_POLICY_LOCAL_RIB, false);
	take(f, c);
	/* Initiation, two peers' Peer Up, the Loc-RIB's; its EoRs. */
	const uint8_t *m = msg_at(f, 3, &len);
	assert_hex(m, len, "03 000000c0 03" LPH "6553f100 0001e240 "
		   "00000000000000000000000000000000 0000 0000 "
		   LOCRIB_OPEN LOCRIB_OPEN "0003 0006 676c6f62616c");

	/* Peer 1: a longer AS path; peer 2: the best. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "",
		    ORIGIN_IGP "40 02 0a 02 02 0000fde9 0000fe00" NH4, "18 0a0900", TS0);
	send_update(&f->ps, &f->rb, 2, BMPTAP_DIR_RX, "", A_OK, "18 0a0900", TS0);
	struct bgp_prefix pfx = { .fam = BGP_FAM_IPV4, .len = 24, .addr = { 10, 9 } };
	struct peer *lr = f->ps.locrib;
	assert_non_null(lr);
	assert_int_equal(rib_lookup(&lr->rib, &pfx), rib_lookup(&peers_find(&f->ps, 2)->rib, &pfx));
	take(f, c);
	/* Two Loc-RIB Route Monitoring messages, peer type 3, 4-octet AS. */
	assert_int_equal(count_type(f, BMP_ROUTE_MONITORING), 2);
	m = msg_at(f, 1, &len);
	assert_hex(m, len, "03 0000005f 00" LPH "6553f100 0001e240 "
		   MARKER "002f 02 0000 0014 40010100 4002060201 0000fde9 4003040a000101 180a0900");
	/* Peer 2 withdraws: peer 1's path is selected. */
	send_update(&f->ps, &f->rb, 2, BMPTAP_DIR_RX, "18 0a0900", "", "", TS0);
	assert_int_equal(rib_lookup(&lr->rib, &pfx), rib_lookup(&peers_find(&f->ps, 1)->rib, &pfx));
	/* Peer 1 goes down: nothing left. */
	end_flow(&f->ps, &f->rb, 1, BMPTAP_END_RST_REMOTE);
	assert_int_equal(rib_lookup(&lr->rib, &pfx), 0);
	take(f, c);
	m = msg_at(f, count_type(f, BMP_ROUTE_MONITORING) - 1 + 0, &len);
	(void)m;
	assert_int_equal(rib_count(&lr->rib, BGP_FAM_IPV4), 0);
	/* A filter rejecting it keeps it out of the Loc-RIB too. */
	send_update(&f->ps, &f->rb, 2, BMPTAP_DIR_RX, "", A_OK, "18 0a0900", TS0);
	assert_int_equal(rib_count(&lr->rib, BGP_FAM_IPV4), 1);
	add_filter(f, "max-length ipv4 16");
	assert_int_equal(rib_count(&lr->rib, BGP_FAM_IPV4), 0);
	/* The server removed: the Loc-RIB's Peer Down (RFC 9069 5.4: reason
	 * 6, the table name TLV) before the Termination. */
	take(f, c);
	feed_remove(&f->feed, c, BMP_TERM_PERM_ADMIN_CLOSE);
	take(f, c);
	assert_int_equal(f->n, 59 + 12);	/* + Termination with its reason */
	m = msg_at(f, 0, &len);
	assert_hex(m, 40, "03 0000003b 02" LPH);
	assert_hex(m + 48, 11, "06 0003 0006 676c6f62616c");
	assert_int_equal(msg_at(f, 1, &len)[5], BMP_TERMINATION);
}

static void test_decision(void **state)
{
	struct fx *f = *state;
	struct peer *a, *b;
	struct attr_table *t = &f->ps.attrs;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	establish(&f->ps, &f->rb, 2, "10.0.1.3");
	a = peers_find(&f->ps, 1);
	b = peers_find(&f->ps, 2);
	const struct attr_set *lp200 = attr_get(t, intern_hex(t, ORIGIN_IGP
		"40 02 0a 02 02 0000fde9 0000fe00 40 05 04 000000c8"));
	const struct attr_set *plain = attr_get(t, intern_hex(t, ORIGIN_IGP ASPATH4));
	const struct attr_set *egp = attr_get(t, intern_hex(t, "40 01 01 01" ASPATH4));
	const struct attr_set *med5 = attr_get(t, intern_hex(t, ORIGIN_IGP ASPATH4 "80 04 04 00000005"));
	/* a) LOCAL_PREF beats a shorter path */
	assert_true(locrib_compare(&f->ps, a, lp200, b, plain) < 0);
	/* c) ORIGIN */
	assert_true(locrib_compare(&f->ps, a, plain, b, egp) < 0);
	/* d) MED, same neighbor AS */
	assert_true(locrib_compare(&f->ps, a, med5, b, plain) > 0);
	/* h) equal up to the peer address: the lower one */
	assert_true(locrib_compare(&f->ps, a, plain, b, plain) < 0);
	assert_true(locrib_compare(&f->ps, b, plain, a, plain) > 0);
}

/* ---- statistics ------------------------------------------------------------------ */

/* The value of statistics TLV type (and afi for per-AFI ones), or -1. */
static int64_t stat(const uint8_t *m, size_t len, uint16_t type, uint16_t afi)
{
	uint32_t n = get_u32(m + 48), o = 52;

	for (uint32_t i = 0; i < n && o + 4 <= len; i++) {
		uint16_t t = get_u16(m + o), l = get_u16(m + o + 2);

		if (t == type && l == 4)
			return get_u32(m + o + 4);
		if (t == type && l == 8)
			return (int64_t)((uint64_t)get_u32(m + o + 4) << 32 | get_u32(m + o + 8));
		if (t == type && l == 11 && get_u16(m + o + 4) == afi)
			return (int64_t)((uint64_t)get_u32(m + o + 7) << 32 | get_u32(m + o + 11));
		o += 4u + l;
	}
	return -1;
}

static void test_stats(void **state)
{
	struct fx *f = *state;
	size_t len = 0;

	add_filter(f, "prefix 10.1.0.0/16 le 32");
	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	struct collector *c = coll(f, BMPTAP_POLICY_PRE | BMPTAP_POLICY_ADJ_OUT, false);
	take(f, c);
	UPD(&f->ps, &f->rb, A_OK, "18 0a0000");
	UPD(&f->ps, &f->rb, A_OK, "18 0a0000");		/* 1, 13 */
	UPD(&f->ps, &f->rb, A_OK, "18 0a0100");		/* 0 */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "18 0a0200", "", "", TS0);	/* 2, 13 */
	UPD(&f->ps, &f->rb, ORIGIN_IGP "40 02 0a 02 02 0000fde9 0000fdea" NH4, "18 0a0300"); /* 4 */
	UPD(&f->ps, &f->rb, A_OK "80 09 04 0a000102", "18 0a0400");		/* 5 */
	UPD(&f->ps, &f->rb, A_OK "80 0a 04 0a000102", "18 0a0600");		/* 3 */
	UPD(&f->ps, &f->rb, ORIGIN_IGP "40 02 0c 03 01 0000fdea 02 01 0000fde9" NH4,
	    "18 0a0700");						/* 6 */
	UPD(&f->ps, &f->rb, "40 01 01 05 " ASPATH4 NH4, "18 0a0800 18 0a0801");	/* 11, 12 */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, "",
		    ORIGIN_IGP "40 02 06 02 01 0000fdea 40 03 04 0a000102", "18 0a0500 18 0a0501",
		    TS0);
	take(f, c);
	collector_stats(c);
	take(f, c);
	const uint8_t *m = msg_at(f, 0, &len);
	assert_int_equal(m[5], BMP_STATISTICS);
	assert_int_equal(get_u32(m + 48), 26);
	assert_int_equal(stat(m, len, 0, 0), 1);
	assert_int_equal(stat(m, len, 1, 0), 1);
	assert_int_equal(stat(m, len, 2, 0), 1);
	assert_int_equal(stat(m, len, 3, 0), 1);
	assert_int_equal(stat(m, len, 4, 0), 1);
	assert_int_equal(stat(m, len, 5, 0), 1);
	assert_int_equal(stat(m, len, 6, 0), 1);
	assert_int_equal(stat(m, len, 7, 0), 6);
	assert_int_equal(stat(m, len, 9, 1), 6);
	assert_int_equal(stat(m, len, 9, 2), 0);
	assert_int_equal(stat(m, len, 11, 0), 1);
	assert_int_equal(stat(m, len, 12, 0), 2);
	assert_int_equal(stat(m, len, 13, 0), 2);
	assert_int_equal(stat(m, len, 14, 0), -1);	/* pre-policy Adj-RIB-Out: unseen */
	assert_int_equal(stat(m, len, 15, 0), 2);
	assert_int_equal(stat(m, len, 17, 1), 2);
	assert_int_equal(stat(m, len, 18, 0), 6);
	assert_int_equal(stat(m, len, 20, 0), 1);	/* only 10.0.0.0/24 passes */
	assert_int_equal(stat(m, len, 21, 1), 1);
	/* RFC 9972: 10.1.0.0/24 filtered; the four looped routes are neither. */
	assert_int_equal(stat(m, len, 22, 1), 1);
	assert_int_equal(stat(m, len, 22, 2), 0);
	assert_int_equal(stat(m, len, 23, 1), 1);
	assert_int_equal(stat(m, len, 23, 2), 0);
	/* Exact encoding of the first TLVs: counters 32-bit, gauges 64-bit. */
	assert_hex(m + 52, 8 * 7 + 12 + 15, "0000 0004 00000001 0001 0004 00000001 0002 0004 00000001 "
		   "0003 0004 00000001 0004 0004 00000001 0005 0004 00000001 0006 0004 00000001 "
		   "0007 0008 0000000000000006 0009 000b 0001 01 0000000000000006");
	/* The Loc-RIB instance reports nothing: not with this policy. */
	assert_null(msg_at(f, 1, &len));
}

/* ---- mirroring ----------------------------------------------------------------- */

static void test_mirroring(void **state)
{
	struct fx *f = *state;
	size_t len = 0;
	uint8_t bad[64];
	struct {
		struct bmptap_gap g;
		uint8_t junk[3];
	} __attribute__((packed)) gap = { { .bytes = 3, .reason = BMPTAP_GAP_RESYNC },
					  { 0xde, 0xad, 0x00 } };

	flow_start4(&f->ps, &f->rb, 1, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AS4, TS0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS4, TS0 + 1000);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0 + 1000);
	struct collector *c = coll(f, 0, true);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0 + 2000);
	take(f, c);
	/* Initiation, Peer Up, the OPEN (its own time), the KEEPALIVE. */
	const uint8_t *m = msg_at(f, 2, &len);
	assert_int_equal(m[5], BMP_ROUTE_MIRRORING);
	assert_int_equal(get_u32(m + 44), 123457);	/* usec of TS0 + 1000 ns */
	assert_int_equal(get_u16(m + 48), BMP_MIRROR_BGP_MSG);
	assert_int_equal(m[48 + 4 + 18], BGP_OPEN);
	m = msg_at(f, 3, &len);
	assert_hex(m, len, "03 00000047 06 00 00 0000000000000000 000000000000000000000000 0a000101 "
		   "0000fde9 0a000101 6553f100 0001e242 0000 0013" MARKER "0013 04");
	/* An UPDATE a speaker would reset the session for: Errored PDU. */
	size_t n = mk_msg_hex(bad, BGP_UPDATE, "00ff 0000");
	feed_rec(&f->ps, mkrec(&f->rb, BMPTAP_REC_MSG, 1, BMPTAP_DIR_RX, 0, bad, n, TS0));
	take(f, c);
	m = msg_at(f, 0, &len);
	assert_hex(m, len, "03 00000051 06" PH("00") "0001 0002 0000 0000 0017" MARKER
		   "0017 02 00ff 0000");
	/* Bytes the module could not frame (RESYNC gap): Errored PDU too,
	 * after the "messages lost" the gap means for the RIB. */
	feed_rec(&f->ps, mkrec(&f->rb, BMPTAP_REC_GAP, 1, BMPTAP_DIR_RX, 0, &gap, sizeof(gap), TS0));
	take(f, c);
	m = msg_at(f, 0, &len);
	assert_hex(m, len, "03 00000036 06" PH("00") "0001 0002 0001");
	m = msg_at(f, 1, &len);
	assert_hex(m, len, "03 0000003d 06" PH("00") "0001 0002 0000 0000 0003 dead00");
	assert_int_equal(peers_find(&f->ps, 1)->cnt.errored, 2);
	/* Treat-as-withdraw (bad ORIGIN): Errored PDU (RFC 7854 4.6), and
	 * Route Monitoring carries the withdrawal, not the bad UPDATE. */
	struct collector *pre = coll(f, BMPTAP_POLICY_PRE, false);

	UPD(&f->ps, &f->rb, A_OK, "18 0a0000");
	take(f, c);
	take(f, pre);
	UPD(&f->ps, &f->rb, "40 01 01 07 " ASPATH4 NH4, "18 0a0000");
	take(f, c);
	m = msg_at(f, 0, &len);
	assert_int_equal(m[5], BMP_ROUTE_MIRRORING);
	assert_int_equal(get_u16(m + 48), 1);		/* Information TLV */
	assert_int_equal(get_u16(m + 52), 0);		/* Errored PDU */
	assert_null(msg_at(f, 1, &len));
	take(f, pre);
	m = msg_at(f, 0, &len);
	assert_int_equal(m[5], BMP_ROUTE_MONITORING);
	assert_hex(m + 48, len - 48, MARKER "001b 02 0004 180a0000 0000");
	assert_null(msg_at(f, 1, &len));
	assert_int_equal(peers_find(&f->ps, 1)->cnt.errored, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_parse),
		cmocka_unit_test(test_filter_valid),
		cmocka_unit_test(test_cli_filter),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test_setup_teardown(test_post_policy_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pre_and_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adj_rib_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locrib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locrib_extended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mirroring, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
