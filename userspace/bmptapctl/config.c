// SPDX-License-Identifier: GPL-2.0
/*
 * GoBGP's [[bmp-servers]] <-> bmptap server configs.  GoBGP writes
 *
 *   [[bmp-servers]]
 *     [bmp-servers.config]
 *       address = "192.0.2.1"
 *       port = 11019
 *       route-monitoring-policy = "pre-policy"
 *
 * so each element of the bmp-servers array holds one "config" table.  The
 * TOML reader names it bmp-servers[N].config whichever way it was written
 * (header or dotted keys), which is what is matched here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "select.h"
#include "tls.h"
#include "toml.h"

#define ARRAY_NAME	"bmp-servers"
#define CONFIG_NAME	"bmp-servers.config"
#define POLICY_CHOICES	"pre-policy, post-policy, local-rib, all, both"

struct ctx {
	const char *fname;
	FILE *notes;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int cerr(struct ctx *c, unsigned int line, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%u: %s", c->fname, line, msg);
	return -1;
}

__attribute__((format(printf, 3, 4)))
static void note(struct ctx *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	if (!c->notes)
		return;
	fprintf(c->notes, "%s:%u: ", c->fname, line);
	va_start(ap, fmt);
	vfprintf(c->notes, fmt, ap);
	va_end(ap);
	fputc('\n', c->notes);
}

/* A value echoed in a message: one short printable line. */
struct shown {
	char s[84];
};

static struct shown show(const char *v, size_t n)
{
	struct shown o;
	size_t i;

	for (i = 0; i < n && i < 80; i++)
		o.s[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	if (i < n)
		memcpy(o.s + 77, "...", 3), i = 80;
	o.s[i] = '\0';
	return o;
}

/* "bmp-servers[N]" + suffix (exactly): N, else -1. */
static long element(const char *path, const char *suffix)
{
	const char *p = path + strlen(ARRAY_NAME);
	char *end;
	long n;

	if (strncmp(path, ARRAY_NAME "[", strlen(ARRAY_NAME) + 1))
		return -1;
	n = strtol(p + 1, &end, 10);
	if (end == p + 1 || *end != ']' || strcmp(end + 1, suffix))
		return -1;
	return n;
}

static int want(struct ctx *c, const struct bt_toml_kv *kv,
		enum bt_toml_type t)
{
	if (kv->type == t)
		return 0;
	return cerr(c, kv->line, "%s must be %s, not %s", kv->key,
		    bt_toml_type_name(t), bt_toml_type_name(kv->type));
}

static int string_key(struct ctx *c, const struct bt_toml_kv *kv, char *out,
		      size_t outlen)
{
	if (want(c, kv, BT_TOML_STRING))
		return -1;
	if (kv->len >= outlen || strlen(kv->str) != kv->len)
		return cerr(c, kv->line, "invalid %s \"%s\" (at most %zu bytes, no NUL)",
			    kv->key, show(kv->str, kv->len).s, outlen - 1);
	memcpy(out, kv->str, kv->len + 1);
	return 0;
}

/* bmptap extensions (select.h): strings, or integers for the numbers. */
static unsigned int sel_key(const char *k)
{
	static const struct {
		const char *k;
		unsigned int bit;
	} keys[] = {
		{ "families", BT_SRV_FAMILIES }, { "peers", BT_SRV_PEERS },
		{ "replay-rate", BT_SRV_REPLAY_RATE }, { "source", BT_SRV_SOURCE },
		{ "dscp", BT_SRV_DSCP },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i].k))
			return keys[i].bit;
	return 0;
}

