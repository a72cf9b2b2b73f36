/*
 * The SQLite engine's insides, shared by the files of station/store/sqlite/ only:
 * nothing outside station/store/ includes this (or sqlite3.h).
 */
#ifndef STATION_STORE_SQLITE_INT_H
#define STATION_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "station/core/order_state.h"
#include "station/store/store_engine.h"

struct store;

/* sqlite3_exec with its message in err: 0 / -1. */
int sqlite_exec(sqlite3 *, const char *sql, char *err, size_t errlen);
/* PRAGMA user_version, -1 on error. */
int sqlite_user_version(sqlite3 *);
/* The newest schema version (STORE_SCHEMA_VERSION). */
int sqlite_schema_latest(void);
/* Migrates the file up to the newest version, one transaction a step: 0 / -1 and err. */
int sqlite_migrate(sqlite3 *, char *err, size_t errlen);

/* The handle, for the engine's own files. */
sqlite3 *store_db(struct store *);
/*
 * A cached prepared statement for a SQL literal (reset, bindings cleared);
 * NULL (error recorded) if it does not prepare. Outside a transaction each
 * statement starts a fresh error record.
 */
sqlite3_stmt *store_stmt(struct store *, const char *sql);

/*
 * Steps st; a result other than SQLITE_ROW / SQLITE_DONE is recorded as the
 * store's error unless an earlier one of this transaction is (the first
 * error wins: a rollback's "not an error" never hides the cause).
 */
