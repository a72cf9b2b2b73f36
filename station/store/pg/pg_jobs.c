/* Print jobs, slips and packages looked up for printing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/store/store.h"
#include "station/store/pg/pg_int.h"
#include "station/store/store_jobs.h"

int64_t
pg_store_job_insert(struct store *s, const char *station, const char *printer, const char *kind,
    int64_t order_id, int64_t package_id, const char *title, const char *media, int copies,
    const void *pdf, size_t len)
{
	pgst *st = pgs_stmt(s,
	    "INSERT INTO print_jobs(created_at, station, printer, kind, order_id, package_id,"
	    " title, media, copies, state, updated_at, pdf)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?1, ?10) RETURNING id");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, store_now_ms());
	pgs_bind_text(st, 2, station);
	pgs_bind_text(st, 3, printer);
	pgs_bind_text(st, 4, kind);
	if (order_id)
		pgst_bind_int64(st, 5, order_id);
	else
		pgst_bind_null(st, 5);
	if (package_id)
		pgst_bind_int64(st, 6, package_id);
	else
		pgst_bind_null(st, 6);
	pgs_bind_text(st, 7, title);
	pgs_bind_text(st, 8, media);
	pgst_bind_int(st, 9, copies > 0 ? copies : 1);
	pgst_bind_blob64(st, 10, pdf, len, PGST_TRANSIENT);
	if (pgs_step_done(st) == -1)
		return -1;
	return pgs_last_id(s);
}

int
pg_store_job_update(
    struct store *s, int64_t id, const char *state, int ipp_job_id, const char *reason)
{
	pgst *st = pgs_stmt(s,
	    "UPDATE print_jobs SET state = ?2, ipp_job_id = CASE WHEN ?3 > 0 THEN ?3"
	    " ELSE ipp_job_id END, reason = ?4, updated_at = ?5,"
	    " accepted_at = CASE WHEN ?3 > 0 AND accepted_at IS NULL THEN ?5 ELSE accepted_at END,"
	    " completed_at = CASE WHEN ?2 = 'completed' THEN ?5 ELSE completed_at END,"
	    " pdf = CASE WHEN ?2 = 'completed' THEN NULL ELSE pdf END WHERE id = ?1");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, id);
	pgs_bind_text(st, 2, state);
	pgst_bind_int(st, 3, ipp_job_id);
	pgs_bind_text(st, 4, reason);
	pgst_bind_int64(st, 5, store_now_ms());
	return pgs_step_done(st);
}

int
pg_store_job_attempt(struct store *s, int64_t id)
{
	pgst *st = pgs_stmt(s, "UPDATE print_jobs SET attempts = attempts + 1 WHERE id = ?");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, id);
	return pgs_step_done(st);
}

int
pg_store_job_reset(struct store *s, int64_t id, const char *reason)
{
	pgst *st = pgs_stmt(s,
	    "UPDATE print_jobs SET state = 'failed', ipp_job_id = NULL,"
	    " accepted_at = NULL, reason = ?2, attempts = attempts + 1, updated_at = ?3"
	    " WHERE id = ?1 AND pdf IS NOT NULL");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, id);
	pgs_bind_text(st, 2, reason);
	pgst_bind_int64(st, 3, store_now_ms());
	return pgs_step_done(st);
}

int
pg_store_job_load(struct store *s, int64_t id, struct job_row *j, void **pdf, size_t *len)
{
	pgst *st = pgs_stmt(s,
	    "SELECT station, printer, kind, title, media, state, coalesce(order_id, 0),"
	    " coalesce(package_id, 0), copies, attempts, coalesce(ipp_job_id, 0), pdf"
	    " FROM print_jobs WHERE id = ?");
	const void *b;
	int n;

	memset(j, 0, sizeof(*j));
	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, id);
	if (pgst_step(st) != PGST_ROW) {
		pgst_reset(st);
		return -1;
	}
	/* the PDF is read only when asked for (it is gone once the job completed) */
	if (pdf != NULL) {
		b = pgst_column_blob(st, 11);
		n = pgst_column_bytes(st, 11);
		if (b == NULL || (*pdf = malloc((size_t)n)) == NULL) {
			pgst_reset(st);
			return -1;
		}
		memcpy(*pdf, b, (size_t)n);
		*len = (size_t)n;
	}
	j->id = id;
	j->station = pgs_col_dup(st, 0);
	j->printer = pgs_col_dup(st, 1);
	j->kind = pgs_col_dup(st, 2);
	j->title = pgs_col_dup(st, 3);
	j->media = pgs_col_dup(st, 4);
	j->state = pgs_col_dup(st, 5);
	j->order_id = pgst_column_int64(st, 6);
	j->package_id = pgst_column_int64(st, 7);
	j->copies = pgst_column_int(st, 8);
	j->attempts = pgst_column_int(st, 9);
	j->ipp_job_id = pgst_column_int(st, 10);
	pgst_reset(st);
	return 0;
}

