// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap: the "bmptap" generic netlink family (see include/uapi/linux/bmptap.h).
 * Every op needs CAP_NET_ADMIN and works on the caller's netns.
 */
#include <linux/ctype.h>
#include <linux/inet.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "bmptap.h"
#include "compat.h"
#include "netlink.h"

enum bmptap_mcgrp {
	BMPTAP_GRP_EVENTS,
	BMPTAP_GRP_CONFIG,
};

/*
 * A stored config object (BMP server, import filter): the validated nest
 * the helper reads back, under a unique key.
 */
struct bmptap_obj {
	char key[BMPTAP_SERVER_ADDRESS_MAX + 1];	/* server address, filter name */
	u16 port;					/* servers; 0 for filters */
	u32 len;
	u8 data[];
};

enum bmptap_obj_kind { BMPTAP_OBJ_SERVER, BMPTAP_OBJ_FILTER };

static const struct {
	u8 get_cmd;
	u16 attr;
	u32 max;
} bmptap_obj_kinds[] = {
	[BMPTAP_OBJ_SERVER] = { BMPTAP_CMD_GET_SERVER, BMPTAP_A_SERVER, BMPTAP_MAX_SERVERS },
	[BMPTAP_OBJ_FILTER] = { BMPTAP_CMD_GET_FILTER, BMPTAP_A_FILTER, BMPTAP_MAX_FILTERS },
};

struct bmptap_flow_cursor {
	u64 serial;		/* next flow to dump */
	u64 id;			/* only this flow, if not 0 */
};
static_assert(sizeof(struct bmptap_flow_cursor) <= sizeof_field(struct netlink_callback, ctx));

static struct genl_family bmptap_family;

/* ---- policies ---- */

static struct netlink_range_validation bmptap_range_max_flows = {
	.min = BMPTAP_MIN_MAX_FLOWS, .max = BMPTAP_MAX_MAX_FLOWS,
};

static struct netlink_range_validation bmptap_range_queue_bytes = {
	.min = BMPTAP_MIN_QUEUE_BYTES, .max = BMPTAP_MAX_QUEUE_BYTES,
};

static struct netlink_range_validation bmptap_range_reasm_bytes = {
	.min = BMPTAP_MIN_FLOW_REASM_BYTES, .max = BMPTAP_MAX_FLOW_REASM_BYTES,
};

static struct netlink_range_validation bmptap_range_idle = {
	.min = BMPTAP_MIN_IDLE_TIMEOUT, .max = BMPTAP_MAX_IDLE_TIMEOUT,
};

static struct netlink_range_validation bmptap_range_stats = {
	.min = 0, .max = U16_MAX,
};

/* Any non-zero set of the family bits (past s16: NLA_POLICY_RANGE cannot). */
static struct netlink_range_validation bmptap_range_families = {
	.min = 1, .max = BMPTAP_FAMILY_ALL,
};

/* Read-only attributes are rejected in requests. */
static const struct nla_policy bmptap_netns_policy[BMPTAP_NETNS_MAX + 1] = {
	[BMPTAP_NETNS_PORTS] = { .type = NLA_BINARY,
				 .len = BMPTAP_MAX_PORTS * sizeof(u16) },
	[BMPTAP_NETNS_FORWARD] = NLA_POLICY_MAX(NLA_U8, 1),
	[BMPTAP_NETNS_MAX_FLOWS] = NLA_POLICY_FULL_RANGE(NLA_U32, &bmptap_range_max_flows),
	[BMPTAP_NETNS_QUEUE_BYTES] = NLA_POLICY_FULL_RANGE(NLA_U32, &bmptap_range_queue_bytes),
	[BMPTAP_NETNS_FLOW_REASM_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &bmptap_range_reasm_bytes),
	[BMPTAP_NETNS_IDLE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &bmptap_range_idle),
	[BMPTAP_NETNS_COUNTERS] = { .type = NLA_REJECT },
	[BMPTAP_NETNS_FLOWS] = { .type = NLA_REJECT },
	[BMPTAP_NETNS_QUEUED_BYTES] = { .type = NLA_REJECT },
	[BMPTAP_NETNS_QUEUED_RECORDS] = { .type = NLA_REJECT },
	[BMPTAP_NETNS_NEXT_SEQ] = { .type = NLA_REJECT },
	[BMPTAP_NETNS_QUEUE_EPOCH] = { .type = NLA_REJECT },
	[BMPTAP_NETNS_ACKED_SEQ] = { .type = NLA_REJECT },
};

