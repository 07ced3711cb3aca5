/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BMPTAP_NETNS_NAME_H
#define BMPTAP_NETNS_NAME_H

#include <stddef.h>

/*
 * The calling process's network namespace as `ip netns` names it (the
 * entry of /run/netns bound to it), else "default": the initial namespace
 * has no entry there, nor has one made by other means.  Names the files a
 * bmptapd keeps per namespace (control socket, checkpoint), so that
 * bmptapctl in the same namespace finds them.
 */
void netns_self_name(char *out, size_t len);

#endif
