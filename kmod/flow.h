/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-netns table of tapped TCP flows.
 *
 * Locking:
 * - table->lock (spin_lock_bh) guards insertion, removal, the id and serial
 *   counters and the stage lists; a flow's stage is written under both locks;
 * - lookups and the age list walk of dumps run under RCU; flows are freed
 *   with kfree_rcu() by whoever unlinked them;
 * - flow->lock (spin_lock_bh) guards everything inside a flow: both streams,
 *   the counters, the OPEN copies and record emission.
 * Order: flow->lock, then table->lock, then queue->lock.  No code takes a
 * flow lock while holding the table lock: eviction and expiry unlink under
 * the table lock and end the flow after dropping it.
 */
#ifndef BMPTAP_FLOW_H
#define BMPTAP_FLOW_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/in6.h>
#include <linux/bmptap.h>

#include "reasm.h"
#include "tcpwin.h"

struct bmptap_net;
struct bmptap_settings;
struct sk_buff;

#define BMPTAP_FLOW_HASH_BITS	12
#define BMPTAP_OPEN_MAX		4096

/*
 * Addresses and ports of a flow, normalised to the local (client) side,
 * and the L3 domain they belong to: equal addresses in two VRFs are two
 * sessions.
 */
struct bmptap_key {
	struct in6_addr laddr;		/* IPv4 in the first 4 bytes */
	struct in6_addr raddr;
	__be16 lport;
	__be16 rport;
	u8 family;
	u8 pad[3];			/* zero: the key is hashed as u32s */
	int l3index;			/* the VRF (l3mdev master) ifindex, 0 default */
};

/*
 * How far a flow got.  At the table bound the oldest flow of the earliest
 * stage is evicted: a SYN flood's flows never leave the first stage, so a
 * session being set up only competes with them until its peer answers.
 */
enum bmptap_flow_stage {
	BMPTAP_STAGE_SYN,		/* the remote side sent nothing but SYNs */
	BMPTAP_STAGE_OPENING,		/* it did, but not both OPENs went by */
	BMPTAP_STAGE_ESTABLISHED,	/* both OPENs seen: never evicted */
};

struct bmptap_flow_table {
	spinlock_t lock;
	struct hlist_head *buckets;
	struct list_head age;		/* oldest first (= serial order) */
	/* The eviction candidates per stage, oldest first. */
	struct list_head stage[BMPTAP_STAGE_ESTABLISHED];
	u32 seed;
	u32 count;
	u32 peak;			/* most flows held at once */
	u64 next_id;			/* last id given; 64-bit: never wraps */
	u64 next_serial;
};

struct bmptap_flow_dir {
	struct bmptap_stream stream;
	struct bmptap_tcp_side tcp;		/* what the sender of this direction showed */
	struct bmptap_flow *flow;
	u8 dir;				/* enum bmptap_dir */
	bool fin;			/* the sender of this direction sent FIN */
	bool fin_acked;
	u32 fin_seq;			/* sequence number of the FIN */
	u64 messages;
	u64 drops;
	u64 drop_gaps;			/* OVERFLOW/NOMEM gap records */
	u64 nomem;
	u64 bad_csum;
	u64 auth_fail;
	/* Segments of this direction refused as TCP would (tcpwin.h). */
	u64 out_of_window;
	u64 bad_ack;
	u64 rst_ignored;
	u64 fin_ignored;
	u64 wrong_iface;
	int ifindex;			/* forwarded: the interface it arrives on, 0 unknown */
	/* Messages dropped since the last record of this direction. */
	u32 pend_msgs;
	u32 pend_reason;		/* enum bmptap_gap_reason */
	u64 pend_bytes;
	u8 *open;			/* first OPEN of this direction */
	u32 open_len;
};

