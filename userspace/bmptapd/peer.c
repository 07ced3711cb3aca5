// SPDX-License-Identifier: GPL-2.0
/*
 * Per-flow BGP state from observed records.  See peer.h for the model; the
 * comments here say why each record is handled the way it is.
 */
#include "peer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "famloc.h"
#include "locrib.h"
#include "log.h"
#include "loop.h"
#include "model.h"
#include "peer_update.h"
#include "refresh.h"

/* ---- table -------------------------------------------------------------- */

static uint32_t bucket(const struct peers *ps, uint64_t id)
{
	return (((uint32_t)id ^ (uint32_t)(id >> 32)) * 2654435761u) & (ps->n_buckets - 1);
}

int peers_init(struct peers *ps, const struct peers_cfg *cfg, const struct bt_log *log)
{
	memset(ps, 0, sizeof(*ps));
	attr_table_init(&ps->attrs);
	buf_init(&ps->fchg);
	buf_init(&ps->fchg_ok);
	buf_init(&ps->flchg);
	ps->fr_eor = -1;
	ps->n_buckets = 256;
	ps->buckets = calloc(ps->n_buckets, sizeof(*ps->buckets));
	if (!ps->buckets)
		return -ENOMEM;
	if (cfg) {
		ps->sink = cfg->sink;
		ps->locrib_src = cfg->locrib_src;
		ps->kroutes = cfg->kroutes;
		ps->vrf_rds = cfg->vrf_rds;
		peers_set_budgets(ps, cfg->peer_mem_max, cfg->mem_max);
	}
	ps->log = log;
	return 0;
}

static void peer_destroy(struct peer *p)
{
	rib_free(&p->rib);
	rib_free(&p->rib_out);
	famrib_free(&p->fr);
	famrib_free(&p->fr_out);
	budget_put(p->mem);
	free(p->open[0]);
	free(p->open[1]);
	free(p->notif);
	if (p->ms)
		ms_free(p->ms);
	free(p->ms);
	free(p);
}

void peers_free(struct peers *ps)
{
	struct peer *p = ps->head, *n;

	for (; p; p = n) {
		n = p->next;
		peer_destroy(p);
	}
	if (ps->locrib)
		peer_destroy(ps->locrib);
	free(ps->buckets);
	free(ps->chg);
	free(ps->chg_ok);
	free(ps->lchg);
	buf_free(&ps->fchg);
	buf_free(&ps->fchg_ok);
	buf_free(&ps->flchg);
	attr_table_free(&ps->attrs);
	memset(ps, 0, sizeof(*ps));
}

void peers_set_budgets(struct peers *ps, uint64_t peer_max, uint64_t total_max)
{
	ps->peer_mem_max = peer_max;
	ps->mem_total.max = total_max;
}

struct peer *peers_find(const struct peers *ps, uint64_t flow_id)
{
	struct peer *p = ps->buckets[bucket(ps, flow_id)];

	while (p && p->flow_id != flow_id)
		p = p->hnext;
	return p;
}

static void rehash(struct peers *ps)
{
	uint32_t nb = ps->n_buckets * 2;
	struct peer **b = calloc(nb, sizeof(*b));

	if (!b)
		return;		/* longer chains, still correct */
	free(ps->buckets);
	ps->buckets = b;
	ps->n_buckets = nb;
	for (struct peer *p = ps->head; p; p = p->next) {
		uint32_t i = bucket(ps, p->flow_id);

		p->hnext = b[i];
		b[i] = p;
	}
}

struct peer *peer_new(struct peers *ps, uint64_t flow_id)
{
	struct peer *p = calloc(1, sizeof(*p));

