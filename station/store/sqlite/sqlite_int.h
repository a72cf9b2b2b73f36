/*
 * The SQLite engine's insides, shared by the files of station/store/sqlite/ only:
 * nothing outside station/store/ includes this (or sqlite3.h).
 */
#ifndef STATION_STORE_SQLITE_INT_H
#define STATION_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "station/core/order_state.h"

struct store;

/* The handle, for the engine's own files. */
sqlite3		*store_db(struct store *);
/*
 * A cached prepared statement for a SQL literal (reset, bindings cleared);
 * NULL (error recorded) if it does not prepare. Outside a transaction each
 * statement starts a fresh error record.
 */
sqlite3_stmt	*store_stmt(struct store *, const char *sql);

/*
 * Steps st; a result other than SQLITE_ROW / SQLITE_DONE is recorded as the
 * store's error unless an earlier one of this transaction is (the first
 * error wins: a rollback's "not an error" never hides the cause).
 */
int	 store_step(struct store *, sqlite3_stmt *);
/* Records msg (printf) as the error unless one is recorded already. Returns -1. */
int	 store_fail(struct store *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Binds a string or NULL. */
int	 store_bind_text(sqlite3_stmt *, int, const char *);
/* Binds an integer, or NULL for 0 (ids the schema keeps NULL when absent). */
int	 store_bind_id(sqlite3_stmt *, int, int64_t);
/* strdup of a text column, NULL for NULL (or out of memory). */
char	*store_col_dup(sqlite3_stmt *, int);
/* Steps a statement that returns no row, then resets it. 0 / -1 (recorded). */
int	 store_run(struct store *, sqlite3_stmt *);
/* The same without recording (store_jobs.c's older form). */
int	 store_step_done(sqlite3_stmt *);
/*
 * The first column of every row of sql (bound with arg if it takes one),
 * as a malloc'ed array. 0 / -1.
 */
int	 store_collect_ids(struct store *, const char *sql, int64_t arg, int64_t **ids,
	    size_t *n);
/*
 * What the order's lines and shipments say (order_state_of_lines):
 * ready, partial, fulfilled or digital (nothing to ship). 0 / -1.
 */
int	 store_lines_status(struct store *, int64_t order_id, enum order_status *status);
/* Next value of a named counter (inside a transaction); -1 on error. */
int64_t	 store_counter_next(struct store *, const char *name);

#endif
