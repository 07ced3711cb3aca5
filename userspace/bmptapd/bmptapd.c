// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapd: turns the bmptap module's record stream into BMP (RFC 7854)
 * feeds for any number of collectors.
 *
 * Wiring only: the options, the set-up and the event loop.  The work is in
 * peer.c (session state, Adj-RIB-In) and collector.c (BMP sessions, replay,
 * coalescing), the record sources in daemon_nl.c (the module) and recfile.c
 * (--records FILE).  Everything mutable lives in one struct daemon
 * (daemon.h).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cli.h"
#include "daemon.h"
#include "locrib.h"
#include "metrics.h"
#include "privdrop.h"
#include "status.h"
#include "tls.h"

#define PROG "bmptapd"
#define SHUTDOWN_WAIT_MS 2000
#define TICK_MS		1000	/* housekeeping */

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

/* The module's read errors, or the --records file's. */
static uint64_t read_errors(const struct daemon *d)
{
	return d->read_errors + d->rin.errors;
}

static void render_status(void *ctx, unsigned parts, FILE *f)
{
	struct daemon *d = ctx;
	struct status_src src = {
		.feed = &d->feed, .peers = &d->peers, .ctl = &d->ctl,
		.import_filters = d->filters.n,
		.uptime_s = (loop_now_ms() - d->start_ms) / 1000u,
		.records = d->records, .read_errors = read_errors(d), .ckpt = &d->ckpt,
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
		.records = d->records, .read_errors = read_errors(d), .ckpt = &d->ckpt,
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
		"               [--vrf-rd NAME=RD]...\n"
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
		"  --vrf-rd NAME=RD   the route distinguisher (ASN:NN or IPV4:NN) of VRF NAME:\n"
		"                     its peers are RD Instance peers with it (repeatable)\n"
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

/* --records: the file as the record source, the servers from --server. */
static int start_records(struct daemon *d, const char *path, const struct bt_server_list *servers)
{
	feed_apply(&d->feed, servers);
	return recfile_open(&d->rin, path, &d->loop, &d->log, &d->feed, &d->peers, daemon_record, d);
}

/* The module as the record source, and the housekeeping that goes with it. */
static int start_module(struct daemon *d)
{
	if (daemon_nl_start(d))
		return -1;
	loop_timer_init(&d->tick_t, on_tick, d);
	loop_timer_arm(&d->loop, &d->tick_t, 0);
	return 0;
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
		{ "vrf-rd", required_argument, NULL, 'D' },
		{ "checkpoint-interval", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon *d = calloc(1, sizeof(*d));
	int level = BT_LOG_INFO, o, rc = 1, locrib_src = LOCRIB_SRC_AUTO, n_protos = 2;
	uint8_t protos[KR_MAX_PROTO] = { 12, 186 };
	bool use_syslog = false;
	const char *metrics = NULL, *rec_path = NULL;
	const char *user = NULL;
	const char *ctl_path = NULL, *ctl_group = NULL;
	char ctl_default[108];
	struct bt_server_list servers = { 0 };
	uint64_t peer_mem_max = PEER_MEM_MAX_DEFAULT, mem_max = MEM_MAX_DEFAULT;
	struct kroute *kroutes = NULL;	/* the Loc-RIB's source, once open */
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
			rec_path = optarg;
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
		case 'D': {
			char err[128];

			if (bt_vrf_rd_add(&d->vrf_rds, optarg, err, sizeof(err))) {
				fprintf(stderr, PROG ": --vrf-rd: %s\n", err);
				return 2;
			}
			break;
		}
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
	if (optind != argc || (servers.n && !rec_path) || (rec_path && d->ckpt.path) ||
	    (rec_path && locrib_src == LOCRIB_SRC_KERNEL)) {
		usage(stderr);
		return 2;
	}
	/* Bound before privileges are dropped: CTL_DIR is root's. */
	if (!ctl_path && !rec_path) {
		ctl_default_path(ctl_default, sizeof(ctl_default));
		ctl_path = ctl_default;
	}
	if (ctl_path) {
		char err[256];

		if (ctlsrv_open(&d->ctl, ctl_path, ctl_group, err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			free(d);
			return 1;
		}
		if (err[0])	/* the default group could not be given: the process's stays */
			fprintf(stderr, PROG ": warning: %s\n", err);
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
	if (feed_init(&d->feed, &d->loop, &d->log, &d->peers,
		      &(struct feed_cfg){ .limit = d->queue_limit, .listen_max = d->listen_max,
					  .listen_max_per_source = d->listen_per_source,
					  .stall_ms = d->stall_s * 1000u })) {
		LOG_E(&d->log, "out of memory");
		goto out;
	}
	/* A recorded stream has no namespace whose installed routes it saw. */
	if (rec_path)
		locrib_src = LOCRIB_SRC_DECISION;
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
			kroutes = &d->kr;
		}
	}
	if (peers_init(&d->peers, &(struct peers_cfg){
			.sink = monitor_sink(&d->monitor, feed_sink(&d->feed), &d->ctl),
			.locrib_src = locrib_src, .kroutes = kroutes,
			.peer_mem_max = peer_mem_max, .mem_max = mem_max,
			.vrf_rds = &d->vrf_rds }, &d->log)) {
		LOG_E(&d->log, "out of memory");
		goto out;
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
	if (rec_path ? start_records(d, rec_path, &servers) : start_module(d))
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
	if (!rec_path) {
		daemon_nl_stop(d);
	}
	if (!feed_shutdown(&d->feed, BMP_TERM_ADMIN_CLOSE, SHUTDOWN_WAIT_MS))
		LOG_W(&d->log, "some collectors did not take their Termination in time");
out:
	ctlsrv_close(&d->ctl);
	bt_server_list_free(&servers);
	httpd_close(&d->http);
	if (d->rin.path)
		recfile_close(&d->rin);
	feed_free(&d->feed);
	peers_free(&d->peers);
	kroute_free(&d->kr);
	bt_filter_list_free(&d->filters);
	bt_vrf_rds_free(&d->vrf_rds);
	bt_nl_close(&d->nl);
	if (d->sig_fd >= 0)
		close(d->sig_fd);
	loop_free(&d->loop);
	LOG_I(&d->log, "exiting (%d)", rc);
	bt_log_close(&d->log);
	free(d);
	return rc;
}
