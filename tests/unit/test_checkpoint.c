/* Checkpoints (checkpoint.h): a peer set comes back exactly, RIBs in both
 * directions, ADD-PATH and a refresh in progress included; any damaged,
 * truncated, foreign or other-epoch file loads nothing. */
#include "peer_testutil.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "ckptctl.h"
#include "refresh.h"

/* IPv4 and IPv6, enhanced route refresh (test_refresh.c). */
#define OPEN_RX_ERR "04 fde9 00b4 0a000101 18 02 16 0104 00010001 0104 00020001 4104 0000fde9 0200 4600"
#define OPEN_TX_ERR "04 fdea 00b4 0a000102 18 02 16 0104 00010001 0104 00020001 4104 0000fdea 0200 4600"
/* ADD-PATH both ways for IPv4 (test_peer.c). */
#define OPEN_TX_AP3 "04 fdea 00b4 0a000102 14 02 12 0104 00010001 4104 0000fdea 4504 00010103"
#define OPEN_RX_AP3 "04 fde9 00b4 0a000101 14 02 12 0104 00010001 4104 0000fde9 4504 00010103"
#define EPOCH 0x1234567890abcdefull
#define SEQ 4242

struct fx {
	struct peers a, b;
	struct recb rb;
	struct buf img;
};

static void up(struct fx *f, uint32_t flow, const char *remote, const char *tx_open,
	       const char *rx_open)
{
	flow_start4(&f->a, &f->rb, flow, "10.0.1.2", remote, 0);
	send_msg(&f->a, &f->rb, flow, BMPTAP_DIR_TX, BGP_OPEN, tx_open, TS0);
	send_msg(&f->a, &f->rb, flow, BMPTAP_DIR_RX, BGP_OPEN, rx_open, TS0);
	send_msg(&f->a, &f->rb, flow, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	send_msg(&f->a, &f->rb, flow, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
	assert_int_equal(peers_find(&f->a, flow)->state, PEER_ESTABLISHED);
}

#define ATTRS ORIGIN_IGP ASPATH4 NH4
#define ATTRS_MED ORIGIN_IGP ASPATH4 NH4 "80 04 04 00000064 "

/*
 * Flow 7: enhanced refresh, routes both ways, an IPv4 refresh under way
 * that re-sent one of three routes.  Flow 8: ADD-PATH, two paths of one
 * prefix, a gap (incomplete).  Flow 9: pending, only its start seen.
 */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bmptap_gap g = { .bytes = 10, .reason = BMPTAP_GAP_MISSING };

	assert_int_equal(peers_init(&f->a, NULL, NULL), 0);
	assert_int_equal(peers_init(&f->b, NULL, NULL), 0);
	buf_init(&f->img);
	up(f, 7, "10.0.1.1", OPEN_TX_ERR, OPEN_RX_ERR);
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_RX, "", ATTRS, "10 0a01 10 0a02", TS0);
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_RX, "", ATTRS_MED, "10 0a03", TS0);
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_TX, "", ATTRS, "10 0a09", TS0);
	send_msg(&f->a, &f->rb, 7, BMPTAP_DIR_RX, BGP_ROUTE_REFRESH, "0001 01 01", TS0);
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_RX, "", ATTRS, "10 0a01", TS0);
	/* The other families (famrib.h): VPNv4 and EVPN routes, a live-only
	 * family, VPN-IPv6 disabled by a malformed route. */
	/* As capability 8 would set it: the two-label route splits by it. */
	peers_find(&f->a, 7)->fr.max_labels[nlri_family_index(nlri_family_find(1, 128))] = 2;
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4
		    "90 0e 0032 0001 80 0c 0000000000000000 0a000101 00"
		    " 70 000641 0000fde800000064 0a0101 88 000640 000c81 0000fde800000064 0a0102", "",
		    TS0);
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4
		    "90 0e 001c 0019 46 04 0a000101 00 03 11 0000fde800000064 00000000 20 0a000101",
		    "", TS0);
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4
		    "90 0e 000d 0001 03 04 0a000101 00 18 0a0101", "", TS0);
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_RX, "", "90 0f 0004 0002 80 ff", "", TS0);
	assert_int_equal(famrib_total(&peers_find(&f->a, 7)->fr), 3);
	/* And an EVPN route the local speaker sent (its Adj-RIB-Out). */
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_TX, "", ORIGIN_IGP ASPATH4
		    "90 0e 001c 0019 46 04 0a000102 00 03 11 0000fde800000064 00000000 20 0a000102",
		    "", TS0);
	assert_int_equal(famrib_total(&peers_find(&f->a, 7)->fr_out), 1);
	up(f, 8, "10.0.1.3", OPEN_TX_AP3, OPEN_RX_AP3);
	send_update(&f->a, &f->rb, 8, BMPTAP_DIR_RX, "", ATTRS,
		    "00000001 18 0a0101 00000002 18 0a0101", TS0);
	send_update(&f->a, &f->rb, 8, BMPTAP_DIR_TX, "", ATTRS_MED, "00000005 18 0a0909", TS0);
	feed_rec(&f->a, mkrec(&f->rb, BMPTAP_REC_GAP, 8, BMPTAP_DIR_RX, 0, &g, sizeof(g), TS0));
	flow_start4(&f->a, &f->rb, 9, "10.0.1.2", "10.0.1.4", 0);
	assert_int_equal(ckpt_encode(&f->a, EPOCH, SEQ, &f->img), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	peers_free(&f->a);
	peers_free(&f->b);
	buf_free(&f->img);
	free(f);
	return 0;
}

