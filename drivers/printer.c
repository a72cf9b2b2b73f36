/*
 * The printer driver's daemon side: one worker process per destination,
 * spoken to over a socketpair watched by the loop.
 *
 * Why a child process and not non-blocking steps in the loop: libcups'
 * IPP calls (connect, Print-Job, Get-Job-Attributes) are blocking calls
 * and its non-blocking mode is not usable end to end (cupsSendRequest and
 * cupsGetResponse wait internally), and a hung server can stall a request
 * for its whole timeout. In a worker that costs nothing to the loop: a
 * scan verdict never waits for a printer. One worker per destination so a
 * dead label printer never delays the slip printer. The workers are forked
 * without exec (same binary) and never touch the daemon's state.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/printer.h"
#include "drivers/printer_proto.h"
#include "common/log.h"
#include "common/loop.h"

struct worker {
	struct printers *ps;
	char *dest;
	pid_t pid;
	int fd;
	int want_out; /* POLLOUT is being watched */
	char *out;    /* queued messages to the worker */
	size_t outoff, outlen, outcap;
	char *in; /* partial messages from the worker */
	size_t inlen, incap;
	int64_t *refs; /* jobs given to it, not yet final */
	size_t nrefs, caprefs;
};

struct printers {
	struct loop *loop;
	printer_event_cb cb;
	void *arg;
	char *server;
	int stall_ms;
	struct worker **w;
	size_t nw, capw;
};

static const char *const state_names[] = {
	[PRINT_PENDING] = "pending",
	[PRINT_HELD] = "held",
	[PRINT_PROCESSING] = "processing",
	[PRINT_COMPLETED] = "completed",
	[PRINT_CANCELLED] = "cancelled",
	[PRINT_ABORTED] = "aborted",
	[PRINT_FAILED] = "failed",
};

const char *
print_state_name(enum print_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[s];
}

static int
grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *nv;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	if ((nv = realloc(*v, n * size)) == NULL)
		return -1;
	*v = nv;
	*cap = n;
	return 0;
}

struct printers *
printers_new(struct loop *loop, printer_event_cb cb, void *arg)
{
	struct printers *ps;

	if (loop == NULL || cb == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	ps->loop = loop;
	ps->cb = cb;
	ps->arg = arg;
	ps->stall_ms = PRINTERS_STALL_MS;
	return ps;
}

int
printers_set_server(struct printers *ps, const char *server)
{
	char *s = NULL;

	if (server != NULL && (s = strdup(server)) == NULL)
		return -1;
	free(ps->server);
	ps->server = s;
	return 0;
}

void
printers_set_stall_ms(struct printers *ps, int ms)
{
	ps->stall_ms = ms > 0 ? ms : PRINTERS_STALL_MS;
}

static void
worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	free(w->dest);
	free(w->out);
	free(w->in);
	free(w->refs);
	free(w);
}

/* Ends a worker: close its socket (it exits on EOF), make sure, and reap. */
static void
worker_stop(struct worker *w)
{
	if (w->fd != -1) {
		loop_del_fd(w->ps->loop, w->fd);
		close(w->fd);
		w->fd = -1;
	}
	if (w->pid > 0) {
		kill(w->pid, SIGTERM);
		while (waitpid(w->pid, NULL, 0) == -1 && errno == EINTR)
			;
		w->pid = -1;
	}
}

void
printers_free(struct printers *ps)
{
	size_t i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->nw; i++) {
		worker_stop(ps->w[i]);
		worker_free(ps->w[i]);
	}
	free(ps->w);
	free(ps->server);
	free(ps);
}

size_t
printers_pending(const struct printers *ps)
{
	size_t i, n = 0;

	for (i = 0; i < ps->nw; i++)
		n += ps->w[i]->nrefs;
	return n;
}

static void
forget_ref(struct worker *w, int64_t ref)
{
	size_t i;

	for (i = 0; i < w->nrefs; i++)
		if (w->refs[i] == ref) {
			w->refs[i] = w->refs[--w->nrefs];
			return;
		}
}

