// SPDX-License-Identifier: GPL-2.0
/*
 * bgp-speaker: a minimal BGP speaker that sends a synthetic full table
 * (tests/bench/fulltable.c) over a real session as fast as the receiver
 * takes it, for benchmarks and guest tests.
 *
 *   bgp-speaker connect ADDR [PORT] [options]   active session (port 179)
 *   bgp-speaker listen  ADDR [PORT] [options]   passive: accepts one peer
 *   bgp-speaker -w FILE [options]               writes the message stream
 *
 * Session: sends OPEN (4-octet AS, multiprotocol IPv4 and IPv6 unicast,
 * route refresh), waits for the peer's OPEN and KEEPALIVE, then writes the
 * table's UPDATEs back to back and End-of-RIB for each family, then keeps
 * the session up with KEEPALIVEs until SIGTERM/SIGINT or -t, when it sends
 * NOTIFICATION Cease/Administrative Shutdown and exits 0.  Whatever the
 * peer sends is read and discarded (UPDATEs counted).
 *
 * Options:
 *   -a AS       local AS (default 4200000100: AS_TRANS in the OPEN)
 *   -p AS       expected peer AS (default: any)
 *   -i ADDR     BGP identifier (default: the local IPv4 address, else 10.255.0.1)
 *   -S SCALE    fraction of the full table (default 1.0 = ~1.04 M + ~233 k)
 *   -s SEED     table seed (default 1)
 *   -f FAMS     4, 6 or 46 (default 46): families announced and generated
 *   -4 ADDR     IPv4 NEXT_HOP (default: the session's local IPv4 address)
 *   -6 ADDR     IPv6 next hop (default: the session's local IPv6 address)
 *   -H SECONDS  hold time offered (default 90)
 *   -t SECONDS  stop this long after the table was sent (default: never)
 *   -T SECONDS  give up unless established within this (default 60)
 *   -w FILE     with no session: write the UPDATEs and End-of-RIBs to FILE
 *   -W FILE     with -w: also write the bmptap record stream (records.h
 *               format, as in a READ reply) a tap on the receiving router
 *               would deliver for this session: FLOW_START, both OPENs,
 *               both KEEPALIVEs, every UPDATE, End-of-RIBs
 *   -R          offer enhanced route refresh (RFC 7313) and answer a ROUTE-REFRESH
 *               request: BoRR, the family's UPDATEs, EoRR
 *   -D N        with -R: a refresh leaves out the family's first N UPDATEs,
 *               withdrawing nothing (their routes go silently)
 *   -q          only the result lines
 *   -c FILE     no session: count the messages, UPDATEs, prefixes per family
 *               and End-of-RIBs of a BGP message stream (e.g. a tap's flow
 *               file); exit 1 on a parse error or trailing bytes
 *
 * Output (stdout, one line each, flushed):
 *   table prefixes4=N prefixes6=N updates=N bytes=N gen_s=S
 *   established peer_as=N hold=N
 *   RESULT updates=N prefixes4=N prefixes6=N bytes=N msgs=N write_s=S
 *          ack_s=S mbps=X prefixes_per_s=X cpu_s=S first_epoch=T acked_epoch=T
 *     write_s: first UPDATE written -> last byte written to the socket;
 *     ack_s:   first UPDATE written -> every byte acknowledged by the peer's
 *              TCP (SIOCOUTQ == 0): the receiver's socket buffer has it
 *   refreshed afi=N updates=N omitted=N     (-R, per request answered)
 *   stopped rx_updates=N
 * Exit status: 0 fine; 1 session failure (NOTIFICATION, EOF, timeout);
 * 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/bmptap.h>

#include "bgp.h"
#include "buf.h"
#include "../bench/fulltable.c"

#define PROG "bgp-speaker"

static volatile sig_atomic_t stop_sig;

static void on_sig(int s)
{
	stop_sig = s;
}

struct speaker {
	/* options */
	uint32_t as, peer_as, id;
	uint16_t hold;
	double stop_after, est_timeout;
	bool quiet, nh4_set, nh6_set;
	bool err;		/* -R */
	uint64_t omit;		/* -D */
	struct ft_opts ft;
	/* session */
	int fd;
	struct buf rx, ctl;
	uint8_t *tx;		/* the table and End-of-RIBs */
	size_t tx_len, tx_off;
	uint64_t tx_msgs;
	struct ft_table t;
	uint16_t neg_hold;
	bool got_open, established, written, acked;
	double t_first, t_written, t_acked, t_last_rx, t_last_ka, t_est0;
	double e_first;		/* CLOCK_REALTIME of the first UPDATE */
	uint64_t rx_updates;
	struct rusage ru0;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say(const struct speaker *s, const char *fmt, ...)
{
	va_list ap;

