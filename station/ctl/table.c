/* Aligned text, RFC 4180 CSV and JSON arrays from one row model. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "station/ctl/table.h"

struct table {
	char	**cols;
	size_t	  ncols;
	int	 *numeric;
	char	**cells;	/* nrows * ncols */
	size_t	  nrows, cap;
};

struct table *
table_new(const char *const *cols, size_t ncols)
{
	struct table *t = calloc(1, sizeof(*t));
	size_t i;

	if (t == NULL || (t->cols = calloc(ncols, sizeof(char *))) == NULL ||
	    (t->numeric = calloc(ncols, sizeof(int))) == NULL) {
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
	free(t->cells);
	free(t);
}

void
table_numeric(struct table *t, size_t i)
{
	if (i < t->ncols)
		t->numeric[i] = 1;
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

static void
print_text(struct table *t, FILE *f)
{
	int *w = calloc(t->ncols, sizeof(int));
	size_t r, c;

	if (w == NULL)
		return;
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

			if (t->numeric[c] && r > 0)
				fprintf(f, "%*s%s", pad, "", v ? v : "");
			else if (c + 1 < t->ncols)
				fprintf(f, "%s%*s", v ? v : "", pad, "");
			else
				fputs(v ? v : "", f);
			if (c + 1 < t->ncols)
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
			} else if (v)
				jv = json_string(v);
			json_object_set_new(o, t->cols[c], jv);
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
	case TABLE_TEXT:
		print_text(t, f);
		break;
	case TABLE_CSV:
		for (r = 0; r <= t->nrows; r++) {
			for (c = 0; c < t->ncols; c++) {
				if (c)
					fputc(',', f);
				print_csv_cell(r == 0 ? t->cols[c] : t->cells[(r - 1) * t->ncols + c], f);
			}
			fputs("\r\n", f);
		}
		break;
	case TABLE_JSON:
		print_json(t, f);
		break;
	}
}
