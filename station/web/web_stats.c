/*
 * Statistics drawn server-side as SVG (no chart library, no script): units
 * by packer and station, units per hour by packer and by station over the
 * day, shipments per hour, the mis-scan rate; a CSV of the same; /metrics.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/daemon/config.h"
#include "station/daemon/control.h"
#include "station/daemon/daemon.h"
#include "station/daemon/print.h"
#include "station/daemon/replies.h"
#include "station/store/store_jobs.h"
#include "station/store/store_query.h"
#include "station/web/web_int.h"

#define CH_W	   720
#define CH_H	   220
#define CH_PAD	   40
#define MAX_SERIES 12
#define MAX_HOURS  48

static const char *const palette[MAX_SERIES] = { "#1a73e8", "#e8710a", "#188038", "#d93025",
	"#9334e6", "#12b5cb", "#f9ab00", "#5f6368", "#b06000", "#0b8043", "#c5221f", "#174ea6" };

struct series {
	const char *name;
	double v[MAX_HOURS];
};

static void
svg_begin(struct wbuf *b, const char *id, const char *title)
{
	wb_printf(b,
	    "<figure class=\"chart\"><figcaption>%s</figcaption><svg id=\"%s\""
	    " xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
	    " role=\"img\">",
	    title, id, CH_W, CH_H + 60, CH_W, CH_H + 60);
}

static void
svg_axis(struct wbuf *b, double max, int percent)
{
	wb_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", CH_PAD,
	    CH_H, CH_W - 10, CH_H);
	wb_printf(b, "<text x=\"2\" y=\"14\" font-size=\"11\" fill=\"#555\">%.*f%s</text>",
	    percent ? 1 : 0, percent ? max * 100 : max, percent ? "%" : "");
	wb_printf(b, "<text x=\"2\" y=\"%d\" font-size=\"11\" fill=\"#555\">0</text>", CH_H);
}

/* One bar per group: labels[i] with values[i]; data-* carry the exact numbers. */
static void
bar_chart(struct wbuf *b, const char *id, const char *title, char **labels, const double *v,
    size_t n, int percent)
{
	double max = 0, bw;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	if (max <= 0)
		max = 1;
	svg_begin(b, id, title);
	svg_axis(b, max, percent);
	bw = n ? (double)(CH_W - CH_PAD - 20) / (double)n : 0;
	if (bw > 90)
		bw = 90; /* a few groups: bars, not walls */
	for (i = 0; i < n; i++) {
		double h = v[i] / max * (CH_H - 20), x = CH_PAD + 5 + bw * (double)i;

		wb_printf(b,
		    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
		    " fill=\"%s\" data-group=\"",
		    x, CH_H - h, bw * 0.8, h, palette[0]);
		wb_esc(b, labels[i]);
		wb_printf(b, "\" data-value=\"%g\"><title>", v[i]);
		wb_esc(b, labels[i]);
		wb_printf(b,
		    ": %g</title></rect><text x=\"%.1f\" y=\"%d\" font-size=\"11\""
		    " fill=\"#333\">",
		    v[i], x, CH_H + 14);
		wb_esc(b, labels[i]);
		wb_printf(b,
		    "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#333\">%g%s"
		    "</text>",
		    x, CH_H - h - 3, percent ? v[i] * 100 : v[i], percent ? "%" : "");
	}
	if (n == 0)
		wb_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"#777\">no data</text>", CH_W / 2 - 30,
		    CH_H / 2);
	wb_puts(b, "</svg></figure>");
}

