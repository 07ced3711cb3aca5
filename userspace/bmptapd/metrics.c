// SPDX-License-Identifier: GPL-2.0
#include "metrics.h"


#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ckptctl.h"
#include "collector.h"
#include "httpd.h"
#include "model.h"
#include "peer.h"

void prom_escape(struct buf *b, const char *s, int help)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_put(b, "\\\\", 2);
		else if (*s == '\n')
			buf_put(b, "\\n", 2);
		else if (*s == '"' && !help)
			buf_put(b, "\\\"", 2);
		else
			buf_put(b, s, 1);
	}
}

static void put_str(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void prom_family(struct buf *b, const char *name, const char *type, const char *help)
{
	put_str(b, "# HELP ");
	put_str(b, name);
	buf_put(b, " ", 1);
	prom_escape(b, help, 1);
	put_str(b, "\n# TYPE ");
	put_str(b, name);
	buf_put(b, " ", 1);
	put_str(b, type);
	buf_put(b, "\n", 1);
}

static void sample_head(struct buf *b, const char *name, const struct prom_label *l, size_t n)
{
	bool any = false;

	put_str(b, name);
	for (size_t i = 0; i < n; i++) {
		if (!l[i].v || !*l[i].v)
			continue;
		buf_put(b, any ? "," : "{", 1);
		put_str(b, l[i].k);
		put_str(b, "=\"");
		prom_escape(b, l[i].v, 0);
		buf_put(b, "\"", 1);
		any = true;
	}
	if (any)
		buf_put(b, "}", 1);
	buf_put(b, " ", 1);
}

void prom_sample(struct buf *b, const char *name, const struct prom_label *l, size_t n,
		 uint64_t v)
{
	char s[24];

	sample_head(b, name, l, n);
	buf_put(b, s, (size_t)snprintf(s, sizeof(s), "%" PRIu64 "\n", v));
}

void prom_sample_ns(struct buf *b, const char *name, const struct prom_label *l, size_t n,
		    uint64_t ns)
{
	char s[32];

	sample_head(b, name, l, n);
	buf_put(b, s, (size_t)snprintf(s, sizeof(s), "%" PRIu64 ".%09" PRIu64 "\n",
				       ns / 1000000000u, ns % 1000000000u));
}

/* ---- collectors ------------------------------------------------------------ */

#define COLL_LABELS 3

struct coll_labels {
	char port[8];
	struct prom_label l[COLL_LABELS];
};

static void coll_labels(const struct collector *c, struct coll_labels *cl)
{
	snprintf(cl->port, sizeof(cl->port), "%u", c->cfg.port ? c->cfg.port : BT_BMP_PORT);
	cl->l[0] = (struct prom_label){ "server", c->cfg.address };
	cl->l[1] = (struct prom_label){ "port", cl->port };
	/* A passive listener's sessions share its address and port. */
	cl->l[2] = (struct prom_label){ "session", c->accepted ? c->remote : NULL };
}

static const struct {
	const char *name, *help;
	size_t off;
} coll_counters[] = {
	{ "bmptap_collector_messages_total", "BMP messages queued for the collector",
	  offsetof(struct coll_stats, msgs) },
	{ "bmptap_collector_bytes_total", "Bytes written to the collector's socket",
	  offsetof(struct coll_stats, bytes) },
	{ "bmptap_collector_sessions_total", "BMP sessions established with the collector",
	  offsetof(struct coll_stats, sessions) },
	{ "bmptap_collector_reconnects_total", "BMP sessions lost (and retried)",
	  offsetof(struct coll_stats, reconnects) },
	{ "bmptap_collector_resolve_failures_total",
	  "Host name lookups of the collector's address that failed or timed out",
	  offsetof(struct coll_stats, resolve_failures) },
	{ "bmptap_collector_lost_messages_total",
	  "Route Mirroring messages not delivered: dropped while the collector was behind",
	  offsetof(struct coll_stats, lost_mirrors) },
	{ "bmptap_collector_stats_skipped_total",
	  "Statistics Reports not queued because the collector was behind its bound",
	  offsetof(struct coll_stats, stats_skipped) },
	{ "bmptap_collector_coalesced_total",
	  "Route changes folded into the current RIB state while the collector was behind",
	  offsetof(struct coll_stats, coalesced) },
	{ "bmptap_collector_resyncs_total", "Episodes of the collector falling behind",
	  offsetof(struct coll_stats, resyncs) },
	{ "bmptap_collector_encode_errors_total", "RIB entries that could not be encoded",
	  offsetof(struct coll_stats, encode_errors) },
	{ "bmptap_collector_stuck_disconnects_total",
	  "Sessions closed because the collector stayed stuck past the hard memory cap",
	  offsetof(struct coll_stats, kicked) },
	{ "bmptap_collector_stalled_disconnects_total",
	  "Sessions closed because the collector took no byte of queued output for the "
	  "stall timeout", offsetof(struct coll_stats, stalled) },
	{ "bmptap_collector_dirty_overflows_total",
	  "Sessions restarted (full replay) because pending route changes outgrew their bound",
	  offsetof(struct coll_stats, dirty_overflows) },
	{ "bmptap_collector_input_bytes_total",
	  "Bytes the collector sent us (BMP is one-way): read and dropped",
	  offsetof(struct coll_stats, input_bytes) },
	{ "bmptap_collector_tls_failures_total",
	  "TLS set-ups, handshakes or certificate verifications with the collector that failed",
	  offsetof(struct coll_stats, tls_failures) },
};

static void collector_metrics(const struct feed *f, struct buf *b)
{
	static const enum coll_state states[] = {
		COLL_IDLE, COLL_RESOLVING, COLL_CONNECTING, COLL_UP, COLL_BACKOFF, COLL_LISTENING,
		COLL_CLOSING, COLL_TLS_HANDSHAKE,
	};
	struct coll_labels cl;

	prom_family(b, "bmptap_collector_state", "gauge",
		    "1 for the collector's current state, 0 for the others");
	for (const struct collector *c = f->head; c; c = c->next) {
		struct prom_label l[COLL_LABELS + 1];

		coll_labels(c, &cl);
		memcpy(l, cl.l, sizeof(cl.l));
		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
			l[COLL_LABELS] = (struct prom_label){ "state", collector_state_name(states[i]) };
			prom_sample(b, "bmptap_collector_state", l, COLL_LABELS + 1,
				    c->state == states[i]);
		}
	}
	for (size_t m = 0; m < sizeof(coll_counters) / sizeof(coll_counters[0]); m++) {
		prom_family(b, coll_counters[m].name, "counter", coll_counters[m].help);
		for (const struct collector *c = f->head; c; c = c->next) {
			uint64_t v;

			memcpy(&v, (const char *)&c->st + coll_counters[m].off, sizeof(v));
			coll_labels(c, &cl);
			prom_sample(b, coll_counters[m].name, cl.l, COLL_LABELS, v);
		}
	}
	prom_family(b, "bmptap_collector_refused_total", "counter",
		    "Connections a passive listener refused, by reason");
	for (const struct collector *c = f->head; c; c = c->next) {
		struct prom_label l[COLL_LABELS + 1];

		if (!c->cfg.passive || c->accepted)
			continue;
		coll_labels(c, &cl);
		memcpy(l, cl.l, sizeof(cl.l));
		for (int r = 0; r < LISTEN_REF_MAX; r++) {
			l[COLL_LABELS] = (struct prom_label){ "reason", listen_refusal_name(r) };
			prom_sample(b, "bmptap_collector_refused_total", l, COLL_LABELS + 1,
				    c->st.refused[r]);
		}
	}
	prom_family(b, "bmptap_collector_queue_bytes", "gauge",
		    "Bytes queued for the collector and not written yet");
	for (const struct collector *c = f->head; c; c = c->next) {
		coll_labels(c, &cl);
		prom_sample(b, "bmptap_collector_queue_bytes", cl.l, COLL_LABELS,
			    collector_pending(c));
	}
}

