/* The SQLite engine's entry point, for station/store/store_open.c only. */
#ifndef STATION_STORE_SQLITE_H
#define STATION_STORE_SQLITE_H

#include <stddef.h>

struct store;

/* store_open for a file path (WAL, synchronous=FULL, migrated unless readonly). */
struct store	*sqlite_store_open(const char *path, int readonly, char *err, size_t errlen);

#endif
