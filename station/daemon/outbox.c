/*
 * spool/out: atomic files (temp file, fsync, rename, fsync the folder),
 * written strictly in fulfillment order; a write that fails (disk full)
 * raises an alert and is retried, oldest first, until it succeeds.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/thread.h"
#include "common/loop.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/outbox.h"
#include "station/store/store.h"
#include "station/store/store_pack.h"

#define OUTBOX_RETRY_MS	 2000
#define OUTBOX_MARK_MS	 100 /* written documents are marked in one commit this often */
#define OUTBOX_GATHER_MS 20  /* shipments written together: one folder fsync per batch */

/* One daemon per process: the outbox's alert and retry timer. */
static struct {
	char alert[512]; /* "" when spool/out is being written */
	int64_t timer;	 /* 0: not armed */
} oq;

/* Writes text to path (created or truncated) and syncs its data. 0, or an errno value. */
static int
write_synced(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int fd, err = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1)
		return errno ? errno : EIO;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			err = errno ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	if (err == 0 && fdatasync(fd) == -1)
		err = errno ? errno : EIO;
	if (close(fd) == -1 && err == 0)
		err = errno ? errno : EIO;
	if (err)
		unlink(path);
	return err;
}

int
outbox_write_atomic(const char *dir, const char *name, const char *text)
{
	char tmp[4096], dst[4096];
	int dfd, err;

	/* a cut path would write some other file: refuse it instead */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((err = write_synced(tmp, text)) != 0) {
		errno = err;
		return -1;
	}
	if (rename(tmp, dst) == -1) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void
outbox_name(int64_t fid, const char *order_name, char *out, size_t outlen)
{
	char clean[64];
	size_t i, j = 0;

	/* Order names are the shop's: keep only what is safe in a file name. */
	for (i = 0; order_name && order_name[i] && j < sizeof(clean) - 1; i++) {
		char c = order_name[i];

		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    c == '-' || c == '_')
			clean[j++] = c;
	}
	clean[j] = '\0';
	snprintf(out, outlen, "fulfillment-%06lld%s%s.json", (long long)fid, j ? "-" : "", clean);
}

static void retry(void *);
static int flush_here(struct daemon *);

/* Writes one fulfillment's document; 0, or -1 with errno's reason in why. */
static int
write_one(struct daemon *d, int64_t fid, char *why, size_t whylen)
{
	char oname[256], name[128], dir[4096];
	char *doc = store_fulfillment_doc(d->store, fid, oname, sizeof(oname));
	int r = -1;

	if (doc == NULL) {
		snprintf(why, whylen, "fulfillment %lld: cannot read its document: %s",
		    (long long)fid, store_errmsg(d->store));
		return -1;
	}
	outbox_name(fid, oname, name, sizeof(name));
	if ((size_t)snprintf(dir, sizeof(dir), "%s/out", d->conf->spool) >= sizeof(dir))
		snprintf(why, whylen, "path too long: %s", d->conf->spool);
	else if (outbox_write_atomic(dir, name, doc) == -1)
		snprintf(why, whylen, "cannot write %s: %s", name, strerror(errno));
	else if (store_mark_outbox(d->store, fid, name) == -1)
		snprintf(why, whylen, "fulfillment %lld: written but not marked: %s",
		    (long long)fid, store_errmsg(d->store));
	else
		r = 0;
	free(doc);
	return r;
}

static void
raise_alert(struct daemon *d, const char *why, size_t left)
{
	char msg[sizeof(oq.alert)];

	snprintf(msg, sizeof(msg), "%s; %zu document%s kept, retried in order", why, left,
	    left == 1 ? "" : "s");
	if (oq.alert[0] == '\0' || strcmp(oq.alert, msg) != 0) {
		log_warnx("spool/out: %s", msg);
		if (oq.alert[0] == '\0') {
			char ev[sizeof(msg) + 16];

			snprintf(ev, sizeof(ev), "spool/out: %s", msg);
			store_add_event(d->store, NULL, 0, NULL, "alert", NULL, ev, 1);
		}
	}
	snprintf(oq.alert, sizeof(oq.alert), "%s", msg);
	if (oq.timer == 0 && d->loop != NULL)
		oq.timer = loop_add_timer(d->loop, OUTBOX_RETRY_MS, retry, d);
}

