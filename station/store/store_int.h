/*
 * Kept for station/store/sqlite/store_jobs.c, which includes it by this
 * name: the SQLite engine's internal helpers live in sqlite/sqlite_int.h.
 */
#ifndef STATION_STORE_INT_H
#define STATION_STORE_INT_H

#include "station/store/sqlite/sqlite_int.h"

#endif
