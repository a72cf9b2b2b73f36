/* The SQLite store: open, statement cache, transactions, first error, events (schema: sqlite_schema.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/store/sqlite/sqlite_ckpt.h"
#include "station/store/sqlite/sqlite.h"
#include "station/store/sqlite/sqlite_int.h"
#include "station/store/store.h"

#define STMT_CACHE 160

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct sqlite_store {
	struct store base; /* first: a struct store * is one of these */
	sqlite3 *db;
	int readonly;
	struct stmt_slot cache[STMT_CACHE];
	size_t ncache;
	int failed; /* err holds this transaction's first error */
	char err[512];
	struct sqlite_store *next; /* open stores, to find one by its handle */
	struct sqlite_ckpt *ckpt;  /* the WAL checkpoint's thread; NULL read-only */
	int lazy;		   /* at synchronous=NORMAL: a lazy transaction */
	int unsynced;		   /* a lazy commit may not be on disk yet */
};

/* Open stores: store_step_done(st) finds its store by the statement's handle. */
static struct sqlite_store *open_stores;

/*
 * Test hook: STATION_TEST_SQL_TRACE=FILE appends every statement the
 * daemon runs ("NANOSECONDS<TAB>VM-STEPS<TAB>PAGES-WRITTEN<TAB>SQL", one a
 * line) so a test can bound the statements and pages per scan and see that
 * a statement's work does not grow with the rows (tests/e2e_scan_cost.sh).
 * Unset: no trace at all.
 */
static FILE *sql_trace;

static int
trace_sql(unsigned type, void *arg, void *p, void *x)
{
	const char *sql;
	int pages = 0, hi = 0;

	(void)arg;
	if (type != SQLITE_TRACE_PROFILE || sql_trace == NULL || (sql = sqlite3_sql(p)) == NULL)
		return 0;
	/* pages written to the WAL since the previous statement (at a COMMIT: its frames) */
	sqlite3_db_status(sqlite3_db_handle(p), SQLITE_DBSTATUS_CACHE_WRITE, &pages, &hi, 1);
	fprintf(sql_trace, "%lld\t%d\t%d\t%s\n", (long long)*(sqlite3_int64 *)x,
	    sqlite3_stmt_status(p, SQLITE_STMTSTATUS_VM_STEP, 1), pages, sql);
	fflush(sql_trace);
	return 0;
}

static void
trace_open(sqlite3 *db)
{
	const char *path = getenv("STATION_TEST_SQL_TRACE");

	if (path == NULL || *path == '\0')
		return;
	if (sql_trace == NULL && (sql_trace = fopen(path, "a")) == NULL)
		return;
	sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, trace_sql, NULL);
}

/* One box, one file: never away, always the box that pulls the shop. */
static int
sqlite_store_reconnect_step(struct store *s, struct store_wait *w)
{
	(void)s;
	(void)w;
	return 1;
}

static int
sqlite_store_shop_lead(struct store *s)
{
	(void)s;
	return 1;
}

