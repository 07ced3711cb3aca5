// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for checkpoint loading (checkpoint.h).  The input is a
 * checkpoint without its trailer: the harness appends a correct CRC-32C and
 * length, so that mutations reach the parser behind the checksum (a file
 * written by someone who can compute one), and takes the module's epoch
 * from the header, so that the peers section is always parsed.
 *
 * Invariants (abort() otherwise): no crash or sanitizer report; a refused
 * image leaves the peer table empty; a loaded one checkpoints again to an
 * image that loads the same number of peers and attribute sets.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "peer.h"

static int load(const uint8_t *img, size_t len, struct peers *ps)
{
	uint64_t epoch = 0, seq;
	char why[256];

	for (size_t i = 12; i < 20 && i < len; i++)
		epoch = epoch << 8 | img[i];
	if (peers_init(ps, NULL, NULL))
		abort();
	return ckpt_decode(img, len, ps, epoch, 0, &seq, why, sizeof(why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct peers a, b;
	struct buf img, again;
	int r;

	if (size > 1 << 20)
		return 0;
	buf_init(&img);
	buf_init(&again);
	buf_put(&img, data, size);
	buf_u32(&img, ckpt_crc32c(0, data, size));
	buf_u64(&img, size);
	if (img.oom)
		abort();
	r = load(img.data, img.len, &a);
	if (r && (a.count || a.head || a.attrs.count))
		abort();
	if (!r) {
		uint64_t epoch = 0;

		for (size_t i = 12; i < 20; i++)
			epoch = epoch << 8 | img.data[i];
		if (ckpt_encode(&a, epoch, 1, &again) || load(again.data, again.len, &b))
			abort();
		if (b.count != a.count || b.attrs.count != a.attrs.count)
			abort();
		peers_free(&b);
	}
	peers_free(&a);
	buf_free(&img);
	buf_free(&again);
	return 0;
}
