// SPDX-License-Identifier: GPL-2.0
/*
 * Per-collector selection, pacing and connection options (see select.h).
 * Parsing is shared by bmptapctl and the TOML loader so that both refuse
 * the same values with the same words; bmptapd reads back what the module
 * stored and, for a value the module could not check (a malformed peers
 * entry stored by another tool), fails closed: the entry matches nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "bmp.h"
#include "cli.h"
#include "collector.h"
#include "decimal.h"
#include "json.h"
#include "loop.h"
#include "nlri.h"
#include "peer.h"
#include "prefix.h"
#include "select.h"
#include "session.h"

/*
 * The families by nlri.h's index (nlri_family_at(): GoBGP's names), bit i
 * for index i (the uapi's BMPTAP_FAMILY_* order), and GoBGP's short
 * aliases.
 */
_Static_assert(BMPTAP_FAMILY_ALL == (1ULL << NLRI_FAMILIES) - 1, "one bit per nlri.h family");
_Static_assert(BMPTAP_FAMILY_VPNV4 == 1U << 6 && BMPTAP_FAMILY_EVPN == 1U << 10,
	       "BMPTAP_FAMILY_* in nlri.c's order");
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "vpnv4", "l3vpn-ipv4-unicast" },
	{ "vpnv6", "l3vpn-ipv6-unicast" },
	{ "evpn", "l2vpn-evpn" },
};
#define FAMILY_CHOICES "ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, " \
	"...: bmptapctl(8) lists them"

/* The index of family name (or alias) s, or NLRI_FAMILIES. */
static unsigned family_named(const char *s)
{
	unsigned i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(s, aliases[i].alias))
			s = aliases[i].name;
	for (i = 0; i < NLRI_FAMILIES && strcmp(s, nlri_family_at(i)->name); i++)
		;
	return i;
}

__attribute__((format(printf, 3, 4)))
static int serr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A value echoed in an error: one short printable line. */
static const char *shown(const char *v, char *buf, size_t buflen)
{
	size_t i;

	for (i = 0; v[i] && i + 4 < buflen; i++)
		buf[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	if (v[i])
		memcpy(buf + i - 3, "...", 3);
	buf[i] = '\0';
	return buf;
}

/* A comma-separated list: no empty element, fits buflen; copied to buf. */
static bool list_ok(const char *v, char *buf, size_t buflen)
{
	size_t n = strlen(v);

	if (!n || n >= buflen || v[0] == ',' || v[n - 1] == ',' || strstr(v, ",,"))
		return false;
	memcpy(buf, v, n + 1);
	return true;
}

static bool peer_entry_ok(const char *t)
{
	struct bt_prefix p;
	uint64_t as;

	return (bt_decimal(t, UINT32_MAX, &as) && as) || bt_prefix_parse(t, &p) == BT_PREFIX_OK;
}

static int parse_families(const char *kw, const char *v, uint32_t *out, char *err,
			  size_t errlen)
{
	char buf[512], sh[84], *tok, *save = NULL;
	uint32_t bits = 0;
	unsigned i;

	if (!list_ok(v, buf, sizeof(buf)))
		return serr(err, errlen, "invalid %s \"%s\" (FAMILY[,FAMILY..]: " FAMILY_CHOICES ")",
			    kw, shown(v, sh, sizeof(sh)));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		i = family_named(tok);
		if (i == NLRI_FAMILIES)
			return serr(err, errlen, "invalid family \"%s\" in %s (" FAMILY_CHOICES ")",
				    shown(tok, sh, sizeof(sh)), kw);
		bits |= 1u << i;
	}
	*out = bits;
	return 0;
}

static int parse_peers(const char *kw, const char *v, char *out, size_t outlen, char *err,
		       size_t errlen)
{
	char buf[BMPTAP_SERVER_STRING_MAX + 1], sh[84], *tok, *save = NULL;

	if (strlen(v) >= outlen || !list_ok(v, buf, sizeof(buf)))
		return serr(err, errlen, "invalid %s \"%s\" (PEER[,PEER..], at most %zu bytes)",
			    kw, shown(v, sh, sizeof(sh)), outlen - 1);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!peer_entry_ok(tok))
			return serr(err, errlen,
				    "invalid peer \"%s\" in %s (ADDRESS[/LEN] or AS number 1..4294967295)",
				    shown(tok, sh, sizeof(sh)), kw);
	strcpy(out, v);
	return 0;
}

