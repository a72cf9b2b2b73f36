/* Shopify's order export CSV (Admin > Orders > Export) to the order model. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "station/intake/intake_csvread.h"
#include "station/intake/intake_parse.h"
#include "station/intake/intake_stream.h"
#include "station/intake/intake_util.h"

/* Columns we read, found by header name. The first NREQUIRED must exist. */
enum col {
	C_NAME,
	C_LI_QTY,
	C_LI_NAME,
	C_ID,
	C_EMAIL,
	C_FIN,
	C_FUL,
	C_CREATED,
	C_CANCELLED,
	C_NOTES,
	C_NOTE_ATTRS,
	C_TAGS,
	C_SHIP_METHOD,
	C_SHIP_NAME,
	C_SHIP_STREET,
	C_SHIP_A1,
	C_SHIP_A2,
	C_SHIP_COMPANY,
	C_SHIP_CITY,
	C_SHIP_ZIP,
	C_SHIP_PROV,
	C_SHIP_PROV_NAME,
	C_SHIP_COUNTRY,
	C_SHIP_PHONE,
	C_LI_SKU,
	C_LI_REQSHIP,
	C_LI_FULSTAT,
	C_BILL_NAME,
	NCOLS
};
#define NREQUIRED 3

static const char *const col_names[NCOLS] = {
	"Name",
	"Lineitem quantity",
	"Lineitem name",
	"Id",
	"Email",
	"Financial Status",
	"Fulfillment Status",
	"Created at",
	"Cancelled at",
	"Notes",
	"Note Attributes",
	"Tags",
	"Shipping Method",
	"Shipping Name",
	"Shipping Street",
	"Shipping Address1",
	"Shipping Address2",
	"Shipping Company",
	"Shipping City",
	"Shipping Zip",
	"Shipping Province",
	"Shipping Province Name",
	"Shipping Country",
	"Shipping Phone",
	"Lineitem sku",
	"Lineitem requires shipping",
	"Lineitem fulfillment status",
	"Billing Name",
};

struct cparse {
	long col[NCOLS];
	int have_header;
	size_t nheader;
	struct order *cur; /* the order whose rows we read */
	size_t cur_line;   /* the line of its first row */
	size_t n;	   /* orders begun */
	size_t line_cap;   /* capacity of cur->lines */
	intake_order_cb cb;
	void *cbctx;
	struct intake_seen *names; /* order name -> line of its first row */
	int own_names;
	char *err;
	size_t errlen;
};

static int
oom(struct cparse *c)
{
	return intake_fail(c->err, c->errlen, "out of memory");
}

static const char *
cell(const struct intake_row *row, const struct cparse *c, enum col k, size_t *n)
{
	return intake_csv_field(row, c->col[k], n);
}

static int
col_fail(struct cparse *c, const struct intake_row *row, enum col k, const char *what)
{
	char ex[64];
	size_t n;
	const char *s = cell(row, c, k, &n);

	intake_excerpt(ex, sizeof(ex), s, n);
	return intake_fail(c->err, c->errlen,
	    "line %zu: column '%s': %s, "
	    "got '%s'",
	    row->line, col_names[k], what, ex);
}

/* Copies a cell; an empty cell is NULL. Excel's leading apostrophe (kept
 * to stop it eating zeros of zips and phones) is dropped if strip. */
static int
take(struct cparse *c, const struct intake_row *row, enum col k, int strip, char **out)
{
	size_t n;
	const char *s = cell(row, c, k, &n);

	*out = NULL;
	if (strip && n > 0 && s[0] == '\'') {
		s++;
		n--;
	}
	if (n == 0)
		return 0;
	if ((*out = intake_strndup(s, n)) == NULL)
		return oom(c);
	return 0;
}

/* A whole number in [lo, hi]; -1 on anything else. */
static int
parse_whole(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 32)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		/* every id up to 2^63-1, as the JSON reader takes them */
		if (v > (hi - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo)
		return -1;
	*out = v;
	return 0;
}

