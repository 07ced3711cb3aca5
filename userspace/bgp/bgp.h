/*
 * BGP-4 message parsing (RFC 4271) with the extensions a BMP feed needs:
 * capabilities (RFC 5492, 4760, 2918, 6793, 7911, 8654, 4724, 9072),
 * 4-octet AS merge (RFC 6793), ADD-PATH (RFC 7911) and revised error
 * handling (RFC 7606).  Parsed structures point into the caller's message;
 * nothing is copied, so the message must outlive them.
 */
#ifndef BMPTAP_BGP_H
#define BMPTAP_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define BGP_HDR_LEN		19
#define BGP_MAX_LEN		4096
#define BGP_EXT_MAX_LEN		65535
#define BGP_AS_TRANS		23456

enum bgp_msg_type {
	BGP_OPEN = 1,
	BGP_UPDATE = 2,
	BGP_NOTIFICATION = 3,
	BGP_KEEPALIVE = 4,
	BGP_ROUTE_REFRESH = 5,
};

enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_ORIGINATOR_ID = 9,
	BGP_ATTR_CLUSTER_LIST = 10,
	BGP_ATTR_MP_REACH = 14,
	BGP_ATTR_MP_UNREACH = 15,
	BGP_ATTR_EXT_COMMUNITIES = 16,
	BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
	BGP_ATTR_LARGE_COMMUNITIES = 32,
};

#define BGP_AF_OPTIONAL		0x80
#define BGP_AF_TRANSITIVE	0x40
#define BGP_AF_PARTIAL		0x20
#define BGP_AF_EXTLEN		0x10

enum bgp_seg_type {
	BGP_AS_SET = 1,
	BGP_AS_SEQUENCE = 2,
	BGP_AS_CONFED_SEQUENCE = 3,
	BGP_AS_CONFED_SET = 4,
};

#define BGP_AFI_IPV4	1
#define BGP_AFI_IPV6	2
#define BGP_SAFI_UNICAST 1

/* The address families whose routes are kept; index for per-family arrays. */
enum bgp_fam { BGP_FAM_IPV4, BGP_FAM_IPV6, BGP_FAM_MAX };

int bgp_fam_of(uint16_t afi, uint8_t safi);	/* enum bgp_fam or -1 */
uint16_t bgp_fam_afi(int fam);
/* "ipv4", "ipv6": the AFI's name, for logs and metric labels. */
extern const char *const bgp_fam_afi_name[BGP_FAM_MAX];

/* NOTIFICATION codes used when classifying errors. */
#define BGP_ERR_HEADER		1
#define BGP_ERR_OPEN		2
#define BGP_ERR_UPDATE		3

/*
 * Checks the 19-octet header of the message at msg (len bytes available).
 * Returns the message length when a whole valid message is present, 0 when
 * more bytes are needed, or -subcode (Message Header Error) when invalid.
 */
int bgp_msg_check(const uint8_t *msg, size_t len, bool ext_msg);

/* ------------------------------------------------------------- OPEN */

#define BGP_MAX_AF	16

struct bgp_af {
	uint16_t afi;
	uint8_t safi;
	uint8_t flags;	/* ADD-PATH send/receive, or graceful-restart flags */
};

#define BGP_ADDPATH_RX	1
#define BGP_ADDPATH_TX	2

