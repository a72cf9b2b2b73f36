/*
 * Several boxes on one database: this daemon's box, its heartbeat, its
 * benches claimed for as long as it runs, and what other boxes' benches
 * do, passed to this box's watchers (the store's change notifications).
 * On SQLite every call here is a no-op that succeeds.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/boxes.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/outbox.h"
#include "station/shop/shop.h"
#include "station/store/store.h"
#include "station/store/store_boxes.h"
#include "station/store/store_jobs.h"
#include "station/store/store_pack.h"

#define HEARTBEAT_MS 2000

static int was_down;
static int changes_fd = -1;
/* reconnecting: the descriptor and timer store_reconnect_step asked us to wait on */
static int db_fd = -1;
static int64_t db_timer;

static void listen_changes(struct daemon *);
static void db_drive(struct daemon *);

static int
own_station(struct daemon *d, const char *station)
{
	return config_station(d->conf, station) != NULL;
}

static enum verdict
verdict_named(const char *name)
{
	int v;

	for (v = 0; v < V_COUNT; v++)
		if (strcmp(verdict_name((enum verdict)v), name) == 0)
			return (enum verdict)v;
	return V_UNKNOWN_CODE;
}

/* A bench on another box changed: its last verdict and open order to our watchers. */
static void
tell_remote(struct daemon *d, const char *station)
{
	const struct daemon_watchers *w = &d->watchers;
	struct scan_outcome o;
	struct last_verdict lv;
	struct sess_state ss;
	struct order_view *v = NULL;

	if (w->scan == NULL || (w->watching && !w->watching(w->arg, station)))
		return;
	if (store_last_verdict(d->store, station, &lv) != 1) {
		log_debug("changes: bench %s: no verdict: %s", station, store_errmsg(d->store));
		return;
	}
	memset(&o, 0, sizeof(o));
	o.recorded = 1;
	o.station = station;
	o.verdict = verdict_named(lv.verdict);
	o.refused = lv.refused;
	snprintf(o.message, sizeof(o.message), "%.*s", (int)sizeof(o.message) - 1, lv.message);
	if ((o.has_order = lv.order[0] != '\0'))
		snprintf(o.order, sizeof(o.order), "%s", lv.order);
	if (store_session_load(d->store, station, &ss) == 0) {
		snprintf(o.packer, sizeof(o.packer), "%s", ss.packer);
		if (ss.order_id)
			v = store_order_view(d->store, ss.order_id);
	}
	w->scan(w->arg, &o, v);
	order_view_free(v);
}

/* After a reconnect notifications are not replayed: every other box's bench is re-read. */
static void
tell_all_remote(struct daemon *d)
{
	struct store_bench_row *rows = NULL;
	size_t n = 0, i;

	if (store_list_benches(d->store, &rows, &n) == -1)
		return;
	for (i = 0; i < n; i++)
		if (!own_station(d, rows[i].station))
			tell_remote(d, rows[i].station);
	store_bench_rows_free(rows, n);
}

static void
on_changes(int fd, short revents, void *arg)
{
	struct daemon *d = arg;
	char station[128];
	int r;

	(void)revents;
	while ((r = store_changes_read(d->store, station, sizeof(station))) == 1) {
		log_debug("changes: bench '%s'", station);
		if (station[0] != '\0' && !own_station(d, station))
			tell_remote(d, station);
	}
	if (r == -1) {
		loop_del_fd(d->loop, fd);
		changes_fd = -1;
		db_drive(d); /* listen again once reconnected */
	}
}

/* Listens for other boxes' changes once the store has a listener; else reconnecting makes one. */
static void
listen_changes(struct daemon *d)
{
	int fd = store_changes_fd(d->store);

	if (fd < 0) {
		if (store_is_server(d->conf->database))
			db_drive(d);
		return;
	}
	if (fd == changes_fd)
		return;
	if (changes_fd >= 0)
		loop_del_fd(d->loop, changes_fd);
	changes_fd = -1;
	if (loop_add_fd(d->loop, fd, POLLIN, on_changes, d) == -1) {
		log_warnx("changes: cannot watch the listener");
		return;
	}
	changes_fd = fd;
	tell_all_remote(d); /* notifications are not replayed: what was missed is read again */
}

