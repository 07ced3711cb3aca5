// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapctl argument parsing (every command and refusal, exact messages)
 * and the JSON writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"
#include "json.h"
#include "select.h"

#define MAXARGS 32

/* Splits a command line on spaces; "bmptapctl" is argv[0]. */
static int parse_line(const char *line, struct bt_cli_req *req, char *err)
{
	char buf[2048], *argv[MAXARGS], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	argv[argc++] = "bmptapctl";
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return bt_cli_parse(argc, argv, req, err, BT_CLI_ERRLEN);
}

static int parse_argv(int argc, char **argv, struct bt_cli_req *req, char *err)
{
	return bt_cli_parse(argc, argv, req, err, BT_CLI_ERRLEN);
}

struct bad {
	const char *line;
	const char *err;
};

static void check_bad(const struct bad *cases, size_t n)
{
	struct bt_cli_req req;
	char err[BT_CLI_ERRLEN];
	size_t i;

	for (i = 0; i < n; i++) {
		if (parse_line(cases[i].line, &req, err) != -1)
			fail_msg("accepted: \"%s\"", cases[i].line);
		if (strcmp(err, cases[i].err))
			fail_msg("\"%s\":\n  got  %s\n  want %s", cases[i].line, err,
				 cases[i].err);
		if (strchr(err, '\n'))
			fail_msg("\"%s\": multi-line error", cases[i].line);
	}
}

#define CHECK_BAD(c) check_bad(c, sizeof(c) / sizeof(c[0]))

static struct bt_cli_req ok(const char *line)
{
	struct bt_cli_req req;
	char err[BT_CLI_ERRLEN];

	if (parse_line(line, &req, err))
		fail_msg("refused \"%s\": %s", line, err);
	return req;
}

/* ---- top level ----------------------------------------------------------- */

static void test_top_level(void **state)
{
	static const struct bad bad[] = {
		{ "", "missing command (see \"bmptapctl help\")" },
		{ "-j", "missing command (see \"bmptapctl help\")" },
		{ "frobnicate", "unknown command \"frobnicate\" (see \"bmptapctl help\")" },
		{ "-x show flows", "unknown option \"-x\" (see \"bmptapctl help\")" },
		{ "--jsonx show tap", "unknown option \"--jsonx\" (see \"bmptapctl help\")" },
		{ "help me", "unexpected argument \"me\"" },
		{ "show", "missing object for \"show\" (flows, counters, tap, servers, peers, status)" },
		{ "show flow", "unknown object \"flow\" for \"show\" (flows, counters, tap, servers, peers, status)" },
		{ "show flows all", "unexpected argument \"all\"" },
		{ "show tap -j", "unexpected argument \"-j\"" },
		{ "tap", "missing subcommand for \"tap\" (set)" },
		{ "tap show", "unknown subcommand \"show\" for \"tap\" (set)" },
		{ "server", "missing subcommand for \"server\" (add, set, del)" },
		{ "server rm 1.2.3.4", "unknown subcommand \"rm\" for \"server\" (add, set, del)" },
		{ "show -j flows", "unknown object \"-j\" for \"show\" (flows, counters, tap, servers, peers, status)" },
	};
	struct bt_cli_req r;

	(void)state;
	CHECK_BAD(bad);
	r = ok("help");
	assert_int_equal(r.cmd, BT_CLI_HELP);
	r = ok("--help");
	assert_int_equal(r.cmd, BT_CLI_HELP);
	r = ok("-h show flows");
	assert_int_equal(r.cmd, BT_CLI_HELP);
	r = ok("show flows");
	assert_int_equal(r.cmd, BT_CLI_SHOW_FLOWS);
	assert_false(r.json);
	r = ok("-j show flows");
	assert_int_equal(r.cmd, BT_CLI_SHOW_FLOWS);
	assert_true(r.json);
	r = ok("--json show counters");
	assert_int_equal(r.cmd, BT_CLI_SHOW_COUNTERS);
	assert_true(r.json);
	assert_int_equal(ok("show tap").cmd, BT_CLI_SHOW_TAP);
	assert_int_equal(ok("show servers").cmd, BT_CLI_SHOW_SERVERS);
	assert_int_equal(ok("-j show status").cmd, BT_CLI_SHOW_STATUS);
	assert_string_equal(ok("show servers").warning, "");
}

static void test_usage(void **state)
{
	const char *u = bt_cli_usage();

	(void)state;
	assert_non_null(strstr(u, "show flows|counters|tap|servers|peers|status"));
	assert_non_null(strstr(u, "tap set"));
	assert_non_null(strstr(u, "server add|set"));
	assert_non_null(strstr(u, "server del"));
	assert_non_null(strstr(u, "11019"));
	assert_non_null(strstr(u, "-j"));
}

