/* The console's HTML: a bounded text buffer, escaping, the page frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/web/web_int.h"

void
wb_put(struct wbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > WEB_MAX_PAGE || (p = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
wb_puts(struct wbuf *b, const char *s)
{
	if (s)
		wb_put(b, s, strlen(s));
}

void
wb_printf(struct wbuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = 1;
		return;
	}
	wb_put(b, tmp, (size_t)n);
}

void
wb_esc(struct wbuf *b, const char *s)
{
	const char *run = s;

	if (s == NULL)
		return;
	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		}
		if (rep) {
			wb_put(b, run, (size_t)(s - run));
			wb_puts(b, rep);
			run = s + 1;
		}
	}
	wb_put(b, run, (size_t)(s - run));
}

void
wb_url(struct wbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			wb_put(b, (const char *)&c, 1);
		else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			wb_put(b, e, 3);
		}
	}
}

void
wb_free(struct wbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static const struct {
	const char *key, *href, *label;
} nav[] = {
	{ "floor", "/", "Floor" },
	{ "orders", "/orders", "Queue" },
	{ "log", "/log", "Log" },
	{ "stats", "/stats", "Statistics" },
};

void
web_page_begin(struct wbuf *b, struct web_req *r, const char *title, const char *active)
{
	size_t i;
	int tv = r->sess && web_arg(r, "tv") != NULL;

	wb_puts(b,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<title>");
	wb_esc(b, title);
	wb_puts(b,
	    " — Station</title><link rel=\"stylesheet\" href=\"/assets/app.css\">"
	    "<script src=\"/assets/app.js\" defer></script></head>");
	wb_printf(b, "<body class=\"%s\"", tv ? "tv" : "");
	if (r->sess)
		wb_printf(b, " data-csrf=\"%s\" data-role=\"%s\"", r->sess->csrf,
		    r->sess->role == ROLE_SUPERVISOR ? "supervisor" : "viewer");
	wb_puts(b, "><header><span class=\"brand\">Station</span><nav>");
	for (i = 0; r->sess && i < sizeof(nav) / sizeof(nav[0]); i++)
		wb_printf(b, "<a href=\"%s\"%s>%s</a>", nav[i].href,
		    strcmp(active, nav[i].key) == 0 ? " class=\"active\"" : "", nav[i].label);
	wb_puts(b, "</nav>");
	if (r->sess) {
		wb_puts(b, "<form method=\"post\" action=\"/logout\" class=\"who\"><span>");
		wb_esc(b, r->sess->user);
		wb_printf(b,
		    " (%s)</span><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<button type=\"submit\">Log out</button></form>",
		    r->sess->role == ROLE_SUPERVISOR ? "supervisor" : "viewer", r->sess->csrf);
	}
	wb_puts(b, "</header><main>");
}

void
web_page_end(struct wbuf *b)
{
	wb_puts(b, "</main></body></html>\n");
}
