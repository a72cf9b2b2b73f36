/* labels/pdf.c: one libharu document per render call, its errors, events and fonts. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zint.h>

#include "labels/fontcache.h"
#include "labels/labels_int.h"

/*
 * libharu reports errors through this handler. We record the first one and
 * return: every libharu call then returns an error code or NULL, which the
 * callers check, so no longjmp crosses our frames and nothing leaks.
 */
static void
hpdf_on_error(HPDF_STATUS status, HPDF_STATUS detail, void *user)
{
	struct lctx *c = user;

	if (c->hpdf_status == 0) {
		c->hpdf_status = status;
		c->hpdf_detail = detail;
	}
}

void
labels_size_points(enum labels_size s, float *w, float *h)
{
	switch (s) {
	case LABELS_4X4:
		*w = 288;
		*h = 288;
		break;
	case LABELS_A6:
		*w = 105 * 72 / 25.4f;
		*h = 148 * 72 / 25.4f;
		break;
	case LABELS_LETTER:
		*w = 612;
		*h = 792;
		break;
	case LABELS_A4:
		*w = 210 * 72 / 25.4f;
		*h = 297 * 72 / 25.4f;
		break;
	case LABELS_4X6:
	default:
		*w = 288;
		*h = 432;
		break;
	}
}

/*
 * One libharu document object per process, kept between renders (the render
 * worker is long-lived). HPDF_NewDoc frees the last document but keeps the
 * TrueType definitions loaded into it, their glyph marks and descriptors
 * cleaned (libharu's own CleanupFontDefList), so a CJK font is read and
 * parsed once per process, not once per label. Only one render at a time
 * uses it (a second, in another thread, gets a document of its own); a child
 * forked after it was made never uses its parent's (they would share the
 * font files' offsets); a render that failed drops it.
 */
#define KEEP_TTF 8
static struct {
	pthread_mutex_t mu;
	HPDF_Doc pdf;
	pid_t pid;
	struct lctx *cur; /* whose errors the handler records */
	struct {
		char path[4096];
		char name[128];
	} ttf[KEEP_TTF];
	size_t nttf;
} keep = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
kept_on_error(HPDF_STATUS status, HPDF_STATUS detail, void *user)
{
	(void)user;
	if (keep.cur != NULL)
		hpdf_on_error(status, detail, keep.cur);
}

static void
keep_drop(void)
{
	if (keep.pdf != NULL && keep.pid == getpid())
		HPDF_Free(keep.pdf);
	keep.pdf = NULL; /* a parent's, in a child: forgotten, not freed */
	keep.nttf = 0;
}

static void
keep_free_at_exit(void)
{
	keep_drop();
}

/* The kept document, started afresh for c; NULL: c makes its own. */
static HPDF_Doc
keep_take(struct lctx *c)
{
	static int registered;

	if (pthread_mutex_trylock(&keep.mu) != 0)
		return NULL;
	if (keep.pdf != NULL && keep.pid != getpid())
		keep_drop();
	keep.cur = c;
	if (keep.pdf == NULL) {
		if ((keep.pdf = HPDF_New(kept_on_error, NULL)) == NULL)
			goto fail;
		keep.pid = getpid();
		/* Compressed streams keep a Latin label near 10 KB for little time. */
		HPDF_SetCompressionMode(keep.pdf, HPDF_COMP_ALL);
		if (HPDF_UseUTFEncodings(keep.pdf) != HPDF_OK)
			goto fail;
		if (!registered)
			registered = atexit(keep_free_at_exit) == 0;
	} else if (HPDF_NewDoc(keep.pdf) != HPDF_OK)
		goto fail;
	c->kept = 1;
	return keep.pdf;
fail:
	keep_drop();
	keep.cur = NULL;
	c->hpdf_status = c->hpdf_detail = 0;
	pthread_mutex_unlock(&keep.mu);
	return NULL;
}

struct lctx *
lctx_new(const struct label_media *m, char *err, size_t errlen)
{
	struct lctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->dpi = (m && m->dpi > 0) ? m->dpi : 203;
	c->fonts = m ? m->fonts : NULL;
	if ((c->pdf = keep_take(c)) != NULL) {
		if (lctx_check(c) == -1) {
			lctx_copy_error(c, err, errlen);
			lctx_free(c);
			return NULL;
		}
		return c;
	}
	if ((c->pdf = HPDF_New(hpdf_on_error, c)) == NULL) {
		snprintf(err, errlen, "libharu: cannot create a document");
		free(c);
		return NULL;
	}
	/* Compressed streams keep a Latin label near 10 KB for little time. */
	HPDF_SetCompressionMode(c->pdf, HPDF_COMP_ALL);
	if (HPDF_UseUTFEncodings(c->pdf) != HPDF_OK || lctx_check(c) == -1) {
		lctx_copy_error(c, err, errlen);
		lctx_free(c);
		return NULL;
	}
	return c;
}

