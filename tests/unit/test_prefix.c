// SPDX-License-Identifier: GPL-2.0
/*
 * The one userspace prefix parser and matcher (prefix.h): what it accepts,
 * what it refuses and why, host bits, and matching addresses (IPv4-mapped
 * sources against IPv4 prefixes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "prefix.h"

static void test_parse(void **state)
{
	struct bt_prefix p;
	uint8_t want[16] = { 10, 1 };

	(void)state;
	assert_int_equal(bt_prefix_parse("10.1.0.0/16", &p), BT_PREFIX_OK);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 16);
	assert_memory_equal(p.addr, want, 16);
	assert_int_equal(bt_prefix_parse("2001:db8::1", &p), BT_PREFIX_OK);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.len, 128);	/* no /LEN: a host */
	assert_int_equal(bt_prefix_parse("::/0", &p), BT_PREFIX_OK);
	assert_int_equal(p.len, 0);
	assert_int_equal(bt_prefix_parse("10.0.0.0/032", &p), BT_PREFIX_OK);
	assert_int_equal(p.len, 32);

	const char *const bad_addr[] = { "", "/8", "foo/8", "10.0.0/8", "10.0.0.0.0",
		"2001:db8::1::2/64", "0123456789abcdef0123456789abcdef0123456789abcdef/8" };
	for (size_t i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++)
		assert_int_equal(bt_prefix_parse(bad_addr[i], &p), BT_PREFIX_BAD_ADDR);

	const char *const bad_len[] = { "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/abc",
		"10.0.0.0/-0", "10.0.0.0/+8", "10.0.0.0/ 8", "2001:db8::/129",
		"10.0.0.0/99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		assert_int_equal(bt_prefix_parse(bad_len[i], &p), BT_PREFIX_BAD_LEN);
		assert_int_not_equal(bt_prefix_bits(p.family), 0);	/* family known */
	}
}

static void test_host_bits(void **state)
{
	struct bt_prefix p;

	(void)state;
	assert_int_equal(bt_prefix_parse("10.0.0.1/8", &p), BT_PREFIX_OK);
	assert_true(bt_prefix_host_bits(&p));
	assert_int_equal(bt_prefix_parse("10.0.0.0/8", &p), BT_PREFIX_OK);
	assert_false(bt_prefix_host_bits(&p));
	assert_int_equal(bt_prefix_parse("2001:db8::1/127", &p), BT_PREFIX_OK);
	assert_true(bt_prefix_host_bits(&p));
	assert_int_equal(bt_prefix_parse("2001:db8::1/128", &p), BT_PREFIX_OK);
	assert_false(bt_prefix_host_bits(&p));
}

static struct sockaddr_storage sa(const char *addr)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, addr, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, addr, &s4->sin_addr), 1);
	}
	return ss;
}

static void test_has(void **state)
{
	struct sockaddr_storage v4 = sa("192.0.2.77"), mapped = sa("::ffff:192.0.2.77"),
				v6 = sa("2001:db8:1::5");

	(void)state;
	assert_true(bt_prefix_str_has("192.0.2.64/26", &v4));
	assert_false(bt_prefix_str_has("192.0.2.0/26", &v4));
	assert_true(bt_prefix_str_has("0.0.0.0/0", &v4));
	assert_true(bt_prefix_str_has("192.0.2.77", &v4));
	assert_false(bt_prefix_str_has("192.0.2.76", &v4));
	assert_true(bt_prefix_str_has("192.0.2.64/26", &mapped));
	assert_false(bt_prefix_str_has("::/0", &v4));
	assert_true(bt_prefix_str_has("2001:db8::/32", &v6));
	assert_false(bt_prefix_str_has("2001:db8:2::/48", &v6));
	assert_false(bt_prefix_str_has("0.0.0.0/0", &v6));
	/* A malformed entry matches nothing (allow lists fail closed). */
	assert_false(bt_prefix_str_has("192.0.2.0/abc", &v4));
	assert_false(bt_prefix_str_has("/0", &v4));
}

static void test_bits_eq(void **state)
{
	const uint8_t a[16] = { 0xc0, 0x00, 0x02, 0x80 }, b[16] = { 0xc0, 0x00, 0x02, 0xc0 };

	(void)state;
	assert_true(bt_prefix_bits_eq(a, b, 0));
	assert_true(bt_prefix_bits_eq(a, b, 25));
	assert_false(bt_prefix_bits_eq(a, b, 26));
	assert_false(bt_prefix_bits_eq(a, b, 32));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_host_bits),
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_bits_eq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
