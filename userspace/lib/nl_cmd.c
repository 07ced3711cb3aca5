// SPDX-License-Identifier: GPL-2.0
/*
 * The "bmptap" family's configuration commands: tap settings and counters,
 * flows, BMP servers and import filters, to and from model.h's types.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "nl_msg.h"
#include "array.h"

/* ---- counters, netns ----------------------------------------------------- */

/*
 * The fields of one attribute nest, by table: each attribute's rule for
 * the parse (a string any length, cut to its field; the integers exactly
 * their size) and where its value goes.
 */
enum fkind { F_STR, F_BOOL, F_U8, F_U16, F_U32, F_U64 };

struct field {
	uint16_t type;
	uint8_t kind;
	uint16_t off, size;
	unsigned int have;		/* set in *have when present */
};

#define FIELD(t, k, s, m, h) { t, k, offsetof(s, m), sizeof(((s *)0)->m), h }
#define NEST_MAX	32		/* above every nest's MAX in the uapi */
#define N_OF(a)		(sizeof(a) / sizeof((a)[0]))
_Static_assert(BMPTAP_NETNS_MAX <= NEST_MAX && BMPTAP_FLOW_MAX <= NEST_MAX &&
	       BMPTAP_SERVER_MAX <= NEST_MAX && BMPTAP_FILTER_MAX <= NEST_MAX,
	       "parse_fields' policy holds every nest's types");

static const enum mnl_attr_data_type fkind_mnl[] = {
	[F_STR] = MNL_TYPE_UNSPEC, [F_BOOL] = MNL_TYPE_U8, [F_U8] = MNL_TYPE_U8,
	[F_U16] = MNL_TYPE_U16, [F_U32] = MNL_TYPE_U32, [F_U64] = MNL_TYPE_U64,
};

/* nest's attributes into tb (up to max, for the caller's own) and the
 * table's fields into the struct at base. */
static int parse_fields(struct bt_nl *nl, const char *where, const struct nlattr *nest,
			const struct field *fs, size_t n, unsigned max, const struct nlattr **tb,
			void *base, unsigned int *have)
{
	struct bt_nla_policy pol[NEST_MAX + 1] = { 0 };
	int err;

	for (size_t i = 0; i < n; i++)
		pol[fs[i].type].type = fkind_mnl[fs[i].kind];
	err = bt_nl_parse_nested(nl, where, nest, pol, max, tb);
	for (size_t i = 0; i < n && !err; i++) {
		const struct nlattr *a = tb[fs[i].type];
		uint8_t *p = (uint8_t *)base + fs[i].off;

		if (!a)
			continue;
		if (fs[i].kind == F_STR)
			bt_nla_get_str(a, (char *)p, fs[i].size);
		else if (fs[i].kind == F_BOOL)
			*(bool *)p = mnl_attr_get_u8(a) != 0;
		else
			memcpy(p, mnl_attr_get_payload(a), fs[i].size);
		if (have)
			*have |= fs[i].have;
	}
	return err;
}

static int parse_counters(struct bt_nl *nl, const struct nlattr *nest,
			  struct bt_counters *c)
{
	struct bt_nla_policy pol[BMPTAP_CNT_MAX + 1] = { 0 };
	const struct nlattr *tb[BMPTAP_CNT_MAX + 1];
	int err;

	/* Newer counters are skipped, not refused. */
	for (unsigned int t = 0; t <= BMPTAP_CNT_MAX; t++)
		if (bt_counter_name(t))
			pol[t].type = MNL_TYPE_U64;
	err = bt_nl_parse_nested(nl, "counters", nest, pol, BMPTAP_CNT_MAX, tb);
	for (unsigned int t = 0; t <= BMPTAP_CNT_MAX && !err; t++) {
		if (!tb[t] || !bt_counter_name(t))
			continue;
		c->v[t] = mnl_attr_get_u64(tb[t]);
		c->present |= 1ULL << t;
	}
	return err;
}

