/*
 * The PostgreSQL store: connect, migrate, the prepared-statement cursor
 * (pgst_*), transactions, first error, reconnecting after an outage.
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

#define STMT_CACHE	200
#define MAXPARAMS	40
#define OID_INT8	20
#define OID_TEXT	25
#define OID_BYTEA	17
/* The advisory lock every write transaction takes ("STN" 1). */
#define WRITE_LOCK	"5461070"

struct pgst {
	struct pg_store	*q;
	const char	*sql;		/* the literal: the cache key */
	char		*text;		/* with $N placeholders */
	char		 name[16];
	int		 nparams;
	unsigned	 prepared_gen;	/* connection it is prepared on, 0: none */
	char		*vals[MAXPARAMS];
	int		 lens[MAXPARAMS], fmts[MAXPARAMS];
	Oid		 types[MAXPARAMS];
	PGresult	*res;
	int		 row, nrows;
	unsigned char	*blob;
	size_t		 bloblen;
};

struct pg_store {
	struct store	 base;		/* first: a struct store * is one of these */
	PGconn		*conn;
	char		*uri;
	int		 readonly;
	unsigned	 gen;		/* connection generation (bumped by a reconnect) */
	int		 down;		/* the last failure was the server being unreachable */
	pgst		*cache[STMT_CACHE];
	size_t		 ncache;
	int		 failed;
	char		 err[512];
	int64_t		 changes, last_id;
	int		 rolled_back;	/* the last COMMIT said ROLLBACK (an aborted transaction) */
	int64_t		 last_try;	/* the last reconnect attempt that failed (ms) */
	char		 box[128];
	char		 claims[32][128];	/* benches claimed, for after a reconnect */
	size_t		 nclaims;
	PGconn		*listener;		/* LISTEN station_changes */
};

static void quiet_notices(void *, const char *);

static struct pg_store *
PQS(struct store *s)
{
	return (struct pg_store *)s;
}

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

PGconn *
pgs_listener(struct store *s)
{
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	struct pg_store *q = PQS(s);
	const char *vals[] = { "3", "stationd-listen", q->uri, NULL };
	PGresult *r;
	int ok;

	if (q->listener != NULL)
		return q->listener;
	q->listener = PQconnectdbParams(keys, vals, 1);
	if (q->listener == NULL || PQstatus(q->listener) != CONNECTION_OK) {
		pgs_drop_listener(s);
		return NULL;
	}
	PQsetNoticeProcessor(q->listener, quiet_notices, NULL);
	r = PQprepare(q->listener, "", "LISTEN station_changes", 0, NULL);
	PQclear(r);
	r = PQexecPrepared(q->listener, "", 0, NULL, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok) {
		pgs_drop_listener(s);
		return NULL;
	}
	PQsetnonblocking(q->listener, 1);
	return q->listener;
}

