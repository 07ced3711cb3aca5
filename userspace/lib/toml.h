/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict reader for the subset of TOML that router configs (GoBGP's
 * gobgpd.toml) use: [tables], [[arrays of tables]], dotted headers and
 * keys, basic strings with escapes, literal strings, integers (decimal,
 * 0x, 0o, 0b, with underscores), booleans, comments.  Floats and date-times
 * are recognised and kept as text; inline arrays and inline tables are
 * checked for syntax and kept as opaque values.  Multi-line strings are
 * refused, as are keys with control characters.  The file must be UTF-8.
 *
 * Tables are named by their instance path: every component that is an array
 * of tables carries the index of its current element, with quoted
 * components written quoted, e.g. bmp-servers[1].config.  That makes the
 * path a unique key for the table and the form used in messages.
 *
 * No global state; everything is in struct bt_toml.  Errors are one line,
 * "FILE:LINE: message".
 */
#ifndef BMPTAP_TOML_H
#define BMPTAP_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bt_toml_type {
	BT_TOML_STRING,
	BT_TOML_INT,
	BT_TOML_BOOL,
	BT_TOML_FLOAT,		/* text only */
	BT_TOML_DATETIME,	/* text only */
	BT_TOML_ARRAY,		/* contents not kept */
	BT_TOML_INLINE_TABLE,	/* contents not kept */
};

/* A [header] or [[header]] as written in the file. */
struct bt_toml_table {
	char *name;		/* components joined by '.', no indices */
	char *path;		/* instance path, with [N] for arrays of tables */
	bool array;		/* [[...]] */
	unsigned int line;
};

struct bt_toml_kv {
	int table;		/* index into tables of the header above, -1: root */
	char *path;		/* instance path of the table that holds the key
				   (dotted keys included), "" for the root */
	char *key;		/* last component of the key */
	unsigned int line;
	enum bt_toml_type type;
	char *str;		/* STRING (may hold NULs: see len), FLOAT, DATETIME */
	size_t len;		/* of str */
	int64_t i;		/* INT */
	bool b;			/* BOOL */
};

struct bt_toml {
	struct bt_toml_table *tables;
	size_t ntables;
	struct bt_toml_kv *kvs;
	size_t nkvs;
	size_t cap_tables, cap_kvs;	/* private */
};

#define BT_TOML_ERRLEN	512
#define BT_TOML_MAX_DEPTH 32	/* nesting of inline arrays and tables */

/*
 * Parses text (len bytes, NULs refused) into doc.  fname only appears in
 * errors.  Returns 0, or -1 with err set and doc emptied.
 */
int bt_toml_parse(struct bt_toml *doc, const char *text, size_t len,
		  const char *fname, char *err, size_t errlen);
void bt_toml_free(struct bt_toml *doc);

const char *bt_toml_type_name(enum bt_toml_type t);

/*
 * Writes s as a TOML basic string (quoted, escaped) into out; false if it
 * does not fit.  For writers of TOML such as `bmptapctl config show`.
 */
bool bt_toml_quote(const char *s, size_t len, char *out, size_t outlen);

#endif /* BMPTAP_TOML_H */
