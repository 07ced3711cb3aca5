// SPDX-License-Identifier: GPL-2.0
/*
 * Record stream parsing and the socket-free parts of the netlink client:
 * reply walking, extack extraction and notification decoding, fed with
 * messages built here the way the kernel builds them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "nl.h"
#include "records.h"

#define FAMILY	0x1c
#define HDR	sizeof(struct bmptap_rec)
/* A KEEPALIVE record, without and with its pad. */
#define KA	(HDR + 19)
#define KA_PAD	BMPTAP_REC_ALIGN(KA)

/* ---- stream builder ------------------------------------------------------ */

struct stream {
	uint8_t buf[16384];
	size_t len;
};

static void put_rec(struct stream *s, uint16_t type, uint8_t dir, uint32_t flow,
		    uint32_t aux, uint64_t seq, const void *payload, size_t plen,
		    bool pad)
{
	struct bmptap_rec h = {
		.len = (uint32_t)(HDR + plen), .type = type, .dir = dir,
		.flow_id = flow, .aux = aux, .seq = seq, .ts_ns = 1000 + seq,
	};

	assert_true(s->len + BMPTAP_REC_ALIGN(h.len) <= sizeof(s->buf));
	memcpy(s->buf + s->len, &h, HDR);
	if (plen)
		memcpy(s->buf + s->len + HDR, payload, plen);
	s->len += pad ? BMPTAP_REC_ALIGN(h.len) : h.len;
}

static const uint8_t keepalive[19] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 19, 4,
};

static void put_msg(struct stream *s, uint32_t flow, uint64_t seq)
{
	put_rec(s, BMPTAP_REC_MSG, BMPTAP_DIR_RX, flow, 0, seq, keepalive,
		sizeof(keepalive), true);
}

/* ---- recording callback -------------------------------------------------- */

struct seen {
	size_t n;
	struct bt_rec r[64];
	uint8_t payload[64][64];
	int stop_at;		/* stop when n reaches this; 0: never */
};

static int record(void *ctx, const struct bt_rec *r)
{
	struct seen *s = ctx;

	assert_true(s->n < 64);
	s->r[s->n] = *r;
	if (r->kind == BT_RK_RECORD && r->payload_len)
		memcpy(s->payload[s->n], r->payload,
		       r->payload_len < 64 ? r->payload_len : 64);
	s->n++;
	return s->stop_at && (int)s->n == s->stop_at;
}

/* ---- bt_records_parse ---------------------------------------------------- */

static void test_valid_stream(void **state)
{
	struct bmptap_flow_info fi = { .family = AF_INET, .flags = BMPTAP_FLOWF_MIDSTREAM,
				       .local_port = 0xb300, .start_ns = 42 };
	struct { struct bmptap_gap g; uint8_t d[5]; } gap = {
		{ .bytes = 5, .messages = 0, .reason = BMPTAP_GAP_RESYNC },
		{ 1, 2, 3, 4, 5 },
	};
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;
	struct bmptap_flow_info fi2;
	struct bmptap_gap g2;
	const uint8_t *data;
	size_t dlen;

	(void)state;
	put_rec(&st, BMPTAP_REC_FLOW_START, 0, 7, 0, 100, &fi, sizeof(fi), true);
	put_msg(&st, 7, 101);
	put_rec(&st, BMPTAP_REC_GAP, BMPTAP_DIR_TX, 7, 0, 102, &gap,
		sizeof(gap.g) + sizeof(gap.d), true);
	put_rec(&st, BMPTAP_REC_FLOW_END, 0, 7, BMPTAP_END_FIN_REMOTE, 103, NULL, 0, true);
	put_rec(&st, BMPTAP_REC_LOST, 0, 0, 9, 104, NULL, 0, true);

	assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s), 5);
	assert_int_equal(next, 105);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.r[0].kind, BT_RK_RECORD);
	assert_int_equal(s.r[0].hdr.type, BMPTAP_REC_FLOW_START);
	assert_true(bt_rec_flow_info(&s.r[0], &fi2));
	assert_int_equal(fi2.start_ns, 42);
	assert_int_equal(fi2.local_port, 0xb300);
	assert_int_equal(s.r[1].hdr.type, BMPTAP_REC_MSG);
	assert_int_equal(s.r[1].payload_len, 19);
	assert_memory_equal(s.payload[1], keepalive, 19);
	assert_int_equal(s.r[1].hdr.ts_ns, 1101);
	assert_int_equal(s.r[2].hdr.dir, BMPTAP_DIR_TX);
	assert_true(bt_rec_gap(&s.r[2], &g2, &data, &dlen));
	assert_int_equal(g2.reason, BMPTAP_GAP_RESYNC);
	assert_int_equal(dlen, 5);
	assert_int_equal(s.payload[2][sizeof(struct bmptap_gap) + 4], 5);
	assert_false(bt_rec_flow_info(&s.r[1], &fi2));
	assert_false(bt_rec_gap(&s.r[3], &g2, NULL, NULL));
	assert_int_equal(s.r[3].hdr.aux, BMPTAP_END_FIN_REMOTE);
	assert_int_equal(s.r[4].hdr.type, BMPTAP_REC_LOST);
	assert_int_equal(s.r[4].hdr.aux, 9);
}