/* Groups of bars per hour, one colour per series (packer or station), with a legend. */
static void
grouped_chart(struct wbuf *b, const char *id, const char *title, char **hours, size_t nh,
    const struct series *s, size_t ns)
{
	double max = 0, gw, bw;
	size_t h, k;

	for (h = 0; h < nh; h++)
		for (k = 0; k < ns; k++)
			if (s[k].v[h] > max)
				max = s[k].v[h];
	if (max <= 0)
		max = 1;
	svg_begin(b, id, title);
	svg_axis(b, max, 0);
	gw = nh ? (double)(CH_W - CH_PAD - 20) / (double)nh : 0;
	if (gw > 120)
		gw = 120;
	bw = ns ? gw * 0.8 / (double)ns : 0;
	for (h = 0; h < nh; h++) {
		double x0 = CH_PAD + 5 + gw * (double)h;

		for (k = 0; k < ns; k++) {
			double hh = s[k].v[h] / max * (CH_H - 20);

			wb_printf(b,
			    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
			    " height=\"%.1f\" fill=\"%s\" data-group=\"",
			    x0 + bw * (double)k, CH_H - hh, bw, hh, palette[k % MAX_SERIES]);
			wb_esc(b, s[k].name);
			wb_puts(b, "\" data-hour=\"");
			wb_esc(b, hours[h]);
			wb_printf(b, "\" data-value=\"%g\"><title>", s[k].v[h]);
			wb_esc(b, s[k].name);
			wb_printf(b, " %s: %g</title></rect>",
			    hours[h] + (strlen(hours[h]) > 11 ? 11 : 0), s[k].v[h]);
		}
		wb_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#333\">%s</text>",
		    x0, CH_H + 14, hours[h] + (strlen(hours[h]) > 11 ? 11 : 0));
	}
	for (k = 0; k < ns; k++) {
		wb_printf(b,
		    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		    "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#333\">",
		    CH_PAD + (int)k * 110, CH_H + 30, palette[k % MAX_SERIES],
		    CH_PAD + (int)k * 110 + 14, CH_H + 39);
		wb_esc(b, s[k].name);
		wb_puts(b, "</text>");
	}
	wb_puts(b, "</svg></figure>");
}

