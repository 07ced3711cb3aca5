// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink transport of the "bmptap" family (libmnl): sockets, requests
 * and their replies, attribute readers, notifications and the record
 * stream.  The commands are in nl_cmd.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl_msg.h"
#include "array.h"
#include "loop.h"

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
int bt_nl_fail(struct bt_nl *nl, int err, const char *fmt, ...)
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
		return bt_nl_fail(nl, -errno, "netlink socket: %s", strerror(errno));
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(s);
		return bt_nl_fail(nl, err, "netlink bind: %s", strerror(-err));
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

struct nlmsghdr *bt_nl_put_req(struct bt_nl *nl, void *buf, uint8_t cmd,
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

/* The message is a string of any length, cut to the caller's buffer. */
static const struct bt_nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1];

int bt_nl_msg_error(const struct nlmsghdr *nlh, char *msg, size_t msglen)
{
	const uint8_t *p = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh), off;
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	unsigned bad;
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
	if (off < plen && !bt_nla_parse(p + off, plen - off, extack_policy, NLMSGERR_ATTR_MAX, tb,
					&bad) && tb[NLMSGERR_ATTR_MSG])
		copy_extack(tb[NLMSGERR_ATTR_MSG], msg, msglen);
	return error;
}

static int fail_kernel(struct bt_nl *nl, int err, const char *what,
		       const char *ext)
{
	if (ext && ext[0])
		return bt_nl_fail(nl, err, "%s: %s: %s", what, strerror(-err), ext);
	return bt_nl_fail(nl, err, "%s: %s", what, strerror(-err));
}

/*
 * One buffer of replies to request seq: true once the request is complete
 * (its ACK, NLMSG_DONE or an error), with the result in *rc.  A failing
 * callback does not stop the walk: a dump left half-read would keep the
 * socket busy for the next request.
 */
