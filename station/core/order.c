/* Freeing the order model. */
#include <stdlib.h>

#include "station/core/order.h"

static void
address_clear(struct address *a)
{
	free(a->name);
	free(a->first_name);
	free(a->last_name);
	free(a->company);
	free(a->address1);
	free(a->address2);
	free(a->city);
	free(a->province);
	free(a->province_code);
	free(a->zip);
	free(a->country);
	free(a->country_code);
	free(a->phone);
}

void
order_free(struct order *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nlines; i++) {
		struct order_line *l = &o->lines[i];

		free(l->sku);
		free(l->title);
		free(l->variant_title);
		free(l->name);
		free(l->fulfillment_status);
	}
	free(o->lines);
	free(o->name);
	free(o->email);
	free(o->created_at);
	free(o->financial_status);
	free(o->fulfillment_status);
	free(o->cancelled_at);
	free(o->cancel_reason);
	free(o->note);
	free(o->gift_message);
	free(o->tags);
	free(o->hold_reason);
	address_clear(&o->ship);
	free(o->shipping_title);
	free(o->shipping_code);
	free(o->tracking_number);
	free(o->tracking_company);
	free(o);
}

void
order_array_free(struct order **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		order_free(v[i]);
	free(v);
}

void
product_codes_free(struct product_code *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].code);
		free(v[i].sku);
	}
	free(v);
}
