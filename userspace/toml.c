// SPDX-License-Identifier: GPL-2.0
/*
 * Strict TOML subset reader (see toml.h).  One pass over the text; values
 * nested in inline arrays and tables are parsed with a depth limit so that
 * no input can exhaust the stack.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

#define MAX_KEY_PARTS	32

enum name_kind {
	N_TABLE,	/* defined by a [header] */
	N_IMPLICIT,	/* created as the parent of a header */
	N_DOTTED,	/* created by a dotted key */
	N_ARRAY,	/* [[header]] */
	N_VALUE,	/* key = value */
};

struct bt_toml_name {
	char *path;
	enum name_kind kind;
	size_t count;		/* N_ARRAY: elements so far */
};

struct parser {
	const char *s;
	size_t len, pos;
	unsigned int line;
	const char *fname;
	char *err;
	size_t errlen;
	struct bt_toml *doc;
	int table;		/* current header, -1 for the root */
	const char *path;	/* its instance path */
	bool failed;
};

/* A growing byte buffer; on allocation failure it records ENOMEM. */
struct sbuf {
	char *v;
	size_t n, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *d, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		char *v;

		while (cap < b->n + n + 1)
			cap *= 2;
		v = realloc(b->v, cap);
		if (!v) {
			b->oom = true;
			return;
		}
		b->v = v;
		b->cap = cap;
	}
	memcpy(b->v + b->n, d, n);
	b->n += n;
	b->v[b->n] = '\0';
}

static void sb_addc(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	/* The first error is the one the user needs; later ones are fallout. */
	if (p->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->fname, p->line, msg);
	p->failed = true;
	return -1;
}

static int oom(struct parser *p)
{
	return perr(p, "out of memory");
}

/* Text from the input for a message: printable, short. */
static void shown(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < outlen; i++)
		out[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (i < n && o >= 3)
		memcpy(out + o - 3, "...", 3);
	out[o] = '\0';
}