struct bgp_open {
	uint8_t version;
	uint16_t my_as;		/* 2-octet field; AS_TRANS for big ASes */
	uint16_t hold_time;
	uint32_t bgp_id;
	uint32_t as;		/* the real AS: capability 65 if present */
	bool as4;
	bool route_refresh;
	bool enhanced_refresh;	/* RFC 7313 capability 70 */
	bool ext_msg;
	bool ext_opt_params;	/* RFC 9072 encoding was used */
	bool gr;
	uint16_t gr_flags_time;	/* restart flags (4 bits) and time (12) */
	/* Multiprotocol and ADD-PATH are kept per known family, read from
	 * every tuple as FRR does: unknown families are ignored, so junk
	 * tuples cannot push the real one out, and for ADD-PATH the last
	 * tuple of a family wins. */
	bool has_mp;		/* any multiprotocol capability, known or not */
	bool mp[BGP_FAM_MAX];
	uint8_t addpath[BGP_FAM_MAX];	/* BGP_ADDPATH_RX | BGP_ADDPATH_TX */
	/* FRR ORs a family's tuples where BIRD takes the last, and FRR takes
	 * the first 4-octet AS where BIRD takes the last: with duplicates
	 * that disagree, routers read one OPEN two ways. */
	uint8_t addpath_or[BGP_FAM_MAX];
	bool as_conflict;	/* 4-octet AS capabilities with different ASes */
	/* ADD-PATH of the other families (famrib.h), last tuple of each and
	 * the OR of its tuples in flags_or; the first BGP_MAX_AF families. */
	uint8_t n_addpath_more;
	struct bgp_af addpath_more[BGP_MAX_AF];
	uint8_t addpath_more_or[BGP_MAX_AF];
	/* RFC 8277 Multiple Labels (capability 8): the labels the speaker
	 * takes per family (flags: the count), last tuple of a family wins. */
	uint8_t n_labels;
	struct bgp_af labels[BGP_MAX_AF];
	uint8_t n_gr;
	struct bgp_af gr_af[BGP_MAX_AF];
};

/*
 * Parses a whole OPEN message (header included).  Returns 0, or the
 * NOTIFICATION a speaker would send as (code << 8 | subcode).
 */
int bgp_open_parse(const uint8_t *msg, size_t len, struct bgp_open *o);

/* What one direction of a session puts on the wire. */
struct bgp_codec {
	bool as4;
	bool ext_msg;
	bool addpath[BGP_FAM_MAX];	/* NLRI carry a 4-octet path id */
};

struct bgp_session {
	bool af[BGP_FAM_MAX];	/* negotiated address families */
	/* Path ids in either direction depend on how the routers read
	 * duplicate ADD-PATH tuples: no decoding is trustworthy. */
	bool ambiguous[BGP_FAM_MAX];
	/* RFC 7313 on both sides: refreshes are framed by BoRR and EoRR. */
	bool enhanced_refresh;
	struct bgp_codec rx;	/* UPDATEs sent by the remote speaker */
	struct bgp_codec tx;	/* UPDATEs sent by the local speaker */
	/* The other families with ADD-PATH in some direction: flags
	 * BGP_ADDPATH_RX (the remote's UPDATEs carry path ids), _TX (the
	 * local's), and BGP_ADDPATH_AMBIGUOUS as ambiguous[] above. */
	uint8_t n_addpath_more;
	struct bgp_af addpath_more[BGP_MAX_AF];
	/* RFC 8277 section 2.1: the remote may send as many labels per route
	 * as the local speaker's Multiple Labels Capability takes (flags). */
	uint8_t n_labels_rx;
	struct bgp_af labels_rx[BGP_MAX_AF];
};
#define BGP_ADDPATH_AMBIGUOUS 4

/* local: the OPEN the tapped daemon sent; remote: the one it received. */
void bgp_negotiate(const struct bgp_open *local, const struct bgp_open *remote,
		   struct bgp_session *s);

/* ---------------------------------------------------- ROUTE-REFRESH */

enum bgp_refresh_subtype {	/* RFC 7313 4: the former Reserved octet */
	BGP_RR_REQUEST = 0,
	BGP_RR_BORR = 1,	/* Beginning of Route Refresh */
	BGP_RR_EORR = 2,	/* End of Route Refresh */
};

/*
 * A whole ROUTE-REFRESH message: its subtype and the family (enum bgp_fam,
 * -1 for one bmptapd keeps no RIB of).  -1 when it is not one RFC 7313
 * lets a speaker act on: another length (ORFs aside, RFC 5291, a request
 * only) or an unknown subtype.
 */
int bgp_refresh_parse(const uint8_t *msg, size_t len, int *fam);

/* ----------------------------------------------------------- UPDATE */

struct bgp_span {
	const uint8_t *p;
	uint32_t len;
};

/* RFC 7606 approaches, ordered by severity. */
enum bgp_action {
	BGP_ACT_NONE,
	BGP_ACT_ATTR_DISCARD,
	BGP_ACT_WITHDRAW,	/* treat-as-withdraw */
	BGP_ACT_AFI_DISABLE,
	BGP_ACT_RESET,		/* session reset */
};

