/*
 * Connecting to PostgreSQL again without blocking the daemon: after an
 * outage a new session is made with libpq's asynchronous API
 * (PQconnectStartParams / PQconnectPoll), advanced by the daemon's loop
 * through store_reconnect_step (it says which descriptor to wait on), never
 * by a scan: a scan while the database is away is refused at once
 * (store_unavailable), even when the network swallows packets and a
 * connection attempt would hang for its whole timeout. The LISTEN
 * connection (other boxes' changes) is made the same way.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/store/pg/pg_int.h"
#include "station/store/store.h"

/* An attempt not finished by then is dropped (libpq's connect_timeout is the blocking API's). */
#define CONNECT_TIMEOUT_MS 3000
/* A new attempt at most this often after one failed. */
#define RETRY_MS	   1000
/*
 * A transaction that finds its connection just broken (the server
 * restarted since the last statement) tries one fresh connection while the
 * server keeps answering, up to INLINE_MS in all; INLINE_IDLE_MS of
 * silence (nobody there, or packets swallowed) and it gives up at once.
 */
#define INLINE_MS	   1000
#define INLINE_IDLE_MS	   100

enum { LISTEN_NONE, LISTEN_CONNECTING, LISTEN_SENT, LISTEN_READY };

static void
quiet_notices(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* A connection attempt started (not waited for); NULL when it failed at once (why in err). */
static PGconn *
start_conn(struct pg_store *q, const char *app, char *err, size_t errlen)
{
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { "3", app, q->uri, NULL };
	PGconn *c = PQconnectStartParams(keys, vals, 1);
	size_t n;

	if (c != NULL && PQstatus(c) != CONNECTION_BAD && PQsocket(c) >= 0)
		return c;
	snprintf(err, errlen, "%s", c ? PQerrorMessage(c) : "out of memory");
	n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
	if (c)
		PQfinish(c);
	return NULL;
}

static short
poll_events(PostgresPollingStatusType p)
{
	return p == PGRES_POLLING_READING ? POLLIN : POLLOUT;
}

/*
 * Calls PQconnectPoll each time its socket is ready, for at most wait_ms in
 * all and idle_ms for any one answer (0: only what is ready now). 1
 * connected, 0 not yet, -1 failed.
 */
static int
advance(PGconn *c, PostgresPollingStatusType *p, int wait_ms, int idle_ms)
{
	int64_t until = store_now_ms() + wait_ms;
	struct pollfd pfd;
	int n, left;

	for (;;) {
		if (*p == PGRES_POLLING_OK)
			return 1;
		if (*p == PGRES_POLLING_FAILED || PQsocket(c) < 0)
			return -1;
		pfd.fd = PQsocket(c);
		pfd.events = poll_events(*p);
		pfd.revents = 0;
		left = (int)(until - store_now_ms());
		if (left > idle_ms)
			left = idle_ms;
		n = poll(&pfd, 1, left > 0 ? left : 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		*p = PQconnectPoll(c);
	}
}

static void
keep_error(struct pg_store *q, PGconn *c, const char *fallback)
{
	size_t n;

	snprintf(q->conn_err, sizeof(q->conn_err), "%s",
	    c && *PQerrorMessage(c) ? PQerrorMessage(c) : fallback);
	n = strlen(q->conn_err);
	while (n > 0 && (q->conn_err[n - 1] == '\n' || q->conn_err[n - 1] == ' '))
		q->conn_err[--n] = '\0';
}

/* The new session replaces the broken one: statements are prepared again, benches claimed again. */
static void
adopt(struct pg_store *q)
{
	size_t i;

	if (q->conn != NULL)
		PQfinish(q->conn);
	q->conn = q->pending;
	q->pending = NULL;
	PQsetNoticeProcessor(q->conn, quiet_notices, NULL);
	q->last_try = 0;
	q->conn_err[0] = '\0'; /* the next outage says its own words */
	q->gen++;
	q->down = 0;
	/* A session's advisory locks went with it: the benches are claimed again. */
	for (i = 0; i < q->nclaims; i++)
		if (pgs_take_claim(&q->base, q->claims[i]) == 0)
			fprintf(stderr,
			    "stationd: bench %s was claimed by another box while"
			    " the database was away\n",
			    q->claims[i]);
}

/*
 * One step of the main connection's attempt, starting one if none is under
 * way (unless the last failed less than RETRY_MS ago and !now). 1
 * connected, 0 under way, -1 failed or too soon.
 */
static int
main_step(struct pg_store *q, int wait_ms, int idle_ms, int now)
{
	int64_t t = store_now_ms();
	int r;

	if (q->pending == NULL) {
		if (!now && q->last_try != 0 && t - q->last_try < RETRY_MS && t >= q->last_try)
			return -1;
		if ((q->pending = start_conn(q, "stationd", q->conn_err, sizeof(q->conn_err))) ==
		    NULL) {
			q->last_try = t;
			return -1;
		}
		q->pending_poll = PGRES_POLLING_WRITING;
		q->pending_at = t;
	}
	r = advance(q->pending, &q->pending_poll, wait_ms, idle_ms);
	if (r == 0 && store_now_ms() - q->pending_at >= CONNECT_TIMEOUT_MS) {
		snprintf(q->conn_err, sizeof(q->conn_err), "connection attempt timed out");
		r = -2;
	}
	if (r < 0) {
		if (r == -1)
			keep_error(q, q->pending, "connection failed");
		PQfinish(q->pending);
		q->pending = NULL;
		q->last_try = store_now_ms();
		return -1;
	}
	if (r == 0)
		return 0;
	adopt(q);
	return 1;
}

/*
 * Back on line after an outage. The daemon (read-write) never waits here:
 * an attempt is started (at most one a second) and advanced by what is
 * ready now; the daemon's loop carries it on (store_reconnect_step).
 * stationctl (read-only, no loop) waits for it, bounded. 0 connected, -1.
 */
int
pgs_reconnect(struct pg_store *q)
{
	int r;

	if (q->conn != NULL && PQstatus(q->conn) == CONNECTION_OK)
		return 0;
	if (q->pending != NULL && !q->readonly)
		r = -1; /* under way: the daemon's loop drives it */
	else
		r = main_step(q, q->readonly ? CONNECT_TIMEOUT_MS : 0,
		    q->readonly ? CONNECT_TIMEOUT_MS : 0, 0);
	if (r != 1) {
		q->down = 1;
		return -1;
	}
	return 0;
}

/*
 * The connection broke under a statement just now (the server restarted):
 * one fresh attempt, waited for while the server answers (INLINE_MS at most). 0 / -1.
 */
int
pgs_reconnect_now(struct pg_store *q)
{
	if (q->conn != NULL && PQstatus(q->conn) == CONNECTION_OK)
		return 0;
	if (q->pending != NULL ||
	    main_step(q, q->readonly ? CONNECT_TIMEOUT_MS : INLINE_MS,
		q->readonly ? CONNECT_TIMEOUT_MS : INLINE_IDLE_MS, 1) != 1) {
		q->down = 1;
		return -1;
	}
	return 0;
}

const char *
pgs_conn_error(struct pg_store *q)
{
	if (q->conn_err[0])
		return q->conn_err;
	return q->conn ? PQerrorMessage(q->conn) : "not connected";
}

static void
listen_fail(struct pg_store *q)
{
	if (q->listener != NULL)
		PQfinish(q->listener);
	q->listener = NULL;
	q->listen_phase = LISTEN_NONE;
	q->listen_last_try = store_now_ms();
}

/* Sends LISTEN on the new listener; the reply is read as it comes. 0 / -1. */
static int
send_listen(struct pg_store *q)
{
	PQsetNoticeProcessor(q->listener, quiet_notices, NULL);
	if (PQsetnonblocking(q->listener, 1) == -1 ||
	    !PQsendQuery(q->listener, "LISTEN station_changes"))
		return -1;
	q->listen_phase = LISTEN_SENT;
	return 0;
}

/* LISTEN's reply, read without waiting: 1 listening, 0 not yet, -1 failed. */
static int
listen_reply(struct pg_store *q)
{
	PGresult *r;
	int ok = 1, flushed = PQflush(q->listener);

	if (flushed == -1 || !PQconsumeInput(q->listener))
		return -1;
	if (flushed == 1 || PQisBusy(q->listener))
		return 0;
	while ((r = PQgetResult(q->listener)) != NULL) {
		ok &= PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	if (!ok)
		return -1;
	q->listen_phase = LISTEN_READY;
	return 1;
}

/* One step of the listener (only once the main connection is up). 1 listening, 0, -1. */
static int
listen_step(struct pg_store *q)
{
	int64_t t = store_now_ms();
	int r = 0;

	switch (q->listen_phase) {
	case LISTEN_READY: return 1;
	case LISTEN_NONE:
		if (q->listen_last_try != 0 && t - q->listen_last_try < RETRY_MS &&
		    t >= q->listen_last_try)
			return -1;
		if ((q->listener = start_conn(
			 q, "stationd-listen", q->conn_err, sizeof(q->conn_err))) == NULL) {
			listen_fail(q);
			return -1;
		}
		q->listen_phase = LISTEN_CONNECTING;
		q->listen_poll = PGRES_POLLING_WRITING;
		q->listen_at = t;
		/* FALLTHROUGH */
	case LISTEN_CONNECTING:
		if ((r = advance(q->listener, &q->listen_poll, 0, 0)) == 1)
			r = send_listen(q) == 0 ? listen_reply(q) : -1;
		break;
	case LISTEN_SENT: r = listen_reply(q); break;
	default: r = -1; break;
	}
	if (r == 0 && store_now_ms() - q->listen_at >= CONNECT_TIMEOUT_MS)
		r = -1;
	if (r == -1)
		listen_fail(q);
	return r;
}

PGconn *
pgs_listener(struct store *s)
{
	struct pg_store *q = PQS(s);

	q->listen_wanted = 1;
	return q->listen_phase == LISTEN_READY ? q->listener : NULL;
}

void
pgs_drop_listener(struct store *s)
{
	struct pg_store *q = PQS(s);

	if (q->listener != NULL)
		PQfinish(q->listener);
	q->listener = NULL;
	q->listen_phase = LISTEN_NONE;
}

/* What to wait for before the next step of conn (polling as p), or at most ms. */
static void
wait_on(struct store_wait *w, PGconn *c, PostgresPollingStatusType p, int64_t since)
{
	int64_t left = since + CONNECT_TIMEOUT_MS - store_now_ms();

	w->fd = c ? PQsocket(c) : -1;
	w->events = poll_events(p);
	w->ms = left > 10 ? (int)left : 10;
}

static void
wait_retry(struct store_wait *w, int64_t last)
{
	int64_t left = last + RETRY_MS - store_now_ms();

	w->fd = -1;
	w->events = 0;
	w->ms = left > 10 && left <= RETRY_MS ? (int)left : 10;
}

int
pg_store_reconnect_step(struct store *s, struct store_wait *w)
{
	struct pg_store *q = PQS(s);

	if (q->conn == NULL || PQstatus(q->conn) != CONNECTION_OK) {
		if (main_step(q, 0, 0, 0) != 1) {
			q->down = 1;
			if (q->pending != NULL)
				wait_on(w, q->pending, q->pending_poll, q->pending_at);
			else
				wait_retry(w, q->last_try);
			return 0;
		}
	}
	if (!q->listen_wanted || listen_step(q) == 1)
		return 1;
	if (q->listen_phase == LISTEN_CONNECTING)
		wait_on(w, q->listener, q->listen_poll, q->listen_at);
	else if (q->listen_phase == LISTEN_SENT)
		wait_on(w, q->listener, PGRES_POLLING_READING, q->listen_at);
	else
		wait_retry(w, q->listen_last_try);
	return 0;
}
