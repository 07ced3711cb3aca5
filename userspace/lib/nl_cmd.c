// SPDX-License-Identifier: GPL-2.0
/*
 * The "bmptap" family's configuration commands: tap settings and counters,
 * flows, BMP servers and import filters, to and from model.h's types.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "nl_msg.h"
#include "array.h"

/* ---- counters, netns ----------------------------------------------------- */

static int parse_counters(struct bt_nl *nl, const struct nlattr *nest,
			  struct bt_counters *c)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);

		/* Newer counters are skipped, not refused. */
		if (!bt_counter_name(t))
			continue;
		if (!bt_nla_get_u64(a, &c->v[t]))
			return bt_nl_bad_attr(nl, "counters", t);
		c->present |= 1ULL << t;
	}
	return 0;
}

static int parse_netns(struct bt_nl *nl, const struct nlattr *nest,
		       struct bt_netns *ns)
{
	const struct nlattr *a;
	uint8_t u8 = 0;
	size_t plen;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		bool ok = true;

		switch (t) {
		case BMPTAP_NETNS_PORTS:
			plen = mnl_attr_get_payload_len(a);
			if (plen % 2 || plen / 2 > BMPTAP_MAX_PORTS) {
				ok = false;
				break;
			}
			memcpy(ns->set.ports, mnl_attr_get_payload(a), plen);
			ns->set.n_ports = plen / 2;
			ns->set.have |= BT_NS_PORTS;
			break;
		case BMPTAP_NETNS_FORWARD:
			ok = bt_nla_get_u8(a, &u8);
			ns->set.forward = u8 != 0;
			ns->set.have |= BT_NS_FORWARD;
			break;
		case BMPTAP_NETNS_MAX_FLOWS:
			ok = bt_nla_get_u32(a, &ns->set.max_flows);
			ns->set.have |= BT_NS_MAX_FLOWS;
			break;
		case BMPTAP_NETNS_QUEUE_BYTES:
			ok = bt_nla_get_u32(a, &ns->set.queue_bytes);
			ns->set.have |= BT_NS_QUEUE_BYTES;
			break;
		case BMPTAP_NETNS_FLOW_REASM_BYTES:
			ok = bt_nla_get_u32(a, &ns->set.flow_reasm_bytes);
			ns->set.have |= BT_NS_FLOW_REASM_BYTES;
			break;
		case BMPTAP_NETNS_IDLE_TIMEOUT:
			ok = bt_nla_get_u32(a, &ns->set.idle_timeout);
			ns->set.have |= BT_NS_IDLE_TIMEOUT;
			break;
		case BMPTAP_NETNS_COUNTERS:
			err = parse_counters(nl, a, &ns->cnt);
			if (err)
				return err;
			break;
		case BMPTAP_NETNS_FLOWS:
			ok = bt_nla_get_u32(a, &ns->flows);
			break;
		case BMPTAP_NETNS_QUEUED_BYTES:
			ok = bt_nla_get_u64(a, &ns->queued_bytes);
			break;
		case BMPTAP_NETNS_QUEUED_RECORDS:
			ok = bt_nla_get_u64(a, &ns->queued_records);
			break;
		case BMPTAP_NETNS_NEXT_SEQ:
			ok = bt_nla_get_u64(a, &ns->next_seq);
			break;
		case BMPTAP_NETNS_QUEUE_EPOCH:
			ok = bt_nla_get_u64(a, &ns->queue_epoch);
			break;
		case BMPTAP_NETNS_ACKED_SEQ:
			ok = bt_nla_get_u64(a, &ns->acked_seq);
			break;
		}
		if (!ok)
			return bt_nl_bad_attr(nl, "netns", t);
	}
	return 0;
}

static int netns_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	const struct nlattr *a;

	for_each_genl_attr(a, nlh)
		if (mnl_attr_get_type(a) == BMPTAP_A_NETNS)
			return parse_netns(nl, a, ctx);
	return 0;
}

