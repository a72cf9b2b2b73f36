/* The SQLite store: open, migrate, statement cache, transactions, events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/store/store.h"
#include "station/store/store_int.h"

#define STMT_CACHE 160

struct stmt_slot {
	const char	*sql;
	sqlite3_stmt	*st;
};

struct store {
	sqlite3		*db;
	int		 readonly;
	struct stmt_slot cache[STMT_CACHE];
	size_t		 ncache;
};

/* Forward migrations: migrations[i] takes user_version i to i + 1. */
static const char *migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE orders ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER UNIQUE,"
	" name TEXT NOT NULL UNIQUE,"
	" email TEXT, created_at TEXT, financial_status TEXT,"
	" shop_fulfillment_status TEXT, cancelled_at TEXT, cancel_reason TEXT,"
	" note TEXT, gift_message TEXT, tags TEXT,"
	" has_ship INTEGER NOT NULL DEFAULT 0,"
	" ship_name TEXT, ship_first_name TEXT, ship_last_name TEXT, ship_company TEXT,"
	" ship_address1 TEXT, ship_address2 TEXT, ship_city TEXT, ship_province TEXT,"
	" ship_province_code TEXT, ship_zip TEXT, ship_country TEXT,"
	" ship_country_code TEXT, ship_phone TEXT,"
	" shipping_title TEXT, shipping_code TEXT, pickup INTEGER NOT NULL DEFAULT 0,"
	" tracking_number TEXT, tracking_company TEXT,"
	" status TEXT NOT NULL, hold_reason TEXT, hold_source TEXT, station TEXT,"
	" slip_printed INTEGER NOT NULL DEFAULT 0,"
	" imported_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX orders_status ON orders(status, id);"
	"CREATE TABLE order_lines ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES orders(id),"
	" shop_line_id INTEGER, position INTEGER NOT NULL,"
	" sku TEXT, title TEXT, variant_title TEXT, name TEXT,"
	" quantity INTEGER NOT NULL, fulfillable_quantity INTEGER NOT NULL,"
	" requires_shipping INTEGER NOT NULL, grams INTEGER NOT NULL DEFAULT -1,"
	" shop_fulfillment_status TEXT, removed INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX order_lines_order ON order_lines(order_id);"
	"CREATE INDEX order_lines_sku ON order_lines(sku);"
	"CREATE TABLE product_codes ("
	" code TEXT PRIMARY KEY, sku TEXT NOT NULL,"
	" multiplier INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL);"
	"CREATE TABLE sessions ("
	" station TEXT PRIMARY KEY, order_id INTEGER, box INTEGER NOT NULL DEFAULT 0,"
	" qty_next INTEGER NOT NULL DEFAULT 0, packer TEXT NOT NULL DEFAULT '',"
	" last_code TEXT NOT NULL DEFAULT '', last_ms INTEGER NOT NULL DEFAULT 0,"
	" opened_at INTEGER, last_label_job INTEGER);"
	"CREATE TABLE packages ("
	" id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, station TEXT NOT NULL,"
	" box INTEGER NOT NULL, sscc TEXT UNIQUE,"
	" state TEXT NOT NULL,"		/* open, closed, shipped, void */
	" fulfillment_id INTEGER, weight_grams INTEGER,"
	" created_at INTEGER NOT NULL, closed_at INTEGER);"
	"CREATE INDEX packages_order ON packages(order_id, state);"
	"CREATE TABLE scans ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, station TEXT NOT NULL,"
	" packer TEXT, code TEXT NOT NULL, aim TEXT, verdict TEXT NOT NULL,"
	" order_id INTEGER, line_id INTEGER, units INTEGER NOT NULL DEFAULT 0,"
	" package_id INTEGER,"
	" state TEXT);"			/* counted, undone, shipped, abandoned (item scans) */
	"CREATE INDEX scans_order ON scans(order_id, state);"
	"CREATE INDEX scans_station ON scans(station, id);"
	"CREATE INDEX scans_line ON scans(line_id, state);"
	"CREATE INDEX scans_package ON scans(package_id, state);"
	"CREATE TABLE fulfillments ("
	" id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, station TEXT NOT NULL,"
	" packer TEXT, at INTEGER NOT NULL, partial INTEGER NOT NULL,"
	" units INTEGER NOT NULL, opened_at INTEGER,"
	" outbox_name TEXT, doc TEXT NOT NULL);"
	"CREATE INDEX fulfillments_at ON fulfillments(at);"
	"CREATE TABLE fulfillment_lines ("
	" fulfillment_id INTEGER NOT NULL, order_id INTEGER NOT NULL,"
	" line_id INTEGER NOT NULL, quantity INTEGER NOT NULL);"
	"CREATE INDEX fulfillment_lines_order ON fulfillment_lines(order_id);"
	"CREATE INDEX fulfillment_lines_line ON fulfillment_lines(line_id);"
	"CREATE TABLE print_jobs ("
	" id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, station TEXT,"
	" printer TEXT, kind TEXT NOT NULL, order_id INTEGER, package_id INTEGER,"
	" title TEXT, media TEXT, copies INTEGER NOT NULL DEFAULT 1,"
	" ipp_job_id INTEGER, state TEXT NOT NULL, reason TEXT,"
	" attempts INTEGER NOT NULL DEFAULT 0, updated_at INTEGER,"
	" accepted_at INTEGER, completed_at INTEGER, pdf BLOB);"
	"CREATE INDEX print_jobs_state ON print_jobs(state);"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, station TEXT,"
	" order_id INTEGER, order_name TEXT, packer TEXT, kind TEXT NOT NULL,"
	" verdict TEXT, message TEXT NOT NULL, error INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX events_at ON events(at);"
	"CREATE INDEX events_station ON events(station, at);"
	"CREATE INDEX events_order ON events(order_name, at);"
	"CREATE INDEX events_kind ON events(kind, at);"
	"CREATE INDEX events_packer ON events(packer, at);"
	"CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
	/*
	 * 1 -> 2: what a committed scan implies (a label, a slip) is a row of the
	 * same transaction, carried out after it and again after a crash; a
	 * scan sent with an idempotency key keeps the key and its reply.
	 */
	"CREATE TABLE effects ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, station TEXT NOT NULL,"
	" kind TEXT NOT NULL, ref INTEGER NOT NULL, done_at INTEGER);"
	"CREATE INDEX effects_pending ON effects(done_at, id);"
	"CREATE INDEX fulfillments_unwritten ON fulfillments(id) WHERE outbox_name IS NULL;"
	"ALTER TABLE scans ADD COLUMN request_key TEXT;"
	"ALTER TABLE scans ADD COLUMN reply TEXT;"
	"CREATE UNIQUE INDEX scans_request_key ON scans(station, request_key)"
	" WHERE request_key IS NOT NULL;",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int64_t