/* What follows on the current line, for "found ..." in messages. */
static void shown_rest(const struct parser *p, char *out, size_t outlen)
{
	size_t n = 0;

	while (n < 16 && p->pos + n < p->len && p->s[p->pos + n] != '\n')
		n++;
	shown(p->s + p->pos, n, out, outlen);
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int peek_at(const struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

static void skip_ws(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		p->pos++;
}

static bool at_newline(const struct parser *p)
{
	return peek(p) == '\n' || (peek(p) == '\r' && peek_at(p, 1) == '\n');
}

static void eat_newline(struct parser *p)
{
	if (peek(p) == '\r')
		p->pos++;
	p->pos++;
	p->line++;
}

/* From '#' to the end of the line; control characters other than tab are refused. */
static int skip_comment(struct parser *p)
{
	for (p->pos++; p->pos < p->len && !at_newline(p); p->pos++) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(p, "control character 0x%02x in a comment", c);
	}
	return 0;
}

/* After a statement: blanks, maybe a comment, then a newline or the end. */
static int end_of_line(struct parser *p, const char *after)
{
	skip_ws(p);
	if (peek(p) == '#' && skip_comment(p))
		return -1;
	if (p->pos >= p->len)
		return 0;
	if (!at_newline(p)) {
		char t[24];

		shown_rest(p, t, sizeof(t));
		return perr(p, "expected the end of the line after %s, found \"%s\"",
			    after, t);
	}
	eat_newline(p);
	return 0;
}

/* ---- UTF-8 --------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

static int check_text(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t i = 0, k;

	while (i < p->len) {
		if (!s[i])
			return perr(p, "NUL byte in the file");
		k = utf8_len(s + i, p->len - i);
		if (!k)
			return perr(p, "invalid UTF-8");
		if (s[i] == '\n')
			p->line++;
		i += k;
	}
	p->line = 1;
	return 0;
}

static void put_utf8(struct sbuf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		sb_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		sb_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		sb_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		sb_add(b, u, 4);
	}
}

/* ---- strings ------------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* At the opening quote of a single-line basic or literal string. */
static int parse_string(struct parser *p, struct sbuf *out)
{
	int q = peek(p);

	if (peek_at(p, 1) == q && peek_at(p, 2) == q)
		return perr(p, "multi-line strings are not supported");
	p->pos++;
	for (;;) {
		int c = peek(p);

		if (c < 0 || at_newline(p) || c == '\n')
			return perr(p, "unterminated string");
		if (c == q) {
			p->pos++;
			break;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(p, "control character 0x%02x in a string (use an escape)", c);
		if (c != '\\' || q == '\'') {
			sb_addc(out, (char)c);
			p->pos++;
			continue;
		}
		c = peek_at(p, 1);
		p->pos += 2;
		switch (c) {
		case 'b': sb_addc(out, '\b'); break;
		case 't': sb_addc(out, '\t'); break;
		case 'n': sb_addc(out, '\n'); break;
		case 'f': sb_addc(out, '\f'); break;
		case 'r': sb_addc(out, '\r'); break;
		case '"': sb_addc(out, '"'); break;
		case '\\': sb_addc(out, '\\'); break;
		case 'u':
		case 'U': {
			int n = c == 'u' ? 4 : 8, i, h;
			uint32_t cp = 0;

			for (i = 0; i < n; i++) {
				h = hexval(peek(p));
				if (h < 0)
					return perr(p, "invalid \\%c escape (%d hex digits expected)",
						    c, n);
				cp = cp << 4 | (uint32_t)h;
				p->pos++;
			}
			if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
				return perr(p, "escape \\%c%0*X is not a Unicode scalar value",
					    c, n, cp);
			put_utf8(out, cp);
			break;
		}
		default:
			if (c < 0x20 || c >= 0x7f)
				return perr(p, "invalid escape in a string");
			return perr(p, "invalid escape \"\\%c\" in a string", c);
		}
	}
	return out->oom ? oom(p) : 0;
}

/* ---- keys ---------------------------------------------------------------- */

static bool bare_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool bt_toml_quote(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

#define PUT(str) do { size_t l_ = strlen(str); \
		if (o + l_ >= outlen) return false; \
		memcpy(out + o, str, l_); o += l_; } while (0)
	if (!outlen)
		return false;
	PUT("\"");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[8];

		if (c == '"')
			PUT("\\\"");
		else if (c == '\\')
			PUT("\\\\");
		else if (c == '\n')
			PUT("\\n");
		else if (c == '\t')
			PUT("\\t");
		else if (c < 0x20 || c == 0x7f) {
			snprintf(e, sizeof(e), "\\u%04X", c);
			PUT(e);
		} else {
			e[0] = (char)c;
			e[1] = '\0';
			PUT(e);
		}
	}
	PUT("\"");
#undef PUT
	out[o] = '\0';
	return true;
}

/* A key component as it appears in paths: bare when it can be. */
static char *display_part(const char *s, size_t n)
{
	size_t i, cap;
	char *out;

	for (i = 0; i < n && bare_char((unsigned char)s[i]); i++)
		;
	if (n && i == n)
		return strndup(s, n);
	cap = n * 6 + 3;
	out = malloc(cap);
	if (out && !bt_toml_quote(s, n, out, cap)) {
		free(out);
		out = NULL;
	}
	return out;
}

struct key {
	char *part[MAX_KEY_PARTS];
	size_t n;
};

static void key_free(struct key *k)
{
	while (k->n)
		free(k->part[--k->n]);
}

static int parse_key_parts(struct parser *p, struct key *k);

/* On failure k is left empty: the parts read so far are freed. */
static int parse_key(struct parser *p, struct key *k)
{
	k->n = 0;
	if (!parse_key_parts(p, k))
		return 0;
	key_free(k);
	return -1;
}

