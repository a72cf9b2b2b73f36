/*
 * The store's engine-neutral half: store_open chooses the engine by the
 * store's address (a file path or "sqlite:PATH" is SQLite, a libpq URI
 * "postgresql://..." is PostgreSQL), and every other
 * public function forwards to the engine's operation.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "station/store/pg/pg.h"
#include "station/store/sqlite/sqlite.h"
#include "station/store/store_engine.h"

struct store *
store_open(const char *path, int readonly, char *err, size_t errlen)
{
	if (strncmp(path, "sqlite:", 7) == 0)
		return sqlite_store_open(path + 7, readonly, err, errlen);
	if (strncmp(path, "postgresql:", 11) == 0 || strncmp(path, "postgres:", 9) == 0)
		return pg_store_open(path, readonly, err, errlen);
	return sqlite_store_open(path, readonly, err, errlen);
}

int
store_migrate(
    const char *from, const char *to, char *report, size_t reportlen, char *err, size_t errlen)
{
	if (store_is_server(from) || !store_is_server(to)) {
		snprintf(err, errlen,
		    "migrate copies a SQLite station into PostgreSQL"
		    " (--to postgresql://...)");
		return -1;
	}
	if (strncmp(from, "sqlite:", 7) == 0)
		from += 7;
	return pg_migrate_from_sqlite(from, to, report, reportlen, err, errlen);
}

int
store_is_server(const char *address)
{
	return strncmp(address, "postgresql:", 11) == 0 || strncmp(address, "postgres:", 9) == 0;
}

int64_t
store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
store_errmsg(struct store *s)
{
	return store_strerror(s);
}

/* ---- forwarders: one per operation ---------------------------------------- */

void
store_close(struct store *s)
{
	if (s != NULL)
		s->ops->close(s);
}

const char *
store_strerror(struct store *s)
{
	return s != NULL ? s->ops->strerror(s) : "no database";
}

int
store_schema_version(struct store *s)
{
	return s->ops->schema_version(s);
}

int
store_begin(struct store *s)
{
	return s->ops->begin(s);
}

int
store_commit(struct store *s)
{
	return s->ops->commit(s);
}

int
store_begin_lazy(struct store *s)
{
	return s->ops->begin_lazy ? s->ops->begin_lazy(s) : s->ops->begin(s);
}

int
store_durable(struct store *s)
{
	return s->ops->durable ? s->ops->durable(s) : 0;
}

void
store_rollback(struct store *s)
{
	s->ops->rollback(s);
}

int
store_add_event(struct store *s, const char *station, int64_t order_id, const char *packer,
    const char *kind, const char *verdict, const char *message, int is_error)
{
	return s->ops->add_event(s, 0, station, order_id, packer, kind, verdict, message, is_error);
}

int
store_add_scan_event(struct store *s, int64_t scan_id, const char *station, int64_t order_id,
    const char *packer, const char *kind, const char *verdict, const char *message, int is_error)
{
	return s->ops->add_event(
	    s, scan_id, station, order_id, packer, kind, verdict, message, is_error);
}

int
store_upsert_order(struct store *s, const struct order *a1, const char *source,
    const char **outcome, char *err, size_t errlen)
{
	return s->ops->upsert_order(s, a1, source, outcome, err, errlen);
}

int
store_upsert_code(struct store *s, const struct product_code *a1, char *err, size_t errlen)
{
	return s->ops->upsert_code(s, a1, err, errlen);
}

int
store_find_order(struct store *s, const char *name, int64_t *id)
{
	return s->ops->find_order(s, name, id);
}

int
store_hold_order(struct store *s, int64_t id, const char *reason, char *err, size_t errlen)
{
	return s->ops->hold_order(s, id, reason, err, errlen);
}

int
store_release_order(struct store *s, int64_t id, char *err, size_t errlen)
{
	return s->ops->release_order(s, id, err, errlen);
}

struct order_view *
store_order_view(struct store *s, int64_t order_id)
{
	return s->ops->order_view(s, order_id);
}

int
store_session_load(struct store *s, const char *station, struct sess_state *a2)
{
	return s->ops->session_load(s, station, a2);
}

int
store_session_save(struct store *s, const char *station, const struct sess_state *a2)
{
	return s->ops->session_save(s, station, a2);
}

int
store_find_product(struct store *s, const char *code, char *sku, size_t skulen, int64_t *multiplier)
{
	return s->ops->find_product(s, code, sku, skulen, multiplier);
}

int
store_last_item(
    struct store *s, const char *station, int64_t order_id, int64_t *line_id, int64_t *units)
{
	return s->ops->last_item(s, station, order_id, line_id, units);
}

int64_t
store_last_package(struct store *s, const char *station)
{
	return s->ops->last_package(s, station);
}

