// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed inputs of fuzz_nldump, fuzz_reencode, fuzz_collector and
 * fuzz_filter into DIR/<target>/seed-*, built with the uapi header and
 * libmnl so that the netlink seeds are what the module sends.  Run by
 * tests/fuzz/mkseeds (which also records fuzz_peer's streams).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/bmptap.h>

#define FAMILY	0x1c
#define SEQ	7

static const char *dir;

static void put_file(const char *target, const char *name, const void *d, size_t n)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, target);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/seed-%s", dir, target, name);
	f = fopen(p, "wb");
	if (!f || fwrite(d, 1, n, f) != n || fclose(f)) {
		perror(p);
		exit(1);
	}
}

/* ---- fuzz_nldump ----------------------------------------------------------- */

static uint8_t nlbuf[16384];
static size_t nllen;

static struct nlmsghdr *genl(uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nlbuf + nllen);
	struct genlmsghdr *g;

	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = SEQ;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void end(struct nlmsghdr *nlh)
{
	nllen += MNL_ALIGN(nlh->nlmsg_len);
}

/* NLMSG_DONE after a dump, an ACK after a do request. */
static void finish(bool dump, uint8_t idx, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nlbuf + nllen);
	uint8_t out[sizeof(nlbuf) + 1];

	nlh->nlmsg_seq = SEQ;
	if (dump) {
		nlh->nlmsg_type = NLMSG_DONE;
		*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	} else {
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

		nlh->nlmsg_type = NLMSG_ERROR;
		e->error = 0;
		e->msg.nlmsg_seq = SEQ;
	}
	end(nlh);
	out[0] = idx;
	memcpy(out + 1, nlbuf, nllen);
	put_file("fuzz_nldump", name, out, nllen + 1);
	nllen = 0;
}

static void counters(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, BMPTAP_CNT_SEGMENTS, 1234);
	mnl_attr_put_u64(nlh, BMPTAP_CNT_MESSAGES, 56);
	mnl_attr_put_u64(nlh, BMPTAP_CNT_GAPS, 1);
	mnl_attr_nest_end(nlh, n);
}

