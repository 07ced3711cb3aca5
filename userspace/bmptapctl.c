// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapctl: inspect and configure the bmptap module (see `bmptapctl help`).
 * Parsing lives in cli.c; this file only talks to the kernel and prints.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "cli.h"
#include "json.h"
#include "nl.h"

#define PROG "bmptapctl"

struct ctl {
	struct bt_nl nl;
	struct bt_cli_req req;
	struct bt_json js;
};

static int nl_fail(struct ctl *c)
{
	fprintf(stderr, PROG ": %s\n", bt_nl_error(&c->nl));
	return 1;
}

static void fmt_endpoint(const struct bmptap_flow_info *fi, bool local,
			 char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN] = "?";
	const uint8_t *addr = local ? fi->local_addr : fi->remote_addr;
	uint16_t port = ntohs(local ? fi->local_port : fi->remote_port);

	if (fi->family == AF_INET || fi->family == AF_INET6)
		inet_ntop(fi->family, addr, a, sizeof(a));
	if (fi->family == AF_INET6)
		snprintf(out, outlen, "[%s]:%u", a, port);
	else
		snprintf(out, outlen, "%s:%u", a, port);
}

static void fmt_addr(const struct bmptap_flow_info *fi, bool local,
		     char *out, size_t outlen)
{
	snprintf(out, outlen, "?");
	if (fi->family == AF_INET || fi->family == AF_INET6)
		inet_ntop(fi->family, local ? fi->local_addr : fi->remote_addr,
			  out, (socklen_t)outlen);
}

/*
 * The module reports no session state; what the tap has seen of the
 * OPEN exchange is the useful approximation.
 */
static const char *flow_state(const struct bt_flow *f)
{
	if (f->open[BMPTAP_DIR_RX] && f->open[BMPTAP_DIR_TX])
		return "established";
	if (f->have_info && (f->info.flags & BMPTAP_FLOWF_MIDSTREAM) &&
	    !f->open[BMPTAP_DIR_RX] && !f->open[BMPTAP_DIR_TX])
		return "midstream";
	return "opening";
}

static uint64_t cnt2(const struct bt_flow *f, unsigned int cnt)
{
	return f->cnt[0].v[cnt] + f->cnt[1].v[cnt];
}

