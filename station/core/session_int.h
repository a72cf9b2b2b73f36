/* Private to station/core/session*.c: what the packing checks share with the machine. */
#ifndef STATION_SESSION_INT_H
#define STATION_SESSION_INT_H

#include <stddef.h>
#include <stdint.h>

#include "station/core/session.h"

/* The packer's one-line message (control bytes shown as '?'). */
void sess_say(struct sess_result *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sess_add_effect(
    struct sess_result *, enum sess_effect_kind, int64_t order_id, int64_t line_id, int64_t units);
/* Bounded copy that never cuts a UTF-8 character in half. */
void sess_copy_str(char *dst, size_t dstlen, const char *src);
int sess_box_has_items(const struct sess_order *);
/* extra units on line extra_line (open->nlines: none) counted first */
int sess_order_is_complete(const struct sess_order *, size_t extra_line, int64_t extra);

/* Closes the current box as kind says, unchecked (session.c). */
void sess_close_box(const struct sess_state *, const struct sess_order *, const struct sess_input *,
    struct sess_result *, enum sess_close, int box_items);

/*
 * The weight check before a box closes (session_checks.c): 1 when the box
 * may close (res->box_grams is the scale's reading or -1, res->note says
 * what was weighed), 0 when it may not (verdict, hold and message set).
 * extra units on extra_line are in the box too (the scan being decided).
 */
int sess_weigh_box(const struct sess_state *, const struct sess_order *, const struct sess_input *,
    struct sess_result *, enum sess_close, size_t extra_line, int64_t extra);
/* A box closed with verify_label: the bench waits for its label. */
void sess_hold_label(const struct sess_input *, const struct sess_order *, struct sess_result *);
/*
 * Holds, labels and PINs before the usual handlers: 1 when the scan was
 * decided here, 0 to go on.
 */
int sess_checks_step(const struct sess_state *, const struct sess_order *,
    const struct sess_input *, struct sess_result *);
void sess_cmd_weigh(const struct sess_state *, const struct sess_order *, const struct sess_input *,
    struct sess_result *);
void sess_cmd_override(const struct sess_state *, const struct sess_order *,
    const struct sess_input *, struct sess_result *);
/* Appends res->note to the message of a verdict that is not a refusal. */
void sess_append_note(struct sess_result *);

#endif
