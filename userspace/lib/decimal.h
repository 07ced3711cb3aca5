/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A number an operator typed: digits only, at most max.  strtoull() alone
 * would take a sign, leading space, "0x" or a trailing suffix.
 */
#ifndef BMPTAP_DECIMAL_H
#define BMPTAP_DECIMAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline bool bt_decimal(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 20)
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v > max)
		return false;
	*out = v;
	return true;
}

#endif
