/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-flow BGP session state, derived only from what the tap observed, and
 * the per-peer Adj-RIB-In (pre-policy) fed from the peer's UPDATEs.
 *
 * Records from the module (records.h) go in through peers_record(); what a
 * BMP feed needs comes out through a struct peer_sink: Peer Up when the
 * session is established, every UPDATE from the peer with the RIB changes
 * it caused, Peer Down with its reason, and "messages lost" when a gap made
 * the RIB suspect.  The peer_encode_* functions build the BMP bytes for
 * those events; the collector layer (collector.h) decides who gets them.
 *
 * Direction: RX is remote -> local (messages FROM the peer), TX is what the
 * tapped (local) daemon sent.  The monitored router is the local side, the
 * BMP "peer" is the remote one.
 *
 * What is never invented: a Peer Up carries the two OPENs as they were
 * observed.  A session whose OPENs were lost in a gap stays pending until
 * both are known, e.g. from the module's flow dump, which keeps each
 * flow's OPENs.  The one exception is a flow picked up mid-stream (no
 * OPEN ever seen): its UPDATEs are held until midstream.h has detected
 * their encoding from them, then a Peer Up with OPENs synthesized from
 * that detection, marked as such in an Information TLV, is followed by
 * "messages lost" (routes announced before the pickup were never seen).
 */
#ifndef BMPTAP_PEER_H
#define BMPTAP_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bmptap.h>

#include "attr.h"
#include "bgp.h"
#include "bmp.h"
#include "buf.h"
#include "famrib.h"
#include "filter.h"
#include "midstream.h"
#include "policy.h"
#include "records.h"
#include "rib.h"
#include "vrf.h"

/*
 * Default memory budgets (operator-guide.md, "Memory budgets"): a full
 * table (~1.04 M IPv4 + ~233 k IPv6 routes, 310 k attribute sets) charges
 * 87 MB (test_fulltable), so one peer may hold four or more (ADD-PATH
 * paths, or a route server's view), all peers together about 17 (more
 * where they share attribute sets), under the units' MemoryMax=2G.
 */
#define PEER_MEM_MAX_DEFAULT (512ull << 20)
#define MEM_MAX_DEFAULT (1536ull << 20)

struct bt_log;
struct bt_flow;
struct kroute;

enum peer_state {
	PEER_PENDING,		/* OPENs (or the flow's addresses) not all known */
	PEER_OPENCONFIRM,	/* both OPENs seen, waiting for KEEPALIVE/UPDATE */
	PEER_ESTABLISHED,	/* Peer Up was emitted */
	PEER_DOWN,		/* Peer Down was emitted (NOTIFICATION seen) */
};

struct peer_counters {
	uint64_t msgs[2];		/* by enum bmptap_dir */
	uint64_t updates;		/* UPDATEs received from the peer */
	uint64_t announced;		/* RIB entries added or replaced */
	uint64_t withdrawn;		/* RIB entries removed by the peer */
	uint64_t eor;			/* End-of-RIB markers received */
	uint64_t errors;		/* UPDATEs with RFC 7606 errors */
	uint64_t treat_as_withdraw;
	uint64_t attr_discard;
	uint64_t session_reset;		/* errors RFC 4271 would reset for */
	uint64_t gaps[2];		/* GAP records by direction */
	uint64_t gap_bytes[2];
	uint64_t ignored;		/* messages that could not be used (pending) */
	uint64_t rib_nomem;
	uint64_t mem_refused;		/* routes not stored: over a memory budget */
	uint64_t encode_failures;	/* routes a collector's feed could not carry */
	uint64_t ambiguous_families;	/* not decoded: duplicate ADD-PATH tuples */
	uint64_t refreshes;		/* full refreshes of the Adj-RIB-In seen end */
	uint64_t refresh_withdrawn;	/* routes not re-sent, withdrawn at the end */
	uint64_t refresh_untracked;	/* refreshes too large for the budget */
	/* Statistics Report counters (RFC 7854 4.8; operator-guide.md). */
	uint64_t rejected;		/* 0: announcements rejected by import filters */
	uint64_t loops[4];		/* 3-6: UPDATEs with a loop, by POL_*_LOOP - 1 */
	uint64_t pfx_treat_as_withdraw;	/* 12: NLRI of treat-as-withdraw UPDATEs */
	uint64_t dup_updates;		/* 13: UPDATEs that changed nothing */
	uint64_t updates_out;		/* UPDATEs sent by the local daemon */
	uint64_t errored;		/* RX messages mirrored as Errored PDU */
};

