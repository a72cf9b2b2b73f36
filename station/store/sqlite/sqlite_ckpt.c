/*
 * The WAL checkpoint, off the writer's path. SQLite's automatic checkpoint
 * runs inside the COMMIT that crosses its threshold, so one scan in a few
 * hundred waited for the database file to be written and synced before
 * its verdict (that scan was the p99, and it grew with the database). Here
 * the writer's connection only notes the WAL's size after each commit; a
 * thread with its own connection makes a PASSIVE checkpoint, which never
 * takes the write lock, so commits go on beside it. The WAL stays bounded:
 * the first writer after a complete checkpoint starts it over.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/log.h"
#include "common/thread.h"
#include "station/store/sqlite/sqlite_ckpt.h"

#define CKPT_PAGES  1000  /* SQLite's own default threshold, in WAL frames */
#define CKPT_HARD   10000 /* the thread fell behind: the writer checkpoints itself */
#define CKPT_GAP_MS 50	  /* commits gathered into one checkpoint */

struct sqlite_ckpt {
	sqlite3 *db; /* the thread's own connection */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int want; /* under mu: the WAL passed the threshold */
	int quit; /* under mu */
};

static int
on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sqlite_ckpt *c = arg;

	if (pages >= CKPT_HARD) /* bounded, as without the thread */
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	else if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&c->mu);
		c->want = 1;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

/*
 * A checkpoint gathers the commits of CKPT_GAP_MS, so it copies pages in
 * larger runs and often ends between two commits: the next writer can then
 * start the WAL over.
 */
static void *
run(void *arg)
{
	struct sqlite_ckpt *c = arg;
	int quit, rc;

	for (;;) {
		pthread_mutex_lock(&c->mu);
		while (!c->want && !c->quit)
			pthread_cond_wait(&c->cv, &c->mu);
		thread_wait_ms(&c->cv, &c->mu, CKPT_GAP_MS, &c->quit);
		quit = c->quit;
		c->want = 0;
		pthread_mutex_unlock(&c->mu);
		if (quit)
			return NULL;
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			log_warnx("database: checkpoint: %s", sqlite3_errmsg(c->db));
	}
}

struct sqlite_ckpt *
sqlite_ckpt_start(sqlite3 *writer, const char *path)
{
	struct sqlite_ckpt *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_busy_timeout(c->db, 5000);
	/* a connection learns that the file is in WAL mode at its first read */
	if (sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if ((errno = thread_start(&c->th, run, c)) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	/* replaces the automatic checkpoint: wal_hook and it are one slot */
	sqlite3_wal_hook(writer, on_commit, c);
	return c;
}

void
sqlite_ckpt_stop(struct sqlite_ckpt *c, sqlite3 *writer)
{
	if (c == NULL)
		return;
	if (writer != NULL)
		sqlite3_wal_hook(writer, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->quit = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->th, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	sqlite3_close(c->db);
	free(c);
}
