/*
 * The PostgreSQL store: connect (a libpq URI, no password in it), open and
 * close, transactions, the first error, the box's claims. Reconnecting
 * after an outage and the listener are pg_connect.c, the cursor
 * pg_cursor.c, the schema pg_schema.c.
 *
 * Several daemons (boxes) share one database. Write transactions take one
 * transaction-scoped advisory lock first, so they run one after another as
 * SQLite's writers do: every read-then-write the SQLite engine relies on
 * (a claim, a counter, a re-import) stays correct across boxes, and a
 * transaction is a few milliseconds, never held while a packer works.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/store/pg/pg.h"
#include "station/store/pg/pg_int.h"
#include "station/store/store.h"

static void quiet_notices(void *, const char *);

PGconn *
pgs_db(struct store *s)
{
	return PQS(s)->conn;
}

const char *
pgs_box(struct store *s)
{
	return PQS(s)->box;
}

void
pgs_set_box(struct store *s, const char *box)
{
	snprintf(PQS(s)->box, sizeof(PQS(s)->box), "%s", box ? box : "");
}

int
pgs_is_down(struct store *s)
{
	return PQS(s)->down;
}

int
pgs_add_claim(struct store *s, const char *station)
{
	struct pg_store *q = PQS(s);
	size_t i;

	for (i = 0; i < q->nclaims; i++)
		if (strcmp(q->claims[i], station) == 0)
			return 0;
	if (q->nclaims == sizeof(q->claims) / sizeof(q->claims[0]) ||
	    strlen(station) >= sizeof(q->claims[0]))
		return pgs_fail(s, "too many benches (or too long a name) to claim");
	snprintf(q->claims[q->nclaims++], sizeof(q->claims[0]), "%s", station);
	return 0;
}

const char *
pg_store_strerror(struct store *s)
{
	if (PQS(s)->failed)
		return PQS(s)->err;
	if (PQS(s)->conn != NULL && PQstatus(PQS(s)->conn) == CONNECTION_BAD)
		return "database connection lost";
	return "unknown error";
}

int
pgs_fail(struct store *s, const char *fmt, ...)
{
	va_list ap;

	if (PQS(s)->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(PQS(s)->err, sizeof(PQS(s)->err), fmt, ap);
	va_end(ap);
	PQS(s)->failed = 1;
	return -1;
}

/* Records the server's (or libpq's) message, one line, as the first error. */
void
pgs_fail_res(struct pg_store *q, const PGresult *res)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char buf[512];
	size_t n;

	snprintf(buf, sizeof(buf), "%s", m ? m : PQerrorMessage(q->conn));
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (PQstatus(q->conn) == CONNECTION_BAD) {
		q->down = 1;
		pgs_fail(&q->base, "database unavailable: %s", *buf ? buf : "connection lost");
	} else
		pgs_fail(&q->base, "%s", *buf ? buf : "database error");
}

static const struct store_ops pg_ops;

static void
quiet_notices(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}


/*
 * The URI as given (libpq's): host, port, dbname, user, sslmode. A
 * password is refused here: it belongs in ~/.pgpass or PGPASSWORD.
 */
struct store *
pg_store_open(const char *uri, int readonly, char *err, size_t errlen)
{
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { "3", "stationd", uri, NULL };
	struct pg_store *q;
	PQconninfoOption *opts, *o;
	char *perr = NULL;

	if ((opts = PQconninfoParse(uri, &perr)) == NULL) {
		snprintf(err, errlen, "%s: %s", uri, perr ? perr : "not a connection URI");
		PQfreemem(perr);
		return NULL;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && *o->val) {
			PQconninfoFree(opts);
			snprintf(err, errlen,
			    "database: a password in the address is refused:"
			    " put it in ~/.pgpass (or PGPASSFILE / PGPASSWORD)");
			return NULL;
		}
	PQconninfoFree(opts);
	if ((q = calloc(1, sizeof(*q))) == NULL || (q->uri = strdup(uri)) == NULL) {
		free(q);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->base.ops = &pg_ops;
	q->readonly = readonly;
	q->gen = 1;
	q->conn = PQconnectdbParams(keys, vals, 1);
	if (q->conn == NULL || PQstatus(q->conn) != CONNECTION_OK) {
		char m[400];
		size_t n;

		snprintf(m, sizeof(m), "%s", q->conn ? PQerrorMessage(q->conn) : "out of memory");
		n = strlen(m);
		while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
			m[--n] = '\0';
		snprintf(err, errlen, "%s: %s", uri, m);
		pg_store_close(&q->base);
		return NULL;
	}
	PQsetNoticeProcessor(q->conn, quiet_notices, NULL);
	if (!readonly) {
		if (pgs_migrate(q, err, errlen) == -1) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s: %s", uri, err);
			snprintf(err, errlen, "%s", tmp);
			pg_store_close(&q->base);
			return NULL;
		}
	} else {
		int v = pgs_read_version(q);

		if (v != pgs_schema_latest()) {
			snprintf(err, errlen, "%s: %s", uri,
			    v < 0
				? q->err
				: "database not initialised by this station version (start stationd first)");
			pg_store_close(&q->base);
			return NULL;
		}
	}
	return &q->base;
}

