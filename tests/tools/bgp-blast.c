// SPDX-License-Identifier: GPL-2.0
/*
 * bgp-blast: a TCP endpoint that exchanges a deterministic stream of
 * BGP-framed messages with its peer, for guest tests of the tap.  Both sides
 * send their stream, then half-close and read the peer's until EOF.  What
 * each side sent and received is written to files so a test can compare
 * them byte for byte with what the tap delivered.
 *
 * Usage:
 *   bgp-blast listen  ADDR PORT [options]
 *   bgp-blast connect ADDR PORT [options]
 * Options:
 *   -n COUNT      messages to send (default 1000)
 *   -s SEED       stream seed (default 1)
 *   -m MAXLEN     largest message (19..65535, default 4096)
 *   -S FILE       write the bytes sent here
 *   -R FILE       write the bytes received here
 *   -w SECONDS    give up after this long (default 60)
 *   -k MD5KEY     TCP-MD5 key (RFC 2385): for the peer address (connect) or
 *                 for any peer of the address family (listen)
 *   -H            IPv6: send every segment with a hop-by-hop options
 *                 extension header (so the tap must walk extension headers)
 *   -D            IPv6: the same with a destination options header
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	long count;
	unsigned long seed;
	long maxlen;
	const char *sent_path, *recv_path, *md5key;
	int wait_s;
	int extopts;		/* IPV6_HOPOPTS, IPV6_DSTOPTS or 0 */
};

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic across runs and machines */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Appends one message: mostly small UPDATEs, some KEEPALIVEs, a few large. */
static size_t gen_msg(uint64_t *rng, long maxlen, uint8_t *out)
{
	uint64_t r = rng_next(rng);
	size_t len;
	uint8_t type;

	if (r % 10 == 0) {
		type = 4;
		len = 19;
	} else {
		type = 2;
		if (r % 97 == 1)
			len = 23 + rng_next(rng) % (uint64_t)(maxlen - 22);
		else
			len = 23 + rng_next(rng) % 150;
	}
	memset(out, 0xff, 16);
	out[16] = len >> 8;
	out[17] = len & 0xff;
	out[18] = type;
	for (size_t i = 19; i < len; i++)
		out[i] = rng_next(rng) >> 56;
	return len;
}

static int set_md5(int fd, const struct sockaddr *peer, socklen_t plen, const char *key)
{
	struct tcp_md5sig sig;

	memset(&sig, 0, sizeof(sig));
	memcpy(&sig.tcpm_addr, peer, plen);
	sig.tcpm_keylen = strlen(key);
	memcpy(sig.tcpm_key, key, sig.tcpm_keylen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig));
}

/* A listener's key: every peer of the family (prefix length 0). */
static int set_md5_any(int fd, int family, const char *key)
{
	struct tcp_md5sig sig;

	memset(&sig, 0, sizeof(sig));
	sig.tcpm_addr.ss_family = family;
	sig.tcpm_flags = TCP_MD5SIG_FLAG_PREFIX;
	sig.tcpm_prefixlen = 0;
	sig.tcpm_keylen = strlen(key);
	memcpy(sig.tcpm_key, key, sig.tcpm_keylen);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG_EXT, &sig, sizeof(sig));
}

/* An options header holding one PadN option: 8 bytes, no meaning. */
static int set_extopts(int fd, int which)
{
	static const uint8_t hbh[8] = { 0 /* next header, set by the stack */, 0 /* 8 bytes */,
					1 /* PadN */, 4, 0, 0, 0, 0 };

	return setsockopt(fd, IPPROTO_IPV6, which, hbh, sizeof(hbh));
}

