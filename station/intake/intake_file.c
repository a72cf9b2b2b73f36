/* Spool files for intake: opened safely, mapped, and given back behind the parser. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "station/intake/intake_file.h"

/* Pages are given back in steps this large: few syscalls, small peak. */
#define DROP_STEP	(1u << 20)

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
open_fail(struct intake_file *f, char *err, size_t errlen, const char *fmt,
    const char *what)
{
	snprintf(err, errlen, fmt, what);
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	return -1;
}

int
intake_file_open(struct intake_file *f, const char *path, char *err,
    size_t errlen)
{
	struct stat sb;
	void *m;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (f->fd == -1) {
		if (errno == ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
			return open_fail(f, err, errlen, "%s: not followed "
			    "(drop the file itself)", "a symbolic link");
		return open_fail(f, err, errlen, "cannot read: %s",
		    strerror(errno));
	}
	if (fstat(f->fd, &sb) == -1)
		return open_fail(f, err, errlen, "cannot read: %s",
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return open_fail(f, err, errlen, "%s: not a regular file",
		    type_name(sb.st_mode));
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
			return open_fail(f, err, errlen, "cannot read: %s",
			    strerror(errno));
		f->map = m;
		madvise(f->map, f->len, MADV_SEQUENTIAL);
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
	if (f->map != NULL)
		munmap(f->map, f->len);
	f->map = NULL;
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
}