void
pg_store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < PQS(s)->ncache; i++) {
		pgst_free(PQS(s)->cache[i]);
	}
	if (PQS(s)->conn)
		PQfinish(PQS(s)->conn);
	if (PQS(s)->pending)
		PQfinish(PQS(s)->pending);
	pgs_drop_listener(s);
	free(PQS(s)->uri);
	free(s);
}

int
pg_store_begin(struct store *s)
{
	pgst *st;

	PQS(s)->failed = 0; /* a new transaction, a new first error */
	/* known away: refused at once (the daemon's loop reconnects) */
	if (PQstatus(PQS(s)->conn) != CONNECTION_OK && pgs_reconnect(PQS(s)) == -1)
		return pgs_fail(s, "database unavailable: %s", pgs_conn_error(PQS(s)));
	if (PQtransactionStatus(PQS(s)->conn) != PQTRANS_IDLE)
		pg_store_rollback(s);
	/*
	 * BEGIN and the lock are sent without waiting (pgs_run queues them):
	 * a server that went away while we were idle is noticed here, by what
	 * it left on the socket, so the transaction starts on a fresh one.
	 */
	if ((!PQconsumeInput(PQS(s)->conn) || !PQconsumeInput(PQS(s)->conn)) &&
	    PQstatus(PQS(s)->conn) == CONNECTION_BAD && pgs_reconnect_now(PQS(s)) == -1)
		return pgs_fail(s, "database unavailable: %s", PQerrorMessage(PQS(s)->conn));
	PQS(s)->in_txn = 1;
	if ((st = pgs_stmt(s, "BEGIN")) == NULL || pgs_run(s, st) == -1) {
		/*
		 * The server restarted since the last statement: nothing is done
		 * yet, so a fresh connection may start the transaction after all.
		 */
		if (PQstatus(PQS(s)->conn) != CONNECTION_BAD || pgs_reconnect_now(PQS(s)) == -1)
			return -1;
		PQS(s)->failed = 0;
		if ((st = pgs_stmt(s, "BEGIN")) == NULL || pgs_run(s, st) == -1)
			return -1;
	}
	if (PQS(s)->readonly)
		return 0;
	if ((st = pgs_stmt(s, "SELECT pg_advisory_xact_lock(" WRITE_LOCK ")")) == NULL ||
	    pgs_run(s, st) == -1) {
		pg_store_rollback(s);
		return -1;
	}
	return 0;
}

int
pg_store_commit(struct store *s)
{
	pgst *st = pgs_stmt(s, "COMMIT");

	PQS(s)->in_txn = 0; /* COMMIT waits: it reads every queued statement's result too */
	/* COMMIT of a transaction a failed statement aborted answers ROLLBACK */
	if (st && pgs_run(s, st) == 0 && !PQS(s)->rolled_back)
		return 0;
	if (PQS(s)->rolled_back)
		pgs_fail(s, "transaction rolled back");
	pg_store_rollback(s);
	return -1;
}

void
pg_store_rollback(struct store *s)
{
	PGresult *r;

	PQS(s)->in_txn = 0;
	pgs_discard(PQS(s)); /* what was queued is answered (and dropped) first */
	if (PQtransactionStatus(PQS(s)->conn) == PQTRANS_IDLE ||
	    PQstatus(PQS(s)->conn) != CONNECTION_OK)
		return;
	pgs_trace_round_trip(PQS(s), "ROLLBACK");
	r = PQprepare(PQS(s)->conn, "", "ROLLBACK", 0, NULL);
	PQclear(r);
	r = PQexecPrepared(PQS(s)->conn, "", 0, NULL, NULL, NULL, 0);
	PQclear(r);
}

int
pg_store_add_event(struct store *s, int64_t scan_id, const char *station, int64_t order_id,
    const char *packer, const char *kind, const char *verdict, const char *message, int is_error)
{
	/* PG_SCAN_THIS: the scan row this transaction just sent (pg_store_record_scan) */
	pgst *st = scan_id == PG_SCAN_THIS
	    ? pgs_stmt(s,
		  "INSERT INTO events(at, station, order_id, order_name, packer, kind,"
		  " verdict, message, error, scan_id) VALUES (?, ?, ?,"
		  " (SELECT name FROM orders WHERE id = ?3), ?, ?, ?, ?, ?,"
		  " currval('scans_id_seq') + 0 * ?)")
	    : pgs_stmt(s,
		  "INSERT INTO events(at, station, order_id, order_name, packer, kind,"
		  " verdict, message, error, scan_id) VALUES (?, ?, ?,"
		  " (SELECT name FROM orders WHERE id = ?3), ?, ?, ?, ?, ?, ?)");

	if (st == NULL)
		return -1;
	pgst_bind_int64(st, 1, store_now_ms());
	pgs_bind_text(st, 2, station);
	pgs_bind_id(st, 3, order_id);
	pgs_bind_text(st, 4, packer && *packer ? packer : NULL);
	pgs_bind_text(st, 5, kind);
	pgs_bind_text(st, 6, verdict);
	pgs_bind_text(st, 7, message);
	pgst_bind_int(st, 8, is_error ? 1 : 0);
	pgs_bind_id(st, 9, scan_id > 0 ? scan_id : 0);
	return pgs_run(s, st);
}