/* In GET_FLOW requests: FLOW_ID selects one flow. */
static const struct nla_policy bmptap_flow_policy[BMPTAP_FLOW_MAX + 1] = {
	[BMPTAP_FLOW_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[BMPTAP_FLOW_INFO] = { .type = NLA_REJECT },
	[BMPTAP_FLOW_OPEN_RX] = { .type = NLA_REJECT },
	[BMPTAP_FLOW_OPEN_TX] = { .type = NLA_REJECT },
	[BMPTAP_FLOW_COUNTERS_RX] = { .type = NLA_REJECT },
	[BMPTAP_FLOW_COUNTERS_TX] = { .type = NLA_REJECT },
	[BMPTAP_FLOW_LAST_SEQ] = { .type = NLA_REJECT },
};

static const struct nla_policy bmptap_server_policy[BMPTAP_SERVER_MAX + 1] = {
	[BMPTAP_SERVER_ADDRESS] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_ADDRESS_MAX },
	[BMPTAP_SERVER_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[BMPTAP_SERVER_POLICY] = NLA_POLICY_MASK(NLA_U32,
						 BMPTAP_POLICY_ALL | BMPTAP_POLICY_ADJ_OUT),
	[BMPTAP_SERVER_STATS_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &bmptap_range_stats),
	[BMPTAP_SERVER_MIRRORING] = NLA_POLICY_MAX(NLA_U8, 1),
	[BMPTAP_SERVER_SYS_NAME] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_STRING_MAX },
	[BMPTAP_SERVER_SYS_DESCR] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_STRING_MAX },
	[BMPTAP_SERVER_PASSIVE] = NLA_POLICY_MAX(NLA_U8, 1),
	[BMPTAP_SERVER_ALLOW] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_STRING_MAX },
	[BMPTAP_SERVER_FAMILIES] = NLA_POLICY_FULL_RANGE(NLA_U32, &bmptap_range_families),
	[BMPTAP_SERVER_PEERS] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_STRING_MAX },
	[BMPTAP_SERVER_REPLAY_RATE] = { .type = NLA_U32 },
	[BMPTAP_SERVER_SOURCE] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_SOURCE_MAX },
	[BMPTAP_SERVER_DSCP] = NLA_POLICY_MAX(NLA_U8, BMPTAP_DSCP_MAX),
	[BMPTAP_SERVER_TLS] = NLA_POLICY_MAX(NLA_U8, 1),
	[BMPTAP_SERVER_TLS_CA_FILE] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_STRING_MAX },
	[BMPTAP_SERVER_TLS_CERT_FILE] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_STRING_MAX },
	[BMPTAP_SERVER_TLS_KEY_FILE] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_STRING_MAX },
	[BMPTAP_SERVER_TLS_NAME] = { .type = NLA_NUL_STRING, .len = BMPTAP_SERVER_STRING_MAX },
};

