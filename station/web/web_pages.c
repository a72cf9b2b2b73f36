/*
 * The floor (a tile per bench, live by SSE), the queue, one order with its
 * actions, and the actions themselves. Data comes from the control layer's
 * own builders (commands_run "status", replies.c), so the pages say exactly
 * what stationctl says; every shop-supplied string goes through wb_esc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "station/daemon/config.h"
#include "station/daemon/control.h"
#include "station/daemon/daemon.h"
#include "station/daemon/render.h"
#include "station/daemon/replies.h"
#include "station/store/store.h"
#include "station/store/store_query.h"
#include "station/web/web_int.h"

#define HTML	       "text/html; charset=utf-8"
#define SKU_SEARCH_MAX 5000 /* orders a SKU search finds, at most */

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A control command run as stationctl would run it; the reply (caller owns). */
static json_t *
run_command(struct daemon *d, json_t *req)
{
	int fd = -1;
	json_t *rep;

	if (req == NULL)
		return NULL;
	rep = commands_run(d, req, &fd);
	json_decref(req);
	return rep;
}

static void
tile_alerts(struct wbuf *b, json_t *alerts, const char *station)
{
	size_t i;
	json_t *a;

	json_array_foreach(alerts, i, a)
	{
		if (jstr(a, "station") == NULL || strcmp(jstr(a, "station"), station) != 0)
			continue;
		wb_puts(b, "<div class=\"alert printer\">");
		wb_esc(b, jstr(a, "alert")); /* names its printer */
		wb_puts(b, "</div>");
	}
}

static void
tile_progress(struct wbuf *b, json_t *st)
{
	json_int_t packed = 0, units = 0;
	size_t i;
	json_t *l;

	json_array_foreach(json_object_get(st, "lines"), i, l)
	{
		packed += json_integer_value(json_object_get(l, "packed"));
		units += json_integer_value(json_object_get(l, "of"));
	}
	if (jstr(st, "order"))
		wb_printf(b, "%lld of %lld units", (long long)packed, (long long)units);
	else
		wb_puts(b, "—");
}

static void
tile(struct wbuf *b, struct web *w, json_t *st, json_t *alerts, size_t idx)
{
	const char *name = jstr(st, "name"), *order = jstr(st, "order");
	const struct web_bench *wb = idx < w->nbench ? &w->bench[idx] : NULL;
	json_t *ss = json_object_get(st, "scanner_state");
	const char *cls = wb && wb->at_ms ? (wb->refused ? " bad" : " good") : "";

	wb_printf(b, "<section class=\"tile%s\" data-station=\"", cls);
	wb_esc(b, name);
	wb_puts(b, "\"><h2>");
	wb_esc(b, name);
	wb_puts(b, "</h2><div>Order: <a class=\"order\"");
	if (order) {
		wb_puts(b, " href=\"/orders/");
		wb_url(b, order);
		wb_puts(b, "\"");
	}
	wb_puts(b, ">");
	wb_esc(b, order ? order : "—");
	wb_puts(b, "</a></div><div>Packer: <span class=\"packer\">");
	wb_esc(b, jstr(st, "packer") ? jstr(st, "packer") : "—");
	wb_puts(b, "</span></div><div>Box: <span class=\"box\">");
	if (order)
		wb_printf(b, "%lld", (long long)json_integer_value(json_object_get(st, "box")));
	else
		wb_puts(b, "—");
	wb_puts(b, "</span></div><div>Progress: <span class=\"progress\">");
	tile_progress(b, st);
	wb_printf(b, "</span></div><div class=\"verdict %s\">",
	    wb && wb->at_ms ? (wb->refused ? "v-bad" : "v-good") : "v-none");
	wb_esc(b, wb && wb->at_ms ? wb->verdict : "no scan yet");
	wb_puts(b, "</div><div class=\"message\">");
	wb_esc(b, wb && wb->at_ms ? wb->message : "");
	wb_puts(b, "</div>");
	if (jstr(st, "scanner")) {
		int up = json_integer_value(json_object_get(ss, "connected")) > 0;

		wb_printf(b, "<div class=\"scanner %s\">", ss && !up ? "alert" : "muted");
		wb_esc(b, ss ? jstr(ss, "message") : "scanner: no report yet");
		wb_puts(b, "</div>");
	} else
		wb_puts(b, "<div class=\"scanner muted\"></div>");
	tile_alerts(b, alerts, name);
	wb_puts(b, "</section>");
}

