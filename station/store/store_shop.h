/*
 * The store's side of shop sync (station/shop/): the shop's fulfillment
 * orders as last read (raw JSON text, engine-neutral), the push of each
 * shipment (one row per fulfillment, created in the shipment's own
 * transaction), and a small key/value state (pull cursor time). Same error
 * conventions as store.h; strings returned are the caller's to free.
 */
#ifndef STATION_STORE_SHOP_H
#define STATION_STORE_SHOP_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Push states: the users' contract (stationctl pushes). */
#define PUSH_PENDING "pending" /* not sent yet, or known not applied */
#define PUSH_SENDING "sending" /* sent; outcome unknown until read back */
#define PUSH_DONE    "done"    /* the shop has it (shop_fulfillment) */
#define PUSH_REFUSED "refused" /* userErrors: kept, never retried blindly */

struct store_push_row {
	int64_t fulfillment_id;
	int64_t order_id; /* station order row */
	char *order_name;
	char *state;
	char *payload;		/* {"fulfillment":..., "message":..., "expect":...} */
	char *shop_fulfillment; /* gid once done, else NULL */
	char *error;		/* the shop's words, or the last transport error */
	int64_t attempts;
	int64_t first_sent_ms; /* 0: never sent */
	int64_t created_ms, updated_ms;
};

/* The engine's operations for this header (struct store_ops.shop). */
struct store_shop_ops {
	int (*put_fo)(struct store *, int64_t fo_id, int64_t order_shop_id, int here,
	    const char *status, const char *doc);
	int (*order_fos)(struct store *, int64_t order_shop_id, char ***docs, size_t *n);
	int (*get_state)(struct store *, const char *key, char **value);
	int (*set_state)(struct store *, const char *key, const char *value);
	int (*add_push)(struct store *, int64_t fid, int64_t order_id, const char *payload);
	int (*list_pushes)(struct store *, const char *state, int64_t fid,
	    struct store_push_row **rows, size_t *n);
	int (*update_push)(struct store *, int64_t fid, const char *state, int64_t attempts,
	    int64_t first_sent_ms, const char *shop_fulfillment, const char *error);
	int (*push_claimed)(struct store *, const char *shop_fulfillment);
	int (*order_shop_id)(struct store *, int64_t order_id, int64_t *shop_id);
};

/* Keeps the fulfillment order's latest JSON (here: assigned to our location). 0 / -1. */
int store_shop_put_fo(struct store *, int64_t fo_id, int64_t order_shop_id, int here,
    const char *status, const char *doc);
/* Every kept fulfillment order of a shop order, as JSON texts (caller frees). 0 / -1. */
int store_shop_order_fos(struct store *, int64_t order_shop_id, char ***docs, size_t *n);
/* A state value (*value NULL if unset, caller frees). 0 / -1. */
int store_shop_get_state(struct store *, const char *key, char **value);
int store_shop_set_state(struct store *, const char *key, const char *value);
/*
 * The push of shipment fid (inside the shipment's transaction), state
 * pending; an existing row gets the new payload and is pending again. 0 / -1.
 */
int store_shop_add_push(struct store *, int64_t fid, int64_t order_id, const char *payload);
/* Pushes in state (NULL: all; "failed": refused), or only fid when fid > 0; by id. 0 / -1. */
int store_shop_list_pushes(
    struct store *, const char *state, int64_t fid, struct store_push_row **rows, size_t *n);
void store_push_rows_free(struct store_push_row *, size_t);
/* Writes a push's state; shop_fulfillment / error NULL clear them. 0 / -1. */
int store_shop_update_push(struct store *, int64_t fid, const char *state, int64_t attempts,
    int64_t first_sent_ms, const char *shop_fulfillment, const char *error);
/* Whether a shop fulfillment gid is recorded by some push already: 1 / 0 / -1. */
int store_shop_push_claimed(struct store *, const char *shop_fulfillment);
/* The shop's order id of a station order: 1 (has one) / 0 / -1. */
int store_shop_order_shop_id(struct store *, int64_t order_id, int64_t *shop_id);

#endif
