/*
 * The control layer's replies over the store's rows: the order list, one
 * order, the station log and the statistics as tables (for stationctl's
 * text/CSV/JSON output) or JSON. The store knows nothing of either.
 */
#ifndef STATION_REPLIES_H
#define STATION_REPLIES_H

#include <jansson.h>
#include <stdint.h>

#include "station/store/store_query.h"

struct store;
struct table;

/* {"ready": n, "on_hold": n, ...}: orders per status (empty on error). New reference. */
json_t *replies_order_counts(struct store *);
/* The order list (optionally one status), oldest first. NULL on error (store_strerror). */
struct table *replies_orders(struct store *, const char *status);
/* One order with lines, packages and shipments. NULL if absent; *err set on error. */
json_t *replies_order(struct store *, const char *name, int *err);
/* Events matching f, oldest first; *last_id gets the highest id seen. NULL on error. */
struct table *replies_log(struct store *, const struct log_filter *f, int64_t *last_id);
/* Statistics since/until grouped by "packer", "station", "hour", "day" or NULL (all). */
struct table *replies_stats(struct store *, int64_t since_ms, int64_t until_ms, const char *by);

#endif
