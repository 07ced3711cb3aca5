// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapd: turns the bmptap module's record stream into BMP (RFC 7854)
 * feeds for any number of collectors.
 *
 * Wiring only; the work is in peer.c (session state, Adj-RIB-In) and
 * collector.c (BMP sessions, replay, coalescing).  Everything mutable lives
 * in one struct daemon.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "nl.h"
#include "peer.h"

#define PROG "bmptapd"
#define POLL_MS		200	/* READ even without a doorbell (lost ones) */
#define REDUMP_MS	5000	/* at most one recovery flow dump per period */
#define SHUTDOWN_WAIT_MS 2000
#define STATUS_MAX	65531

struct daemon {
	struct bt_log log;
	struct loop loop;
	struct bt_nl nl;
	struct peers peers;
	struct feed feed;
	struct monitor monitor;		/* peer events for bmptapctl monitor */
	struct bt_filter_list filters;	/* the peers' post-policy view uses it */
	struct loop_fd ntf_h, rd_h, sig_h;
	struct loop_timer poll_t, status_t;
	int sig_fd;
	unsigned status_interval_ms;
	size_t queue_limit;
	bool read_again;
	bool first_read_done;
	bool stop;
	uint64_t start_ms, last_redump_ms;
	uint64_t records, read_errors;
};

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- netlink ------------------------------------------------------------ */

static int dump_flows(struct daemon *d)
{
	struct bt_flow_list l = { 0 };
	int err = bt_nl_dump_flows(&d->nl, &l);

	if (err) {
		LOG_E(&d->log, "flow dump: %s", bt_nl_error(&d->nl));
		return err;
	}
	for (size_t i = 0; i < l.n; i++)
		peers_learn_flow(&d->peers, &l.v[i], realtime_ns());
	LOG_D(&d->log, "flow dump: %zu flows", l.n);
	bt_flow_list_free(&l);
	d->last_redump_ms = loop_now_ms();
	return 0;
}

/*
 * BGP sessions established before the tap (module loaded, ports changed)
 * are made known to the module now rather than at their next segment,
 * which may be a whole keepalive interval away.
 */
static void discover_flows(struct daemon *d)
{
	struct bt_conn_list l = { 0 };
	struct bt_netns ns;
	size_t adopted = 0;
	int err;

	if (bt_nl_get_netns(&d->nl, &ns)) {
		LOG_E(&d->log, "tap settings: %s", bt_nl_error(&d->nl));
		return;
	}
	err = bt_sockdiag_established(ns.set.ports, ns.set.n_ports, &l);
	if (err)
		LOG_W(&d->log, "sock_diag: %s: established sessions are found at their next "
		      "segment only", strerror(-err));
	for (size_t i = 0; i < l.n; i++) {
		err = bt_nl_new_flow(&d->nl, &l.v[i]);
		if (!err)
			adopted++;
		else if (err != -EEXIST)
			LOG_W(&d->log, "%s", bt_nl_error(&d->nl));
	}
	if (adopted)
		LOG_I(&d->log, "%zu established session(s) found by sock_diag", adopted);
	bt_conn_list_free(&l);
}

static void load_servers(struct daemon *d)
{
	struct bt_server_list l = { 0 };

	if (bt_nl_server_dump(&d->nl, &l)) {
		LOG_E(&d->log, "server config dump: %s", bt_nl_error(&d->nl));
		return;
	}
	LOG_I(&d->log, "%zu BMP server(s) configured", l.n);
	feed_apply(&d->feed, &l);
	bt_server_list_free(&l);
}

static bool filters_equal(const struct bt_filter_list *a, const struct bt_filter_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (memcmp(&a->v[i], &b->v[i], sizeof(a->v[i])))
			return false;
	return true;
}

