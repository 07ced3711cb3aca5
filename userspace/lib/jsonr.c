// SPDX-License-Identifier: GPL-2.0
/* JSON reader (see jsonr.h): iterative tokeniser with an explicit stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "jsonr.h"

enum want {
	W_VALUE,		/* a value (after ':' or ',' in an array, or the root) */
	W_VALUE_OR_CLOSE,	/* after '[' */
	W_KEY,			/* after ',' in an object */
	W_KEY_OR_CLOSE,		/* after '{' */
	W_COLON,
	W_COMMA_OR_CLOSE,
	W_DONE,			/* the root value is complete */
};

static int jerr(struct bt_jr *r, size_t pos, const char *msg)
{
	snprintf(r->err, sizeof(r->err), "offset %zu: %s", pos, msg);
	return -1;
}

static int add_tok(struct bt_jr *r, enum bt_jr_type type, size_t start,
		   size_t pos)
{
	struct bt_jr_tok *t;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;

		if (r->cap >= BT_JR_MAX_TOKENS)
			return jerr(r, pos, "too many values");
		t = realloc(r->t, cap * sizeof(*t));
		if (!t)
			return jerr(r, pos, "out of memory");
		r->t = t;
		r->cap = cap;
	}
	t = &r->t[r->n];
	t->type = type;
	t->start = start;
	t->len = 0;
	t->end = r->n + 1;
	t->count = 0;
	return (int)r->n++;
}

/* At the opening quote: returns the index after the closing one, or 0. */
static size_t scan_string(struct bt_jr *r, size_t pos)
{
	const char *s = r->text;
	size_t i = pos + 1;

	while (i < r->len) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"')
			return i + 1;
		if (c < 0x20) {
			jerr(r, i, "control character in a string");
			return 0;
		}
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= r->len)
			break;
		c = (unsigned char)s[i + 1];
		if (c == 'u') {
			int k;

			for (k = 0; k < 4; k++)
				if (i + 2 + (size_t)k >= r->len ||
				    hex_val((unsigned char)s[i + 2 + k]) < 0) {
					jerr(r, i, "invalid \\u escape");
					return 0;
				}
			i += 6;
		} else if (strchr("\"\\/bfnrt", c) && c) {
			i += 2;
		} else {
			jerr(r, i, "invalid escape");
			return 0;
		}
	}
	jerr(r, pos, "unterminated string");
	return 0;
}

static size_t scan_digits(const char *s, size_t i, size_t len)
{
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* Returns the index after the number, or 0. */
static size_t scan_number(struct bt_jr *r, size_t pos)
{
	const char *s = r->text;
	size_t i = pos, j;

	if (s[i] == '-')
		i++;
	if (i < r->len && s[i] == '0')
		i++;
	else if ((j = scan_digits(s, i, r->len)) > i)
		i = j;
	else
		goto bad;
	if (i < r->len && s[i] == '.') {
		j = scan_digits(s, i + 1, r->len);
		if (j == i + 1)
			goto bad;
		i = j;
	}
	if (i < r->len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < r->len && (s[i] == '+' || s[i] == '-'))
			i++;
		j = scan_digits(s, i, r->len);
		if (j == i)
			goto bad;
		i = j;
	}
	return i;
bad:
	jerr(r, pos, "invalid number");
	return 0;
}

