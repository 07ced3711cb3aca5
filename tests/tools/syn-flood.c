// SPDX-License-Identifier: GPL-2.0
/*
 * syn-flood: sends TCP SYNs with forged source addresses to one IPv4
 * address and port, as a SYN flood does, for guest tests of the flow table
 * bound.  Every SYN has a different source address (a permutation of the
 * source prefix, so no 4-tuple repeats and each SYN is a new flow for the
 * tap), a random source port and ISN, and a correct checksum (the tap
 * ignores segments TCP would drop).
 *
 *   syn-flood [-n COUNT] [-r PER_SECOND] [-s SEED] SRC/LEN DST PORT
 *
 *   -n COUNT       SYNs to send (default: 2^(32-LEN), every source once)
 *   -r PER_SECOND  pace to about this many SYNs a second (default: as fast
 *                  as the socket takes them)
 *   -s SEED        source order, ports and ISNs (default 1)
 *
 * Stops early on SIGTERM/SIGINT.  Prints "sent N" (flushed) when done.
 * Needs CAP_NET_RAW.  Exit 0 when it stopped without a send error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic across runs and machines */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

struct syn {
	struct iphdr ip;
	struct tcphdr tcp;
	uint8_t opt[4];		/* MSS, as every real SYN carries */
} __attribute__((packed));

static void build(struct syn *s, uint32_t saddr, uint32_t daddr, uint16_t sport,
		  uint16_t dport, uint32_t isn)
{
	struct {
		uint32_t saddr, daddr;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph;
	uint32_t sum;

	memset(s, 0, sizeof(*s));
	s->ip.version = 4;
	s->ip.ihl = 5;
	s->ip.ttl = 64;
	s->ip.protocol = IPPROTO_TCP;
	s->ip.tot_len = htons(sizeof(*s));
	s->ip.saddr = saddr;
	s->ip.daddr = daddr;	/* the kernel fills id and the IP checksum */
	s->tcp.source = htons(sport);
	s->tcp.dest = htons(dport);
	s->tcp.seq = htonl(isn);
	s->tcp.doff = (sizeof(s->tcp) + sizeof(s->opt)) / 4;
	s->tcp.syn = 1;
	s->tcp.window = htons(64240);
	s->opt[0] = TCPOPT_MAXSEG;
	s->opt[1] = TCPOLEN_MAXSEG;
	s->opt[2] = 1460 >> 8;
	s->opt[3] = 1460 & 0xff;

	ph.saddr = saddr;
	ph.daddr = daddr;
	ph.zero = 0;
	ph.proto = IPPROTO_TCP;
	ph.len = htons(sizeof(s->tcp) + sizeof(s->opt));
	sum = csum_add(0, &ph, sizeof(ph));
	sum = csum_add(sum, &s->tcp, sizeof(s->tcp) + sizeof(s->opt));
	s->tcp.check = htons(csum_fold(sum));
}

static void pace(const struct timespec *t0, unsigned long sent, unsigned long rate)
{
	struct timespec due = *t0, now;
	uint64_t ns = (uint64_t)sent * 1000000000ULL / rate;

	due.tv_sec += ns / 1000000000ULL;
	due.tv_nsec += ns % 1000000000ULL;
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < due.tv_sec || (now.tv_sec == due.tv_sec && now.tv_nsec < due.tv_nsec))
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
}

static int usage(void)
{
	fprintf(stderr, "usage: syn-flood [-n COUNT] [-r PER_SECOND] [-s SEED] SRC/LEN DST PORT\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long count = 0, rate = 0, sent = 0, i;
	uint64_t seed = 1, rng, space, stride, offset;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct in_addr base;
	struct sigaction sa;
	struct timespec t0;
	unsigned int len;
	char *slash;
	int fd, opt, one = 1, rc = 0;
	uint16_t dport;

	while ((opt = getopt(argc, argv, "n:r:s:")) != -1) {
		switch (opt) {
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'r': rate = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		default: return usage();
		}
	}
	if (argc - optind != 3)
		return usage();
	slash = strchr(argv[optind], '/');
	if (!slash)
		return usage();
	*slash = '\0';
	len = strtoul(slash + 1, NULL, 10);
	if (len < 8 || len > 32 || inet_pton(AF_INET, argv[optind], &base) != 1 ||
	    inet_pton(AF_INET, argv[optind + 1], &dst.sin_addr) != 1)
		return usage();
	dport = (uint16_t)strtoul(argv[optind + 2], NULL, 10);
	space = 1ULL << (32 - len);
	if (!count)
		count = space;
	if (count > space) {
		fprintf(stderr, "syn-flood: %lu SYNs need more than %u-bit sources\n", count, 32 - len);
		return 2;
	}
	rng = seed ? seed : 1;
	/* An odd stride is a permutation of the power-of-two source space. */
	stride = rng_next(&rng) | 1;
	offset = rng_next(&rng);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("syn-flood: raw socket");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count && !stop_sig; i++) {
		uint32_t host = (uint32_t)((i * stride + offset) & (space - 1));
		uint32_t saddr = htonl((ntohl(base.s_addr) & ~(uint32_t)(space - 1)) | host);
		uint64_t r = rng_next(&rng);
		struct syn s;

		build(&s, saddr, dst.sin_addr.s_addr, 1024 + (uint16_t)(r % 64512),
		      dport, (uint32_t)(r >> 32));
		if (rate)
			pace(&t0, sent, rate);
		while (sendto(fd, &s, sizeof(s), 0, (struct sockaddr *)&dst, sizeof(dst)) !=
		       (ssize_t)sizeof(s)) {
			/* A full device queue is not a reason to skip a SYN. */
			if ((errno == ENOBUFS || errno == EAGAIN) && !stop_sig) {
				usleep(1000);
				continue;
			}
			if (errno != EINTR) {
				perror("syn-flood: sendto");
				rc = 1;
			}
			goto out;
		}
		sent++;
	}
out:
	printf("sent %lu\n", sent);
	fflush(stdout);
	close(fd);
	return rc;
}
