/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record stream of a READ reply (struct bmptap_rec back to back, the
 * generic netlink payload after struct genlmsghdr), parsed as a pure function over bytes so that it can be unit-tested and fuzzed without
 * a kernel or a socket.
 */
#ifndef BMPTAP_RECORDS_H
#define BMPTAP_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bmptap.h>

/* *next_seq before the first record: any seq is accepted as the start. */
#define BT_SEQ_UNKNOWN	UINT64_MAX

#define BT_REC_MSG_MIN	19	/* a BGP header */
#define BT_REC_MSG_MAX	65535	/* RFC 8654 */

enum bt_rec_kind {
	BT_RK_RECORD,		/* hdr/payload are one record */
	BT_RK_SEQ_HOLE,		/* records between expected and got never arrived */
	BT_RK_MALFORMED,	/* the rest of a record stream was unusable */
};

struct bt_rec {
	enum bt_rec_kind kind;
	/*
	 * A copy, not a pointer into the stream: the stream is only 4-byte
	 * aligned in a READ reply and the header has u64 fields.
	 */
	struct bmptap_rec hdr;
	const uint8_t *payload;		/* may be unaligned */
	size_t payload_len;
	uint64_t expected, got;		/* BT_RK_SEQ_HOLE */
	int error;			/* BT_RK_MALFORMED: enum bt_rec_err */
};

/* Return 0 to go on; anything else stops the parse with BT_REC_ESTOP. */
typedef int (*bt_rec_cb)(void *ctx, const struct bt_rec *rec);

enum bt_rec_err {
	BT_REC_ETRUNC = -1,	/* fewer bytes left than a record header */
	BT_REC_ESHORT = -2,	/* len smaller than the header */
	BT_REC_EOVERSIZE = -3,	/* len runs past the end of the stream */
	BT_REC_EALIGN = -4,	/* bytes after a record that are not its pad */
	BT_REC_ETYPE = -5,	/* unknown record type */
	BT_REC_EPAYLOAD = -6,	/* payload size impossible for the type */
	BT_REC_EDIR = -7,	/* dir is neither RX nor TX */
	BT_REC_EFLOW = -8,	/* per-flow record with flow id 0 */
	BT_REC_ESTOP = -9,	/* the callback asked to stop */
};

/*
 * Walks one record stream and calls cb for each record, preceded by a
 * BT_RK_SEQ_HOLE call whenever seq is not *next_seq (unless that is
 * BT_SEQ_UNKNOWN).  *next_seq is advanced past every delivered record, so
 * it carries over from one reply message to the next.  Returns the
 * number of records delivered or an enum bt_rec_err; records before a
 * malformed one have been delivered.
 */
int bt_records_parse(const void *data, size_t len, uint64_t *next_seq,
		     bt_rec_cb cb, void *ctx);

/*
 * Bytes of the whole, padded records at the start of data, by their
 * lengths alone (bt_records_parse judges their contents): a reader of a
 * stream in slices parses these and keeps the rest for the next slice.
 */
size_t bt_records_whole(const void *data, size_t len);

const char *bt_rec_strerror(int err);

/* Copies of typed payloads; false when the payload is too short. */
bool bt_rec_flow_info(const struct bt_rec *rec, struct bmptap_flow_info *fi);
bool bt_rec_gap(const struct bt_rec *rec, struct bmptap_gap *gap,
		const uint8_t **data, size_t *data_len);

/* Short lower-case names; "?" for values the ABI does not define. */
const char *bt_rec_type_name(unsigned int type);
const char *bt_gap_reason_name(unsigned int reason);
const char *bt_end_name(unsigned int end);
const char *bt_dir_name(unsigned int dir);

#endif /* BMPTAP_RECORDS_H */
