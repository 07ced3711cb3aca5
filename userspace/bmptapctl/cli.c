// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "prefix.h"
#include "select.h"
#include "tls.h"

#define PROG "bmptapctl"
#define U32_MAX_S "4294967295"

struct parser {
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * An argument echoed in an error message: the message must stay one short
 * line whatever the user typed.
 */
struct shown {
	char s[84];
};

static struct shown show(const char *v)
{
	struct shown o;
	size_t i;

	for (i = 0; v[i] && i < 80; i++)
		o.s[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	if (v[i])
		memcpy(o.s + 77, "...", 3), i = 80;
	o.s[i] = '\0';
	return o;
}

/* Plain decimal only: no sign, no spaces, no 0x, no suffix. */
static bool parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	if (v < min)
		return false;
	*out = v;
	return true;
}

static int parse_port(struct parser *p, const char *v, uint16_t *port)
{
	uint64_t n;

	if (!parse_num(v, 1, 65535, &n))
		return perr(p, "invalid port \"%s\" (1..65535)", show(v).s);
	*port = (uint16_t)n;
	return 0;
}

static int parse_u32(struct parser *p, const char *kw, const char *v,
		     uint32_t min, uint32_t *out)
{
	uint64_t n;

	if (!parse_num(v, min, UINT32_MAX, &n))
		return perr(p, "invalid %s \"%s\" (%u..%s)", kw, show(v).s, min,
			    U32_MAX_S);
	*out = (uint32_t)n;
	return 0;
}

static int parse_onoff(struct parser *p, const char *kw, const char *v, bool *out)
{
	if (!strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "off"))
		*out = false;
	else
		return perr(p, "invalid %s \"%s\" (on|off)", kw, show(v).s);
	return 0;
}

static int parse_ports(struct parser *p, const char *v,
		       struct bt_netns_settings *s)
{
	char buf[256];
	char *tok, *save = NULL;
	unsigned int n = 0, i;

	if (strlen(v) >= sizeof(buf) || !*v || v[0] == ',' ||
	    v[strlen(v) - 1] == ',' || strstr(v, ",,"))
		return perr(p, "invalid ports \"%s\" (P[,P..], at most %d)",
			    show(v).s, BMPTAP_MAX_PORTS);
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint16_t port;

		if (parse_port(p, tok, &port))
			return -1;
		if (n == BMPTAP_MAX_PORTS)
			return perr(p, "invalid ports \"%s\" (at most %d ports)",
				    show(v).s, BMPTAP_MAX_PORTS);
		for (i = 0; i < n; i++)
			if (s->ports[i] == port)
				return perr(p, "duplicate port \"%s\" in ports",
					    show(tok).s);
		s->ports[n++] = port;
	}
	s->n_ports = n;
	return 0;
}

/* ---- addresses ----------------------------------------------------------- */

bool bt_cli_valid_hostname(const char *s)
{
	size_t len = strlen(s), label = 0, i;
	bool numeric = true;	/* of the current label */

	if (!len || len > 253)
		return false;
	for (i = 0; i <= len; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (!label || label > 63 || s[i - 1] == '-')
				return false;
			/* 1.2.3.999 is a bad address, not a name: TLDs are never numeric. */
			if (c == '\0' && numeric)
				return false;
			label = 0;
			numeric = true;
			continue;
		}
		if (!isascii((unsigned char)c) ||
		    !(isalnum((unsigned char)c) || c == '-'))
			return false;
		if (c == '-' && !label)
			return false;
		if (!isdigit((unsigned char)c))
			numeric = false;
		label++;
	}
	return true;
}