static void
clear_alert(struct daemon *d, size_t n)
{
	char why[200];

	if (oq.alert[0] == '\0')
		return;
	snprintf(why, sizeof(why),
	    "spool/out: written again (%zu pending document%s"
	    " written in order)",
	    n, n == 1 ? "" : "s");
	log_info("%s", why);
	store_add_event(d->store, NULL, 0, NULL, "alert", NULL, why, 0);
	oq.alert[0] = '\0';
}

/*
 * The writer: a thread that writes spool/out off the loop, so that a
 * packer's next scan never waits for the last shipment's file (create,
 * fsync, rename, fsync of the folder: most of a millisecond). The loop
 * reads each document from the store and queues it; the thread writes
 * them in order and hands each back through a pipe; the loop marks what
 * was written, in one commit every OUTBOX_MARK_MS. A crash before the mark
 * only means the same file (same name, same bytes) is written again at
 * the next start, atomically. At the first failure the thread drops the
 * rest of that generation, so nothing is written out of order, and the
 * loop raises the alert and queues them all again on its retry timer.
 */
struct outbox_item {
	struct outbox_item *next;
	int64_t fid;
	uint64_t gen;
	int err; /* from the thread: 0 written, WRITER_SKIPPED, else errno */
	char name[128];
	char *doc;
};
#define WRITER_SKIPPED (-1)

static struct {
	int running;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct outbox_item *head, *tail; /* under mu: still to write */
	int quit;			 /* under mu: write what is queued, then end */
	int rfd, wfd;			 /* the thread writes item pointers back */
	char dir[4096];
	/* the loop's side */
	uint64_t gen;	/* bumped at a failure */
	int64_t queued; /* the highest fulfillment handed over */
	size_t inflight;
	size_t since_alert; /* written since the alert was raised */
	struct outbox_item *marks, *marks_tail;
	int64_t mark_timer;
} ow = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .rfd = -1, .wfd = -1 };

static void
item_free(struct outbox_item *it)
{
	if (it != NULL) {
		free(it->doc);
		free(it);
	}
}

/* What the thread hands back: far below PIPE_BUF, so written and read whole. */
struct writer_msg {
	struct outbox_item *it;
};

static void
hand_back(struct outbox_item *it)
{
	struct writer_msg m = { it };

	while (write(ow.wfd, &m, sizeof(m)) == -1 && errno == EINTR)
		;
}

/* spool/out's path, a slash, a name, ".tmp" and a dot: never cut */
#define ITEM_PATH (sizeof(ow.dir) + sizeof(((struct outbox_item *)0)->name) + 8)


static void
item_paths(const struct outbox_item *it, char *tmp, char *dst, size_t len)
{
	snprintf(tmp, len, "%s/.%s.tmp", ow.dir, it->name);
	snprintf(dst, len, "%s/%s", ow.dir, it->name);
}

/* The first failure of a batch: it and every later one of its generation wait. */
static void
batch_fail(struct outbox_item *from, int err, uint64_t *skip, int *skipping)
{
	char tmp[ITEM_PATH], dst[ITEM_PATH];
	struct outbox_item *it;

	for (it = from; it != NULL; it = it->next) {
		if (it->err != 0)
			continue;
		item_paths(it, tmp, dst, sizeof(tmp));
		unlink(tmp);
		it->err = it == from ? err : WRITER_SKIPPED;
	}
	*skip = from->gen;
	*skipping = 1;
}

/*
 * A batch: every file written and its data synced, then the renames in
 * order and one fsync of the folder for all of them. (One syncfs for the
 * whole batch flushed whatever else the file system held, the database's
 * checkpoint among it: the scans' p99 grew with the database.)
 */
