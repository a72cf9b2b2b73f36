/* Pack sessions in the store: station state, order views and the effects of scans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/core/order_state.h"
#include "station/core/sscc.h"
#include "station/store/store.h"
#include "station/store/pg/pg_int.h"
#include "station/store/store_pack.h"

int
pg_store_session_save(struct store *s, const char *station, const struct sess_state *ss)
{
	pgst *st = pgs_stmt(s,
	    "INSERT INTO sessions(station, order_id, box, qty_next, packer, last_code, last_ms,"
	    " hold, hold_close, label_code, label_order, override_badge)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	    " ON CONFLICT(station) DO UPDATE SET"
	    " order_id = ?2, box = ?3, qty_next = ?4, packer = ?5, last_code = ?6, last_ms = ?7,"
	    " hold = ?8, hold_close = ?9, label_code = ?10, label_order = ?11,"
	    " override_badge = ?12");

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	if (ss->order_id)
		pgst_bind_int64(st, 2, ss->order_id);
	else
		pgst_bind_null(st, 2);
	pgst_bind_int(st, 3, ss->box);
	pgst_bind_int64(st, 4, ss->qty_next);
	pgs_bind_text(st, 5, ss->packer);
	pgs_bind_text(st, 6, ss->last_code);
	pgst_bind_int64(st, 7, ss->last_ms);
	pgst_bind_int(st, 8, ss->hold);
	pgst_bind_int(st, 9, ss->hold_close);
	pgs_bind_text(st, 10, ss->label_code);
	pgs_bind_text(st, 11, ss->label_order);
	pgs_bind_text(st, 12, ss->override_badge);
	return pgs_run(s, st);
}

static const char SQL_LAST_ITEM[] =
    "SELECT c.id, c.line_id, c.units FROM scans c JOIN packages p ON p.id = c.package_id"
    " WHERE c.station = ? AND c.order_id = ? AND c.state = 'counted' AND p.state = 'open'"
    " ORDER BY c.id DESC LIMIT 1";

int
pg_store_last_item(
    struct store *s, const char *station, int64_t order_id, int64_t *line_id, int64_t *units)
{
	pgst *st = pgs_stmt(s, SQL_LAST_ITEM);
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	pgst_bind_int64(st, 2, order_id);
	if ((r = pgs_step(s, st)) == PGST_ROW) {
		*line_id = pgst_column_int64(st, 1);
		*units = pgst_column_int64(st, 2);
	}
	pgst_reset(st);
	return r == PGST_ROW ? 1 : r == PGST_DONE ? 0 : -1;
}

int64_t
pg_store_last_package(struct store *s, const char *station)
{
	pgst *st = pgs_stmt(s,
	    "SELECT id FROM packages WHERE station = ? AND sscc IS NOT NULL"
	    " AND state IN ('closed', 'shipped') ORDER BY closed_at DESC, id DESC LIMIT 1");
	int64_t id = 0;
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	if ((r = pgs_step(s, st)) == PGST_ROW)
		id = pgst_column_int64(st, 0);
	pgst_reset(st);
	return r == PGST_ROW || r == PGST_DONE ? id : -1;
}

int64_t
pg_store_record_scan(struct store *s, const char *station, const char *packer, const char *code,
    const char *aim, const char *verdict, int64_t order_id, int64_t line_id, int64_t units,
    int64_t package_id, const char *state)
{
	/* PG_PACKAGE_THIS: the box pg_store_open_package just sent */
	pgst *st = package_id == PG_PACKAGE_THIS
	    ? pgs_stmt(s,
		  "INSERT INTO scans(at, station, packer, code, aim, verdict, order_id, line_id,"
		  " units, package_id, state) VALUES (?,?,?,?,?,?,?,?,?,"
		  " currval('packages_id_seq') + 0 * ?, ?)"
		  " RETURNING id, pg_notify('station_changes', station)")
	    : pgs_stmt(s,
		  "INSERT INTO scans(at, station, packer, code, aim, verdict, order_id, line_id,"
		  " units, package_id, state) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
		  /* other boxes' watchers hear of it at commit, in the same round trip */
		  " RETURNING id, pg_notify('station_changes', station)");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, store_now_ms());
	pgs_bind_text(st, 2, station);
	pgs_bind_text(st, 3, packer && *packer ? packer : NULL);
	pgs_bind_text(st, 4, code);
	pgs_bind_text(st, 5, aim && *aim ? aim : NULL);
	pgs_bind_text(st, 6, verdict);
	if (order_id)
		pgst_bind_int64(st, 7, order_id);
	else
		pgst_bind_null(st, 7);
	if (line_id)
		pgst_bind_int64(st, 8, line_id);
	else
		pgst_bind_null(st, 8);
	pgst_bind_int64(st, 9, units);
	if (package_id == PG_PACKAGE_THIS)
		pgst_bind_int64(st, 10, 0);
	else if (package_id)
		pgst_bind_int64(st, 10, package_id);
	else
		pgst_bind_null(st, 10);
	pgs_bind_text(st, 11, state);
	if (pgs_run(s, st) == -1)
		return -1;
	/*
	 * Not waited for: the scan's event and request key name the row by
	 * PG_SCAN_THIS (the scans sequence's currval), queued behind it.
	 */
	if (PQS(s)->in_txn)
		return PG_SCAN_THIS;
	return pgs_last_id(s);
}