struct peer {
	uint64_t flow_id;
	struct peer *hnext;		/* hash chain */
	struct peer *next, *prev;	/* all peers, in creation order */

	bool have_info;
	struct bmptap_flow_info info;
	/* Its VRF (vrf.h): name ("" default), and the per-peer header's type
	 * and distinguisher, set with info. */
	char vrf[BT_VRF_NAME_LEN];
	uint8_t inst_type;
	uint64_t inst_dist;
	uint8_t *open[2];		/* observed OPENs by direction, malloc'd */
	size_t open_len[2];
	bool open_ok[2];		/* parsed */
	bool keepalive[2];		/* a KEEPALIVE seen, by direction */
	struct bgp_open op[2];
	struct bgp_session sess;

	enum peer_state state;
	uint64_t up_ts_ns;		/* CLOCK_REALTIME when established */
	uint64_t up_mono_ms;		/* for the uptime in the status */
	bool from_dump;			/* learned from the flow dump, records queued */
	bool seen_start;		/* its FLOW_START record was read */
	bool incomplete;		/* a gap makes the Adj-RIB-In suspect */
	bool rib_short;			/* its RIBs refused routes (budget, memory) */
	bool ended;			/* FLOW_END read */
	/* Route refresh (refresh.h), bits per enum bgp_fam: families whose
	 * Adj-RIB-In was re-sent in full since the last loss, and plain
	 * refreshes, by direction, waiting for their End-of-RIB. */
	uint8_t refreshed;
	uint8_t refresh_plain[2];

	/* The first NOTIFICATION, and from which side (-1: none). */
	int notif_dir;
	uint8_t *notif;
	size_t notif_len;
	uint8_t down_reason;		/* enum bmp_down_reason once down */
	uint64_t down_ts_ns;

	struct midstream *ms;		/* picked up mid-stream: encoding detection */
	struct rib rib;			/* pre-policy Adj-RIB-In */
	struct rib rib_out;		/* post-policy Adj-RIB-Out (TX UPDATEs) */
	/* Pre-policy Adj-RIB-In of the other families, and which of them
	 * carry path ids (famrib.h). */
	struct famrib fr;
	uint32_t fr_addpath;
	/* The same of the local speaker's UPDATEs: Adj-RIB-Out. */
	struct famrib fr_out;
	uint32_t fr_out_addpath;
	struct budget *mem;		/* charged by the RIBs (budget.h) */
	/* Routes of rib the post-policy verdict accepts, and those an import
	 * filter rejects (not loops: RFC 9972 type 22), per family. */
	uint64_t post_count[BGP_FAM_MAX];
	uint64_t filtered_count[BGP_FAM_MAX];
	uint64_t open_rx_ts;		/* when the peer's OPEN was seen (mirroring) */
	bool locrib;			/* the Loc-RIB instance (RFC 9069), not a peer */
	struct peer_counters cnt;
	/* During a pass over whole tables (peer.c): policy_attr_verdict() + 1
	 * per attribute set id, 0 not known yet, one array for the peers of
	 * one local AS and BGP ID; NULL otherwise. */
	uint8_t *verdicts;
};

/* The BMP views of a peer's routes (BMPTAP_POLICY_*). */
enum peer_view {
	VIEW_PRE,		/* Adj-RIB-In pre-policy: L clear */
	VIEW_POST,		/* Adj-RIB-In post-policy: L set */
	VIEW_OUT,		/* Adj-RIB-Out post-policy: O and L set */
	VIEW_LOCRIB,		/* the Loc-RIB instance: peer type 3 */
};

/*
 * The consumer of peer events.  Called synchronously from peers_record();
 * the peer stays valid during the call.  For down, the peer is freed right
 * after the call if its flow ended.
 */
struct peer_sink {
	void *ctx;
	void (*up)(void *ctx, struct peer *p);
	void (*down)(void *ctx, struct peer *p);
	/*
	 * An UPDATE received from an established peer (msg: the raw BGP
	 * message, NULL when it had RFC 7606 errors: only its effect on the
	 * RIB may be passed on; ts_ns: when the kernel saw it), after it was applied to
	 * the RIB; chg[0..n) are the (prefix, path id) entries whose RIB state
	 * changed; eor is the End-of-RIB family or -1.
	 */
	void (*update)(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
		       uint64_t ts_ns, const struct bgp_prefix *chg, size_t n, int eor);
	/* Any other message received from an established peer (mirroring). */
	void (*message)(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
			uint64_t ts_ns);
	/* Messages from the peer were lost: its RIB is suspect. */
	void (*lost)(void *ctx, struct peer *p, uint64_t ts_ns);
	/*
	 * An UPDATE the local daemon sent to an established peer, applied to
	 * p->rib_out; chg as for update.  Also, with msg NULL, changes of the
	 * Loc-RIB instance (p->locrib) after the decision process.
	 */
	void (*update_out)(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
			   uint64_t ts_ns, const struct bgp_prefix *chg, size_t n, int eor);
	/* Received bytes unusable as a BGP message (mirrored as Errored PDU). */
	void (*errored)(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
			uint64_t ts_ns);
};

