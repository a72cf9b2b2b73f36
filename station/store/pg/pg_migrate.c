/*
 * Growing up: a one-box SQLite station copied into an empty PostgreSQL
 * database (stationctl migrate --to URI). Every table of the schema, row
 * for row with the same ids, in one transaction; the identity sequences
 * then start past the copied ids and the SSCC sequence past the serials
 * already used, so nothing is numbered twice.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/store/pg/pg.h"
#include "station/store/pg/pg_int.h"
#include "station/store/sqlite/sqlite.h"
#include "station/store/store.h"

#define MAXCOLS 64

/* The schema's tables, parents first; "id" says the table numbers its rows. */
static const struct {
	const char *name;
	int has_id;
} tables[] = {
	{ "orders", 1 },
	{ "order_lines", 1 },
	{ "product_codes", 0 },
	{ "sessions", 0 },
	{ "packages", 1 },
	{ "scans", 1 },
	{ "fulfillments", 1 },
	{ "fulfillment_lines", 0 },
	{ "print_jobs", 1 },
	{ "events", 1 },
	{ "counters", 0 },
	{ "effects", 1 },
	{ "shop_fos", 0 },
	{ "shop_pushes", 0 },
	{ "shop_state", 0 },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

static int
pq_ok(PGconn *c, PGresult *r, char *err, size_t errlen)
{
	ExecStatusType es = PQresultStatus(r);
	int ok = es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK;

	if (!ok) {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

		snprintf(err, errlen, "%s", m ? m : PQerrorMessage(c));
	}
	PQclear(r);
	return ok ? 0 : -1;
}

/* One statement without parameters, prepared unnamed. */
static int
pq_exec(PGconn *c, const char *sql, char *err, size_t errlen)
{
	if (pq_ok(c, PQprepare(c, "", sql, 0, NULL), err, errlen) == -1)
		return -1;
	return pq_ok(c, PQexecPrepared(c, "", 0, NULL, NULL, NULL, 0), err, errlen);
}

/* The first column of a one-row query as an integer; -1 on error. */
static long long
pq_count(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQprepare(c, "", sql, 0, NULL);
	long long v = -1;

	if (pq_ok(c, r, err, errlen) == -1)
		return -1;
	r = PQexecPrepared(c, "", 0, NULL, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (pq_ok(c, r, err, errlen) == -1)
		return -1;
	return v;
}

/* Copies one table: SELECT * there, a prepared INSERT here per row. Rows, or -1. */
static long long
copy_table(sqlite3 *db, PGconn *c, const char *table, char *err, size_t errlen)
{
	char sql[4096], ins[4096];
	const char *vals[MAXCOLS];
	int lens[MAXCOLS], fmts[MAXCOLS], ncol, i, r;
	size_t off;
	sqlite3_stmt *st;
	long long rows = 0;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY rowid", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", table, sqlite3_errmsg(db));
		return -1;
	}
	if ((ncol = sqlite3_column_count(st)) > MAXCOLS) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "%s: too many columns", table);
		return -1;
	}
	off = (size_t)snprintf(ins, sizeof(ins), "INSERT INTO %s (", table);
	for (i = 0; i < ncol && off < sizeof(ins); i++)
		off += (size_t)snprintf(ins + off, sizeof(ins) - off, "%s%s", i ? ", " : "",
		    sqlite3_column_name(st, i));
	for (i = 0; i < ncol && off < sizeof(ins); i++)
		off += (size_t)snprintf(
		    ins + off, sizeof(ins) - off, "%s$%d", i ? ", " : ") VALUES (", i + 1);
	if (off + 2 >= sizeof(ins)) {
		sqlite3_finalize(st);
		snprintf(err, errlen, "%s: statement too long", table);
		return -1;
	}
	memcpy(ins + off, ")", 2); /* off + 2 < sizeof(ins): checked above */
	/* Parameter types from the target's columns: ids BIGINT, PDFs bytea. */
	if (pq_ok(c, PQprepare(c, "migrate_row", ins, ncol, NULL), err, errlen) == -1) {
		sqlite3_finalize(st);
		return -1;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncol; i++) {
			int t = sqlite3_column_type(st, i);

			fmts[i] = t == SQLITE_BLOB;
			lens[i] = 0;
			if (t == SQLITE_NULL)
				vals[i] = NULL;
			else if (t == SQLITE_BLOB) {
				vals[i] = sqlite3_column_blob(st, i);
				lens[i] = sqlite3_column_bytes(st, i);
				if (vals[i] == NULL)
					vals[i] = "";
			} else
				vals[i] = (const char *)sqlite3_column_text(st, i);
		}
		if (pq_ok(c, PQexecPrepared(c, "migrate_row", ncol, vals, lens, fmts, 0), err,
			errlen) == -1) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s row %lld: %s", table, rows + 1, err);
			snprintf(err, errlen, "%s", tmp);
			sqlite3_finalize(st);
			return -1;
		}
		rows++;
	}
	sqlite3_finalize(st);
	(void)pq_exec(c, "DEALLOCATE migrate_row", sql, sizeof(sql));
	if (r != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", table, sqlite3_errmsg(db));
		return -1;
	}
	return rows;
}

