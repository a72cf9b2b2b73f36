/* The single-threaded poll() loop: fd watches, one-shot timers, prepare hooks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/loop.h"

struct watch {
	int fd;
	short events;
	loop_fd_cb cb;
	void *arg;
	int dead;
};

struct timer {
	int64_t id;
	int64_t due;
	loop_timer_cb cb;
	void *arg;
};

struct prepare {
	loop_prepare_cb cb;
	void *arg;
};

struct loop {
	struct watch *w;
	size_t nw, capw;
	struct pollfd *pfd;
	size_t cappfd;
	struct pollfd *probe; /* loop_others_ready's own array */
	size_t capprobe;
	struct timer *t;
	size_t nt, capt;
	int64_t next_id;
	struct prepare *p;
	size_t np, capp;
	int stop;
	int dispatching;
};

int64_t
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *
loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l != NULL)
		l->next_id = 1;
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free(l->w);
	free(l->pfd);
	free(l->probe);
	free(l->t);
	free(l->p);
	free(l);
}

static int
grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *nv;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	if ((nv = realloc(*v, n * size)) == NULL)
		return -1;
	*v = nv;
	*cap = n;
	return 0;
}

static struct watch *
find_watch(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd && !l->w[i].dead)
			return &l->w[i];
	return NULL;
}

int
loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	struct watch *w;

	if (find_watch(l, fd) != NULL) {
		errno = EEXIST;
		return -1;
	}
	if (grow((void **)&l->w, &l->capw, l->nw + 1, sizeof(*l->w)) == -1)
		return -1;
	w = &l->w[l->nw++];
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	w->dead = 0;
	return 0;
}

int
loop_mod_fd(struct loop *l, int fd, short events)
{
	struct watch *w = find_watch(l, fd);

	if (w == NULL) {
		errno = ENOENT;
		return -1;
	}
	w->events = events;
	return 0;
}

static void
compact(struct loop *l)
{
	size_t i, j;

	for (i = j = 0; i < l->nw; i++)
		if (!l->w[i].dead)
			l->w[j++] = l->w[i];
	l->nw = j;
}

void
loop_del_fd(struct loop *l, int fd)
{
	struct watch *w = find_watch(l, fd);

	if (w == NULL)
		return;
	w->dead = 1;
	if (!l->dispatching)
		compact(l);
}

int64_t
loop_add_timer(struct loop *l, int64_t ms, loop_timer_cb cb, void *arg)
{
	struct timer *t;

	if (grow((void **)&l->t, &l->capt, l->nt + 1, sizeof(*l->t)) == -1)
		return -1;
	t = &l->t[l->nt++];
	t->id = l->next_id++;
	t->due = loop_now_ms() + (ms > 0 ? ms : 0);
	t->cb = cb;
	t->arg = arg;
	return t->id;
}

void
loop_cancel_timer(struct loop *l, int64_t id)
{
	size_t i;

	for (i = 0; i < l->nt; i++)
		if (l->t[i].id == id) {
			l->t[i] = l->t[--l->nt];
			return;
		}
}

int
loop_add_prepare(struct loop *l, loop_prepare_cb cb, void *arg)
{
	if (grow((void **)&l->p, &l->capp, l->np + 1, sizeof(*l->p)) == -1)
		return -1;
	l->p[l->np].cb = cb;
	l->p[l->np].arg = arg;
	l->np++;
	return 0;
}

void
loop_del_prepare(struct loop *l, loop_prepare_cb cb, void *arg)
{
	size_t i;

	for (i = 0; i < l->np; i++)
		if (l->p[i].cb == cb && l->p[i].arg == arg) {
			memmove(&l->p[i], &l->p[i + 1], (l->np - i - 1) * sizeof(*l->p));
			l->np--;
			return;
		}
}

static int
min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int
compute_timeout(struct loop *l, int max_ms)
{
	int64_t now = loop_now_ms(), d;
	int to = max_ms;
	size_t i;

	for (i = 0; i < l->nt; i++) {
		d = l->t[i].due - now;
		if (d < 0)
			d = 0;
		to = min_timeout(to, d > 3600000 ? 3600000 : (int)d);
	}
	for (i = 0; i < l->np; i++)
		to = min_timeout(to, l->p[i].cb(l->p[i].arg));
	return to;
}

static void
run_timers(struct loop *l)
{
	int64_t now = loop_now_ms();
	struct timer t;
	size_t i;

	for (i = 0; i < l->nt;) {
		if (l->t[i].due > now) {
			i++;
			continue;
		}
		t = l->t[i];
		l->t[i] = l->t[--l->nt];
		t.cb(t.arg);
		i = 0; /* the callback may have changed the list */
	}
}

int
loop_run_once(struct loop *l, int max_ms)
{
	size_t i, n;
	int r;

	if (grow((void **)&l->pfd, &l->cappfd, l->nw + 1, sizeof(*l->pfd)) == -1)
		return -1;
	n = l->nw;
	for (i = 0; i < n; i++) {
		l->pfd[i].fd = l->w[i].fd;
		l->pfd[i].events = l->w[i].events;
		l->pfd[i].revents = 0;
	}
	r = poll(l->pfd, n, compute_timeout(l, max_ms));
	if (r == -1)
		return errno == EINTR ? 0 : -1;
	l->dispatching = 1;
	for (i = 0; i < n && r > 0; i++) {
		struct watch *w;

		if (l->pfd[i].revents == 0)
			continue;
		r--;
		w = find_watch(l, l->pfd[i].fd);
		if (w != NULL)
			w->cb(w->fd, l->pfd[i].revents, w->arg);
	}
	l->dispatching = 0;
	compact(l);
	run_timers(l);
	return 0;
}

int
loop_others_ready(struct loop *l, int except_fd)
{
	size_t i, n = 0;

	if (grow((void **)&l->probe, &l->capprobe, l->nw + 1, sizeof(*l->probe)) == -1)
		return 0;
	for (i = 0; i < l->nw; i++) {
		if (l->w[i].dead || l->w[i].fd == except_fd || !(l->w[i].events & POLLIN))
			continue;
		l->probe[n].fd = l->w[i].fd;
		l->probe[n].events = POLLIN;
		l->probe[n].revents = 0;
		n++;
	}
	return n > 0 && poll(l->probe, n, 0) > 0;
}

int
loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop)
		if (loop_run_once(l, -1) == -1)
			return -1;
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}
