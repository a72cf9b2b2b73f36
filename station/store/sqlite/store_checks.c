/* SQLite: scale weights of packages and the labels scanned back (store_checks.h). */
#include <stdio.h>
#include <string.h>

#include "station/store/sqlite/sqlite_int.h"
#include "station/store/store_checks.h"

int
sqlite_store_package_weigh(struct store *s, int64_t package_id, int64_t grams)
{
	sqlite3_stmt *st = store_stmt(
	    s, "UPDATE packages SET weight_grams = ?, weight_source = 'scale' WHERE id = ?");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, grams);
	sqlite3_bind_int64(st, 2, package_id);
	return store_run(s, st);
}

int
sqlite_store_find_label(struct store *s, const char *sscc, char *order_name, size_t namelen,
    int *box, int64_t *package_id)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT o.name, p.box, p.id FROM packages p JOIN orders o ON o.id = p.order_id"
	    " WHERE p.sscc = ?");
	int r;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, sscc);
	if ((r = store_step(s, st)) == SQLITE_ROW) {
		snprintf(order_name, namelen, "%s", (const char *)sqlite3_column_text(st, 0));
		*box = sqlite3_column_int(st, 1);
		*package_id = sqlite3_column_int64(st, 2);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int
sqlite_store_package_label(
    struct store *s, int64_t package_id, char sscc[19], char *order_name, size_t namelen)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT p.sscc, o.name FROM packages p JOIN orders o ON o.id = p.order_id"
	    " WHERE p.id = ? AND p.sscc IS NOT NULL");
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, package_id);
	if ((r = store_step(s, st)) == SQLITE_ROW) {
		snprintf(sscc, 19, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(order_name, namelen, "%s", (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int
sqlite_store_find_tracking(struct store *s, const char *code, char *order_name, size_t namelen)
{
	sqlite3_stmt *st = store_stmt(
	    s, "SELECT name FROM orders WHERE tracking_number = ? LIMIT 1");
	int r;

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, code);
	if ((r = store_step(s, st)) == SQLITE_ROW) {
		snprintf(order_name, namelen, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int
sqlite_store_order_weight(
    struct store *s, int64_t order_id, int *boxes, int64_t *grams, char *source, size_t sourcelen)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT count(*), CASE WHEN count(weight_grams) = count(*) THEN sum(weight_grams)"
	    " ELSE -1 END, sum(weight_source = 'scale'), sum(weight_source = 'computed')"
	    " FROM packages WHERE order_id = ? AND state <> 'open'");
	int64_t nscale, ncomp;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	if (store_step(s, st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	*boxes = sqlite3_column_int(st, 0);
	*grams = *boxes > 0 ? sqlite3_column_int64(st, 1) : -1;
	nscale = sqlite3_column_int64(st, 2);
	ncomp = sqlite3_column_int64(st, 3);
	snprintf(source, sourcelen, "%s",
	    nscale && ncomp ? "scale and computed"
		: nscale    ? "scale"
		: ncomp	    ? "computed"
			    : "");
	sqlite3_reset(st);
	return 0;
}