static void test_empty_stream(void **state)
{
	uint64_t next = 5;
	struct seen s = { .n = 0 };

	(void)state;
	assert_int_equal(bt_records_parse("", 0, &next, record, &s), 0);
	assert_int_equal(next, 5);
	assert_int_equal(s.n, 0);
}

static void test_last_record_unpadded(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;

	(void)state;
	put_msg(&st, 1, 1);
	put_rec(&st, BMPTAP_REC_MSG, 0, 1, 0, 2, keepalive, 19, false);
	assert_int_equal(st.len, KA_PAD + KA);
	assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s), 2);
	assert_int_equal(next, 3);
}

/* A stream read in slices: only whole, padded records are taken. */
static void test_whole_records(void **state)
{
	struct stream st = { .len = 0 };
	struct bmptap_rec h;

	(void)state;
	assert_int_equal(bt_records_whole(st.buf, 0), 0);
	put_msg(&st, 1, 1);
	put_msg(&st, 1, 2);
	assert_int_equal(bt_records_whole(st.buf, st.len), 2 * KA_PAD);
	/* A torn header, a torn payload, an unpadded last record: kept back. */
	assert_int_equal(bt_records_whole(st.buf, KA_PAD + HDR - 1), KA_PAD);
	assert_int_equal(bt_records_whole(st.buf, KA_PAD + KA - 1), KA_PAD);
	assert_int_equal(bt_records_whole(st.buf, KA_PAD + KA), KA_PAD);
	/* A length below the header's is no framing: left to the parser. */
	memcpy(&h, st.buf + KA_PAD, HDR);
	h.len = HDR - 1;
	memcpy(st.buf + KA_PAD, &h, HDR);
	assert_int_equal(bt_records_whole(st.buf, st.len), KA_PAD);
}

static void test_unaligned_buffer(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;
	uint8_t *odd = malloc(sizeof(st.buf) + 3);

	(void)state;
	put_msg(&st, 1, 1);
	put_msg(&st, 1, 2);
	/* Netlink guarantees 4-byte alignment only; try worse. */
	memcpy(odd + 3, st.buf, st.len);
	assert_int_equal(bt_records_parse(odd + 3, st.len, &next, record, &s), 2);
	assert_int_equal(s.r[1].hdr.seq, 2);
	free(odd);
}

