/*
 * Shopify fulfillment orders (GraphQL JSON nodes, as pulled) mapped onto
 * the station's order model, and shipments mapped back onto fulfillment
 * order line items. Pure: no I/O. Ids are exact 64-bit integers.
 */
#ifndef STATION_SHOP_MAP_H
#define STATION_SHOP_MAP_H

#include <jansson.h>
#include <stdint.h>

#include "station/core/order.h"

struct store_fulfillment;

/* The number at the end of "gid://shopify/Type/N"; 0 if none. */
int64_t shop_gid_number(const char *gid);
/* Whether a fulfillment order status is still to be fulfilled (OPEN, IN_PROGRESS, ON_HOLD, SCHEDULED). */
int shop_fo_is_active(const char *status);
/* Whether the fulfillment order node is assigned to location (a number). */
int shop_fo_is_here(json_t *fo, int64_t location);

/*
 * One station order from every fulfillment order known of one shop order
 * (fos: an array of nodes; only those assigned to location bring lines).
 * Holds become hold_reason ("FulfillmentHoldReason: notes"), cancelled or
 * closed-unfulfilled ones cancel the order when none is left here.
 * Returns a new order (order_free) or NULL if fos names no order.
 */
struct order *shop_map_order(json_t *fos, int64_t location);

/*
 * The fulfillmentCreate input for shipment f: lineItemsByFulfillmentOrder
 * with real fulfillment order and line item gids (each shipped LineItem's
 * quantity spread over the active fulfillment orders here that hold it),
 * and expect: {"gid://shopify/LineItem/N": quantity}, how the shipment is
 * recognised when read back. 0, or -1 if a line cannot be placed (err).
 */
int shop_map_shipment(json_t *fos, int64_t location, const struct store_fulfillment *f,
    json_t **lbfo, json_t **expect, char *err, size_t errlen);

#endif