	if (s->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void put_hdr(struct buf *b, uint16_t len, uint8_t type)
{
	for (int i = 0; i < 16; i++)
		buf_u8(b, 0xff);
	buf_u16(b, len);
	buf_u8(b, type);
}

static void build_open(const struct speaker *s, struct buf *b)
{
	size_t at = b->len, opt;

	put_hdr(b, 0, BGP_OPEN);
	buf_u8(b, 4);
	buf_u16(b, s->as > 0xffff ? BGP_AS_TRANS : (uint16_t)s->as);
	buf_u16(b, s->hold);
	buf_u32(b, s->id);
	opt = buf_mark(b, 1);
	for (int fam = 0; fam < 2; fam++) {
		if (!s->ft.fam[fam])
			continue;
		buf_u8(b, 2);		/* capabilities */
		buf_u8(b, 6);
		buf_u8(b, 1);		/* multiprotocol */
		buf_u8(b, 4);
		buf_u16(b, fam == FT_FAM_IPV4 ? BGP_AFI_IPV4 : BGP_AFI_IPV6);
		buf_u8(b, 0);
		buf_u8(b, BGP_SAFI_UNICAST);
	}
	buf_u8(b, 2);
	buf_u8(b, 2);
	buf_u8(b, 2);			/* route refresh */
	buf_u8(b, 0);
	if (s->err) {
		buf_u8(b, 2);
		buf_u8(b, 2);
		buf_u8(b, 70);		/* enhanced route refresh */
		buf_u8(b, 0);
	}
	buf_u8(b, 2);
	buf_u8(b, 6);
	buf_u8(b, 65);			/* 4-octet AS */
	buf_u8(b, 4);
	buf_u32(b, s->as);
	buf_patch_len(b, opt, 1);
	buf_patch(b, at + 16, 2, b->len - at);
}

static void build_keepalive(struct buf *b)
{
	put_hdr(b, 19, BGP_KEEPALIVE);
}

static void build_refresh(struct buf *b, uint16_t afi, uint8_t subtype)
{
	put_hdr(b, 23, BGP_ROUTE_REFRESH);
	buf_u16(b, afi);
	buf_u8(b, subtype);
	buf_u8(b, BGP_SAFI_UNICAST);
}

/* -R: the answer to the peer's ROUTE-REFRESH request, after the table. */
static void answer_refresh(struct speaker *s, const uint8_t *m, size_t len)
{
	int fam = len == 23 && m[22] == BGP_SAFI_UNICAST ?
		  (m[19] << 8 | m[20]) == BGP_AFI_IPV4 ? FT_FAM_IPV4 :
		  (m[19] << 8 | m[20]) == BGP_AFI_IPV6 ? FT_FAM_IPV6 : -1 : -1;
	const uint8_t *p, *end;
	uint64_t n = 0, omitted = 0;

	if (!s->err || m[21] != 0 || fam < 0 || !s->ft.fam[fam] || !s->written)
		return;
	p = s->t.data + s->t.fam_off[fam];
	end = p + s->t.fam_len[fam];
	build_refresh(&s->ctl, fam == FT_FAM_IPV4 ? BGP_AFI_IPV4 : BGP_AFI_IPV6, 1);
	for (size_t l; p < end; p += l) {
		l = (size_t)p[16] << 8 | p[17];
		if (omitted < s->omit) {
			omitted++;
			continue;
		}
		buf_put(&s->ctl, p, l);
		n++;
	}
	build_refresh(&s->ctl, fam == FT_FAM_IPV4 ? BGP_AFI_IPV4 : BGP_AFI_IPV6, 2);
	say(s, "refreshed afi=%u updates=%llu omitted=%llu\n", m[19] << 8 | m[20],
	    (unsigned long long)n, (unsigned long long)omitted);
}

static void build_notification(struct buf *b, uint8_t code, uint8_t sub)
{
	put_hdr(b, 21, BGP_NOTIFICATION);
	buf_u8(b, code);
	buf_u8(b, sub);
}

/* The table plus End-of-RIB markers, in one buffer. */
static void make_table(struct speaker *s)
{
	double t0 = now();
	size_t n;

	if (ft_generate(&s->ft, &s->t))
		die("table generation failed");
	s->tx = realloc(s->t.data, s->t.len + 64);
	if (!s->tx)
		die("out of memory");
	s->t.data = s->tx;
	n = s->t.len;
	for (int fam = 0; fam < 2; fam++)
		if (s->ft.fam[fam])
			n += ft_eor(fam, s->tx + n);
	s->tx_len = n;
	s->tx_msgs = s->t.updates[0] + s->t.updates[1] + (s->ft.fam[0] ? 1 : 0) +
		     (s->ft.fam[1] ? 1 : 0);
	printf("table prefixes4=%llu prefixes6=%llu updates=%llu bytes=%zu gen_s=%.3f\n",
	       (unsigned long long)s->t.prefixes[0], (unsigned long long)s->t.prefixes[1],
	       (unsigned long long)(s->t.updates[0] + s->t.updates[1]), s->t.len, now() - t0);
	fflush(stdout);
}

/* ---- the record stream a tap on the receiver would produce (-W) ---------- */

static void rec_put(FILE *f, uint64_t *seq, uint16_t type, uint8_t dir, const void *p,
		    size_t len)
{
	static const uint8_t pad[8];
	struct bmptap_rec r = {
		.len = (uint32_t)(sizeof(r) + len),
		.type = type,
		.dir = dir,
		.flow_id = 1,
		.seq = (*seq)++,
		.ts_ns = 1700000000000000000ULL + *seq * 1000,
	};
	size_t tot = BMPTAP_REC_ALIGN(r.len);

	fwrite(&r, sizeof(r), 1, f);
	fwrite(p, 1, len, f);
	fwrite(pad, 1, tot - r.len, f);
}

static void write_records(struct speaker *s, const char *path)
{
	FILE *f = fopen(path, "wb");
	struct bmptap_flow_info fi = { .family = AF_INET };
	struct speaker rcv = *s;
	struct buf b;
	uint64_t seq = 1;
	size_t off;

	if (!f)
		die("%s: %s", path, strerror(errno));
	/* The tapped router (local) is the receiver 10.0.1.2 AS 65001; the
	 * speaker is the remote 10.0.1.1. */
	fi.local_port = htons(179);
	fi.remote_port = htons(40000);
	memcpy(fi.local_addr, "\x0a\x00\x01\x02", 4);
	memcpy(fi.remote_addr, "\x0a\x00\x01\x01", 4);
	fi.start_ns = 1700000000000000000ULL;
	rec_put(f, &seq, BMPTAP_REC_FLOW_START, BMPTAP_DIR_RX, &fi, sizeof(fi));
	buf_init(&b);
	rcv.as = 65001;
	rcv.id = 0x0a000102;
	build_open(&rcv, &b);
	rec_put(f, &seq, BMPTAP_REC_MSG, BMPTAP_DIR_TX, b.data, b.len);
	buf_reset(&b);
	build_open(s, &b);
	rec_put(f, &seq, BMPTAP_REC_MSG, BMPTAP_DIR_RX, b.data, b.len);
	buf_reset(&b);
	build_keepalive(&b);
	rec_put(f, &seq, BMPTAP_REC_MSG, BMPTAP_DIR_TX, b.data, b.len);
	rec_put(f, &seq, BMPTAP_REC_MSG, BMPTAP_DIR_RX, b.data, b.len);
	for (off = 0; off < s->tx_len;) {
		size_t len = get_u16(s->tx + off + 16);

		rec_put(f, &seq, BMPTAP_REC_MSG, BMPTAP_DIR_RX, s->tx + off, len);
		off += len;
	}
	buf_free(&b);
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
	printf("records %llu file=%s\n", (unsigned long long)(seq - 1), path);
}

/* ---- session ------------------------------------------------------------- */

static int open_socket(const char *mode, const char *addr, const char *port, double timeout)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	double deadline = now() + timeout;
	int fd, one = 1, rc;

	if ((rc = getaddrinfo(addr, port, &hints, &ai)) != 0)
		die("%s: %s", addr, gai_strerror(rc));
	if (strcmp(mode, "listen") == 0) {
		int l = socket(ai->ai_family, SOCK_STREAM, 0);

		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (l < 0 || bind(l, ai->ai_addr, ai->ai_addrlen) || listen(l, 1))
			die("listen %s %s: %s", addr, port, strerror(errno));
		fd = accept(l, NULL, NULL);
		if (fd < 0)
			die("accept: %s", strerror(errno));
		close(l);
	} else {
		for (;;) {
			fd = socket(ai->ai_family, SOCK_STREAM, 0);
			if (fd < 0)
				die("socket: %s", strerror(errno));
			if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
			close(fd);
			if (now() > deadline || stop_sig)
				die("connect %s %s: %s", addr, port, strerror(errno));
			usleep(200000);
		}
	}
	freeaddrinfo(ai);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static void local_addrs(struct speaker *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(s->fd, (struct sockaddr *)&ss, &sl))
		die("getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET) {
		uint32_t a = ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr);

		if (!s->nh4_set)
			s->ft.nh4 = a;
		if (!s->id)
			s->id = a;
		if (!s->nh6_set && s->ft.fam[FT_FAM_IPV6])
			die("an IPv4 session needs -6 ADDR for the IPv6 next hop");
	} else {
		const uint8_t *a = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;

		if (!s->nh6_set)
			memcpy(s->ft.nh6, a, 16);
		if (!s->nh4_set && s->ft.fam[FT_FAM_IPV4])
			die("an IPv6 session needs -4 ADDR for the IPv4 next hop");
	}
	if (!s->id)
		s->id = 0x0aff0001;
}