	if (!p) {
		LOG_E(ps->log, "flow %" PRIu64 ": out of memory", flow_id);
		return NULL;
	}
	p->flow_id = flow_id;
	p->notif_dir = -1;
	p->mem = budget_new(&ps->mem_total, ps->peer_mem_max);
	if (!p->mem) {
		LOG_E(ps->log, "flow %" PRIu64 ": out of memory", flow_id);
		free(p);
		return NULL;
	}
	rib_init(&p->rib, &ps->attrs);
	rib_init(&p->rib_out, &ps->attrs);
	p->rib.bud = p->rib_out.bud = p->mem;
	famrib_init(&p->fr, &ps->attrs, p->mem);
	famrib_init(&p->fr_out, &ps->attrs, p->mem);
	if (ps->count + 1 > ps->n_buckets)
		rehash(ps);
	uint32_t i = bucket(ps, flow_id);
	p->hnext = ps->buckets[i];
	ps->buckets[i] = p;
	p->prev = ps->tail;
	if (ps->tail)
		ps->tail->next = p;
	else
		ps->head = p;
	ps->tail = p;
	ps->count++;
	return p;
}

void peer_counters_add(struct peer_counters *to, const struct peer_counters *from)
{
	/* Every member is a uint64_t counter (or an array of them). */
	_Static_assert(sizeof(*to) % sizeof(uint64_t) == 0, "peer_counters: uint64_t only");
	uint64_t *t = (uint64_t *)to;
	const uint64_t *f = (const uint64_t *)from;

	for (size_t i = 0; i < sizeof(*to) / sizeof(uint64_t); i++)
		t[i] += f[i];
}

static void peer_del(struct peers *ps, struct peer *p)
{
	struct peer **pp = &ps->buckets[bucket(ps, p->flow_id)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	if (p->prev)
		p->prev->next = p->next;
	else
		ps->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		ps->tail = p->prev;
	ps->count--;
	if (!p->locrib)
		peer_counters_add(&ps->ended, &p->cnt);
	peer_destroy(p);
}

/* ---- session state -------------------------------------------------------- */


const char *peer_state_name(enum peer_state s)
{
	switch (s) {
	case PEER_PENDING: return "pending";
	case PEER_OPENCONFIRM: return "openconfirm";
	case PEER_ESTABLISHED: return "established";
	case PEER_DOWN: return "down";
	}
	return "?";
}

/*
 * Routers disagree on duplicate capabilities (Documentation/interop.md,
 * "Decoding differential"): a family whose path ids depend on the reading
 * is not decoded at all, rather than maybe read as prefixes.  Its routes
 * stay out of every RIB view and the collectors are told the peer is
 * incomplete.  A disputed peer AS only labels the peer: the last one is
 * reported, as BIRD reads it, and the dispute shown.
 */

static void refuse_ambiguous(struct peers *ps, struct peer *p)
{
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		if (!p->sess.ambiguous[f] || !p->sess.af[f])
			continue;
		p->rib.disabled[f] = p->rib_out.disabled[f] = true;
		p->cnt.ambiguous_families++;
		peer_short(ps, p, 0, "duplicate ADD-PATH tuples routers read differently: "
			   "the family is not decoded");
	}
	for (unsigned k = 0; k < p->sess.n_addpath_more; k++) {
		if (!(p->sess.addpath_more[k].flags & BGP_ADDPATH_AMBIGUOUS))
			continue;
		p->cnt.ambiguous_families++;
		peer_short(ps, p, 0, "duplicate ADD-PATH tuples routers read differently: "
			   "the family is not decoded");
	}
	if (p->op[BMPTAP_DIR_RX].as_conflict)
		LOG_W(ps->log, "flow %" PRIu64 ": the peer's OPEN has 4-octet AS capabilities with "
		      "different ASes: FRR takes the first, BIRD and bmptapd the last (%u)",
		      p->flow_id, p->op[BMPTAP_DIR_RX].as);
}

