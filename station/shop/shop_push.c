/*
 * Push: every shipment becomes one fulfillmentCreate, exactly once. The
 * push row is written in the shipment's transaction; before a send the row
 * says "sending" (committed), so a crash or a lost reply leaves a mark:
 * such a push is read back (the fulfillment order's fulfillments) before
 * anything is sent again.
 */
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
#include "station/store/store_pack.h"
#include "station/store/store_shop.h"

static const char Q_CREATE[] =
    "mutation StationShip($fulfillment: FulfillmentInput!, $message: String)"
    " { fulfillmentCreate(fulfillment: $fulfillment, message: $message)"
    " { fulfillment { id status createdAt } userErrors { field message } } }";

static const char Q_VERIFY[] =
    "query StationVerify($id: ID!) { fulfillmentOrder(id: $id) { id status"
    " fulfillments(first: 10, reverse: true) { nodes { id createdAt"
    " trackingInfo { number company }"
    " fulfillmentLineItems(first: 50) { nodes { quantity lineItem { id } } } } } } }";

/* How far before our first send a matching fulfillment may be dated (clock skew). */
#define VERIFY_SKEW_MS (10LL * 60 * 1000)

/* The order's fulfillment orders as kept by the last pull; NULL on error. */
static json_t *
load_fos(struct store *st, int64_t order_shop_id)
{
	char **docs = NULL;
	size_t n = 0, i;
	json_t *a;

	if (store_shop_order_fos(st, order_shop_id, &docs, &n) == -1 ||
	    (a = json_array()) == NULL) {
		for (i = 0; i < n; i++)
			free(docs[i]);
		free(docs);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_t *fo = json_loads(docs[i], 0, NULL);

		if (fo)
			json_array_append_new(a, fo);
		free(docs[i]);
	}
	free(docs);
	return a;
}

/* The spool/out document now names the real fulfillment order ids. 0 / -1. */
static int
rewrite_doc(struct store *st, int64_t fid, json_t *lbfo)
{
	char name[256], *text;
	json_t *doc, *ful;
	int r;

	if ((text = store_fulfillment_doc(st, fid, name, sizeof(name))) == NULL)
		return -1;
	doc = json_loads(text, 0, NULL);
	free(text);
	if (doc == NULL)
		return 0; /* not ours to repair: left as it was */
	if ((ful = json_object_get(doc, "fulfillment")) != NULL)
		json_object_set(ful, "lineItemsByFulfillmentOrder", lbfo);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	if (text == NULL)
		return -1;
	r = store_set_fulfillment_doc(st, fid, text);
	free(text);
	return r;
}

/* The push input of shipment f, or NULL with err. */
static json_t *
build_payload(const struct shopify_conf *y, struct store *st, const struct store_fulfillment *f,
    char *err, size_t errlen)
{
	json_t *fos, *lbfo = NULL, *expect = NULL, *input, *p;
	char msg[96];

	if (!f->has_order_shop_id) {
		snprintf(err, errlen, "the order has no shop id (imported from a file)");
		return NULL;
	}
	if ((fos = load_fos(st, f->order_shop_id)) == NULL) {
		snprintf(err, errlen, "database: %s", store_errmsg(st));
		return NULL;
	}
	if (json_array_size(fos) == 0) {
		snprintf(err, errlen, "no fulfillment order of this order was pulled");
		json_decref(fos);
		return NULL;
	}
	if (shop_map_shipment(fos, y->location_id, f, &lbfo, &expect, err, errlen) == -1) {
		json_decref(fos);
		return NULL;
	}
	json_decref(fos);
	input = json_pack("{s:b, s:o}", "notifyCustomer", y->notify_customer,
	    "lineItemsByFulfillmentOrder", lbfo);
	if (input && f->tracking_number)
		json_object_set_new(input, "trackingInfo",
		    json_pack("{s:s, s:s?}", "number", f->tracking_number, "company",
			f->tracking_company));
	snprintf(msg, sizeof(msg), "station shipment %lld", (long long)f->id);
	p = json_pack("{s:o, s:s, s:o}", "fulfillment", input, "message", msg, "expect", expect);
	if (p == NULL)
		snprintf(err, errlen, "out of memory");
	return p;
}

