/*
 * What the station's documents (labels, packing slips) need of an order or
 * a package, as plain structs; every string owned by the struct and freed
 * by its _free, NULL where the store has none.
 */
#ifndef STATION_STORE_DOCS_H
#define STATION_STORE_DOCS_H

#include <stddef.h>
#include <stdint.h>

#include "station/store/store_query.h"

struct store;

struct store_doc_line {
	char *sku, *title, *variant_title;
	int64_t quantity;  /* ordered (after edits) */
	int64_t remaining; /* still to ship from here */
	int requires_shipping;
};

struct store_order_doc {
	char *name, *service, *tracking, *carrier;
	char *created_at, *note, *gift_message;
	int pickup;
	/*
	 * Printable: name is the shop's or first + last, province the code
	 * if known, country the name if known (first_name, last_name and
	 * country_code stay NULL).
	 */
	struct store_address ship;
	struct store_doc_line *lines; /* lines not removed, by position */
	size_t nlines;
};

/* 1 found (*out owned by the caller), 0 no such order, -1 error. */
int store_load_order_doc(struct store *, int64_t order_id, struct store_order_doc **out);
void store_order_doc_free(struct store_order_doc *); /* NULL ok */

struct store_package_doc {
	int64_t order_id;
	int box;
	char sscc[19];	      /* "" while the package is open */
	int64_t weight_grams; /* -1: unknown */
	int shipped;	      /* its shipment is recorded */
	int count;	      /* packages in that shipment (when shipped) */
};

/* 1 found (written to *out), 0 no such package, -1 error. */
int store_load_package(struct store *, int64_t package_id, struct store_package_doc *out);

#endif
