/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BMP collector sessions and the per-collector feed.
 *
 * A struct feed owns every collector (one per configured BMP server, plus
 * one per session accepted by a passive listener) and is the peer_sink of
 * the peer table: it turns peer events into BMP messages per collector.
 *
 * Per collector, output memory is bounded.  Each collector has its own
 * view of every established peer (struct cpeer):
 *  - live: route changes go out at once as Route Monitoring wrapping the
 *    UPDATE as received;
 *  - not live (a table replay is running, or the collector fell behind):
 *    changes only mark (prefix, path id) dirty in a coalescing set; the
 *    pump later sends the current RIB state for each dirty entry (the route
 *    from the RIB, or a withdrawal), so the collector converges to the
 *    truth with memory bounded by the number of distinct prefixes.
 * Peer Up, Peer Down and "messages lost" are never coalesced: they are
 * appended in order even to a lagging collector, and a peer's routes are
 * only generated after its Peer Up was queued, so Down/Up/table ordering
 * holds.  A collector that stays stuck past a hard cap (4x the limit),
 * takes none of its waiting output for stall_ms, or makes a peer's dirty
 * set outgrow dirty_max is disconnected (and gets everything again when it
 * reconnects).  Passive listeners (listener.c) admit sessions under caps.
 *
 * Sockets are optional: with no loop (unit tests) a collector can be
 * started on fd -1 and its output read with collector_take().
 */
#ifndef BMPTAP_COLLECTOR_H
#define BMPTAP_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"
#include "famreplay.h"
#include "loop.h"
#include "model.h"
#include "peer.h"
#include "select.h"

/* The Makefile passes the top-level VERSION; the fuzz and bench builds do not. */
#ifndef BMPTAP_VERSION
#define BMPTAP_VERSION "unversioned"
#endif

#define FEED_DEFAULT_LIMIT	(8u << 20)
#define COLL_BACKOFF_MIN_S	1
#define COLL_BACKOFF_MAX_S	32
#define FEED_DEFAULT_LISTEN_MAX		64	/* sessions per passive listener */
#define FEED_DEFAULT_LISTEN_PER_SOURCE	4	/* of them from one address */
#define FEED_DEFAULT_STALL_MS		60000	/* output queued, no byte taken */
#define FEED_DEFAULT_DIRTY_MAX		(1u << 20)	/* pending per peer beyond its routes */

/* Why a passive listener refused a connection (metrics: reason label). */
enum listen_refusal {
	LISTEN_REF_ALLOW,	/* source not in the allow list (empty: not loopback) */
	LISTEN_REF_CAP,		/* the listener has listen_max sessions */
	LISTEN_REF_PER_SOURCE,	/* the source has listen_max_per_source sessions */
	LISTEN_REF_NO_FD,	/* accept failed for want of descriptors or memory */
	LISTEN_REF_MAX,
};

struct bt_json;
struct resolve;
struct tls_conn;

/* Set of (prefix, path id), open addressing; fam 0xff marks a free slot. */
struct pset {
	struct bgp_prefix *v;
	uint32_t cap, count;
};

struct cpeer {
	struct peer *p;
	struct cpeer *next, *prev;	/* in Peer Up order */
	struct cpeer *hnext;
	bool live;
	bool replay;			/* full table replay in progress */
	bool frozen;			/* holds rib_freeze() on every family */
	int fam;			/* replay: family being walked */
	uint32_t pos, gen;		/* replay: cursor, rib_gen() seen */
	uint32_t *order, n_order;	/* replay: the family's slots by attribute set */
	struct pset dirty;		/* changes not sent yet */
	struct pset flushing;		/* being sent; new changes go to dirty */
	size_t peak_routes;		/* the peer's most routes while not live */
	uint32_t flush_pos;
	uint8_t eor_mask;		/* End-of-RIB markers owed */
	bool mirror_lost;		/* mirrored messages were dropped */
	bool replay_wd;			/* replay withdraws post-policy rejects */
	/* The other families (famfeed.h): replay, coalesced changes, owed
	 * End-of-RIB markers by nlri_family_index(). */
	struct fam_replay frep;
	struct fam_dirty fdirty, fflushing;
	uint32_t fflush_pos;
	uint32_t feor_mask;
};

