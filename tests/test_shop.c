/*
 * Unit tests of shop sync's pure parts and of the webhook entry point:
 * fulfillment orders mapped to station orders (exact ids, several
 * fulfillment orders, other locations, holds, cancellations, pick-up), a
 * shipment mapped back to fulfillment order line items, and
 * shop_webhook_handle (HMAC, repeats, topics, no secret).
 */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "station/daemon/daemon.h"
#include "station/shop/shop_int.h"
#include "station/shop/shop_map.h"
#include "station/store/store.h"
#include "station/store/store_pack.h"

#define LOC 68414513201LL

/* One fulfillment order node as the Admin API returns it. */
static json_t *
fo(long long id, const char *status, long long loc, const char *method, const char *lines)
{
	char buf[4096];
	json_error_t e;
	json_t *j;

	snprintf(buf, sizeof(buf),
	    "{\"id\":\"gid://shopify/FulfillmentOrder/%lld\","
	    "\"orderId\":\"gid://shopify/Order/9007199254740993\",\"orderName\":\"#1001\","
	    "\"status\":\"%s\",\"requestStatus\":\"UNSUBMITTED\",\"updatedAt\":\"2026-12-07T01:00:00Z\","
	    "\"assignedLocation\":{\"name\":\"W\",\"location\":{\"id\":\"gid://shopify/Location/%lld\"}},"
	    "\"deliveryMethod\":{\"methodType\":\"%s\"},"
	    "\"destination\":{\"firstName\":\"Ada\",\"lastName\":\"L\",\"address1\":\"1 St\","
	    "\"city\":\"London\",\"countryCode\":\"GB\",\"zip\":\"N1\"},"
	    "\"fulfillmentHolds\":%s,"
	    "\"lineItems\":{\"nodes\":[%s]}}",
	    id, status, loc, method,
	    strcmp(status, "ON_HOLD") == 0
		? "[{\"reason\":\"INCORRECT_ADDRESS\",\"reasonNotes\":\"no unit\"}]"
		: "[]",
	    lines);
	j = json_loads(buf, 0, &e);
	ck_assert_msg(j != NULL, "%s", e.text);
	return j;
}

/* A line: FO line id, LineItem id (> 2^53), sku, total, remaining. */
static const char *
line(char *buf, size_t len, long long fol, long long li, const char *sku, int total, int rem)
{
	snprintf(buf, len,
	    "{\"id\":\"gid://shopify/FulfillmentOrderLineItem/%lld\","
	    "\"totalQuantity\":%d,\"remainingQuantity\":%d,\"sku\":\"%s\","
	    "\"weight\":{\"unit\":\"KILOGRAMS\",\"value\":0.25},"
	    "\"lineItem\":{\"id\":\"gid://shopify/LineItem/%lld\",\"sku\":\"%s\",\"name\":\"N %s\","
	    "\"title\":\"T %s\",\"requiresShipping\":true,\"variant\":{\"barcode\":\"B%s\"}}}",
	    fol, total, rem, sku, li, sku, sku, sku, sku);
	return buf;
}

START_TEST(test_gid)
{
	ck_assert(shop_gid_number("gid://shopify/Order/9007199254740993") == 9007199254740993LL);
	ck_assert(shop_gid_number("gid://shopify/Location/68414513201") == LOC);
	ck_assert(shop_gid_number("gid://shopify/Order/") == 0);
	ck_assert(shop_gid_number("gid://shopify/Order/12x") == 0);
	ck_assert(shop_gid_number(NULL) == 0);
}
END_TEST

START_TEST(test_map_merge)
{
	char a[1024], b[1024], c[1024];
	json_t *fos = json_array();
	struct order *o;

	line(a, sizeof(a), 9007199254740995LL, 9007199254741001LL, "MUG", 2, 2);
	line(b, sizeof(b), 9007199254740996LL, 9007199254741003LL, "TEE", 3, 1);
	line(c, sizeof(c), 9007199254740997LL, 9007199254741005LL, "FAR", 4, 4);
	json_array_append_new(fos, fo(1, "OPEN", LOC, "SHIPPING", a));
	json_array_append_new(fos, fo(2, "IN_PROGRESS", LOC, "SHIPPING", b));
	json_array_append_new(fos, fo(3, "OPEN", 999, "SHIPPING", c));
	o = shop_map_order(fos, LOC);
	ck_assert_ptr_nonnull(o);
	ck_assert(o->id == 9007199254740993LL);
	ck_assert_str_eq(o->name, "#1001");
	ck_assert_uint_eq(o->nlines, 2); /* FAR is another location's */
	ck_assert(o->lines[0].id == 9007199254741001LL);
	ck_assert_str_eq(o->lines[0].sku, "MUG");
	ck_assert_int_eq(o->lines[0].quantity, 2);
	ck_assert_int_eq(o->lines[0].grams, 250);
	ck_assert(o->lines[1].id == 9007199254741003LL);
	ck_assert_int_eq(o->lines[1].quantity, 3);
	ck_assert_int_eq(o->lines[1].fulfillable_quantity, 1);
	ck_assert_ptr_null(o->hold_reason);
	ck_assert_ptr_null(o->cancelled_at);
	ck_assert_int_eq(o->has_shipping_address, 1);
	ck_assert_str_eq(o->ship.name, "Ada L");
	ck_assert_int_eq(o->pickup, 0);
	order_free(o);
	json_decref(fos);
}
END_TEST

