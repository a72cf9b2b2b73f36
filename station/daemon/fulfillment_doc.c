/* The spool/out fulfillment document, built from the store's shipment rows. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "station/daemon/fulfillment_doc.h"
#include "station/store/store.h"
#include "station/store/store_pack.h"

static json_t *
int_or_null(int has, int64_t v)
{
	return has ? json_integer((json_int_t)v) : json_null();
}

/* [{"id": null, "lineItemId": "gid://shopify/LineItem/N", "quantity": q}, ...] */
static json_t *
fo_items(const struct store_fulfillment *f)
{
	json_t *a = json_array();
	char gid[64];
	size_t i;

	for (i = 0; a != NULL && i < f->nlines; i++) {
		const struct store_fulfillment_line *l = &f->lines[i];

		snprintf(
		    gid, sizeof(gid), "gid://shopify/LineItem/%lld", (long long)l->shop_line_id);
		json_array_append_new(a,
		    json_pack("{s:n, s:o, s:I}", "id", "lineItemId",
			l->has_shop_line_id ? json_string(gid) : json_null(), "quantity",
			(json_int_t)l->quantity));
	}
	return a;
}

static json_t *
line_items(const struct store_fulfillment *f)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < f->nlines; i++) {
		const struct store_fulfillment_line *l = &f->lines[i];

		json_array_append_new(a,
		    json_pack("{s:o, s:s?, s:s?, s:I}", "id",
			int_or_null(l->has_shop_line_id, l->shop_line_id), "sku", l->sku, "name",
			l->name, "quantity", (json_int_t)l->quantity));
	}
	return a;
}

static json_t *
packages(const struct store_fulfillment *f)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < f->npackages; i++) {
		const struct store_fulfillment_package *p = &f->packages[i];

		json_array_append_new(a,
		    json_pack("{s:i, s:s?, s:o, s:s?}", "box", p->box, "sscc", p->sscc,
			"weight_grams", int_or_null(p->weight_grams >= 0, p->weight_grams),
			"weight_source", p->weight_source[0] ? p->weight_source : NULL));
	}
	return a;
}

static json_t *
doc_of(const struct store_fulfillment *f, const char *station, const char *packer, int partial,
    int notify)
{
	json_t *doc, *tracking = json_null();
	char at[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (f->tracking_number != NULL)
		tracking = json_pack(
		    "{s:s?, s:s?}", "number", f->tracking_number, "company", f->tracking_company);
	doc = json_pack("{s:I, s:o, s:s, s:s, s:s?, s:s, s:b, s:b}", "fulfillment_id",
	    (json_int_t)f->id, "order_id", int_or_null(f->has_order_shop_id, f->order_shop_id),
	    "order_name", f->order_name ? f->order_name : "", "station", station, "packer",
	    packer && *packer ? packer : NULL, "created_at", at, "partial", partial, "pickup",
	    f->pickup);
	if (doc == NULL) {
		json_decref(tracking);
		return NULL;
	}
	/*
	 * After Shopify's fulfillmentCreate FulfillmentInput. The REST order
	 * carries no fulfillment-order ids: each line names its LineItem gid,
	 * which an uploader resolves to the fulfillment order's line item.
	 */
	json_object_set_new(doc, "fulfillment",
	    json_pack("{s:b, s:O, s:[{s:n, s:o}]}", "notifyCustomer", notify, "trackingInfo",
		tracking, "lineItemsByFulfillmentOrder", "fulfillmentOrderId",
		"fulfillmentOrderLineItems", fo_items(f)));
	json_object_set_new(doc, "line_items", line_items(f));
	json_object_set_new(doc, "packages", packages(f));
	json_decref(tracking);
	return doc;
}

char *
fulfillment_doc_build(
    struct store *s, int64_t fid, const char *station, const char *packer, int partial, int notify)
{
	struct store_fulfillment *f;
	json_t *doc;
	char *text;

	if (store_load_fulfillment(s, fid, &f) == -1)
		return NULL;
	doc = doc_of(f, station, packer, partial, notify);
	store_fulfillment_free(f);
	if (doc == NULL)
		return NULL;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

int64_t
fulfillment_record(struct store *s, int64_t order_id, const char *station, const char *packer,
    int partial, int notify)
{
	int64_t fid;
	char *text;
	int r;

	if ((fid = store_ship(s, order_id, station, packer, partial)) == -1)
		return -1;
	if ((text = fulfillment_doc_build(s, fid, station, packer, partial, notify)) == NULL)
		return -1;
	r = store_set_fulfillment_doc(s, fid, text);
	free(text);
	return r == 0 ? fid : -1;
}
