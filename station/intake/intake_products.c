/* Product codes: Shopify's product export CSV and the plain barcode,sku,multiplier list. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "station/intake/intake_csvread.h"
#include "station/intake/intake_parse.h"
#include "station/intake/intake_stream.h"
#include "station/intake/intake_util.h"

/* A case of more than this many units is a typo, not a pack. */
#define MAX_MULTIPLIER 10000

enum pkind { P_PRODUCTS, P_CODES };

struct pparse {
	enum pkind kind;
	int have_header;
	long c_code, c_sku, c_mult;
	struct product_code *v;
	size_t n, cap;
	struct intake_set *codes; /* code -> index in v */
	char *err;
	size_t errlen;
};

static int
oom(struct pparse *p)
{
	return intake_fail(p->err, p->errlen, "out of memory");
}

static const char *
code_col(const struct pparse *p)
{
	return p->kind == P_PRODUCTS ? "Variant Barcode" : "barcode";
}

static const char *
sku_col(const struct pparse *p)
{
	return p->kind == P_PRODUCTS ? "Variant SKU" : "sku";
}

static int
read_header(struct pparse *p, const struct intake_row *row)
{
	p->c_code = intake_csv_column(row, code_col(p));
	p->c_sku = intake_csv_column(row, sku_col(p));
	p->c_mult = p->kind == P_CODES ? intake_csv_column(row, "multiplier") : -1;
	if (p->c_code < 0)
		return intake_fail(p->err, p->errlen,
		    "line %zu: missing "
		    "required column '%s'",
		    row->line, code_col(p));
	if (p->c_sku < 0)
		return intake_fail(p->err, p->errlen,
		    "line %zu: missing "
		    "required column '%s'",
		    row->line, sku_col(p));
	p->have_header = 1;
	return 0;
}

static int
parse_multiplier(struct pparse *p, const struct intake_row *row, int64_t *out)
{
	size_t n, i;
	const char *s = intake_csv_field(row, p->c_mult, &n);
	int64_t v = 0;
	char ex[64];

	*out = 1;
	if (n == 0)
		return 0;
	for (i = 0; i < n && i < 9; i++) {
		if (s[i] < '0' || s[i] > '9')
			break;
		v = v * 10 + (s[i] - '0');
	}
	if (i == n && v >= 1 && v <= MAX_MULTIPLIER) {
		*out = v;
		return 0;
	}
	intake_excerpt(ex, sizeof(ex), s, n);
	return intake_fail(p->err, p->errlen,
	    "line %zu: column 'multiplier': "
	    "expected a whole number from 1 to %d, got '%s'",
	    row->line, MAX_MULTIPLIER, ex);
}

/* Appends code -> sku; the same pair twice is kept once, a clash is an error. */
static int
add_code(struct pparse *p, const struct intake_row *row, const char *code, size_t cn,
    const char *sku, size_t sn, int64_t mult)
{
	struct product_code *nv, *e;
	size_t cap, prev;
	char ex[64];
	int r;

	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 64;
		if ((nv = realloc(p->v, cap * sizeof(*nv))) == NULL)
			return oom(p);
		p->v = nv;
		p->cap = cap;
	}
	e = &p->v[p->n];
	e->multiplier = mult;
	e->code = intake_strndup(code, cn);
	e->sku = intake_strndup(sku, sn);
	if (e->code == NULL || e->sku == NULL) {
		free(e->code);
		free(e->sku);
		return oom(p);
	}
	r = intake_set_add_str(p->codes, e->code, p->n, &prev);
	if (r == 0) {
		p->n++;
		return 0;
	}
	if (r == 1 && strcmp(p->v[prev].sku, e->sku) == 0 && p->v[prev].multiplier == mult)
		r = 0; /* a repeat of the same row */
	else if (r == 1) {
		intake_excerpt(ex, sizeof(ex), code, cn);
		intake_fail(p->err, p->errlen,
		    "line %zu: code '%s' already "
		    "means %" PRId64 " x SKU '%s'",
		    row->line, ex, p->v[prev].multiplier, p->v[prev].sku);
	} else
		oom(p);
	free(e->code);
	free(e->sku);
	return r == 0 ? 0 : -1;
}

static int
on_row(void *ctx, const struct intake_row *row)
{
	struct pparse *p = ctx;
	const char *code, *sku;
	size_t cn, sn;
	int64_t mult = 1;

	if (!p->have_header)
		return read_header(p, row);
	code = intake_csv_field(row, p->c_code, &cn);
	sku = intake_csv_field(row, p->c_sku, &sn);
	/* Excel exports keep leading zeros of GTINs behind an apostrophe */
	if (cn > 0 && code[0] == '\'') {
		code++;
		cn--;
	}
	if (p->kind == P_PRODUCTS) {
		/* image-only rows and variants without a barcode carry no code */
		if (cn == 0 || sn == 0)
			return 0;
	} else {
		if (cn == 0 && sn == 0)
			return 0; /* a blank row */
		if (cn == 0 || sn == 0)
			return intake_fail(p->err, p->errlen,
			    "line %zu: column "
			    "'%s': empty",
			    row->line, cn == 0 ? "barcode" : "sku");
		if (parse_multiplier(p, row, &mult) == -1)
			return -1;
	}
	return add_code(p, row, code, cn, sku, sn, mult);
}

static int
parse_codes(enum pkind kind, const struct intake_input *in, struct product_code **out, size_t *n,
    char *err, size_t errlen)
{
	struct pparse p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.err = err;
	p.errlen = errlen;
	if ((p.codes = intake_set_new()) == NULL)
		return intake_fail(err, errlen, "out of memory");
	rc = intake_csv_read(in, on_row, &p, err, errlen);
	if (rc == 0 && !p.have_header)
		rc = intake_fail(err, errlen, "empty file");
	else if (rc == 0 && p.n == 0)
		rc = intake_fail(err, errlen,
		    kind == P_PRODUCTS ? "no row has both 'Variant SKU' and 'Variant Barcode'"
				       : "no codes in file");
	intake_set_free(p.codes);
	if (rc == -1) {
		product_codes_free(p.v, p.n);
		return -1;
	}
	*out = p.v;
	*n = p.n;
	return 0;
}

int
intake_parse_products_csv(
    const char *buf, size_t len, struct product_code **out, size_t *n, char *err, size_t errlen)
{
	struct intake_input in = { buf, len, NULL, NULL, NULL };

	return parse_codes(P_PRODUCTS, &in, out, n, err, errlen);
}

int
intake_parse_products_csv_from(
    const struct intake_input *in, struct product_code **out, size_t *n, char *err, size_t errlen)
{
	return parse_codes(P_PRODUCTS, in, out, n, err, errlen);
}

int
intake_parse_codes_csv_from(
    const struct intake_input *in, struct product_code **out, size_t *n, char *err, size_t errlen)
{
	return parse_codes(P_CODES, in, out, n, err, errlen);
}

int
intake_parse_codes_csv(
    const char *buf, size_t len, struct product_code **out, size_t *n, char *err, size_t errlen)
{
	struct intake_input in = { buf, len, NULL, NULL, NULL };

	return parse_codes(P_CODES, &in, out, n, err, errlen);
}
