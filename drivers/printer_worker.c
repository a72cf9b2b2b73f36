/*
 * A destination's worker process: blocking IPP work with bounded timeouts,
 * away from the daemon's loop. Reads submit messages, sends Print-Job,
 * follows jobs with Get-Job-Attributes and the printer with
 * Get-Printer-Attributes, and reports events back over its socket.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <cups/cups.h>

#include "drivers/printer.h"
#include "drivers/printer_proto.h"

#define CONNECT_MS	1000	/* loopback/LAN: refused or answered well within */
#define IO_SEC		5.0	/* a hung server costs seconds, not minutes */
#define JOB_POLL_MS	50	/* follow active jobs closely: labels are short */
#define BUSY_POLL_MS	500	/* printer poll while jobs run or alerts are up */
#define IDLE_POLL_MS	2000
#define MEDIA_TTL_MS	60000
#define MAX_MEDIA	64

struct wjob {
	int64_t		 ref;
	int		 id;
	int		 state;		/* last reported enum print_state */
	int64_t		 busy_since;	/* processing since (ms), 0 if not */
	int		 stalled;	/* seen stuck while the printer was gone */
	char		 uuid[64];
};

struct worker {
	int		 fd;
	int		 stall_ms;
	struct ipp_target t;
	int		 bad;		/* dest does not parse: fail every job */
	char		 bad_reason[PROTO_TEXT];
	http_t		*http;
	struct wjob	*jobs;
	size_t		 njobs, capjobs;
	unsigned	 alerts;
	int		 alerts_sent;
	int		 connecting_polls;
	char		*media[MAX_MEDIA];
	size_t		 nmedia;
	int64_t		 media_at;
	int64_t		 next_printer, next_jobs;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The daemon went away: nothing left to report to, so stop. */
static void __attribute__((noreturn))
worker_exit(struct worker *w)
{
	size_t i;

	httpClose(w->http);
	for (i = 0; i < w->nmedia; i++)
		free(w->media[i]);
	free(w->jobs);
	_exit(0);
}

static void
send_event(struct worker *w, enum printer_event_kind kind, int64_t ref, int job_id,
    enum print_state state, const char *reason)
{
	struct {
		struct msg_hdr	 h;
		struct msg_event e;
	} m;

	memset(&m, 0, sizeof(m));
	m.h.len = sizeof(m.e);
	m.h.type = MSG_EVENT;
	m.e.ref = ref;
	m.e.kind = kind;
	m.e.job_id = job_id;
	m.e.state = state;
	m.e.alerts = w->alerts;
	snprintf(m.e.reason, sizeof(m.e.reason), "%s", reason ? reason : "");
	if (write_full(w->fd, &m, sizeof(m)) == -1)
		worker_exit(w);
}

static void
append(char *buf, size_t len, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", what);
}

/* Reports the alert set when it changes, in plain words. */
static void
set_alerts(struct worker *w, unsigned alerts, const char *detail)
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
		snprintf(reason, sizeof(reason), "%.100s: %s (%.100s)", w->t.label, words,
		    detail);
	else
		snprintf(reason, sizeof(reason), "%.200s: %s", w->t.label, words);
	send_event(w, PRINTER_EV_ALERT, 0, 0, PRINT_PENDING, reason);
}

static void
drop_connection(struct worker *w)
{
	httpClose(w->http);
	w->http = NULL;
}

/* Connects if needed. On failure raises the unreachable alert, fills err. */
static int
ensure_connected(struct worker *w, char *err, size_t errlen)
{
	if (w->http != NULL)
		return 0;
	if ((w->http = ipp_connect(&w->t, CONNECT_MS, IO_SEC, err, errlen)) != NULL)
		return 0;
	set_alerts(w, w->t.is_queue ? PRINTER_ALERT_SERVER_DOWN : PRINTER_ALERT_OFFLINE,
	    NULL);
	return -1;
}

/* A failure below IPP (connection reset, timeout) means start afresh. */
static int
is_transport_failure(ipp_status_t st)
{
	return st == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE ||
	    st == IPP_STATUS_ERROR_INTERNAL || st == IPP_STATUS_ERROR_TIMEOUT;
}

static void
transport_failed(struct worker *w, char *reason)
{
	drop_connection(w);
	set_alerts(w, w->t.is_queue ? PRINTER_ALERT_SERVER_DOWN : PRINTER_ALERT_OFFLINE,
	    reason);
}