/* Local midnight today, in ms. */
static int64_t
today_ms(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

static void
totals_chart(struct wbuf *b, struct store *st, int64_t since, int64_t until, const char *by,
    const char *id, const char *title)
{
	struct store_stats_row *v;
	char *labels[256];
	double vals[256];
	size_t n, i, m = 0;

	if (store_list_stats(st, since, until, by, &v, &n) == -1)
		return;
	for (i = 0; i < n && m < 256; i++, m++) {
		labels[m] = v[i].group ? v[i].group : (char *)"";
		vals[m] = (double)v[i].units;
	}
	bar_chart(b, id, title, labels, vals, m, 0);
	store_stats_rows_free(v, n);
}

/* Units in each active hour, one series per packer or station. */
static void
hourly_by(struct wbuf *b, struct store *st, struct store_stats_row *hours, size_t nh,
    const char *by, const char *id, const char *title)
{
	struct series s[MAX_SERIES];
	char *hl[MAX_HOURS];
	size_t h, k, ns = 0, i;
	struct store_stats_row *rows[MAX_HOURS];
	size_t nrows[MAX_HOURS];

	memset(s, 0, sizeof(s));
	if (nh > MAX_HOURS)
		nh = MAX_HOURS;
	for (h = 0; h < nh; h++) {
		int64_t from = web_parse_time(hours[h].group);

		hl[h] = hours[h].group;
		rows[h] = NULL;
		nrows[h] = 0;
		if (from < 0 ||
		    store_list_stats(st, from, from + 3600LL * 1000, by, &rows[h], &nrows[h]) == -1)
			continue;
		for (i = 0; i < nrows[h]; i++) {
			for (k = 0; k < ns; k++)
				if (strcmp(s[k].name, rows[h][i].group) == 0)
					break;
			if (k == ns && ns < MAX_SERIES)
				s[ns++].name = rows[h][i].group;
			if (k < ns)
				s[k].v[h] = (double)rows[h][i].units;
		}
	}
	grouped_chart(b, id, title, hl, nh, s, ns);
	for (h = 0; h < nh; h++)
		store_stats_rows_free(rows[h], nrows[h]);
}

static void
hourly_charts(struct wbuf *b, struct store *st, int64_t since, int64_t until)
{
	struct store_stats_row *v;
	char *labels[MAX_HOURS];
	double ship[MAX_HOURS], rate[MAX_HOURS];
	size_t n, i;

	if (store_list_stats(st, since, until, "hour", &v, &n) == -1)
		return;
	hourly_by(b, st, v, n, "packer", "chart-hour-packer", "Units per hour by packer");
	hourly_by(b, st, v, n, "station", "chart-hour-station", "Units per hour by station");
	for (i = 0; i < n && i < MAX_HOURS; i++) {
		labels[i] = v[i].group + (strlen(v[i].group) > 11 ? 11 : 0);
		ship[i] = (double)v[i].shipments;
		rate[i] = v[i].item_scans ? (double)v[i].misscans / (double)v[i].item_scans : 0;
	}
	bar_chart(b, "chart-shipments", "Shipments per hour", labels, ship, i, 0);
	bar_chart(b, "chart-misscans", "Mis-scan rate per hour", labels, rate, i, 1);
	store_stats_rows_free(v, n);
}

enum MHD_Result
page_stats(struct web_req *r)
{
	struct store *st = r->w->d->store;
	struct wbuf b = { 0 };
	int64_t since, until;
	const char *by;

	if (web_stats_range(r, &since, &until, &by) == -1)
		return web_send_error(r, 400, "since/until are YYYY-MM-DD[ HH:MM]");
	if (since == 0 && web_arg(r, "all") == NULL)
		since = today_ms();
	web_page_begin(&b, r, "Statistics", "stats");
	wb_puts(&b,
	    "<h1>Statistics</h1><form method=\"get\" action=\"/stats\">"
	    "<label>Since <input name=\"since\" value=\"");
	wb_esc(&b, web_arg(r, "since"));
	wb_puts(
	    &b, "\" placeholder=\"today\"></label> <label>Until <input name=\"until\" value=\"");
	wb_esc(&b, web_arg(r, "until"));
	wb_puts(&b,
	    "\"></label> <button type=\"submit\">Show</button> · <a id=\"stats-csv\""
	    " href=\"/stats.csv?by=packer\">CSV by packer</a> · <a href=\"/stats.csv?by=hour\">"
	    "CSV by hour</a></form>");
	wb_puts(&b, "<div class=\"charts\">");
	totals_chart(&b, st, since, until, "packer", "chart-packer", "Units by packer");
	totals_chart(&b, st, since, until, "station", "chart-station", "Units by station");
	hourly_charts(&b, st, since, until);
	wb_puts(&b, "</div>");
	web_page_end(&b);
	return web_send_wbuf(r, 200, "text/html; charset=utf-8", &b, NULL);
}

enum MHD_Result
page_stats_csv(struct web_req *r)
{
	int64_t since, until;
	const char *by;
	size_t len;
	char *text;

	if (web_stats_range(r, &since, &until, &by) == -1)
		return web_send_error(r, 400, "since/until are YYYY-MM-DD[ HH:MM]");
	text = web_table_text(replies_stats(r->w->d->store, since, until, by), 1, &len);
	if (text == NULL)
		return web_send_error(r, 500, "database error");
	return web_send(r, 200, "text/csv; charset=utf-8", text, len,
	    "attachment; filename=\"station-stats.csv\"");
}

static void
metrics_scans(struct wbuf *b, struct web *w)
{
	int v, i;
	uint64_t cum = 0;

	wb_puts(b,
	    "# HELP station_scans_total Scans recorded since the daemon started, by verdict.\n"
	    "# TYPE station_scans_total counter\n");
	for (v = 0; v < V_COUNT; v++)
		wb_printf(b, "station_scans_total{verdict=\"%s\"} %llu\n",
		    verdict_name((enum verdict)v), (unsigned long long)w->scans[v]);
	wb_puts(b,
	    "# HELP station_verdict_seconds Scan received to verdict committed.\n"
	    "# TYPE station_verdict_seconds histogram\n");
	for (i = 0; i < WEB_LAT_BUCKETS; i++) {
		cum = w->lat_bucket[i];
		wb_printf(b, "station_verdict_seconds_bucket{le=\"%g\"} %llu\n",
		    events_bucket_bound(i), (unsigned long long)cum);
	}
	wb_printf(b,
	    "station_verdict_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "station_verdict_seconds_sum %.6f\nstation_verdict_seconds_count %llu\n",
	    (unsigned long long)w->lat_count, w->lat_sum, (unsigned long long)w->lat_count);
}

static void
metrics_orders(struct wbuf *b, struct web *w)
{
	json_t *counts = replies_order_counts(w->d->store), *v;
	const char *k;

	wb_puts(b, "# HELP station_orders Orders by status.\n# TYPE station_orders gauge\n");
	json_object_foreach(counts, k, v) wb_printf(
	    b, "station_orders{status=\"%s\"} %lld\n", k, (long long)json_integer_value(v));
	json_decref(counts);
}

/* Counts jobs by state into counts: those never sent and those a printer still has. */
static void
jobs_by_state(struct store *st, json_t *counts)
{
	int64_t *ids;
	size_t n, i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if ((pass ? store_jobs_unfinished(st, &ids, &n)
			  : store_jobs_unsent(st, &ids, &n)) == -1)
			continue;
		for (i = 0; i < n && i < 10000; i++) {
			struct job_row row;
			void *pdf = NULL;
			size_t len = 0;

			memset(&row, 0, sizeof(row));
			if (store_job_load(st, ids[i], &row, &pdf, &len) == 0 && row.state) {
				json_int_t c = json_integer_value(
				    json_object_get(counts, row.state));

				json_object_set_new(counts, row.state, json_integer(c + 1));
			}
			free(pdf);
			job_row_clear(&row);
		}
		free(ids);
	}
}

