/* Printer state in the worker: alerts from Get-Printer-Attributes, in plain words. */
#include <stdio.h>
#include <string.h>

#include <cups/cups.h>

#include "drivers/printer.h"
#include "drivers/printer_worker.h"

static void
append(char *buf, size_t len, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", what);
}

/* Reports the alert set when it changes, in plain words. */
void
worker_set_alerts(struct worker *w, unsigned alerts, const char *detail)
{
	char words[PROTO_TEXT] = "", reason[PROTO_TEXT];

	if (w->alerts_sent && alerts == w->alerts)
		return;
	w->alerts = alerts;
	w->alerts_sent = 1;
	if (alerts & PRINTER_ALERT_SERVER_DOWN)
		append(words, sizeof(words), "CUPS server down");
	if (alerts & PRINTER_ALERT_UNKNOWN_QUEUE)
		append(words, sizeof(words), "no such queue");
	if (alerts & PRINTER_ALERT_OFFLINE)
		append(words, sizeof(words), "offline");
	if (alerts & PRINTER_ALERT_PAUSED)
		append(words, sizeof(words), "paused");
	if (alerts & PRINTER_ALERT_REJECTING)
		append(words, sizeof(words), "not accepting jobs");
	if (alerts & PRINTER_ALERT_MEDIA_EMPTY)
		append(words, sizeof(words), "out of media");
	if (alerts == 0)
		snprintf(reason, sizeof(reason), "%.200s: ready", w->t.label);
	else if (detail != NULL && *detail != '\0')
		snprintf(
		    reason, sizeof(reason), "%.80s: %.100s (%.70s)", w->t.label, words, detail);
	else
		snprintf(reason, sizeof(reason), "%.150s: %.100s", w->t.label, words);
	worker_send_event(w, PRINTER_EV_ALERT, 0, 0, PRINT_PENDING, reason);
}

int
worker_has_reason(ipp_attribute_t *r, const char *prefix)
{
	int i, n = r != NULL ? ippGetCount(r) : 0;
	const char *s;

	for (i = 0; i < n; i++)
		if ((s = ippGetString(r, i, NULL)) != NULL &&
		    strncmp(s, prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

/*
 * cupsd shows no state reason while its backend cannot reach the device
 * (only a message such as "The printer is in use."), so a job of ours that
 * stays processing past stall_ms is what tells us the printer is gone.
 * Marks such jobs (see completed_unconfirmed) and returns whether any.
 */
static int
mark_stalled_jobs(struct worker *w)
{
	int64_t now = worker_now_ms();
	size_t i;
	int n = 0;

	for (i = 0; i < w->njobs; i++)
		if (w->jobs[i].state == PRINT_PROCESSING && w->jobs[i].busy_since != 0 &&
		    now - w->jobs[i].busy_since >= w->stall_ms) {
			w->jobs[i].stalled = 1;
			n++;
		}
	return n > 0;
}

/* The alert bits a Get-Printer-Attributes answer means. */
static unsigned
printer_alerts(struct worker *w, ipp_t *resp)
{
	ipp_attribute_t *r = ippFindAttribute(resp, "printer-state-reasons", IPP_TAG_KEYWORD);
	ipp_attribute_t *acc = ippFindAttribute(resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
	int state = ippGetInteger(ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM), 0);
	unsigned a = 0;

	if (state == IPP_PSTATE_STOPPED || worker_has_reason(r, "paused"))
		a |= PRINTER_ALERT_PAUSED;
	if (acc != NULL && !ippGetBoolean(acc, 0))
		a |= PRINTER_ALERT_REJECTING;
	if (worker_has_reason(r, "media-empty") || worker_has_reason(r, "media-needed"))
		a |= PRINTER_ALERT_MEDIA_EMPTY;
	/* cupsd says connecting-to-device briefly on every job; only a
	 * lasting one (two polls running) means the printer is gone. */
	if (worker_has_reason(r, "connecting-to-device"))
		w->connecting_polls++;
	else
		w->connecting_polls = 0;
	if (worker_has_reason(r, "offline") || w->connecting_polls >= 2)
		a |= PRINTER_ALERT_OFFLINE;
	/* A job stuck with no reason given (not paused, not out of media). */
	if (a == 0 && w->t.is_queue && mark_stalled_jobs(w))
		a |= PRINTER_ALERT_OFFLINE;
	return a;
}

void
worker_poll_printer(struct worker *w)
{
	static const char *const attrs[] = { "printer-state", "printer-state-reasons",
		"printer-is-accepting-jobs", "printer-state-message" };
	char err[PROTO_TEXT];
	const char *msg;
	ipp_t *req, *resp;
	ipp_status_t st;
	unsigned a;

	if (worker_ensure_connected(w, err, sizeof(err)) == -1)
		return;
	if ((req = ipp_new_request(&w->t, IPP_OP_GET_PRINTER_ATTRIBUTES)) == NULL)
		return;
	ippAddStrings(
	    req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 4, NULL, attrs);
	resp = ipp_do(w->http, &w->t, req);
	st = cupsLastError();
	if (resp == NULL || ipp_is_transport_failure(st)) {
		ipp_reason(&w->t, st, err, sizeof(err));
		worker_transport_failed(w, err);
	} else if (st == IPP_STATUS_ERROR_NOT_FOUND) {
		worker_set_alerts(w, PRINTER_ALERT_UNKNOWN_QUEUE, NULL);
	} else if (st <= IPP_STATUS_OK_EVENTS_COMPLETE) {
		a = printer_alerts(w, resp);
		msg = ippGetString(
		    ippFindAttribute(resp, "printer-state-message", IPP_TAG_TEXT), 0, NULL);
		worker_set_alerts(w, a, msg);
	}
	ippDelete(resp);
}