/* ---- tap set ------------------------------------------------------------- */

static void test_tap_set(void **state)
{
	struct bt_cli_req r;

	(void)state;
	r = ok("tap set ports 179");
	assert_int_equal(r.cmd, BT_CLI_TAP_SET);
	assert_int_equal(r.tap.have, BT_NS_PORTS);
	assert_int_equal(r.tap.n_ports, 1);
	assert_int_equal(r.tap.ports[0], 179);

	r = ok("tap set ports 179,1790,1,65535,2,3,4,5 forward on max-flows 1 "
	       "queue-bytes 4294967295 flow-reasm-bytes 0 idle-timeout 0");
	assert_int_equal(r.tap.have, BT_NS_PORTS | BT_NS_FORWARD | BT_NS_MAX_FLOWS |
			 BT_NS_QUEUE_BYTES | BT_NS_FLOW_REASM_BYTES |
			 BT_NS_IDLE_TIMEOUT);
	assert_int_equal(r.tap.n_ports, 8);
	assert_int_equal(r.tap.ports[3], 65535);
	assert_int_equal(r.tap.ports[7], 5);
	assert_true(r.tap.forward);
	assert_int_equal(r.tap.max_flows, 1);
	assert_int_equal(r.tap.queue_bytes, 4294967295U);
	assert_int_equal(r.tap.flow_reasm_bytes, 0);
	assert_int_equal(r.tap.idle_timeout, 0);

	r = ok("tap set forward off idle-timeout 300 flow-reasm-bytes 65536");
	assert_int_equal(r.tap.have, BT_NS_FORWARD | BT_NS_IDLE_TIMEOUT |
			 BT_NS_FLOW_REASM_BYTES);
	assert_false(r.tap.forward);
	assert_int_equal(r.tap.idle_timeout, 300);
	assert_int_equal(r.tap.flow_reasm_bytes, 65536);
}

static void test_tap_set_errors(void **state)
{
	static const struct bad bad[] = {
		{ "tap set", "nothing to set for \"tap set\" (ports, forward, max-flows, queue-bytes, flow-reasm-bytes, idle-timeout)" },
		{ "tap set ports", "missing value for \"ports\"" },
		{ "tap set forward on max-flows", "missing value for \"max-flows\"" },
		{ "tap set port 179", "unknown keyword \"port\" for \"tap set\"" },
		{ "tap set ports 179 bogus 1", "unknown keyword \"bogus\" for \"tap set\"" },
		{ "tap set ports 179 ports 180", "duplicate keyword \"ports\"" },
		{ "tap set ports 0", "invalid port \"0\" (1..65535)" },
		{ "tap set ports 70000", "invalid port \"70000\" (1..65535)" },
		{ "tap set ports 65536", "invalid port \"65536\" (1..65535)" },
		{ "tap set ports 179,abc", "invalid port \"abc\" (1..65535)" },
		{ "tap set ports -1", "invalid port \"-1\" (1..65535)" },
		{ "tap set ports +179", "invalid port \"+179\" (1..65535)" },
		{ "tap set ports 0x10", "invalid port \"0x10\" (1..65535)" },
		{ "tap set ports 179,,180", "invalid ports \"179,,180\" (P[,P..], at most 8)" },
		{ "tap set ports 179,", "invalid ports \"179,\" (P[,P..], at most 8)" },
		{ "tap set ports ,179", "invalid ports \",179\" (P[,P..], at most 8)" },
		{ "tap set ports 1,2,3,4,5,6,7,8,9", "invalid ports \"1,2,3,4,5,6,7,8,9\" (at most 8 ports)" },
		{ "tap set ports 179,180,179", "duplicate port \"179\" in ports" },
		{ "tap set forward yes", "invalid forward \"yes\" (on|off)" },
		{ "tap set forward ON", "invalid forward \"ON\" (on|off)" },
		{ "tap set max-flows 0", "invalid max-flows \"0\" (1..4294967295)" },
		{ "tap set max-flows 4294967296", "invalid max-flows \"4294967296\" (1..4294967295)" },
		{ "tap set max-flows 99999999999999999999999", "invalid max-flows \"99999999999999999999999\" (1..4294967295)" },
		{ "tap set max-flows 10k", "invalid max-flows \"10k\" (1..4294967295)" },
		{ "tap set queue-bytes 0", "invalid queue-bytes \"0\" (1..4294967295)" },
		{ "tap set queue-bytes 1.5", "invalid queue-bytes \"1.5\" (1..4294967295)" },
		{ "tap set flow-reasm-bytes -5", "invalid flow-reasm-bytes \"-5\" (0..4294967295)" },
		{ "tap set idle-timeout 5s", "invalid idle-timeout \"5s\" (0..4294967295)" },
		{ "tap set idle-timeout 4294967296", "invalid idle-timeout \"4294967296\" (0..4294967295)" },
	};
	char *empty[] = { "bmptapctl", "tap", "set", "max-flows", "" };
	struct bt_cli_req r;
	char err[BT_CLI_ERRLEN];

	(void)state;
	CHECK_BAD(bad);
	assert_int_equal(parse_argv(5, empty, &r, err), -1);
	assert_string_equal(err, "invalid max-flows \"\" (1..4294967295)");
}

