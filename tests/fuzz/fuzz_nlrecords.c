// fuzz-sources: userspace/lib/records.c userspace/lib/nl.c (links -lmnl)
// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for everything that parses bytes from the kernel
 * without a socket: the record stream (bt_records_parse), READ
 * dump replies (bt_nl_read_process), notifications (bt_nl_ntf_parse) and
 * error/extack decoding (bt_nl_msg_error).
 *
 * Invariants: no crash or sanitizer report; every delivered record lies
 * inside the input, has len >= its header and a payload of len - header;
 * records come in seq order with every jump reported as a hole first; the
 * returned count matches the records delivered.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "nl.h"
#include "records.h"

#define FAMILY	0x1c	/* as in the seeds */

struct check {
	const uint8_t *base;
	size_t size;		/* 0: bounds not known (netlink path) */
	uint64_t expect;	/* BT_SEQ_UNKNOWN until the first record */
	int records;
	bool hole_pending;
};

static int on_rec(void *ctx, const struct bt_rec *r)
{
	struct check *c = ctx;

	switch (r->kind) {
	case BT_RK_SEQ_HOLE:
		if (r->expected == r->got || c->hole_pending)
			abort();
		if (c->expect != BT_SEQ_UNKNOWN && r->expected != c->expect)
			abort();
		c->hole_pending = true;
		c->expect = r->got;
		return 0;
	case BT_RK_MALFORMED:
		if (r->error >= 0)
			abort();
		return 0;
	case BT_RK_RECORD:
		break;
	default:
		abort();
	}
	if (r->hdr.len < sizeof(struct bmptap_rec) ||
	    r->payload_len != r->hdr.len - sizeof(struct bmptap_rec))
		abort();
	if (c->size && (r->payload < c->base ||
			r->payload + r->payload_len > c->base + c->size))
		abort();
	if (c->expect != BT_SEQ_UNKNOWN && r->hdr.seq != c->expect)
		abort();
	c->expect = r->hdr.seq + 1;
	c->hole_pending = false;
	c->records++;
	/* Touch every payload byte so ASan sees any overrun. */
	{
		volatile uint8_t sum = 0;
		size_t i;

		for (i = 0; i < r->payload_len; i++)
			sum += r->payload[i];
		(void)sum;
	}
	return 0;
}

static void fuzz_stream(const uint8_t *data, size_t size, uint64_t start)
{
	struct check c = { .base = data, .size = size, .expect = start };
	uint64_t next = start;
	int n = bt_records_parse(data, size, &next, on_rec, &c);

	if (n >= 0 && n != c.records)
		abort();
	if (c.records && next != c.expect)
		abort();
}

static void fuzz_netlink(const uint8_t *data, size_t size)
{
	/* Netlink buffers are aligned; the parser may rely on that. */
	uint8_t *buf = malloc(size ? size : 1);
	struct check c = { .expect = BT_SEQ_UNKNOWN };
	struct bt_nl nl;
	char ext[64];
	size_t off = 0;

	if (!buf)
		return;
	memcpy(buf, data, size);
	bt_nl_init(&nl);
	nl.family = FAMILY;
	nl.reading = true;
	nl.read_seq = 1;
	bt_nl_read_process(&nl, buf, size, on_rec, &c);
	bt_nl_ntf_parse(&nl, buf, size);

	/* Own walk: libmnl's mnl_nlmsg_ok() loops forever on len 0xffffffff. */
	while (size - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)(buf + off);

		if (m->nlmsg_len < sizeof(*m) || m->nlmsg_len > size - off)
			break;
		bt_nl_msg_error(m, ext, sizeof(ext));
		if (strlen(ext) >= sizeof(ext))
			abort();
		off += MNL_ALIGN((size_t)m->nlmsg_len);
		if (off > size)
			break;
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_stream(data, size, BT_SEQ_UNKNOWN);
	if (size >= 8) {
		uint64_t start;

		/* Also with a seq expectation taken from the input. */
		memcpy(&start, data, sizeof(start));
		fuzz_stream(data + 8, size - 8, start);
	}
	fuzz_netlink(data, size);
	return 0;
}
