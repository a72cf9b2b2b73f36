/* Small helpers the intake parsers share: errors, UTF-8, attributes, a hash set. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "station/intake/intake_util.h"
#include "station/core/order.h"

int
intake_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

char *
intake_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t
intake_bom_len(const char *buf, size_t len)
{
	if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
	    (unsigned char)buf[2] == 0xBF)
		return 3;
	return 0;
}

size_t
intake_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		if (n >= 2 && (s[1] & 0xC0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0) /* overlong */
			return 0;
		if (c == 0xED && s[1] >= 0xA0) /* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90) /* overlong */
			return 0;
		if (c == 0xF4 && s[1] >= 0x90) /* > U+10FFFF */
			return 0;
		return 4;
	}
	return 0; /* NUL, continuation, 0xC0/C1, 0xF5+ */
}

/* Line and character column of the first invalid sequence (the slow walk). */
static int
utf8_locate(const unsigned char *s, size_t len, size_t *line, size_t *col)
{
	size_t i = 0, ln = 1, c = 1, k;

	while (i < len) {
		if (s[i] >= 0x01 && s[i] < 0x80) {
			if (s[i] == '\n') {
				ln++;
				c = 1;
			} else
				c++;
			i++;
			continue;
		}
		k = intake_utf8_seq_len(s + i, len - i);
		if (k == 0) {
			*line = ln;
			*col = c;
			return -1;
		}
		i += k;
		c++;
	}
	return 0;
}

#define ONES  0x0101010101010101u
#define HIGHS 0x8080808080808080u

/*
 * Most of a file is ASCII: eight bytes at a time are passed while none is
 * NUL or has its high bit set, and where it is is worked out only for a
 * file that fails (the CSV import checked every byte, counting columns,
 * twice per file: a tenth of its parsing).
 */
int
intake_check_utf8(const char *buf, size_t len, size_t *line, size_t *col)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, k;
	uint64_t w;

	while (i < len) {
		while (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & HIGHS) != 0 || ((w - ONES) & ~w & HIGHS) != 0)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (s[i] >= 0x01 && s[i] < 0x80) {
			i++;
			continue;
		}
		k = intake_utf8_seq_len(s + i, len - i);
		if (k == 0)
			return utf8_locate(s, len, line, col);
		i += k;
	}
	return 0;
}

void
intake_excerpt(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t i = 0, o = 0, k;

	if (dstlen == 0)
		return;
	while (i < n && o + 5 < dstlen && o < 40) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			dst[o++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
			i++;
			continue;
		}
		k = intake_utf8_seq_len((const unsigned char *)s + i, n - i);
		if (k == 0) {
			dst[o++] = '?';
			i++;
			continue;
		}
		memcpy(dst + o, s + i, k);
		o += k;
		i += k;
	}
	if (i < n && o + 3 < dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

int
intake_eq_nocase(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (lit[i] == '\0' ||
		    tolower((unsigned char)s[i]) != tolower((unsigned char)lit[i]))
			return 0;
	}
	return lit[n] == '\0';
}

static const struct {
	const char *name;
	enum intake_attr kind;
} attr_names[] = {
	/* Shop themes and gift apps spell these many ways; compare normalized. */
	{ "gift message", INTAKE_ATTR_GIFT_MESSAGE },
	{ "gift messages", INTAKE_ATTR_GIFT_MESSAGE },
	{ "giftmessage", INTAKE_ATTR_GIFT_MESSAGE },
	{ "gift note", INTAKE_ATTR_GIFT_MESSAGE },
	{ "gift msg", INTAKE_ATTR_GIFT_MESSAGE },
	{ "gift card message", INTAKE_ATTR_GIFT_MESSAGE },
	{ "gift wrap message", INTAKE_ATTR_GIFT_MESSAGE },
	{ "tracking number", INTAKE_ATTR_TRACKING_NUMBER },
	{ "tracking numbers", INTAKE_ATTR_TRACKING_NUMBER },
	{ "tracking no", INTAKE_ATTR_TRACKING_NUMBER },
	{ "tracking code", INTAKE_ATTR_TRACKING_NUMBER },
	{ "tracking id", INTAKE_ATTR_TRACKING_NUMBER },
	{ "tracking", INTAKE_ATTR_TRACKING_NUMBER },
	{ "tracking company", INTAKE_ATTR_TRACKING_COMPANY },
	{ "tracking carrier", INTAKE_ATTR_TRACKING_COMPANY },
	{ "shipping carrier", INTAKE_ATTR_TRACKING_COMPANY },
	{ "carrier", INTAKE_ATTR_TRACKING_COMPANY },
};