#define NS(t, k, m, h)	FIELD(t, k, struct bt_netns, m, h)
static const struct field netns_fields[] = {
	NS(BMPTAP_NETNS_FORWARD, F_BOOL, set.forward, BT_NS_FORWARD),
	NS(BMPTAP_NETNS_MAX_FLOWS, F_U32, set.max_flows, BT_NS_MAX_FLOWS),
	NS(BMPTAP_NETNS_QUEUE_BYTES, F_U32, set.queue_bytes, BT_NS_QUEUE_BYTES),
	NS(BMPTAP_NETNS_FLOW_REASM_BYTES, F_U32, set.flow_reasm_bytes, BT_NS_FLOW_REASM_BYTES),
	NS(BMPTAP_NETNS_IDLE_TIMEOUT, F_U32, set.idle_timeout, BT_NS_IDLE_TIMEOUT),
	NS(BMPTAP_NETNS_FLOWS, F_U32, flows, 0),
	NS(BMPTAP_NETNS_QUEUED_BYTES, F_U64, queued_bytes, 0),
	NS(BMPTAP_NETNS_QUEUED_RECORDS, F_U64, queued_records, 0),
	NS(BMPTAP_NETNS_NEXT_SEQ, F_U64, next_seq, 0),
	NS(BMPTAP_NETNS_QUEUE_EPOCH, F_U64, queue_epoch, 0),
	NS(BMPTAP_NETNS_ACKED_SEQ, F_U64, acked_seq, 0),
};

static int parse_netns(struct bt_nl *nl, const struct nlattr *nest,
		       struct bt_netns *ns)
{
	const struct nlattr *tb[BMPTAP_NETNS_MAX + 1], *a;
	int err = parse_fields(nl, "netns", nest, netns_fields, N_OF(netns_fields),
			       BMPTAP_NETNS_MAX, tb, ns, &ns->set.have);

	if (err)
		return err;
	a = tb[BMPTAP_NETNS_PORTS];
	if (a) {
		size_t plen = mnl_attr_get_payload_len(a);

		if (plen % 2 || plen / 2 > BMPTAP_MAX_PORTS)
			return bt_nl_bad_attr(nl, "netns", BMPTAP_NETNS_PORTS);
		memcpy(ns->set.ports, mnl_attr_get_payload(a), plen);
		ns->set.n_ports = plen / 2;
		ns->set.have |= BT_NS_PORTS;
	}
	if (tb[BMPTAP_NETNS_COUNTERS])
		return parse_counters(nl, tb[BMPTAP_NETNS_COUNTERS], &ns->cnt);
	return 0;
}

static int netns_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	static const struct bt_nla_policy any[BMPTAP_A_MAX + 1];
	const struct nlattr *tb[BMPTAP_A_MAX + 1];
	int err = bt_nl_parse_genl(nl, "netns reply", nlh, any, BMPTAP_A_MAX, tb);

	if (err || !tb[BMPTAP_A_NETNS])
		return err;
	return parse_netns(nl, tb[BMPTAP_A_NETNS], ctx);
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

static const struct field flow_fields[] = {
	FIELD(BMPTAP_FLOW_ID, F_U64, struct bt_flow, id, 0),
	FIELD(BMPTAP_FLOW_LAST_SEQ, F_U64, struct bt_flow, last_seq, 0),
};

static int parse_flow(struct bt_nl *nl, const struct nlattr *nest,
		      struct bt_flow *f)
{
	const struct nlattr *tb[BMPTAP_FLOW_MAX + 1], *a;
	int err = parse_fields(nl, "flow", nest, flow_fields, N_OF(flow_fields), BMPTAP_FLOW_MAX,
			       tb, f, NULL);

