/* Pull: this location's fulfillment orders, paginated, then only what changed; refreshes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/shop/shop_int.h"
#include "station/shop/shop_map.h"
#include "station/store/store.h"
#include "station/store/store_shop.h"

/*
 * Every field the mapping reads (shop_map.c), as documented for
 * FulfillmentOrder. Shopify prices a query by its `first:` values before
 * running it (one query may ask at most 1000 points): about 8 + 3 x 50 per
 * fulfillment order here, so pages stay small and shrink on
 * MAX_COST_EXCEEDED.
 */
#define FO_FIELDS                                                                                  \
	"id orderId orderName status requestStatus updatedAt fulfillAt"                            \
	" assignedLocation { name location { id } }"                                               \
	" deliveryMethod { methodType }"                                                           \
	" destination { firstName lastName company address1 address2 city province"                \
	" countryCode zip phone email }"                                                           \
	" fulfillmentHolds { reason reasonNotes }"                                                 \
	" lineItems(first: 50) { pageInfo { hasNextPage }"                                         \
	" nodes { id totalQuantity remainingQuantity sku"                                          \
	" productTitle variantTitle weight { unit value }"                                         \
	" lineItem { id sku name title variantTitle requiresShipping"                              \
	" variant { barcode title } } } }"

static const char Q_PULL[] =
    "query StationPull($first: Int!, $after: String, $query: String, $includeClosed: Boolean)"
    " { fulfillmentOrders(first: $first, after: $after, query: $query,"
    " includeClosed: $includeClosed) { pageInfo { hasNextPage endCursor }"
    " nodes { " FO_FIELDS " } } }";

static const char Q_ORDER[] = "query StationRefreshOrder($id: ID!) { order(id: $id) { id name"
			      " fulfillmentOrders(first: 5) { nodes { " FO_FIELDS " } } } }";

static const char Q_FO[] =
    "query StationRefreshFulfillmentOrder($id: ID!) { fulfillmentOrder(id: $id) { " FO_FIELDS
    " } }";