static int sel_value(struct ctx *c, struct bt_server_cfg *s, const struct bt_toml_kv *kv,
		     unsigned int bit)
{
	char num[24], msg[384];
	const char *v = num;

	if (bit == BT_SRV_REPLAY_RATE || bit == BT_SRV_DSCP) {
		if (want(c, kv, BT_TOML_INT))
			return -1;
		snprintf(num, sizeof(num), "%" PRId64, kv->i);
	} else {
		if (want(c, kv, BT_TOML_STRING))
			return -1;
		if (strlen(kv->str) != kv->len)
			return cerr(c, kv->line, "invalid %s \"%s\" (no NUL)", kv->key,
				    show(kv->str, kv->len).s);
		v = kv->str;
	}
	if (bt_sel_parse(bit, kv->key, v, s, msg, sizeof(msg)))
		return cerr(c, kv->line, "%s", msg);
	return 0;
}

/* The TLS settings that are strings: NULL if k is not one. */
static const struct bt_tls_key *tls_string(const char *k)
{
	for (size_t i = 0; i < BT_TLS_KEYS; i++)
		if (!strcmp(k, bt_tls_keys[i].name))
			return &bt_tls_keys[i];
	return NULL;
}

static int server_key(struct ctx *c, struct bt_server_cfg *s,
		      const struct bt_toml_kv *kv, long idx)
{
	const char *k = kv->key;
	const struct bt_tls_key *tk;

	if (!strcmp(k, "address")) {
		if (want(c, kv, BT_TOML_STRING))
			return -1;
		if (strlen(kv->str) != kv->len ||
		    !bt_cli_norm_address(kv->str, s->address, sizeof(s->address)))
			return cerr(c, kv->line,
				    "invalid address \"%s\" (IPv4, IPv6 or host name)",
				    show(kv->str, kv->len).s);
	} else if (!strcmp(k, "port")) {
		if (want(c, kv, BT_TOML_INT))
			return -1;
		if (kv->i < 1 || kv->i > 65535)
			return cerr(c, kv->line, "invalid port %" PRId64 " (1..65535)",
				    kv->i);
		s->port = (uint16_t)kv->i;
	} else if (!strcmp(k, "route-monitoring-policy")) {
		bool both;

		if (want(c, kv, BT_TOML_STRING))
			return -1;
		if (strlen(kv->str) != kv->len ||
		    !bt_cli_policy_parse(kv->str, &s->policy, &both))
			return cerr(c, kv->line,
				    "invalid route-monitoring-policy \"%s\" (" POLICY_CHOICES ")",
				    show(kv->str, kv->len).s);
		if (both)
			note(c, kv->line, "warning: route-monitoring-policy \"both\" is deprecated, it means pre-policy,post-policy");
	} else if (!strcmp(k, "statistics-timeout")) {
		if (want(c, kv, BT_TOML_INT))
			return -1;
		/* RFC 7854 stats reports: off, or no more often than 15 s. */
		if (kv->i < 0 || kv->i > 65535 || (kv->i > 0 && kv->i < 15))
			return cerr(c, kv->line,
				    "invalid statistics-timeout %" PRId64 " (0 or 15..65535)",
				    kv->i);
		s->stats_timeout = (uint32_t)kv->i;
	} else if (!strcmp(k, "route-mirroring-enabled")) {
		if (want(c, kv, BT_TOML_BOOL))
			return -1;
		s->mirroring = kv->b;
	} else if (!strcmp(k, "sys-name")) {
		if (string_key(c, kv, s->sys_name, sizeof(s->sys_name)))
			return -1;
		s->have |= BT_SRV_SYS_NAME;
	} else if (!strcmp(k, "sys-descr")) {
		if (string_key(c, kv, s->sys_descr, sizeof(s->sys_descr)))
			return -1;
		s->have |= BT_SRV_SYS_DESCR;
	} else if (!strcmp(k, "passive")) {
		/* bmptap extensions: GoBGP has no passive BMP servers. */
		if (want(c, kv, BT_TOML_BOOL))
			return -1;
		s->passive = kv->b;
	} else if (!strcmp(k, "allow")) {
		if (string_key(c, kv, s->allow, sizeof(s->allow)))
			return -1;
		if (!bt_cli_valid_allow(s->allow))
			return cerr(c, kv->line, "invalid allow \"%s\" (PREFIX[,PREFIX..])",
				    show(kv->str, kv->len).s);
		s->have |= BT_SRV_ALLOW;
	} else if (sel_key(k)) {
		return sel_value(c, s, kv, sel_key(k));
	} else if (!strcmp(k, "tls")) {
		if (want(c, kv, BT_TOML_BOOL))
			return -1;
		s->tls = kv->b;
		s->have |= BT_SRV_TLS;
	} else if ((tk = tls_string(k))) {
		/* Checked with the whole server (tls.h), after the last key. */
		if (string_key(c, kv, BT_TLS_STR(s, tk), BMPTAP_SERVER_STRING_MAX + 1))
			return -1;
		s->have |= tk->bit;
	} else {
		note(c, kv->line, "note: ignoring key %s[%ld].config.%s", ARRAY_NAME,
		     idx, k);
	}
	return 0;
}

