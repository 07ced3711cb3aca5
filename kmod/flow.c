// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap: the per-netns flow table and record emission (see flow.h).
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <linux/netfilter.h>

#include "bmptap.h"

/* Flows whose both FINs were seen end this long after their last segment
 * even when the last ACK was missed.
 */
#define BMPTAP_FIN_LINGER	(10 * HZ)

#define BGP_TYPE_OFFSET		18
#define BGP_TYPE_OPEN		1
#define BGP_OPEN_HOLD_OFFSET	22	/* after the header, version and AS */

static const struct bmptap_ops flow_core_ops;

/* ---- record emission (flow->lock held) ---- */

static void flow_announce(struct bmptap_flow *flow, u64 ts_ns);

static int flow_push(struct bmptap_flow *flow, u16 type, u8 dir, u32 aux, u64 ts_ns,
		     const void *p1, u32 l1, const void *p2, u32 l2, enum bmptap_qclass cls)
{
	struct bmptap_rec rec = {
		.type = type,
		.dir = dir,
		.flow_id = flow->id,
		.aux = aux,
		.ts_ns = ts_ns,
	};
	u64 seq;
	int ret;

	if (!flow->started && type != BMPTAP_REC_FLOW_START)
		flow_announce(flow, ts_ns);
	ret = bmptap_queue_push(flow->bn, &rec, p1, l1, p2, l2, cls, &seq);
	if (!ret) {
		flow->last_seq = seq;
		flow->has_seq = true;
	}
	return ret;
}

/* A control record that must not vanish silently. */
static void flow_push_control(struct bmptap_flow *flow, u16 type, u8 dir,
			      u32 aux, u64 ts_ns, const void *p1, u32 l1,
			      const void *p2, u32 l2)
{
	int ret;

	ret = flow_push(flow, type, dir, aux, ts_ns, p1, l1, p2, l2,
			BMPTAP_Q_CONTROL);
	if (ret && ret != -ESHUTDOWN)
		bmptap_queue_lost(flow->bn);
}

/* The flow's first record is due: FLOW_START goes first (see flow->started). */
static void flow_announce(struct bmptap_flow *flow, u64 ts_ns)
{
	struct bmptap_flow_info fi;

	flow->started = true;
	bmptap_flow_info_fill(flow, &fi);
	flow_push_control(flow, BMPTAP_REC_FLOW_START, 0, 0, ts_ns, &fi, sizeof(fi), NULL, 0);
}

static void flow_update_pending(struct bmptap_flow *flow)
{
	WRITE_ONCE(flow->pending, flow->d[0].pend_msgs || flow->d[1].pend_msgs);
}

/* Report messages dropped since the last record; false if still pending. */
static bool flow_emit_pending(struct bmptap_flow_dir *fd, u64 ts_ns)
{
	struct bmptap_flow *flow = fd->flow;
	struct bmptap_gap gap;
	int ret;

	if (!fd->pend_msgs)
		return true;
	gap.bytes = fd->pend_bytes;
	gap.messages = fd->pend_msgs;
	gap.reason = fd->pend_reason;
	ret = flow_push(flow, BMPTAP_REC_GAP, fd->dir, 0, ts_ns, &gap,
			sizeof(gap), NULL, 0, BMPTAP_Q_CONTROL);
	if (ret && ret != -ESHUTDOWN)
		return false;
	fd->drop_gaps++;
	fd->pend_msgs = 0;
	fd->pend_bytes = 0;
	fd->pend_reason = 0;
	flow_update_pending(flow);
	return true;
}

static void flow_drop_msg(struct bmptap_flow_dir *fd, u32 len, int err)
{
	struct bmptap_flow *flow = fd->flow;

	fd->drops++;
	if (err == -ENOMEM)
		fd->nomem++;
	fd->pend_msgs++;
	fd->pend_bytes += len;
	if (!fd->pend_reason)
		fd->pend_reason = err == -ENOMEM ? BMPTAP_GAP_NOMEM : BMPTAP_GAP_OVERFLOW;
	flow_update_pending(flow);
}

static s32 open_hold_time(const struct bmptap_flow_dir *fd)
{
	if (fd->open_len < BGP_OPEN_HOLD_OFFSET + 2)
		return -1;	/* too short to be an OPEN: keep the idle timeout */
	return fd->open[BGP_OPEN_HOLD_OFFSET] << 8 | fd->open[BGP_OPEN_HOLD_OFFSET + 1];
}

/* Move a flow on to a later stage; flow->lock held. */
static void flow_advance(struct bmptap_flow *flow, u8 stage)
{
	struct bmptap_flow_table *t = &flow->bn->flows;

	if (flow->stage >= stage)
		return;
	spin_lock(&t->lock);
	if (!flow->unlinked) {
		list_del(&flow->snode);
		if (stage != BMPTAP_STAGE_ESTABLISHED)
			list_add_tail(&flow->snode, &t->stage[stage]);
	}
	flow->stage = stage;
	spin_unlock(&t->lock);
}