static int cmp_flow(const void *a, const void *b)
{
	const struct bt_flow *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void json_counters(struct bt_json *j, const struct bt_counters *c)
{
	unsigned int i;

	bt_json_obj_open(j);
	for (i = 0; i <= BMPTAP_CNT_MAX; i++)
		if ((c->present >> i) & 1 && bt_counter_name(i))
			bt_json_kv_u64(j, bt_counter_name(i), c->v[i]);
	bt_json_obj_close(j);
}

static int show_flows(struct ctl *c)
{
	struct bt_flow_list l;
	struct bt_json *j = &c->js;
	size_t i;
	int d;

	if (bt_nl_dump_flows(&c->nl, &l))
		return nl_fail(c);
	if (l.n)
		qsort(l.v, l.n, sizeof(l.v[0]), cmp_flow);
	if (c->req.json) {
		bt_json_arr_open(j);
		for (i = 0; i < l.n; i++) {
			const struct bt_flow *f = &l.v[i];
			char a[INET6_ADDRSTRLEN];

			bt_json_obj_open(j);
			bt_json_kv_u64(j, "id", f->id);
			if (f->have_info) {
				bt_json_kv_str(j, "family", f->info.family == AF_INET6 ?
					       "inet6" : "inet");
				fmt_addr(&f->info, true, a, sizeof(a));
				bt_json_kv_str(j, "local", a);
				bt_json_kv_u64(j, "local_port", ntohs(f->info.local_port));
				fmt_addr(&f->info, false, a, sizeof(a));
				bt_json_kv_str(j, "remote", a);
				bt_json_kv_u64(j, "remote_port", ntohs(f->info.remote_port));
				bt_json_kv_bool(j, "midstream",
						f->info.flags & BMPTAP_FLOWF_MIDSTREAM);
				bt_json_kv_bool(j, "forward",
						f->info.flags & BMPTAP_FLOWF_FORWARD);
				bt_json_kv_u64(j, "start_ns", f->info.start_ns);
			}
			bt_json_kv_str(j, "state", flow_state(f));
			if (f->have_last_seq)
				bt_json_kv_u64(j, "last_seq", f->last_seq);
			for (d = 0; d < 2; d++) {
				bt_json_key(j, d ? "open_tx" : "open_rx");
				if (f->open[d])
					bt_json_hex(j, f->open[d], f->open_len[d]);
				else
					bt_json_null(j);
			}
			for (d = 0; d < 2; d++) {
				bt_json_key(j, d ? "tx" : "rx");
				json_counters(j, &f->cnt[d]);
			}
			bt_json_obj_close(j);
		}
		bt_json_arr_close(j);
	} else {
		printf("%-6s %-46s %-46s %-11s %21s %27s %6s %6s\n", "ID",
		       "LOCAL", "REMOTE", "STATE", "MSGS RX/TX", "BYTES RX/TX",
		       "GAPS", "DROPS");
		for (i = 0; i < l.n; i++) {
			const struct bt_flow *f = &l.v[i];
			char loc[64] = "?", rem[64] = "?", msgs[48], bytes[48];

			if (f->have_info) {
				fmt_endpoint(&f->info, true, loc, sizeof(loc));
				fmt_endpoint(&f->info, false, rem, sizeof(rem));
			}
			snprintf(msgs, sizeof(msgs), "%" PRIu64 "/%" PRIu64,
				 f->cnt[0].v[BMPTAP_CNT_MESSAGES],
				 f->cnt[1].v[BMPTAP_CNT_MESSAGES]);
			snprintf(bytes, sizeof(bytes), "%" PRIu64 "/%" PRIu64,
				 f->cnt[0].v[BMPTAP_CNT_BYTES],
				 f->cnt[1].v[BMPTAP_CNT_BYTES]);
			printf("%-6" PRIu32 " %-46s %-46s %-11s %21s %27s %6" PRIu64
			       " %6" PRIu64 "%s\n", f->id, loc, rem, flow_state(f),
			       msgs, bytes, cnt2(f, BMPTAP_CNT_GAPS),
			       cnt2(f, BMPTAP_CNT_DROPS),
			       f->have_info && (f->info.flags & BMPTAP_FLOWF_FORWARD) ?
			       " forwarded" : "");
		}
	}
	bt_flow_list_free(&l);
	return 0;
}

static int show_netns(struct ctl *c, bool counters)
{
	struct bt_json *j = &c->js;
	struct bt_netns ns;
	unsigned int i;

	if (bt_nl_get_netns(&c->nl, &ns))
		return nl_fail(c);
	if (counters) {
		if (c->req.json) {
			json_counters(j, &ns.cnt);
			return 0;
		}
		for (i = 0; i <= BMPTAP_CNT_MAX; i++)
			if ((ns.cnt.present >> i) & 1 && bt_counter_name(i))
				printf("%-16s %" PRIu64 "\n", bt_counter_name(i),
				       ns.cnt.v[i]);
		return 0;
	}
	if (c->req.json) {
		bt_json_obj_open(j);
		bt_json_key(j, "ports");
		bt_json_arr_open(j);
		for (i = 0; i < ns.set.n_ports; i++)
			bt_json_u64(j, ns.set.ports[i]);
		bt_json_arr_close(j);
		bt_json_kv_bool(j, "forward", ns.set.forward);
		bt_json_kv_u64(j, "max_flows", ns.set.max_flows);
		bt_json_kv_u64(j, "queue_bytes", ns.set.queue_bytes);
		bt_json_kv_u64(j, "flow_reasm_bytes", ns.set.flow_reasm_bytes);
		bt_json_kv_u64(j, "idle_timeout", ns.set.idle_timeout);
		bt_json_kv_u64(j, "flows", ns.flows);
		bt_json_kv_u64(j, "queued_bytes", ns.queued_bytes);
		bt_json_kv_u64(j, "queued_records", ns.queued_records);
		bt_json_kv_u64(j, "next_seq", ns.next_seq);
		bt_json_obj_close(j);
		return 0;
	}
	printf("ports            ");
	for (i = 0; i < ns.set.n_ports; i++)
		printf("%s%u", i ? "," : "", ns.set.ports[i]);
	printf("%s\n", ns.set.n_ports ? "" : "none");
	printf("forward          %s\n", ns.set.forward ? "on" : "off");
	printf("max-flows        %" PRIu32 "\n", ns.set.max_flows);
	printf("queue-bytes      %" PRIu32 "\n", ns.set.queue_bytes);
	printf("flow-reasm-bytes %" PRIu32 "\n", ns.set.flow_reasm_bytes);
	printf("idle-timeout     %" PRIu32 "\n", ns.set.idle_timeout);
	printf("flows            %" PRIu32 "\n", ns.flows);
	printf("queued-bytes     %" PRIu64 "\n", ns.queued_bytes);
	printf("queued-records   %" PRIu64 "\n", ns.queued_records);
	printf("next-seq         %" PRIu64 "\n", ns.next_seq);
	return 0;
}

/* Quotes a value so that the printed line can be pasted back into a shell. */
static void print_shell_word(const char *s)
{
	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_.,:/@+=") == strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar((unsigned char)*s < 0x20 ? '?' : *s);
	}
	putchar('\'');
}

