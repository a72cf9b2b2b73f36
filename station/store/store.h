/*
 * The station's store: orders, pack sessions, shipments, print jobs and the
 * station log, behind an engine-neutral interface (row structs, status
 * codes, no SQL or engine types). The engine is chosen by store_open's
 * address; SQLite lives in station/store/sqlite/. Single-threaded; a store
 * handle belongs to one process. stationctl opens the same database
 * read-only while the daemon writes.
 *
 * Errors: functions return 0 / -1 (or 1 / 0 / -1 for lookups); after -1,
 * store_strerror says why. Within a transaction the FIRST error is kept,
 * so a rollback never turns the cause into "not an error".
 */
#ifndef STATION_STORE_H
#define STATION_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "station/core/order.h"
#include "station/core/order_state.h"

struct store;

#define STORE_SCHEMA_VERSION 8

/*
 * Opens (creating and migrating unless readonly) the store at path: a file
 * path or "sqlite:PATH". Returns NULL with a message in err on failure.
 * Blocks on disk I/O.
 */
struct store *store_open(const char *path, int readonly, char *err, size_t errlen);
void store_close(struct store *); /* NULL is a no-op */
/*
 * 1 if address names a database server shared by several daemons (a
 * PostgreSQL URI: no file to lock or chmod), 0 for a file.
 */
int store_is_server(const char *address);
/*
 * Why the last call failed: the first error of the current (or just
 * rolled back) transaction, or of the last statement outside one. Never
 * NULL; owned by the store, valid until its next call.
 */
const char *store_strerror(struct store *);
/* The same (the older name). */
const char *store_errmsg(struct store *);
/* The schema version of an open store (STORE_SCHEMA_VERSION once migrated); -1 on error. */
int store_schema_version(struct store *);

/*
 * Transactions: 0 / -1. store_begin starts a fresh error record;
 * store_commit is durable when it returns 0 and rolls back when it fails.
 */
int store_begin(struct store *);
int store_commit(struct store *);
void store_rollback(struct store *);
/*
 * A transaction whose commit does not wait for the disk, for work that is
 * redone after a crash anyway (an import file stays in spool/in until all
 * of it is in): a power cut may lose it, never what an earlier commit
 * holds, and any later synced commit makes it durable too. store_commit
 * and store_rollback end it; the next transaction is synced again.
 * Engines without the distinction begin an ordinary transaction.
 */
int store_begin_lazy(struct store *);
/* Makes every lazy commit so far durable (before the work is called done): 0 / -1. */
int store_durable(struct store *);

/*
 * Copies a one-box SQLite station (from: its file) into an empty
 * PostgreSQL database (to: a URI) so its history survives the move:
 * orders, lines, codes, sessions, packages, scans, fulfillments, jobs, the
 * log, counters, effects. report gets the rows per table. 0 / -1 with err.
 */
int store_migrate(
    const char *from, const char *to, char *report, size_t reportlen, char *err, size_t errlen);

/* Wall clock, unix milliseconds. */
int64_t store_now_ms(void);

/*
 * The station log. station, packer, verdict may be NULL; order_id 0 if none.
 * kind: "import", "update", "refused", "status", "hold", "release", "scan",
 * "open", "complete", "partial", "abandon", "conflict", "print", "alert", ...
 * Returns 0 / -1.
 */
int store_add_event(struct store *, const char *station, int64_t order_id, const char *packer,
    const char *kind, const char *verdict, const char *message, int is_error);
/* The event of a scan: as store_add_event, naming the scan row (store_record_scan). */
int store_add_scan_event(struct store *, int64_t scan_id, const char *station, int64_t order_id,
    const char *packer, const char *kind, const char *verdict, const char *message, int is_error);

/* --- intake ------------------------------------------------------------- */

/*
 * Inserts or updates one order from the shop (inside the caller's
 * transaction), applies readiness rules, logs import/update/conflict
 * events. *outcome gets "imported", "updated" or "unchanged".
 * Returns 0 / -1 with err.
 */
int store_upsert_order(struct store *, const struct order *, const char *source,
    const char **outcome, char *err, size_t errlen);
/* Inserts or replaces one product code (inside the caller's transaction). */
int store_upsert_code(struct store *, const struct product_code *, char *err, size_t errlen);

/* --- orders -------------------------------------------------------------- */

/* Finds an order's row id by its shop name ("#1001"). 1 found, 0 not, -1 error. */
int store_find_order(struct store *, const char *name, int64_t *id);

/* Supervisor hold / release. 0 ok, 1 refused (reason in err), -1 error. */
int store_hold_order(struct store *, int64_t id, const char *reason, char *err, size_t errlen);
int store_release_order(struct store *, int64_t id, char *err, size_t errlen);

/* --- a database server: reconnecting, one box electing itself ---------------- */

/* What store_reconnect_step waits for: fd ready for events, or ms at most. */
struct store_wait {
	int fd;	      /* -1: nothing to watch, only wait ms */
	short events; /* POLLIN or POLLOUT */
	int ms;	      /* call again after at most this long */
};
/*
 * Advances reconnecting to a database server without blocking: a
 * connection attempt under way (started here when the database is away
 * and the last attempt is old enough) and, once the store is connected,
 * the change listener (store_changes_fd) when one was asked for. Returns
 * 1 when connected (statements are prepared again on first use, benches
 * claimed again; nothing to wait for), 0 while still away or under way
 * (*w says what to wait for before calling again), -1 on a local error.
 * Only the daemon's loop calls it; the scan path never waits for a
 * connection (it refuses: store_unavailable). SQLite: always 1.
 */
int store_reconnect_step(struct store *, struct store_wait *w);
/*
 * Whether this daemon is the one box that pulls the shop (issue 13): the
 * first to ask takes a database lock it keeps while its connection lives;
 * the others get 0 until it is released (its daemon stopped or died, its
 * connection dropped) and one of them asks again. 1 this daemon leads, 0
 * another one does, -1 database away or error. Never waits for the lock; a
 * round trip only while not leading. SQLite (one box): always 1.
 */
int store_shop_lead(struct store *);

#endif
