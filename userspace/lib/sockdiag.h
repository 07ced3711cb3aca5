/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Established TCP connections of this netns, from NETLINK_SOCK_DIAG
 * inet_diag dumps (IPv4 and IPv6).  bmptapd uses them at start to make the
 * BGP sessions that predate the tap known to the module before their next
 * segment (BMPTAP_CMD_NEW_FLOW).
 */
#ifndef BMPTAP_SOCKDIAG_H
#define BMPTAP_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

/* One connection as its local socket sees it. */
struct bt_conn {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t laddr[16];		/* IPv4 in the first 4 bytes */
	uint8_t raddr[16];
	uint16_t lport, rport;		/* host order */
	uint32_t ifindex;		/* the device it is bound to (its VRF), 0 none */
};

struct bt_conn_list {
	struct bt_conn *v;
	size_t n, cap;
};

/*
 * Appends to out the established TCP connections with a local or remote
 * port among ports[0..n_ports).  IPv4-mapped IPv6 sockets are reported as
 * AF_INET: their segments are IPv4.  Returns 0 or a negative errno.
 */
int bt_sockdiag_established(const uint16_t *ports, size_t n_ports, struct bt_conn_list *out);

/* The pure part: the connections in one received dump buffer.  Returns 1
 * when the dump is done, 0 when more is due, a negative errno on error. */
int bt_sockdiag_parse(const void *buf, size_t len, const uint16_t *ports, size_t n_ports,
		      struct bt_conn_list *out);

void bt_conn_list_free(struct bt_conn_list *l);

#endif