/* The routes of a and b: the same prefixes, sets and stale marks. */
static void same_routes(const struct peers *pa, const struct rib *a, const struct peers *pb,
			const struct rib *b)
{
	struct bgp_prefix pfx[64];
	uint32_t ids[64];

	for (int fam = 0; fam < BGP_FAM_MAX; fam++) {
		uint32_t pos = 0;
		size_t n;

		assert_int_equal(rib_count(a, fam), rib_count(b, fam));
		assert_int_equal(a->refreshing[fam], b->refreshing[fam]);
		assert_int_equal(a->disabled[fam], b->disabled[fam]);
		while ((n = rib_walk_slots(a, fam, &pos, pfx, ids, 64)))
			for (size_t i = 0; i < n; i++) {
				const struct attr_set *sa = attr_get(&pa->attrs, ids[i]);
				const struct attr_set *sb = attr_get(&pb->attrs, rib_lookup(b, &pfx[i]));

				assert_non_null(sb);
				assert_int_equal(sa->len, sb->len);
				assert_memory_equal(sa->data, sb->data, sa->len);
				assert_int_equal(sa->nh_len, sb->nh_len);
				assert_memory_equal(sa->nh, sb->nh, sa->nh_len);
				assert_int_equal(rib_is_stale(a, &pfx[i]), rib_is_stale(b, &pfx[i]));
			}
	}
}

static void same_rib(const struct peers *pa, const struct rib *a, const struct peers *pb,
		     const struct rib *b)
{
	same_routes(pa, a, pb, b);
	assert_int_equal(a->dup_announce, b->dup_announce);
	assert_int_equal(a->dup_withdraw, b->dup_withdraw);
}

static void same_famrib(const struct peers *pa, const struct famrib *a, const struct peers *pb,
			const struct famrib *b)
{
	assert_memory_equal(a->count, b->count, sizeof(a->count));
	assert_memory_equal(a->disabled, b->disabled, sizeof(a->disabled));
	assert_memory_equal(a->max_labels, b->max_labels, sizeof(a->max_labels));
	assert_int_equal(a->seen, b->seen);
	assert_int_equal(a->dup_announce, b->dup_announce);
	assert_int_equal(a->n_live_only, b->n_live_only);
	assert_memory_equal(a->live_only, b->live_only, sizeof(a->live_only));
	for (unsigned fam = 0; fam < NLRI_FAMILIES; fam++) {
		struct famrib_entry e[16], cur;
		uint32_t n, pos = 0;
		struct fr_route **o = famrib_order(a, fam, &n);
		size_t k = famrib_walk(o, n, &pos, e, 16);

		for (size_t i = 0; i < k; i++) {
			assert_true(famrib_lookup(b, &e[i], &cur));
			assert_int_equal(cur.nlri.len, e[i].nlri.len);
			assert_memory_equal(cur.nlri.p, e[i].nlri.p, cur.nlri.len);
			const struct attr_set *sa = attr_get(&pa->attrs, e[i].attr);
			const struct attr_set *sb = attr_get(&pb->attrs, cur.attr);

			assert_int_equal(sb->fam, ATTR_FAM_MP);
			assert_int_equal(sa->len, sb->len);
			assert_memory_equal(sa->data, sb->data, sa->len);
		}
		free(o);
	}
}

