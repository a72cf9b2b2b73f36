/*
 * What a scan reads first: the bench's session, the open order (its header
 * and lines in one statement, packed counts from line_tally), and what the
 * code is (an order name, a product code, a SKU).
 *
 * Inside a transaction these reads are fetched ahead, in the round trip of
 * the read before them: the session brings its open order's view along,
 * an order-name lookup brings the product lookup of the same code. The
 * daemon asks in that order (station.c's prepare/classify); what it asks
 * next checks that the rows fetched ahead are the ones it wants (the same
 * order id, the same code) and reads them instead of asking again. Any
 * write in between drops them (pg_cursor.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/order_state.h"
#include "station/store/pg/pg_int.h"
#include "station/store/store.h"
#include "station/store/store_pack.h"

static char *
keep(struct order_view *v, pgst *st, int col)
{
	char *s = pgs_col_dup(st, col), **n;

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

/*
 * The order (columns 0-4; a bench on another box is named with its box,
 * busy_elsewhere says where) and its lines (5-16), one row a line, one row
 * with NULL lines for an order without any.
 */
#define VIEW_SELECT                                                                                \
	"SELECT o.id, o.name, o.status, o.hold_reason, CASE WHEN b.box IS NULL OR b.box = ?2"      \
	" THEN o.station ELSE o.station || ' on box ' || b.box END,"                               \
	" l.id, l.sku, coalesce(l.title, l.name), l.quantity, l.fulfillable_quantity,"             \
	" l.requires_shipping, l.removed,"                                                         \
	" (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.line_id = l.id),"    \
	" coalesce(t.counted, 0), coalesce(t.boxed, 0)," /* line_tally: a lookup, not a sum */     \
	" l.shop_acked, l.grams"                                                                   \
	" FROM orders o LEFT JOIN benches b ON b.station = o.station"                              \
	" LEFT JOIN order_lines l ON l.order_id = o.id"                                            \
	" LEFT JOIN line_tally t ON t.line_id = l.id"

static const char SQL_VIEW[] = VIEW_SELECT " WHERE o.id = ?1 ORDER BY l.position";
/* The same for an order scanned by its name: fetched ahead with the name's lookup. */
static const char SQL_VIEW_NAME[] = VIEW_SELECT
    " WHERE o.id = (SELECT id FROM orders WHERE name = ?1) ORDER BY l.position";
/* The same for the order open at a bench: fetched ahead with its session. */
static const char SQL_VIEW_BENCH[] = VIEW_SELECT
    " WHERE o.id = (SELECT order_id FROM sessions WHERE station = ?1) ORDER BY l.position";

/* The open box of the order open at a bench: fetched ahead with its session. */
static const char SQL_PACKAGE_BENCH[] =
    "SELECT s.order_id, p.id FROM sessions s LEFT JOIN packages p ON p.station = s.station"
    " AND p.state = 'open' AND p.order_id = s.order_id WHERE s.station = ?1";

int64_t
pgs_package_ahead(struct store *s, int64_t order_id)
{
	struct pg_store *q = PQS(s);
	pgst *st = q->pre_package;
	int64_t id = 0;

	q->pre_package = NULL;
	if (st == NULL || !(st->sent || st->fresh))
		return 0;
	if (pgs_step(s, st) == PGST_ROW && pgst_column_int64(st, 0) == order_id)
		id = pgst_column_type(st, 1) == PGST_NULL ? -2 : pgst_column_int64(st, 1);
	pgst_reset(st);
	return id;
}

