/* Bounds on shop-supplied fields: a 50 MB note must not reach a label or a slip. */
#include <stdio.h>
#include <string.h>

#include "station/intake/intake.h"
#include "station/core/order.h"

struct cut {
	char *why;
	size_t len;
	int any;
};

/* Cuts *s to at most max bytes on a UTF-8 character boundary; notes it. */
static void
bound(struct cut *c, char *s, size_t max, const char *field)
{
	size_t n, at;

	if (s == NULL || (n = strlen(s)) <= max)
		return;
	at = max;
	while (at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80)
		at--; /* s[at] starts a character: cut before it */
	s[at] = '\0';
	if (c->why != NULL && c->len > 0) {
		size_t used = strlen(c->why);

		if (used + 1 < c->len)
			snprintf(c->why + used, c->len - used, "%s%s %zu -> %zu bytes",
			    c->any ? ", " : "", field, n, at);
	}
	c->any = 1;
}

static void
bound_address(struct cut *c, struct address *a)
{
	bound(c, a->name, INTAKE_MAX_TEXT, "shipping name");
	bound(c, a->first_name, INTAKE_MAX_TEXT, "shipping first name");
	bound(c, a->last_name, INTAKE_MAX_TEXT, "shipping last name");
	bound(c, a->company, INTAKE_MAX_TEXT, "shipping company");
	bound(c, a->address1, INTAKE_MAX_TEXT, "address1");
	bound(c, a->address2, INTAKE_MAX_TEXT, "address2");
	bound(c, a->city, INTAKE_MAX_TEXT, "city");
	bound(c, a->province, INTAKE_MAX_TEXT, "province");
	bound(c, a->province_code, INTAKE_MAX_WORD, "province code");
	bound(c, a->zip, INTAKE_MAX_WORD, "zip");
	bound(c, a->country, INTAKE_MAX_TEXT, "country");
	bound(c, a->country_code, INTAKE_MAX_WORD, "country code");
	bound(c, a->phone, INTAKE_MAX_WORD, "phone");
}

static int
too_long(const char *s, size_t max)
{
	return s != NULL && strlen(s) > max;
}

int
intake_bound_order(struct order *o, char *why, size_t whylen)
{
	struct cut c = { why, whylen, 0 };
	size_t i;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (too_long(o->name, INTAKE_MAX_CODE)) {
		snprintf(why, whylen, "order name longer than %d bytes", INTAKE_MAX_CODE);
		return -1;
	}
	if (o->nlines > INTAKE_MAX_LINES) {
		snprintf(why, whylen, "%s: %zu lines (at most %d per order)", o->name, o->nlines,
		    INTAKE_MAX_LINES);
		return -1;
	}
	for (i = 0; i < o->nlines; i++)
		if (too_long(o->lines[i].sku, INTAKE_MAX_CODE)) {
			snprintf(why, whylen,
			    "%s: line %zu: SKU longer than %d "
			    "bytes",
			    o->name, i + 1, INTAKE_MAX_CODE);
			return -1;
		}
	bound(&c, o->note, INTAKE_MAX_NOTE, "note");
	bound(&c, o->gift_message, INTAKE_MAX_NOTE, "gift message");
	bound(&c, o->tags, INTAKE_MAX_TAGS, "tags");
	bound(&c, o->email, INTAKE_MAX_TEXT, "email");
	bound(&c, o->created_at, INTAKE_MAX_WORD, "created_at");
	bound(&c, o->financial_status, INTAKE_MAX_WORD, "financial_status");
	bound(&c, o->fulfillment_status, INTAKE_MAX_WORD, "fulfillment_status");
	bound(&c, o->cancelled_at, INTAKE_MAX_WORD, "cancelled_at");
	bound(&c, o->cancel_reason, INTAKE_MAX_TEXT, "cancel_reason");
	bound(&c, o->shipping_title, INTAKE_MAX_TEXT, "shipping title");
	bound(&c, o->shipping_code, INTAKE_MAX_TEXT, "shipping code");
	bound(&c, o->tracking_number, INTAKE_MAX_TEXT, "tracking number");
	bound(&c, o->tracking_company, INTAKE_MAX_TEXT, "tracking company");
	bound_address(&c, &o->ship);
	for (i = 0; i < o->nlines; i++) {
		struct order_line *l = &o->lines[i];

		bound(&c, l->title, INTAKE_MAX_TEXT, "line title");
		bound(&c, l->variant_title, INTAKE_MAX_TEXT, "line variant title");
		bound(&c, l->name, INTAKE_MAX_TEXT, "line name");
		bound(&c, l->fulfillment_status, INTAKE_MAX_WORD, "line fulfillment_status");
	}
	return c.any;
}