struct bgp_error {
	uint8_t action;		/* enum bgp_action */
	uint8_t code, subcode;	/* the NOTIFICATION RFC 4271 would send */
	uint8_t attr;		/* attribute type, 0 if none */
};

#define BGP_MAX_ERRORS 8

struct bgp_attr {
	uint8_t flags, type;
	uint16_t len;
	const uint8_t *val;
};

struct bgp_mp {
	bool present;
	uint16_t afi;
	uint8_t safi;
	int8_t fam;		/* enum bgp_fam, -1 when not kept */
	struct bgp_span nh;	/* MP_REACH only */
	struct bgp_span nlri;
	/* fam -1: the value past AFI/SAFI, unchecked (famrib.h frames it). */
	struct bgp_span rest;
};

struct bgp_update {
	bool as4;
	bool addpath[BGP_FAM_MAX];
	struct bgp_span withdrawn, attrs, nlri;
	struct bgp_mp reach, unreach;
	/* Attributes usable after error handling: first occurrence only, never
	 * discarded, never beyond a length overrun. */
	uint32_t attrs_ok_len;
	uint16_t attr_off[256];	/* offset + 1 into attrs, 0 when absent */

	enum bgp_action action;	/* worst of errors[] */
	bool treat_as_withdraw;	/* some error asked for it, whatever the worst */
	uint8_t disable_mask;	/* 1 << fam for AFI/SAFI disable */
	int8_t eor;		/* End-of-RIB family, or -1 */
	uint8_t n_errors;	/* may exceed BGP_MAX_ERRORS; only that many kept */
	struct bgp_error errors[BGP_MAX_ERRORS];
};

/* Parses a whole UPDATE (header included); returns u->action. */
enum bgp_action bgp_update_parse(const uint8_t *msg, size_t len,
				 const struct bgp_codec *c, struct bgp_update *u);

bool bgp_update_attr(const struct bgp_update *u, uint8_t type, struct bgp_attr *a);

struct bgp_attr_iter {
	const struct bgp_update *u;
	uint32_t off;
};
void bgp_attr_iter_init(struct bgp_attr_iter *it, const struct bgp_update *u);
/* Yields the usable attributes in wire order. */
bool bgp_attr_next(struct bgp_attr_iter *it, struct bgp_attr *a);

/*
 * Writes the effective AS path as 4-octet segments (attribute value form):
 * AS_PATH as is on 4-octet sessions, merged with AS4_PATH otherwise
 * (RFC 6793 section 4.2.3).  Adjacent AS_SEQUENCEs are coalesced so both
 * encodings of one path yield the same bytes.  Returns false if there is
 * no AS_PATH.
 */
bool bgp_update_aspath(const struct bgp_update *u, struct buf *out);
/* Effective aggregator after the AS4_AGGREGATOR rules. */
bool bgp_update_aggregator(const struct bgp_update *u, uint32_t *as, uint32_t *addr);

struct bgp_prefix {
	uint8_t fam;
	uint8_t len;
	uint32_t path_id;
	uint8_t addr[16];	/* bits past len are zero */
};

struct bgp_nlri_iter {
	const uint8_t *p, *end;
	uint8_t fam;
	bool addpath;
};
/* NLRI spans handed out by bgp_update_parse are already validated. */
void bgp_nlri_iter_init(struct bgp_nlri_iter *it, struct bgp_span s, int fam, bool addpath);
bool bgp_nlri_next(struct bgp_nlri_iter *it, struct bgp_prefix *p);
/* Validates AS_PATH segments of asz-octet ASes (confed_ok: CONFED_* allowed). */
bool bgp_aspath_valid(const uint8_t *p, uint32_t len, unsigned asz, bool confed_ok);
/* Validates an NLRI span: prefix lengths within the family, no overrun. */
bool bgp_nlri_valid(struct bgp_span s, int fam, bool addpath);

/* ----------------------------------------------------- NOTIFICATION */

struct bgp_notification {
	uint8_t code, subcode;
	struct bgp_span data;
};

bool bgp_notification_parse(const uint8_t *msg, size_t len, struct bgp_notification *n);

#endif
