/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * bmptap: the generic netlink ABI between the bmptap kernel module, the
 * bmptapd helper and the bmptapctl CLI.
 *
 * Bulk data (BGP messages cut from tapped TCP streams) is never multicast:
 * multicast has no backpressure.  The module appends records to a bounded
 * per-netns queue and rings a small doorbell on the "events" group; the
 * helper pulls the records with a BMPTAP_CMD_READ dump, which the kernel
 * refills only as the reader drains its socket.
 *
 * Reads are acknowledged.  READ copies records out from a per-netns read
 * cursor and frees nothing; BMPTAP_CMD_ACK (BMPTAP_A_ACK_SEQ) frees every
 * record up to a seq the reader has finished with.  When the reader's
 * socket closes, or a READ comes from another socket than the last one,
 * the cursor goes back to the oldest unacknowledged record: a restarted
 * reader gets again, in order and with the same seqs, everything that was
 * not acknowledged.  The queue bound (BMPTAP_NETNS_QUEUE_BYTES) counts
 * unacknowledged records, delivered or not: a reader that never acks fills
 * it, and then the module drops messages (OVERFLOW gaps, LOST) as it does
 * for a reader that does not read.  BMPTAP_NETNS_QUEUE_EPOCH names the
 * queue: a reader that kept a seq (a checkpoint) may trust it only while
 * the epoch is the same, since a module reload or a new netns starts a
 * new queue at seq 1.
 *
 * A READ reply carries its records as the generic netlink payload right
 * after struct genlmsghdr, not in an attribute: one record (a 65535-byte BGP
 * message plus its header) is larger than an attribute can hold.  A reply is
 * never larger than BMPTAP_READ_BUFSIZE; receive with a buffer that large.
 *
 * Every command needs CAP_NET_ADMIN over the caller's network namespace
 * (GENL_ADMIN_PERM) and acts on that namespace.  The attribute trees,
 * "->" what a request carries, "<-" what comes back, [x] optional:
 *
 * GET_NETNS (do)
 *   <- A_NETNS { PORTS, FORWARD, MAX_FLOWS, QUEUE_BYTES, FLOW_REASM_BYTES,
 *                IDLE_TIMEOUT, COUNTERS { CNT_* }, FLOWS, QUEUED_BYTES,
 *                QUEUED_RECORDS, NEXT_SEQ, QUEUE_EPOCH, ACKED_SEQ }
 * SET_NETNS (do)
 *   -> A_NETNS { [PORTS] [FORWARD] [MAX_FLOWS] [QUEUE_BYTES]
 *                [FLOW_REASM_BYTES] [IDLE_TIMEOUT] }
 *      (the others are read-only: EINVAL); CONFIG_CHANGED follows
 * GET_FLOW (dump)
 *   -> [A_FLOW { FLOW_ID }]              that flow only, else every flow
 *   <- A_FLOW { FLOW_ID, INFO, [OPEN_RX], [OPEN_TX], COUNTERS_RX { CNT_* },
 *               COUNTERS_TX { CNT_* }, LAST_SEQ }       one message per flow
 * READ (dump)
 *   <- struct bmptap_rec + payload, repeated, after the genlmsghdr (above)
 * ACK (do)
 *   -> A_ACK_SEQ
 * NEW_FLOW (do)
 *   -> A_NEW_FLOW { FAMILY, LOCAL_ADDR, REMOTE_ADDR, LOCAL_PORT, REMOTE_PORT,
 *                   [IFINDEX] }
 * SET_SERVER (do)
 *   -> A_SERVER { ADDRESS, PORT, [any other SERVER_*] }  keyed by ADDRESS,
 *      PORT; stored as given, replacing one of the same key; CONFIG_CHANGED
 * DEL_SERVER (do)
 *   -> A_SERVER { ADDRESS, PORT }; CONFIG_CHANGED follows
 * GET_SERVER (dump)
 *   <- A_SERVER { as stored }                   one message per server
 * SET_FILTER (do)
 *   -> A_FILTER { NAME, KIND, [FAMILY PREFIX PREFIX_LEN GE LE MAX_LEN]
 *                 [ASN] [COMMUNITY] }  keyed by NAME, fields by KIND;
 *      CONFIG_CHANGED follows
 * DEL_FILTER (do)
 *   -> A_FILTER { NAME }; CONFIG_CHANGED follows
 * GET_FILTER (dump)
 *   <- A_FILTER { as stored }                   one message per filter
 * DOORBELL (notification, group "events")
 *   <- A_QUEUED                 records are waiting: READ them
 * CONFIG_CHANGED (notification, group "config")
 *   <- nothing: settings, servers or filters changed; read them again
 */
