// SPDX-License-Identifier: GPL-2.0
/*
 * BMP over TLS settings: `server add|set` keywords, the TOML keys, and
 * every refusal of bt_tls_cfg_check() (one line, nothing stored), on real
 * files in a scratch directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "config.h"
#include "nl.h"
#include "tls.h"

static char dir[64], ca[96], crt[96], key[96], fifo[96];

static int setup(void **state)
{
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bmptap-tls-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(crt, sizeof(crt), "%s/client.pem", dir);
	snprintf(key, sizeof(key), "%s/client.key", dir);
	for (const char *p = ca; p; p = p == ca ? crt : p == crt ? key : NULL) {
		if (!(f = fopen(p, "w")))
			return -1;
		fputs("not parsed by the check\n", f);
		fclose(f);
	}
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	return mkfifo(fifo, 0600);
}

static int teardown(void **state)
{
	(void)state;
	unlink(ca);
	unlink(crt);
	unlink(key);
	unlink(fifo);
	rmdir(dir);
	return 0;
}

static int parse(const char *line, struct bt_cli_req *req, char *err)
{
	char buf[1024], *argv[32], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	argv[argc++] = "bmptapctl";
	for (tok = strtok_r(buf, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return bt_cli_parse(argc, argv, req, err, BT_CLI_ERRLEN);
}

/* `server add|set LINE` (with %s for the scratch dir) -> check result. */
static int add_check(const char *fmt, char *err, size_t errlen)
{
	struct bt_cli_req req;
	char line[1024];

	snprintf(line, sizeof(line), fmt, dir, dir, dir, dir);
	if (parse(line, &req, err))
		fail_msg("\"%s\" refused by the parser: %s", line, err);
	return bt_tls_cfg_check(&req.server, err, errlen);
}

static void test_cli_keywords(void **state)
{
	struct bt_cli_req req, upd;
	char err[BT_CLI_ERRLEN], line[512];

	(void)state;
	snprintf(line, sizeof(line), "server add 192.0.2.1 tls on ca-file %s cert-file %s key-file %s tls-name bmp.example",
		 ca, crt, key);
	assert_int_equal(parse(line, &req, err), 0);
	assert_true(req.server.tls);
	assert_int_equal(req.server.have & (BT_SRV_TLS | BT_SRV_TLS_CA | BT_SRV_TLS_CERT |
					    BT_SRV_TLS_KEY | BT_SRV_TLS_NAME),
			 BT_SRV_TLS | BT_SRV_TLS_CA | BT_SRV_TLS_CERT | BT_SRV_TLS_KEY |
			 BT_SRV_TLS_NAME);
	assert_string_equal(req.server.ca_file, ca);
	assert_string_equal(req.server.cert_file, crt);
	assert_string_equal(req.server.key_file, key);
	assert_string_equal(req.server.tls_name, "bmp.example");
	assert_int_equal(bt_tls_cfg_check(&req.server, err, sizeof(err)), 0);
	/* Without TLS settings nothing is stored for them (tls off). */
	assert_int_equal(parse("server add 192.0.2.1", &req, err), 0);
	assert_false(req.server.have & BT_SRV_TLS);
	assert_int_equal(bt_tls_cfg_check(&req.server, err, sizeof(err)), 0);
	/* set merges only what it was given. */
	snprintf(line, sizeof(line), "server add 192.0.2.1 tls on ca-file %s", ca);
	assert_int_equal(parse(line, &req, err), 0);
	assert_int_equal(parse("server set 192.0.2.1 tls off", &upd, err), 0);
	bt_cli_server_merge(&req.server, &upd.server);
	assert_false(req.server.tls);
	assert_string_equal(req.server.ca_file, ca);

	assert_int_equal(parse("server add 192.0.2.1 tls yes", &req, err), -1);
	assert_string_equal(err, "invalid tls \"yes\" (on|off)");
	assert_int_equal(parse("server add 192.0.2.1 tls on tls off", &req, err), -1);
	assert_string_equal(err, "duplicate keyword \"tls\"");
	assert_int_equal(parse("server add 192.0.2.1 ca-file", &req, err), -1);
	assert_string_equal(err, "missing value for \"ca-file\"");
	memset(line, 'a', sizeof(line));
	memcpy(line, "server add 192.0.2.1 key-file /", 31);
	line[31 + 256] = '\0';
	assert_int_equal(parse(line, &req, err), -1);
	assert_non_null(strstr(err, "(at most 255 bytes)"));
	assert_int_equal(strncmp(err, "invalid key-file \"/aaa", 22), 0);
}

