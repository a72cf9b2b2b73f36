/*
 * Shopify webhooks: HMAC-SHA256 of the raw body with the app's secret,
 * base64, compared in constant time (OpenSSL's libcrypto: libcurl here is
 * built on OpenSSL already, so it adds no new library to trust). Repeats
 * (same X-Shopify-Webhook-Id) are dropped; the rest queue a refresh.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "station/daemon/daemon.h"
#include "station/shop/shop_int.h"
#include "station/shop/shop_map.h"

static int
hmac_ok(struct shop *s, const char *hmac_b64, const char *body, size_t len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	unsigned char b64[EVP_MAX_MD_SIZE * 2];
	size_t given;

	if (hmac_b64 == NULL || (given = strlen(hmac_b64)) == 0 || given > 100)
		return 0;
	if (HMAC(EVP_sha256(), s->secret, (int)s->secret_len, (const unsigned char *)body, len, mac,
		&maclen) == NULL)
		return 0;
	EVP_EncodeBlock(b64, mac, (int)maclen);
	return strlen((char *)b64) == given && CRYPTO_memcmp(b64, hmac_b64, given) == 0;
}

/* 1 if id was seen already; remembers it otherwise. */
static int
seen_before(struct shop *s, const char *id)
{
	size_t i;

	if (id == NULL || *id == '\0')
		return 0;
	for (i = 0; i < SHOP_WEBHOOK_IDS; i++)
		if (s->seen[i] && strcmp(s->seen[i], id) == 0)
			return 1;
	free(s->seen[s->seen_next]);
	s->seen[s->seen_next] = strdup(id);
	s->seen_next = (s->seen_next + 1) % SHOP_WEBHOOK_IDS;
	return 0;
}

/* Queues a refresh of an Order (fo 0) or a FulfillmentOrder (fo 1) by shop id. */
static void
queue_refresh(struct shop *s, int fo, int64_t id)
{
	size_t i;

	for (i = 0; i < s->nrefresh; i++)
		if (s->refresh[i].fo == fo && s->refresh[i].id == id)
			return;
	if (s->nrefresh == SHOP_REFRESH_MAX) {
		s->pull_wanted = 1;
		return;
	}
	s->refresh[s->nrefresh].fo = fo;
	s->refresh[s->nrefresh++].id = id;
}

int
shop_webhook_handle(struct shop *s, const char *topic, const char *hmac, const char *webhook_id,
    const char *body, size_t len, int *http_status)
{
	json_t *doc, *obj;
	int64_t id = 0;
	int fo;

	if (s == NULL || s->secret == NULL) {
		*http_status = 503;
		return -1;
	}
	if (!hmac_ok(s, hmac, body, len)) {
		*http_status = 401;
		shop_event(s, 0, "refused", 1,
		    "webhook %s: bad or missing X-Shopify-Hmac-Sha256:"
		    " ignored",
		    topic ? topic : "(no topic)");
		return -1;
	}
	if (seen_before(s, webhook_id)) {
		*http_status = 200;
		return 0;
	}
	if ((doc = json_loadb(body, len, 0, NULL)) == NULL || topic == NULL) {
		*http_status = 400;
		json_decref(doc);
		return -1;
	}
	fo = strncmp(topic, "fulfillment_orders/", 19) == 0;
	if (fo) {
		/* {"fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/N", ...}, ...} */
		obj = json_object_get(doc, "fulfillment_order");
		if (obj == NULL)
			obj = json_object_get(doc, "original_fulfillment_order");
		id = shop_gid_number(json_string_value(json_object_get(obj, "id")));
	} else if (!strcmp(topic, "orders/updated") || !strcmp(topic, "orders/edited") ||
	    !strcmp(topic, "orders/cancelled")) {
		obj = json_object_get(doc, "order_edit"); /* orders/edited */
		if (obj != NULL)
			id = json_integer_value(json_object_get(obj, "order_id"));
		else if ((id = shop_gid_number(json_string_value(
			      json_object_get(doc, "admin_graphql_api_id")))) == 0)
			id = json_integer_value(json_object_get(doc, "id"));
	}
	json_decref(doc);
	s->webhooks++;
	*http_status = 200;
	if (id > 0) {
		queue_refresh(s, fo, id);
		log_info("shop: webhook %s: refreshing %s %lld", topic,
		    fo ? "fulfillment order" : "order", (long long)id);
		shop_schedule(s);
	}
	return 0;
}
