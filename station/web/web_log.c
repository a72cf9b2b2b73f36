/* The station log: stationctl log's filters as a form, live follow, CSV and JSON downloads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/daemon/daemon.h"
#include "station/daemon/replies.h"
#include "station/store/store_query.h"
#include "station/web/web_int.h"

#define LOG_DOWNLOAD_MAX 100000 /* events in one download (oldest first): a bounded build */

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
filter_field(
    struct wbuf *b, struct web_req *r, const char *name, const char *label, const char *type)
{
	wb_printf(b, "<label>%s <input type=\"%s\" name=\"%s\" id=\"f-%s\" value=\"", label, type,
	    name, name);
	wb_esc(b, web_arg(r, name));
	wb_puts(b, "\"></label> ");
}

static void
log_form(struct wbuf *b, struct web_req *r)
{
	wb_puts(b, "<form method=\"get\" action=\"/log\" id=\"log-filter\">");
	filter_field(b, r, "since", "Since", "text");
	filter_field(b, r, "until", "Until", "text");
	filter_field(b, r, "station", "Station", "text");
	filter_field(b, r, "order", "Order", "text");
	filter_field(b, r, "packer", "Packer", "text");
	filter_field(b, r, "kind", "Kind", "text");
	wb_printf(b,
	    "<label><input type=\"checkbox\" name=\"errors\" value=\"1\" id=\"f-errors\"%s>"
	    " errors only</label> <button type=\"submit\" id=\"apply\">Filter</button></form>",
	    web_arg(r, "errors") ? " checked" : "");
}

/* The current filter again as a query string, for the download links. */
static void
query_again(struct wbuf *b, struct web_req *r)
{
	static const char *const keys[] = { "since", "until", "station", "order", "packer", "kind",
		"errors" };
	size_t i;
	int first = 1;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = web_arg(r, keys[i]);

		if (v == NULL)
			continue;
		wb_puts(b, first ? "?" : "&amp;");
		first = 0;
		wb_puts(b, keys[i]);
		wb_puts(b, "=");
		wb_url(b, v);
	}
}

enum MHD_Result
page_log(struct web_req *r)
{
	static const char *const cols[] = { "time", "station", "order", "packer", "kind", "verdict",
		"message" };
	struct log_filter f;
	struct wbuf b = { 0 };
	int64_t last = 0;
	json_t *rows, *row;
	size_t i, c, n;

	web_log_filter(r, &f);
	f.limit = WEB_MAX_ROWS; /* a page reads the newest rows, never the whole log */
	f.newest = 1;
	rows = web_table_json(replies_log(r->w->d->store, &f, &last));
	if (rows == NULL)
		return web_send_error(r, 500, "log unavailable (database?)");
	web_page_begin(&b, r, "Log", "log");
	wb_puts(&b, "<h1>Log</h1>");
	log_form(&b, r);
	wb_puts(&b,
	    "<p><label><input type=\"checkbox\" id=\"follow\"> follow live</label> · "
	    "<a id=\"csv\" href=\"/log.csv");
	query_again(&b, r);
	wb_puts(&b, "\">CSV</a> · <a id=\"json\" href=\"/log.json");
	query_again(&b, r);
	wb_puts(&b, "\">JSON</a></p>");
	n = json_array_size(rows);
	wb_printf(&b, "<table id=\"log\"><thead><tr>");
	for (c = 0; c < 7; c++)
		wb_printf(&b, "<th>%s</th>", cols[c]);
	wb_printf(&b, "</tr></thead><tbody data-last=\"%lld\">", (long long)last);
	/* the newest WEB_MAX_ROWS, oldest first like stationctl */
	json_array_foreach(rows, i, row)
	{
		wb_puts(&b, "<tr>");
		for (c = 0; c < 7; c++) {
			wb_puts(&b, "<td>");
			wb_esc(&b, jstr(row, cols[c]));
			wb_puts(&b, "</td>");
		}
		wb_puts(&b, "</tr>");
	}
	wb_puts(&b, "</tbody></table>");
	if (n >= WEB_MAX_ROWS)
		wb_printf(&b,
		    "<p class=\"muted\">The newest %d events: narrow the filter, or"
		    " download.</p>",
		    WEB_MAX_ROWS);
	web_page_end(&b);
	json_decref(rows);
	return web_send_wbuf(r, 200, "text/html; charset=utf-8", &b, NULL);
}

enum MHD_Result
page_log_download(struct web_req *r, int csv)
{
	struct log_filter f;
	int64_t last = 0;
	size_t len;
	char *text;

	web_log_filter(r, &f);
	f.limit = LOG_DOWNLOAD_MAX;
	text = web_table_text(replies_log(r->w->d->store, &f, &last), csv, &len);
	if (text == NULL)
		return web_send_error(r, 500, "log unavailable (database?)");
	return web_send(r, 200, csv ? "text/csv; charset=utf-8" : "application/json", text, len,
	    csv ? "attachment; filename=\"station-log.csv\""
		: "attachment; filename=\"station-log.json\"");
}
