/* Parsers for what arrives in spool/in: Shopify order JSON and CSV, product codes. */
#ifndef STATION_INTAKE_PARSE_H
#define STATION_INTAKE_PARSE_H

#include <stddef.h>

#include "station/core/order.h"

enum intake_kind {
	INTAKE_UNKNOWN = 0,
	INTAKE_ORDERS_JSON,  /* order object, {"order":{}}, {"orders":[]} */
	INTAKE_ORDERS_CSV,   /* Shopify Admin order export ("Lineitem quantity") */
	INTAKE_PRODUCTS_CSV, /* Shopify product export ("Variant SKU", "Variant Barcode") */
	INTAKE_CODES_CSV     /* plain "barcode,sku,multiplier" alias / case-pack list */
};

/* Decides what buf holds from its content (not its name). Never fails. */
enum intake_kind intake_detect(const char *buf, size_t len);
/* For a file intake_detect calls unknown: what is wrong with it, in words. */
const char *intake_detect_why(const char *buf, size_t len);

/*
 * Each parser reads the whole buffer (UTF-8, optional BOM). On success it
 * returns 0 and hands the caller a malloc'ed array (free with
 * order_array_free / product_codes_free); *n is at least 1 (a file
 * with nothing usable is an error). On any error it returns -1, writes nothing to out/n, and puts one
 * line in err naming where: "line 12, column 5: ...", or
 * "order #1001: line_items[2].quantity: expected an integer". Nothing is
 * allocated on the error path. Pure functions: no I/O, no globals.
 */
int intake_parse_orders_json(
    const char *buf, size_t len, struct order ***out, size_t *n, char *err, size_t errlen);
int intake_parse_orders_csv(
    const char *buf, size_t len, struct order ***out, size_t *n, char *err, size_t errlen);
int intake_parse_products_csv(
    const char *buf, size_t len, struct product_code **out, size_t *n, char *err, size_t errlen);
int intake_parse_codes_csv(
    const char *buf, size_t len, struct product_code **out, size_t *n, char *err, size_t errlen);

#endif
