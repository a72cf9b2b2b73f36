/* Rendering documents in child processes, results read back in the loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/docs.h"
#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/render.h"
#include "station/store/store.h"

struct job {
	struct render_req	 req;
	void			*watch;		/* the loop callback's argument */
	pid_t			 pid;
	int			 fd;
	char			*buf;
	size_t			 len, cap;
	struct job		*next;
};

struct renderer {
	struct daemon	*d;
	render_done_cb	 done;
	int		 parallel, running;
	struct job	*queue, *queue_tail;	/* waiting to start */
	struct job	*active;		/* children running */
};

static void start_next(struct renderer *);

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
		return docs_label(s, d->conf, sc, r->package_id, out, title, titlelen,
		    order_id, err, errlen);
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

/* One line: tabs and newlines inside fields become spaces. */
static void
clean(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

/*
 * The child: its own read-only connection (the parent's must never be
 * used across fork), render, then "OK\t<order>\t<title>\n", "E\t<event>\n"
 * lines, an empty line and the PDF; or "ERR\t<message>\n".
 */
static void __attribute__((noreturn))
child_main(struct daemon *d, const struct render_req *r, int fd)
{
	char title[256] = "", err[512] = "", line[1200];
	struct labels_out out;
	struct store *s;
	int64_t order_id = 0;
	size_t i;

	memset(&out, 0, sizeof(out));
	if ((s = store_open(d->conf->database, 1, err, sizeof(err))) == NULL ||
	    render_now(d, s, r, title, sizeof(title), &order_id, &out, err, sizeof(err)) == -1) {
		clean(err);
		snprintf(line, sizeof(line), "ERR\t%s\n", err[0] ? err : "rendering failed");
		write_all(fd, line, strlen(line));
		_exit(1);
	}
	clean(title);
	snprintf(line, sizeof(line), "OK\t%lld\t%s\n", (long long)order_id, title);
	write_all(fd, line, strlen(line));
	/* events carry shop data of any length: written in pieces, never copied to a fixed buffer */
	for (i = 0; i < out.nevents; i++) {
		clean(out.events[i]);
		if (write_all(fd, "E\t", 2) == -1 ||
		    write_all(fd, out.events[i], strlen(out.events[i])) == -1 ||
		    write_all(fd, "\n", 1) == -1)
			_exit(1);
	}
	write_all(fd, "\n", 1);
	write_all(fd, out.pdf, out.len);
	_exit(0);
}

static void
job_free(struct job *j)
{
	free(j->buf);
	free(j);
}

/* Parses what the child sent and hands it to the callback. */
static void
finish(struct renderer *rd, struct job *j, int status)
{
	struct labels_out out;
	char *p, *end, *nl, *title = NULL, *events[64];
	int64_t order_id = 0;
	size_t nev = 0;

	memset(&out, 0, sizeof(out));
	p = j->buf;
	end = j->buf ? j->buf + j->len : NULL;
	if (p == NULL || (nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
		char why[80];

		snprintf(why, sizeof(why), "renderer died (status %d)", status);
		rd->done(rd->d, &j->req, NULL, j->req.order_id, NULL, why);
		return;
	}
	*nl = '\0';
	if (strncmp(p, "ERR\t", 4) == 0) {
		rd->done(rd->d, &j->req, NULL, j->req.order_id, NULL, p + 4);
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
	if (title == NULL || p >= end || *p != '\n' || status != 0) {
		rd->done(rd->d, &j->req, NULL, j->req.order_id, NULL, "renderer sent a broken reply");
		return;
	}
	out.pdf = (unsigned char *)p + 1;
	out.len = (size_t)(end - p - 1);
	out.events = events;
	out.nevents = nev;
	rd->done(rd->d, &j->req, title, order_id, &out, NULL);
}

/* The loop callback's argument: the renderer and the job. */
struct watch {
	struct renderer	*rd;
	struct job	*j;
};

static void
on_data(int fd, short revents, void *arg)
{
	struct watch *w = arg;
	struct renderer *rd = w->rd;
	struct job *j = w->j, **pp;
	char tmp[65536];
	ssize_t n;
	int status = 0;

	(void)revents;
	n = read(fd, tmp, sizeof(tmp));
	if (n > 0) {
		if (j->len + (size_t)n > j->cap) {
			size_t cap = j->cap ? j->cap * 2 : 65536;
			char *nb;

			while (cap < j->len + (size_t)n)
				cap *= 2;
			if ((nb = realloc(j->buf, cap)) == NULL)
				return;	/* memory may come back: read again next turn */
			j->buf = nb;
			j->cap = cap;
		}
		memcpy(j->buf + j->len, tmp, (size_t)n);
		j->len += (size_t)n;
		return;
	}
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	loop_del_fd(rd->d->loop, fd);
	close(fd);
	while (waitpid(j->pid, &status, 0) == -1 && errno == EINTR)
		;
	for (pp = &rd->active; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	rd->running--;
	finish(rd, j, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	job_free(j);
	free(w);	/* j->watch */
	start_next(rd);
}

static int
spawn(struct renderer *rd, struct job *j)
{
	struct watch *w = malloc(sizeof(*w));
	int p[2];

	if (w == NULL || pipe2(p, O_CLOEXEC) == -1) {
		free(w);
		return -1;
	}
	if ((j->pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		free(w);
		return -1;
	}
	if (j->pid == 0) {
		close(p[0]);
		child_main(rd->d, &j->req, p[1]);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	j->fd = p[0];
	j->watch = w;
	w->rd = rd;
	w->j = j;
	if (loop_add_fd(rd->d->loop, p[0], POLLIN, on_data, w) == -1) {
		kill(j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		close(p[0]);
		free(w);
		return -1;
	}
	j->next = rd->active;
	rd->active = j;
	rd->running++;
	return 0;
}

static void
start_next(struct renderer *rd)
{
	struct job *j;
	char title[256], err[512];
	struct labels_out out;
	int64_t order_id;

	while (rd->running < rd->parallel && (j = rd->queue) != NULL) {
		if ((rd->queue = j->next) == NULL)
			rd->queue_tail = NULL;
		j->next = NULL;
		if (spawn(rd, j) == 0)
			continue;
		/* no child to be had: render here rather than not at all */
		log_warn("render: cannot start a child; rendering in the daemon");
		memset(&out, 0, sizeof(out));
		if (render_now(rd->d, rd->d->store, &j->req, title, sizeof(title), &order_id,
		    &out, err, sizeof(err)) == 0)
			rd->done(rd->d, &j->req, title, order_id, &out, NULL);
		else
			rd->done(rd->d, &j->req, NULL, j->req.order_id, NULL, err);
		labels_out_free(&out);
		job_free(j);
	}
}

struct renderer *
renderer_new(struct daemon *d, render_done_cb done, int parallel)
{
	struct renderer *rd = calloc(1, sizeof(*rd));

	if (rd == NULL)
		return NULL;
	rd->d = d;
	rd->done = done;
	rd->parallel = parallel > 0 ? parallel : 1;
	return rd;
}

int
renderer_submit(struct renderer *rd, const struct render_req *r)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return -1;
	j->req = *r;
	j->fd = -1;
	if (rd->queue_tail)
		rd->queue_tail->next = j;
	else
		rd->queue = j;
	rd->queue_tail = j;
	start_next(rd);
	return 0;
}

void
renderer_free(struct renderer *rd)
{
	struct job *j, *next;

	if (rd == NULL)
		return;
	for (j = rd->active; j; j = next) {
		next = j->next;
		kill(j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		loop_del_fd(rd->d->loop, j->fd);
		close(j->fd);
		free(j->watch);
		job_free(j);
	}
	for (j = rd->queue; j; j = next) {
		next = j->next;
		job_free(j);
	}
	free(rd);
}