static int show_servers(struct ctl *c)
{
	struct bt_server_list l;
	struct bt_json *j = &c->js;
	char pol[128];
	size_t i;

	if (bt_nl_server_dump(&c->nl, &l))
		return nl_fail(c);
	if (c->req.json)
		bt_json_arr_open(j);
	for (i = 0; i < l.n; i++) {
		const struct bt_server_cfg *s = &l.v[i];

		bt_cli_policy_str(s->policy, pol, sizeof(pol));
		if (c->req.json) {
			bt_json_obj_open(j);
			bt_json_kv_str(j, "address", s->address);
			bt_json_kv_u64(j, "port", s->have & BT_SRV_PORT ?
				       s->port : BT_BMP_PORT);
			bt_json_key(j, "policy");
			bt_json_arr_open(j);
			{
				char *tok, *save = NULL;

				for (tok = strtok_r(pol, ",", &save); tok;
				     tok = strtok_r(NULL, ",", &save))
					if (strcmp(tok, "none"))
						bt_json_str(j, tok);
			}
			bt_json_arr_close(j);
			bt_json_kv_u64(j, "statistics_timeout", s->stats_timeout);
			bt_json_kv_bool(j, "mirroring", s->mirroring);
			bt_json_kv_bool(j, "passive", s->passive);
			if (s->have & BT_SRV_SYS_NAME)
				bt_json_kv_str(j, "sys_name", s->sys_name);
			if (s->have & BT_SRV_SYS_DESCR)
				bt_json_kv_str(j, "sys_descr", s->sys_descr);
			if (s->have & BT_SRV_ALLOW)
				bt_json_kv_str(j, "allow", s->allow);
			bt_json_obj_close(j);
			continue;
		}
		/* In `server add` syntax, so a config can be replayed. */
		print_shell_word(s->address);
		printf(" port %u policy %s statistics-timeout %" PRIu32
		       " mirroring %s passive %s",
		       s->have & BT_SRV_PORT ? s->port : BT_BMP_PORT, pol,
		       s->stats_timeout, s->mirroring ? "on" : "off",
		       s->passive ? "on" : "off");
		if (s->have & BT_SRV_SYS_NAME) {
			fputs(" sys-name ", stdout);
			print_shell_word(s->sys_name);
		}
		if (s->have & BT_SRV_SYS_DESCR) {
			fputs(" sys-descr ", stdout);
			print_shell_word(s->sys_descr);
		}
		if (s->have & BT_SRV_ALLOW) {
			fputs(" allow ", stdout);
			print_shell_word(s->allow);
		}
		putchar('\n');
	}
	if (c->req.json)
		bt_json_arr_close(j);
	bt_server_list_free(&l);
	return 0;
}

