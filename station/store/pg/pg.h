/* The PostgreSQL engine's entry point, for station/store/store.c only. */
#ifndef STATION_STORE_PG_H
#define STATION_STORE_PG_H

#include <stddef.h>

struct store;

/* store_open for a libpq URI ("postgresql://..."): connected, migrated unless readonly. */
struct store *pg_store_open(const char *uri, int readonly, char *err, size_t errlen);

/*
 * Copies the SQLite station at path into the empty PostgreSQL database at
 * uri (refused if it holds any row): every table, ids kept, sequences
 * advanced. report gets "orders N, order_lines N, ...". 0 / -1 with err.
 */
int pg_migrate_from_sqlite(
    const char *path, const char *uri, char *report, size_t reportlen, char *err, size_t errlen);

#endif