static int
set_attr(struct cparse *c, struct order *o, const char *key, size_t kn, const char *val, size_t vn)
{
	char **slot;

	switch (intake_classify_attr(key, kn)) {
	case INTAKE_ATTR_GIFT_MESSAGE: slot = &o->gift_message; break;
	case INTAKE_ATTR_TRACKING_NUMBER: slot = &o->tracking_number; break;
	case INTAKE_ATTR_TRACKING_COMPANY: slot = &o->tracking_company; break;
	default: return 0;
	}
	while (vn > 0 && (*val == ' ' || *val == '\t')) {
		val++;
		vn--;
	}
	while (vn > 0 && (val[vn - 1] == ' ' || val[vn - 1] == '\r'))
		vn--;
	if (*slot != NULL || vn == 0)
		return 0;
	if ((*slot = intake_strndup(val, vn)) == NULL)
		return oom(c);
	return 0;
}

/* "Note Attributes" holds one "key: value" per line. */
static int
parse_note_attributes(struct cparse *c, const struct intake_row *row, struct order *o)
{
	size_t n, ln;
	const char *s = cell(row, c, C_NOTE_ATTRS, &n), *end = s + n, *nl;
	const char *colon;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		ln = (nl != NULL ? nl : end) - s;
		colon = memchr(s, ':', ln);
		if (colon != NULL &&
		    set_attr(c, o, s, (size_t)(colon - s), colon + 1,
			ln - (size_t)(colon - s) - 1) == -1)
			return -1;
		s += ln + 1;
	}
	return 0;
}

static int
parse_address(struct cparse *c, const struct intake_row *row, struct order *o)
{
	struct address *a = &o->ship;
	char *country;

	if (take(c, row, C_SHIP_NAME, 0, &a->name) == -1 ||
	    take(c, row, C_SHIP_A1, 0, &a->address1) == -1 ||
	    (a->address1 == NULL && take(c, row, C_SHIP_STREET, 0, &a->address1) == -1) ||
	    take(c, row, C_SHIP_A2, 0, &a->address2) == -1 ||
	    take(c, row, C_SHIP_COMPANY, 0, &a->company) == -1 ||
	    take(c, row, C_SHIP_CITY, 0, &a->city) == -1 ||
	    take(c, row, C_SHIP_ZIP, 1, &a->zip) == -1 ||
	    take(c, row, C_SHIP_PROV, 0, &a->province_code) == -1 ||
	    take(c, row, C_SHIP_PROV_NAME, 0, &a->province) == -1 ||
	    take(c, row, C_SHIP_PHONE, 1, &a->phone) == -1 ||
	    take(c, row, C_SHIP_COUNTRY, 0, &country) == -1)
		return -1;
	/* the export writes the ISO code ("DE"); keep a full name as such */
	if (country != NULL && strlen(country) == 2)
		a->country_code = country;
	else
		a->country = country;
	o->has_shipping_address = a->name != NULL || a->address1 != NULL || a->city != NULL ||
	    a->zip != NULL || country != NULL;
	/* no address (a pickup): the buyer's name is still what the counter needs */
	if (!o->has_shipping_address && take(c, row, C_BILL_NAME, 0, &a->name) == -1)
		return -1;
	return 0;
}

static int
parse_id(struct cparse *c, const struct intake_row *row, struct order *o)
{
	size_t n;
	const char *s = cell(row, c, C_ID, &n);

	if (n == 0)
		return 0;
	if (parse_whole(s, n, 0, INT64_MAX, &o->id) == -1)
		return col_fail(c, row, C_ID, "expected a whole number");
	return 0;
}

/* The export says "unfulfilled" where the API says null. */
static void
normalize_unfulfilled(char **s)
{
	if (*s != NULL && strcmp(*s, "unfulfilled") == 0) {
		free(*s);
		*s = NULL;
	}
}

