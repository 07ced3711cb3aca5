// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics endpoint's pure parts: exposition escaping and layout (HELP
 * and TYPE before every family's samples), --metrics ADDR:PORT parsing and
 * the HTTP request parser's bounds; and the server answering a document
 * larger than the socket buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include "collector.h"
#include "fd_testutil.h"
#include "httpd.h"
#include "metrics.h"
#include "nl.h"
#include "peer.h"

/* The buffer as a C string (the buffer keeps ownership). */
static const char *str(struct buf *b)
{
	buf_put(b, "", 1);
	b->len--;
	return (const char *)b->data;
}

static void test_escape(void **state)
{
	struct buf b;
	struct prom_label l[3] = {
		{ "a", "x\\y\"z\nw" }, { "empty", "" }, { "c", "plain" },
	};

	(void)state;
	buf_init(&b);
	prom_sample(&b, "m_total", l, 3, 42);
	assert_string_equal(str(&b), "m_total{a=\"x\\\\y\\\"z\\nw\",c=\"plain\"} 42\n");
	buf_reset(&b);
	prom_family(&b, "m_total", "counter", "say \"hi\" \\ then\nmore");
	assert_string_equal(str(&b), "# HELP m_total say \"hi\" \\\\ then\\nmore\n"
			    "# TYPE m_total counter\n");
	buf_reset(&b);
	prom_sample(&b, "g", NULL, 0, UINT64_MAX);
	assert_string_equal(str(&b), "g 18446744073709551615\n");
	buf_reset(&b);
	prom_sample_ns(&b, "s_seconds_total", l + 1, 1, 1500000001ull);
	assert_string_equal(str(&b), "s_seconds_total 1.500000001\n");
	buf_free(&b);
}

/* Every sample's family was introduced by HELP then TYPE, each only once. */
static void check_layout(const char *text)
{
	char *copy = strdup(text), *save = NULL, help[128] = "", type[128] = "";
	char seen[256][128];
	int n_seen = 0, samples = 0;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (!strncmp(line, "# HELP ", 7)) {
			sscanf(line + 7, "%127s", help);
			for (int i = 0; i < n_seen; i++)
				assert_string_not_equal(seen[i], help);
			assert_true(n_seen < 256);
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", help);
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			sscanf(line + 7, "%127s", type);
			assert_string_equal(type, help);
			continue;
		}
		sscanf(line, "%127[^{ ]", name);
		assert_string_equal(name, help);
		assert_string_equal(name, type);
		samples++;
	}
	assert_true(samples > 0);
	free(copy);
}

static void test_render(void **state)
{
	struct peers ps;
	struct feed f;
	struct bt_netns ns = { .flows = 3 };
	struct httpd h = { .requests = 7 };
	struct buf b;
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT, .port = 1790 };
	struct metrics_src s = { .feed = &f, .peers = &ps, .module = &ns, .http = &h };

	(void)state;
	assert_int_equal(feed_init(&f, NULL, NULL, &ps, NULL), 0);
	struct peer_sink sink = feed_sink(&f);
	assert_int_equal(peers_init(&ps, &(struct peers_cfg){ .sink = sink }, NULL), 0);
	snprintf(cfg.address, sizeof(cfg.address), "192.0.2.9");
	assert_non_null(feed_add(&f, &cfg));
	for (unsigned i = 0; i <= BMPTAP_CNT_MAX; i++)
		if (bt_counter_name(i)) {
			ns.cnt.v[i] = i;
			ns.cnt.present |= 1ull << i;
		}
	ns.cnt.v[BMPTAP_CNT_HOOK_NS] = 2500000000ull;
	ns.cnt.v[BMPTAP_CNT_DROPS] = 8;
	h.refused[HTTPD_REF_TOO_LARGE] = 2;
	buf_init(&b);
	metrics_render(&s, &b);
	assert_false(b.oom);
	check_layout(str(&b));
	assert_non_null(strstr(str(&b), "\nbmptap_module_hook_seconds_total 2.500000000\n"));
	assert_non_null(strstr(str(&b), "\nbmptap_module_flows 3\n"));
	assert_non_null(strstr(str(&b), "\nbmptap_module_drops_total 8\n"));
	assert_non_null(strstr(str(&b), "\nbmptap_metrics_refused_total{reason=\"request_too_large\"} 2\n"));
	assert_non_null(strstr(str(&b), "\nbmptap_metrics_requests_total 7\n"));
	assert_non_null(strstr(str(&b), "bmptap_collector_messages_total{server=\"192.0.2.9\",port=\"1790\"} 0\n"));
	/* No module: its families are left out, and said so. */
	buf_reset(&b);
	s.module = NULL;
	metrics_render(&s, &b);
	check_layout(str(&b));
	assert_null(strstr(str(&b), "bmptap_module_flows"));
	assert_non_null(strstr(str(&b), "\nbmptap_module_up 0\n"));
	/* One address, a peer in the default VRF and one in a VRF (lo, ifindex 1
	 * everywhere, stands for a VRF device): two series, not one twice. */
	struct bmptap_flow_info fi = { .family = AF_INET };
	inet_pton(AF_INET, "10.0.5.1", fi.remote_addr);
	peer_set_info(&ps, peer_new(&ps, 1), &fi);
	fi.l3_ifindex = 1;
	peer_set_info(&ps, peer_new(&ps, 2), &fi);
	buf_reset(&b);
	metrics_render(&s, &b);
	check_layout(str(&b));
	assert_non_null(strstr(str(&b), "\nbmptap_peer_established{peer=\"10.0.5.1\"} 0\n"));
	assert_non_null(strstr(str(&b),
			       "\nbmptap_peer_established{peer=\"10.0.5.1\",vrf=\"lo\"} 0\n"));
	buf_free(&b);
	feed_free(&f);
	peers_free(&ps);
}

