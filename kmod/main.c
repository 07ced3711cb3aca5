// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap: taps the BGP sessions of unmodified daemons, cuts their TCP
 * streams into BGP messages and queues them for the bmptapd helper, which
 * reads them over generic netlink and speaks BMP (RFC 7854).
 *
 * This file: module init and exit, nothing else.  The layers, bottom up:
 * auth.c (TCP-MD5 checks), net.c (per-netns state: hooks, flows, queue),
 * netlink.c (the genl family on top of it).
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "bmptap.h"
#include "netlink.h"

/*
 * The genl family is registered last, as in WireGuard: userspace can reach
 * the module only once everything it can ask for exists, so no op ever
 * meets half-built state.  Until a reader's first READ arms a netns's
 * queue, nothing there sends a notification either.
 */
static int __init bmptap_init(void)
{
	int err;

	/* Before the hooks (registered per netns) can call bmptap_auth_check(). */
	err = bmptap_auth_init();
	if (err)
		return err;
	err = bmptap_net_register();
	if (err)
		goto err_auth;
	err = bmptap_genl_init();
	if (err)
		goto err_net;
	return 0;

err_net:
	bmptap_net_unregister();
err_auth:
	bmptap_auth_exit();
	return err;
}

/*
 * The family goes first: genl_unregister_family() waits for running doit
 * ops and no new ones start (dumps hold a module reference, so none is
 * running here), so nothing from userspace touches a netns's state while
 * bmptap_net_unregister() frees it.  kfree_rcu() calls no module code, so
 * no rcu_barrier() is needed.
 */
static void __exit bmptap_exit(void)
{
	bmptap_genl_exit();
	bmptap_net_unregister();
	/* Every hook is unregistered (and has finished) by now. */
	bmptap_auth_exit();
}

module_init(bmptap_init);
module_exit(bmptap_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(BMPTAP_VERSION);
MODULE_DESCRIPTION("Tap BGP sessions and relay their messages for BMP");
MODULE_ALIAS_GENL_FAMILY(BMPTAP_GENL_NAME);
