// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap: netfilter hooks.  They parse TCP segments to or from the
 * configured ports and hand them to the flow table.  They always return
 * NF_ACCEPT, never sleep and never change the packet's data.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <linux/sched/clock.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/dst.h>

#include "bmptap.h"
#include "compat.h"

/* Parse the IPv4 header: 0 and pkt->poff at the TCP header, or -1. */
static int parse_ipv4(struct bmptap_net *bn, struct sk_buff *skb,
		      struct bmptap_pkt *pkt, u32 *end)
{
	u32 nhoff = skb_network_offset(skb);
	struct iphdr _iph;
	const struct iphdr *iph;
	u32 tot;

	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5 || iph->protocol != IPPROTO_TCP)
		return -1;
	/* Without conntrack, FORWARD sees fragments: no TCP stream in them. */
	if (iph->frag_off & htons(IP_MF | IP_OFFSET)) {
		bmptap_count(bn, BMPTAP_CNT_FRAGMENTS, 1);
		return -1;
	}
	/* tot_len is 0 in BIG TCP packets: then skb->len tells. */
	tot = ntohs(iph->tot_len);
	*end = skb->len;
	if (tot && nhoff + tot < *end)
		*end = nhoff + tot;
	pkt->poff = nhoff + iph->ihl * 4;
	pkt->family = AF_INET;
	memset(&pkt->saddr, 0, sizeof(pkt->saddr));
	memset(&pkt->daddr, 0, sizeof(pkt->daddr));
	memcpy(&pkt->saddr, &iph->saddr, sizeof(iph->saddr));
	memcpy(&pkt->daddr, &iph->daddr, sizeof(iph->daddr));
	return 0;
}

/*
 * An atomic fragment (offset 0, no more fragments: RFC 6946) is a whole
 * packet that the stack takes as one, whatever its fragment header says;
 * the tap must see what TCP sees.  ipv6_find_hdr() reports the offset but
 * not the M flag.
 */
static bool ipv6_atomic_fragment(const struct sk_buff *skb, unsigned short fragoff)
{
	unsigned int fhoff = 0;
	struct frag_hdr _fh;
	const struct frag_hdr *fh;

	if (fragoff || ipv6_find_hdr(skb, &fhoff, NEXTHDR_FRAGMENT, NULL, NULL) < 0)
		return false;
	fh = skb_header_pointer(skb, fhoff, sizeof(_fh), &_fh);
	return fh && !(fh->frag_off & htons(IP6_OFFSET | IP6_MF));
}

static int parse_ipv6(struct bmptap_net *bn, struct sk_buff *skb,
		      struct bmptap_pkt *pkt, u32 *end)
{
	u32 nhoff = skb_network_offset(skb);
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	unsigned int thoff = 0;
	unsigned short fragoff = 0;
	int fragflg = 0;
	u32 plen;
	int proto;

	ip6h = skb_header_pointer(skb, nhoff, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return -1;
	proto = ipv6_find_hdr(skb, &thoff, IPPROTO_TCP, &fragoff, &fragflg);
	if ((fragflg & IP6_FH_F_FRAG) && !ipv6_atomic_fragment(skb, fragoff)) {
		/* Later fragments hide their protocol: only first ones count. */
		if (proto == IPPROTO_TCP)
			bmptap_count(bn, BMPTAP_CNT_FRAGMENTS, 1);
		return -1;
	}
	if (proto != IPPROTO_TCP)
		return -1;
	plen = ntohs(ip6h->payload_len);
	*end = skb->len;
	if (plen && nhoff + sizeof(*ip6h) + plen < *end)
		*end = nhoff + sizeof(*ip6h) + plen;
	pkt->poff = thoff;
	pkt->family = AF_INET6;
	pkt->saddr = ip6h->saddr;
	pkt->daddr = ip6h->daddr;
	return 0;
}

static bool port_match(const struct bmptap_settings *set, __be16 sport, __be16 dport)
{
	u16 s = ntohs(sport), d = ntohs(dport);
	u32 i;

	for (i = 0; i < set->nports; i++)
		if (set->ports[i] == s || set->ports[i] == d)
			return true;
	return false;
}

/*
 * Received segments are checked before TCP does it, so the tap can skip
 * those TCP will drop.  Checksums already verified (UNNECESSARY) or to be
 * filled in (PARTIAL: GRO packets, whose parts GRO checked) are trusted.
 * nf_checksum() may cache the result in the skb, as conntrack does.
 */
static bool csum_bad(struct sk_buff *skb, const struct nf_hook_state *state,
		     u32 thoff, u8 family)
{
	if (state->hook == NF_INET_LOCAL_OUT)
		return false;
	if (skb->ip_summed == CHECKSUM_UNNECESSARY || skb->ip_summed == CHECKSUM_PARTIAL)
		return false;
	return nf_checksum(skb, state->hook, thoff, IPPROTO_TCP, family) != 0;
}

/* The window scale option of a SYN (RFC 7323), or -1. */
static s8 syn_wscale(const struct sk_buff *skb, u32 thoff, u32 doff)
{
	u8 buf[MAX_TCP_OPTION_SPACE];
	const u8 *opt;
	u32 len = doff - sizeof(struct tcphdr), i = 0;

	opt = skb_header_pointer(skb, thoff + sizeof(struct tcphdr), len, buf);
	if (!opt)
		return -1;
	while (i < len) {
		if (opt[i] == TCPOPT_EOL)
			break;
		if (opt[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] == TCPOPT_WINDOW && opt[i + 1] == TCPOLEN_WINDOW)
			return min_t(u8, opt[i + 2], 14);	/* RFC 7323: at most 14 */
		i += opt[i + 1];
	}
	return -1;
}

/*
 * The headers every TCP packet pays for: IP, TCP, the port match.  Returns
 * the TCP header of a segment to or from a tapped port, or NULL.
 */
static const struct tcphdr *bmptap_match(struct bmptap_net *bn, struct sk_buff *skb,
					 const struct nf_hook_state *state,
					 const struct bmptap_settings *set,
					 struct bmptap_pkt *pkt, u32 *end, struct tcphdr *buf)
{
	const struct tcphdr *th;
	int ret;

