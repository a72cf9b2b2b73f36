/* Labels, slips and sheets: the store's rows turned into labels/ documents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"
#include "station/daemon/config.h"
#include "station/daemon/docs.h"
#include "station/core/readiness.h"
#include "station/store/store.h"
#include "station/store/store_int.h"

/* Strings copied out of rows, freed together. */
struct strs {
	char	**v;
	size_t	  n;
};

static const char *
keep(struct strs *s, sqlite3_stmt *st, int col)
{
	char *t, **nv;

	if (sqlite3_column_type(st, col) == SQLITE_NULL || (t = store_col_dup(st, col)) == NULL)
		return NULL;
	if ((nv = realloc(s->v, (s->n + 1) * sizeof(*nv))) == NULL) {
		free(t);
		return NULL;
	}
	s->v = nv;
	s->v[s->n++] = t;
	return t;
}

static void
strs_free(struct strs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static void
shop_address(const struct config *c, struct labels_address *a)
{
	memset(a, 0, sizeof(*a));
	a->name = c->shop.name;
	a->address1 = c->shop.address1;
	a->address2 = c->shop.address2;
	a->city = c->shop.city;
	a->province = c->shop.province;
	a->zip = c->shop.zip;
	a->country = c->shop.country;
	a->phone = c->shop.phone;
}

static const char SQL_ORDER_DOC[] =
    "SELECT name, shipping_title, pickup, tracking_number, tracking_company,"
    " coalesce(ship_name, trim(coalesce(ship_first_name, '') || ' ' ||"
    "  coalesce(ship_last_name, ''))), ship_company, ship_address1, ship_address2,"
    " ship_city, coalesce(ship_province_code, ship_province), ship_zip,"
    " coalesce(ship_country, ship_country_code), ship_phone, created_at, note, gift_message"
    " FROM orders WHERE id = ?";

/*
 * Loads the order's columns into to and f: name, service, "pickup" or NULL,
 * tracking, carrier, created_at, note, gift message. 0 / -1.
 */
static int
load_order(struct store *s, int64_t id, struct strs *k, struct labels_address *to,
    const char *f[8])
{
	sqlite3_stmt *st = store_stmt(s, SQL_ORDER_DOC);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	memset(to, 0, sizeof(*to));
	f[0] = keep(k, st, 0);		/* name */
	f[1] = keep(k, st, 1);		/* service */
	f[2] = sqlite3_column_int(st, 2) ? "pickup" : NULL;
	f[3] = keep(k, st, 3);		/* tracking */
	f[4] = keep(k, st, 4);		/* carrier */
	to->name = keep(k, st, 5);
	to->company = keep(k, st, 6);
	to->address1 = keep(k, st, 7);
	to->address2 = keep(k, st, 8);
	to->city = keep(k, st, 9);
	to->province = keep(k, st, 10);
	to->zip = keep(k, st, 11);
	to->country = keep(k, st, 12);
	to->phone = keep(k, st, 13);
	f[5] = keep(k, st, 14);		/* created_at */
	f[6] = keep(k, st, 15);		/* note */
	f[7] = keep(k, st, 16);		/* gift message */
	sqlite3_reset(st);
	return f[0] ? 0 : -1;
}

static int
label_media_of(const struct station_conf *sc, struct label_media *m)
{
	labels_media_default_label(m);
	if (labels_parse_label_size(sc->label_media, &m->size) == -1)
		return -1;
	m->dpi = sc->label_dpi;
	return 0;
}

int
docs_label(struct store *s, const struct config *c, const struct station_conf *sc,
    int64_t package_id, struct labels_out *out, char *title, size_t titlelen,
    int64_t *order_id, char *err, size_t errlen)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT order_id, box, sscc, weight_grams, state,"
	    " (SELECT count(*) FROM packages q WHERE q.fulfillment_id = p.fulfillment_id)"
	    " FROM packages p WHERE id = ?");
	struct strs k = { NULL, 0 };
	struct label_doc d;
	struct label_media m;
	const char *f[8];
	int r = -1;

	memset(&d, 0, sizeof(d));
	if (st == NULL)
		goto db;
	sqlite3_bind_int64(st, 1, package_id);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 2) == SQLITE_NULL) {
		sqlite3_reset(st);
		snprintf(err, errlen, "no closed package %lld", (long long)package_id);
		goto done;
	}
	*order_id = sqlite3_column_int64(st, 0);
	d.package_no = sqlite3_column_int(st, 1);
	d.sscc = keep(&k, st, 2);
	d.weight_grams = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
	/* "n of m" once the shipment is complete; "n" while more boxes may follow */
	if (strcmp((const char *)sqlite3_column_text(st, 4), "shipped") == 0)
		d.package_count = sqlite3_column_int(st, 5);
	sqlite3_reset(st);
	if (load_order(s, *order_id, &k, &d.to, f) == -1)
		goto db;
	d.shop_name = c->shop.name;
	shop_address(c, &d.from);
	d.order_name = f[0];
	d.service = f[1];
	d.pickup = f[2] != NULL;
	d.tracking = f[3];
	d.carrier = f[4];
	if (label_media_of(sc, &m) == -1) {
		snprintf(err, errlen, "label_media %s: unknown size", sc->label_media);
		goto done;
	}
	snprintf(title, titlelen, "%s package %d label", d.order_name, d.package_no);
	r = label_render(&d, 1, &m, out, err, errlen);
	goto done;