static void flow_keep_open(struct bmptap_flow_dir *fd, const u8 *msg, u32 len)
{
	struct bmptap_flow *flow = fd->flow;

	if (len > BMPTAP_OPEN_MAX)
		return;		/* not a valid OPEN (RFC 8654 keeps them to 4096) */
	fd->open = kmemdup(msg, len, GFP_ATOMIC | __GFP_NOWARN);
	if (!fd->open) {
		fd->nomem++;
		return;
	}
	fd->open_len = len;
	if (!flow->d[BMPTAP_DIR_RX].open || !flow->d[BMPTAP_DIR_TX].open)
		return;
	WRITE_ONCE(flow->hold_time, min(open_hold_time(&flow->d[BMPTAP_DIR_RX]),
					open_hold_time(&flow->d[BMPTAP_DIR_TX])));
	flow_advance(flow, BMPTAP_STAGE_ESTABLISHED);
}

static void flow_on_msg(void *ctx, const u8 *msg, u32 len, u64 ts_ns)
{
	struct bmptap_flow_dir *fd = ctx;
	struct bmptap_flow *flow = fd->flow;
	int ret = -ENOSPC;

	fd->messages++;
	if (len > BGP_TYPE_OFFSET && msg[BGP_TYPE_OFFSET] == BGP_TYPE_OPEN && !fd->open)
		flow_keep_open(fd, msg, len);
	/*
	 * A session picked up mid-stream never shows its OPENs; whole BGP
	 * messages both ways (one of them sent by this host's own stack)
	 * prove it as well, so a SYN flood cannot evict it either.
	 */
	if ((flow->flags & BMPTAP_FLOWF_MIDSTREAM) &&
	    flow->d[BMPTAP_DIR_RX].messages && flow->d[BMPTAP_DIR_TX].messages)
		flow_advance(flow, BMPTAP_STAGE_ESTABLISHED);

	/*
	 * While the queue stays full, drops pile up in one pending tally
	 * instead of a gap record per message eating the control reserve.
	 */
	if (fd->pend_msgs && !bmptap_queue_fits(&flow->bn->queue, len)) {
		flow_drop_msg(fd, len, -ENOSPC);
		return;
	}
	if (flow_emit_pending(fd, ts_ns))
		ret = flow_push(flow, BMPTAP_REC_MSG, fd->dir, 0, ts_ns,
				msg, len, NULL, 0, BMPTAP_Q_MSG);
	if (ret && ret != -ESHUTDOWN)
		flow_drop_msg(fd, len, ret);
}

static void flow_on_gap(void *ctx, const struct bmptap_gap *gap,
			const u8 *skipped, u32 skipped_len, u64 ts_ns)
{
	struct bmptap_flow_dir *fd = ctx;

	flow_emit_pending(fd, ts_ns);
	flow_push_control(fd->flow, BMPTAP_REC_GAP, fd->dir, 0, ts_ns, gap,
			  sizeof(*gap), skipped, skipped_len);
}

static bool flow_on_charge(void *ctx, s32 delta)
{
	struct bmptap_flow_dir *fd = ctx;
	atomic_long_t *held = &fd->flow->bn->reasm_held;

	if (delta <= 0) {
		atomic_long_add(delta, held);
		return true;
	}
	if (atomic_long_add_return(delta, held) > BMPTAP_NET_REASM_BUDGET) {
		atomic_long_sub(delta, held);
		return false;
	}
	return true;
}

static const struct bmptap_ops flow_core_ops = {
	.msg = flow_on_msg,
	.gap = flow_on_gap,
	.charge = flow_on_charge,
};

/* ---- counters ---- */

void bmptap_flow_dir_counters(const struct bmptap_flow_dir *fd, u64 *cnt)
{
	const struct bmptap_stream_stats *st = &fd->stream.stats;

	cnt[BMPTAP_CNT_SEGMENTS] += st->segments;
	cnt[BMPTAP_CNT_BYTES] += st->bytes;
	cnt[BMPTAP_CNT_MESSAGES] += fd->messages;
	cnt[BMPTAP_CNT_RETRANSMITS] += st->retransmits;
	cnt[BMPTAP_CNT_OUT_OF_ORDER] += st->out_of_order;
	cnt[BMPTAP_CNT_GAPS] += st->gaps + fd->drop_gaps;
	cnt[BMPTAP_CNT_GAP_BYTES] += st->gap_bytes;
	cnt[BMPTAP_CNT_DROPS] += fd->drops;
	cnt[BMPTAP_CNT_CONFLICTS] += st->conflicts;
	cnt[BMPTAP_CNT_BAD_CSUM] += fd->bad_csum;
	cnt[BMPTAP_CNT_AUTH_FAIL] += fd->auth_fail;
	cnt[BMPTAP_CNT_NOMEM] += st->nomem + fd->nomem;
	cnt[BMPTAP_CNT_PRUNED] += st->pruned;
	cnt[BMPTAP_CNT_PRUNED_BYTES] += st->pruned_bytes;
	cnt[BMPTAP_CNT_BOGUS] += st->bogus;
	cnt[BMPTAP_CNT_OUT_OF_WINDOW] += fd->out_of_window;
	cnt[BMPTAP_CNT_BAD_ACK] += fd->bad_ack;
	cnt[BMPTAP_CNT_RST_IGNORED] += fd->rst_ignored;
	cnt[BMPTAP_CNT_FIN_IGNORED] += fd->fin_ignored;
	cnt[BMPTAP_CNT_WRONG_IFACE] += fd->wrong_iface;
}