	if (state->pf == NFPROTO_IPV4)
		ret = parse_ipv4(bn, skb, pkt, end);
	else
		ret = parse_ipv6(bn, skb, pkt, end);
	if (ret)
		return NULL;
	th = skb_header_pointer(skb, pkt->poff, sizeof(*buf), buf);
	if (!th || !port_match(set, th->source, th->dest))
		return NULL;
	return th;
}

/* A segment of a tapped port: everything the tap adds for it. */
static void bmptap_tap(struct bmptap_net *bn, struct sk_buff *skb,
		       const struct nf_hook_state *state, const struct bmptap_settings *set,
		       struct bmptap_pkt *pkt, const struct tcphdr *th, u32 end)
{
	u32 thoff = pkt->poff, doff = th->doff * 4;

	if (doff < sizeof(*th) || thoff + doff > end)
		return;
	pkt->skb = skb;
	pkt->hook = state->hook;
	pkt->ifindex = state->in ? state->in->ifindex : 0;
	/* Received: the device it came in on; sent: the one it leaves by. */
	pkt->l3_src = bmptap_l3_domain(state->in ? state->in : state->out);
	pkt->l3_dst = bmptap_l3_domain(state->out ? state->out : state->in);
	pkt->poff = thoff + doff;
	pkt->plen = end - pkt->poff;
	pkt->sport = th->source;
	pkt->dport = th->dest;
	pkt->seq = ntohl(th->seq);
	pkt->ack_seq = ntohl(th->ack_seq);
	pkt->syn = th->syn;
	pkt->ack = th->ack;
	pkt->fin = th->fin;
	pkt->rst = th->rst;
	pkt->window = ntohs(th->window);
	pkt->wscale = th->syn ? syn_wscale(skb, thoff, doff) : -1;
	pkt->bad_csum = csum_bad(skb, state, thoff, pkt->family);
	/*
	 * TCP-MD5: a forged segment that TCP will drop must not reach the
	 * streams, where it could win over the real copy of the same bytes
	 * or move the other direction's ACK (see auth.c).
	 */
	pkt->auth_bad = !pkt->bad_csum && state->hook == NF_INET_LOCAL_IN &&
			bmptap_auth_check(bn->net, skb, pkt->family, &pkt->saddr, &pkt->daddr,
					  thoff, end) == BMPTAP_AUTH_BAD;
	pkt->ts_ns = bmptap_skb_tstamp_real(skb);
	if (!pkt->ts_ns)
		pkt->ts_ns = ktime_get_real_ns();
	bmptap_flow_input(bn, set, pkt);
}

/*
 * A socket's output in a VRF passes LOCAL_OUT twice: the VRF driver runs
 * the hook with the VRF device as the output device while the skb's route
 * still names the real one (drivers/net/vrf.c, vrf_ip_out_direct()), then
 * the stack runs it with the real device.  The tap takes the second pass
 * only, so a segment is seen once.  (With a qdisc on the VRF device the
 * driver reroutes through it instead and both passes name the VRF device
 * in turn: the copy is then counted as a retransmission, data unchanged.)
 */
static bool vrf_first_pass(const struct sk_buff *skb, const struct nf_hook_state *state)
{
	const struct dst_entry *dst = skb_dst(skb);

	return state->hook == NF_INET_LOCAL_OUT && state->out &&
	       netif_is_l3_master(state->out) && dst && dst->dev != state->out;
}

static unsigned int bmptap_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct bmptap_net *bn = priv;
	const struct bmptap_settings *set;
	const struct tcphdr *th;
	struct bmptap_pkt pkt;
	struct tcphdr buf;
	u32 end;
	u64 t0;

