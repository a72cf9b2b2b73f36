/* Pack sessions in the store: station state, order views and the effects of scans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/core/order_state.h"
#include "station/core/sscc.h"
#include "station/store/store.h"
#include "station/store/sqlite/sqlite_int.h"
#include "station/store/store_pack.h"

static char *
keep(struct order_view *v, sqlite3_stmt *st, int col)
{
	char *s = store_col_dup(st, col), **n;

	if (s == NULL)
		return NULL;
	if ((n = realloc(v->strs, (v->nstrs + 1) * sizeof(*n))) == NULL) {
		free(s);
		return NULL;
	}
	v->strs = n;
	v->strs[v->nstrs++] = s;
	return s;
}

static const char SQL_VIEW_LINES[] =
    "SELECT l.id, l.sku, coalesce(l.title, l.name), l.quantity, l.fulfillable_quantity,"
    " l.requires_shipping, l.removed,"
    " (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.order_id = l.order_id"
    " AND f.line_id = l.id),"
    " coalesce(t.counted, 0), coalesce(t.boxed, 0)," /* line_tally: one lookup, not every scan */
    " l.shop_acked, l.grams"
    " FROM order_lines l LEFT JOIN line_tally t ON t.line_id = l.id"
    " WHERE l.order_id = ? ORDER BY l.position";

static int
load_view_lines(struct store *s, struct order_view *v, int64_t order_id)
{
	sqlite3_stmt *st = store_stmt(s, SQL_VIEW_LINES);
	size_t cap = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	while (store_step(s, st) == SQLITE_ROW) {
		struct order_qty q;
		struct sess_line *sl;
		int64_t rem, packed = sqlite3_column_int64(st, 8);

		q.quantity = sqlite3_column_int64(st, 3);
		q.fulfillable = sqlite3_column_int64(st, 4);
		q.requires_shipping = sqlite3_column_int(st, 5);
		q.removed = sqlite3_column_int(st, 6);
		q.shipped = sqlite3_column_int64(st, 7);
		q.acked = sqlite3_column_int64(st, 10);
		rem = order_qty_remaining(&q);
		if (rem == 0 && packed == 0)
			continue; /* nothing to pack on this line now */
		if (v->nlines == cap) {
			void *p = realloc(v->lines, (cap = cap ? cap * 2 : 8) * sizeof(*sl));

			if (p == NULL)
				goto fail;
			v->lines = p;
		}
		sl = &v->lines[v->nlines++];
		sl->line_id = sqlite3_column_int64(st, 0);
		sl->sku = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : keep(v, st, 1);
		sl->title = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : keep(v, st, 2);
		sl->remaining = rem;
		sl->packed = packed;
		sl->packed_box = sqlite3_column_int64(st, 9);
		sl->grams = sqlite3_column_type(st, 11) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int64(st, 11);
	}
	sqlite3_reset(st);
	return 0;
fail:
	sqlite3_reset(st);
	return -1;
}

