// SPDX-License-Identifier: GPL-2.0
/* The Loc-RIB decision process: see locrib.h. */
#include "locrib.h"

#include "array.h"
#include "kroute.h"
#include "loop.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static uint32_t attr_u32(const struct attr_set *s, uint8_t type, uint32_t dflt)
{
	struct bgp_attr a;

	return attr_find(s, type, &a) && a.len == 4 ? get_u32(a.val) : dflt;
}

static uint32_t origin(const struct attr_set *s)
{
	struct bgp_attr a;

	return attr_find(s, BGP_ATTR_ORIGIN, &a) && a.len == 1 ? a.val[0] : 2;
}

/* Path length and the neighbor AS (first AS of the first AS_SEQUENCE). */
static unsigned path_len(const struct attr_set *s, uint32_t *neighbor)
{
	struct bgp_attr a;
	unsigned n = 0;

	*neighbor = 0;
	if (!attr_find(s, BGP_ATTR_AS_PATH, &a))
		return 0;
	for (uint32_t o = 0; o + 2 <= a.len; o += 2 + a.val[o + 1] * 4u) {
		uint8_t type = a.val[o], cnt = a.val[o + 1];

		if (type == BGP_AS_SEQUENCE) {
			if (!*neighbor && cnt && o + 6 <= a.len)
				*neighbor = get_u32(a.val + o + 2);
			n += cnt;
		} else if (type == BGP_AS_SET) {
			n++;
		}
	}
	return n;
}

static int cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Steps a) to d), which only depend on the attributes and the peers' AS. */
static int compare_attrs(const struct peer *pa, const struct attr_set *a,
			 const struct peer *pb, const struct attr_set *b)
{
	uint32_t na, nb;
	int r;

	/* a) LOCAL_PREF: higher wins; an eBGP route has none (100 assumed). */
	if ((r = cmp(attr_u32(b, BGP_ATTR_LOCAL_PREF, 100), attr_u32(a, BGP_ATTR_LOCAL_PREF, 100))))
		return r;
	/* b) AS_PATH length */
	if ((r = cmp(path_len(a, &na), path_len(b, &nb))))
		return r;
	/* c) ORIGIN */
	if ((r = cmp(origin(a), origin(b))))
		return r;
	/* d) MED, only between routes from the same neighbor AS */
	if (!na)
		na = pa->op[BMPTAP_DIR_RX].as;
	if (!nb)
		nb = pb->op[BMPTAP_DIR_RX].as;
	if (na == nb && (r = cmp(attr_u32(a, BGP_ATTR_MED, 0), attr_u32(b, BGP_ATTR_MED, 0))))
		return r;
	return 0;
}

int locrib_compare(const struct peers *ps, const struct peer *pa, const struct attr_set *a,
		   const struct peer *pb, const struct attr_set *b)
{
	struct bgp_attr ca, cb;
	int r;

	(void)ps;
	/* One set (the same path from several peers, the common case) ties
	 * a) to d): both sides read the same values, and MED is compared
	 * only within one neighbor AS. */
	if (a != b && (r = compare_attrs(pa, a, pb, b)))
		return r;
	/* e) eBGP over iBGP */
	bool ia = pa->op[BMPTAP_DIR_RX].as == pa->op[BMPTAP_DIR_TX].as;
	bool ib = pb->op[BMPTAP_DIR_RX].as == pb->op[BMPTAP_DIR_TX].as;
	if (ia != ib)
		return ia ? 1 : -1;
	/* f) lowest BGP ID, the ORIGINATOR_ID standing in (RFC 4456 9) */
	if ((r = cmp(attr_u32(a, BGP_ATTR_ORIGINATOR_ID, pa->op[BMPTAP_DIR_RX].bgp_id),
		     attr_u32(b, BGP_ATTR_ORIGINATOR_ID, pb->op[BMPTAP_DIR_RX].bgp_id))))
		return r;
	/* g) shortest CLUSTER_LIST (RFC 4456 9) */
	if ((r = cmp(attr_find(a, BGP_ATTR_CLUSTER_LIST, &ca) ? ca.len : 0,
		     attr_find(b, BGP_ATTR_CLUSTER_LIST, &cb) ? cb.len : 0)))
		return r;
	/* h) lowest peer address (IPv4 before IPv6) */
	if (pa->info.family != pb->info.family)
		return pa->info.family == AF_INET ? -1 : 1;
	return memcmp(pa->info.remote_addr, pb->info.remote_addr,
		      pa->info.family == AF_INET ? 4 : 16);
}

