/* Read-only queries behind stationctl orders, show, log and stats: rows as structs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/order_state.h"
#include "station/store/sqlite/sqlite_int.h"
#include "station/store/store.h"
#include "station/store/store_query.h"

/* Grows *v (of *cap elements of size sz) to hold n + 1. 0 / -1. */
static int
grow(void **v, size_t *cap, size_t n, size_t sz)
{
	void *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	if ((p = realloc(*v, c * sz)) == NULL)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* A text column copied, or NULL (for NULL). *oom set if the copy failed. */
static char *
dup_col(sqlite3_stmt *st, int i, int *oom)
{
	char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	if ((t = store_col_dup(st, i)) == NULL)
		*oom = 1;
	return t;
}

int
sqlite_store_count_orders(struct store *s, struct store_status_count **rows, size_t *n)
{
	sqlite3_stmt *st = store_stmt(
	    s, "SELECT status, count(*) FROM orders GROUP BY status ORDER BY status");
	struct store_status_count *v = NULL;
	size_t cnt = 0, cap = 0;
	int r;

	if (st == NULL)
		return -1;
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		if (grow((void **)&v, &cap, cnt, sizeof(*v)) == -1) {
			sqlite3_reset(st);
			free(v);
			return store_fail(s, "out of memory");
		}
		snprintf(v[cnt].status, sizeof(v[cnt].status), "%s", sqlite3_column_text(st, 0));
		v[cnt].n = sqlite3_column_int64(st, 1);
		cnt++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		free(v);
		return -1;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

#define SHIPPED                                                                                    \
	"(SELECT coalesce(sum(f.quantity), 0) FROM fulfillment_lines f"                            \
	" WHERE f.order_id = l.order_id AND f.line_id = l.id)"
static const char SQL_ORDERS[] =
    "SELECT o.name, o.status, coalesce(o.ship_name, trim(coalesce(o.ship_first_name,'') || ' ' ||"
    " coalesce(o.ship_last_name,''))), o.ship_city, o.ship_country_code,"
    " (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id AND l.removed = 0"
    "   AND l.requires_shipping = 1),"
    /* order_qty_remaining in SQL: min(fulfillable - (shipped - acked), quantity - shipped) */
    " (SELECT coalesce(sum(max(0, min(l.fulfillable_quantity - max(0, " SHIPPED " - l.shop_acked),"
    "   l.quantity - " SHIPPED "))), 0)"
    "   FROM order_lines l WHERE l.order_id = o.id AND l.removed = 0 AND l.requires_shipping = 1),"
    " CASE WHEN o.pickup THEN 'pickup' ELSE coalesce(o.shipping_title, '') END,"
    " coalesce(o.station, ''), coalesce(o.hold_reason, '')"
    /* the work list leaves archived orders out unless they are asked for */
    " FROM orders o WHERE (?1 IS NULL AND o.status <> 'archived' OR o.status = ?1)"
    " ORDER BY o.id";

int
sqlite_store_list_orders(
    struct store *s, const char *status, struct store_order_row **rows, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORDERS);
	struct store_order_row *v = NULL, *o;
	size_t cnt = 0, cap = 0;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, status);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		if (grow((void **)&v, &cap, cnt, sizeof(*v)) == -1) {
			oom = 1;
			break;
		}
		o = &v[cnt++];
		o->name = dup_col(st, 0, &oom);
		o->status = dup_col(st, 1, &oom);
		o->ship_to = dup_col(st, 2, &oom);
		o->city = dup_col(st, 3, &oom);
		o->country = dup_col(st, 4, &oom);
		o->lines = sqlite3_column_int64(st, 5);
		o->units = sqlite3_column_int64(st, 6);
		o->delivery = dup_col(st, 7, &oom);
		o->station = dup_col(st, 8, &oom);
		o->reason = dup_col(st, 9, &oom);
	}
	sqlite3_reset(st);
	if (oom || r != SQLITE_DONE) {
		store_order_rows_free(v, cnt);
		return oom ? store_fail(s, "out of memory") : -1;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

static const char SQL_ORDERS_SKU[] =
    "SELECT o.name FROM orders o WHERE o.id IN"
    " (SELECT l.order_id FROM order_lines l WHERE l.sku = ?1) ORDER BY o.id LIMIT ?2";

int
sqlite_store_orders_with_sku(
    struct store *s, const char *sku, int64_t limit, char ***names, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORDERS_SKU);
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, sku);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		if (grow((void **)&v, &cap, cnt, sizeof(*v)) == -1) {
			oom = 1;
			break;
		}
		v[cnt++] = dup_col(st, 0, &oom);
	}
	sqlite3_reset(st);
	if (oom || r != SQLITE_DONE) {
		store_names_free(v, cnt);
		return oom ? store_fail(s, "out of memory") : -1;
	}
	*names = v;
	*n = cnt;
	return 0;
}