/* Both OPENs parsed and the addresses known: a Peer Up can be built. */
static void check_opens(struct peers *ps, struct peer *p)
{
	if (p->state != PEER_PENDING || !p->have_info ||
	    !p->open_ok[BMPTAP_DIR_RX] || !p->open_ok[BMPTAP_DIR_TX])
		return;
	bgp_negotiate(&p->op[BMPTAP_DIR_TX], &p->op[BMPTAP_DIR_RX], &p->sess);
	p->state = PEER_OPENCONFIRM;
	p->fr_addpath = famrib_session(&p->fr, &p->sess, false);
	p->fr_out_addpath = famrib_session(&p->fr_out, &p->sess, true);
	refuse_ambiguous(ps, p);
	/* Real OPENs after all: UPDATEs held for detection came before them. */
	if (p->ms) {
		if (p->ms->n_held)
			peer_mark_incomplete(p);
		p->cnt.ignored += p->ms->n_held;
		ms_free(p->ms);
		free(p->ms);
		p->ms = NULL;
	}
	LOG_D(ps->log, "flow %" PRIu64 ": both OPENs seen (peer AS %u, as4 %d)", p->flow_id,
	      p->op[BMPTAP_DIR_RX].as, p->sess.rx.as4);
}

static void set_open(struct peers *ps, struct peer *p, int dir, const uint8_t *msg, size_t len)
{
	/*
	 * One TCP flow carries one BGP session, so one OPEN per direction.
	 * The same OPEN can reach us twice (flow dump, then the still queued
	 * record): the first copy is kept.
	 */
	if (p->open[dir])
		return;
	p->open[dir] = malloc(len);
	if (!p->open[dir])
		return;
	memcpy(p->open[dir], msg, len);
	p->open_len[dir] = len;
	int err = bgp_open_parse(msg, len, &p->op[dir]);
	p->open_ok[dir] = err == 0;
	if (err)
		LOG_W(ps->log, "flow %" PRIu64 ": unusable %s OPEN (error %d/%d): no Peer Up", p->flow_id,
		      bt_dir_name((unsigned)dir), err >> 8, err & 0xff);
	check_opens(ps, p);
}

static void go_up(struct peers *ps, struct peer *p, uint64_t ts_ns, uint64_t mono_ms)
{
	if (p->state != PEER_OPENCONFIRM)
		return;
	p->state = PEER_ESTABLISHED;
	p->up_ts_ns = ts_ns;
	p->up_mono_ms = mono_ms;
	LOG_I(ps->log, "flow %" PRIu64 ": session established (peer AS %u)", p->flow_id,
	      p->op[BMPTAP_DIR_RX].as);
	if (!ps->locrib)
		locrib_start(ps, p, ts_ns);
	if (ps->sink.up)
		ps->sink.up(ps->sink.ctx, p);
	/* Mirroring: the peer's OPEN came before there was a peer to mirror
	 * it for; it goes right after the Peer Up, with its own timestamp.
	 * A synthesized one was never received: not mirrored. */
	if (p->open[BMPTAP_DIR_RX] && !p->ms && ps->sink.message)
		ps->sink.message(ps->sink.ctx, p, p->open[BMPTAP_DIR_RX],
				 p->open_len[BMPTAP_DIR_RX], p->open_rx_ts);
	/* A session whose start was lost: say so right after its Peer Up. */
	if (p->incomplete && ps->sink.lost)
		ps->sink.lost(ps->sink.ctx, p, ts_ns);
}

static void go_down(struct peers *ps, struct peer *p, uint8_t reason, uint64_t ts_ns)
{
	if (p->state != PEER_ESTABLISHED) {
		/* Never announced: nothing to take back.  Dead all the same. */
		p->state = PEER_DOWN;
		return;
	}
	p->state = PEER_DOWN;
	p->down_reason = reason;
	p->down_ts_ns = ts_ns;
	LOG_I(ps->log, "flow %" PRIu64 ": session down (BMP reason %u)", p->flow_id, reason);
	if (ps->sink.down)
		ps->sink.down(ps->sink.ctx, p);
	/* The session's routes are gone with it, and from the Loc-RIB. */
	ps->cur = NULL;
	ps->n_chg = 0;
	rib_reset(&p->rib, peer_on_rib_change, ps);
	rib_reset(&p->rib_out, NULL, NULL);
	famrib_reset(&p->fr, famloc_on_drop, ps);
	famrib_reset(&p->fr_out, NULL, NULL);
	memset(p->post_count, 0, sizeof(p->post_count));
	memset(p->filtered_count, 0, sizeof(p->filtered_count));
	for (size_t i = 0; i < ps->n_chg; i++)
		locrib_recompute(ps, &ps->chg[i], NULL);
	ps->n_chg = 0;
	locrib_flush(ps, ts_ns);
}