bool bt_cli_norm_address(const char *in, char *out, size_t outlen)
{
	unsigned char a[16];
	size_t i, n;

	if (inet_pton(AF_INET, in, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)outlen) != NULL;
	if (inet_pton(AF_INET6, in, a) == 1)
		return inet_ntop(AF_INET6, a, out, (socklen_t)outlen) != NULL;
	if (!bt_cli_valid_hostname(in))
		return false;
	n = strlen(in);
	if (n >= outlen)
		return false;
	for (i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	return true;
}

static bool valid_prefix(const char *s)
{
	struct bt_prefix p;

	return bt_prefix_parse(s, &p) == BT_PREFIX_OK;
}

/* NULL if v is a valid allow list, else the offending part (in buf). */
static const char *bad_allow(const char *v, char *buf, size_t buflen)
{
	char *tok, *save = NULL;

	if (strlen(v) >= buflen || !*v || v[0] == ',' || v[strlen(v) - 1] == ',' ||
	    strstr(v, ",,"))
		return v;
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!valid_prefix(tok))
			return tok;
	return NULL;
}

bool bt_cli_valid_allow(const char *v)
{
	char buf[BMPTAP_SERVER_STRING_MAX + 1];

	return !bad_allow(v, buf, sizeof(buf));
}

static int parse_allow(struct parser *p, const char *v, char *out, size_t outlen)
{
	char buf[BMPTAP_SERVER_STRING_MAX + 1];
	const char *bad;

	if (strlen(v) >= outlen)
		return perr(p, "invalid allow \"%s\" (at most %zu bytes)",
			    show(v).s, outlen - 1);
	bad = bad_allow(v, buf, sizeof(buf));
	if (bad == v)
		return perr(p, "invalid allow \"%s\" (PREFIX[,PREFIX..])", show(v).s);
	if (bad)
		return perr(p, "invalid prefix \"%s\" in allow", show(bad).s);
	strcpy(out, v);
	return 0;
}

/* ---- policy -------------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t bits;
} policies[] = {
	{ "pre-policy", BMPTAP_POLICY_PRE },
	{ "post-policy", BMPTAP_POLICY_POST },
	{ "local-rib", BMPTAP_POLICY_LOCAL_RIB },
	{ "adj-rib-out", BMPTAP_POLICY_ADJ_OUT },
	{ "all", BMPTAP_POLICY_ALL },
	{ "both", BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST },
};

#define POLICY_CHOICES "pre-policy, post-policy, local-rib, adj-rib-out, all, both"

/*
 * Single names or a comma-separated combination of them.  NULL on
 * success, else the offending part (in buf).
 */
static const char *policy_bits(const char *v, uint32_t *out, bool *both,
			       char *buf, size_t buflen)
{
	char *tok, *save = NULL;
	uint32_t bits = 0;
	size_t i;

	*both = false;
	if (!*v || strlen(v) >= buflen || v[0] == ',' ||
	    v[strlen(v) - 1] == ',' || strstr(v, ",,"))
		return v;
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
			if (!strcmp(tok, policies[i].name))
				break;
		if (i == sizeof(policies) / sizeof(policies[0]))
			return tok;
		if (!strcmp(tok, "both"))
			*both = true;
		bits |= policies[i].bits;
	}
	*out = bits;
	return NULL;
}

bool bt_cli_policy_parse(const char *v, uint32_t *out, bool *deprecated)
{
	char buf[128];

	return !policy_bits(v, out, deprecated, buf, sizeof(buf));
}

static int parse_policy(struct parser *p, const char *v, uint32_t *out,
			struct bt_cli_req *req)
{
	char buf[128];
	const char *bad;
	bool both;

	bad = policy_bits(v, out, &both, buf, sizeof(buf));
	if (bad)
		return perr(p, "invalid policy \"%s\" (%s)", show(bad).s, POLICY_CHOICES);
	if (both)
		snprintf(req->warning, sizeof(req->warning),
			 "warning: policy \"both\" is deprecated, it means pre-policy,post-policy");
	return 0;
}

void bt_cli_policy_str(uint32_t policy, char *out, size_t outlen)
{
	size_t i, n = 0;

	out[0] = '\0';
	/* The single bits only: "all" and "both" are input shorthands. */
	for (i = 0; i < 4; i++) {
		if (!(policy & policies[i].bits))
			continue;
		n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s",
				      n ? "," : "", policies[i].name);
		if (n >= outlen)
			return;
	}
	if (!n)
		snprintf(out, outlen, "none");
}

