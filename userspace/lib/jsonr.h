/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for the helper's status (`bmptapctl show
 * servers|peers`).  The text is tokenised once into a flat array, jsmn
 * style, without recursion: a container's token records where its subtree
 * ends, so lookups skip whole values.  Nesting is limited to
 * BT_JR_MAX_DEPTH and the token count to BT_JR_MAX_TOKENS, so no input can
 * exhaust the stack or memory.  Every accessor checks its index and type:
 * a missing or mistyped field reads as absent, which is what a reader of
 * another program's evolving output needs (tolerant of the content, strict
 * about the syntax).
 */
#ifndef BMPTAP_JSONR_H
#define BMPTAP_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BT_JR_MAX_DEPTH		64
/* About 130 tokens a peer: some 60,000 peers in one `show status`. */
#define BT_JR_MAX_TOKENS	(1U << 23)

enum bt_jr_type {
	BT_JR_NONE,		/* returned for invalid indexes */
	BT_JR_OBJECT,
	BT_JR_ARRAY,
	BT_JR_STRING,
	BT_JR_NUMBER,
	BT_JR_TRUE,
	BT_JR_FALSE,
	BT_JR_NULL,
};

struct bt_jr_tok {
	enum bt_jr_type type;
	size_t start, len;	/* raw text; strings without their quotes */
	size_t end;		/* index of the first token after the subtree */
	size_t count;		/* children: values, or keys + values in objects */
};

struct bt_jr {
	const char *text;
	size_t len;
	struct bt_jr_tok *t;
	size_t n, cap;
	char err[128];
};

/*
 * Tokenises text (not copied: it must outlive r).  One value, with blank
 * space around it, must make up the whole text.  Returns 0 or -1 with
 * r->err set ("offset N: message").  Token 0 is the root.
 */
int bt_jr_parse(struct bt_jr *r, const char *text, size_t len);
void bt_jr_free(struct bt_jr *r);

enum bt_jr_type bt_jr_type(const struct bt_jr *r, int i);
/* Value of key in object obj, -1 if obj is no object or has no such key. */
int bt_jr_get(const struct bt_jr *r, int obj, const char *key);
/* Number of elements of an array (0 for anything else). */
size_t bt_jr_len(const struct bt_jr *r, int arr);
/* Element idx of an array, -1 if out of range. */
int bt_jr_at(const struct bt_jr *r, int arr, size_t idx);

/* Non-negative integers only (counters); false for anything else. */
bool bt_jr_u64(const struct bt_jr *r, int i, uint64_t *v);
bool bt_jr_bool(const struct bt_jr *r, int i, bool *v);
/*
 * Decodes a string into out (always NUL-terminated; cut if too long),
 * control characters and NULs shown as '?' so that it prints on one line.
 */
bool bt_jr_str(const struct bt_jr *r, int i, char *out, size_t outlen);
/* Shorthands on object members, with a default. */
uint64_t bt_jr_get_u64(const struct bt_jr *r, int obj, const char *key, uint64_t def);
const char *bt_jr_get_str(const struct bt_jr *r, int obj, const char *key,
			  char *out, size_t outlen, const char *def);
/* The raw text of a value (for passing JSON through). */
const char *bt_jr_raw(const struct bt_jr *r, int i, size_t *len);

#endif /* BMPTAP_JSONR_H */