static void test_truncated_header(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;
	size_t cut;

	(void)state;
	put_msg(&st, 1, 1);
	put_msg(&st, 1, 2);
	/* Every cut inside the first record's pad and the second header. */
	for (cut = KA; cut < KA_PAD + HDR; cut++) {
		s.n = 0;
		next = BT_SEQ_UNKNOWN;
		assert_int_equal(bt_records_parse(st.buf, cut, &next, record, &s),
				 cut == KA || cut == KA_PAD ? 1 :
				 cut < KA_PAD ? BT_REC_EALIGN : BT_REC_ETRUNC);
		/* The first one got through, except when its pad was cut. */
		assert_int_equal(s.n, cut > KA && cut < KA_PAD ? 0 : 1);
	}
	s.n = 0;
	assert_int_equal(bt_records_parse(st.buf, 10, &next, record, &s),
			 BT_REC_ETRUNC);
	assert_int_equal(s.n, 0);
}

static void test_truncated_payload(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;

	(void)state;
	put_msg(&st, 1, 1);
	assert_int_equal(bt_records_parse(st.buf, HDR + 10, &next, record, &s),
			 BT_REC_EOVERSIZE);
	assert_int_equal(s.n, 0);
}

static void test_short_len(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;
	uint32_t len;

	(void)state;
	put_msg(&st, 1, 1);
	for (len = 0; len < HDR; len++) {
		memcpy(st.buf, &len, sizeof(len));
		assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s),
				 BT_REC_ESHORT);
	}
	assert_int_equal(s.n, 0);
}

static void test_oversized_len(void **state)
{
	static const uint32_t lens[] = { KA_PAD + 1, 1000, 65567, 0x7fffffffU, 0xfffffff9U,
					 0xffffffffU };
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;
	size_t i;

	(void)state;
	put_msg(&st, 1, 1);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memcpy(st.buf, &lens[i], sizeof(lens[i]));
		assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s),
				 BT_REC_EOVERSIZE);
	}
	assert_int_equal(s.n, 0);
}

static void test_misaligned(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;
	int r;

	(void)state;
	/* Stray bytes after the last record that are not a full pad. */
	put_rec(&st, BMPTAP_REC_MSG, 0, 1, 0, 1, keepalive, 19, false);
	st.len += 3;
	assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s),
			 BT_REC_EALIGN);
	assert_int_equal(s.n, 0);

	/* A producer that forgot the padding: the next header is misread. */
	st.len = 0;
	s.n = 0;
	next = BT_SEQ_UNKNOWN;
	memset(st.buf, 0, sizeof(st.buf));
	put_rec(&st, BMPTAP_REC_MSG, 0, 1, 0, 1, keepalive, 19, false);
	put_rec(&st, BMPTAP_REC_MSG, 0, 1, 0, 2, keepalive, 19, false);
	r = bt_records_parse(st.buf, st.len, &next, record, &s);
	assert_true(r < 0);
	assert_int_equal(s.n, 1);
}

