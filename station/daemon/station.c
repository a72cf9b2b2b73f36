/* Stations at work: a scan becomes a committed row, then a verdict, then effects. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "station/daemon/boxes.h"
#include "station/daemon/checks.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/outbox.h"
#include "station/daemon/print.h"
#include "station/daemon/station.h"
#include "station/store/store.h"
#include "station/store/store_pack.h"
#include "station/daemon/fulfillment_doc.h"
#include "station/store/store_query.h"
#include "station/store/store_boxes.h"
#include "station/store/store_jobs.h"
#include "station/shop/shop.h"
#include "station/store/store_checks.h"

#define MAX_AFTER 8

/*
 * What to do once the transaction is committed. Labels and slips are also
 * effects rows of that transaction (carried out again after a crash), and
 * fulfillments are rows without an outbox name until spool/out has them.
 */
struct after {
	size_t nful;
	int64_t labels[MAX_AFTER];
	int64_t label_effects[MAX_AFTER];
	size_t nlabels;
	int64_t slip_order;
	int64_t slip_effect;
	int reprint_last;
	int64_t refresh_order; /* opened: re-read from the shop (background) */
};

struct scan_ctx {
	struct daemon *d;
	const struct station_conf *sc;
	const char *code;
	const char *aim;
	struct sess_state state;
	struct order_view *open;
	struct order_view *target;
	struct sess_input in;
	struct sess_result res;
	char sku[256];
	char packer_arg[64];
	struct after after;
	int64_t scan_id;
	const char *key;	   /* idempotency key, NULL: none */
	struct sess_checks checks; /* the packing checks (issue 15) */
	char scale_state[128];
	struct checks_scan cs;
};

/*
 * Test hook: STATION_TEST_CRASH=after-commit kills the daemon right after
 * committing a scan that implies a label or a shipment, before any of it is
 * carried out (the worst moment for a crash). Read from the environment
 * only; an unset variable costs one getenv per such scan.
 */
static int
test_crash(const char *point)
{
	const char *v = getenv("STATION_TEST_CRASH");

	return v != NULL && strcmp(v, point) == 0;
}

static const struct station_conf *
resolve_station(struct daemon *d, const char *name)
{
	if (name == NULL || *name == '\0')
		return d->conf->nstations == 1 ? &d->conf->stations[0] : NULL;
	return config_station(d->conf, name);
}