int
pg_store_jobs_unsent(struct store *s, int64_t **ids, size_t *n)
{
	/* this box's benches' jobs: their printers hang off this box */
	return pgs_collect_box_ids(s,
	    "SELECT id FROM print_jobs WHERE state IN ('pending', 'failed')"
	    " AND ipp_job_id IS NULL AND pdf IS NOT NULL" BOX_BENCHES("station") " ORDER BY id",
	    ids, n);
}

int
pg_store_jobs_unfinished(struct store *s, int64_t **ids, size_t *n)
{
	return pgs_collect_box_ids(s,
	    "SELECT id FROM print_jobs WHERE state IN ('pending', 'held',"
	    " 'processing') AND ipp_job_id IS NOT NULL" BOX_BENCHES("station") " ORDER BY id",
	    ids, n);
}

int
pg_store_mark_slip_printed(struct store *s, int64_t order_id)
{
	pgst *st = pgs_stmt(s, "UPDATE orders SET slip_printed = 1 WHERE id = ?");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	return pgs_step_done(st);
}

int
pg_store_slip_printed(struct store *s, int64_t order_id)
{
	pgst *st = pgs_stmt(s, "SELECT slip_printed FROM orders WHERE id = ?");
	int r;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	r = pgst_step(st) == PGST_ROW ? pgst_column_int(st, 0) != 0 : -1;
	pgst_reset(st);
	return r;
}

int
pg_store_orders_without_slip(struct store *s, int64_t limit, int64_t **ids, size_t *n)
{
	return pgs_collect_ids(s,
	    "SELECT id FROM orders WHERE status IN ('ready', 'partial')"
	    " AND slip_printed = 0 ORDER BY created_at, id"
	    " LIMIT CASE WHEN ?1 < 0 THEN NULL ELSE ?1 END",
	    limit > 0 ? limit : -1, ids, n);
}

int
pg_store_find_package_sscc(
    struct store *s, const char *sscc, int64_t *id, char *station, size_t stationlen)
{
	pgst *st = pgs_stmt(s, "SELECT id, station FROM packages WHERE sscc = ?");
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, sscc);
	if ((r = pgst_step(st)) == PGST_ROW) {
		*id = pgst_column_int64(st, 0);
		snprintf(station, stationlen, "%s", pgst_column_text(st, 1));
	}
	pgst_reset(st);
	return r == PGST_ROW ? 1 : r == PGST_DONE ? 0 : -1;
}

int64_t
pg_store_last_package_of_order(struct store *s, int64_t order_id, char *station, size_t stationlen)
{
	pgst *st = pgs_stmt(s,
	    "SELECT id, station FROM packages WHERE order_id = ?"
	    " AND sscc IS NOT NULL AND state IN ('closed', 'shipped') ORDER BY id DESC LIMIT 1");
	int64_t id = 0;
	int r;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	if ((r = pgst_step(st)) == PGST_ROW) {
		id = pgst_column_int64(st, 0);
		snprintf(station, stationlen, "%s", pgst_column_text(st, 1));
	}
	pgst_reset(st);
	return r == PGST_ROW || r == PGST_DONE ? id : -1;
}

/* --- effects: what a committed scan implies, done after it (and after a crash) --- */

int64_t
pg_store_effect_add(struct store *s, const char *station, const char *kind, int64_t ref)
{
	pgst *st = pgs_stmt(
	    s, "INSERT INTO effects(at, station, kind, ref) VALUES (?, ?, ?, ?) RETURNING id");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, store_now_ms());
	pgs_bind_text(st, 2, station);
	pgs_bind_text(st, 3, kind);
	pgst_bind_int64(st, 4, ref);
	if (pgs_step_done(st) == -1)
		return -1;
	return pgs_last_id(s);
}

int
pg_store_effect_done(struct store *s, int64_t id)
{
	pgst *st = pgs_stmt(s, "UPDATE effects SET done_at = ?2 WHERE id = ?1 AND done_at IS NULL");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, id);
	pgst_bind_int64(st, 2, store_now_ms());
	return pgs_step_done(st);
}

