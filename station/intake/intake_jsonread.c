/* A strict streaming JSON reader: order files are parsed one order at a time. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "station/intake/intake_jsonread.h"
#include "station/intake/intake_stream.h"
#include "station/intake/intake_util.h"

/* Deeper nesting than any order has; bounds the recursion. */
#define MAX_DEPTH	  128
/* Syntax errors outside one order are explained by jansson up to this size. */
#define EXPLAIN_WHOLE_MAX (8u << 20)
#define NO_ELEMENT	  ((size_t)-1)

struct jdoc {
	const char *buf; /* input, after any BOM */
	size_t len, pos;
	const struct intake_input *in; /* told how far we read */
	size_t bom;
	struct jv *v; /* nodes; index 0 is a sentinel */
	size_t nv, capv;
	char *dec; /* decoded (escaped) strings and keys */
	size_t ndec, capdec;
	int failed;	  /* message already in err */
	int syntax;	  /* the failure is a syntax error */
	size_t elem;	  /* start of the streamed order, or NO_ELEMENT */
	size_t fail_elem; /* elem when the syntax error was found */
	char *err;
	size_t errlen;
};

static int jr_fail(struct jdoc *d, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports "line L, column C: ..." for byte offset at; columns count characters. */
static int
jr_fail(struct jdoc *d, size_t at, const char *fmt, ...)
{
	char msg[160];
	size_t i, line = 1, col = 1;
	va_list ap;

	if (d->failed)
		return -1;
	for (i = 0; i < at && i < d->len; i++) {
		if (d->buf[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)d->buf[i] & 0xC0) != 0x80)
			col++;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->failed = 1;
	d->syntax = 1;
	d->fail_elem = d->elem;
	return intake_fail(d->err, d->errlen, "line %zu, column %zu: %s", line, col, msg);
}

/*
 * Users and tests know jansson's wording ("premature end of input near
 * ..."), so a syntax error is described by jansson when it also rejects
 * the text: the failing order alone (bounded memory) or a small file whole.
 * Positions are made file-relative. Our own message stays otherwise.
 */
static void
explain_with_jansson(struct jdoc *d)
{
	json_error_t je;
	json_t *v;
	size_t start = 0, i, line = 1, col = 0;
	int flags = JSON_REJECT_DUPLICATES;
	char *c;

	if (d->fail_elem != NO_ELEMENT) {
		start = d->fail_elem;
		flags |= JSON_DISABLE_EOF_CHECK;
	} else if (d->len > EXPLAIN_WHOLE_MAX)
		return;
	v = json_loadb(d->buf + start, d->len - start, (size_t)flags, &je);
	if (v != NULL) {
		json_decref(v);
		return;
	}
	for (i = 0; i < start; i++) {
		if (d->buf[i] == '\n') {
			line++;
			col = 0;
		} else if (((unsigned char)d->buf[i] & 0xC0) != 0x80)
			col++;
	}
	for (c = je.text; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7F)
			*c = '?'; /* keep the message one clean line */
	}
	intake_fail(d->err, d->errlen, "line %zu, column %zu: %s", line + (size_t)je.line - 1,
	    (je.line == 1 ? col : 0) + (size_t)je.column, je.text);
}

static int
jr_oom(struct jdoc *d)
{
	if (!d->failed)
		intake_fail(d->err, d->errlen, "out of memory");
	d->failed = 1;
	return -1;
}

/* What is at pos, for "expected X, got Y" messages. */
static int
jr_unexpected(struct jdoc *d, const char *expected)
{
	unsigned char c;

	if (d->pos >= d->len)
		return jr_fail(d, d->pos, "expected %s, got the end of the file", expected);
	c = (unsigned char)d->buf[d->pos];
	if (c > 0x20 && c < 0x7F)
		return jr_fail(d, d->pos, "expected %s, got '%c'", expected, c);
	return jr_fail(d, d->pos, "expected %s, got byte 0x%02X", expected, c);
}