static void same_peer(const struct peers *pa, const struct peer *a, const struct peers *pb,
		      const struct peer *b)
{
	assert_non_null(b);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->have_info, b->have_info);
	assert_memory_equal(&a->info, &b->info, sizeof(a->info));
	assert_int_equal(a->incomplete, b->incomplete);
	assert_int_equal(a->seen_start, b->seen_start);
	assert_int_equal(a->refreshed, b->refreshed);
	assert_memory_equal(a->refresh_plain, b->refresh_plain, sizeof(a->refresh_plain));
	assert_int_equal(a->up_ts_ns, b->up_ts_ns);
	for (int d = 0; d < 2; d++) {
		assert_int_equal(a->open_len[d], b->open_len[d]);
		if (a->open[d])
			assert_memory_equal(a->open[d], b->open[d], a->open_len[d]);
		assert_int_equal(a->open_ok[d], b->open_ok[d]);
		assert_memory_equal(&a->op[d], &b->op[d], sizeof(a->op[d]));
	}
	assert_memory_equal(&a->sess, &b->sess, sizeof(a->sess));
	assert_memory_equal(&a->cnt, &b->cnt, sizeof(a->cnt));
	assert_memory_equal(a->post_count, b->post_count, sizeof(a->post_count));
	same_rib(pa, &a->rib, pb, &b->rib);
	same_rib(pa, &a->rib_out, pb, &b->rib_out);
	same_famrib(pa, &a->fr, pb, &b->fr);
	assert_int_equal(a->fr_addpath, b->fr_addpath);
	same_famrib(pa, &a->fr_out, pb, &b->fr_out);
	assert_int_equal(a->fr_out_addpath, b->fr_out_addpath);
}

/* Routes of rib naming each set id, added into uses[]. */
static void count_uses(const struct rib *rib, uint32_t *uses)
{
	struct bgp_prefix pfx[64];
	uint32_t ids[64];

	for (int fam = 0; fam < BGP_FAM_MAX; fam++) {
		uint32_t pos = 0;
		size_t n;

		while ((n = rib_walk_slots(rib, fam, &pos, pfx, ids, 64)))
			for (size_t i = 0; i < n; i++)
				uses[ids[i]]++;
	}
}

static void count_use(void *ctx, uint32_t id)
{
	((uint32_t *)ctx)[id]++;
}

/* Each live set is referenced exactly by the routes naming it (the load
 * defers its references, attr_defer_begin()). */