static void test_bad_types_and_payloads(void **state)
{
	static const struct {
		uint16_t type;
		uint8_t dir;
		uint32_t flow;
		size_t plen;
		int want;
	} cases[] = {
		{ 0, 0, 1, 0, BT_REC_ETYPE },
		{ 6, 0, 1, 0, BT_REC_ETYPE },
		{ 0xffff, 0, 1, 0, BT_REC_ETYPE },
		{ BMPTAP_REC_MSG, 0, 1, 0, BT_REC_EPAYLOAD },
		{ BMPTAP_REC_MSG, 0, 1, 18, BT_REC_EPAYLOAD },
		{ BMPTAP_REC_MSG, 0, 1, 19, 1 },
		{ BMPTAP_REC_MSG, 0, 1, 4096, 1 },
		{ BMPTAP_REC_GAP, 0, 1, 15, BT_REC_EPAYLOAD },
		{ BMPTAP_REC_GAP, 0, 1, 16, 1 },
		{ BMPTAP_REC_GAP, 0, 1, 16 + BMPTAP_GAP_MAX_DATA, 1 },
		{ BMPTAP_REC_GAP, 0, 1, 16 + BMPTAP_GAP_MAX_DATA + 1, BT_REC_EPAYLOAD },
		{ BMPTAP_REC_FLOW_START, 0, 1, sizeof(struct bmptap_flow_info) - 1,
		  BT_REC_EPAYLOAD },
		{ BMPTAP_REC_FLOW_START, 0, 1, sizeof(struct bmptap_flow_info), 1 },
		{ BMPTAP_REC_FLOW_START, 0, 1, sizeof(struct bmptap_flow_info) + 8, 1 },
		{ BMPTAP_REC_FLOW_END, 0, 1, 1, BT_REC_EPAYLOAD },
		{ BMPTAP_REC_LOST, 0, 0, 8, BT_REC_EPAYLOAD },
		{ BMPTAP_REC_MSG, 2, 1, 19, BT_REC_EDIR },
		{ BMPTAP_REC_FLOW_END, 255, 1, 0, BT_REC_EDIR },
		{ BMPTAP_REC_MSG, 0, 0, 19, BT_REC_EFLOW },
		{ BMPTAP_REC_FLOW_START, 0, 0, sizeof(struct bmptap_flow_info), BT_REC_EFLOW },
		{ BMPTAP_REC_LOST, 0, 0, 0, 1 },
	};
	static uint8_t zeros[8192];
	struct stream *st = malloc(sizeof(*st));
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seen s = { .n = 0 };
		uint64_t next = BT_SEQ_UNKNOWN;

		st->len = 0;
		put_rec(st, cases[i].type, cases[i].dir, cases[i].flow, 0, 1,
			zeros, cases[i].plen, true);
		if (bt_records_parse(st->buf, st->len, &next, record, &s) != cases[i].want)
			fail_msg("case %zu: want %d", i, cases[i].want);
	}
	free(st);
}

static void test_msg_size_limits(void **state)
{
	size_t big = HDR + 65536;
	uint8_t *buf = calloc(1, big + 8);
	struct bmptap_rec h = { .type = BMPTAP_REC_MSG, .flow_id = 1, .seq = 1 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;

	(void)state;
	h.len = HDR + 65535;
	memcpy(buf, &h, HDR);
	assert_int_equal(bt_records_parse(buf, h.len, &next, record, &s), 1);
	h.len = HDR + 65536;
	memcpy(buf, &h, HDR);
	assert_int_equal(bt_records_parse(buf, h.len, &next, record, &s),
			 BT_REC_EPAYLOAD);
	free(buf);
}

static void test_seq_hole(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;

	(void)state;
	put_msg(&st, 1, 10);
	put_msg(&st, 1, 11);
	put_msg(&st, 1, 14);
	put_msg(&st, 1, 15);
	assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s), 4);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.r[0].hdr.seq, 10);
	assert_int_equal(s.r[1].hdr.seq, 11);
	assert_int_equal(s.r[2].kind, BT_RK_SEQ_HOLE);
	assert_int_equal(s.r[2].expected, 12);
	assert_int_equal(s.r[2].got, 14);
	assert_int_equal(s.r[3].kind, BT_RK_RECORD);
	assert_int_equal(s.r[3].hdr.seq, 14);
	assert_int_equal(next, 16);
}

static void test_seq_across_calls(void **state)
{
	struct stream a = { .len = 0 }, b = { .len = 0 }, c = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = 10;

	(void)state;
	put_msg(&a, 1, 10);
	put_msg(&b, 1, 11);
	put_msg(&c, 1, 13);
	assert_int_equal(bt_records_parse(a.buf, a.len, &next, record, &s), 1);
	assert_int_equal(bt_records_parse(b.buf, b.len, &next, record, &s), 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(bt_records_parse(c.buf, c.len, &next, record, &s), 1);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.r[2].kind, BT_RK_SEQ_HOLE);
	assert_int_equal(s.r[2].expected, 12);
	assert_int_equal(s.r[2].got, 13);
	assert_int_equal(next, 14);
}

static void test_seq_backwards(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0 };
	uint64_t next = BT_SEQ_UNKNOWN;

	(void)state;
	put_msg(&st, 1, 10);
	put_msg(&st, 1, 5);	/* e.g. the module was reloaded */
	assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s), 2);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.r[1].kind, BT_RK_SEQ_HOLE);
	assert_int_equal(s.r[1].expected, 11);
	assert_int_equal(s.r[1].got, 5);
	assert_int_equal(next, 6);
}

