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
	PQfreemem(st->blob);
	st->blob = NULL;
	st->bloblen = 0;
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
		if (ts == PQTRANS_UNKNOWN && pgs_reconnect(q) == -1) {
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
		pgs_fail_res(q, r);
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
	st->res = PQexecPrepared(
	    q->conn, st->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts, 0);
	es = PQresultStatus(st->res);
	if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
		pgs_fail_res(q, st->res);
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