static void on_message(struct speaker *s, const uint8_t *m, size_t len)
{
	struct bgp_open o;
	struct bgp_notification n;
	int rc;

	s->t_last_rx = now();
	switch (m[18]) {
	case BGP_OPEN:
		rc = bgp_open_parse(m, len, &o);
		if (rc)
			die("bad OPEN from the peer (error %d/%d)", rc >> 8, rc & 0xff);
		if (s->peer_as && o.as != s->peer_as)
			die("peer AS %u, expected %u", o.as, s->peer_as);
		if (!o.as4)
			die("the peer has no 4-octet AS capability");
		s->got_open = true;
		s->neg_hold = o.hold_time < s->hold ? o.hold_time : s->hold;
		s->peer_as = o.as;
		build_keepalive(&s->ctl);
		break;
	case BGP_KEEPALIVE:
		if (s->got_open && !s->established) {
			s->established = true;
			say(s, "established peer_as=%u hold=%u\n", s->peer_as, s->neg_hold);
		}
		break;
	case BGP_UPDATE:
		s->rx_updates++;
		break;
	case BGP_ROUTE_REFRESH:
		answer_refresh(s, m, len);
		break;
	case BGP_NOTIFICATION:
		if (bgp_notification_parse(m, len, &n))
			die("NOTIFICATION from the peer: %u/%u", n.code, n.subcode);
		die("malformed NOTIFICATION from the peer");
		break;
	default:
		break;
	}
}