static const struct nla_policy bmptap_filter_policy[BMPTAP_FILTER_MAX + 1] = {
	[BMPTAP_FILTER_NAME] = { .type = NLA_NUL_STRING, .len = BMPTAP_FILTER_NAME_MAX },
	[BMPTAP_FILTER_KIND] = NLA_POLICY_RANGE(NLA_U8, BMPTAP_FILTER_KIND_PREFIX,
						BMPTAP_FILTER_KIND_COMMUNITY),
	[BMPTAP_FILTER_FAMILY] = { .type = NLA_U8 },
	[BMPTAP_FILTER_PREFIX] = { .type = NLA_BINARY, .len = 16 },
	[BMPTAP_FILTER_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[BMPTAP_FILTER_GE] = NLA_POLICY_MAX(NLA_U8, 128),
	[BMPTAP_FILTER_LE] = NLA_POLICY_MAX(NLA_U8, 128),
	[BMPTAP_FILTER_MAX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[BMPTAP_FILTER_ASN] = { .type = NLA_U32 },
	[BMPTAP_FILTER_COMMUNITY] = { .type = NLA_U32 },
};

/* Lengths against FAMILY are checked by bmptap_new_flow(). */
static const struct nla_policy bmptap_new_flow_policy[BMPTAP_NEW_FLOW_MAX + 1] = {
	[BMPTAP_NEW_FLOW_FAMILY] = { .type = NLA_U8 },
	[BMPTAP_NEW_FLOW_LOCAL_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[BMPTAP_NEW_FLOW_REMOTE_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[BMPTAP_NEW_FLOW_LOCAL_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[BMPTAP_NEW_FLOW_REMOTE_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[BMPTAP_NEW_FLOW_IFINDEX] = { .type = NLA_U32 },
};

static const struct nla_policy bmptap_policy[BMPTAP_A_MAX + 1] = {
	[BMPTAP_A_NETNS] = NLA_POLICY_NESTED(bmptap_netns_policy),
	[BMPTAP_A_FLOW] = NLA_POLICY_NESTED(bmptap_flow_policy),
	[BMPTAP_A_SERVER] = NLA_POLICY_NESTED(bmptap_server_policy),
	[BMPTAP_A_QUEUED] = { .type = NLA_REJECT },
	[BMPTAP_A_FILTER] = NLA_POLICY_NESTED(bmptap_filter_policy),
	[BMPTAP_A_NEW_FLOW] = NLA_POLICY_NESTED(bmptap_new_flow_policy),
	[BMPTAP_A_ACK_SEQ] = { .type = NLA_U64 },
};

/* ---- helpers ---- */

static struct bmptap_net *info_bn(struct genl_info *info)
{
	return bmptap_net_get(genl_info_net(info));
}

static struct bmptap_net *cb_bn(struct netlink_callback *cb)
{
	return bmptap_net_get(sock_net(cb->skb->sk));
}

static void bmptap_notify(struct bmptap_net *bn, u8 cmd, enum bmptap_mcgrp grp, u64 queued)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&bmptap_family, bn->net, grp))
		return;
	msg = genlmsg_new(nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &bmptap_family, 0, cmd);
	if (!hdr)
		goto err;
	if (cmd == BMPTAP_CMD_DOORBELL &&
	    nla_put_u64_64bit(msg, BMPTAP_A_QUEUED, queued, BMPTAP_A_PAD))
		goto err;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&bmptap_family, bn->net, msg, 0, grp, GFP_KERNEL);
	return;
err:
	nlmsg_free(msg);
}

static void bmptap_doorbell_work(struct work_struct *work)
{
	struct bmptap_net *bn = container_of(work, struct bmptap_net, doorbell_work);
	struct bmptap_queue_info qi;

	bmptap_queue_stats(&bn->queue, &qi);
	bmptap_notify(bn, BMPTAP_CMD_DOORBELL, BMPTAP_GRP_EVENTS, qi.records);
}

static int put_counters(struct sk_buff *skb, int attrtype, const u64 *cnt, int last)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	for (i = BMPTAP_CNT_SEGMENTS; i <= last; i++)
		if (nla_put_u64_64bit(skb, i, cnt[i], BMPTAP_CNT_PAD))
			goto err;
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* ---- GET_NETNS / SET_NETNS ---- */

static int fill_netns(struct sk_buff *skb, struct bmptap_net *bn)
{
	u64 cnt[__BMPTAP_CNT_MAX] = {};
	const struct bmptap_settings *cur;
	struct bmptap_settings set;
	struct bmptap_queue_info qi;
	struct nlattr *nest;

	rcu_read_lock();
	cur = rcu_dereference(bn->settings);
	memcpy(&set, cur, sizeof(set));
	rcu_read_unlock();
	bmptap_counters_sum(bn, cnt);
	bmptap_flows_sum(bn, cnt);
	/* A high-water mark, not a sum: kept by the table itself. */
	cnt[BMPTAP_CNT_FLOWS_PEAK] = READ_ONCE(bn->flows.peak);
	bmptap_queue_stats(&bn->queue, &qi);

	nest = nla_nest_start(skb, BMPTAP_A_NETNS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, BMPTAP_NETNS_PORTS, set.nports * sizeof(u16), set.ports) ||
	    nla_put_u8(skb, BMPTAP_NETNS_FORWARD, set.forward) ||
	    nla_put_u32(skb, BMPTAP_NETNS_MAX_FLOWS, set.max_flows) ||
	    nla_put_u32(skb, BMPTAP_NETNS_QUEUE_BYTES, set.queue_bytes) ||
	    nla_put_u32(skb, BMPTAP_NETNS_FLOW_REASM_BYTES, set.flow_reasm_bytes) ||
	    nla_put_u32(skb, BMPTAP_NETNS_IDLE_TIMEOUT, set.idle_timeout) ||
	    put_counters(skb, BMPTAP_NETNS_COUNTERS, cnt, BMPTAP_CNT_MAX) ||
	    nla_put_u32(skb, BMPTAP_NETNS_FLOWS, READ_ONCE(bn->flows.count)) ||
	    nla_put_u64_64bit(skb, BMPTAP_NETNS_QUEUED_BYTES, qi.bytes, BMPTAP_NETNS_PAD) ||
	    nla_put_u64_64bit(skb, BMPTAP_NETNS_QUEUED_RECORDS, qi.records, BMPTAP_NETNS_PAD) ||
	    nla_put_u64_64bit(skb, BMPTAP_NETNS_NEXT_SEQ, qi.next_seq, BMPTAP_NETNS_PAD) ||
	    nla_put_u64_64bit(skb, BMPTAP_NETNS_QUEUE_EPOCH, qi.epoch, BMPTAP_NETNS_PAD) ||
	    nla_put_u64_64bit(skb, BMPTAP_NETNS_ACKED_SEQ, qi.acked, BMPTAP_NETNS_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int bmptap_get_netns(struct sk_buff *skb, struct genl_info *info)
{
	struct bmptap_net *bn = info_bn(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &bmptap_family, 0, BMPTAP_CMD_GET_NETNS);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err;
	}
	err = fill_netns(msg, bn);
	if (err)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return err;
}

/* Validate the PORTS attribute into set; everything else the policy did. */
static int parse_ports(const struct nlattr *attr, struct bmptap_settings *set,
		       struct netlink_ext_ack *extack)
{
	u32 len = nla_len(attr);
	u16 ports[BMPTAP_MAX_PORTS];
	u32 i, n;

	if (!len || len % sizeof(u16)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "ports: 1 to 8 u16 values expected");
		return -EINVAL;
	}
	n = len / sizeof(u16);
	memcpy(ports, nla_data(attr), len);
	for (i = 0; i < n; i++) {
		if (!ports[i]) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "port 0 is invalid");
			return -EINVAL;
		}
	}
	memset(set->ports, 0, sizeof(set->ports));
	memcpy(set->ports, ports, len);
	set->nports = n;
	return 0;
}

/*
 * The one nested attribute a command is about: missing, the error names it
 * through the extack's missing-attribute TLV.
 */
static int parse_required_nest(struct genl_info *info, int type, int maxtype,
			       const struct nla_policy *policy, struct nlattr **tb)
{
	if (GENL_REQ_ATTR_CHECK(info, type)) {
		NL_SET_ERR_MSG(info->extack, "required nested attribute missing");
		return -EINVAL;
	}
	return nla_parse_nested(tb, maxtype, info->attrs[type], policy, info->extack);
}