int store_step(struct store *, sqlite3_stmt *);
/* Records msg (printf) as the error unless one is recorded already. Returns -1. */
int store_fail(struct store *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Binds a string or NULL. */
int store_bind_text(sqlite3_stmt *, int, const char *);
/* Binds an integer, or NULL for 0 (ids the schema keeps NULL when absent). */
int store_bind_id(sqlite3_stmt *, int, int64_t);
/* strdup of a text column, NULL for NULL (or out of memory). */
char *store_col_dup(sqlite3_stmt *, int);
/* Steps a statement that returns no row, then resets it. 0 / -1 (recorded). */
int store_run(struct store *, sqlite3_stmt *);
/* The same without recording (store_jobs.c's older form). */
int store_step_done(sqlite3_stmt *);
/*
 * The first column of every row of sql (bound with arg if it takes one),
 * as a malloc'ed array. 0 / -1.
 */
int store_collect_ids(struct store *, const char *sql, int64_t arg, int64_t **ids, size_t *n);
/*
 * What the order's lines and shipments say (order_state_of_lines):
 * ready, partial, fulfilled or digital (nothing to ship). 0 / -1.
 */
int store_lines_status(struct store *, int64_t order_id, enum order_status *status);
/* Next value of a named counter (inside a transaction); -1 on error. */
int64_t store_counter_next(struct store *, const char *name);

/* The engine's operations (struct store_ops), defined across this folder. */
void sqlite_store_close(struct store *);
const char *sqlite_store_strerror(struct store *);
int sqlite_store_schema_version(struct store *);
int sqlite_store_begin(struct store *);
int sqlite_store_commit(struct store *);
int sqlite_store_begin_lazy(struct store *);
int sqlite_store_durable(struct store *);
void sqlite_store_rollback(struct store *);
int sqlite_store_add_event(struct store *, int64_t scan_id, const char *station, int64_t order_id,
    const char *packer, const char *kind, const char *verdict, const char *message, int is_error);
int sqlite_store_upsert_order(struct store *, const struct order *, const char *source,
    const char **outcome, char *err, size_t errlen);
int sqlite_store_upsert_code(struct store *, const struct product_code *, char *err, size_t errlen);
int sqlite_store_find_order(struct store *, const char *name, int64_t *id);
int sqlite_store_hold_order(
    struct store *, int64_t id, const char *reason, char *err, size_t errlen);
int sqlite_store_release_order(struct store *, int64_t id, char *err, size_t errlen);
struct order_view *sqlite_store_order_view(struct store *, int64_t order_id);
int sqlite_store_session_load(struct store *, const char *station, struct sess_state *);
int sqlite_store_session_save(struct store *, const char *station, const struct sess_state *);
int sqlite_store_find_product(
    struct store *, const char *code, char *sku, size_t skulen, int64_t *multiplier);
int sqlite_store_last_item(
    struct store *, const char *station, int64_t order_id, int64_t *line_id, int64_t *units);
int64_t sqlite_store_last_package(struct store *, const char *station);
int64_t sqlite_store_record_scan(struct store *, const char *station, const char *packer,
    const char *code, const char *aim, const char *verdict, int64_t order_id, int64_t line_id,
    int64_t units, int64_t package_id, const char *state);
int sqlite_store_open_order(struct store *, int64_t order_id, const char *station);
int64_t sqlite_store_open_package(struct store *, int64_t order_id, const char *station, int box);
int sqlite_store_undo_last(struct store *, const char *station, int64_t order_id);
int64_t sqlite_store_close_package(
    struct store *, int64_t order_id, const char *station, const char *gs1_prefix, char sscc[19]);
int64_t sqlite_store_ship(
    struct store *, int64_t order_id, const char *station, const char *packer, int partial);
int sqlite_store_close_unshipped(struct store *, int64_t order_id, const char *station);
int sqlite_store_pending_outbox(struct store *, int64_t **ids, size_t *n);
char *sqlite_store_fulfillment_doc(struct store *, int64_t id, char *order_name, size_t namelen);
int sqlite_store_mark_outbox(struct store *, int64_t id, const char *name);
int sqlite_store_load_fulfillment(struct store *, int64_t id, struct store_fulfillment **out);
int sqlite_store_set_fulfillment_doc(struct store *, int64_t id, const char *doc);
int sqlite_store_count_orders(struct store *, struct store_status_count **rows, size_t *n);
int sqlite_store_list_orders(
    struct store *, const char *status, struct store_order_row **rows, size_t *n);
int sqlite_store_orders_with_sku(
    struct store *, const char *sku, int64_t limit, char ***names, size_t *n);
int sqlite_store_load_order_detail(
    struct store *, const char *name, struct store_order_detail **out);
int sqlite_store_list_events(
    struct store *, const struct log_filter *f, struct store_event_row **rows, size_t *n);
int sqlite_store_list_stats(struct store *, int64_t since_ms, int64_t until_ms, const char *by,
    struct store_stats_row **rows, size_t *n);
int sqlite_store_load_order_doc(struct store *, int64_t order_id, struct store_order_doc **out);
int sqlite_store_load_package(struct store *, int64_t package_id, struct store_package_doc *out);

/* Upkeep (store_maint.h): sqlite/store_maint.c and sqlite/store_retention.c. */
struct store_maint_ops;
struct store_export_row;
typedef void (*store_problem_fn)(void *arg, const char *problem);
extern const struct store_maint_ops sqlite_maint_ops;
int sqlite_store_backup(struct store *, const char *path, char *err, size_t errlen);
int sqlite_store_check(struct store *, store_problem_fn, void *arg);
int sqlite_store_compact(struct store *, int pages);
int sqlite_store_archive_orders(struct store *, int64_t before_ms, int limit, int64_t *n);
int sqlite_store_prune_log(struct store *, int64_t before_ms, int limit, int64_t *n);
int sqlite_store_export_shipments(
    struct store *, int64_t since_ms, int64_t until_ms, struct store_export_row **rows, size_t *n);
/* store_shop.c: shop sync tables (struct store_ops.shop) */
extern const struct store_shop_ops sqlite_shop_ops;
/* store_jobs.h */
int64_t sqlite_store_job_insert(struct store *, const char *station, const char *printer,
    const char *kind, int64_t order_id, int64_t package_id, const char *title, const char *media,
    int copies, const void *pdf, size_t len);
int sqlite_store_job_update(
    struct store *, int64_t id, const char *state, int ipp_job_id, const char *reason);
int sqlite_store_job_attempt(struct store *, int64_t id);
int sqlite_store_job_reset(struct store *, int64_t id, const char *reason);
int sqlite_store_job_load(struct store *, int64_t id, struct job_row *, void **pdf, size_t *len);
int sqlite_store_jobs_unsent(struct store *, int64_t **ids, size_t *n);
int sqlite_store_jobs_unfinished(struct store *, int64_t **ids, size_t *n);
int sqlite_store_mark_slip_printed(struct store *, int64_t order_id);
int sqlite_store_slip_printed(struct store *, int64_t order_id);
int sqlite_store_orders_without_slip(struct store *, int64_t limit, int64_t **ids, size_t *n);
int sqlite_store_find_package_sscc(
    struct store *, const char *sscc, int64_t *id, char *station, size_t stationlen);
int64_t sqlite_store_last_package_of_order(
    struct store *, int64_t order_id, char *station, size_t stationlen);
int64_t sqlite_store_effect_add(struct store *, const char *station, const char *kind, int64_t ref);
int sqlite_store_effect_done(struct store *, int64_t id);
int sqlite_store_effects_pending(struct store *, int64_t **ids, size_t *n);
int sqlite_store_effect_load(struct store *, int64_t id, char *station, size_t stationlen,
    char *kind, size_t kindlen, int64_t *ref);
int sqlite_store_scan_by_key(struct store *, const char *station, const char *key, char **reply);
int sqlite_store_scan_set_key(struct store *, int64_t scan_id, const char *key, const char *reply);
int sqlite_store_last_verdict(struct store *, const char *station, struct last_verdict *lv);
int sqlite_store_resume_message(struct store *, const char *station, char *msg, size_t msglen);

/* store_boxes.h */
int sqlite_store_box_start(struct store *, const char *box);
int sqlite_store_box_heartbeat(struct store *);
int sqlite_store_box_stop(struct store *);
int sqlite_store_claim_station(struct store *, const char *station, char *holder, size_t holderlen);
int sqlite_store_list_benches(struct store *, struct store_bench_row **rows, size_t *n);
int sqlite_store_unavailable(struct store *);
int sqlite_store_abandon_order(struct store *, int64_t order_id, char *station, size_t stationlen);
int sqlite_store_changes_fd(struct store *);
int sqlite_store_changes_read(struct store *, char *station, size_t stationlen);

/* store_checks.c */
int sqlite_store_package_weigh(struct store *, int64_t package_id, int64_t grams);
int sqlite_store_find_label(struct store *, const char *sscc, char *order_name, size_t namelen,
    int *box, int64_t *package_id);
int sqlite_store_package_label(
    struct store *, int64_t package_id, char sscc[19], char *order_name, size_t namelen);
int sqlite_store_find_tracking(struct store *, const char *code, char *order_name, size_t namelen);
int sqlite_store_order_weight(
    struct store *, int64_t order_id, int *boxes, int64_t *grams, char *source, size_t sourcelen);

#endif
