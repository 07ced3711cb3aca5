/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptapd --user: a daemon started as root keeps only what it needs,
 * CAP_NET_ADMIN (configuring the module over generic netlink), under an
 * unprivileged uid.
 */
#ifndef BMPTAP_PRIVDROP_H
#define BMPTAP_PRIVDROP_H

#include <stddef.h>

/* Switches to USER's uid, gid and supplementary groups with CAP_NET_ADMIN
 * as the only capability left (effective, permitted and bounding set).
 * Returns 0, or -1 with a one-line reason in ERR. */
int priv_drop(const char *user, char *err, size_t errlen);

#endif