int64_t
pgs_sequence_next(struct store *s)
{
	pgst *st = pgs_stmt(s, "SELECT nextval('sscc_serial')");
	int64_t v = -1;

	if (st == NULL)
		return -1;
	if (pgs_step(s, st) == PGST_ROW)
		v = pgst_column_int64(st, 0);
	pgst_reset(st);
	return v;
}

int
pg_store_schema_version(struct store *s)
{
	return pgs_read_version(PQS(s));
}

static const struct store_ops pg_ops = {
	.close = pg_store_close,
	.strerror = pg_store_strerror,
	.schema_version = pg_store_schema_version,
	.begin = pg_store_begin,
	.commit = pg_store_commit,
	.rollback = pg_store_rollback,
	.add_event = pg_store_add_event,
	.upsert_order = pg_store_upsert_order,
	.upsert_code = pg_store_upsert_code,
	.find_order = pg_store_find_order,
	.hold_order = pg_store_hold_order,
	.release_order = pg_store_release_order,
	.order_view = pg_store_order_view,
	.session_load = pg_store_session_load,
	.session_save = pg_store_session_save,
	.find_product = pg_store_find_product,
	.last_item = pg_store_last_item,
	.last_package = pg_store_last_package,
	.record_scan = pg_store_record_scan,
	.open_order = pg_store_open_order,
	.open_package = pg_store_open_package,
	.undo_last = pg_store_undo_last,
	.close_package = pg_store_close_package,
	.ship = pg_store_ship,
	.close_unshipped = pg_store_close_unshipped,
	.pending_outbox = pg_store_pending_outbox,
	.fulfillment_doc = pg_store_fulfillment_doc,
	.mark_outbox = pg_store_mark_outbox,
	.load_fulfillment = pg_store_load_fulfillment,
	.set_fulfillment_doc = pg_store_set_fulfillment_doc,
	.count_orders = pg_store_count_orders,
	.orders_with_sku = pg_store_orders_with_sku,
	.list_orders = pg_store_list_orders,
	.load_order_detail = pg_store_load_order_detail,
	.list_events = pg_store_list_events,
	.list_stats = pg_store_list_stats,
	.load_order_doc = pg_store_load_order_doc,
	.load_package = pg_store_load_package,
	.maint = &pg_maint_ops,
	.shop = &pg_shop_ops,
	.job_insert = pg_store_job_insert,
	.job_update = pg_store_job_update,
	.job_attempt = pg_store_job_attempt,
	.job_reset = pg_store_job_reset,
	.job_load = pg_store_job_load,
	.jobs_unsent = pg_store_jobs_unsent,
	.jobs_unfinished = pg_store_jobs_unfinished,
	.mark_slip_printed = pg_store_mark_slip_printed,
	.slip_printed = pg_store_slip_printed,
	.orders_without_slip = pg_store_orders_without_slip,
	.find_package_sscc = pg_store_find_package_sscc,
	.last_package_of_order = pg_store_last_package_of_order,
	.effect_add = pg_store_effect_add,
	.effect_done = pg_store_effect_done,
	.effects_pending = pg_store_effects_pending,
	.effect_load = pg_store_effect_load,
	.scan_by_key = pg_store_scan_by_key,
	.scan_set_key = pg_store_scan_set_key,
	.last_verdict = pg_store_last_verdict,
	.resume_message = pg_store_resume_message,
	.box_start = pg_store_box_start,
	.box_heartbeat = pg_store_box_heartbeat,
	.box_stop = pg_store_box_stop,
	.claim_station = pg_store_claim_station,
	.list_benches = pg_store_list_benches,
	.unavailable = pg_store_unavailable,
	.abandon_order = pg_store_abandon_order,
	.changes_fd = pg_store_changes_fd,
	.changes_read = pg_store_changes_read,
	.reconnect_step = pg_store_reconnect_step,
	.shop_lead = pg_store_shop_lead,
	.package_weigh = pg_store_package_weigh,
	.find_label = pg_store_find_label,
	.package_label = pg_store_package_label,
	.find_tracking = pg_store_find_tracking,
	.order_weight = pg_store_order_weight,
};
