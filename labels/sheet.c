/*
 * labels/sheet.c: a bench's command sheet: every STN: command as a Code 128
 * with its caption, so packers never need a keyboard; packer badges follow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels_int.h"

#define SHEET_MARGIN 36.0f
#define CELL_H	     86.0f
#define TITLE_H	     44.0f

const char *const labels_sheet_commands[] = { "STN:PARTIAL", "STN:NEWBOX", "STN:UNDO", "STN:QTY:2",
	"STN:QTY:3", "STN:QTY:4", "STN:QTY:5", "STN:QTY:6", "STN:QTY:10", "STN:REPRINT",
	"STN:ABANDON", "STN:LOGOUT", "STN:WEIGH", NULL };

static const char *const captions[] = { "Ship what is scanned now (partial)",
	"New box (split package)", "Undo last scan", "Next item \xc3\x97 2", "Next item \xc3\x97 3",
	"Next item \xc3\x97 4", "Next item \xc3\x97 5", "Next item \xc3\x97 6",
	"Next item \xc3\x97 10", "Reprint label", "Abandon order", "Log out", "Weigh the box again",
	NULL };

struct cell {
	const char *caption;
	const char *data;
	char *owned; /* data when built here */
};

struct sheet {
	struct lctx *c;
	float pw, ph;
	int page;
};

static int
new_page(struct sheet *s, const char *bench, const char *what)
{
	struct tstyle t = { 18, 10, 1, TA_LEFT, 1.2f };
	struct tstyle r = { 9, 9, 0, TA_RIGHT, 1.2f };
	char title[256], pg[32];

	if (lctx_add_page(s->c, s->pw, s->ph) == -1)
		return -1;
	s->page++;
	snprintf(title, sizeof(title), "%s%s%s", what, bench ? " \xe2\x80\x94 " : "",
	    bench ? bench : "");
	snprintf(pg, sizeof(pg), "Page %d", s->page);
	if (text_box(s->c, title, SHEET_MARGIN, SHEET_MARGIN, s->pw - 2 * SHEET_MARGIN - 60, 24, &t,
		"title", NULL) == -1 ||
	    text_box(s->c, pg, s->pw - SHEET_MARGIN - 60, SHEET_MARGIN + 6, 60, 12, &r, "page",
		NULL) == -1)
		return -1;
	lctx_rule(s->c, SHEET_MARGIN, SHEET_MARGIN + TITLE_H - 14, s->pw - 2 * SHEET_MARGIN, 1.5f);
	return 0;
}

static int
draw_cell(struct sheet *s, const struct cell *cl, float x, float y, float w)
{
	struct tstyle cap = { 12, 8, 1, TA_CENTER, 1.2f };
	struct tstyle data = { 9, 7, 0, TA_CENTER, 1.2f };
	struct bsize bs;

	if (text_box(s->c, cl->caption, x, y, w, 16, &cap, "caption", NULL) == -1)
		return -1;
	/* 0.375 mm modules: easy for any scanner at arm's length. */
	if (barcode_make(s->c, BK_CODE128, cl->data, 0.375f, 0.25f, w, &bs) == -1 ||
	    barcode_draw(s->c, x + (w - bs.w) / 2, y + 18, 40) == -1)
		return -1;
	return text_box(s->c, cl->data, x, y + 62, w, 12, &data, "command", NULL);
}

/* Lays out cells two per row, starting new pages as needed. */
static int
draw_cells(struct sheet *s, const struct cell *cells, size_t n, const char *bench, const char *what)
{
	float colw = (s->pw - 2 * SHEET_MARGIN) / 2, y = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 2 == 0) {
			if (i == 0 || y + 2 * CELL_H > s->ph - SHEET_MARGIN) {
				if (new_page(s, bench, what) == -1)
					return -1;
				y = SHEET_MARGIN + TITLE_H;
			} else
				y += CELL_H;
		}
		if (draw_cell(s, &cells[i], SHEET_MARGIN + (i % 2) * colw, y, colw) == -1)
			return -1;
	}
	return 0;
}

/* Badges: prefix + id each ("STN:PACKER:", "STN:OVERRIDE:"), captioned by name or id. */
static int
draw_badges(struct sheet *s, const char *bench, const char *what, const char *noun,
    const char *prefix, const char *const *ids, const char *const *names, size_t n)
{
	struct cell *cells;
	size_t i;
	int rc = -1;

	if ((cells = calloc(n, sizeof(*cells))) == NULL)
		return lctx_fail(s->c, "out of memory");
	for (i = 0; i < n; i++) {
		if (ids[i] == NULL || *ids[i] == '\0') {
			lctx_fail(s->c, "%s %zu: no id", noun, i + 1);
			goto out;
		}
		if (asprintf(&cells[i].owned, "%s%s", prefix, ids[i]) < 0) {
			cells[i].owned = NULL;
			lctx_fail(s->c, "out of memory");
			goto out;
		}
		cells[i].data = cells[i].owned;
		cells[i].caption = names && names[i] ? names[i] : ids[i];
	}
	rc = draw_cells(s, cells, n, bench, what);
out:
	for (i = 0; i < n; i++)
		free(cells[i].owned);
	free(cells);
	return rc;
}

int
sheet_render(const struct sheet_doc *d, const struct label_media *m, struct labels_out *out,
    char *err, size_t errlen)
{
	struct cell cells[sizeof(captions) / sizeof(captions[0])];
	struct label_media def;
	struct sheet s = { 0 };
	size_t i, n = 0;

	if (m == NULL) {
		labels_media_default_slip(&def);
		m = &def;
	}
	if (d && d->npackers && d->packer_ids == NULL) {
		snprintf(err, errlen, "command sheet: packer ids missing");
		return -1;
	}
	if (d && d->nsupervisors && d->supervisor_ids == NULL) {
		snprintf(err, errlen, "command sheet: supervisor ids missing");
		return -1;
	}
	if ((s.c = lctx_new(m, err, errlen)) == NULL)
		return -1;
	labels_size_points(m->size == LABELS_A4 ? LABELS_A4 : LABELS_LETTER, &s.pw, &s.ph);
	for (i = 0; labels_sheet_commands[i]; i++, n++)
		cells[i] = (struct cell){ captions[i], labels_sheet_commands[i], NULL };
	if (draw_cells(&s, cells, n, d ? d->bench : NULL, "Station commands") == -1 ||
	    (d && d->npackers &&
		draw_badges(&s, d->bench, "Packer badges", "packer badge",
		    "STN:PACKER:", d->packer_ids, d->packer_names, d->npackers) == -1) ||
	    /* the badge only: the PIN is typed as the next scan */
	    (d && d->nsupervisors &&
		draw_badges(&s, d->bench, "Supervisor badges", "supervisor badge",
		    "STN:OVERRIDE:", d->supervisor_ids, NULL, d->nsupervisors) == -1) ||
	    lctx_finish(s.c, out) == -1) {
		lctx_copy_error(s.c, err, errlen);
		lctx_free(s.c);
		return -1;
	}
	lctx_free(s.c);
	return 0;
}