static void test_callback_stop(void **state)
{
	struct stream st = { .len = 0 };
	struct seen s = { .n = 0, .stop_at = 2 };
	uint64_t next = BT_SEQ_UNKNOWN;

	(void)state;
	put_msg(&st, 1, 1);
	put_msg(&st, 1, 2);
	put_msg(&st, 1, 3);
	assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s),
			 BT_REC_ESTOP);
	assert_int_equal(s.n, 2);
	assert_int_equal(next, 3);

	/* Stopping at the hole leaves next_seq at the record after it. */
	st.len = 0;
	s.n = 0;
	s.stop_at = 1;
	next = 1;
	put_msg(&st, 1, 7);
	assert_int_equal(bt_records_parse(st.buf, st.len, &next, record, &s),
			 BT_REC_ESTOP);
	assert_int_equal(s.r[0].kind, BT_RK_SEQ_HOLE);
	assert_int_equal(next, 7);
}

static void test_names(void **state)
{
	int e;

	(void)state;
	assert_string_equal(bt_rec_type_name(BMPTAP_REC_MSG), "msg");
	assert_string_equal(bt_rec_type_name(BMPTAP_REC_LOST), "lost");
	assert_string_equal(bt_rec_type_name(99), "?");
	assert_string_equal(bt_gap_reason_name(BMPTAP_GAP_MIDSTREAM), "midstream");
	assert_string_equal(bt_gap_reason_name(0), "?");
	assert_string_equal(bt_end_name(BMPTAP_END_SHUTDOWN), "shutdown");
	assert_string_equal(bt_end_name(8), "?");
	assert_string_equal(bt_dir_name(BMPTAP_DIR_TX), "tx");
	assert_string_equal(bt_dir_name(2), "?");
	for (e = BT_REC_ESTOP; e < 0; e++)
		assert_string_not_equal(bt_rec_strerror(e), "unknown record error");
	assert_string_equal(bt_rec_strerror(-100), "unknown record error");
	assert_string_equal(bt_rec_strerror(3), "no error");
	assert_string_equal(bt_counter_name(BMPTAP_CNT_RECORDS_LOST), "records_lost");
	assert_null(bt_counter_name(BMPTAP_CNT_PAD));
	assert_null(bt_counter_name(BMPTAP_CNT_MAX + 1));
}

/* ---- netlink message builders -------------------------------------------- */

struct msgbuf {
	uint8_t buf[32768] __attribute__((aligned(8)));
	size_t len;
};

static struct nlmsghdr *add_genl(struct msgbuf *m, uint16_t type, uint8_t cmd,
				 uint32_t seq, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf + m->len);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = BMPTAP_GENL_VERSION;
	return nlh;
}

static void done_msg(struct msgbuf *m, struct nlmsghdr *nlh)
{
	m->len += MNL_ALIGN(nlh->nlmsg_len);
}

static void add_records(struct msgbuf *m, uint32_t seq, const struct stream *st)
{
	struct nlmsghdr *nlh = add_genl(m, FAMILY, BMPTAP_CMD_READ, seq, NLM_F_MULTI);

	/* The records are the genl payload, not an attribute (uapi header). */
	memcpy(mnl_nlmsg_put_extra_header(nlh, st->len), st->buf, st->len);
	done_msg(m, nlh);
}

/* NLMSG_ERROR or NLMSG_DONE, optionally with an extack message. */
static void add_status(struct msgbuf *m, uint16_t type, uint32_t seq, int error,
		       const char *ext, bool capped)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf + m->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	if (type == NLMSG_ERROR) {
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

		e->error = error;
		e->msg.nlmsg_type = FAMILY;
		e->msg.nlmsg_seq = seq;
		if (capped) {
			e->msg.nlmsg_len = 64;	/* the original was longer */
			nlh->nlmsg_flags |= NLM_F_CAPPED;
		} else {
			/* The original request follows in full. */
			e->msg.nlmsg_len = sizeof(struct nlmsghdr) + 12;
			memset(mnl_nlmsg_put_extra_header(nlh, 12), 0xab, 12);
		}
	} else {
		int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

		*e = error;
		nlh->nlmsg_flags |= NLM_F_MULTI;
	}
	if (ext) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 24);
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, ext);
	}
	done_msg(m, nlh);
}

