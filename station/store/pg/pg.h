/* The PostgreSQL engine's entry point, for station/store/store.c only. */
#ifndef STATION_STORE_PG_H
#define STATION_STORE_PG_H

#include <stddef.h>

struct store;

/* store_open for a libpq URI ("postgresql://..."): connected, migrated unless readonly. */
struct store	*pg_store_open(const char *uri, int readonly, char *err, size_t errlen);

#endif