static void
skip_ws(struct jdoc *d)
{
	while (d->pos < d->len) {
		char c = d->buf[d->pos];

		if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
			return;
		d->pos++;
	}
}

/* A new node; its index, or 0 on ENOMEM. */
static uint32_t
node_new(struct jdoc *d, enum jv_type t)
{
	struct jv *nv;
	size_t cap;

	if (d->nv >= d->capv) {
		cap = d->capv ? d->capv * 2 : 256;
		if (cap > UINT32_MAX || (nv = realloc(d->v, cap * sizeof(*nv))) == NULL) {
			jr_oom(d);
			return 0;
		}
		d->v = nv;
		d->capv = cap;
	}
	memset(&d->v[d->nv], 0, sizeof(d->v[0]));
	d->v[d->nv].type = t;
	return (uint32_t)d->nv++;
}

static int
dec_put(struct jdoc *d, const char *s, size_t n)
{
	size_t cap = d->capdec ? d->capdec : 256;
	char *nb;

	if (n == 0)
		return 0;
	if (d->ndec + n > d->capdec) {
		while (cap < d->ndec + n)
			cap *= 2;
		if ((nb = realloc(d->dec, cap)) == NULL)
			return jr_oom(d);
		d->dec = nb;
		d->capdec = cap;
	}
	memcpy(d->dec + d->ndec, s, n);
	d->ndec += n;
	return 0;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int
put_utf8(struct jdoc *d, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return dec_put(d, b, n);
}

/* \uXXXX (and its low surrogate) at pos, just after the 'u'. */
static int
decode_u(struct jdoc *d, size_t esc)
{
	unsigned cp, lo;

	if (d->pos + 4 > d->len || hex4(d->buf + d->pos, &cp) == -1)
		return jr_fail(d, esc, "invalid \\u escape");
	d->pos += 4;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return jr_fail(d, esc, "invalid \\u escape (lone surrogate)");
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (d->pos + 6 > d->len || d->buf[d->pos] != '\\' || d->buf[d->pos + 1] != 'u' ||
		    hex4(d->buf + d->pos + 2, &lo) == -1 || lo < 0xDC00 || lo > 0xDFFF)
			return jr_fail(d, esc, "invalid \\u escape (lone surrogate)");
		d->pos += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0)
		return jr_fail(d, esc, "\\u0000 is not allowed");
	return put_utf8(d, cp);
}

static int
decode_escape(struct jdoc *d)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t esc = d->pos - 1; /* at the backslash */
	const char *p;
	char c;

	if (d->pos >= d->len)
		return jr_fail(d, esc, "unterminated string");
	c = d->buf[d->pos++];
	if (c == 'u')
		return decode_u(d, esc);
	if (c != '\0' && (p = strchr(from, c)) != NULL)
		return dec_put(d, &to[p - from], 1);
	return jr_fail(d, esc, "invalid escape");
}

/*
 * The bytes a string's plain run may hold (printable ASCII but '"' and
 * '\\'), one bit each: a load and a shift a byte instead of four comparisons.
 */
static const uint64_t PLAIN[4] = { 0xFFFFFFFB00000000u, 0xFFFFFFFFEFFFFFFFu, 0, 0 };

#define IS_PLAIN(c) ((PLAIN[(c) >> 6] >> ((c)&63)) & 1)

/*
 * A string at pos (just after its opening quote). Plain strings stay in
 * the input; one with escapes is decoded into d->dec.
 */
