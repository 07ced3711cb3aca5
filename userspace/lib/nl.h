/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink client for the "bmptap" family.
 *
 * Three sockets, because netlink allows one dump per socket at a time and
 * interleaves unrelated messages on a shared socket:
 *   req - blocking do/dump requests (CLI, helper configuration)
 *   rd  - the non-blocking BMPTAP_CMD_READ dump driven by an epoll loop
 *   ntf - multicast notifications (doorbell, config changed)
 * rd and ntf are opened on first use.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure, with a one-line explanation in bt_nl_error(), including the
 * kernel's extack message when there is one.
 */
#ifndef BMPTAP_NL_H
#define BMPTAP_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bmptap.h>

#include "filter.h"
#include "model.h"
#include "records.h"
#include "sockdiag.h"

struct mnl_socket;
struct nlmsghdr;

/* The uapi promises no READ reply is larger. */
#define BT_NL_BUFSIZE	BMPTAP_READ_BUFSIZE

struct bt_nl {
	struct mnl_socket *req, *rd, *ntf;
	uint16_t family;
	uint8_t version;		/* of the kernel family */
	uint32_t grp_events, grp_config;	/* 0: group not offered */
	uint32_t seq;
	uint32_t req_portid, rd_portid;
	/* READ dump state */
	bool reading;
	uint32_t read_seq;
	uint64_t next_seq;		/* BT_SEQ_UNKNOWN until the first record */
	uint64_t acked;			/* highest seq this reader acknowledged */
	uint64_t last_queued;		/* BMPTAP_A_QUEUED of the last doorbell */
	uint8_t *buf, *rd_buf;		/* BT_NL_BUFSIZE each */
	char err[512];
};

/* Zeroes nl without opening anything: enough for the pure parsers. */
void bt_nl_init(struct bt_nl *nl);
int bt_nl_open(struct bt_nl *nl);
void bt_nl_close(struct bt_nl *nl);
const char *bt_nl_error(const struct bt_nl *nl);

/* ---- notifications (ntf socket) ---------------------------------------- */

#define BT_NL_GRP_EVENTS	(1U << 0)
#define BT_NL_GRP_CONFIG	(1U << 1)

#define BT_NL_EV_DOORBELL	(1U << 0)	/* records are queued */
#define BT_NL_EV_CONFIG		(1U << 1)	/* server configs changed */
#define BT_NL_EV_OVERRUN	(1U << 2)	/* notifications were lost */

int bt_nl_join(struct bt_nl *nl, unsigned int groups);
int bt_nl_ntf_fd(const struct bt_nl *nl);	/* -1 before bt_nl_join() */
/*
 * Drains the ntf socket without blocking and ORs BT_NL_EV_* into *events.
 * ENOBUFS means the kernel dropped notifications for us: that sets every
 * event bit, since any of them may have been among the lost ones.
 */
int bt_nl_ntf_process(struct bt_nl *nl, unsigned int *events);
/* The pure part: events carried by one received buffer. */
unsigned int bt_nl_ntf_parse(struct bt_nl *nl, const void *buf, size_t len);

/* ---- record reading (rd socket) ---------------------------------------- */

int bt_nl_read_fd(struct bt_nl *nl);		/* opens rd on first use */
/* Sends a READ dump request; -EALREADY while one is in progress. */
int bt_nl_read_start(struct bt_nl *nl);
/*
 * Parses one received buffer of READ dump replies and calls cb for each
 * record, seq hole or malformed record stream (see records.h).  Returns 1
 * once the dump is done, 0 if more replies are due, or a negative errno
 * if the kernel failed the dump (it is over then too).
 */
int bt_nl_read_process(struct bt_nl *nl, const void *buf, size_t len,
		       bt_rec_cb cb, void *ctx);
/*
 * Receives and processes what is readable on rd without blocking: 1 when
 * the dump is done, 0 when rd would block, negative errno on error.
 */
int bt_nl_read_pump(struct bt_nl *nl, bt_rec_cb cb, void *ctx);
/* Blocking: one whole READ dump. */
int bt_nl_read_all(struct bt_nl *nl, bt_rec_cb cb, void *ctx);
/* The seq of the last record handed to a bt_rec_cb; 0 before the first. */
uint64_t bt_nl_read_seq(const struct bt_nl *nl);
/*
 * Tells the module the reader is done with every record up to seq, which
 * it then frees (BMPTAP_CMD_ACK): until then the records count against the
 * queue bound and a new reader gets them again.  Blocking, on req; seqs
 * not above the last acknowledged one send nothing.
 */
int bt_nl_ack(struct bt_nl *nl, uint64_t seq);

/* ---- tap settings and counters ------------------------------------------ */

int bt_nl_get_netns(struct bt_nl *nl, struct bt_netns *ns);
/* Sends only the settings named in s->have. */
int bt_nl_set_netns(struct bt_nl *nl, const struct bt_netns_settings *s);

/* ---- flows --------------------------------------------------------------- */

int bt_nl_dump_flows(struct bt_nl *nl, struct bt_flow_list *out);
/* Makes an established connection known to the module (BMPTAP_CMD_NEW_FLOW);
 * -EEXIST when it is already tapped. */
int bt_nl_new_flow(struct bt_nl *nl, const struct bt_conn *c);

/* ---- BMP server configs -------------------------------------------------- */

/* flags: NLM_F_CREATE|NLM_F_EXCL for add, NLM_F_REPLACE for set. */
int bt_nl_server_set(struct bt_nl *nl, const struct bt_server_cfg *s,
		     uint16_t flags);
int bt_nl_server_del(struct bt_nl *nl, const char *address, uint16_t port);
int bt_nl_server_dump(struct bt_nl *nl, struct bt_server_list *out);

/* ---- import filters ----------------------------------------------------- */

/* Adds or replaces (by name) one filter; the module validates it again. */
int bt_nl_filter_set(struct bt_nl *nl, const struct bt_filter *f);
int bt_nl_filter_del(struct bt_nl *nl, const char *name);
int bt_nl_filter_dump(struct bt_nl *nl, struct bt_filter_list *out);

/* ---- exposed for tests -------------------------------------------------- */

/*
 * Explains an NLMSG_ERROR or NLMSG_DONE message: returns its error code
 * (0 or negative errno) and copies NLMSGERR_ATTR_MSG, if any, to msg.
 * Any other message is not an error: 0.
 */
int bt_nl_msg_error(const struct nlmsghdr *nlh, char *msg, size_t msglen);

/*
 * The replies to request seq of cmd (BMPTAP_CMD_GET_FLOW, _SERVER,
 * _FILTER or _NETNS) taken from buf instead of the socket, parsed into out
 * (a bt_flow_list, bt_server_list, bt_filter_list or bt_netns) exactly as
 * the dump would.  -EAGAIN: the replies did not complete.
 */
int bt_nl_dump_replay(struct bt_nl *nl, uint8_t cmd, const void *buf, size_t len,
		      uint32_t seq, void *out);

#endif /* BMPTAP_NL_H */