/* Fold a dead flow's counters into the netns totals. */
static void flow_retire_counters(struct bmptap_flow *flow)
{
	u64 cnt[__BMPTAP_CNT_MAX] = {};
	int i;

	bmptap_flow_dir_counters(&flow->d[BMPTAP_DIR_RX], cnt);
	bmptap_flow_dir_counters(&flow->d[BMPTAP_DIR_TX], cnt);
	for (i = 0; i < __BMPTAP_CNT_MAX; i++)
		if (cnt[i])
			bmptap_count(flow->bn, i, cnt[i]);
}

void bmptap_flows_sum(struct bmptap_net *bn, u64 *cnt)
{
	struct bmptap_flow *flow;

	rcu_read_lock();
	list_for_each_entry_rcu(flow, &bn->flows.age, anode) {
		spin_lock_bh(&flow->lock);
		if (!flow->dead) {
			bmptap_flow_dir_counters(&flow->d[BMPTAP_DIR_RX], cnt);
			bmptap_flow_dir_counters(&flow->d[BMPTAP_DIR_TX], cnt);
		}
		spin_unlock_bh(&flow->lock);
	}
	rcu_read_unlock();
}

/* ---- lifetime ---- */

/* Flush, emit FLOW_END and release everything but the struct; flow->lock held. */
static void flow_finish(struct bmptap_flow *flow, enum bmptap_end reason)
{
	u64 now = ktime_get_real_ns();
	int i;

	if (flow->dead)
		return;
	/* FINs still unacknowledged were never taken by TCP. */
	for (i = 0; i < 2; i++)
		flow->d[i].fin_ignored += flow->d[i].tcp.nfin;
	/* Never answered: never visible, so nothing to close. */
	if (flow->answered) {
		for (i = 0; i < 2; i++)
			bmptap_stream_flush(&flow->d[i].stream, now, &flow_core_ops, &flow->d[i]);
		/* The flow is going: a tally that cannot be queued is a lost record. */
		for (i = 0; i < 2; i++)
			if (!flow_emit_pending(&flow->d[i], now))
				bmptap_queue_lost(flow->bn);
		/* Nothing announced it: nothing to close (see flow->started). */
		if (flow->started)
			flow_push_control(flow, BMPTAP_REC_FLOW_END, 0, reason, now, NULL, 0,
					  NULL, 0);
	}
	flow->dead = true;
	flow_retire_counters(flow);
	for (i = 0; i < 2; i++) {
		struct bmptap_flow_dir *fd = &flow->d[i];

		bmptap_stream_free(&fd->stream, &flow_core_ops, fd);
		kfree(fd->open);
		fd->open = NULL;
		fd->open_len = 0;
	}
}

/* Remove from the table; true if this call did (and must free the flow). */
static bool flow_unlink(struct bmptap_flow_table *t, struct bmptap_flow *flow)
{
	lockdep_assert_held(&t->lock);
	if (flow->unlinked)
		return false;
	hlist_del_rcu(&flow->hnode);
	list_del_rcu(&flow->anode);
	flow->unlinked = true;
	t->count--;
	if (flow->stage != BMPTAP_STAGE_ESTABLISHED)
		list_del(&flow->snode);
	return true;
}

/* End a flow that is (or was) in the table; safe against concurrent ends. */
static void flow_end(struct bmptap_net *bn, struct bmptap_flow *flow,
		     enum bmptap_end reason)
{
	struct bmptap_flow_table *t = &bn->flows;
	bool mine;

	spin_lock_bh(&flow->lock);
	flow_finish(flow, reason);
	spin_unlock_bh(&flow->lock);

	spin_lock_bh(&t->lock);
	mine = flow_unlink(t, flow);
	spin_unlock_bh(&t->lock);
	if (mine)
		kfree_rcu(flow, rcu);
}

/* End a flow this caller unlinked itself. */
static void flow_end_unlinked(struct bmptap_flow *flow, enum bmptap_end reason)
{
	spin_lock_bh(&flow->lock);
	flow_finish(flow, reason);
	spin_unlock_bh(&flow->lock);
	kfree_rcu(flow, rcu);
}

/* ---- table ---- */

static u32 key_hash(const struct bmptap_flow_table *t, const struct bmptap_key *k)
{
	return jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), t->seed);
}