/* Connected again: say so, listen again, and let what waited on the database go on. */
static void
db_back(struct daemon *d)
{
	if (was_down) {
		log_info("database: back");
		was_down = 0;
		outbox_flush(d);
		shop_kick(d->shop);
	}
	listen_changes(d);
}

static void
db_ready(int fd, short revents, void *arg)
{
	(void)fd;
	(void)revents;
	db_drive(arg);
}

static void
db_tick(void *arg)
{
	db_timer = 0;
	db_drive(arg);
}

/*
 * Reconnecting, driven by the loop: each step of the store's connection
 * attempt runs when its socket is ready (or its time is up), so no scan
 * ever waits for a server that does not answer. Idempotent: a kick while
 * one is under way re-arms the same wait.
 */
static void
db_drive(struct daemon *d)
{
	struct store_wait w;
	int r;

	if (db_fd >= 0)
		loop_del_fd(d->loop, db_fd);
	db_fd = -1;
	if (db_timer)
		loop_cancel_timer(d->loop, db_timer);
	db_timer = 0;
	if (d->stopping)
		return;
	if ((r = store_reconnect_step(d->store, &w)) == 1) {
		db_back(d);
		return;
	}
	if (!was_down && store_unavailable(d->store)) {
		log_warnx("database: %s; reconnecting", store_errmsg(d->store));
		was_down = 1;
	}
	if (r == 0 && w.fd >= 0 && loop_add_fd(d->loop, w.fd, w.events, db_ready, d) == 0)
		db_fd = w.fd;
	if ((db_timer = loop_add_timer(d->loop, r == 0 ? w.ms : 1000, db_tick, d)) == -1)
		db_timer = 0;
}

void
boxes_db_kick(struct daemon *d)
{
	if (store_is_server(d->conf->database) && db_fd < 0 && db_timer == 0)
		db_drive(d);
}

static void
heartbeat(void *arg)
{
	struct daemon *d = arg;

	if (store_box_heartbeat(d->store) == -1) {
		if (!was_down)
			log_warnx("database: %s; reconnecting", store_errmsg(d->store));
		was_down = 1;
		boxes_db_kick(d);
	} else if (was_down && db_fd < 0 && db_timer == 0)
		db_back(d);
	if (!d->stopping)
		loop_add_timer(d->loop, HEARTBEAT_MS, heartbeat, d);
}

/*
 * Claims a bench, waiting up to 5 s for a claim held by a daemon that was
 * just killed: PostgreSQL drops a dead client's session (and its advisory
 * lock) only once its backend notices. 1 claimed, 0 held by a live box, -1.
 */
static int
claim_bench(struct daemon *d, const char *name, char *holder, size_t holderlen)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int r, tries;

	for (tries = 0; tries < 50; tries++) {
		if ((r = store_claim_station(d->store, name, holder, holderlen)) != 0)
			return r;
		nanosleep(&pause, NULL);
	}
	return 0;
}

int
boxes_start(struct daemon *d)
{
	char holder[128];
	size_t i;
	int r;

	if (!store_is_server(d->conf->database))
		return 0;
	if (store_box_start(d->store, d->conf->box) == -1) {
		log_warnx("database: box %s: %s", d->conf->box, store_errmsg(d->store));
		return -1;
	}
	for (i = 0; i < d->conf->nstations; i++) {
		const char *name = d->conf->stations[i].name;

		if ((r = claim_bench(d, name, holder, sizeof(holder))) == 0) {
			log_warnx(
			    "[station %s] already runs on box %s (another stationd claims it);"
			    " not starting",
			    name, holder);
			return -1;
		}
		if (r == -1) {
			log_warnx("[station %s] cannot claim the bench: %s", name,
			    store_errmsg(d->store));
			return -1;
		}
	}
	loop_add_timer(d->loop, HEARTBEAT_MS, heartbeat, d);
	listen_changes(d);
	return 0;
}

void
boxes_stop(struct daemon *d)
{
	if (d->store != NULL && store_is_server(d->conf->database))
		(void)store_box_stop(d->store);
}