int bt_nl_get_netns(struct bt_nl *nl, struct bt_netns *ns)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_GET_NETNS, NLM_F_ACK);

	memset(ns, 0, sizeof(*ns));
	return bt_nl_talk(nl, nlh, netns_cb, ns, "reading tap settings");
}

int bt_nl_set_netns(struct bt_nl *nl, const struct bt_netns_settings *s)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_SET_NETNS, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_NETNS);

	if (s->have & BT_NS_PORTS)
		mnl_attr_put(nlh, BMPTAP_NETNS_PORTS,
			     s->n_ports * sizeof(s->ports[0]), s->ports);
	if (s->have & BT_NS_FORWARD)
		mnl_attr_put_u8(nlh, BMPTAP_NETNS_FORWARD, s->forward);
	if (s->have & BT_NS_MAX_FLOWS)
		mnl_attr_put_u32(nlh, BMPTAP_NETNS_MAX_FLOWS, s->max_flows);
	if (s->have & BT_NS_QUEUE_BYTES)
		mnl_attr_put_u32(nlh, BMPTAP_NETNS_QUEUE_BYTES, s->queue_bytes);
	if (s->have & BT_NS_FLOW_REASM_BYTES)
		mnl_attr_put_u32(nlh, BMPTAP_NETNS_FLOW_REASM_BYTES,
				 s->flow_reasm_bytes);
	if (s->have & BT_NS_IDLE_TIMEOUT)
		mnl_attr_put_u32(nlh, BMPTAP_NETNS_IDLE_TIMEOUT, s->idle_timeout);
	mnl_attr_nest_end(nlh, nest);
	return bt_nl_talk(nl, nlh, NULL, NULL, "changing tap settings");
}

/* ---- flows --------------------------------------------------------------- */

static int copy_open(struct bt_nl *nl, const struct nlattr *a,
		     struct bt_flow *f, int dir)
{
	size_t n = mnl_attr_get_payload_len(a);

	free(f->open[dir]);
	f->open[dir] = malloc(n ? n : 1);
	if (!f->open[dir])
		return bt_nl_fail(nl, -ENOMEM, "out of memory");
	memcpy(f->open[dir], mnl_attr_get_payload(a), n);
	f->open_len[dir] = n;
	return 0;
}

static int parse_flow(struct bt_nl *nl, const struct nlattr *nest,
		      struct bt_flow *f)
{
	const struct nlattr *a;
	int err = 0;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		bool ok = true;

		switch (t) {
		case BMPTAP_FLOW_ID:
			ok = bt_nla_get_u64(a, &f->id);
			break;
		case BMPTAP_FLOW_INFO:
			ok = mnl_attr_get_payload_len(a) >= sizeof(f->info);
			if (ok) {
				memcpy(&f->info, mnl_attr_get_payload(a),
				       sizeof(f->info));
				f->have_info = true;
			}
			break;
		case BMPTAP_FLOW_OPEN_RX:
			err = copy_open(nl, a, f, BMPTAP_DIR_RX);
			break;
		case BMPTAP_FLOW_OPEN_TX:
			err = copy_open(nl, a, f, BMPTAP_DIR_TX);
			break;
		case BMPTAP_FLOW_COUNTERS_RX:
			err = parse_counters(nl, a, &f->cnt[BMPTAP_DIR_RX]);
			break;
		case BMPTAP_FLOW_COUNTERS_TX:
			err = parse_counters(nl, a, &f->cnt[BMPTAP_DIR_TX]);
			break;
		case BMPTAP_FLOW_LAST_SEQ:
			ok = bt_nla_get_u64(a, &f->last_seq);
			f->have_last_seq = ok;
			break;
		}
		if (err)
			return err;
		if (!ok)
			return bt_nl_bad_attr(nl, "flow", t);
	}
	return 0;
}

