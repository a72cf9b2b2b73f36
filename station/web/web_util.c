/* Reading a request (query, form, log filter, times) and tables into memory as text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "station/ctl/table.h"
#include "station/store/store.h"
#include "station/store/store_query.h"
#include "station/web/web_int.h"

const char *
web_arg(struct web_req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);

	return v && *v ? v : NULL;
}

/* Decodes one application/x-www-form-urlencoded value (n bytes) into out. */
static int
form_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < n) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			char *end;

			c = (unsigned)strtoul(hex, &end, 16);
			if (*end)
				return -1;
			i += 2;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

int
web_form(struct web_req *r, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	const char *p = r->body, *end = r->body ? r->body + r->blen : NULL;

	while (p && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (eq && (size_t)(eq - p) == nl && memcmp(p, name, nl) == 0)
			return form_decode(eq + 1, (size_t)(stop - eq - 1), out, outlen) == 0;
		p = stop + 1;
	}
	return 0;
}

int64_t
web_parse_time(const char *s)
{
	struct tm tm;
	const char *rest;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL)
		return -1;
	if (s[0] >= '0' && s[0] <= '9' && s[strspn(s, "0123456789")] != '\0' &&
	    strchr("smhd", s[strspn(s, "0123456789")]) && s[strspn(s, "0123456789") + 1] == '\0') {
		/* "15m", "2h", "3d", "90s" ago, as stationctl log takes them */
		long long n = atoll(s), unit = 1000;

		switch (s[strspn(s, "0123456789")]) {
		case 'm': unit = 60000; break;
		case 'h': unit = 3600000; break;
		case 'd': unit = 86400000; break;
		}
		return store_now_ms() - n * unit;
	}
	if ((rest = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*rest == 'T' || *rest == ' ') {
		const char *r2 = strptime(rest + 1, "%H:%M", &tm);

		if (r2 == NULL)
			return -1;
		if (*r2 == ':' && (r2 = strptime(r2 + 1, "%S", &tm)) == NULL)
			return -1;
		rest = r2;
	}
	if (*rest != '\0')
		return -1;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

void
web_log_filter(struct web_req *r, struct log_filter *f)
{
	const char *v;

	memset(f, 0, sizeof(*f));
	if ((v = web_arg(r, "since")) && web_parse_time(v) > 0)
		f->since_ms = web_parse_time(v);
	if ((v = web_arg(r, "until")) && web_parse_time(v) > 0)
		f->until_ms = web_parse_time(v);
	f->station = web_arg(r, "station");
	f->order = web_arg(r, "order");
	f->packer = web_arg(r, "packer");
	f->kind = web_arg(r, "kind");
	f->errors_only = web_arg(r, "errors") != NULL;
	if ((v = web_arg(r, "after")))
		f->after_id = strtoll(v, NULL, 10);
}

/* Prints the table into memory (the format stationctl prints). Frees t. */
char *
web_table_text(struct table *t, int csv, size_t *len)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f;

	if (t == NULL)
		return NULL;
	if ((f = open_memstream(&p, &n)) == NULL) {
		table_free(t);
		return NULL;
	}
	table_print(t, csv ? TABLE_CSV : TABLE_JSON, f);
	table_free(t);
	if (fclose(f) != 0) {
		free(p);
		return NULL;
	}
	*len = n;
	return p;
}

json_t *
web_table_json(struct table *t)
{
	size_t n;
	char *s = web_table_text(t, 0, &n);
	json_t *j;

	if (s == NULL)
		return NULL;
	j = json_loadb(s, n, 0, NULL);
	free(s);
	return j;
}