/* In dirty sets: the entry is of the Adj-RIB-Out (bgp_prefix.fam bit). */
#define PFX_OUT 0x40

enum coll_state {
	COLL_IDLE,
	COLL_CONNECTING,
	COLL_UP,
	COLL_BACKOFF,
	COLL_LISTENING,
	COLL_CLOSING,		/* Termination queued, flushing, then freed */
	COLL_RESOLVING,		/* host name lookup (resolve.h) */
	COLL_TLS_HANDSHAKE,	/* connected, TLS handshake running (tls.h) */
};

struct coll_stats {
	uint64_t msgs;		/* BMP messages queued for the collector */
	uint64_t bytes;		/* bytes written to its socket */
	uint64_t sessions;	/* sessions established */
	uint64_t reconnects;	/* sessions lost (and retried) */
	uint64_t resolve_failures;	/* host name lookups failed or timed out */
	uint64_t resyncs;	/* episodes of falling behind (coalescing) */
	uint64_t coalesced;	/* route changes folded into the dirty sets */
	uint64_t lost_mirrors;	/* mirrored messages dropped while behind */
	uint64_t stats_skipped;	/* Statistics Reports not queued: the collector was behind */
	uint64_t encode_errors;	/* RIB entries that could not be encoded */
	uint64_t kicked;	/* disconnected past the hard memory cap */
	uint64_t stalled;	/* disconnected: output queued, none taken for stall_ms */
	uint64_t dirty_overflows;	/* new session: a dirty set outgrew its bound */
	uint64_t input_bytes;	/* sent to us by the station, read and dropped */
	uint64_t refused[LISTEN_REF_MAX];	/* listeners: connections refused */
	uint64_t tls_failures;	/* TLS set-up, handshakes or verification failed */
};

struct feed;

struct collector {
	struct feed *feed;
	struct collector *next;
	struct collector *parent;	/* the listener of an accepted session */
	bool accepted;			/* a passive listener's session: no retry */
	struct bt_server_cfg cfg;
	uint32_t policy;		/* BMPTAP_POLICY_* */
	enum coll_state state;
	int fd;
	struct tls_conn *tls;		/* NULL: plain TCP */
	struct loop_fd lfd;
	struct loop_timer timer;
	struct loop_timer stats_timer;	/* Statistics Reports (stats_timeout) */
	struct resolve *rq;		/* lookup in flight, COLL_RESOLVING */
	struct loop_timer stall_timer;	/* armed while output is outstanding */
	uint64_t stall_due_ms;		/* disconnect then unless delivered_mark moves */
	uint64_t delivered_mark;	/* bytes the station had taken then */
	const char *kick_why;		/* shut down by us: the session's loss reason */
	struct sockaddr_storage sa;	/* an accepted session's source */
	uint64_t refuse_log_ms;		/* listeners: last refusal logged */
	char remote[300];		/* session endpoint, for logs and status */
	char last_error[128];
	struct buf out;
	size_t head;			/* bytes of out already written */
	size_t limit;
	struct cpeer *cp_head, *cp_tail;
	struct cpeer **cph;		/* by flow id */
	uint32_t n_cph;
	unsigned backoff_s;
	uint64_t up_since_ms;
	bool lagging;
	bool kick_due;			/* output queued during a batch */
	struct sel_pace pace;		/* replay-rate (select.h) */
	struct loop_timer pace_timer;	/* armed: the pump waits for the pace */
	struct coll_stats st;
};

