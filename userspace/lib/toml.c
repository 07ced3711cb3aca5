// SPDX-License-Identifier: GPL-2.0
/*
 * Strict TOML subset reader (see toml.h): the document, built in one pass
 * over the text from the tokens of toml_lex.c.  [headers] and key/value
 * lines, each checked against the names defined before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "toml_lex.h"

/* ---- names --------------------------------------------------------------- */

enum name_kind {
	N_TABLE,	/* defined by a [header] */
	N_IMPLICIT,	/* created as the parent of a header */
	N_DOTTED,	/* created by a dotted key */
	N_ARRAY,	/* [[header]] */
	N_VALUE,	/* key = value */
};

struct name {
	char *path;
	enum name_kind kind;
	size_t count;		/* N_ARRAY: elements so far */
};

/*
 * Every name defined so far, to refuse redefinitions: found by hash (open
 * addressing, linear probing), as a config with many servers has a name per
 * key.  slot holds index + 1 into v, 0 when free; names are never removed.
 */
struct toml_names {
	struct name *v;
	size_t n, cap;
	uint32_t *slot;
	size_t n_slots;		/* a power of two, at least twice n */
};

static size_t name_slot(const struct toml_names *t, const char *path)
{
	size_t mask = t->n_slots - 1;
	size_t i = fnv1a(FNV1A_BASIS, path, strlen(path)) & mask;

	while (t->slot[i] && strcmp(t->v[t->slot[i] - 1].path, path))
		i = (i + 1) & mask;
	return i;
}

static struct name *name_find(const struct toml_names *t, const char *path)
{
	uint32_t s;

	if (!t->n_slots)
		return NULL;
	s = t->slot[name_slot(t, path)];
	return s ? &t->v[s - 1] : NULL;
}

static bool slots_grow(struct toml_names *t)
{
	struct toml_names g = *t;

	g.n_slots = t->n_slots ? 2 * t->n_slots : 64;
	g.slot = calloc(g.n_slots, sizeof(*g.slot));
	if (!g.slot)
		return false;
	for (size_t i = 0; i < t->n; i++)
		g.slot[name_slot(&g, t->v[i].path)] = (uint32_t)i + 1;
	free(t->slot);
	*t = g;
	return true;
}

static struct name *name_add(struct parser *p, const char *path, enum name_kind kind)
{
	struct toml_names *t = p->names;
	struct name *n;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;

		n = realloc(t->v, cap * sizeof(*n));
		if (!n) {
			tl_oom(p);
			return NULL;
		}
		t->v = n;
		t->cap = cap;
	}
	if ((t->n + 1) * 2 > t->n_slots && !slots_grow(t)) {
		tl_oom(p);
		return NULL;
	}
	n = &t->v[t->n];
	n->path = strdup(path);
	if (!n->path) {
		tl_oom(p);
		return NULL;
	}
	n->kind = kind;
	n->count = 0;
	t->slot[name_slot(t, path)] = (uint32_t)++t->n;
	return n;
}

static void names_free(struct toml_names *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	free(t->slot);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	if (la) {
		memcpy(s, a, la);
		s[la] = '.';
		memcpy(s + la + 1, b, lb + 1);
	} else {
		memcpy(s, b, lb + 1);
	}
	return s;
}

static char *indexed(char *path, size_t idx)
{
	size_t l = strlen(path);
	char *s = realloc(path, l + 24);

	if (!s) {
		free(path);
		return NULL;
	}
	snprintf(s + l, 24, "[%zu]", idx);
	return s;
}

static const char *kind_what(enum name_kind k)
{
	switch (k) {
	case N_TABLE: return "a table";
	case N_IMPLICIT: return "a table";
	case N_DOTTED: return "a table (by dotted keys)";
	case N_ARRAY: return "an array of tables";
	case N_VALUE: return "a key with a value";
	}
	return "?";
}

/* ---- statements ---------------------------------------------------------- */

