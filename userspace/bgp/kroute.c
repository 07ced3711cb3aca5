// SPDX-License-Identifier: GPL-2.0
/* The installed routes of the local daemon: see kroute.h. */
#include "hash.h"
#include "kroute.h"
#include "loop.h"
#include "nla.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#define KR_RCVBUF	(8 << 20)

/* ---- parsing ---------------------------------------------------------------- */

static void add_gw(struct kr_msg *m, const struct nlattr *a, size_t alen)
{
	if (!a || mnl_attr_get_payload_len(a) != alen || m->n_gw >= KR_MAX_NH)
		return;
	memset(m->gw[m->n_gw], 0, 16);
	memcpy(m->gw[m->n_gw++], mnl_attr_get_payload(a), alen);
}

/* A gateway of the wrong size is not one, but not a reason to refuse the
 * route either: its policy takes any payload. */
static const struct bt_nla_policy nh_policy[RTA_MAX + 1];

/* The gateways of an RTA_MULTIPATH: struct rtnexthop, each with attributes. */
static int parse_multipath(struct kr_msg *m, const struct nlattr *mp, size_t alen)
{
	const uint8_t *p = mnl_attr_get_payload(mp), *end = p + mnl_attr_get_payload_len(mp);
	const struct nlattr *tb[RTA_MAX + 1];
	unsigned bad;

	while (p + sizeof(struct rtnexthop) <= end) {
		const struct rtnexthop *nh = (const void *)p;

		if (nh->rtnh_len < sizeof(*nh) || p + nh->rtnh_len > end)
			return -1;
		/* (struct rtnexthop is 8 octets: aligned already.) */
		if (bt_nla_parse(p + sizeof(*nh), nh->rtnh_len - sizeof(*nh), nh_policy, RTA_MAX,
				 tb, &bad))
			return -1;
		add_gw(m, tb[RTA_GATEWAY], alen);
		if ((size_t)RTNH_ALIGN(nh->rtnh_len) >= (size_t)(end - p))
			break;
		p += RTNH_ALIGN(nh->rtnh_len);
	}
	return 0;
}

int kroute_parse(const struct nlmsghdr *nh, struct kr_msg *m)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rt;
	unsigned bad;
	size_t alen;

	if (nh->nlmsg_type != RTM_NEWROUTE && nh->nlmsg_type != RTM_DELROUTE)
		return 0;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)))
		return -1;
	rt = NLMSG_DATA(nh);
	if (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6)
		return 0;
	memset(m, 0, sizeof(*m));
	m->del = nh->nlmsg_type == RTM_DELROUTE;
	m->nlflags = nh->nlmsg_flags;
	m->pfx.fam = rt->rtm_family == AF_INET ? BGP_FAM_IPV4 : BGP_FAM_IPV6;
	alen = rt->rtm_family == AF_INET ? 4 : 16;
	if (rt->rtm_dst_len > alen * 8)
		return -1;
	m->pfx.len = rt->rtm_dst_len;
	m->protocol = rt->rtm_protocol;
	m->type = rt->rtm_type;
	m->table = rt->rtm_table;
	m->cloned = rt->rtm_flags & RTM_F_CLONED;
	/* The message's own length bounds the attributes: the last one's
	 * padding may be missing, and then nothing follows it. */
	if (bt_nla_parse(RTM_RTA(rt), nh->nlmsg_len - NLMSG_LENGTH(sizeof(*rt)),
			 (const struct bt_nla_policy[RTA_MAX + 1]){
				 [RTA_DST] = { MNL_TYPE_BINARY, (uint16_t)alen },
				 [RTA_TABLE] = { MNL_TYPE_U32, 0 },
			 }, RTA_MAX, tb, &bad))
		return -1;
	if (tb[RTA_DST])
		memcpy(m->pfx.addr, mnl_attr_get_payload(tb[RTA_DST]), alen);
	if (tb[RTA_TABLE])
		m->table = mnl_attr_get_u32(tb[RTA_TABLE]);
	add_gw(m, tb[RTA_GATEWAY], alen);
	if (tb[RTA_MULTIPATH] && parse_multipath(m, tb[RTA_MULTIPATH], alen))
		return -1;
	/* Host bits past the length are zero in a bgp_prefix. */
	for (unsigned i = m->pfx.len; i < alen * 8; i++)
		m->pfx.addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return 1;
}

/* ---- the table ---------------------------------------------------------------- */

static uint32_t pfx_hash(const struct bgp_prefix *p)
{
	return fnv1a(FNV1A_BASIS ^ p->fam ^ ((uint32_t)p->len << 8), p->addr,
		     p->fam == BGP_FAM_IPV4 ? 4 : 16);
}

static bool pfx_eq(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->fam == b->fam && a->len == b->len && !memcmp(a->addr, b->addr, 16);
}