static int exchange(int fd, const struct opts *o)
{
	uint64_t rng = o->seed * 0x9e3779b97f4a7c15ULL + 1;
	static uint8_t msg[65536], rbuf[65536];
	FILE *sent = o->sent_path ? fopen(o->sent_path, "w") : NULL;
	FILE *recv = o->recv_path ? fopen(o->recv_path, "w") : NULL;
	size_t mlen = 0, moff = 0;
	long left = o->count;
	int done_tx = 0, done_rx = 0;
	time_t deadline = time(NULL) + o->wait_s;

	if ((o->sent_path && !sent) || (o->recv_path && !recv)) {
		perror("bgp-blast: output file");
		return 1;
	}
	while (!done_tx || !done_rx) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (done_tx ? 0 : POLLOUT) };

		if (time(NULL) > deadline) {
			fprintf(stderr, "bgp-blast: timeout\n");
			return 1;
		}
		if (poll(&p, 1, 1000) < 0)
			return 1;
		if (p.revents & POLLIN || p.revents & POLLHUP) {
			ssize_t n = read(fd, rbuf, sizeof(rbuf));

			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				perror("bgp-blast: read");
				return 1;
			}
			if (n == 0)
				done_rx = 1;
			if (n > 0 && recv)
				fwrite(rbuf, 1, n, recv);
		}
		if (!done_tx && p.revents & POLLOUT) {
			if (moff == mlen) {
				if (left-- == 0) {
					shutdown(fd, SHUT_WR);
					done_tx = 1;
					continue;
				}
				mlen = gen_msg(&rng, o->maxlen, msg);
				moff = 0;
				if (sent)
					fwrite(msg, 1, mlen, sent);
			}
			ssize_t n = write(fd, msg + moff, mlen - moff);

			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				perror("bgp-blast: write");
				return 1;
			}
			if (n > 0)
				moff += n;
		}
	}
	if (sent)
		fclose(sent);
	if (recv)
		fclose(recv);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1000, .seed = 1, .maxlen = 4096, .wait_s = 60 };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	int c, fd, one = 1, rc;

	if (argc < 4) {
		fprintf(stderr, "usage: bgp-blast listen|connect ADDR PORT [-n N] [-s SEED] "
			"[-m MAXLEN] [-S SENT] [-R RECV] [-w SECONDS] [-k MD5KEY] [-H|-D]\n");
		return 2;
	}
	optind = 4;
	while ((c = getopt(argc, argv, "n:s:m:S:R:w:k:HD")) != -1) {
		switch (c) {
		case 'n': o.count = strtol(optarg, NULL, 0); break;
		case 's': o.seed = strtoul(optarg, NULL, 0); break;
		case 'm': o.maxlen = strtol(optarg, NULL, 0); break;
		case 'S': o.sent_path = optarg; break;
		case 'R': o.recv_path = optarg; break;
		case 'w': o.wait_s = atoi(optarg); break;
		case 'k': o.md5key = optarg; break;
		case 'H': o.extopts = IPV6_HOPOPTS; break;
		case 'D': o.extopts = IPV6_DSTOPTS; break;
		default: return 2;
		}
	}
	if (o.maxlen < 23 || o.maxlen > 65535) {
		fprintf(stderr, "bgp-blast: -m %ld out of range 23..65535\n", o.maxlen);
		return 2;
	}
	if (strcmp(argv[1], "listen") == 0)
		hints.ai_flags |= AI_PASSIVE;
	if ((rc = getaddrinfo(argv[2], argv[3], &hints, &ai)) != 0) {
		fprintf(stderr, "bgp-blast: %s: %s\n", argv[2], gai_strerror(rc));
		return 2;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		return 1;
	/* Before connect/listen, so TCP sizes its segments for the header. */
	if (o.extopts && set_extopts(fd, o.extopts)) {
		perror("bgp-blast: IPv6 options header");
		return 1;
	}
	if (strcmp(argv[1], "listen") == 0) {
		int lfd = fd;

		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, 1)) {
			perror("bgp-blast: bind/listen");
			return 1;
		}
		if (o.md5key && set_md5_any(lfd, ai->ai_family, o.md5key)) {
			perror("bgp-blast: TCP_MD5SIG_EXT");
			return 1;
		}
		printf("listening\n");
		fflush(stdout);
		fd = accept(lfd, NULL, NULL);
		close(lfd);
		if (fd < 0) {
			perror("bgp-blast: accept");
			return 1;
		}
	} else {
		if (o.md5key && set_md5(fd, ai->ai_addr, ai->ai_addrlen, o.md5key)) {
			perror("bgp-blast: TCP_MD5SIG");
			return 1;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			perror("bgp-blast: connect");
			return 1;
		}
	}
	freeaddrinfo(ai);
	rc = exchange(fd, &o);
	close(fd);
	return rc;
}
