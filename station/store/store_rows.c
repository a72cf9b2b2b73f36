/* Freeing the store's row structs: plain memory, the same for every engine. */
#include <stdlib.h>

#include "station/store/store.h"
#include "station/store/store_docs.h"
#include "station/store/store_pack.h"
#include "station/store/store_query.h"

void
order_view_free(struct order_view *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nstrs; i++)
		free(v->strs[i]);
	free(v->strs);
	free(v->lines);
	free(v->name);
	free(v->hold_reason);
	free(v->station);
	free(v);
}

void
store_fulfillment_free(struct store_fulfillment *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nlines; i++) {
		free(f->lines[i].sku);
		free(f->lines[i].name);
	}
	for (i = 0; i < f->npackages; i++)
		free(f->packages[i].sscc);
	free(f->lines);
	free(f->packages);
	free(f->order_name);
	free(f->tracking_number);
	free(f->tracking_company);
	free(f);
}

void
store_order_rows_free(struct store_order_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].status);
		free(v[i].ship_to);
		free(v[i].city);
		free(v[i].country);
		free(v[i].delivery);
		free(v[i].station);
		free(v[i].reason);
	}
	free(v);
}

void
store_order_detail_free(struct store_order_detail *d)
{
	struct store_address *a;
	size_t i;

	if (d == NULL)
		return;
	a = &d->ship;
	free(d->name);
	free(d->status);
	free(d->hold_reason);
	free(d->station);
	free(d->hold_source);
	free(d->created_at);
	free(d->financial_status);
	free(d->cancelled_at);
	free(d->cancel_reason);
	free(d->note);
	free(d->gift_message);
	free(d->tags);
	free(d->email);
	free(d->shipping_title);
	free(d->shipping_code);
	free(d->tracking_number);
	free(d->tracking_company);
	free(a->name);
	free(a->first_name);
	free(a->last_name);
	free(a->company);
	free(a->address1);
	free(a->address2);
	free(a->city);
	free(a->province);
	free(a->zip);
	free(a->country);
	free(a->country_code);
	free(a->phone);
	for (i = 0; i < d->nlines; i++) {
		free(d->lines[i].sku);
		free(d->lines[i].title);
		free(d->lines[i].variant_title);
	}
	free(d->lines);
	for (i = 0; i < d->npackages; i++) {
		free(d->packages[i].sscc);
		free(d->packages[i].state);
		free(d->packages[i].station);
	}
	free(d->packages);
	for (i = 0; i < d->nfulfillments; i++) {
		free(d->fulfillments[i].station);
		free(d->fulfillments[i].packer);
		free(d->fulfillments[i].file);
	}
	free(d->fulfillments);
	free(d);
}

void
store_event_rows_free(struct store_event_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].station);
		free(v[i].order);
		free(v[i].packer);
		free(v[i].kind);
		free(v[i].verdict);
		free(v[i].message);
		free(v[i].code);
		free(v[i].aim);
	}
	free(v);
}

void
store_stats_rows_free(struct store_stats_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].group);
	free(v);
}

void
store_order_doc_free(struct store_order_doc *d)
{
	struct store_address *a;
	size_t i;

	if (d == NULL)
		return;
	a = &d->ship;
	free(d->name);
	free(d->service);
	free(d->tracking);
	free(d->carrier);
	free(d->created_at);
	free(d->note);
	free(d->gift_message);
	free(a->name);
	free(a->company);
	free(a->address1);
	free(a->address2);
	free(a->city);
	free(a->province);
	free(a->zip);
	free(a->country);
	free(a->phone);
	for (i = 0; i < d->nlines; i++) {
		free(d->lines[i].sku);
		free(d->lines[i].title);
		free(d->lines[i].variant_title);
	}
	free(d->lines);
	free(d);
}

void
store_names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
