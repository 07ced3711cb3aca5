/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptap: the genl family, the module's only interface to userspace.
 * main.c's only view of netlink.c; netlink.c calls nothing in main.c.
 */
#ifndef BMPTAP_NETLINK_H
#define BMPTAP_NETLINK_H

/*
 * Register the family, last (the per-netns state must exist), and its
 * per-netns part: the doorbell and the stored servers and filters.
 */
int bmptap_genl_init(void);
/* Unregister it, first: no op runs after this returns. */
void bmptap_genl_exit(void);

#endif /* BMPTAP_NETLINK_H */
