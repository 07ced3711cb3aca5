// SPDX-License-Identifier: GPL-2.0
/*
 * BMP over TLS with OpenSSL (see tls.h).  TLS 1.2 at least, the collector
 * always verified against the configured CA file and name: a BMP feed is
 * the whole routing table, there is no "insecure" mode.
 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cli.h"

struct tls_conn {
	SSL *ssl;
	bool fatal;		/* OpenSSL forbids SSL_shutdown() after this */
	char error[160];	/* the last EPROTO's reason */
};

/* ---- config checks --------------------------------------------------------- */

const struct bt_tls_key bt_tls_keys[BT_TLS_KEYS] = {
	{ "ca-file", "ca_file", BT_SRV_TLS_CA, offsetof(struct bt_server_cfg, ca_file) },
	{ "cert-file", "cert_file", BT_SRV_TLS_CERT, offsetof(struct bt_server_cfg, cert_file) },
	{ "key-file", "key_file", BT_SRV_TLS_KEY, offsetof(struct bt_server_cfg, key_file) },
	{ "tls-name", "tls_name", BT_SRV_TLS_NAME, offsetof(struct bt_server_cfg, tls_name) },
};

const struct bt_tls_key *bt_tls_key_bit(unsigned int bit)
{
	for (size_t i = 0; i < BT_TLS_KEYS; i++)
		if (bt_tls_keys[i].bit == bit)
			return &bt_tls_keys[i];
	return NULL;
}

__attribute__((format(printf, 3, 4)))
static int cfg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_file(const char *kw, const char *path, bool must_read, char *err, size_t errlen)
{
	struct stat st;
	int fd, bad;

	if (path[0] != '/')
		return cfg_err(err, errlen, "%s \"%s\" must be an absolute path (bmptapd reads it)",
			       kw, path);
	if (!must_read)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);	/* a FIFO must not hang us */
	if (fd < 0)
		return cfg_err(err, errlen, "cannot read %s \"%s\": %s", kw, path, strerror(errno));
	bad = fstat(fd, &st) || !S_ISREG(st.st_mode);
	close(fd);
	if (bad)
		return cfg_err(err, errlen, "cannot read %s \"%s\": not a regular file", kw, path);
	return 0;
}

static bool is_address(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int bt_tls_cfg_check(const struct bt_server_cfg *s, char *err, size_t errlen)
{
	bool on = s->have & BT_SRV_TLS && s->tls;
	bool ca = s->have & BT_SRV_TLS_CA && s->ca_file[0];
	bool cert = s->have & BT_SRV_TLS_CERT && s->cert_file[0];
	bool key = s->have & BT_SRV_TLS_KEY && s->key_file[0];

	if ((ca && check_file("ca-file", s->ca_file, on, err, errlen)) ||
	    (cert && check_file("cert-file", s->cert_file, on, err, errlen)) ||
	    (key && check_file("key-file", s->key_file, on, err, errlen)))
		return -1;
	if (key != cert)
		return cfg_err(err, errlen, "%s without %s (a client certificate needs both)",
			       key ? "key-file" : "cert-file", key ? "cert-file" : "key-file");
	if (s->have & BT_SRV_TLS_NAME && !bt_cli_valid_hostname(s->tls_name) &&
	    !is_address(s->tls_name))
		return cfg_err(err, errlen, "invalid tls-name \"%s\" (host name or address)",
			       s->tls_name);
	if (on && !ca)
		return cfg_err(err, errlen, "tls on needs ca-file (the CAs that sign the collector's certificate)");
	if (on && s->passive)
		return cfg_err(err, errlen, "tls is for active servers only (not with passive on)");
	return 0;
}

/* ---- transport --------------------------------------------------------------- */

/* OpenSSL's reason for the failure just seen, after prefix. */
static void ssl_reason(const char *prefix, char *why, size_t len)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(why, len, "%s%s", prefix, r ? r : "unknown error");
	ERR_clear_error();
}

static SSL_CTX *new_ctx(const struct bt_server_cfg *cfg, char *why, size_t len)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char pre[BMPTAP_SERVER_STRING_MAX + 32];

	if (!ctx) {
		ssl_reason("tls: ", why, len);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* The output buffer grows (and moves) between retries of a write. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* A station closing without close_notify is EOF, as on plain TCP. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	snprintf(pre, sizeof(pre), "tls: ca-file %s: ", cfg->ca_file);
	if (SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != 1)
		goto fail;
	if (cfg->have & BT_SRV_TLS_CERT && cfg->cert_file[0]) {
		snprintf(pre, sizeof(pre), "tls: cert-file %s: ", cfg->cert_file);
		if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1)
			goto fail;
		snprintf(pre, sizeof(pre), "tls: key-file %s: ", cfg->key_file);
		if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1)
			goto fail;
	}
	return ctx;
