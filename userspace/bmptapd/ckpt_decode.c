// SPDX-License-Identifier: GPL-2.0
/* The checkpoint's reader: a file image checked, then loaded into the peers
 * (checkpoint.h). */
#include "checkpoint.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ckpt_format.h"
#include "peer.h"
#include "refresh.h"

#define LOAD_AHEAD	8


struct rd {
	const uint8_t *p, *end;
	bool bad;
};

static const uint8_t *rd_take(struct rd *r, size_t n)
{
	const uint8_t *q = r->p;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return q;
}

static uint64_t rd_uint(struct rd *r, unsigned width)
{
	const uint8_t *q = rd_take(r, width);
	uint64_t v = 0;

	for (unsigned i = 0; q && i < width; i++)
		v = v << 8 | q[i];
	return v;
}

#define rd_u8(r)	((uint8_t)rd_uint(r, 1))
#define rd_u32(r)	((uint32_t)rd_uint(r, 4))
#define rd_u64(r)	rd_uint(r, 8)

/* A u32 length and that many bytes, at most max; NULL (with *n 0) for none. */
static const uint8_t *rd_bytes32(struct rd *r, size_t max, size_t *n)
{
	*n = rd_u32(r);
	if (*n > max)
		r->bad = true;
	if (r->bad) {
		*n = 0;
		return NULL;
	}
	return *n ? rd_take(r, *n) : NULL;
}

struct dec {
	struct rd r;
	struct peers *ps;		/* NULL: the checking pass */
	uint32_t n_attrs;
	const uint8_t **attr_at;	/* each set's bytes in the file */
	uint32_t *ids;			/* index -> interned id (a reference), 0: not yet */
	bool refused;			/* a route of this peer did not fit its budget */
};

/* Attributes framed as attr.c stores them: whole (flags, type, length)
 * headers back to back, so that no encoder reads past a set. */
static bool attrs_framed(const uint8_t *a, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t hl = len - off >= 2 && (a[off] & 0x10) ? 4 : 3, al;

		if (len - off < hl)
			return false;
		al = hl == 4 ? (size_t)a[off + 2] << 8 | a[off + 3] : a[off + 2];
		if (len - off - hl < al)
			return false;
		off += hl + al;
	}
	return true;
}

static void get_attrs(struct dec *d)
{
	for (uint32_t i = 0; i < d->n_attrs && !d->r.bad; i++) {
		uint8_t nh_len;
		size_t len;

		d->attr_at[i] = d->r.p;
		uint8_t fam = rd_u8(&d->r);

		if (fam >= BGP_FAM_MAX && fam != ATTR_FAM_MP)
			d->r.bad = true;
		nh_len = rd_u8(&d->r);
		if (nh_len > 32)
			d->r.bad = true;
		rd_take(&d->r, nh_len);
		const uint8_t *a = rd_bytes32(&d->r, BT_REC_MSG_MAX, &len);

		if (!d->r.bad && !attrs_framed(a, len))
			d->r.bad = true;
	}
}

/* The set of index i in the table, interned on first use and charged to
 * the budget of the peer that uses it first, as a live UPDATE would. */
static uint32_t attr_id(struct dec *d, struct peer *p, uint32_t i)
{
	struct rd r = { d->attr_at[i], d->r.end, false };

	if (!d->ids[i]) {
		uint8_t fam = rd_u8(&r), nh_len = rd_u8(&r);
		const uint8_t *nh = rd_take(&r, nh_len), *data;
		size_t len;

		data = rd_bytes32(&r, BT_REC_MSG_MAX, &len);
		d->ids[i] = attr_intern_budget(&d->ps->attrs, p->mem, fam, nh, nh_len, data,
					       (uint32_t)len);
	}
	return d->ids[i];
}

static void get_codec(struct rd *r, struct bgp_codec *c)
{
	c->as4 = rd_u8(r);
	c->ext_msg = rd_u8(r);
	for (int f = 0; f < BGP_FAM_MAX; f++)
		c->addpath[f] = rd_u8(r);
}

