/*
 * Printing: documents rendered from the store, kept as print_jobs rows,
 * handed to the printer driver (which never blocks the loop), followed to
 * completion, retried while they fail, and printer alerts kept for status.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/printer.h"
#include "labels/labels.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/print.h"
#include "station/daemon/render.h"
#include "station/store/store.h"
#include "station/store/store_jobs.h"

#define RETRY_MS 3000 /* failed submissions are tried again this often */

struct alert {
	char *dest;
	unsigned bits;
	char *reason;
};

struct printq {
	struct daemon *d;
	struct printers *p;
	struct alert *alerts;
	size_t nalerts;
	int64_t retry_timer; /* 0: not armed */
	struct renderer *r;  /* documents are made in child processes */
};

static void retry_sweep(void *);

static void
arm_retry(struct printq *q)
{
	if (q->retry_timer == 0)
		q->retry_timer = loop_add_timer(q->d->loop, RETRY_MS, retry_sweep, q);
}

static const char *
state_word(enum print_state s)
{
	return s == PRINT_FAILED ? "failed" : print_state_name(s);
}

static void
job_event(struct printq *q, int64_t ref, const char *kind, const char *msg, int error)
{
	struct job_row j;

	if (store_job_load(q->d->store, ref, &j, NULL, NULL) == -1)
		memset(&j, 0, sizeof(j)); /* still log it, without station and order */
	store_add_event(q->d->store, j.station, j.order_id, NULL, kind, NULL, msg, error);
	job_row_clear(&j);
}

static void
on_alert(struct printq *q, const struct printer_event *ev)
{
	struct alert *a = NULL, *na;
	char msg[400];
	size_t i;

	for (i = 0; i < q->nalerts; i++)
		if (strcmp(q->alerts[i].dest, ev->dest) == 0)
			a = &q->alerts[i];
	if (a == NULL) {
		if (ev->alerts == 0)
			return;
		if ((na = realloc(q->alerts, (q->nalerts + 1) * sizeof(*na))) == NULL)
			return;
		q->alerts = na;
		a = &q->alerts[q->nalerts++];
		a->dest = strdup(ev->dest);
		a->bits = 0;
		a->reason = NULL;
	}
	if (a->bits == ev->alerts && a->reason && strcmp(a->reason, ev->reason) == 0)
		return;
	a->bits = ev->alerts;
	free(a->reason);
	a->reason = strdup(ev->reason);
	if (ev->alerts) {
		snprintf(msg, sizeof(msg), "%s (jobs are kept and retried)", ev->reason);
		log_warnx("%s", msg);
	} else {
		snprintf(msg, sizeof(msg), "printer %s: back to normal", ev->dest);
		log_info("%s", msg);
	}
	store_add_event(q->d->store, NULL, 0, NULL, "alert", NULL, msg, ev->alerts != 0);
}

static void
on_printer_event(const struct printer_event *ev, void *arg)
{
	struct printq *q = arg;
	struct store *s = q->d->store;
	char msg[400];

	switch (ev->kind) {
	case PRINTER_EV_ALERT: on_alert(q, ev); return;
	case PRINTER_EV_ACCEPTED:
		store_job_update(s, ev->ref, state_word(ev->state), ev->job_id, NULL);
		return;
	case PRINTER_EV_STATE:
		if (ev->state == PRINT_ABORTED && strncmp(ev->reason, "lost:", 5) == 0) {
			/* a restarted printer forgot it: it may not have printed, send it again */
			store_job_reset(s, ev->ref, ev->reason);
			snprintf(msg, sizeof(msg), "print job %lld on %s %s; sending it again",
			    (long long)ev->ref, ev->dest, ev->reason);
			job_event(q, ev->ref, "print", msg, 1);
			arm_retry(q);
			return;
		}
		store_job_update(s, ev->ref, state_word(ev->state), ev->job_id, ev->reason);
		if (ev->state == PRINT_ABORTED || ev->state == PRINT_CANCELLED) {
			snprintf(msg, sizeof(msg), "print job %lld on %s %s: %s (reprint to retry)",
			    (long long)ev->ref, ev->dest, state_word(ev->state), ev->reason);
			job_event(q, ev->ref, "print", msg, 1);
		} else if (ev->state == PRINT_COMPLETED)
			log_debug("print job %lld on %s completed", (long long)ev->ref, ev->dest);
		return;
	case PRINTER_EV_FAILED:
		store_job_update(s, ev->ref, "failed", 0, ev->reason);
		store_job_attempt(s, ev->ref);
		snprintf(msg, sizeof(msg), "print job %lld on %s not accepted: %s; kept, retrying",
		    (long long)ev->ref, ev->dest, ev->reason);
		log_warnx("%s", msg);
		job_event(q, ev->ref, "print", msg, 1);
		arm_retry(q);
		return;
	}
}