struct order_view *
sqlite_store_order_view(struct store *s, int64_t order_id)
{
	sqlite3_stmt *st = store_stmt(
	    s, "SELECT name, status, hold_reason, station FROM orders WHERE id = ?");
	struct order_view *v;
	int status;

	if (st == NULL || (v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, order_id);
	if (store_step(s, st) != SQLITE_ROW) {
		sqlite3_reset(st);
		free(v);
		return NULL;
	}
	v->name = store_col_dup(st, 0);
	status = order_status_parse((const char *)sqlite3_column_text(st, 1));
	v->hold_reason = store_col_dup(st, 2);
	v->station = store_col_dup(st, 3);
	sqlite3_reset(st);
	if (v->name == NULL || status < 0 || load_view_lines(s, v, order_id) == -1) {
		order_view_free(v);
		return NULL;
	}
	v->o.id = order_id;
	v->o.name = v->name;
	v->o.status = (enum order_status)status;
	v->o.hold_reason = v->hold_reason;
	v->o.station = v->station;
	v->o.lines = v->lines;
	v->o.nlines = v->nlines;
	return v;
}

int
sqlite_store_session_load(struct store *s, const char *station, struct sess_state *ss)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT coalesce(order_id, 0), box, qty_next, packer, last_code, last_ms,"
	    " hold, hold_close, label_code, label_order, override_badge"
	    " FROM sessions WHERE station = ?");
	int r;

	memset(ss, 0, sizeof(*ss));
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, station);
	r = store_step(s, st);
	if (r == SQLITE_ROW) {
		ss->order_id = sqlite3_column_int64(st, 0);
		ss->box = sqlite3_column_int(st, 1);
		ss->qty_next = sqlite3_column_int64(st, 2);
		snprintf(ss->packer, sizeof(ss->packer), "%s", sqlite3_column_text(st, 3));
		snprintf(ss->last_code, sizeof(ss->last_code), "%s", sqlite3_column_text(st, 4));
		ss->last_ms = sqlite3_column_int64(st, 5);
		ss->hold = sqlite3_column_int(st, 6);
		ss->hold_close = sqlite3_column_int(st, 7);
		snprintf(ss->label_code, sizeof(ss->label_code), "%s", sqlite3_column_text(st, 8));
		snprintf(
		    ss->label_order, sizeof(ss->label_order), "%s", sqlite3_column_text(st, 9));
		snprintf(ss->override_badge, sizeof(ss->override_badge), "%s",
		    sqlite3_column_text(st, 10));
	}
	sqlite3_reset(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : -1;
}

int
sqlite_store_session_save(struct store *s, const char *station, const struct sess_state *ss)
{
	sqlite3_stmt *st = store_stmt(s,
	    "INSERT INTO sessions(station, order_id, box, qty_next, packer, last_code, last_ms,"
	    " hold, hold_close, label_code, label_order, override_badge)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	    " ON CONFLICT(station) DO UPDATE SET"
	    " order_id = ?2, box = ?3, qty_next = ?4, packer = ?5, last_code = ?6, last_ms = ?7,"
	    " hold = ?8, hold_close = ?9, label_code = ?10, label_order = ?11,"
	    " override_badge = ?12");

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, station);
	if (ss->order_id)
		sqlite3_bind_int64(st, 2, ss->order_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int(st, 3, ss->box);
	sqlite3_bind_int64(st, 4, ss->qty_next);
	store_bind_text(st, 5, ss->packer);
	store_bind_text(st, 6, ss->last_code);
	sqlite3_bind_int64(st, 7, ss->last_ms);
	sqlite3_bind_int(st, 8, ss->hold);
	sqlite3_bind_int(st, 9, ss->hold_close);
	store_bind_text(st, 10, ss->label_code);
	store_bind_text(st, 11, ss->label_order);
	store_bind_text(st, 12, ss->override_badge);
	return store_run(s, st);
}

int
sqlite_store_find_product(
    struct store *s, const char *code, char *sku, size_t skulen, int64_t *multiplier)
{
	sqlite3_stmt *st = store_stmt(
	    s, "SELECT sku, multiplier FROM product_codes WHERE code = ?");
	int r;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, code);
	if ((r = store_step(s, st)) == SQLITE_ROW) {
		snprintf(sku, skulen, "%s", sqlite3_column_text(st, 0));
		*multiplier = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return -1;
	/*
	 * The SKU itself, known from the catalog (a product code's sku) or
	 * from some order line: one unit of it (issue 9 #2).
	 */
	if ((st = store_stmt(s,
		 "SELECT 1 FROM product_codes WHERE sku = ?1"
		 " UNION ALL SELECT 1 FROM order_lines WHERE sku = ?1 LIMIT 1")) == NULL)
		return -1;
	store_bind_text(st, 1, code);
	r = store_step(s, st);
	sqlite3_reset(st);
	if (r == SQLITE_ROW) {
		snprintf(sku, skulen, "%s", code);
		*multiplier = 1;
		return 1;
	}
	return r == SQLITE_DONE ? 0 : -1;
}

static const char SQL_LAST_ITEM[] =
    "SELECT c.id, c.line_id, c.units FROM scans c JOIN packages p ON p.id = c.package_id"
    " WHERE c.station = ? AND c.order_id = ? AND c.state = 'counted' AND p.state = 'open'"
    " ORDER BY c.id DESC LIMIT 1";