/* ---- peers ---------------------------------------------------------------- */

/* peer, peer_as, vrf (left out in the default VRF): one address may be a
 * peer in two VRFs, and a series may not repeat its labels. */
#define PEER_LABELS 3

struct peer_labels {
	char addr[INET6_ADDRSTRLEN], as[12];
	struct prom_label l[PEER_LABELS + 2];	/* room for afi/safi or direction */
};

/* False for what is not a BGP peer with known addresses. */
static bool peer_labels(const struct peer *p, struct peer_labels *pl)
{
	if (!p->have_info ||
	    !inet_ntop(p->info.family == AF_INET6 ? AF_INET6 : AF_INET, p->info.remote_addr,
		       pl->addr, sizeof(pl->addr)))
		return false;
	pl->as[0] = 0;
	if (p->open_ok[BMPTAP_DIR_RX])
		snprintf(pl->as, sizeof(pl->as), "%" PRIu32, p->op[BMPTAP_DIR_RX].as);
	pl->l[0] = (struct prom_label){ "peer", pl->addr };
	pl->l[1] = (struct prom_label){ "peer_as", pl->as };
	pl->l[2] = (struct prom_label){ "vrf", p->vrf };
	return true;
}

static const struct {
	const char *name, *help;
	size_t off;
	bool per_dir;		/* an array by enum bmptap_dir */
} peer_counters[] = {
	{ "bmptap_peer_messages_total",
	  "BGP messages of the session, by direction (rx: from the peer)",
	  offsetof(struct peer_counters, msgs), true },
	{ "bmptap_peer_updates_total", "UPDATE messages received from the peer",
	  offsetof(struct peer_counters, updates), false },
	{ "bmptap_peer_announcements_total", "Adj-RIB-In entries added or replaced",
	  offsetof(struct peer_counters, announced), false },
	{ "bmptap_peer_withdrawals_total", "Adj-RIB-In entries withdrawn by the peer",
	  offsetof(struct peer_counters, withdrawn), false },
	{ "bmptap_peer_rfc7606_errors_total", "UPDATE messages with RFC 7606 errors",
	  offsetof(struct peer_counters, errors), false },
	{ "bmptap_peer_gaps_total", "Gaps in the tapped byte stream, by direction",
	  offsetof(struct peer_counters, gaps), true },
	{ "bmptap_peer_gap_bytes_total", "Bytes missing from the tapped stream, by direction",
	  offsetof(struct peer_counters, gap_bytes), true },
	{ "bmptap_peer_memory_refused_total", "Routes not stored: over a memory budget",
	  offsetof(struct peer_counters, mem_refused), false },
	{ "bmptap_peer_rib_nomem_total", "UPDATEs whose routes the RIB lacked memory for",
	  offsetof(struct peer_counters, rib_nomem), false },
	{ "bmptap_peer_encode_failures_total",
	  "Routes too large to re-encode for a collector (withdrawn there)",
	  offsetof(struct peer_counters, encode_failures), false },
	{ "bmptap_peer_ambiguous_families_total",
	  "Families not decoded: duplicate ADD-PATH tuples routers read differently",
	  offsetof(struct peer_counters, ambiguous_families), false },
	{ "bmptap_peer_refreshes_total",
	  "Route refreshes of the Adj-RIB-In seen to their end (RFC 7313 EoRR, or End-of-RIB)",
	  offsetof(struct peer_counters, refreshes), false },
	{ "bmptap_peer_refresh_withdrawn_total",
	  "Routes a refresh did not re-send, withdrawn at its end",
	  offsetof(struct peer_counters, refresh_withdrawn), false },
	{ "bmptap_peer_refresh_untracked_total",
	  "Refreshes not tracked: their stale marks were over the memory budget",
	  offsetof(struct peer_counters, refresh_untracked), false },
};