static void on_msg(struct peers *ps, struct peer *p, const struct bt_rec *rec);

/* Peer Up from the detected encoding, then the held UPDATEs in order. */
static void midstream_up(struct peers *ps, struct peer *p, uint64_t ts)
{
	struct ms_msg *h, *next;
	uint32_t as[2];

	ms_session(p->ms, &p->sess);
	for (int d = 0; d < 2; d++) {
		as[d] = ms_sender_as(p->ms, d, d == BMPTAP_DIR_RX ? &p->sess.rx : &p->sess.tx);
		/* One real OPEN may have come since the pickup (the other
		 * never did): the synthesized pair replaces it. */
		free(p->open[d]);
		p->open[d] = NULL;
		p->open_len[d] = 0;
	}
	if (!ms_opens(p->ms, &p->sess, as[BMPTAP_DIR_RX], as[BMPTAP_DIR_TX], p->open,
		      p->open_len)) {
		LOG_E(ps->log, "flow %" PRIu64 ": out of memory", p->flow_id);
		return;
	}
	for (int d = 0; d < 2; d++) {
		memset(&p->op[d], 0, sizeof(p->op[d]));
		p->op[d].version = 4;
		p->op[d].as = as[d];
		p->op[d].as4 = p->sess.rx.as4;
		p->open_ok[d] = true;
	}
	p->state = PEER_OPENCONFIRM;
	peer_mark_incomplete(p);	/* routes announced before the pickup */
	LOG_I(ps->log, "flow %" PRIu64 ": mid-stream session decoded: %s-octet AS, peer AS %u, "
	      "ADD-PATH rx ipv4 %d ipv6 %d; OPENs synthesized", p->flow_id,
	      p->sess.rx.as4 ? "4" : "2", as[BMPTAP_DIR_RX], p->sess.rx.addpath[BGP_FAM_IPV4],
	      p->sess.rx.addpath[BGP_FAM_IPV6]);
	go_up(ps, p, ts, loop_now_ms());
	for (h = ms_take(p->ms); h; h = next) {
		struct bt_rec r = { .kind = BT_RK_RECORD };

		next = h->next;
		r.hdr.type = BMPTAP_REC_MSG;
		r.hdr.dir = h->dir;
		r.hdr.flow_id = p->flow_id;
		r.hdr.ts_ns = h->ts_ns;
		r.payload = h->data;
		r.payload_len = h->len;
		on_msg(ps, p, &r);
		free(h);
	}
}

/*
 * A flow picked up mid-stream (midstream.h): its UPDATEs wait for the
 * encoding to be detected; afterwards those not decodable as announced
 * are left out and counted.  True when the message was taken here.
 */