static void test_tap_opts_alone(void **state)
{
	char *argv[] = { "ports", "179", "forward", "on" };
	char *bad[] = { "forward" };
	struct bt_netns_settings s;
	char err[BT_CLI_ERRLEN];

	(void)state;
	assert_int_equal(bt_cli_parse_tap_opts(4, argv, &s, err, sizeof(err)), 0);
	assert_int_equal(s.have, BT_NS_PORTS | BT_NS_FORWARD);
	assert_int_equal(bt_cli_parse_tap_opts(1, bad, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "missing value for \"forward\"");
	assert_int_equal(bt_cli_parse_tap_opts(0, bad, &s, err, sizeof(err)), -1);
}

/* ---- server -------------------------------------------------------------- */

static void test_server_add_defaults(void **state)
{
	struct bt_cli_req r;

	(void)state;
	r = ok("server add 192.0.2.1");
	assert_int_equal(r.cmd, BT_CLI_SERVER_ADD);
	assert_string_equal(r.server.address, "192.0.2.1");
	assert_int_equal(r.server.port, 11019);
	assert_int_equal(r.server.policy, BMPTAP_POLICY_PRE);
	assert_int_equal(r.server.stats_timeout, 0);
	assert_false(r.server.mirroring);
	assert_false(r.server.passive);
	assert_int_equal(r.server.have, BT_SRV_PORT | BT_SRV_POLICY |
			 BT_SRV_STATS_TIMEOUT | BT_SRV_MIRRORING | BT_SRV_PASSIVE);
	assert_string_equal(r.warning, "");
}

static void test_server_add_full(void **state)
{
	char *argv[] = { "bmptapctl", "server", "add", "Collector-1.Example.NET",
			 "port", "1790", "policy", "all", "statistics-timeout", "65535",
			 "mirroring", "on", "sys-name", "edge router 1",
			 "sys-descr", "tap on \"eth0\"", "passive", "on",
			 "allow", "10.0.0.0/8,2001:db8::/32,192.0.2.1" };
	struct bt_cli_req r;
	char err[BT_CLI_ERRLEN];

	(void)state;
	assert_int_equal(parse_argv(sizeof(argv) / sizeof(argv[0]), argv, &r, err), 0);
	assert_string_equal(r.server.address, "collector-1.example.net");
	assert_int_equal(r.server.port, 1790);
	assert_int_equal(r.server.policy, BMPTAP_POLICY_ALL);
	assert_int_equal(r.server.stats_timeout, 65535);
	assert_true(r.server.mirroring);
	assert_string_equal(r.server.sys_name, "edge router 1");
	assert_string_equal(r.server.sys_descr, "tap on \"eth0\"");
	assert_true(r.server.passive);
	assert_string_equal(r.server.allow, "10.0.0.0/8,2001:db8::/32,192.0.2.1");
	assert_int_equal(r.server.have, BT_SRV_PORT | BT_SRV_POLICY |
			 BT_SRV_STATS_TIMEOUT | BT_SRV_MIRRORING | BT_SRV_SYS_NAME |
			 BT_SRV_SYS_DESCR | BT_SRV_PASSIVE | BT_SRV_ALLOW);
}

/* Selection, pacing and connection options (select.h). */
static void test_server_add_select(void **state)
{
	struct bt_cli_req r;

	(void)state;
	r = ok("server add 192.0.2.1 families ipv4-unicast peers 10.0.0.0/8,65001 "
	       "replay-rate 2000 source 192.0.2.7 dscp 46");
	assert_int_equal(r.server.families, BMPTAP_FAMILY_IPV4_UNICAST);
	assert_string_equal(r.server.peers, "10.0.0.0/8,65001");
	assert_int_equal(r.server.replay_rate, 2000);
	assert_string_equal(r.server.source, "192.0.2.7");
	assert_int_equal(r.server.dscp, 46);
	assert_int_equal(r.server.have & BT_SRV_SEL_ALL, BT_SRV_SEL_ALL);
	/* Not given: not stored (all families, all peers, unpaced). */
	r = ok("server add 192.0.2.1");
	assert_int_equal(r.server.have & BT_SRV_SEL_ALL, 0);
	r = ok("server set 192.0.2.1 dscp 0");
	assert_int_equal(r.server.have, BT_SRV_PORT | BT_SRV_DSCP);

	struct bt_server_cfg cur = { .have = BT_SRV_PORT | BT_SRV_FAMILIES,
				     .families = BMPTAP_FAMILY_ALL };
	r = ok("server set 192.0.2.1 families ipv6-unicast source 192.0.2.8");
	bt_cli_server_merge(&cur, &r.server);
	assert_int_equal(cur.families, BMPTAP_FAMILY_IPV6_UNICAST);
	assert_string_equal(cur.source, "192.0.2.8");
	assert_int_equal(cur.have, BT_SRV_PORT | BT_SRV_FAMILIES | BT_SRV_SOURCE);
}

static void test_server_select_errors(void **state)
{
	static const struct bad bad[] = {
		{ "server add 192.0.2.1 families ipv4", "invalid family \"ipv4\" in families (ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)" },
		{ "server add 192.0.2.1 families ipv4-unicast,,ipv6-unicast",
		  "invalid families \"ipv4-unicast,,ipv6-unicast\" (FAMILY[,FAMILY..]: ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)" },
		{ "server add 192.0.2.1 families", "missing value for \"families\"" },
		{ "server add 192.0.2.1 peers 10.0.0.0/8,x", "invalid peer \"x\" in peers (ADDRESS[/LEN] or AS number 1..4294967295)" },
		{ "server add 192.0.2.1 peers 0", "invalid peer \"0\" in peers (ADDRESS[/LEN] or AS number 1..4294967295)" },
		{ "server add 192.0.2.1 replay-rate fast",
		  "invalid replay-rate \"fast\" (messages per second 1..4294967295, 0: unpaced)" },
		{ "server add 192.0.2.1 source 10.0.0.1/32", "invalid source \"10.0.0.1/32\" (IPv4 or IPv6 address)" },
		{ "server add 192.0.2.1 source 2001:db8::1", "source 2001:db8::1 is IPv6 but address 192.0.2.1 is IPv4" },
		{ "server add 2001:db8::2 source 192.0.2.1", "source 192.0.2.1 is IPv4 but address 2001:db8::2 is IPv6" },
		{ "server add 192.0.2.1 dscp 64", "invalid dscp \"64\" (0..63)" },
		{ "server add 192.0.2.1 dscp -1", "invalid dscp \"-1\" (0..63)" },
		{ "server set 192.0.2.1 dscp 1 dscp 2", "duplicate keyword \"dscp\"" },
		{ "server del 192.0.2.1 dscp 1", "unknown keyword \"dscp\" for \"server del\"" },
	};

	(void)state;
	CHECK_BAD(bad);
}

static void test_server_addresses(void **state)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "2001:DB8::0001", "2001:db8::1" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "::1", "::1" },
		{ "localhost", "localhost" },
		{ "BMP.example.com", "bmp.example.com" },
		{ "a-b.c1", "a-b.c1" },
		{ "1host.example", "1host.example" },
		{ "x", "x" },
	};
	static const struct bad bad[] = {
		{ "server add", "missing address for \"server add\"" },
		{ "server set", "missing address for \"server set\"" },
		{ "server del", "missing address for \"server del\"" },
		{ "server add 1.2.3.256", "invalid address \"1.2.3.256\" (IPv4, IPv6 or host name)" },
		{ "server add 999.1.1.1", "invalid address \"999.1.1.1\" (IPv4, IPv6 or host name)" },
		{ "server add 1.2.3", "invalid address \"1.2.3\" (IPv4, IPv6 or host name)" },
		{ "server add 01.2.3.4", "invalid address \"01.2.3.4\" (IPv4, IPv6 or host name)" },
		{ "server add 2001:db8::g", "invalid address \"2001:db8::g\" (IPv4, IPv6 or host name)" },
		{ "server add [::1]", "invalid address \"[::1]\" (IPv4, IPv6 or host name)" },
		{ "server add fe80::1%eth0", "invalid address \"fe80::1%eth0\" (IPv4, IPv6 or host name)" },
		{ "server add bad_name", "invalid address \"bad_name\" (IPv4, IPv6 or host name)" },
		{ "server add -host", "invalid address \"-host\" (IPv4, IPv6 or host name)" },
		{ "server add host-", "invalid address \"host-\" (IPv4, IPv6 or host name)" },
		{ "server add a..b", "invalid address \"a..b\" (IPv4, IPv6 or host name)" },
		{ "server add .a", "invalid address \".a\" (IPv4, IPv6 or host name)" },
		{ "server add a.", "invalid address \"a.\" (IPv4, IPv6 or host name)" },
		{ "server add 1.2.3.4:11019", "invalid address \"1.2.3.4:11019\" (IPv4, IPv6 or host name)" },
		{ "server add 12345", "invalid address \"12345\" (IPv4, IPv6 or host name)" },
		{ "server add h\xc3\xa9.example", "invalid address \"h\xc3\xa9.example\" (IPv4, IPv6 or host name)" },
	};
	char label64[80], long_name[300], out[256], *argv[4];
	struct bt_cli_req r;
	char err[BT_CLI_ERRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(bt_cli_norm_address(good[i].in, out, sizeof(out)));
		assert_string_equal(out, good[i].out);
	}
	CHECK_BAD(bad);

	memset(label64, 'a', 64);
	label64[64] = '\0';
	assert_false(bt_cli_valid_hostname(label64));
	label64[63] = '\0';
	assert_true(bt_cli_valid_hostname(label64));
	/* 253 characters is the longest name; 254 is refused. */
	for (i = 0; i < 253; i++)
		long_name[i] = i % 2 ? '.' : 'a';
	long_name[253] = '\0';
	assert_true(bt_cli_valid_hostname(long_name));
	long_name[253] = 'b';
	long_name[254] = '\0';
	assert_false(bt_cli_valid_hostname(long_name));
	assert_false(bt_cli_valid_hostname(""));

	argv[0] = "bmptapctl";
	argv[1] = "server";
	argv[2] = "add";
	argv[3] = "";
	assert_int_equal(parse_argv(4, argv, &r, err), -1);
	assert_string_equal(err, "invalid address \"\" (IPv4, IPv6 or host name)");
	/* A line break in an argument must not break the one-line error. */
	argv[3] = "bad\nname";
	assert_int_equal(parse_argv(4, argv, &r, err), -1);
	assert_string_equal(err, "invalid address \"bad?name\" (IPv4, IPv6 or host name)");
}

