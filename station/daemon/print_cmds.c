/* Control commands that print: reprint, print-slips, sheet. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/print.h"
#include "station/daemon/reply.h"
#include "station/store/store.h"
#include "station/store/store_jobs.h"

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
		return reply_error("reprint: say which ORDER or SSCC");
	if (kind == NULL)
		kind = "auto";
	if (is_sscc(what)) {
		if ((r = store_find_package_sscc(d->store, what, &pkg, station, sizeof(station))) !=
		    1)
			return r == 0 ? reply_error("no package with SSCC %s", what)
				      : reply_error("database error");
		if (strcmp(kind, "slip") == 0)
			return reply_error("reprint %s: an SSCC names a label, not a slip", what);
	} else {
		if ((r = store_find_order(d->store, what, &order_id)) != 1)
			return r == 0 ? reply_error("no order %s", what)
				      : reply_error("database error");
		if (strcmp(kind, "slip") != 0 &&
		    (pkg = store_last_package_of_order(
			 d->store, order_id, station, sizeof(station))) < 0)
			return reply_error("database error");
		if (strcmp(kind, "label") == 0 && pkg == 0)
			return reply_error("%s has no label yet (no box closed)", what);
	}
	if ((sc = pick_station(d, req, station[0] ? station : NULL)) == NULL)
		return reply_error("no such station");
	if (pkg > 0 && strcmp(kind, "slip") != 0) {
		if (print_label(d, sc->name, pkg, 1) == -1)
			return reply_error(
			    "reprint %s: the label could not be made (see the log)", what);
		return reply_message("label for %s queued again", what);
	}
	if (print_slip(d, sc->name, order_id, 1) == -1)
		return reply_error("reprint %s: the slip could not be made (see the log)", what);
	return reply_message("slip for %s queued again", what);
}

static json_t *
cmd_print_slips(struct daemon *d, json_t *req)
{
	const struct station_conf *sc = pick_station(d, req, NULL);
	json_int_t limit = json_integer_value(json_object_get(req, "limit"));
	int64_t *ids = NULL;
	size_t n = 0, i, ok = 0;

	if (sc == NULL)
		return reply_error("no such station");
	if (store_orders_without_slip(d->store, limit, &ids, &n) == -1)
		return reply_error("database: %s", store_errmsg(d->store));
	for (i = 0; i < n; i++)
		if (print_slip(d, sc->name, ids[i], 0) == 0)
			ok++;
	free(ids);
	return reply_message("%zu slip(s) queued", ok);
}

static json_t *
cmd_sheet(struct daemon *d, json_t *req)
{
	const struct station_conf *sc = pick_station(d, req, NULL);

	if (sc == NULL)
		return reply_error("no such station");
	if (print_sheet(d, sc->name) == -1)
		return reply_error("the command sheet could not be made (see the log)");
	return reply_message("command sheet for %s queued", sc->name);
}

json_t *
print_command_json(struct daemon *d, const char *cmd, json_t *req)
{
	if (strcmp(cmd, "reprint") == 0)
		return cmd_reprint(d, req);
	if (strcmp(cmd, "print-slips") == 0)
		return cmd_print_slips(d, req);
	if (strcmp(cmd, "sheet") == 0)
		return cmd_sheet(d, req);
	return reply_error("unknown command '%s'", cmd);
}