static bool same_key(const struct bt_server_cfg *a, const struct bt_server_cfg *b)
{
	return a->port == b->port && !strcmp(a->address, b->address);
}

static int convert(struct ctx *c, const struct bt_toml *doc,
		   struct bt_server_list *out)
{
	unsigned int lines[BMPTAP_MAX_SERVERS], addr_line[BMPTAP_MAX_SERVERS];
	size_t n = 0, i, j;

	for (i = 0; i < doc->ntables; i++) {
		const struct bt_toml_table *t = &doc->tables[i];

		if (!strcmp(t->name, ARRAY_NAME)) {
			if (!t->array)
				return cerr(c, t->line, "[" ARRAY_NAME "] must be an array of tables: write [[" ARRAY_NAME "]]");
			if (n == BMPTAP_MAX_SERVERS)
				return cerr(c, t->line, "more than %d [[" ARRAY_NAME "]] (the module's limit)",
					    BMPTAP_MAX_SERVERS);
			lines[n++] = t->line;
		} else if (!strcmp(t->name, CONFIG_NAME)) {
			if (t->array)
				return cerr(c, t->line, "[[" CONFIG_NAME "]] must be a table: write [" CONFIG_NAME "]");
			if (element(t->path, ".config") < 0)
				return cerr(c, t->line, "[" CONFIG_NAME "] without a [[" ARRAY_NAME "]] before it");
		} else {
			note(c, t->line, "note: ignoring %s%s%s", t->array ? "[[" : "[",
			     t->name, t->array ? "]]" : "]");
		}
	}
	if (n) {
		out->v = calloc(n, sizeof(*out->v));
		if (!out->v)
			return cerr(c, 0, "out of memory");
		out->n = out->cap = n;
	}
	for (i = 0; i < n; i++) {
		struct bt_server_cfg *s = &out->v[i];

		/* What `server add` stores when given nothing. */
		s->port = BT_BMP_PORT;
		s->policy = BMPTAP_POLICY_PRE;
		s->have = BT_SRV_PORT | BT_SRV_POLICY | BT_SRV_STATS_TIMEOUT |
			  BT_SRV_MIRRORING | BT_SRV_PASSIVE;
		addr_line[i] = 0;
	}
	for (i = 0; i < doc->nkvs; i++) {
		const struct bt_toml_kv *kv = &doc->kvs[i];
		const char *hdr = kv->table >= 0 ? doc->tables[kv->table].name : NULL;
		long idx;

		if ((idx = element(kv->path, ".config")) >= 0 && (size_t)idx < n) {
			if (server_key(c, &out->v[idx], kv, idx))
				return -1;
			if (!strcmp(kv->key, "address"))
				addr_line[idx] = kv->line;
			continue;
		}
		if ((idx = element(kv->path, "")) >= 0 && !strcmp(kv->key, "config"))
			return cerr(c, kv->line, "%s[%ld].config must be a [" CONFIG_NAME "] table, not %s",
				    ARRAY_NAME, idx, bt_toml_type_name(kv->type));
		/* Keys under a noted header need no note of their own. */
		if (!hdr || !strcmp(hdr, ARRAY_NAME) || !strcmp(hdr, CONFIG_NAME))
			note(c, kv->line, "note: ignoring key %s%s%s", kv->path,
			     kv->path[0] ? "." : "", kv->key);
	}
	for (i = 0; i < n; i++) {
		char msg[BT_CONFIG_ERRLEN];

		if (!addr_line[i])
			return cerr(c, lines[i], "[[" ARRAY_NAME "]] without an address (set it in [" CONFIG_NAME "])");
		if (bt_sel_check(&out->v[i], msg, sizeof(msg)))
			return cerr(c, addr_line[i], "%s", msg);
		if (bt_tls_cfg_check(&out->v[i], msg, sizeof(msg)))
			return cerr(c, lines[i], "server %s: %s", out->v[i].address, msg);
		for (j = 0; j < i; j++)
			if (same_key(&out->v[i], &out->v[j]))
				return cerr(c, addr_line[i], "server %s port %u is already defined at line %u",
					    out->v[i].address, out->v[i].port, addr_line[j]);
	}
	return 0;
}

