/* The import job, loop side: the parse thread (intake_worker.c) feeds the loop, which stores bounded batches. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/intake_job_int.h"
#include "station/intake/intake.h"
#include "station/intake/intake_file.h"
#include "station/intake/intake_stream.h"
#include "station/store/store.h"

#define CODE_BATCH ((size_t)4 * INTAKE_JOB_BATCH)
#define RETRY_MS   5000		     /* a file left in spool/in by a failure is tried again */
#define TRIM_BYTES ((size_t)1 << 20) /* a file this big: free memory given back after it */

/* A file waiting to be imported. */
struct request {
	char *name; /* spool/in name, or NULL for a path */
	char *path;
	char *label; /* names the file in messages and events */
	intake_reply_cb cb;
	void *arg;
	struct request *next;
};

struct intake_jobs {
	struct loop *loop;
	struct store *store;
	char *spool;
	struct request *head, *tail;
	struct job *job; /* the running file, or NULL */
	int efd;	 /* the thread wakes the loop through it */
	int inofd;	 /* inotify on spool/in */
	int64_t kick_timer, retry_timer;
};

static void kick(struct intake_jobs *);

static void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->path);
	free(r->label);
	free(r);
}

/* --- the loop side --------------------------------------------------------- */

/* Stops the thread and frees the job; the file is left where it is. */
static void
job_free(struct job *j)
{
	size_t i;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->cancel = 1;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->th, NULL);
	for (i = 0; i < j->qn; i++) {
		order_free(j->q[(j->qhead + i) % QCAP].o);
		free(j->q[(j->qhead + i) % QCAP].cut);
	}
	for (i = 0; i < j->nspent; i++)
		order_free(j->spent[i]);
	if (j->codes != NULL)
		product_codes_free(j->codes, j->ncodes);
	intake_seen_free(j->file.in.seen);
	intake_file_close(&j->file);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	request_free(j->req);
	free(j);
}

static void
retry_fire(void *arg)
{
	struct intake_jobs *ij = arg;

	ij->retry_timer = 0;
	intake_jobs_spool_scan(ij);
}

static void
retry_later(struct intake_jobs *ij)
{
	if (ij->retry_timer == 0)
		ij->retry_timer = loop_add_timer(ij->loop, RETRY_MS, retry_fire, ij);
	if (ij->retry_timer == -1)
		ij->retry_timer = 0;
}

/*
 * A bad file: to failed/ with its reason (a spool file), and a "refused"
 * event once it is there, not at every retry while its reason cannot be
 * written.
 */
static void
refuse(struct intake_jobs *ij, const struct request *r, const char *err)
{
	if (r->name != NULL && intake_spool_refuse(ij->spool, r->name, err) == -1) {
		retry_later(ij);
		return;
	}
	store_add_event(ij->store, NULL, 0, NULL, "refused", NULL, err, 1);
}

/* Ends the running file: tells its importer, moves it, starts the next. */
static void
job_end(struct intake_jobs *ij, const char *why, int retry)
{
	struct job *j = ij->job;
	struct request *r = j->req;
	struct intake_result res = j->res;
	char err[1200];
	int big = j->file.in.len >= TRIM_BYTES;

	/*
	 * Its batches committed lazily: on disk before the file is called in
	 * (done/, the reply) or refused saying what went in before the fault.
	 */
	if ((why == NULL || !retry) && store_durable(ij->store) == -1) {
		snprintf(err, sizeof(err), "%s: database: %s", r->label, store_errmsg(ij->store));
		why = err;
		retry = 1;
	} else if (why != NULL)
		snprintf(err, sizeof(err), "%s: %s", r->label, why);
	ij->job = NULL;
	j->req = NULL;
	job_free(j); /* why may point into j: copied above */
	/*
	 * The orders of a big file came and went through the parse thread's
	 * malloc arena: its free pages go back now, not when a later
	 * allocation happens to need the top of the heap (idle memory: 16.3
	 * -> 14.8 MB after 100,000 orders). A small file leaves little.
	 */
	if (big)
		malloc_trim(0);
	if (why == NULL) {
		log_info("%s: %s: %zu imported, %zu updated, %zu unchanged, "
			 "%zu codes",
		    r->label, res.kind, res.imported, res.updated, res.unchanged, res.codes);
		if (r->name != NULL)
			intake_spool_accept(ij->spool, r->name);
	} else if (retry) {
		log_warnx("ALERT %s; it stays in spool/in and is tried again", err);
		if (r->name != NULL)
			retry_later(ij);
	} else {
		log_warnx("%s", err);
		refuse(ij, r, err);
	}
	if (r->cb != NULL)
		r->cb(r->arg, &res, why != NULL ? err : NULL);
	request_free(r);
	kick(ij);
}

