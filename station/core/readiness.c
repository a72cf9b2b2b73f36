/* Readiness rules: the shop's order data turned into a station status. */
#include <stdio.h>
#include <string.h>

#include "station/core/readiness.h"

static const char *unpaid[] = { "pending", "voided", "refunded", "expired" };

struct order_qty
readiness_line_qty(const struct order_line *l, int64_t shipped, int64_t acked)
{
	struct order_qty q;

	q.quantity = l->quantity;
	q.fulfillable = l->fulfillable_quantity;
	q.requires_shipping = l->requires_shipping;
	q.removed = 0;
	q.shipped = shipped;
	q.acked = acked;
	return q;
}

int64_t
readiness_line_remaining(const struct order_line *l, int64_t shipped, int64_t acked)
{
	struct order_qty q = readiness_line_qty(l, shipped, acked);

	return order_qty_remaining(&q);
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
readiness_of(const struct order *o, const int64_t *shipped, const int64_t *acked, char *reason,
    size_t reasonlen)
{
	struct order_tally t = { 0, 0 };
	size_t i;

	if (reasonlen)
		reason[0] = '\0';
	if (o->cancelled_at != NULL && *o->cancelled_at != '\0')
		return ORDER_CANCELLED;
	if (o->hold_reason != NULL) {
		snprintf(reason, reasonlen, "%s", o->hold_reason);
		return ORDER_ON_HOLD;
	}
	if (is_unpaid(o->financial_status)) {
		snprintf(reason, reasonlen, "not paid (%s)", o->financial_status);
		return ORDER_ON_HOLD;
	}
	for (i = 0; i < o->nlines; i++) {
		struct order_qty q = readiness_line_qty(
		    &o->lines[i], shipped ? shipped[i] : 0, acked ? acked[i] : 0);

		order_tally_add(&t, &q);
	}
	return order_tally_status(&t);
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