void
lctx_free(struct lctx *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->sym)
		ZBarcode_Delete(c->sym);
	if (c->kept) {
		/* the document itself is freed by the next HPDF_NewDoc */
		if (c->failed || c->hpdf_status != 0)
			keep_drop();
		keep.cur = NULL;
		pthread_mutex_unlock(&keep.mu);
	} else if (c->pdf)
		HPDF_Free(c->pdf);
	for (i = 0; i < c->nevents; i++)
		free(c->events[i]);
	free(c->events);
	free(c);
}

int
lctx_fail(struct lctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->failed) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
		c->failed = 1;
	}
	return -1;
}

int
lctx_event(struct lctx *c, const char *fmt, ...)
{
	va_list ap;
	char **n, *s;
	int len;

	if (c->nevents == c->capevents) {
		size_t cap = c->capevents ? c->capevents * 2 : 8;
		if ((n = realloc(c->events, cap * sizeof(*n))) == NULL)
			return lctx_fail(c, "out of memory");
		c->events = n;
		c->capevents = cap;
	}
	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0)
		return lctx_fail(c, "out of memory");
	c->events[c->nevents++] = s;
	return 0;
}

int
lctx_check(struct lctx *c)
{
	if (c->failed)
		return -1;
	if (c->hpdf_status == 0)
		return 0;
	if (c->hpdf_status == HPDF_FAILD_TO_ALLOC_MEM)
		return lctx_fail(c, "libharu: out of memory");
	return lctx_fail(c, "libharu error 0x%04X (detail %u)", (unsigned)c->hpdf_status,
	    (unsigned)c->hpdf_detail);
}

void
lctx_copy_error(const struct lctx *c, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", c->failed ? c->err : "unknown error");
}

int
lctx_add_page(struct lctx *c, float w, float h)
{
	if ((c->page = HPDF_AddPage(c->pdf)) == NULL)
		return lctx_check(c) == -1 ? -1 : lctx_fail(c, "libharu: no page");
	HPDF_Page_SetWidth(c->page, w);
	HPDF_Page_SetHeight(c->page, h);
	c->pw = w;
	c->ph = h;
	c->npages++;
	return lctx_check(c);
}

