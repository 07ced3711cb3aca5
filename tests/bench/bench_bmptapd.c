// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of bmptapd's ingest path, in process, from a recorded record
 * stream (bgp-speaker -w TABLE -W RECORDS: what the module would deliver for
 * a session that receives the synthetic full table): record parsing
 * (records.c), session state and UPDATE parsing (peer.c, bgp.c) and the
 * Adj-RIB-In with interned attributes (rib.c, attr.c) and the Loc-RIB.  No
 * netlink, no collector: the whole daemon from the same stream to a
 * collector is `bmptapd --records` (tests/bench/run, part b2).
 *
 * The stream is applied once as peer 1, then again as peer 2 (same routes,
 * another flow), to measure the heap per prefix of the first peer and of
 * each further peer (the attributes are shared).
 *
 * Build: cc -O2 -Iinclude/uapi -Iuserspace/{lib,bgp,bmp,bmptapd} -Ikmod/core -D_GNU_SOURCE
 *        tests/bench/bench_bmptapd.c build/libbmptap.a build/libcore.a -lmnl -lm
 * Usage: bench_bmptapd RECORDS [rounds]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "log.h"
#include "peer.h"
#include "records.h"

struct counts {
	uint64_t ups, updates, changes, eor;
};

static void on_up(void *ctx, struct peer *p)
{
	if (!p->locrib)
		((struct counts *)ctx)->ups++;
}

static void on_down(void *ctx, struct peer *p)
{
	(void)ctx;
	(void)p;
}

static void on_update(void *ctx, struct peer *p, const uint8_t *msg, size_t len, uint64_t ts_ns,
		      const struct bgp_prefix *chg, size_t n, int eor)
{
	struct counts *c = ctx;

	(void)len;
	(void)ts_ns;
	(void)chg;
	if (!msg || p->locrib)		/* Loc-RIB changes, not the peer's */
		return;
	c->updates++;
	c->changes += n;
	c->eor += eor >= 0;
}

static void on_message(void *ctx, struct peer *p, const uint8_t *msg, size_t len, uint64_t ts)
{
	(void)ctx;
	(void)p;
	(void)msg;
	(void)len;
	(void)ts;
}

static void on_lost(void *ctx, struct peer *p, uint64_t ts_ns)
{
	(void)ctx;
	(void)p;
	(void)ts_ns;
}

static double now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t rib_mapped(const struct peer *p)
{
	return p ? rib_mem_mapped(&p->rib) + rib_mem_mapped(&p->rib_out) : 0;
}

/* malloc'd bytes in use plus the RIB tables mapped outside malloc. */
static size_t heap(const struct peers *ps)
{
	struct mallinfo2 mi = mallinfo2();
	size_t m = mi.uordblks + mi.hblkhd + rib_mapped(ps->locrib);

	for (const struct peer *p = ps->head; p; p = p->next)
		m += rib_mapped(p);
	return m;
}

/* Rewrites every record's flow id and shifts its seq (a second session). */
static void relabel(uint8_t *d, size_t len, uint32_t flow, uint64_t seq_add)
{
	size_t off = 0;

	while (off + sizeof(struct bmptap_rec) <= len) {
		struct bmptap_rec r;

		memcpy(&r, d + off, sizeof(r));
		r.flow_id = flow;
		r.seq += seq_add;
		memcpy(d + off, &r, sizeof(r));
		off += BMPTAP_REC_ALIGN(r.len);
	}
}

/*
 * Issue 19 item 4: the checkpoint of one full-table peer, written as
 * bmptapd writes it (fsync, rename) and loaded as at a restart, whose
 * resumption it is.
 */