static int parse_key_parts(struct parser *p, struct key *k)
{
	k->n = 0;
	for (;;) {
		struct sbuf b = { 0 };
		size_t start = p->pos;
		char *d;
		int c;

		skip_ws(p);
		c = peek(p);
		if (c == '"' || c == '\'') {
			if (parse_string(p, &b)) {
				free(b.v);
				return -1;
			}
			for (size_t i = 0; i < b.n; i++) {
				if ((unsigned char)b.v[i] < 0x20 || b.v[i] == 0x7f) {
					free(b.v);
					return perr(p, "control characters are not supported in keys");
				}
			}
			d = display_part(b.v ? b.v : "", b.n);
			free(b.v);
		} else {
			start = p->pos;
			while (bare_char(peek(p)))
				p->pos++;
			if (p->pos == start) {
				char t[24];

				if (p->pos >= p->len || at_newline(p))
					return perr(p, "key expected");
				shown_rest(p, t, sizeof(t));
				return perr(p, "invalid key at \"%s\"", t);
			}
			d = display_part(p->s + start, p->pos - start);
		}
		if (!d)
			return oom(p);
		if (k->n == MAX_KEY_PARTS) {
			free(d);
			return perr(p, "key with more than %d parts", MAX_KEY_PARTS);
		}
		k->part[k->n++] = d;
		skip_ws(p);
		if (peek(p) != '.')
			return 0;
		p->pos++;
	}
}

/* ---- names --------------------------------------------------------------- */

static struct bt_toml_name *name_find(struct bt_toml *d, const char *path)
{
	size_t i;

	for (i = 0; i < d->nnames; i++)
		if (!strcmp(d->names[i].path, path))
			return &d->names[i];
	return NULL;
}

static struct bt_toml_name *name_add(struct parser *p, const char *path,
				     enum name_kind kind)
{
	struct bt_toml *d = p->doc;
	struct bt_toml_name *n;

	if (d->nnames == d->cap_names) {
		size_t cap = d->cap_names ? 2 * d->cap_names : 32;

		n = realloc(d->names, cap * sizeof(*n));
		if (!n) {
			oom(p);
			return NULL;
		}
		d->names = n;
		d->cap_names = cap;
	}
	n = &d->names[d->nnames];
	n->path = strdup(path);
	if (!n->path) {
		oom(p);
		return NULL;
	}
	n->kind = kind;
	n->count = 0;
	d->nnames++;
	return n;
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

/* ---- values -------------------------------------------------------------- */

static bool digits_ok(const char *s, size_t n, int base)
{
	size_t i;

	if (!n || s[0] == '_' || s[n - 1] == '_')
		return false;
	for (i = 0; i < n; i++) {
		int v = hexval((unsigned char)s[i]);

		if (s[i] == '_') {
			if (s[i + 1] == '_')
				return false;
			continue;
		}
		if (v < 0 || v >= base)
			return false;
	}
	return true;
}

/* 0: not an integer; 1: integer in *out; -1: out of range. */
static int classify_int(const char *s, size_t n, int64_t *out)
{
	int base = 10, neg = 0;
	uint64_t v = 0, lim;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		i = 2;
	} else {
		if (s[0] == '+' || s[0] == '-')
			neg = s[0] == '-', i = 1;
		/* No leading zeros in decimal. */
		if (n - i > 1 && s[i] == '0')
			return 0;
	}
	if (!digits_ok(s + i, n - i, base))
		return 0;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		int d;