static bool midstream_msg(struct peers *ps, struct peer *p, const struct bt_rec *rec)
{
	const uint8_t *msg = rec->payload;
	size_t len = rec->payload_len;
	int dir = rec->hdr.dir;

	if (len < BGP_HDR_LEN)
		return false;
	/* A refresh's demarcation (refresh.h) goes in order with its routes. */
	bool held_type = msg[18] == BGP_UPDATE || msg[18] == BGP_ROUTE_REFRESH;

	if (!p->ms) {
		if (p->state != PEER_PENDING || !held_type || !p->have_info ||
		    !(p->info.flags & BMPTAP_FLOWF_MIDSTREAM) || p->open[0] || p->open[1])
			return false;
		p->ms = malloc(sizeof(*p->ms));
		if (!p->ms)
			return false;
		ms_init(p->ms);
	}
	if (p->state == PEER_ESTABLISHED) {
		if (msg[18] != BGP_UPDATE || ms_deliverable(p->ms, dir, msg, len))
			return false;
		p->cnt.msgs[dir]++;
		p->cnt.ignored++;
		LOG_W(ps->log, "flow %" PRIu64 ": %s UPDATE of a family undecided at Peer Up not "
		      "decodable as announced: left out", p->flow_id, bt_dir_name((unsigned)dir));
		/* Only what the peer sent feeds the Adj-RIB-In. */
		if (dir == BMPTAP_DIR_RX) {
			peer_mark_incomplete(p);
			if (ps->sink.lost)
				ps->sink.lost(ps->sink.ctx, p, rec->hdr.ts_ns);
		}
		return true;
	}
	if (p->state != PEER_PENDING || !held_type)
		return false;
	if (msg[18] == BGP_UPDATE)
		ms_learn(p->ms, dir, msg, len);
	if (!ms_hold(p->ms, dir, msg, len, rec->hdr.ts_ns)) {
		p->cnt.msgs[dir]++;
		p->cnt.ignored++;
		if (dir == BMPTAP_DIR_RX)
			peer_mark_incomplete(p);
	}
	if (ms_ready(p->ms))
		midstream_up(ps, p, rec->hdr.ts_ns);
	return true;
}

static void on_msg(struct peers *ps, struct peer *p, const struct bt_rec *rec)
{
	const uint8_t *msg = rec->payload;
	size_t len = rec->payload_len;
	int dir = rec->hdr.dir;
	uint64_t ts = rec->hdr.ts_ns;

	/* The module frames one whole message per record.  One whose header
	 * says another length (a damaged --records file) would be copied
	 * into Peer Up and Route Monitoring messages collectors misparse. */
	if (len < BGP_HDR_LEN || ((size_t)msg[16] << 8 | msg[17]) != len) {
		p->cnt.msgs[dir]++;
		p->cnt.ignored++;
		return;
	}
	if ((p->ms || p->state == PEER_PENDING) && midstream_msg(ps, p, rec))
		return;
	p->cnt.msgs[dir]++;
	switch (msg[18]) {
	case BGP_OPEN:
		if (dir == BMPTAP_DIR_RX && !p->open[dir])
			p->open_rx_ts = ts;
		set_open(ps, p, dir, msg, len);
		return;
	case BGP_NOTIFICATION:
		if (p->notif_dir < 0) {
			p->notif = malloc(len);
			if (p->notif) {
				memcpy(p->notif, msg, len);
				p->notif_len = len;
				p->notif_dir = dir;
			}
		}
		if (p->state == PEER_ESTABLISHED && ps->sink.message && dir == BMPTAP_DIR_RX)
			ps->sink.message(ps->sink.ctx, p, msg, len, ts);
		/* A NOTIFICATION ends the BGP session; the TCP close follows. */
		go_down(ps, p, dir == BMPTAP_DIR_TX ? BMP_DOWN_LOCAL_NOTIFY :
			BMP_DOWN_REMOTE_NOTIFY, ts);
		return;
	case BGP_KEEPALIVE:
	case BGP_UPDATE:
		/*
		 * RFC 4271 8.2.2: a speaker sends a KEEPALIVE on accepting the
		 * other's OPEN and goes Established on the other's KEEPALIVE.
		 * So the monitored router is Established once KEEPALIVEs went
		 * both ways; one alone proves nothing, whichever side refuses
		 * the other's OPEN (NOTIFICATION Bad Peer AS, ...), and a peer
		 * sends its KEEPALIVE before it hears the router's verdict.
		 * An UPDATE from either side is sent only when Established,
		 * and so is any KEEPALIVE of a session picked up mid-stream.
		 */
		if (msg[18] == BGP_KEEPALIVE)
			p->keepalive[dir] = true;
		if ((p->keepalive[BMPTAP_DIR_RX] && p->keepalive[BMPTAP_DIR_TX]) ||
		    msg[18] == BGP_UPDATE || (p->info.flags & BMPTAP_FLOWF_MIDSTREAM))
			go_up(ps, p, ts, loop_now_ms());
		break;
	default:
		break;
	}
	if (p->state != PEER_ESTABLISHED) {
		/* The handshake's own KEEPALIVEs are not ignored input. */
		if (msg[18] != BGP_KEEPALIVE || p->state != PEER_OPENCONFIRM)
			p->cnt.ignored++;
		/*
		 * A router may reset the session on an UPDATE's header alone
		 * (e.g. over 4096 bytes): the rest of it completes after the
		 * NOTIFICATION.  Counted; the Peer Down already went out.
		 */
		if (p->state == PEER_DOWN && dir == BMPTAP_DIR_RX && msg[18] == BGP_UPDATE) {
			struct bgp_update u;

			bgp_update_parse(msg, len, &p->sess.rx, &u);
			peer_count_errors(ps, p, &u);
		}
		return;
	}
	if (msg[18] == BGP_ROUTE_REFRESH)
		refresh_msg(ps, p, dir, msg, len, ts);
	if (dir != BMPTAP_DIR_RX) {
		if (msg[18] == BGP_UPDATE)
			peer_tx_update(ps, p, msg, len, ts);
		return;
	}
	if (msg[18] == BGP_UPDATE)
		peer_rx_update(ps, p, msg, len, ts);
	else if (ps->sink.message)
		ps->sink.message(ps->sink.ctx, p, msg, len, ts);
}