int bt_config_parse(const char *text, size_t len, const char *fname,
		    struct bt_server_list *out, FILE *notes,
		    char *err, size_t errlen)
{
	struct ctx c = { fname, notes, err, errlen };
	struct bt_toml doc;
	int rc;

	memset(out, 0, sizeof(*out));
	if (bt_toml_parse(&doc, text, len, fname, err, errlen))
		return -1;
	rc = convert(&c, &doc, out);
	bt_toml_free(&doc);
	if (rc)
		bt_server_list_free(out);
	return rc;
}

int bt_config_load_file(const char *path, struct bt_server_list *out,
			FILE *notes, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 65536, n = 0;
	char *buf;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		if (cap >= BT_CONFIG_MAX_BYTES) {
			snprintf(err, errlen, "%s: larger than %u bytes", path,
				 BT_CONFIG_MAX_BYTES);
			free(buf);
			if (f != stdin)
				fclose(f);
			return -1;
		}
		cap *= 2;
		{
			char *b = realloc(buf, cap);

			if (!b)
				free(buf);
			buf = b;
		}
	}
	if (!buf || ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, buf ? "read error" : "out of memory");
		free(buf);
		if (f != stdin)
			fclose(f);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	rc = bt_config_parse(buf, n, path, out, notes, err, errlen);
	free(buf);
	return rc;
}

static const char *policy_name(uint32_t policy, char *buf, size_t buflen)
{
	switch (policy) {
	case BMPTAP_POLICY_PRE: return "pre-policy";
	case BMPTAP_POLICY_POST: return "post-policy";
	case BMPTAP_POLICY_LOCAL_RIB: return "local-rib";
	case BMPTAP_POLICY_ALL: return "all";
	}
	/* Not one GoBGP value: the list `server add` takes, read back alike. */
	bt_cli_policy_str(policy, buf, buflen);
	return buf;
}

static void put_str(FILE *f, const char *key, const char *v)
{
	char q[BMPTAP_SERVER_STRING_MAX * 6 + 3];

	if (bt_toml_quote(v, strlen(v), q, sizeof(q)))
		fprintf(f, "    %s = %s\n", key, q);
}