static int flows_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	struct bt_flow_list *l = ctx;
	const struct nlattr *a;

	for_each_genl_attr(a, nlh) {
		struct bt_flow f;
		int err;

		if (mnl_attr_get_type(a) != BMPTAP_A_FLOW)
			continue;
		memset(&f, 0, sizeof(f));
		err = parse_flow(nl, a, &f);
		if (!err) {
			struct bt_flow *v = array_grow(l->v, &l->cap, l->n, sizeof(*v), 16);

			if (!v)
				err = bt_nl_fail(nl, -ENOMEM, "out of memory");
			else
				l->v = v;
		}
		if (err) {
			bt_flow_free(&f);
			return err;
		}
		l->v[l->n++] = f;
	}
	return 0;
}

int bt_nl_dump_flows(struct bt_nl *nl, struct bt_flow_list *out)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_GET_FLOW, NLM_F_DUMP);
	int err;

	memset(out, 0, sizeof(*out));
	err = bt_nl_talk(nl, nlh, flows_cb, out, "reading flows");
	if (err)
		bt_flow_list_free(out);
	return err;
}

int bt_nl_new_flow(struct bt_nl *nl, const struct bt_conn *c)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_NEW_FLOW, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_NEW_FLOW);
	size_t alen = c->family == AF_INET ? 4 : 16;

	mnl_attr_put_u8(nlh, BMPTAP_NEW_FLOW_FAMILY, c->family);
	mnl_attr_put(nlh, BMPTAP_NEW_FLOW_LOCAL_ADDR, alen, c->laddr);
	mnl_attr_put(nlh, BMPTAP_NEW_FLOW_REMOTE_ADDR, alen, c->raddr);
	mnl_attr_put_u16(nlh, BMPTAP_NEW_FLOW_LOCAL_PORT, c->lport);
	mnl_attr_put_u16(nlh, BMPTAP_NEW_FLOW_REMOTE_PORT, c->rport);
	if (c->ifindex)
		mnl_attr_put_u32(nlh, BMPTAP_NEW_FLOW_IFINDEX, c->ifindex);
	mnl_attr_nest_end(nlh, nest);
	return bt_nl_talk(nl, nlh, NULL, NULL, "adopting a flow");
}

/* ---- servers ------------------------------------------------------------- */

static int parse_server(struct bt_nl *nl, const struct nlattr *nest,
			struct bt_server_cfg *s)
{
	const struct nlattr *a;
	uint8_t u8 = 0;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		bool ok = true;

		switch (t) {
		case BMPTAP_SERVER_ADDRESS:
			bt_nla_get_str(a, s->address, sizeof(s->address));
			break;
		case BMPTAP_SERVER_PORT:
			ok = bt_nla_get_u16(a, &s->port);
			s->have |= BT_SRV_PORT;
			break;
		case BMPTAP_SERVER_POLICY:
			ok = bt_nla_get_u32(a, &s->policy);
			s->have |= BT_SRV_POLICY;
			break;
		case BMPTAP_SERVER_STATS_TIMEOUT:
			ok = bt_nla_get_u32(a, &s->stats_timeout);
			s->have |= BT_SRV_STATS_TIMEOUT;
			break;
		case BMPTAP_SERVER_MIRRORING:
			ok = bt_nla_get_u8(a, &u8);
			s->mirroring = u8 != 0;
			s->have |= BT_SRV_MIRRORING;
			break;
		case BMPTAP_SERVER_SYS_NAME:
			bt_nla_get_str(a, s->sys_name, sizeof(s->sys_name));
			s->have |= BT_SRV_SYS_NAME;
			break;
		case BMPTAP_SERVER_SYS_DESCR:
			bt_nla_get_str(a, s->sys_descr, sizeof(s->sys_descr));
			s->have |= BT_SRV_SYS_DESCR;
			break;
		case BMPTAP_SERVER_PASSIVE:
			ok = bt_nla_get_u8(a, &u8);
			s->passive = u8 != 0;
			s->have |= BT_SRV_PASSIVE;
			break;
		case BMPTAP_SERVER_ALLOW:
			bt_nla_get_str(a, s->allow, sizeof(s->allow));
			s->have |= BT_SRV_ALLOW;
			break;
		case BMPTAP_SERVER_FAMILIES:
			ok = bt_nla_get_u32(a, &s->families);
			s->have |= BT_SRV_FAMILIES;
			break;
		case BMPTAP_SERVER_PEERS:
			bt_nla_get_str(a, s->peers, sizeof(s->peers));
			s->have |= BT_SRV_PEERS;
			break;
		case BMPTAP_SERVER_REPLAY_RATE:
			ok = bt_nla_get_u32(a, &s->replay_rate);
			s->have |= BT_SRV_REPLAY_RATE;
			break;
		case BMPTAP_SERVER_SOURCE:
			bt_nla_get_str(a, s->source, sizeof(s->source));
			s->have |= BT_SRV_SOURCE;
			break;
		case BMPTAP_SERVER_DSCP:
			ok = bt_nla_get_u8(a, &s->dscp);
			s->have |= BT_SRV_DSCP;
			break;
		case BMPTAP_SERVER_TLS:
			ok = bt_nla_get_u8(a, &u8);
			s->tls = u8 != 0;
			s->have |= BT_SRV_TLS;
			break;
		case BMPTAP_SERVER_TLS_CA_FILE:
			bt_nla_get_str(a, s->ca_file, sizeof(s->ca_file));
			s->have |= BT_SRV_TLS_CA;
			break;
		case BMPTAP_SERVER_TLS_CERT_FILE:
			bt_nla_get_str(a, s->cert_file, sizeof(s->cert_file));
			s->have |= BT_SRV_TLS_CERT;
			break;
		case BMPTAP_SERVER_TLS_KEY_FILE:
			bt_nla_get_str(a, s->key_file, sizeof(s->key_file));
			s->have |= BT_SRV_TLS_KEY;
			break;
		case BMPTAP_SERVER_TLS_NAME:
			bt_nla_get_str(a, s->tls_name, sizeof(s->tls_name));
			s->have |= BT_SRV_TLS_NAME;
			break;
		}
		if (!ok)
			return bt_nl_bad_attr(nl, "server", t);
	}
	return 0;
}