static int address_family(const char *s)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, a) == 1)
		return AF_INET6;
	return 0;
}

int bt_sel_parse(unsigned int bit, const char *kw, const char *v,
		 struct bt_server_cfg *s, char *err, size_t errlen)
{
	char sh[84];
	uint64_t n;

	switch (bit) {
	case BT_SRV_FAMILIES:
		if (parse_families(kw, v, &s->families, err, errlen))
			return -1;
		break;
	case BT_SRV_PEERS:
		if (parse_peers(kw, v, s->peers, sizeof(s->peers), err, errlen))
			return -1;
		break;
	case BT_SRV_REPLAY_RATE:
		if (!bt_decimal(v, UINT32_MAX, &n))
			return serr(err, errlen,
				    "invalid %s \"%s\" (messages per second 1..4294967295, 0: unpaced)",
				    kw, shown(v, sh, sizeof(sh)));
		s->replay_rate = (uint32_t)n;
		break;
	case BT_SRV_SOURCE: {
		char canon[INET6_ADDRSTRLEN];
		uint8_t a[16];
		int fam = address_family(v);

		if (!fam)
			return serr(err, errlen, "invalid %s \"%s\" (IPv4 or IPv6 address)", kw,
				    shown(v, sh, sizeof(sh)));
		inet_pton(fam, v, a);
		inet_ntop(fam, a, canon, sizeof(canon));
		snprintf(s->source, sizeof(s->source), "%s", canon);
		break;
	}
	case BT_SRV_DSCP:
		if (!bt_decimal(v, BMPTAP_DSCP_MAX, &n))
			return serr(err, errlen, "invalid %s \"%s\" (0..%d)", kw,
				    shown(v, sh, sizeof(sh)), BMPTAP_DSCP_MAX);
		s->dscp = (uint8_t)n;
		break;
	default:
		return serr(err, errlen, "internal error: option %#x", bit);
	}
	s->have |= bit;
	return 0;
}

int bt_sel_check(const struct bt_server_cfg *s, char *err, size_t errlen)
{
	int sf, af;

	if (!(s->have & BT_SRV_SOURCE))
		return 0;
	sf = address_family(s->source);
	af = address_family(s->address);
	/* A host name resolves later: its addresses of the source's family are used. */
	if (af && sf != af)
		return serr(err, errlen, "source %s is %s but address %s is %s", s->source,
			    sf == AF_INET ? "IPv4" : "IPv6", s->address,
			    af == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

void bt_sel_families_str(uint32_t fams, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < NLRI_FAMILIES; i++)
		if (fams >> i & 1 && o < outlen)
			o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? "," : "",
					      nlri_family_at(i)->name);
}

void bt_sel_describe(const struct bt_server_cfg *s, char *out, size_t outlen)
{
	char fams[BT_SEL_FAMILIES_STR_MAX];

	bt_sel_families_str(s->families, fams, sizeof(fams));
	snprintf(out, outlen, "%s%s%s%s%s%s", s->have & BT_SRV_FAMILIES ? " families " : "",
		 s->have & BT_SRV_FAMILIES ? fams : "", s->have & BT_SRV_PEERS ? " peers " : "",
		 s->have & BT_SRV_PEERS ? s->peers : "", s->have & BT_SRV_SOURCE ? " source " : "",
		 s->have & BT_SRV_SOURCE ? s->source : "");
	if (s->have & BT_SRV_REPLAY_RATE)
		snprintf(out + strlen(out), outlen - strlen(out), " replay-rate %" PRIu32,
			 s->replay_rate);
	if (s->have & BT_SRV_DSCP)
		snprintf(out + strlen(out), outlen - strlen(out), " dscp %u", s->dscp);
	/* Without the leading blank. */
	if (out[0])
		memmove(out, out + 1, strlen(out));
}

void bt_sel_json(struct bt_json *j, const struct bt_server_cfg *s)
{
	if (s->have & BT_SRV_FAMILIES) {
		bt_json_key(j, "families");
		bt_json_arr_open(j);
		for (unsigned i = 0; i < NLRI_FAMILIES; i++)
			if (s->families >> i & 1)
				bt_json_str(j, nlri_family_at(i)->name);
		bt_json_arr_close(j);
	}
	if (s->have & BT_SRV_PEERS)
		bt_json_kv_str(j, "peers", s->peers);
	if (s->have & BT_SRV_REPLAY_RATE)
		bt_json_kv_u64(j, "replay_rate", s->replay_rate);
	if (s->have & BT_SRV_SOURCE)
		bt_json_kv_str(j, "source", s->source);
	if (s->have & BT_SRV_DSCP)
		bt_json_kv_u64(j, "dscp", s->dscp);
}