static void reader(struct bt_nl *nl, uint32_t seq)
{
	bt_nl_init(nl);
	nl->family = FAMILY;
	nl->reading = true;
	nl->read_seq = seq;
}

/* ---- bt_nl_msg_error ----------------------------------------------------- */

static void test_msg_error_extack(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	char ext[64];
	struct nlmsghdr *nlh;

	(void)state;
	add_status(m, NLMSG_ERROR, 1, -EINVAL, "port out of range\n", true);
	nlh = (struct nlmsghdr *)m->buf;
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -EINVAL);
	assert_string_equal(ext, "port out of range");

	m->len = 0;
	add_status(m, NLMSG_ERROR, 1, -ERANGE, "uncapped request echo", false);
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -ERANGE);
	assert_string_equal(ext, "uncapped request echo");

	m->len = 0;
	add_status(m, NLMSG_ERROR, 1, -EPERM, NULL, true);
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -EPERM);
	assert_string_equal(ext, "");

	m->len = 0;
	add_status(m, NLMSG_ERROR, 1, 0, NULL, true);
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), 0);

	m->len = 0;
	add_status(m, NLMSG_DONE, 1, -ENOBUFS, "queue reader busy", false);
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -ENOBUFS);
	assert_string_equal(ext, "queue reader busy");

	/* Long text is cut, not overflowed. */
	m->len = 0;
	add_status(m, NLMSG_ERROR, 1, -EINVAL,
		   "0123456789012345678901234567890123456789", true);
	assert_int_equal(bt_nl_msg_error(nlh, ext, 8), -EINVAL);
	assert_string_equal(ext, "0123456");

	/* An attribute claiming more than the message: ignored. */
	m->len = 0;
	add_status(m, NLMSG_ERROR, 1, -EINVAL, "x", true);
	nlh->nlmsg_len -= 4;
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -EINVAL);

	/* A bare DONE, and an ERROR too short to hold its code. */
	m->len = 0;
	nlh = mnl_nlmsg_put_header(m->buf);
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), 0);
	nlh->nlmsg_type = NLMSG_ERROR;
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -EBADMSG);
	nlh->nlmsg_type = FAMILY;
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), 0);

	/* Codes no kernel sends (found by the fuzzer: INT_MIN). */
	m->len = 0;
	add_status(m, NLMSG_ERROR, 1, INT32_MIN, NULL, true);
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -EPROTO);
	m->len = 0;
	add_status(m, NLMSG_ERROR, 1, 5000, NULL, true);
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -EPROTO);
	m->len = 0;
	add_status(m, NLMSG_ERROR, 1, EINVAL, NULL, true);
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), -EINVAL);
	m->len = 0;
	add_status(m, NLMSG_DONE, 1, 77, NULL, false);
	assert_int_equal(bt_nl_msg_error(nlh, ext, sizeof(ext)), 0);
	free(m);
}

/* ---- bt_nl_read_process -------------------------------------------------- */