static int add_table(struct parser *p, const struct key *k, const char *path,
		     bool array)
{
	struct bt_toml *d = p->doc;
	struct bt_toml_table *t;
	struct sbuf name = { 0 };
	size_t i;

	if (d->ntables == d->cap_tables) {
		size_t cap = d->cap_tables ? 2 * d->cap_tables : 16;

		t = realloc(d->tables, cap * sizeof(*t));
		if (!t)
			return tl_oom(p);
		d->tables = t;
		d->cap_tables = cap;
	}
	for (i = 0; i < k->n; i++) {
		if (i)
			tl_sb_addc(&name, '.');
		tl_sb_add(&name, k->part[i], strlen(k->part[i]));
	}
	t = &d->tables[d->ntables];
	t->name = name.v;
	t->path = strdup(path);
	if (name.oom || !t->path) {
		free(t->name);
		free(t->path);
		return tl_oom(p);
	}
	t->array = array;
	t->line = p->line;
	p->table = (int)d->ntables++;
	p->path = t->path;
	return 0;
}

static int header(struct parser *p)
{
	bool array = tl_peek_at(p, 1) == '[';
	struct key k;
	char *path = NULL, *sub;
	size_t i;
	int err = -1;

	p->pos += array ? 2 : 1;
	if (tl_parse_key(p, &k))
		return -1;
	if (tl_peek(p) != ']' || (array && tl_peek_at(p, 1) != ']')) {
		tl_perr(p, "expected \"%s\" to close the table header", array ? "]]" : "]");
		goto out;
	}
	p->pos += array ? 2 : 1;
	path = strdup("");
	if (!path) {
		tl_oom(p);
		goto out;
	}
	for (i = 0; i < k.n; i++) {
		bool last = i + 1 == k.n;
		struct name *n;

		sub = join(path, k.part[i]);
		free(path);
		path = sub;
		if (!path) {
			tl_oom(p);
			goto out;
		}
		n = name_find(p->names, path);
		if (!last) {
			if (!n && !name_add(p, path, N_IMPLICIT))
				goto out;
			if (n && n->kind == N_VALUE) {
				tl_perr(p, "%s is already a key with a value", path);
				goto out;
			}
			if (n && n->kind == N_ARRAY && !(path = indexed(path, n->count - 1))) {
				tl_oom(p);
				goto out;
			}
			continue;
		}
		if (array) {
			if (!n && !(n = name_add(p, path, N_ARRAY)))
				goto out;
			if (n->kind != N_ARRAY) {
				tl_perr(p, "cannot define [[%s]]: it is already %s", path,
				        kind_what(n->kind));
				goto out;
			}
			if (!(path = indexed(path, n->count++))) {
				tl_oom(p);
				goto out;
			}
			/* The element itself is a table, named with its index. */
			if (!name_add(p, path, N_TABLE))
				goto out;
		} else if (!n) {
			if (!name_add(p, path, N_TABLE))
				goto out;
		} else if (n->kind == N_IMPLICIT) {
			n->kind = N_TABLE;
		} else {
			tl_perr(p, "cannot define [%s]: it is already %s%s", path,
			        kind_what(n->kind), n->kind == N_TABLE ? " (defined twice)" : "");
			goto out;
		}
	}
	err = add_table(p, &k, path, array);
	if (!err)
		err = tl_end_of_line(p, "a table header");
out:
	free(path);
	tl_key_free(&k);
	return err;
}

