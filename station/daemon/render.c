/*
 * Rendering documents in one long-lived worker process (forked once, not
 * per document), results read back in the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/docs.h"
#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/render.h"
#include "station/store/store.h"

/* A request sent to the worker, waiting for its reply (replies come in order). */
struct pending {
	struct render_req req;
	struct pending *next;
};

struct renderer {
	struct daemon *d;
	render_done_cb done;
	const struct config *conf; /* the configuration the worker was forked with */
	pid_t pid;		   /* 0: no worker */
	int wfd, rfd;		   /* requests to it, replies from it */
	char *buf;		   /* reply bytes read so far */
	size_t len, cap;
	struct pending *head, *tail;
};

int
render_now(struct daemon *d, struct store *s, const struct render_req *r, char *title,
    size_t titlelen, int64_t *order_id, struct labels_out *out, char *err, size_t errlen)
{
	const struct station_conf *sc = config_station(d->conf, r->station);

	*order_id = r->order_id;
	if (sc == NULL) {
		snprintf(err, errlen, "no station %s", r->station);
		return -1;
	}
	switch (r->kind) {
	case RENDER_LABEL:
		return docs_label(
		    s, d->conf, sc, r->package_id, out, title, titlelen, order_id, err, errlen);
	case RENDER_SLIP:
		return docs_slip(s, d->conf, sc, r->order_id, out, title, titlelen, err, errlen);
	case RENDER_SHEET:
		*order_id = 0;
		return docs_sheet(d->conf, sc, out, title, titlelen, err, errlen);
	}
	return -1;
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads exactly n bytes: 1, or 0 at end of file, -1 on error. */
static int
read_full(int fd, void *p, size_t n)
{
	char *c = p;
	ssize_t r;

	while (n > 0) {
		if ((r = read(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return 0;
		c += r;
		n -= (size_t)r;
	}
	return 1;
}

/* One line: tabs and newlines inside fields become spaces. */
static void
clean(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

/*
 * One reply frame: a 4-byte length, then "OK\t<order>\t<title>\n",
 * "E\t<event>\n" lines, an empty line and the PDF; or "ERR\t<message>\n".
 * Events carry shop data of any length: never copied into a fixed buffer.
 */
static int
send_reply(int fd, int ok, const char *head, const struct labels_out *out)
{
	uint32_t len = (uint32_t)strlen(head);
	size_t i;

	if (ok) {
		for (i = 0; i < out->nevents; i++)
			len += 3 + (uint32_t)strlen(out->events[i]);
		len += 1 + (uint32_t)out->len;
	}
	if (write_all(fd, &len, sizeof(len)) == -1 || write_all(fd, head, strlen(head)) == -1)
		return -1;
	if (!ok)
		return 0;
	for (i = 0; i < out->nevents; i++)
		if (write_all(fd, "E\t", 2) == -1 ||
		    write_all(fd, out->events[i], strlen(out->events[i])) == -1 ||
		    write_all(fd, "\n", 1) == -1)
			return -1;
	if (write_all(fd, "\n", 1) == -1)
		return -1;
	return write_all(fd, out->pdf, out->len);
}

/*
 * The worker: its own read-only connection (the parent's must never be
 * used across fork), opened once; each request rendered and answered in
 * order. It ends when the daemon closes its end, or dies with it.
 */
static void __attribute__((noreturn)) worker_main(struct daemon *d, int in, int out)
{
	char title[256], err[512], line[1200];
	struct labels_out lo;
	struct render_req r;
	struct store *s = NULL;
	int64_t order_id;
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_DFL);
	while (read_full(in, &r, sizeof(r)) == 1) {
		memset(&lo, 0, sizeof(lo));
		title[0] = err[0] = '\0';
		order_id = 0;
		if (s == NULL)
			s = store_open(d->conf->database, 1, err, sizeof(err));
		if (s == NULL ||
		    render_now(d, s, &r, title, sizeof(title), &order_id, &lo, err, sizeof(err)) ==
			-1) {
			clean(err);
			snprintf(
			    line, sizeof(line), "ERR\t%s\n", err[0] ? err : "rendering failed");
			rc = send_reply(out, 0, line, NULL);
		} else {
			size_t i;

			clean(title);
			for (i = 0; i < lo.nevents; i++)
				clean(lo.events[i]);
			snprintf(line, sizeof(line), "OK\t%lld\t%s\n", (long long)order_id, title);
			rc = send_reply(out, 1, line, &lo);
		}
		labels_out_free(&lo);
		if (rc == -1)
			break;
	}
	_exit(0);
}

/* Parses one reply frame and hands it to the callback. */
static void
finish(struct renderer *rd, const struct render_req *req, char *p, size_t n)
{
	struct labels_out out;
	char *end = p + n, *nl, *title = NULL, *events[64];
	int64_t order_id = 0;
	size_t nev = 0;

	memset(&out, 0, sizeof(out));
	if ((nl = memchr(p, '\n', n)) == NULL) {
		rd->done(rd->d, req, NULL, req->order_id, NULL, "renderer sent a broken reply");
		return;
	}
	*nl = '\0';
	if (strncmp(p, "ERR\t", 4) == 0) {
		rd->done(rd->d, req, NULL, req->order_id, NULL, p + 4);
		return;
	}
	if (strncmp(p, "OK\t", 3) == 0 && (title = strchr(p + 3, '\t')) != NULL) {
		order_id = strtoll(p + 3, NULL, 10);
		title++;
	}
	p = nl + 1;
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL && nl != p) {
		*nl = '\0';
		if (strncmp(p, "E\t", 2) == 0 && nev < sizeof(events) / sizeof(events[0]))
			events[nev++] = p + 2;
		p = nl + 1;
	}
	if (title == NULL || p >= end || *p != '\n') {
		rd->done(rd->d, req, NULL, req->order_id, NULL, "renderer sent a broken reply");
		return;
	}
	out.pdf = (unsigned char *)p + 1;
	out.len = (size_t)(end - p - 1);
	out.events = events;
	out.nevents = nev;
	rd->done(rd->d, req, title, order_id, &out, NULL);
}

static struct pending *
pop(struct renderer *rd)
{
	struct pending *p = rd->head;

	if (p && (rd->head = p->next) == NULL)
		rd->tail = NULL;
	return p;
}

/* Ends the worker (it finishes nothing more); its pending requests fail with why. */
static void
stop_worker(struct renderer *rd, const char *why)
{
	struct pending *p;
	int status = 0;

	if (rd->pid == 0)
		return;
	loop_del_fd(rd->d->loop, rd->rfd);
	close(rd->rfd);
	close(rd->wfd);
	kill(rd->pid, SIGKILL);
	while (waitpid(rd->pid, &status, 0) == -1 && errno == EINTR)
		;
	rd->pid = 0;
	rd->rfd = rd->wfd = -1;
	rd->len = 0;
	while ((p = pop(rd)) != NULL) {
		if (why)
			rd->done(rd->d, &p->req, NULL, p->req.order_id, NULL, why);
		free(p);
	}
}

static int send_req(struct renderer *, const struct render_req *);

/*
 * The worker died: the document it was making fails (it may be what
 * killed it: not tried again by itself), those queued behind it go to a
 * new worker.
 */
static void
worker_died(struct renderer *rd)
{
	struct pending *p = pop(rd), *rest = rd->head, *next;

	log_warnx("render: the worker died; starting a new one");
	rd->head = rd->tail = NULL;
	stop_worker(rd, NULL);
	if (p) {
		rd->done(rd->d, &p->req, NULL, p->req.order_id, NULL,
		    "renderer died while making this document");
		free(p);
	}
	for (; rest; rest = next) {
		next = rest->next;
		send_req(rd, &rest->req);
		free(rest);
	}
}

static void
on_data(int fd, short revents, void *arg)
{
	struct renderer *rd = arg;
	struct pending *p;
	char tmp[65536];
	uint32_t flen;
	ssize_t n;

	(void)revents;
	n = read(fd, tmp, sizeof(tmp));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		worker_died(rd);
		return;
	}
	if (rd->len + (size_t)n > rd->cap) {
		size_t cap = rd->cap ? rd->cap * 2 : 65536;
		char *nb;

		while (cap < rd->len + (size_t)n)
			cap *= 2;
		if ((nb = realloc(rd->buf, cap)) == NULL) {
			stop_worker(rd, "out of memory reading the rendered document");
			return;
		}
		rd->buf = nb;
		rd->cap = cap;
	}
	memcpy(rd->buf + rd->len, tmp, (size_t)n);
	rd->len += (size_t)n;
	while (rd->len >= sizeof(flen)) {
		memcpy(&flen, rd->buf, sizeof(flen));
		if (rd->len < sizeof(flen) + flen)
			break;
		if ((p = pop(rd)) == NULL) {
			stop_worker(rd, NULL); /* a reply nobody asked for */
			return;
		}
		finish(rd, &p->req, rd->buf + sizeof(flen), flen);
		free(p);
		rd->len -= sizeof(flen) + flen;
		memmove(rd->buf, rd->buf + sizeof(flen) + flen, rd->len);
	}
}

static int
start_worker(struct renderer *rd)
{
	int req[2], rep[2];

	if (pipe2(req, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(rep, O_CLOEXEC) == -1) {
		close(req[0]);
		close(req[1]);
		return -1;
	}
	if ((rd->pid = fork()) == -1) {
		rd->pid = 0;
		close(req[0]);
		close(req[1]);
		close(rep[0]);
		close(rep[1]);
		return -1;
	}
	if (rd->pid == 0) {
		close(req[1]);
		close(rep[0]);
		worker_main(rd->d, req[0], rep[1]);
	}
	close(req[0]);
	close(rep[1]);
	fcntl(rep[0], F_SETFL, O_NONBLOCK);
	rd->wfd = req[1];
	rd->rfd = rep[0];
	rd->conf = rd->d->conf;
	rd->len = 0;
	if (loop_add_fd(rd->d->loop, rd->rfd, POLLIN, on_data, rd) == -1) {
		kill(rd->pid, SIGKILL);
		waitpid(rd->pid, NULL, 0);
		close(rd->wfd);
		close(rd->rfd);
		rd->pid = 0;
		return -1;
	}
	return 0;
}

/* Without a worker: render here rather than not at all. */
static void
render_here(struct renderer *rd, const struct render_req *r)
{
	struct labels_out out;
	char title[256], err[512];
	int64_t order_id;

	memset(&out, 0, sizeof(out));
	if (render_now(rd->d, rd->d->store, r, title, sizeof(title), &order_id, &out, err,
		sizeof(err)) == 0)
		rd->done(rd->d, r, title, order_id, &out, NULL);
	else
		rd->done(rd->d, r, NULL, r->order_id, NULL, err);
	labels_out_free(&out);
}

struct renderer *
renderer_new(struct daemon *d, render_done_cb done, int parallel)
{
	struct renderer *rd = calloc(1, sizeof(*rd));

	(void)parallel; /* one worker: documents come out in the order asked */
	if (rd == NULL)
		return NULL;
	rd->d = d;
	rd->done = done;
	rd->rfd = rd->wfd = -1;
	return rd;
}

int
renderer_submit(struct renderer *rd, const struct render_req *r)
{
	return send_req(rd, r);
}

static int
send_req(struct renderer *rd, const struct render_req *r)
{
	struct pending *p;

	/* a re-read configuration (SIGHUP) reaches the worker once it is idle */
	if (rd->pid && rd->conf != rd->d->conf && rd->head == NULL)
		stop_worker(rd, NULL);
	if (rd->pid == 0 && start_worker(rd) == -1) {
		log_warn("render: cannot start the worker; rendering in the daemon");
		render_here(rd, r);
		return 0;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->req = *r;
	if (write_all(rd->wfd, r, sizeof(*r)) == -1) {
		free(p);
		log_warn("render: the worker does not take requests; rendering in the daemon");
		stop_worker(rd, "renderer died");
		render_here(rd, r);
		return 0;
	}
	if (rd->tail)
		rd->tail->next = p;
	else
		rd->head = p;
	rd->tail = p;
	return 0;
}

pid_t
renderer_pid(const struct renderer *rd)
{
	return rd ? rd->pid : 0;
}

void
renderer_free(struct renderer *rd)
{
	if (rd == NULL)
		return;
	stop_worker(rd, NULL);
	free(rd->buf);
	free(rd);
}
