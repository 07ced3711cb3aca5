// SPDX-License-Identifier: GPL-2.0
/*
 * `bmptapctl config load|show`, `show servers|peers` and `monitor` without
 * a kernel: the TOML reader, the GoBGP [[bmp-servers]] conversion both
 * ways, the JSON reader of bmptapd's status, the status tables, the
 * command lines, and the parsing of monitor notifications.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "cli.h"
#include "config.h"
#include "jsonr.h"
#include "nl.h"
#include "select.h"
#include "statusview.h"
#include "toml.h"

/* ---- helpers ------------------------------------------------------------- */

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

/* Closes the stream; the text stays in m->buf until mem_free(). */
static const char *mem_text(struct mem *m)
{
	if (m->f) {
		fclose(m->f);
		m->f = NULL;
	}
	return m->buf ? m->buf : "";
}

static void mem_free(struct mem *m)
{
	mem_text(m);
	free(m->buf);
	m->buf = NULL;
}

static int toml(struct bt_toml *d, const char *text, char *err)
{
	return bt_toml_parse(d, text, strlen(text), "f.toml", err, BT_TOML_ERRLEN);
}

static const struct bt_toml_kv *kv_find(const struct bt_toml *d,
					const char *path, const char *key)
{
	size_t i;

	for (i = 0; i < d->nkvs; i++)
		if (!strcmp(d->kvs[i].path, path) && !strcmp(d->kvs[i].key, key))
			return &d->kvs[i];
	fail_msg("no key %s in %s", key, path);
	return NULL;
}

/* config text -> servers, with the notes; fails the test on refusal. */
static struct bt_server_list cfg_ok(const char *text, struct mem *notes)
{
	struct bt_server_list l;
	char err[BT_CONFIG_ERRLEN];

	mem_open(notes);
	if (bt_config_parse(text, strlen(text), "f.toml", &l, notes->f, err, sizeof(err)))
		fail_msg("refused:\n%s\n-> %s", text, err);
	mem_text(notes);
	return l;
}

struct bad {
	const char *text;
	const char *err;
};

static void cfg_bad(const struct bad *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct bt_server_list l;
		char err[BT_CONFIG_ERRLEN];

		if (!bt_config_parse(cases[i].text, strlen(cases[i].text), "f.toml", &l,
				     NULL, err, sizeof(err))) {
			bt_server_list_free(&l);
			fail_msg("accepted:\n%s", cases[i].text);
		}
		if (strcmp(err, cases[i].err))
			fail_msg("%s\n  got  %s\n  want %s", cases[i].text, err, cases[i].err);
		assert_null(strchr(err, '\n'));
		assert_null(l.v);
		assert_int_equal(l.n, 0);
	}
}

#define CFG_BAD(c) cfg_bad(c, sizeof(c) / sizeof(c[0]))

#define SRV(addr, extra) "[[bmp-servers]]\n[bmp-servers.config]\naddress = \"" addr "\"\n" extra

/* ---- TOML ---------------------------------------------------------------- */