static void on_lchg(void *ctx, const struct bgp_prefix *pfx, uint32_t old, uint32_t new)
{
	struct peers *ps = ctx;

	(void)old;
	(void)new;
	struct bgp_prefix *v = array_grow(ps->lchg, &ps->cap_lchg, ps->n_lchg, sizeof(*v), 1024);

	if (!v) {
		ps->chg_nomem = true;
		return;
	}
	ps->lchg = v;
	ps->lchg[ps->n_lchg++] = *pfx;
}

bool locrib_kernel(const struct peers *ps)
{
	return ps->kroutes && (ps->locrib_src == LOCRIB_SRC_KERNEL ||
			       (ps->locrib_src == LOCRIB_SRC_AUTO && ps->kroutes->seen));
}

const char *locrib_source_name(const struct peers *ps)
{
	return locrib_kernel(ps) ? "kernel routes" : "decision process";
}

/* Whether route s of peer q can be what the kernel route via gw came from. */
static bool via(const struct peer *q, const struct attr_set *s, int fam, const uint8_t *gw)
{
	size_t alen = fam == BGP_FAM_IPV4 ? 4 : 16;

	if (s->fam == fam && s->nh_len >= alen && !memcmp(s->nh, gw, alen))
		return true;
	/* IPv6: the link-local next hop, which FRR installs. */
	if (s->fam == fam && s->nh_len == 32 && !memcmp(s->nh + 16, gw, 16))
		return true;
	return q->have_info && q->info.family == (fam == BGP_FAM_IPV4 ? AF_INET : AF_INET6) &&
	       !memcmp(q->info.remote_addr, gw, alen);
}

void locrib_recompute(struct peers *ps, const struct bgp_prefix *pfx, const struct peer *hint)
{
	struct peer *lr = ps->locrib;
	const struct peer *best_p = NULL;
	const struct attr_set *best = NULL;
	uint32_t best_id = 0;
	bool best_ok = false, kernel = locrib_kernel(ps);
	struct kr_route *kr = NULL;
	struct bgp_prefix key = *pfx;

	if (!lr)
		return;
	key.path_id = 0;
	if (kernel)
		kr = kroute_lookup(ps->kroutes, &key);
	for (const struct peer *q = ps->head; q && (!kernel || kr); q = q->next) {
		/* The one Loc-RIB instance is the default VRF's. */
		if (q->state != PEER_ESTABLISHED || q->info.l3_ifindex)
			continue;
		const struct bgp_prefix *k = q == hint ? pfx : &key;
		uint32_t id = rib_lookup(&q->rib, k);
		const struct attr_set *s = attr_get(&ps->attrs, id);
		bool ok;

		if (!s)
			continue;
		ok = peer_verdict(ps, q, k, id) == POL_ACCEPT;
		if (kernel) {
			unsigned g = 0;

			while (g < kr->n_gw && !via(q, s, pfx->fam, kr->gw[g]))
				g++;
			if (g == kr->n_gw)
				continue;
			/* The daemon installed it: our verdict only ranks. */
			if (best && best_ok != ok) {
				if (!ok)
					continue;
			} else if (best && locrib_compare(ps, q, s, best_p, best) >= 0) {
				continue;
			}
		} else if (!ok || (best && locrib_compare(ps, q, s, best_p, best) >= 0)) {
			continue;
		}
		best = s;
		best_p = q;
		best_id = id;
		best_ok = ok;
	}
	if (kr)
		kroute_set_joined(ps->kroutes, kr, best_id != 0);
	if (best_id) {
		if (rib_announce(&lr->rib, &key, best_id, on_lchg, ps))
			ps->chg_nomem = true;
	} else {
		rib_withdraw(&lr->rib, &key, on_lchg, ps);
	}
}