static void refs_exact(const struct peers *ps)
{
	uint32_t *uses = calloc(ps->attrs.n_ids + 1, sizeof(*uses));

	for (const struct peer *p = ps->head; p; p = p->next) {
		count_uses(&p->rib, uses);
		count_uses(&p->rib_out, uses);
		famrib_ckpt_attrs(&p->fr, count_use, uses);
		famrib_ckpt_attrs(&p->fr_out, count_use, uses);
	}
	if (ps->locrib) {
		count_uses(&ps->locrib->rib, uses);
		famrib_ckpt_attrs(&ps->locrib->fr, count_use, uses);
	}
	for (uint32_t id = 1; id < ps->attrs.n_ids; id++) {
		const struct attr_set *s = attr_get(&ps->attrs, id);

		if (s)
			assert_int_equal(s->refcnt, uses[id]);
	}
	assert_null(ps->attrs.defer);
	free(uses);
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	uint64_t seq = 0;
	char why[200] = "";
	struct peer *p7;

	assert_int_equal(ckpt_decode(f->img.data, f->img.len, &f->b, EPOCH, SEQ, &seq, why,
				     sizeof(why)), 0);
	assert_int_equal(seq, SEQ);
	assert_int_equal(f->b.count, 3);
	/* The tables' hash key comes along: the routes reload in slot order. */
	assert_true(f->b.attrs.seed == f->a.attrs.seed);
	for (const struct peer *a = f->a.head; a; a = a->next)
		same_peer(&f->a, a, &f->b, peers_find(&f->b, a->flow_id));
	/* The peers come back in their order; the Loc-RIB is derived again. */
	assert_int_equal(f->b.head->flow_id, 7);
	assert_non_null(f->b.locrib);
	same_routes(&f->a, &f->a.locrib->rib, &f->b, &f->b.locrib->rib);
	/* The other families' too (famloc.h): peer 7's VPNv4 and EVPN routes. */
	assert_int_equal(famrib_total(&f->b.locrib->fr), 3);
	same_famrib(&f->a, &f->a.locrib->fr, &f->b, &f->b.locrib->fr);
	refs_exact(&f->b);
	/* What the checkpoint had to carry, lest the comparison be vacuous. */
	p7 = peers_find(&f->b, 7);
	assert_true(p7->rib.refreshing[BGP_FAM_IPV4]);
	assert_int_equal(rib_count(&p7->rib, BGP_FAM_IPV4), 3);
	assert_int_equal(rib_count(&p7->rib_out, BGP_FAM_IPV4), 1);
	assert_true(peers_find(&f->b, 8)->incomplete);
	assert_true(peers_find(&f->b, 8)->sess.rx.addpath[BGP_FAM_IPV4]);
	assert_int_equal(rib_count(&peers_find(&f->b, 8)->rib, BGP_FAM_IPV4), 2);
	assert_int_equal(peers_find(&f->b, 9)->state, PEER_PENDING);
	/* The refresh goes on where it was: EoRR withdraws the two not re-sent. */
	send_msg(&f->b, &f->rb, 7, BMPTAP_DIR_RX, BGP_ROUTE_REFRESH, "0001 02 01", TS0);
	assert_int_equal(rib_count(&p7->rib, BGP_FAM_IPV4), 1);
	assert_int_equal(p7->cnt.refresh_withdrawn, 2);
	/* A restored set checkpoints again to the same state (the bytes
	 * differ: route order follows the table's random hash seed). */
	struct buf again;
	struct peers c, d;

	buf_init(&again);
	assert_int_equal(peers_init(&c, NULL, NULL), 0);
	assert_int_equal(peers_init(&d, NULL, NULL), 0);
	assert_int_equal(ckpt_decode(f->img.data, f->img.len, &c, EPOCH, 0, &seq, why,
				     sizeof(why)), 0);
	assert_int_equal(ckpt_encode(&c, EPOCH, SEQ, &again), 0);
	assert_int_equal(again.len, f->img.len);
	assert_int_equal(ckpt_decode(again.data, again.len, &d, EPOCH, 0, &seq, why,
				     sizeof(why)), 0);
	for (const struct peer *a = f->a.head; a; a = a->next)
		same_peer(&f->a, a, &d, peers_find(&d, a->flow_id));
	peers_free(&c);
	peers_free(&d);
	buf_free(&again);
}

/* Local AS fdeb (the others' is fdea), IPv4 only. */
#define OPEN_TX_EB "04 fdeb 00b4 0a000105 0e 02 0c 0104 00010001 4104 0000fdeb"
#define OPEN_RX_EB "04 fde9 00b4 0a000101 0e 02 0c 0104 00010001 4104 0000fde9"
/* AS_PATH fde9 fdea: a loop for a local AS fdea, not for fdeb. */
#define ATTRS_LOOP_EA ORIGIN_IGP "40 02 0a 02 02 0000fde9 0000fdea " NH4

/*
 * One set whose verdict depends on the peer's local AS: the load's verdict
 * per set (peer.c, verdicts_begin()) is kept apart for the two local ASes,
 * and the post-policy counts and the Loc-RIB come back as they were.
 */
static void test_verdict_per_local_as(void **state)
{
	struct fx *f = *state;
	struct peers c;
	struct buf img;
	uint64_t seq;
	char why[200] = "";

	up(f, 10, "10.0.1.5", OPEN_TX_EB, OPEN_RX_EB);
	send_update(&f->a, &f->rb, 7, BMPTAP_DIR_RX, "", ATTRS_LOOP_EA, "18 0a0505", TS0);
	send_update(&f->a, &f->rb, 10, BMPTAP_DIR_RX, "", ATTRS_LOOP_EA, "18 0a0505", TS0);
	assert_int_equal(peers_find(&f->a, 10)->post_count[BGP_FAM_IPV4], 1);
	buf_init(&img);
	assert_int_equal(ckpt_encode(&f->a, EPOCH, SEQ, &img), 0);
	assert_int_equal(peers_init(&c, NULL, NULL), 0);
	assert_int_equal(ckpt_decode(img.data, img.len, &c, EPOCH, 0, &seq, why, sizeof(why)), 0);
	for (const struct peer *a = f->a.head; a; a = a->next)
		same_peer(&f->a, a, &c, peers_find(&c, a->flow_id));
	assert_int_equal(peers_find(&c, 10)->post_count[BGP_FAM_IPV4], 1);
	assert_int_equal(peers_find(&c, 7)->post_count[BGP_FAM_IPV4],
			 peers_find(&f->a, 7)->post_count[BGP_FAM_IPV4]);
	same_routes(&f->a, &f->a.locrib->rib, &c, &c.locrib->rib);
	refs_exact(&c);
	peers_free(&c);
	buf_free(&img);
}