static const char SQL_ORDER[] =
    "SELECT id, shop_id, name, status, hold_reason, station, created_at, financial_status,"
    " cancelled_at, cancel_reason, note, gift_message, tags, email, pickup, shipping_title,"
    " shipping_code, tracking_number, tracking_company, ship_name, ship_company,"
    " ship_address1, ship_address2, ship_city, ship_province, ship_zip, ship_country,"
    " ship_country_code, ship_phone, has_ship, ship_first_name, ship_last_name, hold_source"
    " FROM orders WHERE name = ?";

/* The order row's columns into d. 0 / -1 (out of memory). */
static int
detail_order(sqlite3_stmt *st, struct store_order_detail *d)
{
	struct store_address *a = &d->ship;
	int oom = 0;

	d->has_shop_id = sqlite3_column_type(st, 1) != SQLITE_NULL;
	d->shop_id = sqlite3_column_int64(st, 1);
	d->name = dup_col(st, 2, &oom);
	d->status = dup_col(st, 3, &oom);
	d->hold_reason = dup_col(st, 4, &oom);
	d->station = dup_col(st, 5, &oom);
	d->created_at = dup_col(st, 6, &oom);
	d->financial_status = dup_col(st, 7, &oom);
	d->cancelled_at = dup_col(st, 8, &oom);
	d->cancel_reason = dup_col(st, 9, &oom);
	d->note = dup_col(st, 10, &oom);
	d->gift_message = dup_col(st, 11, &oom);
	d->tags = dup_col(st, 12, &oom);
	d->email = dup_col(st, 13, &oom);
	d->pickup = sqlite3_column_int(st, 14);
	d->shipping_title = dup_col(st, 15, &oom);
	d->shipping_code = dup_col(st, 16, &oom);
	d->tracking_number = dup_col(st, 17, &oom);
	d->tracking_company = dup_col(st, 18, &oom);
	a->name = dup_col(st, 19, &oom);
	a->company = dup_col(st, 20, &oom);
	a->address1 = dup_col(st, 21, &oom);
	a->address2 = dup_col(st, 22, &oom);
	a->city = dup_col(st, 23, &oom);
	a->province = dup_col(st, 24, &oom);
	a->zip = dup_col(st, 25, &oom);
	a->country = dup_col(st, 26, &oom);
	a->country_code = dup_col(st, 27, &oom);
	a->phone = dup_col(st, 28, &oom);
	d->has_ship = sqlite3_column_int(st, 29);
	a->first_name = dup_col(st, 30, &oom);
	a->last_name = dup_col(st, 31, &oom);
	d->hold_source = dup_col(st, 32, &oom);
	return oom ? -1 : 0;
}

static const char SQL_ORDER_LINES[] =
    "SELECT l.id, l.shop_line_id, l.sku, l.title, l.variant_title, l.quantity,"
    " l.fulfillable_quantity, l.requires_shipping, l.removed,"
    " (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.order_id = l.order_id"
    " AND f.line_id = l.id),"
    " (SELECT coalesce(sum(units), 0) FROM scans c WHERE c.line_id = l.id AND c.state = 'counted'),"
    " l.grams, l.shop_acked FROM order_lines l WHERE l.order_id = ? ORDER BY l.position";

