/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BMP over TLS (OpenSSL): the checks of a server's TLS settings, and a
 * client transport on a non-blocking socket for the collector sessions.
 *
 * The transport knows nothing of collectors: tls_handshake() says which
 * readiness (EPOLLIN or EPOLLOUT) it waits for, and tr_send()/tr_recv()
 * behave as send()/recv() on the plain socket (t NULL) or through TLS
 * (-1 with EAGAIN when TLS wants the socket, EPROTO on a TLS error whose
 * reason tr_strerror() gives).  Every session gets a fresh SSL_CTX: a
 * rotated CA or client certificate is picked up at the next connect.
 */
#ifndef BMPTAP_TLS_H
#define BMPTAP_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

#define TLS_HANDSHAKE_MS	15000	/* connected, no TLS session yet: give up */

/*
 * A server config as it would be stored (after merging a `server set`):
 * the paths absolute, a key with its certificate, a readable regular file
 * behind each one when tls is on (as the caller sees it: bmptapd may run
 * under another user), a CA file when tls is on, tls-name a host name or
 * address, no tls on a passive server.  0, or -1 with one line in err.
 */
int bt_tls_cfg_check(const struct bt_server_cfg *s, char *err, size_t errlen);

/* The TLS settings that are strings, by keyword (bmptapctl and TOML
 * alike), JSON key (status) and BT_SRV_* bit; off locates the string in
 * bt_server_cfg. */
struct bt_tls_key {
	const char *name;
	const char *json;
	unsigned int bit;
	size_t off;
};
#define BT_TLS_KEYS	4
extern const struct bt_tls_key bt_tls_keys[BT_TLS_KEYS];
#define BT_TLS_STR(s, k)	((char *)(s) + (k)->off)
/* NULL when bit is not one of them. */
const struct bt_tls_key *bt_tls_key_bit(unsigned int bit);

struct tls_conn;

/* A client session on the connected fd (the fd stays the caller's); NULL
 * with the reason (CA file, key...) in why. */
struct tls_conn *tls_conn_new(int fd, const struct bt_server_cfg *cfg, char *why, size_t len);
/* 1: established; 0: call again when *events is ready; -1: failed (why). */
int tls_handshake(struct tls_conn *t, uint32_t *events, char *why, size_t len);
/* Sends close_notify if it fits at once, then frees; NULL is fine. */
void tls_conn_free(struct tls_conn *t);

ssize_t tr_send(struct tls_conn *t, int fd, const void *b, size_t n);
ssize_t tr_recv(struct tls_conn *t, int fd, void *b, size_t n);
const char *tr_strerror(const struct tls_conn *t, int err);

#endif