static void test_toml_values(void **state)
{
	struct bt_toml d;
	char err[BT_TOML_ERRLEN];
	const struct bt_toml_kv *kv;
	const char *text =
		"# comment\n"
		"title = \"a\\tb\\\"c\\\\ \\u00e9\\U0001F600\" # trailing\n"
		"lit = 'C:\\path\\x'\n"
		"dec = +1_000\n"
		"neg = -42\n"
		"hex = 0xdead_BEEF\n"
		"oct = 0o755\n"
		"bin = 0b1010\n"
		"min = -9223372036854775808\n"
		"t = true\n"
		"f = false\n"
		"fl = 6.626e-34\n"
		"inf = -inf\n"
		"dt = 1979-05-27 07:32:00Z\n"
		"arr = [ 1, [\"x\", 'y'], { a = 1 }, # c\n  2, ]\n"
		"inl = { x = 1, y.z = \"s\", w = [1] }\n"
		"\"quoted key\" = 1\n"
		"a.b . c = 1\n"
		"\r\n"
		"[t1]\n"
		"k = 1\n"
		"[ t1 . \"sub.x\" ]\n"
		"k = 2\n"
		"[[arr2]]\n"
		"k = 3\n"
		"[arr2.sub]\n"
		"k = 4\n"
		"[[arr2]]\n"
		"[arr2.sub]\n"
		"k = 5\n";

	(void)state;
	if (toml(&d, text, err))
		fail_msg("%s", err);
	kv = kv_find(&d, "", "title");
	assert_int_equal(kv->type, BT_TOML_STRING);
	assert_string_equal(kv->str, "a\tb\"c\\ \xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(kv->line, 2);
	assert_string_equal(kv_find(&d, "", "lit")->str, "C:\\path\\x");
	assert_int_equal(kv_find(&d, "", "dec")->i, 1000);
	assert_int_equal(kv_find(&d, "", "neg")->i, -42);
	assert_int_equal(kv_find(&d, "", "hex")->i, 0xdeadbeef);
	assert_int_equal(kv_find(&d, "", "oct")->i, 0755);
	assert_int_equal(kv_find(&d, "", "bin")->i, 10);
	assert_true(kv_find(&d, "", "min")->i == INT64_MIN);
	assert_true(kv_find(&d, "", "t")->b);
	assert_int_equal(kv_find(&d, "", "f")->type, BT_TOML_BOOL);
	assert_false(kv_find(&d, "", "f")->b);
	assert_int_equal(kv_find(&d, "", "fl")->type, BT_TOML_FLOAT);
	assert_int_equal(kv_find(&d, "", "inf")->type, BT_TOML_FLOAT);
	assert_int_equal(kv_find(&d, "", "dt")->type, BT_TOML_DATETIME);
	assert_string_equal(kv_find(&d, "", "dt")->str, "1979-05-27 07:32:00Z");
	assert_int_equal(kv_find(&d, "", "arr")->type, BT_TOML_ARRAY);
	assert_int_equal(kv_find(&d, "", "inl")->type, BT_TOML_INLINE_TABLE);
	assert_int_equal(kv_find(&d, "", "\"quoted key\"")->i, 1);
	assert_int_equal(kv_find(&d, "a.b", "c")->i, 1);
	assert_int_equal(kv_find(&d, "t1", "k")->i, 1);
	assert_int_equal(kv_find(&d, "t1.\"sub.x\"", "k")->i, 2);
	assert_int_equal(kv_find(&d, "arr2[0]", "k")->i, 3);
	assert_int_equal(kv_find(&d, "arr2[0].sub", "k")->i, 4);
	kv = kv_find(&d, "arr2[1].sub", "k");
	assert_int_equal(kv->i, 5);
	assert_int_equal(kv->line, 31);
	assert_int_equal(d.ntables, 6);
	assert_string_equal(d.tables[1].name, "t1.\"sub.x\"");
	assert_true(d.tables[2].array);
	assert_string_equal(d.tables[4].path, "arr2[1]");
	assert_string_equal(d.tables[4].name, "arr2");
	assert_int_equal(d.tables[kv->table].line, 30);
	bt_toml_free(&d);

	/* Empty, blank and comment-only files; a BOM. */
	assert_int_equal(toml(&d, "", err), 0);
	assert_int_equal(toml(&d, "\n  \t\n# x\n", err), 0);
	assert_int_equal(toml(&d, "\xef\xbb\xbf" "a = 1", err), 0);
	assert_int_equal(d.nkvs, 1);
	bt_toml_free(&d);
}

static void test_toml_errors(void **state)
{
	static const struct bad bad[] = {
		{ "a = 1\nb = \n", "f.toml:2: value expected" },
		{ "a = 1\na = 2\n", "f.toml:2: duplicate key a (already a key with a value)" },
		{ "a = bare\n", "f.toml:1: invalid value \"bare\" (strings must be quoted)" },
		{ "a = \"x\n", "f.toml:1: unterminated string" },
		{ "a = \"x\\q\"\n", "f.toml:1: invalid escape \"\\q\" in a string" },
		{ "a = \"\\u12\"\n", "f.toml:1: invalid \\u escape (4 hex digits expected)" },
		{ "a = \"\\uD800\"\n", "f.toml:1: escape \\uD800 is not a Unicode scalar value" },
		{ "a = \"\"\"x\"\"\"\n", "f.toml:1: multi-line strings are not supported" },
		{ "a = '''x'''\n", "f.toml:1: multi-line strings are not supported" },
		{ "\n\na = 1 b = 2\n", "f.toml:3: expected the end of the line after a value, found \"b = 2\"" },
		{ "[t]\n[t]\n", "f.toml:2: cannot define [t]: it is already a table (defined twice)" },
		{ "[t\n", "f.toml:1: expected \"]\" to close the table header" },
		{ "[[t]\n", "f.toml:1: expected \"]]\" to close the table header" },
		{ "[]\n", "f.toml:1: invalid key at \"]\"" },
		{ "[\n", "f.toml:1: key expected" },
		{ "t = 1\n[t]\n", "f.toml:2: cannot define [t]: it is already a key with a value" },
		{ "[t]\n[[t]]\n", "f.toml:2: cannot define [[t]]: it is already a table" },
		{ "[[t]]\n[t]\n", "f.toml:2: cannot define [t]: it is already an array of tables" },
		{ "a.b = 1\n[a]\n", "f.toml:2: cannot define [a]: it is already a table (by dotted keys)" },
		{ "a = 1\na.b = 2\n", "f.toml:2: cannot add keys to a with a dotted key: it is a key with a value" },
		{ "a = 1\n[a.b]\n", "f.toml:2: a is already a key with a value" },
		{ "a = 99999999999999999999\n", "f.toml:1: integer 99999999999999999999 out of range" },
		{ "a = 012\n", "f.toml:1: invalid value \"012\" (strings must be quoted)" },
		{ "a = 1__0\n", "f.toml:1: invalid value \"1__0\" (strings must be quoted)" },
		{ "a = [1 2]\n", "f.toml:1: expected \",\" or \"]\" in an array" },
		{ "a = [1,\n2,\n", "f.toml:3: value expected" },
		{ "a = { b = 1\n", "f.toml:1: expected \",\" or \"}\" in an inline table (one line)" },
		{ "a = 1\x01\n", "f.toml:1: expected the end of the line after a value, found \"\x01\"" },
		{ "# \x01\n", "f.toml:1: control character 0x01 in a comment" },
		{ "a = \"\x01\"\n", "f.toml:1: control character 0x01 in a string (use an escape)" },
		{ "\n\"a\\nb\" = 1\n", "f.toml:2: control characters are not supported in keys" },
		{ "a = 1\n\xff = 2\n", "f.toml:2: invalid UTF-8" },
		{ "= 1\n", "f.toml:1: invalid key at \"= 1\"" },
		{ "a 1\n", "f.toml:1: expected \"=\" after the key a" },
		{ "a = 1\rb = 2\n", "f.toml:1: expected the end of the line after a value, found \"\rb = 2\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bt_toml d;
		char err[BT_TOML_ERRLEN], want[BT_TOML_ERRLEN];
		size_t k;

		if (!toml(&d, bad[i].text, err)) {
			bt_toml_free(&d);
			fail_msg("accepted: %s", bad[i].text);
		}
		/* Messages show control characters as '?'. */
		snprintf(want, sizeof(want), "%s", bad[i].err);
		for (k = 0; want[k]; k++)
			if ((unsigned char)want[k] < 0x20)
				want[k] = '?';
		if (strcmp(err, want))
			fail_msg("%s\n  got  %s\n  want %s", bad[i].text, err, want);
		assert_int_equal(d.nkvs, 0);
		assert_null(d.kvs);
	}
}

static void test_toml_limits(void **state)
{
	struct bt_toml d;
	char err[BT_TOML_ERRLEN];
	char *deep = malloc(4096);
	size_t i, n = 0;
	const char nul[] = "a = 1\nb = \"\0\"\n";

	(void)state;
	/* Nesting beyond the limit is an error, not a stack overflow. */
	n += (size_t)sprintf(deep, "a = ");
	for (i = 0; i < 1000; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_int_equal(toml(&d, deep, err), -1);
	assert_string_equal(err, "f.toml:1: values nested more than 32 deep");
	free(deep);
	assert_int_equal(bt_toml_parse(&d, nul, sizeof(nul) - 1, "f.toml", err,
				       sizeof(err)), -1);
	assert_string_equal(err, "f.toml:2: NUL byte in the file");
	/* \u0000 is a valid escape: the reader keeps the length. */
	assert_int_equal(toml(&d, "a = \"x\\u0000y\"", err), 0);
	assert_int_equal(d.kvs[0].len, 3);
	bt_toml_free(&d);
	/* Quoting for writers. */
	{
		char q[64];

		assert_true(bt_toml_quote("a\"b\\c\n\x01", 7, q, sizeof(q)));
		assert_string_equal(q, "\"a\\\"b\\\\c\\n\\u0001\"");
		assert_false(bt_toml_quote("abcdef", 6, q, 5));
	}
}

/*
 * Many names (the registry grows and rehashes several times): every one is
 * still found, so redefinitions of the first, a middle and the last table
 * and of an array element's table are refused with their lines.
 */
static void test_toml_many_names(void **state)
{
	enum { N = 5000 };
	size_t cap = N * 64 + 256, n = 0;
	char *text = malloc(cap), err[BT_TOML_ERRLEN];
	static const struct { const char *tail; const char *err; } redef[] = {
		{ "[t0.x]\n", "cannot define [t0.x]: it is already a table (by dotted keys)" },
		{ "[t2500]\n", "cannot define [t2500]: it is already a table (defined twice)" },
		{ "[t4999.x]\n", "cannot define [t4999.x]: it is already a table (by dotted keys)" },
		{ "[a.b]\n", "cannot define [a[0].b]: it is already a table (defined twice)" },
		{ "[[a]]\n[a.b]\n[a.b]\n", "cannot define [a[1].b]: it is already a table (defined twice)" },
	};
	struct bt_toml d;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < N; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%zu = %zu\n", i, i);
	for (size_t i = 0; i < N; i++)
		n += (size_t)snprintf(text + n, cap - n, "[t%zu]\nx.k = %zu\n", i, i);
	n += (size_t)snprintf(text + n, cap - n, "[[a]]\n[a.b]\n");
	assert_int_equal(bt_toml_parse(&d, text, n, "f.toml", err, sizeof(err)), 0);
	assert_int_equal(d.nkvs, 2 * N);
	assert_int_equal(d.ntables, N + 2);
	assert_string_equal(d.kvs[2 * N - 1].path, "t4999.x");
	assert_string_equal(d.tables[N + 1].path, "a[0].b");
	bt_toml_free(&d);
	for (size_t i = 0; i < sizeof(redef) / sizeof(redef[0]); i++) {
		size_t m = n + (size_t)snprintf(text + n, cap - n, "%s", redef[i].tail);
		unsigned line = 3 * N + 3;
		char want[BT_TOML_ERRLEN];

		for (const char *c = redef[i].tail; *c; c++)
			line += *c == '\n';
		snprintf(want, sizeof(want), "f.toml:%u: %s", line - 1, redef[i].err);
		assert_int_equal(bt_toml_parse(&d, text, m, "f.toml", err, sizeof(err)), -1);
		assert_string_equal(err, want);
	}
	free(text);
}

/* ---- GoBGP config -------------------------------------------------------- */

static const char gobgp[] =
	"[global.config]\n"
	"  as = 65001\n"
	"  router-id = \"10.0.0.1\"\n"
	"\n"
	"[[neighbors]]\n"
	"  [neighbors.config]\n"
	"    neighbor-address = \"10.0.1.2\"\n"
	"    peer-as = 65002\n"
	"\n"
	"[[bmp-servers]]\n"
	"  [bmp-servers.config]\n"
	"    address = \"10.0.2.2\"\n"
	"    port = 11019\n"
	"    route-monitoring-policy = \"pre-policy\"\n"
	"    statistics-timeout = 0\n"
	"    route-mirroring-enabled = false\n"
	"\n"
	"[[bmp-servers]]\n"
	"  [bmp-servers.config]\n"
	"    address = \"FD00:2:0::2\"\n"
	"    port = 11020\n"
	"    route-monitoring-policy = \"both\"\n"
	"    statistics-timeout = 3600\n"
	"    route-mirroring-enabled = true\n"
	"    sys-name = \"edge-1\"\n"
	"    sys-descr = \"rack 4 \\\"north\\\"\"\n"
	"    unknown-knob = 7\n"
	"  [bmp-servers.state]\n"
	"    x = 1\n"
	"top = 1\n";

static void test_config_gobgp(void **state)
{
	struct mem notes;
	struct bt_server_list l = cfg_ok(gobgp, &notes);
	const struct bt_server_cfg *a = &l.v[0], *b = &l.v[1];

	(void)state;
	assert_int_equal(l.n, 2);
	assert_string_equal(a->address, "10.0.2.2");
	assert_int_equal(a->port, 11019);
	assert_int_equal(a->policy, BMPTAP_POLICY_PRE);
	assert_int_equal(a->stats_timeout, 0);
	assert_false(a->mirroring);
	assert_false(a->passive);
	assert_int_equal(a->have, BT_SRV_PORT | BT_SRV_POLICY | BT_SRV_STATS_TIMEOUT |
			 BT_SRV_MIRRORING | BT_SRV_PASSIVE);
	assert_string_equal(b->address, "fd00:2::2");
	assert_int_equal(b->port, 11020);
	assert_int_equal(b->policy, BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST);
	assert_int_equal(b->stats_timeout, 3600);
	assert_true(b->mirroring);
	assert_string_equal(b->sys_name, "edge-1");
	assert_string_equal(b->sys_descr, "rack 4 \"north\"");
	assert_true(b->have & BT_SRV_SYS_NAME);
	assert_true(b->have & BT_SRV_SYS_DESCR);
	assert_false(b->have & BT_SRV_ALLOW);
	assert_string_equal(notes.buf,
		"f.toml:1: note: ignoring [global.config]\n"
		"f.toml:5: note: ignoring [[neighbors]]\n"
		"f.toml:6: note: ignoring [neighbors.config]\n"
		"f.toml:28: note: ignoring [bmp-servers.state]\n"
		"f.toml:22: warning: route-monitoring-policy \"both\" is deprecated, it means pre-policy,post-policy\n"
		"f.toml:27: note: ignoring key bmp-servers[1].config.unknown-knob\n");
	mem_free(&notes);
	bt_server_list_free(&l);

	/* Defaults; keys by dotted keys; root keys noted; no servers at all. */
	l = cfg_ok("a = 1\n[[bmp-servers]]\nconfig.address = \"h.example\"\nconfig.port = 1\nname = \"x\"\n",
		   &notes);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].address, "h.example");
	assert_int_equal(l.v[0].port, 1);
	assert_string_equal(notes.buf,
		"f.toml:1: note: ignoring key a\n"
		"f.toml:5: note: ignoring key bmp-servers[0].name\n");
	mem_free(&notes);
	bt_server_list_free(&l);
	l = cfg_ok(SRV("Host.Example", ""), &notes);
	assert_string_equal(l.v[0].address, "host.example");
	assert_int_equal(l.v[0].port, BT_BMP_PORT);
	assert_int_equal(l.v[0].policy, BMPTAP_POLICY_PRE);
	assert_string_equal(notes.buf, "");
	mem_free(&notes);
	bt_server_list_free(&l);
	l = cfg_ok("[global.config]\nas = 1\n", &notes);
	assert_int_equal(l.n, 0);
	mem_free(&notes);
}

static void test_config_values(void **state)
{
	static const struct {
		const char *policy;
		uint32_t bits;
	} pols[] = {
		{ "pre-policy", BMPTAP_POLICY_PRE },
		{ "post-policy", BMPTAP_POLICY_POST },
		{ "local-rib", BMPTAP_POLICY_LOCAL_RIB },
		{ "all", BMPTAP_POLICY_ALL },
		{ "both", BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST },
		{ "pre-policy,adj-rib-out", BMPTAP_POLICY_PRE | BMPTAP_POLICY_ADJ_OUT },
	};
	static const int64_t stats_ok[] = { 0, 15, 16, 3600, 65535 };
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		struct mem notes;
		struct bt_server_list l;

		snprintf(text, sizeof(text), SRV("192.0.2.1", "route-monitoring-policy = \"%s\"\n"),
			 pols[i].policy);
		l = cfg_ok(text, &notes);
		assert_int_equal(l.v[0].policy, pols[i].bits);
		/* Only "both" warns. */
		assert_int_equal(strstr(notes.buf, "deprecated") != NULL,
				 !strcmp(pols[i].policy, "both"));
		mem_free(&notes);
		bt_server_list_free(&l);
	}
	for (i = 0; i < sizeof(stats_ok) / sizeof(stats_ok[0]); i++) {
		struct mem notes;
		struct bt_server_list l;

		snprintf(text, sizeof(text), SRV("192.0.2.1", "statistics-timeout = %lld\n"),
			 (long long)stats_ok[i]);
		l = cfg_ok(text, &notes);
		assert_int_equal(l.v[0].stats_timeout, stats_ok[i]);
		mem_free(&notes);
		bt_server_list_free(&l);
	}
	{
		struct mem notes;
		struct bt_server_list l = cfg_ok(SRV("192.0.2.1",
			"passive = true\nallow = \"10.0.0.0/8,2001:db8::/32\"\nport = 65535\n"), &notes);

		assert_true(l.v[0].passive);
		assert_string_equal(l.v[0].allow, "10.0.0.0/8,2001:db8::/32");
		assert_true(l.v[0].have & BT_SRV_ALLOW);
		assert_int_equal(l.v[0].port, 65535);
		mem_free(&notes);
		bt_server_list_free(&l);
	}
}

