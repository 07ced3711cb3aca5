// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapd's control socket (ctlsrv.c) over real UNIX sockets in a private
 * directory, driven by the real event loop: a show request gets the whole
 * document and the end of the stream; bad and overlong requests an error
 * line, counted; a monitor client that never reads is dropped at the bound
 * while ctlsrv_eventf never blocks; a stale socket file is replaced, a
 * live one refused; the file is 0660 and removed at close.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsrv.h"

struct fx {
	char dir[64], path[96];
	struct loop loop;
	struct ctlsrv s;
	size_t doc_len;		/* bytes the render callback writes */
};

static void render(void *ctx, unsigned parts, FILE *f)
{
	struct fx *x = ctx;

	fprintf(f, "{\"parts\":%u,\"pad\":\"", parts);
	for (size_t i = 0; i < x->doc_len; i++)
		fputc('x', f);
	fputs("\"}\n", f);
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char err[256];

	snprintf(x->dir, sizeof(x->dir), "/tmp/test_ctlsrv.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	snprintf(x->path, sizeof(x->path), "%s/t.sock", x->dir);
	assert_int_equal(loop_init(&x->loop), 0);
	assert_int_equal(ctlsrv_open(&x->s, x->path, NULL, err, sizeof(err)), 0);
	assert_int_equal(ctlsrv_start(&x->s, &x->loop, NULL, render, x), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	ctlsrv_close(&x->s);
	loop_free(&x->loop);
	rmdir(x->dir);
	free(x);
	return 0;
}

static void spin(struct fx *x, int turns)
{
	while (turns--)
		loop_run_once(&x->loop, 5);
}

/* Sends raw bytes, serves, and reads the reply to its end. */
static size_t ask(struct fx *x, const void *req, size_t len, char *out, size_t outlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	size_t n = 0;

	strcpy(sa.sun_path, x->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, req, len, 0), (ssize_t)len);
	for (int i = 0; i < 2000; i++) {
		ssize_t r;

		spin(x, 1);
		r = recv(fd, out + n, outlen - 1 - n, 0);
		if (r == 0)
			break;
		if (r > 0)
			n += (size_t)r;
		else
			assert_int_equal(errno, EAGAIN);
	}
	close(fd);
	out[n] = '\0';
	return n;
}

static void test_show_and_errors(void **state)
{
	struct fx *x = *state;
	static char out[1 << 20];
	char big[4096];
	struct stat st;

	assert_int_equal(stat(x->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	/* A document larger than any socket buffer: streamed whole. */
	x->doc_len = 600000;
	assert_int_equal(ask(x, "show peers\n", 11, out, sizeof(out)), x->doc_len + 21);
	assert_int_equal(strncmp(out, "{\"parts\":1,", 11), 0);
	x->doc_len = 0;
	ask(x, "show servers\r\n", 14, out, sizeof(out));
	assert_string_equal(out, "{\"parts\":2,\"pad\":\"\"}\n");
	ask(x, "show status\n", 12, out, sizeof(out));
	assert_string_equal(out, "{\"parts\":3,\"pad\":\"\"}\n");
	ask(x, "show\n", 5, out, sizeof(out));
	assert_int_equal(strncmp(out, CTL_ERROR_PREFIX "unknown request", 22), 0);
	ask(x, "show status\0\n", 13, out, sizeof(out));
	assert_string_equal(out, CTL_ERROR_PREFIX "bad request\n");
	memset(big, 'a', sizeof(big));
	ask(x, big, sizeof(big), out, sizeof(out));
	assert_string_equal(out, CTL_ERROR_PREFIX "request too long\n");
	assert_int_equal(x->s.bad_requests, 3);
	spin(x, 5);	/* the last client's close is seen */
	assert_int_equal(x->s.n_clients, 0);
}

static void test_slow_monitor_dropped(void **state)
{
	struct fx *x = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int slow = socket(AF_UNIX, SOCK_STREAM, 0), fast = socket(AF_UNIX, SOCK_STREAM, 0);
	char buf[65536];
	size_t got = 0;
	int i;

	strcpy(sa.sun_path, x->path);
	assert_int_equal(connect(slow, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(connect(fast, (struct sockaddr *)&sa, sizeof(sa)), 0);
	send(slow, "monitor\n", 8, 0);
	send(fast, "monitor\n", 8, 0);
	spin(x, 10);
	assert_int_equal(x->s.n_monitors, 2);
	/* 4 MiB of events: far beyond the bound plus the socket buffers. */
	for (i = 0; i < 4096 && x->s.n_monitors == 2; i++) {
		ctlsrv_eventf(&x->s, "route add %d %0900d", i, 0);
		ssize_t r = recv(fast, buf, sizeof(buf), MSG_DONTWAIT);

		if (r > 0)
			got += (size_t)r;
		spin(x, 1);
	}
	assert_int_equal(x->s.dropped_slow, 1);
	assert_int_equal(x->s.n_monitors, 1);
	assert_true(got > 0);
	/* The slow one sees the end of its stream once it reads. */
	while (recv(slow, buf, sizeof(buf), 0) > 0)
		;
	close(slow);
	close(fast);
	spin(x, 5);
	assert_int_equal(x->s.n_clients, 0);
}

static void test_claim(void **state)
{
	struct fx *x = *state;
	struct ctlsrv other;
	char err[256], stale[128];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	/* The live one answers: refused. */
	assert_int_equal(ctlsrv_open(&other, x->path, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another bmptapd answers"));
	/* A socket file nobody listens on: replaced. */
	snprintf(stale, sizeof(stale), "%s/stale.sock", x->dir);
	strcpy(sa.sun_path, stale);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(ctlsrv_open(&other, stale, NULL, err, sizeof(err)), 0);
	ctlsrv_close(&other);
	assert_int_equal(access(stale, F_OK), -1);
	/* Not a socket: left alone, refused. */
	fd = open(stale, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(ctlsrv_open(&other, stale, NULL, err, sizeof(err)), -1);
	assert_int_equal(unlink(stale), 0);
	/* An explicitly named group must exist. */
	assert_int_equal(ctlsrv_open(&other, stale, "no-such-group-xyz", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_show_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_monitor_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
