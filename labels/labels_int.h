/*
 * labels/ internals shared by pdf.c, text.c, barcode.c and the layouts.
 * Not part of the API: the station includes labels/labels.h only.
 */
#ifndef LABELS_LABELS_INT_H
#define LABELS_LABELS_INT_H

#include <stddef.h>
#include <hpdf.h>

#include "labels/labels.h"

struct zint_symbol;

/* Fonts a document may use; the TrueType ones load on first use. */
enum lfont {
	LF_HELV_1252 = 0, /* base-14 Helvetica, WinAnsi */
	LF_HELV_1250,	  /* base-14 Helvetica, CP1250 (Central European) */
	LF_HELVB_1252,
	LF_HELVB_1250,
	LF_TTF_LATIN,  /* DejaVu Sans: Latin, Cyrillic, Greek */
	LF_TTF_CJK,    /* IPA Gothic: Han, kana */
	LF_TTF_HANGUL, /* Nanum Gothic */
	LF_COUNT
};

/* One render call's state. Heap-allocated; nothing global. */
struct lctx {
	HPDF_Doc pdf;
	HPDF_Page page;
	float pw, ph; /* page size, points */
	int dpi;
	const struct labels_fonts *fonts;
	HPDF_STATUS hpdf_status; /* first libharu error, 0 if none */
	HPDF_STATUS hpdf_detail;
	int failed;
	char err[256];
	char **events;
	size_t nevents, capevents;
	HPDF_Font font[LF_COUNT];
	int font_tried[LF_COUNT];
	int npages;
	struct zint_symbol *sym; /* the barcode being drawn */
	float bmodule;		 /* its module, points */
	int b2d;		 /* its modules are square */
	int kept;		 /* pdf is the process's kept document (pdf.c) */
};

/* pdf.c: document lifecycle, errors, events. */
struct lctx *lctx_new(const struct label_media *, char *err, size_t errlen);
void lctx_free(struct lctx *);
int lctx_fail(struct lctx *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lctx_event(struct lctx *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* -1 (and records why) if libharu reported an error since the last check. */
int lctx_check(struct lctx *);
int lctx_add_page(struct lctx *, float w, float h);
/* Saves the document into out (moving the events); 0 or -1. */
int lctx_finish(struct lctx *, struct labels_out *out);
/* Copies the failure message to the caller's buffer. */
void lctx_copy_error(const struct lctx *, char *err, size_t errlen);
/* Page size in points of a media size. */
void labels_size_points(enum labels_size, float *w, float *h);
/* The TrueType font for a slot, loaded on first use with fallbacks; NULL: none. */
HPDF_Font lctx_font(struct lctx *, enum lfont);
/* Filled / stroked shapes, top-left based coordinates (y down from the top). */
void lctx_rule(struct lctx *, float x, float y, float w, float thick);
void lctx_box(struct lctx *, float x, float y, float w, float h, int fill);
void lctx_gray(struct lctx *, float gray);

/* text.c: UTF-8 text in any script, split into font runs. y is from the top. */
enum talign { TA_LEFT = 0, TA_RIGHT, TA_CENTER };

struct tstyle {
	float size;    /* points */
	float minsize; /* shrink limit before wrapping; <= 0: size */
	int bold;
	enum talign align;
	float leading; /* line height / size; <= 0: 1.18 */
};

/* Width in points of s in one line. -1 on error. */
int text_width(struct lctx *, const char *s, const struct tstyle *, float *w);
/*
 * Fits s into the box (x, top, w, maxh): shrinks down to minsize, then wraps,
 * then truncates the last line with an ellipsis and an event naming `what`.
 * *used gets the height drawn. NULL or empty s draws nothing.
 */
int text_box(struct lctx *, const char *s, float x, float top, float w, float maxh,
    const struct tstyle *, const char *what, float *used);
/*
 * Wraps s at the style's size into width w; draws lines [first, first+count)
 * with the first at top (count 0: measure only). *nlines gets the total.
 */
int text_lines(struct lctx *, const char *s, float x, float top, float w, const struct tstyle *,
    int first, int count, int *nlines);
float text_line_height(const struct tstyle *);

/* barcode.c: zint symbols drawn as rectangles on whole printer dots. */
enum bkind { BK_CODE128 = 0, BK_GS1_128, BK_QR, BK_DATAMATRIX };

struct bsize {
	float w, h;   /* points, quiet zones included (h: 2D only) */
	float module; /* points */
};

/*
 * Encodes data (kept in ctx->sym until the next barcode or lctx_free) with a
 * module of at least min_mm snapped up to whole dots, narrowed (not below
 * floor_mm) to fit max_w. -1 with the zint message on bad data or no fit.
 */
int barcode_make(struct lctx *, enum bkind, const char *data, float min_mm, float floor_mm,
    float max_w, struct bsize *out);
/* Draws the symbol made last with its top-left at (x, top) snapped to dots;
 * bar_h is the 1D bar height (ignored for 2D). */
int barcode_draw(struct lctx *, float x, float top, float bar_h);
/* Snaps a length in points to whole printer dots. */
float barcode_snap(const struct lctx *, float pt);

#endif
