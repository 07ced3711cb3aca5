// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

/* More slots than the daemon has call sites, so that sites rarely share
 * one; two that do just share a budget. */
#define RL_SLOTS 256

struct rl_site {
	const char *fmt;
	uint64_t start_ms;	/* of the current interval */
	unsigned lines;		/* printed in it */
	unsigned suppressed;	/* dropped since the last printed line */
};

struct bt_log_sites {
	struct rl_site s[RL_SLOTS];
};

void bt_log_init(struct bt_log *l, const char *ident, int level, bool use_syslog)
{
	l->ident = ident;
	l->level = level;
	l->syslog = use_syslog;
	l->rl_burst = BT_LOG_RL_BURST;
	l->rl_interval_ms = BT_LOG_RL_INTERVAL_MS;
	/* Without memory the logger works, unlimited. */
	l->sites = calloc(1, sizeof(*l->sites));
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void bt_log_close(struct bt_log *l)
{
	free(l->sites);
	l->sites = NULL;
	if (l->syslog)
		closelog();
}

bool bt_log_enabled(const struct bt_log *l, int level)
{
	return l && level <= l->level;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void emit(const struct bt_log *l, int level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const name[] = { "error", "warn", "info", "debug" };

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
}

static void emitf(const struct bt_log *l, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void emitf(const struct bt_log *l, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(l, level, fmt, ap);
	va_end(ap);
}

/* False when the line is over its site's budget (and counted). */
static bool rl_pass(const struct bt_log *l, int level, const char *fmt)
{
	struct rl_site *s;
	uint64_t now;

	if (!l->sites || !l->rl_burst || level >= BT_LOG_DEBUG)
		return true;
	s = &l->sites->s[((uintptr_t)fmt >> 3) % RL_SLOTS];
	now = now_ms();
	if (s->fmt != fmt || now - s->start_ms >= l->rl_interval_ms) {
		if (s->suppressed)
			emitf(l, level, "%u messages like \"%s\" suppressed", s->suppressed, s->fmt);
		*s = (struct rl_site){ .fmt = fmt, .start_ms = now };
	}
	if (s->lines >= l->rl_burst) {
		s->suppressed++;
		return false;
	}
	s->lines++;
	return true;
}

void bt_log_msg(const struct bt_log *l, int level, const char *fmt, ...)
{
	va_list ap;

	if (!bt_log_enabled(l, level))
		return;
	if (level < BT_LOG_ERROR)
		level = BT_LOG_ERROR;
	if (level > BT_LOG_DEBUG)
		level = BT_LOG_DEBUG;
	if (!rl_pass(l, level, fmt))
		return;
	va_start(ap, fmt);
	emit(l, level, fmt, ap);
	va_end(ap);
}