static int bmptap_set_netns(struct sk_buff *skb, struct genl_info *info)
{
	struct bmptap_net *bn = info_bn(info);
	struct nlattr *tb[BMPTAP_NETNS_MAX + 1];
	struct bmptap_settings *old, *set;
	int err;

	err = parse_required_nest(info, BMPTAP_A_NETNS, BMPTAP_NETNS_MAX,
				  bmptap_netns_policy, tb);
	if (err)
		return err;

	mutex_lock(&bn->cfg_lock);
	old = rcu_dereference_protected(bn->settings, lockdep_is_held(&bn->cfg_lock));
	set = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!set) {
		err = -ENOMEM;
		goto out;
	}
	if (tb[BMPTAP_NETNS_PORTS]) {
		err = parse_ports(tb[BMPTAP_NETNS_PORTS], set, info->extack);
		if (err)
			goto err_free;
	}
	if (tb[BMPTAP_NETNS_FORWARD])
		set->forward = nla_get_u8(tb[BMPTAP_NETNS_FORWARD]);
	if (tb[BMPTAP_NETNS_MAX_FLOWS])
		set->max_flows = nla_get_u32(tb[BMPTAP_NETNS_MAX_FLOWS]);
	if (tb[BMPTAP_NETNS_QUEUE_BYTES])
		set->queue_bytes = nla_get_u32(tb[BMPTAP_NETNS_QUEUE_BYTES]);
	if (tb[BMPTAP_NETNS_FLOW_REASM_BYTES])
		set->flow_reasm_bytes = nla_get_u32(tb[BMPTAP_NETNS_FLOW_REASM_BYTES]);
	if (tb[BMPTAP_NETNS_IDLE_TIMEOUT])
		set->idle_timeout = nla_get_u32(tb[BMPTAP_NETNS_IDLE_TIMEOUT]);

	/* The only step that can fail: do it before changing anything. */
	err = bmptap_hooks_set_forward(bn, set->forward);
	if (err) {
		NL_SET_ERR_MSG(info->extack, "cannot register the forward hooks");
		goto err_free;
	}
	rcu_assign_pointer(bn->settings, set);
	bmptap_queue_set_limit(&bn->queue, set->queue_bytes);
	kfree_rcu(old, rcu);
	mutex_unlock(&bn->cfg_lock);
	bmptap_notify(bn, BMPTAP_CMD_CONFIG_CHANGED, BMPTAP_GRP_CONFIG, 0);
	return 0;

err_free:
	kfree(set);
out:
	mutex_unlock(&bn->cfg_lock);
	return err;
}

/* ---- GET_FLOW ---- */

static int bmptap_flow_start(struct netlink_callback *cb)
{
	struct bmptap_flow_cursor *cur = (void *)cb->ctx;
	struct nlattr **attrs = bmptap_dump_attrs(cb);
	struct nlattr *tb[BMPTAP_FLOW_MAX + 1];
	int err;

	memset(cur, 0, sizeof(*cur));
	/* Two OPENs of up to 4 KiB and the counters fit in one message. */
	cb->min_dump_alloc = max_t(u32, cb->min_dump_alloc, 16384);
	if (!attrs || !attrs[BMPTAP_A_FLOW])
		return 0;
	err = nla_parse_nested(tb, BMPTAP_FLOW_MAX, attrs[BMPTAP_A_FLOW],
			       bmptap_flow_policy, cb->extack);
	if (err)
		return err;
	if (tb[BMPTAP_FLOW_ID])
		cur->id = nla_get_u64(tb[BMPTAP_FLOW_ID]);
	return 0;
}

static int fill_flow_dir(struct sk_buff *skb, const struct bmptap_flow_dir *fd,
			 int open_attr, int cnt_attr)
{
	u64 cnt[__BMPTAP_CNT_MAX] = {};

	if (fd->open && nla_put(skb, open_attr, fd->open_len, fd->open))
		return -EMSGSIZE;
	bmptap_flow_dir_counters(fd, cnt);
	return put_counters(skb, cnt_attr, cnt, BMPTAP_CNT_NOMEM);
}

/* One message per flow; flow->lock held. */
static int fill_flow(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct bmptap_flow *flow)
{
	struct bmptap_flow_info fi;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &bmptap_family, NLM_F_MULTI, BMPTAP_CMD_GET_FLOW);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, BMPTAP_A_FLOW);
	if (!nest)
		goto err;
	bmptap_flow_info_fill(flow, &fi);
	if (nla_put_u64_64bit(skb, BMPTAP_FLOW_ID, flow->id, BMPTAP_FLOW_PAD) ||
	    nla_put(skb, BMPTAP_FLOW_INFO, sizeof(fi), &fi) ||
	    fill_flow_dir(skb, &flow->d[BMPTAP_DIR_RX], BMPTAP_FLOW_OPEN_RX,
			  BMPTAP_FLOW_COUNTERS_RX) ||
	    fill_flow_dir(skb, &flow->d[BMPTAP_DIR_TX], BMPTAP_FLOW_OPEN_TX,
			  BMPTAP_FLOW_COUNTERS_TX))
		goto err;
	if (flow->has_seq &&
	    nla_put_u64_64bit(skb, BMPTAP_FLOW_LAST_SEQ, flow->last_seq, BMPTAP_FLOW_PAD))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int bmptap_flow_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bmptap_flow_cursor *cur = (void *)cb->ctx;
	struct bmptap_net *bn = cb_bn(cb);
	struct bmptap_flow *flow;
	int err = 0;

	/* The age list is in serial order: resume after the last flow sent. */
	rcu_read_lock();
	list_for_each_entry_rcu(flow, &bn->flows.age, anode) {
		if (flow->serial < cur->serial || (cur->id && flow->id != cur->id))
			continue;
		spin_lock_bh(&flow->lock);
		/* Unanswered flows are not shown: nothing confirmed them yet. */
		if (!flow->dead && flow->answered)
			err = fill_flow(skb, cb, flow);
		spin_unlock_bh(&flow->lock);
		if (err)
			break;
		cur->serial = flow->serial + 1;
	}
	rcu_read_unlock();
	return skb->len;
}

/* ---- READ ---- */

static int bmptap_read_start(struct netlink_callback *cb)
{
	/* Room for the largest record in every dump message. */
	cb->min_dump_alloc = max_t(u32, cb->min_dump_alloc,
				   nlmsg_total_size(GENL_HDRLEN + BMPTAP_REC_MAX));
	return 0;
}

