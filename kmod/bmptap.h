/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptap: per-netns state shared by the module's parts.
 */
#ifndef BMPTAP_H
#define BMPTAP_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include <linux/bmptap.h>

#include "flow.h"
#include "queue.h"

/*
 * Defaults of the per-netns settings (changed with BMPTAP_CMD_SET_NETNS):
 * - ports {179}: BGP (RFC 4271).
 * - forward off: only sessions terminated on this host are tapped.
 * - max_flows 4096: far more BGP sessions than a router has; bounds the
 *   memory a SYN flood towards port 179 can make us hold.
 * - queue_bytes 64 MiB: about two full IPv4+IPv6 tables of UPDATEs
 *   (~28 MB each) waiting for a slow helper.
 * - flow_reasm_bytes 1 MiB: unacknowledged or out-of-order bytes held per
 *   flow; covers a typical receive window.
 * - idle_timeout 300 s: longer than any BGP hold time in use (90 s
 *   default, 65535 s allowed but unusual) so live sessions do not expire.
 */
#define BMPTAP_DEF_PORT			179
#define BMPTAP_DEF_MAX_FLOWS		4096
#define BMPTAP_DEF_QUEUE_BYTES		(64U << 20)
#define BMPTAP_DEF_FLOW_REASM_BYTES	(1U << 20)
#define BMPTAP_DEF_IDLE_TIMEOUT		300

/* Accepted ranges. */
#define BMPTAP_MIN_MAX_FLOWS		1
#define BMPTAP_MAX_MAX_FLOWS		(1U << 20)
#define BMPTAP_MIN_QUEUE_BYTES		(1U << 18)	/* a few max-size messages */
#define BMPTAP_MAX_QUEUE_BYTES		(1U << 30)
#define BMPTAP_MIN_FLOW_REASM_BYTES	(1U << 12)
#define BMPTAP_MAX_FLOW_REASM_BYTES	(1U << 28)
#define BMPTAP_MIN_IDLE_TIMEOUT		10
#define BMPTAP_MAX_IDLE_TIMEOUT		(7U * 86400)

/* Reassembly bytes the whole netns may hold (core ops->charge). */
#define BMPTAP_NET_REASM_BUDGET		(32L << 20)

struct bmptap_settings {
	struct rcu_head rcu;
	u16 ports[BMPTAP_MAX_PORTS];	/* host order */
	u32 nports;
	bool forward;
	u32 max_flows;
	u32 queue_bytes;
	u32 flow_reasm_bytes;
	u32 idle_timeout;		/* seconds */
};

struct bmptap_obj;

/*
 * One CPU's share of the netns counters.  u64_stats_sync only costs
 * anything on 32-bit, where a reader could otherwise see half an update.
 */
struct bmptap_pcpu_cnt {
	u64_stats_t v[__BMPTAP_CNT_MAX];
	struct u64_stats_sync syncp;
};

struct bmptap_net {
	struct net *net;
	/* Read under RCU (hooks); replaced under cfg_lock. */
	struct bmptap_settings __rcu *settings;
	/* Serialises configuration: settings, forward hooks, servers, filters. */
	struct mutex cfg_lock;
	struct nf_hook_ops *local_ops;	/* registered from init to exit */
	struct nf_hook_ops *fwd_ops;	/* registered while forward is on */
	bool fwd_on;			/* cfg_lock */
	/*
	 * Netns-only counters plus the counters of flows that have ended;
	 * those of live flows are summed in when read (bmptap_counters_sum).
	 * Per CPU: every tapped segment adds hook_ns, and a shared cache line
	 * would bounce between the CPUs receiving different sessions.
	 */
	struct bmptap_pcpu_cnt __percpu *cnt;
	atomic_long_t reasm_held;	/* bytes charged by the core */
	struct bmptap_flow_table flows;
	struct bmptap_queue queue;
	/*
	 * Set up and cancelled by netlink.c's per-netns init and exit; the
	 * queue schedules it only once a reader armed it (READ).
	 */
	struct work_struct doorbell_work;
	struct delayed_work gc_work;
	/* cfg_lock */
	struct bmptap_obj *servers[BMPTAP_MAX_SERVERS];
	u32 nservers;
	struct bmptap_obj *filters[BMPTAP_MAX_FILTERS];
	u32 nfilters;
};

/*
 * Any context: softirq (LOCAL_IN, FORWARD) or process context with BH
 * enabled (LOCAL_OUT, netlink, gc), which a softirq on the same CPU can
 * interrupt.  Preemption is off so the CPU cannot change under us; on
 * 64-bit the add is one local64_add (a single instruction or an atomic,
 * either way whole against an interrupting softirq), on 32-bit the irqsave
 * variant keeps writers on one CPU from nesting inside the seqcount.
 */
static inline void bmptap_count(struct bmptap_net *bn, int cnt, u64 n)
{
	struct bmptap_pcpu_cnt *c = get_cpu_ptr(bn->cnt);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&c->syncp);
	u64_stats_add(&c->v[cnt], n);
	u64_stats_update_end_irqrestore(&c->syncp, flags);
	put_cpu_ptr(bn->cnt);
}

/* net.c: the per-netns state, set up for every netns while registered. */
int bmptap_net_register(void);
void bmptap_net_unregister(void);
struct bmptap_net *bmptap_net_get(const struct net *net);
/* Add the netns counters, over all possible CPUs, into cnt[]. */
void bmptap_counters_sum(struct bmptap_net *bn, u64 *cnt);

/* auth.c: TCP-MD5 verification of received segments. */
enum bmptap_auth {
	BMPTAP_AUTH_NONE,	/* no key, no option, or nothing to judge by */
	BMPTAP_AUTH_OK,		/* signed with the socket's key */
	BMPTAP_AUTH_BAD,	/* TCP drops it: wrong, missing or unexpected signature */
};
int bmptap_auth_init(void);
void bmptap_auth_exit(void);
enum bmptap_auth bmptap_auth_check(struct net *net, struct sk_buff *skb, u8 family,
				   const struct in6_addr *saddr, const struct in6_addr *daddr,
				   u32 thoff, u32 end);

/* hooks.c */
int bmptap_hooks_init(struct bmptap_net *bn);
void bmptap_hooks_exit(struct bmptap_net *bn);
int bmptap_hooks_set_forward(struct bmptap_net *bn, bool on);

#endif /* BMPTAP_H */
