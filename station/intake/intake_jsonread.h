/* Private: a strict, streaming JSON reader for order files (intake_*.c only). */
#ifndef STATION_INTAKE_JSONREAD_H
#define STATION_INTAKE_JSONREAD_H

#include <stddef.h>
#include <stdint.h>

/*
 * Why not jansson: it lexes one character per function call and builds a
 * malloc'ed tree (~43 us for one 3.4 KB Shopify order, ~1 GB for 100,000),
 * while the intake budget is well under 20 us an order. This reader parses
 * RFC 8259 JSON strictly (UTF-8 checked, no duplicate keys, exact 64-bit
 * integers) into a flat node array that is reused for each order. On a
 * syntax error, jansson (the reference) words the message when it agrees.
 */

enum jv_type { JV_NULL, JV_FALSE, JV_TRUE, JV_INT, JV_REAL, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jdoc; /* the reader and its node arena */

/* A node. Valid only inside the callback that received it. */
struct jv {
	enum jv_type type;
	uint32_t next;	/* next sibling's index, 0: none */
	uint32_t first; /* first child's index, 0: none */
	uint32_t n;	/* children, or string length */
	uint32_t klen;	/* member name length (in objects) */
	uint32_t kesc;	/* 1: key lives in the decode buffer */
	size_t key;	/* member name: offset (see kesc) */
	size_t str;	/* string: offset into input or buffer */
	int sesc;	/* 1: string lives in the decode buffer */
	int64_t i;	/* JV_INT value */
};

/*
 * Calls cb for each order in in->buf (in->read_past told after each): every
 * element of a top-level array or of
 * {"orders":[...]} (streamed: one order's nodes in memory at a time), the
 * object of {"order":{...}}, or the top-level object itself. idx is the
 * array index, or -1 for a single order. Returns 0, or -1 with one line in
 * err ("line L, column C: ..."; cb writes its own message and returns -1).
 * *count gets the number of orders seen. No I/O.
 */
struct intake_input;
int jr_each_order(const struct intake_input *in,
    int (*cb)(void *ctx, const struct jdoc *d, const struct jv *order, long idx), void *ctx,
    size_t *count, char *err, size_t errlen);

/* Member key of object o, or NULL. */
const struct jv *jr_get(const struct jdoc *d, const struct jv *o, const char *key);
/* First child / next sibling of a container's children; NULL at the end. */
const struct jv *jr_first(const struct jdoc *d, const struct jv *v);
const struct jv *jr_next(const struct jdoc *d, const struct jv *v);
/* A string node's bytes (not NUL-terminated) and length. */
const char *jr_str(const struct jdoc *d, const struct jv *v, size_t *len);

#endif
