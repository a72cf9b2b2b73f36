/*
 * PostgreSQL upkeep: the consistency check, archiving old orders, pruning
 * the log, the shipments export (statement for statement SQLite's
 * store_maint.c and store_retention.c). Backups are the server's business
 * (pg_dump): backup refuses and says so. The server's autovacuum gives
 * space back, so compact has nothing to do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/order_state.h"
#include "station/store/pg/pg_int.h"
#include "station/store/store.h"
#include "station/store/store_maint.h"

static int
pg_backup(struct store *s, const char *path, char *err, size_t errlen)
{
	(void)s;
	(void)path;
	snprintf(err, errlen, "on PostgreSQL, back up with pg_dump");
	return -1;
}

/* One reference check: every row sql returns is a problem, described by its first column. */
static int
problems(struct store *s, const char *sql, store_problem_fn fn, void *arg)
{
	pgst *st = pgs_stmt(s, sql);
	int n = 0, r;

	if (st == NULL)
		return -1;
	while ((r = pgs_step(s, st)) == PGST_ROW) {
		fn(arg, (const char *)pgst_column_text(st, 0));
		n++;
	}
	pgst_reset(st);
	return r == PGST_DONE ? n : -1;
}

/* Each query lists what points at nothing; the first column says what and where. */
static const char *const checks[] = {
	/*
	 * The engine's own: PostgreSQL checks pages itself; what it can leave
	 * behind is an index a failed CREATE INDEX CONCURRENTLY marked invalid
	 * (the schema version was checked when the store opened).
	 */
	"SELECT 'integrity: index ' || c.relname || ' is not valid' FROM pg_index i"
	" JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE n.nspname = current_schema() AND NOT i.indisvalid",
	/* open sessions */
	"SELECT 'session at station ' || station || ': order id ' || order_id || ' does not exist'"
	" FROM sessions WHERE order_id IS NOT NULL"
	" AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = sessions.order_id)",
	"SELECT 'open package ' || id || ' at station ' || station || ': order id ' || order_id"
	" || ' does not exist' FROM packages WHERE state = 'open'"
	" AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = packages.order_id)",
	"SELECT 'counted scan ' || id || ': line id ' || coalesce(line_id::text, 'NULL')"
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

static int
pg_check(struct store *s, store_problem_fn fn, void *arg)
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

/* Archives one order if the lifecycle allows it: 1 archived, 0 not, -1 error. */
static int
archive_one(struct store *s, int64_t id)
{
	struct order_event ev = { OEV_ARCHIVE, ORDER_READY };
	struct order_state cur, next;
	pgst *st = pgs_stmt(s,
	    "SELECT status, (station IS NOT NULL)::int FROM orders"
	    " WHERE id = ?1");
	char msg[64];
	int status;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, id);
	if (pgs_step(s, st) != PGST_ROW) {
		pgst_reset(st);
		return -1;
	}
	status = order_status_parse((const char *)pgst_column_text(st, 0));
	cur.at_bench = pgst_column_int(st, 1);
	pgst_reset(st);
	if (status < 0)
		return 0;
	cur.status = (enum order_status)status;
	cur.hold = ORDER_HOLD_NONE;
	if (order_state_apply(&cur, &ev, &next) != ORDER_OK)
		return 0;
	if ((st = pgs_stmt(s,
		 "UPDATE orders SET status = ?1, hold_reason = NULL,"
		 " hold_source = NULL, updated_at = ?2 WHERE id = ?3")) == NULL)
		return -1;
	pgs_bind_text(st, 1, order_status_name(next.status));
	pgst_bind_int64(st, 2, store_now_ms());
	pgst_bind_int64(st, 3, id);
	if (pgs_run(s, st) == -1)
		return -1;
	snprintf(msg, sizeof(msg), "archived (was %s)", order_status_name(cur.status));
	return pg_store_add_event(s, 0, NULL, id, NULL, "archive", NULL, msg, 0) == -1 ? -1 : 1;
}

static int
pg_archive_orders(struct store *s, int64_t before_ms, int limit, int64_t *n)
{
	int64_t *ids = NULL, done = 0;
	size_t nids = 0, i;
	pgst *st;
	int r;

	if (pg_store_begin(s) == -1)
		return -1;
	/* the candidates; the lifecycle has the last word on each */
	if ((st = pgs_stmt(s,
		 "SELECT id FROM orders WHERE status IN ('fulfilled', 'cancelled')"
		 " AND station IS NULL AND updated_at < ?1 ORDER BY id LIMIT ?2")) == NULL)
		goto fail;
	pgst_bind_int64(st, 1, before_ms);
	pgst_bind_int(st, 2, limit);
	while ((r = pgs_step(s, st)) == PGST_ROW) {
		int64_t *v = realloc(ids, (nids + 1) * sizeof(*ids));

		if (v == NULL) {
			pgst_reset(st);
			pgs_fail(s, "out of memory");
			goto fail;
		}
		ids = v;
		ids[nids++] = pgst_column_int64(st, 0);
	}
	pgst_reset(st);
	if (r != PGST_DONE)
		goto fail;
	for (i = 0; i < nids; i++) {
		if ((r = archive_one(s, ids[i])) == -1)
			goto fail;
		done += r;
	}
	free(ids);
	if (pg_store_commit(s) == -1)
		return -1;
	*n = done;
	return 0;
fail:
	free(ids);
	pg_store_rollback(s);
	return -1;
}

