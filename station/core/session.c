/*
 * The pack-session machine: (state, open order, scan) -> (verdict, next
 * state, effects). Pure: no I/O, no allocation, no mutable globals, so the
 * same inputs always give the same result and the store can replay it.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "station/core/session.h"
#include "station/core/session_int.h"

#define MSG_CANCELLED "CANCELLED — do not ship, return items to stock"

typedef void (*scan_handler)(const struct sess_state *, const struct sess_order *,
    const struct sess_input *, struct sess_result *);

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* Backs up over a UTF-8 sequence that truncation cut in half. */
static void
trim_utf8(char *buf, size_t len)
{
	size_t i = len, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)buf[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)buf[i - 1];
	if (lead < 0xC0)
		return;
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (len - (i - 1) < need)
		buf[i - 1] = '\0';
}

/*
 * Writes the packer's one-line message. Scanned codes may carry control
 * bytes (GS1 group separators, stray CR): shown as '?' so the line stays
 * one line; a cut multi-byte character is dropped, never half-shown.
 */
static void say(struct sess_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
say(struct sess_result *res, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	if (n < 0) {
		res->message[0] = '\0';
		return;
	}
	if ((size_t)n >= sizeof(res->message))
		trim_utf8(res->message, strlen(res->message));
	for (p = res->message; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void
sess_say(struct sess_result *res, const char *fmt, ...)
{
	char buf[sizeof(res->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say(res, "%s", buf);
}

/* Bounded copy that never cuts a UTF-8 character in half. */
void
sess_copy_str(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(nz(src));

	if (n >= dstlen) {
		n = dstlen - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
		trim_utf8(dst, n);
		return;
	}
	memcpy(dst, nz(src), n + 1);
}

static void
add_effect(struct sess_result *res, enum sess_effect_kind kind, int64_t order_id, int64_t line_id,
    int64_t units)
{
	struct sess_effect *e;

	/* Handlers emit at most 4; only conflict events could exceed: drop them. */
	if (res->neff >= SESS_MAX_EFFECTS)
		return;
	e = &res->eff[res->neff++];
	e->kind = kind;
	e->order_id = order_id;
	e->line_id = line_id;
	e->units = units;
}

void
sess_add_effect(struct sess_result *res, enum sess_effect_kind kind, int64_t order_id,
    int64_t line_id, int64_t units)
{
	add_effect(res, kind, order_id, line_id, units);
}

/*
 * Every way out of a session (ship, abandon, cancel) forgets the same
 * fields; a blocked box close goes with its order, a label to scan back
 * stays (the box exists).
 */
static void
close_session(struct sess_result *res)
{
	res->next.order_id = 0;
	res->next.box = 0;
	res->next.qty_next = 0;
	if (res->next.hold == HOLD_WEIGHT) {
		res->next.hold = HOLD_NONE;
		res->next.hold_close = CLOSE_NONE;
	}
}

static void
concern_order(struct sess_result *res, const struct sess_order *o)
{
	res->order_id = o->id;
	res->order_name = o->name;
}

static void
concern_line(struct sess_result *res, const struct sess_line *l)
{
	res->sku = l->sku;
	res->line_id = l->line_id;
	res->packed = l->packed;
	res->of = l->remaining;
}

static int64_t
units_packed(const struct sess_order *o)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < o->nlines; i++)
		sum += o->lines[i].packed;
	return sum;
}

static int64_t
units_remaining(const struct sess_order *o)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < o->nlines; i++)
		sum += o->lines[i].remaining;
	return sum;
}

int
sess_box_has_items(const struct sess_order *o)
{
	size_t i;

	for (i = 0; i < o->nlines; i++)
		if (o->lines[i].packed_box > 0)
			return 1;
	return 0;
}

/*
 * Complete when every line is packed exactly to its remaining quantity;
 * extra_line gets extra units first (the scan being decided). An order with
 * nothing packed is never complete: shipping an empty box makes no sense.
 */
int
sess_order_is_complete(const struct sess_order *o, size_t extra_line, int64_t extra)
{
	int64_t packed, sum = 0;
	size_t i;

	for (i = 0; i < o->nlines; i++) {
		packed = o->lines[i].packed + (i == extra_line ? extra : 0);
		if (packed != o->lines[i].remaining)
			return 0;
		sum += packed;
	}
	return sum > 0;
}

static const char *
hold_reason(const struct sess_order *o)
{
	if (o->hold_reason == NULL || o->hold_reason[0] == '\0')
		return "no reason given";
	return o->hold_reason;
}

static const struct sess_line *
line_by_id(const struct sess_order *o, int64_t line_id)
{
	size_t i;

	for (i = 0; i < o->nlines; i++)
		if (o->lines[i].line_id == line_id)
			return &o->lines[i];
	return NULL;
}

static int
same_sku(const struct sess_line *l, const char *sku)
{
	return l->sku != NULL && sku != NULL && strcmp(l->sku, sku) == 0;
}

/*
 * The same code again within the window is the scanner reading one label
 * twice, not a second unit. A clock that stepped back (negative distance)
 * also counts as "within": suppressing one read only asks the packer to
 * scan again, while a double count would ship a wrong package.
 */
static int
scan_is_duplicate(const struct sess_state *st, const struct sess_input *in)
{
	if (in->dup_window_ms <= 0 || strcmp(nz(in->code), st->last_code) != 0)
		return 0;
	return in->now_ms - st->last_ms < in->dup_window_ms;
}

/* Statuses that stop an open session before the scan itself is looked at. */
static int
midpack_change(const struct sess_order *open, const struct sess_input *in, struct sess_result *res)
{
	switch (open->status) {
	case ORDER_CANCELLED:
		/* The shop cancelled while packing: stop before another unit goes in. */
		res->verdict = V_CANCELLED;
		add_effect(res, EFF_CLOSE_CANCELLED, open->id, 0, 0);
		close_session(res);
		say(res, "%s " MSG_CANCELLED, nz(open->name));
		return 1;
	case ORDER_FULFILLED:
	case ORDER_ARCHIVED:
	case ORDER_DIGITAL:
		/* Shipped (or emptied) upstream: packing on would ship it twice. */
		res->verdict = V_ALREADY_FULFILLED;
		add_effect(res, EFF_CLOSE_SHIPPED, open->id, 0, 0);
		close_session(res);
		say(res, "%s already shipped upstream: stop, return items to stock",
		    nz(open->name));
		return 1;
	case ORDER_ON_HOLD:
		/* Abandoning is how a packer hands a held order back; the rest waits. */
		if (in->kind == SCAN_COMMAND && in->cmd == CMD_ABANDON)
			return 0;
		res->verdict = V_ON_HOLD;
		say(res, "ON HOLD %s: %s — wait for release or STN:ABANDON", nz(open->name),
		    hold_reason(open));
		return 1;
	default: return 0;
	}
}

/* ---- SCAN_UNKNOWN ---- */

static void
handle_unknown(const struct sess_state *st, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res)
{
	(void)st;
	/* a malformed command barcode is never an order number */
	if (open == NULL && strncmp(nz(in->code), "STN:", 4) != 0) {
		res->verdict = V_NOT_FOUND;
		say(res, "no order %s", nz(in->code));
		return;
	}
	res->verdict = V_UNKNOWN_CODE;
	say(res, "UNKNOWN CODE: %s", nz(in->code));
}

/* ---- SCAN_ORDER ---- */

static void
open_order(const struct sess_order *t, struct sess_result *res)
{
	int64_t packed = units_packed(t);

	res->verdict = V_OPENED;
	add_effect(res, EFF_OPEN, t->id, 0, 0);
	res->next.order_id = t->id;
	res->next.box = 1;
	res->next.qty_next = 0;
	res->packed = packed;
	res->of = units_remaining(t);
	/* Packed units survive a restart: say so, or the packer scans them again. */
	if (packed > 0)
		say(res, "OPENED %s: %lld of %lld units already packed", nz(t->name),
		    (long long)packed, (long long)res->of);
	else
		say(res, "OPENED %s: scan the items (%lld units)", nz(t->name), (long long)res->of);
}

/*
 * In progress here is our own order after a restart; in progress with no
 * station recorded is held by nobody, so it may be opened.
 */
static int
order_is_openable(const struct sess_order *t, const char *station)
{
	if (!order_state_is_openable(t->status))
		return 0;
	if (t->status != ORDER_IN_PROGRESS)
		return 1;
	return t->station == NULL || strcmp(t->station, nz(station)) == 0;
}

static void
refuse_order(const struct sess_order *t, struct sess_result *res)
{
	const char *name = nz(t->name);

	switch (t->status) {
	case ORDER_ON_HOLD:
		res->verdict = V_ON_HOLD;
		say(res, "ON HOLD %s: %s — do not pack", name, hold_reason(t));
		break;
	case ORDER_CANCELLED:
		res->verdict = V_CANCELLED;
		say(res, "%s " MSG_CANCELLED, name);
		break;
	case ORDER_DIGITAL:
		res->verdict = V_ALREADY_FULFILLED;
		say(res, "%s: nothing to ship: digital items only", name);
		break;
	case ORDER_IN_PROGRESS:
		res->verdict = V_BUSY_ELSEWHERE;
		say(res, "%s is open at station %s", name, nz(t->station));
		break;
	default: /* FULFILLED, ARCHIVED */
		res->verdict = V_ALREADY_FULFILLED;
		say(res, "%s already shipped", name);
		break;
	}
}

static void
handle_order(const struct sess_state *st, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res)
{
	const struct sess_order *t = in->target;

	if (t == NULL) { /* the caller found no order: treat as unknown */
		handle_unknown(st, open, in, res);
		return;
	}
	if (open != NULL) {
		if (t->id == open->id) {
			res->verdict = V_OPENED;
			res->packed = units_packed(open);
			res->of = units_remaining(open);
			say(res, "%s is already open here", nz(open->name));
			return;
		}
		/* One order at a time: a second one would mix two shipments in a box. */
		res->verdict = V_ORDER_OPEN;
		say(res, "%s not opened: finish, STN:PARTIAL or STN:ABANDON %s first", nz(t->name),
		    nz(open->name));
		return;
	}
	concern_order(res, t);
	if (order_is_openable(t, in->station))
		open_order(t, res);
	else
		refuse_order(t, res);
}

/* ---- SCAN_ITEM ---- */

/* Case packs and STN:QTY multiply; a bad multiplier counts as one unit. */
static int64_t
scan_units(const struct sess_state *st, const struct sess_input *in)
{
	int64_t m = in->multiplier >= 1 ? in->multiplier : 1;
	int64_t q = st->qty_next > 0 ? st->qty_next : 1;

	if (m > INT64_MAX / q)
		return INT64_MAX;
	return m * q;
}

/* Lines with this sku where packed > remaining: the shop lowered them. */
static void
emit_conflicts(const struct sess_order *open, const char *sku, struct sess_result *res)
{
	const struct sess_line *l;
	size_t i;

	for (i = 0; i < open->nlines; i++) {
		l = &open->lines[i];
		if (same_sku(l, sku) && l->packed > l->remaining)
			add_effect(res, EFF_CONFLICT_EVENT, open->id, l->line_id,
			    l->packed - l->remaining);
	}
}

static void
refuse_item(const struct sess_order *open, const char *sku, int64_t units, struct sess_result *res)
{
	const struct sess_line *first = NULL;
	size_t i;

	for (i = 0; i < open->nlines && first == NULL; i++)
		if (same_sku(&open->lines[i], sku))
			first = &open->lines[i];
	res->sku = sku;
	if (first == NULL) {
		res->verdict = V_WRONG_ITEM;
		say(res, "WRONG ITEM: %s is not in %s", nz(sku), nz(open->name));
		return;
	}
	res->verdict = V_TOO_MANY;
	concern_line(res, first);
	emit_conflicts(open, sku, res);
	/* a case pack or STN:QTY that overshoots says how many it tried to add */
	if (units > 1 && units < 1000000 && first->packed < first->remaining)
		say(res, "TOO MANY: %lld x %s would make %lld of %lld", (long long)units, nz(sku),
		    (long long)(first->packed + units), (long long)first->remaining);
	else
		say(res, "TOO MANY: %s already %lld of %lld", nz(sku), (long long)first->packed,
		    (long long)first->remaining);
}

static void
count_item(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    size_t li, int64_t units, struct sess_result *res)
{
	const struct sess_line *l = &open->lines[li];

	add_effect(res, EFF_COUNT_ITEM, open->id, l->line_id, units);
	concern_line(res, l);
	res->packed = l->packed + units;
	if (!sess_order_is_complete(open, li, units)) {
		res->verdict = V_OK;
		say(res, "OK  %s  %lld of %lld", nz(l->sku), (long long)res->packed,
		    (long long)res->of);
		return;
	}
	/* The last unit closes the box and ships: no command needed, once weighed. */
	if (!sess_weigh_box(st, open, in, res, CLOSE_COMPLETE, li, units))
		return;
	sess_close_box(st, open, in, res, CLOSE_COMPLETE, 1);
}

/*
 * Closes the current box as kind says, unchecked (the weight check, if
 * any, has passed or been overridden): effects, verdict, message, and the
 * label to scan back. box_items: the box has something in it.
 */
void
sess_close_box(const struct sess_state *st, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res, enum sess_close kind, int box_items)
{
	int64_t packed = units_packed(open);

	if (res->next.hold == HOLD_WEIGHT) {
		res->next.hold = HOLD_NONE;
		res->next.hold_close = CLOSE_NONE;
	}
	if (box_items) {
		add_effect(res, EFF_CLOSE_BOX, open->id, 0, res->box_grams);
		sess_hold_label(in, open, res);
	}
	switch (kind) {
	case CLOSE_NEWBOX:
		res->verdict = V_NEW_BOX;
		res->next.box = st->box + 1;
		say(res, "NEW BOX %d for %s: box %d closed, label printing", res->next.box,
		    nz(open->name), st->box);
		return;
	case CLOSE_PARTIAL:
		res->verdict = V_PARTIAL_SHIPPED;
		add_effect(res, EFF_SHIP_PARTIAL, open->id, 0, 0);
		res->packed = packed;
		res->of = units_remaining(open);
		close_session(res);
		say(res, "PARTIAL %s: shipping %lld of %lld units, the rest stays open",
		    nz(open->name), (long long)packed, (long long)res->of);
		return;
	default:
		res->verdict = V_COMPLETED;
		add_effect(res, EFF_SHIP_FULL, open->id, 0, 0);
		close_session(res);
		say(res, "COMPLETE %s: all %lld units packed, label printing", nz(open->name),
		    (long long)units_remaining(open));
		return;
	}
}

static void
handle_item(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	int64_t units = scan_units(st, in);
	const struct sess_line *l;
	size_t i;

	if (open == NULL) {
		res->verdict = V_NO_ORDER_OPEN;
		res->sku = in->sku;
		say(res, "NO ORDER OPEN: scan the order's slip before %s", nz(in->sku));
		return;
	}
	for (i = 0; i < open->nlines; i++) {
		l = &open->lines[i];
		/* Written as a subtraction so a huge multiplier cannot overflow. */
		if (same_sku(l, in->sku) && l->packed <= l->remaining &&
		    units <= l->remaining - l->packed) {
			count_item(st, open, in, i, units, res);
			return;
		}
	}
	refuse_item(open, in->sku, units, res);
}

/* ---- SCAN_COMMAND ---- */

static void
cmd_packer(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	(void)st;
	(void)open;
	res->verdict = V_PACKER;
	sess_copy_str(res->next.packer, sizeof(res->next.packer), in->packer);
	say(res, "PACKER %s logged in", res->next.packer);
}

static void
cmd_logout(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	(void)open;
	(void)in;
	res->verdict = V_LOGOUT;
	res->next.packer[0] = '\0';
	if (st->packer[0] != '\0')
		say(res, "LOGGED OUT %s", st->packer);
	else
		say(res, "LOGGED OUT: nobody was logged in");
}

static void
cmd_reprint(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	(void)st;
	res->verdict = V_REPRINT;
	if (!in->has_last_label) {
		say(res, "no label to reprint yet");
		return;
	}
	add_effect(res, EFF_REPRINT_LABEL, open != NULL ? open->id : 0, 0, 0);
	say(res, "REPRINT: the last label prints again");
	/* a reprinted label is scanned back too (the caller names it) */
	if (in->checks != NULL && in->checks->verify_label) {
		res->next.hold = HOLD_LABEL;
		res->next.label_code[0] = '\0';
		res->next.label_order[0] = '\0';
	}
}

static void
cmd_qty(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	(void)st;
	(void)open;
	res->verdict = V_QUANTITY_SET;
	res->next.qty_next = in->qty > 0 ? in->qty : 0;
	say(res, "QUANTITY %lld: the next item scan counts %lld times",
	    (long long)res->next.qty_next, (long long)res->next.qty_next);
}

static void
cmd_undo(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	const struct sess_line *l;

	(void)st;
	res->verdict = V_UNDONE;
	if (!in->has_last_item) {
		say(res, "nothing to undo in this box");
		return;
	}
	add_effect(res, EFF_UNDO_ITEM, open->id, in->last_item_line, in->last_item_units);
	res->line_id = in->last_item_line;
	l = line_by_id(open, in->last_item_line);
	if (l == NULL) { /* line removed upstream: the unit still comes out */
		say(res, "UNDONE: %lld units taken back", (long long)in->last_item_units);
		return;
	}
	concern_line(res, l);
	res->packed = l->packed - in->last_item_units;
	if (res->packed < 0)
		res->packed = 0;
	say(res, "UNDONE  %s  now %lld of %lld", nz(l->sku), (long long)res->packed,
	    (long long)res->of);
}

static void
cmd_newbox(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	enum sess_close kind = CLOSE_NEWBOX;

	res->verdict = V_NEW_BOX;
	/* An empty box would print a label for nothing. */
	if (!sess_box_has_items(open)) {
		say(res, "this box is still empty");
		return;
	}
	/* held after its last unit (weight check): closing it ships it */
	if (st->hold == HOLD_WEIGHT && sess_order_is_complete(open, open->nlines, 0))
		kind = CLOSE_COMPLETE;
	if (!sess_weigh_box(st, open, in, res, kind, open->nlines, 0))
		return;
	sess_close_box(st, open, in, res, kind, 1);
}

static void
cmd_partial(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	int64_t packed = units_packed(open);
	/* Everything is in fact packed: the shipment is full, say so. */
	enum sess_close kind = sess_order_is_complete(open, open->nlines, 0) ? CLOSE_COMPLETE
									     : CLOSE_PARTIAL;
	int items = sess_box_has_items(open);

	if (packed == 0) {
		res->verdict = V_ORDER_OPEN;
		say(res, "nothing packed yet: scan items, or STN:ABANDON");
		return;
	}
	if (items && !sess_weigh_box(st, open, in, res, kind, open->nlines, 0))
		return;
	sess_close_box(st, open, in, res, kind, items);
}

static void
cmd_abandon(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res)
{
	(void)st;
	(void)in;
	res->verdict = V_ABANDONED;
	add_effect(res, EFF_ABANDON, open->id, 0, 0);
	close_session(res);
	say(res, "ABANDONED %s: nothing shipped, return items to stock", nz(open->name));
}

/* needs_open: the command acts on the open order; the others act on the bench. */
static const struct {
	scan_handler fn;
	int needs_open;
} cmd_table[] = {
	[CMD_PARTIAL] = { cmd_partial, 1 },
	[CMD_NEWBOX] = { cmd_newbox, 1 },
	[CMD_UNDO] = { cmd_undo, 1 },
	[CMD_QTY] = { cmd_qty, 1 },
	[CMD_REPRINT] = { cmd_reprint, 0 },
	[CMD_ABANDON] = { cmd_abandon, 1 },
	[CMD_PACKER] = { cmd_packer, 0 },
	[CMD_LOGOUT] = { cmd_logout, 0 },
	[CMD_WEIGH] = { sess_cmd_weigh, 0 },
	[CMD_OVERRIDE] = { sess_cmd_override, 0 },
};

static void
handle_command(const struct sess_state *st, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res)
{
	if ((size_t)in->cmd >= sizeof(cmd_table) / sizeof(cmd_table[0])) {
		handle_unknown(st, open, in, res);
		return;
	}
	if (cmd_table[in->cmd].needs_open && open == NULL) {
		res->verdict = V_NO_ORDER_OPEN;
		say(res, "NO ORDER OPEN: scan an order first");
		return;
	}
	cmd_table[in->cmd].fn(st, open, in, res);
}

static const scan_handler kind_table[] = {
	[SCAN_UNKNOWN] = handle_unknown,
	[SCAN_ORDER] = handle_order,
	[SCAN_ITEM] = handle_item,
	[SCAN_COMMAND] = handle_command,
};

/* Bench commands work whatever the open order became upstream. */
static int
input_ignores_order_status(const struct sess_input *in)
{
	return in->kind == SCAN_COMMAND &&
	    (in->cmd == CMD_PACKER || in->cmd == CMD_LOGOUT || in->cmd == CMD_REPRINT);
}

void
session_step(const struct sess_state *state, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res)
{
	memset(res, 0, sizeof(*res));
	res->next = *state;
	res->box_grams = -1;
	/* The store lost the order (or the caller has none): nothing is open. */
	if (open == NULL)
		close_session(res);
	else
		concern_order(res, open);
	sess_copy_str(res->next.last_code, sizeof(res->next.last_code), in->code);
	res->next.last_ms = in->now_ms;

	if (scan_is_duplicate(state, in)) {
		res->verdict = V_DUPLICATE_READ;
		say(res, "duplicate read ignored: %s", nz(in->code));
		return;
	}
	/* QTY applies to the next item scan only, whatever its verdict. */
	if (in->kind == SCAN_ITEM)
		res->next.qty_next = 0;
	if (sess_checks_step(state, open, in, res))
		goto out;
	if (open != NULL && !input_ignores_order_status(in) && midpack_change(open, in, res))
		goto out;
	if ((size_t)in->kind >= sizeof(kind_table) / sizeof(kind_table[0]) ||
	    kind_table[in->kind] == NULL)
		handle_unknown(state, open, in, res);
	else
		kind_table[in->kind](state, open, in, res);
out:
	sess_append_note(res);
}