		if (s[i] == '_')
			continue;
		d = hexval((unsigned char)s[i]);
		if (v > (lim - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 1;
}

static bool is_float(const char *s, size_t n)
{
	size_t i = 0, j;

	if (s[0] == '+' || s[0] == '-')
		i = 1;
	if (n - i == 3 && (!memcmp(s + i, "inf", 3) || !memcmp(s + i, "nan", 3)))
		return true;
	for (j = i; j < n && s[j] != '.' && s[j] != 'e' && s[j] != 'E'; j++)
		;
	if (j == n || !digits_ok(s + i, j - i, 10) || (j - i > 1 && s[i] == '0'))
		return false;
	if (s[j] == '.') {
		i = ++j;
		for (; j < n && s[j] != 'e' && s[j] != 'E'; j++)
			;
		if (!digits_ok(s + i, j - i, 10))
			return false;
	}
	if (j < n) {
		i = ++j;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!digits_ok(s + i, n - i, 10))
			return false;
	}
	return true;
}

/* Loose: the shape of a date or a time, and only their characters. */
static bool is_datetime(const char *s, size_t n)
{
	size_t i;

	if (!(n >= 10 && s[4] == '-' && s[7] == '-') && !(n >= 8 && s[2] == ':'))
		return false;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789-:.+TtZz ", s[i]))
			return false;
	return true;
}

static bool token_char(int c)
{
	return bare_char(c) || c == '+' || c == '.' || c == ':';
}

static int parse_value(struct parser *p, struct bt_toml_kv *kv, int depth);

/* Blank space inside an inline array: newlines and comments allowed. */
static int array_space(struct parser *p)
{
	for (;;) {
		skip_ws(p);
		if (peek(p) == '#') {
			if (skip_comment(p))
				return -1;
		} else if (at_newline(p) || peek(p) == '\n') {
			if (peek(p) == '\r' && peek_at(p, 1) != '\n')
				return perr(p, "bare carriage return");
			eat_newline(p);
		} else {
			return 0;
		}
	}
}

static int parse_array(struct parser *p, int depth)
{
	p->pos++;
	for (;;) {
		if (array_space(p))
			return -1;
		if (peek(p) == ']') {
			p->pos++;
			return 0;
		}
		if (parse_value(p, NULL, depth + 1) || array_space(p))
			return -1;
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == ']') {
			p->pos++;
			return 0;
		}
		return perr(p, "expected \",\" or \"]\" in an array");
	}
}

/* Keys inside are checked for syntax only: their values are not kept. */
static int parse_inline_table(struct parser *p, int depth)
{
	p->pos++;
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct key k;

		if (parse_key(p, &k))
			return -1;
		key_free(&k);
		if (peek(p) != '=')
			return perr(p, "expected \"=\" after a key in an inline table");
		p->pos++;
		skip_ws(p);
		if (parse_value(p, NULL, depth + 1))
			return -1;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == '}') {
			p->pos++;
			return 0;
		}
		return perr(p, "expected \",\" or \"}\" in an inline table (one line)");
	}
}