static int keyval(struct parser *p)
{
	struct bt_toml *d = p->doc;
	struct bt_toml_kv kv;
	struct name *n;
	struct key k;
	char *path, *full = NULL, *sub;
	unsigned int line = p->line;
	size_t i;
	int err = -1;

	if (tl_parse_key(p, &k))
		return -1;
	path = strdup(p->path);
	if (!path) {
		tl_key_free(&k);
		return tl_oom(p);
	}
	for (i = 0; i + 1 < k.n; i++) {
		sub = join(path, k.part[i]);
		free(path);
		path = sub;
		if (!path) {
			tl_oom(p);
			goto out;
		}
		n = name_find(p->names, path);
		if (!n && !name_add(p, path, N_DOTTED))
			goto out;
		if (n && n->kind != N_DOTTED && n->kind != N_IMPLICIT) {
			tl_perr(p, "cannot add keys to %s with a dotted key: it is %s",
			        path, kind_what(n->kind));
			goto out;
		}
	}
	full = join(path, k.part[k.n - 1]);
	if (!full) {
		tl_oom(p);
		goto out;
	}
	if ((n = name_find(p->names, full))) {
		tl_perr(p, "duplicate key %s (already %s)", full, kind_what(n->kind));
		goto out;
	}
	if (!name_add(p, full, N_VALUE))
		goto out;
	if (tl_peek(p) != '=') {
		tl_perr(p, "expected \"=\" after the key %s", full);
		goto out;
	}
	p->pos++;
	tl_skip_ws(p);
	if (tl_parse_value(p, &kv, 0))
		goto out_kv;
	if (d->nkvs == d->cap_kvs) {
		size_t cap = d->cap_kvs ? 2 * d->cap_kvs : 32;
		struct bt_toml_kv *v = realloc(d->kvs, cap * sizeof(*v));

		if (!v) {
			tl_oom(p);
			goto out_kv;
		}
		d->kvs = v;
		d->cap_kvs = cap;
	}
	kv.table = p->table;
	kv.line = line;
	kv.path = path;
	kv.key = k.part[k.n - 1];
	d->kvs[d->nkvs++] = kv;
	/* Now owned by the document. */
	path = NULL;
	k.n--;
	err = tl_end_of_line(p, "a value");
	goto out;
out_kv:
	free(kv.str);
out:
	free(full);
	free(path);
	tl_key_free(&k);
	return err;
}

void bt_toml_free(struct bt_toml *doc)
{
	size_t i;

	for (i = 0; i < doc->ntables; i++) {
		free(doc->tables[i].name);
		free(doc->tables[i].path);
	}
	for (i = 0; i < doc->nkvs; i++) {
		free(doc->kvs[i].path);
		free(doc->kvs[i].key);
		free(doc->kvs[i].str);
	}
	free(doc->tables);
	free(doc->kvs);
	memset(doc, 0, sizeof(*doc));
}

int bt_toml_parse(struct bt_toml *doc, const char *text, size_t len,
		  const char *fname, char *err, size_t errlen)
{
	struct toml_names names = { 0 };
	struct parser p = {
		.s = text, .len = len, .line = 1, .fname = fname,
		.err = err, .errlen = errlen, .doc = doc, .table = -1, .path = "",
		.names = &names,
	};

	memset(doc, 0, sizeof(*doc));
	if (errlen)
		err[0] = '\0';
	if (tl_check_text(&p))
		goto fail;
	/* A UTF-8 byte order mark is allowed at the start. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = 3;
	while (p.pos < p.len) {
		tl_skip_ws(&p);
		if (p.pos >= p.len)
			break;
		if (tl_at_newline(&p)) {
			tl_eat_newline(&p);
		} else if (tl_peek(&p) == '\r') {
			tl_perr(&p, "bare carriage return");
			goto fail;
		} else if (tl_peek(&p) == '#') {
			if (tl_skip_comment(&p))
				goto fail;
		} else if (tl_peek(&p) == '[') {
			if (header(&p))
				goto fail;
		} else if (keyval(&p)) {
			goto fail;
		}
	}
	names_free(&names);
	return 0;
fail:
	names_free(&names);
	bt_toml_free(doc);
	return -1;
}

const char *bt_toml_type_name(enum bt_toml_type t)
{
	switch (t) {
	case BT_TOML_STRING: return "a string";
	case BT_TOML_INT: return "an integer";
	case BT_TOML_BOOL: return "a boolean";
	case BT_TOML_FLOAT: return "a float";
	case BT_TOML_DATETIME: return "a date-time";
	case BT_TOML_ARRAY: return "an array";
	case BT_TOML_INLINE_TABLE: return "an inline table";
	}
	return "?";
}

