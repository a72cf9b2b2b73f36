/* Readiness rules: what the shop's order data means at the station. Pure. */
#ifndef STATION_READINESS_H
#define STATION_READINESS_H

#include <stddef.h>
#include <stdint.h>

#include "station/core/order.h"
#include "station/core/order_state.h"

/*
 * Line l's quantities for the lifecycle rules (order_state.h), given the
 * `shipped` units this station shipped for it and the `acked` of those the
 * shop has already taken off its fulfillable quantity.
 */
struct order_qty readiness_line_qty(const struct order_line *l, int64_t shipped, int64_t acked);
/* Units of line l still to ship from this station: order_qty_remaining of the above. */
int64_t readiness_line_remaining(const struct order_line *l, int64_t shipped, int64_t acked);

/*
 * The shop-side status: CANCELLED (cancelled_at set), ON_HOLD (unpaid:
 * pending, voided, refunded, expired; reason written), DIGITAL (no line
 * requires shipping), FULFILLED (nothing left), PARTIAL (something already
 * shipped, here or upstream), else READY (order_state_of_lines). shipped[i] and acked[i] are for
 * o->lines[i] (NULL: none). A line with quantity 0 ships nothing: an order
 * of only such lines is DIGITAL (nothing to ship), never FULFILLED.
 */
enum order_status readiness_of(const struct order *o, const int64_t *shipped, const int64_t *acked,
    char *reason, size_t reasonlen);

/*
 * A local pickup: the shop says so (order.pickup), or there is something to
 * hand over and no shipping address to send it to. (Shopify's REST orders
 * name a pickup only by the location's address in shipping_lines.)
 */
int readiness_is_pickup(const struct order *o);

#endif