static const char SQL_LOAD_STATE[] =
    "SELECT status, hold_source, station IS NOT NULL FROM orders WHERE id = ?";

/* SQL_LOAD_STATE sent for order_id (its rows read by read_state). */
static pgst *
send_state(struct store *s, int64_t order_id)
{
	pgst *st = pgs_stmt(s, SQL_LOAD_STATE);

	if (st == NULL)
		return NULL;
	pgst_bind_int64(st, 1, order_id);
	return pgs_send(s, st) == 0 ? st : NULL;
}

static int read_state(struct store *, pgst *, struct order_state *);
static int row_state(pgst *, struct order_state *);

/* The order's lifecycle state. 0 / -1. */
static int
load_state(struct store *s, int64_t order_id, struct order_state *out)
{
	pgst *st;

	if (pgs_state_ahead(s, order_id, &st)) /* read with the order's name */
		return row_state(st, out);
	if ((st = pgs_stmt(s, SQL_LOAD_STATE)) == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	return read_state(s, st, out);
}

/* The state in st's current row (status, hold_source, at a bench); st reset. 0 / -1. */
static int
row_state(pgst *st, struct order_state *out)
{
	int status = order_status_parse((const char *)pgst_column_text(st, 0));

	out->hold = order_hold_parse((const char *)pgst_column_text(st, 1));
	out->at_bench = pgst_column_int(st, 2);
	pgst_reset(st);
	if (status < 0)
		return -1;
	out->status = (enum order_status)status;
	return 0;
}

static int
read_state(struct store *s, pgst *st, struct order_state *out)
{
	if (pgs_step(s, st) != PGST_ROW) {
		pgst_reset(st);
		return -1;
	}
	return row_state(st, out);
}

int
pg_store_open_order(struct store *s, int64_t order_id, const char *station)
{
	struct order_state cur, next;
	struct order_event ev = { OEV_OPEN, ORDER_READY };
	pgst *st;

	if (load_state(s, order_id, &cur) == -1 || order_state_apply(&cur, &ev, &next) != ORDER_OK)
		return -1;
	/*
	 * The claim itself: only an order no other bench holds (one statement).
	 * Not waited for: when another bench holds it the statement fails
	 * (station_refuse), which aborts the transaction, and the scan's next
	 * read or its COMMIT says so, with this message; nothing is recorded.
	 */
	st = pgs_stmt(s,
	    "WITH claim AS (UPDATE orders SET status = ?1, station = ?2, updated_at = ?3"
	    "  WHERE id = ?4 AND (station IS NULL OR station = ?2) RETURNING id)"
	    " SELECT station_refuse('order ' || ?4 || ' is open at another bench')"
	    " WHERE NOT EXISTS (SELECT 1 FROM claim)");
	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, order_status_name(next.status));
	pgs_bind_text(st, 2, station);
	pgst_bind_int64(st, 3, store_now_ms());
	pgst_bind_int64(st, 4, order_id);
	if (pgs_run(s, st) == -1)
		return -1;
	st = pgs_stmt(s, "UPDATE sessions SET opened_at = ? WHERE station = ?");
	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, store_now_ms());
	pgs_bind_text(st, 2, station);
	return pgs_run(s, st);
}

