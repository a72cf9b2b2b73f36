/*
 * PostgreSQL: scale weights of packages and the labels scanned back
 * (store_checks.h), statement for statement as sqlite/store_checks.c; and
 * the schema step those need (issue 15).
 */
#include <stdio.h>
#include <string.h>

#include "station/store/pg/pg_int.h"
#include "station/store/store_checks.h"

/*
 * 5 -> 6 (issue 15): what a bench is held on (a box the weight check
 * stopped, a label to scan back, a supervisor's PIN to come), and where a
 * package's weight came from (the scale, or product weights). Listed in
 * pg_schema.c's migrations after the shop sync's 4 -> 5.
 */
const char pg_migration_checks[] =
    "ALTER TABLE sessions ADD COLUMN hold BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE sessions ADD COLUMN hold_close BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE sessions ADD COLUMN label_code TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE sessions ADD COLUMN label_order TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE sessions ADD COLUMN override_badge TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE packages ADD COLUMN weight_source TEXT;"
    "UPDATE packages SET weight_source = 'computed' WHERE weight_grams IS NOT NULL";

int
pg_store_package_weigh(struct store *s, int64_t package_id, int64_t grams)
{
	pgst *st = pgs_stmt(
	    s, "UPDATE packages SET weight_grams = ?, weight_source = 'scale' WHERE id = ?");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, grams);
	pgst_bind_int64(st, 2, package_id);
	return pgs_run(s, st);
}

int
pg_store_find_label(struct store *s, const char *sscc, char *order_name, size_t namelen, int *box,
    int64_t *package_id)
{
	pgst *st = pgs_stmt(s,
	    "SELECT o.name, p.box, p.id FROM packages p JOIN orders o ON o.id = p.order_id"
	    " WHERE p.sscc = ?");
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, sscc);
	if ((r = pgs_step(s, st)) == PGST_ROW) {
		snprintf(order_name, namelen, "%s", (const char *)pgst_column_text(st, 0));
		*box = pgst_column_int(st, 1);
		*package_id = pgst_column_int64(st, 2);
		pgst_reset(st);
		return 1;
	}
	pgst_reset(st);
	return r == PGST_DONE ? 0 : -1;
}

int
pg_store_package_label(
    struct store *s, int64_t package_id, char sscc[19], char *order_name, size_t namelen)
{
	pgst *st = pgs_stmt(s,
	    "SELECT p.sscc, o.name FROM packages p JOIN orders o ON o.id = p.order_id"
	    " WHERE p.id = ? AND p.sscc IS NOT NULL");
	int r;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, package_id);
	if ((r = pgs_step(s, st)) == PGST_ROW) {
		snprintf(sscc, 19, "%s", (const char *)pgst_column_text(st, 0));
		snprintf(order_name, namelen, "%s", (const char *)pgst_column_text(st, 1));
		pgst_reset(st);
		return 1;
	}
	pgst_reset(st);
	return r == PGST_DONE ? 0 : -1;
}

int
pg_store_find_tracking(struct store *s, const char *code, char *order_name, size_t namelen)
{
	pgst *st = pgs_stmt(s, "SELECT name FROM orders WHERE tracking_number = ? LIMIT 1");
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, code);
	if ((r = pgs_step(s, st)) == PGST_ROW) {
		snprintf(order_name, namelen, "%s", (const char *)pgst_column_text(st, 0));
		pgst_reset(st);
		return 1;
	}
	pgst_reset(st);
	return r == PGST_DONE ? 0 : -1;
}

int
pg_store_order_weight(
    struct store *s, int64_t order_id, int *boxes, int64_t *grams, char *source, size_t sourcelen)
{
	/* counts, not sums of booleans (PostgreSQL has no boolean sum) */
	pgst *st = pgs_stmt(s,
	    "SELECT count(*), CASE WHEN count(weight_grams) = count(*) THEN sum(weight_grams)"
	    " ELSE -1 END, count(*) FILTER (WHERE weight_source = 'scale'),"
	    " count(*) FILTER (WHERE weight_source = 'computed')"
	    " FROM packages WHERE order_id = ? AND state <> 'open'");
	int64_t nscale, ncomp;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	if (pgs_step(s, st) != PGST_ROW) {
		pgst_reset(st);
		return -1;
	}
	*boxes = pgst_column_int(st, 0);
	*grams = *boxes > 0 ? pgst_column_int64(st, 1) : -1;
	nscale = pgst_column_int64(st, 2);
	ncomp = pgst_column_int64(st, 3);
	snprintf(source, sourcelen, "%s",
	    nscale && ncomp ? "scale and computed"
		: nscale    ? "scale"
		: ncomp	    ? "computed"
			    : "");
	pgst_reset(st);
	return 0;
}
