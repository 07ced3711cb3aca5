/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoints: bmptapd's per-peer state in a file, so that a restarted
 * helper continues as if it had never stopped (operator-guide.md,
 * "Restarts and checkpoints").
 *
 * The module frees records only when the helper acknowledges them (READ
 * no longer consumes), so a checkpoint names the last record seq it
 * covers and the module's queue epoch: records after it are still queued
 * when the next helper starts, and are read again even after a SIGKILL.
 * A module reloaded in between has a new epoch and a new seq space: the
 * checkpoint is then of no use.
 *
 * File layout (integers big-endian):
 *   "BMPTCKPT" u32 version u64 epoch u64 seq u32 n_attrs u32 n_peers
 *   u64 the hash key of the tables (attr_table.seed)
 *   n_attrs x attribute set: u8 fam (ATTR_FAM_MP: famrib.h) u8 nh_len nh
 *           u32 len data
 *   n_peers x peer (session, OPENs, counters, both Adj-RIBs whose routes
 *           name attribute sets by their index above, then u32 length and
 *           the other families' section, famrib_ckpt.c)
 *   u32 crc32c of everything before, u64 that length
 * Written to PATH.tmp, fsync'd, renamed over PATH, the directory fsync'd:
 * a crash leaves the old checkpoint or the new one, never a mix.  A file
 * that fails any check loads nothing.
 */
#ifndef BMPTAP_CHECKPOINT_H
#define BMPTAP_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct peers;

#define CKPT_MAGIC	"BMPTCKPT"
#define CKPT_VERSION	5u	/* 3: the other families (famrib.h); 4: and their Adj-RIB-Out; 5: flows' VRF */

/* Results of ckpt_decode() / ckpt_read() besides 0 (loaded). */
enum ckpt_err {
	CKPT_ENOENT = -1,	/* no checkpoint file: a first start */
	CKPT_EEPOCH = -2,	/* valid, but of another module instance */
	CKPT_ESTALE = -5,	/* valid, but records after it were freed without it */
	CKPT_EBAD = -3,		/* refused: corrupt, truncated, foreign, other version */
	CKPT_ESYS = -4,		/* I/O or memory */
};

uint32_t ckpt_crc32c(uint32_t crc, const void *data, size_t len);

/* The whole file image of ps's peers into b (reset first); 0 or -ENOMEM. */
int ckpt_encode(const struct peers *ps, uint64_t epoch, uint64_t seq, struct buf *b);
/*
 * Checks a file image and, when it is of this epoch and covers at least
 * the records up to min_seq (those the module freed), loads its peers
 * into ps (which must have none yet) and sets *seq.  On any refusal
 * nothing is loaded and why says what was wrong in a few words.
 */
int ckpt_decode(const uint8_t *data, size_t len, struct peers *ps, uint64_t epoch,
		uint64_t min_seq, uint64_t *seq, char *why, size_t why_len);

/* ckpt_encode() to path atomically (layout above); 0, or CKPT_ESYS with why. */
int ckpt_write(const char *path, const struct peers *ps, uint64_t epoch, uint64_t seq,
	       size_t *bytes, char *why, size_t why_len);
/* ckpt_decode() of path's contents. */
int ckpt_read(const char *path, struct peers *ps, uint64_t epoch, uint64_t min_seq,
	      uint64_t *seq, char *why, size_t why_len);

/*
 * --checkpoint auto: /var/lib/bmptap/<name>.ckpt, name being the
 * namespace's under /run/netns (as `ip netns add` makes them), or
 * "default" for the initial namespace or an unnamed one.
 */
void ckpt_default_path(char *out, size_t len);

#endif