void bt_config_write(FILE *f, const struct bt_server_cfg *v, size_t n)
{
	char pol[128];
	size_t i;

	fprintf(f, "# BMP servers stored in the bmptap module (bmptapctl config show).\n"
		   "# GoBGP TOML: `bmptapctl config load FILE` applies it back.\n");
	for (i = 0; i < n; i++) {
		const struct bt_server_cfg *s = &v[i];

		fprintf(f, "\n[[bmp-servers]]\n  [bmp-servers.config]\n");
		put_str(f, "address", s->address);
		fprintf(f, "    port = %u\n", s->have & BT_SRV_PORT ? s->port : BT_BMP_PORT);
		if (s->policy)
			fprintf(f, "    route-monitoring-policy = \"%s\"\n",
				policy_name(s->policy, pol, sizeof(pol)));
		else
			fprintf(f, "    # route-monitoring-policy: none\n");
		fprintf(f, "    statistics-timeout = %" PRIu32 "\n", s->stats_timeout);
		fprintf(f, "    route-mirroring-enabled = %s\n", s->mirroring ? "true" : "false");
		if (s->have & BT_SRV_SYS_NAME)
			put_str(f, "sys-name", s->sys_name);
		if (s->have & BT_SRV_SYS_DESCR)
			put_str(f, "sys-descr", s->sys_descr);
		/* bmptap extensions, written only when used: GoBGP lacks them. */
		if (s->passive)
			fprintf(f, "    passive = true    # bmptap extension\n");
		if (s->have & BT_SRV_ALLOW)
			put_str(f, "allow", s->allow);
		if (s->have & BT_SRV_FAMILIES) {
			bt_sel_families_str(s->families, pol, sizeof(pol));
			put_str(f, "families", pol);
		}
		if (s->have & BT_SRV_PEERS)
			put_str(f, "peers", s->peers);
		if (s->have & BT_SRV_REPLAY_RATE)
			fprintf(f, "    replay-rate = %" PRIu32 "\n", s->replay_rate);
		if (s->have & BT_SRV_SOURCE)
			put_str(f, "source", s->source);
		if (s->have & BT_SRV_DSCP)
			fprintf(f, "    dscp = %u\n", s->dscp);
		if (s->have & BT_SRV_TLS)
			fprintf(f, "    tls = %s\n", s->tls ? "true" : "false");
		for (size_t k = 0; k < BT_TLS_KEYS; k++)
			if (s->have & bt_tls_keys[k].bit)
				put_str(f, bt_tls_keys[k].name, BT_TLS_STR(s, &bt_tls_keys[k]));
	}
}

bool bt_config_server_equal(const struct bt_server_cfg *a,
			    const struct bt_server_cfg *b)
{
	char na[BMPTAP_SERVER_ADDRESS_MAX + 1], nb[BMPTAP_SERVER_ADDRESS_MAX + 1];
	unsigned int ha = a->have | BT_SRV_PORT, hb = b->have | BT_SRV_PORT;

	if (!bt_cli_norm_address(a->address, na, sizeof(na)))
		snprintf(na, sizeof(na), "%s", a->address);
	if (!bt_cli_norm_address(b->address, nb, sizeof(nb)))
		snprintf(nb, sizeof(nb), "%s", b->address);
	if (strcmp(na, nb) || ha != hb ||
	    (a->have & BT_SRV_PORT ? a->port : BT_BMP_PORT) !=
	    (b->have & BT_SRV_PORT ? b->port : BT_BMP_PORT))
		return false;
	if ((ha & BT_SRV_POLICY && a->policy != b->policy) ||
	    (ha & BT_SRV_STATS_TIMEOUT && a->stats_timeout != b->stats_timeout) ||
	    (ha & BT_SRV_MIRRORING && a->mirroring != b->mirroring) ||
	    (ha & BT_SRV_PASSIVE && a->passive != b->passive) ||
	    (ha & BT_SRV_SYS_NAME && strcmp(a->sys_name, b->sys_name)) ||
	    (ha & BT_SRV_SYS_DESCR && strcmp(a->sys_descr, b->sys_descr)) ||
	    (ha & BT_SRV_ALLOW && strcmp(a->allow, b->allow)) || !bt_sel_cfg_equal(a, b) ||
	    (ha & BT_SRV_TLS && a->tls != b->tls))
		return false;
	for (size_t k = 0; k < BT_TLS_KEYS; k++)
		if (ha & bt_tls_keys[k].bit &&
		    strcmp(BT_TLS_STR(a, &bt_tls_keys[k]), BT_TLS_STR(b, &bt_tls_keys[k])))
			return false;
	return true;
}
