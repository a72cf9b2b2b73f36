/*
 * One order: its lines, packages, shipments, documents and log; for
 * supervisors the actions (hold with a reason, release, reprint), each a
 * POST with the session's CSRF token, run as the control commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "station/daemon/config.h"
#include "station/daemon/control.h"
#include "station/daemon/daemon.h"
#include "station/daemon/replies.h"
#include "station/store/store.h"
#include "station/store/store_query.h"
#include "station/web/web_int.h"

#define HTML "text/html; charset=utf-8"

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
cell(struct wbuf *b, json_t *v)
{
	if (json_is_integer(v))
		wb_printf(b, "<td class=\"num\">%lld</td>", (long long)json_integer_value(v));
	else {
		wb_puts(b, "<td>");
		wb_esc(b, json_string_value(v));
		wb_puts(b, "</td>");
	}
}

static void
table_of(struct wbuf *b, const char *id, json_t *rows, const char *const *cols, size_t ncols)
{
	size_t i, c;
	json_t *row;

	wb_printf(b, "<table id=\"%s\"><thead><tr>", id);
	for (c = 0; c < ncols; c++)
		wb_printf(b, "<th>%s</th>", cols[c]);
	wb_puts(b, "</tr></thead><tbody>");
	json_array_foreach(rows, i, row)
	{
		if (i >= WEB_MAX_ROWS)
			break;
		wb_puts(b, "<tr>");
		for (c = 0; c < ncols; c++)
			cell(b, json_object_get(row, cols[c]));
		wb_puts(b, "</tr>");
	}
	wb_puts(b, "</tbody></table>");
}

static void
action_form(struct wbuf *b, struct web_req *r, const char *name, const char *op, const char *label,
    int reason)
{
	wb_printf(b,
	    "<form class=\"inline\" method=\"post\" action=\"/act\" id=\"act-%s\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"op\""
	    " value=\"%s\"><input type=\"hidden\" name=\"order\" value=\"",
	    op, r->sess->csrf, op);
	wb_esc(b, name);
	wb_puts(b, "\">");
	if (reason)
		wb_puts(
		    b, "<input name=\"reason\" id=\"reason\" placeholder=\"reason\" required> ");
	wb_printf(b, "<button type=\"submit\" id=\"btn-%s\">%s</button></form> ", op, label);
}

static void
order_actions(struct wbuf *b, struct web_req *r, json_t *o)
{
	const char *name = jstr(o, "name"), *status = jstr(o, "status");

	if (r->sess->role != ROLE_SUPERVISOR)
		return;
	wb_puts(b, "<fieldset id=\"actions\"><legend>Actions</legend>");
	if (status && strcmp(status, "on_hold") == 0)
		action_form(b, r, name, "release", "Release", 0);
	else
		action_form(b, r, name, "hold", "Hold", 1);
	action_form(b, r, name, "reprint-label", "Reprint label", 0);
	action_form(b, r, name, "reprint-slip", "Reprint slip", 0);
	wb_puts(b, "</fieldset>");
}

static void
order_head(struct wbuf *b, struct web_req *r, json_t *o)
{
	const char *done = web_arg(r, "done"), *fail = web_arg(r, "failed");

	wb_puts(b, "<h1 id=\"order-name\">");
	wb_esc(b, jstr(o, "name"));
	wb_puts(b, "</h1>");
	if (done || fail) {
		wb_printf(b, "<p class=\"%s\" id=\"flash\">", fail ? "error" : "muted");
		wb_esc(b, fail ? fail : done);
		wb_puts(b, "</p>");
	}
	wb_puts(b, "<p>Status: <b id=\"status\">");
	wb_esc(b, jstr(o, "status"));
	wb_puts(b, "</b>");
	if (jstr(o, "hold_reason")) {
		wb_puts(b, " — held: <span id=\"hold-reason\">");
		wb_esc(b, jstr(o, "hold_reason"));
		wb_puts(b, "</span>");
	}
	wb_puts(b, "</p><p>Ship to: ");
	wb_esc(b, jstr(json_object_get(o, "shipping_address"), "name"));
	wb_puts(b, ", ");
	wb_esc(b, jstr(json_object_get(o, "shipping_address"), "city"));
	wb_puts(b, " — ");
	wb_esc(b, jstr(o, "shipping_title"));
	wb_puts(b, "</p><p>Documents: <a href=\"/orders/");
	wb_url(b, jstr(o, "name"));
	wb_puts(b, "/slip.pdf\" id=\"slip-pdf\">packing slip (PDF)</a> · <a href=\"/orders/");
	wb_url(b, jstr(o, "name"));
	wb_puts(b, "/label.pdf\" id=\"label-pdf\">last label (PDF)</a></p>");
}

static void
order_log(struct wbuf *b, struct web_req *r, const char *name)
{
	static const char *const cols[] = { "time", "station", "packer", "kind", "verdict",
		"message" };
	struct log_filter f;
	int64_t last = 0;
	json_t *rows;

	memset(&f, 0, sizeof(f));
	f.order = name;
	f.limit = WEB_MAX_ROWS;
	f.newest = 1;
	rows = web_table_json(replies_log(r->w->d->store, &f, &last));
	wb_puts(b, "<h2>Log</h2>");
	table_of(b, "order-log", rows, cols, 6);
	json_decref(rows);
}

enum MHD_Result
page_order(struct web_req *r, const char *name)
{
	static const char *const lcols[] = { "sku", "title", "variant_title", "ordered", "packed",
		"shipped" };
	static const char *const pcols[] = { "box", "sscc", "weight_grams", "state", "station" };
	static const char *const fcols[] = { "at", "station", "packer", "units", "file" };
	struct wbuf b = { 0 };
	int err;
	json_t *o = replies_order(r->w->d->store, name, &err);

	if (o == NULL)
		return web_send_error(r, err ? 500 : 404, err ? "database error" : "no such order");
	web_page_begin(&b, r, jstr(o, "name"), "orders");
	order_head(&b, r, o);
	order_actions(&b, r, o);
	wb_puts(&b, "<h2>Lines</h2>");
	table_of(&b, "lines", json_object_get(o, "lines"), lcols, 6);
	wb_puts(&b, "<h2>Packages</h2>");
	table_of(&b, "packages", json_object_get(o, "packages"), pcols, 5);
	wb_puts(&b, "<h2>Shipments</h2>");
	table_of(&b, "fulfillments", json_object_get(o, "fulfillments"), fcols, 5);
	order_log(&b, r, name);
	web_page_end(&b);
	json_decref(o);
	return web_send_wbuf(r, 200, HTML, &b, NULL);
}

/* Back to the order's page with the outcome to show. */
static enum MHD_Result
back_to(struct web_req *r, const char *order, json_t *rep)
{
	struct wbuf b = { 0 };
	int ok = json_is_true(json_object_get(rep, "ok"));
	const char *msg = jstr(rep, ok ? "message" : "error");
	enum MHD_Result ret;

	wb_puts(&b, "/orders/");
	wb_url(&b, order);
	wb_puts(&b, ok ? "?done=" : "?failed=");
	wb_url(&b, msg ? msg : (ok ? "done" : "failed"));
	if (b.failed) {
		wb_free(&b);
		return web_send_error(r, 500, "out of memory");
	}
	ret = web_redirect(r, b.p);
	wb_free(&b);
	return ret;
}