static int
pg_prune_log(struct store *s, int64_t before_ms, int limit, int64_t *n)
{
	pgst *st;
	int64_t done = 0;

	if (pg_store_begin(s) == -1)
		return -1;
	/* events_at orders the oldest first */
	if ((st = pgs_stmt(s,
		 "DELETE FROM events WHERE id IN (SELECT id FROM events"
		 " WHERE at < ?1 ORDER BY at LIMIT ?2)")) == NULL)
		goto fail;
	pgst_bind_int64(st, 1, before_ms);
	pgst_bind_int(st, 2, limit);
	if (pgs_run(s, st) == -1)
		goto fail;
	done += pgs_changes(s);
	/*
	 * Scans' ids grow with time: only ids below the first recent scan are
	 * looked at. Scans still counted in an open package are the session's:
	 * they stay.
	 */
	if ((st = pgs_stmt(s,
		 "DELETE FROM scans WHERE id IN (SELECT id FROM scans"
		 " WHERE id < coalesce((SELECT id FROM scans WHERE at >= ?1 ORDER BY id LIMIT 1),"
		 " 9223372036854775807) AND at < ?1 AND coalesce(state, '') <> 'counted'"
		 " ORDER BY id LIMIT ?2)")) == NULL)
		goto fail;
	pgst_bind_int64(st, 1, before_ms);
	pgst_bind_int(st, 2, limit);
	if (pgs_run(s, st) == -1)
		goto fail;
	done += pgs_changes(s);
	if (pg_store_commit(s) == -1)
		return -1;
	*n = done;
	return 0;
fail:
	pg_store_rollback(s);
	return -1;
}

/* Autovacuum gives dead rows' space back on its own: nothing to do here. */
static int
pg_compact(struct store *s, int pages)
{
	(void)s;
	(void)pages;
	return 0;
}

static const char SQL_EXPORT[] =
    "SELECT f.id, f.at, o.name, coalesce(o.shop_id, 0), f.station, coalesce(f.packer, ''),"
    " f.partial, coalesce(l.sku, ''), coalesce(l.title, l.name, ''),"
    " coalesce(l.shop_line_id, 0), fl.quantity"
    " FROM fulfillments f JOIN orders o ON o.id = f.order_id"
    " JOIN fulfillment_lines fl ON fl.fulfillment_id = f.id"
    " JOIN order_lines l ON l.id = fl.line_id"
    " WHERE f.at >= ?1 AND (?2 = 0 OR f.at < ?2) ORDER BY f.at, f.id, l.position, l.id";

static int
export_row(pgst *st, struct store_export_row *r)
{
	memset(r, 0, sizeof(*r));
	r->fulfillment_id = pgst_column_int64(st, 0);
	r->at = pgst_column_int64(st, 1);
	r->shop_order_id = pgst_column_int64(st, 3);
	r->partial = pgst_column_int(st, 6);
	r->shop_line_id = pgst_column_int64(st, 9);
	r->quantity = pgst_column_int64(st, 10);
	r->order_name = pgs_col_dup(st, 2);
	r->station = pgs_col_dup(st, 4);
	r->packer = pgs_col_dup(st, 5);
	r->sku = pgs_col_dup(st, 7);
	r->title = pgs_col_dup(st, 8);
	return r->order_name && r->station && r->packer && r->sku && r->title ? 0 : -1;
}

static int
pg_export_shipments(
    struct store *s, int64_t since_ms, int64_t until_ms, struct store_export_row **rows, size_t *n)
{
	pgst *st = pgs_stmt(s, SQL_EXPORT);
	struct store_export_row *v = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, since_ms);
	pgst_bind_int64(st, 2, until_ms);
	while ((r = pgs_step(s, st)) == PGST_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct store_export_row *nv = realloc(v, nc * sizeof(*v));

			if (nv == NULL)
				break;
			v = nv;
			cap = nc;
		}
		if (export_row(st, &v[cnt++]) == -1)
			break;
	}
	pgst_reset(st);
	if (r != PGST_DONE) {
		store_export_rows_free(v, cnt);
		return r == PGST_ROW ? pgs_fail(s, "out of memory") : -1;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

const struct store_maint_ops pg_maint_ops = {
	.backup = pg_backup,
	.check = pg_check,
	.archive_orders = pg_archive_orders,
	.prune_log = pg_prune_log,
	.compact = pg_compact,
	.export_shipments = pg_export_shipments,
};
