/* Control commands that print: reprint, print-slips, sheet. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/config.h"
#include "station/daemon.h"
#include "station/print.h"
#include "station/store.h"
#include "station/store_jobs.h"

static json_t *
refuse(const char *fmt, const char *a)
{
	char msg[300];

	snprintf(msg, sizeof(msg), fmt, a ? a : "");
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static json_t *
done(const char *fmt, const char *a)
{
	char msg[300];

	snprintf(msg, sizeof(msg), fmt, a ? a : "");
	return json_pack("{s:b, s:s}", "ok", 1, "message", msg);
}

/* The station named in the request, else the only (or first) one. */
static const struct station_conf *
pick_station(struct daemon *d, json_t *req, const char *fallback)
{
	const char *name = json_string_value(json_object_get(req, "station"));

	if (name == NULL)
		name = fallback;
	if (name != NULL)
		return config_station(d->conf, name);
	return d->conf->nstations ? &d->conf->stations[0] : NULL;
}

static int
is_sscc(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i == 18;
}

static json_t *
cmd_reprint(struct daemon *d, json_t *req)
{
	const char *what = json_string_value(json_object_get(req, "what"));
	const char *kind = json_string_value(json_object_get(req, "kind"));
	const struct station_conf *sc;
	char station[128] = "";
	int64_t order_id = 0, pkg = 0;
	int r;

	if (what == NULL)
		return refuse("reprint: say which ORDER or SSCC%s", NULL);
	if (kind == NULL)
		kind = "auto";
	if (is_sscc(what)) {
		if ((r = store_find_package_sscc(d->store, what, &pkg, station, sizeof(station))) != 1)
			return refuse(r == 0 ? "no package with SSCC %s" : "database error", what);
		if (strcmp(kind, "slip") == 0)
			return refuse("reprint %s: an SSCC names a label, not a slip", what);
	} else {
		if ((r = store_find_order(d->store, what, &order_id)) != 1)
			return refuse(r == 0 ? "no order %s" : "database error", what);
		if (strcmp(kind, "slip") != 0 &&
		    (pkg = store_last_package_of_order(d->store, order_id, station, sizeof(station))) < 0)
			return refuse("database error%s", NULL);
		if (strcmp(kind, "label") == 0 && pkg == 0)
			return refuse("%s has no label yet (no box closed)", what);
	}
	if ((sc = pick_station(d, req, station[0] ? station : NULL)) == NULL)
		return refuse("no such station%s", NULL);
	if (pkg > 0 && strcmp(kind, "slip") != 0) {
		if (print_label(d, sc->name, pkg, 1) == -1)
			return refuse("reprint %s: the label could not be made (see the log)", what);
		return done("label for %s queued again", what);
	}
	if (print_slip(d, sc->name, order_id, 1) == -1)
		return refuse("reprint %s: the slip could not be made (see the log)", what);
	return done("slip for %s queued again", what);
}

static json_t *
cmd_print_slips(struct daemon *d, json_t *req)
{
	const struct station_conf *sc = pick_station(d, req, NULL);
	json_int_t limit = json_integer_value(json_object_get(req, "limit"));
	int64_t *ids = NULL;
	size_t n = 0, i, ok = 0;
	char buf[64];

	if (sc == NULL)
		return refuse("no such station%s", NULL);
	if (store_orders_without_slip(d->store, limit, &ids, &n) == -1)
		return refuse("database: %s", store_errmsg(d->store));
	for (i = 0; i < n; i++)
		if (print_slip(d, sc->name, ids[i], 0) == 0)
			ok++;
	free(ids);
	snprintf(buf, sizeof(buf), "%zu", ok);
	return done("%s slip(s) queued", buf);
}

static json_t *
cmd_sheet(struct daemon *d, json_t *req)
{
	const struct station_conf *sc = pick_station(d, req, NULL);

	if (sc == NULL)
		return refuse("no such station%s", NULL);
	if (print_sheet(d, sc->name) == -1)
		return refuse("the command sheet could not be made (see the log)%s", NULL);
	return done("command sheet for %s queued", sc->name);
}

json_t *
print_command_json(struct daemon *d, const char *cmd, json_t *req)
{
	char msg[200];

	if (strcmp(cmd, "reprint") == 0)
		return cmd_reprint(d, req);
	if (strcmp(cmd, "print-slips") == 0)
		return cmd_print_slips(d, req);
	if (strcmp(cmd, "sheet") == 0)
		return cmd_sheet(d, req);
	snprintf(msg, sizeof(msg), "unknown command '%s'", cmd);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}
