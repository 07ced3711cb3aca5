// fuzz-sources: userspace/lib/jsonr.c userspace/lib/json.c userspace/bmptapctl/statusview.c userspace/bmptapctl/cli.c userspace/lib/nl.c (links -lmnl)
// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the reader of bmptapd's status: the JSON
 * tokeniser (bt_jr_*) and the `show servers|peers` renderings fed with
 * arbitrary blobs, as a misbehaving or newer helper could publish.
 *
 * Invariants: no crash or sanitizer report; every token lies inside the
 * input and every subtree ends after its start and within the token
 * array; a refusal leaves no tokens; what `-j` prints for an accepted
 * blob is itself valid JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"
#include "statusview.h"

static void check_json(const char *s, size_t n)
{
	struct bt_jr r;

	if (bt_jr_parse(&r, s, n))
		abort();
	bt_jr_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct bt_server_cfg v[2];
	struct bt_jr r;
	char *out = NULL, buf[64];
	size_t outlen = 0, i;
	uint64_t u;
	bool b;
	FILE *f, *null = fopen("/dev/null", "w");

	if (!bt_jr_parse(&r, text, size)) {
		for (i = 0; i < r.n; i++) {
			const struct bt_jr_tok *t = &r.t[i];

			if (t->start > size || t->len > size - t->start ||
			    t->end <= i || t->end > r.n)
				abort();
			bt_jr_u64(&r, (int)i, &u);
			bt_jr_bool(&r, (int)i, &b);
			bt_jr_str(&r, (int)i, buf, sizeof(buf));
			bt_jr_str(&r, (int)i, buf, 1);
			bt_jr_get(&r, (int)i, "servers");
			bt_jr_at(&r, (int)i, 3);
		}
		bt_jr_free(&r);
	} else if (r.t || r.n) {
		abort();
	}

	memset(v, 0, sizeof(v));
	strcpy(v[0].address, "10.0.2.2");
	v[0].have = BT_SRV_PORT;
	v[0].port = 11019;
	strcpy(v[1].address, "192.0.2.9");
	v[1].passive = true;
	if (!null)
		return 0;
	bt_view_servers(null, null, v, 2, text, size, false);
	bt_view_peers(null, null, text, size, false);
	/* JSON output must stay JSON whatever the blob held. */
	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	bt_view_servers(f, null, v, 2, text, size, true);
	fclose(f);
	check_json(out, outlen);
	free(out);
	out = NULL;
	f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	bt_view_peers(f, null, text, size, true);
	fclose(f);
	check_json(out, outlen);
	free(out);
	fclose(null);
	return 0;
}
