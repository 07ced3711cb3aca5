// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"
#include "array.h"
#include "loop.h"

#define GENL_HDRLEN_ALIGNED	MNL_ALIGN(sizeof(struct genlmsghdr))

/*
 * Bounds-safe replacements for mnl_nlmsg_ok()/next() and mnl_attr_for_each():
 * libmnl casts nlmsg_len to int (0xffffffff passes its check and then
 * never advances) and walks attributes up to the aligned end of a message,
 * which may lie past the received bytes.
 */
static bool msg_ok(const struct nlmsghdr *m, size_t left)
{
	return left >= sizeof(*m) && m->nlmsg_len >= sizeof(*m) &&
	       m->nlmsg_len <= left;
}

static const struct nlmsghdr *msg_next(const struct nlmsghdr *m, size_t *left)
{
	size_t step = MNL_ALIGN((size_t)m->nlmsg_len);

	if (step > *left)
		step = *left;
	*left -= step;
	return (const struct nlmsghdr *)((const char *)m + step);
}

#define for_each_msg(m, buf, left) \
	for ((m) = (const struct nlmsghdr *)(buf); msg_ok((m), (left)); \
	     (m) = msg_next((m), &(left)))

static const char *genl_attrs(const struct nlmsghdr *nlh)
{
	return (const char *)nlh + MNL_NLMSG_HDRLEN + GENL_HDRLEN_ALIGNED;
}

static const char *genl_attrs_end(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN_ALIGNED)
		return genl_attrs(nlh);
	return (const char *)nlh + nlh->nlmsg_len;
}

#define for_each_genl_attr(a, nlh) \
	for ((a) = (const struct nlattr *)genl_attrs(nlh); \
	     mnl_attr_ok((a), (int)(genl_attrs_end(nlh) - (const char *)(a))); \
	     (a) = mnl_attr_next(a))

typedef int (*msg_cb)(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx);

void bt_nl_init(struct bt_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->next_seq = BT_SEQ_UNKNOWN;
}

const char *bt_nl_error(const struct bt_nl *nl)
{
	return nl->err[0] ? nl->err : "no error";
}

__attribute__((format(printf, 3, 4)))
static int fail(struct bt_nl *nl, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EINVAL;
}

/* ---- low level ----------------------------------------------------------- */

static int sock_open(struct bt_nl *nl, struct mnl_socket **out, uint32_t *portid)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_GENERIC);
	int one = 1, err;

	if (!s)
		return fail(nl, -errno, "netlink socket: %s", strerror(errno));
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(s);
		return fail(nl, err, "netlink bind: %s", strerror(-err));
	}
	/*
	 * Extack text makes kernel refusals self-explanatory; capping keeps
	 * our request out of error replies.  Old kernels lack both: ignore.
	 */
	mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	*out = s;
	*portid = mnl_socket_get_portid(s);
	return 0;
}

/* recvmsg so that MSG_TRUNC is seen and MSG_DONTWAIT can be passed. */
static ssize_t sock_recv(struct mnl_socket *s, void *buf, size_t len, int flags)
{
	struct sockaddr_nl addr;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &addr, .msg_namelen = sizeof(addr),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n = recvmsg(mnl_socket_get_fd(s), &msg, flags);

	if (n < 0)
		return -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -ENOSPC;
	/* Only the kernel may speak to us: drop anything else unread. */
	if (addr.nl_pid != 0)
		return 0;
	return n;
}

static struct nlmsghdr *put_genl(void *buf, uint16_t type, uint8_t cmd,
				 uint8_t version, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static struct nlmsghdr *put_req(struct bt_nl *nl, void *buf, uint8_t cmd,
				uint16_t flags)
{
	return put_genl(buf, nl->family, cmd, BMPTAP_GENL_VERSION, flags,
			++nl->seq);
}

static void copy_extack(const struct nlattr *a, char *msg, size_t msglen)
{
	size_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	if (n >= msglen)
		n = msglen - 1;
	memcpy(msg, s, n);
	msg[n] = '\0';
	n = strnlen(msg, n);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
}

int bt_nl_msg_error(const struct nlmsghdr *nlh, char *msg, size_t msglen)
{
	const uint8_t *p = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh), off;
	int error;

	if (msg && msglen)
		msg[0] = '\0';
	if (nlh->nlmsg_type != NLMSG_ERROR && nlh->nlmsg_type != NLMSG_DONE)
		return 0;
	if (nlh->nlmsg_len < sizeof(*nlh))
		return -EBADMSG;
	if (plen < sizeof(int))
		/* A bare NLMSG_DONE carries no status. */
		return nlh->nlmsg_type == NLMSG_DONE ? 0 : -EBADMSG;
	memcpy(&error, p, sizeof(error));
	/* DONE carries the dump's result: 0 or a negative errno. */
	if (nlh->nlmsg_type == NLMSG_DONE && error > 0)
		error = 0;
	/* Kernel errnos are below 4096; anything else is garbage. */
	else if (error < -4095 || error > 4095)
		error = -EPROTO;
	else if (error > 0)
		error = -error;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !msg || !msglen)
		return error;
	off = sizeof(int);
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsghdr orig;

		if (plen < sizeof(struct nlmsgerr))
			return error;
		memcpy(&orig, p + sizeof(int), sizeof(orig));
		if (nlh->nlmsg_flags & NLM_F_CAPPED)
			off += sizeof(orig);
		else
			off += orig.nlmsg_len;
	}
	off = MNL_ALIGN(off);
	while (off + sizeof(struct nlattr) <= plen) {
		const struct nlattr *a = (const struct nlattr *)(p + off);

		if (a->nla_len < sizeof(*a) || a->nla_len > plen - off)
			break;
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG) {
			copy_extack(a, msg, msglen);
			break;
		}
		off += MNL_ALIGN(a->nla_len);
	}
	return error;
}

