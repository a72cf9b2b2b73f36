/* Stations at work: scans through the session machine, effects, status. */
#ifndef STATION_STATION_H
#define STATION_STATION_H

#include "station/daemon/outcome.h"

struct daemon;

/*
 * Handles one scan at a station exactly as a scanner would deliver it:
 * classify, decide (session_step), record the scan and its effects in one
 * transaction, commit, then print and write spool/out, then tell the
 * watchers (d->watchers). out->recorded = 1 only once the scan is
 * committed; 0 means it was not recorded (out->error says why). station
 * NULL: the only station. Always fills *out. Blocks only on the database.
 */
void station_scan(struct daemon *, const char *station, const char *code, const char *aim,
    const char *key, struct scan_outcome *out);
/*
 * key (stationctl scan --key K; NULL or "": none): a request whose key a
 * committed scan of that station already has is not counted again; out
 * then has recorded = repeated = 1 and replay, the reply as first sent
 * (malloc'ed: the caller frees it; NULL if it was not kept).
 */

/* The scanner driver's callback (arg is the daemon). */
void station_on_scanner(void *arg, const char *station, const char *code, const char *aim);
void station_on_scanner_alert(void *arg, const char *station, int connected, const char *message);

/*
 * For a watcher that starts watching STATION (NULL or "": all): after a
 * restart, until a bench's next scan, its last committed verdict as an
 * outcome with resumed = 1 ("RESUMED ..."), given to cb one bench at a time.
 */
void station_resume(struct daemon *, const char *station,
    void (*cb)(void *arg, const struct scan_outcome *, const struct order_view *), void *arg);

/*
 * At start: each bench repeats its last committed verdict (log, watchers),
 * then what a crash interrupted is finished (spool/out, labels, slips).
 */
void station_recover(struct daemon *);

#endif