static void test_config_errors(void **state)
{
	static const struct bad bad[] = {
		{ SRV("10.0.0.256", ""), "f.toml:3: invalid address \"10.0.0.256\" (IPv4, IPv6 or host name)" },
		{ SRV("", ""), "f.toml:3: invalid address \"\" (IPv4, IPv6 or host name)" },
		{ SRV("a b", ""), "f.toml:3: invalid address \"a b\" (IPv4, IPv6 or host name)" },
		{ "[[bmp-servers]]\n[bmp-servers.config]\naddress = 1\n", "f.toml:3: address must be a string, not an integer" },
		{ SRV("10.0.0.1", "port = 0\n"), "f.toml:4: invalid port 0 (1..65535)" },
		{ SRV("10.0.0.1", "port = 65536\n"), "f.toml:4: invalid port 65536 (1..65535)" },
		{ SRV("10.0.0.1", "port = -1\n"), "f.toml:4: invalid port -1 (1..65535)" },
		{ SRV("10.0.0.1", "port = \"11019\"\n"), "f.toml:4: port must be an integer, not a string" },
		{ SRV("10.0.0.1", "route-monitoring-policy = \"pre\"\n"),
		  "f.toml:4: invalid route-monitoring-policy \"pre\" (pre-policy, post-policy, local-rib, all, both)" },
		{ SRV("10.0.0.1", "route-monitoring-policy = \"\"\n"),
		  "f.toml:4: invalid route-monitoring-policy \"\" (pre-policy, post-policy, local-rib, all, both)" },
		{ SRV("10.0.0.1", "route-monitoring-policy = 1\n"),
		  "f.toml:4: route-monitoring-policy must be a string, not an integer" },
		{ SRV("10.0.0.1", "statistics-timeout = 1\n"), "f.toml:4: invalid statistics-timeout 1 (0 or 15..65535)" },
		{ SRV("10.0.0.1", "statistics-timeout = 14\n"), "f.toml:4: invalid statistics-timeout 14 (0 or 15..65535)" },
		{ SRV("10.0.0.1", "statistics-timeout = 65536\n"), "f.toml:4: invalid statistics-timeout 65536 (0 or 15..65535)" },
		{ SRV("10.0.0.1", "statistics-timeout = -15\n"), "f.toml:4: invalid statistics-timeout -15 (0 or 15..65535)" },
		{ SRV("10.0.0.1", "statistics-timeout = 1.5\n"), "f.toml:4: statistics-timeout must be an integer, not a float" },
		{ SRV("10.0.0.1", "route-mirroring-enabled = \"yes\"\n"),
		  "f.toml:4: route-mirroring-enabled must be a boolean, not a string" },
		{ SRV("10.0.0.1", "sys-name = 5\n"), "f.toml:4: sys-name must be a string, not an integer" },
		{ SRV("10.0.0.1", "sys-descr = \"a\\u0000b\"\n"), "f.toml:4: invalid sys-descr \"a?b\" (at most 255 bytes, no NUL)" },
		{ SRV("10.0.0.1", "passive = 1\n"), "f.toml:4: passive must be a boolean, not an integer" },
		{ SRV("10.0.0.1", "allow = \"10.0.0.0/33\"\n"), "f.toml:4: invalid allow \"10.0.0.0/33\" (PREFIX[,PREFIX..])" },
		{ SRV("10.0.0.1", "families = \"ipv4\"\n"),
		  "f.toml:4: invalid family \"ipv4\" in families (ipv4-unicast, ipv6-unicast, vpnv4, vpnv6, l2vpn-evpn, ipv4-flowspec, ...: bmptapctl(8) lists them)" },
		{ SRV("10.0.0.1", "families = [\"ipv4-unicast\"]\n"), "f.toml:4: families must be a string, not an array" },
		{ SRV("10.0.0.1", "peers = \"10.0.0.1,AS1\"\n"),
		  "f.toml:4: invalid peer \"AS1\" in peers (ADDRESS[/LEN] or AS number 1..4294967295)" },
		{ SRV("10.0.0.1", "peers = 65001\n"), "f.toml:4: peers must be a string, not an integer" },
		{ SRV("10.0.0.1", "replay-rate = -1\n"),
		  "f.toml:4: invalid replay-rate \"-1\" (messages per second 1..4294967295, 0: unpaced)" },
		{ SRV("10.0.0.1", "replay-rate = 4294967296\n"),
		  "f.toml:4: invalid replay-rate \"4294967296\" (messages per second 1..4294967295, 0: unpaced)" },
		{ SRV("10.0.0.1", "replay-rate = \"100\"\n"), "f.toml:4: replay-rate must be an integer, not a string" },
		{ SRV("10.0.0.1", "source = \"host.example\"\n"),
		  "f.toml:4: invalid source \"host.example\" (IPv4 or IPv6 address)" },
		{ SRV("10.0.0.1", "source = \"2001:db8::1\"\n"),
		  "f.toml:3: source 2001:db8::1 is IPv6 but address 10.0.0.1 is IPv4" },
		{ SRV("10.0.0.1", "dscp = 64\n"), "f.toml:4: invalid dscp \"64\" (0..63)" },
		{ SRV("10.0.0.1", "dscp = -1\n"), "f.toml:4: invalid dscp \"-1\" (0..63)" },
		{ SRV("10.0.0.1", "dscp = true\n"), "f.toml:4: dscp must be an integer, not a boolean" },
		{ "[[bmp-servers]]\n[bmp-servers.config]\nport = 1\n",
		  "f.toml:1: [[bmp-servers]] without an address (set it in [bmp-servers.config])" },
		{ SRV("10.0.0.1", "") SRV("10.0.0.2", "") "[[bmp-servers]]\n",
		  "f.toml:7: [[bmp-servers]] without an address (set it in [bmp-servers.config])" },
		{ SRV("10.0.0.1", "") "\n" SRV("10.0.0.01", ""),
		  "f.toml:7: invalid address \"10.0.0.01\" (IPv4, IPv6 or host name)" },
		{ SRV("fd00::1", "") "\n" SRV("FD00:0::1", ""),
		  "f.toml:7: server fd00::1 port 11019 is already defined at line 3" },
		{ "[bmp-servers]\naddress = \"10.0.0.1\"\n",
		  "f.toml:1: [bmp-servers] must be an array of tables: write [[bmp-servers]]" },
		{ "[bmp-servers.config]\naddress = \"10.0.0.1\"\n",
		  "f.toml:1: [bmp-servers.config] without a [[bmp-servers]] before it" },
		{ "[[bmp-servers]]\n[[bmp-servers.config]]\n",
		  "f.toml:2: [[bmp-servers.config]] must be a table: write [bmp-servers.config]" },
		{ "[[bmp-servers]]\nconfig = { address = \"10.0.0.1\" }\n",
		  "f.toml:2: bmp-servers[0].config must be a [bmp-servers.config] table, not an inline table" },
		{ SRV("10.0.0.1", "address = \"10.0.0.2\"\n"),
		  "f.toml:4: duplicate key bmp-servers[0].config.address (already a key with a value)" },
		/* A syntax error anywhere refuses the whole file. */
		{ SRV("10.0.0.1", "") "[global]\nas = 65001 65002\n",
		  "f.toml:5: expected the end of the line after a value, found \"65002\"" },
	};
	char *many;
	size_t i, n = 0;
	struct bt_server_list l;
	char err[BT_CONFIG_ERRLEN];

	(void)state;
	CFG_BAD(bad);
	/* The module holds at most BMPTAP_MAX_SERVERS. */
	many = malloc(128 * 80);
	for (i = 0; i < BMPTAP_MAX_SERVERS + 1; i++)
		n += (size_t)sprintf(many + n, "[[bmp-servers]]\nconfig.address = \"10.0.0.%zu\"\n", i + 1);
	assert_int_equal(bt_config_parse(many, n, "f.toml", &l, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "f.toml:129: more than 64 [[bmp-servers]] (the module's limit)");
	/* 64 are fine. */
	n = 0;
	for (i = 0; i < BMPTAP_MAX_SERVERS; i++)
		n += (size_t)sprintf(many + n, "[[bmp-servers]]\nconfig.address = \"10.0.0.%zu\"\n", i + 1);
	assert_int_equal(bt_config_parse(many, n, "f.toml", &l, NULL, err, sizeof(err)), 0);
	assert_int_equal(l.n, BMPTAP_MAX_SERVERS);
	bt_server_list_free(&l);
	free(many);
	/* Files: missing, and "-" is stdin (not tested here). */
	assert_int_equal(bt_config_load_file("/nonexistent/x.toml", &l, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/x.toml: No such file or directory");
}

/* show -> load gives back the same servers, and show again the same text. */
static void test_config_round_trip(void **state)
{
	struct bt_server_cfg v[6];
	struct bt_server_list l;
	struct mem out, out2;
	char err[BT_CONFIG_ERRLEN];
	size_t i;

	(void)state;
	memset(v, 0, sizeof(v));
	for (i = 0; i < 6; i++) {
		v[i].have = BT_SRV_PORT | BT_SRV_POLICY | BT_SRV_STATS_TIMEOUT |
			    BT_SRV_MIRRORING | BT_SRV_PASSIVE;
		v[i].port = (uint16_t)(11019 + i);
		v[i].policy = BMPTAP_POLICY_PRE;
	}
	strcpy(v[0].address, "10.0.2.2");
	strcpy(v[1].address, "fd00:2::2");
	v[1].policy = BMPTAP_POLICY_POST;
	v[1].stats_timeout = 15;
	v[1].mirroring = true;
	strcpy(v[2].address, "collector.example");
	v[2].policy = BMPTAP_POLICY_ALL;
	v[2].stats_timeout = 65535;
	v[2].have |= BT_SRV_SYS_NAME | BT_SRV_SYS_DESCR;
	strcpy(v[2].sys_name, "tab\there \"q\" \\ é");
	strcpy(v[2].sys_descr, "");
	strcpy(v[3].address, "192.0.2.9");
	v[3].policy = BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST;
	v[3].passive = true;
	v[3].have |= BT_SRV_ALLOW;
	strcpy(v[3].allow, "192.0.2.0/24");
	strcpy(v[4].address, "192.0.2.10");
	v[4].policy = BMPTAP_POLICY_LOCAL_RIB;
	v[4].have |= BT_SRV_SEL_ALL;
	v[4].families = BMPTAP_FAMILY_IPV6_UNICAST;
	strcpy(v[4].peers, "2001:db8::/32,65001");
	v[4].replay_rate = 500;
	strcpy(v[4].source, "192.0.2.1");
	v[4].dscp = 46;
	strcpy(v[5].address, "192.0.2.11");
	v[5].policy = BMPTAP_POLICY_PRE | BMPTAP_POLICY_LOCAL_RIB | BMPTAP_POLICY_ADJ_OUT;

	mem_open(&out);
	bt_config_write(out.f, v, 6);
	mem_text(&out);
	assert_non_null(strstr(out.buf, "[[bmp-servers]]\n  [bmp-servers.config]\n"
				       "    address = \"10.0.2.2\"\n    port = 11019\n"
				       "    route-monitoring-policy = \"pre-policy\"\n"
				       "    statistics-timeout = 0\n"
				       "    route-mirroring-enabled = false\n"));
	assert_non_null(strstr(out.buf, "route-monitoring-policy = \"all\""));
	assert_non_null(strstr(out.buf, "route-monitoring-policy = \"pre-policy,post-policy\""));
	assert_non_null(strstr(out.buf, "sys-name = \"tab\\there \\\"q\\\" \\\\ é\""));
	assert_non_null(strstr(out.buf, "    families = \"ipv6-unicast\"\n"
				       "    peers = \"2001:db8::/32,65001\"\n"
				       "    replay-rate = 500\n    source = \"192.0.2.1\"\n"
				       "    dscp = 46\n"));
	if (bt_config_parse(out.buf, out.len, "show", &l, NULL, err, sizeof(err)))
		fail_msg("%s\n%s", err, out.buf);
	assert_int_equal(l.n, 6);
	for (i = 0; i < 6; i++) {
		if (!bt_config_server_equal(&v[i], &l.v[i]))
			fail_msg("server %zu differs after the round trip", i);
		assert_int_equal(v[i].have, l.v[i].have);
	}
	mem_open(&out2);
	bt_config_write(out2.f, l.v, l.n);
	assert_string_equal(mem_text(&out2), out.buf);
	bt_server_list_free(&l);
	mem_free(&out);
	mem_free(&out2);

	/* Nothing configured: a file that loads as no servers. */
	mem_open(&out);
	bt_config_write(out.f, NULL, 0);
	mem_text(&out);
	assert_int_equal(bt_config_parse(out.buf, out.len, "show", &l, NULL, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	mem_free(&out);
}

static void test_config_equal(void **state)
{
	struct bt_server_cfg a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.have = BT_SRV_PORT | BT_SRV_POLICY;
	a.port = BT_BMP_PORT;
	a.policy = BMPTAP_POLICY_PRE;
	strcpy(a.address, "FD00::1");
	b = a;
	strcpy(b.address, "fd00:0::1");
	assert_true(bt_config_server_equal(&a, &b));
	b.have &= ~BT_SRV_PORT;		/* the default port, implicit */
	assert_true(bt_config_server_equal(&a, &b));
	b = a;
	b.policy = BMPTAP_POLICY_POST;
	assert_false(bt_config_server_equal(&a, &b));
	b = a;
	b.have |= BT_SRV_SYS_NAME;
	assert_false(bt_config_server_equal(&a, &b));
	b = a;
	b.port = 1;
	assert_false(bt_config_server_equal(&a, &b));
	b = a;
	b.mirroring = true;		/* not in have: not compared */
	assert_true(bt_config_server_equal(&a, &b));
}

/* ---- JSON reader --------------------------------------------------------- */

static void test_jsonr(void **state)
{
	const char *text = " {\"a\": 1, \"b\": [true, false, null, -1.5e3, \"x\"],"
			   " \"c\": {\"d\": \"e\\u00e9\\ud83d\\ude00\\n\\\"\"}, \"k\\u0065y\": 18446744073709551615,"
			   " \"big\": 18446744073709551616, \"e\": {}, \"f\": []} \n";
	struct bt_jr r;
	char s[64];
	uint64_t v;
	bool b;
	size_t len;
	const char *raw;
	int x;

	(void)state;
	if (bt_jr_parse(&r, text, strlen(text)))
		fail_msg("%s", r.err);
	assert_int_equal(bt_jr_type(&r, 0), BT_JR_OBJECT);
	assert_true(bt_jr_u64(&r, bt_jr_get(&r, 0, "a"), &v));
	assert_int_equal(v, 1);
	x = bt_jr_get(&r, 0, "b");
	assert_int_equal(bt_jr_len(&r, x), 5);
	assert_true(bt_jr_bool(&r, bt_jr_at(&r, x, 0), &b) && b);
	assert_true(bt_jr_bool(&r, bt_jr_at(&r, x, 1), &b) && !b);
	assert_int_equal(bt_jr_type(&r, bt_jr_at(&r, x, 2)), BT_JR_NULL);
	assert_false(bt_jr_u64(&r, bt_jr_at(&r, x, 3), &v));	/* not a counter */
	assert_int_equal(bt_jr_type(&r, bt_jr_at(&r, x, 3)), BT_JR_NUMBER);
	assert_int_equal(bt_jr_at(&r, x, 5), -1);
	assert_true(bt_jr_str(&r, bt_jr_at(&r, x, 4), s, sizeof(s)));
	assert_string_equal(s, "x");
	/* Escapes, a surrogate pair, control characters shown as '?'. */
	assert_string_equal(bt_jr_get_str(&r, bt_jr_get(&r, 0, "c"), "d", s, sizeof(s), NULL),
			    "e\xc3\xa9\xf0\x9f\x98\x80?\"");
	/* Cut to the buffer. */
	assert_string_equal(bt_jr_get_str(&r, bt_jr_get(&r, 0, "c"), "d", s, 3, NULL), "e\xc3");
	/* Escaped keys match; the largest u64; one more is refused. */
	assert_int_equal(bt_jr_get_u64(&r, 0, "key", 0), UINT64_MAX);
	assert_int_equal(bt_jr_get_u64(&r, 0, "big", 7), 7);
	assert_int_equal(bt_jr_get(&r, 0, "missing"), -1);
	assert_int_equal(bt_jr_get(&r, x, "a"), -1);	/* not an object */
	assert_int_equal(bt_jr_len(&r, bt_jr_get(&r, 0, "f")), 0);
	assert_int_equal(bt_jr_type(&r, bt_jr_get(&r, 0, "e")), BT_JR_OBJECT);
	assert_int_equal(bt_jr_type(&r, -5), BT_JR_NONE);
	assert_int_equal(bt_jr_type(&r, 100000), BT_JR_NONE);
	assert_false(bt_jr_str(&r, 100000, s, sizeof(s)));
	raw = bt_jr_raw(&r, bt_jr_get(&r, 0, "c"), &len);
	assert_int_equal(len, strlen("{\"d\": \"e\\u00e9\\ud83d\\ude00\\n\\\"\"}"));
	assert_memory_equal(raw, "{\"d\"", 4);
	raw = bt_jr_raw(&r, bt_jr_at(&r, x, 4), &len);
	assert_int_equal(len, 3);
	assert_memory_equal(raw, "\"x\"", 3);
	bt_jr_free(&r);

	/* Scalars as the root; a lone surrogate decodes as U+FFFD. */
	assert_int_equal(bt_jr_parse(&r, "\"\\ud800x\"", 9), 0);
	assert_true(bt_jr_str(&r, 0, s, sizeof(s)));
	assert_string_equal(s, "\xef\xbf\xbdx");
	bt_jr_free(&r);
	assert_int_equal(bt_jr_parse(&r, "0", 1), 0);
	bt_jr_free(&r);
}

static void test_jsonr_errors(void **state)
{
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ "", "offset 0: unexpected end of the text" },
		{ "   ", "offset 3: unexpected end of the text" },
		{ "{", "offset 1: unexpected end of the text" },
		{ "{\"a\" 1}", "offset 5: \":\" expected" },
		{ "{\"a\": 1,}", "offset 8: key expected" },
		{ "[1,]", "offset 3: value expected" },
		{ "[1 2]", "offset 3: \",\" or a closing bracket expected" },
		{ "[1}", "offset 2: mismatched bracket" },
		{ "{1: 2}", "offset 1: key expected" },
		{ "}", "offset 0: value expected" },
		{ "1 2", "offset 2: text after the value" },
		{ "01", "offset 1: text after the value" },
		{ "-", "offset 0: invalid number" },
		{ "1.", "offset 0: invalid number" },
		{ "1e", "offset 0: invalid number" },
		{ "tru", "offset 0: value expected" },
		{ "\"abc", "offset 0: unterminated string" },
		{ "\"a\\x\"", "offset 2: invalid escape" },
		{ "\"a\\u12g4\"", "offset 2: invalid \\u escape" },
		{ "\"a\nb\"", "offset 2: control character in a string" },
		{ "\"a\\", "offset 0: unterminated string" },
	};
	struct bt_jr r;
	char deep[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!bt_jr_parse(&r, bad[i].text, strlen(bad[i].text))) {
			bt_jr_free(&r);
			fail_msg("accepted: %s", bad[i].text);
		}
		if (strcmp(r.err, bad[i].err))
			fail_msg("%s\n  got  %s\n  want %s", bad[i].text, r.err, bad[i].err);
		assert_null(r.t);
	}
	/* 64 levels are fine, 65 are not. */
	memset(deep, '[', 64);
	memset(deep + 64, ']', 64);
	assert_int_equal(bt_jr_parse(&r, deep, 128), 0);
	bt_jr_free(&r);
	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	assert_int_equal(bt_jr_parse(&r, deep, 130), -1);
	assert_string_equal(r.err, "offset 64: nested too deep");
	/* The text is bounded by len, not by a NUL. */
	assert_int_equal(bt_jr_parse(&r, "[1]xyz", 3), 0);
	bt_jr_free(&r);
	assert_int_equal(bt_jr_parse(&r, "tr", 2), -1);
}

/* ---- show servers / peers ------------------------------------------------- */

/* As status.c / collector.c render it. */
static const char status[] =
	"{\"daemon\":\"bmptapd 0.1\",\"pid\":42,\"uptime_s\":10,"
	"\"servers\":[{\"address\":\"10.0.2.2\",\"port\":11019,\"passive\":false,"
	"\"policy\":[\"pre\"],\"mirroring\":false,\"state\":\"up\",\"lagging\":false,"
	"\"peers\":1,\"peers_live\":1,\"messages\":12,\"bytes\":3456,\"sessions\":1,"
	"\"reconnects\":2,\"resyncs\":3,\"queue_bytes\":0},"
	"{\"address\":\"192.0.2.9\",\"port\":11019,\"passive\":true,\"policy\":[\"post\"],"
	"\"state\":\"listening\",\"messages\":0,\"bytes\":0,\"reconnects\":0,\"resyncs\":0},"
	"{\"address\":\"192.0.2.9\",\"port\":11019,\"passive\":true,\"session\":\"192.0.2.50:40000\","
	"\"state\":\"up\",\"messages\":5,\"bytes\":500,\"reconnects\":0,\"resyncs\":0},"
	"{\"address\":\"198.51.100.1\",\"port\":11019,\"state\":\"closing\","
	"\"last_error\":\"connection refused\"}],"
	"\"peer_count\":2,\"peers\":[{\"flow_id\":3,\"local_address\":\"10.0.1.2\",\"local_port\":179,"
	"\"remote_address\":\"10.0.1.1\",\"remote_port\":40123,\"peer_as\":65001,"
	"\"bgp_id\":\"10.0.1.1\",\"local_as\":65002,\"state\":\"established\",\"uptime_s\":3725,"
	"\"prefixes\":{\"ipv4_unicast\":3,\"ipv6_unicast\":0},\"updates\":7,\"withdrawals\":1,"
	"\"gaps_rx\":1,\"gaps_tx\":2},"
	"{\"flow_id\":4,\"remote_address\":\"fd00:1::1\",\"state\":\"pending\",\"prefixes\":{}}],"
	"\"import_filters\":0}\n";

static void servers(struct bt_server_cfg *v)
{
	memset(v, 0, 3 * sizeof(*v));
	strcpy(v[0].address, "10.0.2.2");
	v[0].have = BT_SRV_PORT | BT_SRV_POLICY;
	v[0].port = 11019;
	v[0].policy = BMPTAP_POLICY_PRE;
	strcpy(v[1].address, "192.0.2.9");
	v[1].have = BT_SRV_PORT | BT_SRV_POLICY | BT_SRV_PASSIVE;
	v[1].port = 11019;
	v[1].policy = BMPTAP_POLICY_POST;
	v[1].passive = true;
	strcpy(v[2].address, "collector.example");
	v[2].have = BT_SRV_PORT | BT_SRV_POLICY;
	v[2].port = 5000;
	v[2].policy = BMPTAP_POLICY_ALL;
}

/* Columns of the first row that starts with addr, split on blanks. */
static int row(const char *text, const char *addr, char cols[12][64])
{
	const char *l = text;
	int n = 0;

	while (l && *l) {
		if (!strncmp(l, addr, strlen(addr)) && l[strlen(addr)] == ' ') {
			const char *e = strchr(l, '\n');
			char line[512], *tok, *save = NULL;

			snprintf(line, sizeof(line), "%.*s", (int)(e ? e - l : (long)strlen(l)), l);
			for (tok = strtok_r(line, " ", &save); tok && n < 12;
			     tok = strtok_r(NULL, " ", &save))
				snprintf(cols[n++], 64, "%s", tok);
			return n;
		}
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return 0;
}

static void test_view_servers(void **state)
{
	struct bt_server_cfg v[3];
	struct mem out, err;
	char c[12][64];
	struct bt_jr r;
	int a;

	(void)state;
	servers(v);
	/* No helper: the configs, each "no helper". */
	mem_open(&out);
	mem_open(&err);
	bt_view_servers(out.f, err.f, v, 3, NULL, 0, false);
	mem_text(&out);
	assert_int_equal(row(out.buf, "ADDRESS", c), 8);
	assert_int_equal(row(out.buf, "10.0.2.2", c), 9);
	assert_string_equal(c[1], "11019");
	assert_string_equal(c[2], "pre-policy");
	assert_string_equal(c[3], "no");
	assert_string_equal(c[4], "helper");
	assert_string_equal(c[5], "-");
	assert_non_null(strstr(out.buf, "(bmptapd publishes no status: is it running?)"));
	assert_string_equal(mem_text(&err), "");
	mem_free(&out);
	mem_free(&err);

	/* Live: state and counters per server, sessions, pending, removed. */
	mem_open(&out);
	mem_open(&err);
	bt_view_servers(out.f, err.f, v, 3, status, sizeof(status) - 1, false);
	mem_text(&out);
	assert_int_equal(row(out.buf, "10.0.2.2", c), 8);
	assert_string_equal(c[3], "up");
	assert_string_equal(c[4], "12");
	assert_string_equal(c[5], "3456");
	assert_string_equal(c[6], "2");
	assert_string_equal(c[7], "3");
	assert_int_equal(row(out.buf, "192.0.2.9", c), 8);
	assert_string_equal(c[2], "post-policy");
	assert_string_equal(c[3], "listening");
	assert_int_equal(row(out.buf, "  <- 192.0.2.50:40000", c), 8);
	assert_string_equal(c[3], "up");
	assert_string_equal(c[4], "5");
	assert_int_equal(row(out.buf, "collector.example", c), 8);
	assert_string_equal(c[1], "5000");
	assert_string_equal(c[3], "pending");
	assert_int_equal(row(out.buf, "198.51.100.1", c), 8);
	assert_string_equal(c[2], "(removed)");
	assert_string_equal(c[3], "closing");
	assert_non_null(strstr(out.buf, "last error: connection refused\n"));
	assert_null(strstr(out.buf, "no status"));
	assert_string_equal(mem_text(&err), "");
	mem_free(&out);
	mem_free(&err);

	/* JSON: valid, the helper's object passed through. */
	mem_open(&out);
	mem_open(&err);
	bt_view_servers(out.f, err.f, v, 3, status, sizeof(status) - 1, true);
	mem_text(&out);
	if (bt_jr_parse(&r, out.buf, out.len))
		fail_msg("%s: %s", r.err, out.buf);
	assert_int_equal(bt_jr_len(&r, 0), 3);
	a = bt_jr_at(&r, 0, 0);
	assert_string_equal(bt_jr_get_str(&r, a, "state", c[0], 64, ""), "up");
	assert_int_equal(bt_jr_get_u64(&r, bt_jr_get(&r, a, "status"), "resyncs", 0), 3);
	assert_string_equal(bt_jr_get_str(&r, bt_jr_at(&r, bt_jr_get(&r, a, "policy"), 0),
					  NULL, c[0], 64, "pre-policy"), "pre-policy");
	a = bt_jr_at(&r, 0, 1);
	assert_int_equal(bt_jr_len(&r, bt_jr_get(&r, a, "sessions")), 1);
	a = bt_jr_at(&r, 0, 2);
	assert_string_equal(bt_jr_get_str(&r, a, "state", c[0], 64, ""), "pending");
	assert_int_equal(bt_jr_type(&r, bt_jr_get(&r, a, "status")), BT_JR_NULL);
	bt_jr_free(&r);
	mem_free(&out);
	mem_free(&err);

	/* A blob that is not JSON: said once on stderr, configs still shown. */
	mem_open(&out);
	mem_open(&err);
	bt_view_servers(out.f, err.f, v, 1, "running", 7, false);
	assert_non_null(strstr(mem_text(&out), "10.0.2.2"));
	assert_string_equal(mem_text(&err), "bmptapctl: cannot read bmptapd's status: offset 0: value expected\n");
	mem_free(&out);
	mem_free(&err);

	/* JSON without a helper: still valid, state "no helper". */
	mem_open(&out);
	mem_open(&err);
	bt_view_servers(out.f, err.f, v, 0, NULL, 0, true);
	assert_string_equal(mem_text(&out), "[]\n");
	mem_free(&out);
	mem_free(&err);
}

static void test_view_peers(void **state)
{
	struct mem out, err;
	char c[12][64];
	char d[16];

	(void)state;
	mem_open(&out);
	mem_open(&err);
	bt_view_peers(out.f, err.f, status, sizeof(status) - 1, false);
	mem_text(&out);
	assert_int_equal(row(out.buf, "10.0.1.1", c), 10);
	assert_string_equal(c[1], "65001");
	assert_string_equal(c[2], "10.0.1.1");
	assert_string_equal(c[3], "established");
	assert_string_equal(c[4], "1h02m");
	assert_string_equal(c[5], "7");
	assert_string_equal(c[6], "1");
	assert_string_equal(c[7], "3");
	assert_string_equal(c[8], "3");
	assert_string_equal(c[9], "ipv4_unicast=3,ipv6_unicast=0");
	assert_int_equal(row(out.buf, "fd00:1::1", c), 10);
	assert_string_equal(c[1], "-");
	assert_string_equal(c[3], "pending");
	assert_string_equal(c[4], "-");
	assert_string_equal(c[9], "-");
	mem_free(&out);
	mem_free(&err);

	/* -j: the peers array as published. */
	mem_open(&out);
	mem_open(&err);
	bt_view_peers(out.f, err.f, status, sizeof(status) - 1, true);
	mem_text(&out);
	assert_memory_equal(out.buf, "[{\"flow_id\":3,", 14);
	assert_string_equal(out.buf + out.len - 3, "}]\n");
	mem_free(&out);
	mem_free(&err);

	/* No helper. */
	mem_open(&out);
	mem_open(&err);
	bt_view_peers(out.f, err.f, NULL, 0, false);
	assert_string_equal(mem_text(&out), "no status published (is bmptapd running?)\n");
	mem_free(&out);
	mem_free(&err);
	mem_open(&out);
	mem_open(&err);
	bt_view_peers(out.f, err.f, NULL, 0, true);
	assert_string_equal(mem_text(&out), "[]\n");
	assert_string_equal(mem_text(&err), "bmptapctl: no status published (is bmptapd running?)\n");
	mem_free(&out);
	mem_free(&err);

	bt_view_duration(0, d, sizeof(d));
	assert_string_equal(d, "0s");
	bt_view_duration(59, d, sizeof(d));
	assert_string_equal(d, "59s");
	bt_view_duration(60, d, sizeof(d));
	assert_string_equal(d, "1m00s");
	bt_view_duration(86400 * 3 + 3600 * 4 + 5, d, sizeof(d));
	assert_string_equal(d, "3d04h");
}

/* ---- command lines ------------------------------------------------------- */

static int parse(const char *line, struct bt_cli_req *req, char *err)
{
	/* Static: req's strings point into the words until the next parse. */
	static char buf[512];
	char *argv[16], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	argv[argc++] = "bmptapctl";
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return bt_cli_parse(argc, argv, req, err, BT_CLI_ERRLEN);
}

static void test_cli_new_commands(void **state)
{
	static const struct {
		const char *line;
		const char *err;
	} bad[] = {
		{ "config", "missing subcommand for \"config\" (load, show)" },
		{ "config save x", "unknown subcommand \"save\" for \"config\" (load, show)" },
		{ "config load", "missing file for \"config load\"" },
		{ "config load --merge", "missing file for \"config load\"" },
		{ "config load a b", "unexpected argument \"b\"" },
		{ "config load --merge --merge a", "duplicate option \"--merge\"" },
		{ "config load --force a", "unknown option \"--force\" for \"config load\" (--merge)" },
		{ "config show x", "unexpected argument \"x\"" },
		{ "monitor peers", "unexpected argument \"peers\"" },
		{ "show peers x", "unexpected argument \"x\"" },
		{ "show routes", "unknown object \"routes\" for \"show\" (flows, counters, tap, servers, peers, status)" },
	};
	struct bt_cli_req req;
	char err[BT_CLI_ERRLEN];
	size_t i;

	(void)state;
	assert_int_equal(parse("config load /etc/gobgpd.toml", &req, err), 0);
	assert_int_equal(req.cmd, BT_CLI_CONFIG_LOAD);
	assert_string_equal(req.file, "/etc/gobgpd.toml");
	assert_false(req.merge);
	assert_int_equal(parse("config load --merge f", &req, err), 0);
	assert_true(req.merge);
	assert_string_equal(req.file, "f");
	assert_int_equal(parse("config load f --merge", &req, err), 0);
	assert_true(req.merge);
	assert_int_equal(parse("config load -", &req, err), 0);
	assert_string_equal(req.file, "-");
	assert_int_equal(parse("config show", &req, err), 0);
	assert_int_equal(req.cmd, BT_CLI_CONFIG_SHOW);
	assert_int_equal(parse("-j show peers", &req, err), 0);
	assert_int_equal(req.cmd, BT_CLI_SHOW_PEERS);
	assert_true(req.json);
	assert_int_equal(parse("monitor", &req, err), 0);
	assert_int_equal(req.cmd, BT_CLI_MONITOR);
	assert_int_equal(parse("-j monitor", &req, err), 0);
	assert_true(req.json);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].line, &req, err) != -1)
			fail_msg("accepted: %s", bad[i].line);
		if (strcmp(err, bad[i].err))
			fail_msg("%s\n  got  %s\n  want %s", bad[i].line, err, bad[i].err);
	}
	assert_non_null(strstr(bt_cli_usage(), "config load [--merge] FILE"));
	assert_non_null(strstr(bt_cli_usage(), "monitor"));
	assert_non_null(strstr(bt_cli_usage(), "servers|peers|status"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toml_values),
		cmocka_unit_test(test_toml_errors),
		cmocka_unit_test(test_toml_limits),
		cmocka_unit_test(test_toml_many_names),
		cmocka_unit_test(test_config_gobgp),
		cmocka_unit_test(test_config_values),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_round_trip),
		cmocka_unit_test(test_config_equal),
		cmocka_unit_test(test_jsonr),
		cmocka_unit_test(test_jsonr_errors),
		cmocka_unit_test(test_view_servers),
		cmocka_unit_test(test_view_peers),
		cmocka_unit_test(test_cli_new_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