/* Records were lost without knowing whose: every peer is suspect. */
static void lost_all(struct peers *ps, uint64_t ts)
{
	ps->holes++;
	ps->want_flow_dump = true;
	for (struct peer *p = ps->head; p; p = p->next) {
		peer_mark_incomplete(p);
		if (p->state == PEER_ESTABLISHED && ps->sink.lost)
			ps->sink.lost(ps->sink.ctx, p, ts);
	}
}

static void on_flow_end(struct peers *ps, struct peer *p, const struct bt_rec *rec)
{
	uint8_t reason;

	switch (rec->hdr.aux) {
	case BMPTAP_END_FIN_REMOTE:
	case BMPTAP_END_RST_REMOTE:
		reason = BMP_DOWN_REMOTE_NO_NOTIFY;
		break;
	default:
		/*
		 * Local FIN/RST, and also idle expiry, eviction and module
		 * shutdown: the monitoring side lost the session without a
		 * NOTIFICATION; reason 2 with FSM event 0 (none applicable).
		 */
		reason = BMP_DOWN_LOCAL_NO_NOTIFY;
		break;
	}
	p->ended = true;
	go_down(ps, p, reason, rec->hdr.ts_ns);
	LOG_D(ps->log, "flow %" PRIu64 ": ended (%s)", p->flow_id, bt_end_name(rec->hdr.aux));
	peer_del(ps, p);
}