bool bt_nl_replies(struct bt_nl *nl, const void *buf, size_t left, uint32_t seq, bt_nl_msg_cb cb,
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
			*rc = bt_nl_fail(nl, -EOVERFLOW, "%s: netlink overrun", what);
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
int bt_nl_talk(struct bt_nl *nl, struct nlmsghdr *nlh, bt_nl_msg_cb cb, void *ctx,
		const char *what)
{
	uint32_t seq = nlh->nlmsg_seq;
	int cb_err = 0, rc;

	if (!nl->req)
		return bt_nl_fail(nl, -ENOTCONN, "%s: netlink not open", what);
	if (mnl_socket_sendto(nl->req, nlh, nlh->nlmsg_len) < 0)
		return bt_nl_fail(nl, -errno, "%s: send: %s", what, strerror(errno));
	for (;;) {
		ssize_t n = sock_recv(nl->req, nl->buf, BT_NL_BUFSIZE, 0);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return bt_nl_fail(nl, (int)n, "%s: receive: %s", what,
				    strerror((int)-n));
		if (bt_nl_replies(nl, nl->buf, (size_t)n, seq, cb, ctx, what, &cb_err, &rc))
			return rc;
	}
}

/* ---- attribute helpers --------------------------------------------------- */

int bt_nl_parse_nested(struct bt_nl *nl, const char *where, const struct nlattr *nest,
		       const struct bt_nla_policy *pol, unsigned max, const struct nlattr **tb)
{
	unsigned bad;

	if (bt_nla_parse_nested(nest, pol, max, tb, &bad))
		return bt_nl_bad_attr(nl, where, bad);
	return 0;
}

int bt_nl_parse_genl(struct bt_nl *nl, const char *where, const struct nlmsghdr *nlh,
		     const struct bt_nla_policy *pol, unsigned max, const struct nlattr **tb)
{
	unsigned bad;

	if (bt_nla_parse(genl_attrs(nlh), genl_attrs_len(nlh), pol, max,
			 tb, &bad))
		return bt_nl_bad_attr(nl, where, bad);
	return 0;
}

struct each {
	unsigned type;
	bt_nl_attr_fn fn;
	void *ctx;
	int err;
};

static int each_cb(const struct nlattr *a, void *data)
{
	struct each *e = data;

	if (mnl_attr_get_type(a) != e->type)
		return MNL_CB_OK;
	e->err = e->fn(a, e->ctx);
	return e->err ? MNL_CB_ERROR : MNL_CB_OK;
}

static int each_member_cb(const struct nlattr *a, void *data)
{
	struct each *e = data;

	e->err = e->fn(a, e->ctx);
	return e->err ? MNL_CB_ERROR : MNL_CB_OK;
}

int bt_nl_genl_each(const struct nlmsghdr *nlh, unsigned type, bt_nl_attr_fn fn, void *ctx)
{
	struct each e = { .type = type, .fn = fn, .ctx = ctx };

	mnl_attr_parse_payload(genl_attrs(nlh), genl_attrs_len(nlh),
			       each_cb, &e);
	return e.err;
}

int bt_nl_nested_each(const struct nlattr *nest, bt_nl_attr_fn fn, void *ctx)
{
	struct each e = { .fn = fn, .ctx = ctx };

	/* Array members are numbered, not typed: every one is taken. */
	mnl_attr_parse_nested(nest, each_member_cb, &e);
	return e.err;
}

/* Strings may come with or without their NUL; longer ones are cut. */
void bt_nla_get_str(const struct nlattr *a, char *dst, size_t size)
{
	size_t n = mnl_attr_get_payload_len(a);

	if (n >= size)
		n = size - 1;
	memcpy(dst, mnl_attr_get_payload(a), n);
	dst[n] = '\0';
}

int bt_nl_bad_attr(struct bt_nl *nl, const char *where, unsigned int type)
{
	return bt_nl_fail(nl, -EPROTO, "malformed attribute %u in %s from the kernel",
		    type, where);
}

/* ---- open / close -------------------------------------------------------- */

static const struct bt_nla_policy mcast_grp_policy[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
	[CTRL_ATTR_MCAST_GRP_ID] = { MNL_TYPE_U32, 0 },
};

static int mcast_group(const struct nlattr *g, void *ctx)
{
	struct bt_nl *nl = ctx;
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	char name[GENL_NAMSIZ] = "";
	uint32_t id = 0;
	int err = bt_nl_parse_nested(nl, "mcast group", g, mcast_grp_policy,
				     CTRL_ATTR_MCAST_GRP_MAX, tb);

	if (err)
		return err;
	if (tb[CTRL_ATTR_MCAST_GRP_NAME])
		bt_nla_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME], name, sizeof(name));
	if (tb[CTRL_ATTR_MCAST_GRP_ID])
		id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	if (!strcmp(name, BMPTAP_MCGRP_EVENTS))
		nl->grp_events = id;
	else if (!strcmp(name, BMPTAP_MCGRP_CONFIG))
		nl->grp_config = id;
	return 0;
}

/* CTRL_ATTR_VERSION is not checked: one of another size is ignored. */
static const struct bt_nla_policy family_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { MNL_TYPE_U16, 0 },
};

static int family_cb(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	int err = bt_nl_parse_genl(nl, "family", nlh, family_policy, CTRL_ATTR_MAX, tb);

	(void)ctx;
	if (err)
		return err;
	if (tb[CTRL_ATTR_FAMILY_ID])
		nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION] && mnl_attr_get_payload_len(tb[CTRL_ATTR_VERSION]) == 4)
		nl->version = (uint8_t)mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		return bt_nl_nested_each(tb[CTRL_ATTR_MCAST_GROUPS], mcast_group, nl);
	return 0;
}

