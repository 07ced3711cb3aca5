// SPDX-License-Identifier: GPL-2.0
/*
 * Renders bmptapd's status, as its control socket serves it.  The field
 * names are those of status.c and feed_status_json() in feed_status.c; a
 * field the helper does not (or no longer) publish shows as "-", so that
 * helper and CLI versions may differ.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "jsonr.h"
#include "select.h"
#include "statusview.h"
#include "tls.h"
#include "vrf.h"

#define NO_STATUS "no status published (is bmptapd running?)"

void bt_view_duration(uint64_t s, char *out, size_t outlen)
{
	if (s >= 86400)
		snprintf(out, outlen, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, outlen, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, outlen, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(out, outlen, "%" PRIu64 "s", s);
}

/* 0 parsed, 1 no blob, -1 unparsable (said on errf). */
static int parse_blob(struct bt_jr *r, FILE *errf, const char *blob, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (!blob || !len)
		return 1;
	if (bt_jr_parse(r, blob, len)) {
		fprintf(errf, "bmptapctl: cannot read bmptapd's status: %s\n", r->err);
		return -1;
	}
	if (bt_jr_type(r, 0) != BT_JR_OBJECT) {
		fprintf(errf, "bmptapctl: bmptapd's status is not a JSON object\n");
		bt_jr_free(r);
		return -1;
	}
	return 0;
}

/* A counter cell: the number, or "-" when not published. */
static const char *cell(const struct bt_jr *r, int obj, const char *key,
			char *buf, size_t buflen)
{
	uint64_t v;

	if (!bt_jr_u64(r, bt_jr_get(r, obj, key), &v))
		return "-";
	snprintf(buf, buflen, "%" PRIu64, v);
	return buf;
}