#ifndef _UAPI_LINUX_BMPTAP_H
#define _UAPI_LINUX_BMPTAP_H

#include <linux/types.h>

#define BMPTAP_GENL_NAME	"bmptap"
/*
 * Version 2: struct bmptap_rec grew from 32 to 40 bytes (64-bit flow_id)
 * and BMPTAP_FLOW_ID is a u64.  The helper refuses a module of another
 * version rather than misreading its records.
 */
/*
 * Version 3: reads are acknowledged (BMPTAP_CMD_ACK): READ no longer frees
 * records, and a reader that does not ack fills the queue.  GET_NETNS
 * reports BMPTAP_NETNS_QUEUE_EPOCH and BMPTAP_NETNS_ACKED_SEQ.
 */
/*
 * Version 4: flows are keyed by their L3 domain (VRF) too; struct
 * bmptap_flow_info grew from 48 to 56 bytes (l3_ifindex), and NEW_FLOW
 * takes BMPTAP_NEW_FLOW_IFINDEX.
 */
#define BMPTAP_GENL_VERSION	4
#define BMPTAP_MCGRP_EVENTS	"events"	/* doorbell: records are queued */
#define BMPTAP_MCGRP_CONFIG	"config"	/* helper config was changed */

enum bmptap_cmd {
	BMPTAP_CMD_UNSPEC,
	BMPTAP_CMD_GET_NETNS,	/* do: tap settings and netns counters */
	BMPTAP_CMD_SET_NETNS,	/* do: change tap settings (NETNS_* attrs) */
	BMPTAP_CMD_GET_FLOW,	/* dump: flows with their OPENs and counters */
	BMPTAP_CMD_READ,	/* dump: pull records from the read cursor */
	BMPTAP_CMD_DOORBELL,	/* notification on "events": records queued */
	BMPTAP_CMD_SET_SERVER,	/* do: add or replace a BMP server config */
	BMPTAP_CMD_DEL_SERVER,	/* do: remove a BMP server config */
	BMPTAP_CMD_GET_SERVER,	/* dump: the stored BMP server configs */
	BMPTAP_CMD_CONFIG_CHANGED, /* notification on "config" */
	/*
	 * Reserved, never reused: SET_STATUS, GET_STATUS and EVENT were
	 * bmptapd's status blob and event relay, which bmptapd now serves
	 * on its own control socket (bmptapd(8)).
	 */
	BMPTAP_CMD_RESERVED_10,
	BMPTAP_CMD_RESERVED_11,
	BMPTAP_CMD_RESERVED_12,
	BMPTAP_CMD_SET_FILTER,	/* do: add or replace an import filter (by name) */
	BMPTAP_CMD_DEL_FILTER,	/* do: remove an import filter (by name) */
	BMPTAP_CMD_GET_FILTER,	/* dump: the stored import filters */
	/*
	 * do: make an established TCP connection known before its next
	 * segment (BMPTAP_A_NEW_FLOW): the helper found it with sock_diag
	 * when it started.  The flow is created flagged MIDSTREAM and
	 * DISCOVERED, with its FLOW_START record, and counts against
	 * max_flows like any other.  EEXIST: the flow is already tapped;
	 * EINVAL: neither port is a tapped port.
	 */
	BMPTAP_CMD_NEW_FLOW,
	/*
	 * do: free every queued record whose seq <= BMPTAP_A_ACK_SEQ (the
	 * reader is done with them).  EINVAL: the seq was not delivered yet
	 * (beyond the read cursor); nothing is freed then.  Acking a seq
	 * already acknowledged is a no-op.
	 */
	BMPTAP_CMD_ACK,
	__BMPTAP_CMD_MAX,
};
#define BMPTAP_CMD_MAX (__BMPTAP_CMD_MAX - 1)

