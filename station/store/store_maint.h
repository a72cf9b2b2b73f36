/*
 * The store's upkeep, for a station that runs for years: backups, restore,
 * the consistency check, archiving old orders, pruning the log, giving
 * freed space back, and the accountants' export. Engine-neutral like
 * store.h; each engine fills struct store_maint_ops (store_engine.h's
 * ops->maint). Every call blocks on disk I/O; the daemon calls the bounded
 * ones (archive, prune, compact: a batch at a time) from its loop.
 */
#ifndef STATION_STORE_MAINT_H
#define STATION_STORE_MAINT_H

#include <stddef.h>
#include <stdint.h>

struct store;

/*
 * Writes a consistent copy of the open store to path while others keep
 * writing (SQLite's online backup, from one read snapshot), checks the
 * copy, then renames it into place. 0, or -1 with err (an engine without
 * it says what to use instead, e.g. pg_dump).
 */
int store_backup(struct store *, const char *path, char *err, size_t errlen);

/*
 * Replaces the store at address (as store_open takes it) with the copy at
 * from, after checking the copy (integrity, schema version). The old store
 * is kept as <path>.before-restore. The caller makes sure no daemon runs.
 * 0, or -1 with err; nothing is changed on -1.
 */
int store_restore(const char *address, const char *from, char *err, size_t errlen);

/* Called once per problem found by store_check, with a one-line description. */
typedef void (*store_problem_fn)(void *arg, const char *problem);
/*
 * The engine's integrity check, then every open session, unfinished print
 * job and pending push (outbox) must refer to rows that exist. Returns the
 * number of problems (0: consistent), or -1 if the check could not run.
 */
int store_check(struct store *, store_problem_fn, void *arg);

/*
 * Moves at most limit fulfilled or cancelled orders last changed before
 * before_ms, and not at a bench, to archived (order_state's OEV_ARCHIVE),
 * each with an "archive" event, in one transaction. *n gets how many.
 * 0 / -1.
 */
int store_archive_orders(struct store *, int64_t before_ms, int limit, int64_t *n);

/*
 * Deletes at most limit events and at most limit scans older than
 * before_ms, in one transaction. Scans still counted in an open package
 * stay. *n gets the rows deleted (less than 2 * limit: nothing left). 0 / -1.
 */
int store_prune_log(struct store *, int64_t before_ms, int limit, int64_t *n);

/* Gives at most pages free pages back to the file system (when the engine can). 0 / -1. */
int store_compact(struct store *, int pages);

/* One shipped line, for store_export_shipments. Strings owned by the rows. */
struct store_export_row {
	int64_t fulfillment_id;
	int64_t at;	  /* unix ms */
	char *order_name; /* "#1001" */
	int64_t shop_order_id;
	char *station, *packer; /* "" when none */
	int partial;
	char *sku, *title; /* "" when none */
	int64_t shop_line_id;
	int64_t quantity;
};
/*
 * Every shipped line of the shipments made in [since_ms, until_ms)
 * (until_ms 0: up to now), oldest first, archived orders included.
 * 0 / -1; free the rows with store_export_rows_free.
 */
int store_export_shipments(
    struct store *, int64_t since_ms, int64_t until_ms, struct store_export_row **rows, size_t *n);
void store_export_rows_free(struct store_export_row *, size_t n);

/* What an engine implements (see each function above). */
struct store_maint_ops {
	int (*backup)(struct store *, const char *path, char *err, size_t errlen);
	int (*check)(struct store *, store_problem_fn, void *arg);
	int (*archive_orders)(struct store *, int64_t before_ms, int limit, int64_t *n);
	int (*prune_log)(struct store *, int64_t before_ms, int limit, int64_t *n);
	int (*compact)(struct store *, int pages);
	int (*export_shipments)(struct store *, int64_t since_ms, int64_t until_ms,
	    struct store_export_row **rows, size_t *n);
};

#endif
