// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap: taps the BGP sessions of unmodified daemons, cuts their TCP
 * streams into BGP messages and queues them for the bmptapd helper, which
 * reads them over generic netlink and speaks BMP (RFC 7854).
 *
 * This file: module init/exit and the per-netns state.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "bmptap.h"

/* Expiry and retry of pending records. */
#define BMPTAP_GC_INTERVAL	(5 * HZ)

static unsigned int bmptap_net_id __read_mostly;
/* net_generic() ids are valid only while the pernet ops are registered. */
static bool bmptap_ready __read_mostly;

struct bmptap_net *bmptap_net_get(const struct net *net)
{
	if (!smp_load_acquire(&bmptap_ready))
		return NULL;
	return net_generic(net, bmptap_net_id);
}

void bmptap_counters_sum(struct bmptap_net *bn, u64 *cnt)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct bmptap_pcpu_cnt *c = per_cpu_ptr(bn->cnt, cpu);
		u64 v[__BMPTAP_CNT_MAX];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			for (i = 0; i < __BMPTAP_CNT_MAX; i++)
				v[i] = u64_stats_read(&c->v[i]);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		for (i = 0; i < __BMPTAP_CNT_MAX; i++)
			cnt[i] += v[i];
	}
}

static void bmptap_gc_work(struct work_struct *work)
{
	struct bmptap_net *bn = container_of(to_delayed_work(work), struct bmptap_net,
					     gc_work);

	bmptap_flows_gc(bn);
	schedule_delayed_work(&bn->gc_work, BMPTAP_GC_INTERVAL);
}

static struct bmptap_settings *bmptap_default_settings(void)
{
	struct bmptap_settings *set;

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return NULL;
	set->ports[0] = BMPTAP_DEF_PORT;
	set->nports = 1;
	set->forward = false;
	set->max_flows = BMPTAP_DEF_MAX_FLOWS;
	set->queue_bytes = BMPTAP_DEF_QUEUE_BYTES;
	set->flow_reasm_bytes = BMPTAP_DEF_FLOW_REASM_BYTES;
	set->idle_timeout = BMPTAP_DEF_IDLE_TIMEOUT;
	return set;
}

static int __net_init bmptap_net_init(struct net *net)
{
	struct bmptap_net *bn = net_generic(net, bmptap_net_id);
	struct bmptap_settings *set;
	int err, cpu;

	bn->net = net;
	mutex_init(&bn->cfg_lock);
	bn->cnt = alloc_percpu(struct bmptap_pcpu_cnt);	/* zeroed */
	if (!bn->cnt)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(bn->cnt, cpu)->syncp);
	atomic_long_set(&bn->reasm_held, 0);
	INIT_WORK(&bn->doorbell_work, bmptap_doorbell_work);
	INIT_DELAYED_WORK(&bn->gc_work, bmptap_gc_work);

	set = bmptap_default_settings();
	if (!set) {
		err = -ENOMEM;
		goto err_cnt;
	}
	RCU_INIT_POINTER(bn->settings, set);
	bmptap_queue_init(&bn->queue, set->queue_bytes);

	err = bmptap_flows_init(bn);
	if (err)
		goto err_settings;
	err = bmptap_hooks_init(bn);
	if (err)
		goto err_flows;
	schedule_delayed_work(&bn->gc_work, BMPTAP_GC_INTERVAL);
	return 0;

err_flows:
	bmptap_flows_exit(bn);
err_settings:
	RCU_INIT_POINTER(bn->settings, NULL);
	kfree(set);
err_cnt:
	free_percpu(bn->cnt);
	bn->cnt = NULL;
	return err;
}

/*
 * Order: no new segments (hooks gone, in-flight ones waited for), no new
 * records (queue shut down), no works, then free flows, queue and config.
 * Live TCP sessions and listeners are untouched: the tap only ever read.
 */
static void __net_exit bmptap_net_exit(struct net *net)
{
	struct bmptap_net *bn = net_generic(net, bmptap_net_id);

	bmptap_hooks_exit(bn);
	bmptap_queue_shutdown(&bn->queue);
	cancel_delayed_work_sync(&bn->gc_work);
	cancel_work_sync(&bn->doorbell_work);
	bmptap_flows_exit(bn);
	bmptap_queue_free(&bn->queue);
	bmptap_nl_net_exit(bn);
	kfree(rcu_dereference_protected(bn->settings, true));
	RCU_INIT_POINTER(bn->settings, NULL);
	WARN_ON_ONCE(atomic_long_read(&bn->reasm_held));
	/* Last: ending the flows above folded their counters in. */
	free_percpu(bn->cnt);
	bn->cnt = NULL;
}

static struct pernet_operations bmptap_net_ops = {
	.init = bmptap_net_init,
	.exit = bmptap_net_exit,
	.id = &bmptap_net_id,
	.size = sizeof(struct bmptap_net),
};

/*
 * The family goes first so that the doorbell work of the first netns can
 * use it; its ops see no netns state until bmptap_ready is set.
 */
static int __init bmptap_init(void)
{
	int err;

	/* Before the hooks (registered per netns) can call bmptap_auth_check(). */
	err = bmptap_auth_init();
	if (err)
		return err;
	err = bmptap_nl_register();
	if (err)
		goto err_auth;
	err = register_pernet_subsys(&bmptap_net_ops);
	if (err)
		goto err_nl;
	smp_store_release(&bmptap_ready, true);
	return 0;

err_nl:
	bmptap_nl_unregister();
err_auth:
	bmptap_auth_exit();
	return err;
}

/*
 * The family goes first: genl_unregister_family() waits for running doit
 * ops and no new ones start, so none can touch a netns's state while
 * unregister_pernet_subsys() frees it.  Dumps hold a module reference, so
 * none is running here.  The pernet exits then cancel the works (whose
 * doorbells find the family gone and bmptap_ready clear).  kfree_rcu()
 * calls no module code, so no rcu_barrier() is needed.
 */
static void __exit bmptap_exit(void)
{
	smp_store_release(&bmptap_ready, false);
	bmptap_nl_unregister();
	unregister_pernet_subsys(&bmptap_net_ops);
	/* Every hook is unregistered (and has finished) by now. */
	bmptap_auth_exit();
}

module_init(bmptap_init);
module_exit(bmptap_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(BMPTAP_VERSION);
MODULE_DESCRIPTION("Tap BGP sessions and relay their messages for BMP");
MODULE_ALIAS_GENL_FAMILY(BMPTAP_GENL_NAME);