int
pg_store_effects_pending(struct store *s, int64_t **ids, size_t *n)
{
	return pgs_collect_box_ids(s,
	    "SELECT id FROM effects WHERE done_at IS NULL" BOX_BENCHES("station") " ORDER BY id",
	    ids, n);
}

int
pg_store_effect_load(struct store *s, int64_t id, char *station, size_t stationlen, char *kind,
    size_t kindlen, int64_t *ref)
{
	pgst *st = pgs_stmt(s, "SELECT station, kind, ref FROM effects WHERE id = ?");
	int r;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, id);
	if ((r = pgst_step(st)) == PGST_ROW) {
		snprintf(station, stationlen, "%s", pgst_column_text(st, 0));
		snprintf(kind, kindlen, "%s", pgst_column_text(st, 1));
		*ref = pgst_column_int64(st, 2);
	}
	pgst_reset(st);
	return r == PGST_ROW ? 0 : -1;
}

/* --- idempotency keys and the last verdict of a bench --- */

int
pg_store_scan_by_key(struct store *s, const char *station, const char *key, char **reply)
{
	pgst *st = pgs_stmt(s,
	    "SELECT reply FROM scans WHERE station = ?"
	    " AND request_key = ?");
	char *r = NULL;
	int rc;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	pgs_bind_text(st, 2, key);
	if ((rc = pgst_step(st)) == PGST_ROW && (r = pgs_col_dup(st, 0)) == NULL)
		rc = PGST_NOMEM;
	pgst_reset(st);
	if (rc == PGST_ROW) {
		*reply = r;
		return 1;
	}
	return rc == PGST_DONE ? 0 : -1;
}

int
pg_store_scan_set_key(struct store *s, int64_t scan_id, const char *key, const char *reply)
{
	/* PG_SCAN_THIS: the scan row this transaction just sent (pg_store_record_scan) */
	pgst *st = scan_id == PG_SCAN_THIS
	    ? pgs_stmt(s,
		  "UPDATE scans SET request_key = ?2, reply = ?3"
		  /* a subquery, computed once: the row found by its key, not by a walk */
		  " WHERE id = (SELECT currval('scans_id_seq') + 0 * ?1)")
	    : pgs_stmt(s,
		  "UPDATE scans SET request_key = ?2, reply = ?3"
		  " WHERE id = ?1");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, scan_id == PG_SCAN_THIS ? 0 : scan_id);
	pgs_bind_text(st, 2, key);
	pgs_bind_text(st, 3, reply);
	return pgs_step_done(st);
}

int
pg_store_last_verdict(struct store *s, const char *station, struct last_verdict *lv)
{
	pgst *st = pgs_stmt(s,
	    "SELECT e.verdict, e.message, e.error,"
	    " coalesce(o.name, ''), coalesce(e.order_id, 0) FROM events e"
	    " LEFT JOIN orders o ON o.id = e.order_id"
	    " WHERE e.station = ? AND e.verdict IS NOT NULL ORDER BY e.id DESC LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	if ((rc = pgst_step(st)) == PGST_ROW) {
		snprintf(lv->verdict, sizeof(lv->verdict), "%s", pgst_column_text(st, 0));
		snprintf(lv->message, sizeof(lv->message), "%s", pgst_column_text(st, 1));
		lv->refused = pgst_column_int(st, 2);
		snprintf(lv->order, sizeof(lv->order), "%s", pgst_column_text(st, 3));
		lv->order_id = pgst_column_int64(st, 4);
	}
	pgst_reset(st);
	return rc == PGST_ROW ? 1 : rc == PGST_DONE ? 0 : -1;
}

int
pg_store_resume_message(struct store *s, const char *station, char *msg, size_t msglen)
{
	pgst *st = pgs_stmt(s,
	    "SELECT kind, message FROM events WHERE station = ?"
	    " AND (verdict IS NOT NULL OR kind = 'resume') ORDER BY id DESC LIMIT 1");
	int rc, found = 0;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	if ((rc = pgst_step(st)) == PGST_ROW &&
	    strcmp((const char *)pgst_column_text(st, 0), "resume") == 0) {
		snprintf(msg, msglen, "%s", pgst_column_text(st, 1));
		found = 1;
	}
	pgst_reset(st);
	return rc == PGST_ROW || rc == PGST_DONE ? found : -1;
}
