/* Helpers shared by the BGP/BMP unit tests: hex vectors and message builders. */
#ifndef BMPTAP_BGP_TESTUTIL_H
#define BMPTAP_BGP_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "buf.h"

/* Decodes hex, ignoring spaces and newlines. */
static inline size_t hx(uint8_t *out, const char *hex)
{
	size_t n = 0;
	unsigned v;
	while (*hex) {
		if (*hex == ' ' || *hex == '\n') {
			hex++;
			continue;
		}
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* Wraps a body into a BGP message of the given type. */
static inline size_t bgp_msg(uint8_t *out, uint8_t type, const uint8_t *body, size_t len)
{
	memset(out, 0xff, 16);
	put_u16(out + 16, (uint16_t)(len + 19));
	out[18] = type;
	memcpy(out + 19, body, len);
	return len + 19;
}

/* UPDATE from hex withdrawn routes, attributes and NLRI. */
static inline size_t mk_update(uint8_t *out, const char *wd, const char *attrs, const char *nlri)
{
	uint8_t body[8192];
	size_t n = 2 + hx(body + 2, wd);
	put_u16(body, (uint16_t)(n - 2));
	size_t a = hx(body + n + 2, attrs);
	put_u16(body + n, (uint16_t)a);
	n += 2 + a;
	n += hx(body + n, nlri);
	return bgp_msg(out, 2, body, n);
}

static inline void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[8192];
	size_t n = hx(want, hex);
	if (n != len || memcmp(want, got, n)) {
		fprintf(stderr, "length got %zu want %zu\n got:  ", len, n);
		for (size_t i = 0; i < len; i++)
			fprintf(stderr, "%02x", got[i]);
		fprintf(stderr, "\n want: ");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%02x", want[i]);
		fprintf(stderr, "\n");
	}
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
}

#endif