static void test_server_ports(void **state)
{
	static const struct bad bad[] = {
		{ "server add 192.0.2.1 port 0", "invalid port \"0\" (1..65535)" },
		{ "server add 192.0.2.1 port 65536", "invalid port \"65536\" (1..65535)" },
		{ "server add 192.0.2.1 port 70000", "invalid port \"70000\" (1..65535)" },
		{ "server add 192.0.2.1 port 12a", "invalid port \"12a\" (1..65535)" },
		{ "server add 192.0.2.1 port bmp", "invalid port \"bmp\" (1..65535)" },
		{ "server add 192.0.2.1 port", "missing value for \"port\"" },
		{ "server del 192.0.2.1 port -1", "invalid port \"-1\" (1..65535)" },
		{ "server add 192.0.2.1 port 1 port 2", "duplicate keyword \"port\"" },
	};

	(void)state;
	CHECK_BAD(bad);
	assert_int_equal(ok("server add 192.0.2.1 port 1").server.port, 1);
	assert_int_equal(ok("server add 192.0.2.1 port 65535").server.port, 65535);
	assert_int_equal(ok("server del 192.0.2.1 port 00179").server.port, 179);
}

static void test_server_policy(void **state)
{
	static const struct {
		const char *v;
		uint32_t bits;
	} good[] = {
		{ "pre-policy", BMPTAP_POLICY_PRE },
		{ "post-policy", BMPTAP_POLICY_POST },
		{ "local-rib", BMPTAP_POLICY_LOCAL_RIB },
		{ "adj-rib-out", BMPTAP_POLICY_ADJ_OUT },
		{ "all", BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST | BMPTAP_POLICY_LOCAL_RIB },
		{ "pre-policy,local-rib", BMPTAP_POLICY_PRE | BMPTAP_POLICY_LOCAL_RIB },
		{ "all,adj-rib-out", BMPTAP_POLICY_ALL | BMPTAP_POLICY_ADJ_OUT },
	};
	static const struct bad bad[] = {
		{ "server add 192.0.2.1 policy pre", "invalid policy \"pre\" (pre-policy, post-policy, local-rib, adj-rib-out, all, both)" },
		{ "server add 192.0.2.1 policy Pre-Policy", "invalid policy \"Pre-Policy\" (pre-policy, post-policy, local-rib, adj-rib-out, all, both)" },
		{ "server add 192.0.2.1 policy pre-policy,", "invalid policy \"pre-policy,\" (pre-policy, post-policy, local-rib, adj-rib-out, all, both)" },
		{ "server add 192.0.2.1 policy pre-policy,bogus", "invalid policy \"bogus\" (pre-policy, post-policy, local-rib, adj-rib-out, all, both)" },
		{ "server add 192.0.2.1 policy", "missing value for \"policy\"" },
		{ "server add 192.0.2.1 policy all policy both", "duplicate keyword \"policy\"" },
	};
	char cmd[128];
	struct bt_cli_req r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(cmd, sizeof(cmd), "server add 192.0.2.1 policy %s", good[i].v);
		r = ok(cmd);
		assert_int_equal(r.server.policy, good[i].bits);
		assert_string_equal(r.warning, "");
	}
	r = ok("server add 192.0.2.1 policy both");
	assert_int_equal(r.server.policy, BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST);
	assert_string_equal(r.warning,
			    "warning: policy \"both\" is deprecated, it means pre-policy,post-policy");
	r = ok("server set 192.0.2.1 policy both");
	assert_int_equal(r.server.have, BT_SRV_PORT | BT_SRV_POLICY);
	assert_string_not_equal(r.warning, "");
	CHECK_BAD(bad);
}