int bt_jr_parse(struct bt_jr *r, const char *text, size_t len)
{
	size_t stack[BT_JR_MAX_DEPTH];
	size_t depth = 0, pos = 0;
	enum want want = W_VALUE;

	memset(r, 0, sizeof(*r));
	r->text = text;
	r->len = len;
	for (;;) {
		size_t start, next;
		int c, ti;

		while (pos < len && (text[pos] == ' ' || text[pos] == '\t' ||
				     text[pos] == '\n' || text[pos] == '\r'))
			pos++;
		if (pos >= len) {
			if (want == W_DONE)
				return 0;
			jerr(r, pos, "unexpected end of the text");
			goto fail;
		}
		c = (unsigned char)text[pos];
		start = pos;
		switch (want) {
		case W_DONE:
			jerr(r, pos, "text after the value");
			goto fail;
		case W_COLON:
			if (c != ':') {
				jerr(r, pos, "\":\" expected");
				goto fail;
			}
			pos++;
			want = W_VALUE;
			continue;
		case W_COMMA_OR_CLOSE:
			if (c == ',') {
				pos++;
				want = r->t[stack[depth - 1]].type == BT_JR_OBJECT ?
				       W_KEY : W_VALUE;
				continue;
			}
			break;
		case W_KEY:
		case W_KEY_OR_CLOSE:
			if (c == '}' && want == W_KEY_OR_CLOSE)
				break;
			if (c != '"') {
				jerr(r, pos, "key expected");
				goto fail;
			}
			next = scan_string(r, pos);
			if (!next)
				goto fail;
			ti = add_tok(r, BT_JR_STRING, pos + 1, pos);
			if (ti < 0)
				goto fail;
			r->t[ti].len = next - pos - 2;
			r->t[stack[depth - 1]].count++;
			pos = next;
			want = W_COLON;
			continue;
		case W_VALUE:
		case W_VALUE_OR_CLOSE:
			break;
		}

		/* A closing bracket, where allowed. */
		if (c == '}' || c == ']') {
			struct bt_jr_tok *t;

			if (want != W_COMMA_OR_CLOSE &&
			    !(want == W_KEY_OR_CLOSE && c == '}') &&
			    !(want == W_VALUE_OR_CLOSE && c == ']')) {
				jerr(r, pos, "value expected");
				goto fail;
			}
			t = &r->t[stack[depth - 1]];
			if ((c == '}') != (t->type == BT_JR_OBJECT)) {
				jerr(r, pos, "mismatched bracket");
				goto fail;
			}
			t->end = r->n;
			t->len = pos + 1 - t->start;
			depth--;
			pos++;
			want = depth ? W_COMMA_OR_CLOSE : W_DONE;
			continue;
		}
		if (want == W_COMMA_OR_CLOSE) {
			jerr(r, pos, "\",\" or a closing bracket expected");
			goto fail;
		}

		/* A value. */
		if (c == '{' || c == '[') {
			if (depth == BT_JR_MAX_DEPTH) {
				jerr(r, pos, "nested too deep");
				goto fail;
			}
			ti = add_tok(r, c == '{' ? BT_JR_OBJECT : BT_JR_ARRAY, pos, pos);
			if (ti < 0)
				goto fail;
			if (depth)
				r->t[stack[depth - 1]].count++;
			stack[depth++] = (size_t)ti;
			pos++;
			want = c == '{' ? W_KEY_OR_CLOSE : W_VALUE_OR_CLOSE;
			continue;
		}
		if (c == '"') {
			next = scan_string(r, pos);
			if (!next)
				goto fail;
			ti = add_tok(r, BT_JR_STRING, pos + 1, pos);
			if (ti >= 0)
				r->t[ti].len = next - pos - 2;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			next = scan_number(r, pos);
			if (!next)
				goto fail;
			ti = add_tok(r, BT_JR_NUMBER, pos, pos);
			if (ti >= 0)
				r->t[ti].len = next - pos;
		} else {
			static const struct {
				const char *w;
				enum bt_jr_type t;
			} lit[] = {
				{ "true", BT_JR_TRUE },
				{ "false", BT_JR_FALSE },
				{ "null", BT_JR_NULL },
			};
			size_t k, n = 0;

			for (k = 0; k < 3; k++) {
				n = strlen(lit[k].w);
				if (len - pos >= n && !memcmp(text + pos, lit[k].w, n))
					break;
			}
			if (k == 3) {
				jerr(r, pos, "value expected");
				goto fail;
			}
			next = pos + n;
			ti = add_tok(r, lit[k].t, pos, pos);
			if (ti >= 0)
				r->t[ti].len = n;
		}
		if (ti < 0)
			goto fail;
		(void)start;
		if (depth)
			r->t[stack[depth - 1]].count++;
		pos = next;
		want = depth ? W_COMMA_OR_CLOSE : W_DONE;
	}
fail:
	free(r->t);
	r->t = NULL;
	r->n = r->cap = 0;
	return -1;
}

void bt_jr_free(struct bt_jr *r)
{
	free(r->t);
	r->t = NULL;
	r->n = r->cap = 0;
}

enum bt_jr_type bt_jr_type(const struct bt_jr *r, int i)
{
	if (i < 0 || (size_t)i >= r->n)
		return BT_JR_NONE;
	return r->t[i].type;
}

/*
 * Decodes string token i into out (cut to outlen - 1); returns the full
 * decoded length.  sanitize: control characters become '?'.
 */
