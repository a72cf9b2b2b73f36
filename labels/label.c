/*
 * labels/label.c: the shipping label, laid out after the GS1 logistic label
 * (free text and addresses on top, barcodes below, the SSCC lowest), and the
 * pickup label. Positions are designed on 4x6 in and scaled to 4x4 and A6.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels_int.h"

#define MARGIN 10.0f
#define MM     (72.0f / 25.4f)

/* One label's geometry: ky scales the 4x6 design heights, ts the type. */
struct geo {
	float w, h, ky, ts;
};

static float
Y(const struct geo *g, float y)
{
	return y * g->ky;
}

static struct tstyle
style(const struct geo *g, float size, float minsize, int bold, enum talign a)
{
	struct tstyle s = { size * g->ts, minsize * g->ts, bold, a, 0 };
	return s;
}

/* "City, PROV ZIP" as one malloc'ed line (NULL if empty or out of memory). */
static char *
city_line(const struct labels_address *a)
{
	char *s;

	if (asprintf(&s, "%s%s%s%s%s", a->city ? a->city : "",
		a->city && (a->province || a->zip) ? ", " : "", a->province ? a->province : "",
		a->province && a->zip ? " " : "", a->zip ? a->zip : "") < 0)
		return NULL;
	return s;
}

static int
is_sscc(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 18)
		return 0;
	for (i = 0; i < 18; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* One line of text in a box one line tall: shrinks, then ellipsis + event. */
static int
line(struct lctx *c, const struct geo *g, const char *s, float x, float *y, float w, float size,
    float minsize, int bold, enum talign a, const char *what)
{
	struct tstyle st = style(g, size, minsize, bold, a);
	float used = 0;

	if (s == NULL || *s == '\0')
		return 0;
	if (text_box(c, s, x, *y, w, text_line_height(&st) * 1.01f, &st, what, &used) == -1)
		return -1;
	*y += used;
	return 0;
}

static int
draw_from(struct lctx *c, const struct geo *g, const struct label_doc *d)
{
	float x = MARGIN, y = Y(g, 10), w = g->w * 0.58f;
	char *cl;
	int rc;

	if (line(c, g, "FROM", x, &y, w, 6, 6, 1, TA_LEFT, "label") == -1 ||
	    line(c, g, d->shop_name, x, &y, w, 9, 6, 1, TA_LEFT, "shop name") == -1 ||
	    line(c, g, d->from.address1, x, &y, w, 8, 6, 0, TA_LEFT, "ship-from") == -1 ||
	    line(c, g, d->from.address2, x, &y, w, 8, 6, 0, TA_LEFT, "ship-from") == -1)
		return -1;
	if ((cl = city_line(&d->from)) == NULL)
		return lctx_fail(c, "out of memory");
	rc = line(c, g, cl, x, &y, w, 8, 6, 0, TA_LEFT, "ship-from");
	free(cl);
	if (rc == -1)
		return -1;
	return line(c, g, d->from.country, x, &y, w, 8, 6, 0, TA_LEFT, "ship-from");
}

static int
draw_order_box(struct lctx *c, const struct geo *g, const struct label_doc *d)
{
	float x = g->w * 0.62f, y = Y(g, 10), w = g->w - MARGIN - x;
	char pkg[64], wt[64];

	if (d->package_count > 0)
		snprintf(pkg, sizeof(pkg), "Package %d of %d", d->package_no, d->package_count);
	else
		snprintf(pkg, sizeof(pkg), "Package %d", d->package_no);
	if (d->weight_grams >= 1000)
		snprintf(wt, sizeof(wt), "%.2f kg", d->weight_grams / 1000.0);
	else if (d->weight_grams >= 0)
		snprintf(wt, sizeof(wt), "%lld g", (long long)d->weight_grams);
	else
		wt[0] = '\0';
	if (line(c, g, "ORDER", x, &y, w, 6, 6, 1, TA_RIGHT, "label") == -1 ||
	    line(c, g, d->order_name, x, &y, w, 16, 8, 1, TA_RIGHT, "order name") == -1 ||
	    line(c, g, pkg, x, &y, w, 10, 7, 0, TA_RIGHT, "package") == -1)
		return -1;
	return line(c, g, wt, x, &y, w, 10, 7, 0, TA_RIGHT, "weight");
}

static int
draw_ship_to(struct lctx *c, const struct geo *g, const struct labels_address *a)
{
	float x = MARGIN + 8, y = Y(g, 76), w = g->w - x - MARGIN, used;
	struct tstyle name = style(g, 18, 11, 1, TA_LEFT);
	char *cl;
	int rc;

	if (line(c, g, "SHIP TO", MARGIN, &y, w, 7, 7, 1, TA_LEFT, "label") == -1)
		return -1;
	if (text_box(c, a->name, x, y, w, text_line_height(&name) * 2, &name, "ship-to name",
		&used) == -1)
		return -1;
	y += used;
	if (line(c, g, a->company, x, &y, w, 11, 7, 0, TA_LEFT, "ship-to company") == -1 ||
	    line(c, g, a->address1, x, &y, w, 12, 7, 0, TA_LEFT, "ship-to address") == -1 ||
	    line(c, g, a->address2, x, &y, w, 12, 7, 0, TA_LEFT, "ship-to address") == -1)
		return -1;
	if ((cl = city_line(a)) == NULL)
		return lctx_fail(c, "out of memory");
	rc = line(c, g, cl, x, &y, w, 14, 8, 1, TA_LEFT, "ship-to city");
	free(cl);
	if (rc == -1)
		return -1;
	return line(c, g, a->country, x, &y, w, 12, 7, 1, TA_LEFT, "ship-to country");
}

static int
draw_2d(struct lctx *c, const struct geo *g, const struct label_doc *d, float *left_w)
{
	float box = Y(g, 64), top = Y(g, 202);
	struct bsize bs;
	char ref[256];
	const char *data = d->ref2d;

	/*
	 * "#1001 1/2": box 1 of 2. A box labelled at STN:NEWBOX is printed
	 * before anyone knows how many follow: then only its number, "#1001 1"
	 * (a reader splitting at '/' finds no total), never a false "1/0".
	 */
	if (data == NULL) {
		if (d->package_count > 0)
			snprintf(ref, sizeof(ref), "%s %d/%d", d->order_name, d->package_no,
			    d->package_count);
		else
			snprintf(ref, sizeof(ref), "%s %d", d->order_name, d->package_no);
		data = ref;
	}
	if (barcode_make(c, d->symbol2d == LABEL_2D_DATAMATRIX ? BK_DATAMATRIX : BK_QR, data, 0.75f,
		0.33f, box, &bs) == -1)
		return -1;
	if (bs.h > box + 0.01f) /* square symbols: cannot happen */
		return lctx_fail(c, "2D symbol \"%s\" does not fit", data);
	if (barcode_draw(c, g->w - MARGIN - bs.w, top, 0) == -1)
		return -1;
	*left_w = g->w - 2 * MARGIN - bs.w - 6;
	return 0;
}

static int
draw_service(struct lctx *c, const struct geo *g, const struct label_doc *d)
{
	float y = Y(g, 202), w = 0, used;
	struct tstyle st = style(g, 16, 10, 1, TA_LEFT);

	if (draw_2d(c, g, d, &w) == -1)
		return -1;
	if (line(c, g, "SERVICE", MARGIN, &y, w, 6, 6, 1, TA_LEFT, "label") == -1)
		return -1;
	if (text_box(c, d->service ? d->service : "Standard", MARGIN, y, w,
		text_line_height(&st) * 2, &st, "service", &used) == -1)
		return -1;
	y += used + 2;
	if (d->carrier && line(c, g, d->carrier, MARGIN, &y, w, 9, 7, 0, TA_LEFT, "carrier") == -1)
		return -1;
	return 0;
}

/* A 1D barcode centred in the label's width with its text line below. */
static int
draw_1d(struct lctx *c, const struct geo *g, enum bkind k, const char *data, const char *hrt,
    float top, float bar_h, float min_mm, float floor_mm)
{
	struct bsize bs;
	float y;

	if (barcode_make(c, k, data, min_mm, floor_mm, g->w - 2 * 4, &bs) == -1)
		return -1;
	if (barcode_draw(c, (g->w - bs.w) / 2, top, bar_h) == -1)
		return -1;
	y = top + bar_h + 2;
	return line(c, g, hrt, MARGIN, &y, g->w - 2 * MARGIN, 10, 7, 1, TA_CENTER, "barcode text");
}

static int
draw_tracking(struct lctx *c, const struct geo *g, const struct label_doc *d)
{
	float y = Y(g, 276);

	if (d->tracking == NULL || *d->tracking == '\0')
		return 0;
	if (line(c, g, "TRACKING #", MARGIN, &y, g->w, 7, 7, 1, TA_LEFT, "label") == -1)
		return -1;
	/* 0.375 mm modules (3 dots at 203 dpi), down to 0.25 mm if long. */
	return draw_1d(c, g, BK_CODE128, d->tracking, d->tracking, y, Y(g, 32), 0.375f, 0.25f);
}

static int
draw_sscc(struct lctx *c, const struct geo *g, const struct label_doc *d)
{
	float y = Y(g, 336);
	char data[32], hrt[32];

	snprintf(data, sizeof(data), "(00)%s", d->sscc);
	snprintf(hrt, sizeof(hrt), "(00) %s", d->sscc);
	if (line(c, g, "SSCC", MARGIN, &y, g->w, 7, 7, 1, TA_LEFT, "label") == -1)
		return -1;
	/* GS1 wants at least 0.495 mm for an SSCC: 4 dots at 203, 6 at 300. */
	return draw_1d(c, g, BK_GS1_128, data, hrt, y, Y(g, 62), 0.495f, 0.495f);
}

static int
draw_carrier_label(struct lctx *c, const struct geo *g, const struct label_doc *d)
{
	float rules[] = { 72, 198, 272, 332 };
	size_t i;

	if (!is_sscc(d->sscc))
		return lctx_fail(c, "order %s: SSCC \"%s\" is not 18 digits", d->order_name,
		    d->sscc ? d->sscc : "(none)");
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		lctx_rule(c, 0, Y(g, rules[i]), g->w, i == 0 ? 1.5f : 1);
	if (draw_from(c, g, d) == -1 || draw_order_box(c, g, d) == -1 ||
	    draw_ship_to(c, g, &d->to) == -1 || draw_service(c, g, d) == -1 ||
	    draw_tracking(c, g, d) == -1 || draw_sscc(c, g, d) == -1)
		return -1;
	return 0;
}

static int
draw_pickup_label(struct lctx *c, const struct geo *g, const struct label_doc *d)
{
	struct tstyle banner = style(g, 40, 20, 1, TA_CENTER);
	struct tstyle name = style(g, 26, 12, 1, TA_LEFT);
	float y, used;
	char pkg[64];

	lctx_box(c, 0, 0, g->w, Y(g, 70), 1);
	lctx_gray(c, 1);
	if (text_box(c, "PICKUP", MARGIN, Y(g, 14), g->w - 2 * MARGIN, Y(g, 50), &banner, "banner",
		NULL) == -1)
		return -1;
	lctx_gray(c, 0);
	y = Y(g, 80);
	if (line(c, g, "CUSTOMER", MARGIN, &y, g->w, 7, 7, 1, TA_LEFT, "label") == -1)
		return -1;
	if (text_box(c, d->to.name, MARGIN + 8, y, g->w - 2 * MARGIN - 8,
		text_line_height(&name) * 3, &name, "customer name", &used) == -1)
		return -1;
	y = Y(g, 190);
	if (d->package_count > 0)
		snprintf(pkg, sizeof(pkg), "Package %d of %d", d->package_no, d->package_count);
	else /* more boxes may follow: no total yet */
		snprintf(pkg, sizeof(pkg), "Package %d", d->package_no);
	if (line(c, g, "ORDER", MARGIN, &y, g->w, 7, 7, 1, TA_LEFT, "label") == -1 ||
	    line(c, g, d->order_name, MARGIN + 8, &y, g->w - 2 * MARGIN - 8, 36, 14, 1, TA_LEFT,
		"order name") == -1 ||
	    line(c, g, pkg, MARGIN + 8, &y, g->w, 12, 8, 0, TA_LEFT, "package") == -1)
		return -1;
	/* The order barcode, as on the slip: scanning it opens the order. */
	if (draw_1d(c, g, BK_CODE128, d->order_name, d->order_name, Y(g, 276), Y(g, 80), 0.5f,
		0.25f) == -1)
		return -1;
	y = g->h - Y(g, 30);
	lctx_rule(c, 0, y - 4, g->w, 1);
	if (line(c, g, "Hold for customer pickup", MARGIN, &y, g->w * 0.5f, 9, 6, 1, TA_LEFT,
		"label") == -1)
		return -1;
	y = g->h - Y(g, 30);
	return line(c, g, d->shop_name, g->w * 0.5f, &y, g->w * 0.5f - MARGIN, 9, 6, 0, TA_RIGHT,
	    "shop name");
}

int
label_render(const struct label_doc *docs, size_t n, const struct label_media *m,
    struct labels_out *out, char *err, size_t errlen)
{
	struct label_media def;
	struct lctx *c;
	struct geo g;
	size_t i;

	if (m == NULL) {
		labels_media_default_label(&def);
		m = &def;
	}
	if (n == 0 || docs == NULL) {
		snprintf(err, errlen, "no labels to render");
		return -1;
	}
	if (m->size > LABELS_A6) {
		snprintf(err, errlen, "labels print on 4x6, 4x4 or a6 media");
		return -1;
	}
	if ((c = lctx_new(m, err, errlen)) == NULL)
		return -1;
	labels_size_points(m->size, &g.w, &g.h);
	g.ky = g.h / 432;
	g.ts = g.ky < 0.9f ? 0.8f : 1;
	for (i = 0; i < n; i++) {
		if (docs[i].order_name == NULL || *docs[i].order_name == '\0') {
			lctx_fail(c, "label %zu: no order name", i + 1);
			goto fail;
		}
		if (lctx_add_page(c, g.w, g.h) == -1)
			goto fail;
		if ((docs[i].pickup ? draw_pickup_label(c, &g, &docs[i])
				    : draw_carrier_label(c, &g, &docs[i])) == -1)
			goto fail;
	}
	if (lctx_finish(c, out) == -1)
		goto fail;
	lctx_free(c);
	return 0;
fail:
	lctx_copy_error(c, err, errlen);
	lctx_free(c);
	return -1;
}