int64_t
pg_store_open_package(struct store *s, int64_t order_id, const char *station, int box)
{
	/* The bench's open box, or a new one: one round trip either way. */
	pgst *st = pgs_stmt(s,
	    "WITH cur AS (SELECT id FROM packages WHERE order_id = ?1 AND station = ?2"
	    "  AND state = 'open'),"
	    " ins AS (INSERT INTO packages(order_id, station, box, state, created_at)"
	    "  SELECT ?1, ?2, ?3, 'open', ?4 WHERE NOT EXISTS (SELECT 1 FROM cur) RETURNING id)"
	    " SELECT id FROM cur UNION ALL SELECT id FROM ins");
	int64_t id;
	int r;

	if ((id = pgs_package_ahead(s, order_id)) > 0) /* read with the session */
		return id;
	if (id == -2 && PQS(s)->in_txn) {
		/* none open (read with the session): a new box, its id not waited for */
		if ((st = pgs_stmt(s,
			 "INSERT INTO packages(order_id, station, box, state, created_at)"
			 " VALUES (?, ?, ?, 'open', ?)")) == NULL)
			return -1;
		pgst_bind_int64(st, 1, order_id);
		pgs_bind_text(st, 2, station);
		pgst_bind_int(st, 3, box > 0 ? box : 1);
		pgst_bind_int64(st, 4, store_now_ms());
		return pgs_run(s, st) == 0 ? PG_PACKAGE_THIS : -1;
	}
	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	pgs_bind_text(st, 2, station);
	pgst_bind_int(st, 3, box > 0 ? box : 1);
	pgst_bind_int64(st, 4, store_now_ms());
	r = pgs_step(s, st);
	id = r == PGST_ROW ? pgst_column_int64(st, 0) : -1;
	pgst_reset(st);
	if (r == PGST_DONE)
		return pgs_fail(s, "no package for order %lld", (long long)order_id);
	return id;
}

int
pg_store_undo_last(struct store *s, const char *station, int64_t order_id)
{
	pgst *st = pgs_stmt(s, SQL_LAST_ITEM);
	int64_t id;
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	pgst_bind_int64(st, 2, order_id);
	r = pgs_step(s, st);
	id = r == PGST_ROW ? pgst_column_int64(st, 0) : 0;
	pgst_reset(st);
	if (r != PGST_ROW)
		return r == PGST_DONE ? 0 : -1;
	if ((st = pgs_stmt(s, "UPDATE scans SET state = 'undone' WHERE id = ?")) == NULL)
		return -1;
	pgst_bind_int64(st, 1, id);
	return pgs_run(s, st);
}

int64_t
pg_store_close_package(
    struct store *s, int64_t order_id, const char *station, const char *gs1_prefix, char sscc[19])
{
	pgst *st = pgs_stmt(s,
	    "SELECT p.id, (SELECT CASE WHEN min(l.grams) < 0 THEN NULL"
	    "   ELSE sum(l.grams * c.units) END FROM scans c JOIN order_lines l ON l.id = c.line_id"
	    "   WHERE c.package_id = p.id AND c.state = 'counted'),"
	    /*
	     * The serial from a database sequence: unique across boxes, and never
	     * handed out twice even when a transaction that took one is lost.
	     */
	    " nextval('sscc_serial')"
	    " FROM packages p WHERE p.order_id = ? AND p.station = ? AND p.state = 'open'");
	int64_t id, serial;
	int has_weight, r;
	int64_t grams = 0;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	pgs_bind_text(st, 2, station);
	r = pgs_step(s, st);
	if (r != PGST_ROW) {
		pgst_reset(st);
		return r == PGST_DONE ? 0 : -1;
	}
	id = pgst_column_int64(st, 0);
	has_weight = pgst_column_type(st, 1) != PGST_NULL;
	if (has_weight)
		grams = pgst_column_int64(st, 1);
	serial = pgst_column_int64(st, 2);
	pgst_reset(st);
	if (sscc_make(gs1_prefix, serial, sscc) == -1)
		return pgs_fail(s, "SSCC serial %lld does not fit", (long long)serial);
	st = pgs_stmt(s,
	    "UPDATE packages SET state = 'closed', sscc = ?1, weight_grams = ?2,"
	    " weight_source = CASE WHEN ?2::bigint IS NULL THEN NULL ELSE 'computed' END,"
	    " closed_at = ?3 WHERE id = ?4");
	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, sscc);
	if (has_weight)
		pgst_bind_int64(st, 2, grams);
	else
		pgst_bind_null(st, 2);
	pgst_bind_int64(st, 3, store_now_ms());
	pgst_bind_int64(st, 4, id);
	return pgs_run(s, st) == 0 ? id : -1;
}

static const char SQL_LINES_STATUS[] =
    "SELECT l.quantity, l.fulfillable_quantity, l.requires_shipping, l.removed,"
    " (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.line_id = l.id),"
    " l.shop_acked FROM order_lines l WHERE l.order_id = ?";