/*
 * A memo of policy_attr_verdict() results: every prefix of an UPDATE shares
 * one attribute set, and the Loc-RIB asks again for the same routes.  An
 * entry holds while no attribute set was freed (an id then names the same
 * set) and the filters are the same.
 */
#define VMEMO_SIZE 64		/* power of two, indexed by attribute set id */
struct vmemo {
	uint32_t id, as, bgp_id;
	uint8_t verdict;
	uint64_t frees, filter_gen;
};

/* RIB change bits of struct peers.chg_ok: the post-policy verdicts. */
#define CHG_OLD_OK	1u	/* the replaced route was accepted */
#define CHG_NEW_OK	2u	/* the new route is accepted (0: withdrawn or rejected) */

struct peers {
	struct attr_table attrs;	/* shared by every peer's RIB */
	struct peer **buckets;
	uint32_t n_buckets;		/* power of two */
	uint32_t count;
	struct peer *head, *tail;
	struct peer_sink sink;
	const struct bt_log *log;
	struct bgp_prefix *chg;		/* scratch for one UPDATE's changes */
	size_t n_chg, cap_chg;
	uint8_t *chg_ok;		/* CHG_* per chg entry */
	bool chg_nomem;
	size_t n_fchg;			/* famrib changes of that UPDATE, */
	struct buf fchg;		/* as famrib_chg_add() records */
	struct buf fchg_ok;		/* CHG_* per fchg record */
	int fr_eor;			/* its famrib End-of-RIB family, or -1 */
	unsigned loop_mask;		/* POL_* seen in the UPDATE being applied */
	struct peer *cur;		/* the peer whose RIB is being changed */
	const struct bt_filter_list *filters;	/* operator import filters, not owned */
	const struct bt_vrf_rds *vrf_rds;	/* operator VRF RDs, not owned (NULL: none) */
	uint64_t filter_gen;		/* bumped by peers_set_filters() */
	struct vmemo vmemo[VMEMO_SIZE];
	/* The ids the peers' verdicts arrays cover, and the set frees when they
	 * were made: a freed id may name another set later. */
	uint32_t verdict_ids;
	uint64_t verdict_frees;
	/* The Loc-RIB instance (RFC 9069), up with the first established peer. */
	struct peer *locrib;
	struct bgp_prefix *lchg;	/* its changes from one RIB change batch */
	size_t n_lchg, cap_lchg;
	/* Its changes of the other families (famloc.h), as fchg records. */
	struct buf flchg;
	size_t n_flchg;
	/* Its source (locrib.h): the installed routes, not owned (NULL: none
	 * observable), and enum locrib_source. */
	struct kroute *kroutes;
	int locrib_src;
	uint64_t holes;			/* records lost between reads / malformed */
	/* Counters of the peers already freed, so that totals (bad input
	 * above all: it often ends the session) outlive them. */
	struct peer_counters ended;
	/* Memory budgets: every peer's under the total (0: unlimited). */
	struct budget mem_total;
	uint64_t peer_mem_max;
	bool want_flow_dump;		/* OPENs or addresses may be recoverable */
};

/* What peers_init() fixes for the table's life (no cfg: all zero). */
struct peers_cfg {
	struct peer_sink sink;
	/* The Loc-RIB's source (locrib.h): enum locrib_source and the
	 * installed routes, not owned (NULL: none observable). */
	int locrib_src;
	struct kroute *kroutes;
	uint64_t peer_mem_max, mem_max;	/* peers_set_budgets() */
	const struct bt_vrf_rds *vrf_rds;	/* operator VRF RDs, not owned (NULL: none) */
};

int peers_init(struct peers *ps, const struct peers_cfg *cfg, const struct bt_log *log);
/* Frees every peer without emitting events. */
void peers_free(struct peers *ps);

/*
 * Memory budgets in bytes (0: unlimited): per peer, for peers created from
 * now on, and in total.  Routes over a budget are not stored; the peer is
 * then incomplete and the sink's lost() tells the collectors.
 */
void peers_set_budgets(struct peers *ps, uint64_t peer_max, uint64_t total_max);
/* A route of p a collector's feed could not carry: counted, p is
 * incomplete (the caller tells that collector). */
