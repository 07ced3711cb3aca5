// SPDX-License-Identifier: GPL-2.0
/*
 * The logger's per-site rate limit: a burst from one call site prints at
 * most rl_burst lines and, once its interval is over, one line counting
 * the rest; another site keeps its own budget; debug is never limited.
 * The lines are read back from stderr (redirected to a file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct cap {
	FILE *f;
	int saved;
};

static void cap_start(struct cap *c)
{
	c->f = tmpfile();
	assert_non_null(c->f);
	fflush(stderr);
	c->saved = dup(2);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(fileno(c->f), 2), 2);
}

/* Counts the captured lines containing needle (all lines: NULL). */
static int cap_count(struct cap *c, const char *needle)
{
	char line[512];
	int n = 0;

	fflush(stderr);
	rewind(c->f);
	while (fgets(line, sizeof(line), c->f))
		if (!needle || strstr(line, needle))
			n++;
	return n;
}

static void cap_end(struct cap *c)
{
	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	fclose(c->f);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void site_a(struct bt_log *l, int i)
{
	LOG_W(l, "site a %d", i);
}

static void test_burst_limited(void **state)
{
	struct bt_log l;
	struct cap c;

	(void)state;
	bt_log_init(&l, "test", BT_LOG_DEBUG, false);
	l.rl_interval_ms = 300;
	cap_start(&c);
	for (int i = 0; i < 1000; i++)
		site_a(&l, i);
	LOG_E(&l, "site b");
	assert_int_equal(cap_count(&c, "site a"), BT_LOG_RL_BURST);
	assert_int_equal(cap_count(&c, "site b"), 1);
	assert_int_equal(cap_count(&c, "suppressed"), 0);
	sleep_ms(350);
	site_a(&l, 1000);
	/* The new interval opens with the count, then the message itself. */
	assert_int_equal(cap_count(&c, "990 messages like \"site a %d\" suppressed"), 1);
	assert_int_equal(cap_count(&c, "site a 1000"), 1);
	assert_int_equal(cap_count(&c, NULL), BT_LOG_RL_BURST + 3);
	cap_end(&c);
	bt_log_close(&l);
}

static void test_debug_unlimited(void **state)
{
	struct bt_log l;
	struct cap c;

	(void)state;
	bt_log_init(&l, "test", BT_LOG_DEBUG, false);
	cap_start(&c);
	for (int i = 0; i < 100; i++)
		LOG_D(&l, "debug %d", i);
	assert_int_equal(cap_count(&c, "debug"), 100);
	cap_end(&c);
	bt_log_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_limited),
		cmocka_unit_test(test_debug_unlimited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
