/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptap's domain model: tap settings and counters, flows, BMP server
 * configs.  The CLI, the configuration files, the collectors and the
 * netlink layer (nl.h, which moves these to and from the module) share it;
 * none of them needs the netlink layer for the types alone.
 */
#ifndef BMPTAP_MODEL_H
#define BMPTAP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bmptap.h>

/* ---- tap settings and counters ------------------------------------------ */

struct bt_counters {
	uint64_t v[BMPTAP_CNT_MAX + 1];
	uint64_t present;		/* bit i: v[i] was reported */
};

/* Name used in CLI output and JSON, NULL for PAD/UNSPEC/unknown. */
const char *bt_counter_name(unsigned int cnt);

#define BT_NS_PORTS		(1U << 0)
#define BT_NS_FORWARD		(1U << 1)
#define BT_NS_MAX_FLOWS		(1U << 2)
#define BT_NS_QUEUE_BYTES	(1U << 3)
#define BT_NS_FLOW_REASM_BYTES	(1U << 4)
#define BT_NS_IDLE_TIMEOUT	(1U << 5)

struct bt_netns_settings {
	unsigned int have;		/* BT_NS_*: present / to be set */
	uint16_t ports[BMPTAP_MAX_PORTS];
	unsigned int n_ports;
	bool forward;
	uint32_t max_flows, queue_bytes, flow_reasm_bytes, idle_timeout;
};

struct bt_netns {
	struct bt_netns_settings set;
	struct bt_counters cnt;
	uint32_t flows;
	uint64_t queued_bytes, queued_records, next_seq;
	uint64_t queue_epoch, acked_seq;	/* 0: a module without them */
};

/* ---- flows --------------------------------------------------------------- */

struct bt_flow {
	uint64_t id;
	bool have_info, have_last_seq;
	struct bmptap_flow_info info;
	uint8_t *open[2];		/* by enum bmptap_dir, malloc'd; NULL if none */
	size_t open_len[2];
	struct bt_counters cnt[2];	/* by enum bmptap_dir */
	uint64_t last_seq;
};

struct bt_flow_list {
	struct bt_flow *v;
	size_t n, cap;
};

void bt_flow_free(struct bt_flow *f);	/* the OPENs */
void bt_flow_list_free(struct bt_flow_list *l);

/* ---- BMP server configs -------------------------------------------------- */

#define BT_SRV_PORT		(1U << 0)
#define BT_SRV_POLICY		(1U << 1)
#define BT_SRV_STATS_TIMEOUT	(1U << 2)
#define BT_SRV_MIRRORING	(1U << 3)
#define BT_SRV_SYS_NAME		(1U << 4)
#define BT_SRV_SYS_DESCR	(1U << 5)
#define BT_SRV_PASSIVE		(1U << 6)
#define BT_SRV_ALLOW		(1U << 7)
/* Selection, pacing and connection (select.h). */
#define BT_SRV_FAMILIES		(1U << 8)
#define BT_SRV_PEERS		(1U << 9)
#define BT_SRV_REPLAY_RATE	(1U << 10)
#define BT_SRV_SOURCE		(1U << 11)
#define BT_SRV_DSCP		(1U << 12)
/* BMP over TLS (tls.h). */
#define BT_SRV_TLS		(1U << 13)
#define BT_SRV_TLS_CA		(1U << 14)
#define BT_SRV_TLS_CERT		(1U << 15)
#define BT_SRV_TLS_KEY		(1U << 16)
#define BT_SRV_TLS_NAME		(1U << 17)

#define BT_BMP_PORT		11019

struct bt_server_cfg {
	unsigned int have;		/* BT_SRV_*; the address is always there */
	char address[BMPTAP_SERVER_ADDRESS_MAX + 1];
	uint16_t port;
	uint32_t policy;		/* BMPTAP_POLICY_* */
	uint32_t stats_timeout;
	bool mirroring, passive;
	char sys_name[BMPTAP_SERVER_STRING_MAX + 1];
	char sys_descr[BMPTAP_SERVER_STRING_MAX + 1];
	char allow[BMPTAP_SERVER_STRING_MAX + 1];
	uint32_t families;		/* BMPTAP_FAMILY_*; absent: all */
	uint32_t replay_rate;		/* replay messages/s; 0, absent: unpaced */
	uint8_t dscp;
	char peers[BMPTAP_SERVER_STRING_MAX + 1];	/* absent: all */
	char source[BMPTAP_SERVER_SOURCE_MAX + 1];
	bool tls;
	char ca_file[BMPTAP_SERVER_STRING_MAX + 1];
	char cert_file[BMPTAP_SERVER_STRING_MAX + 1];
	char key_file[BMPTAP_SERVER_STRING_MAX + 1];
	char tls_name[BMPTAP_SERVER_STRING_MAX + 1];
};

struct bt_server_list {
	struct bt_server_cfg *v;
	size_t n, cap;
};

/* Appends a copy of s; -ENOMEM leaves the list as it was. */
int bt_server_list_add(struct bt_server_list *l, const struct bt_server_cfg *s);
void bt_server_list_free(struct bt_server_list *l);

#endif