db:
	snprintf(err, errlen, "database: %s", store_errmsg(s));
done:
	strs_free(&k);
	return r;
}

static const char SQL_SLIP_LINES[] =
    "SELECT l.sku, l.title, l.variant_title, l.quantity, l.fulfillable_quantity,"
    " l.requires_shipping,"
    " (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.line_id = l.id),"
    " l.shop_acked FROM order_lines l WHERE l.order_id = ? AND l.removed = 0 ORDER BY l.position";

int
docs_slip(struct store *s, const struct config *c, const struct station_conf *sc,
    int64_t order_id, struct labels_out *out, char *title, size_t titlelen,
    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	struct strs k = { NULL, 0 };
	struct slip_line *lines = NULL, *nl;
	struct label_media m;
	struct slip_doc d;
	const char *f[8];
	size_t n = 0;
	int r = -1;

	memset(&d, 0, sizeof(d));
	if (load_order(s, order_id, &k, &d.ship_to, f) == -1 ||
	    (st = store_stmt(s, SQL_SLIP_LINES)) == NULL)
		goto db;
	sqlite3_bind_int64(st, 1, order_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct order_line ol;
		int64_t rem;

		memset(&ol, 0, sizeof(ol));
		ol.quantity = sqlite3_column_int64(st, 3);
		ol.fulfillable_quantity = sqlite3_column_int64(st, 4);
		ol.requires_shipping = sqlite3_column_int(st, 5);
		rem = readiness_line_remaining(&ol, sqlite3_column_int64(st, 6),
		    sqlite3_column_int64(st, 7));
		if (ol.requires_shipping && rem < ol.quantity)
			d.ships_separately = 1;	/* some of it shipped or ships apart */
		if (rem == 0)
			continue;
		if ((nl = realloc(lines, (n + 1) * sizeof(*nl))) == NULL) {
			sqlite3_reset(st);
			goto db;
		}
		lines = nl;
		lines[n].sku = keep(&k, st, 0);
		lines[n].title = keep(&k, st, 1);
		lines[n].variant = keep(&k, st, 2);
		lines[n].quantity = rem;
		lines[n].ordered = ol.quantity;
		n++;
	}
	sqlite3_reset(st);
	d.shop_name = c->shop.name;
	shop_address(c, &d.shop);
	d.order_name = f[0];
	d.service = f[2] ? "Local pickup" : f[1];
	d.order_date = f[5];
	d.note = f[6];
	d.gift_message = f[7];
	d.lines = lines;
	d.nlines = n;
	labels_media_default_slip(&m);
	if (labels_parse_slip_size(sc->slip_media, &m.size) == -1) {
		snprintf(err, errlen, "slip_media %s: unknown size", sc->slip_media);
		goto done;
	}
	snprintf(title, titlelen, "%s packing slip", d.order_name);
	r = slip_render(&d, &m, out, err, errlen);
	goto done;
db:
	snprintf(err, errlen, "order %lld: database: %s", (long long)order_id, store_errmsg(s));
done:
	free(lines);
	strs_free(&k);
	return r;
}

int
docs_sheet(const struct config *c, const struct station_conf *sc, struct labels_out *out,
    char *title, size_t titlelen, char *err, size_t errlen)
{
	struct label_media m;
	struct sheet_doc d;

	(void)c;
	memset(&d, 0, sizeof(d));
	d.bench = sc->name;
	labels_media_default_slip(&m);
	if (labels_parse_slip_size(sc->slip_media, &m.size) == -1) {
		snprintf(err, errlen, "slip_media %s: unknown size", sc->slip_media);
		return -1;
	}
	snprintf(title, titlelen, "%s command sheet", sc->name);
	return sheet_render(&d, &m, out, err, errlen);
}
