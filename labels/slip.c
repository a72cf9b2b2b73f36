/*
 * labels/slip.c: the packing slip. Two passes: measure every row and
 * paragraph line, paginate, then draw, so each page can say "page x of y".
 * The header (shop, order, date, order barcode) repeats on every page; long
 * text wraps onto more lines and rows never split or clip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels_int.h"

#define SLIP_MARGIN 36.0f
#define HEADER_H    112.0f
#define FOOTER_H    40.0f
#define SKU_W	    110.0f
#define QTY_W	    70.0f
#define GAP	    8.0f
#define ROW_PAD	    4.0f

enum item_kind { IT_ROW, IT_HEAD, IT_PARA };

struct item {
	enum item_kind kind;
	const char *text; /* IT_HEAD, IT_PARA */
	size_t row;	  /* IT_ROW */
	int line;	  /* IT_PARA: which wrapped line */
	float h;
	int page; /* 1-based, set by paginate */
	float y;
};

struct slip {
	struct lctx *c;
	const struct slip_doc *d;
	float pw, ph, body_w;
	struct item *items;
	size_t nitems, cap;
	int pages;
};

static const struct tstyle st_sku = { 9, 9, 0, TA_LEFT, 1.2f };
static const struct tstyle st_title = { 10, 10, 0, TA_LEFT, 1.2f };
static const struct tstyle st_variant = { 9, 9, 0, TA_LEFT, 1.2f };
static const struct tstyle st_qty = { 10, 10, 1, TA_RIGHT, 1.2f };
static const struct tstyle st_para = { 10, 10, 0, TA_LEFT, 1.25f };
static const struct tstyle st_head = { 10, 10, 1, TA_LEFT, 1.6f };

static float
item_w(const struct slip *s)
{
	return s->body_w - SKU_W - QTY_W - 2 * GAP;
}

static int
push(struct slip *s, struct item it)
{
	if (s->nitems == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct item *n = realloc(s->items, cap * sizeof(*n));
		if (n == NULL)
			return lctx_fail(s->c, "out of memory");
		s->items = n;
		s->cap = cap;
	}
	s->items[s->nitems++] = it;
	return 0;
}

static float
row_limit(const struct slip *s)
{
	return s->ph - 2 * SLIP_MARGIN - HEADER_H - FOOTER_H - 20;
}

static int
measure_row(struct slip *s, size_t i, float *h)
{
	const struct slip_line *l = &s->d->lines[i];
	int nsku, ntitle, nvar;

	if (text_lines(s->c, l->sku, 0, 0, SKU_W, &st_sku, 0, 0, &nsku) == -1 ||
	    text_lines(s->c, l->title, 0, 0, item_w(s), &st_title, 0, 0, &ntitle) == -1 ||
	    text_lines(s->c, l->variant, 0, 0, item_w(s), &st_variant, 0, 0, &nvar) == -1)
		return -1;
	*h = ntitle * text_line_height(&st_title) + nvar * text_line_height(&st_variant);
	if (nsku * text_line_height(&st_sku) > *h)
		*h = nsku * text_line_height(&st_sku);
	if (*h < text_line_height(&st_title))
		*h = text_line_height(&st_title);
	*h += 2 * ROW_PAD;
	/* A row taller than a page cannot move to the next one: it is cut
	 * there, with an ellipsis and an event (draw_row). */
	if (*h > row_limit(s))
		*h = row_limit(s);
	return 0;
}