static int servers_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	struct bt_server_list *l = ctx;
	const struct nlattr *a;

	for_each_genl_attr(a, nlh) {
		struct bt_server_cfg s;
		int err;

		if (mnl_attr_get_type(a) != BMPTAP_A_SERVER)
			continue;
		memset(&s, 0, sizeof(s));
		err = parse_server(nl, a, &s);
		if (err)
			return err;
		if (bt_server_list_add(l, &s))
			return bt_nl_fail(nl, -ENOMEM, "out of memory");
	}
	return 0;
}

int bt_nl_server_dump(struct bt_nl *nl, struct bt_server_list *out)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_GET_SERVER, NLM_F_DUMP);
	int err;

	memset(out, 0, sizeof(*out));
	err = bt_nl_talk(nl, nlh, servers_cb, out, "reading server configs");
	if (err)
		bt_server_list_free(out);
	return err;
}

int bt_nl_server_set(struct bt_nl *nl, const struct bt_server_cfg *s,
		     uint16_t flags)
{
	/*
	 * flags are not put on the wire: NLM_F_EXCL and NLM_F_REPLACE share
	 * their bits with NLM_F_MATCH and NLM_F_ROOT (NLM_F_DUMP), and generic
	 * netlink refuses a "do" request with part of NLM_F_DUMP set
	 * ("ambiguous or reserved bits set in nlmsg_flags").  The module
	 * replaces or creates either way; the add/set distinction is checked
	 * by the caller against a server dump.
	 */
	(void)flags;
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_SET_SERVER, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_SERVER);

	mnl_attr_put_strz(nlh, BMPTAP_SERVER_ADDRESS, s->address);
	if (s->have & BT_SRV_PORT)
		mnl_attr_put_u16(nlh, BMPTAP_SERVER_PORT, s->port);
	if (s->have & BT_SRV_POLICY)
		mnl_attr_put_u32(nlh, BMPTAP_SERVER_POLICY, s->policy);
	if (s->have & BT_SRV_STATS_TIMEOUT)
		mnl_attr_put_u32(nlh, BMPTAP_SERVER_STATS_TIMEOUT, s->stats_timeout);
	if (s->have & BT_SRV_MIRRORING)
		mnl_attr_put_u8(nlh, BMPTAP_SERVER_MIRRORING, s->mirroring);
	if (s->have & BT_SRV_SYS_NAME)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_SYS_NAME, s->sys_name);
	if (s->have & BT_SRV_SYS_DESCR)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_SYS_DESCR, s->sys_descr);
	if (s->have & BT_SRV_PASSIVE)
		mnl_attr_put_u8(nlh, BMPTAP_SERVER_PASSIVE, s->passive);
	if (s->have & BT_SRV_ALLOW)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_ALLOW, s->allow);
	if (s->have & BT_SRV_FAMILIES)
		mnl_attr_put_u32(nlh, BMPTAP_SERVER_FAMILIES, s->families);
	if (s->have & BT_SRV_PEERS)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_PEERS, s->peers);
	if (s->have & BT_SRV_REPLAY_RATE)
		mnl_attr_put_u32(nlh, BMPTAP_SERVER_REPLAY_RATE, s->replay_rate);
	if (s->have & BT_SRV_SOURCE)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_SOURCE, s->source);
	if (s->have & BT_SRV_DSCP)
		mnl_attr_put_u8(nlh, BMPTAP_SERVER_DSCP, s->dscp);
	if (s->have & BT_SRV_TLS)
		mnl_attr_put_u8(nlh, BMPTAP_SERVER_TLS, s->tls);
	if (s->have & BT_SRV_TLS_CA)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_TLS_CA_FILE, s->ca_file);
	if (s->have & BT_SRV_TLS_CERT)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_TLS_CERT_FILE, s->cert_file);
	if (s->have & BT_SRV_TLS_KEY)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_TLS_KEY_FILE, s->key_file);
	if (s->have & BT_SRV_TLS_NAME)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_TLS_NAME, s->tls_name);
	mnl_attr_nest_end(nlh, nest);
	return bt_nl_talk(nl, nlh, NULL, NULL, "storing server config");
}

