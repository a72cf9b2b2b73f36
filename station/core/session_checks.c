/*
 * The packing checks of the session machine (issue 15): the weight check
 * before a box closes, the printed label scanned back onto its box, and a
 * supervisor's override of one blocked check. Pure, like session.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "station/core/session.h"
#include "station/core/session_int.h"

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* "1.24 kg" or "850 g", as the label prints weights. */
static void
fmt_grams(int64_t g, char *buf, size_t len)
{
	if (g >= 1000 || g <= -1000)
		snprintf(buf, len, "%.2f kg", (double)g / 1000.0);
	else
		snprintf(buf, len, "%lld g", (long long)g);
}

/* "0.84 kg": an expected weight in the unit the reading is shown in. */
static void
fmt_like(int64_t g, int64_t reading, char *buf, size_t len)
{
	if (reading >= 1000 || reading <= -1000)
		snprintf(buf, len, "%.2f kg", (double)g / 1000.0);
	else
		fmt_grams(g, buf, len);
}

/* "5%", "2.5%" or "30 g". */
static void
fmt_tolerance(const struct sess_checks *c, char *buf, size_t len)
{
	if (c->tol_permille > 0 && c->tol_permille % 10 == 0)
		snprintf(buf, len, "%d%%", c->tol_permille / 10);
	else if (c->tol_permille > 0)
		snprintf(buf, len, "%d.%d%%", c->tol_permille / 10, c->tol_permille % 10);
	else
		snprintf(buf, len, "%lld g", (long long)c->tol_grams);
}

static void note(struct sess_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
note(struct sess_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->note, sizeof(res->note), fmt, ap);
	va_end(ap);
}

static void
hold_weight(struct sess_result *res, enum sess_close kind)
{
	res->next.hold = HOLD_WEIGHT;
	res->next.hold_close = kind;
}

/*
 * Expected weight of the current box: its units times their product
 * weights plus the tare. -1 with *unknown the first line that has no
 * product weight: the check says so rather than guessing.
 */
static int64_t
box_expected(const struct sess_order *o, const struct sess_checks *c, size_t extra_line,
    int64_t extra, const char **unknown)
{
	int64_t sum = c->tare_grams, n;
	size_t i;

	for (i = 0; i < o->nlines; i++) {
		const struct sess_line *l = &o->lines[i];

		n = l->packed_box + (i == extra_line ? extra : 0);
		if (n <= 0)
			continue;
		if (l->grams < 0) {
			*unknown = l->sku != NULL ? l->sku : nz(l->title);
			return -1;
		}
		if (l->grams > 0 && n > (INT64_MAX - sum) / l->grams) {
			*unknown = "(weights too large)";
			return -1;
		}
		sum += n * l->grams;
	}
	return sum;
}

int
sess_weigh_box(const struct sess_state *st, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res, enum sess_close kind, size_t extra_line,
    int64_t extra)
{
	const struct sess_checks *c = in->checks;
	const char *unknown = NULL;
	char w[32], e[32], t[32];
	int64_t expected, diff, tol;

	(void)st;
	res->box_grams = -1;
	if (c == NULL || !c->scale)
		return 1;
	if (!c->stable) {
		if (!c->weight_check) {
			note(res, "no stable weight (scale %s): weight computed",
			    nz(c->scale_state));
			return 1;
		}
		res->verdict = V_WEIGHT_PENDING;
		hold_weight(res, kind);
		sess_say(res,
		    "WEIGHT PENDING: the scale shows %s; let it settle,"
		    " then STN:WEIGH",
		    c->scale_state ? c->scale_state : "nothing");
		return 0;
	}
	res->box_grams = c->grams;
	fmt_grams(c->grams, w, sizeof(w));
	if (!c->weight_check) {
		note(res, "WEIGHT %s", w);
		return 1;
	}
	if ((expected = box_expected(open, c, extra_line, extra, &unknown)) < 0) {
		note(res, "WEIGHT %s, not checked: no product weight for %s", w, unknown);
		return 1;
	}
	fmt_like(expected, c->grams, e, sizeof(e));
	fmt_tolerance(c, t, sizeof(t));
	diff = c->grams > expected ? c->grams - expected : expected - c->grams;
	tol = c->tol_permille > 0 ? expected * c->tol_permille / 1000 : c->tol_grams;
	if (diff <= tol) {
		note(res, "WEIGHT %s (expected %s ± %s)", w, e, t);
		return 1;
	}
	res->verdict = V_WEIGHT_MISMATCH;
	hold_weight(res, kind);
	sess_say(res, "WEIGHT %s, expected %s ± %s: check the box", w, e, t);
	return 0;
}

