/* Control commands: one small handler per command name; outcomes become JSON here. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "station/daemon/checks.h"
#include "station/daemon/config.h"
#include "station/daemon/control.h"
#include "station/daemon/daemon.h"
#include "station/daemon/outbox.h"
#include "station/daemon/print.h"
#include "station/daemon/reply.h"
#include "station/daemon/upkeep.h"
#include "station/daemon/intake_job.h"
#include "station/intake/intake.h"
#include "common/log.h"
#include "station/daemon/station.h"
#include "station/store/store.h"
#include "station/store/store_boxes.h"
#include "station/store/store_pack.h"
#include "station/store/store_query.h"
#include "station/daemon/replies.h"
#include "station/shop/shop.h"

/* The largest file `stationctl import` sends (the intake's own limit). */
#define IMPORT_MAX_BYTES (1024L * 1024 * 1024)

typedef json_t *(*command_fn)(struct daemon *, json_t *req, int *fd);

static const char *
arg_str(json_t *req, const char *key)
{
	return json_string_value(json_object_get(req, key));
}

/* The open order's lines as watchers and status show them. */
static json_t *
lines_json(const struct order_view *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; v && a && i < v->nlines; i++)
		json_array_append_new(a,
		    json_pack("{s:I, s:s?, s:s?, s:I, s:I}", "line",
			(json_int_t)v->lines[i].line_id, "sku", v->lines[i].sku, "title",
			v->lines[i].title, "packed", (json_int_t)v->lines[i].packed, "of",
			(json_int_t)v->lines[i].remaining));
	return a;
}

struct import_wait {
	struct control *ctl;
	uint64_t ticket;
	char file[256]; /* the file's name, as replies carry it */
	char *copy;	/* the daemon's private copy, removed when done */
};

static void
import_wait_free(struct import_wait *w)
{
	if (w->copy != NULL) {
		unlink(w->copy);
		free(w->copy);
	}
	free(w);
}

/* The import is done (intake_job.c): the deferred reply goes out now. */
static void
import_done(void *arg, const struct intake_result *res, const char *err)
{
	struct import_wait *w = arg;
	json_t *rep;

	if (err != NULL)
		rep = reply_error("%s", err);
	else
		rep = json_pack("{s:b, s:s, s:s, s:I, s:I, s:I, s:I}", "ok", 1, "file", w->file,
		    "kind", res->kind, "imported", (json_int_t)res->imported, "updated",
		    (json_int_t)res->updated, "unchanged", (json_int_t)res->unchanged, "codes",
		    (json_int_t)res->codes);
	control_reply(w->ctl, w->ticket, rep);
	import_wait_free(w);
}

/* A bench's scale and what it waits for (issue 15), added to its status object. */
static void
scale_status(
    struct daemon *d, const struct station_conf *sc, const struct sess_state *ss, json_t *o)
{
	static const char *const holds[] = { NULL, "weight", "label" };
	char text[128];
	int64_t grams;

	if (o == NULL)
		return;
	if (checks_scale_status(d, sc->name, text, sizeof(text), &grams) == 1) {
		json_object_set_new(o, "scale", json_string(sc->scale));
		json_object_set_new(o, "weight", json_string(text));
		json_object_set_new(
		    o, "weight_grams", grams >= 0 ? json_integer(grams) : json_null());
	}
	if (ss->hold > 0 && ss->hold < 3) {
		json_object_set_new(o, "waiting_for", json_string(holds[ss->hold]));
		if (ss->hold == HOLD_LABEL && ss->label_code[0])
			json_object_set_new(o, "label", json_string(ss->label_code));
	}
}

static json_t *
stations_json(struct daemon *d)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < d->conf->nstations; i++) {
		const struct station_conf *sc = &d->conf->stations[i];
		struct sess_state ss;
		struct order_view *v = NULL;
		json_t *sstate;

		if (store_session_load(d->store, sc->name, &ss) == 0 && ss.order_id)
			v = store_order_view(d->store, ss.order_id);
		sstate = control_scanner_state(d->ctl, sc->name);
		json_array_append_new(a,
		    json_pack("{s:s, s:s?, s:s?, s:i, s:s?, s:O?, s:s?, s:s?, s:o}", "name",
			sc->name, "order", v ? v->name : NULL, "packer",
			ss.packer[0] ? ss.packer : NULL, "box", ss.box, "scanner", sc->scanner,
			"scanner_state", sstate, "label_printer", sc->label_printer, "slip_printer",
			sc->slip_printer, "lines", lines_json(v)));
		scale_status(d, sc, &ss, json_array_get(a, json_array_size(a) - 1));
		order_view_free(v);
	}
	return a;
}

/* Printer alerts, and spool/out's while it cannot be written. */
static json_t *
alerts_json(struct daemon *d)
{
	json_t *a = print_alerts_json(d);
	const char *oa = outbox_alert();

	if (a && oa)
		json_array_append_new(a,
		    json_pack("{s:n, s:s, s:s}", "station", "printer", "spool/out", "alert", oa));
	return a;
}

