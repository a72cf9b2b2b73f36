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

/* The scanner driver's callback (arg is the daemon). */
void	 station_on_scanner(void *arg, const char *station, const char *code,
	    const char *aim);
void	 station_on_scanner_alert(void *arg, const char *station, int connected,
	    const char *message);

/* {"ok":true, "stations":[...], "orders":{status:count}, ...}. */
json_t	*station_status_json(struct daemon *);

/* Commands not handled in commands.c (reprint, print-slips, sheet...). */
json_t	*station_command_json(struct daemon *, const char *cmd, json_t *req);

/* At start: finish what a crash interrupted (spool/out files). */
void	 station_recover(struct daemon *);

#endif