void
sess_hold_label(const struct sess_input *in, const struct sess_order *open, struct sess_result *res)
{
	if (in->checks == NULL || !in->checks->verify_label)
		return;
	/* the caller writes the SSCC once the store has made it */
	res->next.hold = HOLD_LABEL;
	res->next.label_code[0] = '\0';
	sess_copy_str(res->next.label_order, sizeof(res->next.label_order), open->name);
}

/* The close a weight hold waits for, as the box is now. */
static enum sess_close
blocked_close(const struct sess_state *st, const struct sess_order *open)
{
	if (sess_order_is_complete(open, open->nlines, 0))
		return CLOSE_COMPLETE;
	return st->hold_close == CLOSE_PARTIAL ? CLOSE_PARTIAL : CLOSE_NEWBOX;
}

void
sess_cmd_weigh(const struct sess_state *st, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res)
{
	const struct sess_checks *c = in->checks;
	enum sess_close kind;
	char w[32];

	if (st->hold == HOLD_WEIGHT && open != NULL) {
		kind = blocked_close(st, open);
		if (!sess_box_has_items(open) && kind != CLOSE_COMPLETE) {
			/* everything was taken out: nothing left to weigh */
			res->next.hold = HOLD_NONE;
			res->next.hold_close = CLOSE_NONE;
			res->verdict = V_WEIGHED;
			sess_say(res, "this box is now empty: scan items");
			return;
		}
		if (sess_weigh_box(st, open, in, res, kind, open->nlines, 0))
			sess_close_box(st, open, in, res, kind, sess_box_has_items(open));
		return;
	}
	res->verdict = V_WEIGHED;
	if (c == NULL || !c->scale)
		sess_say(res, "no scale at this bench");
	else if (!c->stable)
		sess_say(res, "the scale shows %s", nz(c->scale_state));
	else {
		fmt_grams(c->grams, w, sizeof(w));
		sess_say(res, "WEIGHT %s", w);
	}
}

/* What a supervisor passes: said to the packer and kept in the log. */
static void
do_override(const struct sess_state *st, const struct sess_order *open, const struct sess_input *in,
    struct sess_result *res, const char *badge)
{
	char was[sizeof(res->message)];
	const char *who = st->packer[0] ? st->packer : "nobody logged in";

	if (st->hold == HOLD_WEIGHT && open != NULL) {
		enum sess_close kind = blocked_close(st, open);
		int items = sess_box_has_items(open);

		res->box_grams = in->checks != NULL && in->checks->stable ? in->checks->grams : -1;
		sess_close_box(st, open, in, res, kind, items);
		snprintf(was, sizeof(was), "%s", res->message);
		snprintf(res->override, sizeof(res->override),
		    "supervisor %s passed the weight check of %s box %d"
		    " (packer %s)",
		    badge, nz(open->name), st->box, who);
		res->verdict = V_OVERRIDDEN;
		sess_say(res, "OVERRIDDEN by %s: %s", badge, was);
	} else if (st->hold == HOLD_LABEL) {
		res->next.hold = HOLD_NONE;
		res->next.label_code[0] = '\0';
		res->next.label_order[0] = '\0';
		snprintf(res->override, sizeof(res->override),
		    "supervisor %s passed the label scan-back of %s (packer %s)", badge,
		    st->label_order, who);
		res->verdict = V_OVERRIDDEN;
		sess_say(
		    res, "OVERRIDDEN by %s: %s's label not scanned back", badge, st->label_order);
	} else {
		res->verdict = V_OVERRIDE_REFUSED;
		sess_say(res, "nothing to override at this bench");
		return;
	}
	sess_add_effect(res, EFF_OVERRIDE_EVENT, open != NULL ? open->id : 0, 0, 0);
}