static void test_server_stats_timeout(void **state)
{
	static const struct bad bad[] = {
		{ "server add 192.0.2.1 statistics-timeout 1", "invalid statistics-timeout \"1\" (0 or 15..65535)" },
		{ "server add 192.0.2.1 statistics-timeout 14", "invalid statistics-timeout \"14\" (0 or 15..65535)" },
		{ "server add 192.0.2.1 statistics-timeout 65536", "invalid statistics-timeout \"65536\" (0 or 15..65535)" },
		{ "server add 192.0.2.1 statistics-timeout -15", "invalid statistics-timeout \"-15\" (0 or 15..65535)" },
		{ "server add 192.0.2.1 statistics-timeout 15s", "invalid statistics-timeout \"15s\" (0 or 15..65535)" },
		{ "server add 192.0.2.1 statistics-timeout", "missing value for \"statistics-timeout\"" },
		{ "server add 192.0.2.1 stats-timeout 15", "unknown keyword \"stats-timeout\" for \"server add\"" },
	};

	(void)state;
	assert_int_equal(ok("server add 192.0.2.1 statistics-timeout 0").server.stats_timeout, 0);
	assert_int_equal(ok("server add 192.0.2.1 statistics-timeout 15").server.stats_timeout, 15);
	assert_int_equal(ok("server add 192.0.2.1 statistics-timeout 65535").server.stats_timeout, 65535);
	CHECK_BAD(bad);
}

