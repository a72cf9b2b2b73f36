/* Helpers shared by the store_*.c files; not for other modules. */
#ifndef STATION_STORE_INT_H
#define STATION_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "station/core/order_state.h"

struct store;

/* Binds a string or NULL. */
int	 store_bind_text(sqlite3_stmt *, int, const char *);
/* strdup of a text column, NULL for NULL (or out of memory). */
char	*store_col_dup(sqlite3_stmt *, int);
/* Steps a statement that returns no row, then resets it. 0 / -1. */
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