static void do_read(struct speaker *s)
{
	size_t off = 0;
	ssize_t r;
	bool eof = false;

	for (;;) {
		if (!buf_reserve(&s->rx, 65536))
			die("out of memory");
		r = recv(s->fd, s->rx.data + s->rx.len, s->rx.cap - s->rx.len, 0);
		if (r > 0) {
			s->rx.len += (size_t)r;
			continue;
		}
		if (r == 0) {
			eof = true;
			break;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		if (errno != EINTR)
			die("recv: %s", strerror(errno));
	}
	for (;;) {
		int len = bgp_msg_check(s->rx.data + off, s->rx.len - off, false);

		if (len < 0)
			die("bad message header from the peer");
		if (len == 0)
			break;
		on_message(s, s->rx.data + off, (size_t)len);
		off += (size_t)len;
	}
	memmove(s->rx.data, s->rx.data + off, s->rx.len - off);
	s->rx.len -= off;
	if (eof)
		die("the peer closed the session");
}

/* Returns false when the socket is full. */
static bool send_some(struct speaker *s, const uint8_t *p, size_t len, size_t *off)
{
	while (*off < len) {
		size_t n = len - *off > (1u << 20) ? 1u << 20 : len - *off;
		ssize_t w = send(s->fd, p + *off, n, MSG_NOSIGNAL);

		if (w > 0) {
			*off += (size_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (w < 0 && errno == EINTR)
			continue;
		die("send: %s", strerror(errno));
	}
	return true;
}

static void do_write(struct speaker *s)
{
	static size_t ctl_off;

	if (s->ctl.len) {
		if (!send_some(s, s->ctl.data, s->ctl.len, &ctl_off))
			return;
		buf_reset(&s->ctl);
		ctl_off = 0;
		s->t_last_ka = now();
	}
	if (!s->established || s->written)
		return;
	if (!s->tx_off) {
		s->t_first = now();
		s->e_first = epoch();
	}
	if (send_some(s, s->tx, s->tx_len, &s->tx_off)) {
		s->written = true;
		s->t_written = now();
		s->t_last_ka = s->t_written;
	}
}

static void report(struct speaker *s)
{
	struct rusage ru;
	double w = s->t_written - s->t_first, a = s->t_acked - s->t_first, cpu;

	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)(ru.ru_utime.tv_sec - s->ru0.ru_utime.tv_sec) +
	      (double)(ru.ru_utime.tv_usec - s->ru0.ru_utime.tv_usec) / 1e6 +
	      (double)(ru.ru_stime.tv_sec - s->ru0.ru_stime.tv_sec) +
	      (double)(ru.ru_stime.tv_usec - s->ru0.ru_stime.tv_usec) / 1e6;
	printf("RESULT updates=%llu prefixes4=%llu prefixes6=%llu bytes=%zu msgs=%llu "
	       "write_s=%.3f ack_s=%.3f mbps=%.1f prefixes_per_s=%.0f cpu_s=%.3f "
	       "first_epoch=%.3f acked_epoch=%.3f\n",
	       (unsigned long long)(s->t.updates[0] + s->t.updates[1]),
	       (unsigned long long)s->t.prefixes[0], (unsigned long long)s->t.prefixes[1],
	       s->tx_len, (unsigned long long)s->tx_msgs, w, a,
	       a > 0 ? (double)s->tx_len * 8 / a / 1e6 : 0.0,
	       a > 0 ? (double)(s->t.prefixes[0] + s->t.prefixes[1]) / a : 0.0, cpu,
	       s->e_first, s->e_first + a);
	fflush(stdout);
}

static int run_session(struct speaker *s)
{
	double stop_at = 0;

	s->t_est0 = now();
	s->t_last_rx = s->t_est0;
	build_open(s, &s->ctl);
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		double t = now();
		int timeout = 200;

		if (stop_sig)
			break;
		if (!s->established && t - s->t_est0 > s->est_timeout)
			die("not established after %.0f s", s->est_timeout);
		if (s->neg_hold && t - s->t_last_rx > s->neg_hold)
			die("hold timer expired (%u s without a message)", s->neg_hold);
		if (s->written && !s->acked) {
			int q = 0;

			if (ioctl(s->fd, SIOCOUTQ, &q) == 0 && q == 0) {
				s->acked = true;
				s->t_acked = now();
				report(s);
				if (s->stop_after > 0)
					stop_at = s->t_acked + s->stop_after;
			} else {
				/* Within 1 % of the elapsed time, without spinning. */
				timeout = (int)((t - s->t_first) * 10);
				timeout = timeout < 1 ? 1 : timeout > 50 ? 50 : timeout;
			}
		}
		if (stop_at && t >= stop_at)
			break;
		if (s->written && s->neg_hold && !s->ctl.len &&
		    t - s->t_last_ka >= s->neg_hold / 3.0)
			build_keepalive(&s->ctl);
		if (s->ctl.len || (s->established && !s->written))
			p.events |= POLLOUT;
		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (p.revents & (POLLIN | POLLHUP | POLLERR))
			do_read(s);
		if (p.revents & POLLOUT || (s->established && !s->written && !s->tx_off))
			do_write(s);
	}
	if (s->written && !s->acked) {
		s->t_acked = now();
		report(s);
	}
	buf_reset(&s->ctl);
	build_notification(&s->ctl, 6, 2);	/* Cease, administrative shutdown */
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) & ~O_NONBLOCK);
	send(s->fd, s->ctl.data, s->ctl.len, MSG_NOSIGNAL);
	shutdown(s->fd, SHUT_WR);
	close(s->fd);
	say(s, "stopped rx_updates=%llu\n", (unsigned long long)s->rx_updates);
	return 0;
}

