// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "json.h"

void bt_json_init(struct bt_json *j, FILE *f)
{
	*j = (struct bt_json){ .f = f };
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	/* Overlong forms, surrogates and code points above U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void bt_json_write_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"': fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\b': fputs("\\b", f); i++; continue;
		case '\f': fputs("\\f", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_len(s + i, len - i);
		if (!n) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
	fputc('"', f);
}

/* Comma before a value, unless it follows its key. */
static void sep(struct bt_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = true;
}

static void open_c(struct bt_json *j, char c)
{
	sep(j);
	if (j->depth >= BT_JSON_MAX_DEPTH) {
		/* Still balanced, but bt_json_done() will say it is wrong. */
		j->overflow = true;
		j->excess++;
		fputc(c, j->f);
		return;
	}
	fputc(c, j->f);
	j->more[++j->depth] = false;
}

static void close_c(struct bt_json *j, char c)
{
	if (j->excess) {
		j->excess--;
		fputc(c, j->f);
		return;
	}
	if (j->depth <= 0) {
		j->overflow = true;
		return;
	}
	j->after_key = false;
	fputc(c, j->f);
	j->depth--;
	/* The document is complete: end it like a line of text. */
	if (j->depth == 0)
		fputc('\n', j->f);
}

void bt_json_obj_open(struct bt_json *j) { open_c(j, '{'); }
void bt_json_obj_close(struct bt_json *j) { close_c(j, '}'); }
void bt_json_arr_open(struct bt_json *j) { open_c(j, '['); }
void bt_json_arr_close(struct bt_json *j) { close_c(j, ']'); }

void bt_json_key(struct bt_json *j, const char *key)
{
	sep(j);
	bt_json_write_string(j->f, key, strlen(key));
	fputc(':', j->f);
	j->after_key = true;
}

void bt_json_strn(struct bt_json *j, const char *s, size_t len)
{
	sep(j);
	bt_json_write_string(j->f, s, len);
}

void bt_json_str(struct bt_json *j, const char *s)
{
	if (!s) {
		bt_json_null(j);
		return;
	}
	bt_json_strn(j, s, strlen(s));
}

void bt_json_u64(struct bt_json *j, uint64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRIu64, v);
}

void bt_json_i64(struct bt_json *j, int64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRId64, v);
}

void bt_json_bool(struct bt_json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void bt_json_null(struct bt_json *j)
{
	sep(j);
	fputs("null", j->f);
}

void bt_json_raw(struct bt_json *j, const char *text, size_t len)
{
	sep(j);
	fwrite(text, 1, len, j->f);
	/* A whole document written raw still ends like a line. */
	if (j->depth == 0)
		fputc('\n', j->f);
}

void bt_json_hex(struct bt_json *j, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	sep(j);
	fputc('"', j->f);
	for (i = 0; i < len; i++)
		fprintf(j->f, "%02x", p[i]);
	fputc('"', j->f);
}

void bt_json_kv_str(struct bt_json *j, const char *key, const char *s)
{
	bt_json_key(j, key);
	bt_json_str(j, s);
}

void bt_json_kv_u64(struct bt_json *j, const char *key, uint64_t v)
{
	bt_json_key(j, key);
	bt_json_u64(j, v);
}

void bt_json_kv_bool(struct bt_json *j, const char *key, bool v)
{
	bt_json_key(j, key);
	bt_json_bool(j, v);
}

bool bt_json_done(const struct bt_json *j)
{
	return j->depth == 0 && !j->overflow && !j->after_key;
}