	if (vrf_first_pass(skb, state))
		return NF_ACCEPT;
	/* Hooks run under rcu_read_lock(). */
	set = rcu_dereference(bn->settings);
	th = bmptap_match(bn, skb, state, set, &pkt, &end, &buf);
	if (!th)
		return NF_ACCEPT;
	/*
	 * The tap's own CPU cost of tapped segments, for the operator and the
	 * benchmark (hook_ns): checksum and TCP-MD5 checks, the time stamp,
	 * the flow's reassembly, framing and records.  Other packets pay no
	 * clock read; the header parsing before the port match, which every
	 * TCP packet pays, is not in it.
	 */
	t0 = local_clock();
	bmptap_tap(bn, skb, state, set, &pkt, th, end);
	bmptap_count(bn, BMPTAP_CNT_HOOK_NS, local_clock() - t0);
	return NF_ACCEPT;
}

/* Late: after filtering, so dropped packets are not tapped. */
#define BMPTAP_PRI4	(NF_IP_PRI_LAST - 1)
#define BMPTAP_PRI6	(NF_IP6_PRI_LAST - 1)

static const struct nf_hook_ops bmptap_local_ops[] = {
	{ .hook = bmptap_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN,
	  .priority = BMPTAP_PRI4 },
	{ .hook = bmptap_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_OUT,
	  .priority = BMPTAP_PRI4 },
	{ .hook = bmptap_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN,
	  .priority = BMPTAP_PRI6 },
	{ .hook = bmptap_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_OUT,
	  .priority = BMPTAP_PRI6 },
};

static const struct nf_hook_ops bmptap_fwd_ops[] = {
	{ .hook = bmptap_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_FORWARD,
	  .priority = BMPTAP_PRI4 },
	{ .hook = bmptap_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_FORWARD,
	  .priority = BMPTAP_PRI6 },
};

static struct nf_hook_ops *hooks_dup(struct bmptap_net *bn,
				     const struct nf_hook_ops *tmpl, size_t n)
{
	struct nf_hook_ops *ops;
	size_t i;

	ops = kmemdup(tmpl, n * sizeof(*tmpl), GFP_KERNEL);
	if (!ops)
		return NULL;
	for (i = 0; i < n; i++)
		ops[i].priv = bn;
	return ops;
}

int bmptap_hooks_init(struct bmptap_net *bn)
{
	int err;

	bn->local_ops = hooks_dup(bn, bmptap_local_ops, ARRAY_SIZE(bmptap_local_ops));
	if (!bn->local_ops)
		return -ENOMEM;
	bn->fwd_ops = hooks_dup(bn, bmptap_fwd_ops, ARRAY_SIZE(bmptap_fwd_ops));
	if (!bn->fwd_ops) {
		err = -ENOMEM;
		goto err_local;
	}
	err = nf_register_net_hooks(bn->net, bn->local_ops, ARRAY_SIZE(bmptap_local_ops));
	if (err)
		goto err_fwd;
	bn->fwd_on = false;
	return 0;

err_fwd:
	kfree(bn->fwd_ops);
	bn->fwd_ops = NULL;
err_local:
	kfree(bn->local_ops);
	bn->local_ops = NULL;
	return err;
}

/* Unregistering waits for hooks still running (synchronize_net()). */
void bmptap_hooks_exit(struct bmptap_net *bn)
{
	mutex_lock(&bn->cfg_lock);
	if (bn->fwd_on)
		nf_unregister_net_hooks(bn->net, bn->fwd_ops, ARRAY_SIZE(bmptap_fwd_ops));
	bn->fwd_on = false;
	mutex_unlock(&bn->cfg_lock);
	nf_unregister_net_hooks(bn->net, bn->local_ops, ARRAY_SIZE(bmptap_local_ops));
	kfree(bn->fwd_ops);
	kfree(bn->local_ops);
	bn->fwd_ops = NULL;
	bn->local_ops = NULL;
}

/* Process context, bn->cfg_lock held. */
int bmptap_hooks_set_forward(struct bmptap_net *bn, bool on)
{
	int err = 0;

	lockdep_assert_held(&bn->cfg_lock);
	if (on == bn->fwd_on)
		return 0;
	if (on)
		err = nf_register_net_hooks(bn->net, bn->fwd_ops, ARRAY_SIZE(bmptap_fwd_ops));
	else
		nf_unregister_net_hooks(bn->net, bn->fwd_ops, ARRAY_SIZE(bmptap_fwd_ops));
	if (!err)
		bn->fwd_on = on;
	return err;
}
