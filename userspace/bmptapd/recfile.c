// SPDX-License-Identifier: GPL-2.0
/* bmptapd --records FILE: the recorded record stream as the source (recfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "recfile.h"

#define RECFILE_WAIT_MS	10	/* polling the collectors' sessions */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool collectors_up(const struct feed *f)
{
	for (const struct collector *c = f->head; c; c = c->next)
		if (!c->cfg.passive && !c->accepted && c->state != COLL_UP)
			return false;
	return true;
}

static int on_record(void *ctx, const struct bt_rec *rec)
{
	struct recfile *rf = ctx;

	rf->records++;
	return rf->cb(rf->ctx, rec);
}

static void finish(struct recfile *rf)
{
	uint64_t ann = 0;
	double wall = clock_s(CLOCK_MONOTONIC) - rf->wall0;
	double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - rf->cpu0;

	for (const struct peer *p = rf->peers->head; p; p = p->next)
		ann += p->cnt.announced;
	recfile_close(rf);
	LOG_I(rf->log, "records: %s consumed: %" PRIu64 " records, %" PRIu64 " bytes, %" PRIu64
	      " routes announced, %.3f s wall, %.3f s CPU", rf->path, rf->records, rf->bytes, ann,
	      wall, cpu);
}

static void on_readable(void *ctx, uint32_t events)
{
	struct recfile *rf = ctx;
	size_t n;
	int r;

	(void)events;
	while (!rf->eof && rf->fill < BMPTAP_READ_BUFSIZE) {
		ssize_t got = read(rf->fd, rf->buf + rf->fill, BMPTAP_READ_BUFSIZE - rf->fill);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			LOG_E(rf->log, "records: %s: %s", rf->path, strerror(errno));
			rf->errors++;
		}
		if (got <= 0)
			rf->eof = true;
		else
			rf->fill += (size_t)got;
	}
	/* At the end of the file the parser sees everything, a torn or
	 * unpadded last record included. */
	n = rf->eof ? rf->fill : bt_records_whole(rf->buf, rf->fill);
	if (!n)
		n = rf->fill;	/* a record larger than a READ reply: malformed */
	feed_batch_begin(rf->feed);
	r = bt_records_parse(rf->buf, n, &rf->seq, on_record, rf);
	rf->bytes += n;
	if (r < 0) {
		struct bt_rec m = { .kind = BT_RK_MALFORMED, .error = r };

		/* The framing is lost: the rest of the file is unusable. */
		LOG_E(rf->log, "records: %s: %s after %" PRIu64 " bytes", rf->path,
		      bt_rec_strerror(r), rf->bytes);
		rf->errors++;
		on_record(rf, &m);
		feed_batch_end(rf->feed);
		finish(rf);
		return;
	}
	feed_batch_end(rf->feed);
	memmove(rf->buf, rf->buf + n, rf->fill - n);
	rf->fill -= n;
	if (rf->eof && !rf->fill)
		finish(rf);
}

static void on_wait(void *ctx)
{
	struct recfile *rf = ctx;
	uint64_t one = 1;

	if (!collectors_up(rf->feed)) {
		loop_timer_arm(rf->loop, &rf->t, RECFILE_WAIT_MS);
		return;
	}
	if (write(rf->efd, &one, sizeof(one)) != sizeof(one))
		LOG_E(rf->log, "records: eventfd: %s", strerror(errno));
	rf->wall0 = clock_s(CLOCK_MONOTONIC);
	rf->cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	LOG_I(rf->log, "records: reading %s", rf->path);
}

int recfile_open(struct recfile *rf, const char *path, struct loop *loop,
		 const struct bt_log *log, struct feed *feed, const struct peers *peers,
		 bt_rec_cb cb, void *ctx)
{
	*rf = (struct recfile){
		.path = path, .fd = -1, .efd = -1, .seq = BT_SEQ_UNKNOWN, .loop = loop,
		.log = log, .feed = feed, .peers = peers, .cb = cb, .ctx = ctx,
	};
	rf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (rf->fd < 0) {
		LOG_E(log, "records: %s: %s", path, strerror(errno));
		return -1;
	}
	rf->buf = malloc(BMPTAP_READ_BUFSIZE);
	if (!rf->buf) {
		LOG_E(log, "out of memory");
		return -1;
	}
	rf->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (rf->efd < 0 || loop_fd_add(loop, &rf->efd_h, rf->efd, EPOLLIN, on_readable, rf)) {
		LOG_E(log, "records: eventfd: %s", strerror(errno));
		return -1;
	}
	loop_timer_init(&rf->t, on_wait, rf);
	loop_timer_arm(loop, &rf->t, 0);
	return 0;
}

void recfile_close(struct recfile *rf)
{
	if (rf->efd >= 0) {
		loop_fd_del(rf->loop, &rf->efd_h);
		close(rf->efd);
		rf->efd = -1;
	}
	if (rf->fd >= 0) {
		close(rf->fd);
		rf->fd = -1;
	}
	loop_timer_cancel(rf->loop, &rf->t);
	free(rf->buf);
	rf->buf = NULL;
}