static void test_parse_addr(void **state)
{
	static const struct {
		const char *spec, *err;
	} bad[] = {
		{ "127.0.0.1", "127.0.0.1: expected ADDRESS:PORT or [IPv6]:PORT" },
		{ "::1:80", "::1:80: expected ADDRESS:PORT or [IPv6]:PORT" },
		{ "[::1]", "[::1]: expected [IPv6]:PORT" },
		{ "[::1]80", "[::1]80: expected [IPv6]:PORT" },
		{ "127.0.0.1:0", "127.0.0.1:0: port must be 1..65535" },
		{ "127.0.0.1:65536", "127.0.0.1:65536: port must be 1..65535" },
		{ "127.0.0.1:", "127.0.0.1:: port must be 1..65535" },
		{ "127.0.0.1:-1", "127.0.0.1:-1: port must be 1..65535" },
		{ "127.0.0.1:9x", "127.0.0.1:9x: port must be 1..65535" },
		{ "host:80", "host:80: not an IPv4 address" },
		{ ":80", ":80: not an IPv4 address" },
		{ "[10.0.0.1]:80", "[10.0.0.1]:80: not an IPv6 address" },
		{ "[::1::2]:80", "[::1::2]:80: not an IPv6 address" },
	};
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char err[160];

	(void)state;
	assert_int_equal(httpd_parse_addr("127.0.0.1:9101", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9101);
	assert_int_equal(httpd_parse_addr("[::]:65535", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 65535);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(httpd_parse_addr(bad[i].spec, &ss, &len, err, sizeof(err)), -1);
		assert_string_equal(err, bad[i].err);
	}
}

static int parse(const char *req, size_t max)
{
	return http_request_parse(req, strlen(req), max, "/metrics");
}

static void test_request_parse(void **state)
{
	char big[9000];

	(void)state;
	assert_int_equal(parse("", 8192), 0);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", 8192), 0);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 8192), 200);
	assert_int_equal(parse("GET /metrics HTTP/1.0\n\n", 8192), 200);
	assert_int_equal(parse("GET /metrics?x=1 HTTP/1.1\r\n\r\n", 8192), 200);
	assert_int_equal(parse("GET /metricsx HTTP/1.1\r\n\r\n", 8192), 404);
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", 8192), 404);
	assert_int_equal(parse("GET /metric HTTP/1.1\r\n\r\n", 8192), 404);
	assert_int_equal(parse("POST /metrics HTTP/1.1\r\n\r\n", 8192), 405);
	assert_int_equal(parse("HEAD /metrics HTTP/1.1\r\n\r\n", 8192), 405);
	assert_int_equal(parse("get /metrics HTTP/1.1\r\n\r\n", 8192), 400);
	assert_int_equal(parse("GET /metrics\r\n\r\n", 8192), 400);
	assert_int_equal(parse("GET /metrics HTTP/2\r\n\r\n", 8192), 400);
	assert_int_equal(parse("GET  HTTP/1.1\r\n\r\n", 8192), 400);
	assert_int_equal(parse(" GET /metrics HTTP/1.1\r\n\r\n", 8192), 400);
	assert_int_equal(parse("\r\n\r\n", 8192), 400);
	/* Bounds: the whole header block, not only what has arrived. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(parse(big, 8192), 431);
	assert_int_equal(http_request_parse(big, 8191, 8192, "/metrics"), 0);
	memcpy(big + 8188, "\r\n\r\n", 4);
	assert_int_equal(http_request_parse(big, 8192, 8192, "/metrics"), 200);
	assert_int_equal(http_request_parse(big, 8192, 8191, "/metrics"), 431);
}

/* A document far larger than any socket buffer, with a checkable pattern. */
#define BIG_DOC (4u << 20)

static void render_big(void *ctx, struct buf *out)
{
	(void)ctx;
	for (size_t i = 0; i < BIG_DOC; i++)
		buf_u8(out, (uint8_t)('a' + i % 26));
}

/*
 * A server on an ephemeral loopback port and a client connected to it; a
 * rcvbuf other than 0 fixes the client's receive buffer (no autotuning).
 */
static int serve_and_connect(struct loop *loop, struct httpd *h, int rcvbuf)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd;

	assert_int_equal(loop_init(loop), 0);
	assert_int_equal(httpd_open(h, loop, (struct sockaddr *)&sin, sizeof(sin), "/metrics",
				    "text/plain", render_big, NULL), 0);
	assert_int_equal(getsockname(h->fd, (struct sockaddr *)&sin, &len), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	if (rcvbuf)
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/*
 * The real server in a real loop: a client that reads only between loop
 * turns gets the whole answer (written as the socket takes it), then the
 * end of the stream.
 */
static void test_serve_big(void **state)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: unit\r\n\r\n";
	struct loop loop;
	struct httpd h;
	struct buf got;
	char tmp[65536], *body;
	int fd, turns = 0;

	(void)state;
	fd = serve_and_connect(&loop, &h, 0);
	assert_int_equal(write(fd, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	buf_init(&got);
	for (;;) {
		ssize_t n;

		assert_int_equal(loop_run_once(&loop, 1), 0);
		n = read(fd, tmp, sizeof(tmp));
		if (n == 0)
			break;
		if (n < 0) {
			assert_true(errno == EAGAIN);
			assert_true(++turns < 100000);
			continue;
		}
		buf_put(&got, tmp, (size_t)n);
	}
	buf_put(&got, "", 1);
	assert_non_null(strstr((char *)got.data, "Content-Length: 4194304\r\n"));
	body = strstr((char *)got.data, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	assert_int_equal(got.len - 1 - (size_t)(body - (char *)got.data), BIG_DOC);
	for (size_t i = 0; i < BIG_DOC; i += 4099)
		assert_int_equal(body[i], 'a' + i % 26);
	assert_int_equal(h.requests, 1);
	close(fd);
	buf_free(&got);
	/* The server sees the close and frees the connection. */
	for (int i = 0; i < 100 && h.n_conns; i++)
		loop_run_once(&loop, 10);
	assert_int_equal(h.n_conns, 0);
	httpd_close(&h);
	loop_free(&loop);
}

/*
 * Out of descriptors, a pending connection keeps the listener readable:
 * the server must rest instead of waking the loop for ever, count it, and
 * take the connection once descriptors are back.
 */
static void test_accept_out_of_fds(void **state)
{
	struct rlimit old;
	struct loop loop;
	struct httpd h;
	int fd;

	(void)state;
	fd = serve_and_connect(&loop, &h, 0);
	old = fd_limit_exhaust();
	assert_int_equal(loop_run_once(&loop, 100), 0);
	assert_int_equal(h.refused[HTTPD_REF_NO_FD], 1);
	for (int i = 0; i < 50; i++)
		assert_int_equal(loop_run_once(&loop, 0), 0);
	assert_int_equal(h.refused[HTTPD_REF_NO_FD], 1);
	assert_int_equal(h.n_conns, 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	for (int i = 0; i < 300 && !h.n_conns; i++)
		loop_run_once(&loop, 10);
	assert_int_equal(h.n_conns, 1);
	assert_int_equal(h.refused[HTTPD_REF_NO_FD], 1);
	close(fd);
	httpd_close(&h);
	loop_free(&loop);
}

/*
 * A client that asks and then stops reading: once the socket buffers (the
 * client's fixed small, so that no autotuning takes the whole answer) are
 * full the answer makes no progress, and after the idle timeout the
 * connection is closed and counted, not kept for ever.
 */
static void test_stalled_reader(void **state)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: unit\r\n\r\n";
	struct loop loop;
	struct httpd h;
	uint64_t start;
	int fd;

	(void)state;
	fd = serve_and_connect(&loop, &h, 4096);
	assert_int_equal(write(fd, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
	start = loop_now_ms();
	while (h.n_conns == 0 || h.refused[HTTPD_REF_TIMEOUT] == 0) {
		assert_true(loop_now_ms() - start < HTTPD_TIMEOUT_MS + 5000);
		assert_int_equal(loop_run_once(&loop, 100), 0);
		if (h.requests && !h.n_conns)
			break;
	}
	assert_int_equal(h.refused[HTTPD_REF_TIMEOUT], 1);
	assert_int_equal(h.n_conns, 0);
	assert_true(loop_now_ms() - start >= HTTPD_TIMEOUT_MS);
	close(fd);
	httpd_close(&h);
	loop_free(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_request_parse),
		cmocka_unit_test(test_serve_big),
		cmocka_unit_test(test_accept_out_of_fds),
		cmocka_unit_test(test_stalled_reader),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
