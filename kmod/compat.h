/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers over kernel API differences.  The BMPTAP_HAVE_* flags come from
 * header probes in kmod/Kbuild, never from version numbers.
 */
#ifndef BMPTAP_COMPAT_H
#define BMPTAP_COMPAT_H

#include <linux/skbuff.h>
#include <linux/ktime.h>
#include <net/genetlink.h>

/* Attributes of the request that started a dump (parsed by genl). */
static inline struct nlattr **bmptap_dump_attrs(struct netlink_callback *cb)
{
#ifdef BMPTAP_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#ifdef BMPTAP_HAVE_GENL_MCAST_CAP
#define BMPTAP_MCGRP_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#else
#define BMPTAP_MCGRP_FLAGS	0
#endif

/*
 * skb->tstamp when it holds CLOCK_REALTIME, else 0.  On output TCP stores
 * its monotonic departure time there, which is no wall-clock time.
 */
static inline u64 bmptap_skb_tstamp_real(const struct sk_buff *skb)
{
	if (!skb->tstamp)
		return 0;
#if defined(BMPTAP_HAVE_SKB_TSTAMP_TYPE)
	if (skb->tstamp_type != SKB_CLOCK_REALTIME)
		return 0;
#elif defined(BMPTAP_HAVE_SKB_MONO_DELIVERY_TIME)
	if (skb->mono_delivery_time)
		return 0;
#endif
	return ktime_to_ns(skb->tstamp);
}

#ifndef BMPTAP_HAVE_NLA_STRSCPY
#define nla_strscpy	nla_strlcpy	/* renamed in 5.11; the result is unused here */
#endif

#ifndef GENL_REQ_ATTR_CHECK
/* A required attribute: true, with the error set, when it is missing. */
#define GENL_REQ_ATTR_CHECK(info, attr) ({				\
	bool __missing = !(info)->attrs[attr];				\
									\
	if (__missing)							\
		NL_SET_ERR_MSG((info)->extack, "missing required attribute"); \
	__missing;							\
})
#endif

/*
 * The established-hash lookups took the table as their second argument
 * until the table moved into struct net; as a macro so that the argument
 * vanishes, with its comma, where it is gone.
 */
#ifdef BMPTAP_HAVE_LOOKUP_HASHINFO
#define BMPTAP_EHASH(net)	(net)->ipv4.tcp_death_row.hashinfo,
#else
#define BMPTAP_EHASH(net)
#endif

/*
 * The L3 domain of a device: the ifindex of its VRF (l3mdev master), its
 * own if it is one, 0 in the default VRF.  Under RCU.
 */
#ifdef BMPTAP_HAVE_L3MDEV_IFINDEX
#include <net/l3mdev.h>

static inline int bmptap_l3_domain(const struct net_device *dev)
{
	return dev ? l3mdev_master_ifindex_rcu(dev) : 0;
}

static inline int bmptap_l3_domain_by_index(struct net *net, int ifindex)
{
	return l3mdev_master_ifindex_by_index(net, ifindex);
}
#else
static inline int bmptap_l3_domain(const struct net_device *dev)
{
	return 0;
}

static inline int bmptap_l3_domain_by_index(struct net *net, int ifindex)
{
	return 0;
}
#endif

#endif /* BMPTAP_COMPAT_H */