/* ---- keyword loops ------------------------------------------------------- */

struct kw {
	const char *name;
	unsigned int bit;
};

static const struct kw tap_kws[] = {
	{ "ports", BT_NS_PORTS },
	{ "forward", BT_NS_FORWARD },
	{ "max-flows", BT_NS_MAX_FLOWS },
	{ "queue-bytes", BT_NS_QUEUE_BYTES },
	{ "flow-reasm-bytes", BT_NS_FLOW_REASM_BYTES },
	{ "idle-timeout", BT_NS_IDLE_TIMEOUT },
	{ NULL, 0 },
};

/*
 * Finds argv[*i] among kws and returns its value, or NULL with err set.
 * seen guards against a keyword given twice, which would be ambiguous.
 */
static const struct kw *next_kw(struct parser *p, const struct kw *kws,
				const char *what, int argc, char *const argv[],
				int *i, unsigned int *seen, const char **val)
{
	const struct kw *k;

	for (k = kws; k->name; k++)
		if (!strcmp(argv[*i], k->name))
			break;
	if (!k->name) {
		perr(p, "unknown keyword \"%s\" for \"%s\"", show(argv[*i]).s, what);
		return NULL;
	}
	if (*seen & k->bit) {
		perr(p, "duplicate keyword \"%s\"", k->name);
		return NULL;
	}
	if (*i + 1 >= argc) {
		perr(p, "missing value for \"%s\"", k->name);
		return NULL;
	}
	*seen |= k->bit;
	*val = argv[++*i];
	return k;
}

static int tap_opts(struct parser *p, int argc, char *const argv[],
		    struct bt_netns_settings *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < argc; i++) {
		const char *v;
		const struct kw *k = next_kw(p, tap_kws, "tap set", argc, argv,
					     &i, &s->have, &v);
		int err = 0;

		if (!k)
			return -1;
		switch (k->bit) {
		case BT_NS_PORTS:
			err = parse_ports(p, v, s);
			break;
		case BT_NS_FORWARD:
			err = parse_onoff(p, "forward", v, &s->forward);
			break;
		case BT_NS_MAX_FLOWS:
			err = parse_u32(p, "max-flows", v, 1, &s->max_flows);
			break;
		case BT_NS_QUEUE_BYTES:
			err = parse_u32(p, "queue-bytes", v, 1, &s->queue_bytes);
			break;
		case BT_NS_FLOW_REASM_BYTES:
			err = parse_u32(p, "flow-reasm-bytes", v, 0,
					&s->flow_reasm_bytes);
			break;
		case BT_NS_IDLE_TIMEOUT:
			err = parse_u32(p, "idle-timeout", v, 0, &s->idle_timeout);
			break;
		}
		if (err)
			return -1;
	}
	if (!s->have)
		return perr(p, "nothing to set for \"tap set\" (ports, forward, max-flows, queue-bytes, flow-reasm-bytes, idle-timeout)");
	return 0;
}

int bt_cli_parse_tap_opts(int argc, char *const argv[],
			  struct bt_netns_settings *s, char *err, size_t errlen)
{
	struct parser p = { err, errlen };

	err[0] = '\0';
	return tap_opts(&p, argc, argv, s);
}

/* BT_SRV_* bits, plus one for the port that identifies the server. */
static const struct kw server_kws[] = {
	{ "port", BT_SRV_PORT },
	{ "policy", BT_SRV_POLICY },
	{ "statistics-timeout", BT_SRV_STATS_TIMEOUT },
	{ "mirroring", BT_SRV_MIRRORING },
	{ "sys-name", BT_SRV_SYS_NAME },
	{ "sys-descr", BT_SRV_SYS_DESCR },
	{ "passive", BT_SRV_PASSIVE },
	{ "allow", BT_SRV_ALLOW },
	{ "families", BT_SRV_FAMILIES },
	{ "peers", BT_SRV_PEERS },
	{ "replay-rate", BT_SRV_REPLAY_RATE },
	{ "source", BT_SRV_SOURCE },
	{ "dscp", BT_SRV_DSCP },
	{ "tls", BT_SRV_TLS },
	{ "ca-file", BT_SRV_TLS_CA },	/* bt_tls_keys */
	{ "cert-file", BT_SRV_TLS_CERT },
	{ "key-file", BT_SRV_TLS_KEY },
	{ "tls-name", BT_SRV_TLS_NAME },
	{ NULL, 0 },
};