static int
parse_string(struct jdoc *d, size_t *off, size_t *n, int *escaped)
{
	const unsigned char *s = (const unsigned char *)d->buf;
	size_t start = d->pos, dstart = d->ndec, k;
	int esc = 0;

	for (;;) {
		size_t run = d->pos;

		while (d->pos < d->len && IS_PLAIN(s[d->pos]))
			d->pos++;
		if (d->pos >= d->len)
			return jr_fail(d, start - 1, "unterminated string");
		if (s[d->pos] >= 0x80) {
			k = intake_utf8_seq_len(s + d->pos, d->len - d->pos);
			if (k == 0)
				return jr_fail(d, d->pos, "invalid UTF-8");
			d->pos += k;
			if (esc && dec_put(d, d->buf + run, d->pos - run) == -1)
				return -1;
			continue;
		}
		if (esc && dec_put(d, d->buf + run, d->pos - run) == -1)
			return -1;
		if (s[d->pos] == '"')
			break;
		if (s[d->pos] < 0x20)
			return jr_fail(d, d->pos, "control character in string");
		/* a backslash: from here on the string is decoded */
		if (!esc && dec_put(d, d->buf + start, d->pos - start) == -1)
			return -1;
		esc = 1;
		d->pos++;
		if (decode_escape(d) == -1)
			return -1;
	}
	d->pos++; /* closing quote */
	*escaped = esc;
	*off = esc ? dstart : start;
	*n = esc ? d->ndec - dstart : d->pos - 1 - start;
	return 0;
}

/* Like jansson, refuse a real that overflows a double. */
static int
real_overflows(const char *s, size_t n)
{
	char tmp[128], *t = n < sizeof(tmp) ? tmp : malloc(n + 1);
	double x;
	int over;

	if (t == NULL)
		return 0;
	memcpy(t, s, n);
	t[n] = '\0';
	errno = 0;
	x = strtod(t, NULL);
	over = (x == HUGE_VAL || x == -HUGE_VAL) && errno == ERANGE;
	if (t != tmp)
		free(t);
	return over;
}

static int
parse_number(struct jdoc *d, uint32_t idx)
{
	const char *s = d->buf;
	size_t start = d->pos, p = d->pos;
	int neg = 0, real = 0;
	int64_t v = 0;

	if (p < d->len && s[p] == '-') {
		neg = 1;
		p++;
	}
	if (p >= d->len || s[p] < '0' || s[p] > '9')
		return jr_fail(d, start, "invalid number");
	if (s[p] == '0' && p + 1 < d->len && s[p + 1] >= '0' && s[p + 1] <= '9')
		return jr_fail(d, start, "invalid number (leading zero)");
	for (; p < d->len && s[p] >= '0' && s[p] <= '9'; p++) {
		int dig = s[p] - '0';

		/* accumulate negatively so INT64_MIN fits */
		if (v < (INT64_MIN + dig) / 10)
			real = 2;
		else
			v = v * 10 - dig;
	}
	if (p < d->len && s[p] == '.') {
		p++;
		if (p >= d->len || s[p] < '0' || s[p] > '9')
			return jr_fail(d, start, "invalid number");
		while (p < d->len && s[p] >= '0' && s[p] <= '9')
			p++;
		real = 1;
	}
	if (p < d->len && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < d->len && (s[p] == '+' || s[p] == '-'))
			p++;
		if (p >= d->len || s[p] < '0' || s[p] > '9')
			return jr_fail(d, start, "invalid number");
		while (p < d->len && s[p] >= '0' && s[p] <= '9')
			p++;
		real = 1;
	}
	if (real == 2 || (!real && !neg && v == INT64_MIN))
		return jr_fail(d, start, "integer too big");
	if (real && real_overflows(s + start, p - start))
		return jr_fail(d, start, "real number overflow");
	d->pos = p;
	d->v[idx].type = real ? JV_REAL : JV_INT;
	d->v[idx].i = neg ? v : -v;
	return 0;
}

static int
parse_literal(struct jdoc *d, uint32_t idx, const char *word, enum jv_type t)
{
	size_t n = strlen(word);

	if (d->len - d->pos < n || memcmp(d->buf + d->pos, word, n) != 0)
		return jr_unexpected(d, "a JSON value");
	d->pos += n;
	d->v[idx].type = t;
	return 0;
}

