/*
 * The JSON API for scripts: the same documents `stationctl ... --format json`
 * prints, built by the same functions (commands_run "status", replies.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/daemon/control.h"
#include "station/daemon/daemon.h"
#include "station/daemon/replies.h"
#include "station/store/store_query.h"
#include "station/web/web_int.h"

#define JSON	    "application/json"
#define API_LOG_MAX 100000 /* events in one answer, oldest first (since/after for more) */

static enum MHD_Result
api_status(struct web_req *r)
{
	json_t *req = json_pack("{s:s}", "cmd", "status"), *rep;
	int fd = -1;

	if (req == NULL)
		return web_send_error(r, 500, "out of memory");
	rep = commands_run(r->w->d, req, &fd);
	json_decref(req);
	return web_send_json(r, json_is_true(json_object_get(rep, "ok")) ? 200 : 500, rep);
}

static enum MHD_Result
api_table(struct web_req *r, struct table *t)
{
	size_t len;
	char *text = web_table_text(t, 0, &len);

	if (text == NULL)
		return web_send_error(r, 500, "database error");
	return web_send(r, 200, JSON, text, len, NULL);
}

/* With ?after=ID (the log page's follow): {"events": [...], "last_id": N}. */
static enum MHD_Result
api_log(struct web_req *r)
{
	struct log_filter f;
	int64_t last = 0;
	json_t *rows;

	web_log_filter(r, &f);
	f.limit = API_LOG_MAX;
	if (web_arg(r, "after") == NULL)
		return api_table(r, replies_log(r->w->d->store, &f, &last));
	f.limit = 1000;
	last = f.after_id;
	if ((rows = web_table_json(replies_log(r->w->d->store, &f, &last))) == NULL)
		return web_send_error(r, 500, "database error");
	return web_send_json(
	    r, 200, json_pack("{s:o, s:I}", "events", rows, "last_id", (json_int_t)last));
}

/* since/until as stationctl stats takes them (a day or a time), by packer|station|hour|day. */
int
web_stats_range(struct web_req *r, int64_t *since, int64_t *until, const char **by)
{
	const char *s = web_arg(r, "since"), *u = web_arg(r, "until");

	*by = web_arg(r, "by");
	*since = s ? web_parse_time(s) : 0;
	*until = u ? web_parse_time(u) : 0;
	if (*since < 0 || *until < 0)
		return -1;
	if (*by && strcmp(*by, "packer") != 0 && strcmp(*by, "station") != 0 &&
	    strcmp(*by, "hour") != 0 && strcmp(*by, "day") != 0)
		return -1;
	return 0;
}

static enum MHD_Result
api_stats(struct web_req *r)
{
	int64_t since, until;
	const char *by;

	if (web_stats_range(r, &since, &until, &by) == -1)
		return web_send_error(r, 400,
		    "since/until are YYYY-MM-DD[ HH:MM]; by is packer,"
		    " station, hour or day");
	return api_table(r, replies_stats(r->w->d->store, since, until, by));
}

enum MHD_Result
api_route(struct web_req *r, const char *path)
{
	if (strcmp(path, "status") == 0)
		return api_status(r);
	if (strcmp(path, "orders") == 0)
		return api_table(r, replies_orders(r->w->d->store, web_arg(r, "status")));
	if (strncmp(path, "orders/", 7) == 0 && path[7]) {
		int err;
		json_t *o = replies_order(r->w->d->store, path + 7, &err);

		if (o == NULL)
			return web_send_error(
			    r, err ? 500 : 404, err ? "database error" : "no such order");
		return web_send_json(r, 200, o);
	}
	if (strcmp(path, "log") == 0)
		return api_log(r);
	if (strcmp(path, "stats") == 0)
		return api_stats(r);
	return web_send_error(r, 404, "no such API");
}