static enum print_state
map_job_state(int s)
{
	switch (s) {
	case IPP_JSTATE_PENDING:	return PRINT_PENDING;
	case IPP_JSTATE_HELD:		return PRINT_HELD;
	case IPP_JSTATE_CANCELED:	return PRINT_CANCELLED;
	case IPP_JSTATE_ABORTED:	return PRINT_ABORTED;
	case IPP_JSTATE_COMPLETED:	return PRINT_COMPLETED;
	default:			return PRINT_PROCESSING;	/* processing, stopped */
	}
}

static int
is_terminal(enum print_state s)
{
	return s == PRINT_COMPLETED || s == PRINT_CANCELLED || s == PRINT_ABORTED;
}

static void
media_forget(struct worker *w)
{
	while (w->nmedia > 0)
		free(w->media[--w->nmedia]);
}

/* Refreshes the printer's media-supported list (kept MEDIA_TTL_MS). */
static void
media_refresh(struct worker *w)
{
	static const char *const attrs[] = { "media-supported" };
	ipp_attribute_t *a;
	ipp_t *req, *resp;
	const char *s;
	int i, n;

	if (w->media_at != 0 && now_ms() - w->media_at < MEDIA_TTL_MS)
		return;
	if ((req = ipp_new_request(&w->t, IPP_OP_GET_PRINTER_ATTRIBUTES)) == NULL)
		return;
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    1, NULL, attrs);
	resp = ipp_do(w->http, &w->t, req);
	if (resp != NULL && cupsLastError() <= IPP_STATUS_OK_EVENTS_COMPLETE) {
		media_forget(w);
		a = ippFindAttribute(resp, "media-supported", IPP_TAG_ZERO);
		n = a != NULL ? ippGetCount(a) : 0;
		for (i = 0; i < n && w->nmedia < MAX_MEDIA; i++)
			if ((s = ippGetString(a, i, NULL)) != NULL &&
			    (w->media[w->nmedia] = strdup(s)) != NULL)
				w->nmedia++;
		w->media_at = now_ms();
	}
	ippDelete(resp);
}

/*
 * The media keyword to send: the printer's closest supported size, or the
 * request itself as a PWG keyword when the printer lists nothing (raw
 * queues). Empty out = send no media.
 */
static void
media_choose(struct worker *w, const char *want, char *out, size_t outlen)
{
	out[0] = '\0';
	if (*want == '\0')
		return;
	media_refresh(w);
	if (printer_media_closest(want, (const char *const *)w->media, w->nmedia, out,
	    outlen) == 0)
		return;
	if (strchr(want, '_') != NULL ||
	    printer_media_closest(want, (const char *const[]){ "na_index-4x6_4x6in",
	    "oe_4x4-label_4x4in", "iso_a6_105x148mm", "iso_a5_148x210mm",
	    "iso_a4_210x297mm", "na_letter_8.5x11in", "na_legal_8.5x14in" }, 7, out,
	    outlen) == -1)
		snprintf(out, outlen, "%s", want);
}

static ipp_t *
build_print_job(struct worker *w, const struct msg_submit *m, const char *media)
{
	ipp_t *req;

	if ((req = ipp_new_request(&w->t, IPP_OP_PRINT_JOB)) == NULL)
		return NULL;
	if (m->title[0] != '\0')
		ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL,
		    m->title);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL,
	    "application/pdf");
	if (m->copies > 1)
		ippAddInteger(req, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", m->copies);
	if (*media != '\0')
		ippAddString(req, IPP_TAG_JOB, IPP_TAG_KEYWORD, "media", NULL, media);
	return req;
}

/*
 * Sends Print-Job with the document, chunked: with an explicit length
 * (CUPS 2.4.2) the printer received the document short by a few hundred
 * bytes and read the rest as a bad request. Returns the response or NULL.
 */
static ipp_t *
send_print_job(struct worker *w, ipp_t *req, const char *pdf, size_t len)
{
	http_status_t hs;
	size_t off, n;

	hs = cupsSendRequest(w->http, req, w->t.resource, CUPS_LENGTH_VARIABLE);
	for (off = 0; hs == HTTP_STATUS_CONTINUE && off < len; off += n) {
		n = len - off > 65536 ? 65536 : len - off;
		hs = cupsWriteRequestData(w->http, pdf + off, n);
	}
	if (hs != HTTP_STATUS_CONTINUE)
		return NULL;
	return cupsGetResponse(w->http, w->t.resource);
}

