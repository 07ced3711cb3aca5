// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap: the bounded per-netns record queue (see queue.h).
 */
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <net/netlink.h>

#include "bmptap.h"

struct bmptap_chunk {
	struct list_head node;
	u32 size;		/* capacity of data */
	u32 head;		/* first unacknowledged byte */
	u32 tail;		/* first free byte */
	u8 data[] __aligned(8);
};

/* Regular chunks are one 16 KiB allocation. */
#define BMPTAP_CHUNK_DATA	(BMPTAP_CHUNK_SIZE - sizeof(struct bmptap_chunk))

void bmptap_queue_init(struct bmptap_queue *q, u32 limit)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->chunks);
	q->limit = limit;
	/*
	 * Unarmed: no doorbell until a reader's READ drained the queue.  A
	 * reader READs when it starts, so it needs none before; and the
	 * doorbell (netlink.c) may not exist before the family does.
	 */
	q->armed = false;
	q->dead = false;
	q->next_seq = 1;
	q->bytes = 0;
	q->records = 0;
	q->lost = 0;
	do
		q->epoch = get_random_u64();
	while (!q->epoch);
	q->acked = 0;
	q->rd_seq = 1;
	q->rd_chunk = NULL;
	q->rd_off = 0;
	q->reader = 0;
}

void bmptap_queue_shutdown(struct bmptap_queue *q)
{
	spin_lock_bh(&q->lock);
	q->dead = true;
	q->armed = false;
	spin_unlock_bh(&q->lock);
}

void bmptap_queue_free(struct bmptap_queue *q)
{
	struct bmptap_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, &q->chunks, node) {
		list_del(&c->node);
		kfree(c);
	}
	q->rd_chunk = NULL;
	q->bytes = 0;
	q->records = 0;
}

void bmptap_queue_set_limit(struct bmptap_queue *q, u32 limit)
{
	spin_lock_bh(&q->lock);
	q->limit = limit;
	spin_unlock_bh(&q->lock);
}

static struct bmptap_chunk *queue_room(struct bmptap_queue *q, u32 alen)
{
	struct bmptap_chunk *c = NULL;
	u32 size;

	if (!list_empty(&q->chunks)) {
		c = list_last_entry(&q->chunks, struct bmptap_chunk, node);
		if (c->size - c->tail >= alen)
			return c;
	}
	size = max_t(u32, alen, BMPTAP_CHUNK_DATA);
	c = kmalloc(sizeof(*c) + size, GFP_ATOMIC | __GFP_NOWARN);
	if (!c)
		return NULL;
	c->size = size;
	c->head = 0;
	c->tail = 0;
	list_add_tail(&c->node, &q->chunks);
	return c;
}

/* Append one record; q->lock held. */
static int queue_add(struct bmptap_queue *q, struct bmptap_rec *rec,
		     const void *p1, u32 l1, const void *p2, u32 l2,
		     enum bmptap_qclass cls)
{
	u32 len = sizeof(*rec) + l1 + l2;
	u32 alen = BMPTAP_REC_ALIGN(len);
	u64 bound = q->limit;
	struct bmptap_chunk *c;
	u8 *dst;

	if (cls == BMPTAP_Q_CONTROL)
		bound += q->limit / 16;
	if (q->bytes + alen > bound)
		return -ENOSPC;
	c = queue_room(q, alen);
	if (!c)
		return -ENOMEM;

	rec->len = len;
	rec->seq = q->next_seq++;
	dst = c->data + c->tail;
	memcpy(dst, rec, sizeof(*rec));
	dst += sizeof(*rec);
	if (l1)
		memcpy(dst, p1, l1);
	if (l2)
		memcpy(dst + l1, p2, l2);
	if (alen > len)
		memset(dst + l1 + l2, 0, alen - len);
	c->tail += alen;
	q->bytes += alen;
	q->records++;
	return 0;
}

