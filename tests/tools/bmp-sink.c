// SPDX-License-Identifier: GPL-2.0
/*
 * bmp-sink: a minimal BMP (RFC 7854) collector for benchmarks.  Accepts any
 * number of exporters, decodes every Route Monitoring message's UPDATE
 * (bgp_update_parse) and counts the prefixes announced, per family, and the
 * End-of-RIB markers.  Much cheaper than a full collector (pmbmpd logs JSON
 * per prefix), so under TCG it measures the exporter, not the collector.
 *
 * Usage: bmp-sink ADDR PORT [-c] [-n PREFIXES] [-e EORS] [-t SECONDS]
 *   -c           connect to ADDR PORT (an exporter's passive listener)
 *                instead of listening there; retried until it succeeds
 *   -n PREFIXES  print "SINK done ..." once this many prefixes arrived
 *   -e EORS      ... and this many End-of-RIB markers
 *   -t SECONDS   exit after this long (default: on SIGTERM/SIGINT)
 *
 * Output (stdout, flushed):
 *   ready                                  listening
 *   connected T                            -c: connected at epoch T
 *   accepted N                             an exporter connected (N so far)
 *   SINK done prefixes=N prefixes4=N prefixes6=N rm=N eor=N peer_up=N
 *        first_epoch=T last_epoch=T        (first / last Route Monitoring)
 *        cpu_s=S                           (the sink's own CPU time so far)
 *        lost=N                            Route Mirroring "messages lost"
 *        term=N                            Termination messages received
 *   SINK final ...                         the same at exit
 * Exit status: 0; 1 on a socket error or a malformed BMP stream.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bgp.h"
#include "buf.h"

#define PROG "bmp-sink"
#define MAX_CONN 16

static volatile sig_atomic_t stop_sig;

static void on_sig(int s)
{
	stop_sig = s;
}

struct conn {
	int fd;
	struct buf in;
};

struct sink {
	uint64_t pfx[2], rm, eor, peer_up, term, lost, msgs, target, eor_target;
	double first, last;
	bool done;
	struct bgp_update *u;
};

static double epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print(const struct sink *s, const char *what)
{
	printf("SINK %s prefixes=%llu prefixes4=%llu prefixes6=%llu rm=%llu eor=%llu peer_up=%llu "
	       "msgs=%llu first_epoch=%.3f last_epoch=%.3f cpu_s=%.3f lost=%llu term=%llu\n",
	       what, (unsigned long long)(s->pfx[0] + s->pfx[1]), (unsigned long long)s->pfx[0],
	       (unsigned long long)s->pfx[1], (unsigned long long)s->rm,
	       (unsigned long long)s->eor, (unsigned long long)s->peer_up,
	       (unsigned long long)s->msgs, s->first, s->last, cpu_s(),
	       (unsigned long long)s->lost, (unsigned long long)s->term);
	fflush(stdout);
}

/* One BMP message; false if malformed. */
static bool on_bmp(struct sink *s, const uint8_t *m, size_t len)
{
	const uint8_t *bgp;
	size_t blen;
	struct bgp_codec c = { .as4 = true };
	struct bgp_nlri_iter it;
	struct bgp_prefix p;

	s->msgs++;
	if (m[5] == 3)
		s->peer_up++;
	if (m[5] == 5)
		s->term++;
	/* Route Mirroring: an Information TLV (type 1) with code 1. */
	for (size_t o = 48; m[5] == 6 && o + 4 <= len; o += 4u + get_u16(m + o + 2))
		if (get_u16(m + o) == 1 && get_u16(m + o + 2) == 2 && o + 6 <= len &&
		    get_u16(m + o + 4) == 1)
			s->lost++;
	if (m[5] != 0)
		return true;
	/* Route Monitoring: common header (6), per-peer header (42), UPDATE. */
	if (len < 6 + 42 + 19)
		return false;
	c.as4 = !(m[6 + 1] & 0x20);	/* A flag: 2-octet AS_PATH */
	bgp = m + 48;
	blen = len - 48;
	if (bgp_msg_check(bgp, blen, true) != (int)blen || bgp[18] != BGP_UPDATE)
		return false;
	bgp_update_parse(bgp, blen, &c, s->u);
	if (!s->rm)
		s->first = epoch();
	s->rm++;
	if (s->u->eor >= 0)
		s->eor++;
	bgp_nlri_iter_init(&it, s->u->nlri, BGP_FAM_IPV4, false);
	while (bgp_nlri_next(&it, &p))
		s->pfx[0]++;
	if (s->u->reach.present && s->u->reach.fam >= 0) {
		bgp_nlri_iter_init(&it, s->u->reach.nlri, s->u->reach.fam, false);
		while (bgp_nlri_next(&it, &p))
			s->pfx[s->u->reach.fam == BGP_FAM_IPV6]++;
	}
	s->last = epoch();
	if (s->target && !s->done && s->pfx[0] + s->pfx[1] >= s->target &&
	    s->eor >= s->eor_target) {
		s->done = true;
		print(s, "done");
	}
	return true;
}

