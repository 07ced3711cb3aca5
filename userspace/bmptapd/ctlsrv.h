/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of the control socket (protocol: ctlsock.h), served
 * from its event loop without ever blocking it.  Bounded: CTL_MAX_CLIENTS
 * connections (more are refused and counted), a request must arrive within
 * CTL_TIMEOUT_MS, and a monitor client whose unread events exceed
 * CTL_OUT_MAX is dropped (counted): a client that stops reading costs
 * bounded memory and never delays the feed.  A show reply is rendered at
 * once (one consistent snapshot, of any size) and written as the client
 * reads; a show client has CTL_TIMEOUT_MS of idle time to take each part.
 */
#ifndef BMPTAP_CTLSRV_H
#define BMPTAP_CTLSRV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ctlsock.h"
#include "log.h"
#include "loop.h"

#define CTL_MAX_CLIENTS	16
#define CTL_OUT_MAX	(256u * 1024)	/* unread monitor bytes per client */
#define CTL_TIMEOUT_MS	10000
#define CTL_EVENT_MAX	1024		/* bytes of one event line */

/* The show requests, as parts of the status to render. */
#define CTL_SHOW_PEERS		(1u << 0)
#define CTL_SHOW_SERVERS	(1u << 1)
#define CTL_SHOW_ALL		(CTL_SHOW_PEERS | CTL_SHOW_SERVERS)

/* Writes the status document with the given parts to f. */
typedef void (*ctl_render_cb)(void *ctx, unsigned parts, FILE *f);

struct ctl_client;

struct ctlsrv {
	struct loop *loop;
	struct bt_log *log;
	int fd;
	struct loop_fd h;
	struct loop_timer resume;	/* accepting paused: out of descriptors */
	char path[108];
	dev_t dev;		/* of the socket file we bound: only ours is unlinked */
	ino_t ino;
	ctl_render_cb render;
	void *ctx;
	struct ctl_client *clients;
	unsigned n_clients, n_monitors;
	uint64_t accepted, refused, dropped_slow, bad_requests, timeouts;
};

/*
 * Binds path (mode 0660) before the daemon drops privileges.  group, when
 * named, must exist and be given to the socket; NULL takes
 * CTL_GROUP_DEFAULT if that exists, else keeps the process's group, and a
 * failure to give it is no error: 0 with the reason in err (else err is
 * empty), for the caller to log.  A socket file nobody answers on is a
 * dead daemon's and replaced; one that answers is refused (another
 * bmptapd serves this namespace).  0, or -1 with a one-line reason in err.
 */
int ctlsrv_open(struct ctlsrv *s, const char *path, const char *group,
		char *err, size_t errlen);
/* Serves it from loop. 0 or -errno. */
int ctlsrv_start(struct ctlsrv *s, struct loop *loop, struct bt_log *log,
		 ctl_render_cb render, void *ctx);
/* Closes every client and the socket, and removes the socket file. */
void ctlsrv_close(struct ctlsrv *s);

/* Whether any monitor client listens (events need not be formatted). */
static inline bool ctlsrv_monitored(const struct ctlsrv *s) { return s->n_monitors; }
/* One event line to every monitor client; control characters become '?'. */
__attribute__((format(printf, 2, 3)))
void ctlsrv_eventf(struct ctlsrv *s, const char *fmt, ...);
/* The counters, as one JSON object member "control" of the status. */
struct bt_json;
void ctlsrv_status_json(const struct ctlsrv *s, struct bt_json *j);

#endif
