// SPDX-License-Identifier: GPL-2.0
/*
 * sock_diag discovery of established TCP connections (see sockdiag.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sockdiag.h"
#include "array.h"

static bool port_in(uint16_t p, const uint16_t *ports, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ports[i] == p)
			return true;
	return false;
}

static int conn_add(struct bt_conn_list *l, const struct bt_conn *c)
{
	struct bt_conn *v = array_grow(l->v, &l->cap, l->n, sizeof(*v), 16);

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *c;
	return 0;
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void conn_from(struct bt_conn *c, const struct inet_diag_msg *m)
{
	const uint8_t *src = (const uint8_t *)m->id.idiag_src;
	const uint8_t *dst = (const uint8_t *)m->id.idiag_dst;

	memset(c, 0, sizeof(*c));
	c->family = m->idiag_family;
	c->lport = ntohs(m->id.idiag_sport);
	c->rport = ntohs(m->id.idiag_dport);
	c->ifindex = m->id.idiag_if;
	if (c->family == AF_INET6 && !memcmp(src, v4mapped, 12) && !memcmp(dst, v4mapped, 12)) {
		c->family = AF_INET;
		src += 12;
		dst += 12;
	}
	memcpy(c->laddr, src, c->family == AF_INET ? 4 : 16);
	memcpy(c->raddr, dst, c->family == AF_INET ? 4 : 16);
}

int bt_sockdiag_parse(const void *buf, size_t len, const uint16_t *ports, size_t n_ports,
		      struct bt_conn_list *out)
{
	const struct nlmsghdr *h = buf;
	int left = (int)len;

	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		const struct inet_diag_msg *m;
		struct bt_conn c;

		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			return e->error ? e->error : 1;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
			continue;
		m = NLMSG_DATA(h);
		if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
			continue;
		conn_from(&c, m);
		if (!port_in(c.lport, ports, n_ports) && !port_in(c.rport, ports, n_ports))
			continue;
		if (conn_add(out, &c))
			return -ENOMEM;
	}
	return 0;
}

#define DIAG_BUFSIZE	32768

static int dump_family(int fd, uint8_t family, void *buf, const uint16_t *ports,
		       size_t n_ports, struct bt_conn_list *out)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = family,
		},
		.r = {
			.sdiag_family = family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = 1u << TCP_ESTABLISHED,
		},
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, DIAG_BUFSIZE, 0);
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		r = bt_sockdiag_parse(buf, (size_t)n, ports, n_ports, out);
		if (r)
			return r < 0 ? r : 0;
	}
}

int bt_sockdiag_established(const uint16_t *ports, size_t n_ports, struct bt_conn_list *out)
{
	void *buf = malloc(DIAG_BUFSIZE);
	int fd, err;

	if (!buf)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	err = dump_family(fd, AF_INET, buf, ports, n_ports, out);
	if (!err)
		err = dump_family(fd, AF_INET6, buf, ports, n_ports, out);
	close(fd);
	free(buf);
	return err;
}

void bt_conn_list_free(struct bt_conn_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
