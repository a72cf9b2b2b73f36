/* Intake of order and product files: read, detect, parse, store, move. */
#include <dirent.h>
#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "station/intake/intake.h"
#include "station/intake/intake_parse.h"
#include "station/intake/intake_stream.h"
#include "common/log.h"
#include "station/store/store.h"

#define INTAKE_MAX_BYTES (1024L * 1024 * 1024)

static const char *kind_names[] = {
	[INTAKE_UNKNOWN] = "unknown",
	[INTAKE_ORDERS_JSON] = "orders-json",
	[INTAKE_ORDERS_CSV] = "orders-csv",
	[INTAKE_PRODUCTS_CSV] = "products-csv",
	[INTAKE_CODES_CSV] = "codes-csv",
};

/* Reads a whole regular file. Returns a malloc'ed buffer (NUL added) or NULL with err. */
static char *
read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	char *buf;
	size_t off = 0;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO or device dropped into spool/in must not hang the loop */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return NULL;
	}
	if (sb.st_size > INTAKE_MAX_BYTES) {
		snprintf(err, errlen, "file too large (%lld bytes, limit %ld)",
		    (long long)sb.st_size, INTAKE_MAX_BYTES);
		close(fd);
		return NULL;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory reading %lld bytes", (long long)sb.st_size);
		close(fd);
		return NULL;
	}
	while (off < (size_t)sb.st_size &&
	    (n = read(fd, buf + off, (size_t)sb.st_size - off)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
}

struct stream_ctx {
	struct store		*s;
	const char		*label;
	struct intake_result	*res;
};

/* Stores each order as the parser hands it over: one order in memory at a time. */
static int
store_one(void *arg, struct order *o, char *err, size_t errlen)
{
	struct stream_ctx *c = arg;
	const char *outcome;
	int r;

	r = store_upsert_order(c->s, o, c->label, &outcome, err, errlen);
	order_free(o);
	if (r == -1)
		return -1;
	if (outcome[0] == 'i')
		c->res->imported++;
	else if (outcome[0] == 'u' && outcome[1] == 'p')
		c->res->updated++;
	else
		c->res->unchanged++;
	return 0;
}

static int
store_codes(struct store *s, struct product_code *v, size_t n,
    struct intake_result *res, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (store_upsert_code(s, &v[i], err, errlen) == -1)
			return -1;
	res->codes = n;
	return 0;
}

/* Parses buf and stores its content; inside a transaction. */
static int
parse_and_store(struct store *s, enum intake_kind kind, const char *buf, size_t len,
    const char *label, struct intake_result *res, char *err, size_t errlen)
{
	struct stream_ctx sc = { s, label, res };
	struct product_code *codes = NULL;
	size_t n = 0;
	int r = -1;

	switch (kind) {
	case INTAKE_ORDERS_JSON:
		r = intake_stream_orders_json(buf, len, store_one, &sc, &n, err, errlen);
		break;
	case INTAKE_ORDERS_CSV:
		r = intake_stream_orders_csv(buf, len, store_one, &sc, &n, err, errlen);
		break;
	case INTAKE_PRODUCTS_CSV:
	case INTAKE_CODES_CSV:
		r = kind == INTAKE_PRODUCTS_CSV ?
		    intake_parse_products_csv(buf, len, &codes, &n, err, errlen) :
		    intake_parse_codes_csv(buf, len, &codes, &n, err, errlen);
		if (r == 0)
			r = store_codes(s, codes, n, res, err, errlen);
		if (codes)
			product_codes_free(codes, n);
		break;
	default:
		snprintf(err, errlen, len == 0 ? "empty file" :
		    "not an order or product file (expected Shopify order JSON, the order"
		    " export CSV, the product export CSV or barcode,sku,multiplier CSV)");
		break;
	}
	return r;
}

int
intake_import_file(struct store *s, const char *path, const char *label,
    struct intake_result *res, char *err, size_t errlen)
{
	char why[1024] = "";
	enum intake_kind kind;
	size_t len;
	char *buf;
	int r;

	memset(res, 0, sizeof(*res));
	if ((buf = read_file(path, &len, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: %s", label, why);
		return -1;
	}
	kind = intake_detect(buf, len);
	res->kind = kind_names[kind];
	if (store_begin(s) == -1) {
		snprintf(err, errlen, "%s: database: %s", label, store_errmsg(s));
		free(buf);
		return -1;
	}
	r = parse_and_store(s, kind, buf, len, label, res, why, sizeof(why));
	free(buf);
	malloc_trim(0);		/* a big file's memory goes back to the system now */
	if (r == 0 && store_commit(s) == -1) {
		snprintf(why, sizeof(why), "database: %s", store_errmsg(s));
		r = -1;
	}
	if (r == -1) {
		store_rollback(s);
		memset(res, 0, sizeof(*res));
		res->kind = kind_names[kind];
		snprintf(err, errlen, "%s: %s", label, why);
		/* the refusal is an event of its own, outside the rolled-back work */
		store_add_event(s, NULL, 0, NULL, "refused", NULL, err, 1);
		return -1;
	}
	return 0;
}

static int
is_partial_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.' || n == 0)
		return 1;
	if (n > 4 && strcmp(name + n - 4, ".tmp") == 0)
		return 1;
	if (n > 5 && strcmp(name + n - 5, ".part") == 0)
		return 1;
	if (n > 7 && strcmp(name + n - 7, ".reason") == 0)
		return 0;
	return 0;
}

/* A free name for spool/in/name in dir: dir/name, else name.1, name.2... */
static int
pick_name(const char *spool, const char *dir, const char *name, char *dst, size_t dstlen)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(dst, dstlen, "%s/%s/%s", spool, dir, name);
		else
			snprintf(dst, dstlen, "%s/%s/%s.%d", spool, dir, name, i);
		if (access(dst, F_OK) == -1)
			return 0;
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

static int
write_reason(const char *path, const char *reason)
{
	char rpath[4200], tmp[4300];
	FILE *f;

	snprintf(rpath, sizeof(rpath), "%s.reason", path);
	snprintf(tmp, sizeof(tmp), "%s.reason.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL) {
		log_warn("cannot write %s", tmp);
		return -1;
	}
	fprintf(f, "%s\n", reason);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		log_warn("cannot write %s", tmp);
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, rpath) == -1) {
		log_warn("cannot rename %s", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
intake_spool_file(struct store *s, const char *spool, const char *name)
{
	struct intake_result res;
	char path[4096], dst[4200], err[1200];
	struct stat sb;

	if (is_partial_name(name))
		return 0;
	snprintf(path, sizeof(path), "%s/in/%s", spool, name);
	if (lstat(path, &sb) == -1)
		return 0;
	if (S_ISDIR(sb.st_mode))
		return 0;
	if (intake_import_file(s, path, name, &res, err, sizeof(err)) == 0) {
		log_info("%s: %s: %zu imported, %zu updated, %zu unchanged, %zu codes",
		    name, res.kind, res.imported, res.updated, res.unchanged, res.codes);
		if (pick_name(spool, "done", name, dst, sizeof(dst)) == -1 ||
		    move_to(spool, name, dst) == -1) {
			log_warn("%s: imported, but cannot move it to done/", name);
			return -1;
		}
		return 1;
	}
	log_warnx("%s", err);
	/* the reason is there before the file: whoever watches failed/ finds both */
	if (pick_name(spool, "failed", name, dst, sizeof(dst)) == -1 ||
	    (write_reason(dst, err), move_to(spool, name, dst)) == -1) {
		log_warn("%s: cannot move it to failed/", name);
		return -1;
	}
	return 1;
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

void
intake_spool_scan(struct store *s, const char *spool)
{
	struct dirent **list;
	char in[4096];
	int i, n;

	snprintf(in, sizeof(in), "%s/in", spool);
	if ((n = scandir(in, &list, NULL, by_name)) == -1) {
		log_warn("spool: cannot list %s", in);
		return;
	}
	for (i = 0; i < n; i++) {
		intake_spool_file(s, spool, list[i]->d_name);
		free(list[i]);
	}
	free(list);
}
