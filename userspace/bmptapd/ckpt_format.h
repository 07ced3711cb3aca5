/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checkpoint file's layout details that its writer (ckpt_encode.c) and
 * its reader (ckpt_decode.c) must agree on; the layout itself is described
 * in checkpoint.h.
 */
#ifndef BMPTAP_CKPT_FORMAT_H
#define BMPTAP_CKPT_FORMAT_H

#include "peer.h"

#define HDR_LEN		(8 + 4 + 8 + 8 + 4 + 4 + 8)
#define TRAILER_LEN	(4 + 8)
#define N_COUNTERS	(sizeof(struct peer_counters) / sizeof(uint64_t))

/* Peer flag bits (flags1, flags2). */
enum {
	F_HAVE_INFO = 1, F_KA_RX = 2, F_KA_TX = 4, F_FROM_DUMP = 8, F_SEEN_START = 16,
	F_INCOMPLETE = 32, F_RIB_SHORT = 64, F_ENDED = 128,
};
enum { F2_MIDSTREAM = 1, F2_ENHANCED_RR = 2 };

#endif /* BMPTAP_CKPT_FORMAT_H */
