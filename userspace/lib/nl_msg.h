/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the netlink transport (nl.c) and the commands (nl_cmd.c):
 * message walking, requests and attribute readers.  Not for other users,
 * which have nl.h.
 */
#ifndef BMPTAP_NL_MSG_H
#define BMPTAP_NL_MSG_H

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"
#include "nla.h"

#define GENL_HDRLEN_ALIGNED	MNL_ALIGN(sizeof(struct genlmsghdr))

/*
 * Bounds-safe replacements for mnl_nlmsg_ok()/next(), and a genl message's
 * attributes bounded by its own length (for bt_nla_parse(), nla.h):
 * libmnl casts nlmsg_len to int (0xffffffff passes its check and then
 * never advances) and walks attributes up to the aligned end of a message,
 * which may lie past the received bytes.
 */
static inline bool msg_ok(const struct nlmsghdr *m, size_t left)
{
	return left >= sizeof(*m) && m->nlmsg_len >= sizeof(*m) &&
	       m->nlmsg_len <= left;
}

static inline const struct nlmsghdr *msg_next(const struct nlmsghdr *m, size_t *left)
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

static inline const char *genl_attrs(const struct nlmsghdr *nlh)
{
	return (const char *)nlh + MNL_NLMSG_HDRLEN + GENL_HDRLEN_ALIGNED;
}

static inline const char *genl_attrs_end(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN_ALIGNED)
		return genl_attrs(nlh);
	return (const char *)nlh + nlh->nlmsg_len;
}

static inline size_t genl_attrs_len(const struct nlmsghdr *nlh)
{
	return (size_t)(genl_attrs_end(nlh) - genl_attrs(nlh));
}

typedef int (*bt_nl_msg_cb)(struct bt_nl *nl, const struct nlmsghdr *nlh, void *ctx);

__attribute__((format(printf, 3, 4)))
int bt_nl_fail(struct bt_nl *nl, int err, const char *fmt, ...);
/* A request header for cmd of the bmptap family, with the next seq. */
struct nlmsghdr *bt_nl_put_req(struct bt_nl *nl, void *buf, uint8_t cmd, uint16_t flags);
/*
 * One buffer of replies to request seq: true once the request is complete
 * (its ACK, NLMSG_DONE or an error), with the result in *rc.
 */
bool bt_nl_replies(struct bt_nl *nl, const void *buf, size_t left, uint32_t seq,
		   bt_nl_msg_cb cb, void *ctx, const char *what, int *cb_err, int *rc);
/* Sends one request on req and handles replies until it is complete. */
int bt_nl_talk(struct bt_nl *nl, struct nlmsghdr *nlh, bt_nl_msg_cb cb, void *ctx,
	       const char *what);
/*
 * A nest's members, or a genl message's attributes, by policy into tb
 * (nla.h); one that breaks its rule is reported as malformed in where.
 */
int bt_nl_parse_nested(struct bt_nl *nl, const char *where, const struct nlattr *nest,
		       const struct bt_nla_policy *pol, unsigned max, const struct nlattr **tb);
int bt_nl_parse_genl(struct bt_nl *nl, const char *where, const struct nlmsghdr *nlh,
		     const struct bt_nla_policy *pol, unsigned max, const struct nlattr **tb);
/* A list: fn for each attribute of type at a genl message's top, or for
 * each member of an array nest; the first error of fn ends it and is
 * returned. */
typedef int (*bt_nl_attr_fn)(const struct nlattr *a, void *ctx);
int bt_nl_genl_each(const struct nlmsghdr *nlh, unsigned type, bt_nl_attr_fn fn, void *ctx);
int bt_nl_nested_each(const struct nlattr *nest, bt_nl_attr_fn fn, void *ctx);
/* Strings may come with or without their NUL; longer ones are cut. */
void bt_nla_get_str(const struct nlattr *a, char *dst, size_t size);
int bt_nl_bad_attr(struct bt_nl *nl, const char *where, unsigned int type);

#endif
