/*
 * Password checks off the loop: a yescrypt check costs ~30 ms of CPU, which
 * would hold up every scan behind a login. One worker thread computes
 * crypt_r (it touches nothing else: no store, no MHD); the login's
 * connection is suspended meanwhile and resumed when the answer comes back
 * through a pipe the loop watches.
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/daemon.h"
#include "station/web/web_int.h"

#define LOGIN_QUEUE 8 /* checks waiting at most; beyond, "busy" */

struct login_job {
	struct web_req *r;
	char hash[256];
	char password[256];
	int known; /* 0: an unknown name, checked against the dummy */
	int ok;
};

struct web_login {
	int req[2], res[2]; /* loop -> worker, worker -> loop (pointers) */
	pthread_t worker;
	int started;
	int pending;
	char dummy[256]; /* checked for unknown names: the same time either way */
};

/* The pipes carry job pointers: one thread hands a job to the other, whole. */
static int
put_job(int fd, struct login_job *j)
{
	void *p = j;

	return write(fd, &p, sizeof(p)) == (ssize_t)sizeof(p) ? 0 : -1;
}

static struct login_job *
get_job(int fd)
{
	void *p;

	return read(fd, &p, sizeof(p)) == (ssize_t)sizeof(p) ? p : NULL;
}

static void *
worker_main(void *arg)
{
	struct web_login *wl = arg;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	struct login_job *j;

	while ((j = get_job(wl->req[0])) != NULL) {
		const char *got = cd ? crypt_r(j->password, j->hash, cd) : NULL;

		j->ok = j->known && got && got[0] != '*' && web_token_eq(got, j->hash);
		explicit_bzero(j->password, sizeof(j->password));
		if (put_job(wl->res[1], j) == -1)
			break;
	}
	if (cd)
		explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return NULL;
}

/* A checked password is back: resume its connection, MHD calls the handler again. */
static void
finish(struct web *w, struct login_job *j)
{
	j->r->login_state = j->ok ? LOGIN_OK : LOGIN_BAD;
	w->login->pending--;
	MHD_resume_connection(j->r->conn);
	w->need_run = 1;
	free(j);
}

static void
on_result(int fd, short revents, void *arg)
{
	struct web *w = arg;
	struct login_job *j;

	(void)revents;
	while ((j = get_job(fd)) != NULL)
		finish(w, j);
}

int
login_start(struct web *w)
{
	struct web_login *wl;
	char *salt;
	const char *h;
	struct crypt_data *cd;

	if ((wl = calloc(1, sizeof(*wl))) == NULL)
		return -1;
	wl->req[0] = wl->req[1] = wl->res[0] = wl->res[1] = -1;
	w->login = wl;
	if (pipe2(wl->req, O_CLOEXEC) == -1 || pipe2(wl->res, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("web: pipe");
		return -1;
	}
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	salt = crypt_gensalt_ra("$y$", 0, NULL, 0);
	h = salt ? crypt_r("no such user", salt, cd) : NULL;
	snprintf(wl->dummy, sizeof(wl->dummy), "%s", h && h[0] != '*' ? h : "*");
	free(salt);
	free(cd);
	if (pthread_create(&wl->worker, NULL, worker_main, wl) != 0) {
		log_warnx("web: cannot start the password worker");
		return -1;
	}
	wl->started = 1;
	return loop_add_fd(w->d->loop, wl->res[0], POLLIN, on_result, w);
}

int
login_submit(struct web_req *r, const char *hash, const char *password)
{
	struct web_login *wl = r->w->login;
	struct login_job *j;

	if (wl->pending >= LOGIN_QUEUE || (j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->r = r;
	j->known = hash != NULL;
	snprintf(j->hash, sizeof(j->hash), "%s", hash ? hash : wl->dummy);
	snprintf(j->password, sizeof(j->password), "%s", password);
	MHD_suspend_connection(r->conn);
	if (put_job(wl->req[1], j) == -1) {
		MHD_resume_connection(r->conn);
		explicit_bzero(j, sizeof(*j));
		free(j);
		return -1;
	}
	wl->pending++;
	r->login_state = LOGIN_PENDING;
	return 0;
}

/* Stops the worker and answers what it had: connections must not stay suspended. */
void
login_stop(struct web *w)
{
	struct web_login *wl = w->login;
	struct login_job *j;

	if (wl == NULL)
		return;
	/*
	 * A NULL job tells the worker to end: EOF alone may never come, since
	 * a child forked without exec (the render worker) holds the pipe too.
	 */
	if (wl->req[1] != -1) {
		if (wl->started && put_job(wl->req[1], NULL) == -1)
			log_warn("web: cannot stop the password worker");
		close(wl->req[1]);
	}
	if (wl->started)
		pthread_join(wl->worker, NULL);
	if (wl->res[0] != -1) {
		loop_del_fd(w->d->loop, wl->res[0]);
		while ((j = get_job(wl->res[0])) != NULL)
			finish(w, j);
		close(wl->res[0]);
	}
	if (wl->req[0] != -1)
		close(wl->req[0]);
	if (wl->res[1] != -1)
		close(wl->res[1]);
	free(wl);
	w->login = NULL;
}