/* The view from st's rows (stepped to its first row already). NULL on error. */
static struct order_view *
read_view(struct store *s, pgst *st, int64_t order_id)
{
	struct order_view *v;
	size_t cap = 0;
	int status, r = PGST_ROW;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->name = pgs_col_dup(st, 1);
	status = order_status_parse((const char *)pgst_column_text(st, 2));
	v->hold_reason = pgs_col_dup(st, 3);
	v->station = pgs_col_dup(st, 4);
	if (v->name == NULL || status < 0)
		goto fail;
	for (; r == PGST_ROW && pgst_column_type(st, 5) != PGST_NULL; r = pgs_step(s, st)) {
		struct order_qty q;
		struct sess_line *sl;
		int64_t rem, packed = pgst_column_int64(st, 13);

		q.quantity = pgst_column_int64(st, 8);
		q.fulfillable = pgst_column_int64(st, 9);
		q.requires_shipping = pgst_column_int(st, 10);
		q.removed = pgst_column_int(st, 11);
		q.shipped = pgst_column_int64(st, 12);
		q.acked = pgst_column_int64(st, 15);
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
		sl->line_id = pgst_column_int64(st, 5);
		sl->sku = pgst_column_type(st, 6) == PGST_NULL ? NULL : keep(v, st, 6);
		sl->title = pgst_column_type(st, 7) == PGST_NULL ? NULL : keep(v, st, 7);
		sl->remaining = rem;
		sl->packed = packed;
		sl->packed_box = pgst_column_int64(st, 14);
		sl->grams = pgst_column_type(st, 16) == PGST_NULL ? -1 : pgst_column_int64(st, 16);
	}
	if (r == PGST_ERROR)
		goto fail;
	pgst_reset(st);
	v->o.id = order_id;
	v->o.name = v->name;
	v->o.status = (enum order_status)status;
	v->o.hold_reason = v->hold_reason;
	v->o.station = v->station;
	v->o.lines = v->lines;
	v->o.nlines = v->nlines;
	return v;
fail:
	pgst_reset(st);
	order_view_free(v);
	return NULL;
}

struct order_view *
pg_store_order_view(struct store *s, int64_t order_id)
{
	struct pg_store *q = PQS(s);
	pgst *st = q->pre_view;

	q->pre_view = NULL;
	/* fetched ahead with the bench's session: used if it is this order */
	if (st != NULL && (st->sent || st->fresh)) {
		if (pgs_step(s, st) == PGST_ROW && pgst_column_int64(st, 0) == order_id)
			return read_view(s, st, order_id);
		pgst_reset(st);
		if (q->failed)
			return NULL;
	}
	if ((st = pgs_stmt(s, SQL_VIEW)) == NULL)
		return NULL;
	pgst_bind_int64(st, 1, order_id);
	pgs_bind_text(st, 2, pgs_box(s));
	if (pgs_step(s, st) != PGST_ROW) {
		pgst_reset(st);
		return NULL;
	}
	return read_view(s, st, order_id);
}

int
pg_store_session_load(struct store *s, const char *station, struct sess_state *ss)
{
	struct pg_store *q = PQS(s);
	pgst *st = pgs_stmt(s,
	    "SELECT coalesce(order_id, 0), box, qty_next, packer, last_code, last_ms,"
	    " hold, hold_close, label_code, label_order, override_badge"
	    " FROM sessions WHERE station = ?");
	pgst *vst, *pst;
	int r;

	memset(ss, 0, sizeof(*ss));
	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	if (q->in_txn) {
		/*
		 * The open order and its open box come in the same round trip
		 * (pg_store_order_view, pg_store_open_package).
		 */
		if ((vst = pgs_stmt(s, SQL_VIEW_BENCH)) == NULL ||
		    (pst = pgs_stmt(s, SQL_PACKAGE_BENCH)) == NULL)
			return -1;
		pgs_bind_text(vst, 1, station);
		pgs_bind_text(vst, 2, pgs_box(s));
		pgs_bind_text(pst, 1, station);
		if (pgs_send(s, st) == -1 || pgs_send(s, vst) == -1 || pgs_send(s, pst) == -1)
			return -1;
		q->pre_view = vst;
		q->pre_package = pst;
	}
	r = pgs_step(s, st);
	if (r == PGST_ROW) {
		ss->order_id = pgst_column_int64(st, 0);
		ss->box = pgst_column_int(st, 1);
		ss->qty_next = pgst_column_int64(st, 2);
		snprintf(ss->packer, sizeof(ss->packer), "%s", pgst_column_text(st, 3));
		snprintf(ss->last_code, sizeof(ss->last_code), "%s", pgst_column_text(st, 4));
		ss->last_ms = pgst_column_int64(st, 5);
		ss->hold = pgst_column_int(st, 6);
		ss->hold_close = pgst_column_int(st, 7);
		snprintf(ss->label_code, sizeof(ss->label_code), "%s", pgst_column_text(st, 8));
		snprintf(ss->label_order, sizeof(ss->label_order), "%s", pgst_column_text(st, 9));
		snprintf(
		    ss->override_badge, sizeof(ss->override_badge), "%s", pgst_column_text(st, 10));
	}
	pgst_reset(st);
	return r == PGST_ROW || r == PGST_DONE ? 0 : -1;
}