static int fail_kernel(struct bt_nl *nl, int err, const char *what,
		       const char *ext)
{
	if (ext && ext[0])
		return fail(nl, err, "%s: %s: %s", what, strerror(-err), ext);
	return fail(nl, err, "%s: %s", what, strerror(-err));
}

/*
 * One buffer of replies to request seq: true once the request is complete
 * (its ACK, NLMSG_DONE or an error), with the result in *rc.  A failing
 * callback does not stop the walk: a dump left half-read would keep the
 * socket busy for the next request.
 */
static bool replies(struct bt_nl *nl, const void *buf, size_t left, uint32_t seq, msg_cb cb,
		    void *ctx, const char *what, int *cb_err, int *rc)
{
	const struct nlmsghdr *m;

	for_each_msg(m, buf, left) {
		char ext[256];
		int err;

		if (m->nlmsg_seq != seq || (m->nlmsg_pid && m->nlmsg_pid != nl->req_portid))
			continue;	/* stale reply to an older request */
		switch (m->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_OVERRUN:
			*rc = fail(nl, -EOVERFLOW, "%s: netlink overrun", what);
			return true;
		case NLMSG_ERROR:
		case NLMSG_DONE:
			err = bt_nl_msg_error(m, ext, sizeof(ext));
			*rc = err ? fail_kernel(nl, err, what, ext) : *cb_err;
			return true;
		default:
			if (cb && !*cb_err)
				*cb_err = cb(nl, m, ctx);
		}
	}
	return false;
}

/* Sends one request on req and handles replies until it is complete. */
static int talk(struct bt_nl *nl, struct nlmsghdr *nlh, msg_cb cb, void *ctx,
		const char *what)
{
	uint32_t seq = nlh->nlmsg_seq;
	int cb_err = 0, rc;

	if (!nl->req)
		return fail(nl, -ENOTCONN, "%s: netlink not open", what);
	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) < 0)
		return fail(nl, -errno, "%s: send: %s", what, strerror(errno));
	for (;;) {
		ssize_t n = sock_recv(nl->req, nl->buf, BT_NL_BUFSIZE, 0);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return fail(nl, (int)n, "%s: receive: %s", what,
				    strerror((int)-n));
		if (replies(nl, nl->buf, (size_t)n, seq, cb, ctx, what, &cb_err, &rc))
			return rc;
	}
}

/* ---- attribute helpers --------------------------------------------------- */

static bool get_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(*v))
		return false;
	*v = mnl_attr_get_u8(a);
	return true;
}

static bool get_u16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(*v))
		return false;
	memcpy(v, mnl_attr_get_payload(a), sizeof(*v));
	return true;
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(*v))
		return false;
	memcpy(v, mnl_attr_get_payload(a), sizeof(*v));
	return true;
}

static bool get_u64(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(*v))
		return false;
	memcpy(v, mnl_attr_get_payload(a), sizeof(*v));
	return true;
}

/* Strings may come with or without their NUL; longer ones are cut. */
static void get_str(const struct nlattr *a, char *dst, size_t size)
{
	size_t n = mnl_attr_get_payload_len(a);

	if (n >= size)
		n = size - 1;
	memcpy(dst, mnl_attr_get_payload(a), n);
	dst[n] = '\0';
}

static int bad_attr(struct bt_nl *nl, const char *where, unsigned int type)
{
	return fail(nl, -EPROTO, "malformed attribute %u in %s from the kernel",
		    type, where);
}

/* ---- open / close -------------------------------------------------------- */

static int parse_mcast_groups(struct bt_nl *nl, const struct nlattr *groups)
{
	const struct nlattr *g, *a;

	mnl_attr_for_each_nested(g, groups) {
		char name[GENL_NAMSIZ] = "";
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, g) {
			switch (mnl_attr_get_type(a)) {
			case CTRL_ATTR_MCAST_GRP_NAME:
				get_str(a, name, sizeof(name));
				break;
			case CTRL_ATTR_MCAST_GRP_ID:
				if (!get_u32(a, &id))
					return bad_attr(nl, "mcast group", CTRL_ATTR_MCAST_GRP_ID);
				break;
			}
		}
		if (!strcmp(name, BMPTAP_MCGRP_EVENTS))
			nl->grp_events = id;
		else if (!strcmp(name, BMPTAP_MCGRP_CONFIG))
			nl->grp_config = id;
	}
	return 0;
}

static int family_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	const struct nlattr *a;
	uint32_t version;
	int err;

	(void)ctx;
	for_each_genl_attr(a, nlh) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (!get_u16(a, &nl->family))
				return bad_attr(nl, "family", CTRL_ATTR_FAMILY_ID);
			break;
		case CTRL_ATTR_VERSION:
			if (get_u32(a, &version))
				nl->version = (uint8_t)version;
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			err = parse_mcast_groups(nl, a);
			if (err)
				return err;
			break;
		}
	}
	return 0;
}

int bt_nl_open(struct bt_nl *nl)
{
	struct nlmsghdr *nlh;
	int err;

	bt_nl_init(nl);
	nl->buf = malloc(BT_NL_BUFSIZE);
	if (!nl->buf)
		return fail(nl, -ENOMEM, "out of memory");
	err = sock_open(nl, &nl->req, &nl->req_portid);
	if (err)
		goto out;

	nlh = put_genl(nl->buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
		       NLM_F_ACK, ++nl->seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, BMPTAP_GENL_NAME);
	err = talk(nl, nlh, family_cb, NULL, "resolving genl family " BMPTAP_GENL_NAME);
	if (err == -ENOENT) {
		fail(nl, err, "bmptap module not loaded (genl family "
		     BMPTAP_GENL_NAME " not found)");
		goto out;
	}
	if (err)
		goto out;
	if (!nl->family) {
		err = fail(nl, -EPROTO, "genl family " BMPTAP_GENL_NAME
			   ": the kernel reported no family id");
		goto out;
	}
	/* Version 0 means the module did not say; trust the names then. */
	if (nl->version && nl->version != BMPTAP_GENL_VERSION) {
		err = fail(nl, -EPROTONOSUPPORT,
			   "bmptap module speaks ABI version %u, this tool version %u",
			   nl->version, BMPTAP_GENL_VERSION);
		goto out;
	}
	return 0;
out:
	{
		char keep[sizeof(nl->err)];

		memcpy(keep, nl->err, sizeof(keep));
		bt_nl_close(nl);
		memcpy(nl->err, keep, sizeof(keep));
	}
	return err;
}