static void
count_outcome(struct intake_result *res, const char *outcome)
{
	if (outcome[0] == 'i')
		res->imported++;
	else if (outcome[0] == 'u' && outcome[1] == 'p')
		res->updated++;
	else
		res->unchanged++;
}

/* Logs which fields of an order were cut (inside the batch's transaction). */
static int
note_cut(struct store *s, const char *label, const struct order *o, const char *cut, char *err,
    size_t errlen)
{
	char msg[700];
	int64_t id = 0;

	if (store_find_order(s, o->name, &id) == -1) {
		snprintf(err, errlen, "database: %s", store_errmsg(s));
		return -1;
	}
	snprintf(
	    msg, sizeof(msg), "%s: from %s: cut to the intake limits: %s", o->name, label, cut);
	if (store_add_event(s, NULL, id, NULL, "truncated", NULL, msg, 0) == -1) {
		snprintf(err, errlen, "database: %s", store_errmsg(s));
		return -1;
	}
	return 0;
}

/* Takes the next order off the queue, or returns 0 if it is empty. */
static int
queue_take(struct job *j, struct entry *e)
{
	int got = 0;

	pthread_mutex_lock(&j->mu);
	if (j->qn > 0) {
		*e = j->q[j->qhead];
		j->qhead = (j->qhead + 1) % QCAP;
		/*
		 * The parser waits only on a full queue; wake it once half is
		 * free, not for every order taken (a wake-up per order cost
		 * more than storing it).
		 */
		if (--j->qn == QCAP / 2)
			pthread_cond_signal(&j->cv);
		got = 1;
	}
	pthread_mutex_unlock(&j->mu);
	return got;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Hands stored orders back to the thread to free (see struct job's spent);
 * frees them here once it is done or if they do not fit.
 */
static void
give_back(struct job *j, struct order **done, size_t n)
{
	pthread_mutex_lock(&j->mu);
	if (!j->finished && j->nspent + n <= QCAP) {
		memcpy(j->spent + j->nspent, done, n * sizeof(struct order *));
		j->nspent += n;
		n = 0;
	}
	pthread_mutex_unlock(&j->mu);
	while (n > 0)
		order_free(done[--n]);
}

/* Stores e; its order joins done (to be handed back), its cut is freed. */
static int
store_entry(struct intake_jobs *ij, struct entry *e, struct order **done, size_t *ndone, char *err,
    size_t errlen)
{
	struct job *j = ij->job;
	const char *outcome;
	int r = 0;

	if (store_upsert_order(ij->store, e->o, j->req->label, &outcome, err, errlen) == -1)
		r = -1;
	else {
		count_outcome(&j->res, outcome);
		if (e->cut != NULL) {
			j->res.truncated++;
			r = note_cut(ij->store, j->req->label, e->o, e->cut, err, errlen);
		}
	}
	done[(*ndone)++] = e->o;
	free(e->cut);
	return r;
}

/*
 * Stores queued orders in one transaction: at most INTAKE_JOB_BATCH, and
 * no longer than INTAKE_JOB_BUDGET_US, so a scan waiting behind this turn
 * waits little. Returns the number stored, or -1 with err (rolled back).
 */
static long
store_batch(struct intake_jobs *ij, char *err, size_t errlen)
{
	struct entry e;
	struct order *done[INTAKE_JOB_BATCH];
	size_t ndone = 0;
	int64_t t0 = now_us();
	long n = 0;

	/*
	 * A client this loop just answered was woken on this CPU (a socket's
	 * wakeup expects the waker to sleep next); the loop stores orders
	 * instead, so the client waited out the loop's time slice, up to
	 * 3 ms, while the other core could be idle. Let it run first.
	 */
	sched_yield();
	/* lazy: a crash imports the file again, and its end is synced (job_end) */
	if (store_begin_lazy(ij->store) == -1) {
		snprintf(err, errlen, "database: %s", store_errmsg(ij->store));
		return -1;
	}
	/* every 16 orders: out of time, or a scan or request waiting? */
	while (n < INTAKE_JOB_BATCH &&
	    (n % 16 != 0 ||
		(now_us() - t0 < INTAKE_JOB_BUDGET_US && !loop_others_ready(ij->loop, ij->efd))) &&
	    queue_take(ij->job, &e)) {
		if (store_entry(ij, &e, done, &ndone, err, errlen) == -1) {
			store_rollback(ij->store);
			give_back(ij->job, done, ndone);
			return -1;
		}
		n++;
	}
	if (store_commit(ij->store) == -1) {
		snprintf(err, errlen, "database: %s", store_errmsg(ij->store));
		store_rollback(ij->store);
		give_back(ij->job, done, ndone);
		return -1;
	}
	give_back(ij->job, done, ndone);
	return n;
}

static int
store_codes(struct intake_jobs *ij, char *err, size_t errlen)
{
	struct job *j = ij->job;
	size_t end = j->codes_pos + CODE_BATCH;

	if (end > j->ncodes)
		end = j->ncodes;
	if (store_begin_lazy(ij->store) == -1) {
		snprintf(err, errlen, "database: %s", store_errmsg(ij->store));
		return -1;
	}
	for (; j->codes_pos < end; j->codes_pos++)
		if (store_upsert_code(ij->store, &j->codes[j->codes_pos], err, errlen) == -1) {
			store_rollback(ij->store);
			return -1;
		}
	if (store_commit(ij->store) == -1) {
		snprintf(err, errlen, "database: %s", store_errmsg(ij->store));
		store_rollback(ij->store);
		return -1;
	}
	j->res.codes = j->codes_pos;
	return 0;
}

/*
 * A store failure the disk or the database will get over (full, I/O,
 * read-only, locked, memory): the file waits and is tried again. Anything
 * else (a name already used by another shop order) is the file's fault.
 */
static int
is_transient(const char *err)
{
	static const char *const words[] = { "disk is full", "disk I/O error", "readonly",
		"read-only", "locked", "busy", "out of memory", "unable to open" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(err, words[i]) != NULL)
			return 1;
	return 0;
}

/* The store refused an order mid-file: refused, saying what went in before. */
static void
store_failed(struct intake_jobs *ij, char *err, size_t errlen)
{
	const struct intake_result *r = &ij->job->res;
	size_t in = r->imported + r->updated + r->unchanged, n = strlen(err);

	if (is_transient(err)) {
		job_end(ij, err, 1);
		return;
	}
	if (in > 0 && n + 1 < errlen)
		snprintf(err + n, errlen - n,
		    " (the %zu orders before it in "
		    "the file were stored)",
		    in);
	job_end(ij, err, 0);
}

/* One loop turn of the running file: at most one batch, then back to poll. */
static void
job_step(struct intake_jobs *ij)
{
	struct job *j = ij->job;
	char err[1200];
	int finished, failed, more;
	size_t queued;

	pthread_mutex_lock(&j->mu);
	finished = j->finished;
	failed = j->failed;
	queued = j->qn;
	pthread_mutex_unlock(&j->mu);
	if (failed == 1) {
		job_end(ij, j->err, 0); /* nothing was stored: pass 1 */
		return;
	}
	if (queued > 0 && store_batch(ij, err, sizeof(err)) == -1) {
		store_failed(ij, err, sizeof(err));
		return;
	}
	pthread_mutex_lock(&j->mu);
	/* finished was read first: nothing can have been added since */
	more = j->qn >= INTAKE_JOB_BATCH || (finished && j->qn > 0);
	pthread_mutex_unlock(&j->mu);
	if (finished && failed == 2) {
		job_end(ij, j->err, 1);
		return;
	}
	if (finished && !more && j->codes != NULL && j->codes_pos < j->ncodes) {
		if (store_codes(ij, err, sizeof(err)) == -1) {
			store_failed(ij, err, sizeof(err));
			return;
		}
		more = j->codes_pos < j->ncodes;
	}
	if (more)
		intake_worker_wake(ij->efd); /* after what else is ready: poll sees both */
	else if (finished)
		job_end(ij, NULL, 0);
}

static void
on_wake(int fd, short revents, void *arg)
{
	struct intake_jobs *ij = arg;
	uint64_t v;

	(void)revents;
	while (read(fd, &v, sizeof(v)) == -1 && errno == EINTR)
		;
	if (ij->job != NULL)
		job_step(ij);
}

/* Starts r's file: its thread runs, or it ends here (refused, retried). */
static void
job_start(struct intake_jobs *ij, struct request *r)
{
	struct job *j;
	char why[600], err[1200];

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		log_warnx("%s: out of memory; tried again later", r->label);
		goto retry;
	}
	j->efd = ij->efd;
	j->req = r;
	if (intake_file_open(&j->file, r->path, why, sizeof(why)) == -1) {
		free(j);
		if (r->name != NULL && access(r->path, F_OK) == -1 && errno == ENOENT) {
			request_free(r); /* gone already */
			return;
		}
		snprintf(err, sizeof(err), "%s: %s", r->label, why);
		log_warnx("%s", err);
		refuse(ij, r, err);
		if (r->cb != NULL)
			r->cb(r->arg, NULL, err);
		request_free(r);
		return;
	}
	j->res.kind = intake_kind_name(INTAKE_UNKNOWN);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	if (pthread_create(&j->th, NULL, intake_worker_main, j) != 0) {
		intake_file_close(&j->file);
		pthread_cond_destroy(&j->cv);
		pthread_mutex_destroy(&j->mu);
		free(j);
		log_warnx("%s: cannot start the import thread; tried again later", r->label);
		goto retry;
	}
	ij->job = j;
	return;
retry:
	if (r->cb != NULL)
		r->cb(r->arg, NULL, "out of resources; try again");
	if (r->name != NULL)
		retry_later(ij);
	request_free(r);
}

static void
kick_fire(void *arg)
{
	struct intake_jobs *ij = arg;
	struct request *r;

	ij->kick_timer = 0;
	while (ij->job == NULL && (r = ij->head) != NULL) {
		ij->head = r->next;
		if (ij->head == NULL)
			ij->tail = NULL;
		r->next = NULL;
		job_start(ij, r);
	}
}

/* Starts the next file from the loop (never inside the caller's stack). */
static void
kick(struct intake_jobs *ij)
{
	if (ij->job != NULL || ij->head == NULL || ij->kick_timer > 0)
		return;
	ij->kick_timer = loop_add_timer(ij->loop, 0, kick_fire, ij);
	if (ij->kick_timer == -1)
		ij->kick_timer = 0;
}

static int
is_queued(struct intake_jobs *ij, const char *name)
{
	struct request *r;

	if (ij->job != NULL && ij->job->req->name != NULL && strcmp(ij->job->req->name, name) == 0)
		return 1;
	for (r = ij->head; r; r = r->next)
		if (r->name != NULL && strcmp(r->name, name) == 0)
			return 1;
	return 0;
}

static void
enqueue(struct intake_jobs *ij, struct request *r)
{
	if (ij->tail != NULL)
		ij->tail->next = r;
	else
		ij->head = r;
	ij->tail = r;
	kick(ij);
}

void
intake_jobs_spool_name(struct intake_jobs *ij, const char *name)
{
	struct request *r;
	size_t n;

	if (intake_spool_is_partial(name) || is_queued(ij, name))
		return;
	n = strlen(ij->spool) + strlen(name) + 5;
	if ((r = calloc(1, sizeof(*r))) == NULL || (r->name = strdup(name)) == NULL ||
	    (r->label = strdup(name)) == NULL || (r->path = malloc(n)) == NULL) {
		request_free(r);
		log_warnx("%s: out of memory; tried again later", name);
		retry_later(ij);
		return;
	}
	snprintf(r->path, n, "%s/in/%s", ij->spool, name);
	enqueue(ij, r);
}

void
intake_jobs_spool_scan(struct intake_jobs *ij)
{
	char **names;
	size_t i, n;

	if (intake_spool_list(ij->spool, &names, &n) == -1) {
		retry_later(ij);
		return;
	}
	for (i = 0; i < n; i++) {
		intake_jobs_spool_name(ij, names[i]);
		free(names[i]);
	}
	free(names);
}

int
intake_jobs_import_path(
    struct intake_jobs *ij, const char *path, const char *label, intake_reply_cb cb, void *arg)
{
	const char *base = strrchr(path, '/');
	struct request *r;

	if (label == NULL)
		label = base != NULL ? base + 1 : path;
	if ((r = calloc(1, sizeof(*r))) == NULL || (r->path = strdup(path)) == NULL ||
	    (r->label = strdup(label)) == NULL) {
		request_free(r);
		return -1;
	}
	r->cb = cb;
	r->arg = arg;
	enqueue(ij, r);
	return 0;
}

/* A name created in place that is no regular file: refused at once. */
static int
is_odd_node(struct intake_jobs *ij, const char *name)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/in/%s", ij->spool, name);
	return lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
}