static int
detail_lines(struct store *s, int64_t id, struct store_order_detail *d)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORDER_LINES);
	size_t cap = 0;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		struct store_detail_line *l;
		struct order_qty q;

		if (grow((void **)&d->lines, &cap, d->nlines, sizeof(*l)) == -1) {
			oom = 1;
			break;
		}
		l = &d->lines[d->nlines++];
		memset(l, 0, sizeof(*l));
		l->line = sqlite3_column_int64(st, 0);
		l->has_shop_id = sqlite3_column_type(st, 1) != SQLITE_NULL;
		l->shop_id = sqlite3_column_int64(st, 1);
		l->sku = dup_col(st, 2, &oom);
		l->title = dup_col(st, 3, &oom);
		l->variant_title = dup_col(st, 4, &oom);
		q.quantity = l->ordered = sqlite3_column_int64(st, 5);
		q.fulfillable = l->fulfillable = sqlite3_column_int64(st, 6);
		q.requires_shipping = l->requires_shipping = sqlite3_column_int(st, 7);
		q.removed = l->removed = sqlite3_column_int(st, 8);
		q.shipped = l->shipped = sqlite3_column_int64(st, 9);
		q.acked = sqlite3_column_int64(st, 12);
		l->packed = sqlite3_column_int64(st, 10);
		l->has_grams = sqlite3_column_type(st, 11) != SQLITE_NULL;
		l->grams = sqlite3_column_int64(st, 11);
		/* "quantity" is the shippable quantity: what this station may pack in all. */
		l->quantity = q.requires_shipping && !q.removed
		    ? order_qty_remaining(&q) + q.shipped
		    : 0;
	}
	sqlite3_reset(st);
	if (oom)
		return store_fail(s, "out of memory");
	return r == SQLITE_DONE ? 0 : -1;
}

static int
detail_packages(struct store *s, int64_t id, struct store_order_detail *d)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT box, sscc, state, station, weight_grams, fulfillment_id, weight_source FROM packages"
	    " WHERE order_id = ? ORDER BY id");
	size_t cap = 0;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		struct store_detail_package *p;

		if (grow((void **)&d->packages, &cap, d->npackages, sizeof(*p)) == -1) {
			oom = 1;
			break;
		}
		p = &d->packages[d->npackages++];
		p->box = sqlite3_column_int(st, 0);
		p->sscc = dup_col(st, 1, &oom);
		p->state = dup_col(st, 2, &oom);
		p->station = dup_col(st, 3, &oom);
		p->weight_grams = sqlite3_column_type(st, 4) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int64(st, 4);
		p->fulfillment = sqlite3_column_type(st, 5) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int64(st, 5);
		snprintf(p->weight_source, sizeof(p->weight_source), "%s",
		    sqlite3_column_type(st, 6) == SQLITE_NULL || p->weight_grams < 0
			? ""
			: (const char *)sqlite3_column_text(st, 6));
	}
	sqlite3_reset(st);
	if (oom)
		return store_fail(s, "out of memory");
	return r == SQLITE_DONE ? 0 : -1;
}

static int
detail_fulfillments(struct store *s, int64_t id, struct store_order_detail *d)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT id, station, packer, at, partial, units, outbox_name FROM fulfillments"
	    " WHERE order_id = ? ORDER BY id");
	size_t cap = 0;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		struct store_detail_fulfillment *f;

		if (grow((void **)&d->fulfillments, &cap, d->nfulfillments, sizeof(*f)) == -1) {
			oom = 1;
			break;
		}
		f = &d->fulfillments[d->nfulfillments++];
		f->id = sqlite3_column_int64(st, 0);
		f->station = dup_col(st, 1, &oom);
		f->packer = dup_col(st, 2, &oom);
		f->at_ms = sqlite3_column_int64(st, 3);
		f->partial = sqlite3_column_int(st, 4);
		f->units = sqlite3_column_int64(st, 5);
		f->file = dup_col(st, 6, &oom);
	}
	sqlite3_reset(st);
	if (oom)
		return store_fail(s, "out of memory");
	return r == SQLITE_DONE ? 0 : -1;
}

