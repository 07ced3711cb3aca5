// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the parsers of the module's dump replies: flows,
 * BMP servers, import filters, tap settings with counters, the status
 * blob (bt_nl_dump_replay runs the very callbacks bmptapctl and bmptapd
 * use, on a buffer instead of the socket).
 *
 * Input: one octet choosing the dump, then netlink messages as the kernel
 * sends them; the request's sequence number is the first message's.
 *
 * Invariants (abort() otherwise): no crash or sanitizer report (every
 * attribute read stays inside its message); on success every string is
 * terminated within its field, an OPEN copy has its length, a filter kept
 * passes bt_filter_valid() (invalid ones are counted as refused), the
 * ports fit their array.
 */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "nl.h"

static const uint8_t cmds[] = {
	BMPTAP_CMD_GET_FLOW, BMPTAP_CMD_GET_SERVER, BMPTAP_CMD_GET_FILTER,
	BMPTAP_CMD_GET_NETNS,
};

#define TERMINATED(a) (memchr((a), 0, sizeof(a)) != NULL)

static void check_flows(const struct bt_flow_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		for (int d = 0; d < 2; d++)
			if (!l->v[i].open[d] != !l->v[i].open_len[d])
				abort();
}

static void check_servers(const struct bt_server_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct bt_server_cfg *s = &l->v[i];

		if (!TERMINATED(s->address) || !TERMINATED(s->sys_name) ||
		    !TERMINATED(s->sys_descr) || !TERMINATED(s->allow))
			abort();
	}
}

static void check_filters(const struct bt_filter_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!bt_filter_valid(&l->v[i]) || !TERMINATED(l->v[i].name))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		struct bt_flow_list flows;
		struct bt_server_list servers;
		struct bt_filter_list filters;
		struct bt_netns ns;
	} out;
	struct nlmsghdr h;
	struct bt_nl nl;
	uint8_t cmd, *buf;
	uint32_t seq = 0;
	int r;

	if (!size)
		return 0;
	cmd = cmds[data[0] % sizeof(cmds)];
	data++;
	size--;
	if (size >= sizeof(h)) {
		memcpy(&h, data, sizeof(h));
		seq = h.nlmsg_seq;
	}
	/* Netlink buffers are aligned; the parsers may rely on that. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	bt_nl_init(&nl);
	memset(&out, 0, sizeof(out));
	r = bt_nl_dump_replay(&nl, cmd, buf, size, seq, &out);
	switch (cmd) {
	case BMPTAP_CMD_GET_FLOW:
		if (!r)
			check_flows(&out.flows);
		bt_flow_list_free(&out.flows);
		break;
	case BMPTAP_CMD_GET_SERVER:
		if (!r)
			check_servers(&out.servers);
		bt_server_list_free(&out.servers);
		break;
	case BMPTAP_CMD_GET_FILTER:
		if (!r)
			check_filters(&out.filters);
		bt_filter_list_free(&out.filters);
		break;
	case BMPTAP_CMD_GET_NETNS:
		if (!r && out.ns.set.n_ports > BMPTAP_MAX_PORTS)
			abort();
		break;
	}
	free(buf);
	return 0;
}