static int bmptap_read_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bmptap_net *bn = cb_bn(cb);
	bool drained;
	void *hdr;
	int ret;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &bmptap_family, NLM_F_MULTI, BMPTAP_CMD_READ);
	if (!hdr)
		return -EMSGSIZE;
	ret = bmptap_queue_read(bn, skb, NETLINK_CB(cb->skb).portid, &drained);
	if (ret <= 0) {
		genlmsg_cancel(skb, hdr);
		/*
		 * Drained: report drops still pending.  The doorbell is armed,
		 * so what this queues rings it.
		 */
		if (drained)
			bmptap_flows_kick(bn);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return skb->len;
}

static int bmptap_ack(struct sk_buff *skb, struct genl_info *info)
{
	struct bmptap_net *bn = info_bn(info);
	int err;

	if (!info->attrs[BMPTAP_A_ACK_SEQ]) {
		NL_SET_ERR_MSG(info->extack, "BMPTAP_A_ACK_SEQ missing");
		return -EINVAL;
	}
	err = bmptap_queue_ack(bn, nla_get_u64(info->attrs[BMPTAP_A_ACK_SEQ]));
	if (err) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BMPTAP_A_ACK_SEQ],
				    "seq not delivered yet");
		return err;
	}
	/* Room was freed: report the drops owed, as after a drain. */
	bmptap_queue_kick(bn);
	bmptap_flows_kick(bn);
	return 0;
}

/*
 * A reader's socket closed: the next reader starts again at the oldest
 * unacknowledged record.  May run in atomic context on older kernels.
 */
static int bmptap_nl_notify(struct notifier_block *nb, unsigned long event, void *ptr)
{
	const struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC || !n->portid)
		return NOTIFY_DONE;
	bmptap_queue_release(bmptap_net_get(n->net), n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block bmptap_nl_notifier = {
	.notifier_call = bmptap_nl_notify,
};

/* ---- stored config objects ---- */

/* NL_SET_ERR_MSG keeps the pointer: string literals only. */
static void obj_errmsg(struct netlink_ext_ack *extack, enum bmptap_obj_kind kind, int err)
{
	bool srv = kind == BMPTAP_OBJ_SERVER;

	if (err == -ENOSPC && srv)
		NL_SET_ERR_MSG(extack, "too many servers");
	else if (err == -ENOSPC)
		NL_SET_ERR_MSG(extack, "too many filters");
	else if (srv)
		NL_SET_ERR_MSG(extack, "no such server");
	else
		NL_SET_ERR_MSG(extack, "no such filter");
}

/* The slots of one kind; cfg_lock held. */
static struct bmptap_obj **obj_slots(struct bmptap_net *bn, enum bmptap_obj_kind kind, u32 **n)
{
	if (kind == BMPTAP_OBJ_SERVER) {
		*n = &bn->nservers;
		return bn->servers;
	}
	*n = &bn->nfilters;
	return bn->filters;
}

static int obj_find(struct bmptap_obj **v, u32 n, const char *key, u16 port)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (v[i]->port == port && !strcmp(v[i]->key, key))
			return i;
	return -1;
}

/* Adds or replaces the object keyed (key, port) with the nest attr. */
static int obj_store(struct bmptap_net *bn, enum bmptap_obj_kind kind, const struct nlattr *attr,
		     const struct nlattr *key, u16 port, struct netlink_ext_ack *extack)
{
	struct bmptap_obj **v, *o;
	u32 *n;
	int i;

	o = kzalloc(struct_size(o, data, nla_len(attr)), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	nla_strscpy(o->key, key, sizeof(o->key));
	o->port = port;
	o->len = nla_len(attr);
	memcpy(o->data, nla_data(attr), o->len);

	mutex_lock(&bn->cfg_lock);
	v = obj_slots(bn, kind, &n);
	i = obj_find(v, *n, o->key, port);
	if (i >= 0) {
		kfree(v[i]);
		v[i] = o;
	} else if (*n < bmptap_obj_kinds[kind].max) {
		v[(*n)++] = o;
	} else {
		mutex_unlock(&bn->cfg_lock);
		kfree(o);
		obj_errmsg(extack, kind, -ENOSPC);
		return -ENOSPC;
	}
	mutex_unlock(&bn->cfg_lock);
	bmptap_notify(bn, BMPTAP_CMD_CONFIG_CHANGED, BMPTAP_GRP_CONFIG, 0);
	return 0;
}

static int obj_remove(struct bmptap_net *bn, enum bmptap_obj_kind kind, const struct nlattr *key,
		      u16 port, struct netlink_ext_ack *extack)
{
	char k[BMPTAP_SERVER_ADDRESS_MAX + 1];
	struct bmptap_obj **v;
	u32 *n;
	int i;

	nla_strscpy(k, key, sizeof(k));
	mutex_lock(&bn->cfg_lock);
	v = obj_slots(bn, kind, &n);
	i = obj_find(v, *n, k, port);
	if (i < 0) {
		mutex_unlock(&bn->cfg_lock);
		obj_errmsg(extack, kind, -ENOENT);
		return -ENOENT;
	}
	kfree(v[i]);
	(*n)--;
	memmove(&v[i], &v[i + 1], (*n - i) * sizeof(v[0]));
	v[*n] = NULL;
	mutex_unlock(&bn->cfg_lock);
	bmptap_notify(bn, BMPTAP_CMD_CONFIG_CHANGED, BMPTAP_GRP_CONFIG, 0);
	return 0;
}

static int obj_dump(struct sk_buff *skb, struct netlink_callback *cb, enum bmptap_obj_kind kind)
{
	struct bmptap_net *bn = cb_bn(cb);
	long *idx = &cb->args[0];
	struct bmptap_obj **v;
	void *hdr;
	u32 *n;

	mutex_lock(&bn->cfg_lock);
	v = obj_slots(bn, kind, &n);
	for (; *idx < *n; (*idx)++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &bmptap_family, NLM_F_MULTI, bmptap_obj_kinds[kind].get_cmd);
		if (!hdr)
			break;
		if (nla_put(skb, bmptap_obj_kinds[kind].attr | NLA_F_NESTED, v[*idx]->len,
			    v[*idx]->data)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&bn->cfg_lock);
	return skb->len;
}

static void obj_free_all(struct bmptap_net *bn, enum bmptap_obj_kind kind)
{
	struct bmptap_obj **v;
	u32 *n, i;

	v = obj_slots(bn, kind, &n);
	for (i = 0; i < *n; i++) {
		kfree(v[i]);
		v[i] = NULL;
	}
	*n = 0;
}

/* ---- servers ---- */

static int server_parse(struct genl_info *info, struct nlattr **tb)
{
	struct nlattr *attr = info->attrs[BMPTAP_A_SERVER];
	int err;

	err = parse_required_nest(info, BMPTAP_A_SERVER, BMPTAP_SERVER_MAX,
				  bmptap_server_policy, tb);
	if (err)
		return err;
	if (!tb[BMPTAP_SERVER_ADDRESS] || !nla_len(tb[BMPTAP_SERVER_ADDRESS]) ||
	    !*(char *)nla_data(tb[BMPTAP_SERVER_ADDRESS])) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "server address missing");
		return -EINVAL;
	}
	if (!tb[BMPTAP_SERVER_PORT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "server port missing");
		return -EINVAL;
	}
	return 0;
}

