/* Shop sync's tables in PostgreSQL: shop_fos, shop_pushes, shop_state (as SQLite's). */
#include <stdlib.h>
#include <string.h>

#include "station/store/pg/pg_int.h"
#include "station/store/store.h"
#include "station/store/store_shop.h"

static int
put_fo(struct store *s, int64_t fo_id, int64_t order_shop_id, int here, const char *status,
    const char *doc)
{
	pgst *st = pgs_stmt(s,
	    "INSERT INTO shop_fos(fo_id, order_shop_id, here, status, doc, updated_at)"
	    " VALUES (?1,?2,?3,?4,?5,?6) ON CONFLICT(fo_id) DO UPDATE SET"
	    " order_shop_id = excluded.order_shop_id, here = excluded.here,"
	    " status = excluded.status, doc = excluded.doc, updated_at = excluded.updated_at");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, fo_id);
	pgst_bind_int64(st, 2, order_shop_id);
	pgst_bind_int(st, 3, here);
	pgs_bind_text(st, 4, status);
	pgs_bind_text(st, 5, doc);
	pgst_bind_int64(st, 6, store_now_ms());
	return pgs_run(s, st);
}

static int
order_fos(struct store *s, int64_t order_shop_id, char ***docs, size_t *n)
{
	pgst *st = pgs_stmt(s, "SELECT doc FROM shop_fos WHERE order_shop_id = ?1 ORDER BY fo_id");
	char **v = NULL, **nv;
	size_t k = 0, i;
	int r;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_shop_id);
	while ((r = pgs_step(s, st)) == PGST_ROW) {
		if ((nv = realloc(v, (k + 1) * sizeof(*v))) == NULL ||
		    (nv[k] = pgs_col_dup(st, 0)) == NULL) {
			if (nv != NULL)
				v = nv;
			r = PGST_NOMEM;
			break;
		}
		v = nv;
		k++;
	}
	pgst_reset(st);
	if (r != PGST_DONE) {
		for (i = 0; i < k; i++)
			free(v[i]);
		free(v);
		return pgs_fail(s, "shop fulfillment orders: cannot read");
	}
	*docs = v;
	*n = k;
	return 0;
}

static int
get_state(struct store *s, const char *key, char **value)
{
	pgst *st = pgs_stmt(s, "SELECT value FROM shop_state WHERE key = ?1");
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, key);
	r = pgs_step(s, st);
	*value = r == PGST_ROW ? pgs_col_dup(st, 0) : NULL;
	pgst_reset(st);
	return r == PGST_ROW || r == PGST_DONE ? 0 : -1;
}

static int
set_state(struct store *s, const char *key, const char *value)
{
	pgst *st = pgs_stmt(s,
	    "INSERT INTO shop_state(key, value) VALUES (?1,?2)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value");

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, key);
	pgs_bind_text(st, 2, value);
	return pgs_run(s, st);
}

static int
add_push(struct store *s, int64_t fid, int64_t order_id, const char *payload)
{
	pgst *st = pgs_stmt(s,
	    "INSERT INTO shop_pushes(fulfillment_id, order_id, state, payload, created_at,"
	    " updated_at) VALUES (?1, coalesce(?2::bigint, (SELECT order_id FROM fulfillments"
	    " WHERE id = ?1), 0), 'pending', ?3, ?4, ?4) ON CONFLICT(fulfillment_id) DO UPDATE"
	    " SET payload = excluded.payload, state = 'pending', error = NULL,"
	    " updated_at = excluded.updated_at");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, fid);
	pgs_bind_id(st, 2, order_id);
	pgs_bind_text(st, 3, payload);
	pgst_bind_int64(st, 4, store_now_ms());
	return pgs_run(s, st);
}

/* A column copied, NULL for NULL (as SQLite's store_col_dup). */
static char *
col_dup(pgst *st, int i)
{
	return pgst_column_type(st, i) == PGST_NULL ? NULL : pgs_col_dup(st, i);
}