int
sqlite_store_load_order_detail(struct store *s, const char *name, struct store_order_detail **out)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORDER);
	struct store_order_detail *d;
	int64_t id;
	int r;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, name);
	if ((r = store_step(s, st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return r == SQLITE_DONE ? 0 : -1;
	}
	id = sqlite3_column_int64(st, 0);
	if ((d = calloc(1, sizeof(*d))) == NULL || detail_order(st, d) == -1) {
		sqlite3_reset(st);
		store_order_detail_free(d);
		return store_fail(s, "out of memory");
	}
	sqlite3_reset(st);
	if (detail_lines(s, id, d) == -1 || detail_packages(s, id, d) == -1 ||
	    detail_fulfillments(s, id, d) == -1) {
		store_order_detail_free(d);
		return -1;
	}
	*out = d;
	return 1;
}

#define SQL_LOG_SELECT                                                                             \
	"SELECT e.id, e.at, coalesce(e.station, ''), coalesce(e.order_name, ''),"                  \
	" coalesce(e.packer, ''), e.kind, coalesce(e.verdict, ''), e.message, e.error,"            \
	" sc.code, CASE WHEN sc.id IS NULL THEN NULL ELSE coalesce(sc.aim, '') END"                \
	" FROM events e LEFT JOIN scans sc ON sc.id = e.scan_id"                                   \
	" WHERE (?1 = 0 OR e.at >= ?1) AND (?2 = 0 OR e.at < ?2)"                                  \
	" AND (?3 IS NULL OR e.station = ?3) AND (?4 IS NULL OR e.order_name = ?4)"                \
	" AND (?5 IS NULL OR e.packer = ?5) AND (?6 IS NULL OR e.kind = ?6)"                       \
	" AND (?7 = 0 OR e.error = 1) AND e.id > ?8"
static const char SQL_LOG[] = SQL_LOG_SELECT " ORDER BY e.id LIMIT ?9";
/* the newest ?9 (the web console's log page), handed back oldest first */
static const char SQL_LOG_NEWEST[] = "SELECT * FROM (" SQL_LOG_SELECT
				     " ORDER BY e.id DESC LIMIT ?9) ORDER BY 1";

int
sqlite_store_list_events(
    struct store *s, const struct log_filter *f, struct store_event_row **rows, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, f->newest && f->limit > 0 ? SQL_LOG_NEWEST : SQL_LOG);
	struct store_event_row *v = NULL, *e;
	size_t cnt = 0, cap = 0;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->since_ms);
	sqlite3_bind_int64(st, 2, f->until_ms);
	store_bind_text(st, 3, f->station);
	store_bind_text(st, 4, f->order);
	store_bind_text(st, 5, f->packer);
	store_bind_text(st, 6, f->kind);
	sqlite3_bind_int(st, 7, f->errors_only);
	sqlite3_bind_int64(st, 8, f->after_id);
	sqlite3_bind_int64(st, 9, f->limit > 0 ? f->limit : -1);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		if (grow((void **)&v, &cap, cnt, sizeof(*v)) == -1) {
			oom = 1;
			break;
		}
		e = &v[cnt++];
		e->id = sqlite3_column_int64(st, 0);
		e->at_ms = sqlite3_column_int64(st, 1);
		e->station = dup_col(st, 2, &oom);
		e->order = dup_col(st, 3, &oom);
		e->packer = dup_col(st, 4, &oom);
		e->kind = dup_col(st, 5, &oom);
		e->verdict = dup_col(st, 6, &oom);
		e->message = dup_col(st, 7, &oom);
		e->error = sqlite3_column_int(st, 8);
		e->code = sqlite3_column_type(st, 9) == SQLITE_NULL ? NULL : dup_col(st, 9, &oom);
		e->aim = sqlite3_column_type(st, 10) == SQLITE_NULL ? NULL : dup_col(st, 10, &oom);
	}
	sqlite3_reset(st);
	if (oom || r != SQLITE_DONE) {
		store_event_rows_free(v, cnt);
		return oom ? store_fail(s, "out of memory") : -1;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

/*
 * Shipments and scans grouped by a key. Units per hour use active packing
 * time: from an order's opening at the bench to its shipment.
 */
static const char SQL_STATS[] =
    "WITH k AS (SELECT ?3 AS by),"
    " f AS (SELECT CASE (SELECT by FROM k) WHEN 'packer' THEN coalesce(packer, '-')"
    "   WHEN 'station' THEN station"
    "   WHEN 'hour' THEN strftime('%Y-%m-%d %H:00', at / 1000, 'unixepoch', 'localtime')"
    "   WHEN 'day' THEN strftime('%Y-%m-%d', at / 1000, 'unixepoch', 'localtime')"
    "   ELSE 'all' END AS g, * FROM fulfillments WHERE at >= ?1 AND (?2 = 0 OR at < ?2)),"
    " c AS (SELECT CASE (SELECT by FROM k) WHEN 'packer' THEN coalesce(packer, '-')"
    "   WHEN 'station' THEN station"
    "   WHEN 'hour' THEN strftime('%Y-%m-%d %H:00', at / 1000, 'unixepoch', 'localtime')"
    "   WHEN 'day' THEN strftime('%Y-%m-%d', at / 1000, 'unixepoch', 'localtime')"
    "   ELSE 'all' END AS g, verdict FROM scans WHERE at >= ?1 AND (?2 = 0 OR at < ?2)"
    "   AND verdict IN ('ok', 'completed', 'wrong_item', 'too_many', 'unknown_code')),"
    " w AS (SELECT CASE (SELECT by FROM k) WHEN 'packer' THEN coalesce(packer, '-')"
    "   WHEN 'station' THEN station"
    "   WHEN 'hour' THEN strftime('%Y-%m-%d %H:00', at / 1000, 'unixepoch', 'localtime')"
    "   WHEN 'day' THEN strftime('%Y-%m-%d', at / 1000, 'unixepoch', 'localtime')"
    "   ELSE 'all' END AS g, verdict FROM scans WHERE at >= ?1 AND (?2 = 0 OR at < ?2)"
    "   AND verdict IN ('weight_mismatch', 'wrong_label', 'label_verified')),"
    " groups AS (SELECT g FROM f UNION SELECT g FROM c UNION SELECT g FROM w)"
    " SELECT groups.g,"
    " (SELECT count(DISTINCT order_id) FROM f WHERE f.g = groups.g),"
    " (SELECT count(*) FROM f WHERE f.g = groups.g),"
    " (SELECT coalesce(sum(units), 0) FROM f WHERE f.g = groups.g),"
    " (SELECT coalesce(sum(at - coalesce(opened_at, at)), 0) FROM f WHERE f.g = groups.g),"
    " (SELECT count(*) FROM f WHERE f.g = groups.g AND partial = 1),"
    " (SELECT count(*) FROM c WHERE c.g = groups.g),"
    " (SELECT count(*) FROM c WHERE c.g = groups.g AND verdict IN"
    "   ('wrong_item', 'too_many', 'unknown_code')),"
    " (SELECT count(*) FROM packages p JOIN f ON f.id = p.fulfillment_id"
    "   WHERE f.g = groups.g AND p.weight_source = 'scale'),"
    " (SELECT count(*) FROM w WHERE w.g = groups.g AND verdict = 'weight_mismatch'),"
    " (SELECT count(*) FROM w WHERE w.g = groups.g AND verdict <> 'weight_mismatch'),"
    " (SELECT count(*) FROM w WHERE w.g = groups.g AND verdict = 'wrong_label')"
    " FROM groups ORDER BY groups.g";

int
sqlite_store_list_stats(struct store *s, int64_t since_ms, int64_t until_ms, const char *by,
    struct store_stats_row **rows, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, SQL_STATS);
	struct store_stats_row *v = NULL, *g;
	size_t cnt = 0, cap = 0;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int64(st, 2, until_ms);
	store_bind_text(st, 3, by ? by : "all");
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		if (grow((void **)&v, &cap, cnt, sizeof(*v)) == -1) {
			oom = 1;
			break;
		}
		g = &v[cnt++];
		g->group = dup_col(st, 0, &oom);
		g->orders = sqlite3_column_int64(st, 1);
		g->shipments = sqlite3_column_int64(st, 2);
		g->units = sqlite3_column_int64(st, 3);
		g->active_ms = sqlite3_column_int64(st, 4);
		g->partial_shipments = sqlite3_column_int64(st, 5);
		g->item_scans = sqlite3_column_int64(st, 6);
		g->misscans = sqlite3_column_int64(st, 7);
		/* a refused weighing is one weighing more than the boxes that passed */
		g->misweighs = sqlite3_column_int64(st, 9);
		g->weighings = sqlite3_column_int64(st, 8) + g->misweighs;
		g->label_scans = sqlite3_column_int64(st, 10);
		g->wrong_labels = sqlite3_column_int64(st, 11);
	}
	sqlite3_reset(st);
	if (oom || r != SQLITE_DONE) {
		store_stats_rows_free(v, cnt);
		return oom ? store_fail(s, "out of memory") : -1;
	}
	*rows = v;
	*n = cnt;
	return 0;
}
