/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TOML reader's lexical layer (toml_lex.c), for toml.c only: the parser
 * state, errors, blanks, comments and line ends, strings, keys and values.
 * toml.c builds the document from them: headers, key/value lines and the
 * registry of defined names.
 */
#ifndef BMPTAP_TOML_LEX_H
#define BMPTAP_TOML_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "toml.h"

#define MAX_KEY_PARTS	32

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
	struct toml_names *names;	/* toml.c's registry of defined names */
};

/* A growing byte buffer; on allocation failure it records ENOMEM. */
struct sbuf {
	char *v;
	size_t n, cap;
	bool oom;
};

void tl_sb_add(struct sbuf *b, const char *d, size_t n);
void tl_sb_addc(struct sbuf *b, char c);

/* The first error, as "FILE:LINE: message"; always -1. */
__attribute__((format(printf, 2, 3)))
int tl_perr(struct parser *p, const char *fmt, ...);
int tl_oom(struct parser *p);

/* The byte at pos (+ off), -1 past the end. */
int tl_peek(const struct parser *p);
int tl_peek_at(const struct parser *p, size_t off);
void tl_skip_ws(struct parser *p);
bool tl_at_newline(const struct parser *p);
void tl_eat_newline(struct parser *p);
int tl_skip_comment(struct parser *p);
int tl_end_of_line(struct parser *p, const char *after);
/* The whole text: UTF-8, no NUL. */
int tl_check_text(struct parser *p);

/* A dotted key, each part as shown in paths and messages. */
struct key {
	char *part[MAX_KEY_PARTS];
	size_t n;
};

int tl_parse_key(struct parser *p, struct key *k);
void tl_key_free(struct key *k);
int tl_parse_value(struct parser *p, struct bt_toml_kv *kv, int depth);

#endif /* BMPTAP_TOML_LEX_H */
