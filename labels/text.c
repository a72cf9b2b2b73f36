/*
 * labels/text.c: UTF-8 text in any script, split into runs by script so each
 * run uses a font that really draws it in libharu 2.3.0: base-14 Helvetica
 * (WinAnsi, else CP1250) for Latin text that fits a single-byte encoding,
 * embedded TrueType fonts for everything else. Fitting: shrink, wrap, then
 * truncate with an ellipsis and an event; never cut silently.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels_int.h"

enum tclass { TC_NEUTRAL = 0, TC_LATIN, TC_CJK, TC_HANGUL };

struct glyph {
	uint32_t cp;
	unsigned char cls;
	unsigned char font; /* enum lfont */
	float adv;	    /* advance at 1 pt */
};

struct shaped {
	struct glyph *g;
	size_t n;
};

struct tline {
	size_t start, end; /* glyph indices, end exclusive */
};

#define ELLIPSIS  0x2026u
#define MAX_LINES 256

/* CP1250 bytes 0x80..0xFF as Unicode (0: unassigned). */
static const uint16_t cp1250_high[128] = {
	0x20ac,
	0x0000,
	0x201a,
	0x0000,
	0x201e,
	0x2026,
	0x2020,
	0x2021,
	0x0000,
	0x2030,
	0x0160,
	0x2039,
	0x015a,
	0x0164,
	0x017d,
	0x0179,
	0x0000,
	0x2018,
	0x2019,
	0x201c,
	0x201d,
	0x2022,
	0x2013,
	0x2014,
	0x0000,
	0x2122,
	0x0161,
	0x203a,
	0x015b,
	0x0165,
	0x017e,
	0x017a,
	0x00a0,
	0x02c7,
	0x02d8,
	0x0141,
	0x00a4,
	0x0104,
	0x00a6,
	0x00a7,
	0x00a8,
	0x00a9,
	0x015e,
	0x00ab,
	0x00ac,
	0x00ad,
	0x00ae,
	0x017b,
	0x00b0,
	0x00b1,
	0x02db,
	0x0142,
	0x00b4,
	0x00b5,
	0x00b6,
	0x00b7,
	0x00b8,
	0x0105,
	0x015f,
	0x00bb,
	0x013d,
	0x02dd,
	0x013e,
	0x017c,
	0x0154,
	0x00c1,
	0x00c2,
	0x0102,
	0x00c4,
	0x0139,
	0x0106,
	0x00c7,
	0x010c,
	0x00c9,
	0x0118,
	0x00cb,
	0x011a,
	0x00cd,
	0x00ce,
	0x010e,
	0x0110,
	0x0143,
	0x0147,
	0x00d3,
	0x00d4,
	0x0150,
	0x00d6,
	0x00d7,
	0x0158,
	0x016e,
	0x00da,
	0x0170,
	0x00dc,
	0x00dd,
	0x0162,
	0x00df,
	0x0155,
	0x00e1,
	0x00e2,
	0x0103,
	0x00e4,
	0x013a,
	0x0107,
	0x00e7,
	0x010d,
	0x00e9,
	0x0119,
	0x00eb,
	0x011b,
	0x00ed,
	0x00ee,
	0x010f,
	0x0111,
	0x0144,
	0x0148,
	0x00f3,
	0x00f4,
	0x0151,
	0x00f6,
	0x00f7,
	0x0159,
	0x016f,
	0x00fa,
	0x0171,
	0x00fc,
	0x00fd,
	0x0163,
	0x02d9,
};

/* CP1252 bytes 0x80..0x9F (0xA0..0xFF equal Latin-1). */
static const uint16_t cp1252_c1[32] = {
	0x20ac,
	0x0000,
	0x201a,
	0x0192,
	0x201e,
	0x2026,
	0x2020,
	0x2021,
	0x02c6,
	0x2030,
	0x0160,
	0x2039,
	0x0152,
	0x0000,
	0x017d,
	0x0000,
	0x0000,
	0x2018,
	0x2019,
	0x201c,
	0x201d,
	0x2022,
	0x2013,
	0x2014,
	0x02dc,
	0x2122,
	0x0161,
	0x203a,
	0x0153,
	0x0000,
	0x017e,
	0x0178,
};

/* Byte for cp in CP1252, 0 if none. */
static unsigned char
enc_1252(uint32_t cp)
{
	size_t i;

	if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff))
		return (unsigned char)cp;
	for (i = 0; i < 32; i++)
		if (cp1252_c1[i] == cp)
			return (unsigned char)(0x80 + i);
	return 0;
}

static unsigned char
enc_1250(uint32_t cp)
{
	size_t i;

	if (cp < 0x80)
		return (unsigned char)cp;
	for (i = 0; i < 128; i++)
		if (cp1250_high[i] == cp)
			return (unsigned char)(0x80 + i);
	return 0;
}