void
pgs_drop_listener(struct store *s)
{
	if (PQS(s)->listener != NULL)
		PQfinish(PQS(s)->listener);
	PQS(s)->listener = NULL;
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
static void
fail_res(struct pg_store *q, const PGresult *res)
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

/* "?N" and "?" to "$N" (SQLite's numbering: a bare ? is one past the largest yet). */
static char *
convert_sql(const char *sql, int *nparams)
{
	size_t len = strlen(sql);
	char *out = malloc(len * 3 + 1), *o = out;
	const char *p;
	int max = 0, inq = 0;

	if (out == NULL)
		return NULL;
	for (p = sql; *p; p++) {
		if (*p == '\'')
			inq = !inq;
		if (*p != '?' || inq) {
			*o++ = *p;
			continue;
		}
		if (p[1] >= '0' && p[1] <= '9') {
			int v = (int)strtol(p + 1, (char **)&p, 10);

			p--;
			if (v > max)
				max = v;
			o += sprintf(o, "$%d", v);
		} else
			o += sprintf(o, "$%d", ++max);
	}
	*o = '\0';
	*nparams = max;
	return out;
}

static void
clear_binds(pgst *st)
{
	int i;

	for (i = 0; i < MAXPARAMS; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
		st->lens[i] = 0;
		st->fmts[i] = 0;
		st->types[i] = 0;
	}
}

void
pgst_reset(pgst *st)
{
	if (st == NULL)
		return;
	PQclear(st->res);
	st->res = NULL;
	st->row = st->nrows = 0;
	PQfreemem(st->blob);
	st->blob = NULL;
	st->bloblen = 0;
}

/* Back on line after an outage: a fresh connection (bounded by connect_timeout). */
static int
reconnect(struct pg_store *q)
{
	size_t i;

	int64_t now = store_now_ms();

	if (q->conn != NULL && PQstatus(q->conn) == CONNECTION_OK)
		return 0;
	/*
	 * One attempt a second at most: each blocks the daemon up to
	 * connect_timeout when the network is gone; meanwhile scans are
	 * refused at once (store_unavailable).
	 */
	if (q->last_try != 0 && now - q->last_try < 1000 && now >= q->last_try) {
		q->down = 1;
		return -1;
	}
	PQreset(q->conn);
	if (PQstatus(q->conn) != CONNECTION_OK) {
		q->down = 1;
		q->last_try = store_now_ms();
		return -1;
	}
	q->last_try = 0;
	q->gen++;		/* statements are prepared again on the new session */
	q->down = 0;
	/* A session's advisory locks went with it: the benches are claimed again. */
	for (i = 0; i < q->nclaims; i++)
		if (pgs_take_claim(&q->base, q->claims[i]) == 0)
			fprintf(stderr, "stationd: bench %s was claimed by another box while"
			    " the database was away\n", q->claims[i]);
	return 0;
}

pgst *
pgs_stmt(struct store *s, const char *sql)
{
	struct pg_store *q = PQS(s);
	PGTransactionStatusType ts = PQtransactionStatus(q->conn);
	pgst *st;
	size_t i;

	if (ts == PQTRANS_IDLE || ts == PQTRANS_UNKNOWN) {
		q->failed = 0;	/* outside a transaction every statement is one */
		if (ts == PQTRANS_UNKNOWN && reconnect(q) == -1) {
			pgs_fail(s, "database unavailable: %s", PQerrorMessage(q->conn));
			return NULL;
		}
	}
	for (i = 0; i < q->ncache; i++)
		if (q->cache[i]->sql == sql) {
			st = q->cache[i];
			pgst_reset(st);
			clear_binds(st);
			return st;
		}
	if (q->ncache == STMT_CACHE) {
		pgs_fail(s, "statement cache full");
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->text = convert_sql(sql, &st->nparams)) == NULL) {
		free(st);
		pgs_fail(s, "out of memory");
		return NULL;
	}
	if (st->nparams > MAXPARAMS) {
		free(st->text);
		free(st);
		pgs_fail(s, "statement with %d parameters", MAXPARAMS);
		return NULL;
	}
	st->q = q;
	st->sql = sql;
	snprintf(st->name, sizeof(st->name), "s%zu", q->ncache);
	q->cache[q->ncache++] = st;
	return st;
}

static int
bind_owned(pgst *st, int i, char *v, int len, int fmt, Oid type)
{
	if (i < 1 || i > MAXPARAMS) {
		free(v);
		return -1;
	}
	free(st->vals[i - 1]);
	st->vals[i - 1] = v;
	st->lens[i - 1] = len;
	st->fmts[i - 1] = fmt;
	if (v != NULL || st->types[i - 1] == 0)
		st->types[i - 1] = type;
	return 0;
}

int
pgst_bind_int64(pgst *st, int i, int64_t v)
{
	char buf[32], *d;

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	if ((d = strdup(buf)) == NULL)
		return -1;
	return bind_owned(st, i, d, 0, 0, OID_INT8);
}

int
pgst_bind_int(pgst *st, int i, int v)
{
	return pgst_bind_int64(st, i, v);
}

int
pgst_bind_null(pgst *st, int i)
{
	return bind_owned(st, i, NULL, 0, 0, 0);
}

/* Length of the valid UTF-8 sequence at p (1 to 4), 0 if it is not one. */
static size_t
utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80 ||
		    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/*
 * A UTF-8 database refuses bytes that are not UTF-8 (SQLite keeps them):
 * such a byte is stored as the text "\xNN", the way the station shows it.
 */
