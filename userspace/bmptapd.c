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
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "ckptctl.h"
#include "cli.h"
#include "collector.h"
#include "ctlsrv.h"
#include "httpd.h"
#include "json.h"
#include "kroute.h"
#include "locrib.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "monitor.h"
#include "nl.h"
#include "peer.h"
#include "privdrop.h"
#include "refresh.h"
#include "status.h"
#include "tls.h"

#define PROG "bmptapd"
#define POLL_MS		200	/* READ even without a doorbell (lost ones) */
#define REDUMP_MS	5000	/* at most one recovery flow dump per period */
#define SHUTDOWN_WAIT_MS 2000
#define TICK_MS		1000	/* housekeeping */
#define RECORDS_WAIT_MS	10	/* --records: polling the collectors' sessions */

/*
 * --records FILE: a recorded record stream (struct bmptap_rec back to back,
 * as in a READ reply; bgp-speaker -W writes one) instead of the module.
 */
struct records_in {
	const char *path;
	int fd;
	uint8_t *buf;			/* BMPTAP_READ_BUFSIZE: one READ reply's worth */
	size_t fill;
	bool eof;
	uint64_t seq;			/* carried from slice to slice, as from reply to reply */
	uint64_t bytes;
	double wall0, cpu0;
	struct loop_timer t;		/* waiting for the collectors */
	/* epoll has no readiness for a regular file: an eventfd that stays
	 * readable gets one slice read per loop turn, between socket events. */
	int efd;
	struct loop_fd efd_h;
};

struct daemon {
	struct bt_log log;
	struct loop loop;
	struct bt_nl nl;
	struct peers peers;
	struct feed feed;
	struct monitor monitor;		/* peer events for bmptapctl monitor */
	struct ctlsrv ctl;		/* bmptapctl's control socket */
	struct bt_filter_list filters;	/* the peers' post-policy view uses it */
	struct kroute kr;		/* the daemon's installed routes (Loc-RIB) */
	bool kr_on;			/* the Loc-RIB's kernel source is in effect */
	uint32_t kr_unjoined_logged;
	struct loop_fd ntf_h, rd_h, sig_h, kr_h;
	struct loop_timer poll_t, tick_t, ckpt_t;
	struct ckpt_ctl ckpt;
	int sig_fd;
	size_t queue_limit;
	unsigned listen_max, listen_per_source, stall_s;	/* the feed's */
	bool read_again;
	bool first_read_done;
	bool stop;
	uint64_t start_ms, last_redump_ms;
	uint64_t records, read_errors;
	struct records_in rin;
	struct httpd http;		/* --metrics */
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
	if (l.refused)
		LOG_W(&d->log, "import filters: %zu malformed entr%s from the module ignored",
		      l.refused, l.refused == 1 ? "y" : "ies");
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

	if (!ckpt_ctl_record(&d->ckpt, rec))
		return 0;
	d->records++;
	return peers_record(&d->peers, rec);
}

/* ---- recorded record stream ----------------------------------------------- */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The records are fed once every active collector is up, so that they see
 * the stream live rather than as a table replay. */
static bool collectors_up(const struct daemon *d)
{
	for (const struct collector *c = d->feed.head; c; c = c->next)
		if (!c->cfg.passive && !c->accepted && c->state != COLL_UP)
			return false;
	return true;
}

/* Bytes of whole records at the start of b; the parser judges the rest. */
static size_t whole_records(const uint8_t *b, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(struct bmptap_rec)) {
		struct bmptap_rec h;
		size_t step;

		memcpy(&h, b + off, sizeof(h));
		step = ((size_t)h.len + 7) & ~(size_t)7;
		if (h.len < sizeof(h) || step > len - off)
			break;
		off += step;
	}
	return off;
}

static void records_finish(struct daemon *d)
{
	struct records_in *ri = &d->rin;
	uint64_t ann = 0;
	double wall = clock_s(CLOCK_MONOTONIC) - ri->wall0;
	double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - ri->cpu0;

	for (const struct peer *p = d->peers.head; p; p = p->next)
		ann += p->cnt.announced;
	loop_fd_del(&d->loop, &ri->efd_h);
	close(ri->efd);
	ri->efd = -1;
	close(ri->fd);
	ri->fd = -1;
	free(ri->buf);
	ri->buf = NULL;
	LOG_I(&d->log, "records: %s consumed: %" PRIu64 " records, %" PRIu64 " bytes, %" PRIu64
	      " routes announced, %.3f s wall, %.3f s CPU", ri->path, d->records, ri->bytes, ann,
	      wall, cpu);
}

