// SPDX-License-Identifier: GPL-2.0
/*
 * Strict TOML subset reader (see toml.h), its lexical layer (toml_lex.h).
 * Values nested in inline arrays and tables are parsed with a depth limit
 * so that no input can exhaust the stack.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "toml_lex.h"

void tl_sb_add(struct sbuf *b, const char *d, size_t n)
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

void tl_sb_addc(struct sbuf *b, char c)
{
	tl_sb_add(b, &c, 1);
}

__attribute__((format(printf, 2, 3)))
int tl_perr(struct parser *p, const char *fmt, ...)
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

int tl_oom(struct parser *p)
{
	return tl_perr(p, "out of memory");
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

int tl_peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

int tl_peek_at(const struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

void tl_skip_ws(struct parser *p)
{
	while (tl_peek(p) == ' ' || tl_peek(p) == '\t')
		p->pos++;
}

bool tl_at_newline(const struct parser *p)
{
	return tl_peek(p) == '\n' || (tl_peek(p) == '\r' && tl_peek_at(p, 1) == '\n');
}

void tl_eat_newline(struct parser *p)
{
	if (tl_peek(p) == '\r')
		p->pos++;
	p->pos++;
	p->line++;
}

/* From '#' to the end of the line; control characters other than tab are refused. */
int tl_skip_comment(struct parser *p)
{
	for (p->pos++; p->pos < p->len && !tl_at_newline(p); p->pos++) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return tl_perr(p, "control character 0x%02x in a comment", c);
	}
	return 0;
}