static void test_read_process_dump(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct stream a = { .len = 0 }, b = { .len = 0 };
	struct seen s = { .n = 0 };
	struct bt_nl nl;

	(void)state;
	reader(&nl, 77);
	put_msg(&a, 3, 1);
	put_msg(&a, 3, 2);
	put_msg(&b, 3, 3);
	add_records(m, 77, &a);
	add_records(m, 76, &b);		/* stale: an older dump */
	assert_int_equal(bt_nl_read_seq(&nl), 0);	/* nothing read yet: nothing to ack */
	add_records(m, 77, &b);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s), 0);
	assert_true(nl.reading);
	assert_int_equal(s.n, 3);
	assert_int_equal(nl.next_seq, 4);
	assert_int_equal(bt_nl_read_seq(&nl), 3);	/* what an ack after this batch covers */
	/* Nothing new to ack sends nothing (no socket here); a failed ack is not recorded. */
	nl.buf = malloc(BT_NL_BUFSIZE);
	assert_non_null(nl.buf);
	assert_int_equal(bt_nl_ack(&nl, 0), 0);
	assert_int_equal(bt_nl_ack(&nl, 3), -ENOTCONN);
	assert_int_equal(nl.acked, 0);
	free(nl.buf);
	nl.buf = NULL;

	m->len = 0;
	add_status(m, NLMSG_DONE, 77, 0, NULL, false);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s), 1);
	assert_false(nl.reading);

	/* Replies after the dump ended are not ours any more. */
	m->len = 0;
	add_records(m, 77, &b);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s), 0);
	assert_int_equal(s.n, 3);
	free(m);
}

static void test_read_process_hole_across_messages(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct stream a = { .len = 0 }, b = { .len = 0 };
	struct seen s = { .n = 0 };
	struct bt_nl nl;

	(void)state;
	reader(&nl, 5);
	nl.next_seq = 10;
	put_msg(&a, 3, 10);
	put_msg(&b, 3, 12);
	add_records(m, 5, &a);
	add_records(m, 5, &b);
	add_status(m, NLMSG_DONE, 5, 0, NULL, false);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s), 1);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.r[1].kind, BT_RK_SEQ_HOLE);
	assert_int_equal(s.r[1].expected, 11);
	assert_int_equal(s.r[1].got, 12);
	free(m);
}

static void test_read_process_max_record(void **state)
{
	/* One 65535-byte BGP message: the reason records are not attributes. */
	size_t plen = 65535, rlen = HDR + plen;
	struct bmptap_rec h = { .len = (uint32_t)rlen, .type = BMPTAP_REC_MSG,
				.flow_id = 1, .seq = 1 };
	uint8_t *buf = calloc(1, BT_NL_BUFSIZE);
	struct seen s = { .n = 0 };
	struct nlmsghdr *nlh;
	struct bt_nl nl;

	(void)state;
	reader(&nl, 5);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_seq = 5;
	mnl_nlmsg_put_extra_header(nlh, 4);
	memcpy(mnl_nlmsg_put_extra_header(nlh, rlen), &h, HDR);
	assert_true(nlh->nlmsg_len <= BT_NL_BUFSIZE);
	assert_int_equal(bt_nl_read_process(&nl, buf, nlh->nlmsg_len, record, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].payload_len, 65535);
	free(buf);
}

static void test_read_process_malformed(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct stream a = { .len = 0 }, b = { .len = 0 };
	struct seen s = { .n = 0 };
	struct bt_nl nl;

	(void)state;
	reader(&nl, 5);
	put_msg(&a, 3, 1);
	put_msg(&a, 3, 2);
	a.buf[KA_PAD] = 1;		/* second record's len: 1 */
	a.buf[KA_PAD + 1] = a.buf[KA_PAD + 2] = a.buf[KA_PAD + 3] = 0;
	add_records(m, 5, &a);
	put_msg(&b, 3, 3);
	add_records(m, 5, &b);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.r[0].kind, BT_RK_RECORD);
	assert_int_equal(s.r[1].kind, BT_RK_MALFORMED);
	assert_int_equal(s.r[1].error, BT_REC_ESHORT);
	/* The record lost in the bad stream shows as a hole. */
	assert_int_equal(s.r[2].kind, BT_RK_SEQ_HOLE);
	assert_int_equal(s.r[2].expected, 2);
	assert_int_equal(s.r[3].hdr.seq, 3);
	assert_non_null(strstr(bt_nl_error(&nl), "smaller than its header"));
	free(m);
}

