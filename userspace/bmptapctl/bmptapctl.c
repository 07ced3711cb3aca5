// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapctl: inspect and configure the bmptap module (see `bmptapctl help`).
 * Parsing lives in cli.c; this file only talks to the kernel or to
 * bmptapd's control socket (ctlsock.h), and prints.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "cli.h"
#include "config.h"
#include "ctlsock.h"
#include "json.h"
#include "nl.h"
#include "statusview.h"
#include "select.h"
#include "tls.h"
#include "vrf.h"

#define PROG "bmptapctl"

struct ctl {
	struct bt_nl nl;
	struct bt_cli_req req;
	struct bt_json js;
	char sock[108];		/* bmptapd's control socket */
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
			char a[INET6_ADDRSTRLEN], vrf[BT_VRF_NAME_LEN];

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
				bt_json_kv_bool(j, "discovered",
						f->info.flags & BMPTAP_FLOWF_DISCOVERED);
				bt_json_kv_u64(j, "start_ns", f->info.start_ns);
				bt_vrf_name(f->info.l3_ifindex, vrf);
				bt_json_kv_str(j, "vrf", vrf);
				bt_json_kv_u64(j, "vrf_ifindex", (uint32_t)f->info.l3_ifindex);
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
			char vrf[BT_VRF_NAME_LEN + 5] = "";

			if (f->have_info) {
				fmt_endpoint(&f->info, true, loc, sizeof(loc));
				fmt_endpoint(&f->info, false, rem, sizeof(rem));
				/* The default VRF's flows keep the line they always had. */
				if (f->info.l3_ifindex) {
					strcpy(vrf, " vrf ");
					bt_vrf_name(f->info.l3_ifindex, vrf + 5);
				}
			}
			snprintf(msgs, sizeof(msgs), "%" PRIu64 "/%" PRIu64,
				 f->cnt[0].v[BMPTAP_CNT_MESSAGES],
				 f->cnt[1].v[BMPTAP_CNT_MESSAGES]);
			snprintf(bytes, sizeof(bytes), "%" PRIu64 "/%" PRIu64,
				 f->cnt[0].v[BMPTAP_CNT_BYTES],
				 f->cnt[1].v[BMPTAP_CNT_BYTES]);
			printf("%-6" PRIu64 " %-46s %-46s %-11s %21s %27s %6" PRIu64
			       " %6" PRIu64 "%s%s%s\n", f->id, loc, rem, flow_state(f),
			       msgs, bytes, cnt2(f, BMPTAP_CNT_GAPS),
			       cnt2(f, BMPTAP_CNT_DROPS),
			       f->have_info && (f->info.flags & BMPTAP_FLOWF_FORWARD) ?
			       " forwarded" : "",
			       f->have_info && (f->info.flags & BMPTAP_FLOWF_DISCOVERED) ?
			       " discovered" : "", vrf);
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
		bt_json_kv_u64(j, "queue_epoch", ns.queue_epoch);
		bt_json_kv_u64(j, "acked_seq", ns.acked_seq);
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
	printf("queue-epoch      %016" PRIx64 "\n", ns.queue_epoch);
	printf("acked-seq        %" PRIu64 "\n", ns.acked_seq);
	return 0;
}

/* Connects and sends request: the fd, or -1 said on stderr. */
static int ctl_connect(struct ctl *c, const char *request)
{
	int fd = ctl_request(c->sock, request);

	if (fd == -ENOENT || fd == -ECONNREFUSED)
		fprintf(stderr, PROG ": bmptapd is not running in this namespace "
			"(no control socket at %s)\n", c->sock);
	else if (fd == -EACCES)
		fprintf(stderr, PROG ": %s: %s (root or the socket's group only)\n",
			c->sock, strerror(EACCES));
	else if (fd < 0)
		fprintf(stderr, PROG ": %s: %s\n", c->sock, strerror(-fd));
	return fd < 0 ? -1 : fd;
}

/* A refusal from bmptapd is one line: said on stderr, 1. */
static int ctl_refused(const char *reply)
{
	size_t n = strlen(CTL_ERROR_PREFIX);

	if (strncmp(reply, CTL_ERROR_PREFIX, n))
		return 0;
	fprintf(stderr, PROG ": bmptapd: %s%s", reply + n,
		reply[strlen(reply) - 1] == '\n' ? "" : "\n");
	return 1;
}

/* bmptapd's whole reply to request (malloc'd); 1 when said why not. */
static int ctl_fetch(struct ctl *c, const char *request, char **doc, size_t *len)
{
	int fd = ctl_connect(c, request), err;

	*doc = NULL;
	*len = 0;
	if (fd < 0)
		return 1;
	err = ctl_read_all(fd, doc, len);
	close(fd);
	if (err) {
		fprintf(stderr, PROG ": %s: %s\n", c->sock, strerror(-err));
		return 1;
	}
	if (!*len) {
		fprintf(stderr, PROG ": bmptapd closed %s without a reply\n", c->sock);
		return 1;
	}
	return ctl_refused(*doc);
}

