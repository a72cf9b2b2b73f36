/*
 * The PostgreSQL engine's statement cursor (pgst_*): SQLite's shape over
 * libpq. A statement is cached per SQL literal, its "?N" placeholders
 * rewritten to "$N" once, prepared (PQprepare, named per SQL) on first use
 * on each connection with the types of its first bindings, executed with
 * PQexecPrepared, its rows stepped one by one. Parameters travel as text
 * (bytea as binary), results come back as text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/store/pg/pg_int.h"
#include "station/store/store.h"

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
	st->fresh = 0;
	PQfreemem(st->blob);
	st->blob = NULL;
	st->bloblen = 0;
}

/* A statement sent for its rows and asked for again before reading them: they are dropped. */
static void
unkeep(struct pg_store *q, pgst *st)
{
	int i;

	if (!st->sent)
		return;
	for (i = 0; i < q->npending; i++)
		if (q->keep[i] == st)
			q->keep[i] = NULL;
	st->sent = 0;
}

/*
 * Rows fetched ahead are for the reads that follow them at once: a write
 * drops them. An order's state is kept past the scan row (it writes scans
 * and line_tally only): the scan's open reads it after recording the scan.
 */
static void
forget_ahead_after(struct pg_store *q, const pgst *st)
{
	if (st == NULL || strncmp(st->text, "INSERT INTO scans(", 18) != 0)
		q->pre_state = NULL;
	q->pre_view = NULL;
	q->pre_product = NULL;
	q->pre_package = NULL;
	q->pre_doc[0] = q->pre_doc[1] = q->pre_doc[2] = NULL;
}

static void
forget_ahead(struct pg_store *q)
{
	forget_ahead_after(q, NULL);
}