enum bmptap_attr {
	BMPTAP_A_UNSPEC,
	BMPTAP_A_PAD,		/* 64-bit alignment padding */
	BMPTAP_A_NETNS,		/* nest: BMPTAP_NETNS_* */
	BMPTAP_A_FLOW,		/* nest: BMPTAP_FLOW_* (one per flow in dumps) */
	BMPTAP_A_SERVER,	/* nest: BMPTAP_SERVER_* */
	BMPTAP_A_RESERVED_5,	/* was STATUS (the helper's status blob) */
	BMPTAP_A_QUEUED,	/* u64: records waiting in the queue (doorbell) */
	BMPTAP_A_RESERVED_7,	/* was EVENT (the helper's event relay) */
	BMPTAP_A_RESERVED_8,	/* was EVENT_SEQ */
	BMPTAP_A_FILTER,	/* nest: BMPTAP_FILTER_* */
	BMPTAP_A_NEW_FLOW,	/* nest: BMPTAP_NEW_FLOW_* (NEW_FLOW requests) */
	BMPTAP_A_ACK_SEQ,	/* u64: ACK: the last seq the reader is done with */
	__BMPTAP_A_MAX,
};
#define BMPTAP_A_MAX (__BMPTAP_A_MAX - 1)

#define BMPTAP_MAX_PORTS	8
#define BMPTAP_READ_BUFSIZE	(128 * 1024)

/* Per-netns tap settings and counters. */
enum bmptap_netns_attr {
	BMPTAP_NETNS_UNSPEC,
	BMPTAP_NETNS_PAD,
	BMPTAP_NETNS_PORTS,		/* binary: array of __u16 (host order), 1..8 */
	BMPTAP_NETNS_FORWARD,		/* u8: also tap sessions forwarded through */
	BMPTAP_NETNS_MAX_FLOWS,		/* u32: flow table bound */
	BMPTAP_NETNS_QUEUE_BYTES,	/* u32: record queue bound */
	BMPTAP_NETNS_FLOW_REASM_BYTES,	/* u32: held (unacked/out-of-order) bytes per flow */
	BMPTAP_NETNS_IDLE_TIMEOUT,	/* u32: seconds before an idle flow expires */
	BMPTAP_NETNS_COUNTERS,		/* nest: BMPTAP_CNT_* */
	BMPTAP_NETNS_FLOWS,		/* u32: flows in the table now */
	BMPTAP_NETNS_QUEUED_BYTES,	/* u64: unacknowledged bytes in the record queue */
	BMPTAP_NETNS_QUEUED_RECORDS,	/* u64: unacknowledged records in the record queue */
	BMPTAP_NETNS_NEXT_SEQ,		/* u64: seq the next record will get */
	BMPTAP_NETNS_QUEUE_EPOCH,	/* u64: random per queue (netns, module load), never 0 */
	BMPTAP_NETNS_ACKED_SEQ,		/* u64: highest seq acknowledged (0: none) */
	__BMPTAP_NETNS_MAX,
};
#define BMPTAP_NETNS_MAX (__BMPTAP_NETNS_MAX - 1)