static const struct kw server_del_kws[] = {
	{ "port", BT_SRV_PORT },
	{ NULL, 0 },
};

static int parse_string(struct parser *p, const char *kw, const char *v,
			char *out, size_t outlen)
{
	if (strlen(v) >= outlen)
		return perr(p, "invalid %s \"%s\" (at most %zu bytes)", kw,
			    show(v).s, outlen - 1);
	strcpy(out, v);
	return 0;
}

static int server_cmd(struct parser *p, int argc, char *const argv[],
		      struct bt_cli_req *req, const char *what)
{
	struct bt_server_cfg *s = &req->server;
	const struct kw *kws = req->cmd == BT_CLI_SERVER_DEL ?
		server_del_kws : server_kws;
	int i;

	if (argc < 1)
		return perr(p, "missing address for \"%s\"", what);
	if (!bt_cli_norm_address(argv[0], s->address, sizeof(s->address)))
		return perr(p, "invalid address \"%s\" (IPv4, IPv6 or host name)",
			    show(argv[0]).s);
	for (i = 1; i < argc; i++) {
		const char *v;
		const struct kw *k = next_kw(p, kws, what, argc, argv, &i,
					     &s->have, &v);
		uint64_t n;
		int err = 0;

		if (!k)
			return -1;
		switch (k->bit) {
		case BT_SRV_PORT:
			err = parse_port(p, v, &s->port);
			break;
		case BT_SRV_POLICY:
			err = parse_policy(p, v, &s->policy, req);
			break;
		case BT_SRV_STATS_TIMEOUT:
			/* RFC 7854 stats reports: off, or no more often than 15 s. */
			if (!parse_num(v, 0, 65535, &n) || (n > 0 && n < 15))
				return perr(p, "invalid statistics-timeout \"%s\" (0 or 15..65535)",
					    show(v).s);
			s->stats_timeout = (uint32_t)n;
			break;
		case BT_SRV_MIRRORING:
			err = parse_onoff(p, "mirroring", v, &s->mirroring);
			break;
		case BT_SRV_SYS_NAME:
			err = parse_string(p, "sys-name", v, s->sys_name,
					   sizeof(s->sys_name));
			break;
		case BT_SRV_SYS_DESCR:
			err = parse_string(p, "sys-descr", v, s->sys_descr,
					   sizeof(s->sys_descr));
			break;
		case BT_SRV_PASSIVE:
			err = parse_onoff(p, "passive", v, &s->passive);
			break;
		case BT_SRV_ALLOW:
			err = parse_allow(p, v, s->allow, sizeof(s->allow));
			break;
		case BT_SRV_TLS:
			err = parse_onoff(p, "tls", v, &s->tls);
			break;
		case BT_SRV_TLS_CA: case BT_SRV_TLS_CERT: case BT_SRV_TLS_KEY:
		case BT_SRV_TLS_NAME:
			/* The TLS strings, checked on the merged config (tls.h). */
			err = parse_string(p, k->name, v, BT_TLS_STR(s, bt_tls_key_bit(k->bit)),
					   BMPTAP_SERVER_STRING_MAX + 1);
			break;
		default:
			err = bt_sel_parse(k->bit, k->name, v, s, p->err, p->errlen);
			break;
		}
		if (err)
			return -1;
	}
	if (!(s->have & BT_SRV_PORT))
		s->port = BT_BMP_PORT;
	s->have |= BT_SRV_PORT;
	if (req->cmd == BT_CLI_SERVER_ADD) {
		/* Defaults are stored explicitly so that `show servers` tells all. */
		if (!(s->have & BT_SRV_POLICY))
			s->policy = BMPTAP_POLICY_PRE;
		s->have |= BT_SRV_POLICY | BT_SRV_STATS_TIMEOUT |
			   BT_SRV_MIRRORING | BT_SRV_PASSIVE;
		return bt_sel_check(s, p->err, p->errlen);
	} else if (req->cmd == BT_CLI_SERVER_SET && s->have == BT_SRV_PORT) {
		return perr(p, "nothing to set for \"server set\"");
	}
	return 0;
}

