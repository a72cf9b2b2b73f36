/*
 * The daemon's upkeep: archiving finished orders past archive_after and
 * pruning the log past log_retention, a bounded batch per loop turn so a
 * year of backlog never holds up a scan for long.
 */
#ifndef STATION_UPKEEP_H
#define STATION_UPKEEP_H

#include <jansson.h>

struct daemon;

/* Arms the upkeep timer on d->loop (the first turn soon after start). 0 / -1. */
int upkeep_start(struct daemon *d);
/*
 * The control command {"cmd": "archive", "before": MS}: archives every
 * finished order last changed before MS. Replies {"ok": true, "archived": N}.
 */
json_t *upkeep_cmd_archive(struct daemon *d, json_t *req);

/* Rows per table per turn, and how soon the next turn comes. */
#define UPKEEP_BATCH	     500
#define UPKEEP_BUSY_MS	     50	   /* more to do */
#define UPKEEP_IDLE_MS	     60000 /* caught up */
#define UPKEEP_COMPACT_PAGES 512   /* pages given back per turn */

#endif
