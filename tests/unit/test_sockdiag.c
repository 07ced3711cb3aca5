// SPDX-License-Identifier: GPL-2.0
/*
 * sock_diag dump parsing: inet_diag_msg replies built the way the kernel
 * builds them (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include "sockdiag.h"

struct dump {
	_Alignas(struct nlmsghdr) uint8_t buf[4096];
	size_t len;
};

static void add_sock(struct dump *d, int family, const char *src, uint16_t sport,
		     const char *dst, uint16_t dport)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(d->buf + d->len);
	struct inet_diag_msg *m = NLMSG_DATA(h);

	memset(h, 0, NLMSG_SPACE(sizeof(*m)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*m));
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_MULTI;
	m->idiag_family = (uint8_t)family;
	m->idiag_state = 1;	/* TCP_ESTABLISHED */
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(dport);
	inet_pton(family, src, m->id.idiag_src);
	inet_pton(family, dst, m->id.idiag_dst);
	d->len += NLMSG_SPACE(sizeof(*m));
}

static void add_done(struct dump *d, int err)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(d->buf + d->len);

	memset(h, 0, NLMSG_SPACE(sizeof(int)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	h->nlmsg_type = NLMSG_DONE;
	*(int *)NLMSG_DATA(h) = err;
	d->len += NLMSG_SPACE(sizeof(int));
}

static void test_ports_and_families(void **state)
{
	static const uint16_t ports[] = { 179, 1790 };
	struct bt_conn_list l = { 0 };
	struct dump d = { .len = 0 };
	uint8_t a[16];

	(void)state;
	add_sock(&d, AF_INET, "10.0.1.1", 179, "10.0.1.2", 40000);	/* passive side */
	add_sock(&d, AF_INET, "10.0.1.1", 40001, "10.0.1.3", 1790);	/* active side */
	/* A VRF's socket is bound to the VRF device: the module keys its flow so. */
	((struct inet_diag_msg *)NLMSG_DATA((struct nlmsghdr *)(d.buf + d.len -
		NLMSG_SPACE(sizeof(struct inet_diag_msg)))))->id.idiag_if = 7;
	add_sock(&d, AF_INET, "10.0.1.1", 22, "10.0.1.9", 50000);	/* not BGP */
	add_sock(&d, AF_INET6, "fd00::1", 179, "fd00::2", 40002);
	/* A dual-stack socket's IPv4 connection: its segments are IPv4. */
	add_sock(&d, AF_INET6, "::ffff:10.0.4.1", 179, "::ffff:10.0.4.2", 40003);
	assert_int_equal(bt_sockdiag_parse(d.buf, d.len, ports, 2, &l), 0);
	add_done(&d, 0);
	bt_conn_list_free(&l);
	assert_int_equal(bt_sockdiag_parse(d.buf, d.len, ports, 2, &l), 1);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].family, AF_INET);
	assert_int_equal(l.v[0].lport, 179);
	assert_int_equal(l.v[0].rport, 40000);
	inet_pton(AF_INET, "10.0.1.2", a);
	assert_memory_equal(l.v[0].raddr, a, 4);
	assert_int_equal(l.v[1].rport, 1790);
	assert_int_equal(l.v[0].ifindex, 0);
	assert_int_equal(l.v[1].ifindex, 7);
	assert_int_equal(l.v[2].family, AF_INET6);
	inet_pton(AF_INET6, "fd00::2", a);
	assert_memory_equal(l.v[2].raddr, a, 16);
	assert_int_equal(l.v[3].family, AF_INET);
	inet_pton(AF_INET, "10.0.4.1", a);
	assert_memory_equal(l.v[3].laddr, a, 4);
	inet_pton(AF_INET, "10.0.4.2", a);
	assert_memory_equal(l.v[3].raddr, a, 4);
	bt_conn_list_free(&l);
}

static void test_error(void **state)
{
	static const uint16_t ports[] = { 179 };
	struct bt_conn_list l = { 0 };
	struct dump d = { .len = 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)d.buf;
	struct nlmsgerr *e = NLMSG_DATA(h);

	(void)state;
	memset(d.buf, 0, sizeof(d.buf));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	h->nlmsg_type = NLMSG_ERROR;
	e->error = -EPERM;
	d.len = NLMSG_SPACE(sizeof(*e));
	assert_int_equal(bt_sockdiag_parse(d.buf, d.len, ports, 1, &l), -EPERM);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_and_families),
		cmocka_unit_test(test_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
