/* Stations at work: scans through the session machine, effects, status. */
#ifndef STATION_STATION_H
#define STATION_STATION_H

#include <jansson.h>

struct daemon;

/*
 * Handles one scan at a station exactly as a scanner would deliver it:
 * classify, decide (session_step), record the scan and its effects in one
 * transaction, commit, then print and write spool/out. The reply
 * ({"ok":true,"verdict":...}) exists only once the scan is committed;
 * {"ok":false,"error":...} means it was not recorded. station NULL: the
 * only station. Caller owns the reply.
 */
json_t	*station_scan_json(struct daemon *, const char *station, const char *code,
	    const char *aim);

/*
 * The same with an idempotency key (stationctl scan --key K): a request
 * whose key a committed scan of that station already has gets that scan's
 * reply again ("repeated": true) and is not counted twice. key NULL or "":
 * none.
 */
json_t	*station_scan_keyed_json(struct daemon *, const char *station, const char *code,
	    const char *aim, const char *key);

/* The scanner driver's callback (arg is the daemon). */
void	 station_on_scanner(void *arg, const char *station, const char *code,
	    const char *aim);
void	 station_on_scanner_alert(void *arg, const char *station, int connected,
	    const char *message);

/* {"ok":true, "stations":[...], "orders":{status:count}, ...}. */
json_t	*station_status_json(struct daemon *);

/* Commands not handled in commands.c (reprint, print-slips, sheet...). */
json_t	*station_command_json(struct daemon *, const char *cmd, json_t *req);

/*
 * For a watcher that starts watching STATION (NULL or "": all): after a
 * restart, until a bench's next scan, its last committed verdict as a scan
 * event ({"event":"scan","scan":{...,"resumed":true,"message":"RESUMED
 * ..."}}), one per such bench, in an array (empty if none). Caller owns it.
 */
json_t	*station_resume_json(struct daemon *, const char *station);

/*
 * At start: each bench repeats its last committed verdict (log, watchers),
 * then what a crash interrupted is finished (spool/out, labels, slips).
 */
void	 station_recover(struct daemon *);

#endif