static const struct store_ops sqlite_ops = {
	.close = sqlite_store_close,
	.maint = &sqlite_maint_ops,
	.shop = &sqlite_shop_ops,
	.strerror = sqlite_store_strerror,
	.schema_version = sqlite_store_schema_version,
	.begin = sqlite_store_begin,
	.commit = sqlite_store_commit,
	.begin_lazy = sqlite_store_begin_lazy,
	.durable = sqlite_store_durable,
	.rollback = sqlite_store_rollback,
	.add_event = sqlite_store_add_event,
	.upsert_order = sqlite_store_upsert_order,
	.upsert_code = sqlite_store_upsert_code,
	.find_order = sqlite_store_find_order,
	.hold_order = sqlite_store_hold_order,
	.release_order = sqlite_store_release_order,
	.order_view = sqlite_store_order_view,
	.session_load = sqlite_store_session_load,
	.session_save = sqlite_store_session_save,
	.find_product = sqlite_store_find_product,
	.last_item = sqlite_store_last_item,
	.last_package = sqlite_store_last_package,
	.record_scan = sqlite_store_record_scan,
	.open_order = sqlite_store_open_order,
	.open_package = sqlite_store_open_package,
	.undo_last = sqlite_store_undo_last,
	.close_package = sqlite_store_close_package,
	.ship = sqlite_store_ship,
	.close_unshipped = sqlite_store_close_unshipped,
	.pending_outbox = sqlite_store_pending_outbox,
	.fulfillment_doc = sqlite_store_fulfillment_doc,
	.mark_outbox = sqlite_store_mark_outbox,
	.load_fulfillment = sqlite_store_load_fulfillment,
	.set_fulfillment_doc = sqlite_store_set_fulfillment_doc,
	.count_orders = sqlite_store_count_orders,
	.list_orders = sqlite_store_list_orders,
	.orders_with_sku = sqlite_store_orders_with_sku,
	.load_order_detail = sqlite_store_load_order_detail,
	.list_events = sqlite_store_list_events,
	.list_stats = sqlite_store_list_stats,
	.load_order_doc = sqlite_store_load_order_doc,
	.load_package = sqlite_store_load_package,
	.job_insert = sqlite_store_job_insert,
	.job_update = sqlite_store_job_update,
	.job_attempt = sqlite_store_job_attempt,
	.job_reset = sqlite_store_job_reset,
	.job_load = sqlite_store_job_load,
	.jobs_unsent = sqlite_store_jobs_unsent,
	.jobs_unfinished = sqlite_store_jobs_unfinished,
	.mark_slip_printed = sqlite_store_mark_slip_printed,
	.slip_printed = sqlite_store_slip_printed,
	.orders_without_slip = sqlite_store_orders_without_slip,
	.find_package_sscc = sqlite_store_find_package_sscc,
	.last_package_of_order = sqlite_store_last_package_of_order,
	.effect_add = sqlite_store_effect_add,
	.effect_done = sqlite_store_effect_done,
	.effects_pending = sqlite_store_effects_pending,
	.effect_load = sqlite_store_effect_load,
	.scan_by_key = sqlite_store_scan_by_key,
	.scan_set_key = sqlite_store_scan_set_key,
	.last_verdict = sqlite_store_last_verdict,
	.resume_message = sqlite_store_resume_message,
	.box_start = sqlite_store_box_start,
	.box_heartbeat = sqlite_store_box_heartbeat,
	.box_stop = sqlite_store_box_stop,
	.claim_station = sqlite_store_claim_station,
	.list_benches = sqlite_store_list_benches,
	.unavailable = sqlite_store_unavailable,
	.abandon_order = sqlite_store_abandon_order,
	.changes_fd = sqlite_store_changes_fd,
	.changes_read = sqlite_store_changes_read,
	.reconnect_step = sqlite_store_reconnect_step,
	.shop_lead = sqlite_store_shop_lead,
	.package_weigh = sqlite_store_package_weigh,
	.find_label = sqlite_store_find_label,
	.package_label = sqlite_store_package_label,
	.find_tracking = sqlite_store_find_tracking,
	.order_weight = sqlite_store_order_weight,
};

/* The SQLite handle behind a store this engine opened. */
static struct sqlite_store *
SQ(struct store *s)
{
	return (struct sqlite_store *)s;
}


const char *
sqlite_store_strerror(struct store *s)
{
	if (SQ(s)->failed)
		return SQ(s)->err;
	/* Nothing recorded: whatever SQLite still says, never "not an error". */
	if (SQ(s)->db != NULL && sqlite3_errcode(SQ(s)->db) != SQLITE_OK)
		return sqlite3_errmsg(SQ(s)->db);
	return "unknown error";
}