/*
 * The configured servers with bmptapd's view of each.  Without bmptapd
 * the configs alone are still worth showing, and it is said why.
 */
static int show_servers(struct ctl *c)
{
	struct bt_server_list l;
	char *doc;
	size_t len;
	int rc;

	if (bt_nl_server_dump(&c->nl, &l))
		return nl_fail(c);
	rc = ctl_fetch(c, "show servers", &doc, &len);
	bt_view_servers(stdout, stderr, l.v, l.n, rc ? NULL : doc, rc ? 0 : len, c->req.json);
	free(doc);
	bt_server_list_free(&l);
	return rc;
}

static int show_peers(struct ctl *c)
{
	char *doc;
	size_t len;
	int rc = ctl_fetch(c, "show peers", &doc, &len);

	if (!rc)
		bt_view_peers(stdout, stderr, doc, len, c->req.json);
	free(doc);
	return rc;
}

static int show_filters(struct ctl *c)
{
	struct bt_filter_list l;
	char m[128];

	if (bt_nl_filter_dump(&c->nl, &l))
		return nl_fail(c);
	if (c->req.json) {
		bt_json_arr_open(&c->js);
		for (size_t i = 0; i < l.n; i++) {
			bt_filter_format(&l.v[i], m, sizeof(m));
			bt_json_obj_open(&c->js);
			bt_json_kv_str(&c->js, "name", l.v[i].name);
			bt_json_kv_str(&c->js, "match", m);
			bt_json_obj_close(&c->js);
		}
		bt_json_arr_close(&c->js);
		fputc('\n', stdout);
	} else if (!l.n) {
		printf("no import filters\n");
	} else {
		for (size_t i = 0; i < l.n; i++) {
			bt_filter_format(&l.v[i], m, sizeof(m));
			printf("%-20s %s\n", l.v[i].name, m);
		}
	}
	bt_filter_list_free(&l);
	return 0;
}

static int config_show(struct ctl *c)
{
	struct bt_server_list l;

	if (bt_nl_server_dump(&c->nl, &l))
		return nl_fail(c);
	bt_config_write(stdout, l.v, l.n);
	bt_server_list_free(&l);
	return 0;
}

/*
 * The file was validated whole before this runs.  Removals go first so
 * that a full server table (BMPTAP_MAX_SERVERS) never refuses an addition
 * the final set has room for; unchanged servers are not touched, so
 * bmptapd keeps their collector sessions.
 */
static int config_load(struct ctl *c, const struct bt_server_list *want)
{
	struct bt_server_list cur;
	size_t i, k, added = 0, changed = 0, removed = 0, same = 0;
	int *match = NULL, err = 0;

	if (bt_nl_server_dump(&c->nl, &cur))
		return nl_fail(c);
	if (want->n && !(match = calloc(want->n, sizeof(*match)))) {
		bt_server_list_free(&cur);
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (i = 0; i < want->n; i++) {
		match[i] = -1;
		for (k = 0; k < cur.n; k++)
			if (bt_cli_server_match(&cur.v[k], want->v[i].address,
						want->v[i].port))
				match[i] = (int)k;
	}
	for (k = 0; k < cur.n && !c->req.merge && !err; k++) {
		const struct bt_server_cfg *s = &cur.v[k];

		for (i = 0; i < want->n; i++)
			if (match[i] == (int)k)
				break;
		if (i < want->n)
			continue;
		err = bt_nl_server_del(&c->nl, s->address,
				       s->have & BT_SRV_PORT ? s->port : BT_BMP_PORT);
		removed += !err;
	}
	for (i = 0; i < want->n && !err; i++) {
		struct bt_server_cfg s = want->v[i];

		if (match[i] >= 0) {
			if (bt_config_server_equal(&cur.v[match[i]], &s)) {
				same++;
				continue;
			}
			/* Keep the stored spelling: it is the module's key. */
			memcpy(s.address, cur.v[match[i]].address, sizeof(s.address));
		}
		err = bt_nl_server_set(&c->nl, &s, match[i] >= 0 ? NLM_F_REPLACE :
				       NLM_F_CREATE | NLM_F_EXCL);
		if (!err)
			match[i] >= 0 ? changed++ : added++;
	}
	free(match);
	bt_server_list_free(&cur);
	if (err) {
		fprintf(stderr, PROG ": %s (after %zu added, %zu changed, %zu removed)\n",
			bt_nl_error(&c->nl), added, changed, removed);
		return 1;
	}
	printf("config: %zu added, %zu changed, %zu removed, %zu unchanged\n",
	       added, changed, removed, same);
	return 0;
}

struct monitor {
	bool json;
	struct bt_json js;
};

static void now_str(char *out, size_t outlen)
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, outlen - n, ".%03ld", (long)(tv.tv_usec / 1000));
}

static void on_event(struct monitor *m, const char *line)
{
	char ts[48];

	now_str(ts, sizeof(ts));
	if (m->json) {
		bt_json_init(&m->js, stdout);
		bt_json_obj_open(&m->js);
		bt_json_kv_str(&m->js, "time", ts);
		bt_json_kv_str(&m->js, "event", line);
		bt_json_obj_close(&m->js);
	} else {
		printf("%s %s\n", ts, line);
	}
	/* Each event as it happens, also into a pipe. */
	fflush(stdout);
}

