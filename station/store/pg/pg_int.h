/*
 * The PostgreSQL engine's insides, shared by the files of station/store/pg/
 * only: nothing outside station/store/ includes this (or libpq-fe.h).
 *
 * The engine's files are the SQLite engine's, statement for statement, over
 * a small cursor API (pgst_*) that keeps SQLite's shape: a statement cached
 * per SQL literal, bound by position, stepped row by row, reset. Every
 * statement is prepared (PQprepare, named per SQL), its "?N" placeholders
 * rewritten to "$N" once; parameters travel as text (bytea as binary).
 */
#ifndef STATION_STORE_PG_INT_H
#define STATION_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "station/core/order_state.h"
#include "station/store/store_engine.h"

struct store;
typedef struct pgst pgst;

#define STMT_CACHE 200
#define MAXPARAMS  40
#define OID_INT8   20
#define OID_TEXT   25
#define OID_BYTEA  17
/* The advisory lock every write transaction takes ("STN" 1). */
#define WRITE_LOCK "5461070"

struct pgst {
	struct pg_store *q;
	const char *sql; /* the literal: the cache key */
	char *text;	 /* with $N placeholders */
	char name[16];
	int nparams;
	unsigned prepared_gen; /* connection it is prepared on, 0: none */
	char *vals[MAXPARAMS];
	int lens[MAXPARAMS], fmts[MAXPARAMS];
	Oid types[MAXPARAMS];
	PGresult *res;
	int row, nrows;
	unsigned char *blob;
	size_t bloblen;
	int sent;  /* in the pipeline (pgs_send): its rows come with the next round trip */
	int fresh; /* rows just read for it: the next step gives the first */
};

struct pg_store {
	struct store base; /* first: a struct store * is one of these */
	PGconn *conn;
	char *uri;
	int readonly;
	unsigned gen; /* connection generation (bumped by a reconnect) */
	int down;     /* the last failure was the server being unreachable */
	pgst *cache[STMT_CACHE];
	size_t ncache;
	int failed;
	char err[512];
	int64_t changes, last_id;
	int rolled_back;  /* the last COMMIT said ROLLBACK (an aborted transaction) */
	int64_t last_try; /* the last reconnect attempt that failed (ms) */
	char box[128];
	char claims[32][128]; /* benches claimed, for after a reconnect */
	size_t nclaims;
	PGconn *listener; /* LISTEN station_changes */
	/* reconnecting without blocking (pg_store.c) */
	PGconn *pending; /* a new main connection under way, NULL if none */
	PostgresPollingStatusType pending_poll;
	int64_t pending_at; /* when it started (ms) */
	char conn_err[300]; /* why the last attempt failed */
	int listen_wanted;  /* someone asked for the change listener */
	int listen_phase;   /* 0 none, 1 connecting, 2 LISTEN sent, 3 listening */
	PostgresPollingStatusType listen_poll;
	int64_t listen_at, listen_last_try;
	/* the shop-sync election (pg_lead.c): held on the session of generation lead_gen */
	int leading;
	unsigned lead_gen;
	/*
	 * Pipelining (pg_cursor.c): inside a transaction a statement whose
	 * result nobody reads is sent without waiting; the next one that
	 * needs an answer (or COMMIT) takes them all in one round trip.
	 */
	int in_txn;	     /* between pg_store_begin and commit/rollback */
	int npending;	     /* statements sent whose results are not read yet */
	pgst *keep[256];     /* per pending statement: who wants its rows (NULL: nobody) */
	int64_t round_trips; /* waits for the server, for the test trace */
	/* Rows fetched ahead (pg_view.c), dropped by any write or transaction end. */
	pgst *pre_view;	   /* the open order of the bench whose session was read */
	pgst *pre_product; /* the product lookup of pre_code */
	pgst *pre_package; /* the open box of the bench whose session was read */
	pgst *pre_state;   /* an order's state, by the name looked up (kept past a scan row) */
	pgst *pre_doc[3];  /* a new shipment's order, lines and packages (pg_pack.c) */
	char pre_code[128];
};

/* The engine's handle behind a store it opened. */
static inline struct pg_store *
PQS(struct store *s)
{
	return (struct pg_store *)s;
}

/* Shared by pg_store.c, pg_cursor.c and pg_schema.c. */
void pgs_fail_res(struct pg_store *, const PGresult *);
/*
 * pg_connect.c: 0 when connected; else -1, never waiting in the daemon (an
 * attempt is started, at most one a second, and left to the loop).
 */
