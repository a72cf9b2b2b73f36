/*
 * One box at a time pulls the shop (issue 13): the one whose session holds a
 * session-level advisory lock, keyed by the schema so that two stations
 * sharing a server never elect each other. The lock lives on the main
 * connection: the box that commits a push as "sending" holds it at that
 * moment, and PostgreSQL releases it when that session ends (a clean stop,
 * kill -9 once the backend sees its socket close, a dropped network once
 * the server gives up on it); another box's next try then takes it.
 */
#include "station/store/pg/pg_int.h"
#include "station/store/store.h"

/* The advisory-lock class of the election (two-key form: apart from claims and writes). */
#define LEAD_CLASS "5462"

int
pg_store_shop_lead(struct store *s)
{
	struct pg_store *q = PQS(s);
	pgst *st;
	int r, got = 0;

	if (pgs_reconnect(q) == -1) {
		q->leading = 0;
		return pgs_fail(s, "database unavailable: %s", pgs_conn_error(q));
	}
	/* still the session that took it: no round trip */
	if (q->leading && q->lead_gen == q->gen)
		return 1;
	q->leading = 0;
	if ((st = pgs_stmt(
		 s, "SELECT pg_try_advisory_lock(" LEAD_CLASS ", hashtext(current_schema()))")) ==
	    NULL)
		return -1;
	if ((r = pgs_step(s, st)) == PGST_ROW)
		got = pgst_column_int(st, 0);
	pgst_reset(st);
	if (r != PGST_ROW)
		return -1;
	if (!got)
		return 0;
	q->leading = 1;
	q->lead_gen = q->gen;
	return 1;
}
