/* Read-only queries behind stationctl orders, show, log and stats. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/core/readiness.h"
#include "station/store/store.h"
#include "station/store/store_int.h"
#include "station/store/store_query.h"
#include "station/ctl/table.h"

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
fmt_time(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

json_t *
query_order_counts(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT status, count(*) FROM orders GROUP BY status");
	json_t *o = json_object();

	if (st == NULL)
		return o;
	while (sqlite3_step(st) == SQLITE_ROW)
		json_object_set_new(o, col(st, 0), json_integer(sqlite3_column_int64(st, 1)));
	sqlite3_reset(st);
	return o;
}

static const char SQL_ORDERS[] =
    "SELECT o.name, o.status, coalesce(o.ship_name, trim(coalesce(o.ship_first_name,'') || ' ' ||"
    " coalesce(o.ship_last_name,''))), o.ship_city, o.ship_country_code,"
    " (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id AND l.removed = 0"
    "   AND l.requires_shipping = 1),"
    " (SELECT coalesce(sum(max(0, min(l.fulfillable_quantity, l.quantity -"
    "   (SELECT coalesce(sum(f.quantity), 0) FROM fulfillment_lines f WHERE f.line_id = l.id)))), 0)"
    "   FROM order_lines l WHERE l.order_id = o.id AND l.removed = 0 AND l.requires_shipping = 1),"
    " CASE WHEN o.pickup THEN 'pickup' ELSE coalesce(o.shipping_title, '') END,"
    " coalesce(o.station, ''), coalesce(o.hold_reason, '')"
    " FROM orders o WHERE (?1 IS NULL OR o.status = ?1) ORDER BY o.id";

struct table *
query_orders(struct store *s, const char *status)
{
	static const char *const cols[] = { "order", "status", "ship_to", "city", "country",
	    "lines", "units", "delivery", "station", "reason" };
	sqlite3_stmt *st = store_stmt(s, SQL_ORDERS);
	struct table *t;
	int r;

	if (st == NULL || (t = table_new(cols, 10)) == NULL)
		return NULL;
	table_numeric(t, 5);
	table_numeric(t, 6);
	store_bind_text(st, 1, status);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v[10];
		int i;

		for (i = 0; i < 10; i++)
			v[i] = col(st, i);
		table_add(t, v);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		table_free(t);
		return NULL;
	}
	return t;
}

static json_t *
text_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() : json_string(col(st, i));
}

static json_t *
int_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(st, i));
}

static const char SQL_ORDER[] =
    "SELECT id, shop_id, name, status, hold_reason, station, created_at, financial_status,"
    " cancelled_at, cancel_reason, note, gift_message, tags, email, pickup, shipping_title,"
    " shipping_code, tracking_number, tracking_company, ship_name, ship_company,"
    " ship_address1, ship_address2, ship_city, ship_province, ship_zip, ship_country,"
    " ship_country_code, ship_phone, has_ship, ship_first_name, ship_last_name"
    " FROM orders WHERE name = ?";

static json_t *
order_address(sqlite3_stmt *st)
{
	if (!sqlite3_column_int(st, 29))
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "name", text_or_null(st, 19), "first_name", text_or_null(st, 30),
	    "last_name", text_or_null(st, 31), "company", text_or_null(st, 20),
	    "address1", text_or_null(st, 21), "address2", text_or_null(st, 22),
	    "city", text_or_null(st, 23), "province", text_or_null(st, 24),
	    "zip", text_or_null(st, 25), "country", text_or_null(st, 26),
	    "country_code", text_or_null(st, 27), "phone", text_or_null(st, 28));
}

static const char SQL_ORDER_LINES[] =
    "SELECT l.id, l.shop_line_id, l.sku, l.title, l.variant_title, l.quantity,"
    " l.fulfillable_quantity, l.requires_shipping, l.removed,"
    " (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.line_id = l.id),"
    " (SELECT coalesce(sum(units), 0) FROM scans c WHERE c.line_id = l.id AND c.state = 'counted'),"
    " l.grams FROM order_lines l WHERE l.order_id = ? ORDER BY l.position";

static json_t *
order_lines(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORDER_LINES);
	json_t *a = json_array();

	if (st == NULL)
		return a;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t q = sqlite3_column_int64(st, 5), fq = sqlite3_column_int64(st, 6);
		int64_t shipped = sqlite3_column_int64(st, 9), rem;
		int rs = sqlite3_column_int(st, 7), removed = sqlite3_column_int(st, 8);
		struct order_line ol;

		/* "quantity" is the shippable quantity: what this station may pack in all. */
		memset(&ol, 0, sizeof(ol));
		ol.quantity = q;
		ol.fulfillable_quantity = fq;
		ol.requires_shipping = rs;
		rem = readiness_line_remaining(&ol, shipped);
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I,"
		    " s:I, s:b, s:b, s:o}",
		    "line", (json_int_t)sqlite3_column_int64(st, 0), "id", int_or_null(st, 1),
		    "sku", text_or_null(st, 2), "title", text_or_null(st, 3),
		    "variant_title", text_or_null(st, 4),
		    "quantity", (json_int_t)(rs && !removed ? rem + shipped : 0),
		    "ordered", (json_int_t)q, "fulfillable", (json_int_t)fq,
		    "packed", (json_int_t)sqlite3_column_int64(st, 10), "shipped", (json_int_t)shipped,
		    "requires_shipping", rs, "removed", removed, "grams", int_or_null(st, 11)));
	}
	sqlite3_reset(st);
	return a;
}