/* kv NULL: inside an inline array or table, nothing is kept. */
static int parse_value(struct parser *p, struct bt_toml_kv *kv, int depth)
{
	struct bt_toml_kv dummy;
	size_t start = p->pos, n;
	const char *t;
	int c = peek(p), r;

	if (!kv)
		kv = &dummy;
	memset(kv, 0, sizeof(*kv));
	if (depth > BT_TOML_MAX_DEPTH)
		return perr(p, "values nested more than %d deep", BT_TOML_MAX_DEPTH);
	if (c == '"' || c == '\'') {
		struct sbuf b = { 0 };

		if (parse_string(p, &b)) {
			free(b.v);
			return -1;
		}
		if (kv == &dummy) {
			free(b.v);
			return 0;
		}
		kv->type = BT_TOML_STRING;
		kv->str = b.v ? b.v : strdup("");
		kv->len = b.n;
		return kv->str ? 0 : oom(p);
	}
	if (c == '[') {
		kv->type = BT_TOML_ARRAY;
		return parse_array(p, depth);
	}
	if (c == '{') {
		kv->type = BT_TOML_INLINE_TABLE;
		return parse_inline_table(p, depth);
	}
	while (token_char(peek(p)))
		p->pos++;
	/* "1979-05-27 07:32:00": a space may separate date and time. */
	if (p->pos - start == 10 && peek(p) == ' ' && peek_at(p, 1) >= '0' &&
	    peek_at(p, 1) <= '9' && p->s[start + 4] == '-') {
		p->pos++;
		while (token_char(peek(p)))
			p->pos++;
	}
	t = p->s + start;
	n = p->pos - start;
	if (!n) {
		if (c < 0 || at_newline(p) || c == '\n' || c == '#')
			return perr(p, "value expected");
	} else if (n == 4 && !memcmp(t, "true", 4)) {
		kv->type = BT_TOML_BOOL;
		kv->b = true;
		return 0;
	} else if (n == 5 && !memcmp(t, "false", 5)) {
		kv->type = BT_TOML_BOOL;
		return 0;
	} else if ((r = classify_int(t, n, &kv->i))) {
		char sh[40];

		shown(t, n, sh, sizeof(sh));
		if (r < 0)
			return perr(p, "integer %s out of range", sh);
		kv->type = BT_TOML_INT;
		return 0;
	} else if (is_float(t, n) || is_datetime(t, n)) {
		kv->type = is_float(t, n) ? BT_TOML_FLOAT : BT_TOML_DATETIME;
		if (kv == &dummy)
			return 0;
		kv->str = strndup(t, n);
		kv->len = n;
		return kv->str ? 0 : oom(p);
	}
	{
		char sh[40];

		while (p->pos < p->len && !at_newline(p) && peek(p) != ' ' &&
		       peek(p) != '\t' && peek(p) != ',' && p->pos - start < 32)
			p->pos++;
		shown(t, p->pos - start, sh, sizeof(sh));
		return perr(p, "invalid value \"%s\" (strings must be quoted)", sh);
	}
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
			return oom(p);
		d->tables = t;
		d->cap_tables = cap;
	}
	for (i = 0; i < k->n; i++) {
		if (i)
			sb_addc(&name, '.');
		sb_add(&name, k->part[i], strlen(k->part[i]));
	}
	t = &d->tables[d->ntables];
	t->name = name.v;
	t->path = strdup(path);
	if (name.oom || !t->path) {
		free(t->name);
		free(t->path);
		return oom(p);
	}
	t->array = array;
	t->line = p->line;
	p->table = (int)d->ntables++;
	p->path = t->path;
	return 0;
}