static int read_lines_status(struct store *, pgst *, enum order_status *);

int
pgs_lines_status(struct store *s, int64_t order_id, enum order_status *status)
{
	pgst *st = pgs_stmt(s, SQL_LINES_STATUS);

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	return read_lines_status(s, st, status);
}

static int
read_lines_status(struct store *s, pgst *st, enum order_status *status)
{
	struct order_tally t = { 0, 0 };
	int r;

	while ((r = pgs_step(s, st)) == PGST_ROW) {
		struct order_qty q;

		q.quantity = pgst_column_int64(st, 0);
		q.fulfillable = pgst_column_int64(st, 1);
		q.requires_shipping = pgst_column_int(st, 2);
		q.removed = pgst_column_int(st, 3);
		q.shipped = pgst_column_int64(st, 4);
		q.acked = pgst_column_int64(st, 5);
		order_tally_add(&t, &q);
	}
	pgst_reset(st);
	if (r != PGST_DONE)
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
	pgst *st, *sst, *lst;

	ev.kind = kind;
	/* both reads in one round trip (with whatever is queued before them) */
	if ((sst = send_state(s, order_id)) == NULL ||
	    (lst = pgs_stmt(s, SQL_LINES_STATUS)) == NULL)
		return -1;
	pgst_bind_int64(lst, 1, order_id);
	if (pgs_send(s, lst) == -1 || read_state(s, sst, &cur) == -1 ||
	    read_lines_status(s, lst, &ev.shop) == -1 ||
	    order_state_apply(&cur, &ev, &next) != ORDER_OK)
		return -1;
	st = pgs_stmt(s,
	    "UPDATE orders SET station = NULL, updated_at = ?, status = ?"
	    " WHERE id = ?");
	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, store_now_ms());
	pgs_bind_text(st, 2, order_status_name(next.status));
	pgst_bind_int64(st, 3, order_id);
	return pgs_run(s, st);
}

static const char SQL_FUL_ORDER[] =
    "SELECT o.shop_id, o.name, o.tracking_number, o.tracking_company, o.pickup"
    " FROM fulfillments f JOIN orders o ON o.id = f.order_id WHERE f.id = ?";
static const char SQL_FUL_LINES[] =
    "SELECT l.shop_line_id, l.sku, coalesce(l.name, l.title), fl.quantity"
    " FROM fulfillment_lines fl JOIN order_lines l ON l.id = fl.line_id"
    " WHERE fl.fulfillment_id = ? ORDER BY l.position";
static const char SQL_FUL_PACKAGES[] = "SELECT box, sscc, weight_grams, weight_source FROM packages"
				       " WHERE fulfillment_id = ? ORDER BY box, id";

/* The same for the shipment this transaction just made (its id not waited for). */
/* in a subquery: computed once, so the lookup by it uses the index (currval is volatile) */
#define NEW_FULFILLMENT "(SELECT currval('fulfillments_id_seq'))"
static const char SQL_NEW_FUL_ORDER[] =
    "SELECT o.shop_id, o.name, o.tracking_number, o.tracking_company, o.pickup, f.id"
    " FROM fulfillments f JOIN orders o ON o.id = f.order_id WHERE f.id = " NEW_FULFILLMENT;
static const char SQL_NEW_FUL_LINES[] =
    "SELECT l.shop_line_id, l.sku, coalesce(l.name, l.title), fl.quantity"
    " FROM fulfillment_lines fl JOIN order_lines l ON l.id = fl.line_id"
    " WHERE fl.fulfillment_id = " NEW_FULFILLMENT " ORDER BY l.position";
static const char SQL_NEW_FUL_PACKAGES[] =
    "SELECT box, sscc, weight_grams, weight_source FROM packages"
    " WHERE fulfillment_id = " NEW_FULFILLMENT " ORDER BY box, id";

static int
exec_bound(struct store *s, const char *sql, int64_t a, const char *b, int64_t c)
{
	pgst *st = pgs_stmt(s, sql);

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, a);
	pgs_bind_text(st, 2, b);
	if (c)
		pgst_bind_int64(st, 3, c);
	return pgs_run(s, st);
}