store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
store_errmsg(struct store *s)
{
	return s->db ? sqlite3_errmsg(s->db) : "no database";
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].sql == sql) {
			st = s->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	if (s->ncache < STMT_CACHE) {
		s->cache[s->ncache].sql = sql;
		s->cache[s->ncache].st = st;
		s->ncache++;
	}
	/* Past the cache size a statement would leak: the table is sized for every literal. */
	return st;
}

static int
exec_sql(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
user_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
migrate(struct store *s, char *err, size_t errlen)
{
	char sql[64];
	int v = user_version(s);

	if (v < 0) {
		snprintf(err, errlen, "reading schema version: %s", store_errmsg(s));
		return -1;
	}
	if (v > NMIGRATIONS) {
		snprintf(err, errlen, "database schema version %d is newer than this station (%d)",
		    v, NMIGRATIONS);
		return -1;
	}
	for (; v < NMIGRATIONS; v++) {
		if (exec_sql(s, "BEGIN IMMEDIATE", err, errlen) == -1)
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec_sql(s, migrations[v], err, errlen) == -1 ||
		    exec_sql(s, sql, err, errlen) == -1) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (exec_sql(s, "COMMIT", err, errlen) == -1)
			return -1;
	}
	return 0;
}

struct store *
store_open(const char *path, int readonly, char *err, size_t errlen)
{
	struct store *s;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->readonly = readonly;
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (!readonly) {
		if (exec_sql(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		    "PRAGMA foreign_keys=OFF;", err, errlen) == -1 ||
		    migrate(s, err, errlen) == -1) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
			snprintf(err, errlen, "%s", tmp);
			store_close(s);
			return NULL;
		}
	} else {
		int v = user_version(s);

		if (v != NMIGRATIONS) {
			snprintf(err, errlen, "%s: %s", path, v < 0 ? store_errmsg(s) :
			    "database not initialised by this station version (start stationd first)");
			store_close(s);
			return NULL;
		}
	}
	return s;
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	if (s->db)
		sqlite3_close(s->db);
	free(s);
}

int
store_begin(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "BEGIN IMMEDIATE");

	return st && sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

int
store_commit(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "COMMIT");

	if (st && sqlite3_step(st) == SQLITE_DONE)
		return 0;
	store_rollback(s);
	return -1;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

char *
store_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

int
store_add_event(struct store *s, const char *station, int64_t order_id,
    const char *packer, const char *kind, const char *verdict,
    const char *message, int is_error)
{
	sqlite3_stmt *st = store_stmt(s,
	    "INSERT INTO events(at, station, order_id, order_name, packer, kind,"
	    " verdict, message, error) VALUES (?, ?, ?,"
	    " (SELECT name FROM orders WHERE id = ?3), ?, ?, ?, ?, ?)");

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
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

int64_t
store_counter_next(struct store *s, const char *name)
{
	sqlite3_stmt *st = store_stmt(s,
	    "INSERT INTO counters(name, value) VALUES (?, 1)"
	    " ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value");
	int64_t v = -1;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, name);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

int
store_step_done(sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
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
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			free(v);
			sqlite3_reset(st);
			return -1;
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