int
sqlite_store_last_item(
    struct store *s, const char *station, int64_t order_id, int64_t *line_id, int64_t *units)
{
	sqlite3_stmt *st = store_stmt(s, SQL_LAST_ITEM);
	int r;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, station);
	sqlite3_bind_int64(st, 2, order_id);
	if ((r = store_step(s, st)) == SQLITE_ROW) {
		*line_id = sqlite3_column_int64(st, 1);
		*units = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

int64_t
sqlite_store_last_package(struct store *s, const char *station)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT id FROM packages WHERE station = ? AND sscc IS NOT NULL"
	    " AND state IN ('closed', 'shipped') ORDER BY closed_at DESC, id DESC LIMIT 1");
	int64_t id = 0;
	int r;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, station);
	if ((r = store_step(s, st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? id : -1;
}

int64_t
sqlite_store_record_scan(struct store *s, const char *station, const char *packer, const char *code,
    const char *aim, const char *verdict, int64_t order_id, int64_t line_id, int64_t units,
    int64_t package_id, const char *state)
{
	sqlite3_stmt *st = store_stmt(s,
	    "INSERT INTO scans(at, station, packer, code, aim, verdict, order_id, line_id,"
	    " units, package_id, state) VALUES (?,?,?,?,?,?,?,?,?,?,?)");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, store_now_ms());
	store_bind_text(st, 2, station);
	store_bind_text(st, 3, packer && *packer ? packer : NULL);
	store_bind_text(st, 4, code);
	store_bind_text(st, 5, aim && *aim ? aim : NULL);
	store_bind_text(st, 6, verdict);
	if (order_id)
		sqlite3_bind_int64(st, 7, order_id);
	else
		sqlite3_bind_null(st, 7);
	if (line_id)
		sqlite3_bind_int64(st, 8, line_id);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, units);
	if (package_id)
		sqlite3_bind_int64(st, 10, package_id);
	else
		sqlite3_bind_null(st, 10);
	store_bind_text(st, 11, state);
	if (store_run(s, st) == -1)
		return -1;
	return sqlite3_last_insert_rowid(store_db(s));
}