/* Queue the LOST record owed to the reader; q->lock held. */
static int queue_add_lost(struct bmptap_queue *q)
{
	struct bmptap_rec rec = {
		.type = BMPTAP_REC_LOST,
		.aux = (u32)min_t(u64, q->lost, U32_MAX),
		.ts_ns = ktime_get_real_ns(),
	};
	int ret;

	ret = queue_add(q, &rec, NULL, 0, NULL, 0, BMPTAP_Q_CONTROL);
	if (!ret)
		q->lost = 0;
	return ret;
}

int bmptap_queue_push(struct bmptap_net *bn, struct bmptap_rec *rec,
		      const void *p1, u32 l1, const void *p2, u32 l2,
		      enum bmptap_qclass cls, u64 *seq)
{
	struct bmptap_queue *q = &bn->queue;
	bool ring = false;
	u32 added = 0;
	int ret;

	spin_lock_bh(&q->lock);
	if (q->dead) {
		ret = -ESHUTDOWN;
		goto out;
	}
	/* Nothing may overtake the report of lost records. */
	if (q->lost) {
		ret = queue_add_lost(q);
		if (ret)
			goto out;
		added++;
	}
	ret = queue_add(q, rec, p1, l1, p2, l2, cls);
	if (!ret) {
		added++;
		*seq = rec->seq;
	}
out:
	if (added && q->armed) {
		q->armed = false;
		ring = true;
	}
	spin_unlock_bh(&q->lock);

	if (added)
		bmptap_count(bn, BMPTAP_CNT_RECORDS, added);
	/* The doorbell is sent from a work item, never from a hook. */
	if (ring)
		schedule_work(&bn->doorbell_work);
	return ret;
}

bool bmptap_queue_fits(struct bmptap_queue *q, u32 payload_len)
{
	u32 alen = BMPTAP_REC_ALIGN(sizeof(struct bmptap_rec) + payload_len);

	/* Unlocked: a hint, the push itself decides. */
	return READ_ONCE(q->bytes) + alen <= READ_ONCE(q->limit);
}

void bmptap_queue_lost(struct bmptap_net *bn)
{
	struct bmptap_queue *q = &bn->queue;
	bool counted = false;

	spin_lock_bh(&q->lock);
	if (!q->dead) {
		q->lost++;
		counted = true;
	}
	spin_unlock_bh(&q->lock);
	if (counted)
		bmptap_count(bn, BMPTAP_CNT_RECORDS_LOST, 1);
}

void bmptap_queue_kick(struct bmptap_net *bn)
{
	struct bmptap_queue *q = &bn->queue;
	bool ring = false;
	bool added;

	spin_lock_bh(&q->lock);
	added = !q->dead && q->lost && !queue_add_lost(q);
	if (added && q->armed) {
		q->armed = false;
		ring = true;
	}
	spin_unlock_bh(&q->lock);

	if (added)
		bmptap_count(bn, BMPTAP_CNT_RECORDS, 1);
	if (ring)
		schedule_work(&bn->doorbell_work);
}

/* A new reader starts at the oldest unacknowledged record; q->lock held. */
static void queue_rewind(struct bmptap_queue *q, u32 portid)
{
	q->rd_chunk = NULL;
	q->rd_seq = q->acked + 1;
	q->reader = portid;
}

/*
 * Copy whole records from the cursor to dst while they fit in avail, and
 * advance the cursor past them; q->lock held.  Returns the bytes copied.
 */
static u32 queue_copy(struct bmptap_queue *q, u8 *dst, u32 avail)
{
	struct bmptap_chunk *c = q->rd_chunk;
	u32 off = q->rd_off, n = 0;
	bool full = false;

	if (!c) {
		if (list_empty(&q->chunks))
			return 0;
		c = list_first_entry(&q->chunks, struct bmptap_chunk, node);
		off = c->head;
	}
	for (;;) {
		u32 run = 0;

		while (off + run < c->tail) {
			const struct bmptap_rec *rec = (const void *)(c->data + off + run);
			u32 alen = BMPTAP_REC_ALIGN(rec->len);

			if (alen > avail - n - run) {
				full = true;
				break;
			}
			run += alen;
			q->rd_seq = rec->seq + 1;
		}
		memcpy(dst + n, c->data + off, run);
		n += run;
		off += run;
		if (full || list_is_last(&c->node, &q->chunks))
			break;
		c = list_next_entry(c, node);
		off = c->head;
	}
	if (n) {
		q->rd_chunk = c;
		q->rd_off = off;
	}
	return n;
}