static void
write_batch(struct outbox_item *batch, uint64_t *skip, int *skipping)
{
	char tmp[ITEM_PATH], dst[ITEM_PATH];
	struct outbox_item *it;
	int dfd, err, any = 0;

	for (it = batch; it != NULL; it = it->next) {
		if (*skipping && it->gen == *skip) {
			it->err = WRITER_SKIPPED;
			continue;
		}
		item_paths(it, tmp, dst, sizeof(tmp));
		if ((err = write_synced(tmp, it->doc)) != 0) {
			batch_fail(it, err, skip, skipping);
			break;
		}
		it->err = 0;
		any = 1;
	}
	if (!any)
		return;
	if ((dfd = open(ow.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		err = errno ? errno : EIO;
		for (it = batch; it != NULL && it->err != 0; it = it->next)
			;
		if (it != NULL)
			batch_fail(it, err, skip, skipping);
		return;
	}
	for (it = batch; it != NULL; it = it->next) {
		if (it->err != 0)
			continue;
		item_paths(it, tmp, dst, sizeof(tmp));
		if (rename(tmp, dst) == -1) {
			batch_fail(it, errno ? errno : EIO, skip, skipping);
			break;
		}
	}
	fsync(dfd);
	close(dfd);
}

static void *
writer_main(void *arg)
{
	struct outbox_item *batch, *it, *next;
	uint64_t skip = 0;
	int skipping = 0;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&ow.mu);
		while (ow.head == NULL && !ow.quit)
			pthread_cond_wait(&ow.cv, &ow.mu);
		if (ow.head != NULL) /* more documents join the first */
			thread_wait_ms(&ow.cv, &ow.mu, OUTBOX_GATHER_MS, &ow.quit);
		batch = ow.head;
		ow.head = ow.tail = NULL;
		pthread_mutex_unlock(&ow.mu);
		if (batch == NULL)
			return NULL;
		write_batch(batch, &skip, &skipping);
		for (it = batch; it != NULL; it = next) {
			next = it->next;
			it->next = NULL;
			hand_back(it);
		}
	}
}

/* Marks every written document in one commit; -1 keeps them for a retry. */
static int
mark_written(struct daemon *d)
{
	struct outbox_item *it, *next;

	if (ow.marks == NULL)
		return 0;
	if (store_begin(d->store) == -1)
		goto fail;
	for (it = ow.marks; it != NULL; it = it->next)
		if (store_mark_outbox(d->store, it->fid, it->name) == -1) {
			store_rollback(d->store);
			goto fail;
		}
	if (store_commit(d->store) == -1)
		goto fail;
	for (it = ow.marks; it != NULL; it = next) {
		next = it->next;
		item_free(it);
	}
	ow.marks = ow.marks_tail = NULL;
	return 0;
fail:
	log_warnx("spool/out: written documents not marked yet (written again at a restart): %s",
	    store_errmsg(d->store));
	return -1;
}

static void
mark_due(void *arg)
{
	struct daemon *d = arg;

	ow.mark_timer = 0;
	if (mark_written(d) == -1 && d->loop != NULL)
		ow.mark_timer = loop_add_timer(d->loop, OUTBOX_RETRY_MS, mark_due, d);
}

static void
take_written(struct daemon *d, struct outbox_item *it)
{
	if (ow.marks_tail != NULL)
		ow.marks_tail->next = it;
	else
		ow.marks = it;
	ow.marks_tail = it;
	if (ow.mark_timer == 0 && d->loop != NULL)
		ow.mark_timer = loop_add_timer(d->loop, OUTBOX_MARK_MS, mark_due, d);
	if (oq.alert[0] != '\0') {
		ow.since_alert++;
		if (ow.inflight == 0) {
			clear_alert(d, ow.since_alert);
			ow.since_alert = 0;
		}
	}
}

static void
take_result(struct daemon *d, struct outbox_item *it)
{
	char why[400];

	ow.inflight--;
	if (it->err == 0) {
		take_written(d, it);
		return;
	}
	if (it->err != WRITER_SKIPPED) {
		/* this one and every later one are written again, in order */
		snprintf(why, sizeof(why), "cannot write %s: %s", it->name, strerror(it->err));
		ow.gen++;
		ow.queued = it->fid - 1;
		ow.since_alert = 0;
		raise_alert(d, why, ow.inflight + 1);
	}
	item_free(it);
}

static void
writer_results(int fd, short revents, void *arg)
{
	struct writer_msg m;

	(void)revents;
	while (read(fd, &m, sizeof(m)) == (ssize_t)sizeof(m))
		take_result(arg, m.it);
}

