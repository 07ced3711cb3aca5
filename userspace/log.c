// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

void bt_log_init(struct bt_log *l, const char *ident, int level, bool use_syslog)
{
	l->ident = ident;
	l->level = level;
	l->syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void bt_log_close(struct bt_log *l)
{
	if (l->syslog)
		closelog();
}

bool bt_log_enabled(const struct bt_log *l, int level)
{
	return l && level <= l->level;
}

void bt_log_msg(const struct bt_log *l, int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const name[] = { "error", "warn", "info", "debug" };
	va_list ap;

	if (!bt_log_enabled(l, level))
		return;
	if (level < BT_LOG_ERROR)
		level = BT_LOG_ERROR;
	if (level > BT_LOG_DEBUG)
		level = BT_LOG_DEBUG;
	va_start(ap, fmt);
	if (l->syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		/* Timestamps help when stderr is a terminal or a plain file;
		 * journald adds its own but a few bytes more do no harm. */
		struct timespec ts;
		struct tm tm;
		char t[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s %s: ", t, ts.tv_nsec / 1000000, l->ident, name[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