static int parse_value(struct jdoc *, uint32_t *, int);

static const char *
key_ptr(const struct jdoc *d, const struct jv *v)
{
	return v->kesc ? d->dec + v->key : d->buf + v->key;
}

/* JSON objects with repeated names are ambiguous: refuse them. */
static int
check_duplicate_key(struct jdoc *d, uint32_t obj, uint32_t member, size_t at)
{
	const struct jv *m = &d->v[member], *o;
	const char *k = key_ptr(d, m);
	char ex[64];
	uint32_t i;

	for (i = d->v[obj].first; i != 0 && i != member; i = o->next) {
		const char *ok;

		o = &d->v[i];
		if (o->klen != m->klen)
			continue;
		/* the first byte tells most names of a length apart, without a call */
		ok = key_ptr(d, o);
		if (m->klen > 0 && ok[0] != k[0])
			continue;
		if (memcmp(ok, k, m->klen) == 0) {
			intake_excerpt(ex, sizeof(ex), k, m->klen);
			return jr_fail(d, at, "duplicate key '%s'", ex);
		}
	}
	return 0;
}

static int
parse_member(struct jdoc *d, uint32_t obj, uint32_t *member, int depth)
{
	size_t koff, klen, at = d->pos;
	int kesc;

	if (d->pos >= d->len || d->buf[d->pos] != '"')
		return jr_unexpected(d, "a string key");
	d->pos++;
	if (parse_string(d, &koff, &klen, &kesc) == -1)
		return -1;
	skip_ws(d);
	if (d->pos >= d->len || d->buf[d->pos] != ':')
		return jr_unexpected(d, "':'");
	d->pos++;
	if (parse_value(d, member, depth + 1) == -1)
		return -1;
	d->v[*member].key = koff;
	d->v[*member].klen = (uint32_t)klen;
	d->v[*member].kesc = (uint32_t)kesc;
	return check_duplicate_key(d, obj, *member, at);
}

/* Links child as the last of parent's children (last tracks the tail). */
static void
link_child(struct jdoc *d, uint32_t parent, uint32_t *last, uint32_t child)
{
	if (*last == 0)
		d->v[parent].first = child;
	else
		d->v[*last].next = child;
	*last = child;
	d->v[parent].n++;
}

static int
parse_container(struct jdoc *d, uint32_t idx, int depth, char close)
{
	uint32_t child, last = 0;

	if (depth > MAX_DEPTH)
		return jr_fail(d, d->pos, "nesting too deep");
	d->pos++; /* the opening bracket */
	skip_ws(d);
	if (d->pos < d->len && d->buf[d->pos] == close) {
		d->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(d);
		if (close == '}') {
			if (parse_member(d, idx, &child, depth) == -1)
				return -1;
		} else if (parse_value(d, &child, depth + 1) == -1)
			return -1;
		link_child(d, idx, &last, child);
		skip_ws(d);
		if (d->pos < d->len && d->buf[d->pos] == ',') {
			d->pos++;
			continue;
		}
		if (d->pos < d->len && d->buf[d->pos] == close) {
			d->pos++;
			return 0;
		}
		return jr_unexpected(d, close == '}' ? "',' or '}'" : "',' or ']'");
	}
}

/* Parses the value at pos (after whitespace) into a new node *out. */
static int
parse_value(struct jdoc *d, uint32_t *out, int depth)
{
	uint32_t idx;
	size_t off, n;
	int esc;

	skip_ws(d);
	if ((idx = node_new(d, JV_NULL)) == 0)
		return -1;
	*out = idx;
	if (d->pos >= d->len)
		return jr_unexpected(d, "a JSON value");
	switch (d->buf[d->pos]) {
	case '{': d->v[idx].type = JV_OBJECT; return parse_container(d, idx, depth, '}');
	case '[': d->v[idx].type = JV_ARRAY; return parse_container(d, idx, depth, ']');
	case '"':
		d->pos++;
		if (parse_string(d, &off, &n, &esc) == -1)
			return -1;
		d->v[idx].type = JV_STRING;
		d->v[idx].str = off;
		d->v[idx].n = (uint32_t)n;
		d->v[idx].sesc = esc;
		return 0;
	case 't': return parse_literal(d, idx, "true", JV_TRUE);
	case 'f': return parse_literal(d, idx, "false", JV_FALSE);
	case 'n': return parse_literal(d, idx, "null", JV_NULL);
	default:
		if (d->buf[d->pos] == '-' || (d->buf[d->pos] >= '0' && d->buf[d->pos] <= '9'))
			return parse_number(d, idx);
		return jr_unexpected(d, "a JSON value");
	}
}

