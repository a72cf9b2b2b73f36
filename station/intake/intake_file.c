/* Spool files for intake: opened safely, mapped, and given back behind the parser. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "station/intake/intake_file.h"

/* Pages are given back in steps this large: few syscalls, small peak. */
#define DROP_STEP (1u << 20)

/*
 * A file cut short while it is mapped makes reading past its new end raise
 * SIGBUS. The mapping being read is registered here; a fault inside it maps
 * zeros over the rest (a NUL byte fails any parse) and notes it, so the
 * import ends as "changed while read" instead of killing the daemon. One
 * file is read at a time.
 */
static struct {
	char *base;
	size_t len, page;
	volatile sig_atomic_t cut;
} guard;

static void
on_sigbus(int sig, siginfo_t *si, void *uc)
{
	char *a = si->si_addr;
	size_t page = guard.page, off;

	(void)uc;
	if (guard.base == NULL || a < guard.base || a >= guard.base + guard.len) {
		signal(sig, SIG_DFL); /* not ours: the default, a crash */
		raise(sig);
		return;
	}
	off = (size_t)(a - guard.base) / page * page;
	if (mmap(guard.base + off, guard.len - off, PROT_READ,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	guard.cut = 1;
}

static void
guard_install(void)
{
	static int done;
	struct sigaction sa;

	if (done)
		return;
	guard.page = (size_t)sysconf(_SC_PAGESIZE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) == 0)
		done = 1;
}

int
intake_file_was_cut(const struct intake_file *f)
{
	return f->map != NULL && guard.base == f->map && guard.cut;
}

static const char *
type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/* The parsers' read_past: drop whole pages behind off, DROP_STEP at a time. */
static void
drop_behind(void *arg, size_t off)
{
	struct intake_file *f = arg;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), upto;

	if (f->map == NULL)
		return;
	if (off < f->dropped) {
		/* a new sweep (the CSV reader checks UTF-8 first, then
		 * parses): what the last one left is not needed now */
		madvise(f->map, f->len, MADV_DONTNEED);
		f->dropped = off / page * page;
		return;
	}
	if (off < f->dropped + DROP_STEP)
		return;
	upto = off / page * page;
	/* a private read-only mapping: dropped pages are read again on demand */
	if (madvise(f->map + f->dropped, upto - f->dropped, MADV_DONTNEED) == 0)
		f->dropped = upto;
}

static int
open_fail(struct intake_file *f, char *err, size_t errlen, const char *fmt, const char *what)
{
	snprintf(err, errlen, fmt, what);
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	return -1;
}

int
intake_file_open(struct intake_file *f, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	void *m;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (f->fd == -1) {
		if (errno == ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
			return open_fail(f, err, errlen,
			    "%s: not followed "
			    "(drop the file itself)",
			    "a symbolic link");
		return open_fail(f, err, errlen, "cannot read: %s", strerror(errno));
	}
	if (fstat(f->fd, &sb) == -1)
		return open_fail(f, err, errlen, "cannot read: %s", strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return open_fail(f, err, errlen, "%s: not a regular file", type_name(sb.st_mode));
	if (sb.st_size > INTAKE_MAX_BYTES) {
		snprintf(err, errlen, "file too large (%lld bytes, limit %lld)",
		    (long long)sb.st_size, INTAKE_MAX_BYTES);
		close(f->fd);
		f->fd = -1;
		return -1;
	}
	f->len = (size_t)sb.st_size;
	if (f->len > 0) {
		m = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, f->fd, 0);
		if (m == MAP_FAILED)
			return open_fail(f, err, errlen, "cannot read: %s", strerror(errno));
		f->map = m;
		madvise(f->map, f->len, MADV_SEQUENTIAL);
		guard_install();
		guard.cut = 0;
		guard.len = f->len;
		guard.base = f->map;
	}
	f->in.buf = f->map != NULL ? f->map : "";
	f->in.len = f->len;
	f->in.read_past = drop_behind;
	f->in.arg = f;
	return 0;
}

void
intake_file_rewind(struct intake_file *f)
{
	if (f->map != NULL)
		madvise(f->map, f->len, MADV_DONTNEED);
	f->dropped = 0;
}

void
intake_file_close(struct intake_file *f)
{
	if (f->map != NULL) {
		if (guard.base == f->map)
			guard.base = NULL;
		munmap(f->map, f->len);
	}
	f->map = NULL;
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
}
