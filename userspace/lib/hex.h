/* SPDX-License-Identifier: GPL-2.0 */
/* A hexadecimal digit's value, for the readers' \u escapes (JSON, TOML). */
#ifndef BMPTAP_HEX_H
#define BMPTAP_HEX_H

/* 0..15, or -1 for anything else. */
static inline int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* BMPTAP_HEX_H */