/*
 * A product code (its SKU and multiplier), else the SKU itself, known from
 * the catalog (a product code's sku) or from some order line: one unit of
 * it (issue 9 #2). One statement: the first branch that has a row.
 */
static const char SQL_PRODUCT[] =
    "SELECT sku, multiplier, 0 AS k FROM product_codes WHERE code = ?1"
    " UNION ALL SELECT ?1::text, 1, 1 WHERE EXISTS (SELECT 1 FROM product_codes WHERE sku = ?1"
    "  UNION ALL SELECT 1 FROM order_lines WHERE sku = ?1)"
    " ORDER BY k LIMIT 1";

static const char SQL_FIND_BY_NAME[] = "SELECT id, shop_id FROM orders WHERE name = ?";
/* An order's lifecycle state by its name (pg_pack.c's load_state, with the id). */
static const char SQL_STATE_NAME[] =
    "SELECT status, hold_source, station IS NOT NULL, id FROM orders WHERE name = ?";

int
pgs_state_ahead(struct store *s, int64_t order_id, pgst **out)
{
	struct pg_store *q = PQS(s);
	pgst *st = q->pre_state;

	q->pre_state = NULL;
	if (st == NULL || !(st->sent || st->fresh))
		return 0;
	if (pgs_step(s, st) == PGST_ROW && pgst_column_int64(st, 3) == order_id) {
		*out = st;
		return 1;
	}
	pgst_reset(st);
	return 0;
}

int
pg_store_find_order(struct store *s, const char *name, int64_t *id)
{
	struct pg_store *q = PQS(s);
	pgst *st = pgs_stmt(s, SQL_FIND_BY_NAME), *pst, *vst, *sst;
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, name);
	/*
	 * A scan asks whether its code is an order (then for its view), else
	 * whether it is a product: all in one round trip. The product lookup
	 * not for "#..." (the second try of a bare number, whose product
	 * lookup was sent with the first).
	 */
	if (q->in_txn && strlen(name) < sizeof(q->pre_code)) {
		/* and its state, for opening it (pg_store_open_order) */
		if ((vst = pgs_stmt(s, SQL_VIEW_NAME)) == NULL ||
		    (sst = pgs_stmt(s, SQL_STATE_NAME)) == NULL)
			return -1;
		pgs_bind_text(vst, 1, name);
		pgs_bind_text(vst, 2, pgs_box(s));
		pgs_bind_text(sst, 1, name);
		if (pgs_send(s, st) == -1 || pgs_send(s, vst) == -1 || pgs_send(s, sst) == -1)
			return -1;
		q->pre_view = vst;
		q->pre_state = sst;
	}
	if (q->in_txn && name[0] != '#' && strlen(name) < sizeof(q->pre_code)) {
		if ((pst = pgs_stmt(s, SQL_PRODUCT)) == NULL)
			return -1;
		pgs_bind_text(pst, 1, name);
		if (pgs_send(s, pst) == -1)
			return -1;
		q->pre_product = pst;
		snprintf(q->pre_code, sizeof(q->pre_code), "%s", name);
	}
	r = pgs_step(s, st);
	if (r == PGST_ROW) {
		*id = pgst_column_int64(st, 0);
		pgst_reset(st);
		return 1;
	}
	pgst_reset(st);
	return r == PGST_DONE ? 0 : -1;
}

int
pg_store_find_product(
    struct store *s, const char *code, char *sku, size_t skulen, int64_t *multiplier)
{
	struct pg_store *q = PQS(s);
	pgst *st = q->pre_product;
	int r;

	q->pre_product = NULL;
	if (st == NULL || !(st->sent || st->fresh) || strcmp(code, q->pre_code) != 0) {
		if ((st = pgs_stmt(s, SQL_PRODUCT)) == NULL)
			return -1;
		pgs_bind_text(st, 1, code);
	}
	if ((r = pgs_step(s, st)) == PGST_ROW) {
		snprintf(sku, skulen, "%s", pgst_column_text(st, 0));
		*multiplier = pgst_column_int64(st, 1);
	}
	pgst_reset(st);
	return r == PGST_ROW ? 1 : r == PGST_DONE ? 0 : -1;
}
