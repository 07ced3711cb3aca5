// SPDX-License-Identifier: GPL-2.0
/* The checkpoint file: its image (ckpt_encode.c, ckpt_decode.c) written so
 * that a crash leaves the old file or the new one, and read back whole. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns_name.h"

static int sys_fail(char *why, size_t why_len, const char *what, const char *path)
{
	snprintf(why, why_len, "%s %s: %s", what, path, strerror(errno));
	return CKPT_ESYS;
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

int ckpt_write(const char *path, const struct peers *ps, uint64_t epoch, uint64_t seq,
	       size_t *bytes, char *why, size_t why_len)
{
	struct buf b;
	char tmp[4096], dir[4096];
	int fd, rc = CKPT_ESYS;

	buf_init(&b);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(why, why_len, "path too long");
		return CKPT_ESYS;
	}
	if (ckpt_encode(ps, epoch, seq, &b)) {
		snprintf(why, why_len, "out of memory");
		buf_free(&b);
		return CKPT_ESYS;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = sys_fail(why, why_len, "creating", tmp);
		goto out;
	}
	if (!write_all(fd, b.data, b.len) || fsync(fd)) {
		rc = sys_fail(why, why_len, "writing", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path)) {
		rc = sys_fail(why, why_len, "renaming", tmp);
		unlink(tmp);
		goto out;
	}
	/* The rename is durable only once the directory is. */
	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd)) {
		rc = sys_fail(why, why_len, "syncing the directory of", path);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	*bytes = b.len;
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int ckpt_read(const char *path, struct peers *ps, uint64_t epoch, uint64_t min_seq,
	      uint64_t *seq, char *why, size_t why_len)
{
	struct stat st;
	uint8_t *data;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 && errno == ENOENT)
		return CKPT_ENOENT;
	if (fd < 0)
		return sys_fail(why, why_len, "opening", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, why_len, "%s: not a regular file", path);
		return CKPT_EBAD;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		close(fd);
		snprintf(why, why_len, "out of memory (%lld bytes)", (long long)st.st_size);
		return CKPT_ESYS;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	rc = ckpt_decode(data, got, ps, epoch, min_seq, seq, why, why_len);
	free(data);
	return rc;
}

void ckpt_default_path(char *out, size_t len)
{
	char name[256];

	netns_self_name(name, sizeof(name));
	snprintf(out, len, "/var/lib/bmptap/%s.ckpt", name);
}