/* AF_INET or AF_INET6 for an address literal, else 0 (a host name). */
static int literal_family(const char *s)
{
	u8 a[16];

	if (in4_pton(s, -1, a, '\0', NULL))
		return AF_INET;
	if (in6_pton(s, -1, a, '\0', NULL))
		return AF_INET6;
	return 0;
}

/*
 * The source must be an address literal of the collector address's family
 * (a host name's family is only known when it resolves: bmptapd then uses
 * the addresses of the source's family).
 */
static int server_check_source(struct genl_info *info, struct nlattr **tb)
{
	const char *src, *dst;
	int fam, dfam;

	if (!tb[BMPTAP_SERVER_SOURCE])
		return 0;
	src = nla_data(tb[BMPTAP_SERVER_SOURCE]);
	dst = nla_data(tb[BMPTAP_SERVER_ADDRESS]);
	fam = literal_family(src);
	if (!fam) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[BMPTAP_SERVER_SOURCE],
				    "source: not an IPv4 or IPv6 address");
		return -EINVAL;
	}
	dfam = literal_family(dst);
	if (dfam && dfam != fam) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[BMPTAP_SERVER_SOURCE],
				    "source: not of the server address's family");
		return -EINVAL;
	}
	return 0;
}

static int bmptap_set_server(struct sk_buff *skb, struct genl_info *info)
{
	struct bmptap_net *bn = info_bn(info);
	struct nlattr *tb[BMPTAP_SERVER_MAX + 1];
	struct nlattr *attr = info->attrs[BMPTAP_A_SERVER];
	int err;

	err = server_parse(info, tb);
	if (err)
		return err;
	if (tb[BMPTAP_SERVER_STATS_TIMEOUT]) {
		u32 t = nla_get_u32(tb[BMPTAP_SERVER_STATS_TIMEOUT]);

		if (t && t < 15) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[BMPTAP_SERVER_STATS_TIMEOUT],
					    "stats timeout: 0 or 15..65535");
			return -EINVAL;
		}
	}
	err = server_check_source(info, tb);
	if (err)
		return err;
	return obj_store(bn, BMPTAP_OBJ_SERVER, attr, tb[BMPTAP_SERVER_ADDRESS],
			 nla_get_u16(tb[BMPTAP_SERVER_PORT]), info->extack);
}

static int bmptap_del_server(struct sk_buff *skb, struct genl_info *info)
{
	struct bmptap_net *bn = info_bn(info);
	struct nlattr *tb[BMPTAP_SERVER_MAX + 1];
	int err;

	err = server_parse(info, tb);
	if (err)
		return err;
	return obj_remove(bn, BMPTAP_OBJ_SERVER, tb[BMPTAP_SERVER_ADDRESS],
			  nla_get_u16(tb[BMPTAP_SERVER_PORT]), info->extack);
}

static int bmptap_get_server(struct sk_buff *skb, struct netlink_callback *cb)
{
	return obj_dump(skb, cb, BMPTAP_OBJ_SERVER);
}

/* ---- import filters ---- */