static size_t decode(const struct bt_jr *r, int i, char *out, size_t outlen,
		     bool sanitize)
{
	const struct bt_jr_tok *t = &r->t[i];
	const char *s = r->text + t->start;
	size_t k = 0, o = 0;

#define EMIT(ch) do { if (o + 1 < outlen) out[o] = (char)(ch); o++; } while (0)
	while (k < t->len) {
		unsigned char c = (unsigned char)s[k];
		uint32_t cp;

		if (c != '\\') {
			EMIT(c);
			k++;
			continue;
		}
		c = (unsigned char)s[k + 1];
		k += 2;
		switch (c) {
		case 'b': EMIT('\b'); break;
		case 'f': EMIT('\f'); break;
		case 'n': EMIT('\n'); break;
		case 'r': EMIT('\r'); break;
		case 't': EMIT('\t'); break;
		case 'u':
			/* The tokeniser checked the four hex digits. */
			cp = (uint32_t)(hex_val((unsigned char)s[k]) << 12 |
					hex_val((unsigned char)s[k + 1]) << 8 |
					hex_val((unsigned char)s[k + 2]) << 4 |
					hex_val((unsigned char)s[k + 3]));
			k += 4;
			/* A surrogate pair, else a lone surrogate is U+FFFD. */
			if (cp >= 0xd800 && cp <= 0xdbff && k + 6 <= t->len &&
			    s[k] == '\\' && s[k + 1] == 'u') {
				uint32_t lo = (uint32_t)(hex_val((unsigned char)s[k + 2]) << 12 |
							 hex_val((unsigned char)s[k + 3]) << 8 |
							 hex_val((unsigned char)s[k + 4]) << 4 |
							 hex_val((unsigned char)s[k + 5]));

				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					k += 6;
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (cp < 0x80) {
				EMIT(cp);
			} else if (cp < 0x800) {
				EMIT(0xc0 | cp >> 6);
				EMIT(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				EMIT(0xe0 | cp >> 12);
				EMIT(0x80 | ((cp >> 6) & 0x3f));
				EMIT(0x80 | (cp & 0x3f));
			} else {
				EMIT(0xf0 | cp >> 18);
				EMIT(0x80 | ((cp >> 12) & 0x3f));
				EMIT(0x80 | ((cp >> 6) & 0x3f));
				EMIT(0x80 | (cp & 0x3f));
			}
			break;
		default:
			EMIT(c);	/* " \ / */
		}
	}
#undef EMIT
	if (outlen) {
		size_t end = o < outlen ? o : outlen - 1, j;

		out[end] = '\0';
		if (sanitize)
			for (j = 0; j < end; j++)
				if ((unsigned char)out[j] < 0x20 || out[j] == 0x7f)
					out[j] = '?';
	}
	return o;
}

static bool key_is(const struct bt_jr *r, int i, const char *key)
{
	const struct bt_jr_tok *t = &r->t[i];
	size_t klen = strlen(key);
	char buf[256];

	if (!memchr(r->text + t->start, '\\', t->len))
		return t->len == klen && !memcmp(r->text + t->start, key, klen);
	if (klen >= sizeof(buf))
		return false;
	return decode(r, i, buf, sizeof(buf), false) == klen && !memcmp(buf, key, klen);
}

int bt_jr_get(const struct bt_jr *r, int obj, const char *key)
{
	size_t k;

	if (bt_jr_type(r, obj) != BT_JR_OBJECT)
		return -1;
	/* Members: a key token, then its value's subtree. */
	for (k = (size_t)obj + 1; k + 1 < r->t[obj].end; k = r->t[k + 1].end)
		if (key_is(r, (int)k, key))
			return (int)k + 1;
	return -1;
}

size_t bt_jr_len(const struct bt_jr *r, int arr)
{
	return bt_jr_type(r, arr) == BT_JR_ARRAY ? r->t[arr].count : 0;
}

int bt_jr_at(const struct bt_jr *r, int arr, size_t idx)
{
	size_t k, n = 0;

	if (bt_jr_type(r, arr) != BT_JR_ARRAY)
		return -1;
	for (k = (size_t)arr + 1; k < r->t[arr].end; k = r->t[k].end, n++)
		if (n == idx)
			return (int)k;
	return -1;
}

bool bt_jr_u64(const struct bt_jr *r, int i, uint64_t *v)
{
	const struct bt_jr_tok *t;
	uint64_t x = 0;
	size_t k;

	if (bt_jr_type(r, i) != BT_JR_NUMBER)
		return false;
	t = &r->t[i];
	for (k = 0; k < t->len; k++) {
		char c = r->text[t->start + k];

		if (c < '0' || c > '9')
			return false;	/* sign, fraction, exponent */
		if (x > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(c - '0');
	}
	*v = x;
	return true;
}

bool bt_jr_bool(const struct bt_jr *r, int i, bool *v)
{
	enum bt_jr_type t = bt_jr_type(r, i);

	if (t != BT_JR_TRUE && t != BT_JR_FALSE)
		return false;
	*v = t == BT_JR_TRUE;
	return true;
}

bool bt_jr_str(const struct bt_jr *r, int i, char *out, size_t outlen)
{
	if (bt_jr_type(r, i) != BT_JR_STRING || !outlen)
		return false;
	decode(r, i, out, outlen, true);
	return true;
}

uint64_t bt_jr_get_u64(const struct bt_jr *r, int obj, const char *key, uint64_t def)
{
	uint64_t v;

	return bt_jr_u64(r, bt_jr_get(r, obj, key), &v) ? v : def;
}

const char *bt_jr_get_str(const struct bt_jr *r, int obj, const char *key,
			  char *out, size_t outlen, const char *def)
{
	return bt_jr_str(r, bt_jr_get(r, obj, key), out, outlen) ? out : def;
}

const char *bt_jr_raw(const struct bt_jr *r, int i, size_t *len)
{
	const struct bt_jr_tok *t;

	if (bt_jr_type(r, i) == BT_JR_NONE) {
		*len = 0;
		return "";
	}
	t = &r->t[i];
	if (t->type == BT_JR_STRING) {
		*len = t->len + 2;
		return r->text + t->start - 1;
	}
	*len = t->len;
	return r->text + t->start;
}
