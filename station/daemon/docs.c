/* Labels, slips and sheets: the store's rows turned into labels/ documents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"
#include "station/daemon/config.h"
#include "station/daemon/checks.h"
#include "station/daemon/docs.h"
#include "station/store/store_checks.h"
#include "station/store/store.h"
#include "station/store/store_docs.h"

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

/* The ship-to address of an order's document, borrowed from d. */
static void
ship_to(const struct store_order_doc *d, struct labels_address *to)
{
	memset(to, 0, sizeof(*to));
	to->name = d->ship.name;
	to->company = d->ship.company;
	to->address1 = d->ship.address1;
	to->address2 = d->ship.address2;
	to->city = d->ship.city;
	to->province = d->ship.province;
	to->zip = d->ship.zip;
	to->country = d->ship.country;
	to->phone = d->ship.phone;
}

/* Loads order_id's document rows; -1 with err when absent or on error. */
static int
load_order(struct store *s, int64_t order_id, struct store_order_doc **o, char *err, size_t errlen)
{
	int r = store_load_order_doc(s, order_id, o);

	if (r == 1 && (*o)->name != NULL)
		return 0;
	if (r == 1) {
		store_order_doc_free(*o);
		*o = NULL;
	}
	if (r == -1)
		snprintf(err, errlen, "order %lld: database: %s", (long long)order_id,
		    store_strerror(s));
	else
		snprintf(err, errlen, "no order %lld", (long long)order_id);
	return -1;
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
    int64_t package_id, struct labels_out *out, char *title, size_t titlelen, int64_t *order_id,
    char *err, size_t errlen)
{
	struct store_order_doc *o = NULL;
	struct store_package_doc p;
	struct label_doc d;
	struct label_media m;
	int r;

	memset(&d, 0, sizeof(d));
	if ((r = store_load_package(s, package_id, &p)) == -1) {
		snprintf(err, errlen, "database: %s", store_strerror(s));
		return -1;
	}
	if (r == 0 || p.sscc[0] == '\0') {
		snprintf(err, errlen, "no closed package %lld", (long long)package_id);
		return -1;
	}
	*order_id = p.order_id;
	if (load_order(s, p.order_id, &o, err, errlen) == -1)
		return -1;
	d.package_no = p.box;
	d.sscc = p.sscc;
	d.weight_grams = p.weight_grams;
	/* "n of m" once the shipment is complete; "n" while more boxes may follow */
	if (p.shipped)
		d.package_count = p.count;
	ship_to(o, &d.to);
	d.shop_name = c->shop.name;
	shop_address(c, &d.from);
	d.order_name = o->name;
	d.service = o->service;
	d.pickup = o->pickup;
	d.tracking = o->tracking;
	d.carrier = o->carrier;
	r = -1;
	if (label_media_of(sc, &m) == -1)
		snprintf(err, errlen, "label_media %s: unknown size", sc->label_media);
	else {
		snprintf(title, titlelen, "%s package %d label", d.order_name, d.package_no);
		r = label_render(&d, 1, &m, out, err, errlen);
	}
	store_order_doc_free(o);
	return r;
}

int
docs_slip(struct store *s, const struct config *c, const struct station_conf *sc, int64_t order_id,
    struct labels_out *out, char *title, size_t titlelen, char *err, size_t errlen)
{
	struct store_order_doc *o = NULL;
	struct slip_line *lines = NULL;
	struct label_media m;
	struct slip_doc d;
	char wsrc[32];
	size_t i, n = 0;
	int r = -1;

	memset(&d, 0, sizeof(d));
	d.weight_grams = -1;
	if (load_order(s, order_id, &o, err, errlen) == -1)
		return -1;
	if (o->nlines > 0 && (lines = calloc(o->nlines, sizeof(*lines))) == NULL) {
		snprintf(err, errlen, "order %lld: out of memory", (long long)order_id);
		goto done;
	}
	for (i = 0; i < o->nlines; i++) {
		const struct store_doc_line *l = &o->lines[i];

		if (l->requires_shipping && l->remaining < l->quantity)
			d.ships_separately = 1; /* some of it shipped or ships apart */
		if (l->remaining == 0)
			continue;
		lines[n].sku = l->sku;
		lines[n].title = l->title;
		lines[n].variant = l->variant_title;
		lines[n].quantity = l->remaining;
		lines[n].ordered = l->quantity;
		n++;
	}
	ship_to(o, &d.ship_to);
	d.shop_name = c->shop.name;
	shop_address(c, &d.shop);
	d.order_name = o->name;
	d.service = o->pickup ? "Local pickup" : o->service;
	d.order_date = o->created_at;
	d.note = o->note;
	d.gift_message = o->gift_message;
	d.lines = lines;
	d.nlines = n;
	/* boxes packed so far, weighed or computed (issue 15) */
	if (store_order_weight(s, order_id, &d.weight_boxes, &d.weight_grams, wsrc, sizeof(wsrc)) ==
	    -1)
		d.weight_grams = -1;
	d.weight_source = wsrc[0] ? wsrc : NULL;
	labels_media_default_slip(&m);
	if (labels_parse_slip_size(sc->slip_media, &m.size) == -1) {
		snprintf(err, errlen, "slip_media %s: unknown size", sc->slip_media);
		goto done;
	}
	snprintf(title, titlelen, "%s packing slip", d.order_name);
	r = slip_render(&d, &m, out, err, errlen);
done:
	free(lines);
	store_order_doc_free(o);
	return r;
}

int
docs_sheet(const struct config *c, const struct station_conf *sc, struct labels_out *out,
    char *title, size_t titlelen, char *err, size_t errlen)
{
	struct label_media m;
	struct sheet_doc d;
	static char sup[16][64];
	const char *supv[16];
	size_t i;

	(void)c;
	memset(&d, 0, sizeof(d));
	d.bench = sc->name;
	/* supervisors' badges (issue 15): STN:OVERRIDE:<badge>, the PIN typed after */
	d.nsupervisors = checks_pin_badges(sc->override_pins, sup, 16);
	for (i = 0; i < d.nsupervisors; i++)
		supv[i] = sup[i];
	d.supervisor_ids = supv;
	labels_media_default_slip(&m);
	if (labels_parse_slip_size(sc->slip_media, &m.size) == -1) {
		snprintf(err, errlen, "slip_media %s: unknown size", sc->slip_media);
		return -1;
	}
	snprintf(title, titlelen, "%s command sheet", sc->name);
	return sheet_render(&d, &m, out, err, errlen);
}
