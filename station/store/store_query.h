/* Read-only queries for stationctl: orders, one order, the log, statistics. */
#ifndef STATION_STORE_QUERY_H
#define STATION_STORE_QUERY_H

#include <jansson.h>
#include <stdint.h>

struct store;
struct table;

/* {"ready": n, "on_hold": n, ...}: orders per status (empty on error). */
json_t		*query_order_counts(struct store *);
/* The order list (optionally one status), oldest first. NULL on error. */
struct table	*query_orders(struct store *, const char *status);
/* One order with lines, packages, shipments and its log. NULL if absent; *err set on error. */
json_t		*query_order(struct store *, const char *name, int *err);

struct log_filter {
	int64_t		 since_ms, until_ms;	/* 0: open */
	const char	*station, *order, *packer, *kind;
	int		 errors_only;
	int64_t		 after_id;		/* for --follow */
	int64_t		 limit;			/* 0: none */
};
/* Events matching f, oldest first; *last_id gets the highest id seen. */
struct table	*query_log(struct store *, const struct log_filter *f, int64_t *last_id);

/* Statistics since/until grouped by "packer", "station", "hour", "day" or NULL (all). */
struct table	*query_stats(struct store *, int64_t since_ms, int64_t until_ms, const char *by);

#endif
