// SPDX-License-Identifier: GPL-2.0
/* The checkpoint's writer: the peers' state as a file image (checkpoint.h). */
#include "checkpoint.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_format.h"
#include "peer.h"
#include "refresh.h"

#define WALK_N		256	/* routes taken from a RIB per walk step */


struct enc {
	struct buf *b;
	const struct attr_table *attrs;
	uint32_t *idx;			/* attribute set id -> index + 1 in the file */
	uint32_t n_attrs;
};

static void put_bytes32(struct buf *b, const uint8_t *p, size_t n)
{
	buf_u32(b, (uint32_t)n);
	buf_put(b, p, n);
}

/* Numbers the attribute sets the routes use, in order of first use. */
static void number_attr(void *ctx, uint32_t id)
{
	struct enc *e = ctx;

	if (!e->idx[id])
		e->idx[id] = ++e->n_attrs;
}

static uint32_t attr_index(void *ctx, uint32_t id)
{
	return ((struct enc *)ctx)->idx[id] - 1;
}

static void number_attrs(struct enc *e, const struct rib *r)
{
	struct bgp_prefix pfx[WALK_N];
	uint32_t ids[WALK_N];

	for (int f = 0; f < BGP_FAM_MAX; f++) {
		uint32_t pos = 0;
		size_t n;

		while ((n = rib_walk_slots(r, f, &pos, pfx, ids, WALK_N)))
			for (size_t i = 0; i < n; i++)
				number_attr(e, ids[i]);
	}
}

static void put_attrs(struct enc *e)
{
	uint32_t *order = calloc(e->n_attrs + 1, sizeof(*order));

	if (!order) {
		e->b->oom = true;
		return;
	}
	for (uint32_t id = 1; id < e->attrs->n_ids; id++)
		if (e->idx[id])
			order[e->idx[id]] = id;
	for (uint32_t i = 1; i <= e->n_attrs; i++) {
		const struct attr_set *s = attr_get(e->attrs, order[i]);

		buf_u8(e->b, s->fam);
		buf_u8(e->b, s->nh_len);
		buf_put(e->b, s->nh, s->nh_len);
		put_bytes32(e->b, s->data, s->len);
	}
	free(order);
}

static void put_codec(struct buf *b, const struct bgp_codec *c)
{
	buf_u8(b, c->as4);
	buf_u8(b, c->ext_msg);
	for (int f = 0; f < BGP_FAM_MAX; f++)
		buf_u8(b, c->addpath[f]);
}

static void put_rib(struct enc *e, const struct rib *r)
{
	struct bgp_prefix pfx[WALK_N];
	uint32_t ids[WALK_N];

	buf_u64(e->b, r->dup_announce);
	buf_u64(e->b, r->dup_withdraw);
	buf_u64(e->b, r->refused);
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		uint32_t pos = 0;
		size_t n;

		buf_u8(e->b, r->disabled[f]);
		buf_u8(e->b, r->refreshing[f]);
		buf_u32(e->b, rib_count(r, f));
		while ((n = rib_walk_slots(r, f, &pos, pfx, ids, WALK_N)))
			for (size_t i = 0; i < n; i++) {
				buf_u8(e->b, pfx[i].len);
				buf_u8(e->b, rib_is_stale(r, &pfx[i]));
				buf_u32(e->b, pfx[i].path_id);
				buf_put(e->b, pfx[i].addr, (pfx[i].len + 7u) / 8);
				buf_u32(e->b, e->idx[ids[i]] - 1);
			}
	}
}

static void put_peer(struct enc *e, const struct peer *p)
{
	struct buf *b = e->b;
	const uint64_t *cnt = (const uint64_t *)&p->cnt;

	buf_u64(b, p->flow_id);
	buf_u8(b, (uint8_t)p->state);
	buf_u8(b, (uint8_t)((p->have_info ? F_HAVE_INFO : 0) | (p->keepalive[0] ? F_KA_RX : 0) |
			    (p->keepalive[1] ? F_KA_TX : 0) | (p->from_dump ? F_FROM_DUMP : 0) |
			    (p->seen_start ? F_SEEN_START : 0) | (p->incomplete ? F_INCOMPLETE : 0) |
			    (p->rib_short ? F_RIB_SHORT : 0) | (p->ended ? F_ENDED : 0)));
	buf_u8(b, (uint8_t)((p->ms ? F2_MIDSTREAM : 0) |
			    (p->sess.enhanced_refresh ? F2_ENHANCED_RR : 0)));
	buf_u8(b, (uint8_t)(p->notif_dir + 1));
	buf_u8(b, p->down_reason);
	buf_u8(b, p->refreshed);
	buf_u8(b, p->refresh_plain[0]);
	buf_u8(b, p->refresh_plain[1]);
	buf_u64(b, p->up_ts_ns);
	buf_u64(b, p->down_ts_ns);
	buf_u64(b, p->open_rx_ts);
	put_bytes32(b, (const uint8_t *)&p->info, sizeof(p->info));
	for (int d = 0; d < 2; d++)
		put_bytes32(b, p->open[d], p->open[d] ? p->open_len[d] : 0);
	put_bytes32(b, p->notif, p->notif ? p->notif_len : 0);
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		buf_u8(b, p->sess.af[f]);
		buf_u8(b, p->sess.ambiguous[f]);
	}
	put_codec(b, &p->sess.rx);
	put_codec(b, &p->sess.tx);
	buf_u32(b, (uint32_t)N_COUNTERS);
	for (size_t i = 0; i < N_COUNTERS; i++)
		buf_u64(b, cnt[i]);
	put_rib(e, &p->rib);
	put_rib(e, &p->rib_out);
	for (int d = 0; d < 2; d++) {
		size_t at = buf_mark(b, 4);

		famrib_ckpt_save(d ? &p->fr_out : &p->fr, d ? p->fr_out_addpath : p->fr_addpath, b,
				 attr_index, e);
		buf_patch_len(b, at, 4);
	}
}

int ckpt_encode(const struct peers *ps, uint64_t epoch, uint64_t seq, struct buf *b)
{
	struct enc e = { .b = b, .attrs = &ps->attrs };
	int rc = -ENOMEM;

	buf_reset(b);
	e.idx = calloc(ps->attrs.n_ids + 1, sizeof(*e.idx));
	if (!e.idx)
		return -ENOMEM;
	for (const struct peer *p = ps->head; p; p = p->next) {
		number_attrs(&e, &p->rib);
		number_attrs(&e, &p->rib_out);
		famrib_ckpt_attrs(&p->fr, number_attr, &e);
		famrib_ckpt_attrs(&p->fr_out, number_attr, &e);
	}
	buf_put(b, CKPT_MAGIC, 8);
	buf_u32(b, CKPT_VERSION);
	buf_u64(b, epoch);
	buf_u64(b, seq);
	buf_u32(b, e.n_attrs);
	buf_u32(b, ps->count);
	buf_u64(b, ps->attrs.seed);
	put_attrs(&e);
	for (const struct peer *p = ps->head; p; p = p->next)
		put_peer(&e, p);
	if (!b->oom) {
		size_t len = b->len;

		buf_u32(b, ckpt_crc32c(0, b->data, len));
		buf_u64(b, len);
		rc = b->oom ? -ENOMEM : 0;
	}
	free(e.idx);
	return rc;
}