/* Hands a stored job to the driver. 0 / -1. */
static int
submit_row(struct printq *q, int64_t id)
{
	struct print_opts o;
	struct job_row j;
	size_t len;
	void *pdf;
	int r;

	if (store_job_load(q->d->store, id, &j, &pdf, &len) == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	o.media = j.media;
	o.copies = j.copies;
	o.title = j.title;
	r = printers_submit(q->p, id, j.printer, &o, pdf, len);
	if (r == -1)
		log_warn("print job %lld: cannot hand it to the printer driver", (long long)id);
	else
		store_job_update(q->d->store, id, "pending", 0, NULL);
	free(pdf);
	job_row_clear(&j);
	return r;
}

static void
retry_sweep(void *arg)
{
	struct printq *q = arg;
	int64_t *ids = NULL;
	size_t n = 0, i;

	q->retry_timer = 0;
	if (store_jobs_unsent(q->d->store, &ids, &n) == -1)
		return;
	for (i = 0; i < n; i++)
		submit_row(q, ids[i]);
	free(ids);
}

/* The effects row is carried out: its job exists, or there was nothing to print. */
static void
effect_done(struct daemon *d, int64_t effect)
{
	if (effect && store_effect_done(d->store, effect) == -1)
		log_warnx("effect %lld: cannot mark it done (carried out again at restart): %s",
		    (long long)effect, store_errmsg(d->store));
}

/*
 * Stores the rendered document as a job, in one transaction with its
 * events, the slip mark and the effect it carries out (so a crash leaves
 * either the job or the pending effect, never neither), then submits it.
 * Job id or -1.
 */
static int64_t
queue_doc(struct daemon *d, const struct render_req *r, const char *printer, const char *kind,
    int64_t order_id, const char *title, const char *media, struct labels_out *out)
{
	size_t i;
	int64_t id;
	int txn = store_begin(d->store) == 0;

	for (i = 0; i < out->nevents; i++)
		store_add_event(
		    d->store, r->station, order_id, NULL, "print", NULL, out->events[i], 0);
	id = store_job_insert(d->store, r->station, printer, kind, order_id, r->package_id, title,
	    media, 1, out->pdf, out->len);
	if (id != -1 && r->kind == RENDER_SLIP)
		store_mark_slip_printed(d->store, order_id);
	if (id != -1 && r->effect && store_effect_done(d->store, r->effect) == -1)
		id = -1;
	if (id == -1 || (txn && store_commit(d->store) == -1)) {
		log_warnx("[station %s] %s: cannot store the print job: %s", r->station, title,
		    store_errmsg(d->store));
		if (txn)
			store_rollback(d->store);
		return -1;
	}
	if (d->printq)
		submit_row(d->printq, id);
	return id;
}

/* The printer a request goes to, NULL when its station has none of that kind. */
static const char *
req_printer(const struct station_conf *sc, enum render_kind kind)
{
	return kind == RENDER_LABEL ? sc->label_printer : sc->slip_printer;
}

/* A rendered document goes to its station's printer as a stored job. */
static void
deliver(struct daemon *d, const struct render_req *r, const char *title0, int64_t order_id,
    struct labels_out *out)
{
	const struct station_conf *sc = config_station(d->conf, r->station);
	const char *printer, *media, *kind;
	char title[300];

	if (sc == NULL) {
		effect_done(d, r->effect);
		return;
	}
	snprintf(title, sizeof(title), "%s%s", title0, r->reprint ? " (reprint)" : "");
	printer = req_printer(sc, r->kind);
	if (r->kind == RENDER_LABEL) {
		media = sc->label_media;
		kind = "label";
	} else {
		media = sc->slip_media;
		kind = r->kind == RENDER_SLIP ? "slip" : "sheet";
	}
	if (printer == NULL) { /* the configuration changed since the request */
		effect_done(d, r->effect);
		return;
	}
	queue_doc(d, r, printer, kind, order_id, title, media, out);
}

static void
on_rendered(struct daemon *d, const struct render_req *r, const char *title, int64_t order_id,
    struct labels_out *out, const char *err)
{
	if (err != NULL) {
		log_warnx("[station %s] %s: %s", r->station,
		    r->kind == RENDER_LABEL	 ? "label"
			: r->kind == RENDER_SLIP ? "slip"
						 : "command sheet",
		    err);
		store_add_event(d->store, r->station, order_id, NULL, "print", NULL, err, 1);
		effect_done(d, r->effect); /* logged as an error: a reprint is a person's call */
		return;
	}
	deliver(d, r, title, order_id, out);
}

/*
 * Renders in a child when the queue runs, else here; never fails silently.
 * A station without a printer of that kind is a choice made in the
 * configuration: nothing is rendered, no alert.
 */
static int
print_doc(struct daemon *d, const struct render_req *r)
{
	const struct station_conf *sc = config_station(d->conf, r->station);
	struct labels_out out;
	char title[256], err[512];
	int64_t order_id;

	if (sc == NULL) {
		effect_done(d, r->effect);
		return -1;
	}
	if (req_printer(sc, r->kind) == NULL) {
		log_debug("[station %s] no %s printer configured: nothing rendered", r->station,
		    r->kind == RENDER_LABEL ? "label" : "slip");
		effect_done(d, r->effect);
		return 0;
	}
	if (d->printq && d->printq->r)
		return renderer_submit(d->printq->r, r);
	memset(&out, 0, sizeof(out));
	if (render_now(d, d->store, r, title, sizeof(title), &order_id, &out, err, sizeof(err)) ==
	    -1) {
		on_rendered(d, r, NULL, r->order_id, NULL, err);
		return -1;
	}
	deliver(d, r, title, order_id, &out);
	labels_out_free(&out);
	return 0;
}

static void
make_req(struct render_req *r, enum render_kind kind, const char *station, int64_t order_id,
    int64_t package_id, int reprint, int64_t effect)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	snprintf(r->station, sizeof(r->station), "%s", station);
	r->order_id = order_id;
	r->package_id = package_id;
	r->reprint = reprint;
	r->effect = effect;
}