struct feed {
	struct loop *loop;		/* NULL: no sockets (tests) */
	const struct bt_log *log;
	struct peers *peers;
	struct collector *head;
	size_t limit;			/* per-collector output bound */
	unsigned listen_max;		/* sessions per passive listener */
	unsigned listen_max_per_source;	/* of them from one source address */
	uint32_t stall_ms;		/* see coll_stats.stalled */
	uint32_t dirty_max;		/* dirty entries beyond a peer's live routes */
	uint64_t rnd;
	char hostname[256];
	struct buf scratch, upd, live;
	struct bgp_prefix *batch, *sorted;
	uint32_t *ids, *sorted_ids;
	uint64_t *keys;
	struct bgp_prefix *post_pfx;	/* one view's subset of a batch */
	uint32_t *post_ids;
	bool batching;			/* feed_batch_begin() .. _end() */
};

/* The feed's bounds, fixed at init; 0 (or no cfg) is the FEED_DEFAULT_*. */
struct feed_cfg {
	size_t limit;			/* per-collector output bound */
	unsigned listen_max;		/* sessions per passive listener */
	unsigned listen_max_per_source;	/* of them from one source address */
	uint32_t stall_ms;		/* see coll_stats.stalled */
};

int feed_init(struct feed *f, struct loop *loop, const struct bt_log *log,
	      struct peers *peers, const struct feed_cfg *cfg);
/* Closes every collector at once (no Termination: see feed_shutdown). */
void feed_free(struct feed *f);
/* The peer_sink to hand to peers_init(). */
struct peer_sink feed_sink(struct feed *f);

/* Starts a collector for one server config (connect or listen). */
struct collector *feed_add(struct feed *f, const struct bt_server_cfg *cfg);
/* Termination (if up), flush within a short bounded time, then freed. */
void feed_remove(struct feed *f, struct collector *c, uint16_t reason);
/* Applies a new config list: adds, removes and restarts only what changed. */
void feed_apply(struct feed *f, const struct bt_server_list *l);
/*
 * Sends Termination to every collector and writes what it can within
 * wait_ms; true when everything was flushed.
 */
bool feed_shutdown(struct feed *f, uint16_t reason, int wait_ms);

/*
 * Around the records of one READ reply: the collectors' sockets are written
 * once at the end instead of once per event (a syscall per UPDATE costs
 * more than the UPDATE's processing).  Nothing else changes: the output
 * bound and the coalescing apply as before.
 */
void feed_batch_begin(struct feed *f);
void feed_batch_end(struct feed *f);

/* The servers (configured ones first) as a JSON array; returns how many. */
size_t feed_status_json(const struct feed *f, struct bt_json *j);
/* The import filters changed: post-policy views are replayed. */
void feed_filters_changed(struct feed *f);

/* ---- exposed for tests -------------------------------------------------- */

/* Starts a BMP session on an already connected fd (-1: no socket). */
void collector_start(struct collector *c, int fd);
/* Generates queued work (replay, coalesced changes) into the output. */
void collector_pump(struct collector *c);
/* Bytes queued and not written yet; collector_take() consumes them. */
size_t collector_pending(const struct collector *c);
size_t collector_take(struct collector *c, void *dst, size_t max);
bool collector_busy(const struct collector *c);	/* a cpeer is not live */
struct cpeer *collector_cpeer(const struct collector *c, uint64_t flow_id);
const char *collector_state_name(enum coll_state s);
/* Next reconnect delay in ms for the current backoff step, with jitter. */
uint64_t collector_backoff_ms(struct collector *c);

/* Appends a Statistics Report for every peer the collector knows. */
void collector_stats(struct collector *c);

bool pset_add(struct pset *s, const struct bgp_prefix *p);
bool pset_has(const struct pset *s, const struct bgp_prefix *p);

/* Whether a passive listener with this allow list admits ss (empty: loopback). */
bool listener_allowed(const char *allow, const struct sockaddr_storage *ss);
const char *listen_refusal_name(int r);

#endif