/* Counters, per netns (BMPTAP_NETNS_COUNTERS) and per flow and direction. */
enum bmptap_counter {
	BMPTAP_CNT_UNSPEC,
	BMPTAP_CNT_PAD,
	BMPTAP_CNT_SEGMENTS,		/* u64: TCP segments seen (GRO/GSO count once) */
	BMPTAP_CNT_BYTES,		/* u64: payload bytes delivered in order */
	BMPTAP_CNT_MESSAGES,		/* u64: BGP messages framed */
	BMPTAP_CNT_RETRANSMITS,		/* u64: segments wholly or partly already seen */
	BMPTAP_CNT_OUT_OF_ORDER,	/* u64: segments held ahead of a hole */
	BMPTAP_CNT_GAPS,		/* u64: gap records emitted */
	BMPTAP_CNT_GAP_BYTES,		/* u64: bytes skipped (missing or unframeable) */
	BMPTAP_CNT_DROPS,		/* u64: messages dropped on queue overflow */
	BMPTAP_CNT_CONFLICTS,		/* u64: overlaps carrying different bytes */
	BMPTAP_CNT_BAD_CSUM,		/* u64: segments with a bad TCP checksum */
	BMPTAP_CNT_NOMEM,		/* u64: allocation failures */
	BMPTAP_CNT_FLOWS_CREATED,	/* u64: (netns only) */
	BMPTAP_CNT_FLOWS_EVICTED,	/* u64: (netns only) evicted at the table bound */
	BMPTAP_CNT_FLOWS_REFUSED,	/* u64: (netns only) table full, nothing to evict */
	BMPTAP_CNT_RECORDS,		/* u64: (netns only) records queued */
	BMPTAP_CNT_RECORDS_LOST,	/* u64: (netns only) records lost wholesale */
	BMPTAP_CNT_FRAGMENTS,		/* u64: (netns only) TCP in IP fragments, skipped */
	BMPTAP_CNT_AUTH_FAIL,		/* u64: received segments TCP drops for TCP-MD5, skipped */
	BMPTAP_CNT_FLOWS_PEAK,		/* u64: (netns only) most flows the table held at once */
	BMPTAP_CNT_HOOK_NS,		/* u64: (netns only) ns spent in the hooks on tapped segments */
	BMPTAP_CNT_PRUNED,		/* u64: held runs dropped for earlier data (reasm budget) */
	BMPTAP_CNT_PRUNED_BYTES,	/* u64: bytes in them; reported as MISSING gaps */
	BMPTAP_CNT_OUT_OF_WINDOW,	/* u64: received segments starting beyond the window, or before the local stack answered: not held */
	BMPTAP_CNT_BAD_ACK,		/* u64: received segments without ACK or acknowledging unsent data: ignored */
	BMPTAP_CNT_RST_IGNORED,		/* u64: received RSTs TCP would not accept (seq not exact) */
	BMPTAP_CNT_FIN_IGNORED,		/* u64: received FINs never acknowledged or conflicting with one that was */
	BMPTAP_CNT_BOGUS,		/* u64: segments or ACKs more than 2^30 from the expected seq */
	BMPTAP_CNT_WRONG_IFACE,		/* u64: forwarded segments not on their direction's interface: ignored */
	__BMPTAP_CNT_MAX,
};
#define BMPTAP_CNT_MAX (__BMPTAP_CNT_MAX - 1)

enum bmptap_flow_attr {
	BMPTAP_FLOW_UNSPEC,
	BMPTAP_FLOW_PAD,
	BMPTAP_FLOW_ID,			/* u64: netns-local flow id, never 0 nor reused */
	BMPTAP_FLOW_INFO,		/* binary: struct bmptap_flow_info */
	BMPTAP_FLOW_OPEN_RX,		/* binary: OPEN received from the remote */
	BMPTAP_FLOW_OPEN_TX,		/* binary: OPEN sent by the local side */
	BMPTAP_FLOW_COUNTERS_RX,	/* nest: BMPTAP_CNT_* for remote -> local */
	BMPTAP_FLOW_COUNTERS_TX,	/* nest: BMPTAP_CNT_* for local -> remote */
	BMPTAP_FLOW_LAST_SEQ,		/* u64: seq of the last record of this flow */
	__BMPTAP_FLOW_MAX,
};
#define BMPTAP_FLOW_MAX (__BMPTAP_FLOW_MAX - 1)

/*
 * A connection terminated on this host, as its local socket sees it: the
 * local address and port are the socket's own.  All attributes required.
 */
enum bmptap_new_flow_attr {
	BMPTAP_NEW_FLOW_UNSPEC,
	BMPTAP_NEW_FLOW_FAMILY,		/* u8: AF_INET or AF_INET6 */
	BMPTAP_NEW_FLOW_LOCAL_ADDR,	/* binary: 4 or 16 bytes, per FAMILY */
	BMPTAP_NEW_FLOW_REMOTE_ADDR,	/* binary: 4 or 16 bytes, per FAMILY */
	BMPTAP_NEW_FLOW_LOCAL_PORT,	/* u16, host order, not 0 */
	BMPTAP_NEW_FLOW_REMOTE_PORT,	/* u16, host order, not 0 */
	/*
	 * u32, optional: the device the socket is bound to (sock_diag's
	 * idiag_if), 0 or absent: none.  The flow's L3 domain is that
	 * device's VRF (itself if it is a VRF device): a socket of a VRF is
	 * bound to it, so its flow is the one the hooks key in that VRF.
	 */
	BMPTAP_NEW_FLOW_IFINDEX,
	__BMPTAP_NEW_FLOW_MAX,
};
#define BMPTAP_NEW_FLOW_MAX (__BMPTAP_NEW_FLOW_MAX - 1)

