/* The store's side of pack sessions: session state, order views, effects. */
#ifndef STATION_STORE_PACK_H
#define STATION_STORE_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "station/core/session.h"

struct store;

/* An order as the session machine sees it; owns its strings and lines. */
struct order_view {
	struct sess_order o;
	struct sess_line *lines;
	size_t nlines;
	char *name, *hold_reason, *station;
	char **strs; /* sku/title copies */
	size_t nstrs;
};

/* Loads the order's view (shippable lines only). NULL if absent or on error. */
struct order_view *store_order_view(struct store *, int64_t order_id);
void order_view_free(struct order_view *); /* NULL ok */

/* A station's persisted state; a zeroed state when it has none. 0 / -1. */
int store_session_load(struct store *, const char *station, struct sess_state *);
int store_session_save(struct store *, const char *station, const struct sess_state *);

/*
 * What a scanned code means as a product: a product code or alias (with its
 * multiplier), else an SKU of some order line. 1 found, 0 not, -1 error.
 */
int store_find_product(
    struct store *, const char *code, char *sku, size_t skulen, int64_t *multiplier);

/* The last counted item scan in the station's open box. 1 / 0 / -1. */
int store_last_item(
    struct store *, const char *station, int64_t order_id, int64_t *line_id, int64_t *units);
/* The package id of this station's last closed package, 0 if none, -1 error. */
int64_t store_last_package(struct store *, const char *station);

/* Inserts a scan row. Returns its id, -1 on error. */
int64_t store_record_scan(struct store *, const char *station, const char *packer, const char *code,
    const char *aim, const char *verdict, int64_t order_id, int64_t line_id, int64_t units,
    int64_t package_id, const char *state);

/* Effects, each inside the caller's transaction; 0 / -1 unless said. */
int store_open_order(struct store *, int64_t order_id, const char *station);
/* The station's open package for the order, created as box `box` if needed; id or -1. */
int64_t store_open_package(struct store *, int64_t order_id, const char *station, int box);
int store_undo_last(struct store *, const char *station, int64_t order_id);
/* Closes the open package with a new SSCC; its id, 0 if none was open, -1 error. */
int64_t store_close_package(
    struct store *, int64_t order_id, const char *station, const char *gs1_prefix, char sscc[19]);
/*
 * Records the shipment of every counted unit of the order at the station:
 * fulfillment rows, packages shipped, order status partial/fulfilled,
 * session closed. Its document is the caller's (store_set_fulfillment_doc;
 * see station/daemon/fulfillment_doc.h). Returns the fulfillment id, -1 on
 * error.
 */
int64_t store_ship(
    struct store *, int64_t order_id, const char *station, const char *packer, int partial);
/* Closes the session without shipping (abandon, cancelled, shipped upstream). */
int store_close_unshipped(struct store *, int64_t order_id, const char *station);

/* Fulfillments whose spool/out file is not written yet (after a crash). */
int store_pending_outbox(struct store *, int64_t **ids, size_t *n);
/* The fulfillment's document (owned by the caller) and its order's name. NULL on error. */
char *store_fulfillment_doc(struct store *, int64_t id, char *order_name, size_t namelen);
int store_mark_outbox(struct store *, int64_t id, const char *name);

/* A recorded shipment as its spool/out document needs it. */
struct store_fulfillment_line {
	int64_t shop_line_id; /* has_shop_line_id */
	int has_shop_line_id;
	char *sku, *name; /* NULL when the line has none */
	int64_t quantity;
};
struct store_fulfillment_package {
	int box;
	char *sscc;		/* NULL while unlabelled */
	int64_t weight_grams;	/* -1: unknown */
	char weight_source[12]; /* "scale", "computed"; "" when unknown */
};
struct store_fulfillment {
	int64_t id;
	int64_t order_shop_id; /* has_order_shop_id */
	int has_order_shop_id;
	char *order_name, *tracking_number, *tracking_company;
	int pickup;
	struct store_fulfillment_line *lines; /* by line position */
	size_t nlines;
	struct store_fulfillment_package *packages; /* by box */
	size_t npackages;
};
/* 0 with *out owned by the caller, -1 on error (no such fulfillment included). */
int store_load_fulfillment(struct store *, int64_t id, struct store_fulfillment **out);
void store_fulfillment_free(struct store_fulfillment *); /* NULL ok */
/* Stores the fulfillment's spool/out document text (inside the shipment's transaction). */
int store_set_fulfillment_doc(struct store *, int64_t id, const char *doc);

#endif
