/* Shop sync's control commands and status facts (JSON for the control socket). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/reply.h"
#include "station/shop/shop_int.h"
#include "station/store/store.h"
#include "station/store/store_shop.h"

static void
count_pushes(struct store *st, json_int_t *pending, json_int_t *failed, json_int_t *done)
{
	struct store_push_row *rows = NULL;
	size_t n = 0, i;

	*pending = *failed = *done = 0;
	if (store_shop_list_pushes(st, NULL, 0, &rows, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (!strcmp(rows[i].state, PUSH_PENDING) || !strcmp(rows[i].state, PUSH_SENDING))
			(*pending)++;
		else if (!strcmp(rows[i].state, PUSH_REFUSED))
			(*failed)++;
		else if (!strcmp(rows[i].state, PUSH_DONE))
			(*done)++;
	}
	store_push_rows_free(rows, n);
}

json_t *
shop_status_json(struct shop *s)
{
	json_int_t pending, failed, done;
	json_t *o;
	char *puller;

	if (s == NULL)
		return json_pack("{s:b}", "enabled", 0);
	count_pushes(s->d->store, &pending, &failed, &done);
	o = json_pack("{s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:b}", "enabled", 1,
	    "endpoint", s->d->conf->shopify.endpoint, "last_pull_ms", (json_int_t)s->last_pull_ms,
	    "pulled", (json_int_t)s->pulled_total, "pushed", done, "pending", pending, "failed",
	    failed, "throttled", (json_int_t)s->throttled, "last_error",
	    s->last_error[0] ? s->last_error : NULL, "busy", s->busy);
	/* several boxes: the one elected to pull (and push), and whether it is this one */
	if (o != NULL && store_is_server(s->d->conf->database)) {
		puller = shop_lead_puller(s);
		json_object_set_new(o, "puller", puller ? json_string(puller) : json_null());
		json_object_set_new(o, "pulls", json_boolean(s->leader));
		free(puller);
	}
	return o;
}

static json_t *
cmd_sync(struct shop *s)
{
	if (!shop_lead_check(s)) {
		char *puller = shop_lead_puller(s);
		json_t *e = reply_error(
		    "sync: box %s pulls the shop (one box at a time): run sync there",
		    puller ? puller : "(unknown)");

		free(puller);
		return e;
	}
	s->sync_gen++;
	s->sync_pushed = s->sync_refused = s->sync_recognised = 0;
	s->sync_failures = 0;
	s->pull_fos = s->pull_orders = 0;
	s->pull_pages = 0;
	s->pull_wanted = 1;
	s->not_before = 0; /* a person asked: try now */
	s->sync_report[0] = '\0';
	shop_schedule(s);
	return json_pack("{s:b, s:I}", "ok", 1, "sync", (json_int_t)s->sync_gen);
}

static json_t *
cmd_sync_status(struct shop *s, json_t *req)
{
	json_int_t gen = json_integer_value(json_object_get(req, "sync"));

	return json_pack("{s:b, s:b, s:s}", "ok", 1, "done", s->sync_done >= gen, "report",
	    s->sync_done >= gen ? s->sync_report : "");
}

static json_t *
cmd_pushes(struct shop *s, json_t *req)
{
	struct store_push_row *rows = NULL;
	const char *filter = json_is_true(json_object_get(req, "failed")) ? "failed" : NULL;
	json_t *a;
	size_t n = 0, i;

	if (store_shop_list_pushes(s->d->store, filter, 0, &rows, &n) == -1)
		return reply_error("pushes: %s", store_errmsg(s->d->store));
	if ((a = json_array()) == NULL) {
		store_push_rows_free(rows, n);
		return NULL;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:I, s:s?, s:s, s:I, s:s?, s:s?, s:I, s:I}", "shipment",
			(json_int_t)rows[i].fulfillment_id, "order", rows[i].order_name, "state",
			rows[i].state, "attempts", (json_int_t)rows[i].attempts, "shop_fulfillment",
			rows[i].shop_fulfillment, "error", rows[i].error, "created_ms",
			(json_int_t)rows[i].created_ms, "updated_ms",
			(json_int_t)rows[i].updated_ms));
	store_push_rows_free(rows, n);
	return json_pack("{s:b, s:o}", "ok", 1, "pushes", a);
}

/* push --retry: a refused push is mapped and sent again (someone fixed the cause). */
static json_t *
cmd_push_retry(struct shop *s, json_t *req)
{
	struct store *st = s->d->store;
	struct store_push_row *rows = NULL;
	json_int_t fid = json_integer_value(json_object_get(req, "shipment"));
	size_t n = 0;
	int r;

	if (store_shop_list_pushes(st, NULL, fid, &rows, &n) == -1)
		return reply_error("push: %s", store_errmsg(st));
	if (n != 1 || fid <= 0) {
		store_push_rows_free(rows, n);
		return reply_error("push: no shipment %lld", (long long)fid);
	}
	if (strcmp(rows[0].state, PUSH_REFUSED) != 0) {
		json_t *e = reply_error("push: shipment %lld is %s, not refused: nothing to retry",
		    (long long)fid, rows[0].state);

		store_push_rows_free(rows, n);
		return e;
	}
	store_push_rows_free(rows, n);
	/* re-map from what the shop says now (the order may have been pulled since) */
	if (store_begin(st) == -1)
		return reply_error("push: %s", store_errmsg(st));
	r = s->d->conf->shopify.enabled ? 0 : -1;
	if (r == 0)
		r = shop_push_rebuild(s, fid);
	if (r == -1 || store_commit(st) == -1) {
		store_rollback(st);
		return reply_error("push: %s", store_errmsg(st));
	}
	shop_event(s, 0, "push", 0, "shipment %lld: push retried by a supervisor", (long long)fid);
	s->not_before = 0;
	shop_schedule(s);
	return reply_message("shipment %lld: push queued again", (long long)fid);
}

json_t *
shop_command_json(struct daemon *d, const char *cmd, json_t *req)
{
	int ours = !strcmp(cmd, "sync") || !strcmp(cmd, "sync-status") || !strcmp(cmd, "pushes") ||
	    !strcmp(cmd, "push-retry");

	if (!ours)
		return NULL;
	if (d->shop == NULL)
		return reply_error("%s: shop sync is not configured (no [shopify] section)", cmd);
	if (!strcmp(cmd, "sync"))
		return cmd_sync(d->shop);
	if (!strcmp(cmd, "sync-status"))
		return cmd_sync_status(d->shop, req);
	if (!strcmp(cmd, "pushes"))
		return cmd_pushes(d->shop, req);
	return cmd_push_retry(d->shop, req);
}
