/* Tables and JSON for stationctl orders, show, log, stats and the daemon's status. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/ctl/table.h"
#include "station/daemon/replies.h"
#include "station/store/store.h"
#include "station/store/store_query.h"

static void
fmt_time(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
int_or_null(int has, int64_t v)
{
	return has ? json_integer((json_int_t)v) : json_null();
}

json_t *
replies_order_counts(struct store *s)
{
	struct store_status_count *v;
	json_t *o = json_object();
	size_t i, n;

	if (o == NULL || store_count_orders(s, &v, &n) == -1)
		return o;
	for (i = 0; i < n; i++)
		json_object_set_new(o, v[i].status, json_integer((json_int_t)v[i].n));
	free(v);
	return o;
}

struct table *
replies_orders(struct store *s, const char *status)
{
	static const char *const cols[] = { "order", "status", "ship_to", "city", "country",
		"lines", "units", "delivery", "station", "reason" };
	struct store_order_row *v;
	struct table *t;
	size_t i, n;

	if (store_list_orders(s, status, &v, &n) == -1)
		return NULL;
	if ((t = table_new(cols, 10)) == NULL) {
		store_order_rows_free(v, n);
		return NULL;
	}
	table_numeric(t, 5);
	table_numeric(t, 6);
	for (i = 0; i < n; i++) {
		char lines[24], units[24];
		const char *row[10];

		snprintf(lines, sizeof(lines), "%lld", (long long)v[i].lines);
		snprintf(units, sizeof(units), "%lld", (long long)v[i].units);
		row[0] = v[i].name;
		row[1] = v[i].status;
		row[2] = v[i].ship_to;
		row[3] = v[i].city;
		row[4] = v[i].country;
		row[5] = lines;
		row[6] = units;
		row[7] = v[i].delivery;
		row[8] = v[i].station;
		row[9] = v[i].reason;
		table_add(t, row);
	}
	store_order_rows_free(v, n);
	return t;
}

static json_t *
order_address(const struct store_order_detail *d)
{
	const struct store_address *a = &d->ship;

	if (!d->has_ship)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
	    str_or_null(a->name), "first_name", str_or_null(a->first_name), "last_name",
	    str_or_null(a->last_name), "company", str_or_null(a->company), "address1",
	    str_or_null(a->address1), "address2", str_or_null(a->address2), "city",
	    str_or_null(a->city), "province", str_or_null(a->province), "zip", str_or_null(a->zip),
	    "country", str_or_null(a->country), "country_code", str_or_null(a->country_code),
	    "phone", str_or_null(a->phone));
}

static json_t *
order_lines(const struct store_order_detail *d)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < d->nlines; i++) {
		const struct store_detail_line *l = &d->lines[i];

		json_array_append_new(a,
		    json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I,"
			      " s:I, s:b, s:b, s:o}",
			"line", (json_int_t)l->line, "id", int_or_null(l->has_shop_id, l->shop_id),
			"sku", str_or_null(l->sku), "title", str_or_null(l->title), "variant_title",
			str_or_null(l->variant_title), "quantity", (json_int_t)l->quantity,
			"ordered", (json_int_t)l->ordered, "fulfillable",
			(json_int_t)l->fulfillable, "packed", (json_int_t)l->packed, "shipped",
			(json_int_t)l->shipped, "requires_shipping", l->requires_shipping,
			"removed", l->removed, "grams", int_or_null(l->has_grams, l->grams)));
	}
	return a;
}

static json_t *
order_packages(const struct store_order_detail *d)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < d->npackages; i++) {
		const struct store_detail_package *p = &d->packages[i];

		json_array_append_new(a,
		    json_pack("{s:i, s:o, s:s, s:s, s:o, s:o, s:o}", "box", p->box, "sscc",
			str_or_null(p->sscc), "state", p->state ? p->state : "", "station",
			p->station ? p->station : "", "weight_grams",
			int_or_null(p->weight_grams >= 0, p->weight_grams), "weight_source",
			str_or_null(p->weight_source[0] ? p->weight_source : NULL), "fulfillment",
			int_or_null(p->fulfillment >= 0, p->fulfillment)));
	}
	return a;
}

static json_t *
order_fulfillments(const struct store_order_detail *d)
{
	json_t *a = json_array();
	char when[32];
	size_t i;

	for (i = 0; a != NULL && i < d->nfulfillments; i++) {
		const struct store_detail_fulfillment *f = &d->fulfillments[i];

		fmt_time(f->at_ms, when, sizeof(when));
		json_array_append_new(a,
		    json_pack("{s:I, s:s, s:o, s:s, s:b, s:I, s:o}", "id", (json_int_t)f->id,
			"station", f->station ? f->station : "", "packer", str_or_null(f->packer),
			"at", when, "partial", f->partial, "units", (json_int_t)f->units, "file",
			str_or_null(f->file)));
	}
	return a;
}

json_t *
replies_order(struct store *s, const char *name, int *err)
{
	struct store_order_detail *d;
	json_t *o;
	int r;

	*err = 0;
	if ((r = store_load_order_detail(s, name, &d)) != 1) {
		*err = r == -1;
		return NULL;
	}
	o = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b,"
		      " s:o, s:o, s:o, s:o, s:o}",
	    "id", int_or_null(d->has_shop_id, d->shop_id), "name", d->name ? d->name : "", "status",
	    d->status ? d->status : "", "hold_reason", str_or_null(d->hold_reason), "station",
	    str_or_null(d->station), "created_at", str_or_null(d->created_at), "financial_status",
	    str_or_null(d->financial_status), "cancelled_at", str_or_null(d->cancelled_at),
	    "cancel_reason", str_or_null(d->cancel_reason), "note", str_or_null(d->note),
	    "gift_message", str_or_null(d->gift_message), "tags", str_or_null(d->tags), "email",
	    str_or_null(d->email), "pickup", d->pickup, "shipping_title",
	    str_or_null(d->shipping_title), "shipping_code", str_or_null(d->shipping_code),
	    "tracking_number", str_or_null(d->tracking_number), "tracking_company",
	    str_or_null(d->tracking_company), "shipping_address", order_address(d));
	if (o == NULL) {
		store_order_detail_free(d);
		*err = 1;
		return NULL;
	}
	json_object_set_new(o, "lines", order_lines(d));
	json_object_set_new(o, "packages", order_packages(d));
	json_object_set_new(o, "fulfillments", order_fulfillments(d));
	store_order_detail_free(d);
	return o;
}

struct table *
replies_log(struct store *s, const struct log_filter *f, int64_t *last_id)
{
	static const char *const cols[] = { "time", "station", "order", "packer", "kind", "verdict",
		"message", "code", "aim" };
	struct store_event_row *v;
	struct table *t;
	char when[32];
	size_t i, n;

	if (store_list_events(s, f, &v, &n) == -1)
		return NULL;
	if ((t = table_new(cols, 9)) == NULL) {
		store_event_rows_free(v, n);
		return NULL;
	}
	/* code and aim (the scan itself, exact) are for scripts: JSON only, scan events only */
	table_json_only(t, 7);
	table_json_only(t, 8);
	for (i = 0; i < n; i++) {
		const char *row[9];

		*last_id = v[i].id;
		fmt_time(v[i].at_ms, when, sizeof(when));
		row[0] = when;
		row[1] = v[i].station;
		row[2] = v[i].order;
		row[3] = v[i].packer;
		row[4] = v[i].kind;
		row[5] = v[i].verdict;
		row[6] = v[i].message;
		row[7] = v[i].code;
		row[8] = v[i].aim;
		table_add(t, row);
	}
	store_event_rows_free(v, n);
	return t;
}