int pgs_reconnect(struct pg_store *);
/* The connection broke just now: one fresh attempt, waited for briefly. 0 / -1. */
int pgs_reconnect_now(struct pg_store *);
/* Why the database is away (the last attempt's error). */
const char *pgs_conn_error(struct pg_store *);
int pgs_exec_one(struct pg_store *, const char *sql, char *err, size_t errlen);
int pgs_read_version(struct pg_store *);
int pgs_migrate(struct pg_store *, char *err, size_t errlen);
/* The version this engine migrates to (STORE_SCHEMA_VERSION). */
int pgs_schema_latest(void);

/* Step results and the NULL column type, as SQLite's (the ported code compares them). */
#define PGST_ROW   100
#define PGST_DONE  101
#define PGST_ERROR 1
#define PGST_NULL  5
#define PGST_NOMEM 7

PGconn *pgs_db(struct store *);
/* A cached prepared statement for a SQL literal (reset,
	    bindings cleared); NULL on error. */
pgst *pgs_stmt(struct store *, const char *sql);
/* Executes st (first call) or moves to its next row: PGST_ROW,
	    PGST_DONE or PGST_ERROR (recorded). */
int pgs_step(struct store *, pgst *);
int pgst_step(pgst *);
void pgst_reset(pgst *);
/* Frees a cached statement (the store's close). */
void pgst_free(pgst *);
int pgs_fail(struct store *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pgs_bind_text(pgst *, int, const char *);
int pgs_bind_id(pgst *, int, int64_t);
int pgst_bind_int64(pgst *, int, int64_t);
int pgst_bind_int(pgst *, int, int);
int pgst_bind_null(pgst *, int);
int pgst_bind_blob64(pgst *, int, const void *, size_t, int);
#define PGST_TRANSIENT 0
int64_t pgst_column_int64(pgst *, int);
int pgst_column_int(pgst *, int);
double pgst_column_double(pgst *, int);
const unsigned char *pgst_column_text(pgst *, int);
int pgst_column_type(pgst *, int);
const void *pgst_column_blob(pgst *, int);
int pgst_column_bytes(pgst *, int);
char *pgs_col_dup(pgst *, int);
/*
 * Runs st for its effect only. Inside a transaction it is queued (sent, not
 * waited for): its error, if any, comes back from the next statement that
 * is stepped, from pgs_changes/pgs_last_id, or from COMMIT.
 */
int pgs_run(struct store *, pgst *);
/*
 * Sends st (bound) without waiting; its rows arrive with the next round
 * trip and pgs_step then reads them. Several statements whose answers are
 * all needed cost one round trip so. 0 / -1.
 */
int pgs_send(struct store *, pgst *);
/* Reads the results of every queued statement (one round trip). 0 / -1. */
int pgs_flush(struct store *);
/* Drops the queued statements' results (a rollback): errors are not recorded. */
void pgs_discard(struct pg_store *);
/* Test hook: STATION_TEST_PG_TRACE=FILE gets a line per round trip. */
void pgs_trace_round_trip(struct pg_store *, const char *what);
int pgs_step_done(pgst *);
/* Rows changed by the last INSERT/UPDATE/DELETE; the id an INSERT ... RETURNING id gave. */
int64_t pgs_changes(struct store *);
int64_t pgs_last_id(struct store *);
int pgs_collect_ids(struct store *, const char *sql, int64_t arg, int64_t **ids, size_t *n);
/*
 * The same for rows of this box's benches: sql's ?1 is the box name ("" when
 * none is set: every row). Use BOX_BENCHES in the WHERE clause.
 */
#define BOX_BENCHES(col) " AND (?1 = '' OR " col " IN (SELECT station FROM benches WHERE box = ?1))"
int pgs_collect_box_ids(struct store *, const char *sql, int64_t **ids, size_t *n);
int pgs_lines_status(struct store *, int64_t order_id, enum order_status *status);
/*
 * What pg_store_record_scan returns inside a transaction instead of the new
 * row's id (not waited for): pg_store_add_event and pg_store_scan_set_key
 * read it as "the scan this transaction just recorded".
 */
#define PG_SCAN_THIS	INT64_MAX
/* The same for pg_store_open_package's new box, read by pg_store_record_scan. */
#define PG_PACKAGE_THIS (INT64_MAX - 1)
/*
 * Rows not waited for are named by currval of their identity column's
 * sequence, TABLE_id_seq (PostgreSQL's name for it, made by schema 1;
 * named literally: resolved once, at PREPARE, not looked up per row).
 */
/*
 * The bench's open box read with its session (pg_view.c), if that was for
 * order_id: its id, or -2 (none is open); 0 when not known.
 */
int64_t pgs_package_ahead(struct store *, int64_t order_id);
/* The order's state read with its name's lookup (pg_view.c): 1 (in *st, stepped), 0 not. */
int pgs_state_ahead(struct store *, int64_t order_id, pgst **st);
/* The next SSCC serial (sequence sscc_serial); -1 on error. */
int64_t pgs_sequence_next(struct store *);
/* This store's box name (the [daemon] box), "" if unset. */
const char *pgs_box(struct store *);
void pgs_set_box(struct store *, const char *);
/* 1 while the server is unreachable (the last failure said so). */
int pgs_is_down(struct store *);
/* Benches this daemon claimed: taken again after a reconnect (pg_boxes.c). */
int pgs_add_claim(struct store *, const char *station);
int pgs_take_claim(struct store *, const char *station);
/* pg_notify on the changes channel, delivered at commit. 0 / -1. */
int pgs_notify(struct store *, const char *station);
/* The listening connection (made on first use, LISTENing), NULL if it cannot be. */
PGconn *pgs_listener(struct store *);
void pgs_drop_listener(struct store *);

/* The engine's operations (struct store_ops), defined across this folder. */
void pg_store_close(struct store *);
const char *pg_store_strerror(struct store *);
int pg_store_schema_version(struct store *);
int pg_store_begin(struct store *);
int pg_store_commit(struct store *);
void pg_store_rollback(struct store *);
int pg_store_add_event(struct store *, int64_t scan_id, const char *station, int64_t order_id,
    const char *packer, const char *kind, const char *verdict, const char *message, int is_error);
int pg_store_upsert_order(struct store *, const struct order *, const char *source,
    const char **outcome, char *err, size_t errlen);
int pg_store_upsert_code(struct store *, const struct product_code *, char *err, size_t errlen);
int pg_store_find_order(struct store *, const char *name, int64_t *id);
int pg_store_hold_order(struct store *, int64_t id, const char *reason, char *err, size_t errlen);
int pg_store_release_order(struct store *, int64_t id, char *err, size_t errlen);
struct order_view *pg_store_order_view(struct store *, int64_t order_id);
int pg_store_session_load(struct store *, const char *station, struct sess_state *);
int pg_store_session_save(struct store *, const char *station, const struct sess_state *);
int pg_store_find_product(
    struct store *, const char *code, char *sku, size_t skulen, int64_t *multiplier);
int pg_store_last_item(
    struct store *, const char *station, int64_t order_id, int64_t *line_id, int64_t *units);
int64_t pg_store_last_package(struct store *, const char *station);
int64_t pg_store_record_scan(struct store *, const char *station, const char *packer,
    const char *code, const char *aim, const char *verdict, int64_t order_id, int64_t line_id,
    int64_t units, int64_t package_id, const char *state);
int pg_store_open_order(struct store *, int64_t order_id, const char *station);
int64_t pg_store_open_package(struct store *, int64_t order_id, const char *station, int box);
int pg_store_undo_last(struct store *, const char *station, int64_t order_id);
int64_t pg_store_close_package(
    struct store *, int64_t order_id, const char *station, const char *gs1_prefix, char sscc[19]);
int64_t pg_store_ship(
    struct store *, int64_t order_id, const char *station, const char *packer, int partial);
int pg_store_close_unshipped(struct store *, int64_t order_id, const char *station);
int pg_store_pending_outbox(struct store *, int64_t **ids, size_t *n);
char *pg_store_fulfillment_doc(struct store *, int64_t id, char *order_name, size_t namelen);
int pg_store_mark_outbox(struct store *, int64_t id, const char *name);
int pg_store_load_fulfillment(struct store *, int64_t id, struct store_fulfillment **out);
int pg_store_set_fulfillment_doc(struct store *, int64_t id, const char *doc);
int pg_store_count_orders(struct store *, struct store_status_count **rows, size_t *n);
int pg_store_orders_with_sku(
    struct store *, const char *sku, int64_t limit, char ***names, size_t *n);
int pg_store_list_orders(
    struct store *, const char *status, struct store_order_row **rows, size_t *n);
int pg_store_load_order_detail(struct store *, const char *name, struct store_order_detail **out);
int pg_store_list_events(
    struct store *, const struct log_filter *f, struct store_event_row **rows, size_t *n);
int pg_store_list_stats(struct store *, int64_t since_ms, int64_t until_ms, const char *by,
    struct store_stats_row **rows, size_t *n);
int pg_store_load_order_doc(struct store *, int64_t order_id, struct store_order_doc **out);
int pg_store_load_package(struct store *, int64_t package_id, struct store_package_doc *out);

/* store_maint.h (pg_maint.c), store_shop.h (pg_shop.c) */
extern const struct store_maint_ops pg_maint_ops;
extern const struct store_shop_ops pg_shop_ops;

/* store_jobs.h */
int64_t pg_store_job_insert(struct store *, const char *station, const char *printer,
    const char *kind, int64_t order_id, int64_t package_id, const char *title, const char *media,
    int copies, const void *pdf, size_t len);
int pg_store_job_update(
    struct store *, int64_t id, const char *state, int ipp_job_id, const char *reason);
int pg_store_job_attempt(struct store *, int64_t id);
int pg_store_job_reset(struct store *, int64_t id, const char *reason);
int pg_store_job_load(struct store *, int64_t id, struct job_row *, void **pdf, size_t *len);
int pg_store_jobs_unsent(struct store *, int64_t **ids, size_t *n);
int pg_store_jobs_unfinished(struct store *, int64_t **ids, size_t *n);
int pg_store_mark_slip_printed(struct store *, int64_t order_id);
int pg_store_slip_printed(struct store *, int64_t order_id);
int pg_store_orders_without_slip(struct store *, int64_t limit, int64_t **ids, size_t *n);
int pg_store_find_package_sscc(
    struct store *, const char *sscc, int64_t *id, char *station, size_t stationlen);
int64_t pg_store_last_package_of_order(
    struct store *, int64_t order_id, char *station, size_t stationlen);
int64_t pg_store_effect_add(struct store *, const char *station, const char *kind, int64_t ref);
int pg_store_effect_done(struct store *, int64_t id);
int pg_store_effects_pending(struct store *, int64_t **ids, size_t *n);
int pg_store_effect_load(struct store *, int64_t id, char *station, size_t stationlen, char *kind,
    size_t kindlen, int64_t *ref);
int pg_store_scan_by_key(struct store *, const char *station, const char *key, char **reply);
int pg_store_scan_set_key(struct store *, int64_t scan_id, const char *key, const char *reply);
int pg_store_last_verdict(struct store *, const char *station, struct last_verdict *lv);
int pg_store_resume_message(struct store *, const char *station, char *msg, size_t msglen);

/* store.h: reconnecting (pg_store.c), the shop-sync election (pg_lead.c) */
int pg_store_reconnect_step(struct store *, struct store_wait *);
int pg_store_shop_lead(struct store *);

/* store_boxes.h */
int pg_store_box_start(struct store *, const char *box);
int pg_store_box_heartbeat(struct store *);
int pg_store_box_stop(struct store *);
int pg_store_claim_station(struct store *, const char *station, char *holder, size_t holderlen);
int pg_store_list_benches(struct store *, struct store_bench_row **rows, size_t *n);
int pg_store_unavailable(struct store *);
int pg_store_abandon_order(struct store *, int64_t order_id, char *station, size_t stationlen);
int pg_store_changes_fd(struct store *);
int pg_store_changes_read(struct store *, char *station, size_t stationlen);

/* store_checks.h (pg_checks.c) */
int pg_store_package_weigh(struct store *, int64_t package_id, int64_t grams);
int pg_store_find_label(struct store *, const char *sscc, char *order_name, size_t namelen,
    int *box, int64_t *package_id);
int pg_store_package_label(
    struct store *, int64_t package_id, char sscc[19], char *order_name, size_t namelen);
int pg_store_find_tracking(struct store *, const char *code, char *order_name, size_t namelen);
int pg_store_order_weight(
    struct store *, int64_t order_id, int *boxes, int64_t *grams, char *source, size_t sourcelen);
/* Schema 5 -> 6 (issue 15), listed in pg_schema.c after the shop sync's 4 -> 5. */
extern const char pg_migration_checks[];

#endif
