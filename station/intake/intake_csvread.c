/* Reads CSV records with libcsv, one physical line at a time, to know line numbers. */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "station/intake/intake_csvread.h"
#include "station/intake/intake_stream.h"
#include "station/intake/intake_util.h"

struct reader {
	char *bytes; /* the record's fields, NUL-separated */
	size_t nbytes, capbytes;
	size_t *off, *len; /* per field: offset into bytes, length */
	const char **ptr;
	size_t nf, capf;
	size_t cur_line; /* line of the chunk being fed */
	size_t row_line;
	int failed; /* message already in err */
	int (*row_cb)(void *, const struct intake_row *);
	void *ctx;
	char *err;
	size_t errlen;
};

static int
reader_oom(struct reader *r)
{
	r->failed = 1;
	return intake_fail(r->err, r->errlen, "out of memory");
}

static int
reserve_bytes(struct reader *r, size_t more)
{
	size_t cap = r->capbytes ? r->capbytes : 1024;
	char *nb;

	if (r->nbytes + more <= r->capbytes)
		return 0;
	while (cap < r->nbytes + more)
		cap *= 2;
	if ((nb = realloc(r->bytes, cap)) == NULL)
		return reader_oom(r);
	r->bytes = nb;
	r->capbytes = cap;
	return 0;
}

static int
reserve_field(struct reader *r)
{
	size_t cap = r->capf ? r->capf * 2 : 32;
	size_t *no, *nl;
	const char **np;

	if (r->nf < r->capf)
		return 0;
	/* grow one array at a time so none is lost on failure */
	if ((no = realloc(r->off, cap * sizeof(*no))) == NULL)
		return reader_oom(r);
	r->off = no;
	if ((nl = realloc(r->len, cap * sizeof(*nl))) == NULL)
		return reader_oom(r);
	r->len = nl;
	if ((np = realloc(r->ptr, cap * sizeof(*np))) == NULL)
		return reader_oom(r);
	r->ptr = np;
	r->capf = cap;
	return 0;
}

static size_t
count_newlines(const char *s, size_t n)
{
	size_t k = 0;
	const char *p;

	while (n > 0 && (p = memchr(s, '\n', n)) != NULL) {
		k++;
		n -= (size_t)(p - s) + 1;
		s = p + 1;
	}
	return k;
}

static void
on_field(void *s, size_t n, void *data)
{
	struct reader *r = data;

	if (r->failed)
		return;
	if (s == NULL)
		n = 0;
	/* the field ends on cur_line; quoted newlines put its start earlier */
	if (r->nf == 0)
		r->row_line = r->cur_line - count_newlines(s, n);
	if (reserve_bytes(r, n + 1) == -1 || reserve_field(r) == -1)
		return;
	if (n > 0)
		memcpy(r->bytes + r->nbytes, s, n);
	r->bytes[r->nbytes + n] = '\0';
	r->off[r->nf] = r->nbytes;
	r->len[r->nf] = n;
	r->nf++;
	r->nbytes += n + 1;
}

static void
on_row(int c, void *data)
{
	struct reader *r = data;
	struct intake_row row;
	size_t i;

	(void)c;
	if (r->failed)
		return;
	for (i = 0; i < r->nf; i++)
		r->ptr[i] = r->bytes + r->off[i];
	row.line = r->row_line;
	row.nfields = r->nf;
	row.field = r->ptr;
	row.len = r->len;
	if (r->nf > 0 && r->row_cb(r->ctx, &row) == -1)
		r->failed = 1;
	r->nf = 0;
	r->nbytes = 0;
}

/* Character column (1-based) of byte pos within the line starting at ls. */
static size_t
char_column(const char *ls, const char *pos)
{
	size_t col = 1;

	for (; ls < pos; ls++) {
		if (((unsigned char)*ls & 0xC0) != 0x80)
			col++;
	}
	return col;
}

/* Checks buf[0..len) is UTF-8 a slice at a time, telling in how far it read. */
static int
check_utf8(const struct intake_input *in, size_t start, char *err, size_t errlen)
{
	const size_t slice = 1u << 20;
	size_t pos = start, end, lines = 0, line, col;
	const char *nl;

	while (pos < in->len) {
		end = in->len - pos > slice ? pos + slice : in->len;
		/* cut after a newline: no UTF-8 sequence spans one */
		if (end < in->len && (nl = memrchr(in->buf + pos, '\n', end - pos)) != NULL)
			end = (size_t)(nl - in->buf) + 1;
		if (intake_check_utf8(in->buf + pos, end - pos, &line, &col) == -1)
			return intake_fail(err, errlen,
			    "line %zu, column %zu: "
			    "invalid UTF-8",
			    lines + line, col);
		lines += count_newlines(in->buf + pos, end - pos);
		pos = end;
		if (in->read_past != NULL)
			in->read_past(in->arg, pos);
	}
	return 0;
}

static int
feed_lines(struct reader *r, struct csv_parser *p, const struct intake_input *in, size_t bom)
{
	const char *buf = in->buf + bom;
	size_t len = in->len - bom;
	size_t pos = 0, chunk, used;
	const char *nl;

	while (pos < len && !r->failed) {
		nl = memchr(buf + pos, '\n', len - pos);
		chunk = nl != NULL ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
		used = csv_parse(p, buf + pos, chunk, on_field, on_row, r);
		if (r->failed)
			return -1;
		if (used != chunk) {
			if (csv_error(p) == CSV_ENOMEM)
				return reader_oom(r);
			return intake_fail(r->err, r->errlen,
			    "line %zu, column %zu: broken quoting (a quote "
			    "must open a field and be doubled inside it)",
			    r->cur_line, char_column(buf + pos, buf + pos + used));
		}
		pos += chunk;
		if (nl != NULL)
			r->cur_line++;
		if (in->read_past != NULL)
			in->read_past(in->arg, bom + pos);
	}
	return r->failed ? -1 : 0;
}

int
intake_csv_read(const struct intake_input *in, int (*row_cb)(void *, const struct intake_row *),
    void *ctx, char *err, size_t errlen)
{
	struct reader r;
	struct csv_parser p;
	const char *buf = in->buf;
	size_t len = in->len, bom = intake_bom_len(buf, len);
	int rc;

	if (check_utf8(in, bom, err, errlen) == -1)
		return -1;
	memset(&r, 0, sizeof(r));
	r.cur_line = 1;
	r.row_cb = row_cb;
	r.ctx = ctx;
	r.err = err;
	r.errlen = errlen;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return intake_fail(err, errlen, "out of memory");
	rc = feed_lines(&r, &p, in, bom);
	if (rc == 0 && csv_fini(&p, on_field, on_row, &r) != 0) {
		if (!r.failed)
			intake_fail(err, errlen,
			    "line %zu: end of file inside "
			    "a quoted field (a closing quote is missing)",
			    r.cur_line - (len > bom && buf[len - 1] == '\n'));
		rc = -1;
	}
	if (rc == 0 && r.failed)
		rc = -1;
	csv_free(&p);
	free(r.bytes);
	free(r.off);
	free(r.len);
	free(r.ptr);
	return rc;
}

long
intake_csv_column(const struct intake_row *header, const char *name)
{
	size_t i;

	for (i = 0; i < header->nfields; i++) {
		const char *s = header->field[i];
		size_t n = header->len[i];

		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (intake_eq_nocase(s, n, name))
			return (long)i;
	}
	return -1;
}

const char *
intake_csv_field(const struct intake_row *row, long i, size_t *n)
{
	if (i < 0 || (size_t)i >= row->nfields) {
		*n = 0;
		return "";
	}
	*n = row->len[i];
	return row->field[i];
}