bool bt_sel_cfg_equal(const struct bt_server_cfg *a, const struct bt_server_cfg *b)
{
	unsigned int h = a->have & BT_SRV_SEL_ALL;

	return h == (b->have & BT_SRV_SEL_ALL) &&
	       (!(h & BT_SRV_FAMILIES) || a->families == b->families) &&
	       (!(h & BT_SRV_PEERS) || !strcmp(a->peers, b->peers)) &&
	       (!(h & BT_SRV_REPLAY_RATE) || a->replay_rate == b->replay_rate) &&
	       (!(h & BT_SRV_SOURCE) || !strcmp(a->source, b->source)) &&
	       (!(h & BT_SRV_DSCP) || a->dscp == b->dscp);
}

void bt_sel_merge(struct bt_server_cfg *dst, const struct bt_server_cfg *upd)
{
	unsigned int h = upd->have;

	if (h & BT_SRV_FAMILIES)
		dst->families = upd->families;
	if (h & BT_SRV_PEERS)
		memcpy(dst->peers, upd->peers, sizeof(dst->peers));
	if (h & BT_SRV_REPLAY_RATE)
		dst->replay_rate = upd->replay_rate;
	if (h & BT_SRV_SOURCE)
		memcpy(dst->source, upd->source, sizeof(dst->source));
	if (h & BT_SRV_DSCP)
		dst->dscp = upd->dscp;
}

/* ---- selection ------------------------------------------------------------- */

bool sel_peer(const struct bt_server_cfg *cfg, const struct peer *p)
{
	char list[sizeof(cfg->peers)], *save = NULL;
	struct sockaddr_storage ss = { 0 };
	uint64_t as;

	if (!(cfg->have & BT_SRV_PEERS) || p->locrib)
		return true;
	if (p->info.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p->info.remote_addr, 16);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p->info.remote_addr, 4);
	}
	snprintf(list, sizeof(list), "%s", cfg->peers);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (bt_decimal(t, UINT32_MAX, &as)) {
			if (as && as == p->op[BMPTAP_DIR_RX].as)
				return true;
		} else if (bt_prefix_str_has(t, &ss)) {
			return true;
		}
	}
	return false;
}

enum sel_cover sel_changes(const struct bt_server_cfg *cfg, const struct bgp_prefix *chg,
			   size_t n, int eor, const struct buf *fchg, int fr_eor)
{
	size_t in = 0, total = n + (eor >= 0) + (fr_eor >= 0), off = 0;
	struct famrib_entry e;

	if (!(cfg->have & BT_SRV_FAMILIES))
		return SEL_ALL;
	for (size_t i = 0; i < n; i++)
		in += sel_fam(cfg, chg[i].fam);
	if (eor >= 0)
		in += sel_fam(cfg, eor);
	while (fchg && famrib_chg_next(fchg, &off, &e)) {
		total++;
		in += sel_fam(cfg, e.fam);
	}
	if (fr_eor >= 0)
		in += sel_fam(cfg, fr_eor);
	/* Nothing changed (a duplicate): nothing the collector must learn. */
	return !total ? SEL_NONE : in == total ? SEL_ALL : in ? SEL_SOME : SEL_NONE;
}

bool sel_take(struct collector *c, struct cpeer *cp, const struct bgp_prefix *chg,
	      size_t n, int eor)
{
	const struct peers *ps = c->feed->peers;
	/* The Loc-RIB instance's changes of the other families are its own. */
	enum sel_cover cov = cp->p->locrib ? sel_changes(&c->cfg, chg, n, eor, &ps->flchg, -1) :
			     sel_changes(&c->cfg, chg, n, eor, &ps->fchg, ps->fr_eor);

	if (cov == SEL_SOME)
		cp->live = false;
	return cov != SEL_NONE;
}

size_t sel_stats(const struct bt_server_cfg *cfg, struct bmp_stat *st, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		bool keep = !st[i].afi;

		for (unsigned f = 0; f < NLRI_FAMILIES && !keep; f++)
			keep = st[i].afi == nlri_family_at(f)->afi &&
			       st[i].safi == nlri_family_at(f)->safi &&
			       (!(cfg->have & BT_SRV_FAMILIES) || cfg->families >> f & 1);
		if (keep)
			st[k++] = st[i];
	}
	return k;
}

