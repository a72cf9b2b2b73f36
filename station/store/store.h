/*
 * The station's one SQLite database (WAL, synchronous=FULL): schema,
 * migrations and every SQL statement of the core, as prepared statements.
 * Single-threaded; a store handle belongs to one process. stationctl opens
 * the same file read-only while the daemon writes.
 */
#ifndef STATION_STORE_H
#define STATION_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "station/core/order.h"
#include "station/core/session.h"

struct store;

#define STORE_SCHEMA_VERSION 2

/*
 * Opens (creating and migrating unless readonly) the database at path.
 * Returns NULL with a message in err on failure. Blocks on disk I/O.
 */
struct store	*store_open(const char *path, int readonly, char *err, size_t errlen);
void		 store_close(struct store *);		/* NULL is a no-op */
sqlite3		*store_db(struct store *);		/* for store_*.c siblings */
/* A cached prepared statement for a SQL literal (reset, bindings cleared). */
sqlite3_stmt	*store_stmt(struct store *, const char *sql);
/* The last SQLite error as text. */
const char	*store_errmsg(struct store *);

/* Transactions: 0 / -1. store_commit is durable when it returns 0. */
int	store_begin(struct store *);
int	store_commit(struct store *);
void	store_rollback(struct store *);

/* Wall clock, unix milliseconds. */
int64_t	store_now_ms(void);

/*
 * The station log. station, packer, verdict may be NULL; order_id 0 if none.
 * kind: "import", "update", "refused", "status", "hold", "release", "scan",
 * "open", "complete", "partial", "abandon", "conflict", "print", "alert", ...
 * Returns 0 / -1.
 */
int	store_add_event(struct store *, const char *station, int64_t order_id,
	    const char *packer, const char *kind, const char *verdict,
	    const char *message, int is_error);

/* --- intake ------------------------------------------------------------- */

/*
 * Inserts or updates one order from the shop (inside the caller's
 * transaction), applies readiness rules, logs import/update/conflict
 * events. *outcome gets "imported", "updated" or "unchanged".
 * Returns 0 / -1 with err.
 */
int	store_upsert_order(struct store *, const struct order *, const char *source,
	    const char **outcome, char *err, size_t errlen);
/* Inserts or replaces one product code (inside the caller's transaction). */
int	store_upsert_code(struct store *, const struct product_code *, char *err, size_t errlen);

/* --- orders -------------------------------------------------------------- */

/* Finds an order's row id by its shop name ("#1001"). 1 found, 0 not, -1 error. */
int	store_find_order(struct store *, const char *name, int64_t *id);

/* Supervisor hold / release. 0 ok, 1 refused (reason in err), -1 error. */
int	store_hold_order(struct store *, int64_t id, const char *reason, char *err, size_t errlen);
int	store_release_order(struct store *, int64_t id, char *err, size_t errlen);

#endif
