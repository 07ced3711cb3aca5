// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap: the per-netns state (settings, counters, flows, queue, hooks)
 * and its lifetime.  Knows nothing of the genl family, which is layered on
 * top (netlink.c).
 */
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "bmptap.h"

/* Expiry and retry of pending records. */
#define BMPTAP_GC_INTERVAL	(5 * HZ)

static unsigned int bmptap_net_id __read_mostly;

/*
 * The id is valid while the pernet ops are registered, which covers every
 * caller: the genl family and the netlink notifier come and go inside that.
 */
struct bmptap_net *bmptap_net_get(const struct net *net)
{
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
 * records (queue shut down), no gc work, then free flows, queue and
 * settings.  The genl side of the netns (doorbell, stored servers and
 * filters) was torn down before this, its pernet exit running first.
 * Live TCP sessions and listeners are untouched: the tap only ever read.
 */
static void __net_exit bmptap_net_exit(struct net *net)
{
	struct bmptap_net *bn = net_generic(net, bmptap_net_id);

	bmptap_hooks_exit(bn);
	bmptap_queue_shutdown(&bn->queue);
	cancel_delayed_work_sync(&bn->gc_work);
	bmptap_flows_exit(bn);
	bmptap_queue_free(&bn->queue);
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

int bmptap_net_register(void)
{
	return register_pernet_subsys(&bmptap_net_ops);
}

void bmptap_net_unregister(void)
{
	unregister_pernet_subsys(&bmptap_net_ops);
}