void locrib_reserve(struct peers *ps)
{
	for (int f = 0; ps->locrib && f < BGP_FAM_MAX; f++) {
		uint32_t n = 0;

		for (const struct peer *q = ps->head; q; q = q->next)
			if (q->state == PEER_ESTABLISHED && !q->info.l3_ifindex &&
			    rib_count(&q->rib, f) > n)
				n = rib_count(&q->rib, f);
		/* Short of memory, the entries grow it one by one. */
		rib_reserve(&ps->locrib->rib, f, n);
	}
}

void locrib_prefetch(const struct peers *ps, const struct bgp_prefix *pfx)
{
	struct bgp_prefix key = *pfx;

	if (!ps->locrib)
		return;
	key.path_id = 0;
	rib_prefetch(&ps->locrib->rib, &key);
}

size_t locrib_open(uint8_t *out, size_t max, uint32_t as, uint32_t bgp_id)
{
	/* Capabilities: MP IPv4 and IPv6 unicast, 4-octet AS, extended
	 * messages (RFC 8654: a route from an extended-message session, or
	 * one whose 2-octet AS_PATH doubles in 4-octet form, can need more
	 * than 4096 octets): what the Loc-RIB's UPDATEs are encoded with. */
	static const uint8_t caps_tmpl[] = {
		2, 6, 1, 4, 0, 1, 0, 1,
		2, 6, 1, 4, 0, 2, 0, 1,
		2, 6, 65, 4, 0, 0, 0, 0,
		2, 2, 6, 0,
	};
	size_t len = 29 + sizeof(caps_tmpl);
	uint8_t *c;

	if (max < len)
		return 0;
	memset(out, 0xff, 16);
	put_u16(out + 16, (uint16_t)len);
	out[18] = BGP_OPEN;
	out[19] = 4;
	put_u16(out + 20, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
	put_u16(out + 22, 0);		/* hold time: no session */
	put_u32(out + 24, bgp_id);
	out[28] = (uint8_t)sizeof(caps_tmpl);
	c = out + 29;
	memcpy(c, caps_tmpl, sizeof(caps_tmpl));
	put_u32(c + 20, as);
	return len;
}

void locrib_flush(struct peers *ps, uint64_t ts)
{
	if ((ps->n_lchg || ps->n_flchg) && ps->locrib && ps->sink.update_out)
		ps->sink.update_out(ps->sink.ctx, ps->locrib, NULL, 0, ts, ps->lchg, ps->n_lchg, -1);
	ps->n_lchg = 0;
	ps->n_flchg = 0;
	buf_reset(&ps->flchg);
}

void locrib_start(struct peers *ps, const struct peer *first, uint64_t ts_ns)
{
	struct peer *lr = calloc(1, sizeof(*lr));
	uint8_t open[64];
	size_t len;

	if (!lr)
		return;
	lr->locrib = true;
	lr->notif_dir = -1;
	rib_init(&lr->rib, &ps->attrs);
	rib_init(&lr->rib_out, &ps->attrs);
	/* The other families' (famloc.h), charged to no budget. */
	famrib_init(&lr->fr, &ps->attrs, NULL);
	famrib_init(&lr->fr_out, &ps->attrs, NULL);
	lr->op[BMPTAP_DIR_TX] = first->op[BMPTAP_DIR_TX];
	lr->op[BMPTAP_DIR_RX] = first->op[BMPTAP_DIR_TX];
	len = locrib_open(open, sizeof(open), first->op[BMPTAP_DIR_TX].as,
			  first->op[BMPTAP_DIR_TX].bgp_id);
	for (int d = 0; d < 2; d++) {
		lr->open[d] = malloc(len);
		if (lr->open[d]) {
			memcpy(lr->open[d], open, len);
			lr->open_len[d] = len;
			lr->open_ok[d] = true;
		}
	}
	/* Routes are encoded from the Loc-RIB: 4-octet ASes, no path ids,
	 * extended messages (its OPEN says so, locrib_open()). */
	lr->sess.rx.as4 = lr->sess.tx.as4 = true;
	lr->sess.rx.ext_msg = lr->sess.tx.ext_msg = true;
	for (int f = 0; f < BGP_FAM_MAX; f++)
		lr->sess.af[f] = true;
	lr->have_info = true;
	lr->state = PEER_ESTABLISHED;
	lr->up_ts_ns = ts_ns;
	lr->up_mono_ms = loop_now_ms();
	/* No sink.up of its own: the collectors add it with the first peer's. */
	ps->locrib = lr;
}
