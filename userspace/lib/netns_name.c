// SPDX-License-Identifier: GPL-2.0
#include "netns_name.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#define NETNS_RUN_DIR	"/run/netns"

void netns_self_name(char *out, size_t len)
{
	struct stat self, st;
	struct dirent *e;
	DIR *d;

	snprintf(out, len, "default");
	if (stat("/proc/self/ns/net", &self) || !(d = opendir(NETNS_RUN_DIR)))
		return;
	/* As `ip netns identify` does: the bind mount of this namespace. */
	while ((e = readdir(d))) {
		char p[sizeof(NETNS_RUN_DIR) + 256 + 1];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), NETNS_RUN_DIR "/%s", e->d_name);
		if (!stat(p, &st) && st.st_dev == self.st_dev && st.st_ino == self.st_ino) {
			snprintf(out, len, "%s", e->d_name);
			break;
		}
	}
	closedir(d);
}
