/*
 * The engine-neutral half of store_jobs.h: every print-job, effect, scan-key
 * and resume call forwards to the engine's operation.
 */
#include <stdlib.h>
#include <string.h>

#include "station/store/store_engine.h"
#include "station/store/store_jobs.h"

void
job_row_clear(struct job_row *j)
{
	free(j->station);
	free(j->printer);
	free(j->kind);
	free(j->title);
	free(j->media);
	free(j->state);
	memset(j, 0, sizeof(*j));
}

int64_t
store_job_insert(struct store *s, const char *station, const char *printer, const char *kind,
    int64_t order_id, int64_t package_id, const char *title, const char *media, int copies,
    const void *pdf, size_t len)
{
	return s->ops->job_insert(
	    s, station, printer, kind, order_id, package_id, title, media, copies, pdf, len);
}

int
store_job_update(struct store *s, int64_t id, const char *state, int ipp_job_id, const char *reason)
{
	return s->ops->job_update(s, id, state, ipp_job_id, reason);
}

int
store_job_attempt(struct store *s, int64_t id)
{
	return s->ops->job_attempt(s, id);
}

int
store_job_reset(struct store *s, int64_t id, const char *reason)
{
	return s->ops->job_reset(s, id, reason);
}

int
store_job_load(struct store *s, int64_t id, struct job_row *j, void **pdf, size_t *len)
{
	return s->ops->job_load(s, id, j, pdf, len);
}

int
store_jobs_unsent(struct store *s, int64_t **ids, size_t *n)
{
	return s->ops->jobs_unsent(s, ids, n);
}

int
store_jobs_unfinished(struct store *s, int64_t **ids, size_t *n)
{
	return s->ops->jobs_unfinished(s, ids, n);
}

int
store_mark_slip_printed(struct store *s, int64_t order_id)
{
	return s->ops->mark_slip_printed(s, order_id);
}

int
store_slip_printed(struct store *s, int64_t order_id)
{
	return s->ops->slip_printed(s, order_id);
}

int
store_orders_without_slip(struct store *s, int64_t limit, int64_t **ids, size_t *n)
{
	return s->ops->orders_without_slip(s, limit, ids, n);
}

int
store_find_package_sscc(
    struct store *s, const char *sscc, int64_t *id, char *station, size_t stationlen)
{
	return s->ops->find_package_sscc(s, sscc, id, station, stationlen);
}

int64_t
store_last_package_of_order(struct store *s, int64_t order_id, char *station, size_t stationlen)
{
	return s->ops->last_package_of_order(s, order_id, station, stationlen);
}

int64_t
store_effect_add(struct store *s, const char *station, const char *kind, int64_t ref)
{
	return s->ops->effect_add(s, station, kind, ref);
}

int
store_effect_done(struct store *s, int64_t id)
{
	return s->ops->effect_done(s, id);
}

int
store_effects_pending(struct store *s, int64_t **ids, size_t *n)
{
	return s->ops->effects_pending(s, ids, n);
}

int
store_effect_load(struct store *s, int64_t id, char *station, size_t stationlen, char *kind,
    size_t kindlen, int64_t *ref)
{
	return s->ops->effect_load(s, id, station, stationlen, kind, kindlen, ref);
}

int
store_scan_by_key(struct store *s, const char *station, const char *key, char **reply)
{
	return s->ops->scan_by_key(s, station, key, reply);
}

int
store_scan_set_key(struct store *s, int64_t scan_id, const char *key, const char *reply)
{
	return s->ops->scan_set_key(s, scan_id, key, reply);
}

int
store_last_verdict(struct store *s, const char *station, struct last_verdict *lv)
{
	return s->ops->last_verdict(s, station, lv);
}

int
store_resume_message(struct store *s, const char *station, char *msg, size_t msglen)
{
	return s->ops->resume_message(s, station, msg, msglen);
}