/* BMP server configuration, stored per netns for the helper. */
enum bmptap_server_attr {
	BMPTAP_SERVER_UNSPEC,
	BMPTAP_SERVER_ADDRESS,		/* string: IPv4, IPv6 or host name */
	BMPTAP_SERVER_PORT,		/* u16 */
	BMPTAP_SERVER_POLICY,		/* u32: BMPTAP_POLICY_* bits */
	BMPTAP_SERVER_STATS_TIMEOUT,	/* u32: 0 or 15..65535 seconds */
	BMPTAP_SERVER_MIRRORING,	/* u8 */
	BMPTAP_SERVER_SYS_NAME,		/* string */
	BMPTAP_SERVER_SYS_DESCR,	/* string */
	BMPTAP_SERVER_PASSIVE,		/* u8: listen instead of connect */
	BMPTAP_SERVER_ALLOW,		/* string: comma-separated prefixes (passive) */
	/* Per-collector selection, pacing and connection (one block). */
	BMPTAP_SERVER_FAMILIES,		/* u32: BMPTAP_FAMILY_* bits, not 0 */
	BMPTAP_SERVER_PEERS,		/* string: comma-separated prefixes and ASNs */
	BMPTAP_SERVER_REPLAY_RATE,	/* u32: replay messages/s, 0: unpaced */
	BMPTAP_SERVER_SOURCE,		/* string: IPv4 or IPv6 source address */
	BMPTAP_SERVER_DSCP,		/* u8: 0..63 */
	/* BMP over TLS (active servers only). */
	BMPTAP_SERVER_TLS,		/* u8: TLS 1.2+ with the peer verified */
	BMPTAP_SERVER_TLS_CA_FILE,	/* string: absolute path, PEM CA certificates */
	BMPTAP_SERVER_TLS_CERT_FILE,	/* string: absolute path, PEM client certificate */
	BMPTAP_SERVER_TLS_KEY_FILE,	/* string: absolute path, PEM client key */
	BMPTAP_SERVER_TLS_NAME,		/* string: name verified (default: the address) */
	__BMPTAP_SERVER_MAX,
};
#define BMPTAP_SERVER_MAX (__BMPTAP_SERVER_MAX - 1)
#define BMPTAP_SERVER_ADDRESS_MAX	255
#define BMPTAP_SERVER_STRING_MAX	255
#define BMPTAP_MAX_SERVERS		64
#define BMPTAP_SERVER_SOURCE_MAX	45	/* INET6_ADDRSTRLEN - 1 */
#define BMPTAP_DSCP_MAX			63

/*
 * BMPTAP_SERVER_FAMILIES bits: one per address family bmptapd keeps, in
 * the order of its table (userspace/nlri.c; the CLI takes GoBGP's names,
 * given after each).  18 of the u32's 32 bits are used; the module takes
 * any non-zero combination of them (BMPTAP_FAMILY_ALL).
 */
#define BMPTAP_FAMILY_IPV4_UNICAST	(1U << 0)	/* ipv4-unicast, 1/1 */
#define BMPTAP_FAMILY_IPV6_UNICAST	(1U << 1)	/* ipv6-unicast, 2/1 */
#define BMPTAP_FAMILY_IPV4_MULTICAST	(1U << 2)	/* ipv4-multicast, 1/2 */
#define BMPTAP_FAMILY_IPV6_MULTICAST	(1U << 3)	/* ipv6-multicast, 2/2 */
#define BMPTAP_FAMILY_IPV4_LABELED	(1U << 4)	/* ipv4-labelled-unicast, 1/4 */
#define BMPTAP_FAMILY_IPV6_LABELED	(1U << 5)	/* ipv6-labelled-unicast, 2/4 */
#define BMPTAP_FAMILY_VPNV4		(1U << 6)	/* l3vpn-ipv4-unicast (vpnv4), 1/128 */
#define BMPTAP_FAMILY_VPNV6		(1U << 7)	/* l3vpn-ipv6-unicast (vpnv6), 2/128 */
#define BMPTAP_FAMILY_IPV4_MVPN		(1U << 8)	/* ipv4-mvpn, 1/5 */
#define BMPTAP_FAMILY_IPV6_MVPN		(1U << 9)	/* ipv6-mvpn, 2/5 */
#define BMPTAP_FAMILY_EVPN		(1U << 10)	/* l2vpn-evpn (evpn), 25/70 */
#define BMPTAP_FAMILY_RTC		(1U << 11)	/* rtc, 1/132 */
#define BMPTAP_FAMILY_IPV4_FLOWSPEC	(1U << 12)	/* ipv4-flowspec, 1/133 */
#define BMPTAP_FAMILY_IPV6_FLOWSPEC	(1U << 13)	/* ipv6-flowspec, 2/133 */
#define BMPTAP_FAMILY_VPNV4_FLOWSPEC	(1U << 14)	/* l3vpn-ipv4-flowspec, 1/134 */
#define BMPTAP_FAMILY_VPNV6_FLOWSPEC	(1U << 15)	/* l3vpn-ipv6-flowspec, 2/134 */
#define BMPTAP_FAMILY_LS		(1U << 16)	/* ls, 16388/71 */
#define BMPTAP_FAMILY_LS_VPN		(1U << 17)	/* ls-vpn, 16388/72 */
#define BMPTAP_FAMILY_ALL		((1U << 18) - 1)

