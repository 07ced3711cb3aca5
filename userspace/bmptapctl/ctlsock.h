/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmptapd's control socket: where bmptapctl reads the daemon's runtime
 * state (peers, collector sessions, status) and its event stream.  The
 * kernel keeps only the tap and the configuration; what bmptapd knows it
 * serves itself, one UNIX stream socket per network namespace.
 *
 * Protocol: the client sends one request line ("show status", "show
 * peers", "show servers" or "monitor"), at most CTL_REQUEST_MAX bytes with
 * its newline.  A show request is answered with one JSON document and a
 * newline, then the daemon closes the connection: the end of the reply is
 * the end of the stream, so no size is announced or capped.  "monitor" is
 * answered with CTL_MONITOR_OK, then one line per event until the client
 * closes.  Anything else is answered with one line starting with
 * CTL_ERROR_PREFIX, then closed.
 */
#ifndef BMPTAP_CTLSOCK_H
#define BMPTAP_CTLSOCK_H

#include <stddef.h>

#define CTL_DIR			"/run/bmptap"
#define CTL_REQUEST_MAX		256
#define CTL_ERROR_PREFIX	"error: "
#define CTL_MONITOR_OK		"ok monitor\n"
#define CTL_GROUP_DEFAULT	"bmptap"

/*
 * The calling process's namespace as `ip netns` names it (the entry of
 * /run/netns that is this namespace), else "default": CTL_DIR/NAME.sock.
 * bmptapd and bmptapctl run in the same namespace, so they agree on it.
 */
void ctl_default_path(char *out, size_t outlen);

/*
 * Connects to the socket at path and sends request (one line, without
 * its newline).  Returns the connected fd, or -errno: -ENOENT and
 * -ECONNREFUSED mean no bmptapd serves that path.
 */
int ctl_request(const char *path, const char *request);

/*
 * Reads fd to its end into a malloc'd, NUL-terminated *out.  0 or -errno.
 */
int ctl_read_all(int fd, char **out, size_t *len);

#endif