void bt_nl_close(struct bt_nl *nl)
{
	if (nl->req)
		mnl_socket_close(nl->req);
	if (nl->rd)
		mnl_socket_close(nl->rd);
	if (nl->ntf)
		mnl_socket_close(nl->ntf);
	free(nl->buf);
	free(nl->rd_buf);
	bt_nl_init(nl);
}

/* ---- notifications ------------------------------------------------------- */

int bt_nl_join(struct bt_nl *nl, unsigned int groups)
{
	static const struct { unsigned int bit; const char *name; } names[] = {
		{ BT_NL_GRP_EVENTS, BMPTAP_MCGRP_EVENTS },
		{ BT_NL_GRP_CONFIG, BMPTAP_MCGRP_CONFIG },
	};
	uint32_t portid;
	size_t i;
	int err;

	if (!nl->ntf) {
		err = sock_open(nl, &nl->ntf, &portid);
		if (err)
			return err;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t id = names[i].bit == BT_NL_GRP_EVENTS ? nl->grp_events :
			      nl->grp_config;

		if (!(groups & names[i].bit))
			continue;
		if (!id)
			return fail(nl, -ENOENT,
				    "bmptap module offers no multicast group \"%s\"",
				    names[i].name);
		if (mnl_socket_setsockopt(nl->ntf, NETLINK_ADD_MEMBERSHIP,
					  &id, sizeof(id)) < 0)
			return fail(nl, -errno, "joining group \"%s\": %s",
				    names[i].name, strerror(errno));
	}
	return 0;
}

int bt_nl_ntf_fd(const struct bt_nl *nl)
{
	return nl->ntf ? mnl_socket_get_fd(nl->ntf) : -1;
}

unsigned int bt_nl_ntf_parse(struct bt_nl *nl, const void *buf, size_t len)
{
	const struct nlmsghdr *m;
	size_t left = len;
	unsigned int ev = 0;

	for_each_msg(m, buf, left) {
		const struct genlmsghdr *g;
		const struct nlattr *a;

		if (m->nlmsg_type != nl->family ||
		    mnl_nlmsg_get_payload_len(m) < sizeof(*g))
			continue;
		g = mnl_nlmsg_get_payload(m);
		switch (g->cmd) {
		case BMPTAP_CMD_DOORBELL:
			ev |= BT_NL_EV_DOORBELL;
			for_each_genl_attr(a, m)
				if (mnl_attr_get_type(a) == BMPTAP_A_QUEUED)
					get_u64(a, &nl->last_queued);
			break;
		case BMPTAP_CMD_CONFIG_CHANGED:
			ev |= BT_NL_EV_CONFIG;
			break;
		}
	}
	return ev;
}

int bt_nl_ntf_process(struct bt_nl *nl, unsigned int *events)
{
	if (!nl->ntf)
		return fail(nl, -ENOTCONN, "notifications: not joined");
	/* The rest, if any, on the next wakeup (level-triggered). */
	for (unsigned budget = LOOP_FD_BUDGET; budget--;) {
		ssize_t n = sock_recv(nl->ntf, nl->buf, BT_NL_BUFSIZE, MSG_DONTWAIT);

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return 0;
		if (n == -EINTR)
			continue;
		if (n == -ENOBUFS || n == -ENOSPC) {
			/* Something was lost or cut: it may have been anything. */
			*events |= BT_NL_EV_DOORBELL | BT_NL_EV_CONFIG |
				   BT_NL_EV_OVERRUN;
			continue;
		}
		if (n < 0)
			return fail(nl, (int)n, "notifications: receive: %s",
				    strerror((int)-n));
		*events |= bt_nl_ntf_parse(nl, nl->buf, (size_t)n);
	}
	return 0;
}

/* ---- record reading ------------------------------------------------------ */

static int rd_open(struct bt_nl *nl)
{
	if (nl->rd)
		return 0;
	if (!nl->rd_buf) {
		nl->rd_buf = malloc(BT_NL_BUFSIZE);
		if (!nl->rd_buf)
			return fail(nl, -ENOMEM, "out of memory");
	}
	return sock_open(nl, &nl->rd, &nl->rd_portid);
}

int bt_nl_read_fd(struct bt_nl *nl)
{
	return rd_open(nl) ? -1 : mnl_socket_get_fd(nl->rd);
}

int bt_nl_read_start(struct bt_nl *nl)
{
	uint64_t space[8];	/* u64: aligned for the netlink headers */
	struct nlmsghdr *nlh;
	int err;

	if (nl->reading)
		return -EALREADY;
	err = rd_open(nl);
	if (err)
		return err;
	memset(space, 0, sizeof(space));
	nlh = put_req(nl, space, BMPTAP_CMD_READ, NLM_F_DUMP);
	if (mnl_socket_sendto(nl->rd, nlh, nlh->nlmsg_len) < 0)
		return fail(nl, -errno, "read request: %s", strerror(errno));
	nl->read_seq = nlh->nlmsg_seq;
	nl->reading = true;
	return 0;
}

static int report_malformed(int err, bt_rec_cb cb, void *ctx)
{
	struct bt_rec r = { .kind = BT_RK_MALFORMED, .error = err };

	return cb(ctx, &r) ? -ECANCELED : 0;
}