static char *
utf8_text(const char *v)
{
	const unsigned char *p;
	size_t bad = 0, n;
	char *d, *o;

	for (p = (const unsigned char *)v; *p; p += n)
		if ((n = utf8_len(p)) == 0) {
			bad++;
			n = 1;
		}
	if (bad == 0)
		return strdup(v);
	if ((d = malloc(strlen(v) + bad * 3 + 1)) == NULL)
		return NULL;
	for (p = (const unsigned char *)v, o = d; *p; p += n) {
		if ((n = utf8_len(p)) == 0) {
			o += sprintf(o, "\\x%02x", *p);
			n = 1;
		} else {
			memcpy(o, p, n);
			o += n;
		}
	}
	*o = '\0';
	return d;
}

int
pgs_bind_text(pgst *st, int i, const char *v)
{
	char *d;

	if (v == NULL)
		return pgst_bind_null(st, i);
	if ((d = utf8_text(v)) == NULL)
		return -1;
	return bind_owned(st, i, d, 0, 0, OID_TEXT);
}

int
pgs_bind_id(pgst *st, int i, int64_t v)
{
	return v ? pgst_bind_int64(st, i, v) : pgst_bind_null(st, i);
}

int
pgst_bind_blob64(pgst *st, int i, const void *p, size_t len, int unused)
{
	char *d;

	(void)unused;
	if (len > 0x7fffffff || (d = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(d, p, len);
	return bind_owned(st, i, d, (int)len, 1, OID_BYTEA);
}

static int
prepare(pgst *st)
{
	struct pg_store *q = st->q;
	PGresult *r;
	int ok;

	if (st->prepared_gen == q->gen)
		return 0;
	r = PQprepare(q->conn, st->name, st->text, st->nparams, st->types);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok && PQtransactionStatus(q->conn) == PQTRANS_IDLE) {
		Oid types[MAXPARAMS];
		int i;

		/* A parameter first bound NULL in "? IS NULL" has no type to infer: text. */
		for (i = 0; i < st->nparams; i++)
			types[i] = st->types[i] ? st->types[i] : OID_TEXT;
		PQclear(r);
		r = PQprepare(q->conn, st->name, st->text, st->nparams, types);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	}
	if (!ok)
		fail_res(q, r);
	PQclear(r);
	if (!ok)
		return -1;
	st->prepared_gen = q->gen;
	return 0;
}

int
pgs_step(struct store *s, pgst *st)
{
	struct pg_store *q = PQS(s);
	ExecStatusType es;

	if (st->res != NULL) {
		if (++st->row < st->nrows)
			return PGST_ROW;
		return PGST_DONE;
	}
	if (PQstatus(q->conn) != CONNECTION_OK) {
		q->down = 1;
		pgs_fail(s, "database unavailable: connection lost");
		return PGST_ERROR;
	}
	if (prepare(st) == -1)
		return PGST_ERROR;
	st->res = PQexecPrepared(q->conn, st->name, st->nparams,
	    (const char *const *)st->vals, st->lens, st->fmts, 0);
	es = PQresultStatus(st->res);
	if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
		fail_res(q, st->res);
		PQclear(st->res);
		st->res = NULL;
		return PGST_ERROR;
	}
	st->row = 0;
	st->nrows = es == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
	q->rolled_back = strcmp(PQcmdStatus(st->res), "ROLLBACK") == 0;
	if (*PQcmdTuples(st->res))
		q->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
	if (strncmp(PQcmdStatus(st->res), "INSERT", 6) == 0 && st->nrows > 0)
		q->last_id = strtoll(PQgetvalue(st->res, 0, 0), NULL, 10);
	return st->nrows > 0 ? PGST_ROW : PGST_DONE;
}

int
pgst_step(pgst *st)
{
	return pgs_step(&st->q->base, st);
}

int
pgs_run(struct store *s, pgst *st)
{
	int r = pgs_step(s, st);

	pgst_reset(st);
	return r == PGST_DONE || r == PGST_ROW ? 0 : -1;
}

int
pgs_step_done(pgst *st)
{
	return pgs_run(&st->q->base, st);
}

int64_t
pgs_changes(struct store *s)
{
	return PQS(s)->changes;
}

