/*
 * SQLite retention: archiving old finished orders (through the order
 * lifecycle's OEV_ARCHIVE), pruning the log a bounded batch at a time, and
 * the shipments export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/order_state.h"
#include "station/store/sqlite/sqlite_int.h"
#include "station/store/store_maint.h"

/* Archives one order if the lifecycle allows it: 1 archived, 0 not, -1 error. */
static int
archive_one(struct store *s, int64_t id)
{
	struct order_event ev = { OEV_ARCHIVE, ORDER_READY };
	struct order_state cur, next;
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT status, station IS NOT NULL FROM orders"
	    " WHERE id = ?");
	char msg[64];
	int status;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (store_step(s, st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	status = order_status_parse((const char *)sqlite3_column_text(st, 0));
	cur.at_bench = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	if (status < 0)
		return 0;
	cur.status = (enum order_status)status;
	cur.hold = ORDER_HOLD_NONE;
	if (order_state_apply(&cur, &ev, &next) != ORDER_OK)
		return 0;
	if ((st = store_stmt(s,
		 "UPDATE orders SET status = ?, hold_reason = NULL,"
		 " hold_source = NULL, updated_at = ? WHERE id = ?")) == NULL)
		return -1;
	store_bind_text(st, 1, order_status_name(next.status));
	sqlite3_bind_int64(st, 2, store_now_ms());
	sqlite3_bind_int64(st, 3, id);
	if (store_run(s, st) == -1)
		return -1;
	snprintf(msg, sizeof(msg), "archived (was %s)", order_status_name(cur.status));
	return store_add_event(s, NULL, id, NULL, "archive", NULL, msg, 0) == -1 ? -1 : 1;
}

int
sqlite_store_archive_orders(struct store *s, int64_t before_ms, int limit, int64_t *n)
{
	int64_t *ids = NULL, done = 0;
	size_t nids = 0, i;
	sqlite3_stmt *st;
	int r;

	if (store_begin(s) == -1)
		return -1;
	/* the candidates; the lifecycle has the last word on each */
	if ((st = store_stmt(s,
		 "SELECT id FROM orders WHERE status IN ('fulfilled', 'cancelled')"
		 " AND station IS NULL AND updated_at < ?1 ORDER BY id LIMIT ?2")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int(st, 2, limit);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		int64_t *v = realloc(ids, (nids + 1) * sizeof(*ids));

		if (v == NULL) {
			sqlite3_reset(st);
			store_fail(s, "out of memory");
			goto fail;
		}
		ids = v;
		ids[nids++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		goto fail;
	for (i = 0; i < nids; i++) {
		if ((r = archive_one(s, ids[i])) == -1)
			goto fail;
		done += r;
	}
	free(ids);
	if (store_commit(s) == -1)
		return -1;
	*n = done;
	return 0;
fail:
	free(ids);
	store_rollback(s);
	return -1;
}

int
sqlite_store_prune_log(struct store *s, int64_t before_ms, int limit, int64_t *n)
{
	sqlite3_stmt *st;
	int64_t done = 0;

	if (store_begin(s) == -1)
		return -1;
	/*
	 * Events have no index on time (schema 8), but their ids grow with
	 * it: only ids below the first recent event are looked at, as for the
	 * scans below.
	 */
	if ((st = store_stmt(s,
		 "DELETE FROM events WHERE id IN (SELECT id FROM events"
		 " WHERE id < coalesce((SELECT id FROM events WHERE at >= ?1 ORDER BY id LIMIT 1),"
		 " 9223372036854775807) AND at < ?1 ORDER BY id LIMIT ?2)")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int(st, 2, limit);
	if (store_run(s, st) == -1)
		goto fail;
	done += sqlite3_changes(store_db(s));
	/*
	 * Scans have no index on time, but their ids grow with it: only ids
	 * below the first recent scan are looked at, so a turn with nothing
	 * to prune costs a lookup, not a walk of the table. Scans still
	 * counted in an open package are the session's: they stay.
	 */
	if ((st = store_stmt(s,
		 "DELETE FROM scans WHERE id IN (SELECT id FROM scans"
		 " WHERE id < coalesce((SELECT id FROM scans WHERE at >= ?1 ORDER BY id LIMIT 1),"
		 " 9223372036854775807) AND at < ?1 AND coalesce(state, '') <> 'counted'"
		 " ORDER BY id LIMIT ?2)")) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int(st, 2, limit);
	if (store_run(s, st) == -1)
		goto fail;
	done += sqlite3_changes(store_db(s));
	if (store_commit(s) == -1)
		return -1;
	*n = done;
	return 0;
fail:
	store_rollback(s);
	return -1;
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
export_row(sqlite3_stmt *st, struct store_export_row *r)
{
	memset(r, 0, sizeof(*r));
	r->fulfillment_id = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	r->shop_order_id = sqlite3_column_int64(st, 3);
	r->partial = sqlite3_column_int(st, 6);
	r->shop_line_id = sqlite3_column_int64(st, 9);
	r->quantity = sqlite3_column_int64(st, 10);
	r->order_name = store_col_dup(st, 2);
	r->station = store_col_dup(st, 4);
	r->packer = store_col_dup(st, 5);
	r->sku = store_col_dup(st, 7);
	r->title = store_col_dup(st, 8);
	return r->order_name && r->station && r->packer && r->sku && r->title ? 0 : -1;
}

int
sqlite_store_export_shipments(
    struct store *s, int64_t since_ms, int64_t until_ms, struct store_export_row **rows, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, SQL_EXPORT);
	struct store_export_row *v = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int64(st, 2, until_ms);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
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
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		store_export_rows_free(v, cnt);
		return r == SQLITE_ROW ? store_fail(s, "out of memory") : -1;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

const struct store_maint_ops sqlite_maint_ops = {
	.backup = sqlite_store_backup,
	.check = sqlite_store_check,
	.archive_orders = sqlite_store_archive_orders,
	.prune_log = sqlite_store_prune_log,
	.compact = sqlite_store_compact,
	.export_shipments = sqlite_store_export_shipments,
};