struct bmptap_flow {
	struct hlist_node hnode;
	struct list_head anode;		/* table->age */
	struct list_head snode;		/* table->stage[stage] until established */
	struct rcu_head rcu;
	struct bmptap_net *bn;
	struct bmptap_key key;
	u32 hash;
	u64 id;
	u64 serial;			/* creation order, for dump cursors */
	bool unlinked;			/* table->lock */
	u8 stage;			/* enum bmptap_flow_stage */
	/*
	 * The direction whose segment created the flow, and whether the other
	 * one answered (at once when the local stack created it): until then
	 * the flow holds no data, emits no record and is not dumped.
	 */
	u8 origin;
	bool answered;
	/*
	 * FLOW_START was queued (or counted lost).  It goes out with the
	 * flow's first record, and FLOW_END only after it: a flow that never
	 * delivers anything (a spoofed SYN answered by a SYN-ACK, then
	 * evicted) queues no record, so a SYN flood cannot spend the queue's
	 * control reserve that reports the gaps of established sessions.
	 */
	bool started;
	bool dead;			/* flow->lock: ended, emits nothing */
	bool pending;			/* some direction has pend_msgs */
	u8 flags;			/* BMPTAP_FLOWF_* */
	s8 fin_first;			/* direction that sent FIN first, or -1 */
	bool has_seq;
	/* Negotiated hold time from both OPENs, seconds; -1 until both seen. */
	s32 hold_time;
	u64 last_seq;			/* seq of the flow's last record */
	u64 start_ns;
	unsigned long last_seen;	/* jiffies */
	struct bmptap_flow *gc_next;	/* expiry list, private to the gc */
	int gc_reason;
	spinlock_t lock;
	struct bmptap_flow_dir d[2];
};

/* One TCP segment, parsed by the hooks. */
struct bmptap_pkt {
	struct sk_buff *skb;
	u32 poff;			/* offset of the TCP payload in skb */
	u32 plen;			/* payload length */
	u8 family;
	u8 hook;			/* NF_INET_* */
	int ifindex;			/* the interface it arrived on, 0 if sent here */
	/*
	 * The L3 domain (VRF ifindex, 0 default) of the sender's side and of
	 * the receiver's: they differ only for sessions forwarded between VRFs.
	 */
	int l3_src;
	int l3_dst;
	bool syn, ack, fin, rst;
	s8 wscale;			/* SYN: window scale option, or -1 */
	u16 window;			/* the window field, unscaled */
	bool bad_csum;
	bool auth_bad;			/* TCP-MD5 says TCP drops it */
	__be16 sport;
	__be16 dport;
	u32 seq;
	u32 ack_seq;
	struct in6_addr saddr;
	struct in6_addr daddr;
	u64 ts_ns;
};

int bmptap_flows_init(struct bmptap_net *bn);
void bmptap_flows_exit(struct bmptap_net *bn);

/* Feed a segment (softirq or process context, under RCU). */
void bmptap_flow_input(struct bmptap_net *bn, const struct bmptap_settings *set,
		       const struct bmptap_pkt *pkt);

/*
 * A connection found established by the helper: create its flow now,
 * flagged MIDSTREAM and DISCOVERED, so it is known before its next segment
 * (process context).  0, -EEXIST (already tapped), -EINVAL (no tapped
 * port), -ENOSPC (table full, nothing evictable) or -ENOMEM.
 */
int bmptap_flow_adopt(struct bmptap_net *bn, const struct bmptap_key *k);

/* Expire idle flows and retry pending records (process context). */
void bmptap_flows_gc(struct bmptap_net *bn);

/* Emit pending drop gaps once the queue has room (process context). */
void bmptap_flows_kick(struct bmptap_net *bn);

/* Sum the counters of the live flows into cnt[] (process context). */
void bmptap_flows_sum(struct bmptap_net *bn, u64 *cnt);

void bmptap_flow_info_fill(const struct bmptap_flow *flow, struct bmptap_flow_info *fi);

/* Counters of one direction, indexed by BMPTAP_CNT_*. */
void bmptap_flow_dir_counters(const struct bmptap_flow_dir *fd, u64 *cnt);

#endif /* BMPTAP_FLOW_H */