int
lctx_finish(struct lctx *c, struct labels_out *out)
{
	HPDF_UINT32 size;
	HPDF_STATUS ret;
	unsigned char *buf;

	if (lctx_check(c) == -1)
		return -1;
	if (HPDF_SaveToStream(c->pdf) != HPDF_OK || lctx_check(c) == -1)
		return lctx_fail(c, "libharu: cannot save the document");
	size = HPDF_GetStreamSize(c->pdf);
	if ((buf = malloc(size ? size : 1)) == NULL)
		return lctx_fail(c, "out of memory");
	ret = HPDF_ReadFromStream(c->pdf, buf, &size);
	if (ret != HPDF_OK && ret != HPDF_STREAM_EOF) {
		free(buf);
		return lctx_check(c) == -1 ? -1 : lctx_fail(c, "libharu: cannot read the document");
	}
	/* Reading to the end may raise STREAM_EOF through the handler: fine. */
	if (c->hpdf_status == HPDF_STREAM_EOF)
		c->hpdf_status = 0;
	if (lctx_check(c) == -1) {
		free(buf);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->pdf = buf;
	out->len = size;
	out->pages = c->npages;
	out->events = c->events;
	out->nevents = c->nevents;
	c->events = NULL;
	c->nevents = c->capevents = 0;
	return 0;
}

/* Candidate files per TrueType slot, best first: all draw their script in
 * libharu 2.3.0 (fonts-wqy-microhei, for one, renders Hangul blank there). */
static const char *const latin_files[] = { "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf", NULL };
static const char *const cjk_files[] = { "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
	"/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
	"/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf", NULL };
static const char *const hangul_files[] = { "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
	"/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf", NULL };

static const char *
slot_name(enum lfont f)
{
	switch (f) {
	case LF_TTF_CJK: return "Han/kana";
	case LF_TTF_HANGUL: return "Hangul";
	default: return "Latin/Cyrillic/Greek";
	}
}

/* Loads one TrueType file; NULL (error state reset) if it fails. */
static HPDF_Font
load_ttf(struct lctx *c, const char *path)
{
	const char *name;
	char fast[4096];
	HPDF_Font f;

	size_t i;

	if (access(path, R_OK) == -1)
		return NULL;
	for (i = 0; c->kept && i < keep.nttf; i++)
		if (strcmp(keep.ttf[i].path, path) == 0)
			return HPDF_GetFont(c->pdf, keep.ttf[i].name, "UTF-8");
	/* the same font with a compact cmap: libharu sets it up in ~2 ms, not ~50 */
	name = HPDF_LoadTTFontFromFile(c->pdf, fontcache_path(path, fast, sizeof(fast)), HPDF_TRUE);
	f = name ? HPDF_GetFont(c->pdf, name, "UTF-8") : NULL;
	if (f == NULL || c->hpdf_status != 0) {
		/* A CFF/OTF or damaged file: forget the error, try the next. */
		HPDF_ResetError(c->pdf);
		c->hpdf_status = c->hpdf_detail = 0;
		return NULL;
	}
	if (c->kept && keep.nttf < KEEP_TTF && strlen(path) < sizeof(keep.ttf[0].path) &&
	    strlen(name) < sizeof(keep.ttf[0].name)) {
		snprintf(keep.ttf[keep.nttf].path, sizeof(keep.ttf[0].path), "%s", path);
		snprintf(keep.ttf[keep.nttf].name, sizeof(keep.ttf[0].name), "%s", name);
		keep.nttf++;
	}
	return f;
}

static HPDF_Font
load_slot(struct lctx *c, enum lfont slot)
{
	const char *const *defaults;
	const char *want = NULL, *tried = NULL;
	HPDF_Font f;
	size_t i;

	switch (slot) {
	case LF_TTF_CJK:
		defaults = cjk_files;
		want = c->fonts ? c->fonts->cjk : NULL;
		break;
	case LF_TTF_HANGUL:
		defaults = hangul_files;
		want = c->fonts ? c->fonts->hangul : NULL;
		break;
	default:
		defaults = latin_files;
		want = c->fonts ? c->fonts->latin : NULL;
		break;
	}
	if (want) {
		if ((f = load_ttf(c, want)) != NULL)
			return f;
		tried = want;
	}
	if (c->fonts && c->fonts->only_these && tried == NULL)
		tried = "(none configured)";
	if (!(c->fonts && c->fonts->only_these)) {
		for (i = 0; defaults[i]; i++) {
			if (want && strcmp(want, defaults[i]) == 0)
				continue;
			if ((f = load_ttf(c, defaults[i])) == NULL) {
				if (!tried)
					tried = defaults[i];
				continue;
			}
			if (tried &&
			    lctx_event(c,
				"font fallback: %s font %s "
				"missing or unusable, using %s",
				slot_name(slot), tried, defaults[i]) == -1)
				return NULL;
			return f;
		}
	}
	lctx_fail(c, "no usable font for %s text (tried %s)", slot_name(slot),
	    tried ? tried : defaults[0]);
	return NULL;
}

HPDF_Font
lctx_font(struct lctx *c, enum lfont f)
{
	static const char *const base[] = {
		[LF_HELV_1252] = "Helvetica",
		[LF_HELV_1250] = "Helvetica",
		[LF_HELVB_1252] = "Helvetica-Bold",
		[LF_HELVB_1250] = "Helvetica-Bold",
	};
	static const char *const enc[] = {
		[LF_HELV_1252] = "WinAnsiEncoding",
		[LF_HELV_1250] = "CP1250",
		[LF_HELVB_1252] = "WinAnsiEncoding",
		[LF_HELVB_1250] = "CP1250",
	};

	if (c->font[f] || c->font_tried[f])
		return c->font[f];
	c->font_tried[f] = 1;
	if (f <= LF_HELVB_1250) {
		c->font[f] = HPDF_GetFont(c->pdf, base[f], enc[f]);
		if (c->font[f] == NULL)
			lctx_check(c);
	} else {
		/* cppcheck-suppress arrayIndexOutOfBoundsCond ; f < LF_COUNT, read above */
		c->font[f] = load_slot(c, f);
	}
	return c->font[f];
}

void
lctx_gray(struct lctx *c, float gray)
{
	HPDF_Page_SetGrayFill(c->page, gray);
	HPDF_Page_SetGrayStroke(c->page, gray);
}

void
lctx_rule(struct lctx *c, float x, float y, float w, float thick)
{
	HPDF_Page_Rectangle(c->page, x, c->ph - y - thick, w, thick);
	HPDF_Page_Fill(c->page);
}

void
lctx_box(struct lctx *c, float x, float y, float w, float h, int fill)
{
	if (fill) {
		HPDF_Page_Rectangle(c->page, x, c->ph - y - h, w, h);
		HPDF_Page_Fill(c->page);
	} else {
		HPDF_Page_SetLineWidth(c->page, 1);
		HPDF_Page_Rectangle(c->page, x + 0.5f, c->ph - y - h + 0.5f, w - 1, h - 1);
		HPDF_Page_Stroke(c->page);
	}
}