int
store_fail(struct store *s, const char *fmt, ...)
{
	va_list ap;

	if (SQ(s)->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(SQ(s)->err, sizeof(SQ(s)->err), fmt, ap);
	va_end(ap);
	SQ(s)->failed = 1;
	return -1;
}

/* Records SQLite's current error as the first one (if it is the first). */
static void
fail_db(struct store *s)
{
	if (s != NULL)
		store_fail(s, "%s", sqlite3_errmsg(SQ(s)->db));
}

static struct store *
store_of(sqlite3 *db)
{
	struct sqlite_store *q;

	for (q = open_stores; q != NULL; q = q->next)
		if (q->db == db)
			return &q->base;
	return NULL;
}

int
store_step(struct store *s, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	if (r != SQLITE_ROW && r != SQLITE_DONE)
		fail_db(s);
	return r;
}

sqlite3 *
store_db(struct store *s)
{
	return SQ(s)->db;
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	/* Outside a transaction every statement is one: its errors start afresh. */
	if (sqlite3_get_autocommit(SQ(s)->db))
		SQ(s)->failed = 0;
	for (i = 0; i < SQ(s)->ncache; i++)
		if (SQ(s)->cache[i].sql == sql) {
			st = SQ(s)->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(SQ(s)->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
	    SQLITE_OK) {
		fail_db(s);
		return NULL;
	}
	if (SQ(s)->ncache < STMT_CACHE) {
		SQ(s)->cache[SQ(s)->ncache].sql = sql;
		SQ(s)->cache[SQ(s)->ncache].st = st;
		SQ(s)->ncache++;
	}
	/* Past the cache size a statement would leak: the table is sized for every literal. */
	return st;
}

struct store *
sqlite_store_open(const char *path, int readonly, char *err, size_t errlen)
{
	struct sqlite_store *q;
	struct store *s;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->base.ops = &sqlite_ops;
	s = &q->base;
	SQ(s)->readonly = readonly;
	/*
	 * No memory statistics (nothing reads them): each of SQLite's allocations
	 * took a global mutex for them, ~7% of an import's instructions. Only
	 * before SQLite initialises; a later open's call fails harmlessly.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &SQ(s)->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		    SQ(s)->db ? sqlite3_errmsg(SQ(s)->db) : "cannot open");
		sqlite_store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(SQ(s)->db, 5000);
	trace_open(SQ(s)->db);
	if (!readonly) {
		/* auto_vacuum takes only on a new file: its freed pages can be given back */
		if (sqlite_exec(SQ(s)->db,
			"PRAGMA auto_vacuum=INCREMENTAL;"
			"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			"PRAGMA foreign_keys=OFF;",
			err, errlen) == -1 ||
		    sqlite_migrate(SQ(s)->db, err, errlen) == -1) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
			snprintf(err, errlen, "%s", tmp);
			sqlite_store_close(s);
			return NULL;
		}
		/* without it SQLite checkpoints inside a commit, as it always did */
		q->ckpt = sqlite_ckpt_start(SQ(s)->db, path);
	} else {
		int v = sqlite_user_version(SQ(s)->db);

		if (v != sqlite_schema_latest()) {
			snprintf(err, errlen, "%s: %s", path,
			    v < 0
				? store_errmsg(s)
				: "database not initialised by this station version (start stationd first)");
			sqlite_store_close(s);
			return NULL;
		}
	}
	q->next = open_stores;
	open_stores = q;
	return s;
}

void
sqlite_store_close(struct store *s)
{
	struct sqlite_store **pp;
	size_t i;

	if (s == NULL)
		return;
	for (pp = &open_stores; *pp != NULL; pp = &(*pp)->next)
		if (*pp == SQ(s)) {
			*pp = SQ(s)->next;
			break;
		}
	sqlite_ckpt_stop(SQ(s)->ckpt, SQ(s)->db);
	for (i = 0; i < SQ(s)->ncache; i++)
		sqlite3_finalize(SQ(s)->cache[i].st);
	if (SQ(s)->db)
		sqlite3_close(SQ(s)->db);
	free(s);
}

/*
 * The safety level can change only between transactions: NORMAL for a
 * lazy one, FULL again as soon as it ends, so that nothing else (an
 * autocommit statement, the next scan) ever commits lazily.
 */
static int
set_synchronous(struct store *s, int lazy)
{
	/* not store_stmt: outside a transaction it clears the first error (a failed COMMIT's) */
	if (sqlite3_exec(SQ(s)->db, lazy ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
		NULL, NULL, NULL) != SQLITE_OK) {
		fail_db(s);
		return -1;
	}
	SQ(s)->lazy = lazy;
	return 0;
}

/*
 * Begins a transaction at its safety level (NORMAL when lazy), set only
 * when it changes: a lazy one's end always sets FULL again.
 */
static int
begin_at(struct store *s, int lazy)
{
	sqlite3_stmt *st;

	SQ(s)->failed = 0; /* a new transaction, a new first error */
	if (SQ(s)->lazy != lazy && set_synchronous(s, lazy) == -1)
		return -1;
	st = store_stmt(s, "BEGIN IMMEDIATE");
	if (st && store_step(s, st) == SQLITE_DONE)
		return 0;
	if (lazy)
		set_synchronous(s, 0);
	return -1;
}

int
sqlite_store_begin(struct store *s)
{
	return begin_at(s, 0);
}

int
sqlite_store_begin_lazy(struct store *s)
{
	return begin_at(s, 1);
}

int
sqlite_store_commit(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "COMMIT");

	if (st && store_step(s, st) == SQLITE_DONE) {
		if (SQ(s)->lazy) {
			SQ(s)->unsynced = 1;
			set_synchronous(s, 0);
		}
		return 0;
	}
	store_rollback(s);
	return -1;
}