START_TEST(test_map_states)
{
	char a[1024];
	json_t *fos;
	struct order *o;

	line(a, sizeof(a), 11, 21, "MUG", 2, 2);
	fos = json_pack("[o]", fo(1, "ON_HOLD", LOC, "SHIPPING", a));
	o = shop_map_order(fos, LOC);
	ck_assert_str_eq(o->hold_reason, "INCORRECT_ADDRESS: no unit");
	order_free(o);
	json_decref(fos);

	fos = json_pack("[o]", fo(1, "CANCELLED", LOC, "SHIPPING", a));
	o = shop_map_order(fos, LOC);
	ck_assert_ptr_nonnull(o->cancelled_at);
	ck_assert_str_eq(o->cancel_reason, "cancelled or closed in the shop");
	order_free(o);
	json_decref(fos);

	/* moved away: known orders hear it as a cancellation here */
	fos = json_pack("[o]", fo(1, "OPEN", 5, "SHIPPING", a));
	o = shop_map_order(fos, LOC);
	ck_assert_str_eq(o->cancel_reason, "moved to another location");
	order_free(o);
	json_decref(fos);

	/* closed because everything was fulfilled: not a cancellation */
	line(a, sizeof(a), 11, 21, "MUG", 2, 0);
	fos = json_pack("[o]", fo(1, "CLOSED", LOC, "SHIPPING", a));
	o = shop_map_order(fos, LOC);
	ck_assert_ptr_null(o->cancelled_at);
	ck_assert_int_eq(o->lines[0].fulfillable_quantity, 0);
	order_free(o);
	json_decref(fos);

	line(a, sizeof(a), 11, 21, "MUG", 2, 2);
	fos = json_pack("[o]", fo(1, "OPEN", LOC, "PICK_UP", a));
	o = shop_map_order(fos, LOC);
	ck_assert_int_eq(o->pickup, 1);
	order_free(o);
	json_decref(fos);

	fos = json_pack("[o]", fo(1, "OPEN", LOC, "NONE", a));
	o = shop_map_order(fos, LOC);
	ck_assert_int_eq(o->lines[0].requires_shipping, 0);
	order_free(o);
	json_decref(fos);
}
END_TEST

START_TEST(test_map_shipment)
{
	char a[1024], b[1024];
	json_t *fos = json_array(), *lbfo, *expect;
	struct store_fulfillment_line fl = { 21, 1, "MUG", NULL, 3 };
	struct store_fulfillment f;
	char err[200] = "", *s;

	memset(&f, 0, sizeof(f));
	f.id = 7;
	f.lines = &fl;
	f.nlines = 1;
	/* the same LineItem split over two fulfillment orders here: 2 + 1 */
	line(a, sizeof(a), 11, 21, "MUG", 2, 2);
	line(b, sizeof(b), 12, 21, "MUG", 2, 2);
	json_array_append_new(fos, fo(1, "OPEN", LOC, "SHIPPING", a));
	json_array_append_new(fos, fo(2, "OPEN", LOC, "SHIPPING", b));
	ck_assert_int_eq(shop_map_shipment(fos, LOC, &f, &lbfo, &expect, err, sizeof(err)), 0);
	s = json_dumps(lbfo, JSON_COMPACT);
	ck_assert_str_eq(s,
	    "[{\"fulfillmentOrderId\":\"gid://shopify/FulfillmentOrder/1\","
	    "\"fulfillmentOrderLineItems\":[{\"id\":\"gid://shopify/FulfillmentOrderLineItem/11\","
	    "\"quantity\":2}]},{\"fulfillmentOrderId\":\"gid://shopify/FulfillmentOrder/2\","
	    "\"fulfillmentOrderLineItems\":[{\"id\":\"gid://shopify/FulfillmentOrderLineItem/12\","
	    "\"quantity\":1}]}]");
	free(s);
	s = json_dumps(expect, JSON_COMPACT);
	ck_assert_str_eq(s, "{\"gid://shopify/LineItem/21\":3}");
	free(s);
	json_decref(lbfo);
	json_decref(expect);
	/* more than the shop still wants: refused with words, nothing pushed */
	fl.quantity = 5;
	ck_assert_int_eq(shop_map_shipment(fos, LOC, &f, &lbfo, &expect, err, sizeof(err)), -1);
	ck_assert_str_eq(
	    err, "line MUG: 1 unit(s) not open in any fulfillment order at this location");
	json_decref(fos);
}
END_TEST

