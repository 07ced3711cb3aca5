// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for import filter parsing (the words after `filter add
 * NAME`, shared by bmptapctl and the TOML loader) and matching.  The input
 * is split at blanks into words.
 *
 * Invariants (abort() otherwise): a refusal comes with one non-empty line;
 * an accepted filter passes bt_filter_valid() (the module gives back what
 * it was given, and bmptapd drops invalid ones), its bt_filter_format()
 * text parses back to the same filter, and matching it against prefixes
 * made from the input neither crashes nor reads past the prefix.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "filter.h"

#define MAX_IN 256

static int words(char *s, char **argv, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *t = strtok_r(s, " \t\n", &save); t && n < max; t = strtok_r(NULL, " \t\n", &save))
		argv[n++] = t;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[MAX_IN + 1], txt[256], err[128], *argv[32];
	struct bt_filter f, g;
	int argc;

	if (size > MAX_IN)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	argc = words(in, argv, 32);
	memset(&f, 0, sizeof(f));
	err[0] = '\0';
	if (bt_filter_parse(argc, argv, &f, err, sizeof(err))) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (!bt_filter_valid(&f))
		abort();
	bt_filter_format(&f, txt, sizeof(txt));
	argc = words(txt, argv, 32);
	memset(&g, 0, sizeof(g));
	if (bt_filter_parse(argc, argv, &g, err, sizeof(err)) || memcmp(&f, &g, sizeof(f)))
		abort();
	for (size_t i = 0; i + 17 <= size; i += 17) {
		struct bgp_prefix p;

		memset(&p, 0, sizeof(p));
		p.fam = data[i] & 1 ? BGP_FAM_IPV6 : BGP_FAM_IPV4;
		p.len = data[i] % (p.fam == BGP_FAM_IPV6 ? 129 : 33);
		memcpy(p.addr, data + i + 1, 16);
		/* As the NLRI decoder leaves them: bits past len zero. */
		for (unsigned b = p.len; b < 128; b++)
			p.addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		bt_filter_match(&f, &p, NULL);
	}
	return 0;
}