fail:
	ssl_reason(pre, why, len);
	SSL_CTX_free(ctx);
	return NULL;
}

struct tls_conn *tls_conn_new(int fd, const struct bt_server_cfg *cfg, char *why, size_t len)
{
	const char *name = cfg->have & BT_SRV_TLS_NAME && cfg->tls_name[0] ?
		cfg->tls_name : cfg->address;
	struct tls_conn *t = calloc(1, sizeof(*t));
	SSL_CTX *ctx;
	int ok;

	if (!t) {
		snprintf(why, len, "tls: out of memory");
		return NULL;
	}
	ERR_clear_error();
	ctx = new_ctx(cfg, why, len);
	if (!ctx) {
		free(t);
		return NULL;
	}
	t->ssl = SSL_new(ctx);
	SSL_CTX_free(ctx);	/* the session holds its own reference */
	if (!t->ssl) {
		ssl_reason("tls: ", why, len);
		free(t);
		return NULL;
	}
	if (is_address(name))
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), name);
	else
		ok = SSL_set_tlsext_host_name(t->ssl, name) && SSL_set1_host(t->ssl, name);
	if (!ok || SSL_set_fd(t->ssl, fd) != 1) {
		ssl_reason("tls: ", why, len);
		tls_conn_free(t);
		return NULL;
	}
	SSL_set_connect_state(t->ssl);
	return t;
}

/*
 * Maps an SSL_get_error() result: -1 with EAGAIN (and *events) when TLS
 * waits for the socket, -1 with errno set on a socket error, -1 with
 * EPROTO and t->error on a TLS error, 0 on EOF.
 */
static int ssl_fail(struct tls_conn *t, int rc, uint32_t *events)
{
	int e = SSL_get_error(t->ssl, rc);
	long v;

	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		if (events)
			*events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	}
	t->fatal = true;
	switch (e) {
	case SSL_ERROR_SYSCALL:
		if (!ERR_peek_error()) {
			if (!errno)
				errno = ECONNRESET;
			return -1;
		}
		break;
	}
	v = SSL_get_verify_result(t->ssl);
	if (v != X509_V_OK)
		snprintf(t->error, sizeof(t->error), "tls: certificate verify failed: %s",
			 X509_verify_cert_error_string(v));
	else
		ssl_reason("tls: ", t->error, sizeof(t->error));
	ERR_clear_error();
	errno = EPROTO;
	return -1;
}

int tls_handshake(struct tls_conn *t, uint32_t *events, char *why, size_t len)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	rc = SSL_do_handshake(t->ssl);
	if (rc == 1)
		return 1;
	if (ssl_fail(t, rc, events) < 0 && errno == EAGAIN)
		return 0;
	snprintf(why, len, "%s", errno == EPROTO ? t->error :
		 rc == 0 || !errno ? "tls: connection closed during the handshake" :
		 strerror(errno));
	return -1;
}

void tls_conn_free(struct tls_conn *t)
{
	if (!t)
		return;
	/* Only after a handshake; the socket is non-blocking: no waiting. */
	if (SSL_is_init_finished(t->ssl) && !t->fatal)
		SSL_shutdown(t->ssl);
	SSL_free(t->ssl);
	ERR_clear_error();
	free(t);
}

ssize_t tr_send(struct tls_conn *t, int fd, const void *b, size_t n)
{
	int rc;

	if (!t)
		return send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	ERR_clear_error();
	errno = 0;
	rc = SSL_write(t->ssl, b, n > INT32_MAX ? INT32_MAX : (int)n);
	if (rc > 0)
		return rc;
	if (!ssl_fail(t, rc, NULL))
		errno = EPIPE;	/* the station sent close_notify: nothing more goes */
	return -1;
}

ssize_t tr_recv(struct tls_conn *t, int fd, void *b, size_t n)
{
	int rc;

	if (!t)
		return recv(fd, b, n, MSG_DONTWAIT);
	ERR_clear_error();
	errno = 0;
	rc = SSL_read(t->ssl, b, n > INT32_MAX ? INT32_MAX : (int)n);
	if (rc > 0)
		return rc;
	return ssl_fail(t, rc, NULL);
}

const char *tr_strerror(const struct tls_conn *t, int err)
{
	return t && err == EPROTO ? t->error : strerror(err);
}
