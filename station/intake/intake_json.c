/* Shopify order JSON (Admin REST API, webhooks) to the order model. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/intake/intake_jsonread.h"
#include "station/intake/intake_parse.h"
#include "station/intake/intake_stream.h"
#include "station/intake/intake_util.h"

/* Up to this many lines a pairwise duplicate check beats a hash set. */
#define SMALL_ORDER_LINES 16

/* Where we are, for error messages: "order #1001: line_items[2].quantity". */
struct jctx {
	const struct jdoc *d;
	char label[96]; /* "order #1001", "orders[3]" or "order" */
	char *err;
	size_t errlen;
};

/* A field's place: key inside obj (NULL: the order), obj[idx] if idx >= 0. */
struct where {
	const char *obj;
	long idx;
};

static const struct where TOP = { NULL, -1 };

static int field_fail(const struct jctx *c, struct where w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
field_fail(const struct jctx *c, struct where w, const char *key, const char *fmt, ...)
{
	char path[96], msg[160];
	va_list ap;

	if (w.obj == NULL)
		snprintf(path, sizeof(path), "%s", key);
	else if (w.idx < 0)
		snprintf(path, sizeof(path), "%s.%s", w.obj, key);
	else if (key == NULL)
		snprintf(path, sizeof(path), "%s[%ld]", w.obj, w.idx);
	else
		snprintf(path, sizeof(path), "%s[%ld].%s", w.obj, w.idx, key);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return intake_fail(c->err, c->errlen, "%s: %s: %s", c->label, path, msg);
}

static const struct jv *
get(const struct jctx *c, const struct jv *o, const char *key)
{
	return jr_get(c->d, o, key);
}

static int
is_type(const struct jv *v, enum jv_type t)
{
	return v != NULL && v->type == t;
}

#define IS_NULL(v)   is_type((v), JV_NULL)
#define IS_STRING(v) is_type((v), JV_STRING)
#define IS_INT(v)    is_type((v), JV_INT)
#define IS_ARRAY(v)  is_type((v), JV_ARRAY)
#define IS_OBJECT(v) is_type((v), JV_OBJECT)
#define IS_BOOL(v)   (is_type((v), JV_TRUE) || is_type((v), JV_FALSE))

/* A string node's bytes and length. */
static const char *
str_of(const struct jctx *c, const struct jv *v, size_t *n)
{
	return jr_str(c->d, v, n);
}

static int
oom(const struct jctx *c)
{
	return intake_fail(c->err, c->errlen, "%s: out of memory", c->label);
}

/* A string or null; "" is stored as NULL (no value), like the CSV export. */
static int
get_string(const struct jctx *c, const struct jv *o, struct where w, const char *key, char **out)
{
	const struct jv *v = get(c, o, key);
	const char *s;
	size_t n;

	*out = NULL;
	if (v == NULL || IS_NULL(v))
		return 0;
	if (!IS_STRING(v))
		return field_fail(c, w, key, "expected a string");
	s = str_of(c, v, &n);
	if (n == 0)
		return 0;
	*out = intake_strndup(s, n);
	return *out == NULL ? oom(c) : 0;
}

/* Parses an all-digit string into a non-negative int64; -1 if it is not one. */
static int
parse_decimal(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* A shop id: an exact integer or its decimal string; missing or null is 0. */
static int
get_id(const struct jctx *c, const struct jv *o, struct where w, const char *key, int64_t *out)
{
	const struct jv *v = get(c, o, key);
	const char *s;
	char ex[64];
	size_t n;

	*out = 0;
	if (v == NULL || IS_NULL(v))
		return 0;
	if (IS_INT(v)) {
		if (v->i < 0)
			return field_fail(c, w, key, "must not be negative");
		*out = v->i;
		return 0;
	}
	if (IS_STRING(v)) {
		s = str_of(c, v, &n);
		if (parse_decimal(s, n, out) == 0)
			return 0;
		intake_excerpt(ex, sizeof(ex), s, n);
		return field_fail(c, w, key, "expected an integer id, got '%s'", ex);
	}
	return field_fail(c, w, key, "expected an integer");
}

/* An integer or null; *present says whether one was given. */
static int
get_int(const struct jctx *c, const struct jv *o, struct where w, const char *key, int64_t *out,
    int *present)
{
	const struct jv *v = get(c, o, key);

	*present = 0;
	if (v == NULL || IS_NULL(v))
		return 0;
	if (!IS_INT(v))
		return field_fail(c, w, key, "expected an integer");
	*out = v->i;
	*present = 1;
	return 0;
}

static int
get_bool(
    const struct jctx *c, const struct jv *o, struct where w, const char *key, int *out, int def)
{
	const struct jv *v = get(c, o, key);

	*out = def;
	if (v == NULL || IS_NULL(v))
		return 0;
	if (!IS_BOOL(v))
		return field_fail(c, w, key, "expected true or false");
	*out = (v->type == JV_TRUE);
	return 0;
}

static int
quantity_check(const struct jctx *c, struct where w, const char *key, int64_t q)
{
	if (q < 0 || q > INTAKE_MAX_QUANTITY)
		return field_fail(c, w, key,
		    "%" PRId64 " is out of range "
		    "(0..%d)",
		    q, INTAKE_MAX_QUANTITY);
	return 0;
}

static int
parse_line_quantities(
    const struct jctx *c, const struct jv *li, struct where w, struct order_line *l)
{
	int64_t cur;
	int has;

	if (get(c, li, "quantity") == NULL)
		return field_fail(c, w, "quantity", "missing");
	if (get_int(c, li, w, "quantity", &l->quantity, &has) == -1)
		return -1;
	if (!has)
		return field_fail(c, w, "quantity", "expected an integer");
	if (quantity_check(c, w, "quantity", l->quantity) == -1)
		return -1;
	/* Order edits leave "quantity" as first ordered; "current_quantity" is what is ordered now. */
	if (get_int(c, li, w, "current_quantity", &cur, &has) == -1)
		return -1;
	if (has) {
		if (quantity_check(c, w, "current_quantity", cur) == -1)
			return -1;
		l->quantity = cur;
	}
	if (get_int(c, li, w, "fulfillable_quantity", &l->fulfillable_quantity, &has) == -1)
		return -1;
	if (!has)
		l->fulfillable_quantity = (l->fulfillment_status != NULL &&
					      strcmp(l->fulfillment_status, "fulfilled") == 0)
		    ? 0
		    : l->quantity;
	if (l->fulfillable_quantity < 0)
		return field_fail(c, w, "fulfillable_quantity", "must not be negative");
	if (l->fulfillable_quantity > l->quantity)
		return field_fail(c, w, "fulfillable_quantity",
		    "%" PRId64 " exceeds quantity %" PRId64, l->fulfillable_quantity, l->quantity);
	return 0;
}

static int
parse_line(const struct jctx *c, const struct jv *li, long idx, struct order_line *l)
{
	struct where w = { "line_items", idx };
	int has;

	if (!IS_OBJECT(li))
		return field_fail(c, w, NULL, "expected an object");
	if (get_id(c, li, w, "id", &l->id) == -1 || get_string(c, li, w, "sku", &l->sku) == -1 ||
	    get_string(c, li, w, "title", &l->title) == -1 ||
	    get_string(c, li, w, "variant_title", &l->variant_title) == -1 ||
	    get_string(c, li, w, "name", &l->name) == -1 ||
	    get_string(c, li, w, "fulfillment_status", &l->fulfillment_status) == -1 ||
	    get_bool(c, li, w, "requires_shipping", &l->requires_shipping, 1) == -1 ||
	    get_int(c, li, w, "grams", &l->grams, &has) == -1)
		return -1;
	if (!has)
		l->grams = -1;
	else if (l->grams < 0)
		return field_fail(c, w, "grams", "must not be negative");
	return parse_line_quantities(c, li, w, l);
}

/* Rejects a line id seen before in this order (ids of 0 mean "none"). */
static int
check_line_ids(const struct jctx *c, const struct order *o)
{
	struct intake_set *set;
	size_t i, j, prev;
	int r;

	if (o->nlines <= SMALL_ORDER_LINES) {
		for (i = 1; i < o->nlines; i++) {
			for (j = 0; j < i; j++) {
				if (o->lines[i].id != 0 && o->lines[i].id == o->lines[j].id)
					goto dup;
			}
		}
		return 0;
	}
	if ((set = intake_set_new()) == NULL)
		return oom(c);
	for (i = 0; i < o->nlines; i++) {
		if (o->lines[i].id == 0)
			continue;
		r = intake_set_add_int(set, o->lines[i].id, i, &prev);
		if (r != 0) {
			intake_set_free(set);
			if (r == -1)
				return oom(c);
			j = prev;
			goto dup;
		}
	}
	intake_set_free(set);
	return 0;
dup:
	return field_fail(c, (struct where){ "line_items", (long)i }, "id",
	    "duplicate line item id %" PRId64 " (also line_items[%zu])", o->lines[i].id, j);
}

static int
parse_lines(const struct jctx *c, const struct jv *jo, struct order *o)
{
	const struct jv *arr = get(c, jo, "line_items"), *li;
	size_t i, n;

	if (arr == NULL || IS_NULL(arr))
		return field_fail(c, TOP, "line_items", "missing");
	if (!IS_ARRAY(arr))
		return field_fail(c, TOP, "line_items", "expected an array");
	n = arr->n;
	if (n > 0 && (o->lines = calloc(n, sizeof(*o->lines))) == NULL)
		return oom(c);
	for (i = 0, li = jr_first(c->d, arr); li != NULL; i++, li = jr_next(c->d, li)) {
		o->nlines = i + 1; /* order_free frees what is filled */
		if (parse_line(c, li, (long)i, &o->lines[i]) == -1)
			return -1;
	}
	return check_line_ids(c, o);
}

/*
 * With no shipping address (local pickup), the buyer's name still goes on
 * the pickup label: billing_address.name, else the customer's names.
 */
static int
parse_buyer_name(const struct jctx *c, const struct jv *jo, struct order *o)
{
	static const struct where wb = { "billing_address", -1 };
	static const struct where wc = { "customer", -1 };
	const struct jv *b = get(c, jo, "billing_address"), *cu = get(c, jo, "customer");
	struct address *s = &o->ship;

	if (b != NULL && IS_OBJECT(b) && get_string(c, b, wb, "name", &s->name) == -1)
		return -1;
	if (s->name == NULL && cu != NULL && IS_OBJECT(cu) &&
	    (get_string(c, cu, wc, "first_name", &s->first_name) == -1 ||
		get_string(c, cu, wc, "last_name", &s->last_name) == -1))
		return -1;
	return 0;
}

static int
parse_address(const struct jctx *c, const struct jv *jo, struct order *o)
{
	static const struct where w = { "shipping_address", -1 };
	const struct jv *a = get(c, jo, "shipping_address");
	struct address *s = &o->ship;

	if (a == NULL || IS_NULL(a))
		return parse_buyer_name(c, jo, o); /* digital orders and pickups have none */
	if (!IS_OBJECT(a))
		return field_fail(c, TOP, "shipping_address", "expected an object");
	o->has_shipping_address = 1;
	if (get_string(c, a, w, "name", &s->name) == -1 ||
	    get_string(c, a, w, "first_name", &s->first_name) == -1 ||
	    get_string(c, a, w, "last_name", &s->last_name) == -1 ||
	    get_string(c, a, w, "company", &s->company) == -1 ||
	    get_string(c, a, w, "address1", &s->address1) == -1 ||
	    get_string(c, a, w, "address2", &s->address2) == -1 ||
	    get_string(c, a, w, "city", &s->city) == -1 ||
	    get_string(c, a, w, "province", &s->province) == -1 ||
	    get_string(c, a, w, "province_code", &s->province_code) == -1 ||
	    get_string(c, a, w, "zip", &s->zip) == -1 ||
	    get_string(c, a, w, "country", &s->country) == -1 ||
	    get_string(c, a, w, "country_code", &s->country_code) == -1 ||
	    get_string(c, a, w, "phone", &s->phone) == -1)
		return -1;
	return 0;
}

/* A pickup shipping line names itself in one of these fields. */
static int
shipping_line_is_pickup(const struct jctx *c, const struct jv *sl)
{
	static const char *const keys[] = { "delivery_category", "code", "title", "source" };
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const struct jv *v = get(c, sl, keys[k]);
		const char *s;
		size_t n;

		if (!IS_STRING(v))
			continue;
		s = str_of(c, v, &n);
		if (intake_text_is_pickup(s, n))
			return 1;
	}
	return 0;
}

static int
parse_shipping_lines(const struct jctx *c, const struct jv *jo, struct order *o)
{
	const struct jv *arr = get(c, jo, "shipping_lines"), *sl;
	size_t i;

	if (arr == NULL || IS_NULL(arr))
		return 0;
	if (!IS_ARRAY(arr))
		return field_fail(c, TOP, "shipping_lines", "expected an array");
	for (i = 0, sl = jr_first(c->d, arr); sl != NULL; i++, sl = jr_next(c->d, sl)) {
		struct where w = { "shipping_lines", (long)i };

		if (!IS_OBJECT(sl))
			return field_fail(c, w, NULL, "expected an object");
		if (i == 0 &&
		    (get_string(c, sl, w, "title", &o->shipping_title) == -1 ||
			get_string(c, sl, w, "code", &o->shipping_code) == -1))
			return -1;
		if (shipping_line_is_pickup(c, sl))
			o->pickup = 1;
	}
	return 0;
}

/* Sets *slot from an attribute value unless an earlier one set it. */
static int
attr_take(const struct jctx *c, struct where w, const struct jv *v, char **slot)
{
	char num[32];
	const char *s;
	size_t n;

	if (*slot != NULL || v == NULL || IS_NULL(v))
		return 0;
	if (IS_STRING(v)) {
		s = str_of(c, v, &n);
		if (n == 0)
			return 0;
		*slot = intake_strndup(s, n);
	} else if (IS_INT(v)) {
		/* tracking numbers typed into a form may arrive as numbers */
		snprintf(num, sizeof(num), "%" PRId64, v->i);
		*slot = intake_strndup(num, strlen(num));
	} else
		return field_fail(c, w, "value", "expected a string");
	return *slot == NULL ? oom(c) : 0;
}

static int
parse_note_attributes(const struct jctx *c, const struct jv *jo, struct order *o)
{
	const struct jv *arr = get(c, jo, "note_attributes"), *a;
	size_t i, n;

	if (arr == NULL || IS_NULL(arr))
		return 0;
	if (!IS_ARRAY(arr))
		return field_fail(c, TOP, "note_attributes", "expected an array");
	for (i = 0, a = jr_first(c->d, arr); a != NULL; i++, a = jr_next(c->d, a)) {
		struct where w = { "note_attributes", (long)i };
		const struct jv *name, *v;
		const char *s;
		char **slot = NULL;

		if (!IS_OBJECT(a))
			return field_fail(c, w, NULL, "expected an object");
		name = get(c, a, "name");
		if (name == NULL || IS_NULL(name))
			continue;
		if (!IS_STRING(name))
			return field_fail(c, w, "name", "expected a string");
		s = str_of(c, name, &n);
		switch (intake_classify_attr(s, n)) {
		case INTAKE_ATTR_GIFT_MESSAGE: slot = &o->gift_message; break;
		case INTAKE_ATTR_TRACKING_NUMBER: slot = &o->tracking_number; break;
		case INTAKE_ATTR_TRACKING_COMPANY: slot = &o->tracking_company; break;
		case INTAKE_ATTR_NONE: continue;
		}
		v = get(c, a, "value");
		if (attr_take(c, w, v, slot) == -1)
			return -1;
	}
	return 0;
}

/* name, or "#" + order_number; sets the error label either way. */
static int
parse_name(struct jctx *c, const struct jv *jo, struct order *o)
{
	const struct jv *v = get(c, jo, "name"), *num;
	const char *s = NULL;
	char buf[32];
	size_t n = 0;

	if (v != NULL && !IS_NULL(v) && !IS_STRING(v))
		return field_fail(c, TOP, "name", "expected a string");
	if (IS_STRING(v))
		s = str_of(c, v, &n);
	if (n > 0)
		o->name = intake_strndup(s, n);
	else {
		num = get(c, jo, "order_number");
		if (IS_INT(num) && num->i > 0)
			snprintf(buf, sizeof(buf), "#%" PRId64, num->i);
		else
			return field_fail(c, TOP, "name", "missing (and no order_number)");
		o->name = intake_strndup(buf, strlen(buf));
	}
	if (o->name == NULL)
		return oom(c);
	intake_excerpt(buf, sizeof(buf), o->name, strlen(o->name));
	snprintf(c->label, sizeof(c->label), "order %s", buf);
	return 0;
}

static int
parse_order(struct jctx *c, const struct jv *jo, struct order **out)
{
	struct order *o;

	if (!IS_OBJECT(jo))
		return intake_fail(c->err, c->errlen, "%s: expected an object", c->label);
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return oom(c);
	if (parse_name(c, jo, o) == -1 || get_id(c, jo, TOP, "id", &o->id) == -1 ||
	    get_string(c, jo, TOP, "email", &o->email) == -1 ||
	    get_string(c, jo, TOP, "created_at", &o->created_at) == -1 ||
	    get_string(c, jo, TOP, "financial_status", &o->financial_status) == -1 ||
	    get_string(c, jo, TOP, "fulfillment_status", &o->fulfillment_status) == -1 ||
	    get_string(c, jo, TOP, "cancelled_at", &o->cancelled_at) == -1 ||
	    get_string(c, jo, TOP, "cancel_reason", &o->cancel_reason) == -1 ||
	    get_string(c, jo, TOP, "note", &o->note) == -1 ||
	    get_string(c, jo, TOP, "tags", &o->tags) == -1 ||
	    parse_note_attributes(c, jo, o) == -1 || parse_address(c, jo, o) == -1 ||
	    parse_shipping_lines(c, jo, o) == -1 || parse_lines(c, jo, o) == -1) {
		order_free(o);
		return -1;
	}
	*out = o;
	return 0;
}

/* The state across one file's orders. */
struct jfile {
	struct jctx c;
	intake_order_cb cb;
	void *cbctx;
	size_t n;
	struct intake_seen *seen; /* names, ids -> index in the file */
	int own_seen;
};

/* Rejects an order given twice in one file (same name, or same id). */
static int
check_duplicate(struct jfile *f, const struct order *o)
{
	size_t prev;
	int r;

	r = intake_seen_add_str(f->seen, o->name, f->n, &prev);
	if (r == 0 && o->id != 0)
		r = intake_seen_add_int(f->seen, o->id, f->n, &prev);
	if (r == -1)
		return oom(&f->c);
	if (r == 1)
		return intake_fail(f->c.err, f->c.errlen,
		    "%s: appears twice "
		    "in this file (orders[%zu] and orders[%zu])",
		    f->c.label, prev, f->n);
	return 0;
}

/* Called by the reader for each order object, in file order. */
static int
on_order(void *ctx, const struct jdoc *d, const struct jv *jo, long idx)
{
	struct jfile *f = ctx;
	struct order *o = NULL;

	f->c.d = d;
	if (idx >= 0)
		snprintf(f->c.label, sizeof(f->c.label), "orders[%ld]", idx);
	else
		snprintf(f->c.label, sizeof(f->c.label), "order");
	if (parse_order(&f->c, jo, &o) == -1)
		return -1;
	if (check_duplicate(f, o) == -1) {
		order_free(o);
		return -1;
	}
	f->n++;
	return f->cb(f->cbctx, o, f->c.err, f->c.errlen);
}

int
intake_stream_orders_json(
    const char *buf, size_t len, intake_order_cb cb, void *ctx, size_t *n, char *err, size_t errlen)
{
	struct intake_input in = { buf, len, NULL, NULL, NULL };

	return intake_stream_orders_json_from(&in, cb, ctx, n, err, errlen);
}

int
intake_stream_orders_json_from(const struct intake_input *in, intake_order_cb cb, void *ctx,
    size_t *n, char *err, size_t errlen)
{
	struct jfile f;
	size_t count;
	int rc;

	memset(&f, 0, sizeof(f));
	f.c.err = err;
	f.c.errlen = errlen;
	f.cb = cb;
	f.cbctx = ctx;
	f.seen = in->seen;
	if (f.seen == NULL) {
		if ((f.seen = intake_seen_new_exact()) == NULL)
			return intake_fail(err, errlen, "out of memory");
		f.own_seen = 1;
	}
	rc = jr_each_order(in, on_order, &f, &count, err, errlen);
	if (rc == 0 && f.n == 0)
		rc = intake_fail(err, errlen, "no orders in file");
	if (f.own_seen)
		intake_seen_free(f.seen);
	if (rc == 0)
		*n = f.n;
	return rc;
}

int
intake_parse_orders_json(
    const char *buf, size_t len, struct order ***out, size_t *n, char *err, size_t errlen)
{
	return intake_collect_orders(intake_stream_orders_json, buf, len, out, n, err, errlen);
}