int bt_nl_read_process(struct bt_nl *nl, const void *buf, size_t len,
		       bt_rec_cb cb, void *ctx)
{
	const struct nlmsghdr *m;
	size_t left = len;

	for_each_msg(m, buf, left) {
		char ext[256];
		int err, n;

		if (!nl->reading || m->nlmsg_seq != nl->read_seq ||
		    (m->nlmsg_pid && nl->rd_portid && m->nlmsg_pid != nl->rd_portid))
			continue;
		switch (m->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
		case NLMSG_DONE:
			nl->reading = false;
			err = bt_nl_msg_error(m, ext, sizeof(ext));
			if (err)
				return fail_kernel(nl, err, "read", ext);
			return 1;
		case NLMSG_OVERRUN:
			nl->reading = false;
			return fail(nl, -EOVERFLOW, "read: netlink overrun");
		}
		if (m->nlmsg_type != nl->family ||
		    mnl_nlmsg_get_payload_len(m) < GENL_HDRLEN_ALIGNED)
			continue;
		/* The records are the payload itself (see the uapi header). */
		n = bt_records_parse((const uint8_t *)mnl_nlmsg_get_payload(m) +
				     GENL_HDRLEN_ALIGNED,
				     mnl_nlmsg_get_payload_len(m) - GENL_HDRLEN_ALIGNED,
				     &nl->next_seq, cb, ctx);
		if (n == BT_REC_ESTOP)
			return -ECANCELED;
		/*
		 * The rest of this stream is lost; the next record's seq will
		 * show exactly how much.
		 */
		if (n < 0) {
			fail(nl, -EBADMSG, "read: %s", bt_rec_strerror(n));
			if (report_malformed(n, cb, ctx))
				return -ECANCELED;
		}
	}
	return 0;
}

static int read_loop(struct bt_nl *nl, bt_rec_cb cb, void *ctx, int flags)
{
	/* Non-blocking (the loop's pump): a bounded slice per wakeup, the
	 * rest on the next one ("more to come"). */
	unsigned budget = flags & MSG_DONTWAIT ? LOOP_FD_BUDGET : ~0u;

	if (!nl->rd || !nl->reading)
		return fail(nl, -EINVAL, "read: no dump in progress");
	while (budget--) {
		ssize_t n = sock_recv(nl->rd, nl->rd_buf, BT_NL_BUFSIZE, flags);
		int r;

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return 0;
		if (n == -EINTR)
			continue;
		if (n == -ENOSPC) {
			/* A message too big for us; the seq hole will follow. */
			fail(nl, -EMSGSIZE, "read: reply larger than %d bytes",
			     BT_NL_BUFSIZE);
			if (report_malformed(BT_REC_EOVERSIZE, cb, ctx))
				return -ECANCELED;
			continue;
		}
		if (n < 0) {
			nl->reading = false;
			return fail(nl, (int)n, "read: receive: %s",
				    strerror((int)-n));
		}
		r = bt_nl_read_process(nl, nl->rd_buf, (size_t)n, cb, ctx);
		if (r)
			return r;
	}
	return 0;
}

int bt_nl_read_pump(struct bt_nl *nl, bt_rec_cb cb, void *ctx)
{
	return read_loop(nl, cb, ctx, MSG_DONTWAIT);
}

int bt_nl_read_all(struct bt_nl *nl, bt_rec_cb cb, void *ctx)
{
	int err = bt_nl_read_start(nl);

	if (err)
		return err;
	err = read_loop(nl, cb, ctx, 0);
	return err < 0 ? err : 0;
}

uint64_t bt_nl_read_seq(const struct bt_nl *nl)
{
	return nl->next_seq == BT_SEQ_UNKNOWN ? 0 : nl->next_seq - 1;
}

int bt_nl_ack(struct bt_nl *nl, uint64_t seq)
{
	struct nlmsghdr *nlh;
	int err;

	if (seq <= nl->acked)
		return 0;
	nlh = put_req(nl, nl->buf, BMPTAP_CMD_ACK, NLM_F_ACK);
	mnl_attr_put_u64(nlh, BMPTAP_A_ACK_SEQ, seq);
	err = talk(nl, nlh, NULL, NULL, "acknowledging records");
	if (!err)
		nl->acked = seq;
	return err;
}

/* ---- counters, netns ----------------------------------------------------- */

static const char *const counter_names[BMPTAP_CNT_MAX + 1] = {
	[BMPTAP_CNT_SEGMENTS] = "segments",
	[BMPTAP_CNT_BYTES] = "bytes",
	[BMPTAP_CNT_MESSAGES] = "messages",
	[BMPTAP_CNT_RETRANSMITS] = "retransmits",
	[BMPTAP_CNT_OUT_OF_ORDER] = "out_of_order",
	[BMPTAP_CNT_GAPS] = "gaps",
	[BMPTAP_CNT_GAP_BYTES] = "gap_bytes",
	[BMPTAP_CNT_DROPS] = "drops",
	[BMPTAP_CNT_CONFLICTS] = "conflicts",
	[BMPTAP_CNT_BAD_CSUM] = "bad_csum",
	[BMPTAP_CNT_NOMEM] = "nomem",
	[BMPTAP_CNT_FLOWS_CREATED] = "flows_created",
	[BMPTAP_CNT_FLOWS_EVICTED] = "flows_evicted",
	[BMPTAP_CNT_FLOWS_REFUSED] = "flows_refused",
	[BMPTAP_CNT_RECORDS] = "records",
	[BMPTAP_CNT_RECORDS_LOST] = "records_lost",
	[BMPTAP_CNT_FRAGMENTS] = "fragments",
	[BMPTAP_CNT_AUTH_FAIL] = "auth_fail",
	[BMPTAP_CNT_FLOWS_PEAK] = "flows_peak",
	[BMPTAP_CNT_HOOK_NS] = "hook_ns",
	[BMPTAP_CNT_PRUNED] = "pruned",
	[BMPTAP_CNT_PRUNED_BYTES] = "pruned_bytes",
	[BMPTAP_CNT_OUT_OF_WINDOW] = "out_of_window",
	[BMPTAP_CNT_BAD_ACK] = "bad_ack",
	[BMPTAP_CNT_RST_IGNORED] = "rst_ignored",
	[BMPTAP_CNT_FIN_IGNORED] = "fin_ignored",
	[BMPTAP_CNT_BOGUS] = "bogus",
	[BMPTAP_CNT_WRONG_IFACE] = "wrong_iface",
};