static struct hlist_head *key_bucket(struct bmptap_flow_table *t, u32 hash)
{
	return &t->buckets[hash & ((1U << BMPTAP_FLOW_HASH_BITS) - 1)];
}

static struct bmptap_flow *flow_lookup(struct bmptap_flow_table *t,
				       const struct bmptap_key *k, u32 hash)
{
	struct bmptap_flow *flow;

	hlist_for_each_entry_rcu(flow, key_bucket(t, hash), hnode)
		if (flow->hash == hash && !memcmp(&flow->key, k, sizeof(*k)))
			return flow;
	return NULL;
}

static struct bmptap_flow *flow_alloc(struct bmptap_net *bn,
				      const struct bmptap_settings *set,
				      const struct bmptap_key *k, u32 hash,
				      bool forward, u64 ts_ns)
{
	struct bmptap_flow *flow;
	int i;

	flow = kzalloc(sizeof(*flow), GFP_ATOMIC | __GFP_NOWARN);
	if (!flow)
		return NULL;
	flow->bn = bn;
	flow->key = *k;
	flow->hash = hash;
	flow->fin_first = -1;
	flow->hold_time = -1;
	flow->start_ns = ts_ns;
	flow->last_seen = jiffies;
	if (forward)
		flow->flags |= BMPTAP_FLOWF_FORWARD;
	spin_lock_init(&flow->lock);
	for (i = 0; i < 2; i++) {
		struct bmptap_flow_dir *fd = &flow->d[i];
		/* Received data waits for the local ACK; forwarded data for the peer's. */
		bool gated = forward || i == BMPTAP_DIR_RX;

		fd->flow = flow;
		fd->dir = i;
		bmptap_stream_init(&fd->stream, gated, set->flow_reasm_bytes);
	}
	return flow;
}

/* The oldest flow of the earliest stage short of established; t->lock held. */
static struct bmptap_flow *flow_evict_candidate(struct bmptap_flow_table *t)
{
	int i;

	for (i = 0; i < BMPTAP_STAGE_ESTABLISHED; i++)
		if (!list_empty(&t->stage[i]))
			return list_first_entry(&t->stage[i], struct bmptap_flow, snode);
	return NULL;
}

/*
 * Insert a new flow or, if another CPU raced us to it, free ours and take
 * the one in the table.  The flow returned is locked (spin_lock_bh), so a
 * new flow's FLOW_START goes out before anyone else can feed it.  At the
 * bound, a flow is evicted only if may_evict; *victim is set to a flow
 * unlinked to make room: the caller ends it, unlocked.
 */
static struct bmptap_flow *flow_insert(struct bmptap_net *bn,
				       const struct bmptap_settings *set,
				       struct bmptap_flow *flow, bool may_evict,
				       bool *is_new, struct bmptap_flow **victim)
{
	struct bmptap_flow_table *t = &bn->flows;
	struct bmptap_flow *old;

	*victim = NULL;
	*is_new = false;
	/* Not yet visible: taking its lock first keeps the flow -> table order. */
	spin_lock_bh(&flow->lock);
	spin_lock(&t->lock);
	old = flow_lookup(t, &flow->key, flow->hash);
	if (old)
		goto drop;
	if (t->count >= set->max_flows) {
		*victim = may_evict ? flow_evict_candidate(t) : NULL;
		if (!*victim) {
			bmptap_count(bn, BMPTAP_CNT_FLOWS_REFUSED, 1);
			goto drop;
		}
		flow_unlink(t, *victim);
		bmptap_count(bn, BMPTAP_CNT_FLOWS_EVICTED, 1);
	}
	flow->id = ++t->next_id;
	flow->serial = t->next_serial++;
	hlist_add_head_rcu(&flow->hnode, key_bucket(t, flow->hash));
	list_add_tail_rcu(&flow->anode, &t->age);
	list_add_tail(&flow->snode, &t->stage[flow->stage]);
	if (++t->count > t->peak)
		WRITE_ONCE(t->peak, t->count);
	spin_unlock(&t->lock);
	bmptap_count(bn, BMPTAP_CNT_FLOWS_CREATED, 1);
	*is_new = true;
	return flow;

drop:
	spin_unlock(&t->lock);
	spin_unlock(&flow->lock);
	if (old)
		spin_lock(&old->lock);	/* BH stays disabled */
	else
		local_bh_enable();
	bmptap_stream_free(&flow->d[BMPTAP_DIR_RX].stream, &flow_core_ops, &flow->d[BMPTAP_DIR_RX]);
	bmptap_stream_free(&flow->d[BMPTAP_DIR_TX].stream, &flow_core_ops, &flow->d[BMPTAP_DIR_TX]);
	kfree(flow);			/* never published: no RCU grace period */
	return old;
}

void bmptap_flow_info_fill(const struct bmptap_flow *flow, struct bmptap_flow_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->family = flow->key.family;
	fi->flags = flow->flags;
	fi->local_port = flow->key.lport;
	fi->remote_port = flow->key.rport;
	memcpy(fi->local_addr, &flow->key.laddr, sizeof(fi->local_addr));
	memcpy(fi->remote_addr, &flow->key.raddr, sizeof(fi->remote_addr));
	fi->start_ns = flow->start_ns;
	fi->l3_ifindex = flow->key.l3index;
}

