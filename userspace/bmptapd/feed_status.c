// SPDX-License-Identifier: GPL-2.0
/*
 * The collectors' state and counters as JSON (bmptapctl show servers,
 * the control socket's status).
 */
#include "collector.h"

#include "json.h"

static void collector_status_json(const struct collector *c, struct bt_json *j)
{
	size_t dirty = 0;
	unsigned live = 0, peers = 0;

	for (const struct cpeer *cp = c->cp_head; cp; cp = cp->next) {
		dirty += cp->dirty.count + cp->flushing.count;
		live += cp->live;
		peers++;
	}
	bt_json_obj_open(j);
	bt_json_kv_str(j, "address", c->cfg.address);
	bt_json_kv_u64(j, "port", c->cfg.port ? c->cfg.port : BT_BMP_PORT);
	bt_json_kv_bool(j, "passive", c->cfg.passive);
	if (c->accepted)
		bt_json_kv_str(j, "session", c->remote);
	bt_json_key(j, "policy");
	bt_json_arr_open(j);
	if (c->policy & BMPTAP_POLICY_PRE)
		bt_json_str(j, "pre");
	if (c->policy & BMPTAP_POLICY_POST)
		bt_json_str(j, "post");
	if (c->policy & BMPTAP_POLICY_LOCAL_RIB)
		bt_json_str(j, "local-rib");
	if (c->policy & BMPTAP_POLICY_ADJ_OUT)
		bt_json_str(j, "adj-rib-out");
	bt_json_arr_close(j);
	bt_json_kv_bool(j, "mirroring", c->cfg.mirroring);
	bt_json_kv_str(j, "state", collector_state_name(c->state));
	bt_json_kv_bool(j, "lagging", c->lagging);
	bt_json_kv_u64(j, "peers", peers);
	bt_json_kv_u64(j, "peers_live", live);
	bt_json_kv_u64(j, "messages", c->st.msgs);
	bt_json_kv_u64(j, "bytes", c->st.bytes);
	bt_json_kv_u64(j, "sessions", c->st.sessions);
	bt_json_kv_u64(j, "reconnects", c->st.reconnects);
	bt_json_kv_u64(j, "resolve_failures", c->st.resolve_failures);
	bt_json_kv_u64(j, "resyncs", c->st.resyncs);
	bt_json_kv_u64(j, "coalesced", c->st.coalesced);
	bt_json_kv_u64(j, "dirty", dirty);
	bt_json_kv_u64(j, "lost_mirrors", c->st.lost_mirrors);
	bt_json_kv_u64(j, "stats_skipped", c->st.stats_skipped);
	bt_json_kv_u64(j, "encode_errors", c->st.encode_errors);
	bt_json_kv_u64(j, "disconnected_stuck", c->st.kicked);
	bt_json_kv_u64(j, "disconnected_stalled", c->st.stalled);
	bt_json_kv_u64(j, "dirty_overflows", c->st.dirty_overflows);
	bt_json_kv_u64(j, "input_bytes", c->st.input_bytes);
	bt_json_kv_bool(j, "tls", c->cfg.tls);
	bt_json_kv_u64(j, "tls_failures", c->st.tls_failures);
	if (c->cfg.passive && !c->accepted) {
		bt_json_key(j, "refused");
		bt_json_obj_open(j);
		for (int r = 0; r < LISTEN_REF_MAX; r++)
			bt_json_kv_u64(j, listen_refusal_name(r), c->st.refused[r]);
		bt_json_obj_close(j);
	}
	bt_json_kv_u64(j, "queue_bytes", collector_pending(c));
	bt_json_kv_u64(j, "queue_limit", c->limit);
	if (c->last_error[0])
		bt_json_kv_str(j, "last_error", c->last_error);
	bt_json_obj_close(j);
}

size_t feed_status_json(const struct feed *f, struct bt_json *j)
{
	size_t n = 0;

	bt_json_arr_open(j);
	/* Configured servers first, then the sessions accepted on them. */
	for (int accepted = 0; accepted < 2; accepted++)
		for (const struct collector *c = f->head; c; c = c->next) {
			if (c->accepted != accepted)
				continue;
			collector_status_json(c, j);
			n++;
		}
	bt_json_arr_close(j);
	return n;
}