static int
add_job(struct worker *w, int64_t ref, int id, enum print_state st, const char *uuid)
{
	struct wjob *nj;
	size_t cap;

	if (w->njobs == w->capjobs) {
		cap = w->capjobs ? w->capjobs * 2 : 8;
		if ((nj = realloc(w->jobs, cap * sizeof(*nj))) == NULL)
			return -1;
		w->jobs = nj;
		w->capjobs = cap;
	}
	nj = &w->jobs[w->njobs++];
	nj->ref = ref;
	nj->id = id;
	nj->state = st;
	nj->busy_since = st == PRINT_PROCESSING ? now_ms() : 0;
	nj->stalled = 0;
	snprintf(nj->uuid, sizeof(nj->uuid), "%s", uuid ? uuid : "");
	return 0;
}

static void
job_accepted(struct worker *w, int64_t ref, ipp_t *resp)
{
	int id = ippGetInteger(ippFindAttribute(resp, "job-id", IPP_TAG_INTEGER), 0);
	int js = ippGetInteger(ippFindAttribute(resp, "job-state", IPP_TAG_ENUM), 0);
	const char *uuid = ippGetString(ippFindAttribute(resp, "job-uuid", IPP_TAG_URI),
	    0, NULL);
	enum print_state st = js ? map_job_state(js) : PRINT_PENDING;
	char reason[PROTO_TEXT];

	snprintf(reason, sizeof(reason), "%.200s accepted job %d", w->t.label, id);
	send_event(w, PRINTER_EV_ACCEPTED, ref, id, st, reason);
	if (is_terminal(st)) {
		send_event(w, PRINTER_EV_STATE, ref, id, st, reason);
		return;
	}
	if (add_job(w, ref, id, st, uuid) == -1) {
		/* Cannot follow it; say so rather than leave it hanging. */
		send_event(w, PRINTER_EV_STATE, ref, id, PRINT_ABORTED,
		    "lost: out of memory following the job");
		return;
	}
	if (w->next_jobs == 0 || w->next_jobs > now_ms() + JOB_POLL_MS)
		w->next_jobs = now_ms() + JOB_POLL_MS;
}