const char *bt_counter_name(unsigned int cnt)
{
	return cnt <= BMPTAP_CNT_MAX ? counter_names[cnt] : NULL;
}

static int parse_counters(struct bt_nl *nl, const struct nlattr *nest,
			  struct bt_counters *c)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);

		/* Newer counters are skipped, not refused. */
		if (!bt_counter_name(t))
			continue;
		if (!get_u64(a, &c->v[t]))
			return bad_attr(nl, "counters", t);
		c->present |= 1ULL << t;
	}
	return 0;
}

static int parse_netns(struct bt_nl *nl, const struct nlattr *nest,
		       struct bt_netns *ns)
{
	const struct nlattr *a;
	uint8_t u8 = 0;
	size_t plen;
	int err;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		bool ok = true;

		switch (t) {
		case BMPTAP_NETNS_PORTS:
			plen = mnl_attr_get_payload_len(a);
			if (plen % 2 || plen / 2 > BMPTAP_MAX_PORTS) {
				ok = false;
				break;
			}
			memcpy(ns->set.ports, mnl_attr_get_payload(a), plen);
			ns->set.n_ports = plen / 2;
			ns->set.have |= BT_NS_PORTS;
			break;
		case BMPTAP_NETNS_FORWARD:
			ok = get_u8(a, &u8);
			ns->set.forward = u8 != 0;
			ns->set.have |= BT_NS_FORWARD;
			break;
		case BMPTAP_NETNS_MAX_FLOWS:
			ok = get_u32(a, &ns->set.max_flows);
			ns->set.have |= BT_NS_MAX_FLOWS;
			break;
		case BMPTAP_NETNS_QUEUE_BYTES:
			ok = get_u32(a, &ns->set.queue_bytes);
			ns->set.have |= BT_NS_QUEUE_BYTES;
			break;
		case BMPTAP_NETNS_FLOW_REASM_BYTES:
			ok = get_u32(a, &ns->set.flow_reasm_bytes);
			ns->set.have |= BT_NS_FLOW_REASM_BYTES;
			break;
		case BMPTAP_NETNS_IDLE_TIMEOUT:
			ok = get_u32(a, &ns->set.idle_timeout);
			ns->set.have |= BT_NS_IDLE_TIMEOUT;
			break;
		case BMPTAP_NETNS_COUNTERS:
			err = parse_counters(nl, a, &ns->cnt);
			if (err)
				return err;
			break;
		case BMPTAP_NETNS_FLOWS:
			ok = get_u32(a, &ns->flows);
			break;
		case BMPTAP_NETNS_QUEUED_BYTES:
			ok = get_u64(a, &ns->queued_bytes);
			break;
		case BMPTAP_NETNS_QUEUED_RECORDS:
			ok = get_u64(a, &ns->queued_records);
			break;
		case BMPTAP_NETNS_NEXT_SEQ:
			ok = get_u64(a, &ns->next_seq);
			break;
		case BMPTAP_NETNS_QUEUE_EPOCH:
			ok = get_u64(a, &ns->queue_epoch);
			break;
		case BMPTAP_NETNS_ACKED_SEQ:
			ok = get_u64(a, &ns->acked_seq);
			break;
		}
		if (!ok)
			return bad_attr(nl, "netns", t);
	}
	return 0;
}

static int netns_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	const struct nlattr *a;

	for_each_genl_attr(a, nlh)
		if (mnl_attr_get_type(a) == BMPTAP_A_NETNS)
			return parse_netns(nl, a, ctx);
	return 0;
}

int bt_nl_get_netns(struct bt_nl *nl, struct bt_netns *ns)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_GET_NETNS, NLM_F_ACK);

	memset(ns, 0, sizeof(*ns));
	return talk(nl, nlh, netns_cb, ns, "reading tap settings");
}

int bt_nl_set_netns(struct bt_nl *nl, const struct bt_netns_settings *s)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_SET_NETNS, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_NETNS);

	if (s->have & BT_NS_PORTS)
		mnl_attr_put(nlh, BMPTAP_NETNS_PORTS,
			     s->n_ports * sizeof(s->ports[0]), s->ports);
	if (s->have & BT_NS_FORWARD)
		mnl_attr_put_u8(nlh, BMPTAP_NETNS_FORWARD, s->forward);
	if (s->have & BT_NS_MAX_FLOWS)
		mnl_attr_put_u32(nlh, BMPTAP_NETNS_MAX_FLOWS, s->max_flows);
	if (s->have & BT_NS_QUEUE_BYTES)
		mnl_attr_put_u32(nlh, BMPTAP_NETNS_QUEUE_BYTES, s->queue_bytes);
	if (s->have & BT_NS_FLOW_REASM_BYTES)
		mnl_attr_put_u32(nlh, BMPTAP_NETNS_FLOW_REASM_BYTES,
				 s->flow_reasm_bytes);
	if (s->have & BT_NS_IDLE_TIMEOUT)
		mnl_attr_put_u32(nlh, BMPTAP_NETNS_IDLE_TIMEOUT, s->idle_timeout);
	mnl_attr_nest_end(nlh, nest);
	return talk(nl, nlh, NULL, NULL, "changing tap settings");
}

/* ---- flows --------------------------------------------------------------- */

static int copy_open(struct bt_nl *nl, const struct nlattr *a,
		     struct bt_flow *f, int dir)
{
	size_t n = mnl_attr_get_payload_len(a);

	free(f->open[dir]);
	f->open[dir] = malloc(n ? n : 1);
	if (!f->open[dir])
		return fail(nl, -ENOMEM, "out of memory");
	memcpy(f->open[dir], mnl_attr_get_payload(a), n);
	f->open_len[dir] = n;
	return 0;
}

