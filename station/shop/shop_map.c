/* Fulfillment orders ⇄ station orders: the mapping rules of issue 12, pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/shop/shop_map.h"
#include "station/store/store_pack.h"

int64_t
shop_gid_number(const char *gid)
{
	const char *p;
	char *end;
	long long n;

	if (gid == NULL || (p = strrchr(gid, '/')) == NULL)
		p = gid;
	else
		p++;
	if (p == NULL || *p < '0' || *p > '9')
		return 0;
	n = strtoll(p, &end, 10);
	return *end == '\0' || *end == '?' ? (int64_t)n : 0;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static char *
jdup(json_t *o, const char *k)
{
	const char *s = jstr(o, k);

	return s ? strdup(s) : NULL;
}

static int64_t
jint(json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

int
shop_fo_is_active(const char *st)
{
	return st &&
	    (!strcmp(st, "OPEN") || !strcmp(st, "IN_PROGRESS") || !strcmp(st, "ON_HOLD") ||
		!strcmp(st, "SCHEDULED"));
}

int
shop_fo_is_here(json_t *fo, int64_t location)
{
	json_t *loc = json_object_get(json_object_get(fo, "assignedLocation"), "location");

	return shop_gid_number(jstr(loc, "id")) == location;
}

static json_t *
fo_lines(json_t *fo)
{
	json_t *li = json_object_get(fo, "lineItems");

	return json_is_array(li) ? li : json_object_get(li, "nodes");
}

/* Grams per unit from a Weight {unit, value}; -1 if unknown. */
static int64_t
grams_of(json_t *w)
{
	const char *u = jstr(w, "unit");
	double v = json_number_value(json_object_get(w, "value"));

	if (u == NULL || !json_is_number(json_object_get(w, "value")))
		return -1;
	if (!strcmp(u, "GRAMS"))
		return (int64_t)(v + 0.5);
	if (!strcmp(u, "KILOGRAMS"))
		return (int64_t)(v * 1000 + 0.5);
	if (!strcmp(u, "OUNCES"))
		return (int64_t)(v * 28.349523125 + 0.5);
	if (!strcmp(u, "POUNDS"))
		return (int64_t)(v * 453.59237 + 0.5);
	return -1;
}

/* Adds (or merges by LineItem id) one fulfillment order line into o. 0 / -1. */
static int
add_line(struct order *o, json_t *fl, int no_delivery)
{
	json_t *li = json_object_get(fl, "lineItem"), *var = json_object_get(li, "variant"),
	       *rs = json_object_get(li, "requiresShipping");
	int64_t id = shop_gid_number(jstr(li, "id"));
	struct order_line *l, *nl;
	size_t i;

	for (i = 0; id != 0 && i < o->nlines; i++)
		if (o->lines[i].id == id) {
			o->lines[i].quantity += jint(fl, "totalQuantity");
			o->lines[i].fulfillable_quantity += jint(fl, "remainingQuantity");
			return 0;
		}
	if ((nl = realloc(o->lines, (o->nlines + 1) * sizeof(*nl))) == NULL)
		return -1;
	o->lines = nl;
	l = &o->lines[o->nlines++];
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->sku = jstr(li, "sku") ? jdup(li, "sku") : jdup(fl, "sku");
	if (l->sku && *l->sku == '\0') {
		free(l->sku);
		l->sku = NULL;
	}
	l->title = jstr(li, "title") ? jdup(li, "title") : jdup(fl, "productTitle");
	l->variant_title = jstr(li, "variantTitle") ? jdup(li, "variantTitle") : jdup(var, "title");
	l->name = jdup(li, "name");
	l->quantity = jint(fl, "totalQuantity");
	l->fulfillable_quantity = jint(fl, "remainingQuantity");
	l->requires_shipping = no_delivery ? 0 : (json_is_boolean(rs) ? json_is_true(rs) : 1);
	l->grams = grams_of(json_object_get(fl, "weight"));
	return 0;
}

