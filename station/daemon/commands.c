/* Control commands: one small handler per command name. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/control.h"
#include "station/daemon/intake_job.h"
#include "station/intake/intake.h"
#include "common/log.h"
#include "station/daemon/station.h"
#include "station/store/store.h"

typedef json_t *(*command_fn)(struct daemon *, json_t *req);

static const char *
arg_str(json_t *req, const char *key)
{
	return json_string_value(json_object_get(req, key));
}

static json_t *
cmd_status(struct daemon *d, json_t *req)
{
	(void)req;
	return station_status_json(d);
}

struct import_wait {
	struct control	*ctl;
	uint64_t	 ticket;
	char		 file[256];	/* the file's name, as replies carry it */
};

/* The import is done (intake_job.c): the deferred reply goes out now. */
static void
import_done(void *arg, const struct intake_result *res, const char *err)
{
	struct import_wait *w = arg;
	json_t *rep;

	if (err != NULL)
		rep = reply_error("%s", err);
	else
		rep = json_pack("{s:b, s:s, s:s, s:I, s:I, s:I, s:I}", "ok", 1,
		    "file", w->file, "kind", res->kind, "imported", (json_int_t)res->imported,
		    "updated", (json_int_t)res->updated,
		    "unchanged", (json_int_t)res->unchanged,
		    "codes", (json_int_t)res->codes);
	control_reply(w->ctl, w->ticket, rep);
	free(w);
}

/* Queues the file; the reply waits until it is in (the loop serves others). */
static json_t *
cmd_import(struct daemon *d, json_t *req)
{
	const char *path = arg_str(req, "path"), *base;
	struct import_wait *w;

	if (path == NULL)
		return reply_error("import: missing \"path\"");
	if ((w = malloc(sizeof(*w))) == NULL)
		return reply_error("out of memory");
	base = (base = strrchr(path, '/')) ? base + 1 : path;
	snprintf(w->file, sizeof(w->file), "%s", base);
	w->ctl = d->ctl;
	if ((w->ticket = control_defer(d->ctl)) == 0) {
		free(w);
		return reply_error("import: not from a control client");
	}
	if (intake_jobs_import_path(d->intake, path, import_done, w) == -1) {
		control_reply(d->ctl, w->ticket,
		    reply_error("import: out of memory queueing %s", path));
		free(w);
	}
	return NULL;
}

/* Runs a hold/release in one transaction. */
static json_t *
hold_or_release(struct daemon *d, json_t *req, int hold)
{
	const char *name = arg_str(req, "order"), *reason = arg_str(req, "reason");
	char err[512] = "";
	int64_t id;
	int r;

	if (name == NULL)
		return reply_error("missing \"order\"");
	if (hold && (reason == NULL || *reason == '\0'))
		return reply_error("hold %s: a reason is required (--reason TEXT)", name);
	if (store_begin(d->store) == -1)
		return reply_error("database: %s", store_errmsg(d->store));
	r = store_find_order(d->store, name, &id);
	if (r == 1)
		r = hold ? store_hold_order(d->store, id, reason, err, sizeof(err)) :
		    store_release_order(d->store, id, err, sizeof(err));
	else if (r == 0) {
		store_rollback(d->store);
		return reply_error("no order %s", name);
	}
	if (r != 0 || store_commit(d->store) == -1) {
		store_rollback(d->store);
		if (r == 1)
			return reply_error("%s: %s", name, err);
		return reply_error("database: %s", store_errmsg(d->store));
	}
	log_info("%s %s%s%s", hold ? "hold" : "release", name, hold ? ": " : "", hold ? reason : "");
	return json_pack("{s:b, s:s}", "ok", 1, "order", name);
}

static json_t *
cmd_hold(struct daemon *d, json_t *req)
{
	return hold_or_release(d, req, 1);
}

static json_t *
cmd_release(struct daemon *d, json_t *req)
{
	return hold_or_release(d, req, 0);
}

static json_t *
cmd_scan(struct daemon *d, json_t *req)
{
	const char *station = arg_str(req, "station"), *code = arg_str(req, "code");
	const char *aim = arg_str(req, "aim");

	if (code == NULL)
		return reply_error("scan: missing \"code\"");
	return station_scan_json(d, station, code, aim ? aim : "");
}

static json_t *
cmd_ping(struct daemon *d, json_t *req)
{
	(void)d;
	(void)req;
	return json_pack("{s:b, s:I}", "ok", 1, "pid", (json_int_t)getpid());
}

static const struct {
	const char	*name;
	command_fn	 fn;
} commands[] = {
	{ "ping", cmd_ping },
	{ "status", cmd_status },
	{ "import", cmd_import },
	{ "hold", cmd_hold },
	{ "release", cmd_release },
	{ "scan", cmd_scan },
};

json_t *
commands_run(struct daemon *d, json_t *req)
{
	const char *cmd = arg_str(req, "cmd");
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, cmd) == 0)
			return commands[i].fn(d, req);
	return station_command_json(d, cmd, req);
}