enum intake_attr
intake_classify_attr(const char *name, size_t n)
{
	char norm[48];
	size_t i, o = 0;
	int space = 1; /* drops leading and repeated separators */

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == ' ' || c == '_' || c == '-' || c == '\t' || c == '.' || c == ':') {
			if (!space) {
				if (o + 1 >= sizeof(norm))
					return INTAKE_ATTR_NONE;
				norm[o++] = ' ';
			}
			space = 1;
			continue;
		}
		if (o + 1 >= sizeof(norm))
			return INTAKE_ATTR_NONE;
		norm[o++] = (char)tolower(c);
		space = 0;
	}
	if (o > 0 && norm[o - 1] == ' ')
		o--;
	norm[o] = '\0';
	for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		if (strcmp(norm, attr_names[i].name) == 0)
			return attr_names[i].kind;
	}
	return INTAKE_ATTR_NONE;
}

int
intake_text_is_pickup(const char *s, size_t n)
{
	/*
	 * Shopify's REST order has no pickup flag: a pickup checkout gives a
	 * shipping line whose delivery_category, code or title says pickup
	 * ("Pickup", "Local Pickup", "Pick up in store"), and the CSV export's
	 * "Shipping Method" carries that title.
	 */
	static const char *const words[] = { "pickup", "pick up", "pick-up", "pick_up" };
	size_t i, j, w;

	if (s == NULL)
		return 0;
	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t wl = strlen(words[w]);

		for (i = 0; i + wl <= n; i++) {
			for (j = 0; j < wl; j++) {
				if (tolower((unsigned char)s[i + j]) != words[w][j])
					break;
			}
			if (j == wl)
				return 1;
		}
	}
	return 0;
}

/*
 * The hash set: open addressing, linear probing, load factor <= 1/2, 16
 * bytes an entry (100,000 orders cost 4 MB a set). Integer keys are stored
 * as their splitmix64 hash, which is a bijection, so the hash is the key.
 */
#define SLOT_EMPTY UINT32_MAX

struct set_entry {
	uint64_t hash;
	uint32_t soff; /* string key offset in keys; SLOT_EMPTY */
	uint32_t val;
};

struct intake_set {
	struct set_entry *v;
	size_t cap; /* power of two */
	size_t n;
	char *keys; /* string keys, NUL-separated */
	size_t nkeys, capkeys;
};

static struct set_entry *
entries_new(size_t cap)
{
	struct set_entry *v = malloc(cap * sizeof(*v));
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < cap; i++)
		v[i].soff = SLOT_EMPTY;
	return v;
}

