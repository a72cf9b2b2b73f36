/* Readiness rules: what the shop's order data means at the station. Pure. */
#ifndef STATION_READINESS_H
#define STATION_READINESS_H

#include <stddef.h>
#include <stdint.h>

#include "station/core/order.h"
#include "station/core/session.h"

/*
 * Units of line l still to ship from this station, given `shipped` units the
 * station already shipped for it: 0 for digital lines, else
 * max(0, min(fulfillable_quantity, quantity - shipped)). The min() keeps a
 * re-import honest whether or not the shop has heard of our shipments yet.
 */
int64_t	readiness_line_remaining(const struct order_line *l, int64_t shipped);

/*
 * The shop-side status: CANCELLED (cancelled_at set), ON_HOLD (unpaid:
 * pending, voided, refunded, expired; reason written), DIGITAL (no line
 * requires shipping), FULFILLED (nothing left), PARTIAL (something already
 * shipped, here or upstream), else READY. shipped[i] is for o->lines[i]
 * (NULL: none).
 */
enum order_status readiness_of(const struct order *o, const int64_t *shipped,
	    char *reason, size_t reasonlen);

/*
 * A local pickup: the shop says so (order.pickup), or there is something to
 * hand over and no shipping address to send it to. (Shopify's REST orders
 * name a pickup only by the location's address in shipping_lines.)
 */
int	readiness_is_pickup(const struct order *o);

#endif
