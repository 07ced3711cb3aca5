/*
 * BMP v3 encoders (RFC 7854, RFC 8671 Adj-RIB-Out, RFC 9069 Loc-RIB) and
 * the BGP UPDATE re-encoding used to replay a RIB into a BMP feed.  Every
 * bmp_* encoder appends one complete BMP message to a struct buf; check
 * buf.oom once afterwards.
 */
#ifndef BMPTAP_BMP_H
#define BMPTAP_BMP_H

#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "bgp.h"
#include "buf.h"
#include "famrib.h"

#define BMP_VERSION		3
#define BMP_COMMON_HDR_LEN	6
#define BMP_PEER_HDR_LEN	42

enum bmp_msg_type {
	BMP_ROUTE_MONITORING = 0,
	BMP_STATISTICS = 1,
	BMP_PEER_DOWN = 2,
	BMP_PEER_UP = 3,
	BMP_INITIATION = 4,
	BMP_TERMINATION = 5,
	BMP_ROUTE_MIRRORING = 6,
};

enum bmp_peer_type {
	BMP_PEER_GLOBAL = 0,
	BMP_PEER_RD = 1,
	BMP_PEER_LOCAL = 2,
	BMP_PEER_LOC_RIB = 3,	/* RFC 9069 */
};

#define BMP_PEER_F_V	0x80	/* peer address is IPv6 */
#define BMP_PEER_F_L	0x40	/* post-policy */
#define BMP_PEER_F_A	0x20	/* legacy 2-octet AS_PATH encoding */
#define BMP_PEER_F_O	0x10	/* Adj-RIB-Out (RFC 8671) */
#define BMP_LOCRIB_F_F	0x80	/* Loc-RIB filtered (RFC 9069) */

struct bmp_peer {
	uint8_t type;
	uint8_t flags;
	uint64_t distinguisher;
	uint8_t addr[16];	/* IPv4 goes in addr[12..15] */
	uint32_t as;
	uint32_t bgp_id;
	uint32_t ts_sec, ts_usec;
};

/* Sets addr and the V flag from a 4- or 16-octet address. */
void bmp_peer_set_addr(struct bmp_peer *p, const uint8_t *addr, size_t len);

struct bmp_tlv {
	uint16_t type;
	uint16_t len;
	const void *val;
};

/* Initiation / Peer Up information TLV types. */
#define BMP_INFO_STRING		0
#define BMP_INFO_SYSDESCR	1
#define BMP_INFO_SYSNAME	2
#define BMP_INFO_TABLE_NAME	3	/* RFC 9069 VRF/Table Name */

/* Termination TLV types and reasons. */
#define BMP_TERM_STRING		0
#define BMP_TERM_REASON		1
enum bmp_term_reason {
	BMP_TERM_ADMIN_CLOSE = 0,
	BMP_TERM_UNSPECIFIED = 1,
	BMP_TERM_OUT_OF_RESOURCES = 2,
	BMP_TERM_REDUNDANT = 3,
	BMP_TERM_PERM_ADMIN_CLOSE = 4,
};

enum bmp_down_reason {
	BMP_DOWN_LOCAL_NOTIFY = 1,	/* + NOTIFICATION PDU */
	BMP_DOWN_LOCAL_NO_NOTIFY = 2,	/* + 2-octet FSM event code */
	BMP_DOWN_REMOTE_NOTIFY = 3,	/* + NOTIFICATION PDU */
	BMP_DOWN_REMOTE_NO_NOTIFY = 4,
	BMP_DOWN_DECONFIGURED = 5,
	BMP_DOWN_LOCAL_TLV = 6,		/* RFC 9069: + information TLVs */
};