static int parse_flow(struct bt_nl *nl, const struct nlattr *nest,
		      struct bt_flow *f)
{
	const struct nlattr *a;
	int err = 0;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		bool ok = true;

		switch (t) {
		case BMPTAP_FLOW_ID:
			ok = get_u64(a, &f->id);
			break;
		case BMPTAP_FLOW_INFO:
			ok = mnl_attr_get_payload_len(a) >= sizeof(f->info);
			if (ok) {
				memcpy(&f->info, mnl_attr_get_payload(a),
				       sizeof(f->info));
				f->have_info = true;
			}
			break;
		case BMPTAP_FLOW_OPEN_RX:
			err = copy_open(nl, a, f, BMPTAP_DIR_RX);
			break;
		case BMPTAP_FLOW_OPEN_TX:
			err = copy_open(nl, a, f, BMPTAP_DIR_TX);
			break;
		case BMPTAP_FLOW_COUNTERS_RX:
			err = parse_counters(nl, a, &f->cnt[BMPTAP_DIR_RX]);
			break;
		case BMPTAP_FLOW_COUNTERS_TX:
			err = parse_counters(nl, a, &f->cnt[BMPTAP_DIR_TX]);
			break;
		case BMPTAP_FLOW_LAST_SEQ:
			ok = get_u64(a, &f->last_seq);
			f->have_last_seq = ok;
			break;
		}
		if (err)
			return err;
		if (!ok)
			return bad_attr(nl, "flow", t);
	}
	return 0;
}

static void flow_free(struct bt_flow *f)
{
	free(f->open[0]);
	free(f->open[1]);
}

static int flows_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	struct bt_flow_list *l = ctx;
	const struct nlattr *a;

	for_each_genl_attr(a, nlh) {
		struct bt_flow f;
		int err;

		if (mnl_attr_get_type(a) != BMPTAP_A_FLOW)
			continue;
		memset(&f, 0, sizeof(f));
		err = parse_flow(nl, a, &f);
		if (!err) {
			struct bt_flow *v = array_grow(l->v, &l->cap, l->n, sizeof(*v), 16);

			if (!v)
				err = fail(nl, -ENOMEM, "out of memory");
			else
				l->v = v;
		}
		if (err) {
			flow_free(&f);
			return err;
		}
		l->v[l->n++] = f;
	}
	return 0;
}

int bt_nl_dump_flows(struct bt_nl *nl, struct bt_flow_list *out)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_GET_FLOW, NLM_F_DUMP);
	int err;

	memset(out, 0, sizeof(*out));
	err = talk(nl, nlh, flows_cb, out, "reading flows");
	if (err)
		bt_flow_list_free(out);
	return err;
}

int bt_nl_new_flow(struct bt_nl *nl, const struct bt_conn *c)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_NEW_FLOW, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_NEW_FLOW);
	size_t alen = c->family == AF_INET ? 4 : 16;

	mnl_attr_put_u8(nlh, BMPTAP_NEW_FLOW_FAMILY, c->family);
	mnl_attr_put(nlh, BMPTAP_NEW_FLOW_LOCAL_ADDR, alen, c->laddr);
	mnl_attr_put(nlh, BMPTAP_NEW_FLOW_REMOTE_ADDR, alen, c->raddr);
	mnl_attr_put_u16(nlh, BMPTAP_NEW_FLOW_LOCAL_PORT, c->lport);
	mnl_attr_put_u16(nlh, BMPTAP_NEW_FLOW_REMOTE_PORT, c->rport);
	mnl_attr_nest_end(nlh, nest);
	return talk(nl, nlh, NULL, NULL, "adopting a flow");
}

void bt_flow_list_free(struct bt_flow_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		flow_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- servers ------------------------------------------------------------- */

static int parse_server(struct bt_nl *nl, const struct nlattr *nest,
			struct bt_server_cfg *s)
{
	const struct nlattr *a;
	uint8_t u8 = 0;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		bool ok = true;

		switch (t) {
		case BMPTAP_SERVER_ADDRESS:
			get_str(a, s->address, sizeof(s->address));
			break;
		case BMPTAP_SERVER_PORT:
			ok = get_u16(a, &s->port);
			s->have |= BT_SRV_PORT;
			break;
		case BMPTAP_SERVER_POLICY:
			ok = get_u32(a, &s->policy);
			s->have |= BT_SRV_POLICY;
			break;
		case BMPTAP_SERVER_STATS_TIMEOUT:
			ok = get_u32(a, &s->stats_timeout);
			s->have |= BT_SRV_STATS_TIMEOUT;
			break;
		case BMPTAP_SERVER_MIRRORING:
			ok = get_u8(a, &u8);
			s->mirroring = u8 != 0;
			s->have |= BT_SRV_MIRRORING;
			break;
		case BMPTAP_SERVER_SYS_NAME:
			get_str(a, s->sys_name, sizeof(s->sys_name));
			s->have |= BT_SRV_SYS_NAME;
			break;
		case BMPTAP_SERVER_SYS_DESCR:
			get_str(a, s->sys_descr, sizeof(s->sys_descr));
			s->have |= BT_SRV_SYS_DESCR;
			break;
		case BMPTAP_SERVER_PASSIVE:
			ok = get_u8(a, &u8);
			s->passive = u8 != 0;
			s->have |= BT_SRV_PASSIVE;
			break;
		case BMPTAP_SERVER_ALLOW:
			get_str(a, s->allow, sizeof(s->allow));
			s->have |= BT_SRV_ALLOW;
			break;
		case BMPTAP_SERVER_FAMILIES:
			ok = get_u32(a, &s->families);
			s->have |= BT_SRV_FAMILIES;
			break;
		case BMPTAP_SERVER_PEERS:
			get_str(a, s->peers, sizeof(s->peers));
			s->have |= BT_SRV_PEERS;
			break;
		case BMPTAP_SERVER_REPLAY_RATE:
			ok = get_u32(a, &s->replay_rate);
			s->have |= BT_SRV_REPLAY_RATE;
			break;
		case BMPTAP_SERVER_SOURCE:
			get_str(a, s->source, sizeof(s->source));
			s->have |= BT_SRV_SOURCE;
			break;
		case BMPTAP_SERVER_DSCP:
			ok = get_u8(a, &s->dscp);
			s->have |= BT_SRV_DSCP;
			break;
		case BMPTAP_SERVER_TLS:
			ok = get_u8(a, &u8);
			s->tls = u8 != 0;
			s->have |= BT_SRV_TLS;
			break;
		case BMPTAP_SERVER_TLS_CA_FILE:
			get_str(a, s->ca_file, sizeof(s->ca_file));
			s->have |= BT_SRV_TLS_CA;
			break;
		case BMPTAP_SERVER_TLS_CERT_FILE:
			get_str(a, s->cert_file, sizeof(s->cert_file));
			s->have |= BT_SRV_TLS_CERT;
			break;
		case BMPTAP_SERVER_TLS_KEY_FILE:
			get_str(a, s->key_file, sizeof(s->key_file));
			s->have |= BT_SRV_TLS_KEY;
			break;
		case BMPTAP_SERVER_TLS_NAME:
			get_str(a, s->tls_name, sizeof(s->tls_name));
			s->have |= BT_SRV_TLS_NAME;
			break;
		}
		if (!ok)
			return bad_attr(nl, "server", t);
	}
	return 0;
}