/* One slice of at most a READ reply per loop turn: the collectors' sockets
 * are served in between, as with the module. */
static void on_records(void *ctx, uint32_t events)
{
	struct daemon *d = ctx;
	struct records_in *ri = &d->rin;
	size_t n;
	int r;

	(void)events;
	while (!ri->eof && ri->fill < BMPTAP_READ_BUFSIZE) {
		ssize_t got = read(ri->fd, ri->buf + ri->fill, BMPTAP_READ_BUFSIZE - ri->fill);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			LOG_E(&d->log, "records: %s: %s", ri->path, strerror(errno));
			d->read_errors++;
		}
		if (got <= 0)
			ri->eof = true;
		else
			ri->fill += (size_t)got;
	}
	/* At the end of the file the parser sees everything, a torn or
	 * unpadded last record included. */
	n = ri->eof ? ri->fill : whole_records(ri->buf, ri->fill);
	if (!n)
		n = ri->fill;	/* a record larger than a READ reply: malformed */
	feed_batch_begin(&d->feed);
	r = bt_records_parse(ri->buf, n, &ri->seq, on_record, d);
	ri->bytes += n;
	if (r < 0) {
		struct bt_rec m = { .kind = BT_RK_MALFORMED, .error = r };

		/* The framing is lost: the rest of the file is unusable. */
		LOG_E(&d->log, "records: %s: %s after %" PRIu64 " bytes", ri->path,
		      bt_rec_strerror(r), ri->bytes);
		d->read_errors++;
		on_record(d, &m);
		feed_batch_end(&d->feed);
		records_finish(d);
		return;
	}
	feed_batch_end(&d->feed);
	memmove(ri->buf, ri->buf + n, ri->fill - n);
	ri->fill -= n;
	if (ri->eof && !ri->fill)
		records_finish(d);
}

static void on_records_wait(void *ctx)
{
	struct daemon *d = ctx;
	struct records_in *ri = &d->rin;

	if (!collectors_up(d)) {
		loop_timer_arm(&d->loop, &ri->t, RECORDS_WAIT_MS);
		return;
	}
	ri->efd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ri->efd < 0 || loop_fd_add(&d->loop, &ri->efd_h, ri->efd, EPOLLIN, on_records, d)) {
		LOG_E(&d->log, "records: eventfd: %s", strerror(errno));
		d->stop = true;
		return;
	}
	ri->wall0 = clock_s(CLOCK_MONOTONIC);
	ri->cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	LOG_I(&d->log, "records: reading %s", ri->path);
}

static int records_open(struct daemon *d)
{
	struct records_in *ri = &d->rin;

	ri->fd = open(ri->path, O_RDONLY | O_CLOEXEC);
	if (ri->fd < 0) {
		LOG_E(&d->log, "records: %s: %s", ri->path, strerror(errno));
		return -1;
	}
	ri->buf = malloc(BMPTAP_READ_BUFSIZE);
	if (!ri->buf) {
		LOG_E(&d->log, "out of memory");
		return -1;
	}
	ri->seq = BT_SEQ_UNKNOWN;
	loop_timer_init(&ri->t, on_records_wait, d);
	loop_timer_arm(&d->loop, &ri->t, 0);
	return 0;
}

