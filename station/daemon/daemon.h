/* The daemon's shared state: what the loop's handlers work on. */
#ifndef STATION_DAEMON_H
#define STATION_DAEMON_H

#include <jansson.h>

struct config;
struct store;
struct loop;
struct control;
struct scanners;
struct printq;
struct intake_jobs;

struct daemon {
	struct config	*conf;
	struct store	*store;
	struct loop	*loop;
	struct control	*ctl;
	struct scanners	*scanners;	/* NULL when no station names a scanner */
	struct printq	*printq;	/* NULL until printing is wired */
	struct intake_jobs *intake;	/* spool/in and stationctl import */
	json_t		*scanner_state;	/* station → {"connected", "message"} */
	int		 sigfd;
	int		 inofd;
	int		 stopping;
};

/*
 * Runs one control command (a JSON object with "cmd") and returns the reply
 * object ({"ok": true, ...} or {"ok": false, "error": "..."}), owned by the
 * caller. Never NULL unless out of memory. Blocks only on the database.
 */
json_t	*commands_run(struct daemon *, json_t *req);

/* Control replies: {"ok": false, "error": ...} and {"ok": true, "message": ...}. */
json_t	*reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
json_t	*reply_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Tells watchers (stationctl watch) about a station's change; see control.c. */
void	 control_broadcast(struct control *, const char *station, json_t *msg);

#endif