/* Order names are printed as "#1001"; a bare "1001" typed at a keyboard also opens it. */
static int
find_order_code(struct store *s, const char *code, int64_t *id)
{
	char alt[80];
	size_t n = strlen(code), i;
	int r = store_find_order(s, code, id);

	if (r != 0 || code[0] == '#' || n == 0 || n > 10)
		return r;
	for (i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	snprintf(alt, sizeof(alt), "#%s", code);
	return store_find_order(s, alt, id);
}

static int
classify(struct scan_ctx *x)
{
	struct store *s = x->d->store;
	int64_t id, mult;
	int r;

	x->in.kind = SCAN_UNKNOWN;
	r = session_parse_command(
	    x->code, &x->in.cmd, &x->in.qty, x->packer_arg, sizeof(x->packer_arg));
	if (r == 1) {
		x->in.kind = SCAN_COMMAND;
		x->in.packer = x->packer_arg;
		if (x->in.cmd == CMD_OVERRIDE &&
		    checks_classify(x->d, x->sc, &x->state, x->code, &x->in, &x->cs) == -1)
			return -1;
		if (x->cs.shown[0] != '\0')
			x->code = x->cs.shown;
		return 0;
	}
	if (r == -1)
		return 0;
	if ((r = checks_classify(x->d, x->sc, &x->state, x->code, &x->in, &x->cs)) != 0) {
		if (x->cs.shown[0] != '\0') /* a PIN is never recorded */
			x->code = x->cs.shown;
		return r == -1 ? -1 : 0;
	}
	if ((r = find_order_code(s, x->code, &id)) == -1)
		return -1;
	if (r == 1) {
		if (x->open && x->open->o.id == id)
			x->in.target = &x->open->o;
		else if ((x->target = store_order_view(s, id)) == NULL)
			return -1;
		else
			x->in.target = &x->target->o;
		x->in.kind = SCAN_ORDER;
		return 0;
	}
	if ((r = store_find_product(s, x->code, x->sku, sizeof(x->sku), &mult)) == -1)
		return -1;
	if (r == 1) {
		x->in.kind = SCAN_ITEM;
		x->in.sku = x->sku;
		x->in.multiplier = mult > 0 ? mult : 1;
	}
	return 0;
}

static int
prepare(struct scan_ctx *x)
{
	struct store *s = x->d->store;
	int64_t last;

	if (store_session_load(s, x->sc->name, &x->state) == -1)
		return -1;
	if (x->state.order_id != 0 && (x->open = store_order_view(s, x->state.order_id)) == NULL)
		return -1;
	if (classify(x) == -1)
		return -1;
	x->in.station = x->sc->name;
	x->in.code = x->code;
	x->in.now_ms = store_now_ms();
	x->in.dup_window_ms = x->sc->duplicate_window_ms;
	x->in.checks = checks_fill(x->d, x->sc, &x->checks, x->scale_state, sizeof(x->scale_state));
	/* only STN:UNDO and STN:REPRINT read these: no lookups for other scans */
	if (x->open && x->in.kind == SCAN_COMMAND && x->in.cmd == CMD_UNDO) {
		int r = store_last_item(
		    s, x->sc->name, x->open->o.id, &x->in.last_item_line, &x->in.last_item_units);

		if (r == -1)
			return -1;
		x->in.has_last_item = r;
	}
	if (x->in.kind == SCAN_COMMAND && x->in.cmd == CMD_REPRINT) {
		if ((last = store_last_package(s, x->sc->name)) == -1)
			return -1;
		x->in.has_last_label = last > 0;
	}
	return 0;
}

/* "SKU: more packed (3) than the shop now wants (2); ..." for a supervisor. */
static void
conflict_message(const struct scan_ctx *x, int64_t line_id, char *msg, size_t len)
{
	const struct sess_line *l = NULL;
	size_t i;

	for (i = 0; x->open && i < x->open->nlines; i++)
		if (x->open->lines[i].line_id == line_id)
			l = &x->open->lines[i];
	if (l == NULL) {
		snprintf(msg, len,
		    "line %lld: more packed than the shop now wants;"
		    " take the extra units out (STN:UNDO)",
		    (long long)line_id);
		return;
	}
	snprintf(msg, len,
	    "%s: more packed (%lld) than the shop now wants (%lld);"
	    " take the extra units out (STN:UNDO)",
	    l->sku	   ? l->sku
		: l->title ? l->title
			   : "line",
	    (long long)l->packed, (long long)l->remaining);
}

static int
apply_effect(struct scan_ctx *x, const struct sess_effect *e, int64_t *package_id)
{
	struct store *s = x->d->store;
	const char *st = x->sc->name, *packer = x->res.next.packer;
	int64_t order = e->order_id ? e->order_id : x->res.order_id, id;
	char sscc[19], msg[300];

	switch (e->kind) {
	case EFF_OPEN:
		if (store_open_order(s, order, st) == -1)
			return -1;
		if (x->sc->slip_on_open && x->sc->slip_printer) {
			if ((id = store_effect_add(s, st, "slip", order)) == -1)
				return -1;
			x->after.slip_order = order;
			x->after.slip_effect = id;
		}
		x->after.refresh_order = order;
		return 0;
	case EFF_COUNT_ITEM:
		*package_id = store_open_package(s, order, st, x->state.box ? x->state.box : 1);
		return *package_id == -1 ? -1 : 0;
	case EFF_UNDO_ITEM: return store_undo_last(s, st, order);
	case EFF_CLOSE_BOX:
		if ((id = store_close_package(s, order, st, x->d->conf->shop.gs1_prefix, sscc)) ==
		    -1)
			return -1;
		/* the scale's stable reading is the box's weight */
		if (id > 0 && e->units >= 0 && store_package_weigh(s, id, e->units) == -1)
			return -1;
		/* the label the bench now waits for */
		if (id > 0 && x->res.next.hold == HOLD_LABEL && x->res.next.label_code[0] == '\0')
			snprintf(
			    x->res.next.label_code, sizeof(x->res.next.label_code), "%s", sscc);
		if (id > 0 && x->sc->label_printer) {
			int64_t eff = store_effect_add(s, st, "label", id);

			if (eff == -1)
				return -1;
			/* past MAX_AFTER the row stays pending: carried out at the next start */
			if (x->after.nlabels < MAX_AFTER) {
				x->after.labels[x->after.nlabels] = id;
				x->after.label_effects[x->after.nlabels++] = eff;
			}
		}
		return 0;
	case EFF_SHIP_FULL:
	case EFF_SHIP_PARTIAL:
		id = fulfillment_record(s, order, st, packer, e->kind == EFF_SHIP_PARTIAL, 1);
		/* the shop push is part of the shipment's commit (sent after it) */
		if (id == -1 || shop_push_record(&x->d->conf->shopify, s, id) == -1)
			return -1;
		x->after.nful++;
		return 0;
	case EFF_ABANDON:
	case EFF_CLOSE_CANCELLED:
	case EFF_CLOSE_SHIPPED: return store_close_unshipped(s, order, st);
	case EFF_REPRINT_LABEL:
		x->after.reprint_last = 1;
		/* a reprint is scanned back too: the machine holds, we name the label */
		if (x->res.next.hold == HOLD_LABEL && x->res.next.label_code[0] == '\0') {
			int64_t last = store_last_package(s, st);
			int r = last > 0
			    ? store_package_label(s, last, sscc, x->res.next.label_order,
				  sizeof(x->res.next.label_order))
			    : 0;

			if (last == -1 || r == -1)
				return -1;
			if (r == 1)
				snprintf(x->res.next.label_code, sizeof(x->res.next.label_code),
				    "%s", sscc);
			else
				x->res.next.hold = HOLD_NONE;
		}
		return 0;
	case EFF_OVERRIDE_EVENT:
		return store_add_event(s, st, order, x->state.packer, "override",
		    verdict_name(V_OVERRIDDEN), x->res.override, 0);
	case EFF_CONFLICT_EVENT:
		conflict_message(x, e->line_id, msg, sizeof(msg));
		return store_add_event(s, st, order, packer, "conflict", NULL, msg, 1);
	}
	return 0;
}

static const char *
event_kind(enum verdict v)
{
	switch (v) {
	case V_OPENED: return "open";
	case V_COMPLETED: return "complete";
	case V_PARTIAL_SHIPPED: return "partial";
	case V_ABANDONED: return "abandon";
	case V_PACKER: return "login";
	case V_LOGOUT: return "logout";
	default: return "scan";
	}
}

/* The whole scan in one transaction: scan row, effects, state, event. */
static int
record(struct scan_ctx *x)
{
	struct store *s = x->d->store;
	const struct sess_result *r = &x->res;
	int64_t package_id = 0, line_id = r->line_id, units = 0;
	const char *state = NULL;
	size_t i;

	/* A counted unit is in its box before the box closes or ships. */
	for (i = 0; i < r->neff; i++)
		if (r->eff[i].kind == EFF_COUNT_ITEM) {
			if (apply_effect(x, &r->eff[i], &package_id) == -1)
				return -1;
			line_id = r->eff[i].line_id;
			units = r->eff[i].units;
			state = "counted";
		}
	if ((x->scan_id = store_record_scan(s, x->sc->name, r->next.packer, x->code, x->aim,
		 verdict_name(r->verdict), r->order_id, line_id, units, package_id, state)) == -1)
		return -1;
	for (i = 0; i < r->neff; i++)
		if (r->eff[i].kind != EFF_COUNT_ITEM &&
		    apply_effect(x, &r->eff[i], &package_id) == -1)
			return -1;
	if (store_session_save(s, x->sc->name, &r->next) == -1)
		return -1;
	return store_add_scan_event(s, x->scan_id, x->sc->name, r->order_id,
	    r->next.packer[0] ? r->next.packer : x->state.packer, event_kind(r->verdict),
	    verdict_name(r->verdict), r->message, verdict_is_refusal(r->verdict));
}

/*
 * The effects wait for the end of this turn of the loop: the verdict goes
 * out first, after the scan's one synced commit. They are rows of that
 * commit (unwritten fulfillments, pending labels and slips), so a crash
 * before they run loses nothing: station_recover carries them out.
 */
struct deferred {
	struct daemon *d;
	char station[128];
	struct after a;
};

static void
run_effects(struct daemon *d, const char *station, const struct after *a)
{
	size_t i;

	if (a->nful)
		outbox_flush(d); /* in order, with its alert while it fails */
	for (i = 0; i < a->nlabels; i++)
		print_label_effect(d, station, a->labels[i], 0, a->label_effects[i]);
	if (a->slip_order)
		print_slip_effect(d, station, a->slip_order, 0, a->slip_effect);
	if (a->reprint_last) {
		int64_t last = store_last_package(d->store, station);

		if (last > 0)
			print_label(d, station, last, 1);
	}
}

static void
run_deferred(void *arg)
{
	struct deferred *p = arg;

	run_effects(p->d, p->station, &p->a);
	free(p);
}

static void
run_after(struct scan_ctx *x)
{
	struct after *a = &x->after;
	struct deferred *p;

	/* the shop's side never blocks: pushes (rows of the commit) and a refresh */
	if (a->nful)
		shop_kick(x->d->shop);
	if (a->refresh_order)
		shop_refresh_order(x->d->shop, a->refresh_order);
	if (a->nful == 0 && a->nlabels == 0 && a->slip_order == 0 && !a->reprint_last)
		return;
	if (x->d->loop == NULL || (p = calloc(1, sizeof(*p))) == NULL) {
		run_effects(x->d, x->sc->name, a);
		return;
	}
	p->d = x->d;
	snprintf(p->station, sizeof(p->station), "%s", x->sc->name);
	p->a = *a;
	if (loop_add_timer(x->d->loop, 0, run_deferred, p) == -1) {
		free(p);
		run_effects(x->d, x->sc->name, a);
	}
}

/* The outcome of a committed scan: what the packer is told. */
static void
outcome_fill(const struct scan_ctx *x, struct scan_outcome *out)
{
	const struct sess_result *r = &x->res;

	out->recorded = 1;
	out->verdict = r->verdict;
	out->refused = verdict_is_refusal(r->verdict);
	out->station = x->sc->name;
	if ((out->has_order = r->order_name != NULL))
		snprintf(out->order, sizeof(out->order), "%s", r->order_name);
	if ((out->has_sku = r->sku != NULL))
		snprintf(out->sku, sizeof(out->sku), "%s", r->sku);
	out->packed = r->packed;
	out->of = r->of;
	snprintf(out->message, sizeof(out->message), "%s", r->message);
	snprintf(out->packer, sizeof(out->packer), "%s", r->next.packer);
	out->box = r->next.box;
}

/* Monotonic microseconds: how long a scan took to its verdict (the console's /metrics). */
static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Tells `stationctl watch` and the web console what the bench looks like now. */
static void
tell_watchers(struct scan_ctx *x, const struct scan_outcome *out)
{
	const struct daemon_watchers *ws[2] = { &x->d->watchers, &x->d->web_watchers };
	struct order_view *v = NULL;
	int want[2], i;

	for (i = 0; i < 2; i++)
		want[i] = ws[i]->scan != NULL &&
		    (ws[i]->watching == NULL || ws[i]->watching(ws[i]->arg, out->station));
	if (!want[0] && !want[1])
		return;
	if (x->res.next.order_id)
		v = store_order_view(x->d->store, x->res.next.order_id);
	for (i = 0; i < 2; i++)
		if (want[i])
			ws[i]->scan(ws[i]->arg, out, v);
	order_view_free(v);
}

/*
 * A request sent again with the key of a committed scan (its reply was
 * lost): the original reply as first sent, and nothing counted.
 * 1 with out->replay set, 0 when the key is new, -1 on a database error.
 */
static int
replay_key(struct scan_ctx *x, struct scan_outcome *out)
{
	char *txt = NULL;
	int found = store_scan_by_key(x->d->store, x->sc->name, x->key, &txt);

	if (found != 1)
		return found;
	out->recorded = 1;
	out->repeated = 1;
	out->station = x->sc->name;
	out->replay = txt; /* NULL: recorded, but the reply was not kept */
	return 1;
}

/*
 * Keeps the key and the reply with the scan row, inside its transaction;
 * the control layer writes the reply (d->watchers.reply_text).
 */
static int
keep_key(struct scan_ctx *x)
{
	const struct daemon_watchers *w = &x->d->watchers;
	struct scan_outcome o;
	char *txt;
	int rc;

	memset(&o, 0, sizeof(o));
	outcome_fill(x, &o);
	txt = w->reply_text ? w->reply_text(w->arg, &o) : NULL;
	rc = store_scan_set_key(x->d->store, x->scan_id, x->key, txt ? txt : "");
	free(txt);
	return rc;
}

/*
 * The database is away (a server restarting, the network down): the
 * packer is refused with store_unavailable, nothing was recorded; the
 * daemon's loop reconnects (boxes_db_kick), never this scan. 1 if so, 0 otherwise.
 */
static int
store_down(struct scan_ctx *x, struct scan_outcome *out)
{
	if (!store_unavailable(x->d->store))
		return 0;
	memset(out, 0, sizeof(*out));
	out->recorded = 1;
	out->verdict = V_STORE_UNAVAILABLE;
	out->refused = 1;
	out->station = x->sc->name;
	snprintf(out->message, sizeof(out->message), "STORE DOWN: scan again in a moment");
	log_warnx("[station %s] %s: store unavailable: %s", x->sc->name, x->code,
	    store_errmsg(x->d->store));
	boxes_db_kick(x->d); /* the loop reconnects; this scan does not wait for it */
	return 1;
}

void
station_scan(struct daemon *d, const char *station, const char *code, const char *aim,
    const char *key, struct scan_outcome *out)
{
	struct scan_ctx x;
	int r;
	int64_t t0 = now_us();

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.code = code;
	x.aim = aim;
	x.key = key && *key ? key : NULL;
	if ((x.sc = resolve_station(d, station)) == NULL) {
		if (station)
			snprintf(out->error, sizeof(out->error),
			    "no station '%s' in the configuration", station);
		else
			snprintf(out->error, sizeof(out->error),
			    "several stations: say which (--station NAME)");
		return;
	}
	if (*code == '\0' || strlen(code) > 4096) {
		snprintf(out->error, sizeof(out->error), "scan: empty or overlong code");
		return;
	}
	if (x.key && strlen(x.key) > 128) {
		snprintf(out->error, sizeof(out->error), "scan: key longer than 128 bytes");
		return;
	}
	if (store_begin(d->store) == -1) {
		if (store_down(&x, out))
			return;
		snprintf(out->error, sizeof(out->error),
		    "not recorded: database busy or unavailable: %s", store_errmsg(d->store));
		return;
	}
	if (x.key && (r = replay_key(&x, out)) != 0) {
		if (r == -1)
			goto dberr;
		store_rollback(d->store); /* nothing was written */
		return;
	}
	if (prepare(&x) == -1)
		goto dberr;
	session_step(&x.state, x.open ? &x.open->o : NULL, &x.in, &x.res);
	if (record(&x) == -1 || (x.key && keep_key(&x) == -1) || store_commit(d->store) == -1)
		goto dberr;
	if ((x.after.nful || x.after.nlabels) && test_crash("after-commit"))
		raise(SIGKILL);
	/* Committed: only now is the verdict real. */
	outcome_fill(&x, out);
	out->elapsed_us = now_us() - t0;
	if (x.open != NULL && x.open->name != NULL) /* the journal's ORDER= field */
		log_debug("[station %s] [order %s] %s → %s", x.sc->name, x.open->name, x.code,
		    verdict_name(x.res.verdict));
	else
		log_debug("[station %s] %s → %s", x.sc->name, x.code, verdict_name(x.res.verdict));
	run_after(&x);
	tell_watchers(&x, out);
	order_view_free(x.open);
	order_view_free(x.target);
	return;
dberr:
	store_rollback(d->store);
	log_warnx(
	    "[station %s] scan %s not recorded: %s", x.sc->name, code, store_errmsg(d->store));
	order_view_free(x.open);
	order_view_free(x.target);
	if (store_down(&x, out))
		return;
	snprintf(out->error, sizeof(out->error), "not recorded (scan again): database: %s",
	    store_errmsg(d->store));
}

void
station_on_scanner(void *arg, const char *station, const char *code, const char *aim)
{
	struct scan_outcome out;

	station_scan(arg, station, code, aim, NULL, &out);
	if (!out.recorded)
		log_warnx("[station %s] %s", station, out.error);
}

void
station_on_scanner_alert(void *arg, const char *station, int connected, const char *message)
{
	struct daemon *d = arg;

	if (connected > 0)
		log_info("[station %s] scanner: %s", station, message);
	else
		log_warnx("[station %s] scanner: %s", station, message);
	if (store_add_event(d->store, station, 0, NULL, connected > 0 ? "scanner" : "alert", NULL,
		message, connected <= 0) == -1)
		log_warnx("[station %s] cannot log the scanner event: %s", station,
		    store_errmsg(d->store));
	if (d->watchers.scanner)
		d->watchers.scanner(d->watchers.arg, station, connected, message);
	if (d->web_watchers.scanner)
		d->web_watchers.scanner(d->web_watchers.arg, station, connected, message);
}

/* A committed label or slip a crash left undone: carried out now. */
static void
recover_effect(struct daemon *d, int64_t id)
{
	char station[128], kind[16];
	int64_t ref;

	if (store_effect_load(d->store, id, station, sizeof(station), kind, sizeof(kind), &ref) ==
	    -1)
		return;
	if (strcmp(kind, "label") == 0)
		print_label_effect(d, station, ref, 0, id);
	else if (strcmp(kind, "slip") == 0)
		print_slip_effect(d, station, ref, 0, id);
	else
		store_effect_done(d->store, id); /* a kind this version does not know */
}

static enum verdict
verdict_of_name(const char *name)
{
	int v;

	for (v = 0; v < V_COUNT; v++)
		if (strcmp(verdict_name((enum verdict)v), name) == 0)
			return (enum verdict)v;
	return V_UNKNOWN_CODE;
}

/*
 * What a bench shows after a restart until its next scan: its last
 * committed verdict, "RESUMED #1001: last scan OK  MUG-BLK-12  1 of 3",
 * so a packer whose verdict never arrived does not scan again blindly.
 * 1 with out filled (and *bench loaded, the caller frees it), 0 when the
 * bench never scanned or has scanned since.
 */
static int
resume_outcome(struct daemon *d, const struct station_conf *sc, struct scan_outcome *out,
    struct order_view **bench)
{
	struct last_verdict lv;
	struct sess_state ss;

	memset(out, 0, sizeof(*out));
	*bench = NULL;
	if (store_resume_message(d->store, sc->name, out->message, sizeof(out->message)) != 1 ||
	    store_last_verdict(d->store, sc->name, &lv) != 1)
		return 0;
	out->recorded = 1;
	out->resumed = 1;
	out->station = sc->name;
	out->verdict = verdict_of_name(lv.verdict);
	out->refused = lv.refused;
	if ((out->has_order = lv.order[0] != '\0'))
		snprintf(out->order, sizeof(out->order), "%s", lv.order);
	if (store_session_load(d->store, sc->name, &ss) == 0) {
		snprintf(out->packer, sizeof(out->packer), "%s", ss.packer);
		if (ss.order_id)
			*bench = store_order_view(d->store, ss.order_id);
	}
	return 1;
}

void
station_resume(struct daemon *d, const char *station,
    void (*cb)(void *arg, const struct scan_outcome *, const struct order_view *), void *arg)
{
	struct scan_outcome out;
	struct order_view *bench;
	size_t i;

	for (i = 0; i < d->conf->nstations; i++) {
		const struct station_conf *sc = &d->conf->stations[i];

		if (station && *station && strcmp(station, sc->name) != 0)
			continue;
		if (resume_outcome(d, sc, &out, &bench) == 1)
			cb(arg, &out, bench);
		order_view_free(bench);
	}
}

/* At start: each bench first repeats its last committed verdict (log, watchers). */
static void
resume_benches(struct daemon *d)
{
	struct last_verdict lv;
	struct scan_outcome out;
	struct order_view *bench;
	char text[700];
	size_t i;

	for (i = 0; i < d->conf->nstations; i++) {
		const struct station_conf *sc = &d->conf->stations[i];

		if (store_last_verdict(d->store, sc->name, &lv) != 1)
			continue;
		snprintf(text, sizeof(text), "RESUMED%s%s: last scan %s", lv.order[0] ? " " : "",
		    lv.order, lv.message);
		log_info("[station %s] %s", sc->name, text);
		if (store_add_event(
			d->store, sc->name, lv.order_id, NULL, "resume", NULL, text, 0) == -1)
			log_warnx("[station %s] cannot log the resume: %s", sc->name,
			    store_errmsg(d->store));
		bench = NULL;
		if ((d->watchers.scan || d->web_watchers.scan) &&
		    resume_outcome(d, sc, &out, &bench) == 1) {
			if (d->watchers.scan)
				d->watchers.scan(d->watchers.arg, &out, bench);
			if (d->web_watchers.scan)
				d->web_watchers.scan(d->web_watchers.arg, &out, bench);
		}
		order_view_free(bench);
	}
}

void
station_recover(struct daemon *d)
{
	int64_t *ids = NULL;
	size_t n = 0, i;

	resume_benches(d);
	outbox_flush(d);
	if (store_effects_pending(d->store, &ids, &n) == -1) {
		log_warnx("recover: %s", store_errmsg(d->store));
		return;
	}
	for (i = 0; i < n; i++)
		recover_effect(d, ids[i]);
	if (n)
		log_info("recover: %zu label(s)/slip(s) a stop left undone queued again", n);
	free(ids);
}
