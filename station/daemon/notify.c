/* systemd notifications: readiness, status, stopping and the loop's watchdog. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/notify.h"
#include "station/store/store.h"
#include "station/store/store_query.h"

/* One daemon per process: its timers. */
static struct {
	struct daemon *d;
	int64_t status_timer, watchdog_timer, stall_timer;
	int64_t watchdog_ms;	/* half of WATCHDOG_USEC; 0: no watchdog */
	const char *stall_path; /* test hook, see stall() */
} nt;

/* "orders: 3 ready, 1 in_progress; benches: 1 of 2 busy" into buf. */
static void
status_line(struct daemon *d, char *buf, size_t len)
{
	struct store_status_count *rows = NULL;
	int64_t ready = 0, busy = 0;
	size_t n = 0, i;

	if (store_count_orders(d->store, &rows, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (strcmp(rows[i].status, "ready") == 0)
				ready = rows[i].n;
			else if (strcmp(rows[i].status, "in_progress") == 0)
				busy = rows[i].n;
		}
		free(rows);
	}
	snprintf(buf, len, "orders: %lld ready, %lld in progress; benches: %lld of %zu busy",
	    (long long)ready, (long long)busy, (long long)busy, d->conf->nstations);
}

static void
send_status(struct daemon *d)
{
	char line[256];

	status_line(d, line, sizeof(line));
	sd_notifyf(0, "STATUS=%s", line);
}

static void
on_status(void *arg)
{
	struct daemon *d = arg;

	send_status(d);
	nt.status_timer = loop_add_timer(d->loop, NOTIFY_STATUS_MS, on_status, d);
}

/* Runs from the loop: if the loop hangs, this stops and systemd notices. */
static void
on_watchdog(void *arg)
{
	struct daemon *d = arg;

	sd_notify(0, "WATCHDOG=1");
	nt.watchdog_timer = loop_add_timer(d->loop, nt.watchdog_ms, on_watchdog, d);
}

/*
 * Test hook (STATION_TEST_STALL=PATH in the environment, never set by the
 * unit): while PATH exists the loop blocks here, as a wedged loop would, so
 * a test can see the watchdog pings stop and resume.
 */
static void
stall(void *arg)
{
	struct daemon *d = arg;
	struct timespec ts = { 0, 10L * 1000000L };

	if (access(nt.stall_path, F_OK) == 0) {
		log_warnx("test hook: loop stalled while %s exists", nt.stall_path);
		while (access(nt.stall_path, F_OK) == 0)
			nanosleep(&ts, NULL);
		log_info("test hook: loop resumed");
	}
	nt.stall_timer = loop_add_timer(d->loop, 20, stall, d);
}

int
notify_ready(struct daemon *d)
{
	uint64_t usec = 0;

	nt.d = d;
	if (getenv("NOTIFY_SOCKET") == NULL)
		return 0;
	sd_notify(0, "READY=1");
	send_status(d);
	if ((nt.status_timer = loop_add_timer(d->loop, NOTIFY_STATUS_MS, on_status, d)) == -1)
		return -1;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		nt.watchdog_ms = (int64_t)(usec / 2000);
		if (nt.watchdog_ms < 1)
			nt.watchdog_ms = 1;
		sd_notify(0, "WATCHDOG=1");
		if ((nt.watchdog_timer = loop_add_timer(d->loop, nt.watchdog_ms, on_watchdog, d)) ==
		    -1)
			return -1;
		log_info("watchdog: pinging every %lld ms", (long long)nt.watchdog_ms);
	}
	if ((nt.stall_path = getenv("STATION_TEST_STALL")) != NULL &&
	    (nt.stall_timer = loop_add_timer(d->loop, 20, stall, d)) == -1)
		return -1;
	return 0;
}

void
notify_stopping(struct daemon *d)
{
	if (getenv("NOTIFY_SOCKET") == NULL)
		return;
	sd_notify(0, "STOPPING=1");
	if (d->loop != NULL) {
		loop_cancel_timer(d->loop, nt.status_timer);
		loop_cancel_timer(d->loop, nt.watchdog_timer);
		loop_cancel_timer(d->loop, nt.stall_timer);
	}
}