static int header(struct parser *p)
{
	bool array = peek_at(p, 1) == '[';
	struct key k;
	char *path = NULL, *sub;
	size_t i;
	int err = -1;

	p->pos += array ? 2 : 1;
	if (parse_key(p, &k))
		return -1;
	if (peek(p) != ']' || (array && peek_at(p, 1) != ']')) {
		perr(p, "expected \"%s\" to close the table header", array ? "]]" : "]");
		goto out;
	}
	p->pos += array ? 2 : 1;
	path = strdup("");
	if (!path) {
		oom(p);
		goto out;
	}
	for (i = 0; i < k.n; i++) {
		bool last = i + 1 == k.n;
		struct bt_toml_name *n;

		sub = join(path, k.part[i]);
		free(path);
		path = sub;
		if (!path) {
			oom(p);
			goto out;
		}
		n = name_find(p->doc, path);
		if (!last) {
			if (!n && !name_add(p, path, N_IMPLICIT))
				goto out;
			if (n && n->kind == N_VALUE) {
				perr(p, "%s is already a key with a value", path);
				goto out;
			}
			if (n && n->kind == N_ARRAY && !(path = indexed(path, n->count - 1))) {
				oom(p);
				goto out;
			}
			continue;
		}
		if (array) {
			if (!n && !(n = name_add(p, path, N_ARRAY)))
				goto out;
			if (n->kind != N_ARRAY) {
				perr(p, "cannot define [[%s]]: it is already %s", path,
				     kind_what(n->kind));
				goto out;
			}
			if (!(path = indexed(path, n->count++))) {
				oom(p);
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
			perr(p, "cannot define [%s]: it is already %s%s", path,
			     kind_what(n->kind), n->kind == N_TABLE ? " (defined twice)" : "");
			goto out;
		}
	}
	err = add_table(p, &k, path, array);
	if (!err)
		err = end_of_line(p, "a table header");
out:
	free(path);
	key_free(&k);
	return err;
}

static int keyval(struct parser *p)
{
	struct bt_toml *d = p->doc;
	struct bt_toml_kv kv;
	struct bt_toml_name *n;
	struct key k;
	char *path, *full = NULL, *sub;
	unsigned int line = p->line;
	size_t i;
	int err = -1;

	if (parse_key(p, &k))
		return -1;
	path = strdup(p->path);
	if (!path) {
		key_free(&k);
		return oom(p);
	}
	for (i = 0; i + 1 < k.n; i++) {
		sub = join(path, k.part[i]);
		free(path);
		path = sub;
		if (!path) {
			oom(p);
			goto out;
		}
		n = name_find(d, path);
		if (!n && !name_add(p, path, N_DOTTED))
			goto out;
		if (n && n->kind != N_DOTTED && n->kind != N_IMPLICIT) {
			perr(p, "cannot add keys to %s with a dotted key: it is %s",
			     path, kind_what(n->kind));
			goto out;
		}
	}
	full = join(path, k.part[k.n - 1]);
	if (!full) {
		oom(p);
		goto out;
	}
	if ((n = name_find(d, full))) {
		perr(p, "duplicate key %s (already %s)", full, kind_what(n->kind));
		goto out;
	}
	if (!name_add(p, full, N_VALUE))
		goto out;
	if (peek(p) != '=') {
		perr(p, "expected \"=\" after the key %s", full);
		goto out;
	}
	p->pos++;
	skip_ws(p);
	if (parse_value(p, &kv, 0))
		goto out_kv;
	if (d->nkvs == d->cap_kvs) {
		size_t cap = d->cap_kvs ? 2 * d->cap_kvs : 32;
		struct bt_toml_kv *v = realloc(d->kvs, cap * sizeof(*v));

		if (!v) {
			oom(p);
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
	err = end_of_line(p, "a value");
	goto out;
out_kv:
	free(kv.str);
out:
	free(full);
	free(path);
	key_free(&k);
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
	for (i = 0; i < doc->nnames; i++)
		free(doc->names[i].path);
	free(doc->tables);
	free(doc->kvs);
	free(doc->names);
	memset(doc, 0, sizeof(*doc));
}

int bt_toml_parse(struct bt_toml *doc, const char *text, size_t len,
		  const char *fname, char *err, size_t errlen)
{
	struct parser p = {
		.s = text, .len = len, .line = 1, .fname = fname,
		.err = err, .errlen = errlen, .doc = doc, .table = -1, .path = "",
	};
	size_t i;

	memset(doc, 0, sizeof(*doc));
	if (errlen)
		err[0] = '\0';
	if (check_text(&p))
		goto fail;
	/* A UTF-8 byte order mark is allowed at the start. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = 3;
	while (p.pos < p.len) {
		skip_ws(&p);
		if (p.pos >= p.len)
			break;
		if (at_newline(&p)) {
			eat_newline(&p);
		} else if (peek(&p) == '\r') {
			perr(&p, "bare carriage return");
			goto fail;
		} else if (peek(&p) == '#') {
			if (skip_comment(&p))
				goto fail;
		} else if (peek(&p) == '[') {
			if (header(&p))
				goto fail;
		} else if (keyval(&p)) {
			goto fail;
		}
	}
	/* The registry only served to refuse redefinitions. */
	for (i = 0; i < doc->nnames; i++)
		free(doc->names[i].path);
	free(doc->names);
	doc->names = NULL;
	doc->nnames = doc->cap_names = 0;
	return 0;
fail:
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