int64_t
store_record_scan(struct store *s, const char *station, const char *packer, const char *code,
    const char *aim, const char *verdict, int64_t order_id, int64_t line_id, int64_t units,
    int64_t package_id, const char *state)
{
	return s->ops->record_scan(
	    s, station, packer, code, aim, verdict, order_id, line_id, units, package_id, state);
}

int
store_open_order(struct store *s, int64_t order_id, const char *station)
{
	return s->ops->open_order(s, order_id, station);
}

int64_t
store_open_package(struct store *s, int64_t order_id, const char *station, int box)
{
	return s->ops->open_package(s, order_id, station, box);
}

int
store_undo_last(struct store *s, const char *station, int64_t order_id)
{
	return s->ops->undo_last(s, station, order_id);
}

int64_t
store_close_package(
    struct store *s, int64_t order_id, const char *station, const char *gs1_prefix, char sscc[19])
{
	return s->ops->close_package(s, order_id, station, gs1_prefix, sscc);
}

int64_t
store_ship(struct store *s, int64_t order_id, const char *station, const char *packer, int partial)
{
	return s->ops->ship(s, order_id, station, packer, partial);
}

int
store_close_unshipped(struct store *s, int64_t order_id, const char *station)
{
	return s->ops->close_unshipped(s, order_id, station);
}

int
store_pending_outbox(struct store *s, int64_t **ids, size_t *n)
{
	return s->ops->pending_outbox(s, ids, n);
}

char *
store_fulfillment_doc(struct store *s, int64_t id, char *order_name, size_t namelen)
{
	return s->ops->fulfillment_doc(s, id, order_name, namelen);
}

int
store_mark_outbox(struct store *s, int64_t id, const char *name)
{
	return s->ops->mark_outbox(s, id, name);
}

int
store_load_fulfillment(struct store *s, int64_t id, struct store_fulfillment **out)
{
	return s->ops->load_fulfillment(s, id, out);
}

int
store_set_fulfillment_doc(struct store *s, int64_t id, const char *doc)
{
	return s->ops->set_fulfillment_doc(s, id, doc);
}

int
store_count_orders(struct store *s, struct store_status_count **rows, size_t *n)
{
	return s->ops->count_orders(s, rows, n);
}

int
store_list_orders(struct store *s, const char *status, struct store_order_row **rows, size_t *n)
{
	return s->ops->list_orders(s, status, rows, n);
}

int
store_orders_with_sku(struct store *s, const char *sku, int64_t limit, char ***names, size_t *n)
{
	return s->ops->orders_with_sku(s, sku, limit, names, n);
}

int
store_load_order_detail(struct store *s, const char *name, struct store_order_detail **out)
{
	return s->ops->load_order_detail(s, name, out);
}

int
store_list_events(
    struct store *s, const struct log_filter *f, struct store_event_row **rows, size_t *n)
{
	return s->ops->list_events(s, f, rows, n);
}

int
store_list_stats(struct store *s, int64_t since_ms, int64_t until_ms, const char *by,
    struct store_stats_row **rows, size_t *n)
{
	return s->ops->list_stats(s, since_ms, until_ms, by, rows, n);
}

int
store_load_order_doc(struct store *s, int64_t order_id, struct store_order_doc **out)
{
	return s->ops->load_order_doc(s, order_id, out);
}

int
store_load_package(struct store *s, int64_t package_id, struct store_package_doc *out)
{
	return s->ops->load_package(s, package_id, out);
}

int
store_package_weigh(struct store *s, int64_t package_id, int64_t grams)
{
	return s->ops->package_weigh(s, package_id, grams);
}

int
store_find_label(struct store *s, const char *sscc, char *order_name, size_t namelen, int *box,
    int64_t *package_id)
{
	return s->ops->find_label(s, sscc, order_name, namelen, box, package_id);
}

int
store_package_label(
    struct store *s, int64_t package_id, char sscc[19], char *order_name, size_t namelen)
{
	return s->ops->package_label(s, package_id, sscc, order_name, namelen);
}

int
store_find_tracking(struct store *s, const char *code, char *order_name, size_t namelen)
{
	return s->ops->find_tracking(s, code, order_name, namelen);
}

int
store_order_weight(
    struct store *s, int64_t order_id, int *boxes, int64_t *grams, char *source, size_t sourcelen)
{
	return s->ops->order_weight(s, order_id, boxes, grams, source, sourcelen);
}

int
store_reconnect_step(struct store *s, struct store_wait *w)
{
	w->fd = -1;
	w->events = 0;
	w->ms = 1000;
	return s->ops->reconnect_step ? s->ops->reconnect_step(s, w) : 1;
}

int
store_shop_lead(struct store *s)
{
	return s->ops->shop_lead ? s->ops->shop_lead(s) : 1;
}