/* ---- webhooks ---------------------------------------------------------------------- */

static struct daemon d;
static struct shop *sh;
static char dir[64];

static void
hook_setup(void)
{
	char path[128], err[256];

	snprintf(dir, sizeof(dir), "/tmp/test_shop.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/station.db", dir);
	memset(&d, 0, sizeof(d));
	d.store = store_open(path, 0, err, sizeof(err));
	ck_assert_ptr_nonnull(d.store);
	sh = calloc(1, sizeof(*sh));
	sh->d = &d;
	sh->secret = strdup("hush");
	sh->secret_len = 4;
	sh->busy = 1; /* no HTTP here: refreshes stay queued */
}

static void
hook_teardown(void)
{
	char cmd[128];
	size_t i;

	for (i = 0; i < SHOP_WEBHOOK_IDS; i++)
		free(sh->seen[i]);
	free(sh->secret);
	free(sh);
	store_close(d.store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
sign(const char *body, char *out)
{
	unsigned char mac[32];
	unsigned int n = 0;

	HMAC(EVP_sha256(), "hush", 4, (const unsigned char *)body, strlen(body), mac, &n);
	EVP_EncodeBlock((unsigned char *)out, mac, (int)n);
}

START_TEST(test_webhook)
{
	const char *body = "{\"fulfillment_order\":{\"id\":\"gid://shopify/FulfillmentOrder/"
			   "9007199254740995\",\"status\":\"on_hold\"}}";
	const char *edit = "{\"order_edit\":{\"id\":5,\"order_id\":9007199254740993}}";
	char mac[64], bad[64];
	int st = 0;

	sign(body, mac);
	ck_assert_int_eq(shop_webhook_handle(sh, "fulfillment_orders/placed_on_hold", mac, "w-1",
			     body, strlen(body), &st),
	    0);
	ck_assert_int_eq(st, 200);
	ck_assert_uint_eq(sh->nrefresh, 1);
	ck_assert_int_eq(sh->refresh[0].fo, 1);
	ck_assert(sh->refresh[0].id == 9007199254740995LL);
	/* the same delivery again: taken, not queued twice */
	ck_assert_int_eq(shop_webhook_handle(sh, "fulfillment_orders/placed_on_hold", mac, "w-1",
			     body, strlen(body), &st),
	    0);
	ck_assert_int_eq(st, 200);
	ck_assert_uint_eq(sh->webhooks, 1);
	/* a body changed after signing, a missing signature */
	ck_assert_int_eq(shop_webhook_handle(sh, "fulfillment_orders/placed_on_hold", mac, "w-2",
			     edit, strlen(edit), &st),
	    -1);
	ck_assert_int_eq(st, 401);
	ck_assert_int_eq(
	    shop_webhook_handle(sh, "orders/edited", NULL, "w-3", edit, strlen(edit), &st), -1);
	ck_assert_int_eq(st, 401);
	/* orders/edited names the order in order_edit.order_id */
	sign(edit, bad);
	ck_assert_int_eq(
	    shop_webhook_handle(sh, "orders/edited", bad, "w-4", edit, strlen(edit), &st), 0);
	ck_assert_int_eq(st, 200);
	ck_assert_uint_eq(sh->nrefresh, 2);
	ck_assert_int_eq(sh->refresh[1].fo, 0);
	ck_assert(sh->refresh[1].id == 9007199254740993LL);
	/* no secret configured: the web console answers 503 */
	free(sh->secret);
	sh->secret = NULL;
	ck_assert_int_eq(
	    shop_webhook_handle(sh, "orders/edited", bad, "w-5", edit, strlen(edit), &st), -1);
	ck_assert_int_eq(st, 503);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("shop");
	TCase *tc = tcase_create("map");
	TCase *th = tcase_create("webhook");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_gid);
	tcase_add_test(tc, test_map_merge);
	tcase_add_test(tc, test_map_states);
	tcase_add_test(tc, test_map_shipment);
	tcase_add_checked_fixture(th, hook_setup, hook_teardown);
	tcase_add_test(th, test_webhook);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, th);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