/* Frees the nodes and decoded bytes of one order, keeping the memory. */
static void
arena_reset(struct jdoc *d, size_t nv, size_t ndec)
{
	d->nv = nv;
	d->ndec = ndec;
}

struct walk {
	int (*cb)(void *, const struct jdoc *, const struct jv *, long);
	void *ctx;
	size_t count;
};

static int
deliver(struct jdoc *d, struct walk *w, uint32_t idx, long i)
{
	w->count++;
	if (w->cb(w->ctx, d, &d->v[idx], i) == -1) {
		d->failed = 1;
		return -1;
	}
	return 0;
}

/* The array at pos: each element parsed, delivered, then forgotten. */
static int
stream_array(struct jdoc *d, struct walk *w)
{
	size_t nv = d->nv, ndec = d->ndec;
	uint32_t el;
	long i = 0;

	d->pos++;
	skip_ws(d);
	if (d->pos < d->len && d->buf[d->pos] == ']') {
		d->pos++;
		return 0;
	}
	for (;; i++) {
		skip_ws(d);
		d->elem = d->pos;
		if (parse_value(d, &el, 1) == -1)
			return -1;
		d->elem = NO_ELEMENT;
		if (deliver(d, w, el, i) == -1)
			return -1;
		arena_reset(d, nv, ndec);
		if (d->in->read_past != NULL)
			d->in->read_past(d->in->arg, d->bom + d->pos);
		skip_ws(d);
		if (d->pos < d->len && d->buf[d->pos] == ',') {
			d->pos++;
			continue;
		}
		if (d->pos < d->len && d->buf[d->pos] == ']') {
			d->pos++;
			return 0;
		}
		return jr_unexpected(d, "',' or ']'");
	}
}

static int
key_is(const struct jdoc *d, size_t koff, size_t klen, int kesc, const char *lit)
{
	const char *k = kesc ? d->dec + koff : d->buf + koff;

	return klen == strlen(lit) && memcmp(k, lit, klen) == 0;
}

/*
 * The top-level object. "orders" with an array value is streamed; any
 * other member is kept, so a bare order (or {"order":{}}) is delivered
 * whole at the end.
 */
