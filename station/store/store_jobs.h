/* Print jobs in the store: every document the station prints is a row. */
#ifndef STATION_STORE_JOBS_H
#define STATION_STORE_JOBS_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct job_row {
	int64_t id;
	char *station, *printer, *kind, *title, *media, *state;
	int64_t order_id, package_id;
	int copies, attempts, ipp_job_id;
};

/* Inserts a pending job with its PDF. Returns the row id, -1 on error. */
int64_t store_job_insert(struct store *, const char *station, const char *printer, const char *kind,
    int64_t order_id, int64_t package_id, const char *title, const char *media, int copies,
    const void *pdf, size_t len);
/*
 * Sets state ("pending", "held", "processing", "completed", "cancelled",
 * "aborted", "failed"), the printer's job id (0: unchanged) and reason.
 * A completed job's PDF is dropped. 0 / -1.
 */
int store_job_update(
    struct store *, int64_t id, const char *state, int ipp_job_id, const char *reason);
int store_job_attempt(struct store *, int64_t id);
/* Back to unsent (a printer lost the job): failed, no printer job id. 0 / -1. */
int store_job_reset(struct store *, int64_t id, const char *reason);
/* The job's row, and its PDF (malloc'ed) when pdf is non-NULL; 0 / -1 (no row,
 * or a PDF asked for that is gone). */
int store_job_load(struct store *, int64_t id, struct job_row *, void **pdf, size_t *len);
void job_row_clear(struct job_row *);
/* Jobs never accepted by a printer (to resubmit at start), oldest first. */
int store_jobs_unsent(struct store *, int64_t **ids, size_t *n);
/* Jobs a printer accepted but not yet reported finished (to follow after a restart). */
int store_jobs_unfinished(struct store *, int64_t **ids, size_t *n);

int store_mark_slip_printed(struct store *, int64_t order_id);
/* 1 if the order's slip was printed, 0 if not, -1 on error. */
int store_slip_printed(struct store *, int64_t order_id);
/* Ready orders whose slip was never printed, oldest first (limit 0: all). */
int store_orders_without_slip(struct store *, int64_t limit, int64_t **ids, size_t *n);
/* A package by SSCC (1/0/-1), or an order's last labelled package (id or 0). */
int store_find_package_sscc(
    struct store *, const char *sscc, int64_t *id, char *station, size_t stationlen);
int64_t store_last_package_of_order(
    struct store *, int64_t order_id, char *station, size_t stationlen);

/*
 * Effects: what a committed scan implies ("label" ref = package id, "slip"
 * ref = order id), added inside the scan's transaction, marked done once
 * carried out (the print job row exists, or nothing was to be printed).
 * Pending ones are carried out again after a restart.
 */
int64_t store_effect_add(struct store *, const char *station, const char *kind, int64_t ref);
int store_effect_done(struct store *, int64_t id);
/* Pending effects, oldest first. 0 / -1. */
int store_effects_pending(struct store *, int64_t **ids, size_t *n);
int store_effect_load(struct store *, int64_t id, char *station, size_t stationlen, char *kind,
    size_t kindlen, int64_t *ref);

/*
 * Idempotency keys (stationctl scan --key): the reply of the scan sent with
 * KEY at STATION (1, *reply malloc'ed), 0 if none, -1 on error; and the
 * key and reply set on a scan row inside its transaction (0 / -1).
 */
int store_scan_by_key(struct store *, const char *station, const char *key, char **reply);
int store_scan_set_key(struct store *, int64_t scan_id, const char *key, const char *reply);

/* A bench's last committed verdict, as its event recorded it. */
struct last_verdict {
	char verdict[32];
	char message[512];
	char order[128];
	int64_t order_id;
	int refused;
};
/* 1 with lv filled, 0 when the station never scanned, -1 on error. */
int store_last_verdict(struct store *, const char *station, struct last_verdict *lv);
/*
 * The "RESUMED ..." event a restart logged for STATION, while no scan has
 * come since: 1 with msg filled, 0 if none (or already scanned), -1.
 */
int store_resume_message(struct store *, const char *station, char *msg, size_t msglen);

#endif
