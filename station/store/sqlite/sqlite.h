/* The SQLite engine's entry point, for station/store/store_open.c only. */
#ifndef STATION_STORE_SQLITE_H
#define STATION_STORE_SQLITE_H

#include <stddef.h>

struct store;

/* store_open for a file path (WAL, synchronous=FULL, migrated unless readonly). */
struct store *sqlite_store_open(const char *path, int readonly, char *err, size_t errlen);
/* store_restore for a file path: the database must not be open anywhere. */
int sqlite_store_restore(const char *path, const char *from, char *err, size_t errlen);

#endif