enum MHD_Result
page_floor(struct web_req *r)
{
	struct wbuf b = { 0 };
	json_t *st = run_command(r->w->d, json_pack("{s:s}", "cmd", "status"));
	json_t *stations = json_object_get(st, "stations"), *s;
	size_t i;

	if (st == NULL || !json_is_true(json_object_get(st, "ok"))) {
		json_decref(st);
		return web_send_error(r, 500, "status unavailable (database?)");
	}
	web_page_begin(&b, r, "Floor", "floor");
	wb_puts(&b, "<div id=\"floor\" class=\"tiles\">");
	json_array_foreach(stations, i, s) tile(&b, r->w, s, json_object_get(st, "alerts"), i);
	wb_puts(&b, "</div>");
	web_page_end(&b);
	json_decref(st);
	return web_send_wbuf(r, 200, HTML, &b, NULL);
}

static void
order_link(struct wbuf *b, const char *name)
{
	wb_puts(b, "<a href=\"/orders/");
	wb_url(b, name);
	wb_puts(b, "\">");
	wb_esc(b, name);
	wb_puts(b, "</a>");
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 if name is among the sorted names. */
static int
name_in(char **names, size_t n, const char *name)
{
	return n && bsearch(&name, names, n, sizeof(*names), by_name) != NULL;
}

/* Seconds since an ISO 8601 time ("2026-12-01T10:00:00-05:00"); -1 if unreadable. */
static int64_t
age_seconds(const char *iso)
{
	struct tm tm;
	const char *rest;
	long off = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || (rest = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*rest == '.')
		while (*++rest >= '0' && *rest <= '9')
			;
	if ((*rest == '+' || *rest == '-') && strlen(rest) >= 6)
		off = (rest[0] == '-' ? -1 : 1) * (atol(rest + 1) * 3600 + atol(rest + 4) * 60);
	t = timegm(&tm) - off;
	return (int64_t)(time(NULL) - t);
}

static void
queue_counts(struct wbuf *b, struct web_req *r, json_t *rows)
{
	json_t *counts = replies_order_counts(r->w->d->store), *v, *row;
	const char *k, *oldest = NULL;
	size_t i;

	wb_puts(b, "<div class=\"counts\" id=\"counts\">");
	json_object_foreach(counts, k, v)
	{
		wb_printf(b, "<a class=\"count\" data-status=\"%s\" href=\"/orders?status=", k);
		wb_url(b, k);
		wb_printf(b, "\"><b>%lld</b>", (long long)json_integer_value(v));
		wb_esc(b, k);
		wb_puts(b, "</a>");
	}
	json_decref(counts);
	json_array_foreach(
	    rows, i, row) if (jstr(row, "status") && strcmp(jstr(row, "status"), "ready") == 0)
	{
		oldest = jstr(row, "order");
		break;
	}
	if (oldest) {
		int err;
		json_t *o = replies_order(r->w->d->store, oldest, &err);
		int64_t age = age_seconds(jstr(o, "created_at"));

		wb_puts(b, "<div class=\"count\" id=\"oldest\"><b>");
		if (age >= 2 * 86400)
			wb_printf(b, "%lldd %lldh", (long long)(age / 86400),
			    (long long)(age / 3600 % 24));
		else if (age >= 0)
			wb_printf(b, "%lldh %02lldm", (long long)(age / 3600),
			    (long long)(age / 60 % 60));
		else
			wb_puts(b, "?");
		wb_puts(b, "</b>oldest ready (since the shop took it): ");
		order_link(b, oldest);
		wb_puts(b, "</div>");
		json_decref(o);
	}
	wb_puts(b, "</div>");
}

static void
queue_filters(struct wbuf *b, struct web_req *r)
{
	static const char *const statuses[] = { "", "ready", "in_progress", "on_hold", "partial",
		"fulfilled", "cancelled", "archived", "digital", "all" };
	const char *cur = web_arg(r, "status");
	size_t i;

	wb_puts(b,
	    "<form method=\"get\" action=\"/orders\" id=\"filter\">"
	    "<input name=\"q\" id=\"q\" placeholder=\"order name or SKU\" value=\"");
	wb_esc(b, web_arg(r, "q"));
	wb_puts(b, "\"> <select name=\"status\" id=\"status\">");
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		wb_printf(b, "<option value=\"%s\"%s>%s</option>", statuses[i],
		    cur && strcmp(cur, statuses[i]) == 0 ? " selected" : "",
		    *statuses[i] ? (strcmp(statuses[i], "all") == 0 ? "any status" : statuses[i])
				 : "still to ship");
	}
	wb_puts(b, "</select> <button type=\"submit\">Search</button></form>");
}