/* One Print-Job attempt: 1 accepted, 0 refused (reported), -1 transport. */
static int
try_submit(struct worker *w, const struct msg_submit *m, const char *pdf, size_t len,
    char *err, size_t errlen)
{
	char media[PROTO_MEDIA];
	ipp_t *req, *resp;
	ipp_status_t st;

	if (ensure_connected(w, err, errlen) == -1)
		return 0;
	media_choose(w, m->media, media, sizeof(media));
	if ((req = build_print_job(w, m, media)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	resp = send_print_job(w, req, pdf, len);
	ippDelete(req);
	st = cupsLastError();
	if (resp != NULL && st <= IPP_STATUS_OK_EVENTS_COMPLETE) {
		job_accepted(w, m->ref, resp);
		ippDelete(resp);
		return 1;
	}
	ippDelete(resp);
	ipp_reason(&w->t, st, err, errlen);
	if (resp == NULL || is_transport_failure(st))
		return -1;
	/* Refused by the printer: its state explains why; look now. */
	w->next_printer = 0;
	return 0;
}

static void
handle_submit(struct worker *w, const struct msg_submit *m, const char *pdf,
    size_t len)
{
	char err[PROTO_TEXT];
	int reused, r;

	if (w->bad) {
		send_event(w, PRINTER_EV_FAILED, m->ref, 0, PRINT_FAILED, w->bad_reason);
		return;
	}
	reused = w->http != NULL;
	r = try_submit(w, m, pdf, len, err, sizeof(err));
	if (r == -1 && reused) {
		/* A kept-alive connection the server had closed: one fresh try. */
		drop_connection(w);
		r = try_submit(w, m, pdf, len, err, sizeof(err));
	}
	if (r == -1)
		transport_failed(w, err);
	if (r != 1)
		send_event(w, PRINTER_EV_FAILED, m->ref, 0, PRINT_FAILED, err);
}

static void
remove_job(struct worker *w, size_t i)
{
	w->jobs[i] = w->jobs[--w->njobs];
}

/* The job's words: job-state-message, else its reasons. */
static void
job_reason(ipp_t *resp, char *buf, size_t len)
{
	const char *msg = ippGetString(ippFindAttribute(resp, "job-state-message",
	    IPP_TAG_TEXT), 0, NULL);
	ipp_attribute_t *r = ippFindAttribute(resp, "job-state-reasons", IPP_TAG_KEYWORD);

	if (msg != NULL && *msg != '\0')
		snprintf(buf, len, "%s", msg);
	else if (r != NULL)
		ippAttributeString(r, buf, len);
	else
		buf[0] = '\0';
}

static int has_reason(ipp_attribute_t *, const char *);

/*
 * cupsd calls a job completed when its backend found the printer had
 * forgotten it (the printer restarted mid-job): the only trace is this
 * reason (sticky on the queue, so it counts only for a job we saw stall).
 * Such a job may never have printed.
 */
static int
completed_unconfirmed(ipp_t *resp)
{
	return has_reason(ippFindAttribute(resp, "job-printer-state-reasons",
	    IPP_TAG_KEYWORD), "cups-ipp-missing-job-history");
}

/* Follows one job. Returns -1 on transport failure (stop this round). */
static int
poll_job(struct worker *w, size_t i)
{
	static const char *const attrs[] = { "job-state", "job-state-reasons",
	    "job-state-message", "job-uuid", "job-printer-state-reasons" };
	struct wjob *j = &w->jobs[i];
	char reason[PROTO_TEXT];
	const char *uuid;
	ipp_t *req, *resp;
	ipp_status_t st;
	enum print_state ns;

	if ((req = ipp_new_request(&w->t, IPP_OP_GET_JOB_ATTRIBUTES)) == NULL)
		return -1;
	ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", j->id);
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    5, NULL, attrs);
	resp = ipp_do(w->http, &w->t, req);
	st = cupsLastError();
	if (resp == NULL || is_transport_failure(st)) {
		ippDelete(resp);
		ipp_reason(&w->t, st, reason, sizeof(reason));
		transport_failed(w, reason);
		return -1;
	}
	uuid = ippGetString(ippFindAttribute(resp, "job-uuid", IPP_TAG_URI), 0, NULL);
	if (st == IPP_STATUS_ERROR_NOT_FOUND ||
	    (uuid != NULL && j->uuid[0] != '\0' && strcmp(uuid, j->uuid) != 0)) {
		/* A restarted printer forgot the job (or reused its id). */
		snprintf(reason, sizeof(reason),
		    "lost: %.200s no longer knows job %d (restarted?)", w->t.label, j->id);
		send_event(w, PRINTER_EV_STATE, j->ref, j->id, PRINT_ABORTED, reason);
		remove_job(w, i);
		ippDelete(resp);
		return 0;
	}
	if (st > IPP_STATUS_OK_EVENTS_COMPLETE) {
		ippDelete(resp);
		return 0;
	}
	ns = map_job_state(ippGetInteger(ippFindAttribute(resp, "job-state",
	    IPP_TAG_ENUM), 0));
	if (ns == PRINT_COMPLETED && j->stalled && completed_unconfirmed(resp)) {
		snprintf(reason, sizeof(reason), "lost: %.200s lost track of job %d "
		    "(printer restarted?); it may not have printed", w->t.label, j->id);
		send_event(w, PRINTER_EV_STATE, j->ref, j->id, PRINT_ABORTED, reason);
		remove_job(w, i);
		ippDelete(resp);
		return 0;
	}
	if (ns == PRINT_PROCESSING && j->busy_since == 0)
		j->busy_since = now_ms();
	if (ns == PRINT_PROCESSING && now_ms() - j->busy_since >= w->stall_ms)
		j->stalled = 1;
	if ((int)ns != j->state) {
		job_reason(resp, reason, sizeof(reason));
		j->state = ns;
		send_event(w, PRINTER_EV_STATE, j->ref, j->id, ns, reason);
		if (is_terminal(ns))
			remove_job(w, i);
	}
	ippDelete(resp);
	return 0;
}

static void
poll_jobs(struct worker *w)
{
	char err[PROTO_TEXT];
	size_t i, n;

	if (ensure_connected(w, err, sizeof(err)) == -1)
		return;
	/* Walk backwards: poll_job may swap the last job into slot i. */
	for (i = w->njobs; i > 0; i--) {
		n = w->njobs;
		if (i - 1 < n && poll_job(w, i - 1) == -1)
			return;
	}
}

static int
has_reason(ipp_attribute_t *r, const char *prefix)
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
 */
static int
has_stalled_job(const struct worker *w)
{
	int64_t now = now_ms();
	size_t i;

	for (i = 0; i < w->njobs; i++)
		if (w->jobs[i].state == PRINT_PROCESSING && w->jobs[i].busy_since != 0 &&
		    now - w->jobs[i].busy_since >= w->stall_ms)
			return 1;
	return 0;
}

/* The alert bits a Get-Printer-Attributes answer means. */
static unsigned
printer_alerts(struct worker *w, ipp_t *resp)
{
	ipp_attribute_t *r = ippFindAttribute(resp, "printer-state-reasons",
	    IPP_TAG_KEYWORD);
	ipp_attribute_t *acc = ippFindAttribute(resp, "printer-is-accepting-jobs",
	    IPP_TAG_BOOLEAN);
	int state = ippGetInteger(ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM),
	    0);
	unsigned a = 0;

	if (state == IPP_PSTATE_STOPPED || has_reason(r, "paused"))
		a |= PRINTER_ALERT_PAUSED;
	if (acc != NULL && !ippGetBoolean(acc, 0))
		a |= PRINTER_ALERT_REJECTING;
	if (has_reason(r, "media-empty") || has_reason(r, "media-needed"))
		a |= PRINTER_ALERT_MEDIA_EMPTY;
	/* cupsd says connecting-to-device briefly on every job; only a
	 * lasting one (two polls running) means the printer is gone. */
	if (has_reason(r, "connecting-to-device"))
		w->connecting_polls++;
	else
		w->connecting_polls = 0;
	if (has_reason(r, "offline") || w->connecting_polls >= 2 ||
	    (w->t.is_queue && has_stalled_job(w)))
		a |= PRINTER_ALERT_OFFLINE;
	return a;
}