/* Reads what is there; false when the connection is over. */
static bool on_readable(struct sink *s, struct conn *c)
{
	size_t off = 0;
	ssize_t r;

	if (!buf_reserve(&c->in, 1 << 16))
		return false;
	r = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len, 0);
	if (r <= 0)
		return r < 0 && (errno == EINTR || errno == EAGAIN);
	c->in.len += (size_t)r;
	while (c->in.len - off >= 6) {
		const uint8_t *m = c->in.data + off;
		uint32_t len = get_u32(m + 1);

		if (m[0] != 3 || len < 6) {
			fprintf(stderr, PROG ": malformed BMP header\n");
			exit(1);
		}
		if (c->in.len - off < len)
			break;
		if (!on_bmp(s, m, len)) {
			fprintf(stderr, PROG ": malformed Route Monitoring message\n");
			exit(1);
		}
		off += len;
	}
	memmove(c->in.data, c->in.data + off, c->in.len - off);
	c->in.len -= off;
	return true;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_PASSIVE };
	struct addrinfo *ai;
	struct sigaction sa = { .sa_handler = on_sig };
	struct conn conns[MAX_CONN];
	struct pollfd pfd[MAX_CONN + 1];
	struct sink s = { 0 };
	double stop_at = 0;
	int lfd = -1, one = 1, o, n = 0, i;
	bool connect_mode = false;

	if (argc < 3)
		goto usage;
	optind = 3;
	while ((o = getopt(argc, argv, "cn:e:t:")) != -1) {
		if (o == 'c')
			connect_mode = true;
		else if (o == 'n')
			s.target = strtoull(optarg, NULL, 0);
		else if (o == 'e')
			s.eor_target = strtoull(optarg, NULL, 0);
		else if (o == 't')
			stop_at = epoch() + atof(optarg);
		else
			goto usage;
	}
	if (getaddrinfo(argv[1], argv[2], &hints, &ai))
		goto usage;
	s.u = malloc(sizeof(*s.u));
	if (!s.u)
		return 1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (connect_mode) {
		int fd = -1;

		/* The exporter may not listen yet: retry every 10 ms. */
		while (!stop_sig && (!stop_at || epoch() < stop_at)) {
			fd = socket(ai->ai_family, SOCK_STREAM, 0);
			if (fd < 0 || !connect(fd, ai->ai_addr, ai->ai_addrlen))
				break;
			close(fd);
			fd = -1;
			usleep(10000);
		}
		if (fd < 0) {
			fprintf(stderr, PROG ": connect: %s\n", strerror(errno));
			return 1;
		}
		conns[n].fd = fd;
		buf_init(&conns[n++].in);
		printf("connected %.3f\n", epoch());
	} else {
		lfd = socket(ai->ai_family, SOCK_STREAM, 0);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (lfd < 0 || bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, 8)) {
			fprintf(stderr, PROG ": listen: %s\n", strerror(errno));
			return 1;
		}
		printf("ready\n");
	}
	freeaddrinfo(ai);
	fflush(stdout);
	while (!stop_sig && (!stop_at || epoch() < stop_at)) {
		/* poll() skips a negative fd: no listener in -c mode. */
		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < n; i++)
			pfd[i + 1] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)n + 1, 200) < 0 && errno != EINTR)
			return 1;
		if (pfd[0].revents & POLLIN && n < MAX_CONN) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0) {
				conns[n].fd = fd;
				buf_init(&conns[n].in);
				n++;
				printf("accepted %d\n", n);
				fflush(stdout);
				continue;
			}
		}
		for (i = n - 1; i >= 0; i--) {
			if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!on_readable(&s, &conns[i])) {
				close(conns[i].fd);
				buf_free(&conns[i].in);
				conns[i] = conns[--n];
			}
		}
	}
	print(&s, "final");
	return 0;
usage:
	fprintf(stderr, "usage: " PROG " ADDR PORT [-c] [-n PREFIXES] [-e EORS] [-t SECONDS]\n");
	return 2;
}