/* The order's lifecycle state. 0 / -1. */
static int
load_state(struct store *s, int64_t order_id, struct order_state *out)
{
	sqlite3_stmt *st = store_stmt(
	    s, "SELECT status, hold_source, station IS NOT NULL FROM orders WHERE id = ?");
	int status = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	if (store_step(s, st) == SQLITE_ROW) {
		status = order_status_parse((const char *)sqlite3_column_text(st, 0));
		out->hold = order_hold_parse((const char *)sqlite3_column_text(st, 1));
		out->at_bench = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (status < 0)
		return -1;
	out->status = (enum order_status)status;
	return 0;
}

int
sqlite_store_open_order(struct store *s, int64_t order_id, const char *station)
{
	struct order_state cur, next;
	struct order_event ev = { OEV_OPEN, ORDER_READY };
	sqlite3_stmt *st;

	if (load_state(s, order_id, &cur) == -1 || order_state_apply(&cur, &ev, &next) != ORDER_OK)
		return -1;
	st = store_stmt(
	    s, "UPDATE orders SET status = ?, station = ?, updated_at = ? WHERE id = ?");
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, order_status_name(next.status));
	store_bind_text(st, 2, station);
	sqlite3_bind_int64(st, 3, store_now_ms());
	sqlite3_bind_int64(st, 4, order_id);
	if (store_run(s, st) == -1)
		return -1;
	st = store_stmt(s, "UPDATE sessions SET opened_at = ? WHERE station = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, store_now_ms());
	store_bind_text(st, 2, station);
	return store_run(s, st);
}

int64_t
sqlite_store_open_package(struct store *s, int64_t order_id, const char *station, int box)
{
	sqlite3_stmt *st = store_stmt(
	    s, "SELECT id FROM packages WHERE order_id = ? AND station = ? AND state = 'open'");
	int64_t id;
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	store_bind_text(st, 2, station);
	if ((r = store_step(s, st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return id;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return -1;
	st = store_stmt(s,
	    "INSERT INTO packages(order_id, station, box, state, created_at)"
	    " VALUES (?, ?, ?, 'open', ?)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	store_bind_text(st, 2, station);
	sqlite3_bind_int(st, 3, box > 0 ? box : 1);
	sqlite3_bind_int64(st, 4, store_now_ms());
	if (store_run(s, st) == -1)
		return -1;
	return sqlite3_last_insert_rowid(store_db(s));
}

int
sqlite_store_undo_last(struct store *s, const char *station, int64_t order_id)
{
	sqlite3_stmt *st = store_stmt(s, SQL_LAST_ITEM);
	int64_t id;
	int r;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, station);
	sqlite3_bind_int64(st, 2, order_id);
	r = store_step(s, st);
	id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return r == SQLITE_DONE ? 0 : -1;
	if ((st = store_stmt(s, "UPDATE scans SET state = 'undone' WHERE id = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return store_run(s, st);
}

int64_t
sqlite_store_close_package(
    struct store *s, int64_t order_id, const char *station, const char *gs1_prefix, char sscc[19])
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT p.id, (SELECT CASE WHEN min(l.grams) < 0 THEN NULL"
	    "   ELSE sum(l.grams * c.units) END FROM scans c JOIN order_lines l ON l.id = c.line_id"
	    "   WHERE c.package_id = p.id AND c.state = 'counted')"
	    " FROM packages p WHERE p.order_id = ? AND p.station = ? AND p.state = 'open'");
	int64_t id, serial;
	int has_weight, r;
	int64_t grams = 0;
	char key[64];

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	store_bind_text(st, 2, station);
	r = store_step(s, st);
	if (r != SQLITE_ROW) {
		sqlite3_reset(st);
		return r == SQLITE_DONE ? 0 : -1;
	}
	id = sqlite3_column_int64(st, 0);
	has_weight = sqlite3_column_type(st, 1) != SQLITE_NULL;
	if (has_weight)
		grams = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	snprintf(key, sizeof(key), "sscc:%s", gs1_prefix);
	if ((serial = store_counter_next(s, key)) < 0 || sscc_make(gs1_prefix, serial, sscc) == -1)
		return -1;
	st = store_stmt(s,
	    "UPDATE packages SET state = 'closed', sscc = ?1, weight_grams = ?2,"
	    " weight_source = CASE WHEN ?2 IS NULL THEN NULL ELSE 'computed' END,"
	    " closed_at = ?3 WHERE id = ?4");
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, sscc);
	if (has_weight)
		sqlite3_bind_int64(st, 2, grams);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, store_now_ms());
	sqlite3_bind_int64(st, 4, id);
	return store_run(s, st) == 0 ? id : -1;
}

int
store_lines_status(struct store *s, int64_t order_id, enum order_status *status)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT l.quantity, l.fulfillable_quantity, l.requires_shipping, l.removed,"
	    " (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.order_id = l.order_id"
	    " AND f.line_id = l.id),"
	    " l.shop_acked FROM order_lines l WHERE l.order_id = ?");
	struct order_tally t = { 0, 0 };
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		struct order_qty q;

		q.quantity = sqlite3_column_int64(st, 0);
		q.fulfillable = sqlite3_column_int64(st, 1);
		q.requires_shipping = sqlite3_column_int(st, 2);
		q.removed = sqlite3_column_int(st, 3);
		q.shipped = sqlite3_column_int64(st, 4);
		q.acked = sqlite3_column_int64(st, 5);
		order_tally_add(&t, &q);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return -1;
	*status = order_tally_status(&t);
	return 0;
}

/* Closes the order's bench session: station cleared, status from its lines (OEV_SHIP/CLOSE). */
static int
settle_status(struct store *s, int64_t order_id, enum order_event_kind kind)
{
	struct order_state cur, next;
	struct order_event ev;
	sqlite3_stmt *st;

	ev.kind = kind;
	if (load_state(s, order_id, &cur) == -1 ||
	    store_lines_status(s, order_id, &ev.shop) == -1 ||
	    order_state_apply(&cur, &ev, &next) != ORDER_OK)
		return -1;
	st = store_stmt(s,
	    "UPDATE orders SET station = NULL, updated_at = ?, status = ?"
	    " WHERE id = ?");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, store_now_ms());
	store_bind_text(st, 2, order_status_name(next.status));
	sqlite3_bind_int64(st, 3, order_id);
	return store_run(s, st);
}

static int
exec_bound(struct store *s, const char *sql, int64_t a, const char *b, int64_t c)
{
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	store_bind_text(st, 2, b);
	if (c)
		sqlite3_bind_int64(st, 3, c);
	return store_run(s, st);
}

/*
 * "+station" keeps the planner on scans_order (the order's few scans): on
 * station = ? it walked scans_station, every scan the bench ever made.
 */
int64_t
sqlite_store_ship(
    struct store *s, int64_t order_id, const char *station, const char *packer, int partial)
{
	sqlite3_stmt *st = store_stmt(s,
	    "INSERT INTO fulfillments(order_id, station, packer, at, partial, units, opened_at, doc)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(sum(units), 0) FROM scans"
	    "  WHERE order_id = ?1 AND +station = ?2 AND state = 'counted'),"
	    " (SELECT opened_at FROM sessions WHERE station = ?2), '{}')");
	int64_t fid;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	store_bind_text(st, 2, station);
	store_bind_text(st, 3, packer && *packer ? packer : NULL);
	sqlite3_bind_int64(st, 4, store_now_ms());
	sqlite3_bind_int(st, 5, partial);
	if (store_run(s, st) == -1)
		return -1;
	fid = sqlite3_last_insert_rowid(store_db(s));
	if (exec_bound(s,
		"INSERT INTO fulfillment_lines(fulfillment_id, order_id, line_id, quantity)"
		" SELECT ?3, ?1, line_id, sum(units) FROM scans WHERE order_id = ?1 AND +station = ?2"
		" AND state = 'counted' GROUP BY line_id",
		order_id, station, fid) == -1 ||
	    exec_bound(s,
		"UPDATE scans SET state = 'shipped' WHERE order_id = ?1 AND +station = ?2"
		" AND state = 'counted'",
		order_id, station, 0) == -1 ||
	    exec_bound(s,
		"UPDATE packages SET state = 'shipped', fulfillment_id = ?3"
		" WHERE order_id = ?1 AND station = ?2 AND state = 'closed'",
		order_id, station, fid) == -1 ||
	    settle_status(s, order_id, OEV_SHIP) == -1)
		return -1;
	return fid;
}

int
sqlite_store_set_fulfillment_doc(struct store *s, int64_t id, const char *doc)
{
	sqlite3_stmt *st = store_stmt(s, "UPDATE fulfillments SET doc = ? WHERE id = ?");

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, doc);
	sqlite3_bind_int64(st, 2, id);
	return store_run(s, st);
}