static int ckpt_bench(const struct peers *ps, uint64_t prefixes)
{
	char dir[] = "/tmp/bench-ckpt-XXXXXX", path[64], why[256];
	struct peers back;
	size_t bytes = 0;
	uint64_t seq;
	double w, l, lc;
	int rc = 1;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/default.ckpt", dir);
	w = now(CLOCK_MONOTONIC);
	if (ckpt_write(path, ps, 1, 1, &bytes, why, sizeof(why)))
		goto out;
	w = now(CLOCK_MONOTONIC) - w;
	if (peers_init(&back, NULL, NULL))
		goto out;
	l = now(CLOCK_MONOTONIC);
	lc = now(CLOCK_PROCESS_CPUTIME_ID);
	if (ckpt_read(path, &back, 1, 0, &seq, why, sizeof(why)) || back.count != ps->count) {
		peers_free(&back);
		goto out;
	}
	l = now(CLOCK_MONOTONIC) - l;
	lc = now(CLOCK_PROCESS_CPUTIME_ID) - lc;
	peers_free(&back);
	printf("checkpoint:        %.1f MB, %.1f bytes/prefix; write %.2f s, load %.2f s wall, "
	       "%.2f s CPU (one full-table peer; the load is the restart's resumption)\n",
	       bytes / 1e6, (double)bytes / prefixes, w, l, lc);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bench_bmptapd: checkpoint: %s\n", why);
	unlink(path);
	rmdir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 3, r;
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
	uint8_t *d;
	long len;
	double best = 1e9, best_wall = 0, t, w;
	size_t h0 = 0, h1 = 0, h2 = 0;
	uint64_t prefixes = 0, nrec = 0;
	struct bt_log log;

	if (!f) {
		fprintf(stderr, "usage: bench_bmptapd RECORDS [rounds]\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	d = malloc((size_t)len);
	if (!d || fread(d, 1, (size_t)len, f) != (size_t)len)
		return 1;
	fclose(f);
	bt_log_init(&log, "bench_bmptapd", BT_LOG_ERROR, false);
	for (r = 0; r < rounds; r++) {
		struct counts c = { 0 };
		struct peer_sink sink = {
			.ctx = &c, .up = on_up, .down = on_down, .update = on_update,
			.message = on_message, .lost = on_lost,
		};
		struct peers ps;
		uint64_t seq = BT_SEQ_UNKNOWN;
		int n;

		relabel(d, (size_t)len, 1, 0);
		if (peers_init(&ps, &(struct peers_cfg){ .sink = sink }, &log))
			return 1;
		h0 = heap(&ps);
		/* Per core is per CPU second: other jobs share this machine. */
		w = now(CLOCK_MONOTONIC);
		t = now(CLOCK_PROCESS_CPUTIME_ID);
		n = bt_records_parse(d, (size_t)len, &seq, peers_record, &ps);
		t = now(CLOCK_PROCESS_CPUTIME_ID) - t;
		w = now(CLOCK_MONOTONIC) - w;
		if (n < 0 || c.ups != 1 || c.eor != 2) {
			fprintf(stderr, "bench_bmptapd: parse %d, %llu peer up, %llu End-of-RIB\n", n,
				(unsigned long long)c.ups, (unsigned long long)c.eor);
			return 1;
		}
		nrec = (uint64_t)n;
		{
			struct peer *p = peers_find(&ps, 1);

			prefixes = p ? rib_count(&p->rib, BGP_FAM_IPV4) + rib_count(&p->rib, BGP_FAM_IPV6) : 0;
		}
		if (t < best) {
			best = t;
			best_wall = w;
		}
		h1 = heap(&ps);
		if (r == rounds - 1 && ckpt_bench(&ps, prefixes))
			return 1;
		/* The same routes from a second peer. */
		relabel(d, (size_t)len, 2, nrec);
		n = bt_records_parse(d, (size_t)len, &seq, peers_record, &ps);
		h2 = heap(&ps);
		if (n < 0 || c.ups != 2) {
			fprintf(stderr, "bench_bmptapd: second peer: parse %d\n", n);
			return 1;
		}
		peers_free(&ps);
	}
	printf("bench_bmptapd: %llu records, %.1f MB, %llu prefixes\n", (unsigned long long)nrec,
	       len / 1e6, (unsigned long long)prefixes);
	printf("ingest:            %.2f s CPU, %.2f M prefixes/s, %.0f MB/s (records -> Adj-RIB-In "
	       "+ Loc-RIB, per CPU second; %.2f s wall)\n",
	       best, prefixes / best / 1e6, len / best / 1e6, best_wall);
	printf("heap_first_peer:   %.1f bytes/prefix (%.1f MB)\n", (double)(h1 - h0) / prefixes,
	       (h1 - h0) / 1e6);
	printf("heap_next_peer:    %.1f bytes/prefix (%.1f MB)\n", (double)(h2 - h1) / prefixes,
	       (h2 - h1) / 1e6);
	free(d);
	return 0;
}
