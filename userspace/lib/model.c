// SPDX-License-Identifier: GPL-2.0
/*
 * The domain model's few functions (model.h): counter names, list memory.
 */
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

static const char *const counter_names[BMPTAP_CNT_MAX + 1] = {
	[BMPTAP_CNT_SEGMENTS] = "segments",
	[BMPTAP_CNT_BYTES] = "bytes",
	[BMPTAP_CNT_MESSAGES] = "messages",
	[BMPTAP_CNT_RETRANSMITS] = "retransmits",
	[BMPTAP_CNT_OUT_OF_ORDER] = "out_of_order",
	[BMPTAP_CNT_GAPS] = "gaps",
	[BMPTAP_CNT_GAP_BYTES] = "gap_bytes",
	[BMPTAP_CNT_DROPS] = "drops",
	[BMPTAP_CNT_CONFLICTS] = "conflicts",
	[BMPTAP_CNT_BAD_CSUM] = "bad_csum",
	[BMPTAP_CNT_NOMEM] = "nomem",
	[BMPTAP_CNT_FLOWS_CREATED] = "flows_created",
	[BMPTAP_CNT_FLOWS_EVICTED] = "flows_evicted",
	[BMPTAP_CNT_FLOWS_REFUSED] = "flows_refused",
	[BMPTAP_CNT_RECORDS] = "records",
	[BMPTAP_CNT_RECORDS_LOST] = "records_lost",
	[BMPTAP_CNT_FRAGMENTS] = "fragments",
	[BMPTAP_CNT_AUTH_FAIL] = "auth_fail",
	[BMPTAP_CNT_FLOWS_PEAK] = "flows_peak",
	[BMPTAP_CNT_HOOK_NS] = "hook_ns",
	[BMPTAP_CNT_PRUNED] = "pruned",
	[BMPTAP_CNT_PRUNED_BYTES] = "pruned_bytes",
	[BMPTAP_CNT_OUT_OF_WINDOW] = "out_of_window",
	[BMPTAP_CNT_BAD_ACK] = "bad_ack",
	[BMPTAP_CNT_RST_IGNORED] = "rst_ignored",
	[BMPTAP_CNT_FIN_IGNORED] = "fin_ignored",
	[BMPTAP_CNT_BOGUS] = "bogus",
	[BMPTAP_CNT_WRONG_IFACE] = "wrong_iface",
};

const char *bt_counter_name(unsigned int cnt)
{
	return cnt <= BMPTAP_CNT_MAX ? counter_names[cnt] : NULL;
}

void bt_flow_free(struct bt_flow *f)
{
	free(f->open[0]);
	free(f->open[1]);
}


void bt_flow_list_free(struct bt_flow_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		bt_flow_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}


int bt_server_list_add(struct bt_server_list *l, const struct bt_server_cfg *s)
{
	struct bt_server_cfg *v = array_grow(l->v, &l->cap, l->n, sizeof(*v), 8);

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *s;
	return 0;
}

void bt_server_list_free(struct bt_server_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