/* --server 'ADDRESS [port N] ...': the words of `bmptapctl server add`. */
static int parse_server(const char *spec, struct bt_server_list *l)
{
	char *copy = strdup(spec), *save = NULL, *w;
	char *argv[64] = { PROG, "server", "add" }, err[BT_CLI_ERRLEN];
	int argc = 3, rc = -1;
	struct bt_cli_req req;

	if (!copy)
		return -1;
	for (w = strtok_r(copy, " \t", &save); w && argc < 64; w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	if (w || bt_cli_parse(argc, argv, &req, err, sizeof(err)) ||
	    bt_tls_cfg_check(&req.server, err, sizeof(err))) {
		fprintf(stderr, PROG ": --server: %s\n", w ? "too many words" : err);
		goto out;
	}
	if (bt_server_list_add(l, &req.server))
		goto out;
	rc = 0;
out:
	free(copy);
	return rc;
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

/* Processed (and, with checkpoints, in one): the module may free them; a
 * restart reads the rest again. */
static void ack_records(struct daemon *d)
{
	if (bt_nl_ack(&d->nl, ckpt_ctl_ack_seq(&d->ckpt, bt_nl_read_seq(&d->nl))))
		LOG_W(&d->log, "%s", bt_nl_error(&d->nl));
}

static void on_ckpt(void *ctx)
{
	struct daemon *d = ctx;

	ckpt_ctl_save(&d->ckpt, &d->peers);
	ack_records(d);
	loop_timer_arm(&d->loop, &d->ckpt_t, d->ckpt.interval_s * 1000u);
}

/* Before the flow dump: restored peers are then known to it. */
static int start_checkpoints(struct daemon *d)
{
	struct bt_netns ns;

	if (bt_nl_get_netns(&d->nl, &ns)) {
		LOG_E(&d->log, "%s", bt_nl_error(&d->nl));
		return -1;
	}
	ckpt_ctl_start(&d->ckpt, &d->peers, ns.queue_epoch, ns.acked_seq, ns.set.queue_bytes);
	if (d->ckpt.path) {
		loop_timer_init(&d->ckpt_t, on_ckpt, d);
		loop_timer_arm(&d->loop, &d->ckpt_t, d->ckpt.interval_s * 1000u);
	}
	return 0;
}

static void on_rd(void *ctx, uint32_t events)
{
	struct daemon *d = ctx;
	int r;

	(void)events;
	feed_batch_begin(&d->feed);
	r = bt_nl_read_pump(&d->nl, on_record, d);
	feed_batch_end(&d->feed);
	if (ckpt_ctl_due(&d->ckpt))
		ckpt_ctl_save(&d->ckpt, &d->peers);
	ack_records(d);
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

/* ---- installed routes (Loc-RIB) -------------------------------------------- */

static void on_kroute_changed(void *ctx, const struct bgp_prefix *pfx)
{
	struct daemon *d = ctx;

	if (!d->kr_on && locrib_kernel(&d->peers)) {
		/* auto: the daemon installs routes; every entry changes source. */
		d->kr_on = true;
		LOG_I(&d->log, "Loc-RIB: taken from the routes the daemon installs");
		peers_locrib_refresh(&d->peers, NULL);
		return;
	}
	peers_locrib_refresh(&d->peers, pfx);
}

static void on_kroute(void *ctx, uint32_t events)
{
	struct daemon *d = ctx;
	int err = kroute_process(&d->kr);

	(void)events;
	if (err)
		LOG_W(&d->log, "rtnetlink: %s", strerror(-err));
}

/* ---- status ------------------------------------------------------------- */

static void render_status(void *ctx, unsigned parts, FILE *f)
{
	struct daemon *d = ctx;
	struct status_src src = {
		.feed = &d->feed, .peers = &d->peers, .ctl = &d->ctl,
		.import_filters = d->filters.n,
		.uptime_s = (loop_now_ms() - d->start_ms) / 1000u,
		.records = d->records, .read_errors = d->read_errors,
		.ckpt = &d->ckpt,
	};

	status_render(&src, parts, f);
}

static void on_tick(void *ctx)
{
	struct daemon *d = ctx;

	/* Installed routes the Loc-RIB cannot report: said, not just counted.
	 * (Right after an installation the UPDATE may still be queued.) */
	if (d->peers.kroutes && d->kr.unjoined != d->kr_unjoined_logged) {
		if (d->kr.unjoined)
			LOG_W(&d->log, "Loc-RIB: %u installed route(s) match no Adj-RIB-In path",
			      d->kr.unjoined);
		d->kr_unjoined_logged = d->kr.unjoined;
	}
	loop_timer_arm(&d->loop, &d->tick_t, TICK_MS);
}

/* ---- metrics ---------------------------------------------------------- */

static void render_metrics(void *ctx, struct buf *out)
{
	struct daemon *d = ctx;
	struct bt_netns ns;
	struct metrics_src s = {
		.feed = &d->feed, .peers = &d->peers, .http = &d->http,
		.records = d->records, .read_errors = d->read_errors, .ckpt = &d->ckpt,
	};

	/* The module's counters are read per scrape, as bmptapctl does. */
	if (!d->rin.path) {
		if (!bt_nl_get_netns(&d->nl, &ns))
			s.module = &ns;
		else
			LOG_D(&d->log, "metrics: %s", bt_nl_error(&d->nl));
	}
	metrics_render(&s, out);
}

static int start_metrics(struct daemon *d, const char *spec)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[160];
	int r;

	if (httpd_parse_addr(spec, &ss, &len, err, sizeof(err))) {
		LOG_E(&d->log, "--metrics %s", err);
		return -1;
	}
	r = httpd_open(&d->http, &d->loop, (struct sockaddr *)&ss, len, "/metrics",
		       METRICS_CONTENT_TYPE, render_metrics, d);
	if (r) {
		LOG_E(&d->log, "--metrics %s: %s", spec, strerror(-r));
		return -1;
	}
	LOG_I(&d->log, "metrics on http://%s/metrics", spec);
	return 0;
}

/* ---- main ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [-n] [-s] [-v|-q]... [--control-socket PATH]\n"
		"               [--control-group GROUP] [--queue-limit BYTES]\n"
		"               [--loc-rib-source auto|kernel|decision]\n"
		"               [--route-protocols LIST] [--metrics ADDRESS:PORT] [--user NAME]\n"
		"               [--listen-max N] [--listen-max-per-source N]\n"
		"               [--collector-stall-timeout SECONDS]\n"
		"               [--checkpoint PATH|auto] [--checkpoint-interval SECONDS]\n"
		"       " PROG " --records FILE --server 'ADDRESS [port N] [...]'...\n"
		"               [-s] [-v|-q]... [--queue-limit BYTES] [--metrics ADDRESS:PORT]\n"
		"  -n                 stay in the foreground (the default; for systemd)\n"
		"  -s                 log to syslog instead of stderr\n"
		"  -v, -q             more / less logging (default: info)\n"
		"  --version          print the version and exit\n"
		"  --control-socket PATH  bmptapctl's socket (default " CTL_DIR "/NETNS.sock,\n"
		"                     NETNS: this namespace's `ip netns` name or default;\n"
		"                     with --records: none unless given)\n"
		"  --control-group GROUP  the socket's group, mode 0660 (default " CTL_GROUP_DEFAULT
		" if it\n"
		"                     exists)\n"
		"  --queue-limit      per-collector output bound in bytes (default %u);\n"
		"                     beyond it route changes are coalesced\n"
		"  --listen-max N     sessions per passive listener (default %u)\n"
		"  --listen-max-per-source N\n"
		"                     of them from one source address (default %u)\n"
		"  --collector-stall-timeout SECONDS\n"
		"                     a collector that takes no byte of queued output\n"
		"                     for this long is disconnected (default %u)\n"
		"  --records FILE     replay/diagnostics: read a recorded record stream\n"
		"                     instead of the module (no netlink), then keep serving\n"
		"  --server '...'     with --records: one BMP server, in the words of\n"
		"                     `bmptapctl server add` (repeatable)\n"
		"  --loc-rib-source   where the Loc-RIB comes from: the routes the daemon\n"
		"                     installs (kernel), the RFC 4271 decision process\n"
		"                     (decision), or kernel once one is seen (auto, default)\n"
		"  --route-protocols  rtm_protocol ids (or bird, bgp, zebra) of the daemon's\n"
		"                     installed routes (default bird,bgp = 12,186)\n"
		"  --metrics A:P      Prometheus metrics on http://A:P/metrics\n"
		"                     (IPv4 A.B.C.D:PORT or [IPv6]:PORT)\n"
		"  --user NAME        started as root: run as NAME, keeping only\n"
		"                     CAP_NET_ADMIN\n"
		"  --peer-memory-max BYTES  RIB memory budget of one peer (default %lluM;\n"
		"                     suffix K, M, G; 0: none): routes beyond it are not\n"
		"                     stored, the peer is incomplete, collectors are told\n"
		"  --memory-max BYTES total RIB memory budget (default %lluM; 0: none)\n"
		"  --checkpoint PATH  keep the peers' state in PATH (auto: /var/lib/bmptap/\n"
		"                     NETNS.ckpt): a restart goes on from it, and the module\n"
		"                     frees records only once a checkpoint covers them\n"
		"  --checkpoint-interval SECONDS\n"
		"                     between checkpoints (default %u; also on SIGTERM and\n"
		"                     when half the module's queue bound is unacknowledged)\n"
		"BMP servers are configured with `bmptapctl server add ...`.\n",
		FEED_DEFAULT_LIMIT, FEED_DEFAULT_LISTEN_MAX, FEED_DEFAULT_LISTEN_PER_SOURCE,
		FEED_DEFAULT_STALL_MS / 1000, PEER_MEM_MAX_DEFAULT >> 20, MEM_MAX_DEFAULT >> 20,
		CKPT_INTERVAL_DEFAULT_S);
}

/* BYTES with an optional binary K, M or G suffix; false when malformed or
 * past 2^62 (the budgets' arithmetic stays far from wrapping). */
static bool parse_bytes(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || v > (1ull << 62) >> shift)
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

/* A whole number in [min, max] for option --name, or a one-line error. */
static bool opt_uint(const char *name, const char *v, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long x = strtoul(v, &end, 10);

	if (!*v || *end || x < min || x > max) {
		fprintf(stderr, PROG ": --%s: %u..%u\n", name, min, max);
		return false;
	}
	*out = (unsigned)x;
	return true;
}

static int setup_signals(struct daemon *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* No configuration file to reload: a hangup (the terminal, or an
	 * operator's reflex) ends the daemon cleanly rather than by default
	 * action, which would send no Termination. */
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig_fd < 0)
		return -errno;
	return loop_fd_add(&d->loop, &d->sig_h, d->sig_fd, EPOLLIN, on_signal, d);
}

/* The module as the record source: notifications, dumps, READ. */
static int start_netlink(struct daemon *d)
{
	if (bt_nl_open(&d->nl)) {
		LOG_E(&d->log, "%s", bt_nl_error(&d->nl));
		return -1;
	}
	if (bt_nl_join(&d->nl, BT_NL_GRP_EVENTS | BT_NL_GRP_CONFIG) ||
	    loop_fd_add(&d->loop, &d->ntf_h, bt_nl_ntf_fd(&d->nl), EPOLLIN, on_ntf, d)) {
		LOG_E(&d->log, "joining the notification groups: %s", bt_nl_error(&d->nl));
		return -1;
	}
	if (start_checkpoints(d))
		return -1;
	/* Joined first, so no doorbell or config change falls between the
	 * dumps below and the first READ. */
	load_filters(d);
	discover_flows(d);
	if (dump_flows(d))
		return -1;
	load_servers(d);
	int rfd = bt_nl_read_fd(&d->nl);
	if (rfd < 0 || loop_fd_add(&d->loop, &d->rd_h, rfd, EPOLLIN, on_rd, d)) {
		LOG_E(&d->log, "read socket: %s", bt_nl_error(&d->nl));
		return -1;
	}
	start_read(d);
	loop_timer_init(&d->poll_t, on_poll, d);
	loop_timer_init(&d->tick_t, on_tick, d);
	loop_timer_arm(&d->loop, &d->poll_t, POLL_MS);
	loop_timer_arm(&d->loop, &d->tick_t, 0);
	return 0;
}

/* --records: the file as the record source, the servers from --server. */
static int start_records(struct daemon *d, const struct bt_server_list *servers)
{
	feed_apply(&d->feed, servers);
	return records_open(d);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "control-socket", required_argument, NULL, 'C' },
		{ "control-group", required_argument, NULL, 'G' },
		{ "queue-limit", required_argument, NULL, 'Q' },
		{ "records", required_argument, NULL, 'R' },
		{ "server", required_argument, NULL, 'B' },
		{ "loc-rib-source", required_argument, NULL, 'L' },
		{ "route-protocols", required_argument, NULL, 'P' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "user", required_argument, NULL, 'U' },
		{ "peer-memory-max", required_argument, NULL, 'm' },
		{ "memory-max", required_argument, NULL, 'T' },
		{ "listen-max", required_argument, NULL, 'X' },
		{ "listen-max-per-source", required_argument, NULL, 'Y' },
		{ "collector-stall-timeout", required_argument, NULL, 'W' },
		{ "checkpoint", required_argument, NULL, 'K' },
		{ "checkpoint-interval", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon *d = calloc(1, sizeof(*d));
	int level = BT_LOG_INFO, o, rc = 1, locrib_src = LOCRIB_SRC_AUTO, n_protos = 2;
	uint8_t protos[KR_MAX_PROTO] = { 12, 186 };
	bool use_syslog = false;
	const char *metrics = NULL;
	const char *user = NULL;
	const char *ctl_path = NULL, *ctl_group = NULL;
	char ctl_default[108];
	struct bt_server_list servers = { 0 };
	uint64_t peer_mem_max = PEER_MEM_MAX_DEFAULT, mem_max = MEM_MAX_DEFAULT;
	char ckpt_auto[512];

	if (!d)
		return 1;
	d->ctl.fd = -1;
	d->listen_max = FEED_DEFAULT_LISTEN_MAX;
	d->listen_per_source = FEED_DEFAULT_LISTEN_PER_SOURCE;
	d->stall_s = FEED_DEFAULT_STALL_MS / 1000;
	d->ckpt.interval_s = CKPT_INTERVAL_DEFAULT_S;
	d->ckpt.log = &d->log;
	d->sig_fd = -1;
	d->rin.fd = -1;
	d->rin.efd = -1;
	d->kr.fd = -1;
	d->http.fd = -1;
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
		case 'C':
			ctl_path = optarg;
			break;
		case 'G':
			ctl_group = optarg;
			break;
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
		case 'R':
			d->rin.path = optarg;
			break;
		case 'B':
			if (parse_server(optarg, &servers))
				return 2;
			break;
		case 'L':
			if (!strcmp(optarg, "auto")) {
				locrib_src = LOCRIB_SRC_AUTO;
			} else if (!strcmp(optarg, "kernel")) {
				locrib_src = LOCRIB_SRC_KERNEL;
			} else if (!strcmp(optarg, "decision")) {
				locrib_src = LOCRIB_SRC_DECISION;
			} else {
				fprintf(stderr, PROG ": --loc-rib-source: auto, kernel or decision\n");
				return 2;
			}
			break;
		case 'P':
			n_protos = kroute_protos_parse(optarg, protos, KR_MAX_PROTO);
			if (n_protos < 0) {
				fprintf(stderr, PROG ": --route-protocols: ids 1..255 or bird, bgp, "
					"zebra, comma-separated\n");
				return 2;
			}
			break;
		case 'M':
			metrics = optarg;
			break;
		case 'U':
			user = optarg;
			break;
		case 'm':
		case 'T':
			if (!parse_bytes(optarg, o == 'm' ? &peer_mem_max : &mem_max)) {
				fprintf(stderr, PROG ": --%s: BYTES, with K, M or G\n",
					o == 'm' ? "peer-memory-max" : "memory-max");
				return 2;
			}
			break;
		case 'X':
			if (!opt_uint("listen-max", optarg, 1, 4096, &d->listen_max))
				return 2;
			break;
		case 'Y':
			if (!opt_uint("listen-max-per-source", optarg, 1, 4096, &d->listen_per_source))
				return 2;
			break;
		case 'W':
			if (!opt_uint("collector-stall-timeout", optarg, 1, 86400, &d->stall_s))
				return 2;
			break;
		case 'K':
			if (!strcmp(optarg, "auto")) {
				ckpt_default_path(ckpt_auto, sizeof(ckpt_auto));
				d->ckpt.path = ckpt_auto;
			} else {
				d->ckpt.path = optarg;
			}
			break;
		case 'I':
			if (!opt_uint("checkpoint-interval", optarg, 1, 86400, &d->ckpt.interval_s))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			puts(PROG " " BMPTAP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (servers.n && !d->rin.path) || (d->rin.path && d->ckpt.path) ||
	    (d->rin.path && locrib_src == LOCRIB_SRC_KERNEL)) {
		usage(stderr);
		return 2;
	}
	/* Bound before privileges are dropped: CTL_DIR is root's. */
	if (!ctl_path && !d->rin.path) {
		ctl_default_path(ctl_default, sizeof(ctl_default));
		ctl_path = ctl_default;
	}
	if (ctl_path) {
		char err[256];

		if (ctlsrv_open(&d->ctl, ctl_path, ctl_group ? ctl_group : CTL_GROUP_DEFAULT,
				err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			free(d);
			return 1;
		}
	}
	/* First: nothing below needs more than CAP_NET_ADMIN, and running it
	 * all unprivileged is what the systemd unit does too. */
	if (user) {
		char err[160];

		if (priv_drop(user, err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			ctlsrv_close(&d->ctl);
			free(d);
			return 1;
		}
	}
	bt_log_init(&d->log, PROG, level, use_syslog);
	d->start_ms = loop_now_ms();

	if (loop_init(&d->loop)) {
		LOG_E(&d->log, "epoll: %s", strerror(errno));
		goto out;
	}
	if (feed_init(&d->feed, &d->loop, &d->log, &d->peers, d->queue_limit) ||
	    peers_init(&d->peers, &(struct peer_sink){ 0 }, &d->log)) {
		LOG_E(&d->log, "out of memory");
		goto out;
	}
	d->peers.sink = monitor_sink(&d->monitor, feed_sink(&d->feed), &d->ctl);
	peers_set_budgets(&d->peers, peer_mem_max, mem_max);
	d->feed.listen_max = d->listen_max;
	d->feed.listen_max_per_source = d->listen_per_source;
	d->feed.stall_ms = d->stall_s * 1000u;
	/* A recorded stream has no namespace whose installed routes it saw. */
	if (d->rin.path)
		locrib_src = LOCRIB_SRC_DECISION;
	d->peers.locrib_src = locrib_src;
	if (locrib_src != LOCRIB_SRC_DECISION) {
		int err = kroute_init(&d->kr, protos, (unsigned)n_protos, on_kroute_changed, d);

		if (!err)
			err = kroute_open(&d->kr);
		if (!err)
			err = loop_fd_add(&d->loop, &d->kr_h, d->kr.fd, EPOLLIN, on_kroute, d);
		if (err && locrib_src == LOCRIB_SRC_KERNEL) {
			LOG_E(&d->log, "rtnetlink (installed routes for the Loc-RIB): %s",
			      strerror(-err));
			goto out;
		}
		if (err) {
			LOG_W(&d->log, "rtnetlink: %s: the Loc-RIB comes from the decision process",
			      strerror(-err));
			kroute_free(&d->kr);
		} else {
			d->peers.kroutes = &d->kr;
		}
	}
	if (setup_signals(d)) {
		LOG_E(&d->log, "signals: %s", strerror(errno));
		goto out;
	}
	if (metrics && start_metrics(d, metrics))
		goto out;
	if (d->ctl.fd >= 0) {
		int err = ctlsrv_start(&d->ctl, &d->loop, &d->log, render_status, d);

		if (err) {
			LOG_E(&d->log, "control socket: %s", strerror(-err));
			goto out;
		}
		LOG_I(&d->log, "control socket %s", d->ctl.path);
	}
	if (d->rin.path ? start_records(d, &servers) : start_netlink(d))
		goto out;
	LOG_I(&d->log, "running: %u peer(s) known at start", d->peers.count);

	while (!d->stop) {
		int err = loop_run_once(&d->loop, -1);

		if (err) {
			LOG_E(&d->log, "epoll: %s", strerror(-err));
			goto out;
		}
	}
	rc = 0;
	/* First: whatever the collectors do, the next start goes on from here. */
	if (!d->rin.path) {
		ckpt_ctl_save(&d->ckpt, &d->peers);
		ack_records(d);
	}
	if (!feed_shutdown(&d->feed, BMP_TERM_ADMIN_CLOSE, SHUTDOWN_WAIT_MS))
		LOG_W(&d->log, "some collectors did not take their Termination in time");
out:
	ctlsrv_close(&d->ctl);
	bt_server_list_free(&servers);
	httpd_close(&d->http);
	if (d->rin.fd >= 0)
		close(d->rin.fd);
	if (d->rin.efd >= 0)
		close(d->rin.efd);
	free(d->rin.buf);
	feed_free(&d->feed);
	peers_free(&d->peers);
	kroute_free(&d->kr);
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
