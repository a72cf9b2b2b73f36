/*
 * store_boxes.h on PostgreSQL: boxes and their heartbeats, bench claims
 * (a session advisory lock per bench name, and a row saying which box holds
 * it), freeing an order from a dead box, and LISTEN/NOTIFY for watchers on
 * other boxes (a second connection that only listens).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/store/pg/pg_int.h"
#include "station/store/store.h"
#include "station/store/store_boxes.h"

/* The advisory-lock class of bench claims (two-key form: apart from the write lock). */
#define CLAIM_CLASS "5461"

int
pg_store_box_start(struct store *s, const char *box)
{
	pgst *st;

	pgs_set_box(s, box);
	if ((st = pgs_stmt(s,
		 "INSERT INTO boxes(box, started_at, heartbeat_at, stopped)"
		 " VALUES (?1, ?2, ?2, 0) ON CONFLICT(box) DO UPDATE SET started_at = ?2,"
		 " heartbeat_at = ?2, stopped = 0")) == NULL)
		return -1;
	pgs_bind_text(st, 1, box);
	pgst_bind_int64(st, 2, store_now_ms());
	return pgs_run(s, st);
}

int
pg_store_box_heartbeat(struct store *s)
{
	pgst *st;

	if (*pgs_box(s) == '\0')
		return 0;
	if ((st = pgs_stmt(s,
		 "UPDATE boxes SET heartbeat_at = ?2, stopped = 0"
		 " WHERE box = ?1")) == NULL)
		return -1;
	pgs_bind_text(st, 1, pgs_box(s));
	pgst_bind_int64(st, 2, store_now_ms());
	return pgs_run(s, st);
}

int
pg_store_box_stop(struct store *s)
{
	pgst *st;

	if (*pgs_box(s) == '\0')
		return 0;
	if ((st = pgs_stmt(s, "UPDATE boxes SET stopped = 1 WHERE box = ?")) == NULL)
		return -1;
	pgs_bind_text(st, 1, pgs_box(s));
	return pgs_run(s, st);
}

/* Takes the bench's lock on this session: 1 taken (or ours already), 0 held, -1. */
int
pgs_take_claim(struct store *s, const char *station)
{
	pgst *st = pgs_stmt(s, "SELECT pg_try_advisory_lock(" CLAIM_CLASS ", hashtext(?))");
	int r, got = 0;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	if ((r = pgs_step(s, st)) == PGST_ROW)
		got = pgst_column_int(st, 0);
	pgst_reset(st);
	if (r != PGST_ROW)
		return -1;
	if (!got)
		return 0;
	if ((st = pgs_stmt(s,
		 "INSERT INTO benches(station, box, claimed_at) VALUES (?1, ?2, ?3)"
		 " ON CONFLICT(station) DO UPDATE SET box = ?2, claimed_at = ?3")) == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	pgs_bind_text(st, 2, pgs_box(s));
	pgst_bind_int64(st, 3, store_now_ms());
	return pgs_run(s, st) == 0 ? 1 : -1;
}

int
pg_store_claim_station(struct store *s, const char *station, char *holder, size_t holderlen)
{
	pgst *st;
	int r = pgs_take_claim(s, station);

	if (r != 0)
		return r == 1 && pgs_add_claim(s, station) == -1 ? -1 : r;
	snprintf(holder, holderlen, "?");
	if ((st = pgs_stmt(s, "SELECT box FROM benches WHERE station = ?")) == NULL)
		return -1;
	pgs_bind_text(st, 1, station);
	if (pgs_step(s, st) == PGST_ROW)
		snprintf(holder, holderlen, "%s", pgst_column_text(st, 0));
	pgst_reset(st);
	return 0;
}

int
pg_store_list_benches(struct store *s, struct store_bench_row **rows, size_t *n)
{
	pgst *st = pgs_stmt(s,
	    "SELECT b.station, b.box, x.stopped = 0 AND x.heartbeat_at > ?, o.name"
	    " FROM benches b LEFT JOIN boxes x ON x.box = b.box"
	    " LEFT JOIN sessions se ON se.station = b.station"
	    " LEFT JOIN orders o ON o.id = se.order_id"
	    " ORDER BY b.station COLLATE \"C\"");
	struct store_bench_row *v = NULL, *nv;
	size_t cnt = 0;
	int r, oom = 0;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, store_now_ms() - STORE_BOX_OFFLINE_MS);
	while ((r = pgs_step(s, st)) == PGST_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			oom = 1;
			break;
		}
		v = nv;
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].station = pgs_col_dup(st, 0);
		v[cnt].box = pgs_col_dup(st, 1);
		v[cnt].online = pgst_column_int(st, 2);
		if (pgst_column_type(st, 3) != PGST_NULL)
			v[cnt].order = pgs_col_dup(st, 3);
		cnt++;
		if (v[cnt - 1].station == NULL || v[cnt - 1].box == NULL)
			oom = 1;
	}
	pgst_reset(st);
	if (oom || r == PGST_ERROR) {
		store_bench_rows_free(v, cnt);
		return oom ? pgs_fail(s, "out of memory") : -1;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

int
pg_store_unavailable(struct store *s)
{
	return pgs_is_down(s);
}

/* Other boxes' watchers hear of it at commit ("" names no bench: any). */
int
pgs_notify(struct store *s, const char *station)
{
	pgst *st = pgs_stmt(s, "SELECT pg_notify('station_changes', ?)");

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, station ? station : "");
	return pgs_run(s, st);
}

int
pg_store_abandon_order(struct store *s, int64_t order_id, char *station, size_t stationlen)
{
	pgst *st = pgs_stmt(s,
	    "SELECT station FROM orders WHERE id = ?"
	    " AND status = 'in_progress' AND station IS NOT NULL");
	char bench[128];
	int r;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	if ((r = pgs_step(s, st)) == PGST_ROW)
		snprintf(bench, sizeof(bench), "%s", pgst_column_text(st, 0));
	pgst_reset(st);
	if (r != PGST_ROW)
		return r == PGST_DONE ? 0 : -1;
	if (pg_store_close_unshipped(s, order_id, bench) == -1 ||
	    (st = pgs_stmt(s,
		 "UPDATE sessions SET order_id = NULL, box = 0, qty_next = 0"
		 " WHERE station = ? AND order_id = ?")) == NULL)
		return -1;
	pgs_bind_text(st, 1, bench);
	pgst_bind_int64(st, 2, order_id);
	if (pgs_run(s, st) == -1 || pgs_notify(s, bench) == -1)
		return -1;
	snprintf(station, stationlen, "%s", bench);
	return 1;
}

int
pg_store_changes_fd(struct store *s)
{
	PGconn *l = pgs_listener(s);

	return l ? PQsocket(l) : -1;
}

int
pg_store_changes_read(struct store *s, char *station, size_t stationlen)
{
	PGconn *l = pgs_listener(s);
	PGnotify *n;

	if (l == NULL)
		return -1;
	if (!PQconsumeInput(l) || PQstatus(l) != CONNECTION_OK) {
		pgs_drop_listener(s);
		return -1;
	}
	if ((n = PQnotifies(l)) == NULL)
		return 0;
	snprintf(station, stationlen, "%s", n->extra ? n->extra : "");
	PQfreemem(n);
	return 1;
}