/* The new shipment's order, lines and packages sent (read in the next round trip). */
static int
send_new_doc(struct store *s, pgst *doc[3])
{
	if ((doc[0] = pgs_stmt(s, SQL_NEW_FUL_ORDER)) == NULL ||
	    (doc[1] = pgs_stmt(s, SQL_NEW_FUL_LINES)) == NULL ||
	    (doc[2] = pgs_stmt(s, SQL_NEW_FUL_PACKAGES)) == NULL)
		return -1;
	return pgs_send(s, doc[0]) == 0 && pgs_send(s, doc[1]) == 0 && pgs_send(s, doc[2]) == 0
	    ? 0
	    : -1;
}

int64_t
pg_store_ship(
    struct store *s, int64_t order_id, const char *station, const char *packer, int partial)
{
	pgst *st = pgs_stmt(s,
	    "INSERT INTO fulfillments(order_id, station, packer, at, partial, units, opened_at, doc)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(sum(units), 0) FROM scans"
	    "  WHERE order_id = ?1 AND station = ?2 AND state = 'counted'),"
	    " (SELECT opened_at FROM sessions WHERE station = ?2), '{}') RETURNING id");
	int64_t fid = -1;
	pgst *doc[3];
	int r;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	pgs_bind_text(st, 2, station);
	pgs_bind_text(st, 3, packer && *packer ? packer : NULL);
	pgst_bind_int64(st, 4, store_now_ms());
	pgst_bind_int(st, 5, partial);
	/*
	 * The shipment's id is read with the order's state (settle_status):
	 * the statements between name it by the fulfillments sequence's
	 * currval, so the whole shipment costs one round trip.
	 */
	if (pgs_send(s, st) == -1 ||
	    exec_bound(s,
		"INSERT INTO fulfillment_lines(fulfillment_id, order_id, line_id, quantity)"
		" SELECT currval('fulfillments_id_seq'), ?1, line_id,"
		" sum(units) FROM scans WHERE order_id = ?1 AND station = ?2"
		" AND state = 'counted' GROUP BY line_id",
		order_id, station, 0) == -1 ||
	    exec_bound(s,
		"UPDATE scans SET state = 'shipped' WHERE order_id = ?1 AND station = ?2"
		" AND state = 'counted'",
		order_id, station, 0) == -1 ||
	    exec_bound(s,
		"UPDATE packages SET state = 'shipped',"
		" fulfillment_id = currval('fulfillments_id_seq')"
		" WHERE order_id = ?1 AND station = ?2 AND state = 'closed'",
		order_id, station, 0) == -1 ||
	    send_new_doc(s, doc) == -1 || settle_status(s, order_id, OEV_SHIP) == -1)
		return -1;
	if ((r = pgs_step(s, st)) == PGST_ROW)
		fid = pgst_column_int64(st, 0);
	pgst_reset(st);
	/* what the shipment's document reads (pg_store_load_fulfillment) came along */
	memcpy(PQS(s)->pre_doc, doc, sizeof(doc));
	return r == PGST_ROW ? fid : -1;
}

int
pg_store_set_fulfillment_doc(struct store *s, int64_t id, const char *doc)
{
	pgst *st = pgs_stmt(s, "UPDATE fulfillments SET doc = ? WHERE id = ?");

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, doc);
	pgst_bind_int64(st, 2, id);
	return pgs_run(s, st);
}