int kroute_init(struct kroute *k, const uint8_t *protos, unsigned n_protos,
		kroute_changed_fn changed, void *ctx)
{
	memset(k, 0, sizeof(*k));
	k->fd = -1;
	k->n_b = 1024;
	k->b = calloc(k->n_b, sizeof(*k->b));
	if (!k->b)
		return -ENOMEM;
	if (n_protos > KR_MAX_PROTO)
		n_protos = KR_MAX_PROTO;
	memcpy(k->protos, protos, n_protos);
	k->n_protos = n_protos;
	k->changed = changed;
	k->ctx = ctx;
	return 0;
}

void kroute_free(struct kroute *k)
{
	for (uint32_t i = 0; k->b && i < k->n_b; i++)
		for (struct kr_route *r = k->b[i], *n; r; r = n) {
			n = r->next;
			free(r);
		}
	free(k->b);
	if (k->fd >= 0)
		close(k->fd);
	memset(k, 0, sizeof(*k));
	k->fd = -1;
}

bool kroute_proto_ok(const struct kroute *k, uint8_t proto)
{
	return memchr(k->protos, proto, k->n_protos) != NULL;
}

static struct kr_route **slot(const struct kroute *k, const struct bgp_prefix *pfx)
{
	struct kr_route **pp = &k->b[pfx_hash(pfx) & (k->n_b - 1)];

	while (*pp && !pfx_eq(&(*pp)->pfx, pfx))
		pp = &(*pp)->next;
	return pp;
}

struct kr_route *kroute_lookup(const struct kroute *k, const struct bgp_prefix *pfx)
{
	return *slot(k, pfx);
}

void kroute_set_joined(struct kroute *k, struct kr_route *r, bool joined)
{
	bool first = !r->judged;

	r->judged = true;
	if (!joined && (first || r->joined))
		k->unjoined_total++;
	if (r->joined == joined)
		return;
	r->joined = joined;
	if (joined)
		k->unjoined--;
	else
		k->unjoined++;
}

static void grow(struct kroute *k)
{
	uint32_t nb = k->n_b * 2;
	struct kr_route **b = calloc(nb, sizeof(*b));

	if (!b)
		return;		/* longer chains, still correct */
	for (uint32_t i = 0; i < k->n_b; i++)
		for (struct kr_route *r = k->b[i], *n; r; r = n) {
			n = r->next;
			r->next = b[pfx_hash(&r->pfx) & (nb - 1)];
			b[pfx_hash(&r->pfx) & (nb - 1)] = r;
		}
	free(k->b);
	k->b = b;
	k->n_b = nb;
}

static void unlink_route(struct kroute *k, struct kr_route **pp)
{
	struct kr_route *r = *pp;

	*pp = r->next;
	/* A new route starts unjoined (counted) until the join sees it. */
	if (!r->joined)
		k->unjoined--;
	k->count--;
	free(r);
}

static bool gw_has(const uint8_t (*gw)[16], unsigned n, const uint8_t *g)
{
	for (unsigned i = 0; i < n; i++)
		if (!memcmp(gw[i], g, 16))
			return true;
	return false;
}

/*
 * The route of pfx with gateways gw[0..n) (NULL: removed).  A new or changed
 * route is reported; an unchanged one only loses its stale mark.
 */
static void store(struct kroute *k, const struct bgp_prefix *pfx, const uint8_t (*gw)[16],
		  unsigned n, bool remove)
{
	struct kr_route **pp = slot(k, pfx), *r = *pp, *nr;

	if (remove) {
		if (!r)
			return;
		unlink_route(k, pp);
		k->changed(k->ctx, pfx);
		return;
	}
	if (r && r->n_gw == n && !memcmp(r->gw, gw, (size_t)n * 16)) {
		r->stale = false;
		return;
	}
	nr = malloc(sizeof(*nr) + (size_t)n * 16);
	if (!nr)
		return;		/* the old state stays: counted as unjoined if it no longer holds */
	nr->pfx = *pfx;
	nr->pfx.path_id = 0;
	nr->stale = false;
	nr->n_gw = (uint8_t)n;
	memcpy(nr->gw, gw, (size_t)n * 16);
	if (r) {
		nr->joined = r->joined;
		nr->judged = r->judged;
		nr->next = r->next;
		free(r);
	} else {
		nr->joined = false;
		nr->judged = false;
		nr->next = NULL;
		k->count++;
		k->unjoined++;
		k->seen = true;
	}
	*pp = nr;
	k->changed(k->ctx, pfx);
	if (k->count > k->n_b)
		grow(k);
}

