/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptapd --records FILE: a recorded record stream (struct bmptap_rec back
 * to back, as in a READ reply; bgp-speaker -W writes one) as the record
 * source instead of the module.  For replaying a session to a collector
 * without a router or the module (operator-guide.md, troubleshooting), the
 * host tests of the daemon's options and the benchmark's daemon part.
 *
 * The records go to the callback once every active collector is up (they
 * see the stream live, not as a table replay), one READ reply's worth per
 * loop turn so that the collectors' sockets are served in between, as with
 * the module.  The file's end is logged with the records, routes and time.
 */
#ifndef BMPTAP_RECFILE_H
#define BMPTAP_RECFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "collector.h"
#include "log.h"
#include "loop.h"
#include "peer.h"
#include "records.h"

struct recfile {
	const char *path;
	int fd;
	uint8_t *buf;			/* BMPTAP_READ_BUFSIZE: one READ reply's worth */
	size_t fill;
	bool eof;
	uint64_t seq;			/* carried from slice to slice, as from reply to reply */
	uint64_t bytes, records, errors;
	double wall0, cpu0;
	struct loop *loop;
	const struct bt_log *log;
	struct feed *feed;		/* whose collectors are waited for */
	const struct peers *peers;	/* their routes, in the final log line */
	bt_rec_cb cb;
	void *ctx;
	struct loop_timer t;		/* waiting for the collectors */
	/* epoll has no readiness for a regular file: an eventfd, made readable
	 * once the collectors are up and left so, gets one slice read per loop
	 * turn, between socket events. */
	int efd;
	struct loop_fd efd_h;
};

/* Opens path and starts waiting for the collectors; 0 or -1 (logged). */
int recfile_open(struct recfile *rf, const char *path, struct loop *loop,
		 const struct bt_log *log, struct feed *feed, const struct peers *peers,
		 bt_rec_cb cb, void *ctx);
/* Whether it is open, or done and closed. */
void recfile_close(struct recfile *rf);

#endif /* BMPTAP_RECFILE_H */
