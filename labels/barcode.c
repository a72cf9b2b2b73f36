/*
 * labels/barcode.c: barcodes encoded by libzint (never by hand) and drawn
 * from its vector output as filled rectangles, with the module width, the
 * origin and the bar height snapped to whole dots of the printer so every
 * bar prints the same width.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zint.h>

#include "labels/labels_int.h"

static const char *
kind_name(enum bkind k)
{
	switch (k) {
	case BK_GS1_128: return "GS1-128";
	case BK_QR: return "QR";
	case BK_DATAMATRIX: return "DataMatrix";
	default: return "Code 128";
	}
}

static int
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

float
barcode_snap(const struct lctx *c, float pt)
{
	float dot = 72.0f / c->dpi;

	return ceilf(pt / dot - 0.001f) * dot;
}

static void
configure(struct zint_symbol *z, enum bkind k, const char *data)
{
	z->output_options = BARCODE_QUIET_ZONES;
	/* Without this a wrong GS1 check digit is only a warning. */
	z->warn_level = WARN_FAIL_ALL;
	z->show_hrt = 0;
	z->scale = 0.5f; /* vector units = modules */
	z->input_mode = UNICODE_MODE;
	switch (k) {
	case BK_GS1_128:
		z->symbology = BARCODE_GS1_128;
		z->input_mode = GS1_MODE | GS1PARENS_MODE;
		break;
	case BK_QR:
		z->symbology = BARCODE_QRCODE;
		if (!is_ascii(data))
			z->eci = 26; /* UTF-8, said explicitly */
		break;
	case BK_DATAMATRIX:
		z->symbology = BARCODE_DATAMATRIX;
		z->option_3 = DM_SQUARE;
		if (!is_ascii(data))
			z->eci = 26;
		break;
	case BK_CODE128:
	default: z->symbology = BARCODE_CODE128; break;
	}
}

int
barcode_make(struct lctx *c, enum bkind k, const char *data, float min_mm, float floor_mm,
    float max_w, struct bsize *out)
{
	struct zint_symbol *z;
	float dot = 72.0f / c->dpi;
	int nd, nfloor, rc;

	if (c->sym) {
		ZBarcode_Delete(c->sym);
		c->sym = NULL;
	}
	if (data == NULL || *data == '\0')
		return lctx_fail(c, "%s: no data to encode", kind_name(k));
	if ((z = c->sym = ZBarcode_Create()) == NULL)
		return lctx_fail(c, "out of memory");
	configure(z, k, data);
	rc = ZBarcode_Encode(z, (const unsigned char *)data, (int)strlen(data));
	if (rc >= ZINT_ERROR)
		return lctx_fail(c, "%s cannot encode \"%s\": %s", kind_name(k), data, z->errtxt);
	if (ZBarcode_Buffer_Vector(z, 0) >= ZINT_ERROR || z->vector == NULL)
		return lctx_fail(c, "%s \"%s\": %s", kind_name(k), data, z->errtxt);
	nd = (int)ceilf(min_mm / 25.4f * c->dpi - 0.001f);
	nfloor = (int)ceilf(floor_mm / 25.4f * c->dpi - 0.001f);
	if (nfloor < 1)
		nfloor = 1;
	while (nd > nfloor && z->vector->width * nd * dot > max_w)
		nd--;
	if (z->vector->width * nd * dot > max_w + 0.01f)
		return lctx_fail(c,
		    "%s \"%s\" is %.0f mm wide, more than the "
		    "%.0f mm available",
		    kind_name(k), data, z->vector->width * nd * dot * 25.4f / 72,
		    max_w * 25.4f / 72);
	c->bmodule = nd * dot;
	c->b2d = k == BK_QR || k == BK_DATAMATRIX;
	out->module = c->bmodule;
	out->w = z->vector->width * c->bmodule;
	out->h = c->b2d ? z->vector->height * c->bmodule : 0;
	return 0;
}

int
barcode_draw(struct lctx *c, float x, float top, float bar_h)
{
	struct zint_symbol *z = c->sym;
	struct zint_vector_rect *r;
	float m = c->bmodule, ym, x0, y0;

	if (z == NULL || z->vector == NULL)
		return lctx_fail(c, "barcode_draw without a symbol");
	x0 = barcode_snap(c, x);
	y0 = barcode_snap(c, top);
	if (c->b2d)
		ym = m;
	else
		ym = barcode_snap(c, bar_h) / z->vector->height;
	for (r = z->vector->rectangles; r; r = r->next) {
		float h = r->height * ym;
		HPDF_Page_Rectangle(
		    c->page, x0 + r->x * m, c->ph - (y0 + r->y * ym + h), r->width * m, h);
	}
	HPDF_Page_Fill(c->page);
	return lctx_check(c);
}