static enum tclass
classify(uint32_t cp)
{
	if (cp < 0x80) {
		if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			return TC_LATIN;
		return TC_NEUTRAL;
	}
	if ((cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f) ||
	    (cp >= 0xa960 && cp <= 0xa97f) || (cp >= 0xac00 && cp <= 0xd7ff))
		return TC_HANGUL;
	if ((cp >= 0x2e80 && cp <= 0x2fdf) || (cp >= 0x3000 && cp <= 0x30ff) ||
	    (cp >= 0x31f0 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
	    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef) ||
	    (cp >= 0x20000 && cp <= 0x2ffff))
		return TC_CJK;
	if (cp == ELLIPSIS || cp == 0xa0)
		return TC_NEUTRAL;
	return TC_LATIN;
}

/* Scripts DejaVu Sans is known to draw; the rest gets an event. */
static int
latin_font_draws(uint32_t cp)
{
	return cp < 0x0530 || (cp >= 0x1e00 && cp <= 0x1fff) || (cp >= 0x2000 && cp <= 0x214f) ||
	    cp == 0xfffd;
}

/* Decodes one UTF-8 sequence; invalid bytes become U+FFFD. */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return i;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) ? 0xfffd : c;
	return n;
}

static size_t
utf8_put(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Neutral characters (digits, spaces, punctuation) join the run around them. */
static void
resolve_neutrals(struct glyph *g, size_t n)
{
	unsigned char prev = TC_NEUTRAL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (g[i].cls != TC_NEUTRAL)
			prev = g[i].cls;
		else
			g[i].cls = prev;
	}
	prev = TC_LATIN;
	for (i = n; i-- > 0;) {
		if (g[i].cls != TC_NEUTRAL)
			prev = g[i].cls;
		else
			g[i].cls = prev;
	}
}

/* The font of one run of class cls: the cheapest that encodes all of it. */
static enum lfont
run_font(const struct glyph *g, size_t n, int bold)
{
	int ok1252 = 1, ok1250 = 1;
	size_t i;

	if (g[0].cls == TC_CJK)
		return LF_TTF_CJK;
	if (g[0].cls == TC_HANGUL)
		return LF_TTF_HANGUL;
	for (i = 0; i < n && (ok1252 || ok1250); i++) {
		if (g[i].cp == '\n')
			continue;
		if (!enc_1252(g[i].cp))
			ok1252 = 0;
		if (!enc_1250(g[i].cp))
			ok1250 = 0;
	}
	if (ok1252)
		return bold ? LF_HELVB_1252 : LF_HELV_1252;
	if (ok1250)
		return bold ? LF_HELVB_1250 : LF_HELV_1250;
	return LF_TTF_LATIN;
}

/* Assigns fonts and advances; -1 if a needed font cannot be had. */
static int
assign_fonts(struct lctx *c, struct glyph *g, size_t n, int bold, const char *s)
{
	size_t i, j;
	int warned = 0;
	HPDF_Font f;

	for (i = 0; i < n; i = j) {
		enum lfont lf;
		for (j = i + 1; j < n && g[j].cls == g[i].cls; j++)
			;
		lf = run_font(g + i, j - i, bold);
		if ((f = lctx_font(c, lf)) == NULL)
			return lctx_check(c) == -1 ? -1
						   : lctx_fail(c, "font unavailable for \"%s\"", s);
		for (size_t k = i; k < j; k++) {
			g[k].font = (unsigned char)lf;
			g[k].adv = g[k].cp == '\n'
			    ? 0
			    : HPDF_Font_GetUnicodeWidth(f, (HPDF_UNICODE)g[k].cp) / 1000.0f;
			if (lf == LF_TTF_LATIN && !warned && !latin_font_draws(g[k].cp)) {
				warned = 1;
				if (lctx_event(c, "unverified script: U+%04X in \"%s\"",
					(unsigned)g[k].cp, s) == -1)
					return -1;
			}
		}
	}
	return 0;
}

static int
shape(struct lctx *c, const char *s, int bold, struct shaped *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n = 0;
	struct glyph *g;
	uint32_t cp;

	out->g = NULL;
	out->n = 0;
	if ((g = calloc(len + 2, sizeof(*g))) == NULL) {
		/* -1 said here: callers rely on out->g being set on 0 */
		(void)lctx_fail(c, "out of memory");
		return -1;
	}
	while (*p) {
		p += utf8_next(p, &cp);
		if (cp == '\t' || cp == '\r' || (cp < 0x20 && cp != '\n'))
			cp = ' ';
		g[n].cp = cp;
		g[n].cls = (unsigned char)classify(cp);
		n++;
	}
	resolve_neutrals(g, n);
	if (assign_fonts(c, g, n, bold, s) == -1) {
		free(g);
		return -1;
	}
	out->g = g;
	out->n = n;
	return 0;
}