/* One route of fam; false at the end of the input or on a bad field. */
static bool get_route(struct dec *d, int fam, struct bgp_prefix *pfx, bool *stale, uint32_t *idx)
{
	struct rd *r = &d->r;

	memset(pfx, 0, sizeof(*pfx));
	pfx->fam = (uint8_t)fam;
	pfx->len = rd_u8(r);
	*stale = rd_u8(r);
	pfx->path_id = rd_u32(r);
	if (pfx->len > (fam == BGP_FAM_IPV4 ? 32 : 128))
		r->bad = true;
	else {
		const uint8_t *a = rd_take(r, (pfx->len + 7u) / 8);

		if (a)
			memcpy(pfx->addr, a, (pfx->len + 7u) / 8);
		/* Keys compare whole words: bits past the length must be 0. */
		if (pfx->len % 8)
			pfx->addr[pfx->len / 8] &= (uint8_t)(0xff << (8 - pfx->len % 8));
	}
	*idx = rd_u32(r);
	if (*idx >= d->n_attrs)
		r->bad = true;
	return !r->bad;
}

static void route_refused(struct peer *p)
{
	p->rib_short = true;
	peer_mark_incomplete(p);
}

static void get_rib(struct dec *d, struct peer *p, struct rib *rib)
{
	uint64_t dup_a = rd_u64(&d->r), dup_w = rd_u64(&d->r), refused = rd_u64(&d->r);

	for (int f = 0; f < BGP_FAM_MAX && !d->r.bad; f++) {
		bool disabled = rd_u8(&d->r), refreshing = rd_u8(&d->r), stale;
		uint32_t n = rd_u32(&d->r), idx;
		struct rd routes = d->r;
		struct bgp_prefix pfx;

		if (!p) {
			for (uint32_t i = 0; i < n && get_route(d, f, &pfx, &stale, &idx); i++)
				;
			continue;
		}
		/* Sized from the count once, not doubled ~10 times; should the
		 * budget refuse that, the announcements below grow it. */
		rib_reserve(rib, f, n);
		for (uint32_t i = 0; i < n && !d->r.bad;) {
			struct bgp_prefix ahead[LOAD_AHEAD];
			uint32_t at[LOAD_AHEAD];
			size_t k = 0;

			/* The slots of a few routes are loaded together (rib_prefetch()). */
			for (; k < LOAD_AHEAD && i < n && get_route(d, f, &ahead[k], &stale, &at[k]);
			     k++, i++)
				rib_prefetch(rib, &ahead[k]);
			for (size_t j = 0; j < k; j++) {
				uint32_t id = attr_id(d, p, at[j]);

				if (!id || rib_announce(rib, &ahead[j], id, NULL, NULL)) {
					d->refused = true;
					route_refused(p);
				}
			}
		}
		rib->disabled[f] = disabled;
		/* The refresh in progress: every route marked, then the marks
		 * of those it had re-sent taken off again. */
		if (!refreshing || d->refused || rib_refresh_begin(rib, f))
			continue;
		struct rd after = d->r;

		d->r = routes;
		for (uint32_t i = 0; i < n && get_route(d, f, &pfx, &stale, &idx); i++)
			if (!stale)
				rib_refresh_keep(rib, &pfx);
		d->r = after;
	}
	if (p) {
		rib->dup_announce = dup_a;
		rib->dup_withdraw = dup_w;
		rib->refused = refused;
	}
}

struct id_ctx {
	struct dec *d;
	struct peer *p;
};

static uint32_t set_id(void *ctx, uint32_t index)
{
	struct id_ctx *c = ctx;

	return attr_id(c->d, c->p, index);
}

/* The famrib section of the Adj-RIB-In (out false) or the Adj-RIB-Out. */
static void get_famrib(struct dec *d, struct peer *p, bool out)
{
	struct id_ctx c = { d, p };
	size_t len, refused;
	const uint8_t *sec = rd_bytes32(&d->r, UINT32_MAX, &len);
	uint32_t addpath;

	if (!d->r.bad && famrib_ckpt_load(p ? out ? &p->fr_out : &p->fr : NULL, &addpath, sec, len,
					  d->n_attrs, set_id, &c, &refused))
		d->r.bad = true;
	if (!p || d->r.bad)
		return;
	*(out ? &p->fr_out_addpath : &p->fr_addpath) = addpath;
	if (refused) {
		d->refused = true;
		route_refused(p);
	}
}

