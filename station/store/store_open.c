/*
 * Chooses the engine behind a store by its address: a file path or
 * "sqlite:PATH" is SQLite (station/store/sqlite/). A second engine is a
 * second folder implementing store.h, and one more line here.
 */
#include <stdio.h>
#include <string.h>

#include "station/store/sqlite/sqlite.h"
#include "station/store/store.h"

struct store *
store_open(const char *path, int readonly, char *err, size_t errlen)
{
	if (strncmp(path, "sqlite:", 7) == 0)
		return sqlite_store_open(path + 7, readonly, err, errlen);
	if (strncmp(path, "postgresql:", 11) == 0 || strncmp(path, "postgres:", 9) == 0) {
		snprintf(err, errlen, "%s: this station is built without a PostgreSQL store", path);
		return NULL;
	}
	return sqlite_store_open(path, readonly, err, errlen);
}
