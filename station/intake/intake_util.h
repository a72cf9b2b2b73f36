/* Private helpers shared by the intake parsers (intake_*.c only; not an API). */
#ifndef STATION_INTAKE_UTIL_H
#define STATION_INTAKE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "station/intake/intake_stream.h"

struct order;

/* Largest quantity a line may carry; more is a data error, not an order. */
#define INTAKE_MAX_QUANTITY 100000

/* Formats one line into err (if err and errlen) and returns -1. */
int intake_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* malloc'ed NUL-terminated copy of s[0..n); NULL on ENOMEM. */
char *intake_strndup(const char *s, size_t n);

/* Offset past a UTF-8 byte order mark at buf (0 or 3). */
size_t intake_bom_len(const char *buf, size_t len);

/*
 * 0 if buf[0..len) is valid UTF-8 (no overlongs, surrogates or NUL bytes);
 * else -1 with the 1-based line and column (in characters) of the bad byte.
 */
int intake_check_utf8(const char *buf, size_t len, size_t *line, size_t *col);

/* Length of the valid UTF-8 sequence at s (n bytes left); 0 if invalid or NUL. */
size_t intake_utf8_seq_len(const unsigned char *s, size_t n);

/*
 * A short printable copy of s[0..n) for error messages: at most ~40 bytes,
 * cut on a character boundary, control bytes shown as '?'. dst >= 64 bytes.
 */
void intake_excerpt(char *dst, size_t dstlen, const char *s, size_t n);

/* What a note attribute (Shopify "note_attributes" / CSV "Note Attributes") means. */
enum intake_attr {
	INTAKE_ATTR_NONE = 0,
	INTAKE_ATTR_GIFT_MESSAGE,
	INTAKE_ATTR_TRACKING_NUMBER,
	INTAKE_ATTR_TRACKING_COMPANY
};
enum intake_attr intake_classify_attr(const char *name, size_t n);

/* 1 if a shipping method title/code/source/category s[0..n) says local pickup. */
int intake_text_is_pickup(const char *s, size_t n);

/* Case-insensitive ASCII comparison of s[0..n) with the C string lit. */
int intake_eq_nocase(const char *s, size_t n, const char *lit);

/*
 * A hash set for duplicate checks (linear time, no quadratic scans). Keys are
 * strings (copied: the set owns them) or 64-bit integers; each key carries a
 * caller value (an index, a line). Use one key kind per set.
 */
struct intake_set;
struct intake_set *intake_set_new(void);   /* NULL on ENOMEM */
void intake_set_free(struct intake_set *); /* NULL ok */
/* 0: inserted; 1: already there (*prev = its value); -1: ENOMEM. */
int intake_set_add_str(struct intake_set *, const char *key, size_t val, size_t *prev);
int intake_set_add_int(struct intake_set *, int64_t key, size_t val, size_t *prev);

/*
 * The duplicate check the parsers use (see intake_stream.h): an exact
 * one of their own (intake_seen_new_exact), or the caller's. 0: new;
 * 1: seen before (*prev = its value); -1: ENOMEM.
 */
struct intake_seen *intake_seen_new_exact(void);
int intake_seen_add_str(struct intake_seen *, const char *key, size_t val, size_t *prev);
int intake_seen_add_int(struct intake_seen *, int64_t key, size_t val, size_t *prev);

/*
 * Runs a streaming parser (intake_stream.h) and gathers its orders into the
 * array intake_parse.h hands out: the array parsers are this over a stream.
 */
typedef int (*intake_stream_fn)(const char *buf, size_t len, intake_order_cb cb, void *ctx,
    size_t *n, char *err, size_t errlen);
int intake_collect_orders(intake_stream_fn stream, const char *buf, size_t len, struct order ***out,
    size_t *n, char *err, size_t errlen);

#endif