static json_t *
order_packages(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT box, sscc, state, station, weight_grams, fulfillment_id FROM packages"
	    " WHERE order_id = ? ORDER BY id");
	json_t *a = json_array();

	if (st == NULL)
		return a;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:i, s:o, s:s, s:s, s:o, s:o}",
		    "box", sqlite3_column_int(st, 0), "sscc", text_or_null(st, 1),
		    "state", col(st, 2), "station", col(st, 3), "weight_grams", int_or_null(st, 4),
		    "fulfillment", int_or_null(st, 5)));
	sqlite3_reset(st);
	return a;
}

static json_t *
order_fulfillments(struct store *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT id, station, packer, at, partial, units, outbox_name FROM fulfillments"
	    " WHERE order_id = ? ORDER BY id");
	json_t *a = json_array();
	char when[32];

	if (st == NULL)
		return a;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		fmt_time(sqlite3_column_int64(st, 3), when, sizeof(when));
		json_array_append_new(a, json_pack("{s:I, s:s, s:o, s:s, s:b, s:I, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0), "station", col(st, 1),
		    "packer", text_or_null(st, 2), "at", when, "partial", sqlite3_column_int(st, 4),
		    "units", (json_int_t)sqlite3_column_int64(st, 5), "file", text_or_null(st, 6)));
	}
	sqlite3_reset(st);
	return a;
}

json_t *
query_order(struct store *s, const char *name, int *err)
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORDER);
	json_t *o;
	int64_t id;
	int r;

	*err = 0;
	if (st == NULL) {
		*err = 1;
		return NULL;
	}
	store_bind_text(st, 1, name);
	if ((r = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		*err = r != SQLITE_DONE;
		return NULL;
	}
	id = sqlite3_column_int64(st, 0);
	o = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b,"
	    " s:o, s:o, s:o, s:o, s:o}",
	    "id", int_or_null(st, 1), "name", col(st, 2), "status", col(st, 3),
	    "hold_reason", text_or_null(st, 4), "station", text_or_null(st, 5),
	    "created_at", text_or_null(st, 6), "financial_status", text_or_null(st, 7),
	    "cancelled_at", text_or_null(st, 8), "cancel_reason", text_or_null(st, 9),
	    "note", text_or_null(st, 10), "gift_message", text_or_null(st, 11),
	    "tags", text_or_null(st, 12), "email", text_or_null(st, 13),
	    "pickup", sqlite3_column_int(st, 14), "shipping_title", text_or_null(st, 15),
	    "shipping_code", text_or_null(st, 16), "tracking_number", text_or_null(st, 17),
	    "tracking_company", text_or_null(st, 18), "shipping_address", order_address(st));
	sqlite3_reset(st);
	if (o == NULL) {
		*err = 1;
		return NULL;
	}
	json_object_set_new(o, "lines", order_lines(s, id));
	json_object_set_new(o, "packages", order_packages(s, id));
	json_object_set_new(o, "fulfillments", order_fulfillments(s, id));
	return o;
}

static const char SQL_LOG[] =
    "SELECT e.id, e.at, coalesce(e.station, ''), coalesce(e.order_name, ''),"
    " coalesce(e.packer, ''), e.kind, coalesce(e.verdict, ''), e.message, e.error,"
    " sc.code, CASE WHEN sc.id IS NULL THEN NULL ELSE coalesce(sc.aim, '') END"
    " FROM events e LEFT JOIN scans sc ON sc.id = e.scan_id"
    " WHERE (?1 = 0 OR e.at >= ?1) AND (?2 = 0 OR e.at < ?2)"
    " AND (?3 IS NULL OR e.station = ?3) AND (?4 IS NULL OR e.order_name = ?4)"
    " AND (?5 IS NULL OR e.packer = ?5) AND (?6 IS NULL OR e.kind = ?6)"
    " AND (?7 = 0 OR e.error = 1) AND e.id > ?8 ORDER BY e.id LIMIT ?9";