/* ---- input ---- */

static bool port_listed(const struct bmptap_settings *set, __be16 port)
{
	u16 p = ntohs(port);
	u32 i;

	for (i = 0; i < set->nports; i++)
		if (set->ports[i] == p)
			return true;
	return false;
}

static void key_fill(struct bmptap_key *k, const struct bmptap_pkt *pkt, bool src_local)
{
	memset(k, 0, sizeof(*k));
	k->family = pkt->family;
	if (src_local) {
		k->laddr = pkt->saddr;
		k->raddr = pkt->daddr;
		k->lport = pkt->sport;
		k->rport = pkt->dport;
		k->l3index = pkt->l3_src;
	} else {
		k->laddr = pkt->daddr;
		k->raddr = pkt->saddr;
		k->lport = pkt->dport;
		k->rport = pkt->sport;
		k->l3index = pkt->l3_dst;
	}
}

/* Forwarded flows: is the sender of pkt the client (the "local" side)? */
static bool fwd_src_is_client(const struct bmptap_settings *set,
			      const struct bmptap_pkt *pkt)
{
	if (pkt->syn)
		return !pkt->ack;
	if (port_listed(set, pkt->dport))
		return true;
	return !port_listed(set, pkt->sport);
}

static struct bmptap_flow *flow_find(struct bmptap_net *bn,
				     const struct bmptap_settings *set,
				     const struct bmptap_pkt *pkt,
				     struct bmptap_key *k, u32 *hash, int *dir)
{
	struct bmptap_flow_table *t = &bn->flows;
	struct bmptap_flow *flow;

	switch (pkt->hook) {
	case NF_INET_LOCAL_IN:
		*dir = BMPTAP_DIR_RX;
		break;
	case NF_INET_LOCAL_OUT:
		*dir = BMPTAP_DIR_TX;
		break;
	default:
		key_fill(k, pkt, true);
		*hash = key_hash(t, k);
		flow = flow_lookup(t, k, *hash);
		if (flow) {
			*dir = BMPTAP_DIR_TX;
			return flow;
		}
		key_fill(k, pkt, false);
		*hash = key_hash(t, k);
		flow = flow_lookup(t, k, *hash);
		if (flow) {
			*dir = BMPTAP_DIR_RX;
			return flow;
		}
		/* New: orient it so that the client is local. */
		*dir = fwd_src_is_client(set, pkt) ? BMPTAP_DIR_TX : BMPTAP_DIR_RX;
		key_fill(k, pkt, *dir == BMPTAP_DIR_TX);
		*hash = key_hash(t, k);
		return NULL;
	}
	key_fill(k, pkt, *dir == BMPTAP_DIR_TX);
	*hash = key_hash(t, k);
	return flow_lookup(t, k, *hash);
}

static int payload_copy(const void *src, u32 off, void *dst, u32 len)
{
	const struct bmptap_pkt *pkt = src;

	return skb_copy_bits(pkt->skb, pkt->poff + off, dst, len);
}

/*
 * The flow becomes visible (dumped, may hold data); its FLOW_START waits
 * for its first record (flow_announce); flow->lock held.
 */
static void flow_answered(struct bmptap_flow *flow)
{
	flow->answered = true;
}

/* The local stack sent it: believed.  Anything else is checked as TCP would. */
static bool dir_believed(const struct bmptap_flow *flow, int dir)
{
	return !(flow->flags & BMPTAP_FLOWF_FORWARD) && dir == BMPTAP_DIR_TX;
}

static void pkt_tcp_seg(const struct bmptap_pkt *pkt, struct bmptap_tcp_seg *seg)
{
	seg->seq = pkt->seq;
	seg->ack = pkt->ack_seq;
	seg->len = pkt->plen;
	seg->win = pkt->window;
	seg->wscale = pkt->wscale;
	seg->syn = pkt->syn;
	seg->has_ack = pkt->ack;
	seg->fin = pkt->fin;
	seg->rst = pkt->rst;
}

/*
 * Whether a segment from the sender of fd is refused as its receiver's TCP
 * would refuse it (counted); a believed sender is never refused.
 */
static bool flow_refused(struct bmptap_flow *flow, struct bmptap_flow_dir *fd,
			 const struct bmptap_flow_dir *od, const struct bmptap_pkt *pkt,
			 const struct bmptap_tcp_seg *seg)
{
	if (dir_believed(flow, fd->dir))
		return false;
	/* A SYN on a direction that already spoke: a retransmit, or forged. */
	if (pkt->syn && fd->tcp.sent)
		return true;
	if (pkt->syn && !pkt->ack)
		return false;
	switch (bmptap_tcp_check(&od->tcp, &fd->tcp, seg)) {
	case BMPTAP_TCP_BAD_ACK:
		fd->bad_ack++;
		return true;
	case BMPTAP_TCP_OUT_OF_WINDOW:
		fd->out_of_window++;
		return true;
	default:
		break;
	}
	/* Before the other side answered, nothing tells what it accepts. */
	if (!flow->answered && (pkt->plen || pkt->fin)) {
		fd->out_of_window++;
		return true;
	}
	return false;
}

