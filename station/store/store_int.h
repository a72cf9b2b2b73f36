/* Kept for store_jobs.c: the SQLite engine's internal helpers live in sqlite/. */
#ifndef STATION_STORE_INT_H
#define STATION_STORE_INT_H

#include "station/store/sqlite/sqlite_int.h"

#endif