int
sqlite_store_close_unshipped(struct store *s, int64_t order_id, const char *station)
{
	if (exec_bound(s,
		"UPDATE scans SET state = 'abandoned' WHERE order_id = ?1 AND +station = ?2"
		" AND state = 'counted'",
		order_id, station, 0) == -1 ||
	    exec_bound(s,
		"UPDATE packages SET state = 'void' WHERE order_id = ?1 AND station = ?2"
		" AND state IN ('open', 'closed')",
		order_id, station, 0) == -1)
		return -1;
	return settle_status(s, order_id, OEV_CLOSE);
}

int
sqlite_store_pending_outbox(struct store *s, int64_t **ids, size_t *n)
{
	return store_collect_ids(s,
	    "SELECT id FROM fulfillments WHERE outbox_name IS NULL"
	    " ORDER BY id",
	    0, ids, n);
}

char *
sqlite_store_fulfillment_doc(struct store *s, int64_t id, char *order_name, size_t namelen)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT f.doc, o.name FROM fulfillments f"
	    " JOIN orders o ON o.id = f.order_id WHERE f.id = ?");
	char *doc = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (store_step(s, st) == SQLITE_ROW) {
		doc = store_col_dup(st, 0);
		snprintf(order_name, namelen, "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return doc;
}

int
sqlite_store_mark_outbox(struct store *s, int64_t id, const char *name)
{
	sqlite3_stmt *st = store_stmt(s, "UPDATE fulfillments SET outbox_name = ? WHERE id = ?");

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, id);
	return store_run(s, st);
}

