/*
 * The import job: files from spool/in (and `stationctl import`) reach the
 * store without freezing the loop. A worker thread parses (pure code, no
 * store, no loop): first the whole file to validate it (duplicates screened
 * in fixed memory, suspects confirmed by one more pass), then again to hand
 * orders over a bounded queue; the loop stores them in transactions of at
 * most INTAKE_JOB_BATCH orders or INTAKE_JOB_BUDGET_US, one per loop turn,
 * cut short as soon as a scan or a request waits (loop_others_ready), so
 * scans are served in between. A file is one unit for the user: moved to done/ only when all of
 * it is in, to failed/ (reason first) when it is bad, and left in spool/in
 * to be retried when the store or the disk failed (a crash mid-file
 * re-imports it at restart; upserts are idempotent).
 */
#ifndef STATION_INTAKE_JOB_H
#define STATION_INTAKE_JOB_H

#include <stddef.h>

struct loop;
struct store;
struct intake_jobs;
struct intake_result;

#define INTAKE_JOB_BATCH     500   /* at most, per transaction and loop turn */
#define INTAKE_JOB_BUDGET_US 25000 /* and no longer than this, per turn */

/*
 * Told when a `stationctl import` file is done: err is NULL on success, or
 * one line. Called from the loop, never from inside intake_jobs_import_path.
 */
typedef void (*intake_reply_cb)(void *arg, const struct intake_result *, const char *err);

/* Creates spool/{in,done,failed,out} and watches spool/in (inotify). NULL
 * (logged) on failure. spool is copied. Call intake_jobs_spool_scan once
 * the daemon is ready, for the files that arrived while it was down. */
struct intake_jobs *intake_jobs_new(struct loop *, struct store *, const char *spool);
/*
 * Stops the running file (its committed batches stay; the file stays in
 * spool/in for the next start), tells waiting importers, frees. NULL ok.
 */
void intake_jobs_free(struct intake_jobs *);

/* Queues spool/in/name (ignored if being written or already queued). */
void intake_jobs_spool_name(struct intake_jobs *, const char *name);
/* Queues every complete file in spool/in, oldest name first. */
void intake_jobs_spool_scan(struct intake_jobs *);
/*
 * Queues a file for `stationctl import` (not moved); label names it in
 * messages and events (NULL: the path's last component). 0 / -1.
 */
int intake_jobs_import_path(
    struct intake_jobs *, const char *path, const char *label, intake_reply_cb, void *arg);

#endif