/* The sender of fd sent a FIN at fin_seq; flow->lock held. */
static void flow_fin_sent(struct bmptap_flow *flow, struct bmptap_flow_dir *fd, u32 fin_seq)
{
	if (fd->fin) {
		if (fin_seq != fd->fin_seq)
			fd->fin_ignored++;
		return;
	}
	if (fd->stream.gated) {
		/* Believed once its receiver acknowledges it: flow_ack(). */
		fd->fin_ignored += bmptap_tcp_fin_sent(&fd->tcp, fin_seq);
		return;
	}
	fd->fin = true;
	fd->fin_seq = fin_seq;
	if (flow->fin_first < 0)
		flow->fin_first = fd->dir;
}

/* The sender of !od.dir acknowledged od's stream up to ack; flow->lock held. */
static void flow_ack(struct bmptap_flow *flow, struct bmptap_flow_dir *od, u32 ack)
{
	u32 fin_seq, passed;

	if (od->stream.gated) {
		/* A gated stream's start is checked against what its receiver expects. */
		bmptap_stream_start(&od->stream, ack, flow->flags & BMPTAP_FLOWF_MIDSTREAM,
				    &flow_core_ops, od);
		if (bmptap_tcp_fin_acked(&od->tcp, ack, &fin_seq, &passed) && !od->fin) {
			bmptap_stream_fin(&od->stream, fin_seq, &flow_core_ops, od);
			od->fin = true;
			od->fin_seq = fin_seq;
			if (flow->fin_first < 0)
				flow->fin_first = od->dir;
		}
		od->fin_ignored += passed;
	}
	bmptap_stream_ack(&od->stream, ack, &flow_core_ops, od);
	if (od->fin && !bmptap_seq_before(ack, od->fin_seq + 1))
		od->fin_acked = true;
}

/*
 * Forwarded flows have no local stack to confirm anything: what one side
 * sent is confirmed by the other side's ACK, which an attacker elsewhere
 * could forge as well as the data.  So each direction is bound to the
 * interface its first accepted segment came in on, never the other
 * direction's: data forged from another segment cannot be acknowledged
 * from there, and an answer from where the question came is no answer.
 */
static bool fwd_wrong_iface(const struct bmptap_flow *flow, const struct bmptap_flow_dir *fd,
			    const struct bmptap_flow_dir *od, int ifindex)
{
	if (!(flow->flags & BMPTAP_FLOWF_FORWARD))
		return false;
	if (fd->ifindex)
		return ifindex != fd->ifindex;
	return ifindex == od->ifindex;
}

/* Feed one segment; flow->lock held.  Returns a reason to end the flow or 0. */
static int flow_segment(struct bmptap_flow *flow, int dir, const struct bmptap_pkt *pkt)
{
	struct bmptap_flow_dir *fd = &flow->d[dir];
	struct bmptap_flow_dir *od = &flow->d[!dir];
	struct bmptap_payload p = {
		.src = pkt,
		.len = pkt->plen,
		.copy = payload_copy,
	};
	struct bmptap_tcp_seg seg;
	u32 seq = pkt->seq;

	if (pkt->poff + pkt->plen <= skb_headlen(pkt->skb))
		p.flat = pkt->skb->data + pkt->poff;
	pkt_tcp_seg(pkt, &seg);

	if (fwd_wrong_iface(flow, fd, od, pkt->ifindex)) {
		fd->wrong_iface++;
		return 0;
	}
	if (pkt->rst) {
		if (dir_believed(flow, dir) || bmptap_tcp_rst_ok(&od->tcp, &fd->tcp, &seg))
			return dir == BMPTAP_DIR_TX ? BMPTAP_END_RST_LOCAL : BMPTAP_END_RST_REMOTE;
		fd->rst_ignored++;
		return 0;
	}
	if (flow_refused(flow, fd, od, pkt, &seg))
		return 0;
	if (flow->flags & BMPTAP_FLOWF_FORWARD)
		fd->ifindex = pkt->ifindex;
	WRITE_ONCE(flow->last_seen, jiffies);
	bmptap_tcp_sent(&fd->tcp, &od->tcp, &seg);
	if (!flow->answered && dir != flow->origin)
		flow_answered(flow);
	/* An ACK the local stack accepts: the peer got its answer. */
	if (dir == BMPTAP_DIR_RX && !pkt->syn && flow->answered)
		flow_advance(flow, BMPTAP_STAGE_OPENING);

	if (pkt->syn) {
		if (!fd->stream.gated)
			bmptap_stream_syn(&fd->stream, seq);
		seq++;
	}
	/*
	 * The ACK first: the sender had the acknowledged bytes before it
	 * wrote this payload (a NOTIFICATION answering a bad UPDATE carries
	 * the UPDATE's ACK), so records keep the order the router saw.
	 */
	if (pkt->ack)
		flow_ack(flow, od, pkt->ack_seq);
	if (pkt->plen || pkt->fin)
		bmptap_stream_data(&fd->stream, seq, &p, pkt->fin, pkt->ts_ns,
				   &flow_core_ops, fd);
	if (pkt->fin)
		flow_fin_sent(flow, fd, seq + pkt->plen);
	if (fd->fin_acked && od->fin_acked)
		return flow->fin_first == BMPTAP_DIR_TX ? BMPTAP_END_FIN_LOCAL :
							  BMPTAP_END_FIN_REMOTE;
	return 0;
}

