/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptapctl argument parsing, kept apart from execution so that every
 * accepted and refused command line can be unit-tested without a kernel.
 * Nothing here touches a socket or prints.
 */
#ifndef BMPTAP_CLI_H
#define BMPTAP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "model.h"

enum bt_cli_cmd {
	BT_CLI_HELP,
	BT_CLI_SHOW_FLOWS,
	BT_CLI_SHOW_COUNTERS,
	BT_CLI_SHOW_TAP,
	BT_CLI_SHOW_SERVERS,
	BT_CLI_SHOW_STATUS,
	BT_CLI_TAP_SET,
	BT_CLI_SERVER_ADD,
	BT_CLI_SERVER_SET,
	BT_CLI_SERVER_DEL,
	BT_CLI_SHOW_PEERS,
	BT_CLI_CONFIG_LOAD,
	BT_CLI_CONFIG_SHOW,
	BT_CLI_MONITOR,
	BT_CLI_FILTER_ADD,
	BT_CLI_FILTER_DEL,
	BT_CLI_FILTER_SHOW,
};

struct bt_cli_req {
	enum bt_cli_cmd cmd;
	bool json;
	const char *socket;			/* -S PATH: bmptapd's control socket */
	struct bt_netns_settings tap;		/* TAP_SET: have = given */
	/*
	 * SERVER_*: address and port identify the server.  ADD has every
	 * default filled in; SET has only what was given (merged into the
	 * stored config by the caller).
	 */
	struct bt_server_cfg server;
	char warning[160];			/* "" or one line for stderr */
	const char *file;			/* CONFIG_LOAD: argv element, "-": stdin */
	bool merge;				/* CONFIG_LOAD: keep servers not in the file */
	struct bt_filter filter;		/* FILTER_ADD (all), FILTER_DEL (name) */
};

#define BT_CLI_ERRLEN	512

/*
 * argv[0] is the program name.  Returns 0, or -1 with one line (no
 * program name, no newline) naming the offending argument in err.
 */
int bt_cli_parse(int argc, char *const argv[], struct bt_cli_req *req,
		 char *err, size_t errlen);

/* The `tap set` keywords alone, for tools that take the same options. */
int bt_cli_parse_tap_opts(int argc, char *const argv[],
			  struct bt_netns_settings *s, char *err, size_t errlen);

/*
 * Accepts an IPv4 or IPv6 address or an RFC 1123 host name and writes its
 * canonical form (inet_ntop() text, lower-case name) to out.
 */
bool bt_cli_norm_address(const char *in, char *out, size_t outlen);
bool bt_cli_valid_hostname(const char *s);

/* Overwrites in dst what upd says it has (upd->have). */
void bt_cli_server_merge(struct bt_server_cfg *dst,
			 const struct bt_server_cfg *upd);
bool bt_cli_server_match(const struct bt_server_cfg *s, const char *address,
			 uint16_t port);

/*
 * A policy as `server add` takes it (one name or NAME,NAME..); deprecated
 * is set for "both".  For the config file reader.
 */
bool bt_cli_policy_parse(const char *v, uint32_t *out, bool *deprecated);
/* A passive server's allow list: PREFIX[,PREFIX..]. */
bool bt_cli_valid_allow(const char *v);

/* Comma-separated names of the BMPTAP_POLICY_* bits. */
void bt_cli_policy_str(uint32_t policy, char *out, size_t outlen);

const char *bt_cli_usage(void);

#endif /* BMPTAP_CLI_H */