static bool filter_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum(*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

/*
 * Everything the helper relies on is checked here, so that a stored filter
 * is always usable: the attributes its kind needs, lengths within the
 * family, no host bits past the prefix length, PREFIX_LEN <= GE <= LE.
 */
static int filter_check(struct genl_info *info, struct nlattr *attr, struct nlattr **tb,
			bool set)
{
	unsigned int maxbits;
	u8 plen, ge, le;
	const u8 *a;
	int i;

	if (!tb[BMPTAP_FILTER_NAME] || !filter_name_ok(nla_data(tb[BMPTAP_FILTER_NAME]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "filter name missing or invalid");
		return -EINVAL;
	}
	if (!set)
		return 0;
	if (!tb[BMPTAP_FILTER_KIND]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "filter kind missing");
		return -EINVAL;
	}
	switch (nla_get_u8(tb[BMPTAP_FILTER_KIND])) {
	case BMPTAP_FILTER_KIND_AS_PATH:
		if (!tb[BMPTAP_FILTER_ASN]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "as-path filter needs an ASN");
			return -EINVAL;
		}
		return 0;
	case BMPTAP_FILTER_KIND_COMMUNITY:
		if (!tb[BMPTAP_FILTER_COMMUNITY]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "community filter needs a community");
			return -EINVAL;
		}
		return 0;
	default:
		break;
	}
	if (!tb[BMPTAP_FILTER_FAMILY] || (nla_get_u8(tb[BMPTAP_FILTER_FAMILY]) != AF_INET &&
					  nla_get_u8(tb[BMPTAP_FILTER_FAMILY]) != AF_INET6)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "filter family missing or invalid");
		return -EINVAL;
	}
	maxbits = nla_get_u8(tb[BMPTAP_FILTER_FAMILY]) == AF_INET ? 32 : 128;
	if (nla_get_u8(tb[BMPTAP_FILTER_KIND]) == BMPTAP_FILTER_KIND_MAX_LEN) {
		if (!tb[BMPTAP_FILTER_MAX_LEN] || nla_get_u8(tb[BMPTAP_FILTER_MAX_LEN]) > maxbits) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "max-length missing or too long");
			return -EINVAL;
		}
		return 0;
	}
	if (!tb[BMPTAP_FILTER_PREFIX] || !tb[BMPTAP_FILTER_PREFIX_LEN] ||
	    nla_len(tb[BMPTAP_FILTER_PREFIX]) != maxbits / 8) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "prefix missing or of the wrong size");
		return -EINVAL;
	}
	plen = nla_get_u8(tb[BMPTAP_FILTER_PREFIX_LEN]);
	ge = tb[BMPTAP_FILTER_GE] ? nla_get_u8(tb[BMPTAP_FILTER_GE]) : plen;
	/* As in router prefix lists: "ge N" alone means up to the family's bits. */
	le = tb[BMPTAP_FILTER_LE] ? nla_get_u8(tb[BMPTAP_FILTER_LE]) :
	     tb[BMPTAP_FILTER_GE] ? maxbits : plen;
	if (plen > maxbits || ge < plen || le < ge || le > maxbits) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "need length <= ge <= le <= family bits");
		return -EINVAL;
	}
	a = nla_data(tb[BMPTAP_FILTER_PREFIX]);
	for (i = plen; i < (int)maxbits; i++)
		if (a[i / 8] & (0x80 >> (i % 8))) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "prefix has host bits set");
			return -EINVAL;
		}
	return 0;
}

static int filter_parse(struct genl_info *info, struct nlattr **tb, bool set)
{
	struct nlattr *attr = info->attrs[BMPTAP_A_FILTER];
	int err;

	err = parse_required_nest(info, BMPTAP_A_FILTER, BMPTAP_FILTER_MAX,
				  bmptap_filter_policy, tb);
	if (err)
		return err;
	return filter_check(info, attr, tb, set);
}

static int bmptap_set_filter(struct sk_buff *skb, struct genl_info *info)
{
	struct bmptap_net *bn = info_bn(info);
	struct nlattr *tb[BMPTAP_FILTER_MAX + 1];
	int err;

	err = filter_parse(info, tb, true);
	if (err)
		return err;
	return obj_store(bn, BMPTAP_OBJ_FILTER, info->attrs[BMPTAP_A_FILTER],
			 tb[BMPTAP_FILTER_NAME], 0, info->extack);
}

static int bmptap_del_filter(struct sk_buff *skb, struct genl_info *info)
{
	struct bmptap_net *bn = info_bn(info);
	struct nlattr *tb[BMPTAP_FILTER_MAX + 1];
	int err;

	err = filter_parse(info, tb, false);
	if (err)
		return err;
	return obj_remove(bn, BMPTAP_OBJ_FILTER, tb[BMPTAP_FILTER_NAME], 0, info->extack);
}

static int bmptap_get_filter(struct sk_buff *skb, struct netlink_callback *cb)
{
	return obj_dump(skb, cb, BMPTAP_OBJ_FILTER);
}

/* ---- NEW_FLOW ---- */

static int bmptap_new_flow(struct sk_buff *skb, struct genl_info *info)
{
	struct bmptap_net *bn = info_bn(info);
	struct nlattr *attr = info->attrs[BMPTAP_A_NEW_FLOW];
	struct nlattr *tb[BMPTAP_NEW_FLOW_MAX + 1];
	struct bmptap_key k;
	u32 alen;
	int err;

	err = parse_required_nest(info, BMPTAP_A_NEW_FLOW, BMPTAP_NEW_FLOW_MAX,
				  bmptap_new_flow_policy, tb);
	if (err)
		return err;
	if (!tb[BMPTAP_NEW_FLOW_FAMILY] || !tb[BMPTAP_NEW_FLOW_LOCAL_ADDR] ||
	    !tb[BMPTAP_NEW_FLOW_REMOTE_ADDR] || !tb[BMPTAP_NEW_FLOW_LOCAL_PORT] ||
	    !tb[BMPTAP_NEW_FLOW_REMOTE_PORT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "family, addresses and ports required");
		return -EINVAL;
	}
	memset(&k, 0, sizeof(k));
	k.family = nla_get_u8(tb[BMPTAP_NEW_FLOW_FAMILY]);
	if (k.family != AF_INET && k.family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[BMPTAP_NEW_FLOW_FAMILY],
				    "family: AF_INET or AF_INET6");
		return -EINVAL;
	}
	alen = k.family == AF_INET ? 4 : 16;
	if (nla_len(tb[BMPTAP_NEW_FLOW_LOCAL_ADDR]) != alen ||
	    nla_len(tb[BMPTAP_NEW_FLOW_REMOTE_ADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "address length does not match the family");
		return -EINVAL;
	}
	/* The hooks' key layout: IPv4 in the first 4 bytes, the rest zero. */
	memcpy(&k.laddr, nla_data(tb[BMPTAP_NEW_FLOW_LOCAL_ADDR]), alen);
	memcpy(&k.raddr, nla_data(tb[BMPTAP_NEW_FLOW_REMOTE_ADDR]), alen);
	k.lport = htons(nla_get_u16(tb[BMPTAP_NEW_FLOW_LOCAL_PORT]));
	k.rport = htons(nla_get_u16(tb[BMPTAP_NEW_FLOW_REMOTE_PORT]));
	if (tb[BMPTAP_NEW_FLOW_IFINDEX])
		k.l3index = bmptap_l3_domain_by_index(genl_info_net(info),
						      nla_get_u32(tb[BMPTAP_NEW_FLOW_IFINDEX]));
	err = bmptap_flow_adopt(bn, &k);
	switch (err) {
	case -EINVAL:
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "neither port is a tapped port");
		break;
	case -EEXIST:
		NL_SET_ERR_MSG(info->extack, "the flow is already tapped");
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG(info->extack, "flow table full");
		break;
	default:
		break;
	}
	return err;
}