enum MHD_Result
page_action(struct web_req *r)
{
	char op[32], order[512], reason[512];
	json_t *req, *rep;
	int fd = -1;

	if (!auth_may_act(r)) {
		log_warnx(
		    "web: refused a POST from %s (%s): not a supervisor or a wrong form token",
		    r->ip, r->sess ? r->sess->user : "no session");
		return web_send_error(
		    r, 403, "not allowed: supervisors only, with the page's form token");
	}
	if (!web_form(r, "op", op, sizeof(op)) || !web_form(r, "order", order, sizeof(order)))
		return web_send_error(r, 400, "which order, and what to do?");
	if (!web_form(r, "reason", reason, sizeof(reason)))
		reason[0] = '\0';
	if (strcmp(op, "hold") == 0)
		req = json_pack("{s:s, s:s, s:s}", "cmd", "hold", "order", order, "reason", reason);
	else if (strcmp(op, "release") == 0)
		req = json_pack("{s:s, s:s}", "cmd", "release", "order", order);
	else if (strcmp(op, "reprint-label") == 0 || strcmp(op, "reprint-slip") == 0)
		req = json_pack("{s:s, s:s, s:s}", "cmd", "reprint", "what", order, "kind",
		    op[8] == 'l' ? "label" : "slip");
	else
		return web_send_error(r, 400, "unknown action");
	if (req == NULL)
		return web_send_error(r, 500, "out of memory");
	rep = commands_run(r->w->d, req, &fd);
	json_decref(req);
	log_info("web: %s: %s %s%s%s", r->sess->user, op, order, *reason ? ": " : "", reason);
	if (rep == NULL)
		return web_send_error(r, 500, "out of memory");
	{
		enum MHD_Result ret = back_to(r, order, rep);

		json_decref(rep);
		return ret;
	}
}