static void
set_destination(struct order *o, json_t *d)
{
	struct address *a = &o->ship;
	char name[300];

	if (!json_is_object(d))
		return;
	o->has_shipping_address = jstr(d, "address1") != NULL;
	a->first_name = jdup(d, "firstName");
	a->last_name = jdup(d, "lastName");
	snprintf(name, sizeof(name), "%s%s%s", a->first_name ? a->first_name : "",
	    a->first_name && a->last_name ? " " : "", a->last_name ? a->last_name : "");
	a->name = name[0] ? strdup(name) : NULL;
	a->company = jdup(d, "company");
	a->address1 = jdup(d, "address1");
	a->address2 = jdup(d, "address2");
	a->city = jdup(d, "city");
	a->province = jdup(d, "province");
	a->zip = jdup(d, "zip");
	a->country_code = jdup(d, "countryCode");
	a->country = jdup(d, "countryCode");
	a->phone = jdup(d, "phone");
	if (o->email == NULL)
		o->email = jdup(d, "email");
}

/* "FulfillmentHoldReason: notes; ..." of an on-hold fulfillment order. */
static void
add_holds(char *buf, size_t len, json_t *fo)
{
	json_t *holds = json_object_get(fo, "fulfillmentHolds"), *h;
	size_t i, n;

	if (strcmp(jstr(fo, "status"), "SCHEDULED") == 0 && json_array_size(holds) == 0) {
		n = strlen(buf);
		snprintf(buf + n, len - n, "%sSCHEDULED: not to be fulfilled yet", n ? "; " : "");
		return;
	}
	json_array_foreach(holds, i, h)
	{
		const char *r = jstr(h, "reason"), *notes = jstr(h, "reasonNotes");

		n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s%s%s", n ? "; " : "", r ? r : "OTHER",
		    notes && *notes ? ": " : "", notes && *notes ? notes : "");
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "ON_HOLD");
}

/* Lines here, every unit fulfilled: a closed fulfillment order is done, not cancelled. */
static int
order_fully_shipped(const struct order *o)
{
	size_t i;

	for (i = 0; i < o->nlines; i++)
		if (o->lines[i].fulfillable_quantity > 0)
			return 0;
	return o->nlines > 0;
}