void bmptap_flow_input(struct bmptap_net *bn, const struct bmptap_settings *set,
		       const struct bmptap_pkt *pkt)
{
	struct bmptap_flow *flow, *victim = NULL;
	bool is_new = false, local = pkt->hook == NF_INET_LOCAL_OUT;
	int dir, end = 0;
	struct bmptap_key k;
	u32 hash;

	flow = flow_find(bn, set, pkt, &k, &hash, &dir);
	if (flow) {
		spin_lock_bh(&flow->lock);
	} else {
		if (pkt->bad_csum) {
			bmptap_count(bn, BMPTAP_CNT_BAD_CSUM, 1);
			return;
		}
		if (pkt->auth_bad) {
			bmptap_count(bn, BMPTAP_CNT_AUTH_FAIL, 1);
			return;
		}
		/* Only a SYN or data starts a flow: not a stray ACK, FIN or RST. */
		if (pkt->rst || (!pkt->syn && !pkt->plen))
			return;
		flow = flow_alloc(bn, set, &k, hash, pkt->hook == NF_INET_FORWARD,
				  pkt->ts_ns);
		if (!flow) {
			bmptap_count(bn, BMPTAP_CNT_NOMEM, 1);
			return;
		}
		if (!pkt->syn)
			flow->flags |= BMPTAP_FLOWF_MIDSTREAM;
		flow->origin = dir;
		/*
		 * Remote data without SYN proves nothing (anyone can send it to
		 * a listening port): such a flow takes a free slot, never
		 * another flow's.
		 */
		flow = flow_insert(bn, set, flow, pkt->syn || local, &is_new, &victim);
		if (!flow)
			goto out;
	}
	/* The local stack's own segment is its answer. */
	if (is_new && local)
		flow_answered(flow);
	if (flow->dead) {
		spin_unlock_bh(&flow->lock);
		goto out;
	}
	if (pkt->bad_csum || pkt->auth_bad) {
		/* The receiving TCP drops it too: keep it away from the streams. */
		if (pkt->bad_csum)
			flow->d[dir].bad_csum++;
		else
			flow->d[dir].auth_fail++;
		spin_unlock_bh(&flow->lock);
		goto out;
	}
	end = flow_segment(flow, dir, pkt);
	spin_unlock_bh(&flow->lock);
	if (end)
		flow_end(bn, flow, end);
out:
	if (victim)
		flow_end_unlinked(victim, BMPTAP_END_EVICTED);
}

int bmptap_flow_adopt(struct bmptap_net *bn, const struct bmptap_key *k)
{
	const struct bmptap_settings *set;
	struct bmptap_flow *flow, *victim = NULL;
	bool is_new;
	int err = 0;

	rcu_read_lock();
	set = rcu_dereference(bn->settings);
	/* The hooks would never feed it: it could only expire. */
	if (!port_listed(set, k->lport) && !port_listed(set, k->rport)) {
		err = -EINVAL;
		goto out;
	}
	flow = flow_alloc(bn, set, k, key_hash(&bn->flows, k), false, ktime_get_real_ns());
	if (!flow) {
		bmptap_count(bn, BMPTAP_CNT_NOMEM, 1);
		err = -ENOMEM;
		goto out;
	}
	/*
	 * Both streams start unsynced: the first data segment of each
	 * direction syncs it and frames from the first whole BGP header,
	 * as for a flow picked up by the hooks mid-stream.
	 */
	flow->flags |= BMPTAP_FLOWF_MIDSTREAM | BMPTAP_FLOWF_DISCOVERED;
	flow = flow_insert(bn, set, flow, true, &is_new, &victim);
	if (!flow) {
		err = -ENOSPC;
		goto out;
	}
	/* Found in the local stack's own socket table: its answer. */
	if (is_new) {
		flow_answered(flow);
	} else {
		err = -EEXIST;
	}
	spin_unlock_bh(&flow->lock);
out:
	rcu_read_unlock();
	if (victim)
		flow_end_unlinked(victim, BMPTAP_END_EVICTED);
	return err;
}