struct intake_set *
intake_set_new(void)
{
	struct intake_set *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cap = 64;
	if ((s->v = entries_new(s->cap)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
intake_set_free(struct intake_set *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s->keys);
	free(s);
}

static uint64_t
hash_str(const char *k)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*k != '\0') {
		h ^= (unsigned char)*k++;
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t
hash_int(int64_t k)
{
	uint64_t z = (uint64_t)k + 0x9E3779B97F4A7C15ULL; /* splitmix64 */

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int
set_grow(struct intake_set *s)
{
	struct set_entry *nv;
	size_t ncap = s->cap * 2, i, j;

	if ((nv = entries_new(ncap)) == NULL)
		return -1;
	for (i = 0; i < s->cap; i++) {
		if (s->v[i].soff == SLOT_EMPTY)
			continue;
		j = s->v[i].hash & (ncap - 1);
		while (nv[j].soff != SLOT_EMPTY)
			j = (j + 1) & (ncap - 1);
		nv[j] = s->v[i];
	}
	free(s->v);
	s->v = nv;
	s->cap = ncap;
	return 0;
}

/* Copies a string key into the set's own storage; its offset, or -1. */
static int
key_copy(struct intake_set *s, const char *k, uint32_t *off)
{
	size_t n = strlen(k) + 1, cap = s->capkeys ? s->capkeys : 1024;
	char *nk;

	if (s->nkeys + n >= SLOT_EMPTY)
		return -1;
	if (s->nkeys + n > s->capkeys) {
		while (cap < s->nkeys + n)
			cap *= 2;
		if ((nk = realloc(s->keys, cap)) == NULL)
			return -1;
		s->keys = nk;
		s->capkeys = cap;
	}
	memcpy(s->keys + s->nkeys, k, n);
	*off = (uint32_t)s->nkeys;
	s->nkeys += n;
	return 0;
}

/* skey NULL: an integer key, identified by its (bijective) hash alone. */
static int
set_add(struct intake_set *s, uint64_t h, const char *skey, size_t val, size_t *prev)
{
	uint32_t off = 0;
	size_t j;

	if (val >= SLOT_EMPTY || ((s->n + 1) * 2 > s->cap && set_grow(s) == -1))
		return -1;
	j = h & (s->cap - 1);
	while (s->v[j].soff != SLOT_EMPTY) {
		if (s->v[j].hash == h &&
		    (skey == NULL || strcmp(s->keys + s->v[j].soff, skey) == 0)) {
			if (prev != NULL)
				*prev = s->v[j].val;
			return 1;
		}
		j = (j + 1) & (s->cap - 1);
	}
	if (skey != NULL && key_copy(s, skey, &off) == -1)
		return -1;
	s->v[j].hash = h;
	s->v[j].soff = off;
	s->v[j].val = (uint32_t)val;
	s->n++;
	return 0;
}

int
intake_set_add_str(struct intake_set *s, const char *key, size_t val, size_t *prev)
{
	return set_add(s, hash_str(key), key, val, prev);
}

int
intake_set_add_int(struct intake_set *s, int64_t key, size_t val, size_t *prev)
{
	return set_add(s, hash_int(key), NULL, val, prev);
}

/* A lookup that adds nothing: the entry for (h, skey), or NULL. */
static const struct set_entry *
set_find(const struct intake_set *s, uint64_t h, const char *skey)
{
	size_t j = h & (s->cap - 1);

	while (s->v[j].soff != SLOT_EMPTY) {
		if (s->v[j].hash == h &&
		    (skey == NULL || strcmp(s->keys + s->v[j].soff, skey) == 0))
			return &s->v[j];
		j = (j + 1) & (s->cap - 1);
	}
	return NULL;
}

/* The screen: 2^25 bits (4 MB), 4 probes; for 1,000,000 orders and ids
 * about 1 in 5,000 keys is a false suspect, checked again, never refused. */
#define SEEN_BITS    (1u << 25)
#define SEEN_PROBES  4
#define SEEN_INT_TAG 0x5bd1e9955bd1e995ULL /* ids apart from names */

enum { SEEN_EXACT = 0 };

struct intake_seen {
	int mode;			      /* SEEN_EXACT or enum intake_seen_mode */
	struct intake_set *str, *num;	      /* exact: every key; confirm: suspects seen */
	struct intake_set *sus_str, *sus_num; /* what the screen suspects */
	uint64_t *bits;
	size_t suspects;
};

void
intake_seen_free(struct intake_seen *s)
{
	if (s == NULL)
		return;
	intake_set_free(s->str);
	intake_set_free(s->num);
	intake_set_free(s->sus_str);
	intake_set_free(s->sus_num);
	if (s->bits != NULL)
		munmap(s->bits, SEEN_BITS / 8);
	free(s);
}

struct intake_seen *
intake_seen_new_exact(void)
{
	struct intake_seen *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->str = intake_set_new()) == NULL ||
	    (s->num = intake_set_new()) == NULL) {
		intake_seen_free(s);
		return NULL;
	}
	return s;
}

struct intake_seen *
intake_seen_new(void)
{
	struct intake_seen *s = intake_seen_new_exact();
	void *bits;

	if (s == NULL || (s->sus_str = intake_set_new()) == NULL ||
	    (s->sus_num = intake_set_new()) == NULL)
		goto fail;
	/*
	 * Its own mapping, not malloc's: freed, it goes back to the system.
	 * From malloc (once its mmap threshold has grown past 4 MB) it stayed
	 * resident at the top of the parse thread's arena, which malloc_trim
	 * does not shrink (4 MB of idle memory after some imports).
	 */
	bits = mmap(
	    NULL, SEEN_BITS / 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bits == MAP_FAILED)
		goto fail;
	s->bits = bits;
	s->mode = INTAKE_SEEN_SCREEN;
	return s;
fail:
	intake_seen_free(s);
	return NULL;
}

size_t
intake_seen_suspects(const struct intake_seen *s)
{
	return s->suspects;
}

void
intake_seen_set_mode(struct intake_seen *s, enum intake_seen_mode m)
{
	if (s->bits != NULL)
		s->mode = m;
}

/* Sets h's bits; 1 if they were all set already (seen, or a false hit). */
static int
screen(struct intake_seen *s, uint64_t h)
{
	uint64_t h2 = hash_int((int64_t)h) | 1, b;
	int i, all = 1;

	for (i = 0; i < SEEN_PROBES; i++) {
		b = (h + (uint64_t)i * h2) & (SEEN_BITS - 1);
		if (!(s->bits[b / 64] & (1ULL << (b % 64)))) {
			all = 0;
			s->bits[b / 64] |= 1ULL << (b % 64);
		}
	}
	return all;
}

/* The modes over one key: h its hash, skey the string (NULL for an id). */
static int
seen_add(struct intake_seen *s, struct intake_set *all, struct intake_set *sus, uint64_t h,
    uint64_t sh, const char *skey, size_t val, size_t *prev)
{
	int r;

	switch (s->mode) {
	case SEEN_EXACT: return set_add(all, h, skey, val, prev);
	case INTAKE_SEEN_SCREEN:
		if (!screen(s, sh))
			return 0;
		if ((r = set_add(sus, h, skey, 0, NULL)) == -1)
			return -1;
		s->suspects += r == 0;
		return 0;
	case INTAKE_SEEN_CONFIRM:
		if (set_find(sus, h, skey) == NULL)
			return 0;
		return set_add(all, h, skey, val, prev);
	default: return 0;
	}
}

int
intake_seen_add_str(struct intake_seen *s, const char *key, size_t val, size_t *prev)
{
	uint64_t h = hash_str(key);

	return seen_add(s, s->str, s->sus_str, h, h, key, val, prev);
}

int
intake_seen_add_int(struct intake_seen *s, int64_t key, size_t val, size_t *prev)
{
	uint64_t h = hash_int(key);

	return seen_add(s, s->num, s->sus_num, h, h ^ SEEN_INT_TAG, NULL, val, prev);
}

struct collect {
	struct order **v;
	size_t n, cap;
};

/* An intake_order_cb: appends o to ctx (a struct collect). */
static int
collect_order(void *ctx, struct order *o, char *err, size_t errlen)
{
	struct collect *c = ctx;
	struct order **nv;
	size_t cap;

	if (c->n == c->cap) {
		cap = c->cap ? c->cap * 2 : 16;
		if ((nv = realloc(c->v, cap * sizeof(*nv))) == NULL) {
			order_free(o);
			return intake_fail(err, errlen, "out of memory");
		}
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n++] = o;
	return 0;
}

int
intake_collect_orders(intake_stream_fn stream, const char *buf, size_t len, struct order ***out,
    size_t *n, char *err, size_t errlen)
{
	struct collect c = { NULL, 0, 0 };
	size_t cnt;

	if (stream(buf, len, collect_order, &c, &cnt, err, errlen) == -1) {
		order_array_free(c.v, c.n);
		return -1;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}