static int monitor(struct ctl *c)
{
	struct monitor m = { .json = c->req.json };
	int fd = ctl_connect(c, "monitor");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *in;

	if (fd < 0)
		return 1;
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		perror(PROG);
		return 1;
	}
	n = getline(&line, &cap, in);
	if (n <= 0 || strcmp(line, CTL_MONITOR_OK)) {
		if (n <= 0 || !ctl_refused(line))
			fprintf(stderr, PROG ": bmptapd closed %s without a reply\n", c->sock);
		free(line);
		fclose(in);
		return 1;
	}
	while ((n = getline(&line, &cap, in)) > 0 && !ferror(stdout)) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		on_event(&m, line);
	}
	free(line);
	fclose(in);
	if (!ferror(stdout))
		fprintf(stderr, PROG ": bmptapd closed the control socket (stopped, or it "
			"dropped this monitor for reading too slowly)\n");
	return 1;
}

static int show_status(struct ctl *c)
{
	char *s;
	size_t len;
	int rc = ctl_fetch(c, "show status", &s, &len);

	if (rc) {
		free(s);
		return rc;
	}
	fwrite(s, 1, len, stdout);
	if (s[len - 1] != '\n')
		putchar('\n');
	free(s);
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
	char msg[BT_CLI_ERRLEN];
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
	if (c->req.cmd == BT_CLI_SERVER_SET)
		bt_cli_server_merge(&cur, r);
	/* The TLS settings as they would be stored, before anything is. */
	if (c->req.cmd != BT_CLI_SERVER_DEL &&
	    bt_tls_cfg_check(c->req.cmd == BT_CLI_SERVER_ADD ? r : &cur, msg, sizeof(msg))) {
		fprintf(stderr, PROG ": %s\n", msg);
		return 1;
	}
	if (c->req.cmd == BT_CLI_SERVER_SET && bt_sel_check(&cur, msg, sizeof(msg))) {
		fprintf(stderr, PROG ": %s\n", msg);
		return 1;
	}
	switch (c->req.cmd) {
	case BT_CLI_SERVER_ADD:
		err = bt_nl_server_set(&c->nl, r, NLM_F_CREATE | NLM_F_EXCL);
		break;
	case BT_CLI_SERVER_SET:
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
	case BT_CLI_SHOW_PEERS:
		return show_peers(c);
	case BT_CLI_CONFIG_SHOW:
		return config_show(c);
	case BT_CLI_MONITOR:
		return monitor(c);
	case BT_CLI_CONFIG_LOAD:
		break;		/* in main(): the file is read first */
	case BT_CLI_SHOW_STATUS:
		return show_status(c);
	case BT_CLI_TAP_SET:
		return bt_nl_set_netns(&c->nl, &c->req.tap) ? nl_fail(c) : 0;
	case BT_CLI_SERVER_ADD:
	case BT_CLI_SERVER_SET:
	case BT_CLI_SERVER_DEL:
		return server_cmd(c);
	case BT_CLI_FILTER_ADD:
		return bt_nl_filter_set(&c->nl, &c->req.filter) ? nl_fail(c) : 0;
	case BT_CLI_FILTER_DEL:
		return bt_nl_filter_del(&c->nl, c->req.filter.name) ? nl_fail(c) : 0;
	case BT_CLI_FILTER_SHOW:
		return show_filters(c);
	case BT_CLI_HELP:
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bt_server_list cfg = { 0 };
	struct ctl c;
	char err[BT_CLI_ERRLEN];
	int rc;

	memset(&c, 0, sizeof(c));
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		puts(PROG " " BMPTAP_VERSION);
		return 0;
	}
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
	/* The whole file is validated before the kernel is asked anything. */
	if (c.req.cmd == BT_CLI_CONFIG_LOAD &&
	    bt_config_load_file(c.req.file, &cfg, stderr, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if (c.req.socket)
		snprintf(c.sock, sizeof(c.sock), "%s", c.req.socket);
	else
		ctl_default_path(c.sock, sizeof(c.sock));
	/* bmptapd's own state needs no module access (nor CAP_NET_ADMIN). */
	if (c.req.cmd != BT_CLI_SHOW_PEERS && c.req.cmd != BT_CLI_SHOW_STATUS &&
	    c.req.cmd != BT_CLI_MONITOR && bt_nl_open(&c.nl)) {
		bt_server_list_free(&cfg);
		return nl_fail(&c);
	}
	bt_json_init(&c.js, stdout);
	rc = c.req.cmd == BT_CLI_CONFIG_LOAD ? config_load(&c, &cfg) : run(&c);
	bt_server_list_free(&cfg);
	bt_nl_close(&c.nl);
	if (fflush(stdout) || ferror(stdout)) {
		perror(PROG ": writing output");
		rc = 1;
	}
	return rc;
}