static void
deliver(struct worker *w, const struct msg_event *e)
{
	struct printer_event ev;

	ev.kind = (enum printer_event_kind)e->kind;
	ev.dest = w->dest;
	ev.ref = e->ref;
	ev.job_id = e->job_id;
	ev.state = (enum print_state)e->state;
	ev.alerts = e->alerts;
	ev.reason = e->reason;
	if (ev.kind == PRINTER_EV_FAILED ||
	    (ev.kind == PRINTER_EV_STATE &&
		(ev.state == PRINT_COMPLETED || ev.state == PRINT_CANCELLED ||
		    ev.state == PRINT_ABORTED)))
		forget_ref(w, e->ref);
	w->ps->cb(&ev, w->ps->arg);
}

/* Removes w from ps and fails every job it still held: nothing is dropped silently. */
static void
worker_died(struct worker *w)
{
	struct printers *ps = w->ps;
	struct msg_event e;
	size_t i;

	for (i = 0; i < ps->nw; i++)
		if (ps->w[i] == w) {
			ps->w[i] = ps->w[--ps->nw];
			break;
		}
	worker_stop(w);
	log_warnx("printer %s: worker exited, %zu job(s) failed", w->dest, w->nrefs);
	memset(&e, 0, sizeof(e));
	e.kind = PRINTER_EV_FAILED;
	e.state = PRINT_FAILED;
	snprintf(e.reason, sizeof(e.reason), "print worker for %.200s exited", w->dest);
	while (w->nrefs > 0) {
		e.ref = w->refs[w->nrefs - 1];
		deliver(w, &e);
	}
	worker_free(w);
}

/* Dispatches every complete message in w->in. */
static void
dispatch_input(struct worker *w)
{
	struct msg_hdr h;
	struct msg_event e;
	size_t off = 0;

	while (w->inlen - off >= sizeof(h)) {
		memcpy(&h, w->in + off, sizeof(h));
		if (w->inlen - off < sizeof(h) + h.len)
			break;
		if (h.type == MSG_EVENT && h.len == sizeof(e)) {
			memcpy(&e, w->in + off + sizeof(h), sizeof(e));
			e.reason[sizeof(e.reason) - 1] = '\0';
			deliver(w, &e);
		}
		off += sizeof(h) + h.len;
	}
	memmove(w->in, w->in + off, w->inlen - off);
	w->inlen -= off;
}

