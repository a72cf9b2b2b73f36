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
typedef int (*intake_order_cb)(void *ctx, struct order *o, char *err, size_t errlen);

/*
 * The same formats, checks and messages as intake_parse_orders_json/_csv
 * (station/intake_parse.h), but only one order is held at a time, so
 * importing 100,000 orders needs no 100,000-order array. A file can still
 * turn out bad after some orders were handed over: the caller stores them
 * in one transaction and rolls back when this returns -1. On success *n is
 * the number of orders (at least 1). Pure: no I/O, no globals.
 */
int intake_stream_orders_json(const char *buf, size_t len, intake_order_cb cb, void *ctx, size_t *n,
    char *err, size_t errlen);
int intake_stream_orders_csv(const char *buf, size_t len, intake_order_cb cb, void *ctx, size_t *n,
    char *err, size_t errlen);

/*
 * A file's bytes as the parsers read them: front to back, once. read_past
 * (NULL: none) is told each time the parser will not look at the bytes
 * before off again (except to word an error), so a mapped file's pages
 * behind it can be given back: memory stays constant for any file size.
 */
struct intake_seen;
struct intake_input {
	const char *buf;
	size_t len;
	void (*read_past)(void *arg, size_t off);
	void *arg;
	struct intake_seen *seen; /* NULL: exact duplicate checks */
};

/*
 * An order given twice in one file (same name, or same id) is refused. By
 * default the parsers check with exact sets, whose memory grows with the
 * file (16-32 bytes an order). A caller that reads the file more than once
 * passes its own intake_seen instead: in screen mode a fixed 4 MB Bloom
 * filter that only notes suspects (never refuses); if there are any, a
 * second pass in confirm mode checks just those exactly, with the same
 * messages; further passes switch it off.
 */
enum intake_seen_mode { INTAKE_SEEN_SCREEN = 1, INTAKE_SEEN_CONFIRM, INTAKE_SEEN_OFF };
struct intake_seen *intake_seen_new(void);   /* screen mode; NULL on ENOMEM */
void intake_seen_free(struct intake_seen *); /* NULL ok */
size_t intake_seen_suspects(const struct intake_seen *);
void intake_seen_set_mode(struct intake_seen *, enum intake_seen_mode);

/* The same as above, over an intake_input. */
int intake_stream_orders_json_from(const struct intake_input *, intake_order_cb cb, void *ctx,
    size_t *n, char *err, size_t errlen);
int intake_stream_orders_csv_from(const struct intake_input *, intake_order_cb cb, void *ctx,
    size_t *n, char *err, size_t errlen);
/* intake_parse_products_csv / _codes_csv (intake_parse.h) over an intake_input. */
int intake_parse_products_csv_from(
    const struct intake_input *, struct product_code **out, size_t *n, char *err, size_t errlen);
int intake_parse_codes_csv_from(
    const struct intake_input *, struct product_code **out, size_t *n, char *err, size_t errlen);

#endif
