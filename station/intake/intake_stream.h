/* Streaming order intake: each order handed over as soon as it is parsed. */
#ifndef STATION_INTAKE_STREAM_H
#define STATION_INTAKE_STREAM_H

#include <stddef.h>

#include "station/core/order.h"

/*
 * Called once per order, in file order. The callee owns o (free it with
 * order_free, also when it fails). Return 0 to go on, or -1 after writing
 * one line into err to stop the parse.
 */
typedef int (*intake_order_cb)(void *ctx, struct order *o, char *err,
    size_t errlen);

/*
 * The same formats, checks and messages as intake_parse_orders_json/_csv
 * (station/intake_parse.h), but only one order is held at a time, so
 * importing 100,000 orders needs no 100,000-order array. A file can still
 * turn out bad after some orders were handed over: the caller stores them
 * in one transaction and rolls back when this returns -1. On success *n is
 * the number of orders (at least 1). Pure: no I/O, no globals.
 */
int	intake_stream_orders_json(const char *buf, size_t len,
	    intake_order_cb cb, void *ctx, size_t *n, char *err, size_t errlen);
int	intake_stream_orders_csv(const char *buf, size_t len,
	    intake_order_cb cb, void *ctx, size_t *n, char *err, size_t errlen);

#endif
