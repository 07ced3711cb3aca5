/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IP prefix of userspace's configuration, with its one parser and
 * matcher: allow lists of passive listeners, peer selection of a server and
 * import filters all take "ADDRESS[/LEN]" through here.  (The module checks
 * its own attributes in kmod/; RIB entries are struct bgp_prefix, whose
 * bits compare with bt_prefix_bits_eq().)
 */
#ifndef BMPTAP_PREFIX_H
#define BMPTAP_PREFIX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct bt_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t len;
};

enum bt_prefix_err {
	BT_PREFIX_OK,
	BT_PREFIX_BAD_ADDR,	/* no IPv4 or IPv6 address before the '/' */
	BT_PREFIX_BAD_LEN,	/* LEN not a number in 0..bits (family is set) */
};

/* The address bits of a family (32, 128); 0 for anything else. */
unsigned int bt_prefix_bits(int family);
/*
 * ADDRESS[/LEN], strictly: LEN all digits and within the family's bits (no
 * "/abc" read as /0); without /LEN a host route.  Bits past LEN are kept
 * (bt_prefix_host_bits() tells).
 */
enum bt_prefix_err bt_prefix_parse(const char *s, struct bt_prefix *p);
/* Whether p has bits set past its length ("10.0.0.1/8"). */
bool bt_prefix_host_bits(const struct bt_prefix *p);
/* Whether the first bits of a and b are the same. */
bool bt_prefix_bits_eq(const uint8_t *a, const uint8_t *b, unsigned int bits);
/* Whether ss is in p; an IPv4-mapped IPv6 address matches IPv4 prefixes. */
bool bt_prefix_has(const struct bt_prefix *p, const struct sockaddr_storage *ss);
/* The same for a prefix as text; a malformed one matches nothing. */
bool bt_prefix_str_has(const char *spec, const struct sockaddr_storage *ss);

#endif
