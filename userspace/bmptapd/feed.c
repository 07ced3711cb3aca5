// SPDX-License-Identifier: GPL-2.0
/*
 * The set of collectors: set-up, the configured server list applied as a
 * difference (only what changed restarts), Termination and shutdown.
 */
#include "collector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "replay.h"
#include "session.h"

#define CLOSE_WAIT_MS	2000	/* flushing a Termination */

/* ---- feed ------------------------------------------------------------------ */

int feed_init(struct feed *f, struct loop *loop, const struct bt_log *log,
	      struct peers *peers, const struct feed_cfg *cfg)
{
	static const struct feed_cfg defaults;
	struct timespec ts;

	memset(f, 0, sizeof(*f));
	f->loop = loop;
	f->log = log;
	f->peers = peers;
	if (!cfg)
		cfg = &defaults;
	f->limit = cfg->limit ? cfg->limit : FEED_DEFAULT_LIMIT;
	f->listen_max = cfg->listen_max ? cfg->listen_max : FEED_DEFAULT_LISTEN_MAX;
	f->listen_max_per_source = cfg->listen_max_per_source ? cfg->listen_max_per_source :
				   FEED_DEFAULT_LISTEN_PER_SOURCE;
	f->stall_ms = cfg->stall_ms ? cfg->stall_ms : FEED_DEFAULT_STALL_MS;
	f->dirty_max = FEED_DEFAULT_DIRTY_MAX;
	clock_gettime(CLOCK_REALTIME, &ts);
	f->rnd = (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32 ^ 0x9e3779b97f4a7c15ull;
	if (gethostname(f->hostname, sizeof(f->hostname) - 1))
		snprintf(f->hostname, sizeof(f->hostname), "bmptap");
	buf_init(&f->scratch);
	buf_init(&f->upd);
	buf_init(&f->live);
	f->batch = malloc(REPLAY_BATCH * sizeof(*f->batch));
	f->sorted = malloc(REPLAY_BATCH * sizeof(*f->sorted));
	f->ids = malloc(REPLAY_BATCH * sizeof(*f->ids));
	f->sorted_ids = malloc(REPLAY_BATCH * sizeof(*f->sorted_ids));
	f->keys = malloc(REPLAY_BATCH * sizeof(*f->keys));
	f->post_pfx = malloc(REPLAY_BATCH * sizeof(*f->post_pfx));
	f->post_ids = malloc(REPLAY_BATCH * sizeof(*f->post_ids));
	if (!f->batch || !f->sorted || !f->ids || !f->sorted_ids || !f->keys || !f->post_pfx ||
	    !f->post_ids)
		return -ENOMEM;
	return 0;
}

void feed_free(struct feed *f)
{
	while (f->head)
		coll_free(f->head);
	buf_free(&f->scratch);
	buf_free(&f->upd);
	buf_free(&f->live);
	free(f->batch);
	free(f->sorted);
	free(f->ids);
	free(f->sorted_ids);
	free(f->keys);
	free(f->post_pfx);
	free(f->post_ids);
}

void feed_filters_changed(struct feed *f)
{
	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;
		if (c->state != COLL_UP || !(c->policy & BMPTAP_POLICY_POST))
			continue;
		/* Every route's post-policy verdict may have changed: replay,
		 * withdrawing what is rejected now. */
		for (struct cpeer *cp = c->cp_head; cp; cp = cp->next) {
			if (cp->p->locrib)
				continue;
			cp_start_replay(cp);
			cp->replay_wd = true;
		}
		coll_kick(c);
	}
}

struct collector *feed_add(struct feed *f, const struct bt_server_cfg *cfg)
{
	struct collector *c = coll_new(f, cfg);

	if (!c)
		return NULL;
	LOG_I(f->log, "collector %s: added", c->remote);
	if (!f->loop)
		return c;
	coll_open(c);
	return c;
}

static void terminate(struct collector *c, uint16_t reason)
{
	struct feed *f = c->feed;

	if (c->state != COLL_UP) {
		coll_free(c);
		return;
	}
	/* The Loc-RIB instance is no longer monitored by it: RFC 9069 5.4
	 * wants its Peer Down (the peers' end with the session, RFC 7854 4.5). */
	struct peer *lr = f->peers ? f->peers->locrib : NULL;
	if (lr && collector_cpeer(c, lr->flow_id)) {
		buf_reset(&f->scratch);
		peer_encode_down(lr, &f->scratch);
		coll_put(c, f->scratch.data, f->scratch.len);
	}
	/* Nothing more for it but the Termination. */
	cp_del_all(c);
	buf_reset(&f->scratch);
	bmp_termination(&f->scratch, reason, NULL);
	coll_put(c, f->scratch.data, f->scratch.len);
	c->state = COLL_CLOSING;
	if (f->loop)
		loop_timer_arm(f->loop, &c->timer, CLOSE_WAIT_MS);
	coll_kick(c);	/* may free c */
}

void feed_remove(struct feed *f, struct collector *c, uint16_t reason)
{
	LOG_I(f->log, "collector %s: removed", c->remote);
	/* A listener takes its accepted sessions with it. */
	for (struct collector *o = f->head, *n; o; o = n) {
		n = o->next;
		if (o->parent == c) {
			o->parent = NULL;
			terminate(o, reason);
			n = f->head;	/* the list changed under us; restart */
		}
	}
	terminate(c, reason);
}

static bool same_server(const struct bt_server_cfg *a, const struct bt_server_cfg *b)
{
	uint16_t pa = a->port ? a->port : BT_BMP_PORT, pb = b->port ? b->port : BT_BMP_PORT;

	return !strcmp(a->address, b->address) && pa == pb;
}

void feed_apply(struct feed *f, const struct bt_server_list *l)
{
	bool keep[BMPTAP_MAX_SERVERS * 2] = { false };
	size_t n = l->n < BMPTAP_MAX_SERVERS * 2 ? l->n : BMPTAP_MAX_SERVERS * 2;

	/* Removed or changed servers go first (Termination, close). */
restart:
	for (struct collector *c = f->head; c; c = c->next) {
		if (c->accepted || c->state == COLL_CLOSING)
			continue;
		size_t i;
		for (i = 0; i < n; i++)
			if (same_server(&c->cfg, &l->v[i]))
				break;
		if (i < n && bt_config_server_equal(&c->cfg, &l->v[i])) {
			keep[i] = true;
			continue;
		}
		LOG_I(f->log, "collector %s: %s", c->remote, i < n ? "config changed" : "deleted");
		feed_remove(f, c, BMP_TERM_PERM_ADMIN_CLOSE);
		goto restart;
	}
	for (size_t i = 0; i < n; i++)
		if (!keep[i])
			feed_add(f, &l->v[i]);
}

bool feed_shutdown(struct feed *f, uint16_t reason, int wait_ms)
{
	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;
		if (c->state == COLL_UP) {
			terminate(c, reason);
			n = f->head;
		} else if (c->state != COLL_CLOSING) {
			coll_free(c);
			n = f->head;
		}
	}
	uint64_t end = loop_now_ms() + (uint64_t)wait_ms;
	while (f->head && f->loop && loop_now_ms() < end)
		loop_run_once(f->loop, 50);
	return !f->head;
}