/* ---- pacing -------------------------------------------------------------------- */

/*
 * A step may take as many routes as there are messages in the bucket
 * (a route makes at most one message), and waits for PACE_CHUNK of them:
 * one-route steps would put each route in an UPDATE of its own, and the
 * replay would need more messages than unpaced.
 */
#define PACE_CHUNK	64

static int64_t pace_cap(uint32_t rate)
{
	int64_t cap = (int64_t)rate * 1000 / 20;

	return cap < PACE_CHUNK * 1000 ? PACE_CHUNK * 1000 : cap;
}

size_t sel_pace_room(struct sel_pace *pc, uint32_t rate, uint64_t now_ms)
{
	if (!rate)
		return SIZE_MAX;
	if (!pc->last_ms) {
		/* A new session starts with a full bucket. */
		pc->milli = pace_cap(rate);
	} else if (now_ms > pc->last_ms) {
		pc->milli += (int64_t)(now_ms - pc->last_ms) * rate;
		if (pc->milli > pace_cap(rate))
			pc->milli = pace_cap(rate);
	}
	pc->last_ms = now_ms;
	return pc->milli >= PACE_CHUNK * 1000 ? (size_t)(pc->milli / 1000) : 0;
}

void sel_pace_spend(struct sel_pace *pc, uint32_t rate, uint64_t msgs)
{
	if (rate)
		pc->milli -= (int64_t)msgs * 1000;
}

uint64_t sel_pace_wait_ms(const struct sel_pace *pc, uint32_t rate)
{
	int64_t need = PACE_CHUNK * 1000 - pc->milli;

	if (!rate || need <= 0)
		return 1;
	return (uint64_t)((need + rate - 1) / rate);
}

static void pace_timer(void *ctx)
{
	struct collector *c = ctx;

	/* As if the socket became writable: the pump runs again. */
	if (c->state == COLL_UP)
		coll_event(c, EPOLLOUT);
}

void sel_pace_init(struct collector *c)
{
	loop_timer_init(&c->pace_timer, pace_timer, c);
}

bool sel_pace_hold(struct collector *c)
{
	if (c->pace_timer.armed)
		return true;
	if (sel_pace_room(&c->pace, c->cfg.replay_rate, loop_now_ms()))
		return false;
	/* Without a loop (unit tests) the caller pumps again itself. */
	if (c->feed->loop)
		loop_timer_arm(c->feed->loop, &c->pace_timer,
			       sel_pace_wait_ms(&c->pace, c->cfg.replay_rate));
	return true;
}

size_t sel_pace_routes(struct collector *c, size_t n)
{
	size_t room = sel_pace_room(&c->pace, c->cfg.replay_rate, loop_now_ms());

	return n < room ? n : room;
}

void sel_pace_spent(struct collector *c, uint64_t msgs)
{
	sel_pace_spend(&c->pace, c->cfg.replay_rate, msgs);
}

void sel_pace_reset(struct collector *c)
{
	if (c->feed->loop)
		loop_timer_cancel(c->feed->loop, &c->pace_timer);
	memset(&c->pace, 0, sizeof(c->pace));
}

/* ---- connection ------------------------------------------------------------------ */

int sel_socket(const struct bt_server_cfg *cfg, int fd, int family, char *err, size_t errlen)
{
	if (cfg->have & BT_SRV_DSCP) {
		int tos = cfg->dscp << 2;
		int rc = family == AF_INET6 ?
			setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)) :
			setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));

		if (rc)
			return serr(err, errlen, "dscp %u: %s", cfg->dscp, strerror(errno));
	}
	if (cfg->passive || !(cfg->have & BT_SRV_SOURCE))
		return 0;
	struct sockaddr_storage ss = { 0 };
	socklen_t len;

	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		len = sizeof(*s6);
		if (inet_pton(AF_INET6, cfg->source, &s6->sin6_addr) != 1)
			return serr(err, errlen, "source %s is not IPv6", cfg->source);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		len = sizeof(*s4);
		if (inet_pton(AF_INET, cfg->source, &s4->sin_addr) != 1)
			return serr(err, errlen, "source %s is not IPv4", cfg->source);
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		return serr(err, errlen, "bind %s: %s", cfg->source, strerror(errno));
	return 0;
}