static void load_filters(struct daemon *d)
{
	struct bt_filter_list l;

	if (bt_nl_filter_dump(&d->nl, &l)) {
		LOG_E(&d->log, "import filter dump: %s", bt_nl_error(&d->nl));
		return;
	}
	/* Config notifications also come for server changes: only a real
	 * filter change costs a recomputation and post-policy replays. */
	if (filters_equal(&l, &d->filters)) {
		bt_filter_list_free(&l);
		return;
	}
	LOG_I(&d->log, "%zu import filter(s) configured", l.n);
	struct bt_filter_list old = d->filters;
	d->filters = l;
	peers_set_filters(&d->peers, &d->filters);
	bt_filter_list_free(&old);
	feed_filters_changed(&d->feed);
}

static int on_record(void *ctx, const struct bt_rec *rec)
{
	struct daemon *d = ctx;

	d->records++;
	return peers_record(&d->peers, rec);
}

static void start_read(struct daemon *d)
{
	if (d->nl.reading) {
		d->read_again = true;	/* records may have come after the dump's cursor */
		return;
	}
	d->read_again = false;
	if (bt_nl_read_start(&d->nl))
		LOG_E(&d->log, "%s", bt_nl_error(&d->nl));
}

static void on_rd(void *ctx, uint32_t events)
{
	struct daemon *d = ctx;
	int r = bt_nl_read_pump(&d->nl, on_record, d);

	(void)events;
	if (r < 0) {
		d->read_errors++;
		LOG_W(&d->log, "%s", bt_nl_error(&d->nl));
	}
	if (r == 0)
		return;		/* more replies to come */
	if (!d->first_read_done && r == 1) {
		d->first_read_done = true;
		peers_first_read_done(&d->peers, realtime_ns());
	}
	if (d->read_again || r < 0)
		start_read(d);
}

static void on_ntf(void *ctx, uint32_t events)
{
	struct daemon *d = ctx;
	unsigned ev = 0;

	(void)events;
	if (bt_nl_ntf_process(&d->nl, &ev) < 0)
		LOG_W(&d->log, "notifications: %s", bt_nl_error(&d->nl));
	if (ev & BT_NL_EV_OVERRUN)
		LOG_W(&d->log, "notifications were lost; re-reading everything");
	if (ev & BT_NL_EV_CONFIG) {
		/* The tapped ports may have changed. */
		discover_flows(d);
		load_filters(d);
		load_servers(d);
	}
	if (ev & BT_NL_EV_DOORBELL)
		start_read(d);
}

static void on_poll(void *ctx)
{
	struct daemon *d = ctx;

	start_read(d);
	/* Lost records may have carried OPENs or FLOW_STARTs; the module
	 * keeps those per flow, so ask it again (rate-limited). */
	if (d->peers.want_flow_dump && loop_now_ms() - d->last_redump_ms >= REDUMP_MS) {
		d->peers.want_flow_dump = false;
		dump_flows(d);
	}
	loop_timer_arm(&d->loop, &d->poll_t, POLL_MS);
}

static void on_signal(void *ctx, uint32_t events)
{
	struct daemon *d = ctx;
	struct signalfd_siginfo si;

	(void)events;
	while (read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		LOG_I(&d->log, "signal %u: shutting down", si.ssi_signo);
		d->stop = true;
	}
}

/* ---- status ------------------------------------------------------------- */

static void fmt_addr(int family, const uint8_t *a, char *out, size_t len)
{
	snprintf(out, len, "?");
	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, out, (socklen_t)len);
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
		bt_json_key(j, "addpath_rx");
		bt_json_arr_open(j);
		if (p->sess.rx.addpath[BGP_FAM_IPV4])
			bt_json_str(j, "ipv4_unicast");
		if (p->sess.rx.addpath[BGP_FAM_IPV6])
			bt_json_str(j, "ipv6_unicast");
		bt_json_arr_close(j);
	}
	bt_json_kv_bool(j, "incomplete", p->incomplete);
	bt_json_key(j, "prefixes");
	bt_json_obj_open(j);
	bt_json_kv_u64(j, "ipv4_unicast", rib_count(&p->rib, BGP_FAM_IPV4));
	bt_json_kv_u64(j, "ipv6_unicast", rib_count(&p->rib, BGP_FAM_IPV6));
	bt_json_obj_close(j);
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
	bt_json_kv_u64(j, "ignored", p->cnt.ignored);
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

