/* SPDX-License-Identifier: GPL-2.0 */
/* bmptapd's status document (JSON), served on the control socket. */
#ifndef BMPTAP_STATUS_H
#define BMPTAP_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct feed;
struct peers;
struct ctlsrv;
struct ckpt_ctl;

struct status_src {
	const struct feed *feed;
	const struct peers *peers;
	const struct ctlsrv *ctl;	/* NULL: no control socket counters */
	const struct ckpt_ctl *ckpt;	/* NULL: no checkpoint counters */
	size_t import_filters;
	uint64_t uptime_s, records, read_errors;
};

/* parts: CTL_SHOW_* (ctlsrv.h); the daemon-wide fields are always there. */
void status_render(const struct status_src *s, unsigned parts, FILE *f);

#endif