/* Every box's benches (a shared database), or NULL when there is none to list. */
static json_t *
benches_json(struct daemon *d)
{
	struct store_bench_row *rows = NULL;
	size_t n = 0, i;
	json_t *a;

	if (store_list_benches(d->store, &rows, &n) == -1)
		return NULL;
	if (n == 0 || (a = json_array()) == NULL) {
		store_bench_rows_free(rows, n);
		return NULL;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:s, s:b, s:s?}", "name", rows[i].station, "box", rows[i].box,
			"online", rows[i].online, "order", rows[i].order));
	store_bench_rows_free(rows, n);
	return a;
}

static json_t *
cmd_status(struct daemon *d, json_t *req, int *fd)
{
	json_t *r, *b;

	(void)req;
	(void)fd;
	r = json_pack("{s:b, s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "ok", 1, "pid",
	    (json_int_t)getpid(), "database", d->conf->database, "spool", d->conf->spool,
	    "stations", stations_json(d), "orders", replies_order_counts(d->store), "alerts",
	    alerts_json(d), "shop", shop_status_json(d->shop));
	if (r && (b = benches_json(d)) != NULL) {
		json_object_set_new(r, "box", json_string(d->conf->box));
		json_object_set_new(r, "benches", b);
	}
	return r;
}

/* Frees an order open at a bench (on a dead box, say): nothing shipped, ready again. */
static json_t *
cmd_abandon(struct daemon *d, json_t *req, int *fd)
{
	const char *name = arg_str(req, "order");
	char bench[128], msg[400];
	int64_t id;
	int r;

	(void)fd;
	if (name == NULL)
		return reply_error("missing \"order\"");
	if (store_begin(d->store) == -1)
		return reply_error("database: %s", store_errmsg(d->store));
	if ((r = store_find_order(d->store, name, &id)) == 1)
		r = store_abandon_order(d->store, id, bench, sizeof(bench));
	else if (r == 0) {
		store_rollback(d->store);
		return reply_error("no order %s", name);
	}
	if (r == 0) {
		store_rollback(d->store);
		return reply_error("%s is not open at any bench", name);
	}
	if (r == 1) {
		snprintf(msg, sizeof(msg),
		    "ABANDONED %s at %s by a supervisor: nothing shipped,"
		    " ready again",
		    name, bench);
		r = store_add_event(d->store, bench, id, NULL, "abandon", NULL, msg, 0);
	}
	if (r != 0 || store_commit(d->store) == -1) {
		store_rollback(d->store);
		return reply_error("database: %s", store_errmsg(d->store));
	}
	log_info("abandon %s at %s", name, bench);
	return json_pack("{s:b, s:s, s:s}", "ok", 1, "order", name, "station", bench);
}

/* A keyed request already committed: the reply as first sent, marked "repeated". */
static json_t *
repeated_json(const struct scan_outcome *o)
{
	json_t *r = o->replay ? json_loads(o->replay, 0, NULL) : NULL;

	if (r == NULL || !json_is_object(r)) {
		json_decref(r);
		return reply_error(
		    "this scan (same key) was recorded before; its reply was not kept");
	}
	json_object_set_new(r, "repeated", json_true());
	return r;
}

json_t *
commands_scan_json(const struct scan_outcome *o)
{
	json_t *r;

	if (!o->recorded)
		return reply_error("%s", o->error);
	if (o->repeated)
		return repeated_json(o);
	r = json_pack("{s:b, s:s, s:s, s:s?, s:s?, s:I, s:I, s:s, s:b, s:s?}", "ok", 1, "verdict",
	    verdict_name(o->verdict), "station", o->station, "order",
	    o->has_order ? o->order : NULL, "sku", o->has_sku ? o->sku : NULL, "packed",
	    (json_int_t)o->packed, "of", (json_int_t)o->of, "message", o->message, "refused",
	    o->refused, "packer", o->packer[0] ? o->packer : NULL);
	if (r && o->resumed)
		json_object_set_new(r, "resumed", json_true());
	return r;
}

json_t *
commands_scan_event(const struct scan_outcome *o, const struct order_view *bench)
{
	return json_pack("{s:s, s:o, s:s?, s:o}", "event", "scan", "scan", commands_scan_json(o),
	    "open", bench ? bench->name : NULL, "lines", lines_json(bench));
}

json_t *
commands_scanner_event(const char *station, int connected, const char *message)
{
	return json_pack("{s:s, s:s, s:i, s:s}", "event", "scanner", "station", station,
	    "connected", connected, "message", message);
}

/*
 * Copies the file the client opened into a private file under the spool,
 * so the intake reads exactly what the client could read: the daemon never
 * opens a client-named path with its own rights. Returns the copy's path
 * (caller unlinks and frees) or NULL with err.
 */