/*
 * A name to take: closed after writing or moved in; or made in place as a
 * symlink, FIFO or directory, which is never closed after writing (a
 * regular file made in place waits for its IN_CLOSE_WRITE).
 */
static int
is_complete(struct intake_jobs *ij, const struct inotify_event *ev)
{
	if (ev->len == 0)
		return 0;
	if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
		return 1;
	return (ev->mask & IN_CREATE) && is_odd_node(ij, ev->name);
}

static void
on_inotify(int fd, short revents, void *arg)
{
	struct intake_jobs *ij = arg;
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	(void)revents;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				intake_jobs_spool_scan(ij);
			else if (is_complete(ij, ev))
				intake_jobs_spool_name(ij, ev->name);
		}
	}
}

static int
watch_spool(struct intake_jobs *ij)
{
	char in[4096];

	snprintf(in, sizeof(in), "%s/in", ij->spool);
	if ((ij->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(ij->inofd, in, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) == -1 ||
	    loop_add_fd(ij->loop, ij->inofd, POLLIN, on_inotify, ij) == -1) {
		log_warn("inotify on %s", in);
		return -1;
	}
	return 0;
}

struct intake_jobs *
intake_jobs_new(struct loop *loop, struct store *store, const char *spool)
{
	struct intake_jobs *ij;

	if ((ij = calloc(1, sizeof(*ij))) == NULL || (ij->spool = strdup(spool)) == NULL) {
		free(ij);
		log_warnx("intake: out of memory");
		return NULL;
	}
	ij->loop = loop;
	ij->store = store;
	ij->inofd = -1;
	if (intake_spool_prepare(spool) == -1)
		goto fail;
	if ((ij->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    loop_add_fd(loop, ij->efd, POLLIN, on_wake, ij) == -1) {
		log_warn("intake: eventfd");
		goto fail;
	}
	if (watch_spool(ij) == -1)
		goto fail;
	return ij;
fail:
	if (ij->efd > 0) {
		loop_del_fd(loop, ij->efd);
		close(ij->efd);
	}
	if (ij->inofd != -1) {
		loop_del_fd(loop, ij->inofd);
		close(ij->inofd);
	}
	free(ij->spool);
	free(ij);
	return NULL;
}

void
intake_jobs_free(struct intake_jobs *ij)
{
	struct request *r;

	if (ij == NULL)
		return;
	if (ij->job != NULL) {
		r = ij->job->req;
		ij->job->req = NULL;
		job_free(ij->job);
		ij->job = NULL;
		if (r->cb != NULL)
			r->cb(r->arg, NULL,
			    "the daemon is stopping; the import "
			    "did not finish");
		request_free(r);
	}
	while ((r = ij->head) != NULL) {
		ij->head = r->next;
		if (r->cb != NULL)
			r->cb(r->arg, NULL, "the daemon is stopping");
		request_free(r);
	}
	if (ij->kick_timer > 0)
		loop_cancel_timer(ij->loop, ij->kick_timer);
	if (ij->retry_timer > 0)
		loop_cancel_timer(ij->loop, ij->retry_timer);
	loop_del_fd(ij->loop, ij->efd);
	close(ij->efd);
	loop_del_fd(ij->loop, ij->inofd);
	close(ij->inofd);
	free(ij->spool);
	free(ij);
}
