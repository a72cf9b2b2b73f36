/* The spool: spool/in to done/ or failed/ (reason first), and listing what waits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "station/intake/intake.h"
#include "common/log.h"

static const char *kind_names[] = {
	[INTAKE_UNKNOWN] = "unknown",
	[INTAKE_ORDERS_JSON] = "orders-json",
	[INTAKE_ORDERS_CSV] = "orders-csv",
	[INTAKE_PRODUCTS_CSV] = "products-csv",
	[INTAKE_CODES_CSV] = "codes-csv",
};

const char *
intake_kind_name(enum intake_kind k)
{
	if ((size_t)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[k];
}

int
intake_spool_is_partial(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || name[0] == '.')
		return 1;
	if (n > 4 && strcmp(name + n - 4, ".tmp") == 0)
		return 1;
	if (n > 5 && strcmp(name + n - 5, ".part") == 0)
		return 1;
	return 0;
}

/* A free name for spool/in/name in dir: dir/name, else name.1, name.2... */
static int
pick_name(const char *spool, const char *dir, const char *name, char *dst, size_t dstlen)
{
	struct stat sb;
	int i;

	for (i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(dst, dstlen, "%s/%s/%s", spool, dir, name);
		else
			snprintf(dst, dstlen, "%s/%s/%s.%d", spool, dir, name, i);
		/* a free name has neither the file nor a reason beside it */
		if (lstat(dst, &sb) == -1 && errno == ENOENT) {
			char r[4300];

			snprintf(r, sizeof(r), "%s.reason", dst);
			if (lstat(r, &sb) == -1 && errno == ENOENT)
				return 0;
		}
	}
	errno = EEXIST;
	return -1;
}

static int
move_to(const char *spool, const char *name, const char *dst)
{
	char src[4096];

	snprintf(src, sizeof(src), "%s/in/%s", spool, name);
	return rename(src, dst);
}

int
intake_spool_accept(const char *spool, const char *name)
{
	char dst[4200];

	if (pick_name(spool, "done", name, dst, sizeof(dst)) == -1 ||
	    move_to(spool, name, dst) == -1) {
		log_warn("%s: imported, but cannot move it to done/", name);
		return -1;
	}
	return 0;
}

/* Writes path.reason durably (temp file, fsync, rename). 0 / -1 with errno. */
static int
write_reason(const char *path, const char *reason)
{
	char rpath[4200], tmp[4300];
	size_t len = strlen(reason), off = 0;
	ssize_t n;
	int fd, e;

	if (snprintf(rpath, sizeof(rpath), "%s.reason", path) >= (int)sizeof(rpath) ||
	    snprintf(tmp, sizeof(tmp), "%s.reason.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1)
		return -1;
	while (off <= len) {
		/* the reason, then its newline */
		n = off < len ? write(fd, reason + off, len - off) : write(fd, "\n", 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, rpath) == -1)
		goto fail;
	return 0;
fail:
	e = errno != 0 ? errno : EIO;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}

int
intake_spool_refuse(const char *spool, const char *name, const char *reason)
{
	char dst[4200];

	if (pick_name(spool, "failed", name, dst, sizeof(dst)) == -1) {
		log_warn("%s: no free name in failed/", name);
		return -1;
	}
	errno = 0;
	if (write_reason(dst, reason) == -1) {
		log_warn("ALERT %s: cannot write its reason in failed/; the file "
			 "stays in spool/in and is tried again",
		    name);
		return -1;
	}
	if (move_to(spool, name, dst) == -1) {
		log_warn("%s: cannot move it to failed/", name);
		return -1;
	}
	return 0;
}

int
intake_spool_prepare(const char *spool)
{
	static const char *sub[] = { "", "/in", "/done", "/failed", "/out" };
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", spool, sub[i]);
		if (mkdir(path, 0770) == -1 && errno != EEXIST) {
			log_warn("spool: cannot create %s", path);
			return -1;
		}
	}
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
is_waiting(const struct dirent *e)
{
	return strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
	    !intake_spool_is_partial(e->d_name);
}

int
intake_spool_list(const char *spool, char ***names, size_t *n)
{
	struct dirent **list;
	char in[4096], **v;
	int i, k;

	snprintf(in, sizeof(in), "%s/in", spool);
	if ((k = scandir(in, &list, is_waiting, by_name)) == -1) {
		log_warn("spool: cannot list %s", in);
		return -1;
	}
	if ((v = calloc((size_t)k + 1, sizeof(*v))) == NULL) {
		for (i = 0; i < k; i++)
			free(list[i]);
		free(list);
		log_warnx("spool: out of memory listing %s", in);
		return -1;
	}
	for (i = 0; i < k; i++) {
		v[i] = strdup(list[i]->d_name);
		free(list[i]);
		if (v[i] == NULL) {
			while (++i < k)
				free(list[i]);
			for (i = 0; i < k && v[i]; i++)
				free(v[i]);
			free(v);
			free(list);
			log_warnx("spool: out of memory listing %s", in);
			return -1;
		}
	}
	free(list);
	*names = v;
	*n = (size_t)k;
	return 0;
}