static int
order_from_row(struct cparse *c, const struct intake_row *row, struct order **out)
{
	struct order *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return oom(c);
	if (take(c, row, C_NAME, 0, &o->name) == -1 || parse_id(c, row, o) == -1 ||
	    take(c, row, C_EMAIL, 0, &o->email) == -1 ||
	    take(c, row, C_CREATED, 0, &o->created_at) == -1 ||
	    take(c, row, C_FIN, 0, &o->financial_status) == -1 ||
	    take(c, row, C_FUL, 0, &o->fulfillment_status) == -1 ||
	    take(c, row, C_CANCELLED, 0, &o->cancelled_at) == -1 ||
	    take(c, row, C_NOTES, 0, &o->note) == -1 || take(c, row, C_TAGS, 0, &o->tags) == -1 ||
	    take(c, row, C_SHIP_METHOD, 0, &o->shipping_title) == -1 ||
	    parse_note_attributes(c, row, o) == -1 || parse_address(c, row, o) == -1) {
		order_free(o);
		return -1;
	}
	normalize_unfulfilled(&o->fulfillment_status);
	o->pickup = o->shipping_title != NULL &&
	    intake_text_is_pickup(o->shipping_title, strlen(o->shipping_title));
	*out = o;
	return 0;
}

static int
line_flags(struct cparse *c, const struct intake_row *row, struct order_line *l)
{
	size_t n;
	const char *s = cell(row, c, C_LI_REQSHIP, &n);

	if (n == 0 || intake_eq_nocase(s, n, "true"))
		l->requires_shipping = 1;
	else if (intake_eq_nocase(s, n, "false"))
		l->requires_shipping = 0;
	else
		return col_fail(c, row, C_LI_REQSHIP, "expected true or false");
	if (take(c, row, C_LI_FULSTAT, 0, &l->fulfillment_status) == -1)
		return -1;
	/* "pending" is the export's word for "not fulfilled yet" */
	if (l->fulfillment_status != NULL && strcmp(l->fulfillment_status, "pending") == 0) {
		free(l->fulfillment_status);
		l->fulfillment_status = NULL;
	}
	return 0;
}

static int
line_from_row(struct cparse *c, const struct intake_row *row, struct order_line *l)
{
	size_t n;
	const char *s = cell(row, c, C_LI_QTY, &n);

	l->grams = -1;
	if (parse_whole(s, n, 0, INT64_MAX / 10, &l->quantity) == -1)
		return col_fail(c, row, C_LI_QTY, "expected a whole number");
	if (l->quantity > INTAKE_MAX_QUANTITY)
		return col_fail(c, row, C_LI_QTY, "out of range (0..100000)");
	/*
	 * "Lineitem name" is "Title - Variant", but titles contain " - " too:
	 * no reliable split, so the title is the whole name.
	 */
	if (take(c, row, C_LI_NAME, 0, &l->name) == -1 ||
	    take(c, row, C_LI_NAME, 0, &l->title) == -1 ||
	    take(c, row, C_LI_SKU, 0, &l->sku) == -1 || line_flags(c, row, l) == -1)
		return -1;
	l->fulfillable_quantity = (l->fulfillment_status != NULL &&
				      strcmp(l->fulfillment_status, "fulfilled") == 0)
	    ? 0
	    : l->quantity;
	return 0;
}

static int
add_line(struct cparse *c, const struct intake_row *row, struct order *o)
{
	struct order_line *nl;
	size_t cap;

	if (o->nlines == c->line_cap) {
		cap = c->line_cap ? c->line_cap * 2 : 4;
		if ((nl = realloc(o->lines, cap * sizeof(*nl))) == NULL)
			return oom(c);
		o->lines = nl;
		c->line_cap = cap;
	}
	memset(&o->lines[o->nlines], 0, sizeof(o->lines[0]));
	o->nlines++; /* order_free frees what is filled */
	return line_from_row(c, row, &o->lines[o->nlines - 1]);
}

/* Hands the finished order to the callback (which owns it from now on). */
static int
emit(struct cparse *c)
{
	struct order *o = c->cur;

	c->cur = NULL;
	if (o == NULL)
		return 0;
	return c->cb(c->cbctx, o, c->err, c->errlen);
}

static int
add_order(struct cparse *c, const struct intake_row *row)
{
	struct order *o = NULL;
	size_t prev;
	int r;

	if (emit(c) == -1 || order_from_row(c, row, &o) == -1)
		return -1;
	c->cur = o;
	c->cur_line = row->line;
	c->n++;
	c->line_cap = 0;
	r = intake_seen_add_str(c->names, o->name, row->line, &prev);
	if (r == -1)
		return oom(c);
	if (r == 1)
		return intake_fail(c->err, c->errlen,
		    "line %zu: order %s "
		    "appears again (first at line %zu); an order's rows must "
		    "be adjacent",
		    row->line, o->name, prev);
	return 0;
}