struct order *
shop_map_order(json_t *fos, int64_t location)
{
	struct order *o;
	char hold[600] = "";
	int here = 0, live = 0, pickup = 0;
	json_t *fo, *fl;
	size_t i, k;

	if (json_array_size(fos) == 0 || (o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	fo = json_array_get(fos, 0);
	o->id = shop_gid_number(jstr(fo, "orderId"));
	o->name = jdup(fo, "orderName");
	o->financial_status = strdup("paid");
	if (o->name == NULL || o->financial_status == NULL || o->id == 0) {
		order_free(o);
		return NULL;
	}
	json_array_foreach(fos, i, fo)
	{
		const char *st = jstr(fo, "status"), *method;
		int active = shop_fo_is_active(st), no_delivery;
		int done = st && !strcmp(st, "CLOSED");

		if (!shop_fo_is_here(fo, location))
			continue;
		here++;
		method = jstr(json_object_get(fo, "deliveryMethod"), "methodType");
		no_delivery = method && !strcmp(method, "NONE");
		json_array_foreach(fo_lines(fo), k, fl) if (active || done)
		{
			/* closed with units left unfulfilled: the shop withdrew them */
			if (done && jint(fl, "remainingQuantity") > 0)
				continue;
			if (add_line(o, fl, no_delivery) == -1) {
				order_free(o);
				return NULL;
			}
		}
		if (!active)
			continue;
		live++;
		if (method && !strcmp(method, "PICK_UP"))
			pickup = 1;
		if (st && (!strcmp(st, "ON_HOLD") || !strcmp(st, "SCHEDULED")))
			add_holds(hold, sizeof(hold), fo);
		if (o->has_shipping_address == 0 && o->ship.address1 == NULL)
			set_destination(o, json_object_get(fo, "destination"));
	}
	o->pickup = pickup;
	if (hold[0] && (o->hold_reason = strdup(hold)) == NULL) {
		order_free(o);
		return NULL;
	}
	if (live == 0 && !order_fully_shipped(o)) {
		fo = json_array_get(fos, json_array_size(fos) - 1);
		o->cancelled_at = jdup(fo, "updatedAt");
		if (o->cancelled_at == NULL)
			o->cancelled_at = strdup("upstream");
		o->cancel_reason = strdup(
		    here ? "cancelled or closed in the shop" : "moved to another location");
	}
	return o;
}

/* Adds {id, quantity} for one fulfillment order line to lbfo's entry for fo_gid. */
static int
place(json_t *lbfo, const char *fo_gid, const char *fol_gid, int64_t q)
{
	json_t *e = NULL, *items;
	size_t i;

	json_array_foreach(
	    lbfo, i, e) if (strcmp(jstr(e, "fulfillmentOrderId"), fo_gid) == 0) break;
	if (i == json_array_size(lbfo)) {
		e = json_pack(
		    "{s:s, s:[]}", "fulfillmentOrderId", fo_gid, "fulfillmentOrderLineItems");
		if (e == NULL || json_array_append_new(lbfo, e) == -1)
			return -1;
	}
	items = json_object_get(e, "fulfillmentOrderLineItems");
	return json_array_append_new(
	    items, json_pack("{s:s, s:I}", "id", fol_gid, "quantity", (json_int_t)q));
}

/* Spreads q units of LineItem line_id over the active fulfillment orders here. */
static int64_t
spread(json_t *fos, int64_t location, int64_t line_id, int64_t q, json_t *lbfo)
{
	json_t *fo, *fl;
	size_t i, k;

	json_array_foreach(fos, i, fo)
	{
		if (q == 0)
			break;
		if (!shop_fo_is_here(fo, location) || !shop_fo_is_active(jstr(fo, "status")))
			continue;
		json_array_foreach(fo_lines(fo), k, fl)
		{
			int64_t rem = jint(fl, "remainingQuantity"), take;

			if (shop_gid_number(jstr(json_object_get(fl, "lineItem"), "id")) !=
				line_id ||
			    rem <= 0)
				continue;
			take = rem < q ? rem : q;
			if (place(lbfo, jstr(fo, "id"), jstr(fl, "id"), take) == -1)
				return -1;
			q -= take;
			if (q == 0)
				break;
		}
	}
	return q;
}

int
shop_map_shipment(json_t *fos, int64_t location, const struct store_fulfillment *f, json_t **lbfo,
    json_t **expect, char *err, size_t errlen)
{
	json_t *a = json_array(), *x = json_object();
	char gid[64];
	size_t i;
	int64_t left;

	if (a == NULL || x == NULL)
		goto fail;
	for (i = 0; i < f->nlines; i++) {
		const struct store_fulfillment_line *l = &f->lines[i];

		if (l->quantity <= 0)
			continue;
		if (!l->has_shop_line_id) {
			snprintf(
			    err, errlen, "line %s has no shop line item id", l->sku ? l->sku : "?");
			goto fail;
		}
		if ((left = spread(fos, location, l->shop_line_id, l->quantity, a)) != 0) {
			snprintf(err, errlen,
			    "line %s: %lld unit(s) not open in any fulfillment"
			    " order at this location",
			    l->sku ? l->sku : "?", (long long)left);
			goto fail;
		}
		snprintf(
		    gid, sizeof(gid), "gid://shopify/LineItem/%lld", (long long)l->shop_line_id);
		json_object_set_new(x, gid,
		    json_integer(
			(json_int_t)(l->quantity + json_integer_value(json_object_get(x, gid)))));
	}
	if (json_array_size(a) == 0) {
		snprintf(err, errlen, "nothing to push");
		goto fail;
	}
	*lbfo = a;
	*expect = x;
	return 0;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	json_decref(a);
	json_decref(x);
	return -1;
}