	if (err)
		return err;
	f->have_last_seq = tb[BMPTAP_FLOW_LAST_SEQ] != NULL;
	/* Newer kernels may append to the info: its known head is taken. */
	a = tb[BMPTAP_FLOW_INFO];
	if (a) {
		if (mnl_attr_get_payload_len(a) < sizeof(f->info))
			return bt_nl_bad_attr(nl, "flow", BMPTAP_FLOW_INFO);
		memcpy(&f->info, mnl_attr_get_payload(a), sizeof(f->info));
		f->have_info = true;
	}
	if (tb[BMPTAP_FLOW_OPEN_RX])
		err = copy_open(nl, tb[BMPTAP_FLOW_OPEN_RX], f, BMPTAP_DIR_RX);
	if (!err && tb[BMPTAP_FLOW_OPEN_TX])
		err = copy_open(nl, tb[BMPTAP_FLOW_OPEN_TX], f, BMPTAP_DIR_TX);
	if (!err && tb[BMPTAP_FLOW_COUNTERS_RX])
		err = parse_counters(nl, tb[BMPTAP_FLOW_COUNTERS_RX], &f->cnt[BMPTAP_DIR_RX]);
	if (!err && tb[BMPTAP_FLOW_COUNTERS_TX])
		err = parse_counters(nl, tb[BMPTAP_FLOW_COUNTERS_TX], &f->cnt[BMPTAP_DIR_TX]);
	return err;
}

/* A dump's list, one element attribute at a time (bt_nl_genl_each). */
struct list_ctx {
	struct bt_nl *nl;
	void *list;
};

static int flow_add(const struct nlattr *a, void *ctx)
{
	struct list_ctx *lc = ctx;
	struct bt_flow_list *l = lc->list;
	struct bt_flow f;
	int err;

	memset(&f, 0, sizeof(f));
	err = parse_flow(lc->nl, a, &f);
	if (!err) {
		struct bt_flow *v = array_grow(l->v, &l->cap, l->n, sizeof(*v), 16);

		if (!v)
			err = bt_nl_fail(lc->nl, -ENOMEM, "out of memory");
		else
			l->v = v;
	}
	if (err) {
		bt_flow_free(&f);
		return err;
	}
	l->v[l->n++] = f;
	return 0;
}

static int flows_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	return bt_nl_genl_each(nlh, BMPTAP_A_FLOW, flow_add, &(struct list_ctx){ nl, ctx });
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

#define SRV(t, k, m, h)	FIELD(t, k, struct bt_server_cfg, m, h)
static const struct field server_fields[] = {
	SRV(BMPTAP_SERVER_ADDRESS, F_STR, address, 0),
	SRV(BMPTAP_SERVER_PORT, F_U16, port, BT_SRV_PORT),
	SRV(BMPTAP_SERVER_POLICY, F_U32, policy, BT_SRV_POLICY),
	SRV(BMPTAP_SERVER_STATS_TIMEOUT, F_U32, stats_timeout, BT_SRV_STATS_TIMEOUT),
	SRV(BMPTAP_SERVER_MIRRORING, F_BOOL, mirroring, BT_SRV_MIRRORING),
	SRV(BMPTAP_SERVER_SYS_NAME, F_STR, sys_name, BT_SRV_SYS_NAME),
	SRV(BMPTAP_SERVER_SYS_DESCR, F_STR, sys_descr, BT_SRV_SYS_DESCR),
	SRV(BMPTAP_SERVER_PASSIVE, F_BOOL, passive, BT_SRV_PASSIVE),
	SRV(BMPTAP_SERVER_ALLOW, F_STR, allow, BT_SRV_ALLOW),
	SRV(BMPTAP_SERVER_FAMILIES, F_U32, families, BT_SRV_FAMILIES),
	SRV(BMPTAP_SERVER_PEERS, F_STR, peers, BT_SRV_PEERS),
	SRV(BMPTAP_SERVER_REPLAY_RATE, F_U32, replay_rate, BT_SRV_REPLAY_RATE),
	SRV(BMPTAP_SERVER_SOURCE, F_STR, source, BT_SRV_SOURCE),
	SRV(BMPTAP_SERVER_DSCP, F_U8, dscp, BT_SRV_DSCP),
	SRV(BMPTAP_SERVER_TLS, F_BOOL, tls, BT_SRV_TLS),
	SRV(BMPTAP_SERVER_TLS_CA_FILE, F_STR, ca_file, BT_SRV_TLS_CA),
	SRV(BMPTAP_SERVER_TLS_CERT_FILE, F_STR, cert_file, BT_SRV_TLS_CERT),
	SRV(BMPTAP_SERVER_TLS_KEY_FILE, F_STR, key_file, BT_SRV_TLS_KEY),
	SRV(BMPTAP_SERVER_TLS_NAME, F_STR, tls_name, BT_SRV_TLS_NAME),
};

