/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When bmptapd writes checkpoints (checkpoint.h) and what it may then
 * acknowledge to the module.
 *
 * Without a checkpoint path every processed batch is acknowledged, as
 * before checkpoints existed.  With one, a record is acknowledged only
 * once a written checkpoint covers it: on SIGTERM, every interval, and
 * sooner when the records read since the last one pass half the module's
 * queue bound (unacknowledged records count against it, and a full queue
 * drops messages).  At start a checkpoint of the module's queue epoch is
 * loaded; the records it covers, delivered again because their
 * acknowledgement never reached the module, are skipped.
 */
#ifndef BMPTAP_CKPTCTL_H
#define BMPTAP_CKPTCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "records.h"

struct bt_json;
struct bt_log;
struct peers;

#define CKPT_INTERVAL_DEFAULT_S 30

struct ckpt_ctl {
	const char *path;		/* NULL: no checkpoints */
	const struct bt_log *log;
	unsigned interval_s;
	uint64_t epoch;			/* the module's queue epoch; 0: none, no checkpoints */
	uint64_t seq;			/* the newest checkpoint covers records up to it */
	uint64_t applied;		/* the last record given to the peers */
	uint64_t skip_to;		/* records up to it are in the loaded checkpoint */
	uint64_t unacked_bytes;		/* read since the last checkpoint */
	uint64_t soon_bytes;		/* half the queue bound: checkpoint then */
	bool have_file;			/* one of this run's state exists */
	bool failing;			/* the last write failed: ack as read */
	uint64_t written, loaded, refused, failed;
	uint64_t last_bytes, last_ms;	/* the last write's size and duration */
};

/*
 * The module's epoch, acknowledged seq and queue bound are known: loads a
 * checkpoint of this epoch into ps (no peers yet).  A refused file is
 * logged once and counted; ps is then untouched.
 */
void ckpt_ctl_start(struct ckpt_ctl *c, struct peers *ps, uint64_t epoch, uint64_t acked,
		    uint32_t queue_bytes);
/* Each record read: false when a loaded checkpoint already holds it. */
bool ckpt_ctl_record(struct ckpt_ctl *c, const struct bt_rec *rec);
/* Whether the records read since the last checkpoint call for one now. */
bool ckpt_ctl_due(const struct ckpt_ctl *c);
/* Writes a checkpoint of ps if records were applied since the last one. */
void ckpt_ctl_save(struct ckpt_ctl *c, const struct peers *ps);
/* What may be acknowledged, read_seq being the last record delivered:
 * what the newest checkpoint covers, or everything while none can be
 * written. */
uint64_t ckpt_ctl_ack_seq(const struct ckpt_ctl *c, uint64_t read_seq);
/* "checkpoints": the path and the counters, for the status document. */
void ckpt_ctl_status_json(const struct ckpt_ctl *c, struct bt_json *j);

#endif
