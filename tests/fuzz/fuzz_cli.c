// fuzz-sources: userspace/bmptapctl/cli.c userspace/bgp/filter.c userspace/lib/nl.c (links -lmnl)
// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for bmptapctl's command line and the prefix parsing
 * shared with bmptapd (allow entries, import filters).  The input's first
 * line is one prefix; the rest, split at blanks, is an argv.
 *
 * Invariants: no crash or sanitizer report; bt_cli_parse() refuses with
 * exactly one non-empty line; an accepted filter passes bt_filter_valid()
 * (what the module hands back is checked the same way); an accepted allow
 * list is valid, entry by entry; a parsed prefix is within its family's
 * bits and reads back the same once printed.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "filter.h"
#include "prefix.h"

#define MAX_IN 512

static void check_prefix(const char *s)
{
	struct bt_prefix a, b;
	char txt[INET6_ADDRSTRLEN + 8];

	if (bt_prefix_parse(s, &a) != BT_PREFIX_OK)
		return;
	if ((a.family != AF_INET || a.len > 32) && (a.family != AF_INET6 || a.len > 128))
		abort();
	inet_ntop(a.family, a.addr, txt, INET6_ADDRSTRLEN);
	snprintf(txt + strlen(txt), 8, "/%u", a.len);
	if (bt_prefix_parse(txt, &b) != BT_PREFIX_OK || b.family != a.family || b.len != a.len ||
	    memcmp(a.addr, b.addr, 16))
		abort();
}

static void check_allow(const char *v)
{
	char list[sizeof(((struct bt_server_cfg *)0)->allow)], *save = NULL;
	struct bt_prefix p;

	if (!bt_cli_valid_allow(v))
		abort();
	snprintf(list, sizeof(list), "%s", v);
	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
		if (bt_prefix_parse(t, &p) != BT_PREFIX_OK)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[MAX_IN + 1], *argv[64], *save = NULL, *nl;
	int argc = 0;
	struct bt_cli_req req;
	char err[BT_CLI_ERRLEN];

	if (size > MAX_IN)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (strlen(in) != size)
		return 0;
	nl = strchr(in, '\n');
	if (nl)
		*nl = '\0';
	check_prefix(in);
	argv[argc++] = "bmptapctl";
	for (char *t = nl ? strtok_r(nl + 1, " \t\n", &save) : NULL; t && argc < 64;
	     t = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = t;
	memset(&req, 0, sizeof(req));
	err[0] = '\0';
	if (bt_cli_parse(argc, argv, &req, err, sizeof(err))) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (req.cmd == BT_CLI_FILTER_ADD && !bt_filter_valid(&req.filter))
		abort();
	if ((req.cmd == BT_CLI_SERVER_ADD || req.cmd == BT_CLI_SERVER_SET) &&
	    (req.server.have & BT_SRV_ALLOW) && req.server.allow[0])
		check_allow(req.server.allow);
	return 0;
}