/* ---- top level ----------------------------------------------------------- */

static int no_more(struct parser *p, int argc, char *const argv[])
{
	if (argc > 0)
		return perr(p, "unexpected argument \"%s\"", show(argv[0]).s);
	return 0;
}

/* filter add NAME MATCH.. | filter del NAME | filter show */
static int filter_cmd(struct parser *p, int argc, char *const argv[], struct bt_cli_req *req)
{
	if (argc < 1)
		return perr(p, "missing subcommand for \"filter\" (add, del, show)");
	if (!strcmp(argv[0], "show")) {
		req->cmd = BT_CLI_FILTER_SHOW;
		return no_more(p, argc - 1, argv + 1);
	}
	if (strcmp(argv[0], "add") && strcmp(argv[0], "del"))
		return perr(p, "unknown subcommand \"%s\" for \"filter\" (add, del, show)",
			    show(argv[0]).s);
	req->cmd = !strcmp(argv[0], "add") ? BT_CLI_FILTER_ADD : BT_CLI_FILTER_DEL;
	if (argc < 2)
		return perr(p, "missing filter name for \"filter %s\"", argv[0]);
	if (!bt_filter_name_ok(argv[1]))
		return perr(p, "invalid filter name \"%s\" (1..%d of A-Z a-z 0-9 _ . -)",
			    show(argv[1]).s, BMPTAP_FILTER_NAME_MAX);
	snprintf(req->filter.name, sizeof(req->filter.name), "%s", argv[1]);
	if (req->cmd == BT_CLI_FILTER_DEL)
		return no_more(p, argc - 2, argv + 2);
	return bt_filter_parse(argc - 2, argv + 2, &req->filter, p->err, p->errlen);
}

#define SHOW_CHOICES "flows, counters, tap, servers, peers, status"

static int config_cmd(struct parser *p, int argc, char *const argv[],
		      struct bt_cli_req *req)
{
	int i;

	if (argc < 1)
		return perr(p, "missing subcommand for \"config\" (load, show)");
	if (!strcmp(argv[0], "show")) {
		req->cmd = BT_CLI_CONFIG_SHOW;
		return no_more(p, argc - 1, argv + 1);
	}
	if (strcmp(argv[0], "load"))
		return perr(p, "unknown subcommand \"%s\" for \"config\" (load, show)",
			    show(argv[0]).s);
	req->cmd = BT_CLI_CONFIG_LOAD;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--merge") && !req->merge) {
			req->merge = true;
		} else if (!strcmp(argv[i], "--merge")) {
			return perr(p, "duplicate option \"--merge\"");
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return perr(p, "unknown option \"%s\" for \"config load\" (--merge)",
				    show(argv[i]).s);
		} else if (req->file) {
			return perr(p, "unexpected argument \"%s\"", show(argv[i]).s);
		} else {
			req->file = argv[i];
		}
	}
	if (!req->file)
		return perr(p, "missing file for \"config load\"");
	return 0;
}