static void test_server_misc_errors(void **state)
{
	static const struct bad bad[] = {
		{ "server add 192.0.2.1 mirroring yes", "invalid mirroring \"yes\" (on|off)" },
		{ "server add 192.0.2.1 passive 1", "invalid passive \"1\" (on|off)" },
		{ "server add 192.0.2.1 sys-name", "missing value for \"sys-name\"" },
		{ "server add 192.0.2.1 sys-descr", "missing value for \"sys-descr\"" },
		{ "server add 192.0.2.1 allow 10.0.0.0/33", "invalid prefix \"10.0.0.0/33\" in allow" },
		{ "server add 192.0.2.1 allow 2001:db8::/129", "invalid prefix \"2001:db8::/129\" in allow" },
		{ "server add 192.0.2.1 allow foo/8", "invalid prefix \"foo/8\" in allow" },
		{ "server add 192.0.2.1 allow 10.0.0.0/", "invalid prefix \"10.0.0.0/\" in allow" },
		{ "server add 192.0.2.1 allow /8", "invalid prefix \"/8\" in allow" },
		{ "server add 192.0.2.1 allow 10.0.0.0/8,,", "invalid allow \"10.0.0.0/8,,\" (PREFIX[,PREFIX..])" },
		{ "server add 192.0.2.1 bogus 1", "unknown keyword \"bogus\" for \"server add\"" },
		{ "server add 192.0.2.1 port 1 extra", "unknown keyword \"extra\" for \"server add\"" },
		{ "server add 192.0.2.1 192.0.2.2", "unknown keyword \"192.0.2.2\" for \"server add\"" },
		{ "server set 192.0.2.1 mirroring on mirroring off", "duplicate keyword \"mirroring\"" },
		{ "server set 192.0.2.1", "nothing to set for \"server set\"" },
		{ "server set 192.0.2.1 port 1790", "nothing to set for \"server set\"" },
		{ "server del 192.0.2.1 policy all", "unknown keyword \"policy\" for \"server del\"" },
		{ "server del 192.0.2.1 mirroring on", "unknown keyword \"mirroring\" for \"server del\"" },
	};
	char name[300], *argv[6];
	struct bt_cli_req r;
	char err[BT_CLI_ERRLEN];

	(void)state;
	CHECK_BAD(bad);

	memset(name, 'n', 255);
	name[255] = '\0';
	argv[0] = "bmptapctl";
	argv[1] = "server";
	argv[2] = "add";
	argv[3] = "192.0.2.1";
	argv[4] = "sys-name";
	argv[5] = name;
	assert_int_equal(parse_argv(6, argv, &r, err), 0);
	assert_int_equal(strlen(r.server.sys_name), 255);
	name[255] = 'n';
	name[256] = '\0';
	assert_int_equal(parse_argv(6, argv, &r, err), -1);
	/* The echoed value is shortened: one short line. */
	assert_non_null(strstr(err, "invalid sys-name \"nnnn"));
	assert_non_null(strstr(err, "...\" (at most 255 bytes)"));
	assert_true(strlen(err) < 160);
	argv[4] = "sys-descr";
	assert_int_equal(parse_argv(6, argv, &r, err), -1);
	assert_non_null(strstr(err, "invalid sys-descr"));
	argv[4] = "sys-name";
	argv[5] = "";
	assert_int_equal(parse_argv(6, argv, &r, err), 0);
	assert_true(r.server.have & BT_SRV_SYS_NAME);
}