int peers_record(void *ctx, const struct bt_rec *rec)
{
	struct peers *ps = ctx;
	struct bmptap_flow_info fi;
	struct peer *p;

	if (rec->kind == BT_RK_SEQ_HOLE) {
		LOG_W(ps->log, "records %llu..%llu lost", (unsigned long long)rec->expected,
		      (unsigned long long)rec->got - 1);
		lost_all(ps, 0);
		return 0;
	}
	if (rec->kind == BT_RK_MALFORMED) {
		LOG_W(ps->log, "malformed record stream: %s", bt_rec_strerror(rec->error));
		lost_all(ps, 0);
		return 0;
	}
	if (rec->hdr.type == BMPTAP_REC_LOST) {
		LOG_W(ps->log, "module lost %u records", rec->hdr.aux);
		lost_all(ps, rec->hdr.ts_ns);
		return 0;
	}
	p = peers_find(ps, rec->hdr.flow_id);
	switch (rec->hdr.type) {
	case BMPTAP_REC_FLOW_START:
		if (!p)
			p = peer_new(ps, rec->hdr.flow_id);
		if (!p)
			return 0;
		p->seen_start = true;
		if (!p->have_info && bt_rec_flow_info(rec, &fi)) {
			peer_set_info(ps, p, &fi);
			check_opens(ps, p);
		}
		return 0;
	case BMPTAP_REC_MSG:
		if (!p) {
			/* Its FLOW_START was lost: the flow dump can tell the rest. */
			p = peer_new(ps, rec->hdr.flow_id);
			ps->want_flow_dump = true;
		}
		if (p)
			on_msg(ps, p, rec);
		return 0;
	case BMPTAP_REC_GAP: {
		struct bmptap_gap g;
		const uint8_t *d;
		size_t dl;

		if (!p || !bt_rec_gap(rec, &g, &d, &dl))
			return 0;
		p->cnt.gaps[rec->hdr.dir]++;
		p->cnt.gap_bytes[rec->hdr.dir] += g.bytes;
		LOG_W(ps->log, "flow %" PRIu64 ": gap %s (%s, %llu bytes, %u messages)", p->flow_id,
		      bt_dir_name(rec->hdr.dir), bt_gap_reason_name(g.reason),
		      (unsigned long long)g.bytes, g.messages);
		/* Only what the peer sent feeds the Adj-RIB-In. */
		if (rec->hdr.dir == BMPTAP_DIR_RX) {
			peer_mark_incomplete(p);
			if (p->state == PEER_ESTABLISHED && ps->sink.lost)
				ps->sink.lost(ps->sink.ctx, p, rec->hdr.ts_ns);
			/* Bytes that framed as no BGP message: mirrored as is. */
			if (g.reason == BMPTAP_GAP_RESYNC && dl && p->state == PEER_ESTABLISHED &&
			    ps->sink.errored) {
				p->cnt.errored++;
				ps->sink.errored(ps->sink.ctx, p, d, dl, rec->hdr.ts_ns);
			}
		}
		return 0;
	}
	case BMPTAP_REC_FLOW_END:
		if (p)
			on_flow_end(ps, p, rec);
		return 0;
	}
	return 0;
}

void peers_learn_flow(struct peers *ps, const struct bt_flow *f, uint64_t now_ns)
{
	struct peer *p = peers_find(ps, f->id);
	bool fresh = !p;

	if (!p) {
		p = peer_new(ps, f->id);
		if (!p)
			return;
		/*
		 * Only a flow that queued records may have had some consumed
		 * before this helper started: FLOW_START goes with a flow's
		 * first record, so one without any has lost nothing.
		 */
		p->from_dump = f->have_last_seq;
	}
	if (f->have_info && !p->have_info)
		peer_set_info(ps, p, &f->info);
	for (int d = 0; d < 2; d++)
		if (f->open[d] && !p->open[d])
			set_open(ps, p, d, f->open[d], f->open_len[d]);
	check_opens(ps, p);
	/*
	 * A flow that already carried both OPENs when the helper started is
	 * taken as established now: waiting for its next KEEPALIVE could take
	 * a whole keepalive interval.
	 */
	if (fresh)
		go_up(ps, p, now_ns, loop_now_ms());
}

void peers_first_read_done(struct peers *ps, uint64_t now_ns)
{
	for (struct peer *p = ps->head; p; p = p->next) {
		if (!p->from_dump || p->seen_start)
			continue;
		p->seen_start = true;	/* judged once */
		if (p->incomplete)
			continue;
		peer_mark_incomplete(p);
		LOG_W(ps->log, "flow %" PRIu64 ": its earlier messages were consumed before this helper "
		      "started: Adj-RIB-In incomplete", p->flow_id);
		if (p->state == PEER_ESTABLISHED && ps->sink.lost)
			ps->sink.lost(ps->sink.ctx, p, now_ns);
	}
}