static void peer_prefixes(const struct peers *ps, struct buf *b, const char *name,
			  const char *help, bool post)
{
	struct peer_labels pl;

	prom_family(b, name, "gauge", help);
	for (const struct peer *p = ps->head; p; p = p->next) {
		if (!peer_labels(p, &pl))
			continue;
		for (int fam = 0; fam < BGP_FAM_MAX; fam++) {
			pl.l[PEER_LABELS] = (struct prom_label){ "afi", bgp_fam_afi_name[fam] };
			pl.l[PEER_LABELS + 1] = (struct prom_label){ "safi", "unicast" };
			prom_sample(b, name, pl.l, PEER_LABELS + 2,
				    post ? p->post_count[fam] : rib_count(&p->rib, fam));
		}
	}
}

/* The Loc-RIB instance is not in the peer list: it starts with the first
 * established session. */
static void locrib_prefixes(const struct peer *lr, struct buf *b)
{
	prom_family(b, "bmptap_loc_rib_prefixes", "gauge", "Prefixes in the Loc-RIB");
	for (int fam = 0; lr && fam < BGP_FAM_MAX; fam++) {
		struct prom_label l[2] = { { "afi", bgp_fam_afi_name[fam] }, { "safi", "unicast" } };

		prom_sample(b, "bmptap_loc_rib_prefixes", l, 2, rib_count(&lr->rib, fam));
	}
}

