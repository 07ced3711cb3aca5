/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bmptapctl monitor` events: a peer sink that passes every event on to
 * the BMP feed and also writes it as one text line to the monitor clients
 * of the control socket (ctlsrv.h).
 */
#ifndef BMPTAP_MONITOR_H
#define BMPTAP_MONITOR_H

#include <stdint.h>

#include "ctlsrv.h"
#include "peer.h"

/*
 * Route events beyond this many per second are not published one by one
 * (a full table would cost a million system calls); the next event says how
 * many were suppressed.
 */
#define MONITOR_ROUTES_PER_SEC	500

struct monitor {
	struct peer_sink inner;
	struct ctlsrv *ctl;
	uint64_t window_ms;		/* start of the current one-second window */
	uint32_t in_window;		/* route events published in it */
	uint64_t suppressed;		/* route events not published since */
};

/* The sink to give the peers: m->inner gets every event first. */
struct peer_sink monitor_sink(struct monitor *m, struct peer_sink inner, struct ctlsrv *ctl);

#endif /* BMPTAP_MONITOR_H */
