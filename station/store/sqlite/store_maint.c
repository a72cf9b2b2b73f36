/*
 * SQLite upkeep: online backup, restore over a closed database, the
 * consistency check, and giving freed pages back (incremental vacuum).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "station/store/sqlite/sqlite.h"
#include "station/store/sqlite/sqlite_int.h"
#include "station/store/store_maint.h"

/* fsync of path (a file or a folder). 0 / -1. */
static int
sync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC), r;

	if (fd == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static int
sync_dir_of(const char *path)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	return sync_path(dirname(copy), 1);
}

/*
 * Copies all of src into a new file at path (journal_mode DELETE, so the
 * copy is one self-contained file), in one step: one read snapshot of src,
 * which in WAL mode does not stop src's writer. 0 / -1 with err.
 */
static int
copy_db(sqlite3 *src, const char *path, char *err, size_t errlen)
{
	struct timespec ts = { 0, 20L * 1000000L };
	sqlite3_backup *b;
	sqlite3 *dst = NULL;
	int r, tries = 0;

	unlink(path);
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, dst ? sqlite3_errmsg(dst) : "cannot open");
		goto fail;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(dst));
		goto fail;
	}
	/* busy or locked: a writer is checkpointing; a snapshot comes soon */
	while ((r = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || r == SQLITE_LOCKED) {
		if (++tries > 250)
			break;
		nanosleep(&ts, NULL);
	}
	sqlite3_backup_finish(b);
	if (r != SQLITE_DONE) {
		snprintf(err, errlen, "copying to %s: %s", path, sqlite3_errstr(r));
		goto fail;
	}
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(dst));
		goto fail;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot close", path);
		return -1;
	}
	/* customers' names and addresses: owner and group only */
	if (chmod(path, 0640) == -1 || sync_path(path, 0) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
fail:
	sqlite3_close(dst);
	unlink(path);
	return -1;
}

/*
 * PRAGMA integrity_check on db: 0 when it says "ok", else -1 with its first
 * message in err.
 */
static int
integrity(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int r = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", name, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (v != NULL && strcmp(v, "ok") == 0)
			r = 0;
		else
			snprintf(
			    err, errlen, "%s fails the integrity check: %s", name, v ? v : "?");
	} else
		snprintf(err, errlen, "%s: %s", name, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return r;
}

/* The station's schema version of db, -1 if it is not a station database. */
static int
station_schema(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db,
		"SELECT (SELECT count(*) FROM sqlite_master WHERE"
		" type = 'table' AND name IN ('orders', 'scans', 'events')), user_version"
		" FROM pragma_user_version",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 3)
		v = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	return v;
}

int
sqlite_store_backup(struct store *s, const char *path, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	sqlite3 *chk = NULL;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -1;
	}
	if (copy_db(store_db(s), tmp, err, errlen) == -1)
		return -1;
	/* the copy is read back and checked before it takes the name */
	if (sqlite3_open_v2(tmp, &chk, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    integrity(chk, tmp, err, errlen) == -1) {
		if (chk != NULL && err[0] == '\0')
			snprintf(err, errlen, "%s: %s", tmp, sqlite3_errmsg(chk));
		sqlite3_close(chk);
		unlink(tmp);
		return -1;
	}
	sqlite3_close(chk);
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "rename %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	sync_dir_of(path);
	return 0;
}

/* Keeps the database about to be replaced as path.before-restore (with its WAL folded in). */
static int
keep_old(const char *path, char *err, size_t errlen)
{
	char old[PATH_MAX];
	sqlite3 *db = NULL;
	int r;

	if (access(path, F_OK) == -1)
		return 0;
	snprintf(old, sizeof(old), "%s.before-restore", path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return -1;
	}
	r = copy_db(db, old, err, errlen);
	sqlite3_close(db); /* the last connection: the WAL is checkpointed and removed */
	return r;
}

/*
 * The restored file belongs to whoever owned the one it replaces (or its
 * folder): restore runs as root, the daemon as the station user.
 */
