// SPDX-License-Identifier: GPL-2.0
/*
 * bmptap-listen: record everything the bmptap module queues, for guest tests.
 *
 * Usage: bmptap-listen -o OUTDIR [-t SECONDS] [-n FLOW_ENDS] [-l] [-N] [TAP-SET-OPTIONS..]
 *
 *   -o OUTDIR     created if missing; receives
 *                   flow<ID>.rx, flow<ID>.tx  every BGP message of that flow
 *                                             and direction, concatenated
 *                   records.log               one line per record (below)
 *                   ready                     created once listening
 *   -t SECONDS    stop after this long (default 30)
 *   -n FLOW_ENDS  stop after this many flow-end records (default: run for -t)
 *   -l            tolerate LOST records (still logged)
 *   -N            never acknowledge: the records stay queued, and a later
 *                 reader gets them again (by default each batch is acked
 *                 once written out)
 *   TAP-SET-OPTIONS  as for `bmptapctl tap set` (e.g. ports 179 forward on),
 *                 applied before listening
 *
 * "ready" is also printed on stdout (flushed) once the doorbell group is
 * joined and the queue drained, so a test can start traffic after it.
 *
 * records.log lines:
 *   seq=S type=T flow=F dir=rx|tx len=L ts=NS flags=0xX [details]
 *     msg:        bgp_type=N
 *     gap:        reason=R bytes=B messages=M data=D
 *     flow-start: family=inet|inet6 local=A:P remote=A:P fflags=0xX start=NS
 *     flow-end:   end=R
 *     lost:       lost=N
 *   HOLE expected=S got=S          seq jumped: records were lost
 *   MALFORMED error=TEXT           the rest of a record stream was unusable
 *
 * Exit status: 0 fine; 1 usage or netlink error; 2 seq hole, malformed
 * stream or (without -l) LOST record; 3 -n flow ends not seen within -t.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "nl.h"
#include "records.h"

#define PROG "bmptap-listen"

struct flow_files {
	uint64_t id;
	FILE *f[2];
	bool touched[2];	/* written in this run: append, don't truncate */
};

struct listen {
	const char *outdir;
	FILE *log;
	struct flow_files *ff;
	size_t n_ff, cap_ff;
	uint64_t records, holes, malformed, lost, flow_ends;
	int io_err;
	bool no_ack;
};

static struct flow_files *flow_get(struct listen *L, uint64_t id)
{
	size_t i;

	/* Newest first: records cluster on recently started flows. */
	for (i = L->n_ff; i-- > 0;)
		if (L->ff[i].id == id)
			return &L->ff[i];
	if (L->n_ff == L->cap_ff) {
		size_t cap = L->cap_ff ? 2 * L->cap_ff : 64;
		struct flow_files *v = realloc(L->ff, cap * sizeof(*v));

		if (!v)
			return NULL;
		L->ff = v;
		L->cap_ff = cap;
	}
	L->ff[L->n_ff] = (struct flow_files){ .id = id };
	return &L->ff[L->n_ff++];
}

static void flow_close(struct flow_files *f)
{
	int d;

	for (d = 0; d < 2; d++) {
		if (f->f[d])
			fclose(f->f[d]);
		f->f[d] = NULL;
	}
}

static void close_all(struct listen *L)
{
	size_t i;

	for (i = 0; i < L->n_ff; i++)
		flow_close(&L->ff[i]);
}

static FILE *flow_file(struct listen *L, uint64_t id, unsigned int dir)
{
	struct flow_files *f = flow_get(L, id);
	char path[4096];

	if (!f)
		return NULL;
	if (f->f[dir])
		return f->f[dir];
	snprintf(path, sizeof(path), "%s/flow%" PRIu64 ".%s", L->outdir, id,
		 bt_dir_name(dir));
	f->f[dir] = fopen(path, f->touched[dir] ? "a" : "w");
	if (!f->f[dir] && errno == EMFILE) {
		/* Many concurrent flows: trade speed for descriptors. */
		close_all(L);
		f->f[dir] = fopen(path, f->touched[dir] ? "a" : "w");
	}
	if (!f->f[dir])
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
	else
		f->touched[dir] = true;
	return f->f[dir];
}

static void log_endpoint(FILE *out, const struct bmptap_flow_info *fi, bool local)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (fi->family == AF_INET || fi->family == AF_INET6)
		inet_ntop(fi->family, local ? fi->local_addr : fi->remote_addr,
			  a, sizeof(a));
	fprintf(out, fi->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		ntohs(local ? fi->local_port : fi->remote_port));
}

