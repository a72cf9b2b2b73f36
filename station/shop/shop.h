/*
 * Shop sync (issue 12): pulls this location's fulfillment orders from
 * Shopify's Admin GraphQL API into the store and pushes every shipment
 * back with fulfillmentCreate, exactly once. Runs inside the daemon's loop
 * (libcurl multi): no function here blocks on the network, and scan
 * verdicts never wait for it.
 */
#ifndef STATION_SHOP_H
#define STATION_SHOP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;
struct shop;
struct shopify_conf;
struct store;

/*
 * Starts shop sync when the configuration has [shopify] (d->shop stays
 * NULL otherwise): reads the token, schedules the first pull now. 0 / -1.
 */
int shop_start(struct daemon *);
/* Stops it (a request in flight is dropped; a push sent stays "sending"). */
void shop_stop(struct daemon *);

/*
 * Inside the shipment's transaction: records the push of fulfillment fid
 * (fulfillmentCreate input with the real fulfillment order ids) and puts
 * those ids into its spool/out document. A shipment that cannot be mapped
 * (an order from a file) gets a refused push with the reason. -1 only on
 * a store error. Does no I/O but the store's.
 */
int shop_push_record(const struct shopify_conf *, struct store *, int64_t fid);
/* After the shipment's commit: send what is pending. NULL ok. */
void shop_kick(struct shop *);
/* Re-reads one station order's fulfillment orders in the background. NULL ok. */
void shop_refresh_order(struct shop *, int64_t order_id);

/*
 * POST /webhooks/shopify, for the web console (the HTTP server is its):
 * topic = X-Shopify-Topic, hmac = X-Shopify-Hmac-Sha256 (base64),
 * webhook_id = X-Shopify-Webhook-Id, body the raw request body. Verifies
 * the HMAC-SHA256 of body with webhook_secret_file (constant time), drops
 * repeated webhook ids, and for fulfillment_orders/(any) and
 * orders/updated|edited|cancelled queues a refresh of that order. Returns
 * at once (never waits for the shop); *http_status gets 200 (taken or a
 * repeat), 401 (bad or missing signature; logged), 400 (unreadable body),
 * 503 (no secret configured). Returns 0 when taken, -1 otherwise.
 */
int shop_webhook_handle(struct shop *, const char *topic, const char *hmac, const char *webhook_id,
    const char *body, size_t len, int *http_status);

/* Control commands ("sync", "sync-status", "pushes", "push-retry"); NULL: not ours. */
json_t *shop_command_json(struct daemon *, const char *cmd, json_t *req);
/* The status line's facts ({"enabled": false} without [shopify]). Caller owns. */
json_t *shop_status_json(struct shop *);

#endif