static void
poll_printer(struct worker *w)
{
	static const char *const attrs[] = { "printer-state", "printer-state-reasons",
	    "printer-is-accepting-jobs", "printer-state-message" };
	char err[PROTO_TEXT];
	const char *msg;
	ipp_t *req, *resp;
	ipp_status_t st;
	unsigned a;

	if (ensure_connected(w, err, sizeof(err)) == -1)
		return;
	if ((req = ipp_new_request(&w->t, IPP_OP_GET_PRINTER_ATTRIBUTES)) == NULL)
		return;
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    4, NULL, attrs);
	resp = ipp_do(w->http, &w->t, req);
	st = cupsLastError();
	if (resp == NULL || is_transport_failure(st)) {
		ipp_reason(&w->t, st, err, sizeof(err));
		transport_failed(w, err);
	} else if (st == IPP_STATUS_ERROR_NOT_FOUND) {
		set_alerts(w, PRINTER_ALERT_UNKNOWN_QUEUE, NULL);
	} else if (st <= IPP_STATUS_OK_EVENTS_COMPLETE) {
		a = printer_alerts(w, resp);
		msg = ippGetString(ippFindAttribute(resp, "printer-state-message",
		    IPP_TAG_TEXT), 0, NULL);
		set_alerts(w, a, msg);
	}
	ippDelete(resp);
}

static void
handle_message(struct worker *w)
{
	struct msg_hdr h;
	struct msg_submit *m;
	char *body;

	if (read_full(w->fd, &h, sizeof(h)) == -1 || h.len > PROTO_MAX_BODY ||
	    h.len < sizeof(*m) || h.type != MSG_SUBMIT)
		worker_exit(w);
	if ((body = malloc(h.len)) == NULL) {
		/* Cannot even read it: the daemon sees us die and fails the job. */
		worker_exit(w);
	}
	if (read_full(w->fd, body, h.len) == -1) {
		free(body);
		worker_exit(w);
	}
	m = (struct msg_submit *)(void *)body;
	m->media[sizeof(m->media) - 1] = '\0';
	m->title[sizeof(m->title) - 1] = '\0';
	handle_submit(w, m, body + sizeof(*m), h.len - sizeof(*m));
	free(body);
}

static int
next_timeout(const struct worker *w)
{
	int64_t due = w->next_printer, now = now_ms();

	if (w->njobs > 0 && w->next_jobs < due)
		due = w->next_jobs;
	if (due <= now)
		return 0;
	return due - now > 60000 ? 60000 : (int)(due - now);
}

/* A child of a daemon that blocks signals (signalfd) must not inherit that. */
static void
worker_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void
printer_worker_main(int fd, const char *server, const char *dest, int stall_ms)
{
	struct worker w;
	struct pollfd p;
	int64_t now;

	worker_signals();
	memset(&w, 0, sizeof(w));
	w.fd = fd;
	w.stall_ms = stall_ms;
	if (ipp_target_parse(server, dest, &w.t, w.bad_reason, sizeof(w.bad_reason)) == -1)
		w.bad = 1;
	w.next_printer = w.bad ? INT64_MAX : 0;
	for (;;) {
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, next_timeout(&w)) == -1 && errno != EINTR)
			worker_exit(&w);
		if (p.revents != 0)
			handle_message(&w);
		now = now_ms();
		if (w.njobs > 0 && now >= w.next_jobs) {
			poll_jobs(&w);
			w.next_jobs = now_ms() + JOB_POLL_MS;
		}
		if (!w.bad && now >= w.next_printer) {
			poll_printer(&w);
			w.next_printer = now_ms() +
			    (w.njobs > 0 || w.alerts ? BUSY_POLL_MS : IDLE_POLL_MS);
		}
	}
}