static void peer_flag(const struct peers *ps, struct buf *b, const char *name,
		      const char *help, bool established)
{
	struct peer_labels pl;

	prom_family(b, name, "gauge", help);
	for (const struct peer *p = ps->head; p; p = p->next)
		if (peer_labels(p, &pl))
			prom_sample(b, name, pl.l, PEER_LABELS,
				    established ? p->state == PEER_ESTABLISHED : p->incomplete);
}

static void peer_metrics(const struct peers *ps, struct buf *b)
{
	static const char *const dir[2] = { [BMPTAP_DIR_RX] = "rx", [BMPTAP_DIR_TX] = "tx" };
	struct peer_labels pl;

	prom_family(b, "bmptap_peers", "gauge", "Tapped BGP sessions known to the daemon");
	prom_sample(b, "bmptap_peers", NULL, 0, ps->count);
	peer_flag(ps, b, "bmptap_peer_established", "1 when the session is established", true);
	peer_flag(ps, b, "bmptap_peer_incomplete",
		  "1 when a gap makes the peer's Adj-RIB-In suspect", false);
	peer_prefixes(ps, b, "bmptap_peer_prefixes", "Prefixes in the Adj-RIB-In (pre-policy)",
		      false);
	peer_prefixes(ps, b, "bmptap_peer_prefixes_post_policy",
		      "Prefixes in the Adj-RIB-In after the import filters", true);
	locrib_prefixes(ps->locrib, b);
	prom_family(b, "bmptap_peer_memory_bytes", "gauge",
		    "RIB bytes charged to the peer's memory budget");
	for (const struct peer *p = ps->head; p; p = p->next)
		if (peer_labels(p, &pl))
			prom_sample(b, "bmptap_peer_memory_bytes", pl.l, PEER_LABELS, p->mem->used);
	prom_family(b, "bmptap_memory_bytes", "gauge",
		    "RIB bytes charged to the total memory budget");
	prom_sample(b, "bmptap_memory_bytes", NULL, 0, ps->mem_total.used);
	for (size_t m = 0; m < sizeof(peer_counters) / sizeof(peer_counters[0]); m++) {
		prom_family(b, peer_counters[m].name, "counter", peer_counters[m].help);
		for (const struct peer *p = ps->head; p; p = p->next) {
			const char *base = (const char *)&p->cnt + peer_counters[m].off;
			uint64_t v[2];

			if (!peer_labels(p, &pl))
				continue;
			memcpy(v, base, peer_counters[m].per_dir ? sizeof(v) : sizeof(v[0]));
			if (!peer_counters[m].per_dir) {
				prom_sample(b, peer_counters[m].name, pl.l, PEER_LABELS, v[0]);
				continue;
			}
			for (int d = 0; d < 2; d++) {
				pl.l[PEER_LABELS] = (struct prom_label){ "direction", dir[d] };
				prom_sample(b, peer_counters[m].name, pl.l, PEER_LABELS + 1, v[d]);
			}
		}
	}
}

/* ---- the module ------------------------------------------------------------ */

enum { MOD_COUNTER, MOD_GAUGE, MOD_SECONDS };

