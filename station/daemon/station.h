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
void	 station_scan(struct daemon *, const char *station, const char *code,
	    const char *aim, struct scan_outcome *out);

/* The scanner driver's callback (arg is the daemon). */
void	 station_on_scanner(void *arg, const char *station, const char *code,
	    const char *aim);
void	 station_on_scanner_alert(void *arg, const char *station, int connected,
	    const char *message);

/* At start: finish what a crash interrupted (spool/out files). */
void	 station_recover(struct daemon *);

#endif
