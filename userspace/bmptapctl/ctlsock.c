// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock.h"
#include "netns_name.h"

void ctl_default_path(char *out, size_t outlen)
{
	char name[256];

	netns_self_name(name, sizeof(name));
	snprintf(out, outlen, CTL_DIR "/%s.sock", name);
}

int ctl_request(const char *path, const char *request)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(request);
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(fd, request, n, MSG_NOSIGNAL) != (ssize_t)n ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int ctl_read_all(int fd, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);

	for (;;) {
		ssize_t r;

		if (!b)
			return -ENOMEM;
		if (cap - n < 4096) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(b);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return 0;
}