/* Queues every document not yet written or handed over, oldest first. */
static int
writer_queue_pending(struct daemon *d)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	char oname[256], why[400];
	struct outbox_item *it;

	if (store_pending_outbox(d->store, &ids, &n) == -1) {
		raise_alert(d, "cannot list pending documents", 0);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (ids[i] <= ow.queued)
			continue;
		if ((it = calloc(1, sizeof(*it))) == NULL ||
		    (it->doc = store_fulfillment_doc(d->store, ids[i], oname, sizeof(oname))) ==
			NULL) {
			snprintf(why, sizeof(why), "fulfillment %lld: cannot read its document: %s",
			    (long long)ids[i], it ? store_errmsg(d->store) : "out of memory");
			item_free(it);
			raise_alert(d, why, n - i);
			free(ids);
			return -1;
		}
		it->fid = ids[i];
		it->gen = ow.gen;
		outbox_name(it->fid, oname, it->name, sizeof(it->name));
		pthread_mutex_lock(&ow.mu);
		if (ow.tail != NULL)
			ow.tail->next = it;
		else
			ow.head = it;
		ow.tail = it;
		pthread_cond_signal(&ow.cv);
		pthread_mutex_unlock(&ow.mu);
		ow.queued = it->fid;
		ow.inflight++;
	}
	free(ids);
	return 0;
}

int
outbox_start(struct daemon *d)
{
	int fds[2];

	if (d->loop == NULL || ow.running)
		return 0;
	/* a path too long stays with the synchronous writer, which says so */
	if ((size_t)snprintf(ow.dir, sizeof(ow.dir), "%s/out", d->conf->spool) >= sizeof(ow.dir))
		return 0;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("spool/out: pipe");
		return -1;
	}
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1 ||
	    loop_add_fd(d->loop, fds[0], POLLIN, writer_results, d) == -1) {
		log_warn("spool/out: writer");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	ow.rfd = fds[0];
	ow.wfd = fds[1];
	ow.quit = 0;
	if ((errno = thread_start(&ow.th, writer_main, NULL)) != 0) {
		log_warn("spool/out: writer thread");
		loop_del_fd(d->loop, ow.rfd);
		close(ow.rfd);
		close(ow.wfd);
		ow.rfd = ow.wfd = -1;
		return -1;
	}
	ow.running = 1;
	return 0;
}

void
outbox_stop(struct daemon *d)
{
	struct outbox_item *it, *next;

	if (ow.running) {
		pthread_mutex_lock(&ow.mu);
		ow.quit = 1;
		pthread_cond_signal(&ow.cv);
		pthread_mutex_unlock(&ow.mu);
		pthread_join(ow.th, NULL);
		ow.running = 0;
		writer_results(ow.rfd, POLLIN, d);
		if (d->loop != NULL)
			loop_del_fd(d->loop, ow.rfd);
		close(ow.rfd);
		close(ow.wfd);
		ow.rfd = ow.wfd = -1;
		if (ow.mark_timer != 0 && d->loop != NULL)
			loop_cancel_timer(d->loop, ow.mark_timer);
		ow.mark_timer = 0;
		mark_written(d);
		for (it = ow.marks; it != NULL; it = next) {
			next = it->next;
			item_free(it);
		}
		ow.marks = ow.marks_tail = NULL;
		ow.queued = 0;
		ow.inflight = 0;
	}
	if (d->store != NULL)
		flush_here(d); /* a stop between a verdict and its spool/out file */
}

/* The synchronous flush: before the writer runs, and after it stopped. */
static int
flush_here(struct daemon *d)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	char why[400];

	if (store_pending_outbox(d->store, &ids, &n) == -1) {
		raise_alert(d, "cannot list pending documents", 0);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (write_one(d, ids[i], why, sizeof(why)) == -1) {
			/* later ones wait: an uploader must see them in order */
			raise_alert(d, why, n - i);
			free(ids);
			return -1;
		}
	free(ids);
	clear_alert(d, n);
	return 0;
}

int
outbox_flush(struct daemon *d)
{
	if (ow.running)
		return writer_queue_pending(d);
	return flush_here(d);
}

static void
retry(void *arg)
{
	oq.timer = 0;
	outbox_flush(arg);
}

const char *
outbox_alert(void)
{
	return oq.alert[0] ? oq.alert : NULL;
}