static int
top_object(struct jdoc *d, struct walk *w)
{
	uint32_t root, child, last = 0;
	size_t koff, klen, at;
	int kesc, streamed = 0;
	const struct jv *ord;

	if ((root = node_new(d, JV_OBJECT)) == 0)
		return -1;
	d->pos++;
	skip_ws(d);
	while (d->pos < d->len && d->buf[d->pos] != '}') {
		at = d->pos;
		if (d->buf[d->pos] != '"')
			return jr_unexpected(d, "a string key");
		d->pos++;
		if (parse_string(d, &koff, &klen, &kesc) == -1)
			return -1;
		skip_ws(d);
		if (d->pos >= d->len || d->buf[d->pos] != ':')
			return jr_unexpected(d, "':'");
		d->pos++;
		skip_ws(d);
		if (streamed && key_is(d, koff, klen, kesc, "orders"))
			return jr_fail(d, at,
			    "duplicate key 'orders' (a second "
			    "list of orders; the file is ambiguous)");
		if (!streamed && key_is(d, koff, klen, kesc, "orders")) {
			if (d->pos >= d->len || d->buf[d->pos] != '[')
				return intake_fail(d->err, d->errlen, "orders: expected an array");
			if (stream_array(d, w) == -1)
				return -1;
			streamed = 1;
		} else {
			if (parse_value(d, &child, 1) == -1)
				return -1;
			d->v[child].key = koff;
			d->v[child].klen = (uint32_t)klen;
			d->v[child].kesc = (uint32_t)kesc;
			if (check_duplicate_key(d, root, child, at) == -1)
				return -1;
			link_child(d, root, &last, child);
		}
		skip_ws(d);
		if (d->pos < d->len && d->buf[d->pos] == ',') {
			d->pos++;
			skip_ws(d);
			if (d->pos < d->len && d->buf[d->pos] == '}')
				return jr_unexpected(d, "a string key");
			continue;
		}
		if (d->pos >= d->len || d->buf[d->pos] != '}')
			return jr_unexpected(d, "',' or '}'");
	}
	if (d->pos >= d->len)
		return jr_unexpected(d, "a string key");
	d->pos++;
	if (streamed)
		return 0;
	if ((ord = jr_get(d, &d->v[root], "order")) != NULL) {
		if (ord->type != JV_OBJECT)
			return intake_fail(d->err, d->errlen, "order: expected an object");
		return deliver(d, w, (uint32_t)(ord - d->v), -1);
	}
	return deliver(d, w, root, -1);
}

int
jr_each_order(const struct intake_input *in,
    int (*cb)(void *, const struct jdoc *, const struct jv *, long), void *ctx, size_t *count,
    char *err, size_t errlen)
{
	struct jdoc d;
	struct walk w = { cb, ctx, 0 };
	size_t bom = intake_bom_len(in->buf, in->len);
	int rc;

	memset(&d, 0, sizeof(d));
	d.in = in;
	d.bom = bom;
	d.buf = in->buf + bom;
	d.len = in->len - bom;
	d.err = err;
	d.errlen = errlen;
	d.nv = 1; /* index 0 means "none" */
	d.elem = NO_ELEMENT;
	skip_ws(&d);
	if (d.pos == d.len)
		return intake_fail(err, errlen, "empty file");
	if (d.buf[d.pos] == '[')
		rc = stream_array(&d, &w);
	else if (d.buf[d.pos] == '{')
		rc = top_object(&d, &w);
	else
		rc = jr_unexpected(&d, "'{' or '['");
	if (rc == 0) {
		skip_ws(&d);
		if (d.pos < d.len)
			rc = jr_fail(&d, d.pos,
			    "unexpected text after the "
			    "JSON value");
	}
	if (rc == -1 && d.syntax)
		explain_with_jansson(&d);
	free(d.v);
	free(d.dec);
	*count = w.count;
	return rc;
}

const struct jv *
jr_get(const struct jdoc *d, const struct jv *o, const char *key)
{
	size_t n = strlen(key);
	uint32_t i;

	if (o->type != JV_OBJECT)
		return NULL;
	for (i = o->first; i != 0; i = d->v[i].next) {
		const struct jv *m = &d->v[i];
		const char *k;

		if (m->klen != n)
			continue;
		/* the first byte tells most names of a length apart, without a call */
		k = key_ptr(d, m);
		if ((n == 0 || k[0] == key[0]) && memcmp(k, key, n) == 0)
			return m;
	}
	return NULL;
}

const struct jv *
jr_first(const struct jdoc *d, const struct jv *v)
{
	return v->first != 0 ? &d->v[v->first] : NULL;
}

const struct jv *
jr_next(const struct jdoc *d, const struct jv *v)
{
	return v->next != 0 ? &d->v[v->next] : NULL;
}

const char *
jr_str(const struct jdoc *d, const struct jv *v, size_t *len)
{
	*len = v->n;
	return v->sesc ? d->dec + v->str : d->buf + v->str;
}
