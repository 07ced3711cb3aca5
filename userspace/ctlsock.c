// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock.h"

#define NETNS_RUN_DIR	"/run/netns"

void ctl_default_path(char *out, size_t outlen)
{
	const char *name = "default";
	struct stat self, st;
	struct dirent *e;
	DIR *d;

	snprintf(out, outlen, CTL_DIR "/%s.sock", name);
	if (stat("/proc/self/ns/net", &self) || !(d = opendir(NETNS_RUN_DIR)))
		return;
	/* As `ip netns identify` does: the bind mount of this namespace. */
	while ((e = readdir(d))) {
		char p[sizeof(NETNS_RUN_DIR) + 256 + 1];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), NETNS_RUN_DIR "/%s", e->d_name);
		if (!stat(p, &st) && st.st_dev == self.st_dev && st.st_ino == self.st_ino) {
			snprintf(out, outlen, CTL_DIR "/%s.sock", e->d_name);
			break;
		}
	}
	closedir(d);
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