/* CRC-32C check value (RFC 3720 B.4), whole and in pieces across the
 * eight-byte strides. */
static void test_crc32c(void **state)
{
	static const char s[] = "123456789";
	uint8_t zeros[32] = { 0 };

	(void)state;
	assert_int_equal(ckpt_crc32c(0, s, 9), 0xe3069283u);
	for (size_t cut = 0; cut <= 9; cut++)
		assert_int_equal(ckpt_crc32c(ckpt_crc32c(0, s, cut), s + cut, 9 - cut), 0xe3069283u);
	assert_int_equal(ckpt_crc32c(0, zeros, 32), 0x8a9136aau);
}

/* Nothing of a refused image may reach the peers. */
static void refused(struct fx *f, const uint8_t *img, size_t len, int want)
{
	uint64_t seq = 0;
	char why[200] = "";

	assert_int_equal(ckpt_decode(img, len, &f->b, EPOCH, 0, &seq, why, sizeof(why)), want);
	assert_true(why[0]);
	assert_int_equal(f->b.count, 0);
	assert_null(f->b.head);
	assert_int_equal(f->b.attrs.count, 0);
	assert_null(f->b.locrib);
}

static void test_every_corrupt_byte_refused(void **state)
{
	struct fx *f = *state;
	uint8_t *img = malloc(f->img.len);

	for (size_t i = 0; i < f->img.len; i++) {
		memcpy(img, f->img.data, f->img.len);
		img[i] ^= 0x20;
		refused(f, img, f->img.len, CKPT_EBAD);
	}
	free(img);
}

static void test_every_truncation_refused(void **state)
{
	struct fx *f = *state;

	for (size_t len = 0; len < f->img.len; len++)
		refused(f, f->img.data, len, CKPT_EBAD);
}

/* A change with the checksum made right again: the other checks hold. */
static void reseal(uint8_t *img, size_t len)
{
	put_u32(img + len - 12, ckpt_crc32c(0, img, len - 12));
}

static void test_magic_version_structure_refused(void **state)
{
	struct fx *f = *state;
	size_t len = f->img.len;
	uint8_t *img = malloc(len);
	char why[200];
	uint64_t seq;

	memcpy(img, f->img.data, len);
	img[0] = 'X';
	reseal(img, len);
	refused(f, img, len, CKPT_EBAD);

	memcpy(img, f->img.data, len);
	put_u32(img + 8, CKPT_VERSION + 1);
	reseal(img, len);
	assert_int_equal(ckpt_decode(img, len, &f->b, EPOCH, 0, &seq, why, sizeof(why)),
			 CKPT_EBAD);
	assert_non_null(strstr(why, "version"));
	assert_int_equal(f->b.count, 0);
	/* Version 1 (no hash key in the header) is refused the same way. */
	put_u32(img + 8, 1);
	reseal(img, len);
	assert_int_equal(ckpt_decode(img, len, &f->b, EPOCH, 0, &seq, why, sizeof(why)),
			 CKPT_EBAD);
	assert_non_null(strstr(why, "format version 1,"));
	assert_int_equal(f->b.count, 0);

	/* One peer more than the file holds: the checking pass sees the end
	 * of the data before anything is created. */
	memcpy(img, f->img.data, len);
	put_u32(img + 32, get_u32(img + 32) + 1);
	reseal(img, len);
	refused(f, img, len, CKPT_EBAD);

	/* The first set's first attribute (after fam, nh_len, a 4-octet next
	 * hop and the u32 length) claims more octets than the set has. */
	memcpy(img, f->img.data, len);
	assert_int_equal(img[45], 4);
	img[44 + 2 + 4 + 4 + 2] = 0xff;
	reseal(img, len);
	refused(f, img, len, CKPT_EBAD);

	/* A route naming an attribute set past the table. */
	memcpy(img, f->img.data, len);
	put_u32(img + 28, 0);
	reseal(img, len);
	refused(f, img, len, CKPT_EBAD);
	free(img);
}

static void test_foreign_file_refused(void **state)
{
	struct fx *f = *state;
	static const char text[] = "[[bmp-servers]]\n  [bmp-servers.config]\n"
				   "    address = \"192.0.2.1\"\n    port = 11019\n";

	refused(f, (const uint8_t *)text, sizeof(text) - 1, CKPT_EBAD);
}

