// SPDX-License-Identifier: GPL-2.0
/*
 * Route refresh on a tapped session (refresh.h).
 */
#include "refresh.h"

#include <errno.h>
#include <inttypes.h>

#include "log.h"
#include "peer.h"

/* The families whose Adj-RIB-In a collector gets: what the session carries. */
static unsigned session_families(const struct peer *p)
{
	unsigned m = 0;

	for (int f = 0; f < BGP_FAM_MAX; f++)
		if (p->sess.af[f])
			m |= 1u << f;
	return m;
}

bool peer_refresh_would_complete(const struct peer *p)
{
	/* Routes a budget refused, a family left undecoded or a route a
	 * collector could not carry stay missing whatever is re-sent. */
	return p->incomplete && !p->rib_short && !p->cnt.encode_failures &&
	       p->state == PEER_ESTABLISHED;
}

void peer_mark_incomplete(struct peer *p)
{
	p->incomplete = true;
	p->refreshed = 0;
	/* What a refresh in progress misses may be routes it re-sent. */
	for (int f = 0; f < BGP_FAM_MAX; f++)
		if (p->rib.refreshing[f])
			rib_refresh_abort(&p->rib, f);
	p->refresh_plain[BMPTAP_DIR_RX] = 0;
}

static void begin(struct peers *ps, struct peer *p, int dir, int fam)
{
	struct rib *r = peer_rib(p, dir);
	int err = rib_refresh_begin(r, fam);

	if (!err)
		return;
	p->cnt.refresh_untracked++;
	LOG_W(ps->log, "flow %" PRIu64 ": %s refresh of %s not tracked: %s", p->flow_id,
	      bt_dir_name((unsigned)dir), bgp_fam_afi_name[fam],
	      err == -ENOSPC ? "over the memory budget" : "out of memory");
}

/* A refresh of fam in direction dir ended: the routes it left out go. */
static void end(struct peers *ps, struct peer *p, int dir, int fam, uint64_t ts)
{
	struct rib *r = peer_rib(p, dir);
	unsigned all;

	if (!r->refreshing[fam])
		return;
	peer_refresh_sweep(ps, p, dir, fam, ts);
	if (dir != BMPTAP_DIR_RX)
		return;
	p->cnt.refreshes++;
	p->refreshed |= 1u << fam;
	all = session_families(p);
	if (!peer_refresh_would_complete(p) || (p->refreshed & all) != all)
		return;
	p->incomplete = false;
	LOG_I(ps->log, "flow %" PRIu64 ": every family re-sent in full by a route refresh: "
	      "Adj-RIB-In complete again", p->flow_id);
}

void refresh_msg(struct peers *ps, struct peer *p, int dir, const uint8_t *msg, size_t len,
		 uint64_t ts)
{
	int fam, subtype = bgp_refresh_parse(msg, len, &fam);
	/* Who re-sends: the receiver of a request, the sender of BoRR/EoRR. */
	int sender = subtype == BGP_RR_REQUEST ? !dir : dir;

	if (subtype < 0 || fam < 0 || p->rib.disabled[fam])
		return;
	/* OPENs synthesized (picked up mid-stream): BoRR and EoRR are sent
	 * only where both sides have the capability (RFC 7313 4). */
	if (p->ms && subtype != BGP_RR_REQUEST)
		p->sess.enhanced_refresh = true;
	if (!p->sess.enhanced_refresh) {
		/* RFC 2918: the receiver of a request re-sends its table,
		 * unframed; the End-of-RIB that may follow ends it. */
		if (subtype == BGP_RR_REQUEST) {
			begin(ps, p, sender, fam);
			p->refresh_plain[sender] |= (uint8_t)(1u << fam);
		}
		return;
	}
	if (subtype == BGP_RR_BORR)
		begin(ps, p, sender, fam);
	else if (subtype == BGP_RR_EORR)
		end(ps, p, sender, fam, ts);
}

void refresh_eor(struct peers *ps, struct peer *p, int dir, int fam, uint64_t ts)
{
	if (!(p->refresh_plain[dir] & (1u << fam)))
		return;
	p->refresh_plain[dir] &= (uint8_t)~(1u << fam);
	end(ps, p, dir, fam, ts);
}