static char *
import_copy(struct daemon *d, int fd, char *err, size_t errlen)
{
	struct stat sb;
	char *tmp;
	off_t off = 0;
	ssize_t n;
	int out;

	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		return NULL;
	}
	if (sb.st_size > IMPORT_MAX_BYTES) {
		snprintf(err, errlen, "file too large (%lld bytes, limit %ld)",
		    (long long)sb.st_size, IMPORT_MAX_BYTES);
		return NULL;
	}
	if (asprintf(&tmp, "%s/.import-XXXXXX", d->conf->spool) == -1) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((out = mkostemp(tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot make a copy in the spool: %s", strerror(errno));
		free(tmp);
		return NULL;
	}
	while (off < sb.st_size && (n = sendfile(out, fd, &off, (size_t)(sb.st_size - off))) != 0)
		if (n == -1 && errno != EINTR) {
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			close(out);
			unlink(tmp);
			free(tmp);
			return NULL;
		}
	close(out);
	return tmp;
}

/* The file's name as the client gave it, for messages: its last component. */
static const char *
import_label(json_t *req)
{
	const char *name = arg_str(req, "name"), *slash;

	if (name == NULL || *name == '\0')
		return "(unnamed)";
	return (slash = strrchr(name, '/')) != NULL && slash[1] ? slash + 1 : name;
}

/*
 * Copies the passed file, queues the copy; the reply waits until it is in
 * (the loop serves others meanwhile).
 */
static json_t *
cmd_import(struct daemon *d, json_t *req, int *fd)
{
	const char *label = import_label(req);
	struct import_wait *w;
	char err[1400], *copy;

	if (*fd == -1)
		return reply_error("import: send the file itself, not a path"
				   " (stationctl import passes the open file)");
	copy = import_copy(d, *fd, err, sizeof(err));
	close(*fd);
	*fd = -1;
	if (copy == NULL)
		return reply_error("%s: %s", label, err);
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		unlink(copy);
		free(copy);
		return reply_error("out of memory");
	}
	snprintf(w->file, sizeof(w->file), "%s", label);
	w->copy = copy;
	w->ctl = d->ctl;
	/* import_done comes from a later loop turn, after the deferral below */
	if (intake_jobs_import_path(d->intake, copy, label, import_done, w) == -1) {
		import_wait_free(w);
		return reply_error("import: out of memory queueing %s", label);
	}
	if ((w->ticket = control_defer(d->ctl)) == 0)
		return reply_error("import: queued, but no control client waits for it");
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
		r = hold ? store_hold_order(d->store, id, reason, err, sizeof(err))
			 : store_release_order(d->store, id, err, sizeof(err));
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
	log_info(
	    "%s %s%s%s", hold ? "hold" : "release", name, hold ? ": " : "", hold ? reason : "");
	return json_pack("{s:b, s:s}", "ok", 1, "order", name);
}

static json_t *
cmd_hold(struct daemon *d, json_t *req, int *fd)
{
	(void)fd;
	return hold_or_release(d, req, 1);
}

static json_t *
cmd_release(struct daemon *d, json_t *req, int *fd)
{
	(void)fd;
	return hold_or_release(d, req, 0);
}

static json_t *
cmd_scan(struct daemon *d, json_t *req, int *fd)
{
	const char *station = arg_str(req, "station"), *code = arg_str(req, "code");
	const char *aim = arg_str(req, "aim");
	struct scan_outcome out;
	json_t *rep;

	(void)fd;
	if (code == NULL)
		return reply_error("scan: missing \"code\"");
	station_scan(d, station, code, aim ? aim : "", arg_str(req, "key"), &out);
	rep = commands_scan_json(&out);
	free(out.replay);
	return rep;
}

static json_t *
cmd_ping(struct daemon *d, json_t *req, int *fd)
{
	(void)d;
	(void)req;
	(void)fd;
	return json_pack("{s:b, s:I}", "ok", 1, "pid", (json_int_t)getpid());
}

static json_t *
cmd_archive(struct daemon *d, json_t *req, int *fd)
{
	(void)fd;
	return upkeep_cmd_archive(d, req);
}

static const struct {
	const char *name;
	command_fn fn;
} commands[] = {
	{ "ping", cmd_ping },
	{ "status", cmd_status },
	{ "import", cmd_import },
	{ "hold", cmd_hold },
	{ "release", cmd_release },
	{ "abandon", cmd_abandon },
	{ "scan", cmd_scan },
	{ "archive", cmd_archive },
};

json_t *
commands_run(struct daemon *d, json_t *req, int *fd)
{
	const char *cmd = arg_str(req, "cmd");
	json_t *shop;
	size_t i;


	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, cmd) == 0)
			return commands[i].fn(d, req, fd);
	if ((shop = shop_command_json(d, cmd, req)) != NULL)
		return shop;
	return print_command_json(d, cmd, req);
}