static void test_check_errors(void **state)
{
	static const struct {
		const char *line;
		const char *err;	/* %s: the scratch dir */
	} bad[] = {
		{ "server add h tls on", "tls on needs ca-file (the CAs that sign the collector's certificate)" },
		{ "server add h tls on ca-file %s/none.pem",
		  "cannot read ca-file \"%s/none.pem\": No such file or directory" },
		{ "server add h tls on ca-file %s", "cannot read ca-file \"%s\": not a regular file" },
		/* Opened without blocking: no writer would ever come. */
		{ "server add h tls on ca-file %s/fifo", "cannot read ca-file \"%s/fifo\": not a regular file" },
		{ "server add h tls on ca-file ca.pem", "ca-file \"ca.pem\" must be an absolute path (bmptapd reads it)" },
		{ "server add h ca-file ca.pem", "ca-file \"ca.pem\" must be an absolute path (bmptapd reads it)" },
		{ "server add h tls on ca-file %s/ca.pem key-file %s/client.key",
		  "key-file without cert-file (a client certificate needs both)" },
		{ "server add h tls on ca-file %s/ca.pem cert-file %s/client.pem",
		  "cert-file without key-file (a client certificate needs both)" },
		{ "server add h key-file %s/client.key",
		  "key-file without cert-file (a client certificate needs both)" },
		{ "server add h tls on ca-file %s/ca.pem cert-file %s/none key-file %s/client.key",
		  "cannot read cert-file \"%s/none\": No such file or directory" },
		{ "server add h tls on ca-file %s/ca.pem cert-file %s/client.pem key-file %s/none",
		  "cannot read key-file \"%s/none\": No such file or directory" },
		{ "server add h tls on ca-file %s/ca.pem tls-name a_b",
		  "invalid tls-name \"a_b\" (host name or address)" },
		{ "server add h tls on ca-file %s/ca.pem passive on",
		  "tls is for active servers only (not with passive on)" },
	};
	char err[BT_CLI_ERRLEN], want[BT_CLI_ERRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!add_check(bad[i].line, err, sizeof(err)))
			fail_msg("accepted: %s", bad[i].line);
		snprintf(want, sizeof(want), bad[i].err, dir);
		if (strcmp(err, want))
			fail_msg("%s\n  got  %s\n  want %s", bad[i].line, err, want);
	}
	/* Files are read only for tls on: stored settings may wait for it. */
	assert_int_equal(add_check("server add h ca-file %s/none.pem", err, sizeof(err)), 0);
	assert_int_equal(add_check("server add h tls on ca-file %s/ca.pem tls-name 192.0.2.7",
				   err, sizeof(err)), 0);
	assert_int_equal(add_check("server add h tls on ca-file %s/ca.pem tls-name fd00::7",
				   err, sizeof(err)), 0);
}

#define SRV(extra) "[[bmp-servers]]\n[bmp-servers.config]\naddress = \"192.0.2.1\"\n" extra

static void test_toml(void **state)
{
	struct bt_server_list l, l2;
	char text[1024], err[BT_CONFIG_ERRLEN], want[BT_CONFIG_ERRLEN];
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	(void)state;
	snprintf(text, sizeof(text), SRV("tls = true\nca-file = \"%s\"\ncert-file = \"%s\"\n"
					 "key-file = \"%s\"\ntls-name = \"bmp.example\"\n"), ca, crt, key);
	if (bt_config_parse(text, strlen(text), "f.toml", &l, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(l.n, 1);
	assert_true(l.v[0].tls);
	assert_string_equal(l.v[0].ca_file, ca);
	assert_string_equal(l.v[0].key_file, key);
	assert_string_equal(l.v[0].tls_name, "bmp.example");
	/* config show writes them back; load reads the same config. */
	f = open_memstream(&out, &outlen);
	bt_config_write(f, l.v, l.n);
	fclose(f);
	assert_non_null(strstr(out, "    tls = true\n"));
	if (bt_config_parse(out, outlen, "show", &l2, NULL, err, sizeof(err)))
		fail_msg("%s\n%s", err, out);
	assert_true(bt_config_server_equal(&l.v[0], &l2.v[0]));
	assert_int_equal(l.v[0].have, l2.v[0].have);
	bt_server_list_free(&l);
	bt_server_list_free(&l2);
	free(out);

	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ SRV("tls = \"on\"\n"), "f.toml:4: tls must be a boolean, not a string" },
		{ SRV("ca-file = 1\n"), "f.toml:4: ca-file must be a string, not an integer" },
		{ SRV("tls = true\n"), "f.toml:1: server 192.0.2.1: tls on needs ca-file (the CAs that sign the collector's certificate)" },
		{ SRV("tls = true\nca-file = \"%s/none\"\n"),
		  "f.toml:1: server 192.0.2.1: cannot read ca-file \"%s/none\": No such file or directory" },
		{ SRV("key-file = \"%s/client.key\"\n"),
		  "f.toml:1: server 192.0.2.1: key-file without cert-file (a client certificate needs both)" },
		{ SRV("tls-name = \"-x\"\n"), "f.toml:1: server 192.0.2.1: invalid tls-name \"-x\" (host name or address)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), bad[i].text, dir);
		snprintf(want, sizeof(want), bad[i].err, dir);
		if (!bt_config_parse(text, strlen(text), "f.toml", &l, NULL, err, sizeof(err)))
			fail_msg("accepted:\n%s", text);
		if (strcmp(err, want))
			fail_msg("%s\n  got  %s\n  want %s", text, err, want);
		assert_null(l.v);
	}
}

static void test_equal(void **state)
{
	struct bt_server_cfg a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	strcpy(a.address, "192.0.2.1");
	a.have = BT_SRV_PORT | BT_SRV_TLS | BT_SRV_TLS_CA;
	a.port = BT_BMP_PORT;
	a.tls = true;
	strcpy(a.ca_file, "/a");
	b = a;
	assert_true(bt_config_server_equal(&a, &b));
	b.tls = false;
	assert_false(bt_config_server_equal(&a, &b));
	b = a;
	strcpy(b.ca_file, "/b");
	assert_false(bt_config_server_equal(&a, &b));
	b = a;
	b.have |= BT_SRV_TLS_NAME;
	assert_false(bt_config_server_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_keywords),
		cmocka_unit_test(test_check_errors),
		cmocka_unit_test(test_toml),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