static int
take_owner(const char *path, const char *tmp, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(path, &st) == -1 && stat(dirname(dir), &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (geteuid() == 0 && chown(tmp, st.st_uid, st.st_gid) == -1) {
		snprintf(err, errlen, "chown %s: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int
sqlite_store_restore(const char *path, const char *from, char *err, size_t errlen)
{
	char tmp[PATH_MAX], side[PATH_MAX];
	sqlite3 *src = NULL;
	int v;

	if (snprintf(tmp, sizeof(tmp), "%s.restore-tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -1;
	}
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", from, src ? sqlite3_errmsg(src) : "cannot open");
		sqlite3_close(src);
		return -1;
	}
	if (integrity(src, from, err, errlen) == -1)
		goto fail;
	if ((v = station_schema(src)) < 1) {
		snprintf(err, errlen, "%s is not a station database", from);
		goto fail;
	}
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s has schema version %d, newer than this station (%d)",
		    from, v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (copy_db(src, tmp, err, errlen) == -1)
		goto fail;
	sqlite3_close(src);
	src = NULL;
	if (take_owner(path, tmp, err, errlen) == -1) {
		unlink(tmp);
		return -1;
	}
	if (keep_old(path, err, errlen) == -1) {
		unlink(tmp);
		return -1;
	}
	/* a WAL left beside the old file must never be replayed into the new one */
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "rename %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	sync_dir_of(path);
	return 0;
fail:
	sqlite3_close(src);
	return -1;
}

/* One reference check: every row sql returns is a problem, described by its first column. */
static int
problems(struct store *s, const char *sql, store_problem_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int n = 0, r;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "check: %s", sqlite3_errmsg(store_db(s)));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		fn(arg, (const char *)sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return store_fail(s, "check: %s", sqlite3_errmsg(store_db(s)));
	return n;
}

/* Each query lists what points at nothing; the first column says what and where. */
static const char *const checks[] = {
	/* the engine's own: pages, indexes, constraints */
	"SELECT 'integrity: ' || integrity_check FROM pragma_integrity_check"
	" WHERE integrity_check <> 'ok'",
	/* open sessions */
	"SELECT 'session at station ' || station || ': order id ' || order_id || ' does not exist'"
	" FROM sessions WHERE order_id IS NOT NULL"
	" AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = sessions.order_id)",
	"SELECT 'open package ' || id || ' at station ' || station || ': order id ' || order_id"
	" || ' does not exist' FROM packages WHERE state = 'open'"
	" AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = packages.order_id)",
	"SELECT 'counted scan ' || id || ': line id ' || coalesce(line_id, 'NULL')"
	" || ' does not exist' FROM scans WHERE state = 'counted'"
	" AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.id = scans.line_id)",
	"SELECT 'counted scan ' || id || ': package id ' || package_id || ' does not exist'"
	" FROM scans WHERE state = 'counted' AND package_id IS NOT NULL"
	" AND NOT EXISTS (SELECT 1 FROM packages p WHERE p.id = scans.package_id)",
	/* print jobs not finished */
	"SELECT 'print job ' || id || ' (' || state || '): order id ' || order_id"
	" || ' does not exist' FROM print_jobs"
	" WHERE state NOT IN ('completed', 'cancelled', 'aborted') AND order_id IS NOT NULL"
	" AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = print_jobs.order_id)",
	"SELECT 'print job ' || id || ' (' || state || '): package id ' || package_id"
	" || ' does not exist' FROM print_jobs"
	" WHERE state NOT IN ('completed', 'cancelled', 'aborted') AND package_id IS NOT NULL"
	" AND NOT EXISTS (SELECT 1 FROM packages p WHERE p.id = print_jobs.package_id)",
	/* shipments not yet pushed (spool/out) */
	"SELECT 'pending push ' || id || ': order id ' || order_id || ' does not exist'"
	" FROM fulfillments WHERE outbox_name IS NULL"
	" AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = fulfillments.order_id)",
	"SELECT 'pending push ' || id || ': no shipped lines' FROM fulfillments f"
	" WHERE outbox_name IS NULL"
	" AND NOT EXISTS (SELECT 1 FROM fulfillment_lines fl WHERE fl.fulfillment_id = f.id)",
	"SELECT 'pending push ' || fl.fulfillment_id || ': line id ' || fl.line_id"
	" || ' does not exist' FROM fulfillment_lines fl JOIN fulfillments f"
	" ON f.id = fl.fulfillment_id WHERE f.outbox_name IS NULL"
	" AND NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.id = fl.line_id)",
};

int
sqlite_store_check(struct store *s, store_problem_fn fn, void *arg)
{
	size_t i;
	int n = 0, r;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if ((r = problems(s, checks[i], fn, arg)) == -1)
			return -1;
		n += r;
	}
	return n;
}

int
sqlite_store_compact(struct store *s, int pages)
{
	char sql[64];

	if (pages <= 0)
		return 0;
	/* a no-op unless the file was made with auto_vacuum = INCREMENTAL */
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)", pages);
	if (sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, "compact: %s", sqlite3_errmsg(store_db(s)));
	return 0;
}
