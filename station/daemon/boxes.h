/* Several boxes on one database: heartbeat, bench claims, other boxes' benches. */
#ifndef STATION_DAEMON_BOXES_H
#define STATION_DAEMON_BOXES_H

struct daemon;

/*
 * Registers this box, claims each configured bench (-1, logged, when
 * another daemon holds one: the daemon must not start), starts the
 * heartbeat and listens for other boxes' changes. 0 on SQLite.
 */
int boxes_start(struct daemon *);
/*
 * The database was found away (a scan refused): reconnecting starts now,
 * driven by the loop, if it is not under way already.
 */
void boxes_db_kick(struct daemon *);
/* A clean stop: the box shows offline at once. */
void boxes_stop(struct daemon *);

#endif