static float
span_width(const struct glyph *g, size_t a, size_t b)
{
	float w = 0;

	for (; a < b; a++)
		w += g[a].adv;
	return w;
}

static int
is_cjk_break(const struct glyph *g)
{
	return g->cls == TC_CJK || g->cls == TC_HANGUL;
}

/*
 * Greedy wrap of g at width w (in 1 pt units already divided by size).
 * Breaks after spaces, around CJK/Hangul characters, at newlines, and inside
 * a word only when the word alone is wider than the line.
 */
static size_t
wrap(const struct shaped *t, float w, struct tline *lines, size_t max)
{
	const struct glyph *g = t->g;
	size_t n = t->n, i = 0, nl = 0;
	int fresh = 1; /* at the text's start or after a newline */

	while (i < n && nl < max) {
		size_t j, brk = 0;
		float x = 0;
		if (!fresh) /* no leading spaces on continuation lines */
			while (i < n && g[i].cp == ' ')
				i++;
		if (i == n)
			break;
		for (j = i; j < n; j++) {
			if (g[j].cp == '\n')
				break;
			if (x + g[j].adv > w && j > i)
				break;
			x += g[j].adv;
			if (g[j].cp == ' ' || is_cjk_break(&g[j]) ||
			    (j + 1 < n && is_cjk_break(&g[j + 1])))
				brk = j + 1;
		}
		if (j < n && g[j].cp != '\n' && brk > i)
			j = brk;
		lines[nl].start = i;
		lines[nl].end = j;
		while (lines[nl].end > i && g[lines[nl].end - 1].cp == ' ')
			lines[nl].end--;
		nl++;
		fresh = j < n && g[j].cp == '\n';
		i = fresh ? j + 1 : j;
	}
	if (nl == 0) {
		lines[0].start = lines[0].end = 0;
		nl = 1;
	}
	if (i < n && nl == max)
		lines[max - 1].end = n; /* caller truncates */
	return nl;
}

static size_t
encode_run(const struct glyph *g, size_t a, size_t b, char *buf)
{
	size_t o = 0;

	for (; a < b; a++) {
		switch (g[a].font) {
		case LF_HELV_1252:
		case LF_HELVB_1252: buf[o++] = (char)enc_1252(g[a].cp); break;
		case LF_HELV_1250:
		case LF_HELVB_1250: buf[o++] = (char)enc_1250(g[a].cp); break;
		default: o += utf8_put(buf + o, g[a].cp);
		}
	}
	buf[o] = '\0';
	return o;
}

/* Draws glyphs [a, b) of g with its baseline at y (from the top). */
static int
draw_span(struct lctx *c, const struct glyph *g, size_t a, size_t b, float x, float y, float size,
    enum talign align, float boxw)
{
	float w = span_width(g, a, b) * size;
	char *buf;
	size_t i, j;

	if (a >= b)
		return 0;
	if (align == TA_RIGHT)
		x += boxw - w;
	else if (align == TA_CENTER)
		x += (boxw - w) / 2;
	if ((buf = malloc((b - a) * 4 + 1)) == NULL)
		return lctx_fail(c, "out of memory");
	HPDF_Page_BeginText(c->page);
	for (i = a; i < b; i = j) {
		for (j = i + 1; j < b && g[j].font == g[i].font; j++)
			;
		encode_run(g, i, j, buf);
		HPDF_Page_SetFontAndSize(c->page, c->font[g[i].font], size);
		HPDF_Page_TextOut(c->page, x, c->ph - y, buf);
		x += span_width(g, i, j) * size;
	}
	HPDF_Page_EndText(c->page);
	free(buf);
	return lctx_check(c);
}

float
text_line_height(const struct tstyle *st)
{
	return st->size * (st->leading > 0 ? st->leading : 1.18f);
}

int
text_width(struct lctx *c, const char *s, const struct tstyle *st, float *w)
{
	struct shaped t;

	if (s == NULL || *s == '\0') {
		*w = 0;
		return 0;
	}
	if (shape(c, s, st->bold, &t) == -1)
		return -1;
	*w = span_width(t.g, 0, t.n) * st->size;
	free(t.g);
	return 0;
}