/* The status blob, with at most max_peers peers; malloc'd. */
static char *status_json(struct daemon *d, size_t max_peers, size_t *len)
{
	char *s = NULL;
	FILE *f = open_memstream(&s, len);
	struct bt_json j;
	uint64_t now = loop_now_ms();
	size_t n = 0;

	if (!f)
		return NULL;
	bt_json_init(&j, f);
	bt_json_obj_open(&j);
	bt_json_kv_str(&j, "daemon", PROG " " BMPTAP_VERSION);
	bt_json_kv_u64(&j, "pid", (uint64_t)getpid());
	bt_json_kv_u64(&j, "uptime_s", (now - d->start_ms) / 1000u);
	bt_json_kv_u64(&j, "records", d->records);
	bt_json_kv_u64(&j, "record_holes", d->peers.holes);
	bt_json_kv_u64(&j, "read_errors", d->read_errors);
	bt_json_kv_u64(&j, "attribute_sets", d->peers.attrs.count);
	bt_json_key(&j, "servers");
	feed_status_json(&d->feed, &j);
	if (d->peers.locrib) {
		bt_json_key(&j, "loc_rib");
		bt_json_obj_open(&j);
		bt_json_kv_u64(&j, "ipv4_unicast", rib_count(&d->peers.locrib->rib, BGP_FAM_IPV4));
		bt_json_kv_u64(&j, "ipv6_unicast", rib_count(&d->peers.locrib->rib, BGP_FAM_IPV6));
		bt_json_obj_close(&j);
	}
	bt_json_kv_u64(&j, "import_filters", d->filters.n);
	bt_json_kv_u64(&j, "peer_count", d->peers.count);
	bt_json_key(&j, "peers");
	bt_json_arr_open(&j);
	for (struct peer *p = d->peers.head; p && n < max_peers; p = p->next, n++)
		peer_json(p, &j, now);
	bt_json_arr_close(&j);
	if (n < d->peers.count)
		bt_json_kv_bool(&j, "peers_truncated", true);
	bt_json_obj_close(&j);
	fputc('\n', f);
	fclose(f);
	return s;
}

static void publish_status(struct daemon *d)
{
	size_t len = 0, max = SIZE_MAX;
	char *s = status_json(d, max, &len);

	/* Too big for the kernel's blob: fewer peers, until it fits. */
	while (s && len > STATUS_MAX) {
		size_t shown = max == SIZE_MAX ? d->peers.count : max;

		free(s);
		max = shown / 2;
		s = status_json(d, max, &len);
	}
	if (s && bt_nl_set_status(&d->nl, s, len))
		LOG_D(&d->log, "status: %s", bt_nl_error(&d->nl));
	free(s);
}

static void on_status(void *ctx)
{
	struct daemon *d = ctx;

	publish_status(d);
	loop_timer_arm(&d->loop, &d->status_t, d->status_interval_ms);
}