void peer_encode_failed(struct peers *ps, struct peer *p);
struct peer *peers_find(const struct peers *ps, uint64_t flow_id);
/* A new pending peer of flow_id, no event emitted (checkpoint.h). */
struct peer *peer_new(struct peers *ps, uint64_t flow_id);
/* to += from, counter by counter. */
void peer_counters_add(struct peer_counters *to, const struct peer_counters *from);

/* p's flow addresses and VRF are fi (its VRF's peer type and distinguisher follow). */
void peer_set_info(const struct peers *ps, struct peer *p, const struct bmptap_flow_info *fi);

/* One record from a READ dump; always 0 (bt_rec_cb compatible). */
int peers_record(void *ps, const struct bt_rec *rec);
/*
 * A flow from the module's flow dump: a new peer (possibly established at
 * once, both OPENs being known), or missing OPENs / addresses filled in for
 * a pending one.  now_ns: CLOCK_REALTIME used as the Peer Up time.
 */
void peers_learn_flow(struct peers *ps, const struct bt_flow *f, uint64_t now_ns);
/*
 * After the first READ dump drained the queue: peers from the flow dump
 * whose FLOW_START was not among the records had their beginning consumed
 * before (by an earlier helper): their RIB misses routes.
 */
void peers_first_read_done(struct peers *ps, uint64_t now_ns);

/*
 * New operator import filters (not owned; NULL: none): post-policy counts
 * and the Loc-RIB are recomputed (Loc-RIB changes go to the sink).  The
 * caller tells the collectors that every post-policy view changed.
 */
void peers_set_filters(struct peers *ps, const struct bt_filter_list *fl);

/*
 * Peers were restored from a checkpoint (their RIBs filled without
 * events): the post-policy counts and the Loc-RIB are derived again.
 */
void peers_restored(struct peers *ps);

/*
 * Recomputes the Loc-RIB entry of pfx (NULL: of every prefix), the changes
 * going to the sink: an installed route changed, or the source did.
 */
void peers_locrib_refresh(struct peers *ps, const struct bgp_prefix *pfx);

/* The RIB fed by direction dir: what the peer sent (RX), what the router sent. */
static inline struct rib *peer_rib(struct peer *p, int dir)
{
	return dir == BMPTAP_DIR_RX ? &p->rib : &p->rib_out;
}

/*
 * The end of a refresh of fam (refresh.h) in direction dir: the routes it
 * did not re-send are withdrawn, and the collectors get them and the
 * family's End-of-RIB.
 */
void peer_refresh_sweep(struct peers *ps, struct peer *p, int dir, int fam, uint64_t ts);

/* The post-policy verdict on route (pfx, attr) of p's Adj-RIB-In. */
enum pol_verdict peer_verdict(struct peers *ps, const struct peer *p,
			      const struct bgp_prefix *pfx, uint32_t attr);
/* Its attribute checks alone: the whole verdict on a famrib route. */
enum pol_verdict peer_attr_verdict(struct peers *ps, const struct peer *p, uint32_t attr);

/* ---- BMP encoding of peer events ---------------------------------------- */

/* The per-peer header for a message with timestamp ts_ns (0: unknown). */
void peer_bmp_hdr(const struct peer *p, uint64_t ts_ns, struct bmp_peer *h);
void peer_encode_up(const struct peer *p, struct buf *b);
void peer_encode_down(const struct peer *p, struct buf *b);
void peer_encode_rm(const struct peer *p, struct buf *b, const uint8_t *msg, size_t len,
		    uint64_t ts_ns);
/* The header and UPDATE codec of one view (enum peer_view). */
void peer_view_hdr(const struct peer *p, int view, uint64_t ts_ns, struct bmp_peer *h);
const struct bgp_codec *peer_view_codec(const struct peer *p, int view);
void peer_encode_rm_view(const struct peer *p, int view, struct buf *b, const uint8_t *msg,
			 size_t len, uint64_t ts_ns);
/* Route Mirroring with an Information TLV (BMP_MIRROR_ERRORED_PDU) and msg. */
void peer_encode_mirror_info(const struct peer *p, struct buf *b, const uint8_t *msg,
			     size_t len, uint64_t ts_ns, int info);
void peer_encode_lost(const struct peer *p, struct buf *b, uint64_t ts_ns);

const char *peer_state_name(enum peer_state s);

/* The Loc-RIB instance's VRF/table name (RFC 9069 TLV type 3). */
#define LOCRIB_TABLE_NAME "global"

#endif
