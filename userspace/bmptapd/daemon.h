/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptapd's one struct: everything mutable of the daemon, shared by its
 * wiring (bmptapd.c: options, set-up, the event loop) and its record source
 * in production (daemon_nl.c: the module).  The other source, --records
 * FILE (recfile.c), keeps its state in its own struct and knows no daemon.
 */
#ifndef BMPTAP_DAEMON_H
#define BMPTAP_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "ckptctl.h"
#include "collector.h"
#include "ctlsrv.h"
#include "filter.h"
#include "httpd.h"
#include "kroute.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "nl.h"
#include "peer.h"
#include "recfile.h"

struct daemon {
	struct bt_log log;
	struct loop loop;
	struct bt_nl nl;
	struct peers peers;
	struct feed feed;
	struct monitor monitor;		/* peer events for bmptapctl monitor */
	struct ctlsrv ctl;		/* bmptapctl's control socket */
	struct bt_filter_list filters;	/* the peers' post-policy view uses it */
	struct bt_vrf_rds vrf_rds;	/* --vrf-rd: the peers' VRF identities use it */
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
	struct recfile rin;		/* --records */
	struct httpd http;		/* --metrics */
};

/*
 * The module as the record source: joins the notification groups, loads
 * the checkpoint, the filters, flows and servers, starts READ and its
 * poll.  0 or -1 (logged).
 */
int daemon_nl_start(struct daemon *d);
/* At shutdown: a last checkpoint and its acknowledgement. */
void daemon_nl_stop(struct daemon *d);
/* One record from either source into the peers (bt_rec_cb). */
int daemon_record(void *ctx, const struct bt_rec *rec);

#endif /* BMPTAP_DAEMON_H */