static bool status_matches(const struct bt_jr *r, int st,
			   const struct bt_server_cfg *s)
{
	char addr[BMPTAP_SERVER_ADDRESS_MAX + 1], a[BMPTAP_SERVER_ADDRESS_MAX + 1];
	uint64_t port;

	if (!bt_jr_str(r, bt_jr_get(r, st, "address"), addr, sizeof(addr)) ||
	    !bt_jr_u64(r, bt_jr_get(r, st, "port"), &port))
		return false;
	/* Either side may hold a non-canonical spelling. */
	if (!bt_cli_norm_address(addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "%s", addr);
	return bt_cli_server_match(s, a, (uint16_t)port) && port <= 65535;
}

static bool is_session(const struct bt_jr *r, int st)
{
	return bt_jr_get(r, st, "session") >= 0;
}

static void server_row(FILE *out, const char *addr, unsigned int port,
		       const char *pol, const struct bt_jr *r, int st,
		       const char *state)
{
	char b[5][24], s[32];

	if (st >= 0)
		state = bt_jr_get_str(r, st, "state", s, sizeof(s), "?");
	fprintf(out, "%-39s %5u %-26s %-11s %10s %12s %10s %8s\n", addr, port, pol,
		state,
		st >= 0 ? cell(r, st, "messages", b[0], sizeof(b[0])) : "-",
		st >= 0 ? cell(r, st, "bytes", b[1], sizeof(b[1])) : "-",
		st >= 0 ? cell(r, st, "reconnects", b[2], sizeof(b[2])) : "-",
		st >= 0 ? cell(r, st, "resyncs", b[3], sizeof(b[3])) : "-");
	if (st >= 0) {
		char err[256];

		if (bt_jr_get_str(r, st, "last_error", err, sizeof(err), NULL))
			fprintf(out, "%-39s last error: %s\n", "", err);
	}
}

static void servers_text(FILE *out, const struct bt_server_cfg *v, size_t n,
			 const struct bt_jr *r, int have, int list)
{
	size_t i, k, ns = bt_jr_len(r, list);
	bool used[1024] = { false };

	fprintf(out, "%-39s %5s %-26s %-11s %10s %12s %10s %8s\n", "ADDRESS", "PORT",
		"POLICY", "STATE", "MESSAGES", "BYTES", "RECONNECTS", "RESYNCS");
	for (i = 0; i < n; i++) {
		const struct bt_server_cfg *s = &v[i];
		unsigned int port = s->have & BT_SRV_PORT ? s->port : BT_BMP_PORT;
		char pol[128], sess[128], remote[96], sel[1024];
		int row = -1;

		bt_cli_policy_str(s->policy, pol, sizeof(pol));
		for (k = 0; k < ns; k++) {
			int st = bt_jr_at(r, list, k);

			if (!status_matches(r, st, s) || is_session(r, st))
				continue;
			row = st;
			if (k < 1024)
				used[k] = true;
			break;
		}
		server_row(out, s->address, port, pol, r, row,
			   have > 0 ? "no helper" : have < 0 ? "?" : "pending");
		bt_sel_describe(s, sel, sizeof(sel));
		if (sel[0])
			fprintf(out, "%-39s %s\n", "", sel);
		/* A passive server's accepted collectors, one row each. */
		for (k = 0; k < ns; k++) {
			int st = bt_jr_at(r, list, k);

			if (!status_matches(r, st, s) || !is_session(r, st))
				continue;
			if (k < 1024)
				used[k] = true;
			snprintf(sess, sizeof(sess), "  <- %s",
				 bt_jr_get_str(r, st, "session", remote, sizeof(remote), "?"));
			server_row(out, sess, port, "", r, st, "?");
		}
	}
	/* Still in the helper but no longer configured: being closed. */
	for (k = 0; k < ns && k < 1024; k++) {
		int st = bt_jr_at(r, list, k);
		char addr[BMPTAP_SERVER_ADDRESS_MAX + 1];

		if (used[k] || is_session(r, st))
			continue;
		server_row(out, bt_jr_get_str(r, st, "address", addr, sizeof(addr), "?"), (unsigned int)bt_jr_get_u64(r, st, "port", 0),
			   "(removed)", r, st, "?");
	}
}

static void servers_json(FILE *out, const struct bt_server_cfg *v, size_t n,
			 const struct bt_jr *r, int have, int list)
{
	struct bt_json jw, *j = &jw;
	size_t i, k, ns = bt_jr_len(r, list);

	bt_json_init(j, out);
	bt_json_arr_open(j);
	for (i = 0; i < n; i++) {
		const struct bt_server_cfg *s = &v[i];
		char pol[128], *tok, *save = NULL, state[32];
		int row = -1;
		size_t rawlen;
		const char *raw;

		for (k = 0; k < ns; k++) {
			int st = bt_jr_at(r, list, k);

			if (status_matches(r, st, s) && !is_session(r, st)) {
				row = st;
				break;
			}
		}
		bt_cli_policy_str(s->policy, pol, sizeof(pol));
		bt_json_obj_open(j);
		bt_json_kv_str(j, "address", s->address);
		bt_json_kv_u64(j, "port", s->have & BT_SRV_PORT ? s->port : BT_BMP_PORT);
		bt_json_key(j, "policy");
		bt_json_arr_open(j);
		for (tok = strtok_r(pol, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (strcmp(tok, "none"))
				bt_json_str(j, tok);
		bt_json_arr_close(j);
		bt_json_kv_u64(j, "statistics_timeout", s->stats_timeout);
		bt_json_kv_bool(j, "mirroring", s->mirroring);
		bt_json_kv_bool(j, "passive", s->passive);
		if (s->have & BT_SRV_SYS_NAME)
			bt_json_kv_str(j, "sys_name", s->sys_name);
		if (s->have & BT_SRV_SYS_DESCR)
			bt_json_kv_str(j, "sys_descr", s->sys_descr);
		if (s->have & BT_SRV_ALLOW)
			bt_json_kv_str(j, "allow", s->allow);
		bt_sel_json(j, s);
		bt_json_kv_bool(j, "tls", s->tls);
		for (int k = 0; k < BT_TLS_KEYS; k++)
			if (s->have & bt_tls_keys[k].bit)
				bt_json_kv_str(j, bt_tls_keys[k].json, BT_TLS_STR(s, &bt_tls_keys[k]));
		bt_json_kv_str(j, "state", row >= 0 ?
			       bt_jr_get_str(r, row, "state", state, sizeof(state), "?") :
			       have > 0 ? "no helper" : have < 0 ? "?" : "pending");
		bt_json_key(j, "status");
		if (row >= 0) {
			raw = bt_jr_raw(r, row, &rawlen);
			bt_json_raw(j, raw, rawlen);
		} else {
			bt_json_null(j);
		}
		/* Passive servers: the accepted collector sessions. */
		if (s->passive) {
			bt_json_key(j, "sessions");
			bt_json_arr_open(j);
			for (k = 0; k < ns; k++) {
				int st = bt_jr_at(r, list, k);

				if (status_matches(r, st, s) && is_session(r, st)) {
					raw = bt_jr_raw(r, st, &rawlen);
					bt_json_raw(j, raw, rawlen);
				}
			}
			bt_json_arr_close(j);
		}
		bt_json_obj_close(j);
	}
	bt_json_arr_close(j);
}

void bt_view_servers(FILE *out, FILE *errf, const struct bt_server_cfg *v,
		     size_t n, const char *blob, size_t len, bool json)
{
	struct bt_jr r;
	int have = parse_blob(&r, errf, blob, len);
	int list = have ? -1 : bt_jr_get(&r, 0, "servers");

	if (json)
		servers_json(out, v, n, &r, have, list);
	else
		servers_text(out, v, n, &r, have, list);
	if (!json && have > 0)
		fprintf(out, "(bmptapd publishes no status: is it running?)\n");
	bt_jr_free(&r);
}

static void prefixes(const struct bt_jr *r, int obj, char *out, size_t outlen)
{
	size_t o = 0, k;

	out[0] = '\0';
	if (bt_jr_type(r, obj) != BT_JR_OBJECT) {
		snprintf(out, outlen, "-");
		return;
	}
	/* Every AFI/SAFI the helper counts, whatever they are. */
	for (k = (size_t)obj + 1; k + 1 < r->t[obj].end; k = r->t[k + 1].end) {
		char name[48];
		uint64_t v;

		if (!bt_jr_str(r, (int)k, name, sizeof(name)) ||
		    !bt_jr_u64(r, (int)k + 1, &v))
			continue;
		o += (size_t)snprintf(out + o, o < outlen ? outlen - o : 0, "%s%s=%" PRIu64,
				      o ? "," : "", name, v);
		if (o >= outlen)
			break;
	}
	if (!out[0])
		snprintf(out, outlen, "-");
}

/* Families carried but not kept (famrib.h): a collector that connects
 * later gets none of their routes. */
static void live_only(FILE *out, const struct bt_jr *r, int arr)
{
	for (size_t i = 0; i < bt_jr_len(r, arr); i++) {
		int e = bt_jr_at(r, arr, i);
		uint64_t afi = 0, safi = 0, n = 0;

		bt_jr_u64(r, bt_jr_get(r, e, "afi"), &afi);
		bt_jr_u64(r, bt_jr_get(r, e, "safi"), &safi);
		bt_jr_u64(r, bt_jr_get(r, e, "updates"), &n);
		fprintf(out, "%-39s live only: AFI %" PRIu64 " SAFI %" PRIu64 ", %" PRIu64
			" UPDATEs passed on as received, not kept, not replayed\n", "", afi, safi, n);
	}
}

void bt_view_peers(FILE *out, FILE *errf, const char *blob, size_t len,
		   bool json)
{
	struct bt_jr r;
	int have = parse_blob(&r, errf, blob, len);
	int list = have ? -1 : bt_jr_get(&r, 0, "peers");
	size_t i, n = bt_jr_len(&r, list);

	if (json) {
		size_t rawlen;
		const char *raw = bt_jr_raw(&r, list, &rawlen);

		if (have > 0)
			fprintf(errf, "bmptapctl: " NO_STATUS "\n");
		if (bt_jr_type(&r, list) == BT_JR_ARRAY)
			fprintf(out, "%.*s\n", (int)rawlen, raw);
		else
			fprintf(out, "[]\n");
		bt_jr_free(&r);
		return;
	}
	if (have > 0) {
		fprintf(out, NO_STATUS "\n");
		return;
	}
	fprintf(out, "%-39s %-10s %-15s %-11s %-8s %9s %11s %6s %6s  %s\n", "PEER",
		"AS", "BGP ID", "STATE", "UPTIME", "UPDATES", "WITHDRAWALS", "GAPS",
		"FLOW", "PREFIXES");
	for (i = 0; i < n; i++) {
		int p = bt_jr_at(&r, list, i);
		char addr[64], id[24], state[24], up[24] = "-", as[24], pfx[256];
		char b[4][24];
		uint64_t v, gaps = 0;
		bool g = false;

		if (bt_jr_type(&r, p) != BT_JR_OBJECT)
			continue;
		const char *peer = bt_jr_get_str(&r, p, "remote_address", addr,
						 sizeof(addr), "?");

		if (bt_jr_u64(&r, bt_jr_get(&r, p, "uptime_s"), &v))
			bt_view_duration(v, up, sizeof(up));
		if (bt_jr_u64(&r, bt_jr_get(&r, p, "gaps_rx"), &v))
			gaps += v, g = true;
		if (bt_jr_u64(&r, bt_jr_get(&r, p, "gaps_tx"), &v))
			gaps += v, g = true;
		snprintf(b[2], sizeof(b[2]), "%" PRIu64, gaps);
		prefixes(&r, bt_jr_get(&r, p, "prefixes"), pfx, sizeof(pfx));
		fprintf(out, "%-39s %-10s %-15s %-11s %-8s %9s %11s %6s %6s  %s\n", peer,
			cell(&r, p, "peer_as", as, sizeof(as)),
			bt_jr_get_str(&r, p, "bgp_id", id, sizeof(id), "-"),
			bt_jr_get_str(&r, p, "state", state, sizeof(state), "?"), up,
			cell(&r, p, "updates", b[0], sizeof(b[0])),
			cell(&r, p, "withdrawals", b[1], sizeof(b[1])),
			g ? b[2] : "-", cell(&r, p, "flow_id", b[3], sizeof(b[3])), pfx);
		bool inc = false;
		char vrf[BT_VRF_NAME_LEN], rd[BT_RD_STRLEN];

		/* The default VRF's peers are what they always were: no line. */
		if (*bt_jr_get_str(&r, p, "vrf", vrf, sizeof(vrf), "")) {
			if (*bt_jr_get_str(&r, p, "rd", rd, sizeof(rd), ""))
				fprintf(out, "%-39s vrf %s: RD Instance peer, RD %s\n", "", vrf, rd);
			else if (bt_jr_u64(&r, bt_jr_get(&r, p, "peer_distinguisher"), &v))
				fprintf(out, "%-39s vrf %s: Local Instance peer, distinguisher %"
					PRIu64 "\n", "", vrf, v);
		}
		if (bt_jr_bool(&r, bt_jr_get(&r, p, "incomplete"), &inc) && inc)
			fprintf(out, "%-39s incomplete: messages from this peer were lost (gaps, or "
				"read by an earlier bmptapd); collectors were told\n", "");
		if (bt_jr_bool(&r, bt_jr_get(&r, p, "refresh_needed"), &inc) && inc)
			fprintf(out, "%-39s a soft refresh inbound makes it complete: BIRD `reload in "
				"PROTO`, FRR `clear bgp PEER soft in`, GoBGP `neighbor PEER "
				"softresetin`\n", "");
		if (bt_jr_u64(&r, bt_jr_get(&r, p, "memory_refused"), &v) && v)
			fprintf(out, "%-39s incomplete: memory budget reached, %" PRIu64
				" routes not stored\n", "", v);
		live_only(out, &r, bt_jr_get(&r, p, "live_only"));
		if (bt_jr_u64(&r, bt_jr_get(&r, p, "encode_failures"), &v) && v)
			fprintf(out, "%-39s incomplete: %" PRIu64 " routes too large to encode "
				"for a collector (withdrawn there)\n", "", v);
	}
	bt_jr_free(&r);
}
