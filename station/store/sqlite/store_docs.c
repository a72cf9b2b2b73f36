/* What labels and packing slips need of an order or a package. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/order_state.h"
#include "station/store/sqlite/sqlite_int.h"
#include "station/store/store.h"
#include "station/store/store_docs.h"

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

static const char SQL_ORDER_DOC[] =
    "SELECT name, shipping_title, pickup, tracking_number, tracking_company,"
    " coalesce(ship_name, trim(coalesce(ship_first_name, '') || ' ' ||"
    "  coalesce(ship_last_name, ''))), ship_company, ship_address1, ship_address2,"
    " ship_city, coalesce(ship_province_code, ship_province), ship_zip,"
    " coalesce(ship_country, ship_country_code), ship_phone, created_at, note, gift_message"
    " FROM orders WHERE id = ?";

static const char SQL_DOC_LINES[] =
    "SELECT l.sku, l.title, l.variant_title, l.quantity, l.fulfillable_quantity,"
    " l.requires_shipping,"
    " (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.order_id = l.order_id"
    " AND f.line_id = l.id),"
    " l.shop_acked FROM order_lines l WHERE l.order_id = ? AND l.removed = 0 ORDER BY l.position";

static int
doc_lines(struct store *s, int64_t order_id, struct store_order_doc *d, int *oom)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DOC_LINES);
	size_t cap = 0;
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	while ((r = store_step(s, st)) == SQLITE_ROW) {
		struct store_doc_line *l;
		struct order_qty q;

		if (d->nlines == cap) {
			void *p = realloc(d->lines, (cap = cap ? cap * 2 : 8) * sizeof(*l));

			if (p == NULL) {
				*oom = 1;
				break;
			}
			d->lines = p;
		}
		l = &d->lines[d->nlines++];
		l->sku = dup_or_null(st, 0, oom);
		l->title = dup_or_null(st, 1, oom);
		l->variant_title = dup_or_null(st, 2, oom);
		q.quantity = l->quantity = sqlite3_column_int64(st, 3);
		q.fulfillable = sqlite3_column_int64(st, 4);
		q.requires_shipping = l->requires_shipping = sqlite3_column_int(st, 5);
		q.removed = 0;
		q.shipped = sqlite3_column_int64(st, 6);
		q.acked = sqlite3_column_int64(st, 7);
		l->remaining = order_qty_remaining(&q);
	}
	sqlite3_reset(st);
	return *oom || r == SQLITE_DONE || r == SQLITE_ROW ? 0 : -1;
}

int
sqlite_store_load_order_doc(struct store *s, int64_t order_id, struct store_order_doc **out)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORDER_DOC);
	struct store_order_doc *d;
	struct store_address *a;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	if ((r = store_step(s, st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return r == SQLITE_DONE ? 0 : -1;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		sqlite3_reset(st);
		return store_fail(s, "out of memory");
	}
	a = &d->ship;
	d->name = dup_or_null(st, 0, &oom);
	d->service = dup_or_null(st, 1, &oom);
	d->pickup = sqlite3_column_int(st, 2);
	d->tracking = dup_or_null(st, 3, &oom);
	d->carrier = dup_or_null(st, 4, &oom);
	a->name = dup_or_null(st, 5, &oom);
	a->company = dup_or_null(st, 6, &oom);
	a->address1 = dup_or_null(st, 7, &oom);
	a->address2 = dup_or_null(st, 8, &oom);
	a->city = dup_or_null(st, 9, &oom);
	a->province = dup_or_null(st, 10, &oom);
	a->zip = dup_or_null(st, 11, &oom);
	a->country = dup_or_null(st, 12, &oom);
	a->phone = dup_or_null(st, 13, &oom);
	d->created_at = dup_or_null(st, 14, &oom);
	d->note = dup_or_null(st, 15, &oom);
	d->gift_message = dup_or_null(st, 16, &oom);
	sqlite3_reset(st);
	if (oom || doc_lines(s, order_id, d, &oom) == -1 || oom) {
		store_order_doc_free(d);
		return oom ? store_fail(s, "out of memory") : -1;
	}
	*out = d;
	return 1;
}

int
sqlite_store_load_package(struct store *s, int64_t package_id, struct store_package_doc *out)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT order_id, box, sscc, weight_grams, state,"
	    " (SELECT count(*) FROM packages q WHERE q.fulfillment_id = p.fulfillment_id)"
	    " FROM packages p WHERE id = ?");
	struct store_package_doc p;
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, package_id);
	if ((r = store_step(s, st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return r == SQLITE_DONE ? 0 : -1;
	}
	memset(&p, 0, sizeof(p));
	p.order_id = sqlite3_column_int64(st, 0);
	p.box = sqlite3_column_int(st, 1);
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		snprintf(p.sscc, sizeof(p.sscc), "%s", sqlite3_column_text(st, 2));
	p.weight_grams = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1
								   : sqlite3_column_int64(st, 3);
	p.shipped = strcmp((const char *)sqlite3_column_text(st, 4), "shipped") == 0;
	p.count = sqlite3_column_int(st, 5);
	sqlite3_reset(st);
	*out = p;
	return 1;
}
