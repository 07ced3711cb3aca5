/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VRFs (l3mdev) of the tapped sessions, and how a peer in one is reported
 * (RFC 7854 4.2, design.md "VRFs"): the module keys each flow by the
 * ifindex of its VRF device (0: the default VRF).
 *
 * - default VRF: Global Instance peer (type 0), distinguisher 0;
 * - a VRF whose route distinguisher the operator configured: RD Instance
 *   peer (type 1), the distinguisher is that RD (RFC 4364 4.2 encoding);
 * - any other VRF: Local Instance peer (type 2), the distinguisher is the
 *   VRF device's ifindex in the low 32 bits, as FRR's bgp_bmp.c sends for
 *   its VRF instances without an RD (FRR's vrf_id is that ifindex).
 *
 * Pure but for bt_vrf_name(), which asks the kernel (if_indextoname).
 */
#ifndef BMPTAP_VRF_H
#define BMPTAP_VRF_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

/* A VRF name, or "#IFINDEX" for one that is gone: IF_NAMESIZE is enough. */
#define BT_VRF_NAME_LEN	IF_NAMESIZE

/* Longest "ASN:NN" / "IP:NN" form: "4294967295:65535", "255.255.255.255:65535". */
#define BT_RD_STRLEN	22

struct bt_vrf_rd {
	char name[BT_VRF_NAME_LEN];
	uint64_t rd;			/* the 8 RD octets, big-endian */
};

/* The operator's `vrf NAME rd RD` settings. */
struct bt_vrf_rds {
	struct bt_vrf_rd *v;
	size_t n, cap;
};

/*
 * Parses a route distinguisher: "ASN:NN" (type 0 for a 2-octet ASN with a
 * 4-octet number, type 2 for a 4-octet ASN with a 2-octet one) or
 * "A.B.C.D:NN" (type 1, 2-octet number).  0, or -1 when malformed or out
 * of range.
 */
int bt_rd_parse(const char *s, uint64_t *rd);
/* The form bt_rd_parse() reads; types other than 0-2 as "TYPE:HEX". */
void bt_rd_format(uint64_t rd, char *out, size_t len);

/*
 * Adds or replaces the RD of VRF name from "NAME=RD"; 0, or -1 with a
 * message in err.
 */
int bt_vrf_rd_add(struct bt_vrf_rds *l, const char *spec, char *err, size_t errlen);
void bt_vrf_rds_free(struct bt_vrf_rds *l);

/* The BMP peer type and distinguisher of a peer in VRF (ifindex, name). */
void bt_vrf_instance(const struct bt_vrf_rds *l, int ifindex, const char *name,
		     uint8_t *type, uint64_t *dist);

/* The VRF's name: "" for the default VRF, "#IFINDEX" if the device is gone. */
void bt_vrf_name(int ifindex, char out[BT_VRF_NAME_LEN]);

#endif
