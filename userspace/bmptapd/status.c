// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapd's status document, as the control socket serves it (`bmptapctl
 * show status|peers|servers`; statusview.c renders it).  Field names are
 * an interface: bmptapctl and operators' scripts read them.
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ckptctl.h"
#include "collector.h"
#include "ctlsrv.h"
#include "json.h"
#include "kroute.h"
#include "locrib.h"
#include "nlri.h"
#include "peer.h"
#include "refresh.h"
#include "status.h"

static void fmt_addr(int family, const uint8_t *a, char *out, size_t len)
{
	snprintf(out, len, "?");
	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, out, (socklen_t)len);
}

/* The families whose NLRI carry path ids in one direction. */
static void families_json(struct bt_json *j, const char *key, const bool *fams)
{
	bt_json_key(j, key);
	bt_json_arr_open(j);
	if (fams[BGP_FAM_IPV4])
		bt_json_str(j, "ipv4_unicast");
	if (fams[BGP_FAM_IPV6])
		bt_json_str(j, "ipv6_unicast");
	bt_json_arr_close(j);
}

/* The routes kept of each other family the session carried (famrib.h). */
static void famrib_counts_json(struct bt_json *j, const struct famrib *fr)
{
	for (unsigned f = BGP_FAM_MAX; f < NLRI_FAMILIES; f++)
		if (fr->seen & (1u << f))
			bt_json_kv_u64(j, nlri_family_at(f)->name, fr->count[f]);
}

/* Families not kept: RFC 7606 disabled ones, and the live-only ones. */
static void famrib_gaps_json(struct bt_json *j, const struct famrib *fr)
{
	bt_json_key(j, "families_disabled");
	bt_json_arr_open(j);
	for (unsigned f = BGP_FAM_MAX; f < NLRI_FAMILIES; f++)
		if (fr->disabled[f])
			bt_json_str(j, nlri_family_at(f)->name);
	bt_json_arr_close(j);
	bt_json_key(j, "live_only");
	bt_json_arr_open(j);
	for (unsigned i = 0; i < fr->n_live_only; i++) {
		bt_json_obj_open(j);
		bt_json_kv_u64(j, "afi", fr->live_only[i].afi);
		bt_json_kv_u64(j, "safi", fr->live_only[i].safi);
		bt_json_kv_u64(j, "updates", fr->live_only[i].updates);
		bt_json_obj_close(j);
	}
	bt_json_arr_close(j);
	bt_json_kv_u64(j, "live_only_more_updates", fr->live_only_more);
}

/* The peer's VRF (vrf.h) and how collectors see it (RFC 7854 4.2). */
static void vrf_json(const struct peer *p, struct bt_json *j)
{
	char rd[BT_RD_STRLEN];

	bt_json_kv_str(j, "vrf", p->vrf);
	bt_json_kv_u64(j, "vrf_ifindex", (uint32_t)p->info.l3_ifindex);
	bt_json_kv_u64(j, "peer_type", p->inst_type);
	bt_json_kv_u64(j, "peer_distinguisher", p->inst_dist);
	if (p->inst_type == BMP_PEER_RD) {
		bt_rd_format(p->inst_dist, rd, sizeof(rd));
		bt_json_kv_str(j, "rd", rd);
	}
}

static void peer_json(const struct peer *p, struct bt_json *j, uint64_t now_ms)
{
	char a[INET6_ADDRSTRLEN];
	struct in_addr id;

	bt_json_obj_open(j);
	bt_json_kv_u64(j, "flow_id", p->flow_id);
	if (p->have_info) {
		fmt_addr(p->info.family, p->info.local_addr, a, sizeof(a));
		bt_json_kv_str(j, "local_address", a);
		bt_json_kv_u64(j, "local_port", ntohs(p->info.local_port));
		fmt_addr(p->info.family, p->info.remote_addr, a, sizeof(a));
		bt_json_kv_str(j, "remote_address", a);
		bt_json_kv_u64(j, "remote_port", ntohs(p->info.remote_port));
		vrf_json(p, j);
	}
	if (p->open_ok[BMPTAP_DIR_RX]) {
		bt_json_kv_u64(j, "peer_as", p->op[BMPTAP_DIR_RX].as);
		id.s_addr = htonl(p->op[BMPTAP_DIR_RX].bgp_id);
		bt_json_kv_str(j, "bgp_id", inet_ntop(AF_INET, &id, a, sizeof(a)));
	}
	if (p->open_ok[BMPTAP_DIR_TX])
		bt_json_kv_u64(j, "local_as", p->op[BMPTAP_DIR_TX].as);
	bt_json_kv_str(j, "state", peer_state_name(p->state));
	bt_json_kv_bool(j, "open_rx_seen", p->open[BMPTAP_DIR_RX] != NULL);
	bt_json_kv_bool(j, "open_tx_seen", p->open[BMPTAP_DIR_TX] != NULL);
	if (p->state == PEER_ESTABLISHED)
		bt_json_kv_u64(j, "uptime_s", (now_ms - p->up_mono_ms) / 1000u);
	if (p->state >= PEER_OPENCONFIRM) {
		bt_json_kv_bool(j, "as4", p->sess.rx.as4);
		families_json(j, "addpath_rx", p->sess.rx.addpath);
		/* A peer may negotiate ADD-PATH one way only. */
		families_json(j, "addpath_tx", p->sess.tx.addpath);
		families_json(j, "undecoded", p->sess.ambiguous);
		bt_json_kv_bool(j, "peer_as_disputed", p->op[BMPTAP_DIR_RX].as_conflict);
	}
	bt_json_kv_bool(j, "incomplete", p->incomplete);
	/* What the operator can do about it (refresh.h): a soft refresh. */
	bt_json_kv_bool(j, "refresh_needed", peer_refresh_would_complete(p));
	bt_json_kv_bool(j, "enhanced_refresh", p->sess.enhanced_refresh);
	bt_json_key(j, "prefixes");
	bt_json_obj_open(j);
	bt_json_kv_u64(j, "ipv4_unicast", rib_count(&p->rib, BGP_FAM_IPV4));
	bt_json_kv_u64(j, "ipv6_unicast", rib_count(&p->rib, BGP_FAM_IPV6));
	famrib_counts_json(j, &p->fr);
	bt_json_obj_close(j);
	famrib_gaps_json(j, &p->fr);
	bt_json_key(j, "prefixes_post_policy");
	bt_json_obj_open(j);
	bt_json_kv_u64(j, "ipv4_unicast", p->post_count[BGP_FAM_IPV4]);
	bt_json_kv_u64(j, "ipv6_unicast", p->post_count[BGP_FAM_IPV6]);
	bt_json_obj_close(j);
	bt_json_key(j, "prefixes_sent");
	bt_json_obj_open(j);
	bt_json_kv_u64(j, "ipv4_unicast", rib_count(&p->rib_out, BGP_FAM_IPV4));
	bt_json_kv_u64(j, "ipv6_unicast", rib_count(&p->rib_out, BGP_FAM_IPV6));
	bt_json_obj_close(j);
	bt_json_kv_u64(j, "rejected_by_filters", p->cnt.rejected);
	bt_json_kv_u64(j, "updates_sent", p->cnt.updates_out);
	bt_json_kv_u64(j, "messages_rx", p->cnt.msgs[BMPTAP_DIR_RX]);
	bt_json_kv_u64(j, "messages_tx", p->cnt.msgs[BMPTAP_DIR_TX]);
	bt_json_kv_u64(j, "updates", p->cnt.updates);
	bt_json_kv_u64(j, "announced", p->cnt.announced);
	bt_json_kv_u64(j, "withdrawals", p->cnt.withdrawn);
	bt_json_kv_u64(j, "end_of_rib", p->cnt.eor);
	bt_json_kv_u64(j, "rfc7606_errors", p->cnt.errors);
	bt_json_kv_u64(j, "treat_as_withdraw", p->cnt.treat_as_withdraw);
	bt_json_kv_u64(j, "attr_discard", p->cnt.attr_discard);
	bt_json_kv_u64(j, "session_reset_errors", p->cnt.session_reset);
	bt_json_kv_u64(j, "gaps_rx", p->cnt.gaps[BMPTAP_DIR_RX]);
	bt_json_kv_u64(j, "gaps_tx", p->cnt.gaps[BMPTAP_DIR_TX]);
	bt_json_kv_u64(j, "errored_pdus", p->cnt.errored);
	bt_json_kv_u64(j, "ignored", p->cnt.ignored);
	bt_json_kv_u64(j, "memory_bytes", p->mem ? p->mem->used : 0);
	bt_json_kv_u64(j, "memory_refused", p->cnt.mem_refused);
	bt_json_kv_u64(j, "rib_nomem", p->cnt.rib_nomem);
	bt_json_kv_u64(j, "encode_failures", p->cnt.encode_failures);
	bt_json_kv_u64(j, "ambiguous_families", p->cnt.ambiguous_families);
	bt_json_kv_u64(j, "refreshes", p->cnt.refreshes);
	bt_json_kv_u64(j, "refresh_withdrawn", p->cnt.refresh_withdrawn);
	bt_json_kv_u64(j, "refresh_untracked", p->cnt.refresh_untracked);
	if (p->ms) {
		/* Picked up mid-stream (midstream.h). */
		bt_json_key(j, "midstream");
		bt_json_obj_open(j);
		bt_json_kv_bool(j, "opens_synthesized", p->ms->up);
		bt_json_kv_u64(j, "held", p->ms->n_held);
		bt_json_kv_u64(j, "not_held", p->ms->dropped);
		bt_json_kv_u64(j, "undecodable", p->ms->undecodable);
		bt_json_kv_u64(j, "malformed", p->ms->malformed);
		bt_json_obj_close(j);
	}
	if (p->notif_dir >= 0)
		bt_json_kv_str(j, "notification_from", p->notif_dir == BMPTAP_DIR_RX ? "remote" : "local");
	bt_json_obj_close(j);
}

/*
 * Bad input from every peer since the start, those whose session it ended
 * included (their own entries are gone from "peers").
 */
static void bad_input_json(const struct peers *ps, struct bt_json *j)
{
	struct peer_counters t = ps->ended;

	for (const struct peer *p = ps->head; p; p = p->next)
		if (!p->locrib)
			peer_counters_add(&t, &p->cnt);
	bt_json_key(j, "bad_input");
	bt_json_obj_open(j);
	bt_json_kv_u64(j, "rfc7606_errors", t.errors);
	bt_json_kv_u64(j, "treat_as_withdraw", t.treat_as_withdraw);
	bt_json_kv_u64(j, "attr_discard", t.attr_discard);
	bt_json_kv_u64(j, "session_reset_errors", t.session_reset);
	bt_json_kv_u64(j, "errored_pdus", t.errored);
	bt_json_kv_u64(j, "gaps_rx", t.gaps[BMPTAP_DIR_RX]);
	bt_json_kv_u64(j, "gap_bytes_rx", t.gap_bytes[BMPTAP_DIR_RX]);
	bt_json_obj_close(j);
}

void status_render(const struct status_src *s, unsigned parts, FILE *f)
{
	const struct peers *ps = s->peers;
	const struct kroute *kr = ps->kroutes;
	struct bt_json j;

	bt_json_init(&j, f);
	bt_json_obj_open(&j);
	bt_json_kv_str(&j, "daemon", "bmptapd " BMPTAP_VERSION);
	bt_json_kv_u64(&j, "pid", (uint64_t)getpid());
	bt_json_kv_u64(&j, "uptime_s", s->uptime_s);
	bt_json_kv_u64(&j, "records", s->records);
	bt_json_kv_u64(&j, "record_holes", ps->holes);
	bt_json_kv_u64(&j, "read_errors", s->read_errors);
	bt_json_kv_u64(&j, "attribute_sets", ps->attrs.count);
	if (s->ckpt)
		ckpt_ctl_status_json(s->ckpt, &j);
	bad_input_json(ps, &j);
	if (s->ctl)
		ctlsrv_status_json(s->ctl, &j);
	if (parts & CTL_SHOW_SERVERS) {
		bt_json_key(&j, "servers");
		bt_json_kv_u64(&j, "server_count", feed_status_json(s->feed, &j));
	}
	if (ps->locrib) {
		bt_json_key(&j, "loc_rib");
		bt_json_obj_open(&j);
		bt_json_kv_u64(&j, "ipv4_unicast", rib_count(&ps->locrib->rib, BGP_FAM_IPV4));
		bt_json_kv_u64(&j, "ipv6_unicast", rib_count(&ps->locrib->rib, BGP_FAM_IPV6));
		bt_json_obj_close(&j);
	}
	bt_json_key(&j, "loc_rib_source");
	bt_json_obj_open(&j);
	bt_json_kv_str(&j, "source", locrib_source_name(ps));
	if (kr) {
		bt_json_key(&j, "route_protocols");
		bt_json_arr_open(&j);
		for (unsigned i = 0; i < kr->n_protos; i++)
			bt_json_u64(&j, kr->protos[i]);
		bt_json_arr_close(&j);
		bt_json_kv_u64(&j, "installed_routes", kr->count);
		bt_json_kv_u64(&j, "unjoined", kr->unjoined);
		bt_json_kv_u64(&j, "unjoined_total", kr->unjoined_total);
		bt_json_kv_u64(&j, "rtnetlink_overruns", kr->overruns);
	}
	bt_json_obj_close(&j);
	bt_json_kv_u64(&j, "import_filters", s->import_filters);
	bt_json_kv_u64(&j, "peer_count", ps->count);
	if (parts & CTL_SHOW_PEERS) {
		uint64_t now = loop_now_ms();

		bt_json_key(&j, "peers");
		bt_json_arr_open(&j);
		for (const struct peer *p = ps->head; p; p = p->next)
			peer_json(p, &j, now);
		bt_json_arr_close(&j);
	}
	bt_json_obj_close(&j);
	fputc('\n', f);
}