/* Reads what the worker sent. Returns -1 when it is gone. */
static int
read_input(struct worker *w)
{
	ssize_t n;

	for (;;) {
		if (grow((void **)&w->in, &w->incap, w->inlen + 4096, 1) == -1)
			return -1;
		n = read(w->fd, w->in + w->inlen, w->incap - w->inlen);
		if (n > 0) {
			w->inlen += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1; /* EOF or error */
	}
}

static void
watch_output(struct worker *w, int want)
{
	if (w->want_out == want)
		return;
	w->want_out = want;
	loop_mod_fd(w->ps->loop, w->fd, POLLIN | (want ? POLLOUT : 0));
}

/* Writes what the socket takes now; the rest waits for POLLOUT. */
static void
flush_output(struct worker *w)
{
	ssize_t n;

	while (w->outoff < w->outlen) {
		n = write(w->fd, w->out + w->outoff, w->outlen - w->outoff);
		if (n > 0) {
			w->outoff += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		/* EAGAIN: wait for room. Other errors: POLLHUP/POLLERR follow. */
		break;
	}
	if (w->outoff == w->outlen)
		w->outoff = w->outlen = 0;
	watch_output(w, w->outlen > 0);
}

static void
on_worker_fd(int fd, short revents, void *arg)
{
	struct worker *w = arg;
	int gone = 0;

	(void)fd;
	if (revents & POLLOUT)
		flush_output(w);
	if (revents & (POLLIN | POLLHUP | POLLERR))
		gone = read_input(w) == -1;
	/* Deliver before reaping: a dying worker's last words count. */
	dispatch_input(w);
	if (gone || (revents & POLLERR))
		worker_died(w);
}

/* In the child: keep only the socket and stdio, then work. */
static void __attribute__((noreturn))
worker_child(int fd, const char *server, const char *dest, int stall_ms)
{
	if (fd > 3)
		close_range(3, (unsigned)fd - 1, 0);
	close_range((unsigned)fd + 1, ~0U, 0);
	printer_worker_main(fd, server, dest, stall_ms);
}

static struct worker *
worker_spawn(struct printers *ps, const char *dest)
{
	struct worker *w;
	int sv[2];

	if (grow((void **)&ps->w, &ps->capw, ps->nw + 1, sizeof(*ps->w)) == -1)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->ps = ps;
	w->fd = -1;
	if ((w->dest = strdup(dest)) == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		worker_free(w);
		return NULL;
	}
	/* Listed before fork so the child's copy of w stays reachable (valgrind). */
	ps->w[ps->nw++] = w;
	if ((w->pid = fork()) == -1) {
		ps->nw--;
		close(sv[0]);
		close(sv[1]);
		worker_free(w);
		return NULL;
	}
	if (w->pid == 0) {
		close(sv[0]);
		worker_child(sv[1], ps->server, dest, ps->stall_ms);
	}
	close(sv[1]);
	w->fd = sv[0];
	if (fcntl(w->fd, F_SETFL, O_NONBLOCK) == -1 ||
	    loop_add_fd(ps->loop, w->fd, POLLIN, on_worker_fd, w) == -1) {
		ps->nw--;
		worker_stop(w);
		worker_free(w);
		return NULL;
	}
	log_debug("printer %s: worker %d started", dest, (int)w->pid);
	return w;
}

static struct worker *
worker_get(struct printers *ps, const char *dest)
{
	size_t i;

	for (i = 0; i < ps->nw; i++)
		if (strcmp(ps->w[i]->dest, dest) == 0)
			return ps->w[i];
	return worker_spawn(ps, dest);
}

int
printers_watch(struct printers *ps, const char *dest)
{
	if (dest == NULL || *dest == '\0') {
		errno = EINVAL;
		return -1;
	}
	return worker_get(ps, dest) != NULL ? 0 : -1;
}

/* Appends one message to w's output and starts writing it. 0 / -1. */
static int
queue_message(
    struct worker *w, uint32_t type, const void *a, size_t alen, const void *b, size_t blen)
{
	struct msg_hdr h;
	size_t need = w->outlen + sizeof(h) + alen + blen;

	if (grow((void **)&w->refs, &w->caprefs, w->nrefs + 1, sizeof(*w->refs)) == -1 ||
	    grow((void **)&w->out, &w->outcap, need, 1) == -1)
		return -1;
	h.len = (uint32_t)(alen + blen);
	h.type = type;
	memcpy(w->out + w->outlen, &h, sizeof(h));
	memcpy(w->out + w->outlen + sizeof(h), a, alen);
	if (blen > 0)
		memcpy(w->out + w->outlen + sizeof(h) + alen, b, blen);
	w->outlen = need;
	flush_output(w);
	return 0;
}

int
printers_follow(struct printers *ps, int64_t ref, const char *dest, int job_id)
{
	struct msg_follow f;
	struct worker *w;

	if (dest == NULL || *dest == '\0' || job_id <= 0) {
		errno = EINVAL;
		return -1;
	}
	if ((w = worker_get(ps, dest)) == NULL)
		return -1;
	memset(&f, 0, sizeof(f));
	f.ref = ref;
	f.job_id = job_id;
	if (queue_message(w, MSG_FOLLOW, &f, sizeof(f), NULL, 0) == -1)
		return -1;
	w->refs[w->nrefs++] = ref;
	return 0;
}

static void
fill_submit(struct msg_submit *m, int64_t ref, const struct print_opts *opts)
{
	memset(m, 0, sizeof(*m));
	m->ref = ref;
	m->copies = opts != NULL && opts->copies > 1 ? opts->copies : 1;
	if (opts != NULL && opts->media != NULL)
		snprintf(m->media, sizeof(m->media), "%s", opts->media);
	if (opts != NULL && opts->title != NULL)
		snprintf(m->title, sizeof(m->title), "%s", opts->title);
}

int
printers_submit(struct printers *ps, int64_t ref, const char *dest, const struct print_opts *opts,
    const void *pdf, size_t len)
{
	struct msg_submit m;
	struct worker *w;

	if (dest == NULL || *dest == '\0' || (pdf == NULL && len > 0) ||
	    len > PROTO_MAX_BODY - sizeof(m)) {
		errno = EINVAL;
		return -1;
	}
	if ((w = worker_get(ps, dest)) == NULL)
		return -1;
	fill_submit(&m, ref, opts);
	if (queue_message(w, MSG_SUBMIT, &m, sizeof(m), pdf, len) == -1)
		return -1;
	w->refs[w->nrefs++] = ref;
	return 0;
}