/* Draws line l, shortened with an ellipsis so it fits w. */
static int
draw_truncated(struct lctx *c, struct shaped *t, struct tline l, float x, float y, float w,
    const struct tstyle *st, float size)
{
	struct glyph *g;
	size_t n = l.end - l.start, k;
	int rc;

	if ((g = malloc((n + 1) * sizeof(*g))) == NULL)
		return lctx_fail(c, "out of memory");
	if (n > 0) /* t->g is NULL for empty text: memcpy(NULL) is undefined */
		memcpy(g, t->g + l.start, n * sizeof(*g));
	for (k = 0; k < n; k++)
		if (g[k].cp == '\n')
			g[k].cp = ' ';
	g[n] = n ? g[n - 1] : (struct glyph){ .font = LF_HELV_1252 };
	g[n].cp = ELLIPSIS;
	if (lctx_font(c, g[n].font) == NULL) {
		free(g);
		return -1;
	}
	g[n].adv = HPDF_Font_GetUnicodeWidth(c->font[g[n].font], ELLIPSIS) / 1000.0f;
	for (k = n; k > 0 && span_width(g, 0, k) * size + g[n].adv * size > w; k--)
		;
	while (k > 0 && g[k - 1].cp == ' ')
		k--;
	g[k] = g[n];
	rc = draw_span(c, g, 0, k + 1, x, y, size, st->align, w);
	free(g);
	return rc;
}

int
text_lines(struct lctx *c, const char *s, float x, float top, float w, const struct tstyle *st,
    int first, int count, int *nlines)
{
	struct tline *lines;
	struct shaped t;
	float lh = text_line_height(st);
	size_t nl, i;
	int rc = 0;

	*nlines = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (shape(c, s, st->bold, &t) == -1)
		return -1;
	if ((lines = malloc(MAX_LINES * sizeof(*lines))) == NULL) {
		free(t.g);
		return lctx_fail(c, "out of memory");
	}
	nl = wrap(&t, w / st->size, lines, MAX_LINES);
	for (i = first; rc == 0 && i < nl && (int)i < first + count; i++)
		rc = draw_span(c, t.g, lines[i].start, lines[i].end, x,
		    top + st->size * 0.8f + (i - first) * lh, st->size, st->align, w);
	*nlines = (int)nl;
	free(lines);
	free(t.g);
	return rc;
}

/* Largest size in [min, max] (0.5 pt steps) at which the wrapped text fits. */
static float
fit_wrapped(const struct shaped *t, float w, float maxh, float lead, float minsz, float maxsz,
    struct tline *lines, size_t *nl)
{
	float sz;
	int step;

	/* half-point steps counted in an int: a float counter drifts */
	for (step = 0; (sz = maxsz - 0.5f * (float)step) >= minsz; step++) {
		size_t allowed = (size_t)floorf((maxh + 0.01f) / (sz * lead));
		if (allowed < 1)
			allowed = 1;
		if (allowed > MAX_LINES)
			allowed = MAX_LINES;
		*nl = wrap(t, w / sz, lines, allowed);
		if (lines[*nl - 1].end == t->n &&
		    span_width(t->g, lines[*nl - 1].start, t->n) * sz <= w + 0.01f)
			return sz;
	}
	return 0;
}

int
text_box(struct lctx *c, const char *s, float x, float top, float w, float maxh,
    const struct tstyle *st, const char *what, float *used)
{
	float lead = st->leading > 0 ? st->leading : 1.18f;
	float minsz = st->minsize > 0 ? st->minsize : st->size;
	float natural, sz;
	struct tline *lines = NULL;
	struct shaped t;
	size_t nl = 0, i;
	int rc = 0, truncated = 0;

	if (used)
		*used = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (shape(c, s, st->bold, &t) == -1)
		return -1;
	natural = span_width(t.g, 0, t.n);
	if ((lines = malloc(MAX_LINES * sizeof(*lines))) == NULL) {
		free(t.g);
		return lctx_fail(c, "out of memory");
	}
	if (strchr(s, '\n') == NULL && natural * minsz <= w) {
		/* One line: the given size, or shrunk to fit. */
		sz = natural * st->size <= w ? st->size : floorf(w / natural * 4) / 4;
		lines[0].start = 0;
		lines[0].end = t.n;
		nl = 1;
	} else if ((sz = fit_wrapped(&t, w, maxh, lead, minsz, st->size, lines, &nl)) == 0) {
		size_t allowed = (size_t)floorf((maxh + 0.01f) / (minsz * lead));
		sz = minsz;
		truncated = 1;
		nl = wrap(&t, w / sz, lines,
		    allowed < 1		      ? 1
			: allowed > MAX_LINES ? MAX_LINES
					      : allowed);
	}
	for (i = 0; rc == 0 && i < nl; i++) {
		float y = top + sz * 0.8f + i * sz * lead;
		if (truncated && i == nl - 1)
			rc = draw_truncated(c, &t, lines[i], x, y, w, st, sz);
		else
			rc = draw_span(
			    c, t.g, lines[i].start, lines[i].end, x, y, sz, st->align, w);
	}
	if (rc == 0 && truncated)
		rc = lctx_event(c, "truncated %s: \"%s\"", what ? what : "text", s);
	if (used)
		*used = nl * sz * lead;
	free(lines);
	free(t.g);
	return rc;
}