static void nldump_seeds(void)
{
	static const uint8_t open[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 29, 1, 4, 0xfd, 0xe9, 0, 0xb4, 10, 0, 1, 1, 0 };
	struct bmptap_flow_info fi = { .family = AF_INET, .local_port = htons(179),
				       .remote_port = htons(50000) };
	struct nlmsghdr *nlh;
	struct nlattr *n;

	inet_pton(AF_INET, "10.0.1.2", fi.local_addr);
	inet_pton(AF_INET, "10.0.1.1", fi.remote_addr);
	for (uint32_t id = 1; id <= 2; id++) {
		nlh = genl(BMPTAP_CMD_GET_FLOW, NLM_F_MULTI);
		n = mnl_attr_nest_start(nlh, BMPTAP_A_FLOW);
		mnl_attr_put_u64(nlh, BMPTAP_FLOW_ID, id);
		mnl_attr_put(nlh, BMPTAP_FLOW_INFO, sizeof(fi), &fi);
		mnl_attr_put(nlh, BMPTAP_FLOW_OPEN_RX, sizeof(open), open);
		if (id == 2)
			mnl_attr_put(nlh, BMPTAP_FLOW_OPEN_TX, sizeof(open), open);
		counters(nlh, BMPTAP_FLOW_COUNTERS_RX);
		counters(nlh, BMPTAP_FLOW_COUNTERS_TX);
		mnl_attr_put_u64(nlh, BMPTAP_FLOW_LAST_SEQ, 99);
		mnl_attr_nest_end(nlh, n);
		end(nlh);
	}
	finish(true, 0, "flows");

	nlh = genl(BMPTAP_CMD_GET_SERVER, NLM_F_MULTI);
	n = mnl_attr_nest_start(nlh, BMPTAP_A_SERVER);
	mnl_attr_put_strz(nlh, BMPTAP_SERVER_ADDRESS, "192.0.2.1");
	mnl_attr_put_u16(nlh, BMPTAP_SERVER_PORT, 1790);
	mnl_attr_put_u32(nlh, BMPTAP_SERVER_POLICY, 3);
	mnl_attr_put_u32(nlh, BMPTAP_SERVER_STATS_TIMEOUT, 60);
	mnl_attr_put_u8(nlh, BMPTAP_SERVER_MIRRORING, 1);
	mnl_attr_put_strz(nlh, BMPTAP_SERVER_SYS_NAME, "router");
	mnl_attr_put_strz(nlh, BMPTAP_SERVER_SYS_DESCR, "bmptap");
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, BMPTAP_A_SERVER);
	mnl_attr_put_strz(nlh, BMPTAP_SERVER_ADDRESS, "::");
	mnl_attr_put_u8(nlh, BMPTAP_SERVER_PASSIVE, 1);
	mnl_attr_put_strz(nlh, BMPTAP_SERVER_ALLOW, "10.0.0.0/8, 2001:db8::/32");
	mnl_attr_nest_end(nlh, n);
	end(nlh);
	finish(true, 1, "servers");

	nlh = genl(BMPTAP_CMD_GET_FILTER, NLM_F_MULTI);
	n = mnl_attr_nest_start(nlh, BMPTAP_A_FILTER);
	mnl_attr_put_strz(nlh, BMPTAP_FILTER_NAME, "no-rfc1918");
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_KIND, BMPTAP_FILTER_KIND_PREFIX);
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_FAMILY, AF_INET);
	mnl_attr_put(nlh, BMPTAP_FILTER_PREFIX, 4, "\x0a\0\0\0");
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_PREFIX_LEN, 8);
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_GE, 8);
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_LE, 32);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, BMPTAP_A_FILTER);
	mnl_attr_put_strz(nlh, BMPTAP_FILTER_NAME, "as");
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_KIND, BMPTAP_FILTER_KIND_AS_PATH);
	mnl_attr_put_u32(nlh, BMPTAP_FILTER_ASN, 65001);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, BMPTAP_A_FILTER);
	mnl_attr_put_strz(nlh, BMPTAP_FILTER_NAME, "long6");
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_KIND, BMPTAP_FILTER_KIND_MAX_LEN);
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_FAMILY, AF_INET6);
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_MAX_LEN, 48);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, BMPTAP_A_FILTER);
	mnl_attr_put_strz(nlh, BMPTAP_FILTER_NAME, "bh");
	mnl_attr_put_u8(nlh, BMPTAP_FILTER_KIND, BMPTAP_FILTER_KIND_COMMUNITY);
	mnl_attr_put_u32(nlh, BMPTAP_FILTER_COMMUNITY, 0xffff029a);
	mnl_attr_nest_end(nlh, n);
	end(nlh);
	finish(true, 2, "filters");

	nlh = genl(BMPTAP_CMD_GET_NETNS, 0);
	n = mnl_attr_nest_start(nlh, BMPTAP_A_NETNS);
	mnl_attr_put(nlh, BMPTAP_NETNS_PORTS, 4, (uint16_t[]){ 179, 1179 });
	mnl_attr_put_u8(nlh, BMPTAP_NETNS_FORWARD, 1);
	mnl_attr_put_u32(nlh, BMPTAP_NETNS_MAX_FLOWS, 1024);
	mnl_attr_put_u32(nlh, BMPTAP_NETNS_QUEUE_BYTES, 1 << 24);
	mnl_attr_put_u32(nlh, BMPTAP_NETNS_FLOW_REASM_BYTES, 1 << 20);
	mnl_attr_put_u32(nlh, BMPTAP_NETNS_IDLE_TIMEOUT, 600);
	counters(nlh, BMPTAP_NETNS_COUNTERS);
	mnl_attr_put_u32(nlh, BMPTAP_NETNS_FLOWS, 2);
	mnl_attr_put_u64(nlh, BMPTAP_NETNS_QUEUED_BYTES, 4096);
	mnl_attr_put_u64(nlh, BMPTAP_NETNS_QUEUED_RECORDS, 12);
	mnl_attr_put_u64(nlh, BMPTAP_NETNS_NEXT_SEQ, 1000);
	mnl_attr_nest_end(nlh, n);
	end(nlh);
	finish(false, 3, "netns");
}

/* ---- fuzz_reencode, fuzz_collector, fuzz_filter ------------------------------ */

struct out {
	uint8_t b[4096];
	size_t n;
};

static void hex(struct out *o, const char *h)
{
	unsigned v;

	for (; *h; h++) {
		if (*h == ' ')
			continue;
		if (sscanf(h, "%2x", &v) != 1)
			break;
		o->b[o->n++] = (uint8_t)v;
		h++;
	}
}