void kroute_apply(struct kroute *k, const struct kr_msg *m)
{
	uint8_t gw[KR_MAX_NH][16];
	unsigned n = 0;
	struct kr_route *r;

	k->events++;
	if (m->cloned || m->table != RT_TABLE_MAIN)
		return;
	if (!kroute_proto_ok(k, m->protocol) || m->type != RTN_UNICAST) {
		/* Another protocol's route replacing the daemon's one. */
		if (!m->del && (m->nlflags & NLM_F_REPLACE))
			store(k, &m->pfx, NULL, 0, true);
		return;
	}
	r = kroute_lookup(k, &m->pfx);
	if (m->del) {
		/*
		 * IPv6 notifications may name single nexthops of an ECMP
		 * route: those go; the route goes with its last one.
		 */
		if (r && m->pfx.fam == BGP_FAM_IPV6 && m->n_gw) {
			for (unsigned i = 0; i < r->n_gw; i++)
				if (!gw_has(m->gw, m->n_gw, r->gw[i]))
					memcpy(gw[n++], r->gw[i], 16);
		}
		if (n)
			store(k, &m->pfx, (const uint8_t (*)[16])gw, n, false);
		else
			store(k, &m->pfx, NULL, 0, true);
		return;
	}
	/* IPv6 ECMP built nexthop by nexthop (NLM_F_APPEND). */
	if (r && m->pfx.fam == BGP_FAM_IPV6 && (m->nlflags & NLM_F_APPEND) &&
	    !(m->nlflags & NLM_F_REPLACE))
		for (unsigned i = 0; i < r->n_gw; i++)
			memcpy(gw[n++], r->gw[i], 16);
	for (unsigned i = 0; i < m->n_gw && n < KR_MAX_NH; i++)
		if (!gw_has((const uint8_t (*)[16])gw, n, m->gw[i]))
			memcpy(gw[n++], m->gw[i], 16);
	store(k, &m->pfx, (const uint8_t (*)[16])gw, n, false);
}

void kroute_mark_stale(struct kroute *k)
{
	for (uint32_t i = 0; i < k->n_b; i++)
		for (struct kr_route *r = k->b[i]; r; r = r->next)
			r->stale = true;
}

void kroute_sweep(struct kroute *k)
{
	for (uint32_t i = 0; i < k->n_b; i++) {
		struct kr_route **pp = &k->b[i];

		while (*pp) {
			if ((*pp)->stale) {
				struct bgp_prefix pfx = (*pp)->pfx;

				unlink_route(k, pp);
				k->changed(k->ctx, &pfx);
			} else {
				pp = &(*pp)->next;
			}
		}
	}
}

/* ---- the socket ------------------------------------------------------------------ */

static int start_dump(struct kroute *k)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
	} req = { 0 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = k->dump_seq = ++k->seq;
	req.rt.rtm_family = AF_UNSPEC;
	if (sendto(k->fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	kroute_mark_stale(k);
	k->dumping = true;
	k->redump = false;
	k->dumps++;
	return 0;
}

int kroute_open(struct kroute *k)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE };
	int sz = KR_RCVBUF;

	k->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (k->fd < 0)
		return -errno;
	/* A burst of a full table must not overrun it: forced when allowed. */
	if (setsockopt(k->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(k->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(k->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	return start_dump(k);
}

static void dump_done(struct kroute *k, bool interrupted)
{
	k->dumping = false;
	if (interrupted) {
		k->redump = true;
		return;
	}
	kroute_sweep(k);
}

int kroute_process(struct kroute *k)
{
	uint8_t buf[65536] __attribute__((aligned(4)));
	int err = 0;

	for (unsigned budget = LOOP_FD_BUDGET; budget--;) {
		ssize_t n = recv(k->fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Notifications were dropped: the table is suspect. */
				k->overruns++;
				k->redump = true;
				continue;
			}
			if (errno != EAGAIN)
				err = -errno;
			break;
		}
		int left = (int)n;	/* NLMSG_NEXT may take it below 0 */
		bool intr = false;

		for (const struct nlmsghdr *nh = (const void *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			struct kr_msg m;
			bool ours = k->dumping && nh->nlmsg_seq == k->dump_seq;

			if (ours && (nh->nlmsg_flags & NLM_F_DUMP_INTR))
				intr = true;
			if (ours && nh->nlmsg_type == NLMSG_DONE) {
				dump_done(k, intr);
			} else if (ours && nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				/* Not retried here: a refused dump would be asked
				 * again at once, forever; the next lost
				 * notification retries it. */
				k->dumping = false;
				err = nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ?
				      e->error : -EIO;
			} else if (kroute_parse(nh, &m) == 1) {
				kroute_apply(k, &m);
			}
		}
	}
	if (k->redump && !k->dumping) {
		int e = start_dump(k);

		if (e)
			err = e;
	}
	return err;
}

int kroute_protos_parse(const char *s, uint8_t *protos, unsigned max)
{
	static const struct { const char *name; uint8_t id; } names[] = {
		{ "zebra", 11 }, { "bird", 12 }, { "bgp", 186 },
	};
	char buf[256], *save = NULL;
	unsigned n = 0;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -1;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(t, &end, 10);
		bool named = false;

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcasecmp(t, names[i].name)) {
				v = names[i].id;
				named = true;
			}
		if ((!named && (*end || end == t)) || v < 1 || v > 255 || n >= max)
			return -1;
		protos[n++] = (uint8_t)v;
	}
	return n ? (int)n : -1;
}