struct table *
replies_stats(struct store *s, int64_t since_ms, int64_t until_ms, const char *by)
{
	static const char *const cols[] = { "group", "orders", "shipments", "units",
		"units_per_hour", "partial_shipments", "item_scans", "misscans", "misscan_rate",
		"avg_seconds_per_order",
		/* issue 15, after the first ten */
		"weighings", "misweighs", "misweigh_rate", "label_scans", "wrong_labels",
		"wrong_label_rate" };
	struct store_stats_row *v;
	struct table *t;
	size_t i, n;
	int c;

	if (store_list_stats(s, since_ms, until_ms, by, &v, &n) == -1)
		return NULL;
	if ((t = table_new(cols, 16)) == NULL) {
		store_stats_rows_free(v, n);
		return NULL;
	}
	for (c = 1; c < 16; c++)
		if (c != 4 && c != 8 && c != 9 && c != 12 && c != 15)
			table_numeric(t, (size_t)c);
	for (i = 0; i < n; i++) {
		const struct store_stats_row *g = &v[i];
		int64_t num[8] = { 0, g->orders, g->shipments, g->units, g->active_ms,
			g->partial_shipments, g->item_scans, g->misscans };
		int64_t chk[4] = { g->weighings, g->misweighs, g->label_scans, g->wrong_labels };
		char nb[8][32], uph[32], rate[32], avg[32], cb[4][32], mwr[32], wlr[32];
		const char *row[16];

		for (c = 1; c < 8; c++)
			snprintf(nb[c], sizeof(nb[c]), "%lld", (long long)num[c]);
		snprintf(uph, sizeof(uph), "%.1f",
		    g->active_ms > 0 ? g->units * 3600000.0 / g->active_ms : 0.0);
		snprintf(rate, sizeof(rate), "%.4f",
		    g->item_scans > 0 ? (double)g->misscans / g->item_scans : 0.0);
		snprintf(avg, sizeof(avg), "%.1f",
		    g->shipments > 0 ? g->active_ms / 1000.0 / g->shipments : 0.0);
		row[0] = g->group;
		row[1] = nb[1];
		row[2] = nb[2];
		row[3] = nb[3];
		row[4] = uph;
		row[5] = nb[5];
		row[6] = nb[6];
		row[7] = nb[7];
		row[8] = rate;
		row[9] = avg;
		for (c = 0; c < 4; c++)
			snprintf(cb[c], sizeof(cb[c]), "%lld", (long long)chk[c]);
		snprintf(mwr, sizeof(mwr), "%.4f",
		    g->weighings > 0 ? (double)g->misweighs / g->weighings : 0.0);
		snprintf(wlr, sizeof(wlr), "%.4f",
		    g->label_scans > 0 ? (double)g->wrong_labels / g->label_scans : 0.0);
		row[10] = cb[0];
		row[11] = cb[1];
		row[12] = mwr;
		row[13] = cb[2];
		row[14] = cb[3];
		row[15] = wlr;
		table_add(t, row);
	}
	store_stats_rows_free(v, n);
	return t;
}