static int servers_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	struct bt_server_list *l = ctx;
	const struct nlattr *a;

	for_each_genl_attr(a, nlh) {
		struct bt_server_cfg s;
		int err;

		if (mnl_attr_get_type(a) != BMPTAP_A_SERVER)
			continue;
		memset(&s, 0, sizeof(s));
		err = parse_server(nl, a, &s);
		if (err)
			return err;
		if (bt_server_list_add(l, &s))
			return fail(nl, -ENOMEM, "out of memory");
	}
	return 0;
}

int bt_nl_server_dump(struct bt_nl *nl, struct bt_server_list *out)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_GET_SERVER, NLM_F_DUMP);
	int err;

	memset(out, 0, sizeof(*out));
	err = talk(nl, nlh, servers_cb, out, "reading server configs");
	if (err)
		bt_server_list_free(out);
	return err;
}

int bt_server_list_add(struct bt_server_list *l, const struct bt_server_cfg *s)
{
	struct bt_server_cfg *v = array_grow(l->v, &l->cap, l->n, sizeof(*v), 8);

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *s;
	return 0;
}

void bt_server_list_free(struct bt_server_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int bt_nl_server_set(struct bt_nl *nl, const struct bt_server_cfg *s,
		     uint16_t flags)
{
	/*
	 * flags are not put on the wire: NLM_F_EXCL and NLM_F_REPLACE share
	 * their bits with NLM_F_MATCH and NLM_F_ROOT (NLM_F_DUMP), and generic
	 * netlink refuses a "do" request with part of NLM_F_DUMP set
	 * ("ambiguous or reserved bits set in nlmsg_flags").  The module
	 * replaces or creates either way; the add/set distinction is checked
	 * by the caller against a server dump.
	 */
	(void)flags;
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_SET_SERVER, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_SERVER);

	mnl_attr_put_strz(nlh, BMPTAP_SERVER_ADDRESS, s->address);
	if (s->have & BT_SRV_PORT)
		mnl_attr_put_u16(nlh, BMPTAP_SERVER_PORT, s->port);
	if (s->have & BT_SRV_POLICY)
		mnl_attr_put_u32(nlh, BMPTAP_SERVER_POLICY, s->policy);
	if (s->have & BT_SRV_STATS_TIMEOUT)
		mnl_attr_put_u32(nlh, BMPTAP_SERVER_STATS_TIMEOUT, s->stats_timeout);
	if (s->have & BT_SRV_MIRRORING)
		mnl_attr_put_u8(nlh, BMPTAP_SERVER_MIRRORING, s->mirroring);
	if (s->have & BT_SRV_SYS_NAME)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_SYS_NAME, s->sys_name);
	if (s->have & BT_SRV_SYS_DESCR)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_SYS_DESCR, s->sys_descr);
	if (s->have & BT_SRV_PASSIVE)
		mnl_attr_put_u8(nlh, BMPTAP_SERVER_PASSIVE, s->passive);
	if (s->have & BT_SRV_ALLOW)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_ALLOW, s->allow);
	if (s->have & BT_SRV_FAMILIES)
		mnl_attr_put_u32(nlh, BMPTAP_SERVER_FAMILIES, s->families);
	if (s->have & BT_SRV_PEERS)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_PEERS, s->peers);
	if (s->have & BT_SRV_REPLAY_RATE)
		mnl_attr_put_u32(nlh, BMPTAP_SERVER_REPLAY_RATE, s->replay_rate);
	if (s->have & BT_SRV_SOURCE)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_SOURCE, s->source);
	if (s->have & BT_SRV_DSCP)
		mnl_attr_put_u8(nlh, BMPTAP_SERVER_DSCP, s->dscp);
	if (s->have & BT_SRV_TLS)
		mnl_attr_put_u8(nlh, BMPTAP_SERVER_TLS, s->tls);
	if (s->have & BT_SRV_TLS_CA)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_TLS_CA_FILE, s->ca_file);
	if (s->have & BT_SRV_TLS_CERT)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_TLS_CERT_FILE, s->cert_file);
	if (s->have & BT_SRV_TLS_KEY)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_TLS_KEY_FILE, s->key_file);
	if (s->have & BT_SRV_TLS_NAME)
		mnl_attr_put_strz(nlh, BMPTAP_SERVER_TLS_NAME, s->tls_name);
	mnl_attr_nest_end(nlh, nest);
	return talk(nl, nlh, NULL, NULL, "storing server config");
}