pgst *
pgs_stmt(struct store *s, const char *sql)
{
	struct pg_store *q = PQS(s);
	PGTransactionStatusType ts = PQtransactionStatus(q->conn);
	pgst *st;
	size_t i;

	if (ts == PQTRANS_IDLE || ts == PQTRANS_UNKNOWN) {
		q->failed = 0; /* outside a transaction every statement is one */
		forget_ahead(q);
		if (ts == PQTRANS_UNKNOWN && pgs_reconnect(q) == -1) {
			pgs_fail(s, "database unavailable: %s", PQerrorMessage(q->conn));
			return NULL;
		}
	}
	for (i = 0; i < q->ncache; i++)
		if (q->cache[i]->sql == sql) {
			st = q->cache[i];
			unkeep(q, st);
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

/*
 * Test hook: STATION_TEST_PG_TRACE=FILE appends a line per wait for the
 * server ("rt<TAB>SQL<TAB>MICROSECONDS": the statement that waited and the
 * monotonic clock when it was sent; "+" for one sent without waiting) so a
 * test can count a scan's round trips (tests/e2e_pg_round_trips.sh) and see
 * where its time goes. Unset: nothing is written.
 */
static FILE *trace;
static int trace_checked;

static void
trace_line(const char *mark, const char *what)
{
	const char *path;
	struct timespec ts;

	if (!trace_checked) {
		trace_checked = 1;
		if ((path = getenv("STATION_TEST_PG_TRACE")) != NULL && *path)
			trace = fopen(path, "a");
	}
	if (trace == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(trace, "%s\t%.200s\t%lld\n", mark, what ? what : "",
	    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	fflush(trace);
}

void
pgs_trace_round_trip(struct pg_store *q, const char *what)
{
	q->round_trips++;
	trace_line("rt", what);
}

static int
prepare(pgst *st)
{
	struct pg_store *q = st->q;
	PGresult *r;
	int ok;

	if (st->prepared_gen == q->gen)
		return 0;
	pgs_trace_round_trip(q, "PREPARE");
	r = PQprepare(q->conn, st->name, st->text, st->nparams, st->types);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok && PQtransactionStatus(q->conn) == PQTRANS_IDLE) {
		Oid types[MAXPARAMS];
		int i;

		/* A parameter first bound NULL in "? IS NULL" has no type to infer: text. */
		for (i = 0; i < st->nparams; i++)
			types[i] = st->types[i] ? st->types[i] : OID_TEXT;
		PQclear(r);
		pgs_trace_round_trip(q, "PREPARE");
		r = PQprepare(q->conn, st->name, st->text, st->nparams, types);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	}
	if (!ok)
		pgs_fail_res(q, r);
	PQclear(r);
	if (!ok)
		return -1;
	st->prepared_gen = q->gen;
	return 0;
}

/* What a successful result tells: rows changed, an INSERT's id, a COMMIT that rolled back. */
static void
note_result(struct pg_store *q, const PGresult *r)
{
	int n = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : 0;

	q->rolled_back = strcmp(PQcmdStatus((PGresult *)r), "ROLLBACK") == 0;
	if (*PQcmdTuples((PGresult *)r))
		q->changes = strtoll(PQcmdTuples((PGresult *)r), NULL, 10);
	if (strncmp(PQcmdStatus((PGresult *)r), "INSERT", 6) == 0 && n > 0)
		q->last_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
}

/*
 * The results of one command of the pipeline, up to its end (NULL). The
 * last good one is kept in *keep when asked. 0, or -1 with the first error
 * recorded (record 0: a rollback that only drains).
 */
static int
take_results(struct pg_store *q, PGresult **keep, int record)
{
	PGresult *r;
	ExecStatusType es;
	int rc = 0, any = 0;

	while ((r = PQgetResult(q->conn)) != NULL) {
		any = 1;
		es = PQresultStatus(r);
		if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK) {
			note_result(q, r);
			if (keep != NULL) {
				PQclear(*keep);
				*keep = r;
				continue;
			}
		} else {
			rc = -1;
			if (record && es == PGRES_PIPELINE_ABORTED)
				pgs_fail(&q->base, "statement not run: an earlier one failed");
			else if (record)
				pgs_fail_res(q, r);
		}
		PQclear(r);
	}
	if (!any) { /* the connection went: nothing more comes */
		if (record)
			pgs_fail_res(q, NULL);
		return -1;
	}
	return rc;
}

/*
 * Ends the pipeline: a sync, then the queued statements' results and st's
 * (kept in st->res) in one round trip. 0 / -1 (the first error recorded).
 */
static int
pipeline_finish(struct pg_store *q, pgst *st, int record)
{
	PGresult *r;
	int rc = 0, n = q->npending, i;
	pgst *k;

	q->npending = 0;
	pgs_trace_round_trip(q, st ? st->text : "SYNC");
	if (!PQpipelineSync(q->conn)) {
		if (record)
			pgs_fail_res(q, NULL);
		rc = -1;
		n = 0;
	}
	for (i = 0; i < n + (st != NULL); i++) {
		k = i < n ? q->keep[i] : st;
		if (k != NULL)
			k->sent = 0;
		if (rc == -1 && PQstatus(q->conn) != CONNECTION_OK)
			continue;
		if (PQstatus(q->conn) != CONNECTION_OK) {
			if (record)
				pgs_fail_res(q, NULL);
			rc = -1;
			continue;
		}
		if (take_results(q, k ? &k->res : NULL, record && rc == 0) == -1)
			rc = -1;
		if (k != NULL && k->res != NULL) {
			k->row = 0;
			k->nrows = PQresultStatus(k->res) == PGRES_TUPLES_OK ? PQntuples(k->res)
									     : 0;
			k->fresh = 1;
		}
	}
	if (PQstatus(q->conn) == CONNECTION_OK) {
		/* the sync's own result, then back to one statement at a time */
		if ((r = PQgetResult(q->conn)) == NULL || PQresultStatus(r) != PGRES_PIPELINE_SYNC)
			rc = -1;
		PQclear(r);
		if (!PQexitPipelineMode(q->conn))
			rc = -1;
	}
	if (rc == -1 && record)
		pgs_fail_res(q, NULL);
	return rc;
}

/* Sends st into the pipeline (entering it): its results are read at the next finish. */
static int
pipeline_send(struct pg_store *q, pgst *st)
{
	if (PQpipelineStatus(q->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(q->conn)) {
		pgs_fail_res(q, NULL);
		return -1;
	}
	if (!PQsendQueryPrepared(q->conn, st->name, st->nparams, (const char *const *)st->vals,
		st->lens, st->fmts, 0)) {
		pgs_fail_res(q, NULL);
		return -1;
	}
	return 0;
}

int
pgs_flush(struct store *s)
{
	struct pg_store *q = PQS(s);

	if (q->npending == 0)
		return 0;
	return pipeline_finish(q, NULL, 1);
}

void
pgs_discard(struct pg_store *q)
{
	int i;

	if (q->npending > 0 && PQstatus(q->conn) == CONNECTION_OK)
		(void)pipeline_finish(q, NULL, 0);
	for (i = 0; i < q->npending; i++)
		if (q->keep[i] != NULL)
			q->keep[i]->sent = 0;
	q->npending = 0;
	if (PQpipelineStatus(q->conn) != PQ_PIPELINE_OFF)
		(void)PQexitPipelineMode(q->conn);
}

/* A statement's first run on this connection: prepared alone (its types may need a retry). */
static int
prepare_alone(struct store *s, pgst *st)
{
	if (st->prepared_gen == PQS(s)->gen)
		return 0;
	if (pgs_flush(s) == -1)
		return -1;
	return prepare(st);
}

int
pgs_step(struct store *s, pgst *st)
{
	struct pg_store *q = PQS(s);
	ExecStatusType es;

	if (st->sent && pipeline_finish(q, NULL, 1) == -1) {
		PQclear(st->res);
		st->res = NULL;
		return PGST_ERROR;
	}
	if (st->res != NULL && st->fresh) { /* its rows came with a pipeline */
		st->fresh = 0;
		return st->nrows > 0 ? PGST_ROW : PGST_DONE;
	}
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
	if (strncmp(st->text, "SELECT", 6) != 0)
		forget_ahead(q);
	if (prepare_alone(s, st) == -1)
		return PGST_ERROR;
	if (q->npending > 0) {
		/* the queued statements and this one: one round trip */
		if (pipeline_send(q, st) == -1 || pipeline_finish(q, st, 1) == -1) {
			PQclear(st->res);
			st->res = NULL;
			return PGST_ERROR;
		}
		st->fresh = 0;
	} else {
		pgs_trace_round_trip(q, st->text);
		st->res = PQexecPrepared(q->conn, st->name, st->nparams,
		    (const char *const *)st->vals, st->lens, st->fmts, 0);
		es = PQresultStatus(st->res);
		if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
			pgs_fail_res(q, st->res);
			PQclear(st->res);
			st->res = NULL;
			return PGST_ERROR;
		}
		note_result(q, st->res);
	}
	st->row = 0;
	st->nrows = PQresultStatus(st->res) == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
	return st->nrows > 0 ? PGST_ROW : PGST_DONE;
}

int
pgst_step(pgst *st)
{
	return pgs_step(&st->q->base, st);
}

/*
 * Past this many queued statements the pipeline is read: the server's
 * answers to an unread pipeline must fit its socket buffer, or both sides
 * wait on each other (a large import).
 */
#define PIPELINE_MAX 200

/* Queues st: keep says whether its rows are wanted (pgs_send) or only its effect. */
static int
queue(struct store *s, pgst *st, int keep)
{
	struct pg_store *q = PQS(s);

	if (!keep)
		forget_ahead_after(q, st);
	if (prepare_alone(s, st) == -1 || pipeline_send(q, st) == -1)
		return -1;
	trace_line("+", st->text);
	st->sent = keep;
	q->keep[q->npending++] = keep ? st : NULL;
	if (q->npending >= PIPELINE_MAX)
		return pgs_flush(s);
	return 0;
}

int
pgs_send(struct store *s, pgst *st)
{
	unkeep(PQS(s), st);
	pgst_reset(st);
	if (PQstatus(PQS(s)->conn) != CONNECTION_OK) {
		PQS(s)->down = 1;
		return pgs_fail(s, "database unavailable: connection lost");
	}
	return queue(s, st, 1);
}

int
pgs_run(struct store *s, pgst *st)
{
	struct pg_store *q = PQS(s);
	int r;

	if (q->in_txn && PQstatus(q->conn) == CONNECTION_OK)
		return queue(s, st, 0);
	r = pgs_step(s, st);
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
	return pgs_flush(s) == 0 ? PQS(s)->changes : -1;
}

int64_t
pgs_last_id(struct store *s)
{
	return pgs_flush(s) == 0 ? PQS(s)->last_id : -1;
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
	if (*t == 't') /* booleans read as SQLite's 1 and 0 */
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

void
pgst_free(pgst *st)
{
	if (st == NULL)
		return;
	pgst_reset(st);
	clear_binds(st);
	free(st->text);
	free(st);
}