/* Statistics types (RFC 7854 4.8, RFC 8671 6.2, RFC 9972). */
enum bmp_stat_type {
	BMP_STAT_REJECTED = 0,
	BMP_STAT_DUP_PREFIX = 1,
	BMP_STAT_DUP_WITHDRAW = 2,
	BMP_STAT_CLUSTER_LOOP = 3,
	BMP_STAT_AS_PATH_LOOP = 4,
	BMP_STAT_ORIGINATOR_LOOP = 5,
	BMP_STAT_CONFED_LOOP = 6,
	BMP_STAT_ADJ_RIB_IN = 7,
	BMP_STAT_LOC_RIB = 8,
	BMP_STAT_ADJ_RIB_IN_AF = 9,
	BMP_STAT_LOC_RIB_AF = 10,
	BMP_STAT_UPD_TREAT_AS_WITHDRAW = 11,
	BMP_STAT_PFX_TREAT_AS_WITHDRAW = 12,
	BMP_STAT_DUP_UPDATE = 13,
	BMP_STAT_ADJ_RIB_OUT_PRE = 14,
	BMP_STAT_ADJ_RIB_OUT_POST = 15,
	BMP_STAT_ADJ_RIB_OUT_PRE_AF = 16,
	BMP_STAT_ADJ_RIB_OUT_POST_AF = 17,
	/* RFC 9972 */
	BMP_STAT_ADJ_RIB_IN_PRE = 18,
	BMP_STAT_ADJ_RIB_IN_PRE_AF = 19,
	BMP_STAT_ADJ_RIB_IN_POST = 20,
	BMP_STAT_ADJ_RIB_IN_POST_AF = 21,
	BMP_STAT_ADJ_RIB_IN_REJECTED_AF = 22,	/* rejected by inbound policy */
	BMP_STAT_ADJ_RIB_IN_ACCEPTED_AF = 23,	/* accepted by inbound policy */
};

struct bmp_stat {
	uint16_t type;
	uint16_t afi;		/* per-AFI/SAFI types only */
	uint8_t safi;
	uint64_t value;		/* truncated to 32 bits for counter types */
};

#define BMP_MIRROR_BGP_MSG	0
#define BMP_MIRROR_INFO		1
#define BMP_MIRROR_ERRORED_PDU	0
#define BMP_MIRROR_MSGS_LOST	1

void bmp_initiation(struct buf *b, const struct bmp_tlv *tlv, size_t n);
void bmp_termination(struct buf *b, uint16_t reason, const char *text);
void bmp_peer_up(struct buf *b, const struct bmp_peer *p, const uint8_t local_addr[16],
		 uint16_t local_port, uint16_t remote_port,
		 const uint8_t *sent_open, size_t sent_len,
		 const uint8_t *recv_open, size_t recv_len,
		 const struct bmp_tlv *info, size_t n_info);
/* data: the NOTIFICATION (reasons 1, 3), FSM event (2), TLVs (6) or none. */
void bmp_peer_down(struct buf *b, const struct bmp_peer *p, uint8_t reason,
		   const uint8_t *data, size_t len);
void bmp_peer_down_fsm(struct buf *b, const struct bmp_peer *p, uint16_t fsm_event);
void bmp_route_monitoring(struct buf *b, const struct bmp_peer *p,
			  const uint8_t *update, size_t len);
void bmp_statistics(struct buf *b, const struct bmp_peer *p, const struct bmp_stat *s, size_t n);
/* msg may be NULL (messages lost); info < 0 omits the information TLV. */
void bmp_route_mirroring(struct buf *b, const struct bmp_peer *p, const uint8_t *msg,
			 size_t len, int info);

/*
 * Appends one BGP UPDATE (header included) announcing a prefix of p[0..n)
 * with attribute set s, encoded for codec c (AS size, ADD-PATH, message
 * size limit).  Returns how many of the prefixes it holds; 0 when not even
 * one fits or n == 0.
 */
size_t bgp_encode_update(struct buf *b, const struct attr_set *s, const struct bgp_prefix *p,
			 size_t n, const struct bgp_codec *c);
/* Same for withdrawals (all of one family). */
size_t bgp_encode_withdraw(struct buf *b, const struct bgp_prefix *p, size_t n,
			   const struct bgp_codec *c);
void bgp_encode_eor(struct buf *b, int fam);

/*
 * The same for routes e[0..n) of a famrib family (famrib.h) with set s
 * (ATTR_FAM_MP: its MP_REACH_NLRI gives AFI, SAFI and next hop): the NLRI
 * as stored, path ids with addpath.  A withdrawal carries the stored NLRI
 * too: RFC 8277 and RFC 4364 receivers ignore its label.
 */
size_t bgp_encode_mp_update(struct buf *b, const struct attr_set *s, const struct famrib_entry *e,
			    size_t n, const struct bgp_codec *c, bool addpath);
size_t bgp_encode_mp_withdraw(struct buf *b, uint16_t afi, uint8_t safi,
			      const struct famrib_entry *e, size_t n, const struct bgp_codec *c,
			      bool addpath);
void bgp_encode_mp_eor(struct buf *b, uint16_t afi, uint8_t safi);

#endif