/* After a statement: blanks, maybe a comment, then a newline or the end. */
int tl_end_of_line(struct parser *p, const char *after)
{
	tl_skip_ws(p);
	if (tl_peek(p) == '#' && tl_skip_comment(p))
		return -1;
	if (p->pos >= p->len)
		return 0;
	if (!tl_at_newline(p)) {
		char t[24];

		shown_rest(p, t, sizeof(t));
		return tl_perr(p, "expected the end of the line after %s, found \"%s\"",
			       after, t);
	}
	tl_eat_newline(p);
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

int tl_check_text(struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t i = 0, k;

	while (i < p->len) {
		if (!s[i])
			return tl_perr(p, "NUL byte in the file");
		k = utf8_len(s + i, p->len - i);
		if (!k)
			return tl_perr(p, "invalid UTF-8");
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
		tl_sb_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		tl_sb_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		tl_sb_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		tl_sb_add(b, u, 4);
	}
}

/* ---- strings ------------------------------------------------------------- */

/* At the opening quote of a single-line basic or literal string. */
static int parse_string(struct parser *p, struct sbuf *out)
{
	int q = tl_peek(p);

	if (tl_peek_at(p, 1) == q && tl_peek_at(p, 2) == q)
		return tl_perr(p, "multi-line strings are not supported");
	p->pos++;
	for (;;) {
		int c = tl_peek(p);

		if (c < 0 || tl_at_newline(p) || c == '\n')
			return tl_perr(p, "unterminated string");
		if (c == q) {
			p->pos++;
			break;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return tl_perr(p, "control character 0x%02x in a string (use an escape)", c);
		if (c != '\\' || q == '\'') {
			tl_sb_addc(out, (char)c);
			p->pos++;
			continue;
		}
		c = tl_peek_at(p, 1);
		p->pos += 2;
		switch (c) {
		case 'b': tl_sb_addc(out, '\b'); break;
		case 't': tl_sb_addc(out, '\t'); break;
		case 'n': tl_sb_addc(out, '\n'); break;
		case 'f': tl_sb_addc(out, '\f'); break;
		case 'r': tl_sb_addc(out, '\r'); break;
		case '"': tl_sb_addc(out, '"'); break;
		case '\\': tl_sb_addc(out, '\\'); break;
		case 'u':
		case 'U': {
			int n = c == 'u' ? 4 : 8, i, h;
			uint32_t cp = 0;

			for (i = 0; i < n; i++) {
				h = hex_val(tl_peek(p));
				if (h < 0)
					return tl_perr(p, "invalid \\%c escape (%d hex digits expected)",
						       c, n);
				cp = cp << 4 | (uint32_t)h;
				p->pos++;
			}
			if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
				return tl_perr(p, "escape \\%c%0*X is not a Unicode scalar value",
					       c, n, cp);
			put_utf8(out, cp);
			break;
		}
		default:
			if (c < 0x20 || c >= 0x7f)
				return tl_perr(p, "invalid escape in a string");
			return tl_perr(p, "invalid escape \"\\%c\" in a string", c);
		}
	}
	return out->oom ? tl_oom(p) : 0;
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


void tl_key_free(struct key *k)
{
	while (k->n)
		free(k->part[--k->n]);
}

static int parse_key_parts(struct parser *p, struct key *k);

/* On failure k is left empty: the parts read so far are freed. */
int tl_parse_key(struct parser *p, struct key *k)
{
	k->n = 0;
	if (!parse_key_parts(p, k))
		return 0;
	tl_key_free(k);
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

		tl_skip_ws(p);
		c = tl_peek(p);
		if (c == '"' || c == '\'') {
			if (parse_string(p, &b)) {
				free(b.v);
				return -1;
			}
			for (size_t i = 0; i < b.n; i++) {
				if ((unsigned char)b.v[i] < 0x20 || b.v[i] == 0x7f) {
					free(b.v);
					return tl_perr(p, "control characters are not supported in keys");
				}
			}
			d = display_part(b.v ? b.v : "", b.n);
			free(b.v);
		} else {
			start = p->pos;
			while (bare_char(tl_peek(p)))
				p->pos++;
			if (p->pos == start) {
				char t[24];

				if (p->pos >= p->len || tl_at_newline(p))
					return tl_perr(p, "key expected");
				shown_rest(p, t, sizeof(t));
				return tl_perr(p, "invalid key at \"%s\"", t);
			}
			d = display_part(p->s + start, p->pos - start);
		}
		if (!d)
			return tl_oom(p);
		if (k->n == MAX_KEY_PARTS) {
			free(d);
			return tl_perr(p, "key with more than %d parts", MAX_KEY_PARTS);
		}
		k->part[k->n++] = d;
		tl_skip_ws(p);
		if (tl_peek(p) != '.')
			return 0;
		p->pos++;
	}
}

/* ---- values -------------------------------------------------------------- */

static bool digits_ok(const char *s, size_t n, int base)
{
	size_t i;

	if (!n || s[0] == '_' || s[n - 1] == '_')
		return false;
	for (i = 0; i < n; i++) {
		int v = hex_val((unsigned char)s[i]);

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
		d = hex_val((unsigned char)s[i]);
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


/* Blank space inside an inline array: newlines and comments allowed. */
static int array_space(struct parser *p)
{
	for (;;) {
		tl_skip_ws(p);
		if (tl_peek(p) == '#') {
			if (tl_skip_comment(p))
				return -1;
		} else if (tl_at_newline(p) || tl_peek(p) == '\n') {
			if (tl_peek(p) == '\r' && tl_peek_at(p, 1) != '\n')
				return tl_perr(p, "bare carriage return");
			tl_eat_newline(p);
		} else {
			return 0;
		}
	}
}

/* After an element: a comma goes on (1), the closing bracket ends (0). */
static int list_next(struct parser *p, int close, const char *in)
{
	if (tl_peek(p) == ',') {
		p->pos++;
		return 1;
	}
	if (tl_peek(p) == close) {
		p->pos++;
		return 0;
	}
	return tl_perr(p, "expected \",\" or \"%c\" in %s", close, in);
}

static int parse_array(struct parser *p, int depth)
{
	int r;

	p->pos++;
	for (;;) {
		if (array_space(p))
			return -1;
		if (tl_peek(p) == ']') {
			p->pos++;
			return 0;
		}
		if (tl_parse_value(p, NULL, depth + 1) || array_space(p))
			return -1;
		r = list_next(p, ']', "an array");
		if (r <= 0)
			return r;
	}
}

/* Keys inside are checked for syntax only: their values are not kept. */
static int parse_inline_table(struct parser *p, int depth)
{
	int r;

	p->pos++;
	tl_skip_ws(p);
	if (tl_peek(p) == '}') {
		p->pos++;
		return 0;
	}
	for (;;) {
		struct key k;

		if (tl_parse_key(p, &k))
			return -1;
		tl_key_free(&k);
		if (tl_peek(p) != '=')
			return tl_perr(p, "expected \"=\" after a key in an inline table");
		p->pos++;
		tl_skip_ws(p);
		if (tl_parse_value(p, NULL, depth + 1))
			return -1;
		tl_skip_ws(p);
		r = list_next(p, '}', "an inline table (one line)");
		if (r <= 0)
			return r;
	}
}

/* kv NULL: inside an inline array or table, nothing is kept. */
int tl_parse_value(struct parser *p, struct bt_toml_kv *kv, int depth)
{
	struct bt_toml_kv dummy;
	size_t start = p->pos, n;
	const char *t;
	int c = tl_peek(p), r;

	if (!kv)
		kv = &dummy;
	memset(kv, 0, sizeof(*kv));
	if (depth > BT_TOML_MAX_DEPTH)
		return tl_perr(p, "values nested more than %d deep", BT_TOML_MAX_DEPTH);
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
		return kv->str ? 0 : tl_oom(p);
	}
	if (c == '[') {
		kv->type = BT_TOML_ARRAY;
		return parse_array(p, depth);
	}
	if (c == '{') {
		kv->type = BT_TOML_INLINE_TABLE;
		return parse_inline_table(p, depth);
	}
	while (token_char(tl_peek(p)))
		p->pos++;
	/* "1979-05-27 07:32:00": a space may separate date and time. */
	if (p->pos - start == 10 && tl_peek(p) == ' ' && tl_peek_at(p, 1) >= '0' &&
	    tl_peek_at(p, 1) <= '9' && p->s[start + 4] == '-') {
		p->pos++;
		while (token_char(tl_peek(p)))
			p->pos++;
	}
	t = p->s + start;
	n = p->pos - start;
	if (!n) {
		if (c < 0 || tl_at_newline(p) || c == '\n' || c == '#')
			return tl_perr(p, "value expected");
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
			return tl_perr(p, "integer %s out of range", sh);
		kv->type = BT_TOML_INT;
		return 0;
	} else if (is_float(t, n) || is_datetime(t, n)) {
		kv->type = is_float(t, n) ? BT_TOML_FLOAT : BT_TOML_DATETIME;
		if (kv == &dummy)
			return 0;
		kv->str = strndup(t, n);
		kv->len = n;
		return kv->str ? 0 : tl_oom(p);
	}
	{
		char sh[40];

		while (p->pos < p->len && !tl_at_newline(p) && tl_peek(p) != ' ' &&
		       tl_peek(p) != '\t' && tl_peek(p) != ',' && p->pos - start < 32)
			p->pos++;
		shown(t, p->pos - start, sh, sizeof(sh));
		return tl_perr(p, "invalid value \"%s\" (strings must be quoted)", sh);
	}
}
