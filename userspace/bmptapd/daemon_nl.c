// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapd's record source in production: the module over generic netlink
 * (daemon.h).  Flow and configuration dumps, notifications, READ and its
 * acknowledgement, checkpoints.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

#define POLL_MS		200	/* READ even without a doorbell (lost ones) */
#define REDUMP_MS	5000	/* at most one recovery flow dump per period */

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

int daemon_record(void *ctx, const struct bt_rec *rec)
{
	struct daemon *d = ctx;

	if (!ckpt_ctl_record(&d->ckpt, rec))
		return 0;
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
	r = bt_nl_read_pump(&d->nl, daemon_record, d);
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

int daemon_nl_start(struct daemon *d)
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
	loop_timer_arm(&d->loop, &d->poll_t, POLL_MS);
	return 0;
}

void daemon_nl_stop(struct daemon *d)
{
	ckpt_ctl_save(&d->ckpt, &d->peers);
	ack_records(d);
}