int
pg_store_close_unshipped(struct store *s, int64_t order_id, const char *station)
{
	if (exec_bound(s,
		"UPDATE scans SET state = 'abandoned' WHERE order_id = ?1 AND station = ?2"
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
pg_store_pending_outbox(struct store *s, int64_t **ids, size_t *n)
{
	/*
	 * This box's benches' shipments only: each box writes its own spool/out
	 * (a box that was down writes its backlog when it is back).
	 */
	return pgs_collect_box_ids(s,
	    "SELECT id FROM fulfillments WHERE outbox_name IS NULL" BOX_BENCHES(
		"station") " ORDER BY id",
	    ids, n);
}

char *
pg_store_fulfillment_doc(struct store *s, int64_t id, char *order_name, size_t namelen)
{
	pgst *st = pgs_stmt(s,
	    "SELECT f.doc, o.name FROM fulfillments f"
	    " JOIN orders o ON o.id = f.order_id WHERE f.id = ?");
	char *doc = NULL;

	if (st == NULL)
		return NULL;
	pgst_bind_int64(st, 1, id);
	if (pgs_step(s, st) == PGST_ROW) {
		doc = pgs_col_dup(st, 0);
		snprintf(order_name, namelen, "%s", pgst_column_text(st, 1));
	}
	pgst_reset(st);
	return doc;
}

int
pg_store_mark_outbox(struct store *s, int64_t id, const char *name)
{
	pgst *st = pgs_stmt(s, "UPDATE fulfillments SET outbox_name = ? WHERE id = ?");

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, name);
	pgst_bind_int64(st, 2, id);
	return pgs_run(s, st);
}

/* A text column copied, or NULL (for NULL); *oom set if the copy failed. */
static char *
dup_or_null(pgst *st, int i, int *oom)
{
	char *t;

	if (pgst_column_type(st, i) == PGST_NULL)
		return NULL;
	if ((t = pgs_col_dup(st, i)) == NULL)
		*oom = 1;
	return t;
}

static int
fulfillment_lines(struct store *s, pgst *st, struct store_fulfillment *f, int *oom)
{
	size_t cap = 0;
	int r;

	while ((r = pgs_step(s, st)) == PGST_ROW) {
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
		l->has_shop_line_id = pgst_column_type(st, 0) != PGST_NULL;
		l->shop_line_id = pgst_column_int64(st, 0);
		l->sku = dup_or_null(st, 1, oom);
		l->name = dup_or_null(st, 2, oom);
		l->quantity = pgst_column_int64(st, 3);
	}
	pgst_reset(st);
	return *oom || r == PGST_DONE || r == PGST_ROW ? 0 : -1;
}

static int
fulfillment_packages(struct store *s, pgst *st, struct store_fulfillment *f, int *oom)
{
	size_t cap = 0;
	int r;

	while ((r = pgs_step(s, st)) == PGST_ROW) {
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
		p->box = pgst_column_int(st, 0);
		p->sscc = dup_or_null(st, 1, oom);
		p->weight_grams = pgst_column_type(st, 2) == PGST_NULL ? -1
								       : pgst_column_int64(st, 2);
		snprintf(p->weight_source, sizeof(p->weight_source), "%s",
		    pgst_column_type(st, 3) == PGST_NULL || p->weight_grams < 0
			? ""
			: (const char *)pgst_column_text(st, 3));
	}
	pgst_reset(st);
	return *oom || r == PGST_DONE || r == PGST_ROW ? 0 : -1;
}

int
pg_store_load_fulfillment(struct store *s, int64_t id, struct store_fulfillment **out)
{
	struct pg_store *q = PQS(s);
	pgst *st = q->pre_doc[0], *lst = q->pre_doc[1], *pst = q->pre_doc[2];
	struct store_fulfillment *f;
	int r, oom = 0;

	q->pre_doc[0] = q->pre_doc[1] = q->pre_doc[2] = NULL;
	/* read with the shipment (pg_store_ship) if it is this one */
	if (st != NULL && (st->sent || st->fresh) && (r = pgs_step(s, st)) == PGST_ROW &&
	    pgst_column_int64(st, 5) == id)
		goto read;
	if (st != NULL)
		pgst_reset(st);
	st = pgs_stmt(s, SQL_FUL_ORDER);
	lst = pgs_stmt(s, SQL_FUL_LINES);
	pst = pgs_stmt(s, SQL_FUL_PACKAGES);
	if (st == NULL || lst == NULL || pst == NULL)
		return -1;
	/* the order, its lines and its packages: three reads, one round trip */
	pgst_bind_int64(st, 1, id);
	pgst_bind_int64(lst, 1, id);
	pgst_bind_int64(pst, 1, id);
	if (pgs_send(s, st) == -1 || pgs_send(s, lst) == -1 || pgs_send(s, pst) == -1)
		return -1;
	r = pgs_step(s, st);
read:
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		pgst_reset(st);
		return pgs_fail(s, "out of memory");
	}
	f->id = id;
	if (r != PGST_ROW) {
		pgst_reset(st);
		free(f);
		return r == PGST_DONE ? pgs_fail(s, "no fulfillment %lld", (long long)id) : -1;
	}
	f->has_order_shop_id = pgst_column_type(st, 0) != PGST_NULL;
	f->order_shop_id = pgst_column_int64(st, 0);
	f->order_name = dup_or_null(st, 1, &oom);
	f->tracking_number = dup_or_null(st, 2, &oom);
	f->tracking_company = dup_or_null(st, 3, &oom);
	f->pickup = pgst_column_int(st, 4);
	pgst_reset(st);
	if (fulfillment_lines(s, lst, f, &oom) == -1 ||
	    fulfillment_packages(s, pst, f, &oom) == -1 || oom) {
		store_fulfillment_free(f);
		return oom ? pgs_fail(s, "out of memory") : -1;
	}
	*out = f;
	return 0;
}
