/* Atomic files in spool/out: temp file, fsync, rename, fsync the folder. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "station/daemon/outbox.h"

int
outbox_write_atomic(const char *dir, const char *name, const char *text)
{
	char tmp[4096], dst[4096];
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int fd, dfd, saved;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1)
		return -1;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) == -1)
		goto fail;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

void
outbox_name(int64_t fid, const char *order_name, char *out, size_t outlen)
{
	char clean[64];
	size_t i, j = 0;

	/* Order names are the shop's: keep only what is safe in a file name. */
	for (i = 0; order_name && order_name[i] && j < sizeof(clean) - 1; i++) {
		char c = order_name[i];

		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    c == '-' || c == '_')
			clean[j++] = c;
	}
	clean[j] = '\0';
	snprintf(out, outlen, "fulfillment-%06lld%s%s.json", (long long)fid, j ? "-" : "", clean);
}