/* Stations whose scanner last reported itself lost (control's memory of it). */
static size_t
scanners_lost(struct web *w)
{
	size_t i, n = 0;

	for (i = 0; i < w->d->conf->nstations; i++) {
		json_t *st = w->d->ctl
		    ? control_scanner_state(w->d->ctl, w->d->conf->stations[i].name)
		    : NULL;

		if (st && json_integer_value(json_object_get(st, "connected")) == 0)
			n++;
	}
	return n;
}

/* Print jobs not yet completed by state, alerts, and the console's own counters. */
static void
metrics_jobs(struct wbuf *b, struct web *w)
{
	json_t *alerts = print_alerts_json(w->d), *counts = json_object(), *v;
	const char *k;

	if (counts)
		jobs_by_state(w->d->store, counts);
	wb_puts(b,
	    "# HELP station_print_jobs Print jobs not yet completed, by state.\n"
	    "# TYPE station_print_jobs gauge\n");
	json_object_foreach(counts, k, v) wb_printf(
	    b, "station_print_jobs{state=\"%s\"} %lld\n", k, (long long)json_integer_value(v));
	wb_puts(b,
	    "# HELP station_alerts Printer alerts and scanners lost, now.\n"
	    "# TYPE station_alerts gauge\n");
	wb_printf(b, "station_alerts{kind=\"printer\"} %zu\n", json_array_size(alerts));
	wb_printf(b, "station_alerts{kind=\"scanner\"} %zu\n", scanners_lost(w));
	json_decref(alerts);
	json_decref(counts);
	wb_printf(b,
	    "# HELP station_web_streams Live floor pages connected.\n"
	    "# TYPE station_web_streams gauge\nstation_web_streams %zu\n"
	    "# HELP station_web_streams_dropped_total Event streams dropped for not reading.\n"
	    "# TYPE station_web_streams_dropped_total counter\n"
	    "station_web_streams_dropped_total %llu\n"
	    "# HELP station_web_logins_failed_total Failed console logins.\n"
	    "# TYPE station_web_logins_failed_total counter\nstation_web_logins_failed_total %llu\n",
	    w->nsse, (unsigned long long)w->sse_dropped, (unsigned long long)w->logins_failed);
}

enum MHD_Result
page_metrics(struct web_req *r)
{
	struct wbuf b = { 0 };

	metrics_scans(&b, r->w);
	metrics_orders(&b, r->w);
	metrics_jobs(&b, r->w);
	return web_send_wbuf(r, 200, "text/plain; version=0.0.4; charset=utf-8", &b, NULL);
}