/* -c: counts what a BGP message stream (a tap's flow file, -w output) holds. */
static int count_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct bgp_codec c = { .as4 = true };
	struct bgp_update *u = malloc(sizeof(*u));
	uint64_t msgs = 0, updates = 0, pfx[2] = { 0, 0 }, eor = 0, errors = 0, other = 0;
	uint8_t *d = NULL;
	size_t len = 0, cap = 0, off = 0;
	size_t n;

	if (!f || !u)
		die("%s: %s", path, strerror(errno));
	do {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			d = realloc(d, cap);
			if (!d)
				die("out of memory");
		}
		n = fread(d + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	while (off < len) {
		int l = bgp_msg_check(d + off, len - off, false);
		struct bgp_nlri_iter it;
		struct bgp_prefix p;

		if (l <= 0)
			break;
		msgs++;
		if (d[off + 18] == BGP_UPDATE) {
			updates++;
			if (bgp_update_parse(d + off, (size_t)l, &c, u) != BGP_ACT_NONE)
				errors++;
			if (u->eor >= 0)
				eor++;
			bgp_nlri_iter_init(&it, u->nlri, BGP_FAM_IPV4, false);
			while (bgp_nlri_next(&it, &p))
				pfx[0]++;
			if (u->reach.present && u->reach.fam >= 0) {
				bgp_nlri_iter_init(&it, u->reach.nlri, u->reach.fam, false);
				while (bgp_nlri_next(&it, &p))
					pfx[u->reach.fam == BGP_FAM_IPV6]++;
			}
		} else {
			other++;
		}
		off += (size_t)l;
	}
	printf("count msgs=%llu updates=%llu prefixes4=%llu prefixes6=%llu eor=%llu errors=%llu "
	       "other=%llu trailing=%zu\n",
	       (unsigned long long)msgs, (unsigned long long)updates, (unsigned long long)pfx[0],
	       (unsigned long long)pfx[1], (unsigned long long)eor, (unsigned long long)errors,
	       (unsigned long long)other, len - off);
	free(d);
	free(u);
	return off == len && !errors ? 0 : 1;
}