static uint64_t clock_ms(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Session fields of a restored peer. */
static void restore_session(struct peer *p, uint8_t flags, uint8_t flags2,
			    const uint8_t *const open[2], const size_t open_len[2])
{
	uint64_t age_ms;

	p->have_info = flags & F_HAVE_INFO;
	p->keepalive[0] = flags & F_KA_RX;
	p->keepalive[1] = flags & F_KA_TX;
	p->from_dump = flags & F_FROM_DUMP;
	p->seen_start = flags & F_SEEN_START;
	p->incomplete = flags & F_INCOMPLETE;
	p->rib_short = flags & F_RIB_SHORT;
	p->ended = flags & F_ENDED;
	p->sess.enhanced_refresh = flags2 & F2_ENHANCED_RR;
	for (int d = 0; d < 2; d++) {
		if (!open[d] || !(p->open[d] = malloc(open_len[d])))
			continue;
		memcpy(p->open[d], open[d], open_len[d]);
		p->open_len[d] = open_len[d];
		p->open_ok[d] = !bgp_open_parse(open[d], open_len[d], &p->op[d]);
	}
	/* The uptime goes on from the Peer Up's wall-clock time. */
	uint64_t now_rt = clock_ms(CLOCK_REALTIME), now_mono = clock_ms(CLOCK_MONOTONIC);
	uint64_t up_ms = p->up_ts_ns / 1000000;

	age_ms = now_rt > up_ms ? now_rt - up_ms : 0;
	p->up_mono_ms = now_mono > age_ms ? now_mono - age_ms : 0;
}

/* One peer; created in ps unless this is the checking pass. */
static void get_peer(struct dec *d, uint64_t *flow_id)
{
	struct rd *r = &d->r;
	struct peer *p = NULL;
	const uint8_t *info, *open[2], *notif;
	size_t info_len, open_len[2], notif_len;
	uint64_t cnt[N_COUNTERS];

	*flow_id = rd_u64(r);
	uint8_t state = rd_u8(r), flags = rd_u8(r), flags2 = rd_u8(r), notif_dir = rd_u8(r);
	uint8_t down_reason = rd_u8(r), refreshed = rd_u8(r), plain0 = rd_u8(r), plain1 = rd_u8(r);
	uint64_t up_ts = rd_u64(r), down_ts = rd_u64(r), open_rx_ts = rd_u64(r);

	info = rd_bytes32(r, sizeof(struct bmptap_flow_info), &info_len);
	for (int i = 0; i < 2; i++)
		open[i] = rd_bytes32(r, BT_REC_MSG_MAX, &open_len[i]);
	notif = rd_bytes32(r, BT_REC_MSG_MAX, &notif_len);
	if (state > PEER_DOWN || notif_dir > 2 || info_len != sizeof(struct bmptap_flow_info) ||
	    !*flow_id)
		r->bad = true;
	if (!r->bad && d->ps) {
		p = peer_new(d->ps, *flow_id);
		if (!p) {
			r->bad = true;
			return;
		}
		p->state = state;
		p->notif_dir = notif_dir - 1;
		p->down_reason = down_reason;
		p->refreshed = refreshed;
		p->refresh_plain[0] = plain0;
		p->refresh_plain[1] = plain1;
		p->up_ts_ns = up_ts;
		p->down_ts_ns = down_ts;
		p->open_rx_ts = open_rx_ts;
		memcpy(&p->info, info, sizeof(p->info));
		restore_session(p, flags, flags2, open, open_len);
		if (notif && (p->notif = malloc(notif_len))) {
			memcpy(p->notif, notif, notif_len);
			p->notif_len = notif_len;
		}
	}
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		bool af = rd_u8(r), amb = rd_u8(r);

		if (p) {
			p->sess.af[f] = af;
			p->sess.ambiguous[f] = amb;
		}
	}
	struct bgp_session sess;

	get_codec(r, &sess.rx);
	get_codec(r, &sess.tx);
	if (rd_u32(r) != N_COUNTERS)
		r->bad = true;
	for (size_t i = 0; i < N_COUNTERS; i++)
		cnt[i] = rd_u64(r);
	if (p) {
		p->sess.rx = sess.rx;
		p->sess.tx = sess.tx;
		memcpy(&p->cnt, cnt, sizeof(cnt));
	}
	d->refused = false;
	get_rib(d, p, p ? &p->rib : NULL);
	get_rib(d, p, p ? &p->rib_out : NULL);
	get_famrib(d, p, false);
	get_famrib(d, p, true);
	/*
	 * Detection of a mid-stream pickup's encoding (midstream.h) is not
	 * kept: UPDATEs it held, or families it had not decided, may be
	 * missing from the RIB.
	 */
	if (p && (flags2 & F2_MIDSTREAM))
		peer_mark_incomplete(p);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The peers section: checked (ps NULL, flow ids unique) or loaded. */
static bool get_peers(struct dec *d, uint32_t n_peers, uint64_t *flows)
{
	for (uint32_t i = 0; i < n_peers && !d->r.bad; i++)
		get_peer(d, &flows[i]);
	if (d->r.bad || d->r.p != d->r.end)
		return false;
	if (d->ps)
		return true;
	qsort(flows, n_peers, sizeof(*flows), cmp_u64);
	for (uint32_t i = 1; i < n_peers; i++)
		if (flows[i] == flows[i - 1])
			return false;
	return true;
}

__attribute__((format(printf, 3, 4)))
static int refuse(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return CKPT_EBAD;
}

int ckpt_decode(const uint8_t *data, size_t len, struct peers *ps, uint64_t epoch,
		uint64_t min_seq, uint64_t *seq, char *why, size_t why_len)
{
	struct dec d = { 0 };
	struct rd tr;
	uint64_t body, file_epoch, seed, *flows = NULL;
	uint32_t version, n_peers;
	int rc = CKPT_ESYS;

	if (len < 8 || memcmp(data, CKPT_MAGIC, 8))
		return refuse(why, why_len, "not a bmptapd checkpoint (bad magic)");
	if (len < HDR_LEN + TRAILER_LEN)
		return refuse(why, why_len, "truncated (%zu bytes)", len);
	tr = (struct rd){ data + len - TRAILER_LEN, data + len, false };
	uint32_t crc = rd_u32(&tr);
	body = rd_u64(&tr);
	if (body != len - TRAILER_LEN)
		return refuse(why, why_len, "truncated or extended: %zu bytes, the trailer "
			      "says %" PRIu64, len, body + TRAILER_LEN);
	if (ckpt_crc32c(0, data, body) != crc)
		return refuse(why, why_len, "checksum mismatch");
	d.r = (struct rd){ data + 8, data + body, false };
	version = rd_u32(&d.r);
	if (version != CKPT_VERSION)
		return refuse(why, why_len, "format version %u, this bmptapd reads %u", version,
			      CKPT_VERSION);
	file_epoch = rd_u64(&d.r);
	*seq = rd_u64(&d.r);
	if (file_epoch != epoch) {
		snprintf(why, why_len, "queue epoch %016" PRIx64 ", the module's is %016" PRIx64
			 " (module reloaded)", file_epoch, epoch);
		return CKPT_EEPOCH;
	}
	if (*seq < min_seq) {
		snprintf(why, why_len, "covers records up to %" PRIu64 ", the module freed up to %"
			 PRIu64 " (a run without checkpoints since)", *seq, min_seq);
		return CKPT_ESTALE;
	}
	d.n_attrs = rd_u32(&d.r);
	n_peers = rd_u32(&d.r);
	seed = rd_u64(&d.r);
	/* Bounded by the bytes present before anything is allocated. */
	if (d.n_attrs > body / 6 || n_peers > body / 64)
		return refuse(why, why_len, "malformed (counts past the file's size)");
	d.attr_at = calloc(d.n_attrs + 1, sizeof(*d.attr_at));
	d.ids = calloc(d.n_attrs + 1, sizeof(*d.ids));
	flows = calloc(n_peers + 1, sizeof(*flows));
	if (!d.attr_at || !d.ids || !flows) {
		snprintf(why, why_len, "out of memory");
		goto out;
	}
	get_attrs(&d);
	const uint8_t *peers_at = d.r.p;

	if (d.r.bad || !get_peers(&d, n_peers, flows)) {
		rc = refuse(why, why_len, "malformed near byte %zu", (size_t)(d.r.p - data));
		goto out;
	}
	d.ps = ps;
	d.r = (struct rd){ peers_at, data + body, false };
	/*
	 * The routes were written in slot order: under the same hash key they
	 * go back into (nearly) the same slots, one after the other, instead
	 * of one cache miss each.  The key stays as secret as the file.
	 */
	if (!ps->attrs.count && !ps->locrib)
		ps->attrs.seed = seed;
	/* The sets interned below take ids under n_ids + n_attrs. */
	attr_defer_begin(&ps->attrs, ps->attrs.n_ids + d.n_attrs + 1);
	if (!get_peers(&d, n_peers, flows)) {
		attr_defer_end(&ps->attrs);
		snprintf(why, why_len, "out of memory while loading");
		goto out;
	}
	peers_restored(ps);
	attr_defer_end(&ps->attrs);
	rc = 0;
out:
	for (uint32_t i = 0; d.ids && i < d.n_attrs; i++)
		if (d.ids[i])
			attr_unref(&ps->attrs, d.ids[i]);
	free(d.attr_at);
	free(d.ids);
	free(flows);
	return rc;
}