static void test_server_set_del(void **state)
{
	struct bt_cli_req r;

	(void)state;
	r = ok("server set 2001:db8::1 mirroring off sys-descr x");
	assert_int_equal(r.cmd, BT_CLI_SERVER_SET);
	assert_string_equal(r.server.address, "2001:db8::1");
	assert_int_equal(r.server.port, 11019);
	assert_int_equal(r.server.have, BT_SRV_PORT | BT_SRV_MIRRORING | BT_SRV_SYS_DESCR);

	r = ok("server del bmp.example.com");
	assert_int_equal(r.cmd, BT_CLI_SERVER_DEL);
	assert_string_equal(r.server.address, "bmp.example.com");
	assert_int_equal(r.server.port, 11019);
	r = ok("server del bmp.example.com port 5000");
	assert_int_equal(r.server.port, 5000);
}

static void test_server_merge_match(void **state)
{
	struct bt_server_cfg cur = { .have = BT_SRV_PORT | BT_SRV_POLICY | BT_SRV_SYS_NAME,
				     .address = "2001:0db8::1", .port = 11019,
				     .policy = BMPTAP_POLICY_PRE, .sys_name = "old" };
	struct bt_server_cfg upd = { .have = BT_SRV_PORT | BT_SRV_MIRRORING |
				     BT_SRV_STATS_TIMEOUT | BT_SRV_ALLOW,
				     .port = 11019, .mirroring = true,
				     .stats_timeout = 60, .allow = "10.0.0.0/8" };
	struct bt_server_cfg noport = { .address = "h.example" };

	(void)state;
	assert_true(bt_cli_server_match(&cur, "2001:db8::1", 11019));
	assert_false(bt_cli_server_match(&cur, "2001:db8::1", 11020));
	assert_false(bt_cli_server_match(&cur, "2001:db8::2", 11019));
	assert_true(bt_cli_server_match(&noport, "h.example", 11019));
	bt_cli_server_merge(&cur, &upd);
	assert_int_equal(cur.policy, BMPTAP_POLICY_PRE);
	assert_string_equal(cur.sys_name, "old");
	assert_true(cur.mirroring);
	assert_int_equal(cur.stats_timeout, 60);
	assert_string_equal(cur.allow, "10.0.0.0/8");
	assert_int_equal(cur.have, BT_SRV_PORT | BT_SRV_POLICY | BT_SRV_SYS_NAME |
			 BT_SRV_MIRRORING | BT_SRV_STATS_TIMEOUT | BT_SRV_ALLOW);
}

static void test_policy_str(void **state)
{
	char out[128];

	(void)state;
	bt_cli_policy_str(BMPTAP_POLICY_ALL, out, sizeof(out));
	assert_string_equal(out, "pre-policy,post-policy,local-rib");
	bt_cli_policy_str(BMPTAP_POLICY_ADJ_OUT, out, sizeof(out));
	assert_string_equal(out, "adj-rib-out");
	bt_cli_policy_str(0, out, sizeof(out));
	assert_string_equal(out, "none");
	bt_cli_policy_str(BMPTAP_POLICY_ALL, out, 12);
	assert_int_equal(strlen(out), 11);
}

/* ---- JSON ---------------------------------------------------------------- */

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
}

static void mem_close(struct mem *m)
{
	fclose(m->f);
	free(m->buf);
}

static const char *esc(struct mem *m, const char *s, size_t len)
{
	rewind(m->f);
	bt_json_write_string(m->f, s, len);
	fputc('\0', m->f);
	fflush(m->f);
	return m->buf;
}

#define ESC(m, lit) esc(m, lit, sizeof(lit) - 1)