static void
queue_table(struct wbuf *b, struct web_req *r, json_t *rows)
{
	static const char *const cols[] = { "order", "status", "ship_to", "city", "country",
		"lines", "units", "delivery", "station", "reason" };
	const char *q = web_arg(r, "q");
	size_t i, c, shown = 0, nsku = 0;
	char **sku = NULL;
	json_t *row;

	/* orders with a line of that SKU: one indexed query, then a lookup per row */
	if (q && store_orders_with_sku(r->w->d->store, q, SKU_SEARCH_MAX, &sku, &nsku) == 0 &&
	    nsku > 0)
		qsort(sku, nsku, sizeof(*sku), by_name);

	wb_puts(b, "<table id=\"orders\"><thead><tr>");
	for (c = 0; c < 10; c++)
		wb_printf(b, "<th>%s</th>", cols[c]);
	wb_puts(b, "</tr></thead><tbody>");
	json_array_foreach(rows, i, row)
	{
		const char *name = jstr(row, "order");

		if (shown >= WEB_MAX_ROWS)
			break;
		if (q && !(name && (strstr(name, q) || name_in(sku, nsku, name))))
			continue;
		shown++;
		wb_puts(b, "<tr><td>");
		order_link(b, name ? name : "");
		wb_puts(b, "</td>");
		for (c = 1; c < 10; c++) {
			json_t *v = json_object_get(row, cols[c]);

			if (json_is_integer(v))
				wb_printf(b, "<td class=\"num\">%lld</td>",
				    (long long)json_integer_value(v));
			else {
				wb_puts(b, "<td>");
				wb_esc(b, json_string_value(v));
				wb_puts(b, "</td>");
			}
		}
		wb_puts(b, "</tr>");
	}
	wb_puts(b, "</tbody></table>");
	store_names_free(sku, nsku);
	if (shown >= WEB_MAX_ROWS)
		wb_printf(
		    b, "<p class=\"muted\">First %d shown: narrow the search.</p>", WEB_MAX_ROWS);
}

static void
queue_held(struct wbuf *b, json_t *rows)
{
	size_t i;
	json_t *row;
	int any = 0;

	json_array_foreach(rows, i, row)
	{
		if (jstr(row, "status") == NULL || strcmp(jstr(row, "status"), "on_hold") != 0)
			continue;
		if (!any++)
			wb_puts(b, "<h2>Held</h2><ul id=\"held\">");
		wb_puts(b, "<li>");
		order_link(b, jstr(row, "order"));
		wb_puts(b, ": ");
		wb_esc(b, jstr(row, "reason"));
		wb_puts(b, "</li>");
	}
	if (any)
		wb_puts(b, "</ul>");
}

/*
 * The orders still to be worked (ready, in progress, held, partial), each
 * status oldest first: the queue proper. Shipped and cancelled orders only
 * grow, so they are read only when asked for by status. NULL on error.
 */
static json_t *
active_orders(struct store *s)
{
	static const char *const active[] = { "ready", "in_progress", "on_hold", "partial" };
	json_t *all = json_array(), *part;
	size_t i;

	for (i = 0; all && i < sizeof(active) / sizeof(active[0]); i++) {
		if ((part = web_table_json(replies_orders(s, active[i]))) == NULL) {
			json_decref(all);
			return NULL;
		}
		json_array_extend(all, part);
		json_decref(part);
	}
	return all;
}

enum MHD_Result
page_orders(struct web_req *r)
{
	struct wbuf b = { 0 };
	const char *status = web_arg(r, "status");
	json_t *all = active_orders(r->w->d->store);
	json_t *rows = status == NULL ? json_incref(all)
				      : web_table_json(replies_orders(r->w->d->store,
					    strcmp(status, "all") == 0 ? NULL : status));

	if (rows == NULL || all == NULL) {
		json_decref(rows);
		json_decref(all);
		return web_send_error(r, 500, "orders unavailable (database?)");
	}
	web_page_begin(&b, r, "Queue", "orders");
	wb_puts(&b, "<h1>Queue</h1>");
	queue_counts(&b, r, all);
	queue_held(&b, all);
	queue_filters(&b, r);
	queue_table(&b, r, rows);
	web_page_end(&b);
	json_decref(rows);
	json_decref(all);
	return web_send_wbuf(r, 200, HTML, &b, NULL);
}
