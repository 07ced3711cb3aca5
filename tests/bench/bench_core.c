// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of the reassembly and framing core: ~30 MB of BGP UPDATEs
 * (40..4096 bytes, mean ~90) fed in 1448-byte segments through an ungated
 * stream, and through a gated stream acked every 2 segments; compared with
 * a plain memcpy of the same bytes in the same run.
 *
 * Build: cc -O2 -Iinclude/uapi -Ikmod/core tests/bench/bench_core.c kmod/core/frame.c
 *        kmod/core/reasm.c kmod/core/shim_user.c
 * Usage: bench_core [MB] [rounds]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame.h"
#include "reasm.h"

#define MSS 1448U

struct sink {
	u64 msgs;
	u64 bytes;
	u32 check;
};

static void on_msg(void *ctx, const u8 *msg, u32 len, u64 ts_ns)
{
	struct sink *s = ctx;

	(void)ts_ns;
	s->msgs++;
	s->bytes += len;
	s->check += msg[len - 1];
}

static void on_gap(void *ctx, const struct bmptap_gap *gap, const u8 *skipped, u32 skipped_len,
		   u64 ts_ns)
{
	(void)ctx;
	(void)gap;
	(void)skipped;
	(void)skipped_len;
	(void)ts_ns;
	fprintf(stderr, "bench_core: unexpected gap\n");
	exit(1);
}

static const struct bmptap_ops ops = { .msg = on_msg, .gap = on_gap, .charge = NULL };

static int flat_copy(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)src + off, len);
	return 0;
}

static u32 rng = 2463534242u;

static u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static u32 update_len(void)
{
	u32 r = rnd() % 1000;

	if (r < 980)
		return 45 + rnd() % 76;		/* typical small UPDATEs */
	if (r < 999)
		return 121 + rnd() % 280;
	return 401 + rnd() % 3696;		/* up to 4096 */
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_stream(const u8 *v, u32 len, bool gated, struct sink *sk)
{
	struct bmptap_stream s;
	struct bmptap_payload p = { .copy = flat_copy };
	u32 isn = 0xfff00000u, off, n, segs = 0;

	bmptap_stream_init(&s, gated, 1U << 20);
	bmptap_stream_syn(&s, isn);
	for (off = 0; off < len; off += n) {
		n = len - off < MSS ? len - off : MSS;
		p.src = v + off;
		p.len = n;
		bmptap_stream_data(&s, isn + 1 + off, &p, false, 0, &ops, sk);
		if (gated && ++segs % 2 == 0)
			bmptap_stream_ack(&s, isn + 1 + off + n, &ops, sk);
	}
	if (gated)
		bmptap_stream_ack(&s, isn + 1 + len, &ops, sk);
	bmptap_stream_flush(&s, 0, &ops, sk);
	bmptap_stream_free(&s, &ops, sk);
}

int main(int argc, char **argv)
{
	u32 mb = argc > 1 ? (u32)atoi(argv[1]) : 30;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	u32 target = mb << 20, len = 0, nmsgs = 0, l, i;
	u8 *v = malloc(target + 4096), *dst = malloc(target + 4096);
	double best[3] = { 1e9, 1e9, 1e9 }, t;
	struct sink sk;
	int r, k;

	if (!v || !dst)
		return 1;
	while (len + 4096 <= target) {
		l = update_len();
		memset(v + len, 0xff, 16);
		v[len + 16] = l >> 8;
		v[len + 17] = l & 0xff;
		v[len + 18] = 2;
		for (i = 19; i < l; i++)
			v[len + i] = (u8)rnd();
		len += l;
		nmsgs++;
	}
	memset(dst, 0, target);
	printf("bench_core: %u messages, %.1f MB, mean %.1f bytes, %u-byte segments\n",
	       nmsgs, len / 1e6, (double)len / nmsgs, MSS);

	for (r = 0; r < rounds; r++) {
		t = now();
		memcpy(dst, v, len);
		t = now() - t;
		if (t < best[0])
			best[0] = t;
		for (k = 0; k < 2; k++) {
			memset(&sk, 0, sizeof(sk));
			t = now();
			run_stream(v, len, k == 1, &sk);
			t = now() - t;
			if (sk.msgs != nmsgs || sk.bytes != len) {
				fprintf(stderr, "bench_core: got %llu messages, %llu bytes\n",
					(unsigned long long)sk.msgs, (unsigned long long)sk.bytes);
				return 1;
			}
			if (t < best[k + 1])
				best[k + 1] = t;
		}
	}
	printf("memcpy:        %.2f GB/s\n", len / best[0] / 1e9);
	printf("core_ungated:  %.2f GB/s, %.2f x memcpy, %.1f Mmsg/s\n", len / best[1] / 1e9,
	       best[0] / best[1], nmsgs / best[1] / 1e6);
	printf("core_gated:    %.2f GB/s, %.2f x memcpy, %.1f Mmsg/s\n", len / best[2] / 1e9,
	       best[0] / best[2], nmsgs / best[2] / 1e6);
	free(v);
	free(dst);
	return 0;
}