static void test_json_escape(void **state)
{
	struct mem m;

	(void)state;
	mem_open(&m);
	assert_string_equal(ESC(&m, "plain"), "\"plain\"");
	assert_string_equal(ESC(&m, ""), "\"\"");
	assert_string_equal(ESC(&m, "a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
	assert_string_equal(ESC(&m, "\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
	assert_string_equal(ESC(&m, "\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
	assert_string_equal(ESC(&m, "nul\0in"), "\"nul\\u0000in\"");
	/* Valid UTF-8 passes through: 2, 3 and 4 byte sequences. */
	assert_string_equal(ESC(&m, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	assert_string_equal(ESC(&m, "\xef\xbf\xbd"), "\"\xef\xbf\xbd\"");
	assert_string_equal(ESC(&m, "\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");
	/* Invalid UTF-8 becomes U+FFFD, byte by byte. */
	assert_string_equal(ESC(&m, "\xff"), "\"\\ufffd\"");
	assert_string_equal(ESC(&m, "a\x80z"), "\"a\\ufffdz\"");
	assert_string_equal(ESC(&m, "\xc0\xaf"), "\"\\ufffd\\ufffd\"");		/* overlong */
	assert_string_equal(ESC(&m, "\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(ESC(&m, "\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	assert_string_equal(ESC(&m, "\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(ESC(&m, "\xf5\x80"), "\"\\ufffd\\ufffd\"");
	assert_string_equal(ESC(&m, "\xe2\x82"), "\"\\ufffd\\ufffd\"");	/* truncated */
	assert_string_equal(ESC(&m, "\xe2\x82x"), "\"\\ufffd\\ufffdx\"");
	mem_close(&m);
}

static void test_json_structure(void **state)
{
	struct bt_json j;
	struct mem m;

	(void)state;
	mem_open(&m);
	bt_json_init(&j, m.f);
	bt_json_obj_open(&j);
	bt_json_kv_str(&j, "name", "r\"1");
	bt_json_kv_u64(&j, "big", UINT64_MAX);
	bt_json_key(&j, "neg");
	bt_json_i64(&j, INT64_MIN);
	bt_json_kv_bool(&j, "yes", true);
	bt_json_kv_bool(&j, "no", false);
	bt_json_key(&j, "nothing");
	bt_json_null(&j);
	bt_json_kv_str(&j, "nullstr", NULL);
	bt_json_key(&j, "hex");
	bt_json_hex(&j, "\x00\xff\x10", 3);
	bt_json_key(&j, "list");
	bt_json_arr_open(&j);
	bt_json_u64(&j, 1);
	bt_json_obj_open(&j);
	bt_json_obj_close(&j);
	bt_json_arr_open(&j);
	bt_json_arr_close(&j);
	bt_json_strn(&j, "ab", 1);
	bt_json_arr_close(&j);
	bt_json_key(&j, "k\n");
	bt_json_obj_open(&j);
	bt_json_kv_u64(&j, "x", 0);
	bt_json_obj_close(&j);
	bt_json_obj_close(&j);
	assert_true(bt_json_done(&j));
	fflush(m.f);
	assert_string_equal(m.buf,
		"{\"name\":\"r\\\"1\",\"big\":18446744073709551615,"
		"\"neg\":-9223372036854775808,\"yes\":true,\"no\":false,"
		"\"nothing\":null,\"nullstr\":null,\"hex\":\"00ff10\","
		"\"list\":[1,{},[],\"a\"],\"k\\n\":{\"x\":0}}\n");
	mem_close(&m);
}

static void test_json_misuse(void **state)
{
	struct bt_json j;
	struct mem m;
	int i;

	(void)state;
	mem_open(&m);
	bt_json_init(&j, m.f);
	bt_json_arr_open(&j);
	assert_false(bt_json_done(&j));
	bt_json_arr_close(&j);
	assert_true(bt_json_done(&j));
	bt_json_arr_close(&j);		/* one too many */
	assert_false(bt_json_done(&j));

	bt_json_init(&j, m.f);
	for (i = 0; i < BT_JSON_MAX_DEPTH + 3; i++)
		bt_json_arr_open(&j);
	for (i = 0; i < BT_JSON_MAX_DEPTH + 3; i++)
		bt_json_arr_close(&j);
	assert_false(bt_json_done(&j));
	assert_int_equal(j.depth, 0);

	bt_json_init(&j, m.f);
	bt_json_obj_open(&j);
	bt_json_key(&j, "dangling");
	bt_json_obj_close(&j);
	assert_true(j.depth == 0);
	mem_close(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_tap_set),
		cmocka_unit_test(test_tap_set_errors),
		cmocka_unit_test(test_tap_opts_alone),
		cmocka_unit_test(test_server_add_defaults),
		cmocka_unit_test(test_server_add_full),
		cmocka_unit_test(test_server_add_select),
		cmocka_unit_test(test_server_select_errors),
		cmocka_unit_test(test_server_addresses),
		cmocka_unit_test(test_server_ports),
		cmocka_unit_test(test_server_policy),
		cmocka_unit_test(test_server_stats_timeout),
		cmocka_unit_test(test_server_misc_errors),
		cmocka_unit_test(test_server_set_del),
		cmocka_unit_test(test_server_merge_match),
		cmocka_unit_test(test_policy_str),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_structure),
		cmocka_unit_test(test_json_misuse),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
