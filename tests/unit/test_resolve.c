// SPDX-License-Identifier: GPL-2.0
/*
 * Lookups off the loop (resolve.c) on a real loop and the real resolver
 * (names from /etc/hosts, so no DNS is needed): the result comes back
 * through the loop, a cancelled lookup never calls back and its thread
 * goes away.  (A lookup stuck on a dead DNS server, and its timeout, is
 * tests/host/dns.sh: that needs namespaces.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "resolve.h"

struct res {
	int calls;
	int addrs;
	char error[64];
};

static void on_res(void *ctx, struct addrinfo *ai, const char *error)
{
	struct res *r = ctx;

	r->calls++;
	for (struct addrinfo *a = ai; a; a = a->ai_next)
		r->addrs++;
	if (ai)
		freeaddrinfo(ai);
	snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
}

static const struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_INET };

static void run_until(struct loop *l, const int *calls, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	while (!*calls && loop_now_ms() < end)
		assert_int_equal(loop_run_once(l, 50), 0);
}

static void test_localhost(void **state)
{
	struct loop l;
	struct res r = { 0 };

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	assert_non_null(resolve_start(&l, "localhost", "1790", &hints, 5000, on_res, &r));
	run_until(&l, &r.calls, 5000);
	assert_int_equal(r.calls, 1);
	assert_string_equal(r.error, "");
	assert_true(r.addrs >= 1);
	loop_free(&l);
}

static void test_unknown(void **state)
{
	struct loop l;
	struct res r = { 0 };
	struct addrinfo h = hints;

	(void)state;
	/* Numeric only: "not known" without asking any server. */
	h.ai_flags = AI_NUMERICHOST;
	assert_int_equal(loop_init(&l), 0);
	assert_non_null(resolve_start(&l, "no.such.host.invalid", "1", &h, 5000, on_res, &r));
	run_until(&l, &r.calls, 5000);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.addrs, 0);
	assert_true(r.error[0]);
	loop_free(&l);
}

static void test_cancel(void **state)
{
	struct loop l;
	struct res r = { 0 };
	struct resolve *q;

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	q = resolve_start(&l, "localhost", "1", &hints, 5000, on_res, &r);
	assert_non_null(q);
	resolve_cancel(q);
	for (int i = 0; i < 20; i++)
		assert_int_equal(loop_run_once(&l, 10), 0);
	for (int i = 0; i < 500 && resolve_in_flight(); i++)
		usleep(10000);
	assert_int_equal(resolve_in_flight(), 0);
	assert_int_equal(r.calls, 0);
	loop_free(&l);
}

static void test_many_cancelled(void **state)
{
	struct loop l;
	struct resolve *q[RESOLVE_MAX_THREADS + 1];
	struct res r = { 0 };
	int started = 0;

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	for (int i = 0; i <= RESOLVE_MAX_THREADS; i++) {
		q[i] = resolve_start(&l, "localhost", "1", &hints, 5000, on_res, &r);
		started += q[i] != NULL;
	}
	/* The lookups are quick: some may be done (and freed their slot). */
	assert_true(started >= 1);
	assert_true(resolve_in_flight() <= RESOLVE_MAX_THREADS);
	for (int i = 0; i <= RESOLVE_MAX_THREADS; i++)
		resolve_cancel(q[i]);
	for (int i = 0; i < 500 && resolve_in_flight(); i++)
		usleep(10000);
	assert_int_equal(resolve_in_flight(), 0);
	assert_int_equal(r.calls, 0);
	loop_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_localhost),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_many_cancelled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