int bt_cli_parse(int argc, char *const argv[], struct bt_cli_req *req,
		 char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum bt_cli_cmd cmd;
	} shows[] = {
		{ "flows", BT_CLI_SHOW_FLOWS },
		{ "counters", BT_CLI_SHOW_COUNTERS },
		{ "tap", BT_CLI_SHOW_TAP },
		{ "servers", BT_CLI_SHOW_SERVERS },
		{ "peers", BT_CLI_SHOW_PEERS },
		{ "status", BT_CLI_SHOW_STATUS },
	};
	struct parser p = { err, errlen };
	const char *cmd;
	size_t k;
	int i = 1;

	memset(req, 0, sizeof(*req));
	err[0] = '\0';
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			req->json = true;
		} else if (!strcmp(argv[i], "-S") || !strcmp(argv[i], "--socket")) {
			if (++i >= argc || !argv[i][0])
				return perr(&p, "%s needs a path", argv[i - 1]);
			req->socket = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			req->cmd = BT_CLI_HELP;
			return 0;
		} else {
			return perr(&p, "unknown option \"%s\" (see \"" PROG " help\")",
				    show(argv[i]).s);
		}
	}
	if (i >= argc)
		return perr(&p, "missing command (see \"" PROG " help\")");
	cmd = argv[i++];
	argc -= i;
	argv += i;

	if (!strcmp(cmd, "help")) {
		req->cmd = BT_CLI_HELP;
		return no_more(&p, argc, argv);
	}
	if (!strcmp(cmd, "show")) {
		if (argc < 1)
			return perr(&p, "missing object for \"show\" (" SHOW_CHOICES ")");
		for (k = 0; k < sizeof(shows) / sizeof(shows[0]); k++) {
			if (!strcmp(argv[0], shows[k].name)) {
				req->cmd = shows[k].cmd;
				return no_more(&p, argc - 1, argv + 1);
			}
		}
		return perr(&p, "unknown object \"%s\" for \"show\" (" SHOW_CHOICES ")",
			    show(argv[0]).s);
	}
	if (!strcmp(cmd, "tap")) {
		if (argc < 1)
			return perr(&p, "missing subcommand for \"tap\" (set)");
		if (strcmp(argv[0], "set"))
			return perr(&p, "unknown subcommand \"%s\" for \"tap\" (set)",
				    show(argv[0]).s);
		req->cmd = BT_CLI_TAP_SET;
		return tap_opts(&p, argc - 1, argv + 1, &req->tap);
	}
	if (!strcmp(cmd, "server")) {
		if (argc < 1)
			return perr(&p, "missing subcommand for \"server\" (add, set, del)");
		if (!strcmp(argv[0], "add"))
			req->cmd = BT_CLI_SERVER_ADD;
		else if (!strcmp(argv[0], "set"))
			req->cmd = BT_CLI_SERVER_SET;
		else if (!strcmp(argv[0], "del"))
			req->cmd = BT_CLI_SERVER_DEL;
		else
			return perr(&p, "unknown subcommand \"%s\" for \"server\" (add, set, del)",
				    show(argv[0]).s);
		return server_cmd(&p, argc - 1, argv + 1, req,
				  req->cmd == BT_CLI_SERVER_ADD ? "server add" :
				  req->cmd == BT_CLI_SERVER_SET ? "server set" :
				  "server del");
	}
	if (!strcmp(cmd, "filter"))
		return filter_cmd(&p, argc, argv, req);
	if (!strcmp(cmd, "config"))
		return config_cmd(&p, argc, argv, req);
	if (!strcmp(cmd, "monitor")) {
		req->cmd = BT_CLI_MONITOR;
		return no_more(&p, argc, argv);
	}
	return perr(&p, "unknown command \"%s\" (see \"" PROG " help\")", show(cmd).s);
}

void bt_cli_server_merge(struct bt_server_cfg *dst,
			 const struct bt_server_cfg *upd)
{
	unsigned int h = upd->have;

	if (h & BT_SRV_PORT)
		dst->port = upd->port;
	if (h & BT_SRV_POLICY)
		dst->policy = upd->policy;
	if (h & BT_SRV_STATS_TIMEOUT)
		dst->stats_timeout = upd->stats_timeout;
	if (h & BT_SRV_MIRRORING)
		dst->mirroring = upd->mirroring;
	if (h & BT_SRV_SYS_NAME)
		memcpy(dst->sys_name, upd->sys_name, sizeof(dst->sys_name));
	if (h & BT_SRV_SYS_DESCR)
		memcpy(dst->sys_descr, upd->sys_descr, sizeof(dst->sys_descr));
	if (h & BT_SRV_PASSIVE)
		dst->passive = upd->passive;
	if (h & BT_SRV_ALLOW)
		memcpy(dst->allow, upd->allow, sizeof(dst->allow));
	bt_sel_merge(dst, upd);
	if (h & BT_SRV_TLS)
		dst->tls = upd->tls;
	for (size_t i = 0; i < BT_TLS_KEYS; i++)
		if (h & bt_tls_keys[i].bit)
			strcpy(BT_TLS_STR(dst, &bt_tls_keys[i]), BT_TLS_STR(upd, &bt_tls_keys[i]));
	dst->have |= h;
}

