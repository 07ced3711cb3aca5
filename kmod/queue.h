/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded per-netns queue of struct bmptap_rec records, read by
 * BMPTAP_CMD_READ dumps and freed by BMPTAP_CMD_ACK.
 *
 * Records are stored back to back, 8-byte aligned, in kmalloc'd chunks;
 * a record never spans chunks.  The bound counts aligned record bytes:
 * MSG records may fill the queue up to queue_bytes, control records
 * (FLOW_START, GAP, FLOW_END, LOST) may use a reserve of 1/16 beyond it so
 * that a queue full of messages still reports what happened to them.
 * seq is assigned under the lock to records actually queued, so it never
 * has holes; when a control record cannot be queued the queue counts it and
 * a LOST record (aux = count) goes in before any other record.
 *
 * Records stay queued, and count against the bound, until acknowledged.
 * READ delivers from a read cursor: rd_chunk/rd_off, or NULL for "at the
 * oldest record", which is also where a new reader (rewind) starts.  The
 * queued records are exactly seqs acked + 1 .. next_seq - 1.
 */
#ifndef BMPTAP_QUEUE_H
#define BMPTAP_QUEUE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/bmptap.h>

struct bmptap_net;
struct sk_buff;

#define BMPTAP_CHUNK_SIZE	(16U << 10)
/* The largest record: a header and a maximum-size BGP message. */
#define BMPTAP_REC_MAX		BMPTAP_REC_ALIGN(sizeof(struct bmptap_rec) + 65535U)

struct bmptap_chunk;

struct bmptap_queue {
	spinlock_t lock;
	struct list_head chunks;
	u32 limit;		/* queue_bytes */
	bool armed;		/* a reader drained it: ring the doorbell */
	bool dead;		/* teardown began: refuse everything */
	u64 next_seq;
	u64 bytes;		/* aligned bytes queued (unacknowledged) */
	u64 records;
	u64 lost;		/* control records lost, not yet reported */
	u64 epoch;		/* random, never 0: names this queue to readers */
	u64 acked;		/* highest seq acknowledged */
	u64 rd_seq;		/* seq the cursor delivers next */
	struct bmptap_chunk *rd_chunk;	/* NULL: at the oldest record */
	u32 rd_off;
	u32 reader;		/* portid of the last READ, 0: none */
};

struct bmptap_queue_info {
	u64 bytes, records, next_seq, epoch, acked;
};

enum bmptap_qclass {
	BMPTAP_Q_MSG,		/* within queue_bytes */
	BMPTAP_Q_CONTROL,	/* may use the reserve */
};

void bmptap_queue_init(struct bmptap_queue *q, u32 limit);
void bmptap_queue_shutdown(struct bmptap_queue *q);
void bmptap_queue_free(struct bmptap_queue *q);
void bmptap_queue_set_limit(struct bmptap_queue *q, u32 limit);

/*
 * Queue a record: the header (len and seq are filled in) and up to two
 * pieces of payload.  Returns 0 with *seq set, -ENOSPC when it does not fit,
 * -ENOMEM, or -ESHUTDOWN after teardown began (count nothing then).
 */
int bmptap_queue_push(struct bmptap_net *bn, struct bmptap_rec *rec,
		      const void *p1, u32 l1, const void *p2, u32 l2,
		      enum bmptap_qclass cls, u64 *seq);

/* A control record could not be queued: report it in a LOST record. */
void bmptap_queue_lost(struct bmptap_net *bn);

/* Whether a message record with this payload would fit in the bound now. */
bool bmptap_queue_fits(struct bmptap_queue *q, u32 payload_len);

/* Queue the pending LOST record if there is room (e.g. after an ACK freed some). */
void bmptap_queue_kick(struct bmptap_net *bn);

/*
 * Copy as many whole records as fit, from the read cursor of the reader
 * portid, into the payload of skb (a READ reply); the cursor rewinds first
 * when portid is not the last reader.  Returns the bytes copied (0: none
 * fit or nothing is left to deliver) or a negative errno; *drained is set
 * when everything queued was delivered, and the doorbell is then re-armed.
 */
int bmptap_queue_read(struct bmptap_net *bn, struct sk_buff *skb, u32 portid,
		      bool *drained);

/*
 * Free the records up to seq.  -EINVAL when seq was not delivered yet;
 * 0 otherwise (nothing to do when seq was acknowledged already).
 */
int bmptap_queue_ack(struct bmptap_net *bn, u64 seq);

/* The socket portid went away: if it was the reader, rewind the cursor. */
void bmptap_queue_release(struct bmptap_net *bn, u32 portid);

void bmptap_queue_stats(struct bmptap_queue *q, struct bmptap_queue_info *qi);

#endif /* BMPTAP_QUEUE_H */
