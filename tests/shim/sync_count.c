/*
 * sync_count.so: an LD_PRELOAD shim that records, in the file named by
 * SYNC_COUNT_LOG, one line per durable sync the process asks for ("sync")
 * and one per control-socket write that carries a scan verdict ("reply"),
 * in the order they happen. A test counts the syncs between a scan request
 * and its reply: the verdict path's synced commits (issue 11). A sync line
 * says which thread asked and the file's name: "sync main station.db-wal"
 * (the loop) or "sync worker station.db". A rename is logged with the last
 * two parts of its new name: "rename done/orders.json".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int logfd = -2;

static void
note(const char *what)
{
	if (logfd == -2) {
		const char *path = getenv("SYNC_COUNT_LOG");

		logfd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
	}
	if (logfd >= 0) {
		ssize_t (*real_write)(int, const void *,
		    size_t) = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");

		(void)real_write(logfd, what, strlen(what));
	}
}

static void
note_sync(int fd)
{
	char link[64], path[4096], line[4200];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) < 0)
		n = 0;
	path[n] = '\0';
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(
	    line, sizeof(line), "sync %s %s\n", gettid() == getpid() ? "main" : "worker", base);
	note(line);
}

static void
note_reply(int fd, const void *buf, size_t len)
{
	struct stat st;

	if (len > 10 && memmem(buf, len, "\"verdict\"", 9) != NULL && fstat(fd, &st) == 0 &&
	    S_ISSOCK(st.st_mode))
		note("reply\n");
}

int
fsync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");

	note_sync(fd);
	return real(fd);
}

int
fdatasync(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");

	note_sync(fd);
	return real(fd);
}

int
syncfs(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");

	note_sync(fd);
	return real(fd);
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	ssize_t (*real)(int, const void *, size_t) = (ssize_t(*)(int, const void *, size_t))dlsym(
	    RTLD_NEXT, "write");

	if (fd != logfd)
		note_reply(fd, buf, len);
	return real(fd, buf, len);
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	ssize_t (*real)(int, const void *, size_t,
	    int) = (ssize_t(*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");

	note_reply(fd, buf, len);
	return real(fd, buf, len, flags);
}

int
rename(const char *from, const char *to)
{
	int (*real)(const char *, const char *) = (int (*)(const char *, const char *))dlsym(
	    RTLD_NEXT, "rename");
	const char *p = to + strlen(to);
	char line[4200];
	int slashes = 0;

	while (p > to && slashes < 2)
		if (*--p == '/')
			slashes++;
	if (*p == '/')
		p++;
	snprintf(line, sizeof(line), "rename %s\n", p);
	note(line);
	return real(from, to);
}