/* ---- main ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [-n] [-s] [-v|-q]... [--status-interval SECONDS]\n"
		"               [--queue-limit BYTES]\n"
		"  -n                 stay in the foreground (the default; for systemd)\n"
		"  -s                 log to syslog instead of stderr\n"
		"  -v, -q             more / less logging (default: info)\n"
		"  --status-interval  seconds between status publications (default 1)\n"
		"  --queue-limit      per-collector output bound in bytes (default %u);\n"
		"                     beyond it route changes are coalesced\n"
		"BMP servers are configured with `bmptapctl server add ...`.\n",
		FEED_DEFAULT_LIMIT);
}

static int setup_signals(struct daemon *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig_fd < 0)
		return -errno;
	return loop_fd_add(&d->loop, &d->sig_h, d->sig_fd, EPOLLIN, on_signal, d);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status-interval", required_argument, NULL, 'S' },
		{ "queue-limit", required_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon *d = calloc(1, sizeof(*d));
	int level = BT_LOG_INFO, o, rc = 1;
	bool use_syslog = false;

	if (!d)
		return 1;
	d->status_interval_ms = 1000;
	d->sig_fd = -1;
	while ((o = getopt_long(argc, argv, "nsvqh", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			break;
		case 's':
			use_syslog = true;
			break;
		case 'v':
			level++;
			break;
		case 'q':
			level--;
			break;
		case 'S': {
			double v = atof(optarg);

			if (v < 0.1 || v > 3600) {
				fprintf(stderr, PROG ": --status-interval: 0.1..3600 seconds\n");
				return 2;
			}
			d->status_interval_ms = (unsigned)(v * 1000);
			break;
		}
		case 'Q': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 0);

			if (*end || v < 65536) {
				fprintf(stderr, PROG ": --queue-limit: at least 65536 bytes\n");
				return 2;
			}
			d->queue_limit = (size_t)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	bt_log_init(&d->log, PROG, level, use_syslog);
	d->start_ms = loop_now_ms();

	if (loop_init(&d->loop)) {
		LOG_E(&d->log, "epoll: %s", strerror(errno));
		goto out;
	}
	if (bt_nl_open(&d->nl)) {
		LOG_E(&d->log, "%s", bt_nl_error(&d->nl));
		goto out;
	}
	if (feed_init(&d->feed, &d->loop, &d->log, &d->peers, d->queue_limit) ||
	    peers_init(&d->peers, &(struct peer_sink){ 0 }, &d->log)) {
		LOG_E(&d->log, "out of memory");
		goto out;
	}
	d->peers.sink = monitor_sink(&d->monitor, feed_sink(&d->feed), &d->nl);
	if (setup_signals(d)) {
		LOG_E(&d->log, "signals: %s", strerror(errno));
		goto out;
	}
	if (bt_nl_join(&d->nl, BT_NL_GRP_EVENTS | BT_NL_GRP_CONFIG) ||
	    loop_fd_add(&d->loop, &d->ntf_h, bt_nl_ntf_fd(&d->nl), EPOLLIN, on_ntf, d)) {
		LOG_E(&d->log, "joining the notification groups: %s", bt_nl_error(&d->nl));
		goto out;
	}
	/* Joined first, so no doorbell or config change falls between the
	 * dumps below and the first READ. */
	load_filters(d);
	discover_flows(d);
	if (dump_flows(d))
		goto out;
	load_servers(d);
	int rfd = bt_nl_read_fd(&d->nl);
	if (rfd < 0 || loop_fd_add(&d->loop, &d->rd_h, rfd, EPOLLIN, on_rd, d)) {
		LOG_E(&d->log, "read socket: %s", bt_nl_error(&d->nl));
		goto out;
	}
	start_read(d);
	loop_timer_init(&d->poll_t, on_poll, d);
	loop_timer_init(&d->status_t, on_status, d);
	loop_timer_arm(&d->loop, &d->poll_t, POLL_MS);
	loop_timer_arm(&d->loop, &d->status_t, 0);
	LOG_I(&d->log, "running: %u peer(s) known at start", d->peers.count);

	while (!d->stop) {
		int err = loop_run_once(&d->loop, -1);

		if (err) {
			LOG_E(&d->log, "epoll: %s", strerror(-err));
			goto out;
		}
	}
	rc = 0;
	if (!feed_shutdown(&d->feed, BMP_TERM_ADMIN_CLOSE, SHUTDOWN_WAIT_MS))
		LOG_W(&d->log, "some collectors did not take their Termination in time");
	publish_status(d);
out:
	feed_free(&d->feed);
	peers_free(&d->peers);
	bt_filter_list_free(&d->filters);
	bt_nl_close(&d->nl);
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	loop_free(&d->loop);
	LOG_I(&d->log, "exiting (%d)", rc);
	bt_log_close(&d->log);
	free(d);
	return rc;
}
