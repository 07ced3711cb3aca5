// fuzz-sources: userspace/lib/toml.c userspace/bmptapctl/config.c userspace/bmptapctl/cli.c userspace/lib/nl.c userspace/bmptapd/tls.c (links -lmnl -lssl -lcrypto)
// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for `bmptapctl config load`: the TOML reader and the
 * GoBGP [[bmp-servers]] conversion.
 *
 * Invariants: no crash or sanitizer report; a refusal leaves an empty
 * document and one error line naming the file and a line within the
 * input; every accepted key's line lies within the input; accepted
 * servers written back by bt_config_write() are read back equal (the
 * `config show > f; config load f` round trip).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "toml.h"

static unsigned int lines_of(const uint8_t *d, size_t n)
{
	unsigned int l = 1;

	for (size_t i = 0; i < n; i++)
		l += d[i] == '\n';
	return l;
}

static void check_err(const char *err, unsigned int maxline)
{
	unsigned int line;

	if (sscanf(err, "in:%u:", &line) != 1 || line < 1 || line > maxline ||
	    strchr(err, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int maxline = lines_of(data, size);
	struct bt_toml doc;
	struct bt_server_list l, l2;
	char err[BT_CONFIG_ERRLEN];
	char *out = NULL;
	size_t outlen = 0, i;
	FILE *f, *notes = fopen("/dev/null", "w");

	if (!bt_toml_parse(&doc, (const char *)data, size, "in", err, sizeof(err))) {
		for (i = 0; i < doc.nkvs; i++) {
			const struct bt_toml_kv *kv = &doc.kvs[i];

			if (kv->line < 1 || kv->line > maxline || !kv->key || !kv->path ||
			    (kv->table >= 0 && (size_t)kv->table >= doc.ntables) ||
			    (kv->type == BT_TOML_STRING && !kv->str))
				abort();
		}
		bt_toml_free(&doc);
	} else {
		check_err(err, maxline);
		if (doc.nkvs || doc.kvs || doc.ntables)
			abort();
	}

	if (bt_config_parse((const char *)data, size, "in", &l, notes, err, sizeof(err))) {
		check_err(err, maxline);
		if (l.v || l.n)
			abort();
		goto out;
	}
	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	bt_config_write(f, l.v, l.n);
	fclose(f);
	if (bt_config_parse(out, outlen, "show", &l2, NULL, err, sizeof(err)) ||
	    l2.n != l.n)
		abort();
	for (i = 0; i < l.n; i++)
		if (!bt_config_server_equal(&l.v[i], &l2.v[i]) || l.v[i].have != l2.v[i].have)
			abort();
	bt_server_list_free(&l2);
	free(out);
	bt_server_list_free(&l);
out:
	if (notes)
		fclose(notes);
	return 0;
}