/* ---- per-netns part ---- */

/* Runs after net.c's init of the netns: its state exists. */
static int __net_init bmptap_genl_net_init(struct net *net)
{
	struct bmptap_net *bn = bmptap_net_get(net);

	INIT_WORK(&bn->doorbell_work, bmptap_doorbell_work);
	return 0;
}

/*
 * Runs before net.c's exit (pernet exits run in reverse order), on netns
 * teardown and on unload after the family is gone.  No reader can READ
 * any more, so the queue is shut: what the hooks (running until net.c's
 * exit) still tap goes nowhere, and the doorbell, once cancelled, cannot be
 * scheduled again.
 */
static void __net_exit bmptap_genl_net_exit(struct net *net)
{
	struct bmptap_net *bn = bmptap_net_get(net);

	bmptap_queue_shutdown(&bn->queue);
	cancel_work_sync(&bn->doorbell_work);
	mutex_lock(&bn->cfg_lock);
	obj_free_all(bn, BMPTAP_OBJ_SERVER);
	obj_free_all(bn, BMPTAP_OBJ_FILTER);
	mutex_unlock(&bn->cfg_lock);
}

static struct pernet_operations bmptap_genl_net_ops = {
	.init = bmptap_genl_net_init,
	.exit = bmptap_genl_net_exit,
};

/* ---- family ---- */

static const struct genl_ops bmptap_genl_ops[] = {
	{
		.cmd = BMPTAP_CMD_GET_NETNS,
		.doit = bmptap_get_netns,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_SET_NETNS,
		.doit = bmptap_set_netns,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_GET_FLOW,
		.start = bmptap_flow_start,
		.dumpit = bmptap_flow_dump,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_READ,
		.start = bmptap_read_start,
		.dumpit = bmptap_read_dump,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_SET_SERVER,
		.doit = bmptap_set_server,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_DEL_SERVER,
		.doit = bmptap_del_server,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_GET_SERVER,
		.dumpit = bmptap_get_server,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_SET_FILTER,
		.doit = bmptap_set_filter,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_DEL_FILTER,
		.doit = bmptap_del_filter,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_GET_FILTER,
		.dumpit = bmptap_get_filter,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_NEW_FLOW,
		.doit = bmptap_new_flow,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = BMPTAP_CMD_ACK,
		.doit = bmptap_ack,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group bmptap_mcgrps[] = {
	[BMPTAP_GRP_EVENTS] = { .name = BMPTAP_MCGRP_EVENTS, .flags = BMPTAP_MCGRP_FLAGS },
	[BMPTAP_GRP_CONFIG] = { .name = BMPTAP_MCGRP_CONFIG, .flags = BMPTAP_MCGRP_FLAGS },
};

/*
 * parallel_ops: no genl_mutex around the ops; they use bn->cfg_lock and the
 * queue and flow spinlocks.  resv_start_op 0: strict checks on every op
 * (kernels without the field check every op strictly already).
 */
static struct genl_family bmptap_family __ro_after_init = {
	.name = BMPTAP_GENL_NAME,
	.version = BMPTAP_GENL_VERSION,
	.maxattr = BMPTAP_A_MAX,
	.policy = bmptap_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = bmptap_genl_ops,
	.n_ops = ARRAY_SIZE(bmptap_genl_ops),
#ifdef BMPTAP_HAVE_GENL_RESV_START_OP
	.resv_start_op = 0,
#endif
	.mcgrps = bmptap_mcgrps,
	.n_mcgrps = ARRAY_SIZE(bmptap_mcgrps),
};

/*
 * The per-netns part first (the doorbells exist before a READ can arm a
 * queue), the notifier next (a READ's portid must be forgotten when its
 * socket closes), the family last.
 */
int bmptap_genl_init(void)
{
	int err;

	err = register_pernet_subsys(&bmptap_genl_net_ops);
	if (err)
		return err;
	err = netlink_register_notifier(&bmptap_nl_notifier);
	if (err)
		goto err_pernet;
	err = genl_register_family(&bmptap_family);
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	netlink_unregister_notifier(&bmptap_nl_notifier);
err_pernet:
	unregister_pernet_subsys(&bmptap_genl_net_ops);
	return err;
}

/*
 * A doorbell work that runs between the family's and the per-netns part's
 * unregistration finds no listeners: genl_unregister_family() removed the
 * groups' members.
 */
void bmptap_genl_exit(void)
{
	genl_unregister_family(&bmptap_family);
	netlink_unregister_notifier(&bmptap_nl_notifier);
	unregister_pernet_subsys(&bmptap_genl_net_ops);
}
