/* A shipment's spool/out document: Shopify's fulfillmentCreate input as JSON text. */
#ifndef STATION_FULFILLMENT_DOC_H
#define STATION_FULFILLMENT_DOC_H

#include <stdint.h>

struct store;

/*
 * Records the shipment of every counted unit of the order at the station
 * (store_ship) and stores its document with it, inside the caller's
 * transaction. Returns the fulfillment id, -1 on error (store_strerror).
 */
int64_t fulfillment_record(struct store *, int64_t order_id, const char *station,
    const char *packer, int partial, int notify_customer);

/*
 * The document of fulfillment fid as text (indented, keys sorted: the
 * spool/out bytes), malloc'ed for the caller; NULL on error.
 */
char *fulfillment_doc_build(struct store *, int64_t fid, const char *station, const char *packer,
    int partial, int notify_customer);

#endif
