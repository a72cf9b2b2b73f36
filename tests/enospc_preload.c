/*
 * LD_PRELOAD for tests: write(2) to a file under a directory named "out"
 * fails with ENOSPC while the file named by $ENOSPC_FLAG exists — a full
 * disk for spool/out only, on demand, without root or a mount.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t write(int, const void *, size_t);

static int
disk_full(int fd)
{
	const char *flag = getenv("ENOSPC_FLAG");
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (flag == NULL || access(flag, F_OK) != 0)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return 0;
	path[n] = '\0';
	return strstr(path, "/out/") != NULL;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (real == NULL)
		real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (disk_full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, buf, len);
}