int64_t
pgs_last_id(struct store *s)
{
	return PQS(s)->last_id;
}

static int
valid_cell(pgst *st, int i)
{
	return st->res != NULL && st->row < st->nrows && i >= 0 && i < PQnfields(st->res);
}

const unsigned char *
pgst_column_text(pgst *st, int i)
{
	if (!valid_cell(st, i) || PQgetisnull(st->res, st->row, i))
		return NULL;
	return (const unsigned char *)PQgetvalue(st->res, st->row, i);
}

int
pgst_column_type(pgst *st, int i)
{
	return pgst_column_text(st, i) == NULL ? PGST_NULL : 1;
}

int64_t
pgst_column_int64(pgst *st, int i)
{
	const char *t = (const char *)pgst_column_text(st, i);

	if (t == NULL)
		return 0;
	if (*t == 't')		/* booleans read as SQLite's 1 and 0 */
		return 1;
	if (*t == 'f')
		return 0;
	return strtoll(t, NULL, 10);
}

int
pgst_column_int(pgst *st, int i)
{
	return (int)pgst_column_int64(st, i);
}

double
pgst_column_double(pgst *st, int i)
{
	const char *t = (const char *)pgst_column_text(st, i);

	return t ? strtod(t, NULL) : 0;
}

const void *
pgst_column_blob(pgst *st, int i)
{
	const unsigned char *t = pgst_column_text(st, i);

	PQfreemem(st->blob);
	st->blob = NULL;
	st->bloblen = 0;
	if (t == NULL)
		return NULL;
	st->blob = PQunescapeBytea(t, &st->bloblen);
	return st->blob;
}

int
pgst_column_bytes(pgst *st, int i)
{
	(void)i;
	return (int)st->bloblen;
}

char *
pgs_col_dup(pgst *st, int i)
{
	const unsigned char *t = pgst_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

static int collect(struct store *, pgst *, int64_t **, size_t *);

int
pgs_collect_ids(struct store *s, const char *sql, int64_t arg, int64_t **ids, size_t *n)
{
	pgst *st = pgs_stmt(s, sql);

	if (st == NULL)
		return -1;
	if (st->nparams > 0)
		pgst_bind_int64(st, 1, arg);
	return collect(s, st, ids, n);
}

int
pgs_collect_box_ids(struct store *s, const char *sql, int64_t **ids, size_t *n)
{
	pgst *st = pgs_stmt(s, sql);

	if (st == NULL)
		return -1;
	pgs_bind_text(st, 1, PQS(s)->box);
	return collect(s, st, ids, n);
}

static int
collect(struct store *s, pgst *st, int64_t **ids, size_t *n)
{
	int64_t *v = NULL, *nv;
	size_t cnt = 0;
	int r;

	while ((r = pgs_step(s, st)) == PGST_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			free(v);
			pgst_reset(st);
			return pgs_fail(s, "out of memory");
		}
		v = nv;
		v[cnt++] = pgst_column_int64(st, 0);
	}
	pgst_reset(st);
	if (r != PGST_DONE) {
		free(v);
		return -1;
	}
	*ids = v;
	*n = cnt;
	return 0;
}

/* ---- schema ---------------------------------------------------------------- */

/*
 * The same versions as the SQLite engine's migrations (store.h's
 * STORE_SCHEMA_VERSION), in PostgreSQL's words: ids BIGINT (shop ids pass
 * 2^53), rows numbered by identity columns (migrate keeps ids and moves the
 * sequences past them), PDFs bytea. Version 1 also makes what several
 * boxes need: their heartbeats, which box runs each bench, and the
 * sequences SSCC serials and shipment numbers come from.
 */