/* Everything queued was delivered: re-arm the doorbell; q->lock held. */
static bool queue_drained(struct bmptap_queue *q)
{
	bool drained = q->rd_seq == q->next_seq;

	if (drained && !q->dead)
		q->armed = true;
	return drained;
}

int bmptap_queue_read(struct bmptap_net *bn, struct sk_buff *skb, u32 portid,
		      bool *drained)
{
	struct bmptap_queue *q = &bn->queue;
	/* skb->len already holds the netlink and genl headers of this reply. */
	int room = min_t(int, skb_tailroom(skb), BMPTAP_READ_BUFSIZE - skb->len);
	bool lost_added = false;
	int ret;
	u32 n;

	*drained = false;
	if (room < (int)sizeof(struct bmptap_rec))
		return -EMSGSIZE;

	spin_lock_bh(&q->lock);
	if (portid != q->reader)
		queue_rewind(q, portid);
	if (q->lost && !q->dead && !queue_add_lost(q))
		lost_added = true;
	n = queue_copy(q, skb_tail_pointer(skb), room);
	*drained = queue_drained(q);
	/* Records left but none fits: the caller's buffer is too small. */
	ret = n ? (int)n : *drained ? 0 : -EMSGSIZE;
	spin_unlock_bh(&q->lock);

	if (n)
		skb_put(skb, n);
	if (lost_added)
		bmptap_count(bn, BMPTAP_CNT_RECORDS, 1);
	return ret;
}

/* Free the records up to seq from the front; q->lock held. */
static void queue_free_upto(struct bmptap_queue *q, u64 seq)
{
	while (!list_empty(&q->chunks)) {
		struct bmptap_chunk *c;

		c = list_first_entry(&q->chunks, struct bmptap_chunk, node);
		while (c->head < c->tail) {
			const struct bmptap_rec *rec = (const void *)(c->data + c->head);
			u32 alen = BMPTAP_REC_ALIGN(rec->len);

			if (rec->seq > seq)
				return;
			c->head += alen;
			q->bytes -= alen;
			q->records--;
		}
		/*
		 * Every record of c was delivered, so a cursor in c is at its
		 * end, which is now the oldest record.
		 */
		if (q->rd_chunk == c)
			q->rd_chunk = NULL;
		if (list_is_last(&c->node, &q->chunks) && c->size == BMPTAP_CHUNK_DATA) {
			c->head = 0;
			c->tail = 0;
			return;
		}
		list_del(&c->node);
		kfree(c);
	}
}

int bmptap_queue_ack(struct bmptap_net *bn, u64 seq)
{
	struct bmptap_queue *q = &bn->queue;
	int ret = 0;

	spin_lock_bh(&q->lock);
	if (seq >= q->rd_seq) {
		ret = -EINVAL;
	} else if (seq > q->acked) {
		queue_free_upto(q, seq);
		q->acked = seq;
	}
	spin_unlock_bh(&q->lock);
	return ret;
}

void bmptap_queue_release(struct bmptap_net *bn, u32 portid)
{
	struct bmptap_queue *q = &bn->queue;

	spin_lock_bh(&q->lock);
	if (portid == q->reader)
		queue_rewind(q, 0);
	spin_unlock_bh(&q->lock);
}

void bmptap_queue_stats(struct bmptap_queue *q, struct bmptap_queue_info *qi)
{
	spin_lock_bh(&q->lock);
	qi->bytes = q->bytes;
	qi->records = q->records;
	qi->next_seq = q->next_seq;
	qi->epoch = q->epoch;
	qi->acked = q->acked;
	spin_unlock_bh(&q->lock);
}
