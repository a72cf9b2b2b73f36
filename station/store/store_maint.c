/*
 * The upkeep's engine-neutral half: forwards to the engine's maint ops, and
 * chooses the engine for restore (which works on a closed store) by the
 * address, as store_open does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/store/sqlite/sqlite.h"
#include "station/store/store_engine.h"
#include "station/store/store_maint.h"

static const struct store_maint_ops *
maint(struct store *s)
{
	return s->ops->maint;
}

int
store_backup(struct store *s, const char *path, char *err, size_t errlen)
{
	if (maint(s) == NULL || maint(s)->backup == NULL) {
		snprintf(err, errlen,
		    "this store cannot copy itself: back it up with the"
		    " engine's own tool (pg_dump for PostgreSQL)");
		return -1;
	}
	return maint(s)->backup(s, path, err, errlen);
}

int
store_restore(const char *address, const char *from, char *err, size_t errlen)
{
	if (strncmp(address, "postgresql:", 11) == 0 || strncmp(address, "postgres:", 9) == 0) {
		snprintf(
		    err, errlen, "%s: restore a PostgreSQL store with pg_restore or psql", address);
		return -1;
	}
	if (strncmp(address, "sqlite:", 7) == 0)
		address += 7;
	return sqlite_store_restore(address, from, err, errlen);
}

int
store_check(struct store *s, store_problem_fn fn, void *arg)
{
	if (maint(s) == NULL || maint(s)->check == NULL)
		return -1;
	return maint(s)->check(s, fn, arg);
}

int
store_archive_orders(struct store *s, int64_t before_ms, int limit, int64_t *n)
{
	if (maint(s) == NULL || maint(s)->archive_orders == NULL)
		return -1;
	return maint(s)->archive_orders(s, before_ms, limit, n);
}

int
store_prune_log(struct store *s, int64_t before_ms, int limit, int64_t *n)
{
	if (maint(s) == NULL || maint(s)->prune_log == NULL)
		return -1;
	return maint(s)->prune_log(s, before_ms, limit, n);
}

int
store_compact(struct store *s, int pages)
{
	if (maint(s) == NULL || maint(s)->compact == NULL)
		return 0; /* nothing to give back is not a failure */
	return maint(s)->compact(s, pages);
}

int
store_export_shipments(
    struct store *s, int64_t since_ms, int64_t until_ms, struct store_export_row **rows, size_t *n)
{
	if (maint(s) == NULL || maint(s)->export_shipments == NULL)
		return -1;
	return maint(s)->export_shipments(s, since_ms, until_ms, rows, n);
}

void
store_export_rows_free(struct store_export_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows != NULL && i < n; i++) {
		free(rows[i].order_name);
		free(rows[i].station);
		free(rows[i].packer);
		free(rows[i].sku);
		free(rows[i].title);
	}
	free(rows);
}
