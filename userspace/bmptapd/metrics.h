/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptapd's metrics in the Prometheus text exposition format 0.0.4: the
 * collectors, the peers, the module's counters and the metrics endpoint
 * itself.  The writer helpers are exposed for tests.
 */
#ifndef BMPTAP_METRICS_H
#define BMPTAP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct feed;
struct peers;
struct bt_netns;
struct httpd;
struct ckpt_ctl;

struct metrics_src {
	const struct feed *feed;
	const struct peers *peers;
	const struct bt_netns *module;	/* NULL: no module (--records) or unreadable */
	const struct httpd *http;	/* the endpoint's own counters */
	uint64_t records, read_errors;
	const struct ckpt_ctl *ckpt;	/* NULL: none (tests) */
};

void metrics_render(const struct metrics_src *s, struct buf *out);

struct prom_label {
	const char *k, *v;	/* a NULL or empty v leaves the label out */
};

/* Label values escape \, " and newline; HELP text only \ and newline. */
void prom_escape(struct buf *b, const char *s, int help);
void prom_family(struct buf *b, const char *name, const char *type, const char *help);
void prom_sample(struct buf *b, const char *name, const struct prom_label *l, size_t n,
		 uint64_t v);
/* A sample of ns nanoseconds, written in seconds without rounding. */
void prom_sample_ns(struct buf *b, const char *name, const struct prom_label *l, size_t n,
		    uint64_t ns);

#endif
