/*
 * systemd's service notifications (sd_notify): READY once the store is open
 * and the socket listens, a periodic STATUS line, STOPPING on shutdown, and
 * WATCHDOG pings from the loop's own timer, so a loop that hangs stops
 * petting the watchdog and systemd restarts the daemon. Without
 * NOTIFY_SOCKET (not started by systemd) every call does nothing.
 */
#ifndef STATION_NOTIFY_H
#define STATION_NOTIFY_H

struct daemon;

/*
 * Says READY=1 and the first STATUS, then arms the status timer and, when
 * WATCHDOG_USEC is set, the watchdog timer at half of it on d->loop.
 * Returns 0 / -1 (a timer could not be armed). Does not block.
 */
int notify_ready(struct daemon *d);
/* Says STOPPING=1 and cancels the timers. */
void notify_stopping(struct daemon *d);

/* How often STATUS is refreshed. */
#define NOTIFY_STATUS_MS 30000

#endif