void
sess_cmd_override(const struct sess_state *st, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res)
{
	char badge[64];
	size_t n = strcspn(nz(in->packer), ":");

	if (n >= sizeof(badge))
		n = sizeof(badge) - 1;
	memcpy(badge, nz(in->packer), n);
	badge[n] = '\0';
	res->verdict = V_OVERRIDE_REFUSED;
	if (st->hold == HOLD_NONE) {
		sess_say(res, "nothing to override at this bench");
		return;
	}
	if (strcmp(badge, st->packer) == 0) {
		sess_say(res,
		    "a packer's own badge never overrides: call a"
		    " supervisor");
		return;
	}
	if (!in->badge_known) {
		sess_say(res, "badge %s cannot override", badge);
		return;
	}
	if (in->has_pin) {
		if (!in->pin_ok) {
			sess_say(res, "wrong PIN for %s: nothing overridden", badge);
			return;
		}
		do_override(st, open, in, res, badge);
		return;
	}
	res->verdict = V_OVERRIDE_PIN;
	sess_copy_str(res->next.override_badge, sizeof(res->next.override_badge), badge);
	sess_say(res, "SUPERVISOR %s: type the PIN", badge);
}

/* The bench commands a label hold lets through. */
static int
passes_label_hold(const struct sess_input *in)
{
	return in->kind == SCAN_COMMAND &&
	    (in->cmd == CMD_PACKER || in->cmd == CMD_LOGOUT || in->cmd == CMD_REPRINT ||
		in->cmd == CMD_WEIGH || in->cmd == CMD_OVERRIDE || in->cmd == CMD_ABANDON);
}

/*
 * The open order changed upstream (cancelled, shipped, held): the machine's
 * usual mid-pack handling goes first; nothing is passed or closed here.
 */
static int
open_is_stopped(const struct sess_order *open)
{
	if (open == NULL)
		return 0;
	switch (open->status) {
	case ORDER_CANCELLED:
	case ORDER_FULFILLED:
	case ORDER_ARCHIVED:
	case ORDER_DIGITAL:
	case ORDER_ON_HOLD: return 1;
	default: return 0;
	}
}

int
sess_checks_step(const struct sess_state *st, const struct sess_order *open,
    const struct sess_input *in, struct sess_result *res)
{
	if (open_is_stopped(open)) {
		res->next.override_badge[0] = '\0';
		return 0;
	}
	if (st->override_badge[0] != '\0') {
		res->next.override_badge[0] = '\0';
		if (in->kind == SCAN_PIN) {
			if (!in->pin_ok) {
				res->verdict = V_OVERRIDE_REFUSED;
				sess_say(res,
				    "wrong PIN for %s: nothing"
				    " overridden",
				    st->override_badge);
			} else
				do_override(st, open, in, res, st->override_badge);
			return 1;
		}
	}
	if (st->hold != HOLD_LABEL)
		return 0;
	if (in->kind == SCAN_LABEL && strcmp(nz(in->label_sscc), st->label_code) == 0) {
		res->verdict = V_LABEL_VERIFIED;
		res->next.hold = HOLD_NONE;
		res->next.label_code[0] = '\0';
		res->next.label_order[0] = '\0';
		sess_say(res, "LABEL OK: %s's label is on its box", st->label_order);
		return 1;
	}
	if (in->kind == SCAN_LABEL) {
		res->verdict = V_WRONG_LABEL;
		sess_say(res,
		    "WRONG LABEL: that is %s's label; put %s's label"
		    " on this box",
		    nz(in->label_order), st->label_order);
		return 1;
	}
	if (passes_label_hold(in))
		return 0;
	res->verdict = V_LABEL_NOT_VERIFIED;
	sess_say(res, "LABEL NOT VERIFIED: scan %s's label on its box first", st->label_order);
	return 1;
}

void
sess_append_note(struct sess_result *res)
{
	size_t n = strlen(res->message);

	if (res->note[0] == '\0' || verdict_is_refusal(res->verdict))
		return;
	snprintf(res->message + n, sizeof(res->message) - n, " — %s", res->note);
}