static int server_add(const struct nlattr *a, void *ctx)
{
	struct list_ctx *lc = ctx;
	const struct nlattr *tb[BMPTAP_SERVER_MAX + 1];
	struct bt_server_cfg s;
	int err;

	memset(&s, 0, sizeof(s));
	err = parse_fields(lc->nl, "server", a, server_fields, N_OF(server_fields),
			   BMPTAP_SERVER_MAX, tb, &s, &s.have);
	if (err)
		return err;
	if (bt_server_list_add(lc->list, &s))
		return bt_nl_fail(lc->nl, -ENOMEM, "out of memory");
	return 0;
}

static int servers_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	return bt_nl_genl_each(nlh, BMPTAP_A_SERVER, server_add, &(struct list_ctx){ nl, ctx });
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

#define FLT(t, k, m)	FIELD(t, k, struct bt_filter, m, 0)
static const struct field filter_fields[] = {
	FLT(BMPTAP_FILTER_NAME, F_STR, name),
	FLT(BMPTAP_FILTER_KIND, F_U8, kind),
	FLT(BMPTAP_FILTER_FAMILY, F_U8, pfx.family),
	FLT(BMPTAP_FILTER_PREFIX_LEN, F_U8, pfx.len),
	FLT(BMPTAP_FILTER_GE, F_U8, ge),
	FLT(BMPTAP_FILTER_LE, F_U8, le),
	FLT(BMPTAP_FILTER_MAX_LEN, F_U8, max_len),
	FLT(BMPTAP_FILTER_ASN, F_U32, asn),
	FLT(BMPTAP_FILTER_COMMUNITY, F_U32, community),
};

static int parse_filter(struct bt_nl *nl, const struct nlattr *nest, struct bt_filter *f)
{
	const struct nlattr *tb[BMPTAP_FILTER_MAX + 1], *a;
	int err = parse_fields(nl, "filter", nest, filter_fields, N_OF(filter_fields),
			       BMPTAP_FILTER_MAX, tb, f, NULL);

	if (err)
		return err;
	a = tb[BMPTAP_FILTER_PREFIX];
	if (a) {
		if (mnl_attr_get_payload_len(a) > sizeof(f->pfx.addr))
			return bt_nl_bad_attr(nl, "filter", BMPTAP_FILTER_PREFIX);
		memcpy(f->pfx.addr, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	}
	/* The module's defaults (uapi), made explicit for the matcher. */
	if (!tb[BMPTAP_FILTER_GE])
		f->ge = f->pfx.len;
	if (!tb[BMPTAP_FILTER_LE])
		f->le = tb[BMPTAP_FILTER_GE] ? bt_prefix_bits(f->pfx.family) : f->pfx.len;
	return 0;
}

static int filter_add(const struct nlattr *a, void *ctx)
{
	struct list_ctx *lc = ctx;
	struct bt_filter_list *l = lc->list;
	struct bt_filter f;
	int err;

	memset(&f, 0, sizeof(f));
	err = parse_filter(lc->nl, a, &f);
	if (err)
		return err;
	if (!bt_filter_valid(&f)) {
		l->refused++;
		return 0;
	}
	if (bt_filter_list_add(l, &f))
		return bt_nl_fail(lc->nl, -ENOMEM, "out of memory");
	return 0;
}

static int filters_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	return bt_nl_genl_each(nlh, BMPTAP_A_FILTER, filter_add, &(struct list_ctx){ nl, ctx });
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