int bt_nl_open(struct bt_nl *nl)
{
	struct nlmsghdr *nlh;
	int err;

	bt_nl_init(nl);
	nl->buf = malloc(BT_NL_BUFSIZE);
	if (!nl->buf)
		return bt_nl_fail(nl, -ENOMEM, "out of memory");
	err = sock_open(nl, &nl->req, &nl->req_portid);
	if (err)
		goto out;

	nlh = put_genl(nl->buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
		       NLM_F_ACK, ++nl->seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, BMPTAP_GENL_NAME);
	err = bt_nl_talk(nl, nlh, family_cb, NULL, "resolving genl family " BMPTAP_GENL_NAME);
	if (err == -ENOENT) {
		bt_nl_fail(nl, err, "bmptap module not loaded (genl family "
		     BMPTAP_GENL_NAME " not found)");
		goto out;
	}
	if (err)
		goto out;
	if (!nl->family) {
		err = bt_nl_fail(nl, -EPROTO, "genl family " BMPTAP_GENL_NAME
			   ": the kernel reported no family id");
		goto out;
	}
	/* Version 0 means the module did not say; trust the names then. */
	if (nl->version && nl->version != BMPTAP_GENL_VERSION) {
		err = bt_nl_fail(nl, -EPROTONOSUPPORT,
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
			return bt_nl_fail(nl, -ENOENT,
				    "bmptap module offers no multicast group \"%s\"",
				    names[i].name);
		if (mnl_socket_setsockopt(nl->ntf, NETLINK_ADD_MEMBERSHIP,
					  &id, sizeof(id)) < 0)
			return bt_nl_fail(nl, -errno, "joining group \"%s\": %s",
				    names[i].name, strerror(errno));
	}
	return 0;
}

int bt_nl_ntf_fd(const struct bt_nl *nl)
{
	return nl->ntf ? mnl_socket_get_fd(nl->ntf) : -1;
}

static const struct bt_nla_policy doorbell_policy[BMPTAP_A_MAX + 1] = {
	[BMPTAP_A_QUEUED] = { MNL_TYPE_U64, 0 },
};

unsigned int bt_nl_ntf_parse(struct bt_nl *nl, const void *buf, size_t len)
{
	const struct nlmsghdr *m;
	size_t left = len;
	unsigned int ev = 0;

	for_each_msg(m, buf, left) {
		const struct genlmsghdr *g;
		const struct nlattr *tb[BMPTAP_A_MAX + 1];
		unsigned bad;

		if (m->nlmsg_type != nl->family ||
		    mnl_nlmsg_get_payload_len(m) < sizeof(*g))
			continue;
		g = mnl_nlmsg_get_payload(m);
		switch (g->cmd) {
		case BMPTAP_CMD_DOORBELL:
			ev |= BT_NL_EV_DOORBELL;
			/* A doorbell is a hint: one that does not parse rings all the same. */
			if (!bt_nla_parse(genl_attrs(m), genl_attrs_len(m),
					  doorbell_policy, BMPTAP_A_MAX, tb, &bad) &&
			    tb[BMPTAP_A_QUEUED])
				nl->last_queued = mnl_attr_get_u64(tb[BMPTAP_A_QUEUED]);
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
		return bt_nl_fail(nl, -ENOTCONN, "notifications: not joined");
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
			return bt_nl_fail(nl, (int)n, "notifications: receive: %s",
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
			return bt_nl_fail(nl, -ENOMEM, "out of memory");
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
	nlh = bt_nl_put_req(nl, space, BMPTAP_CMD_READ, NLM_F_DUMP);
	if (mnl_socket_sendto(nl->rd, nlh, nlh->nlmsg_len) < 0)
		return bt_nl_fail(nl, -errno, "read request: %s", strerror(errno));
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
			return bt_nl_fail(nl, -EOVERFLOW, "read: netlink overrun");
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
			bt_nl_fail(nl, -EBADMSG, "read: %s", bt_rec_strerror(n));
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
		return bt_nl_fail(nl, -EINVAL, "read: no dump in progress");
	while (budget--) {
		ssize_t n = sock_recv(nl->rd, nl->rd_buf, BT_NL_BUFSIZE, flags);
		int r;

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return 0;
		if (n == -EINTR)
			continue;
		if (n == -ENOSPC) {
			/* A message too big for us; the seq hole will follow. */
			bt_nl_fail(nl, -EMSGSIZE, "read: reply larger than %d bytes",
			     BT_NL_BUFSIZE);
			if (report_malformed(BT_REC_EOVERSIZE, cb, ctx))
				return -ECANCELED;
			continue;
		}
		if (n < 0) {
			nl->reading = false;
			return bt_nl_fail(nl, (int)n, "read: receive: %s",
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
	nlh = bt_nl_put_req(nl, nl->buf, BMPTAP_CMD_ACK, NLM_F_ACK);
	mnl_attr_put_u64(nlh, BMPTAP_A_ACK_SEQ, seq);
	err = bt_nl_talk(nl, nlh, NULL, NULL, "acknowledging records");
	if (!err)
		nl->acked = seq;
	return err;
}

