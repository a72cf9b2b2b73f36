/*
 * store_boxes.h on SQLite: one box owns the file (stationd's lock), so a
 * bench claim always holds, there are no other boxes to list or hear, and
 * the file never goes away. Abandoning an order is the same as anywhere.
 */
#include <stdio.h>

#include "station/store/sqlite/sqlite_int.h"
#include "station/store/store_boxes.h"

int
sqlite_store_box_start(struct store *s, const char *box)
{
	(void)s;
	(void)box;
	return 0;
}

int
sqlite_store_box_heartbeat(struct store *s)
{
	(void)s;
	return 0;
}

int
sqlite_store_box_stop(struct store *s)
{
	(void)s;
	return 0;
}

int
sqlite_store_claim_station(struct store *s, const char *station, char *holder, size_t holderlen)
{
	(void)s;
	(void)station;
	(void)holder;
	(void)holderlen;
	return 1;
}

int
sqlite_store_list_benches(struct store *s, struct store_bench_row **rows, size_t *n)
{
	(void)s;
	*rows = NULL;
	*n = 0;
	return 0;
}

int
sqlite_store_unavailable(struct store *s)
{
	(void)s;
	return 0;
}

int
sqlite_store_abandon_order(struct store *s, int64_t order_id, char *station, size_t stationlen)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT station FROM orders WHERE id = ?"
	    " AND status = 'in_progress' AND station IS NOT NULL");
	char bench[128];
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	if ((r = store_step(s, st)) == SQLITE_ROW)
		snprintf(bench, sizeof(bench), "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return r == SQLITE_DONE ? 0 : -1;
	if (sqlite_store_close_unshipped(s, order_id, bench) == -1 ||
	    (st = store_stmt(s,
		 "UPDATE sessions SET order_id = NULL, box = 0, qty_next = 0"
		 " WHERE station = ? AND order_id = ?")) == NULL)
		return -1;
	store_bind_text(st, 1, bench);
	sqlite3_bind_int64(st, 2, order_id);
	if (store_run(s, st) == -1)
		return -1;
	snprintf(station, stationlen, "%s", bench);
	return 1;
}

int
sqlite_store_changes_fd(struct store *s)
{
	(void)s;
	return -1;
}

int
sqlite_store_changes_read(struct store *s, char *station, size_t stationlen)
{
	(void)s;
	(void)station;
	(void)stationlen;
	return 0;
}
