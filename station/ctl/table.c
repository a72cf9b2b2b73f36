/* Aligned text, RFC 4180 CSV and JSON arrays from one row model. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "station/ctl/table.h"

struct table {
	char **cols;
	size_t ncols;
	int *numeric;
	int *json_only;
	char **cells; /* nrows * ncols */
	size_t nrows, cap;
};

struct table *
table_new(const char *const *cols, size_t ncols)
{
	struct table *t = calloc(1, sizeof(*t));
	size_t i;

	if (t == NULL || (t->cols = calloc(ncols, sizeof(char *))) == NULL ||
	    (t->numeric = calloc(ncols, sizeof(int))) == NULL ||
	    (t->json_only = calloc(ncols, sizeof(int))) == NULL) {
		table_free(t);
		return NULL;
	}
	t->ncols = ncols;
	for (i = 0; i < ncols; i++)
		if ((t->cols[i] = strdup(cols[i])) == NULL) {
			table_free(t);
			return NULL;
		}
	return t;
}

void
table_free(struct table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; t->cols && i < t->ncols; i++)
		free(t->cols[i]);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cols);
	free(t->numeric);
	free(t->json_only);
	free(t->cells);
	free(t);
}

void
table_numeric(struct table *t, size_t i)
{
	if (i < t->ncols)
		t->numeric[i] = 1;
}

void
table_json_only(struct table *t, size_t i)
{
	if (i < t->ncols)
		t->json_only[i] = 1;
}

int
table_add(struct table *t, const char *const *vals)
{
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(char *));

		if (c == NULL)
			return -1;
		t->cells = c;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = vals[i] ? strdup(vals[i]) : NULL;
	t->nrows++;
	return 0;
}

int
table_format_parse(const char *s)
{
	if (strcmp(s, "table") == 0 || strcmp(s, "text") == 0)
		return TABLE_TEXT;
	if (strcmp(s, "csv") == 0)
		return TABLE_CSV;
	if (strcmp(s, "json") == 0)
		return TABLE_JSON;
	return -1;
}

/* Length of the valid UTF-8 sequence at s (its code point in *cp), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

char *
table_escape(const char *s, int keep_controls)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), o = 0, n;
	char *out = malloc(len * 6 + 1); /* "\u0085" for 2 bytes, "\xNN" for 1 */
	uint32_t cp;

	if (out == NULL)
		return NULL;
	while (*p) {
		if ((n = utf8_seq(p, &cp)) == 0) {
			o += (size_t)sprintf(out + o, "\\x%02x", *p);
			p++;
			continue;
		}
		if (!keep_controls && (cp < 0x20 || cp == 0x7f))
			o += (size_t)sprintf(out + o, "\\x%02x", (unsigned)cp);
		else if (!keep_controls && cp >= 0x80 && cp < 0xa0)
			o += (size_t)sprintf(out + o, "\\u%04x", (unsigned)cp);
		else {
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
	return out;
}

int
table_text_width(const char *s)
{
	mbstate_t ps;
	size_t n;
	wchar_t wc;
	int w = 0, cw;

	memset(&ps, 0, sizeof(ps));
	while (*s) {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&ps, 0, sizeof(ps));
			s++;
			w++;
			continue;
		}
		cw = wcwidth(wc);
		w += cw > 0 ? cw : 0;
		s += n;
	}
	return w;
}

static void
print_csv_cell(const char *v, FILE *f)
{
	if (v == NULL)
		return;
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

/* The cells as a person's terminal gets them: control characters escaped. */
static int
escape_cells(struct table *t)
{
	size_t i;
	char *e;

	for (i = 0; i < t->nrows * t->ncols; i++) {
		if (t->cells[i] == NULL)
			continue;
		if ((e = table_escape(t->cells[i], 0)) == NULL)
			return -1;
		free(t->cells[i]);
		t->cells[i] = e;
	}
	return 0;
}

/* The index of the last column text and CSV show. */
static size_t
last_shown(const struct table *t)
{
	size_t c = t->ncols;

	while (c > 1 && t->json_only[c - 1])
		c--;
	return c - 1;
}

static void
print_text(struct table *t, FILE *f)
{
	int *w = calloc(t->ncols, sizeof(int));
	size_t r, c, last = last_shown(t);

	if (w == NULL || escape_cells(t) == -1) {
		free(w);
		return;
	}
	for (c = 0; c < t->ncols; c++)
		w[c] = table_text_width(t->cols[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			const char *v = t->cells[r * t->ncols + c];
			int cw = v ? table_text_width(v) : 0;

			if (cw > w[c])
				w[c] = cw;
		}
	for (r = 0; r <= t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *v = r == 0 ? t->cols[c] : t->cells[(r - 1) * t->ncols + c];
			int pad = w[c] - (v ? table_text_width(v) : 0);

			if (t->json_only[c])
				continue;
			if (t->numeric[c] && r > 0)
				fprintf(f, "%*s%s", pad, "", v ? v : "");
			else if (c < last)
				fprintf(f, "%s%*s", v ? v : "", pad, "");
			else
				fputs(v ? v : "", f);
			if (c < last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
	free(w);
}

static void
print_json(struct table *t, FILE *f)
{
	json_t *a = json_array();
	size_t r, c;

	for (r = 0; a && r < t->nrows; r++) {
		json_t *o = json_object();

		for (c = 0; o && c < t->ncols; c++) {
			const char *v = t->cells[r * t->ncols + c];
			json_t *jv = json_null();

			if (v && t->numeric[c]) {
				char *end;
				long long n = strtoll(v, &end, 10);

				jv = *end == '\0' && *v ? json_integer(n) : json_string(v);
			} else if (v && (jv = json_string(v)) == NULL) {
				/* not UTF-8 (a file name): keep it, invalid bytes as \xNN */
				char *e = table_escape(v, 1);

				jv = e ? json_string(e) : NULL;
				free(e);
			}
			if (v == NULL && t->json_only[c])
				continue;
			json_object_set_new(o, t->cols[c], jv ? jv : json_null());
		}
		json_array_append_new(a, o);
	}
	json_dumpf(a, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(a);
}

void
table_print(struct table *t, enum table_format fmt, FILE *f)
{
	size_t r, c;

	switch (fmt) {
	case TABLE_TEXT: print_text(t, f); break;
	case TABLE_CSV:
		for (r = 0; r <= t->nrows; r++) {
			for (c = 0; c < t->ncols; c++) {
				if (t->json_only[c])
					continue;
				if (c)
					fputc(',', f);
				print_csv_cell(
				    r == 0 ? t->cols[c] : t->cells[(r - 1) * t->ncols + c], f);
			}
			fputs("\r\n", f);
		}
		break;
	case TABLE_JSON: print_json(t, f); break;
	}
}