/* A text column copied, or NULL (for NULL); *oom set if the copy failed. */
static char *
dup_or_null(sqlite3_stmt *st, int i, int *oom)
{
	char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	if ((t = store_col_dup(st, i)) == NULL)
		*oom = 1;
	return t;
}

/*
 * A shipment's lines and boxes are found through their order's index: a
 * lookup by fulfillment_id alone walked every line and box ever shipped,
 * in every completed scan, and grew with the years.
 */
static int
fulfillment_lines(struct store *s, struct store_fulfillment *f, int64_t order_id, int *oom)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT l.shop_line_id, l.sku, coalesce(l.name, l.title), fl.quantity"
	    " FROM fulfillment_lines fl JOIN order_lines l ON l.id = fl.line_id"
	    " WHERE fl.order_id = ?1 AND fl.fulfillment_id = ?2 ORDER BY l.position");
	size_t cap = 0;
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int64(st, 2, f->id);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		struct store_fulfillment_line *l;

		if (f->nlines == cap) {
			void *p = realloc(f->lines, (cap = cap ? cap * 2 : 8) * sizeof(*l));

			if (p == NULL) {
				*oom = 1;
				break;
			}
			f->lines = p;
		}
		l = &f->lines[f->nlines++];
		l->has_shop_line_id = sqlite3_column_type(st, 0) != SQLITE_NULL;
		l->shop_line_id = sqlite3_column_int64(st, 0);
		l->sku = dup_or_null(st, 1, oom);
		l->name = dup_or_null(st, 2, oom);
		l->quantity = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return *oom || r == SQLITE_DONE || r == SQLITE_ROW ? 0 : -1;
}

static int
fulfillment_packages(struct store *s, struct store_fulfillment *f, int64_t order_id, int *oom)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT box, sscc, weight_grams, weight_source FROM packages"
	    " WHERE order_id = ?1 AND fulfillment_id = ?2 ORDER BY box, id");
	size_t cap = 0;
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int64(st, 2, f->id);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		struct store_fulfillment_package *p;

		if (f->npackages == cap) {
			void *np = realloc(f->packages, (cap = cap ? cap * 2 : 4) * sizeof(*p));

			if (np == NULL) {
				*oom = 1;
				break;
			}
			f->packages = np;
		}
		p = &f->packages[f->npackages++];
		p->box = sqlite3_column_int(st, 0);
		p->sscc = dup_or_null(st, 1, oom);
		p->weight_grams = sqlite3_column_type(st, 2) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int64(st, 2);
		snprintf(p->weight_source, sizeof(p->weight_source), "%s",
		    sqlite3_column_type(st, 3) == SQLITE_NULL || p->weight_grams < 0
			? ""
			: (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	return *oom || r == SQLITE_DONE || r == SQLITE_ROW ? 0 : -1;
}

int
sqlite_store_load_fulfillment(struct store *s, int64_t id, struct store_fulfillment **out)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT o.shop_id, o.name, o.tracking_number, o.tracking_company, o.pickup,"
	    " f.order_id FROM fulfillments f JOIN orders o ON o.id = f.order_id WHERE f.id = ?");
	struct store_fulfillment *f;
	int64_t order_id;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return store_fail(s, "out of memory");
	f->id = id;
	sqlite3_bind_int64(st, 1, id);
	if ((r = store_step(s, st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		free(f);
		return r == SQLITE_DONE ? store_fail(s, "no fulfillment %lld", (long long)id) : -1;
	}
	f->has_order_shop_id = sqlite3_column_type(st, 0) != SQLITE_NULL;
	f->order_shop_id = sqlite3_column_int64(st, 0);
	f->order_name = dup_or_null(st, 1, &oom);
	f->tracking_number = dup_or_null(st, 2, &oom);
	f->tracking_company = dup_or_null(st, 3, &oom);
	f->pickup = sqlite3_column_int(st, 4);
	order_id = sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	if (fulfillment_lines(s, f, order_id, &oom) == -1 ||
	    fulfillment_packages(s, f, order_id, &oom) == -1 || oom) {
		store_fulfillment_free(f);
		return oom ? store_fail(s, "out of memory") : -1;
	}
	*out = f;
	return 0;
}