static void test_epoch_and_stale(void **state)
{
	struct fx *f = *state;
	uint64_t seq;
	char why[200] = "";

	assert_int_equal(ckpt_decode(f->img.data, f->img.len, &f->b, EPOCH + 1, 0, &seq, why,
				     sizeof(why)), CKPT_EEPOCH);
	assert_int_equal(f->b.count, 0);
	/* The module freed records past it: a run without checkpoints since. */
	assert_int_equal(ckpt_decode(f->img.data, f->img.len, &f->b, EPOCH, SEQ + 1, &seq, why,
				     sizeof(why)), CKPT_ESTALE);
	assert_int_equal(f->b.count, 0);
	assert_int_equal(f->b.attrs.count, 0);
}

static void test_file_and_control(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/bt-ckpt-XXXXXX", path[64], why[200];
	struct ckpt_ctl c = { 0 };
	size_t bytes = 0;
	uint64_t seq = 0;
	struct bt_rec r = { .kind = BT_RK_RECORD };
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/default.ckpt", dir);
	assert_int_equal(ckpt_read(path, &f->b, EPOCH, 0, &seq, why, sizeof(why)), CKPT_ENOENT);
	assert_int_equal(ckpt_write(path, &f->a, EPOCH, SEQ, &bytes, why, sizeof(why)), 0);
	assert_int_equal(bytes, f->img.len);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, bytes);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* Loaded at start: the records it covers are skipped, then read on;
	 * only what a checkpoint covers is acknowledged. */
	c.path = path;
	c.interval_s = 30;
	ckpt_ctl_start(&c, &f->b, EPOCH, 100, 1 << 20);
	assert_int_equal(c.loaded, 1);
	assert_int_equal(f->b.count, 3);
	r.hdr.seq = SEQ;
	r.hdr.len = 100;
	assert_false(ckpt_ctl_record(&c, &r));
	assert_int_equal(ckpt_ctl_ack_seq(&c, SEQ), SEQ);
	r.hdr.seq = SEQ + 1;
	assert_true(ckpt_ctl_record(&c, &r));
	assert_int_equal(c.unacked_bytes, 104);
	assert_int_equal(ckpt_ctl_ack_seq(&c, SEQ + 1), SEQ);
	assert_false(ckpt_ctl_due(&c));
	c.unacked_bytes = 1 << 19;
	assert_true(ckpt_ctl_due(&c));
	ckpt_ctl_save(&c, &f->b);
	assert_int_equal(c.written, 1);
	assert_int_equal(ckpt_ctl_ack_seq(&c, SEQ + 1), SEQ + 1);
	assert_int_equal(c.unacked_bytes, 0);

	/* A checkpoint that cannot be written: records are acknowledged as
	 * read, lest the module's queue fill; then again as covered. */
	c.path = "/nonexistent-dir/x.ckpt";
	r.hdr.seq = SEQ + 2;
	assert_true(ckpt_ctl_record(&c, &r));
	ckpt_ctl_save(&c, &f->b);
	assert_int_equal(c.failed, 1);
	assert_int_equal(ckpt_ctl_ack_seq(&c, SEQ + 2), SEQ + 2);
	c.path = path;
	ckpt_ctl_save(&c, &f->b);
	assert_int_equal(c.written, 2);
	r.hdr.seq = SEQ + 3;
	assert_true(ckpt_ctl_record(&c, &r));
	assert_int_equal(ckpt_ctl_ack_seq(&c, SEQ + 3), SEQ + 2);

	/* A damaged file is refused and counted; nothing is loaded. */
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "!", 1, 40), 1);
	close(fd);
	struct ckpt_ctl c2 = { .path = path, .interval_s = 30 };
	struct peers e;

	assert_int_equal(peers_init(&e, NULL, NULL), 0);
	ckpt_ctl_start(&c2, &e, EPOCH, 0, 1 << 20);
	assert_int_equal(c2.refused, 1);
	assert_int_equal(c2.loaded, 0);
	assert_int_equal(e.count, 0);
	/* Without a path, every batch is acknowledged as read. */
	struct ckpt_ctl none = { 0 };

	ckpt_ctl_start(&none, &e, EPOCH, 0, 1 << 20);
	assert_int_equal(ckpt_ctl_ack_seq(&none, 77), 77);
	peers_free(&e);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test_setup_teardown(test_verdict_per_local_as, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_corrupt_byte_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_truncation_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_magic_version_structure_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoch_and_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_and_control, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