int bt_nl_server_del(struct bt_nl *nl, const char *address, uint16_t port)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_DEL_SERVER, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_SERVER);

	mnl_attr_put_strz(nlh, BMPTAP_SERVER_ADDRESS, address);
	mnl_attr_put_u16(nlh, BMPTAP_SERVER_PORT, port);
	mnl_attr_nest_end(nlh, nest);
	return bt_nl_talk(nl, nlh, NULL, NULL, "deleting server config");
}

/* ---- import filters -------------------------------------------------------- */

static int parse_filter(struct bt_nl *nl, const struct nlattr *nest, struct bt_filter *f)
{
	const struct nlattr *a;
	bool have_ge = false, have_le = false;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		bool ok = true;

		switch (t) {
		case BMPTAP_FILTER_NAME:
			bt_nla_get_str(a, f->name, sizeof(f->name));
			break;
		case BMPTAP_FILTER_KIND:
			ok = bt_nla_get_u8(a, &f->kind);
			break;
		case BMPTAP_FILTER_FAMILY:
			ok = bt_nla_get_u8(a, &f->pfx.family);
			break;
		case BMPTAP_FILTER_PREFIX:
			ok = mnl_attr_get_payload_len(a) <= sizeof(f->pfx.addr);
			if (ok)
				memcpy(f->pfx.addr, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
			break;
		case BMPTAP_FILTER_PREFIX_LEN:
			ok = bt_nla_get_u8(a, &f->pfx.len);
			break;
		case BMPTAP_FILTER_GE:
			ok = bt_nla_get_u8(a, &f->ge);
			have_ge = true;
			break;
		case BMPTAP_FILTER_LE:
			ok = bt_nla_get_u8(a, &f->le);
			have_le = true;
			break;
		case BMPTAP_FILTER_MAX_LEN:
			ok = bt_nla_get_u8(a, &f->max_len);
			break;
		case BMPTAP_FILTER_ASN:
			ok = bt_nla_get_u32(a, &f->asn);
			break;
		case BMPTAP_FILTER_COMMUNITY:
			ok = bt_nla_get_u32(a, &f->community);
			break;
		}
		if (!ok)
			return bt_nl_bad_attr(nl, "filter", t);
	}
	/* The module's defaults (uapi), made explicit for the matcher. */
	if (!have_ge)
		f->ge = f->pfx.len;
	if (!have_le)
		f->le = have_ge ? bt_prefix_bits(f->pfx.family) : f->pfx.len;
	return 0;
}