static void
read_push(pgst *st, struct store_push_row *r)
{
	memset(r, 0, sizeof(*r));
	r->fulfillment_id = pgst_column_int64(st, 0);
	r->order_id = pgst_column_int64(st, 1);
	r->order_name = col_dup(st, 2);
	r->state = col_dup(st, 3);
	r->payload = col_dup(st, 4);
	r->shop_fulfillment = col_dup(st, 5);
	r->error = col_dup(st, 6);
	r->attempts = pgst_column_int64(st, 7);
	r->first_sent_ms = pgst_column_int64(st, 8);
	r->created_ms = pgst_column_int64(st, 9);
	r->updated_ms = pgst_column_int64(st, 10);
}

static int
list_pushes(
    struct store *s, const char *state, int64_t fid, struct store_push_row **rows, size_t *n)
{
	pgst *st = pgs_stmt(s,
	    "SELECT p.fulfillment_id, p.order_id, o.name, p.state, p.payload,"
	    " p.shop_fulfillment, p.error, p.attempts, coalesce(p.first_sent_at, 0),"
	    " p.created_at, p.updated_at FROM shop_pushes p LEFT JOIN orders o"
	    " ON o.id = p.order_id WHERE (?1::text IS NULL OR p.state = ?1)"
	    " AND (?2 = 0 OR p.fulfillment_id = ?2) ORDER BY p.fulfillment_id");
	struct store_push_row *v = NULL, *nv;
	size_t k = 0;
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, state && strcmp(state, "failed") == 0 ? PUSH_REFUSED : state);
	pgst_bind_int64(st, 2, fid);
	while ((r = pgs_step(s, st)) == PGST_ROW) {
		if ((nv = realloc(v, (k + 1) * sizeof(*v))) == NULL) {
			r = PGST_NOMEM;
			break;
		}
		v = nv;
		read_push(st, &v[k++]);
	}
	pgst_reset(st);
	if (r != PGST_DONE) {
		store_push_rows_free(v, k);
		return pgs_fail(s, "shop pushes: cannot read");
	}
	*rows = v;
	*n = k;
	return 0;
}

static int
update_push(struct store *s, int64_t fid, const char *state, int64_t attempts,
    int64_t first_sent_ms, const char *shop_fulfillment, const char *error)
{
	pgst *st = pgs_stmt(s,
	    "UPDATE shop_pushes SET state = ?2, attempts = ?3, first_sent_at = ?4,"
	    " shop_fulfillment = ?5, error = ?6, updated_at = ?7 WHERE fulfillment_id = ?1");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, fid);
	pgs_bind_text(st, 2, state);
	pgst_bind_int64(st, 3, attempts);
	pgs_bind_id(st, 4, first_sent_ms);
	pgs_bind_text(st, 5, shop_fulfillment);
	pgs_bind_text(st, 6, error);
	pgst_bind_int64(st, 7, store_now_ms());
	return pgs_run(s, st);
}

static int
push_claimed(struct store *s, const char *gid)
{
	pgst *st = pgs_stmt(s, "SELECT 1 FROM shop_pushes WHERE shop_fulfillment = ?1");
	int r;

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, gid);
	r = pgs_step(s, st);
	pgst_reset(st);
	return r == PGST_ROW ? 1 : r == PGST_DONE ? 0 : -1;
}

static int
order_shop_id(struct store *s, int64_t order_id, int64_t *shop_id)
{
	pgst *st = pgs_stmt(s, "SELECT shop_id FROM orders WHERE id = ?1");
	int r, has = 0;

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, order_id);
	r = pgs_step(s, st);
	if (r == PGST_ROW && pgst_column_type(st, 0) != PGST_NULL) {
		*shop_id = pgst_column_int64(st, 0);
		has = 1;
	}
	pgst_reset(st);
	return r == PGST_ROW || r == PGST_DONE ? has : -1;
}

const struct store_shop_ops pg_shop_ops = {
	.put_fo = put_fo,
	.order_fos = order_fos,
	.get_state = get_state,
	.set_state = set_state,
	.add_push = add_push,
	.list_pushes = list_pushes,
	.update_push = update_push,
	.push_claimed = push_claimed,
	.order_shop_id = order_shop_id,
};
