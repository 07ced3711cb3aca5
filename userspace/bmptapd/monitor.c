// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "monitor.h"
#include "loop.h"

static const char *peer_addr(const struct peer *p, char *buf, size_t len)
{
	int af = p->info.family == AF_INET6 ? AF_INET6 : AF_INET;

	if (!p->have_info || !inet_ntop(af, p->info.remote_addr, buf, len))
		snprintf(buf, len, "flow%" PRIu64, p->flow_id);
	return buf;
}

static void on_up(void *ctx, struct peer *p)
{
	struct monitor *m = ctx;
	char a[INET6_ADDRSTRLEN];
	struct in_addr id = { .s_addr = htonl(p->op[BMPTAP_DIR_RX].bgp_id) };
	char ids[INET_ADDRSTRLEN];

	m->inner.up(m->inner.ctx, p);
	if (p->locrib) {
		ctlsrv_eventf(m->ctl, "loc-rib up");
		return;
	}
	inet_ntop(AF_INET, &id, ids, sizeof(ids));
	ctlsrv_eventf(m->ctl, "peer up %s AS%" PRIu32 " id %s flow %" PRIu64,
		       peer_addr(p, a, sizeof(a)), p->op[BMPTAP_DIR_RX].as, ids, p->flow_id);
}

static void on_down(void *ctx, struct peer *p)
{
	struct monitor *m = ctx;
	char a[INET6_ADDRSTRLEN];

	/* Formatted first: the inner sink may be the last to see the peer. */
	peer_addr(p, a, sizeof(a));
	ctlsrv_eventf(m->ctl, "peer down %s AS%" PRIu32 " flow %" PRIu64 " reason %u",
		       a, p->op[BMPTAP_DIR_RX].as, p->flow_id, p->down_reason);
	m->inner.down(m->inner.ctx, p);
}

/* Whether one more route event fits in this second's budget. */
static bool route_budget(struct monitor *m)
{
	uint64_t t = loop_now_ms();

	if (t - m->window_ms >= 1000) {
		if (m->suppressed)
			ctlsrv_eventf(m->ctl, "monitor: %" PRIu64 " route events suppressed",
				       m->suppressed);
		m->window_ms = t;
		m->in_window = 0;
		m->suppressed = 0;
	}
	if (m->in_window >= MONITOR_ROUTES_PER_SEC) {
		m->suppressed++;
		return false;
	}
	m->in_window++;
	return true;
}

static void on_update(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
		      uint64_t ts_ns, const struct bgp_prefix *chg, size_t n, int eor)
{
	struct monitor *m = ctx;
	char a[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN];
	size_t i;

	m->inner.update(m->inner.ctx, p, msg, len, ts_ns, chg, n, eor);
	if (!ctlsrv_monitored(m->ctl))
		return;		/* a full table costs nothing when nobody watches */
	peer_addr(p, a, sizeof(a));
	for (i = 0; i < n && route_budget(m); i++) {
		int af = chg[i].fam == BGP_FAM_IPV6 ? AF_INET6 : AF_INET;

		inet_ntop(af, chg[i].addr, pfx, sizeof(pfx));
		ctlsrv_eventf(m->ctl, "route %s %s/%u peer %s path-id %" PRIu32,
			       rib_lookup(&p->rib, &chg[i]) ? "add" : "del", pfx, chg[i].len, a,
			       chg[i].path_id);
	}
	if (eor >= 0)
		ctlsrv_eventf(m->ctl, "end-of-rib %s peer %s",
			       eor == BGP_FAM_IPV6 ? "ipv6" : "ipv4", a);
}

static void on_message(void *ctx, struct peer *p, const uint8_t *msg, size_t len, uint64_t ts)
{
	struct monitor *m = ctx;

	m->inner.message(m->inner.ctx, p, msg, len, ts);
}

static void on_lost(void *ctx, struct peer *p, uint64_t ts)
{
	struct monitor *m = ctx;
	char a[INET6_ADDRSTRLEN];

	m->inner.lost(m->inner.ctx, p, ts);
	ctlsrv_eventf(m->ctl, "gap peer %s flow %" PRIu64 ": messages lost, RIB incomplete",
		       peer_addr(p, a, sizeof(a)), p->flow_id);
}

static void on_update_out(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
			  uint64_t ts_ns, const struct bgp_prefix *chg, size_t n, int eor)
{
	struct monitor *m = ctx;

	m->inner.update_out(m->inner.ctx, p, msg, len, ts_ns, chg, n, eor);
}

static void on_errored(void *ctx, struct peer *p, const uint8_t *msg, size_t len, uint64_t ts)
{
	struct monitor *m = ctx;
	char a[INET6_ADDRSTRLEN];

	m->inner.errored(m->inner.ctx, p, msg, len, ts);
	ctlsrv_eventf(m->ctl, "errored-pdu peer %s flow %" PRIu64 " bytes %zu",
		       peer_addr(p, a, sizeof(a)), p->flow_id, len);
}

struct peer_sink monitor_sink(struct monitor *m, struct peer_sink inner, struct ctlsrv *ctl)
{
	m->inner = inner;
	m->ctl = ctl;
	m->window_ms = loop_now_ms();
	return (struct peer_sink){
		.ctx = m, .up = on_up, .down = on_down, .update = on_update,
		.message = on_message, .lost = on_lost, .update_out = on_update_out,
		.errored = on_errored,
	};
}