static const struct {
	const char *name, *help;
	int kind;
} mod_counters[BMPTAP_CNT_MAX + 1] = {
	[BMPTAP_CNT_SEGMENTS] = { "bmptap_module_segments_total",
		"TCP segments seen on tapped flows (GRO/GSO count once)", MOD_COUNTER },
	[BMPTAP_CNT_BYTES] = { "bmptap_module_bytes_total",
		"Payload bytes delivered in order", MOD_COUNTER },
	[BMPTAP_CNT_MESSAGES] = { "bmptap_module_messages_total",
		"BGP messages framed", MOD_COUNTER },
	[BMPTAP_CNT_RETRANSMITS] = { "bmptap_module_retransmits_total",
		"Segments wholly or partly seen already", MOD_COUNTER },
	[BMPTAP_CNT_OUT_OF_ORDER] = { "bmptap_module_out_of_order_total",
		"Segments held ahead of a hole", MOD_COUNTER },
	[BMPTAP_CNT_GAPS] = { "bmptap_module_gaps_total",
		"Gap records emitted", MOD_COUNTER },
	[BMPTAP_CNT_GAP_BYTES] = { "bmptap_module_gap_bytes_total",
		"Bytes skipped (missing or unframeable)", MOD_COUNTER },
	[BMPTAP_CNT_DROPS] = { "bmptap_module_drops_total",
		"Messages dropped on queue overflow", MOD_COUNTER },
	[BMPTAP_CNT_CONFLICTS] = { "bmptap_module_conflicts_total",
		"Overlapping segments carrying different bytes", MOD_COUNTER },
	[BMPTAP_CNT_BAD_CSUM] = { "bmptap_module_bad_csum_total",
		"Segments with a bad TCP checksum", MOD_COUNTER },
	[BMPTAP_CNT_NOMEM] = { "bmptap_module_nomem_total",
		"Allocation failures", MOD_COUNTER },
	[BMPTAP_CNT_FLOWS_CREATED] = { "bmptap_module_flows_created_total",
		"Flows created", MOD_COUNTER },
	[BMPTAP_CNT_FLOWS_EVICTED] = { "bmptap_module_flows_evicted_total",
		"Flows evicted at the flow table bound", MOD_COUNTER },
	[BMPTAP_CNT_FLOWS_REFUSED] = { "bmptap_module_flows_refused_total",
		"Flows not tapped: table full, nothing to evict", MOD_COUNTER },
	[BMPTAP_CNT_RECORDS] = { "bmptap_module_records_total",
		"Records queued for the daemon", MOD_COUNTER },
	[BMPTAP_CNT_RECORDS_LOST] = { "bmptap_module_records_lost_total",
		"Records lost wholesale", MOD_COUNTER },
	[BMPTAP_CNT_FRAGMENTS] = { "bmptap_module_fragments_total",
		"TCP in IP fragments, skipped", MOD_COUNTER },
	[BMPTAP_CNT_AUTH_FAIL] = { "bmptap_module_auth_fail_total",
		"Received segments TCP drops for TCP-MD5, skipped", MOD_COUNTER },
	[BMPTAP_CNT_FLOWS_PEAK] = { "bmptap_module_flows_peak",
		"Most flows the table held at once", MOD_GAUGE },
	[BMPTAP_CNT_HOOK_NS] = { "bmptap_module_hook_seconds_total",
		"Time spent in the netfilter hooks on tapped segments", MOD_SECONDS },
	[BMPTAP_CNT_PRUNED] = { "bmptap_module_pruned_total",
		"Held runs dropped for earlier data (reassembly budget)", MOD_COUNTER },
	[BMPTAP_CNT_PRUNED_BYTES] = { "bmptap_module_pruned_bytes_total",
		"Bytes in pruned runs, reported as gaps", MOD_COUNTER },
	[BMPTAP_CNT_OUT_OF_WINDOW] = { "bmptap_module_out_of_window_total",
		"Received segments beyond the local receive window, not held", MOD_COUNTER },
	[BMPTAP_CNT_BAD_ACK] = { "bmptap_module_bad_ack_total",
		"Received segments without ACK or acknowledging unsent data", MOD_COUNTER },
	[BMPTAP_CNT_RST_IGNORED] = { "bmptap_module_rst_ignored_total",
		"Received RSTs TCP would not accept", MOD_COUNTER },
	[BMPTAP_CNT_FIN_IGNORED] = { "bmptap_module_fin_ignored_total",
		"Received FINs the local stack never acknowledged", MOD_COUNTER },
	[BMPTAP_CNT_BOGUS] = { "bmptap_module_bogus_total",
		"Segments or ACKs far from the expected sequence number", MOD_COUNTER },
	[BMPTAP_CNT_WRONG_IFACE] = { "bmptap_module_wrong_iface_total",
		"Forwarded segments that arrived on the wrong interface", MOD_COUNTER },
};