static const char *migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE orders ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" shop_id BIGINT UNIQUE,"
	" name TEXT NOT NULL UNIQUE,"
	" email TEXT, created_at TEXT, financial_status TEXT,"
	" shop_fulfillment_status TEXT, cancelled_at TEXT, cancel_reason TEXT,"
	" note TEXT, gift_message TEXT, tags TEXT,"
	" has_ship BIGINT NOT NULL DEFAULT 0,"
	" ship_name TEXT, ship_first_name TEXT, ship_last_name TEXT, ship_company TEXT,"
	" ship_address1 TEXT, ship_address2 TEXT, ship_city TEXT, ship_province TEXT,"
	" ship_province_code TEXT, ship_zip TEXT, ship_country TEXT,"
	" ship_country_code TEXT, ship_phone TEXT,"
	" shipping_title TEXT, shipping_code TEXT, pickup BIGINT NOT NULL DEFAULT 0,"
	" tracking_number TEXT, tracking_company TEXT,"
	" status TEXT NOT NULL, hold_reason TEXT, hold_source TEXT, station TEXT,"
	" slip_printed BIGINT NOT NULL DEFAULT 0,"
	" imported_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
	"CREATE INDEX orders_status ON orders(status, id);"
	"CREATE TABLE order_lines ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" order_id BIGINT NOT NULL REFERENCES orders(id),"
	" shop_line_id BIGINT, position BIGINT NOT NULL,"
	" sku TEXT, title TEXT, variant_title TEXT, name TEXT,"
	" quantity BIGINT NOT NULL, fulfillable_quantity BIGINT NOT NULL,"
	" requires_shipping BIGINT NOT NULL, grams BIGINT NOT NULL DEFAULT -1,"
	" shop_fulfillment_status TEXT, removed BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX order_lines_order ON order_lines(order_id);"
	"CREATE INDEX order_lines_sku ON order_lines(sku);"
	"CREATE TABLE product_codes ("
	" code TEXT PRIMARY KEY, sku TEXT NOT NULL,"
	" multiplier BIGINT NOT NULL DEFAULT 1, updated_at BIGINT NOT NULL);"
	"CREATE TABLE sessions ("
	" station TEXT PRIMARY KEY, order_id BIGINT, box BIGINT NOT NULL DEFAULT 0,"
	" qty_next BIGINT NOT NULL DEFAULT 0, packer TEXT NOT NULL DEFAULT '',"
	" last_code TEXT NOT NULL DEFAULT '', last_ms BIGINT NOT NULL DEFAULT 0,"
	" opened_at BIGINT, last_label_job BIGINT);"
	"CREATE TABLE packages ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" order_id BIGINT NOT NULL, station TEXT NOT NULL,"
	" box BIGINT NOT NULL, sscc TEXT UNIQUE,"
	" state TEXT NOT NULL,"
	" fulfillment_id BIGINT, weight_grams BIGINT,"
	" created_at BIGINT NOT NULL, closed_at BIGINT);"
	"CREATE INDEX packages_order ON packages(order_id, state);"
	"CREATE TABLE scans ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" at BIGINT NOT NULL, station TEXT NOT NULL,"
	" packer TEXT, code TEXT NOT NULL, aim TEXT, verdict TEXT NOT NULL,"
	" order_id BIGINT, line_id BIGINT, units BIGINT NOT NULL DEFAULT 0,"
	" package_id BIGINT,"
	" state TEXT);"
	"CREATE INDEX scans_order ON scans(order_id, state);"
	"CREATE INDEX scans_station ON scans(station, id);"
	"CREATE INDEX scans_line ON scans(line_id, state);"
	"CREATE INDEX scans_package ON scans(package_id, state);"
	"CREATE TABLE fulfillments ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" order_id BIGINT NOT NULL, station TEXT NOT NULL,"
	" packer TEXT, at BIGINT NOT NULL, partial BIGINT NOT NULL,"
	" units BIGINT NOT NULL, opened_at BIGINT,"
	" outbox_name TEXT, doc TEXT NOT NULL);"
	"CREATE INDEX fulfillments_at ON fulfillments(at);"
	"CREATE TABLE fulfillment_lines ("
	" fulfillment_id BIGINT NOT NULL, order_id BIGINT NOT NULL,"
	" line_id BIGINT NOT NULL, quantity BIGINT NOT NULL);"
	"CREATE INDEX fulfillment_lines_order ON fulfillment_lines(order_id);"
	"CREATE INDEX fulfillment_lines_line ON fulfillment_lines(line_id);"
	"CREATE TABLE print_jobs ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" created_at BIGINT NOT NULL, station TEXT,"
	" printer TEXT, kind TEXT NOT NULL, order_id BIGINT, package_id BIGINT,"
	" title TEXT, media TEXT, copies BIGINT NOT NULL DEFAULT 1,"
	" ipp_job_id BIGINT, state TEXT NOT NULL, reason TEXT,"
	" attempts BIGINT NOT NULL DEFAULT 0, updated_at BIGINT,"
	" accepted_at BIGINT, completed_at BIGINT, pdf BYTEA);"
	"CREATE INDEX print_jobs_state ON print_jobs(state);"
	"CREATE TABLE events ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" at BIGINT NOT NULL, station TEXT,"
	" order_id BIGINT, order_name TEXT, packer TEXT, kind TEXT NOT NULL,"
	" verdict TEXT, message TEXT NOT NULL, error BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX events_at ON events(at);"
	"CREATE INDEX events_station ON events(station, at);"
	"CREATE INDEX events_order ON events(order_name, at);"
	"CREATE INDEX events_kind ON events(kind, at);"
	"CREATE INDEX events_packer ON events(packer, at);"
	"CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);"
	"CREATE TABLE boxes (box TEXT PRIMARY KEY, started_at BIGINT NOT NULL,"
	" heartbeat_at BIGINT NOT NULL, stopped BIGINT NOT NULL DEFAULT 0);"
	"CREATE TABLE benches (station TEXT PRIMARY KEY, box TEXT NOT NULL,"
	" claimed_at BIGINT NOT NULL);"
	"CREATE SEQUENCE sscc_serial AS BIGINT;"
	"CREATE SEQUENCE shipment_number AS BIGINT",
	/* 1 -> 2 */
	"ALTER TABLE order_lines ADD COLUMN shop_acked BIGINT NOT NULL DEFAULT 0;"
	"UPDATE order_lines SET shop_acked = GREATEST(0, LEAST("
	" (SELECT coalesce(sum(f.quantity), 0) FROM fulfillment_lines f WHERE f.line_id = order_lines.id),"
	" quantity - fulfillable_quantity))",
	/* 2 -> 3 */
	"ALTER TABLE events ADD COLUMN scan_id BIGINT",
	/* 3 -> 4 */
	"CREATE TABLE effects ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" at BIGINT NOT NULL, station TEXT NOT NULL,"
	" kind TEXT NOT NULL, ref BIGINT NOT NULL, done_at BIGINT);"
	"CREATE INDEX effects_pending ON effects(done_at, id);"
	"CREATE INDEX fulfillments_unwritten ON fulfillments(id) WHERE outbox_name IS NULL;"
	"ALTER TABLE scans ADD COLUMN request_key TEXT;"
	"ALTER TABLE scans ADD COLUMN reply TEXT;"
	"CREATE UNIQUE INDEX scans_request_key ON scans(station, request_key)"
	" WHERE request_key IS NOT NULL",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* One statement, prepared unnamed, no parameters. 0 / -1 with err. */