int bt_nl_server_del(struct bt_nl *nl, const char *address, uint16_t port)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_DEL_SERVER, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_SERVER);

	mnl_attr_put_strz(nlh, BMPTAP_SERVER_ADDRESS, address);
	mnl_attr_put_u16(nlh, BMPTAP_SERVER_PORT, port);
	mnl_attr_nest_end(nlh, nest);
	return talk(nl, nlh, NULL, NULL, "deleting server config");
}

/* ---- import filters -------------------------------------------------------- */

static int parse_filter(struct bt_nl *nl, const struct nlattr *nest, struct bt_filter *f)
{
	const struct nlattr *a;
	bool have_ge = false, have_le = false;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		bool ok = true;

		switch (t) {
		case BMPTAP_FILTER_NAME:
			get_str(a, f->name, sizeof(f->name));
			break;
		case BMPTAP_FILTER_KIND:
			ok = get_u8(a, &f->kind);
			break;
		case BMPTAP_FILTER_FAMILY:
			ok = get_u8(a, &f->family);
			break;
		case BMPTAP_FILTER_PREFIX:
			ok = mnl_attr_get_payload_len(a) <= sizeof(f->prefix);
			if (ok)
				memcpy(f->prefix, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
			break;
		case BMPTAP_FILTER_PREFIX_LEN:
			ok = get_u8(a, &f->plen);
			break;
		case BMPTAP_FILTER_GE:
			ok = get_u8(a, &f->ge);
			have_ge = true;
			break;
		case BMPTAP_FILTER_LE:
			ok = get_u8(a, &f->le);
			have_le = true;
			break;
		case BMPTAP_FILTER_MAX_LEN:
			ok = get_u8(a, &f->max_len);
			break;
		case BMPTAP_FILTER_ASN:
			ok = get_u32(a, &f->asn);
			break;
		case BMPTAP_FILTER_COMMUNITY:
			ok = get_u32(a, &f->community);
			break;
		}
		if (!ok)
			return bad_attr(nl, "filter", t);
	}
	/* The module's defaults (uapi), made explicit for the matcher. */
	if (!have_ge)
		f->ge = f->plen;
	if (!have_le)
		f->le = have_ge ? (f->family == AF_INET ? 32 : 128) : f->plen;
	return 0;
}

static int filters_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	struct bt_filter_list *l = ctx;
	const struct nlattr *a;

	for_each_genl_attr(a, nlh) {
		struct bt_filter f;
		int err;

		if (mnl_attr_get_type(a) != BMPTAP_A_FILTER)
			continue;
		memset(&f, 0, sizeof(f));
		err = parse_filter(nl, a, &f);
		if (err)
			return err;
		if (!bt_filter_valid(&f)) {
			l->refused++;
			continue;
		}
		if (bt_filter_list_add(l, &f))
			return fail(nl, -ENOMEM, "out of memory");
	}
	return 0;
}

int bt_nl_filter_dump(struct bt_nl *nl, struct bt_filter_list *out)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_GET_FILTER, NLM_F_DUMP);
	int err;

	memset(out, 0, sizeof(*out));
	err = talk(nl, nlh, filters_cb, out, "reading import filters");
	if (err)
		bt_filter_list_free(out);
	return err;
}

int bt_nl_filter_set(struct bt_nl *nl, const struct bt_filter *f)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_SET_FILTER, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_FILTER);

	mnl_attr_put_strz(nlh, BMPTAP_FILTER_NAME, f->name);
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_KIND, f->kind);
	switch (f->kind) {
	case BMPTAP_FILTER_KIND_PREFIX:
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_FAMILY, f->family);
		mnl_attr_put(nlh, BMPTAP_FILTER_PREFIX, f->family == AF_INET ? 4 : 16, f->prefix);
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_PREFIX_LEN, f->plen);
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_GE, f->ge);
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_LE, f->le);
		break;
	case BMPTAP_FILTER_KIND_MAX_LEN:
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_FAMILY, f->family);
		mnl_attr_put_u8(nlh, BMPTAP_FILTER_MAX_LEN, f->max_len);
		break;
	case BMPTAP_FILTER_KIND_AS_PATH:
		mnl_attr_put_u32(nlh, BMPTAP_FILTER_ASN, f->asn);
		break;
	case BMPTAP_FILTER_KIND_COMMUNITY:
		mnl_attr_put_u32(nlh, BMPTAP_FILTER_COMMUNITY, f->community);
		break;
	}
	mnl_attr_nest_end(nlh, nest);
	return talk(nl, nlh, NULL, NULL, "storing import filter");
}

int bt_nl_filter_del(struct bt_nl *nl, const char *name)
{
	struct nlmsghdr *nlh = put_req(nl, nl->buf, BMPTAP_CMD_DEL_FILTER, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, BMPTAP_A_FILTER);

	mnl_attr_put_strz(nlh, BMPTAP_FILTER_NAME, name);
	mnl_attr_nest_end(nlh, nest);
	return talk(nl, nlh, NULL, NULL, "deleting import filter");
}

/* ---- dump replies from a buffer (fuzz_nldump) ------------------------------ */

int bt_nl_dump_replay(struct bt_nl *nl, uint8_t cmd, const void *buf, size_t len,
		      uint32_t seq, void *out)
{
	msg_cb cb;
	int cb_err = 0, rc;

	switch (cmd) {
	case BMPTAP_CMD_GET_FLOW: cb = flows_cb; break;
	case BMPTAP_CMD_GET_SERVER: cb = servers_cb; break;
	case BMPTAP_CMD_GET_FILTER: cb = filters_cb; break;
	case BMPTAP_CMD_GET_NETNS: cb = netns_cb; break;
	default: return -EINVAL;
	}
	if (replies(nl, buf, len, seq, cb, out, "replay", &cb_err, &rc))
		return rc;
	return cb_err ? cb_err : -EAGAIN;
}
