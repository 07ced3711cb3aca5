/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded per-netns queue of struct bmptap_rec records, consumed by
 * BMPTAP_CMD_READ dumps.
 *
 * Records are stored back to back, 8-byte aligned, in kmalloc'd chunks;
 * a record never spans chunks.  The bound counts aligned record bytes:
 * MSG records may fill the queue up to queue_bytes, control records
 * (FLOW_START, GAP, FLOW_END, LOST) may use a reserve of 1/16 beyond it so
 * that a queue full of messages still reports what happened to them.
 * seq is assigned under the lock to records actually queued, so it never
 * has holes; when a control record cannot be queued the queue counts it and
 * a LOST record (aux = count) goes in before any other record.
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

struct bmptap_queue {
	spinlock_t lock;
	struct list_head chunks;
	u32 limit;		/* queue_bytes */
	bool armed;		/* the reader is idle: ring the doorbell */
	bool dead;		/* teardown began: refuse everything */
	u64 next_seq;
	u64 bytes;		/* aligned bytes queued */
	u64 records;
	u64 lost;		/* control records lost, not yet reported */
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

/* Queue the pending LOST record if there is room (e.g. after a drain). */
void bmptap_queue_kick(struct bmptap_net *bn);

/*
 * Move as many whole records as fit into the payload of skb (a READ reply).
 * Returns the bytes moved (0: none fit or the queue is empty) or a negative
 * errno; *drained is set when the queue is empty afterwards, and the
 * doorbell is then re-armed.
 */
int bmptap_queue_read(struct bmptap_net *bn, struct sk_buff *skb, bool *drained);

void bmptap_queue_stats(struct bmptap_queue *q, u64 *bytes, u64 *records,
			u64 *next_seq);

#endif /* BMPTAP_QUEUE_H */