static int
exec_one(struct pg_store *q, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQprepare(q->conn, "", sql, 0, NULL);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (ok) {
		PQclear(r);
		r = PQexecPrepared(q->conn, "", 0, NULL, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	}
	if (!ok) {
		const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

		snprintf(err, errlen, "%s", m ? m : PQerrorMessage(q->conn));
	}
	PQclear(r);
	return ok ? 0 : -1;
}

/* A migration's statements one at a time (a prepared statement holds one). */
static int
exec_script(struct pg_store *q, const char *script, char *err, size_t errlen)
{
	char *copy = strdup(script), *p, *semi;
	int rc = 0;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (p = copy; rc == 0 && p && *p; p = semi ? semi + 1 : NULL) {
		if ((semi = strchr(p, ';')) != NULL)
			*semi = '\0';
		rc = exec_one(q, p, err, errlen);
	}
	free(copy);
	return rc;
}

/* The version recorded, 0 for an empty database, -1 on error. */
static int
read_version(struct pg_store *q)
{
	PGresult *r = PQprepare(q->conn, "",
	    "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0"
	    " ELSE (SELECT coalesce(max(version), 0) FROM schema_version) END", 0, NULL);
	int v = -1;

	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		PQclear(r);
		r = PQexecPrepared(q->conn, "", 0, NULL, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			v = atoi(PQgetvalue(r, 0, 0));
	}
	if (v < 0)
		fail_res(q, r);
	PQclear(r);
	return v;
}

static int
migrate(struct pg_store *q, char *err, size_t errlen)
{
	char sql[128];
	int v;

	/* Boxes starting together: the first migrates, the others wait for it. */
	if (exec_one(q, "BEGIN", err, errlen) == -1 ||
	    exec_one(q, "SELECT pg_advisory_xact_lock(" WRITE_LOCK ")", err, errlen) == -1 ||
	    exec_one(q, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
	    err, errlen) == -1)
		goto fail;
	if ((v = read_version(q)) < 0) {
		snprintf(err, errlen, "reading schema version: %s", q->err);
		goto fail;
	}
	if (v > NMIGRATIONS) {
		snprintf(err, errlen, "database schema version %d is newer than this station (%d)",
		    v, NMIGRATIONS);
		goto fail;
	}
	for (; v < NMIGRATIONS; v++) {
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version(version) VALUES (%d)", v + 1);
		if (exec_script(q, migrations[v], err, errlen) == -1 ||
		    exec_one(q, sql, err, errlen) == -1)
			goto fail;
	}
	return exec_one(q, "COMMIT", err, errlen);
fail:
	{
		char tmp[8];

		exec_one(q, "ROLLBACK", tmp, sizeof(tmp));
	}
	return -1;
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
			snprintf(err, errlen, "database: a password in the address is refused:"
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
		if (migrate(q, err, errlen) == -1) {
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s: %s", uri, err);
			snprintf(err, errlen, "%s", tmp);
			pg_store_close(&q->base);
			return NULL;
		}
	} else {
		int v = read_version(q);

		if (v != NMIGRATIONS) {
			snprintf(err, errlen, "%s: %s", uri, v < 0 ? q->err :
			    "database not initialised by this station version (start stationd first)");
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
		pgst_reset(PQS(s)->cache[i]);
		clear_binds(PQS(s)->cache[i]);
		free(PQS(s)->cache[i]->text);
		free(PQS(s)->cache[i]);
	}
	if (PQS(s)->conn)
		PQfinish(PQS(s)->conn);
	pgs_drop_listener(s);
	free(PQS(s)->uri);
	free(s);
}

int
pg_store_begin(struct store *s)
{
	pgst *st;

	PQS(s)->failed = 0;		/* a new transaction, a new first error */
	if (PQstatus(PQS(s)->conn) != CONNECTION_OK && reconnect(PQS(s)) == -1)
		return pgs_fail(s, "database unavailable: %s", PQerrorMessage(PQS(s)->conn));
	if (PQtransactionStatus(PQS(s)->conn) != PQTRANS_IDLE)
		pg_store_rollback(s);
	if ((st = pgs_stmt(s, "BEGIN")) == NULL || pgs_run(s, st) == -1) {
		/*
		 * The server restarted since the last statement: nothing is done
		 * yet, so a fresh connection may start the transaction after all.
		 */
		if (PQstatus(PQS(s)->conn) != CONNECTION_BAD || reconnect(PQS(s)) == -1)
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

	if (PQtransactionStatus(PQS(s)->conn) == PQTRANS_IDLE ||
	    PQstatus(PQS(s)->conn) != CONNECTION_OK)
		return;
	r = PQprepare(PQS(s)->conn, "", "ROLLBACK", 0, NULL);
	PQclear(r);
	r = PQexecPrepared(PQS(s)->conn, "", 0, NULL, NULL, NULL, 0);
	PQclear(r);
}

int
pg_store_add_event(struct store *s, int64_t scan_id, const char *station,
    int64_t order_id, const char *packer, const char *kind, const char *verdict,
    const char *message, int is_error)
{
	pgst *st = pgs_stmt(s,
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
	return read_version(PQS(s));
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
	.list_orders = pg_store_list_orders,
	.load_order_detail = pg_store_load_order_detail,
	.list_events = pg_store_list_events,
	.list_stats = pg_store_list_stats,
	.load_order_doc = pg_store_load_order_doc,
	.load_package = pg_store_load_package,
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
};
