/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal streaming JSON writer: enough for `bmptapctl -j` and the
 * helper's status document.  Commas and nesting are tracked here so that
 * callers cannot emit invalid JSON by forgetting one.
 */
#ifndef BMPTAP_JSON_H
#define BMPTAP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BT_JSON_MAX_DEPTH 32

struct bt_json {
	FILE *f;
	int depth;
	/* per level: a value was already written, so the next needs a comma */
	bool more[BT_JSON_MAX_DEPTH + 1];
	bool after_key;
	bool overflow;		/* nesting beyond BT_JSON_MAX_DEPTH, or bad close */
	int excess;		/* levels opened beyond BT_JSON_MAX_DEPTH */
};

void bt_json_init(struct bt_json *j, FILE *f);

void bt_json_obj_open(struct bt_json *j);
void bt_json_obj_close(struct bt_json *j);
void bt_json_arr_open(struct bt_json *j);
void bt_json_arr_close(struct bt_json *j);
/* Inside an object: the name of the next value. */
void bt_json_key(struct bt_json *j, const char *key);

void bt_json_str(struct bt_json *j, const char *s);
void bt_json_strn(struct bt_json *j, const char *s, size_t len);
void bt_json_u64(struct bt_json *j, uint64_t v);
void bt_json_i64(struct bt_json *j, int64_t v);
void bt_json_bool(struct bt_json *j, bool v);
void bt_json_null(struct bt_json *j);
/*
 * One complete JSON value written as is, for passing through what another
 * program published; the caller vouches that it is valid (see jsonr.h).
 */
void bt_json_raw(struct bt_json *j, const char *text, size_t len);
/* Bytes as a lower-case hex string. */
void bt_json_hex(struct bt_json *j, const void *data, size_t len);

/* key + value shorthands */
void bt_json_kv_str(struct bt_json *j, const char *key, const char *s);
void bt_json_kv_u64(struct bt_json *j, const char *key, uint64_t v);
void bt_json_kv_bool(struct bt_json *j, const char *key, bool v);

/* true if every opened container was closed and nothing overflowed */
bool bt_json_done(const struct bt_json *j);

/*
 * Writes s (len bytes) as a quoted JSON string.  Control characters are
 * escaped and bytes that are not valid UTF-8 become U+FFFD, because peer-
 * supplied text (sys-name, BGP data) must not break the document.
 */
void bt_json_write_string(FILE *f, const char *s, size_t len);

#endif /* BMPTAP_JSON_H */