int
pg_migrate_from_sqlite(
    const char *path, const char *uri, char *report, size_t reportlen, char *err, size_t errlen)
{
	struct store *src, *dst;
	sqlite3 *db = NULL;
	PGconn *c;
	char sql[256];
	long long n, total = 0;
	size_t i, off = 0;

	/* The source brought to this version's schema (its daemon stopped). */
	if ((src = sqlite_store_open(path, 0, err, errlen)) == NULL)
		return -1;
	store_close(src);
	if ((dst = pg_store_open(uri, 0, err, errlen)) == NULL)
		return -1;
	c = pgs_db(dst);
	for (i = 0; i < NTABLES; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i].name);
		if ((n = pq_count(c, sql, err, errlen)) == -1)
			goto fail;
		total += n;
	}
	if (total > 0) {
		snprintf(err, errlen,
		    "%s is not empty (%lld rows): migrate copies into an empty"
		    " database only",
		    uri, total);
		goto fail;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(db, 5000);
	if (pq_exec(c, "BEGIN", err, errlen) == -1 ||
	    pq_exec(c, "SELECT pg_advisory_xact_lock(" WRITE_LOCK ")", err, errlen) == -1 ||
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < NTABLES; i++) {
		if ((n = copy_table(db, c, tables[i].name, err, errlen)) == -1)
			goto fail;
		off += (size_t)snprintf(report + off, off < reportlen ? reportlen - off : 0,
		    "%s%s %lld", i ? ", " : "", tables[i].name, n);
		if (off >= reportlen)
			off = reportlen - 1;
		if (tables[i].has_id && n > 0) {
			snprintf(sql, sizeof(sql),
			    "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
			    " (SELECT max(id) FROM %s))",
			    tables[i].name, tables[i].name);
			if (pq_exec(c, sql, err, errlen) == -1)
				goto fail;
		}
	}
	/* SSCC serials go on past the highest one SQLite handed out. */
	if (pq_exec(c,
		"SELECT setval('sscc_serial', (SELECT max(value) FROM counters"
		" WHERE name LIKE 'sscc:%'))"
		" WHERE EXISTS (SELECT 1 FROM counters WHERE name LIKE 'sscc:%')",
		err, errlen) == -1 ||
	    pq_exec(c, "COMMIT", err, errlen) == -1)
		goto fail;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	store_close(dst);
	return 0;
fail : {
	char tmp[8];

	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		(void)pq_exec(c, "ROLLBACK", tmp, sizeof(tmp));
}
	if (db != NULL)
		sqlite3_close(db);
	store_close(dst);
	return -1;
}