static int show_status(struct ctl *c)
{
	size_t len, k = 0;
	void *blob;
	const char *s;

	if (bt_nl_get_status(&c->nl, &blob, &len))
		return nl_fail(c);
	s = blob;
	while (k < len && (s[k] == ' ' || s[k] == '\n' || s[k] == '\t'))
		k++;
	if (c->req.json) {
		/* bmptapd publishes JSON; anything else is wrapped as a string. */
		if (k < len && (s[k] == '{' || s[k] == '['))
			printf("%.*s%s", (int)len, s, s[len - 1] == '\n' ? "" : "\n");
		else if (!len)
			puts("null");
		else {
			bt_json_write_string(stdout, s, len);
			putchar('\n');
		}
	} else if (!len) {
		puts("no status published (is bmptapd running?)");
	} else {
		fwrite(s, 1, len, stdout);
		if (s[len - 1] != '\n')
			putchar('\n');
	}
	free(blob);
	return 0;
}

static int find_server(struct ctl *c, struct bt_server_cfg *found, bool *exists)
{
	struct bt_server_list l;
	size_t i;

	*exists = false;
	if (bt_nl_server_dump(&c->nl, &l))
		return nl_fail(c);
	for (i = 0; i < l.n; i++) {
		if (bt_cli_server_match(&l.v[i], c->req.server.address,
					c->req.server.port)) {
			*found = l.v[i];
			*exists = true;
			break;
		}
	}
	bt_server_list_free(&l);
	return 0;
}

static int server_cmd(struct ctl *c)
{
	const struct bt_server_cfg *r = &c->req.server;
	struct bt_server_cfg cur;
	bool exists;
	int err;

	/*
	 * The existence check makes add/set/del strict even if the module
	 * treats SET_SERVER as add-or-replace; the flags make it race-free
	 * where the module honours them.
	 */
	if (find_server(c, &cur, &exists))
		return 1;
	if (c->req.cmd == BT_CLI_SERVER_ADD && exists) {
		fprintf(stderr, PROG ": server %s port %u already exists (use \"server set\")\n",
			r->address, r->port);
		return 1;
	}
	if (c->req.cmd != BT_CLI_SERVER_ADD && !exists) {
		fprintf(stderr, PROG ": no server %s port %u\n", r->address, r->port);
		return 1;
	}
	switch (c->req.cmd) {
	case BT_CLI_SERVER_ADD:
		err = bt_nl_server_set(&c->nl, r, NLM_F_CREATE | NLM_F_EXCL);
		break;
	case BT_CLI_SERVER_SET:
		bt_cli_server_merge(&cur, r);
		/* Keep the stored spelling: it is the module's key. */
		err = bt_nl_server_set(&c->nl, &cur, NLM_F_REPLACE);
		break;
	default:
		err = bt_nl_server_del(&c->nl, cur.address,
				       cur.have & BT_SRV_PORT ? cur.port : BT_BMP_PORT);
		break;
	}
	return err ? nl_fail(c) : 0;
}

static int run(struct ctl *c)
{
	switch (c->req.cmd) {
	case BT_CLI_SHOW_FLOWS:
		return show_flows(c);
	case BT_CLI_SHOW_COUNTERS:
		return show_netns(c, true);
	case BT_CLI_SHOW_TAP:
		return show_netns(c, false);
	case BT_CLI_SHOW_SERVERS:
		return show_servers(c);
	case BT_CLI_SHOW_STATUS:
		return show_status(c);
	case BT_CLI_TAP_SET:
		return bt_nl_set_netns(&c->nl, &c->req.tap) ? nl_fail(c) : 0;
	case BT_CLI_SERVER_ADD:
	case BT_CLI_SERVER_SET:
	case BT_CLI_SERVER_DEL:
		return server_cmd(c);
	case BT_CLI_HELP:
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctl c;
	char err[BT_CLI_ERRLEN];
	int rc;

	memset(&c, 0, sizeof(c));
	if (bt_cli_parse(argc, argv, &c.req, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if (c.req.warning[0])
		fprintf(stderr, PROG ": %s\n", c.req.warning);
	if (c.req.cmd == BT_CLI_HELP) {
		fputs(bt_cli_usage(), stdout);
		return 0;
	}
	if (bt_nl_open(&c.nl))
		return nl_fail(&c);
	bt_json_init(&c.js, stdout);
	rc = run(&c);
	bt_nl_close(&c.nl);
	if (fflush(stdout) || ferror(stdout)) {
		perror(PROG ": writing output");
		rc = 1;
	}
	return rc;
}