/* A length-prefixed UPDATE body from hex withdrawn routes, attributes, NLRI. */
static void update(struct out *o, const char *wd, const char *attrs, const char *nlri)
{
	struct out w = { .n = 0 }, a = { .n = 0 }, n = { .n = 0 };
	size_t len;

	hex(&w, wd);
	hex(&a, attrs);
	hex(&n, nlri);
	len = 4 + w.n + a.n + n.n;
	o->b[o->n++] = (uint8_t)(len >> 8);
	o->b[o->n++] = (uint8_t)len;
	o->b[o->n++] = 0;
	o->b[o->n++] = (uint8_t)w.n;
	memcpy(o->b + o->n, w.b, w.n);
	o->n += w.n;
	o->b[o->n++] = 0;
	o->b[o->n++] = (uint8_t)a.n;
	memcpy(o->b + o->n, a.b, a.n);
	o->n += a.n;
	memcpy(o->b + o->n, n.b, n.n);
	o->n += n.n;
}

#define ORIGIN "40 01 01 00 "
#define ASPATH4 "40 02 0a 02 02 0000fde9 0000fdea "
#define ASPATH2 "40 02 06 02 02 fde9 fdea "
#define NH "40 03 04 0a000101 "

static void reencode_seeds(void)
{
	struct out o = { .n = 0 };

	hex(&o, "00 80");
	update(&o, "", ORIGIN ASPATH4 NH "80 04 04 00000064 40 05 04 00000096",
	       "18 0a0001 18 0a0002 10 ac10 20 c0000201");
	update(&o, "", ORIGIN ASPATH4 NH "c0 08 08 fde90001 ffff029a", "18 0a0003");
	update(&o, "18 0a0002", "", "");
	update(&o, "", "80 0e 1c 0002 01 10 fd000001000000000000000000000001 00 30 20010db80001 "
	       ORIGIN ASPATH4, "");
	update(&o, "", ORIGIN ASPATH4 NH "c0 20 0c 0000fde9 00000001 00000002", "18 0a0001");
	put_file("fuzz_reencode", "v4v6", o.b, o.n);
	o.n = 0;
	hex(&o, "01 ff");
	update(&o, "", ORIGIN ASPATH2 NH "c0 11 0a 02 02 0000fde9 0000fdea", "18 0a0004");
	update(&o, "", ORIGIN ASPATH2 NH, "18 0a0005 19 0a000680");
	put_file("fuzz_reencode", "as2", o.b, o.n);
	o.n = 0;
	hex(&o, "00 00");
	update(&o, "", "80 0e 1c 0002 01 10 fd000001000000000000000000000001 00 30 20010db80002 "
	       ORIGIN ASPATH4, "");
	update(&o, "", "80 0f 0a 0002 01 30 20010db80002", "");
	update(&o, "", "", "");
	put_file("fuzz_reencode", "unreach-eor", o.b, o.n);
}

static void collector_seeds(void)
{
	/* See fuzz_collector.c for the operations. */
	static const uint8_t live[] = { 0, 1, 2, 3, 0, 1, 3, 4, 2, 7, 0, 1, 1, 2, 3, 0xff, 4 };
	static const uint8_t behind[] = { 0, 1, 1, 4, 0, 1, 2, 5, 0, 1, 3, 6, 0, 2, 1, 7,
		1, 1, 2, 0, 3, 3, 0, 9, 9, 8, 1, 1, 1, 0, 3, 5, 8, 2, 3, 0, 4, 0, 1, 9, 4 };
	static const uint8_t bounce[] = { 0, 1, 1, 0, 0, 1, 2, 1, 3, 2, 5, 0, 0, 1, 3, 0,
		6, 4, 3, 10, 5, 1, 0, 2, 2, 1, 7, 3, 1 };

	put_file("fuzz_collector", "live", live, sizeof(live));
	put_file("fuzz_collector", "behind", behind, sizeof(behind));
	put_file("fuzz_collector", "bounce", bounce, sizeof(bounce));
}

static void filter_seeds(void)
{
	static const char *const f[] = {
		"prefix 10.0.0.0/8 le 32", "prefix 2001:db8::/32 ge 48 le 64",
		"prefix 192.0.2.0/24", "max-length ipv4 24", "max-length ipv6 48",
		"as-path 65001", "community 65535:666",
	};
	char name[16];

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(name, sizeof(name), "%zu", i);
		put_file("fuzz_filter", name, f[i], strlen(f[i]));
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	dir = argv[1];
	nldump_seeds();
	reencode_seeds();
	collector_seeds();
	filter_seeds();
	return 0;
}