static void module_metrics(const struct bt_netns *ns, struct buf *b)
{
	prom_family(b, "bmptap_module_flows", "gauge", "Flows the module taps now");
	prom_sample(b, "bmptap_module_flows", NULL, 0, ns->flows);
	prom_family(b, "bmptap_module_queue_bytes", "gauge", "Bytes of records queued in the module");
	prom_sample(b, "bmptap_module_queue_bytes", NULL, 0, ns->queued_bytes);
	prom_family(b, "bmptap_module_queue_records", "gauge", "Records queued in the module");
	prom_sample(b, "bmptap_module_queue_records", NULL, 0, ns->queued_records);
	for (unsigned i = 0; i <= BMPTAP_CNT_MAX; i++) {
		if (!mod_counters[i].name || !(ns->cnt.present & (1ULL << i)))
			continue;
		prom_family(b, mod_counters[i].name,
			    mod_counters[i].kind == MOD_GAUGE ? "gauge" : "counter",
			    mod_counters[i].help);
		if (mod_counters[i].kind == MOD_SECONDS)
			prom_sample_ns(b, mod_counters[i].name, NULL, 0, ns->cnt.v[i]);
		else
			prom_sample(b, mod_counters[i].name, NULL, 0, ns->cnt.v[i]);
	}
}

/* ---- the daemon and the endpoint ------------------------------------------------ */

static void daemon_metrics(const struct metrics_src *s, struct buf *b)
{
	prom_family(b, "bmptap_records_total", "counter", "Records read (from the module, or the --records file)");
	prom_sample(b, "bmptap_records_total", NULL, 0, s->records);
	prom_family(b, "bmptap_record_holes_total", "counter",
		    "Records lost between reads, or a malformed record stream");
	prom_sample(b, "bmptap_record_holes_total", NULL, 0, s->peers->holes);
	prom_family(b, "bmptap_read_errors_total", "counter", "Failed reads of the records");
	prom_sample(b, "bmptap_read_errors_total", NULL, 0, s->read_errors);
	if (s->ckpt) {
		prom_family(b, "bmptap_checkpoints_written_total", "counter",
			    "Checkpoints written (operator-guide.md, Restarts and checkpoints)");
		prom_sample(b, "bmptap_checkpoints_written_total", NULL, 0, s->ckpt->written);
		prom_family(b, "bmptap_checkpoints_loaded_total", "counter",
			    "Checkpoints loaded at start");
		prom_sample(b, "bmptap_checkpoints_loaded_total", NULL, 0, s->ckpt->loaded);
		prom_family(b, "bmptap_checkpoints_refused_total", "counter",
			    "Checkpoint files refused: corrupt, truncated, foreign or unreadable");
		prom_sample(b, "bmptap_checkpoints_refused_total", NULL, 0, s->ckpt->refused);
		prom_family(b, "bmptap_checkpoint_failures_total", "counter",
			    "Checkpoints that could not be written");
		prom_sample(b, "bmptap_checkpoint_failures_total", NULL, 0, s->ckpt->failed);
	}
	prom_family(b, "bmptap_module_up", "gauge",
		    "1 when the module's counters were read for this scrape");
	prom_sample(b, "bmptap_module_up", NULL, 0, s->module != NULL);
	if (!s->http)
		return;
	prom_family(b, "bmptap_metrics_requests_total", "counter",
		    "Requests answered with the metrics");
	prom_sample(b, "bmptap_metrics_requests_total", NULL, 0, s->http->requests);
	prom_family(b, "bmptap_metrics_refused_total", "counter",
		    "Requests and connections refused by the metrics endpoint, by reason");
	for (int r = 0; r < HTTPD_REF_MAX; r++) {
		struct prom_label l = { "reason", httpd_refusal_name(r) };

		prom_sample(b, "bmptap_metrics_refused_total", &l, 1, s->http->refused[r]);
	}
}

void metrics_render(const struct metrics_src *s, struct buf *out)
{
	daemon_metrics(s, out);
	collector_metrics(s->feed, out);
	peer_metrics(s->peers, out);
	if (s->module)
		module_metrics(s->module, out);
}