/* Rolls back; the first error stays what store_strerror says. */
void
sqlite_store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(SQ(s)->db))
		sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
	if (SQ(s)->lazy && sqlite3_get_autocommit(SQ(s)->db))
		set_synchronous(s, 0);
}

/*
 * A lazy commit's frames are in the WAL file, not yet synced: syncing
 * that file makes every one of them durable, as the next FULL commit that
 * writes a frame would (the caller may have none to make).
 */
int
sqlite_store_durable(struct store *s)
{
	sqlite3_file *f = NULL;
	int rc;

	if (!SQ(s)->unsynced)
		return 0;
	SQ(s)->failed = 0;
	if (sqlite3_file_control(SQ(s)->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) !=
		SQLITE_OK ||
	    f == NULL || f->pMethods == NULL)
		return store_fail(s, "the write-ahead log is not open");
	if ((rc = f->pMethods->xSync(f, SQLITE_SYNC_NORMAL)) != SQLITE_OK)
		return store_fail(s, "syncing the write-ahead log: %s", sqlite3_errstr(rc));
	SQ(s)->unsynced = 0;
	return 0;
}

int
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

int
store_bind_id(sqlite3_stmt *st, int i, int64_t v)
{
	return v ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}

char *
store_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

int
sqlite_store_add_event(struct store *s, int64_t scan_id, const char *station, int64_t order_id,
    const char *packer, const char *kind, const char *verdict, const char *message, int is_error)
{
	sqlite3_stmt *st = store_stmt(s,
	    "INSERT INTO events(at, station, order_id, order_name, packer, kind,"
	    " verdict, message, error, scan_id) VALUES (?, ?, ?,"
	    " (SELECT name FROM orders WHERE id = ?3), ?, ?, ?, ?, ?, ?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, store_now_ms());
	store_bind_text(st, 2, station);
	if (order_id)
		sqlite3_bind_int64(st, 3, order_id);
	else
		sqlite3_bind_null(st, 3);
	store_bind_text(st, 4, packer && *packer ? packer : NULL);
	store_bind_text(st, 5, kind);
	store_bind_text(st, 6, verdict);
	store_bind_text(st, 7, message);
	sqlite3_bind_int(st, 8, is_error ? 1 : 0);
	if (scan_id > 0)
		sqlite3_bind_int64(st, 9, scan_id);
	else
		sqlite3_bind_null(st, 9);
	return store_run(s, st);
}

/*
 * An UPDATE of one row by its key, then a read: INSERT ... ON CONFLICT ...
 * RETURNING took a statement journal and an ephemeral table, with a pager
 * opened and closed, for every SSCC (12.5 us a call against about 3). The
 * first use of a name inserts it.
 */
int64_t
store_counter_next(struct store *s, const char *name)
{
	sqlite3_stmt *st = store_stmt(s, "UPDATE counters SET value = value + 1 WHERE name = ?");
	int64_t v = -1;
	int r;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, name);
	if (store_run(s, st) == -1)
		return -1;
	if (sqlite3_changes(SQ(s)->db) == 0) {
		if ((st = store_stmt(s, "INSERT INTO counters(name, value) VALUES (?, 1)")) == NULL)
			return -1;
		store_bind_text(st, 1, name);
		return store_run(s, st) == -1 ? -1 : 1;
	}
	if ((st = store_stmt(s, "SELECT value FROM counters WHERE name = ?")) == NULL)
		return -1;
	store_bind_text(st, 1, name);
	if ((r = store_step(s, st)) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (r == SQLITE_DONE)
		store_fail(s, "counter %s: updated, then not found", name);
	sqlite3_reset(st);
	return v;
}

int
store_run(struct store *s, sqlite3_stmt *st)
{
	int r = store_step(s, st);

	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_step_done(sqlite3_stmt *st)
{
	return store_run(store_of(sqlite3_db_handle(st)), st);
}

/* Collects the first column of a query bound with up to one integer. */
int
store_collect_ids(struct store *s, const char *sql, int64_t arg, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t *v = NULL, *nv;
	size_t cnt = 0;
	int r;

	if (st == NULL)
		return -1;
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, arg);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			free(v);
			sqlite3_reset(st);
			return store_fail(s, "out of memory");
		}
		v = nv;
		v[cnt++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		free(v);
		return -1;
	}
	*ids = v;
	*n = cnt;
	return 0;
}

int
sqlite_store_schema_version(struct store *s)
{
	return sqlite_user_version(SQ(s)->db);
}