#define BMPTAP_POLICY_PRE	(1U << 0)
#define BMPTAP_POLICY_POST	(1U << 1)
#define BMPTAP_POLICY_LOCAL_RIB	(1U << 2)
#define BMPTAP_POLICY_ADJ_OUT	(1U << 3)
#define BMPTAP_POLICY_ALL	(BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST | \
				 BMPTAP_POLICY_LOCAL_RIB)

/*
 * Import filters, stored per netns for the helper like the servers: each
 * one rejects, in the helper's post-policy view (BMPTAP_POLICY_POST and the
 * Loc-RIB it derives), the routes it matches.  A filter has a unique name
 * and exactly one match kind; the kernel only validates and stores them.
 */
enum bmptap_filter_kind {
	BMPTAP_FILTER_KIND_PREFIX = 1,	/* PREFIX/PREFIX_LEN, GE..LE */
	BMPTAP_FILTER_KIND_MAX_LEN = 2,	/* FAMILY: prefixes longer than MAX_LEN */
	BMPTAP_FILTER_KIND_AS_PATH = 3,	/* ASN anywhere in the AS path */
	BMPTAP_FILTER_KIND_COMMUNITY = 4,	/* COMMUNITY (RFC 1997) carried */
};

enum bmptap_filter_attr {
	BMPTAP_FILTER_UNSPEC,
	BMPTAP_FILTER_NAME,		/* string: 1..63 of [A-Za-z0-9_.-] */
	BMPTAP_FILTER_KIND,		/* u8: enum bmptap_filter_kind */
	BMPTAP_FILTER_FAMILY,		/* u8: AF_INET or AF_INET6 (PREFIX, MAX_LEN) */
	BMPTAP_FILTER_PREFIX,		/* binary: 4 or 16 bytes, host bits zero */
	BMPTAP_FILTER_PREFIX_LEN,	/* u8 */
	BMPTAP_FILTER_GE,		/* u8: PREFIX_LEN..max; default PREFIX_LEN */
	BMPTAP_FILTER_LE,		/* u8: GE..max; default: max if GE given, else PREFIX_LEN */
	BMPTAP_FILTER_MAX_LEN,		/* u8 */
	BMPTAP_FILTER_ASN,		/* u32 */
	BMPTAP_FILTER_COMMUNITY,	/* u32: ASN << 16 | value */
	__BMPTAP_FILTER_MAX,
};
#define BMPTAP_FILTER_MAX (__BMPTAP_FILTER_MAX - 1)
#define BMPTAP_FILTER_NAME_MAX		63
#define BMPTAP_MAX_FILTERS		256

/* Direction of a TCP stream relative to the tapped host. */
enum bmptap_dir {
	BMPTAP_DIR_RX = 0,	/* remote -> local (forwarded: server -> client) */
	BMPTAP_DIR_TX = 1,	/* local -> remote (forwarded: client -> server) */
};