static void test_read_process_error(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct seen s = { .n = 0 };
	struct bt_nl nl;

	(void)state;
	reader(&nl, 9);
	add_status(m, NLMSG_ERROR, 9, -EBUSY, "another reader is active", true);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s), -EBUSY);
	assert_false(nl.reading);
	assert_string_equal(bt_nl_error(&nl),
			    "read: Device or resource busy: another reader is active");

	reader(&nl, 9);
	m->len = 0;
	add_status(m, NLMSG_DONE, 9, -EINVAL, NULL, false);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s), -EINVAL);
	assert_false(nl.reading);
	assert_int_equal(s.n, 0);
	free(m);
}

static void test_read_process_stop_and_garbage(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct stream a = { .len = 0 };
	struct seen s = { .n = 0, .stop_at = 1 };
	struct bt_nl nl;
	size_t cut;

	(void)state;
	reader(&nl, 5);
	put_msg(&a, 3, 1);
	put_msg(&a, 3, 2);
	add_records(m, 5, &a);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s),
			 -ECANCELED);

	/* Every truncation of a buffer is survived. */
	s.stop_at = 0;
	add_status(m, NLMSG_DONE, 5, 0, NULL, false);
	for (cut = 0; cut <= m->len; cut++) {
		reader(&nl, 5);
		s.n = 0;
		bt_nl_read_process(&nl, m->buf, cut, record, &s);
	}
	reader(&nl, 5);
	assert_int_equal(bt_nl_read_process(&nl, m->buf, m->len, record, &s), 1);
	free(m);
}

/* ---- notifications ------------------------------------------------------- */

static void test_ntf_parse(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));
	struct nlmsghdr *nlh;
	struct bt_nl nl;

	(void)state;
	bt_nl_init(&nl);
	nl.family = FAMILY;
	nlh = add_genl(m, FAMILY, BMPTAP_CMD_DOORBELL, 0, 0);
	mnl_attr_put_u64(nlh, BMPTAP_A_QUEUED, 1234);
	done_msg(m, nlh);
	assert_int_equal(bt_nl_ntf_parse(&nl, m->buf, m->len), BT_NL_EV_DOORBELL);
	assert_int_equal(nl.last_queued, 1234);

	done_msg(m, add_genl(m, FAMILY, BMPTAP_CMD_CONFIG_CHANGED, 0, 0));
	assert_int_equal(bt_nl_ntf_parse(&nl, m->buf, m->len),
			 BT_NL_EV_DOORBELL | BT_NL_EV_CONFIG);

	m->len = 0;
	done_msg(m, add_genl(m, FAMILY + 1, BMPTAP_CMD_DOORBELL, 0, 0));
	done_msg(m, add_genl(m, FAMILY, BMPTAP_CMD_READ, 0, 0));
	assert_int_equal(bt_nl_ntf_parse(&nl, m->buf, m->len), 0);
	assert_int_equal(bt_nl_ntf_parse(&nl, m->buf, 3), 0);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_stream),
		cmocka_unit_test(test_empty_stream),
		cmocka_unit_test(test_last_record_unpadded),
		cmocka_unit_test(test_whole_records),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_truncated_payload),
		cmocka_unit_test(test_short_len),
		cmocka_unit_test(test_oversized_len),
		cmocka_unit_test(test_misaligned),
		cmocka_unit_test(test_bad_types_and_payloads),
		cmocka_unit_test(test_msg_size_limits),
		cmocka_unit_test(test_seq_hole),
		cmocka_unit_test(test_seq_across_calls),
		cmocka_unit_test(test_seq_backwards),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_msg_error_extack),
		cmocka_unit_test(test_read_process_dump),
		cmocka_unit_test(test_read_process_hole_across_messages),
		cmocka_unit_test(test_read_process_max_record),
		cmocka_unit_test(test_read_process_malformed),
		cmocka_unit_test(test_read_process_error),
		cmocka_unit_test(test_read_process_stop_and_garbage),
		cmocka_unit_test(test_ntf_parse),
	};

	return cmocka_run_group_tests_name("nl", tests, NULL, NULL);
}
