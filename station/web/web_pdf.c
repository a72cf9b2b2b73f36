/*
 * An order's slip or last label as a PDF, rendered by the daemon's own
 * child-process renderer (render.h): a CJK label costs libharu tens of
 * milliseconds, which must not hold up a scan. The request waits suspended
 * until its document comes back, then MHD calls the handler again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/render.h"
#include "station/store/store.h"
#include "station/store/store_jobs.h"
#include "station/web/web.h"
#include "station/web/web_int.h"

#define PDF_WAITING 8 /* documents asked for at once, at most */

struct pdf_wait {
	struct pdf_wait *next;
	struct web_req *r;
	struct render_req rq;
};

struct web_pdf {
	struct renderer *rd;
	struct pdf_wait *head, **tail;
	int n;
};

static void
wake(struct web *w, struct web_req *r)
{
	r->pdf_state = PDF_DONE;
	MHD_resume_connection(r->conn);
	w->need_run = 1;
}

/* The renderer's answer: one child at a time, so answers come in the order asked. */
static void
on_rendered(struct daemon *d, const struct render_req *rq, const char *title, int64_t order_id,
    struct labels_out *out, const char *err)
{
	struct web_pdf *wp = d->web ? web_pdf_of(d->web) : NULL;
	struct pdf_wait *pw = wp ? wp->head : NULL;

	(void)title;
	(void)order_id;
	if (pw == NULL || pw->rq.kind != rq->kind || pw->rq.order_id != rq->order_id ||
	    pw->rq.package_id != rq->package_id) {
		log_warnx("web: a document came back that nobody waits for");
		return;
	}
	if ((wp->head = pw->next) == NULL)
		wp->tail = &wp->head;
	wp->n--;
	if (err == NULL && out && out->len && (pw->r->pdf = malloc(out->len)) != NULL) {
		memcpy(pw->r->pdf, out->pdf, out->len);
		pw->r->pdflen = out->len;
	} else
		log_warnx("web: document for order %lld: %s", (long long)rq->order_id,
		    err ? err : "out of memory");
	wake(d->web, pw->r);
	free(pw);
}

static struct web_pdf *
pdf_state(struct web *w)
{
	struct web_pdf *wp = web_pdf_of(w);

	if (wp->rd == NULL && (wp->rd = renderer_new(w->d, on_rendered, 1)) == NULL)
		return NULL;
	return wp;
}

static enum MHD_Result
pdf_answer(struct web_req *r, const char *kind)
{
	char disp[64], *pdf = r->pdf;

	if (pdf == NULL)
		return web_send_error(r, 404, "not available: the document cannot be made now");
	r->pdf = NULL;
	snprintf(disp, sizeof(disp), "inline; filename=\"%s.pdf\"", kind);
	return web_send(r, 200, "application/pdf", pdf, r->pdflen, disp);
}

enum MHD_Result
page_order_pdf(struct web_req *r, const char *name, const char *kind)
{
	struct daemon *d = r->w->d;
	struct web_pdf *wp;
	struct pdf_wait *pw;
	int64_t oid;

	if (r->pdf_state == PDF_PENDING)
		return MHD_YES;
	if (r->pdf_state == PDF_DONE)
		return pdf_answer(r, kind);
	if (store_find_order(d->store, name, &oid) != 1)
		return web_send_error(r, 404, "no such order");
	if ((wp = pdf_state(r->w)) == NULL || wp->n >= PDF_WAITING ||
	    (pw = calloc(1, sizeof(*pw))) == NULL)
		return web_send_error(r, 503, "busy making documents: try again in a moment");
	snprintf(pw->rq.station, sizeof(pw->rq.station), "%s", d->conf->stations[0].name);
	pw->rq.order_id = oid;
	pw->rq.kind = strcmp(kind, "slip") == 0 ? RENDER_SLIP : RENDER_LABEL;
	if (pw->rq.kind == RENDER_LABEL &&
	    (pw->rq.package_id = store_last_package_of_order(
		 d->store, oid, pw->rq.station, sizeof(pw->rq.station))) <= 0) {
		free(pw);
		return web_send_error(r, 404, "not available: no box of this order is closed yet");
	}
	pw->r = r;
	MHD_suspend_connection(r->conn);
	r->pdf_state = PDF_PENDING;
	*wp->tail = pw;
	wp->tail = &pw->next;
	wp->n++;
	if (renderer_submit(wp->rd, &pw->rq) == -1) {
		/* the renderer may have answered at once (no child to be had) */
		if (r->pdf_state == PDF_PENDING)
			log_warnx("web: cannot queue a document for %s", name);
	}
	return MHD_YES;
}

/* Answers every waiting request (renderer_free drops its queue without a word). */
void
pdf_stop(struct web *w)
{
	struct web_pdf *wp = web_pdf_of(w);
	struct pdf_wait *pw;

	renderer_free(wp->rd);
	wp->rd = NULL;
	while ((pw = wp->head) != NULL) {
		wp->head = pw->next;
		wake(w, pw->r);
		free(pw);
	}
	wp->tail = &wp->head;
	wp->n = 0;
}

struct web_pdf *
pdf_new(void)
{
	struct web_pdf *wp = calloc(1, sizeof(*wp));

	if (wp)
		wp->tail = &wp->head;
	return wp;
}