struct bmptap_flow_info {
	__u8	family;		/* AF_INET or AF_INET6 */
	__u8	flags;		/* BMPTAP_FLOWF_* */
	__be16	local_port;	/* forwarded flows: the client side */
	__be16	remote_port;
	__u16	reserved;
	__u8	local_addr[16];	/* IPv4 in the first 4 bytes */
	__u8	remote_addr[16];
	__u64	start_ns;	/* CLOCK_REALTIME when the flow was first seen */
	/*
	 * The L3 domain of the flow (of its local side when forwarded): the
	 * ifindex of the VRF (l3mdev master) device its segments go through,
	 * 0 for the default VRF.  Part of the flow's key: the same addresses
	 * and ports in two VRFs are two flows.
	 */
	__s32	l3_ifindex;
	__u32	reserved2;	/* 0 */
};

#define BMPTAP_FLOWF_MIDSTREAM	(1U << 0)	/* picked up without its SYN */
#define BMPTAP_FLOWF_FORWARD	(1U << 1)	/* transits the host */
/* Created by BMPTAP_CMD_NEW_FLOW (found by the helper), not by a segment. */
#define BMPTAP_FLOWF_DISCOVERED	(1U << 2)

enum bmptap_rec_type {
	BMPTAP_REC_FLOW_START = 1,	/* payload: struct bmptap_flow_info */
	BMPTAP_REC_MSG = 2,		/* payload: one whole BGP message */
	BMPTAP_REC_GAP = 3,		/* payload: struct bmptap_gap [+ bytes] */
	BMPTAP_REC_FLOW_END = 4,	/* no payload; aux: enum bmptap_end */
	BMPTAP_REC_LOST = 5,		/* records lost wholesale; aux: how many */
};

/*
 * One record of a READ reply.  Records are packed back to back, each
 * starting at an 8-byte aligned offset from the first: the next one is at
 * BMPTAP_REC_ALIGN(len).  The payload itself is only 4-byte aligned in the
 * reply: copy the header out before reading its 64-bit fields.  seq counts
 * records per netns without holes, so a reader can prove it lost nothing.
 * flow_id is 64-bit so that it never wraps: an id names one flow for the
 * life of the netns, even after billions of flows (a long SYN flood).
 */
struct bmptap_rec {
	__u32	len;		/* header + payload, without the alignment pad */
	__u16	type;		/* enum bmptap_rec_type */
	__u8	dir;		/* enum bmptap_dir */
	__u8	flags;		/* reserved, 0 */
	__u32	aux;		/* FLOW_END: enum bmptap_end; LOST: count */
	__u32	reserved;	/* 0: keeps flow_id 8-byte aligned */
	__u64	flow_id;
	__u64	seq;
	__u64	ts_ns;		/* CLOCK_REALTIME of the segment completing it */
};

#define BMPTAP_REC_ALIGN(len)	(((len) + 7U) & ~7U)

enum bmptap_gap_reason {
	BMPTAP_GAP_MISSING = 1,	/* bytes the tap never saw (or could not hold) */
	BMPTAP_GAP_RESYNC = 2,	/* bytes that were not a valid BGP message */
	BMPTAP_GAP_OVERFLOW = 3,	/* messages dropped: the record queue was full */
	BMPTAP_GAP_NOMEM = 4,	/* messages dropped: allocation failure */
	BMPTAP_GAP_MIDSTREAM = 5,	/* flow picked up mid-stream; start unseen */
};

struct bmptap_gap {
	__u64	bytes;		/* stream bytes skipped (0 when unknown) */
	__u32	messages;	/* whole BGP messages known lost (0 when unknown) */
	__u32	reason;		/* enum bmptap_gap_reason */
	/* followed by up to BMPTAP_GAP_MAX_DATA of the skipped bytes (RESYNC) */
};
#define BMPTAP_GAP_MAX_DATA	4096

enum bmptap_end {
	BMPTAP_END_FIN_LOCAL = 1,	/* local side closed first (forwarded: client) */
	BMPTAP_END_FIN_REMOTE = 2,
	BMPTAP_END_RST_LOCAL = 3,
	BMPTAP_END_RST_REMOTE = 4,
	BMPTAP_END_IDLE = 5,		/* expired after the idle timeout */
	BMPTAP_END_EVICTED = 6,		/* evicted at the flow table bound */
	BMPTAP_END_SHUTDOWN = 7,	/* module unload or netns deletion */
};

#endif /* _UAPI_LINUX_BMPTAP_H */
