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
#include "drivers/printer_worker.h"

int64_t
worker_now_ms(void)
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
static void __attribute__((noreturn)) worker_exit(struct worker *w)
{
	size_t i;

	httpClose(w->http);
	for (i = 0; i < w->nmedia; i++)
		free(w->media[i]);
	free(w->jobs);
	while (w->npend > 0)
		free(w->pend[--w->npend].body);
	free(w->pend);
	_exit(0);
}

void
worker_send_event(struct worker *w, enum printer_event_kind kind, int64_t ref, int job_id,
    enum print_state state, const char *reason)
{
	struct {
		struct msg_hdr h;
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
drop_connection(struct worker *w)
{
	httpClose(w->http);
	w->http = NULL;
}

/* Connects if needed. On failure raises the unreachable alert, fills err. */
int
worker_ensure_connected(struct worker *w, char *err, size_t errlen)
{
	if (w->http != NULL)
		return 0;
	if ((w->http = ipp_connect(&w->t, CONNECT_MS, IO_SEC, err, errlen)) != NULL)
		return 0;
	worker_set_alerts(
	    w, w->t.is_queue ? PRINTER_ALERT_SERVER_DOWN : PRINTER_ALERT_OFFLINE, NULL);
	return -1;
}

void
worker_transport_failed(struct worker *w, char *reason)
{
	drop_connection(w);
	worker_set_alerts(
	    w, w->t.is_queue ? PRINTER_ALERT_SERVER_DOWN : PRINTER_ALERT_OFFLINE, reason);
}

static enum print_state
map_job_state(int s)
{
	switch (s) {
	case IPP_JSTATE_PENDING: return PRINT_PENDING;
	case IPP_JSTATE_HELD: return PRINT_HELD;
	case IPP_JSTATE_CANCELED: return PRINT_CANCELLED;
	case IPP_JSTATE_ABORTED: return PRINT_ABORTED;
	case IPP_JSTATE_COMPLETED: return PRINT_COMPLETED;
	default: return PRINT_PROCESSING; /* processing, stopped */
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

	if (w->media_at != 0 && worker_now_ms() - w->media_at < MEDIA_TTL_MS)
		return;
	if ((req = ipp_new_request(&w->t, IPP_OP_GET_PRINTER_ATTRIBUTES)) == NULL)
		return;
	ippAddStrings(
	    req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 1, NULL, attrs);
	resp = ipp_do(w->http, &w->t, req);
	if (resp != NULL && cupsLastError() <= IPP_STATUS_OK_EVENTS_COMPLETE) {
		media_forget(w);
		a = ippFindAttribute(resp, "media-supported", IPP_TAG_ZERO);
		n = a != NULL ? ippGetCount(a) : 0;
		for (i = 0; i < n && w->nmedia < MAX_MEDIA; i++)
			if ((s = ippGetString(a, i, NULL)) != NULL &&
			    (w->media[w->nmedia] = strdup(s)) != NULL)
				w->nmedia++;
		w->media_at = worker_now_ms();
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
	if (printer_media_closest(want, (const char *const *)w->media, w->nmedia, out, outlen) == 0)
		return;
	if (strchr(want, '_') != NULL ||
	    printer_media_closest(want,
		(const char *const[]){ "na_index-4x6_4x6in", "oe_4x4-label_4x4in",
		    "iso_a6_105x148mm", "iso_a5_148x210mm", "iso_a4_210x297mm",
		    "na_letter_8.5x11in", "na_legal_8.5x14in" },
		7, out, outlen) == -1)
		snprintf(out, outlen, "%s", want);
}

static ipp_t *
build_print_job(struct worker *w, const struct msg_submit *m, const char *media)
{
	ipp_t *req;

	if ((req = ipp_new_request(&w->t, IPP_OP_PRINT_JOB)) == NULL)
		return NULL;
	if (m->title[0] != '\0')
		ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, m->title);
	ippAddString(
	    req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, "application/pdf");
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
	nj->busy_since = st == PRINT_PROCESSING ? worker_now_ms() : 0;
	nj->stalled = 0;
	nj->history_flag = -1;
	nj->accepted_at = worker_now_ms();
	nj->next_poll = nj->accepted_at + JOB_POLL_MS;
	snprintf(nj->uuid, sizeof(nj->uuid), "%s", uuid ? uuid : "");
	return 0;
}

static void
job_accepted(struct worker *w, int64_t ref, ipp_t *resp)
{
	int id = ippGetInteger(ippFindAttribute(resp, "job-id", IPP_TAG_INTEGER), 0);
	int js = ippGetInteger(ippFindAttribute(resp, "job-state", IPP_TAG_ENUM), 0);
	const char *uuid = ippGetString(ippFindAttribute(resp, "job-uuid", IPP_TAG_URI), 0, NULL);
	enum print_state st = js ? map_job_state(js) : PRINT_PENDING;
	char reason[PROTO_TEXT];

	snprintf(reason, sizeof(reason), "%.200s accepted job %d", w->t.label, id);
	worker_send_event(w, PRINTER_EV_ACCEPTED, ref, id, st, reason);
	if (is_terminal(st)) {
		worker_send_event(w, PRINTER_EV_STATE, ref, id, st, reason);
		return;
	}
	if (add_job(w, ref, id, st, uuid) == -1) {
		/* Cannot follow it; say so rather than leave it hanging. */
		worker_send_event(w, PRINTER_EV_STATE, ref, id, PRINT_ABORTED,
		    "lost: out of memory following the job");
		return;
	}
	if (w->next_jobs == 0 || w->next_jobs > worker_now_ms() + JOB_POLL_MS)
		w->next_jobs = worker_now_ms() + JOB_POLL_MS;
}

/* One Print-Job attempt: 1 accepted, 2 busy, 0 refused, -1 transport. */
static int
try_submit(struct worker *w, const struct msg_submit *m, const char *pdf, size_t len, char *err,
    size_t errlen)
{
	char media[PROTO_MEDIA];
	ipp_t *req, *resp;
	ipp_status_t st;

	if (worker_ensure_connected(w, err, errlen) == -1)
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
	if (st == IPP_STATUS_ERROR_BUSY)
		return 2;
	if (resp == NULL || ipp_is_transport_failure(st))
		return -1;
	/* Refused by the printer: its state explains why; look now. */
	w->next_printer = 0;
	return 0;
}

/*
 * Sends one job. Returns 1 if the printer is busy (keep it and ask again
 * later: printers that take one job at a time say so), else 0 when the
 * job was accepted or its failure reported.
 */
static int
handle_submit(
    struct worker *w, const struct msg_submit *m, const char *pdf, size_t len, int64_t since)
{
	char err[PROTO_TEXT];
	int reused, r;

	if (w->bad) {
		worker_send_event(w, PRINTER_EV_FAILED, m->ref, 0, PRINT_FAILED, w->bad_reason);
		return 0;
	}
	reused = w->http != NULL;
	r = try_submit(w, m, pdf, len, err, sizeof(err));
	if (r == -1 && reused) {
		/* A kept-alive connection the server had closed: one fresh try. */
		drop_connection(w);
		r = try_submit(w, m, pdf, len, err, sizeof(err));
	}
	if (r == 2 && worker_now_ms() - since < BUSY_GIVEUP_MS)
		return 1;
	if (r == -1)
		worker_transport_failed(w, err);
	if (r != 1)
		worker_send_event(w, PRINTER_EV_FAILED, m->ref, 0, PRINT_FAILED, err);
	return 0;
}

/* Sends waiting jobs in order until one must wait (busy) or none are left. */
static void
drain_pending(struct worker *w)
{
	struct pend *p;
	int64_t now;

	while (w->npend > 0) {
		p = &w->pend[0];
		now = worker_now_ms();
		if (p->next_try > now)
			return;
		if (handle_submit(w, (struct msg_submit *)(void *)p->body,
			p->body + sizeof(struct msg_submit), p->len - sizeof(struct msg_submit),
			p->since) == 1) {
			p->next_try = worker_now_ms() + p->backoff;
			p->backoff = p->backoff * 2 > BUSY_MAX_MS ? BUSY_MAX_MS : p->backoff * 2;
			return;
		}
		free(p->body);
		memmove(&w->pend[0], &w->pend[1], --w->npend * sizeof(*w->pend));
	}
}

/* Queues a received job (body is taken). -1 if out of memory. */
static int
add_pending(struct worker *w, char *body, size_t len)
{
	struct pend *np;
	size_t cap;

	if (w->npend == w->cappend) {
		cap = w->cappend ? w->cappend * 2 : 8;
		if ((np = realloc(w->pend, cap * sizeof(*np))) == NULL)
			return -1;
		w->pend = np;
		w->cappend = cap;
	}
	np = &w->pend[w->npend++];
	np->body = body;
	np->len = len;
	np->since = worker_now_ms();
	np->next_try = 0;
	np->backoff = BUSY_FIRST_MS;
	return 0;
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
	const char *msg = ippGetString(
	    ippFindAttribute(resp, "job-state-message", IPP_TAG_TEXT), 0, NULL);
	ipp_attribute_t *r = ippFindAttribute(resp, "job-state-reasons", IPP_TAG_KEYWORD);

	if (msg != NULL && *msg != '\0')
		snprintf(buf, len, "%s", msg);
	else if (r != NULL)
		ippAttributeString(r, buf, len);
	else
		buf[0] = '\0';
}

static int
has_missing_history(ipp_t *resp)
{
	return worker_has_reason(
	    ippFindAttribute(resp, "job-printer-state-reasons", IPP_TAG_KEYWORD),
	    "cups-ipp-missing-job-history");
}

/*
 * cupsd calls a job completed when its backend found the printer had
 * forgotten it (the printer restarted mid-job): the only trace is the
 * cups-ipp-missing-job-history reason. It sticks to the queue for later
 * jobs, so it counts only for a job we saw stall with the printer gone and
 * that did not carry the reason while it was active. Such a job may never
 * have printed.
 */
static int
completed_unconfirmed(const struct wjob *j, ipp_t *resp)
{
	return j->stalled && j->history_flag == 0 && has_missing_history(resp);
}

/* Follows one job. Returns -1 on transport failure (stop this round). */
static int
poll_job(struct worker *w, size_t i)
{
	static const char *const attrs[] = { "job-state", "job-state-reasons", "job-state-message",
		"job-uuid", "job-printer-state-reasons" };
	struct wjob *j = &w->jobs[i];
	char reason[PROTO_TEXT];
	const char *uuid;
	ipp_t *req, *resp;
	ipp_status_t st;
	enum print_state ns;

	if ((req = ipp_new_request(&w->t, IPP_OP_GET_JOB_ATTRIBUTES)) == NULL)
		return -1;
	ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", j->id);
	ippAddStrings(
	    req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 5, NULL, attrs);
	resp = ipp_do(w->http, &w->t, req);
	st = cupsLastError();
	if (resp == NULL || ipp_is_transport_failure(st)) {
		ippDelete(resp);
		ipp_reason(&w->t, st, reason, sizeof(reason));
		worker_transport_failed(w, reason);
		return -1;
	}
	uuid = ippGetString(ippFindAttribute(resp, "job-uuid", IPP_TAG_URI), 0, NULL);
	if (st == IPP_STATUS_ERROR_NOT_FOUND ||
	    (uuid != NULL && j->uuid[0] != '\0' && strcmp(uuid, j->uuid) != 0)) {
		/* A restarted printer forgot the job (or reused its id). */
		snprintf(reason, sizeof(reason), "lost: %.200s no longer knows job %d (restarted?)",
		    w->t.label, j->id);
		worker_send_event(w, PRINTER_EV_STATE, j->ref, j->id, PRINT_ABORTED, reason);
		remove_job(w, i);
		ippDelete(resp);
		return 0;
	}
	if (st > IPP_STATUS_OK_EVENTS_COMPLETE) {
		ippDelete(resp);
		return 0;
	}
	ns = map_job_state(ippGetInteger(ippFindAttribute(resp, "job-state", IPP_TAG_ENUM), 0));
	if (!is_terminal(ns) && j->history_flag == -1)
		j->history_flag = has_missing_history(resp);
	if (ns == PRINT_COMPLETED && completed_unconfirmed(j, resp)) {
		snprintf(reason, sizeof(reason),
		    "lost: %.150s lost track of job %d "
		    "(printer restarted?); it may not have printed",
		    w->t.label, j->id);
		worker_send_event(w, PRINTER_EV_STATE, j->ref, j->id, PRINT_ABORTED, reason);
		remove_job(w, i);
		ippDelete(resp);
		return 0;
	}
	if (ns == PRINT_PROCESSING && j->busy_since == 0)
		j->busy_since = worker_now_ms();
	if ((int)ns != j->state) {
		job_reason(resp, reason, sizeof(reason));
		j->state = ns;
		worker_send_event(w, PRINTER_EV_STATE, j->ref, j->id, ns, reason);
		if (is_terminal(ns))
			remove_job(w, i);
	}
	ippDelete(resp);
	return 0;
}

/*
 * How long until a job is asked again: 50 ms for its first 2 s, slower
 * with age, so a hundred jobs waiting in a paused queue cost a few
 * requests a second, not thousands.
 */
static int64_t
job_interval(const struct wjob *j, int64_t now)
{
	int64_t age = now - j->accepted_at;

	if (age < 2000)
		return JOB_POLL_MS;
	if (age < 10000)
		return 250;
	return JOB_POLL_SLOW_MS;
}

/* Polls the jobs that are due; sets w->next_jobs to the next due time. */
static void
poll_jobs(struct worker *w)
{
	char err[PROTO_TEXT];
	int64_t now = worker_now_ms(), next = now + JOB_POLL_SLOW_MS;
	size_t i;

	w->next_jobs = next;
	if (worker_ensure_connected(w, err, sizeof(err)) == -1)
		return;
	/* Walk backwards: poll_job may swap the last job into slot i. */
	for (i = w->njobs; i > 0; i--) {
		if (i - 1 >= w->njobs || w->jobs[i - 1].next_poll > now)
			continue;
		w->jobs[i - 1].next_poll = now + job_interval(&w->jobs[i - 1], now);
		if (poll_job(w, i - 1) == -1)
			break;
	}
	for (i = 0; i < w->njobs; i++)
		if (w->jobs[i].next_poll < next)
			next = w->jobs[i].next_poll;
	/* Never spin: jobs skipped after a failure wait at least one beat. */
	w->next_jobs = next > now + JOB_POLL_MS ? next : now + JOB_POLL_MS;
}


/*
 * Follows a job accepted before (by an earlier daemon). Its state is
 * reported at the first poll; a printer that forgot it reports it lost.
 */
static void
handle_follow(struct worker *w)
{
	struct msg_follow f;

	if (read_full(w->fd, &f, sizeof(f)) == -1)
		worker_exit(w);
	if (add_job(w, f.ref, f.job_id, PRINT_PENDING, NULL) == -1) {
		worker_send_event(w, PRINTER_EV_STATE, f.ref, f.job_id, PRINT_ABORTED,
		    "lost: out of memory following the job");
		return;
	}
	w->jobs[w->njobs - 1].state = -1; /* unknown: report the first answer */
	w->jobs[w->njobs - 1].next_poll = 0;
	w->next_jobs = 0;
}

static void
handle_message(struct worker *w)
{
	struct msg_hdr h;
	struct msg_submit *m;
	char *body;

	if (read_full(w->fd, &h, sizeof(h)) == -1 || h.len > PROTO_MAX_BODY)
		worker_exit(w);
	if (h.type == MSG_FOLLOW && h.len == sizeof(struct msg_follow)) {
		handle_follow(w);
		return;
	}
	if (h.type != MSG_SUBMIT || h.len < sizeof(*m))
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
	if (add_pending(w, body, h.len) == -1) {
		worker_send_event(
		    w, PRINTER_EV_FAILED, m->ref, 0, PRINT_FAILED, "print worker out of memory");
		free(body);
		return;
	}
	drain_pending(w);
}

static int
next_timeout(const struct worker *w)
{
	int64_t due = w->next_printer, now = worker_now_ms();

	if (w->njobs > 0 && w->next_jobs < due)
		due = w->next_jobs;
	if (w->npend > 0 && w->pend[0].next_try < due)
		due = w->pend[0].next_try;
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
		drain_pending(&w);
		now = worker_now_ms();
		if (w.njobs > 0 && now >= w.next_jobs) {
			poll_jobs(&w);
		}
		if (!w.bad && now >= w.next_printer) {
			worker_poll_printer(&w);
			w.next_printer = worker_now_ms() +
			    (w.njobs > 0 || w.alerts ? BUSY_POLL_MS : IDLE_POLL_MS);
		}
	}
}