static void
iso_now(char *buf, size_t len, int back_s)
{
	time_t t = time(NULL) - back_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The page size: the configured one, halved each time the shop found a page too dear. */
static int
shop_page_size(const struct shop *s, int configured)
{
	int n = configured > 0 ? configured : 5;

	if (s->page_limit > 0 && s->page_limit < n)
		n = s->page_limit;
	return n;
}

int
shop_pull_next(struct shop *s)
{
	const struct shopify_conf *y = &s->d->conf->shopify;
	char q[160], *since = NULL;
	json_t *vars;

	if (s->cursor[0] == '\0') {
		/* a new pull: what changed since the last one began (with a margin) */
		s->pull_pages = 0;
		s->pull_fos = s->pull_orders = 0;
		iso_now(s->pull_started, sizeof(s->pull_started), 5);
		if (store_shop_get_state(s->d->store, "pull_since", &since) == -1)
			return -1;
		s->pull_full = since == NULL;
	}
	if (!s->pull_full) {
		if (since == NULL && store_shop_get_state(s->d->store, "pull_since", &since) == -1)
			return -1;
		/*
		 * Changes anywhere (a fulfillment order moved away from us no
		 * longer names our location); unknown ones elsewhere are skipped.
		 */
		snprintf(q, sizeof(q), "updated_at:>'%s'", since ? since : "1970-01-01T00:00:00Z");
	} else
		snprintf(q, sizeof(q), "assigned_location_id:%lld", (long long)s->location);
	free(since);
	vars = json_pack("{s:i, s:s, s:b}", "first", shop_page_size(s, y->page_size), "query", q,
	    "includeClosed", !s->pull_full);
	if (vars == NULL)
		return -1;
	if (s->cursor[0])
		json_object_set_new(vars, "after", json_string(s->cursor));
	return shop_send(s, SK_PULL, Q_PULL, vars);
}

/* Barcodes of this location's lines become product codes (scan by barcode). */
static int
upsert_barcodes(struct store *st, json_t *fo)
{
	json_t *lines = json_object_get(json_object_get(fo, "lineItems"), "nodes"), *fl;
	char err[256];
	size_t i;

	json_array_foreach(lines, i, fl)
	{
		json_t *li = json_object_get(fl, "lineItem");
		const char *sku = json_string_value(json_object_get(li, "sku"));
		const char *bc = json_string_value(
		    json_object_get(json_object_get(li, "variant"), "barcode"));
		struct product_code c;

		if (sku == NULL || bc == NULL || *sku == '\0' || *bc == '\0' || !strcmp(sku, bc))
			continue;
		c.code = (char *)bc;
		c.sku = (char *)sku;
		c.multiplier = 1;
		if (store_upsert_code(st, &c, err, sizeof(err)) == -1)
			return -1;
	}
	return 0;
}

/* Re-maps one shop order from every fulfillment order kept for it. 0 / -1. */
static int
remap_order(struct shop *s, int64_t order_shop_id, long *orders)
{
	struct store *st = s->d->store;
	char **docs = NULL, err[300];
	size_t n = 0, i;
	json_t *fos = json_array();
	struct order *o = NULL;
	const char *outcome = NULL;
	int64_t row;
	int rc = -1, any_here = 0;

	if (fos == NULL || store_shop_order_fos(st, order_shop_id, &docs, &n) == -1)
		goto done;
	for (i = 0; i < n; i++) {
		json_t *fo = json_loads(docs[i], 0, NULL);

		if (fo == NULL)
			continue;
		any_here |= shop_fo_is_here(fo, s->location);
		json_array_append_new(fos, fo);
	}
	if ((o = shop_map_order(fos, s->location)) == NULL) {
		rc = 0;
		goto done;
	}
	/* Orders never assigned here are not ours; known ones hear they moved. */
	if (!any_here) {
		int r = store_find_order(st, o->name, &row);

		if (r == -1)
			goto done;
		if (r == 0) {
			rc = 0;
			goto done;
		}
	}
	if (store_upsert_order(st, o, "shopify", &outcome, err, sizeof(err)) == -1) {
		log_warnx("shop: %s", err);
		goto done;
	}
	if (outcome && strcmp(outcome, "unchanged") != 0)
		(*orders)++;
	rc = 0;
done:
	for (i = 0; i < n; i++)
		free(docs[i]);
	free(docs);
	json_decref(fos);
	order_free(o);
	return rc;
}

/* Whether any fulfillment order of this shop order is kept: 1 / 0 / -1. */
static int
known_order(struct store *st, int64_t order_shop_id)
{
	char **docs = NULL;
	size_t n = 0, i;

	if (store_shop_order_fos(st, order_shop_id, &docs, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		free(docs[i]);
	free(docs);
	return n > 0;
}

int
shop_apply_fos(struct shop *s, json_t *nodes, long *orders)
{
	struct store *st = s->d->store;
	int64_t *ids = NULL;
	size_t n = 0, i, k;
	json_t *fo;

	if ((ids = calloc(json_array_size(nodes) + 1, sizeof(*ids))) == NULL)
		return -1;
	if (store_begin(st) == -1)
		goto fail;
	json_array_foreach(nodes, i, fo)
	{
		int64_t fo_id = shop_gid_number(json_string_value(json_object_get(fo, "id")));
		int64_t oid = shop_gid_number(json_string_value(json_object_get(fo, "orderId")));
		int here = shop_fo_is_here(fo, s->location);
		char *doc;
		int r;

		if (fo_id == 0 || oid == 0)
			continue;
		if (json_is_true(json_object_get(
			json_object_get(json_object_get(fo, "lineItems"), "pageInfo"),
			"hasNextPage"))) {
			/* a partial line list would read as lines removed: keep what we had */
			shop_event(s, 0, "refused", 1,
			    "fulfillment order %lld of %s has more than 50"
			    " lines: not synced; pack it from a file",
			    (long long)fo_id,
			    json_string_value(json_object_get(fo, "orderName"))
				? json_string_value(json_object_get(fo, "orderName"))
				: "an order");
			continue;
		}
		if (!here) {
			/* another location's: kept only for orders we hold (moves, splits) */
			int known = known_order(st, oid);

			if (known == -1)
				goto rollback;
			if (!known)
				continue;
		}
		if ((doc = json_dumps(fo, JSON_COMPACT)) == NULL)
			goto rollback;
		r = store_shop_put_fo(
		    st, fo_id, oid, here, json_string_value(json_object_get(fo, "status")), doc);
		free(doc);
		if (r == -1 || (here && upsert_barcodes(st, fo) == -1))
			goto rollback;
		for (k = 0; k < n && ids[k] != oid; k++)
			;
		if (k == n)
			ids[n++] = oid;
	}
	for (k = 0; k < n; k++)
		if (remap_order(s, ids[k], orders) == -1)
			goto rollback;
	if (store_commit(st) == -1)
		goto fail;
	free(ids);
	return 0;
rollback:
	store_rollback(st);
fail:
	log_warnx("shop: cannot store what was pulled: %s", store_errmsg(st));
	free(ids);
	return -1;
}

void
shop_pull_reply(struct shop *s, enum shop_outcome o, json_t *data, const char *err)
{
	json_t *c = json_object_get(data, "fulfillmentOrders");
	json_t *pi = json_object_get(c, "pageInfo"), *nodes = json_object_get(c, "nodes");
	const char *end = json_string_value(json_object_get(pi, "endCursor"));

	if (o == SR_ERROR && strstr(err, "MAX_COST_EXCEEDED") != NULL) {
		/* the page asked for more than one query may cost: ask for half */
		int n = shop_page_size(s, s->d->conf->shopify.page_size);

		s->page_limit = n > 1 ? n / 2 : 1;
		log_warnx("shop: a page of %d costs more than the shop allows; pages of %d now", n,
		    s->page_limit);
		return;
	}
	if (o != SR_OK)
		return; /* the caller backs off; the page is asked again */
	if (!json_is_array(nodes)) {
		shop_backoff(s, "pull: reply without fulfillmentOrders", -1);
		return;
	}
	if (shop_apply_fos(s, nodes, &s->pull_orders) == -1) {
		shop_backoff(s, "pull: database error", -1);
		return;
	}
	s->pull_pages++;
	s->pull_fos += (long)json_array_size(nodes);
	s->pulled_total += (long)json_array_size(nodes);
	if (json_is_true(json_object_get(pi, "hasNextPage")) && end &&
	    strlen(end) < sizeof(s->cursor)) {
		snprintf(s->cursor, sizeof(s->cursor), "%s", end);
		return;
	}
	s->cursor[0] = '\0';
	s->pull_wanted = 0;
	s->last_pull_ms = store_now_ms();
	if (store_shop_set_state(s->d->store, "pull_since", s->pull_started) == -1)
		log_warnx("shop: cannot keep the pull time: %s", store_errmsg(s->d->store));
	shop_event(s, 0, "pull", 0,
	    "%s pull: %ld fulfillment order(s) in %d page(s),"
	    " %ld order(s) imported or changed",
	    s->pull_full ? "full" : "incremental", s->pull_fos, s->pull_pages, s->pull_orders);
	s->pull_full = 0;
}

void
shop_refresh_order(struct shop *s, int64_t order_id)
{
	int64_t shop_id;
	size_t i;

	if (s == NULL || store_shop_order_shop_id(s->d->store, order_id, &shop_id) != 1)
		return;
	for (i = 0; i < s->nrefresh; i++)
		if (!s->refresh[i].fo && s->refresh[i].id == shop_id)
			return;
	if (s->nrefresh == SHOP_REFRESH_MAX) {
		s->pull_wanted = 1; /* too many at once: a pull covers them */
		return;
	}
	s->refresh[s->nrefresh].fo = 0;
	s->refresh[s->nrefresh++].id = shop_id;
	shop_schedule(s);
}

int
shop_refresh_next(struct shop *s)
{
	char gid[80];

	s->cur_refresh = s->refresh[0];
	memmove(s->refresh, s->refresh + 1, --s->nrefresh * sizeof(s->refresh[0]));
	snprintf(gid, sizeof(gid), "gid://shopify/%s/%lld",
	    s->cur_refresh.fo ? "FulfillmentOrder" : "Order", (long long)s->cur_refresh.id);
	return shop_send(
	    s, SK_REFRESH, s->cur_refresh.fo ? Q_FO : Q_ORDER, json_pack("{s:s}", "id", gid));
}

void
shop_refresh_reply(struct shop *s, enum shop_outcome o, json_t *data, const char *err)
{
	json_t *nodes, *fo;
	long changed = 0;

	(void)err;
	if (o != SR_OK) {
		/* asked again after the backoff */
		if (o != SR_ERROR && s->nrefresh < SHOP_REFRESH_MAX) {
			memmove(s->refresh + 1, s->refresh, s->nrefresh * sizeof(s->refresh[0]));
			s->refresh[0] = s->cur_refresh;
			s->nrefresh++;
		}
		return;
	}
	if (s->cur_refresh.fo) {
		if ((fo = json_object_get(data, "fulfillmentOrder")) == NULL || json_is_null(fo))
			return;
		nodes = json_pack("[O]", fo);
	} else {
		nodes = json_object_get(
		    json_object_get(json_object_get(data, "order"), "fulfillmentOrders"), "nodes");
		nodes = json_is_array(nodes) ? json_incref(nodes) : NULL;
	}
	if (nodes == NULL)
		return;
	if (shop_apply_fos(s, nodes, &changed) == -1)
		shop_backoff(s, "refresh: database error", -1);
	else if (changed)
		log_info("shop: refresh of %s %lld changed the order",
		    s->cur_refresh.fo ? "fulfillment order" : "order",
		    (long long)s->cur_refresh.id);
	json_decref(nodes);
}