int
shop_push_record(const struct shopify_conf *y, struct store *st, int64_t fid)
{
	struct store_fulfillment *f;
	json_t *p;
	char err[300] = "", *text;
	int r;

	if (!y->enabled)
		return 0;
	if (store_load_fulfillment(st, fid, &f) == -1)
		return -1;
	p = build_payload(y, st, f, err, sizeof(err));
	store_fulfillment_free(f);
	if (p == NULL) {
		if ((text = json_dumps(json_pack("{s:s}", "error", err), JSON_COMPACT)) == NULL)
			return -1;
		r = store_shop_add_push(st, fid, 0, text);
		free(text);
		if (r == 0)
			r = store_shop_update_push(st, fid, PUSH_REFUSED, 0, 0, NULL, err);
		if (r == 0) {
			char msg[400];

			snprintf(msg, sizeof(msg), "shipment %lld not pushed to the shop: %s",
			    (long long)fid, err);
			r = store_add_event(st, NULL, 0, NULL, "refused", NULL, msg, 1);
		}
		return r;
	}
	if (rewrite_doc(st, fid,
		json_object_get(
		    json_object_get(p, "fulfillment"), "lineItemsByFulfillmentOrder")) == -1 ||
	    (text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		json_decref(p);
		return -1;
	}
	json_decref(p);
	r = store_shop_add_push(st, fid, 0, text);
	free(text);
	return r;
}

/* Writes the push row (its own transaction: it must be durable before a send). */
static int
set_push(struct shop *s, int64_t fid, const char *state, int64_t attempts, int64_t first_sent,
    const char *gid, const char *error)
{
	struct store *st = s->d->store;

	if (store_begin(st) == -1)
		return -1;
	if (store_shop_update_push(st, fid, state, attempts, first_sent, gid, error) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st);
}

/* The first push due: "sending" ones (read back) before "pending" ones. 1 / 0 / -1. */
static int
next_due(struct shop *s, struct store_push_row **row)
{
	struct store_push_row *rows = NULL;
	size_t n = 0, i;
	const char *pass[2] = { PUSH_SENDING, PUSH_PENDING };
	int k;

	for (k = 0; k < 2; k++) {
		if (store_shop_list_pushes(s->d->store, pass[k], 0, &rows, &n) == -1)
			return -1;
		for (i = 0; i < n; i++)
			if (rows[i].payload && strstr(rows[i].payload, "\"fulfillment\"")) {
				struct store_push_row *one = malloc(sizeof(*one));

				if (one == NULL)
					break;
				*one = rows[i];
				memset(&rows[i], 0, sizeof(rows[i]));
				store_push_rows_free(rows, n);
				*row = one;
				return 1;
			}
		store_push_rows_free(rows, n);
		rows = NULL;
	}
	return 0;
}

static int
send_verify(struct shop *s, json_t *p)
{
	json_t *lbfo = json_object_get(
	    json_object_get(p, "fulfillment"), "lineItemsByFulfillmentOrder");
	const char *fo = json_string_value(
	    json_object_get(json_array_get(lbfo, 0), "fulfillmentOrderId"));

	if (fo == NULL)
		return -1;
	return shop_send(s, SK_VERIFY, Q_VERIFY, json_pack("{s:s}", "id", fo));
}

int
shop_push_next(struct shop *s)
{
	struct store_push_row *row = NULL;
	json_t *p, *vars;
	int r = next_due(s, &row), sending;

	if (r <= 0)
		return r;
	s->push_fid = row->fulfillment_id;
	s->push_order = row->order_id;
	s->push_attempts = row->attempts;
	s->push_first_sent = row->first_sent_ms;
	sending = strcmp(row->state, PUSH_SENDING) == 0;
	p = json_loads(row->payload, 0, NULL);
	store_push_rows_free(row, 1);
	if (p == NULL)
		return -1;
	if (sending) {
		/* sent before, outcome unknown: read back first, never send twice */
		r = send_verify(s, p);
		json_decref(p);
		return r == 0 ? 1 : -1;
	}
	if (s->push_first_sent == 0)
		s->push_first_sent = store_now_ms();
	s->push_attempts++;
	if (set_push(s, s->push_fid, PUSH_SENDING, s->push_attempts, s->push_first_sent, NULL,
		NULL) == -1) {
		json_decref(p);
		return -1;
	}
	vars = json_pack("{s:O, s:O}", "fulfillment", json_object_get(p, "fulfillment"), "message",
	    json_object_get(p, "message"));
	json_decref(p);
	if (vars == NULL || shop_send(s, SK_PUSH, Q_CREATE, vars) == -1) {
		/* not sent after all */
		set_push(s, s->push_fid, PUSH_PENDING, s->push_attempts, s->push_first_sent, NULL,
		    "could not start the request");
		return -1;
	}
	return 1;
}

static void
push_done(struct shop *s, const char *gid, int recognised)
{
	if (set_push(s, s->push_fid, PUSH_DONE, s->push_attempts, s->push_first_sent, gid, NULL) ==
	    -1) {
		log_warnx("shop: push %lld done as %s but not recorded: %s", (long long)s->push_fid,
		    gid, store_errmsg(s->d->store));
		return;
	}
	s->pushed_total++;
	s->sync_pushed++;
	s->sync_recognised += recognised;
	shop_event(s, s->push_order, "push", 0, "shipment %lld pushed: %s%s",
	    (long long)s->push_fid, gid,
	    recognised ? " (already applied; recognised on read-back, not sent again)" : "");
}

/* "field: message; ..." of userErrors. */
static void
user_errors(json_t *ue, char *buf, size_t len)
{
	json_t *e, *f, *part;
	size_t i, k, n;

	buf[0] = '\0';
	json_array_foreach(ue, i, e)
	{
		n = strlen(buf);
		snprintf(buf + n, len - n, "%s", n ? "; " : "");
		f = json_object_get(e, "field");
		json_array_foreach(f, k, part)
		{
			n = strlen(buf);
			snprintf(buf + n, len - n, "%s%s", k ? "." : "",
			    json_string_value(part) ? json_string_value(part) : "");
		}
		n = strlen(buf);
		snprintf(buf + n, len - n, "%s%s", json_array_size(f) ? ": " : "",
		    json_string_value(json_object_get(e, "message"))
			? json_string_value(json_object_get(e, "message"))
			: "refused");
	}
}

void
shop_push_reply(struct shop *s, enum shop_outcome o, json_t *data, const char *err)
{
	json_t *fc = json_object_get(data, "fulfillmentCreate"), *ue;
	const char *gid;
	char why[1000];

	switch (o) {
	case SR_NOT_APPLIED:
		set_push(
		    s, s->push_fid, PUSH_PENDING, s->push_attempts, s->push_first_sent, NULL, err);
		return;
	case SR_UNKNOWN:
		/* stays "sending": read back before any new send */
		set_push(
		    s, s->push_fid, PUSH_SENDING, s->push_attempts, s->push_first_sent, NULL, err);
		shop_event(s, s->push_order, "push", 1,
		    "shipment %lld: outcome unknown (%s); will read"
		    " the fulfillment order back before sending again",
		    (long long)s->push_fid, err);
		return;
	case SR_ERROR: snprintf(why, sizeof(why), "%s", err); break;
	case SR_OK:
		ue = json_object_get(fc, "userErrors");
		if (json_array_size(ue) == 0 &&
		    (gid = json_string_value(
			 json_object_get(json_object_get(fc, "fulfillment"), "id"))) != NULL) {
			push_done(s, gid, 0);
			return;
		}
		user_errors(ue, why, sizeof(why));
		if (why[0] == '\0')
			snprintf(why, sizeof(why), "the shop returned no fulfillment");
		break;
	}
	set_push(s, s->push_fid, PUSH_REFUSED, s->push_attempts, s->push_first_sent, NULL, why);
	s->refused_total++;
	s->sync_refused++;
	shop_event(s, s->push_order, "refused", 1, "shipment %lld refused by the shop: %s",
	    (long long)s->push_fid, why);
}

/* ISO 8601 UTC ("2026-12-07T01:02:03Z" or with fractions) → unix ms; 0 if unreadable. */
static int64_t
iso_ms(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return (int64_t)timegm(&tm) * 1000;
}

/* Whether fulfillment f ships exactly expect ({LineItem gid: quantity}). */
static int
same_lines(json_t *f, json_t *expect)
{
	json_t *items = json_object_get(json_object_get(f, "fulfillmentLineItems"), "nodes");
	json_t *got = json_object(), *it;
	const char *k;
	json_t *v;
	size_t i;
	int same = 1;

	json_array_foreach(items, i, it)
	{
		const char *id = json_string_value(
		    json_object_get(json_object_get(it, "lineItem"), "id"));

		if (id == NULL)
			continue;
		json_object_set_new(got, id,
		    json_integer(json_integer_value(json_object_get(got, id)) +
			json_integer_value(json_object_get(it, "quantity"))));
	}
	if (json_object_size(got) != json_object_size(expect))
		same = 0;
	json_object_foreach(expect, k,
	    v) if (json_integer_value(json_object_get(got, k)) != json_integer_value(v)) same = 0;
	json_decref(got);
	return same;
}

/*
 * The gid of a fulfillment that is our shipment already applied, or NULL;
 * *undecided set when the store could not say whether a candidate is
 * another push's (then nothing may be sent again yet).
 */
static const char *
recognise(struct shop *s, json_t *data, json_t *expect, const char *tracking, int *undecided)
{
	json_t *nodes = json_object_get(
		   json_object_get(json_object_get(data, "fulfillmentOrder"), "fulfillments"),
		   "nodes"),
	       *f;
	size_t i;

	json_array_foreach(nodes, i, f)
	{
		const char *gid = json_string_value(json_object_get(f, "id"));
		const char *num = json_string_value(
		    json_object_get(json_object_get(f, "trackingInfo"), "number"));
		int64_t at = iso_ms(json_string_value(json_object_get(f, "createdAt")));

		if (json_is_array(json_object_get(f, "trackingInfo")))
			num = json_string_value(json_object_get(
			    json_array_get(json_object_get(f, "trackingInfo"), 0), "number"));
		if (gid == NULL || at < s->push_first_sent - VERIFY_SKEW_MS ||
		    !same_lines(f, expect))
			continue;
		if (tracking && (num == NULL || strcmp(num, tracking) != 0))
			continue;
		switch (store_shop_push_claimed(s->d->store, gid)) {
		case 0: return gid;
		case 1: continue; /* another shipment's */
		default: *undecided = 1; return NULL;
		}
	}
	return NULL;
}

void
shop_verify_reply(struct shop *s, enum shop_outcome o, json_t *data, const char *err)
{
	struct store_push_row *rows = NULL;
	size_t n = 0;
	json_t *p = NULL;
	const char *gid, *tracking;
	int undecided = 0;

	(void)err;
	if (o != SR_OK)
		return; /* still "sending": read back again after the backoff */
	if (store_shop_list_pushes(s->d->store, NULL, s->push_fid, &rows, &n) == -1 || n != 1 ||
	    (p = json_loads(rows[0].payload, 0, NULL)) == NULL) {
		store_push_rows_free(rows, n);
		return;
	}
	tracking = json_string_value(json_object_get(
	    json_object_get(json_object_get(p, "fulfillment"), "trackingInfo"), "number"));
	if ((gid = recognise(s, data, json_object_get(p, "expect"), tracking, &undecided)) != NULL)
		push_done(s, gid, 1);
	else if (undecided)
		shop_backoff(s, "read-back: database error; still sending", -1);
	else {
		/* the shop has not got it: it may be sent again */
		set_push(s, s->push_fid, PUSH_PENDING, rows[0].attempts, rows[0].first_sent_ms,
		    NULL, "not applied (read back): sending again");
		log_info("shop: shipment %lld not found upstream; sending again",
		    (long long)s->push_fid);
	}
	json_decref(p);
	store_push_rows_free(rows, n);
}

/* Maps a refused push again from the latest pull: pending if it maps now (in a transaction). */
int
shop_push_rebuild(struct shop *s, int64_t fid)
{
	const struct shopify_conf *y = &s->d->conf->shopify;
	struct store *st = s->d->store;
	struct store_fulfillment *f;
	char err[300] = "", *text;
	json_t *p;
	int r;

	if (store_load_fulfillment(st, fid, &f) == -1)
		return -1;
	p = build_payload(y, st, f, err, sizeof(err));
	store_fulfillment_free(f);
	if (p == NULL)
		return store_shop_update_push(st, fid, PUSH_REFUSED, 0, 0, NULL, err);
	text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(p);
	if (text == NULL)
		return -1;
	r = store_shop_add_push(st, fid, 0, text);
	free(text);
	return r == 0 ? store_shop_update_push(st, fid, PUSH_PENDING, 0, 0, NULL, NULL) : -1;
}
