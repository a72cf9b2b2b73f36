/* Readiness rules: the shop's order data turned into a station status. */
#include <stdio.h>
#include <string.h>

#include "station/core/readiness.h"

static const char *unpaid[] = { "pending", "voided", "refunded", "expired" };

int64_t
readiness_line_remaining(const struct order_line *l, int64_t shipped)
{
	int64_t r;

	if (!l->requires_shipping)
		return 0;
	r = l->quantity - shipped;
	if (l->fulfillable_quantity < r)
		r = l->fulfillable_quantity;
	return r > 0 ? r : 0;
}

static int
is_unpaid(const char *fs)
{
	size_t i;

	if (fs == NULL)
		return 0;
	for (i = 0; i < sizeof(unpaid) / sizeof(unpaid[0]); i++)
		if (strcmp(fs, unpaid[i]) == 0)
			return 1;
	return 0;
}

enum order_status
readiness_of(const struct order *o, const int64_t *shipped, char *reason, size_t reasonlen)
{
	int64_t remaining = 0, done = 0, sh;
	int any_shipping = 0;
	size_t i;

	if (reasonlen)
		reason[0] = '\0';
	if (o->cancelled_at != NULL && *o->cancelled_at != '\0')
		return ORDER_CANCELLED;
	if (is_unpaid(o->financial_status)) {
		snprintf(reason, reasonlen, "not paid (%s)", o->financial_status);
		return ORDER_ON_HOLD;
	}
	for (i = 0; i < o->nlines; i++) {
		const struct order_line *l = &o->lines[i];

		if (!l->requires_shipping)
			continue;
		any_shipping = 1;
		sh = shipped ? shipped[i] : 0;
		remaining += readiness_line_remaining(l, sh);
		done += sh + (l->quantity - l->fulfillable_quantity);
	}
	if (!any_shipping)
		return ORDER_DIGITAL;
	if (remaining == 0)
		return ORDER_FULFILLED;
	return done > 0 ? ORDER_PARTIAL : ORDER_READY;
}

int
readiness_is_pickup(const struct order *o)
{
	size_t i;

	if (o->pickup)
		return 1;
	if (o->has_shipping_address)
		return 0;
	for (i = 0; i < o->nlines; i++)
		if (o->lines[i].requires_shipping)
			return 1;
	return 0;
}
