/* The WAL checkpoint in a thread of its own (sqlite_checkpoint.c). */
#ifndef STATION_SQLITE_CKPT_H
#define STATION_SQLITE_CKPT_H

#include <sqlite3.h>

struct sqlite_ckpt;

/*
 * Opens a second connection to PATH and a thread that checkpoints the WAL
 * (PASSIVE) whenever a commit on WRITER leaves it past 1,000 frames; the
 * WRITER's automatic checkpoint is replaced. NULL if it cannot start: the
 * caller keeps SQLite's automatic checkpoint then. Does not block.
 */
struct sqlite_ckpt *sqlite_ckpt_start(sqlite3 *writer, const char *path);
/* Stops the thread (waits for a checkpoint under way); NULL is a no-op. */
void sqlite_ckpt_stop(struct sqlite_ckpt *, sqlite3 *writer);

#endif