static uint32_t parse_u32(const char *v, const char *what)
{
	char *end;
	unsigned long long x = strtoull(v, &end, 0);

	if (*end || x > 0xffffffffULL) {
		fprintf(stderr, PROG ": bad %s: %s\n", what, v);
		exit(2);
	}
	return (uint32_t)x;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: " PROG " connect|listen ADDR [PORT] [options]\n"
		"       " PROG " -w FILE [-W RECORDS] [options]\n"
		"       " PROG " -c FILE   (count the UPDATEs and prefixes of a message stream)\n"
		"options: -a AS -p PEER_AS -i ID -S SCALE -s SEED -f 4|6|46 -4 NH4 -6 NH6\n"
		"         -H HOLD -t STOP_AFTER_S -T ESTABLISH_TIMEOUT_S -R -D OMIT -q\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct speaker s;
	const char *wfile = NULL, *rfile = NULL, *mode = NULL, *addr = NULL, *port = "179";
	struct sigaction sa = { .sa_handler = on_sig };
	struct in_addr a4;
	int o;

	memset(&s, 0, sizeof(s));
	ft_opts_default(&s.ft);
	s.as = s.ft.peer_as;
	s.hold = 90;
	s.est_timeout = 60;
	s.fd = -1;
	buf_init(&s.rx);
	buf_init(&s.ctl);
	if (argc > 1 && argv[1][0] != '-') {
		mode = argv[1];
		if (strcmp(mode, "connect") && strcmp(mode, "listen"))
			usage();
		if (argc < 3)
			usage();
		addr = argv[2];
		optind = 3;
		if (argc > 3 && argv[3][0] != '-') {
			port = argv[3];
			optind = 4;
		}
	}
	while ((o = getopt(argc, argv, "a:p:i:S:s:f:4:6:H:t:T:w:W:qc:RD:")) != -1) {
		switch (o) {
		case 'c':
			return count_file(optarg);
		case 'R':
			s.err = true;
			break;
		case 'D':
			s.omit = parse_u32(optarg, "UPDATEs to omit");
			break;
		case 'a':
			s.as = parse_u32(optarg, "AS");
			break;
		case 'p':
			s.peer_as = parse_u32(optarg, "peer AS");
			break;
		case 'i':
			if (inet_pton(AF_INET, optarg, &a4) != 1)
				usage();
			s.id = ntohl(a4.s_addr);
			break;
		case 'S':
			s.ft.scale = atof(optarg);
			break;
		case 's':
			s.ft.seed = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			s.ft.fam[0] = strchr(optarg, '4') != NULL;
			s.ft.fam[1] = strchr(optarg, '6') != NULL;
			if (!s.ft.fam[0] && !s.ft.fam[1])
				usage();
			break;
		case '4':
			if (inet_pton(AF_INET, optarg, &a4) != 1)
				usage();
			s.ft.nh4 = ntohl(a4.s_addr);
			s.nh4_set = true;
			break;
		case '6':
			if (inet_pton(AF_INET6, optarg, s.ft.nh6) != 1)
				usage();
			s.nh6_set = true;
			break;
		case 'H':
			s.hold = (uint16_t)parse_u32(optarg, "hold time");
			if (s.hold && s.hold < 3)
				usage();
			break;
		case 't':
			s.stop_after = atof(optarg);
			break;
		case 'T':
			s.est_timeout = atof(optarg);
			break;
		case 'w':
			wfile = optarg;
			break;
		case 'W':
			rfile = optarg;
			break;
		case 'q':
			s.quiet = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (!mode && !wfile) || (mode && wfile) || (rfile && !wfile) ||
	    !(s.ft.scale > 0 && s.ft.scale <= 16))
		usage();
	s.ft.peer_as = s.as;
	if (wfile) {
		FILE *f = fopen(wfile, "wb");

		if (!s.id)
			s.id = 0x0a000101;
		make_table(&s);
		if (!f || fwrite(s.tx, 1, s.tx_len, f) != s.tx_len || fclose(f))
			die("%s: %s", wfile, strerror(errno));
		if (rfile)
			write_records(&s, rfile);
		ft_free(&s.t);
		return 0;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	s.fd = open_socket(mode, addr, port, s.est_timeout);
	local_addrs(&s);
	make_table(&s);
	getrusage(RUSAGE_SELF, &s.ru0);
	o = run_session(&s);
	ft_free(&s.t);
	buf_free(&s.rx);
	buf_free(&s.ctl);
	return o;
}