/* code and aim (the scan itself, exact) are for scripts: JSON only, on scan events only. */
struct table *
query_log(struct store *s, const struct log_filter *f, int64_t *last_id)
{
	static const char *const cols[] = { "time", "station", "order", "packer", "kind",
	    "verdict", "message", "code", "aim" };
	sqlite3_stmt *st = store_stmt(s, SQL_LOG);
	struct table *t;
	char when[32];
	int r;

	if (st == NULL || (t = table_new(cols, 9)) == NULL)
		return NULL;
	table_json_only(t, 7);
	table_json_only(t, 8);
	sqlite3_bind_int64(st, 1, f->since_ms);
	sqlite3_bind_int64(st, 2, f->until_ms);
	store_bind_text(st, 3, f->station);
	store_bind_text(st, 4, f->order);
	store_bind_text(st, 5, f->packer);
	store_bind_text(st, 6, f->kind);
	sqlite3_bind_int(st, 7, f->errors_only);
	sqlite3_bind_int64(st, 8, f->after_id);
	sqlite3_bind_int64(st, 9, f->limit > 0 ? f->limit : -1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v[9];

		*last_id = sqlite3_column_int64(st, 0);
		fmt_time(sqlite3_column_int64(st, 1), when, sizeof(when));
		v[0] = when;
		v[1] = col(st, 2);
		v[2] = col(st, 3);
		v[3] = col(st, 4);
		v[4] = col(st, 5);
		v[5] = col(st, 6);
		v[6] = col(st, 7);
		v[7] = col(st, 9);
		v[8] = col(st, 10);
		table_add(t, v);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		table_free(t);
		return NULL;
	}
	return t;
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
    " groups AS (SELECT g FROM f UNION SELECT g FROM c)"
    " SELECT groups.g,"
    " (SELECT count(DISTINCT order_id) FROM f WHERE f.g = groups.g),"
    " (SELECT count(*) FROM f WHERE f.g = groups.g),"
    " (SELECT coalesce(sum(units), 0) FROM f WHERE f.g = groups.g),"
    " (SELECT coalesce(sum(at - coalesce(opened_at, at)), 0) FROM f WHERE f.g = groups.g),"
    " (SELECT count(*) FROM f WHERE f.g = groups.g AND partial = 1),"
    " (SELECT count(*) FROM c WHERE c.g = groups.g),"
    " (SELECT count(*) FROM c WHERE c.g = groups.g AND verdict IN"
    "   ('wrong_item', 'too_many', 'unknown_code'))"
    " FROM groups ORDER BY groups.g";

struct table *
query_stats(struct store *s, int64_t since_ms, int64_t until_ms, const char *by)
{
	static const char *const cols[] = { "group", "orders", "shipments", "units",
	    "units_per_hour", "partial_shipments", "item_scans", "misscans", "misscan_rate",
	    "avg_seconds_per_order" };
	sqlite3_stmt *st = store_stmt(s, SQL_STATS);
	struct table *t;
	int r, i;

	if (st == NULL || (t = table_new(cols, 10)) == NULL)
		return NULL;
	for (i = 1; i < 10; i++)
		if (i != 4 && i != 8 && i != 9)
			table_numeric(t, (size_t)i);
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int64(st, 2, until_ms);
	store_bind_text(st, 3, by ? by : "all");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char n[8][32], uph[32], rate[32], avg[32];
		const char *v[10];
		int64_t ships = sqlite3_column_int64(st, 2), units = sqlite3_column_int64(st, 3);
		int64_t active = sqlite3_column_int64(st, 4), scans = sqlite3_column_int64(st, 6);
		int64_t mis = sqlite3_column_int64(st, 7);

		for (i = 1; i < 8; i++)
			snprintf(n[i], sizeof(n[i]), "%lld", (long long)sqlite3_column_int64(st, i));
		snprintf(uph, sizeof(uph), "%.1f", active > 0 ? units * 3600000.0 / active : 0.0);
		snprintf(rate, sizeof(rate), "%.4f", scans > 0 ? (double)mis / scans : 0.0);
		snprintf(avg, sizeof(avg), "%.1f", ships > 0 ? active / 1000.0 / ships : 0.0);
		v[0] = col(st, 0);
		v[1] = n[1]; v[2] = n[2]; v[3] = n[3]; v[4] = uph; v[5] = n[5];
		v[6] = n[6]; v[7] = n[7]; v[8] = rate; v[9] = avg;
		table_add(t, v);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		table_free(t);
		return NULL;
	}
	return t;
}