static int
add_paragraph(struct slip *s, const char *head, const char *text)
{
	int n, i;

	if (text == NULL || *text == '\0')
		return 0;
	if (push(s,
		(struct item){ .kind = IT_HEAD, .text = head, .h = text_line_height(&st_head) }) ==
	    -1)
		return -1;
	if (text_lines(s->c, text, 0, 0, s->body_w, &st_para, 0, 0, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (push(s,
			(struct item){ .kind = IT_PARA,
			    .text = text,
			    .line = i,
			    .h = text_line_height(&st_para) }) == -1)
			return -1;
	return 0;
}

static int
measure(struct slip *s)
{
	size_t i;
	float h;

	for (i = 0; i < s->d->nlines; i++) {
		if (measure_row(s, i, &h) == -1 ||
		    push(s, (struct item){ .kind = IT_ROW, .row = i, .h = h }) == -1)
			return -1;
	}
	if (s->d->ships_separately &&
	    push(s,
		(struct item){ .kind = IT_HEAD,
		    .text = "Other items in this order will ship separately.",
		    .h = text_line_height(&st_head) }) == -1)
		return -1;
	if (add_paragraph(s, "Note", s->d->note) == -1 ||
	    add_paragraph(s, "Gift message", s->d->gift_message) == -1)
		return -1;
	return 0;
}

static float
first_body_y(void)
{
	return SLIP_MARGIN + HEADER_H + 96; /* ship-to block on page 1 */
}

static float
table_head_h(void)
{
	return 20;
}

static void
paginate(struct slip *s)
{
	float bottom = s->ph - SLIP_MARGIN - FOOTER_H;
	float y = first_body_y() + table_head_h();
	int page = 1;
	size_t i;

	for (i = 0; i < s->nitems; i++) {
		struct item *it = &s->items[i];
		/* A heading stays with the line after it. */
		float need = it->h +
		    (it->kind == IT_HEAD && i + 1 < s->nitems && s->items[i + 1].kind == IT_PARA
			    ? s->items[i + 1].h
			    : 0);
		if (y + need > bottom && y > SLIP_MARGIN + HEADER_H + table_head_h()) {
			page++;
			y = SLIP_MARGIN + HEADER_H + table_head_h();
		}
		it->page = page;
		it->y = y;
		y += it->h;
	}
	s->pages = page;
}

static int
draw_address(struct lctx *c, const struct labels_address *a, float x, float *y, float w, float size)
{
	struct tstyle st = { size, size * 0.75f, 0, TA_LEFT, 1.2f };
	const char *lines[3] = { a->company, a->address1, a->address2 };
	char *cl;
	float used;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (text_box(c, lines[i], x, *y, w, text_line_height(&st) * 2, &st, "address",
			&used) == -1)
			return -1;
		*y += used;
	}
	if (asprintf(&cl, "%s%s%s%s%s", a->city ? a->city : "",
		a->city && (a->province || a->zip) ? ", " : "", a->province ? a->province : "",
		a->province && a->zip ? " " : "", a->zip ? a->zip : "") < 0)
		return lctx_fail(c, "out of memory");
	used = 0;
	if (text_box(c, cl, x, *y, w, text_line_height(&st) * 2, &st, "address", &used) == -1) {
		free(cl);
		return -1;
	}
	free(cl);
	*y += used;
	if (text_box(c, a->country, x, *y, w, text_line_height(&st) * 2, &st, "address", &used) ==
	    -1)
		return -1;
	*y += used;
	return 0;
}

static int
draw_header(struct slip *s)
{
	const struct slip_doc *d = s->d;
	struct lctx *c = s->c;
	struct tstyle shop = { 14, 9, 1, TA_LEFT, 1.2f };
	struct tstyle title = { 16, 16, 1, TA_RIGHT, 1.2f };
	struct tstyle order = { 12, 8, 1, TA_RIGHT, 1.2f };
	struct tstyle small = { 9, 7, 0, TA_RIGHT, 1.2f };
	float x = SLIP_MARGIN, y = SLIP_MARGIN, lw = s->pw * 0.48f, used;
	float rx = s->pw * 0.52f, rw = s->pw - SLIP_MARGIN - rx;
	struct bsize bs;
	char buf[160];

	if (text_box(c, d->shop_name, x, y, lw, text_line_height(&shop), &shop, "shop name",
		&used) == -1)
		return -1;
	y += used;
	if (draw_address(c, &d->shop, x, &y, lw, 9) == -1)
		return -1;
	y = SLIP_MARGIN;
	if (text_box(c, "PACKING SLIP", rx, y, rw, 20, &title, "title", &used) == -1)
		return -1;
	y += used;
	snprintf(buf, sizeof(buf), "Order %s", d->order_name);
	if (text_box(c, buf, rx, y, rw, 15, &order, "order name", &used) == -1)
		return -1;
	y += used;
	if (d->order_date && *d->order_date) {
		snprintf(buf, sizeof(buf), "Date %.10s", d->order_date);
		if (text_box(c, buf, rx, y, rw, 11, &small, "date", &used) == -1)
			return -1;
		y += used;
	}
	/* What packers scan to open the order: exactly the open rule's input. */
	if (barcode_make(c, BK_CODE128, d->barcode ? d->barcode : d->order_name, 0.375f, 0.25f, rw,
		&bs) == -1 ||
	    barcode_draw(c, s->pw - SLIP_MARGIN - bs.w, y + 4, 34) == -1)
		return -1;
	lctx_rule(c, SLIP_MARGIN, SLIP_MARGIN + HEADER_H - 6, s->body_w, 1.5f);
	return 0;
}

static int
draw_ship_block(struct slip *s)
{
	const struct slip_doc *d = s->d;
	struct tstyle lab = { 8, 8, 1, TA_LEFT, 1.3f };
	struct tstyle name = { 13, 9, 1, TA_LEFT, 1.2f };
	struct tstyle info = { 11, 8, 1, TA_LEFT, 1.25f };
	float y = SLIP_MARGIN + HEADER_H, x = SLIP_MARGIN, w = s->pw * 0.48f;
	float rx = s->pw * 0.56f, rw = s->pw - SLIP_MARGIN - rx, used;
	char buf[256];

	if (text_box(s->c, "SHIP TO", x, y, w, 12, &lab, "label", &used) == -1 ||
	    text_box(s->c, d->ship_to.name, x, y + used, w, text_line_height(&name), &name,
		"ship-to name", &used) == -1)
		return -1;
	y += 10 + used;
	if (draw_address(s->c, &d->ship_to, x, &y, w, 10) == -1)
		return -1;
	y = SLIP_MARGIN + HEADER_H;
	if (d->service && *d->service) {
		snprintf(buf, sizeof(buf), "Shipping: %s", d->service);
		if (text_box(s->c, buf, rx, y, rw, 28, &info, "service", &used) == -1)
			return -1;
		y += used + 4;
	}
	if (d->weight_grams >= 0 && d->weight_boxes > 0) {
		char wt[32];

		if (d->weight_grams >= 1000)
			snprintf(wt, sizeof(wt), "%.2f kg", (double)d->weight_grams / 1000.0);
		else
			snprintf(wt, sizeof(wt), "%lld g", (long long)d->weight_grams);
		snprintf(buf, sizeof(buf), "Weight: %s in %d box%s%s%s%s", wt, d->weight_boxes,
		    d->weight_boxes == 1 ? "" : "es", d->weight_source ? " (" : "",
		    d->weight_source ? d->weight_source : "", d->weight_source ? ")" : "");
		if (text_box(s->c, buf, rx, y, rw, 28, &info, "weight", &used) == -1)
			return -1;
		y += used + 4;
	}
	if (d->bin_location && *d->bin_location) {
		snprintf(buf, sizeof(buf), "Bin: %s", d->bin_location);
		lctx_box(s->c, rx - 4, y - 2, rw + 4, 20, 0);
		if (text_box(s->c, buf, rx, y + 2, rw - 4, 16, &info, "bin", &used) == -1)
			return -1;
	}
	return 0;
}

static int
draw_table_head(struct slip *s, float y)
{
	struct tstyle h = { 9, 9, 1, TA_LEFT, 1.2f };
	struct tstyle hr = { 9, 9, 1, TA_RIGHT, 1.2f };
	float x = SLIP_MARGIN;

	if (text_box(s->c, "SKU", x, y + 4, SKU_W, 12, &h, "label", NULL) == -1 ||
	    text_box(s->c, "ITEM", x + SKU_W + GAP, y + 4, item_w(s), 12, &h, "label", NULL) ==
		-1 ||
	    text_box(s->c, "QTY", s->pw - SLIP_MARGIN - QTY_W, y + 4, QTY_W, 12, &hr, "label",
		NULL) == -1)
		return -1;
	lctx_rule(s->c, SLIP_MARGIN, y + table_head_h() - 2, s->body_w, 0.75f);
	return 0;
}

static int
draw_variant(struct slip *s, const char *v, float x, float y, float room)
{
	if (v == NULL || *v == '\0')
		return 0;
	if (room + 0.01f < text_line_height(&st_variant))
		return lctx_event(s->c,
		    "truncated variant: \"%s\" (row taller "
		    "than a page)",
		    v);
	return text_box(s->c, v, x, y, item_w(s), room, &st_variant, "variant", NULL);
}

static int
draw_row(struct slip *s, const struct item *it)
{
	const struct slip_line *l = &s->d->lines[it->row];
	float x = SLIP_MARGIN, y = it->y + ROW_PAD, used = 0;
	float big = it->h - 2 * ROW_PAD; /* measured: cuts only giant rows */
	char qty[64];

	snprintf(qty, sizeof(qty), "%lld of %lld", (long long)l->quantity, (long long)l->ordered);
	if (text_box(s->c, l->sku, x, y, SKU_W, big, &st_sku, "sku", NULL) == -1 ||
	    text_box(s->c, l->title, x + SKU_W + GAP, y, item_w(s), big, &st_title, "title",
		&used) == -1 ||
	    draw_variant(s, l->variant, x + SKU_W + GAP, y + used, big - used) == -1 ||
	    text_box(s->c, qty, s->pw - SLIP_MARGIN - QTY_W, y, QTY_W, big, &st_qty, "quantity",
		NULL) == -1)
		return -1;
	lctx_gray(s->c, 0.6f);
	lctx_rule(s->c, SLIP_MARGIN, it->y + it->h - 0.5f, s->body_w, 0.5f);
	lctx_gray(s->c, 0);
	return 0;
}

static int
draw_item(struct slip *s, const struct item *it)
{
	int n;

	switch (it->kind) {
	case IT_ROW: return draw_row(s, it);
	case IT_HEAD:
		return text_box(s->c, it->text, SLIP_MARGIN, it->y + 4, s->body_w, it->h, &st_head,
		    "heading", NULL);
	case IT_PARA:
	default:
		return text_lines(
		    s->c, it->text, SLIP_MARGIN, it->y, s->body_w, &st_para, it->line, 1, &n);
	}
}

static int
draw_footer(struct slip *s, int page)
{
	struct tstyle st = { 9, 9, 0, TA_CENTER, 1.2f };
	float y = s->ph - SLIP_MARGIN - 12;
	char buf[64];

	snprintf(buf, sizeof(buf), "Page %d of %d", page, s->pages);
	lctx_rule(s->c, SLIP_MARGIN, y - 8, s->body_w, 0.5f);
	return text_box(s->c, buf, SLIP_MARGIN, y, s->body_w, 12, &st, "footer", NULL);
}

static int
draw_pages(struct slip *s)
{
	size_t i = 0;
	int page;

	for (page = 1; page <= s->pages; page++) {
		float ty = page == 1 ? first_body_y() : SLIP_MARGIN + HEADER_H;
		if (lctx_add_page(s->c, s->pw, s->ph) == -1 || draw_header(s) == -1 ||
		    (page == 1 && draw_ship_block(s) == -1) || draw_table_head(s, ty) == -1)
			return -1;
		for (; i < s->nitems && s->items[i].page == page; i++)
			if (draw_item(s, &s->items[i]) == -1)
				return -1;
		if (draw_footer(s, page) == -1 || lctx_check(s->c) == -1)
			return -1;
	}
	return 0;
}

int
slip_render(const struct slip_doc *d, const struct label_media *m, struct labels_out *out,
    char *err, size_t errlen)
{
	struct label_media def;
	struct slip s = { 0 };
	int rc = -1;

	if (m == NULL) {
		labels_media_default_slip(&def);
		m = &def;
	}
	if (d == NULL || d->order_name == NULL || *d->order_name == '\0') {
		snprintf(err, errlen, "packing slip: no order name");
		return -1;
	}
	if (d->nlines > 0 && d->lines == NULL) {
		snprintf(err, errlen, "packing slip %s: no lines", d->order_name);
		return -1;
	}
	if ((s.c = lctx_new(m, err, errlen)) == NULL)
		return -1;
	s.d = d;
	labels_size_points(m->size == LABELS_A4 ? LABELS_A4 : LABELS_LETTER, &s.pw, &s.ph);
	s.body_w = s.pw - 2 * SLIP_MARGIN;
	if (measure(&s) == 0) {
		paginate(&s);
		if (draw_pages(&s) == 0 && lctx_finish(s.c, out) == 0)
			rc = 0;
	}
	if (rc == -1)
		lctx_copy_error(s.c, err, errlen);
	free(s.items);
	lctx_free(s.c);
	return rc;
}
