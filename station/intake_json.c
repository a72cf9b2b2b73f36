/* Shopify order JSON (Admin REST API, webhooks) to the order model. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "station/intake_parse.h"
#include "station/intake_util.h"

/* Up to this many lines a pairwise duplicate check beats a hash set. */
#define SMALL_ORDER_LINES	16

/* Where we are, for error messages: "order #1001: line_items[2].quantity". */
struct jctx {
	char	 label[96];	/* "order #1001", "orders[3]" or "order" */
	char	*err;
	size_t	 errlen;
};

/* A field's place: key inside obj (NULL: the order), obj[idx] if idx >= 0. */
struct where {
	const char	*obj;
	long		 idx;
};

static const struct where TOP = { NULL, -1 };

static int
field_fail(const struct jctx *c, struct where w, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
field_fail(const struct jctx *c, struct where w, const char *key,
    const char *fmt, ...)
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

static int
oom(const struct jctx *c)
{
	return intake_fail(c->err, c->errlen, "%s: out of memory", c->label);
}

/* A string or null; "" is stored as NULL (no value), like the CSV export. */
static int
get_string(const struct jctx *c, json_t *o, struct where w, const char *key,
    char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return field_fail(c, w, key, "expected a string");
	if (json_string_length(v) == 0)
		return 0;
	*out = intake_strndup(json_string_value(v), json_string_length(v));
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
get_id(const struct jctx *c, json_t *o, struct where w, const char *key,
    int64_t *out)
{
	json_t *v = json_object_get(o, key);
	char ex[64];

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return field_fail(c, w, key, "must not be negative");
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		if (parse_decimal(json_string_value(v), json_string_length(v),
		    out) == 0)
			return 0;
		intake_excerpt(ex, sizeof(ex), json_string_value(v),
		    json_string_length(v));
		return field_fail(c, w, key, "expected an integer id, got '%s'",
		    ex);
	}
	return field_fail(c, w, key, "expected an integer");
}

/* An integer or null; *present says whether one was given. */
static int
get_int(const struct jctx *c, json_t *o, struct where w, const char *key,
    int64_t *out, int *present)
{
	json_t *v = json_object_get(o, key);

	*present = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return field_fail(c, w, key, "expected an integer");
	*out = json_integer_value(v);
	*present = 1;
	return 0;
}

static int
get_bool(const struct jctx *c, json_t *o, struct where w, const char *key,
    int *out, int def)
{
	json_t *v = json_object_get(o, key);

	*out = def;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return field_fail(c, w, key, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

static int
quantity_check(const struct jctx *c, struct where w, const char *key,
    int64_t q)
{
	if (q < 0 || q > INTAKE_MAX_QUANTITY)
		return field_fail(c, w, key, "%" PRId64 " is out of range "
		    "(0..%d)", q, INTAKE_MAX_QUANTITY);
	return 0;
}

static int
parse_line_quantities(const struct jctx *c, json_t *li, struct where w,
    struct order_line *l)
{
	int has;

	if (json_object_get(li, "quantity") == NULL)
		return field_fail(c, w, "quantity", "missing");
	if (get_int(c, li, w, "quantity", &l->quantity, &has) == -1)
		return -1;
	if (!has)
		return field_fail(c, w, "quantity", "expected an integer");
	if (quantity_check(c, w, "quantity", l->quantity) == -1)
		return -1;
	if (get_int(c, li, w, "fulfillable_quantity", &l->fulfillable_quantity,
	    &has) == -1)
		return -1;
	if (!has)
		l->fulfillable_quantity = (l->fulfillment_status != NULL &&
		    strcmp(l->fulfillment_status, "fulfilled") == 0) ?
		    0 : l->quantity;
	if (l->fulfillable_quantity < 0)
		return field_fail(c, w, "fulfillable_quantity",
		    "must not be negative");
	if (l->fulfillable_quantity > l->quantity)
		return field_fail(c, w, "fulfillable_quantity", "%" PRId64
		    " exceeds quantity %" PRId64, l->fulfillable_quantity,
		    l->quantity);
	return 0;
}

static int
parse_line(const struct jctx *c, json_t *li, long idx, struct order_line *l)
{
	struct where w = { "line_items", idx };
	int has;

	if (!json_is_object(li))
		return field_fail(c, w, NULL, "expected an object");
	if (get_id(c, li, w, "id", &l->id) == -1 ||
	    get_string(c, li, w, "sku", &l->sku) == -1 ||
	    get_string(c, li, w, "title", &l->title) == -1 ||
	    get_string(c, li, w, "variant_title", &l->variant_title) == -1 ||
	    get_string(c, li, w, "name", &l->name) == -1 ||
	    get_string(c, li, w, "fulfillment_status",
	    &l->fulfillment_status) == -1 ||
	    get_bool(c, li, w, "requires_shipping", &l->requires_shipping,
	    1) == -1 ||
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
				if (o->lines[i].id != 0 &&
				    o->lines[i].id == o->lines[j].id)
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
	    "duplicate line item id %" PRId64 " (also line_items[%zu])",
	    o->lines[i].id, j);
}

static int
parse_lines(const struct jctx *c, json_t *jo, struct order *o)
{
	json_t *arr = json_object_get(jo, "line_items");
	size_t i, n;

	if (arr == NULL || json_is_null(arr))
		return field_fail(c, TOP, "line_items", "missing");
	if (!json_is_array(arr))
		return field_fail(c, TOP, "line_items", "expected an array");
	n = json_array_size(arr);
	if (n > 0 && (o->lines = calloc(n, sizeof(*o->lines))) == NULL)
		return oom(c);
	for (i = 0; i < n; i++) {
		o->nlines = i + 1;	/* order_free frees what is filled */
		if (parse_line(c, json_array_get(arr, i), (long)i,
		    &o->lines[i]) == -1)
			return -1;
	}
	return check_line_ids(c, o);
}

static int
parse_address(const struct jctx *c, json_t *jo, struct order *o)
{
	static const struct where w = { "shipping_address", -1 };
	json_t *a = json_object_get(jo, "shipping_address");
	struct address *s = &o->ship;

	if (a == NULL || json_is_null(a))
		return 0;	/* digital orders and some pickups have none */
	if (!json_is_object(a))
		return field_fail(c, TOP, "shipping_address",
		    "expected an object");
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
shipping_line_is_pickup(json_t *sl)
{
	static const char *const keys[] = {
		"delivery_category", "code", "title", "source"
	};
	size_t k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_t *v = json_object_get(sl, keys[k]);

		if (json_is_string(v) &&
		    intake_text_is_pickup(json_string_value(v)))
			return 1;
	}
	return 0;
}

static int
parse_shipping_lines(const struct jctx *c, json_t *jo, struct order *o)
{
	json_t *arr = json_object_get(jo, "shipping_lines");
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return field_fail(c, TOP, "shipping_lines", "expected an array");
	for (i = 0; i < json_array_size(arr); i++) {
		struct where w = { "shipping_lines", (long)i };
		json_t *sl = json_array_get(arr, i);

		if (!json_is_object(sl))
			return field_fail(c, w, NULL, "expected an object");
		if (i == 0 && (get_string(c, sl, w, "title",
		    &o->shipping_title) == -1 ||
		    get_string(c, sl, w, "code", &o->shipping_code) == -1))
			return -1;
		if (shipping_line_is_pickup(sl))
			o->pickup = 1;
	}
	return 0;
}

/* Sets *slot from an attribute value unless an earlier one set it. */
static int
attr_take(const struct jctx *c, struct where w, json_t *v, char **slot)
{
	char num[32];

	if (*slot != NULL || v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		if (json_string_length(v) == 0)
			return 0;
		*slot = intake_strndup(json_string_value(v),
		    json_string_length(v));
	} else if (json_is_integer(v)) {
		/* tracking numbers typed into a form may arrive as numbers */
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		*slot = intake_strndup(num, strlen(num));
	} else
		return field_fail(c, w, "value", "expected a string");
	return *slot == NULL ? oom(c) : 0;
}

static int
parse_note_attributes(const struct jctx *c, json_t *jo, struct order *o)
{
	json_t *arr = json_object_get(jo, "note_attributes");
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return field_fail(c, TOP, "note_attributes", "expected an array");
	for (i = 0; i < json_array_size(arr); i++) {
		struct where w = { "note_attributes", (long)i };
		json_t *a = json_array_get(arr, i), *name, *v;
		char **slot = NULL;

		if (!json_is_object(a))
			return field_fail(c, w, NULL, "expected an object");
		name = json_object_get(a, "name");
		if (name == NULL || json_is_null(name))
			continue;
		if (!json_is_string(name))
			return field_fail(c, w, "name", "expected a string");
		switch (intake_classify_attr(json_string_value(name),
		    json_string_length(name))) {
		case INTAKE_ATTR_GIFT_MESSAGE:
			slot = &o->gift_message;
			break;
		case INTAKE_ATTR_TRACKING_NUMBER:
			slot = &o->tracking_number;
			break;
		case INTAKE_ATTR_TRACKING_COMPANY:
			slot = &o->tracking_company;
			break;
		case INTAKE_ATTR_NONE:
			continue;
		}
		v = json_object_get(a, "value");
		if (attr_take(c, w, v, slot) == -1)
			return -1;
	}
	return 0;
}

/* name, or "#" + order_number; sets the error label either way. */
static int
parse_name(struct jctx *c, json_t *jo, struct order *o)
{
	json_t *v = json_object_get(jo, "name"), *num;
	char buf[32];

	if (v != NULL && !json_is_null(v) && !json_is_string(v))
		return field_fail(c, TOP, "name", "expected a string");
	if (json_is_string(v) && json_string_length(v) > 0) {
		o->name = intake_strndup(json_string_value(v),
		    json_string_length(v));
	} else {
		num = json_object_get(jo, "order_number");
		if (json_is_integer(num) && json_integer_value(num) > 0)
			snprintf(buf, sizeof(buf), "#%" JSON_INTEGER_FORMAT,
			    json_integer_value(num));
		else
			return field_fail(c, TOP, "name",
			    "missing (and no order_number)");
		o->name = intake_strndup(buf, strlen(buf));
	}
	if (o->name == NULL)
		return oom(c);
	intake_excerpt(buf, sizeof(buf), o->name, strlen(o->name));
	snprintf(c->label, sizeof(c->label), "order %s", buf);
	return 0;
}

static int
parse_order(struct jctx *c, json_t *jo, struct order **out)
{
	struct order *o;

	if (!json_is_object(jo))
		return intake_fail(c->err, c->errlen, "%s: expected an object",
		    c->label);
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return oom(c);
	if (parse_name(c, jo, o) == -1 ||
	    get_id(c, jo, TOP, "id", &o->id) == -1 ||
	    get_string(c, jo, TOP, "email", &o->email) == -1 ||
	    get_string(c, jo, TOP, "created_at", &o->created_at) == -1 ||
	    get_string(c, jo, TOP, "financial_status",
	    &o->financial_status) == -1 ||
	    get_string(c, jo, TOP, "fulfillment_status",
	    &o->fulfillment_status) == -1 ||
	    get_string(c, jo, TOP, "cancelled_at", &o->cancelled_at) == -1 ||
	    get_string(c, jo, TOP, "cancel_reason", &o->cancel_reason) == -1 ||
	    get_string(c, jo, TOP, "note", &o->note) == -1 ||
	    get_string(c, jo, TOP, "tags", &o->tags) == -1 ||
	    parse_note_attributes(c, jo, o) == -1 ||
	    parse_address(c, jo, o) == -1 ||
	    parse_shipping_lines(c, jo, o) == -1 ||
	    parse_lines(c, jo, o) == -1) {
		order_free(o);
		return -1;
	}
	*out = o;
	return 0;
}

/* Rejects an order given twice in one file (same name, or same id). */
static int
check_duplicate(struct jctx *c, struct intake_set *names,
    struct intake_set *ids, struct order **v, size_t i)
{
	size_t prev;
	int r;

	r = intake_set_add_str(names, v[i]->name, i, &prev);
	if (r == 0 && v[i]->id != 0)
		r = intake_set_add_int(ids, v[i]->id, i, &prev);
	if (r == -1)
		return oom(c);
	if (r == 1)
		return intake_fail(c->err, c->errlen, "%s: appears twice in "
		    "this file (orders[%zu] and orders[%zu])", c->label, prev, i);
	return 0;
}

/* The orders to read: the array of {"orders":[]}, or a one-element view. */
static int
orders_of(json_t *root, json_t **list, json_t **single, char *err,
    size_t errlen)
{
	json_t *v;

	*list = NULL;
	*single = NULL;
	if (json_is_array(root)) {
		*list = root;
		return 0;
	}
	if ((v = json_object_get(root, "orders")) != NULL) {
		if (!json_is_array(v))
			return intake_fail(err, errlen,
			    "orders: expected an array");
		*list = v;
		return 0;
	}
	if ((v = json_object_get(root, "order")) != NULL) {
		if (!json_is_object(v))
			return intake_fail(err, errlen,
			    "order: expected an object");
		*single = v;
		return 0;
	}
	*single = root;		/* a bare order object, as webhooks send it */
	return 0;
}

static int
parse_all(json_t *root, struct order ***out, size_t *n, char *err,
    size_t errlen)
{
	struct intake_set *names = NULL, *ids = NULL;
	struct order **v = NULL;
	struct jctx c;
	json_t *list, *single;
	size_t cnt, i, done = 0;
	int rc = -1;

	c.err = err;
	c.errlen = errlen;
	if (orders_of(root, &list, &single, err, errlen) == -1)
		return -1;
	cnt = list != NULL ? json_array_size(list) : 1;
	if (cnt == 0)
		return intake_fail(err, errlen, "no orders in file");
	if ((v = calloc(cnt, sizeof(*v))) == NULL ||
	    (names = intake_set_new()) == NULL ||
	    (ids = intake_set_new()) == NULL) {
		intake_fail(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < cnt; i++) {
		if (list != NULL)
			snprintf(c.label, sizeof(c.label), "orders[%zu]", i);
		else
			snprintf(c.label, sizeof(c.label), "order");
		if (parse_order(&c, list != NULL ? json_array_get(list, i) :
		    single, &v[i]) == -1)
			goto out;
		done = i + 1;
		if (check_duplicate(&c, names, ids, v, i) == -1)
			goto out;
	}
	*out = v;
	*n = cnt;
	v = NULL;
	done = 0;
	rc = 0;
out:
	order_array_free(v, done);
	intake_set_free(names);
	intake_set_free(ids);
	return rc;
}

int
intake_parse_orders_json(const char *buf, size_t len, struct order ***out,
    size_t *n, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;
	size_t bom = intake_bom_len(buf, len), i;
	int rc, col;

	for (i = bom; i < len; i++) {
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			break;
	}
	if (i == len)
		return intake_fail(err, errlen, "empty file");
	root = json_loadb(buf + bom, len - bom, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		/* jansson quotes the bad input: keep the message one clean line */
		for (i = 0; je.text[i] != '\0'; i++) {
			if ((unsigned char)je.text[i] < 0x20 || je.text[i] == 0x7F)
				je.text[i] = '?';
		}
		col = je.column + (bom > 0 && je.line == 1);
		return intake_fail(err, errlen, "line %d, column %d: %s",
		    je.line, col, je.text);
	}
	rc = parse_all(root, out, n, err, errlen);
	json_decref(root);
	return rc;
}