int
print_label_effect(
    struct daemon *d, const char *station, int64_t package_id, int reprint, int64_t effect)
{
	struct render_req r;

	make_req(&r, RENDER_LABEL, station, 0, package_id, reprint, effect);
	return print_doc(d, &r);
}

int
print_label(struct daemon *d, const char *station, int64_t package_id, int reprint)
{
	return print_label_effect(d, station, package_id, reprint, 0);
}

int
print_slip_effect(
    struct daemon *d, const char *station, int64_t order_id, int reprint, int64_t effect)
{
	struct render_req r;

	if (!reprint && store_slip_printed(d->store, order_id) == 1) {
		effect_done(d, effect);
		return 0;
	}
	make_req(&r, RENDER_SLIP, station, order_id, 0, reprint, effect);
	return print_doc(d, &r);
}

int
print_slip(struct daemon *d, const char *station, int64_t order_id, int reprint)
{
	return print_slip_effect(d, station, order_id, reprint, 0);
}

int
print_sheet(struct daemon *d, const char *station)
{
	struct render_req r;

	make_req(&r, RENDER_SHEET, station, 0, 0, 0, 0);
	return print_doc(d, &r);
}

static void
follow_unfinished(struct printq *q)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	struct job_row j;

	if (store_jobs_unfinished(q->d->store, &ids, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (store_job_load(q->d->store, ids[i], &j, NULL, NULL) == -1)
			continue;
		printers_follow(q->p, ids[i], j.printer, j.ipp_job_id);
		job_row_clear(&j);
	}
	free(ids);
}

int
print_start(struct daemon *d)
{
	struct printq *q = calloc(1, sizeof(*q));
	size_t i;

	if (q == NULL)
		return -1;
	q->d = d;
	if ((q->p = printers_new(d->loop, on_printer_event, q)) == NULL) {
		log_warnx("printing: cannot start the printer driver");
		free(q);
		return -1;
	}
	d->printq = q;
	if ((q->r = renderer_new(d, on_rendered, 2)) == NULL)
		log_warnx("printing: documents will be rendered in the daemon itself");
	for (i = 0; i < d->conf->nstations; i++) {
		const struct station_conf *sc = &d->conf->stations[i];

		if (sc->label_printer)
			printers_watch(q->p, sc->label_printer);
		if (sc->slip_printer)
			printers_watch(q->p, sc->slip_printer);
	}
	retry_sweep(q);	      /* jobs a stop or crash left unsent */
	follow_unfinished(q); /* and those a printer had accepted */
	return 0;
}

void
print_stop(struct daemon *d)
{
	struct printq *q = d->printq;
	size_t i;

	if (q == NULL)
		return;
	if (q->retry_timer)
		loop_cancel_timer(d->loop, q->retry_timer);
	renderer_free(q->r);
	printers_free(q->p);
	for (i = 0; i < q->nalerts; i++) {
		free(q->alerts[i].dest);
		free(q->alerts[i].reason);
	}
	free(q->alerts);
	free(q);
	d->printq = NULL;
}

json_t *
print_alerts_json(struct daemon *d)
{
	struct printq *q = d->printq;
	json_t *a = json_array();
	size_t i, k;

	for (i = 0; q && a && i < q->nalerts; i++) {
		if (q->alerts[i].bits == 0)
			continue;
		for (k = 0; k < d->conf->nstations; k++) {
			const struct station_conf *sc = &d->conf->stations[k];

			if ((sc->label_printer &&
				strcmp(sc->label_printer, q->alerts[i].dest) == 0) ||
			    (sc->slip_printer && strcmp(sc->slip_printer, q->alerts[i].dest) == 0))
				json_array_append_new(a,
				    json_pack("{s:s, s:s, s:s}", "station", sc->name, "printer",
					q->alerts[i].dest, "alert",
					q->alerts[i].reason ? q->alerts[i].reason : ""));
		}
	}
	return a;
}