static int on_record(void *ctx, const struct bt_rec *r)
{
	struct listen *L = ctx;
	const struct bmptap_rec *h = &r->hdr;
	struct bmptap_flow_info fi;
	struct bmptap_gap gap;
	size_t dlen;
	FILE *f;

	if (r->kind == BT_RK_SEQ_HOLE) {
		fprintf(L->log, "HOLE expected=%" PRIu64 " got=%" PRIu64 "\n",
			r->expected, r->got);
		fprintf(stderr, PROG ": seq hole: expected %" PRIu64 ", got %" PRIu64 "\n",
			r->expected, r->got);
		L->holes++;
		return 0;
	}
	if (r->kind == BT_RK_MALFORMED) {
		fprintf(L->log, "MALFORMED error=%s\n", bt_rec_strerror(r->error));
		fprintf(stderr, PROG ": malformed records: %s\n",
			bt_rec_strerror(r->error));
		L->malformed++;
		return 0;
	}
	L->records++;
	fprintf(L->log, "seq=%" PRIu64 " type=%s flow=%" PRIu64 " dir=%s len=%" PRIu32
		" ts=%" PRIu64 " flags=0x%x", (uint64_t)h->seq, bt_rec_type_name(h->type),
		(uint64_t)h->flow_id, bt_dir_name(h->dir), h->len, (uint64_t)h->ts_ns, h->flags);
	switch (h->type) {
	case BMPTAP_REC_MSG:
		fprintf(L->log, " bgp_type=%u", r->payload[18]);
		f = flow_file(L, h->flow_id, h->dir);
		if (!f || fwrite(r->payload, 1, r->payload_len, f) != r->payload_len)
			L->io_err = 1;
		break;
	case BMPTAP_REC_GAP:
		bt_rec_gap(r, &gap, NULL, &dlen);
		fprintf(L->log, " reason=%s bytes=%" PRIu64 " messages=%" PRIu32
			" data=%zu", bt_gap_reason_name(gap.reason), (uint64_t)gap.bytes,
			gap.messages, dlen);
		break;
	case BMPTAP_REC_FLOW_START:
		bt_rec_flow_info(r, &fi);
		fprintf(L->log, " family=%s local=",
			fi.family == AF_INET6 ? "inet6" : fi.family == AF_INET ?
			"inet" : "?");
		log_endpoint(L->log, &fi, true);
		fputs(" remote=", L->log);
		log_endpoint(L->log, &fi, false);
		fprintf(L->log, " fflags=0x%x start=%" PRIu64, fi.flags,
			(uint64_t)fi.start_ns);
		break;
	case BMPTAP_REC_FLOW_END:
		fprintf(L->log, " end=%s", bt_end_name(h->aux));
		L->flow_ends++;
		/* Keep the entry: a late record must append, not truncate. */
		flow_close(flow_get(L, h->flow_id));
		break;
	case BMPTAP_REC_LOST:
		fprintf(L->log, " lost=%" PRIu32, h->aux);
		fprintf(stderr, PROG ": kernel reports %" PRIu32 " records lost\n",
			h->aux);
		L->lost += h->aux ? h->aux : 1;
		break;
	}
	fputc('\n', L->log);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The records read so far go out of stdio (so a SIGKILLed listener leaves
 * what it read on disk), then the module may free them.
 */
static int ack_written(struct bt_nl *nl, struct listen *L)
{
	if (fflush(NULL)) {
		L->io_err = 1;
		return 0;	/* not written: keep them queued */
	}
	return L->no_ack ? 0 : bt_nl_ack(nl, bt_nl_read_seq(nl));
}

static int usage(void)
{
	fprintf(stderr, "usage: " PROG " -o OUTDIR [-t SECONDS] [-n FLOW_ENDS] [-l] [-N]"
		" [TAP-SET-OPTIONS..]\n");
	return 1;
}

static int listen_loop(struct bt_nl *nl, struct listen *L, double secs,
		       uint64_t want_ends)
{
	double deadline = now_s() + secs;
	bool again = false;
	int r;

	/* Drain what was queued before we joined: the seq baseline. */
	if (bt_nl_read_all(nl, on_record, L) < 0 || ack_written(nl, L))
		return -1;
	{
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/ready", L->outdir);
		f = fopen(path, "w");
		if (f)
			fclose(f);
	}
	printf("ready\n");
	fflush(stdout);
	fflush(L->log);

	while (!want_ends || L->flow_ends < want_ends) {
		struct pollfd pfd[2] = {
			{ .fd = bt_nl_ntf_fd(nl), .events = POLLIN },
			{ .fd = nl->reading ? bt_nl_read_fd(nl) : -1, .events = POLLIN },
		};
		double left = deadline - now_s();
		unsigned int ev = 0;
		int n;

		if (left <= 0)
			break;
		/* A slow tick as well: a lost doorbell must not stall a test. */
		n = poll(pfd, 2, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR) {
			perror(PROG ": poll");
			return -1;
		}
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			if (bt_nl_ntf_process(nl, &ev) < 0)
				return -1;
		}
		if (n == 0 || (ev & BT_NL_EV_DOORBELL))
			again = true;
		if (n > 0 && (pfd[1].revents & POLLIN)) {
			r = bt_nl_read_pump(nl, on_record, L);
			if (r < 0 || ack_written(nl, L))
				return -1;
		}
		if (again && !nl->reading) {
			again = false;
			if (bt_nl_read_start(nl) < 0)
				return -1;
		}
	}
	/* Whatever is left, including a dump still in flight. */
	while (nl->reading) {
		r = bt_nl_read_pump(nl, on_record, L);
		if (r < 0 || ack_written(nl, L))
			return -1;
		if (r == 0) {
			struct pollfd p = { .fd = bt_nl_read_fd(nl), .events = POLLIN };

			poll(&p, 1, 1000);
		}
	}
	return bt_nl_read_all(nl, on_record, L) < 0 || ack_written(nl, L) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct listen L = { 0 };
	struct bt_netns_settings set;
	struct bt_nl nl;
	char err[BT_CLI_ERRLEN], path[4096];
	uint64_t want_ends = 0;
	double secs = 30;
	bool tolerate_lost = false;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "+o:t:n:lNh")) != -1) {
		char *end;

		switch (opt) {
		case 'o':
			L.outdir = optarg;
			break;
		case 't':
			secs = strtod(optarg, &end);
			if (*end || secs <= 0)
				return usage();
			break;
		case 'n':
			want_ends = strtoull(optarg, &end, 10);
			if (*end || !*optarg)
				return usage();
			break;
		case 'l':
			tolerate_lost = true;
			break;
		case 'N':
			L.no_ack = true;
			break;
		default:
			return usage();
		}
	}
	if (!L.outdir)
		return usage();
	if (mkdir(L.outdir, 0755) && errno != EEXIST) {
		fprintf(stderr, PROG ": %s: %s\n", L.outdir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/records.log", L.outdir);
	L.log = fopen(path, "w");
	if (!L.log) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (optind < argc &&
	    bt_cli_parse_tap_opts(argc - optind, argv + optind, &set, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		fclose(L.log);
		return 1;
	}
	if (bt_nl_open(&nl)) {
		fprintf(stderr, PROG ": %s\n", bt_nl_error(&nl));
		fclose(L.log);
		return 1;
	}
	if ((optind < argc && bt_nl_set_netns(&nl, &set)) ||
	    bt_nl_join(&nl, BT_NL_GRP_EVENTS) ||
	    listen_loop(&nl, &L, secs, want_ends)) {
		fprintf(stderr, PROG ": %s\n", bt_nl_error(&nl));
		rc = 1;
	}
	bt_nl_close(&nl);
	close_all(&L);
	free(L.ff);
	if (fclose(L.log) || L.io_err) {
		fprintf(stderr, PROG ": writing to %s failed\n", L.outdir);
		rc = 1;
	}
	printf("records=%" PRIu64 " flow_ends=%" PRIu64 " holes=%" PRIu64
	       " malformed=%" PRIu64 " lost=%" PRIu64 "\n", L.records,
	       L.flow_ends, L.holes, L.malformed, L.lost);
	if (!rc && (L.holes || L.malformed || (L.lost && !tolerate_lost))) {
		fprintf(stderr, PROG ": records were lost (see %s/records.log)\n",
			L.outdir);
		rc = 2;
	}
	if (!rc && want_ends && L.flow_ends < want_ends) {
		fprintf(stderr, PROG ": timeout: %" PRIu64 " of %" PRIu64
			" flow ends seen\n", L.flow_ends, want_ends);
		rc = 3;
	}
	return rc;
}