static int
read_header(struct cparse *c, const struct intake_row *row)
{
	size_t k;

	for (k = 0; k < NCOLS; k++) {
		c->col[k] = intake_csv_column(row, col_names[k]);
		if (k < NREQUIRED && c->col[k] < 0)
			return intake_fail(c->err, c->errlen,
			    "line %zu: "
			    "missing required column '%s'",
			    row->line, col_names[k]);
	}
	c->have_header = 1;
	c->nheader = row->nfields;
	return 0;
}

static int
row_is_blank(const struct intake_row *row)
{
	size_t i;

	for (i = 0; i < row->nfields; i++) {
		if (row->len[i] > 0)
			return 0;
	}
	return 1;
}

/* A later row of an order that names an Id names the first row's Id. */
static int
check_same_id(struct cparse *c, const struct intake_row *row)
{
	size_t n;
	const char *s = cell(row, c, C_ID, &n);
	int64_t id;

	if (n == 0)
		return 0;
	if (parse_whole(s, n, 0, INT64_MAX, &id) == -1)
		return col_fail(c, row, C_ID, "expected a whole number");
	if (id == c->cur->id)
		return 0;
	return intake_fail(c->err, c->errlen,
	    "line %zu: order %s: Id %" PRId64 " conflicts with Id %" PRId64
	    " on line %zu (rows of one order "
	    "carry one Id)",
	    row->line, c->cur->name, id, c->cur->id, c->cur_line);
}

static int
on_row(void *ctx, const struct intake_row *row)
{
	struct cparse *c = ctx;
	const char *name;
	size_t n;

	if (!c->have_header)
		return read_header(c, row);
	if (row_is_blank(row))
		return 0;
	if (row->nfields > c->nheader)
		return intake_fail(c->err, c->errlen,
		    "line %zu: %zu fields, "
		    "but the header has %zu",
		    row->line, row->nfields, c->nheader);
	name = cell(row, c, C_NAME, &n);
	if (n == 0)
		return intake_fail(c->err, c->errlen,
		    "line %zu: column "
		    "'Name': empty",
		    row->line);
	/* rows of one order share its Name; order columns are on the first */
	if (c->cur == NULL || strcmp(c->cur->name, name) != 0) {
		if (add_order(c, row) == -1)
			return -1;
	} else if (check_same_id(c, row) == -1)
		return -1;
	return add_line(c, row, c->cur);
}

int
intake_stream_orders_csv(
    const char *buf, size_t len, intake_order_cb cb, void *ctx, size_t *n, char *err, size_t errlen)
{
	struct intake_input in = { buf, len, NULL, NULL, NULL };

	return intake_stream_orders_csv_from(&in, cb, ctx, n, err, errlen);
}

int
intake_stream_orders_csv_from(const struct intake_input *in, intake_order_cb cb, void *ctx,
    size_t *n, char *err, size_t errlen)
{
	struct cparse c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	c.cb = cb;
	c.cbctx = ctx;
	c.names = in->seen;
	if (c.names == NULL) {
		if ((c.names = intake_seen_new_exact()) == NULL)
			return intake_fail(err, errlen, "out of memory");
		c.own_names = 1;
	}
	rc = intake_csv_read(in, on_row, &c, err, errlen);
	if (rc == 0 && !c.have_header)
		rc = intake_fail(err, errlen, "empty file");
	else if (rc == 0 && c.n == 0)
		rc = intake_fail(err, errlen, "no orders in file");
	else if (rc == 0)
		rc = emit(&c);
	if (c.own_names)
		intake_seen_free(c.names);
	order_free(c.cur);
	if (rc == 0)
		*n = c.n;
	return rc;
}

int
intake_parse_orders_csv(
    const char *buf, size_t len, struct order ***out, size_t *n, char *err, size_t errlen)
{
	return intake_collect_orders(intake_stream_orders_csv, buf, len, out, n, err, errlen);
}
