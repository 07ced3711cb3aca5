// SPDX-License-Identifier: GPL-2.0
#include "ckptctl.h"

#include <inttypes.h>
#include <time.h>

#include "checkpoint.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "peer.h"

void ckpt_ctl_start(struct ckpt_ctl *c, struct peers *ps, uint64_t epoch, uint64_t acked,
		    uint32_t queue_bytes)
{
	char why[256];
	uint64_t seq = 0;
	int r;

	c->seq = c->applied = c->skip_to = acked;
	c->soon_bytes = queue_bytes / 2;
	if (!c->path)
		return;
	if (!epoch) {
		LOG_W(c->log, "checkpoints: the module has no acknowledged reads; not used");
		c->path = NULL;
		return;
	}
	c->epoch = epoch;
	r = ckpt_read(c->path, ps, epoch, acked, &seq, why, sizeof(why));
	switch (r) {
	case 0:
		c->loaded++;
		c->have_file = true;
		c->seq = c->applied = c->skip_to = seq;
		LOG_I(c->log, "checkpoint %s loaded: %u peer(s), records up to %" PRIu64
		      " (the module acknowledged %" PRIu64 ")", c->path, ps->count, seq, acked);
		break;
	case CKPT_ENOENT:
		LOG_I(c->log, "checkpoint %s: none yet", c->path);
		break;
	case CKPT_EEPOCH:
	case CKPT_ESTALE:
		LOG_W(c->log, "checkpoint %s ignored: %s", c->path, why);
		break;
	case CKPT_EBAD:
		c->refused++;
		LOG_E(c->log, "checkpoint %s refused: %s; starting without it", c->path, why);
		break;
	default:
		c->refused++;
		LOG_E(c->log, "checkpoint %s unreadable: %s; starting without it", c->path, why);
	}
}

bool ckpt_ctl_record(struct ckpt_ctl *c, const struct bt_rec *rec)
{
	if (rec->kind != BT_RK_RECORD)
		return true;
	if (rec->hdr.seq <= c->skip_to)
		return false;
	c->applied = rec->hdr.seq;
	/* The queue counts records 8-byte aligned. */
	c->unacked_bytes += ((uint64_t)rec->hdr.len + 7) & ~(uint64_t)7;
	return true;
}

bool ckpt_ctl_due(const struct ckpt_ctl *c)
{
	return c->path && c->soon_bytes && c->unacked_bytes >= c->soon_bytes;
}

void ckpt_ctl_save(struct ckpt_ctl *c, const struct peers *ps)
{
	char why[256];
	size_t bytes = 0;
	uint64_t t0 = loop_now_ms();

	/* The first one even without records: the peers of the flow dump. */
	if (!c->path || (c->have_file && c->applied == c->seq))
		return;
	if (ckpt_write(c->path, ps, c->epoch, c->applied, &bytes, why, sizeof(why))) {
		c->failed++;
		if (!c->failing)
			LOG_E(c->log, "checkpoint: %s; acknowledging records without one until a "
			      "checkpoint can be written", why);
		c->failing = true;
		return;
	}
	if (c->failing)
		LOG_I(c->log, "checkpoint %s written again", c->path);
	c->failing = false;
	c->written++;
	c->have_file = true;
	c->seq = c->applied;
	c->unacked_bytes = 0;
	c->last_bytes = bytes;
	c->last_ms = loop_now_ms() - t0;
	LOG_D(c->log, "checkpoint %s: %zu bytes, records up to %" PRIu64 ", %" PRIu64 " ms",
	      c->path, bytes, c->seq, c->last_ms);
}

uint64_t ckpt_ctl_ack_seq(const struct ckpt_ctl *c, uint64_t read_seq)
{
	/* A checkpoint that cannot be written must not fill the module's
	 * queue: the live feed goes first, the next start ignores the stale
	 * file (CKPT_ESTALE). */
	if (!c->path || c->failing)
		return read_seq;
	return c->seq < read_seq ? c->seq : read_seq;
}

void ckpt_ctl_status_json(const struct ckpt_ctl *c, struct bt_json *j)
{
	bt_json_key(j, "checkpoints");
	bt_json_obj_open(j);
	bt_json_kv_str(j, "path", c->path ? c->path : "");
	bt_json_kv_u64(j, "written", c->written);
	bt_json_kv_u64(j, "loaded", c->loaded);
	bt_json_kv_u64(j, "refused", c->refused);
	bt_json_kv_u64(j, "failed", c->failed);
	bt_json_kv_u64(j, "seq", c->seq);
	bt_json_kv_u64(j, "last_bytes", c->last_bytes);
	bt_json_kv_u64(j, "last_ms", c->last_ms);
	bt_json_obj_close(j);
}
