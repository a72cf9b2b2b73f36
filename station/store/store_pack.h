/* The store's side of pack sessions: session state, order views, effects. */
#ifndef STATION_STORE_PACK_H
#define STATION_STORE_PACK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "station/core/session.h"

struct store;

/* An order as the session machine sees it; owns its strings and lines. */
struct order_view {
	struct sess_order	 o;
	struct sess_line	*lines;
	size_t			 nlines;
	char			*name, *hold_reason, *station;
	char			**strs;		/* sku/title copies */
	size_t			 nstrs;
};

/* Loads the order's view (shippable lines only). NULL if absent or on error. */
struct order_view *store_order_view(struct store *, int64_t order_id);
void	order_view_free(struct order_view *);			/* NULL ok */

/* A station's persisted state; a zeroed state when it has none. 0 / -1. */
int	store_session_load(struct store *, const char *station, struct sess_state *);
int	store_session_save(struct store *, const char *station, const struct sess_state *);

/*
 * What a scanned code means as a product: a product code or alias (with its
 * multiplier), else an SKU of some order line. 1 found, 0 not, -1 error.
 */
int	store_find_product(struct store *, const char *code, char *sku, size_t skulen,
	    int64_t *multiplier);

/* The last counted item scan in the station's open box. 1 / 0 / -1. */
int	store_last_item(struct store *, const char *station, int64_t order_id,
	    int64_t *line_id, int64_t *units);
/* The package id of this station's last closed package, 0 if none, -1 error. */
int64_t	store_last_package(struct store *, const char *station);

/* Inserts a scan row. Returns its id, -1 on error. */
int64_t	store_record_scan(struct store *, const char *station, const char *packer,
	    const char *code, const char *aim, const char *verdict, int64_t order_id,
	    int64_t line_id, int64_t units, int64_t package_id, const char *state);

/* Effects, each inside the caller's transaction; 0 / -1 unless said. */
int	store_open_order(struct store *, int64_t order_id, const char *station);
/* The station's open package for the order, created as box `box` if needed; id or -1. */
int64_t	store_open_package(struct store *, int64_t order_id, const char *station, int box);
int	store_undo_last(struct store *, const char *station, int64_t order_id);
/* Closes the open package with a new SSCC; its id, 0 if none was open, -1 error. */
int64_t	store_close_package(struct store *, int64_t order_id, const char *station,
	    const char *gs1_prefix, char sscc[19]);
/*
 * Records the shipment of every counted unit of the order at the station:
 * fulfillment rows, packages shipped, order status partial/fulfilled,
 * session closed. Returns the fulfillment id, -1 on error.
 */
int64_t	store_ship(struct store *, int64_t order_id, const char *station,
	    const char *packer, int partial, int notify_customer);
/* Closes the session without shipping (abandon, cancelled, shipped upstream). */
int	store_close_unshipped(struct store *, int64_t order_id, const char *station);

/* Fulfillments whose spool/out file is not written yet (after a crash). */
int	store_pending_outbox(struct store *, int64_t **ids, size_t *n);
/* The fulfillment's document (owned by the caller) and its order's name. NULL on error. */
char	*store_fulfillment_doc(struct store *, int64_t id, char *order_name, size_t namelen);
int	store_mark_outbox(struct store *, int64_t id, const char *name);

#endif