static int filters_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	struct bt_filter_list *l = ctx;
	const struct nlattr *a;

	for_each_genl_attr(a, nlh) {
		struct bt_filter f;
		int err;

		if (mnl_attr_get_type(a) != BMPTAP_A_FILTER)
			continue;
		memset(&f, 0, sizeof(f));
		err = parse_filter(nl, a, &f);
		if (err)
			return err;
		if (!bt_filter_valid(&f)) {
			l->refused++;
			continue;
		}
		if (bt_filter_list_add(l, &f))
			return bt_nl_fail(nl, -ENOMEM, "out of memory");
	}
	return 0;
}

int bt_nl_filter_dump(struct bt_nl *nl, struct bt_filter_list *out)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_GET_FILTER, NLM_F_DUMP);
	int err;

	memset(out, 0, sizeof(*out));
	err = bt_nl_talk(nl, nlh, filters_cb, out, "reading import filters");
	if (err)
		bt_filter_list_free(out);
	return err;
}

int bt_nl_filter_set(struct bt_nl *nl, const struct bt_filter *f)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_SET_FILTER, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_FILTER);

	mnl_attr_put_strz(nlh, BMPTAP_FILTER_NAME, f->name);
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_KIND, f->kind);
	switch (f->kind) {
	case BMPTAP_FILTER_KIND_PREFIX:
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_FAMILY, f->pfx.family);
		mnl_attr_put(nlh, BMPTAP_FILTER_PREFIX, f->pfx.family == AF_INET ? 4 : 16, f->pfx.addr);
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_PREFIX_LEN, f->pfx.len);
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_GE, f->ge);
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_LE, f->le);
		break;
	case BMPTAP_FILTER_KIND_MAX_LEN:
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_FAMILY, f->pfx.family);
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_MAX_LEN, f->max_len);
		break;
	case BMPTAP_FILTER_KIND_AS_PATH:
		mnl_attr_put_u32(nlh, BMPTAP_FILTER_ASN, f->asn);
		break;
	case BMPTAP_FILTER_KIND_COMMUNITY:
		mnl_attr_put_u32(nlh, BMPTAP_FILTER_COMMUNITY, f->community);
		break;
	}
	mnl_attr_nest_end(nlh, nest);
	return bt_nl_talk(nl, nlh, NULL, NULL, "storing import filter");
}

int bt_nl_filter_del(struct bt_nl *nl, const char *name)
{
	struct nlmsghdr *nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_DEL_FILTER, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_FILTER);

	mnl_attr_put_strz(nlh, BMPTAP_FILTER_NAME, name);
	mnl_attr_nest_end(nlh, nest);
	return bt_nl_talk(nl, nlh, NULL, NULL, "deleting import filter");
}

/* ---- dump replies from a buffer (fuzz_nldump) ------------------------------ */

int bt_nl_dump_replay(struct bt_nl *nl, uint8_t cmd, const void *buf, size_t len,
		      uint32_t seq, void *out)
{
	bt_nl_msg_cb cb;
	int cb_err = 0, rc;

	switch (cmd) {
	case BMPTAP_CMD_GET_FLOW: cb = flows_cb; break;
	case BMPTAP_CMD_GET_SERVER: cb = servers_cb; break;
	case BMPTAP_CMD_GET_FILTER: cb = filters_cb; break;
	case BMPTAP_CMD_GET_NETNS: cb = netns_cb; break;
	default: return -EINVAL;
	}
	if (bt_nl_replies(nl, buf, len, seq, cb, out, "replay", &cb_err, &rc))
		return rc;
	return cb_err ? cb_err : -EAGAIN;
}