/* Emit what is pending on one flow; process context, under RCU. */
static void flow_kick_one(struct bmptap_flow *flow)
{
	u64 now = ktime_get_real_ns();

	spin_lock_bh(&flow->lock);
	if (!flow->dead) {
		flow_emit_pending(&flow->d[BMPTAP_DIR_RX], now);
		flow_emit_pending(&flow->d[BMPTAP_DIR_TX], now);
	}
	spin_unlock_bh(&flow->lock);
}

void bmptap_flows_kick(struct bmptap_net *bn)
{
	struct bmptap_flow *flow;

	rcu_read_lock();
	list_for_each_entry_rcu(flow, &bn->flows.age, anode)
		if (READ_ONCE(flow->pending))
			flow_kick_one(flow);
	rcu_read_unlock();
}

/*
 * A BGP session is silent for at most its negotiated hold time, so an
 * established flow outlives the idle timeout while its hold time has not run
 * out, and with hold time 0 (no KEEPALIVEs at all) it is never idle: only
 * FIN, RST or unload end it.
 */
static bool flow_idle(const struct bmptap_flow *flow, unsigned long idle)
{
	unsigned long seen = READ_ONCE(flow->last_seen);
	s32 hold = READ_ONCE(flow->hold_time);

	if (hold == 0)
		return false;
	if (hold > 0)
		idle = max(idle, (unsigned long)hold * HZ);
	return time_after(jiffies, seen + idle);
}

static int flow_expired(const struct bmptap_flow *flow, unsigned long idle)
{
	unsigned long seen = READ_ONCE(flow->last_seen);

	if (flow_idle(flow, idle))
		return BMPTAP_END_IDLE;
	/* Both FINs seen but a final ACK was missed. */
	if (READ_ONCE(flow->d[0].fin) && READ_ONCE(flow->d[1].fin) &&
	    time_after(jiffies, seen + BMPTAP_FIN_LINGER))
		return READ_ONCE(flow->fin_first) == BMPTAP_DIR_TX ?
		       BMPTAP_END_FIN_LOCAL : BMPTAP_END_FIN_REMOTE;
	return 0;
}

void bmptap_flows_gc(struct bmptap_net *bn)
{
	struct bmptap_flow_table *t = &bn->flows;
	struct bmptap_flow *flow, *tmp, *dead = NULL;
	const struct bmptap_settings *set;
	unsigned long idle;
	u32 max_flows;

	rcu_read_lock();
	set = rcu_dereference(bn->settings);
	idle = (unsigned long)set->idle_timeout * HZ;
	max_flows = set->max_flows;
	rcu_read_unlock();

	spin_lock_bh(&t->lock);
	list_for_each_entry_safe(flow, tmp, &t->age, anode) {
		int why = flow_expired(flow, idle);

		if (!why)
			continue;
		flow_unlink(t, flow);
		flow->gc_reason = why;
		flow->gc_next = dead;
		dead = flow;
	}
	/*
	 * max-flows was lowered below the flows held: shed unestablished
	 * ones down to the bound (insertion only keeps the count from rising).
	 */
	while (t->count > max_flows && (flow = flow_evict_candidate(t))) {
		flow_unlink(t, flow);
		bmptap_count(bn, BMPTAP_CNT_FLOWS_EVICTED, 1);
		flow->gc_reason = BMPTAP_END_EVICTED;
		flow->gc_next = dead;
		dead = flow;
	}
	spin_unlock_bh(&t->lock);

	while (dead) {
		flow = dead;
		dead = flow->gc_next;
		flow_end_unlinked(flow, flow->gc_reason);
	}
	bmptap_queue_kick(bn);
	bmptap_flows_kick(bn);
}

int bmptap_flows_init(struct bmptap_net *bn)
{
	struct bmptap_flow_table *t = &bn->flows;
	int i;

	t->buckets = kvcalloc(1U << BMPTAP_FLOW_HASH_BITS, sizeof(*t->buckets),
			      GFP_KERNEL);
	if (!t->buckets)
		return -ENOMEM;
	spin_lock_init(&t->lock);
	INIT_LIST_HEAD(&t->age);
	for (i = 0; i < BMPTAP_STAGE_ESTABLISHED; i++)
		INIT_LIST_HEAD(&t->stage[i]);
	t->seed = get_random_u32();
	t->count = 0;
	t->peak = 0;
	t->next_id = 0;
	t->next_serial = 1;
	return 0;
}

/*
 * Teardown: hooks are unregistered, works cancelled and the queue shut down,
 * so nothing else touches the table and nothing is emitted any more.
 */
void bmptap_flows_exit(struct bmptap_net *bn)
{
	struct bmptap_flow_table *t = &bn->flows;
	struct bmptap_flow *flow, *tmp;

	list_for_each_entry_safe(flow, tmp, &t->age, anode) {
		spin_lock_bh(&t->lock);
		flow_unlink(t, flow);
		spin_unlock_bh(&t->lock);
		flow_end_unlinked(flow, BMPTAP_END_SHUTDOWN);
	}
	kvfree(t->buckets);
	t->buckets = NULL;
}