bool bt_cli_server_match(const struct bt_server_cfg *s, const char *address,
			 uint16_t port)
{
	char a[BMPTAP_SERVER_ADDRESS_MAX + 1];
	uint16_t sport = s->have & BT_SRV_PORT ? s->port : BT_BMP_PORT;

	/* Configs stored by other tools may not be in canonical form. */
	if (!bt_cli_norm_address(s->address, a, sizeof(a)))
		snprintf(a, sizeof(a), "%s", s->address);
	return sport == port && !strcmp(a, address);
}

const char *bt_cli_usage(void)
{
	return
"Usage: " PROG " [-j] COMMAND\n"
"\n"
"  " PROG " [-j] show flows|counters|tap|servers|peers|status\n"
"  " PROG " tap set [ports P[,P..]] [forward on|off] [max-flows N]\n"
"                  [queue-bytes N] [flow-reasm-bytes N] [idle-timeout S]\n"
"  " PROG " server add|set ADDRESS [port N] [policy POLICY[,POLICY..]]\n"
"                  [statistics-timeout S] [mirroring on|off]\n"
"                  [sys-name S] [sys-descr S] [passive on|off]\n"
"                  [allow PREFIX[,PREFIX..]] [families FAMILY[,FAMILY..]]\n"
"                  [peers PEER[,PEER..]] [replay-rate N] [source ADDRESS]\n"
"                  [dscp N] [tls on|off] [ca-file PATH]\n"
"                  [cert-file PATH key-file PATH] [tls-name NAME]\n"
"  " PROG " server del ADDRESS [port N]\n"
"  " PROG " filter add NAME prefix P/LEN [ge N] [le N] | max-length ipv4|ipv6 N\n"
"                  | as-path ASN | community ASN:VALUE\n"
"  " PROG " filter del NAME\n"
"  " PROG " [-j] filter show\n"
"  " PROG " config load [--merge] FILE\n"
"  " PROG " config show\n"
"  " PROG " [-j] monitor\n"
"  " PROG " help\n"
"\n"
"  -j, --json       print JSON instead of text\n"
"  ADDRESS          IPv4 or IPv6 address or host name; with port N\n"
"                   (default 11019) it identifies the BMP server\n"
"  POLICY           pre-policy, post-policy, local-rib, adj-rib-out,\n"
"                   all (pre+post+local-rib), both (deprecated: pre+post)\n"
"  statistics-timeout  0 (no statistics reports) or 15..65535 seconds\n"
"  FAMILY           ipv4-unicast, ipv6-unicast (default: all)\n"
"  PEER             peer ADDRESS[/LEN] or AS number (default: all peers)\n"
"  replay-rate      BMP messages/s of table replays, 0: unpaced (default)\n"
"  source, dscp     source address and DSCP (0..63) of the session\n"
"\n"
"server add fails if the server exists; set and del fail if it does not.\n"
"server set changes only the settings given.\n"
"config load reads the [[bmp-servers]] of a GoBGP TOML file (\"-\": stdin),\n"
"validates all of it, then makes the servers in the module exactly those\n"
"of the file (--merge: only adds and replaces).  config show prints them\n"
"in the same format.  monitor prints bmptapd's peer and route events.\n"
"show servers|peers|status and monitor ask bmptapd over its control socket\n"
"(root or the socket's group); the rest talks to the module (CAP_NET_ADMIN).\n"
"filter add stores an import filter (replacing one of the same name): the\n"
"routes it matches are left out of the post-policy and Loc-RIB views.\n";
}
