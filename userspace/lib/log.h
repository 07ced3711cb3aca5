/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leveled logging for bmptapd.  The logger is a plain struct owned by the
 * daemon context and handed to every module that logs, so there is no
 * process-wide logging state; a NULL logger is silent (unit tests).
 *
 * Messages are rate-limited per call site (its format string), as the
 * kernel's printk_ratelimited: at most rl_burst lines per rl_interval_ms,
 * and the first line of a later interval is preceded by how many were
 * suppressed.  Input from the network or the module (a flood of refused
 * collectors, a malformed stream) can then not flood the journal.  Debug
 * messages are not limited: the operator asked for them.
 */
#ifndef BMPTAP_LOG_H
#define BMPTAP_LOG_H

#include <stdbool.h>

enum bt_log_level {
	BT_LOG_ERROR,
	BT_LOG_WARN,
	BT_LOG_INFO,
	BT_LOG_DEBUG,
};

#define BT_LOG_RL_BURST	10
#define BT_LOG_RL_INTERVAL_MS	10000

struct bt_log_sites;

struct bt_log {
	int level;		/* messages above it are dropped */
	bool syslog;		/* syslog(3) instead of stderr */
	const char *ident;
	unsigned rl_burst;	/* lines per site and interval; 0: no limit */
	unsigned rl_interval_ms;
	struct bt_log_sites *sites;	/* NULL: no limit */
};

void bt_log_init(struct bt_log *l, const char *ident, int level, bool use_syslog);
void bt_log_close(struct bt_log *l);
bool bt_log_enabled(const struct bt_log *l, int level);
void bt_log_msg(const struct bt_log *l, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define LOG_E(l, ...) bt_log_msg((l), BT_LOG_ERROR, __VA_ARGS__)
#define LOG_W(l, ...) bt_log_msg((l), BT_LOG_WARN, __VA_ARGS__)
#define LOG_I(l, ...) bt_log_msg((l), BT_LOG_INFO, __VA_ARGS__)
#define LOG_D(l, ...) bt_log_msg((l), BT_LOG_DEBUG, __VA_ARGS__)

#endif
