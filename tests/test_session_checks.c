/*
 * The session machine's packing checks (issue 15): weight check on every
 * box close, STN:WEIGH, label scan-back, supervisor override; and random
 * sequences that keep the invariants (no box outside tolerance closes
 * without an override; no order opens while a label is unverified).
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/session.h"

static struct sess_line L[4];
static struct sess_order O;  /* #1001: 2 x SKU-1 (400 g), 1 x SKU-2 (200 g) */
static struct sess_order O2; /* #1002: 1 x SKU-3 (100 g) */
static struct sess_state S;
static struct sess_input I;
static struct sess_result R;
static struct sess_checks C;
static char packer_buf[80];

static void
setup(void)
{
	memset(L, 0, sizeof(L));
	memset(&S, 0, sizeof(S));
	memset(&I, 0, sizeof(I));
	memset(&R, 0, sizeof(R));
	memset(&C, 0, sizeof(C));
	L[0] = (struct sess_line){ 101, "SKU-1", "Mug", 2, 0, 0, 400 };
	L[1] = (struct sess_line){ 102, "SKU-2", "Tee", 1, 0, 0, 200 };
	L[2] = (struct sess_line){ 201, "SKU-3", "Cap", 1, 0, 0, 100 };
	O = (struct sess_order){ 11, "#1001", ORDER_READY, NULL, NULL, L, 2 };
	O2 = (struct sess_order){ 12, "#1002", ORDER_READY, NULL, NULL, L + 2, 1 };
	I.station = "pack-1";
	I.now_ms = 1000000;
	I.dup_window_ms = 0;
	I.checks = &C;
	C.scale = 1;
	C.stable = 1;
	C.weight_check = 1;
	C.tol_permille = 50;
	C.tare_grams = 40;
	snprintf(S.packer, sizeof(S.packer), "ana");
}

static struct sess_order *
order_by_id(int64_t id)
{
	return id == O.id ? &O : id == O2.id ? &O2 : NULL;
}

/* What station.c and the store do with the effects. */
/* The writable line behind o->lines[k] (they all live in L). */
#define LN(o, k) (&L[((o)->lines - L) + (ptrdiff_t)(k)])

static void
apply_effects(void)
{
	struct sess_order *o;
	size_t i, k;
	const struct sess_effect *e;

	for (i = 0; i < R.neff; i++) {
		e = &R.eff[i];
		o = order_by_id(e->order_id);
		switch (e->kind) {
		case EFF_OPEN:
			o->status = ORDER_IN_PROGRESS;
			o->station = "pack-1";
			break;
		case EFF_COUNT_ITEM:
			for (k = 0; k < o->nlines; k++)
				if (LN(o, k)->line_id == e->line_id) {
					LN(o, k)->packed += e->units;
					LN(o, k)->packed_box += e->units;
				}
			I.has_last_item = 1;
			I.last_item_line = e->line_id;
			I.last_item_units = e->units;
			break;
		case EFF_UNDO_ITEM:
			for (k = 0; k < o->nlines; k++)
				if (LN(o, k)->line_id == e->line_id) {
					LN(o, k)->packed -= e->units;
					LN(o, k)->packed_box -= e->units;
				}
			I.has_last_item = 0;
			break;
		case EFF_CLOSE_BOX:
			for (k = 0; k < o->nlines; k++)
				LN(o, k)->packed_box = 0;
			I.has_last_item = 0;
			I.has_last_label = 1;
			/* the daemon names the label the bench waits for */
			if (R.next.hold == HOLD_LABEL && R.next.label_code[0] == '\0')
				snprintf(R.next.label_code, sizeof(R.next.label_code),
				    "0061414100000000%02lld", (long long)o->id);
			break;
		case EFF_SHIP_FULL:
		case EFF_SHIP_PARTIAL:
			for (k = 0; k < o->nlines; k++) {
				LN(o, k)->remaining -= LN(o, k)->packed;
				LN(o, k)->packed = LN(o, k)->packed_box = 0;
			}
			o->status = e->kind == EFF_SHIP_FULL ? ORDER_FULFILLED : ORDER_PARTIAL;
			o->station = NULL;
			break;
		case EFF_ABANDON:
			for (k = 0; k < o->nlines; k++)
				LN(o, k)->packed = LN(o, k)->packed_box = 0;
			o->status = ORDER_READY;
			o->station = NULL;
			break;
		default: break;
		}
	}
}

static void
step(void)
{
	const struct sess_order *open = order_by_id(S.order_id);

	I.now_ms += 1000;
	session_step(&S, S.order_id ? open : NULL, &I, &R);
	apply_effects();
	S = R.next;
	I.kind = SCAN_UNKNOWN;
	I.target = NULL;
	I.sku = NULL;
	I.label_sscc = I.label_order = NULL;
	I.badge_known = I.has_pin = I.pin_ok = 0;
	I.checks = &C;
	I.has_last_label = 1;
}

static void
scan_order(struct sess_order *o)
{
	I.code = o->name;
	I.kind = SCAN_ORDER;
	I.target = o;
	step();
}

static void
scan_item(const char *sku)
{
	I.code = sku;
	I.kind = SCAN_ITEM;
	I.sku = sku;
	I.multiplier = 1;
	step();
}

static void
scan_cmd(const char *code)
{
	int64_t q = 0;

	I.code = code;
	ck_assert_int_eq(
	    session_parse_command(code, &I.cmd, &q, packer_buf, sizeof(packer_buf)), 1);
	I.kind = SCAN_COMMAND;
	I.qty = q;
	I.packer = packer_buf;
	step();
}

/* STN:OVERRIDE:<badge>[:pin] as the daemon classifies it. */
static void
scan_override(const char *code, int known, int has_pin, int pin_ok)
{
	int64_t q = 0;

	I.code = code;
	ck_assert_int_eq(
	    session_parse_command(code, &I.cmd, &q, packer_buf, sizeof(packer_buf)), 1);
	ck_assert_int_eq(I.cmd, CMD_OVERRIDE);
	I.kind = SCAN_COMMAND;
	I.packer = packer_buf;
	I.badge_known = known;
	I.has_pin = has_pin;
	I.pin_ok = pin_ok;
	step();
}

static void
scan_pin(int ok)
{
	I.code = "(PIN)";
	I.kind = SCAN_PIN;
	I.pin_ok = ok;
	step();
}

static void
scan_label(const char *sscc, const char *whose)
{
	I.code = sscc;
	I.kind = SCAN_LABEL;
	I.label_sscc = sscc;
	I.label_order = whose;
	step();
}

static int
has_effect(enum sess_effect_kind k)
{
	size_t i;

	for (i = 0; i < R.neff; i++)
		if (R.eff[i].kind == k)
			return 1;
	return 0;
}

static const struct sess_effect *
effect(enum sess_effect_kind k)
{
	size_t i;

	for (i = 0; i < R.neff; i++)
		if (R.eff[i].kind == k)
			return &R.eff[i];
	return NULL;
}

static void
verdict_is(enum verdict v, const char *msg)
{
	ck_assert_str_eq(verdict_name(R.verdict), verdict_name(v));
	if (msg != NULL)
		ck_assert_str_eq(R.message, msg);
}

/* expected #1001 complete: 2 x 400 + 200 + 40 tare = 1040 g */

START_TEST(weight_within_tolerance_completes)
{
	C.grams = 1075; /* +35 g, within 5% of 1040 (52 g) */
	scan_order(&O);
	scan_item("SKU-1");
	scan_item("SKU-1");
	scan_item("SKU-2");
	verdict_is(V_COMPLETED,
	    "COMPLETE #1001: all 3 units packed, label printing"
	    " — WEIGHT 1.07 kg (expected 1.04 kg ± 5%)");
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, 1075);
	ck_assert(has_effect(EFF_SHIP_FULL));
	ck_assert_int_eq(S.hold, HOLD_NONE);
}
END_TEST

START_TEST(mismatch_blocks_then_weigh_fixes)
{
	C.grams = 1240;
	scan_order(&O);
	scan_item("SKU-1");
	scan_item("SKU-1");
	scan_item("SKU-2");
	verdict_is(V_WEIGHT_MISMATCH, "WEIGHT 1.24 kg, expected 1.04 kg ± 5%: check the box");
	ck_assert(verdict_is_refusal(R.verdict));
	/* the unit is counted, the box stays open: no label */
	ck_assert_int_eq(R.neff, 1);
	ck_assert_int_eq(R.eff[0].kind, EFF_COUNT_ITEM);
	ck_assert_int_eq(S.hold, HOLD_WEIGHT);
	ck_assert_int_eq(S.hold_close, CLOSE_COMPLETE);
	ck_assert_int_eq(S.order_id, 11);
	/* weighed again still wrong: still blocked */
	scan_cmd("STN:WEIGH");
	verdict_is(V_WEIGHT_MISMATCH, NULL);
	ck_assert_int_eq(R.neff, 0);
	/* another order cannot be opened meanwhile */
	scan_order(&O2);
	verdict_is(V_ORDER_OPEN, NULL);
	/* the packer takes out the stray item, weighs again */
	C.grams = 1030;
	scan_cmd("STN:WEIGH");
	verdict_is(V_COMPLETED,
	    "COMPLETE #1001: all 3 units packed, label printing"
	    " — WEIGHT 1.03 kg (expected 1.04 kg ± 5%)");
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, 1030);
	ck_assert(has_effect(EFF_SHIP_FULL));
	ck_assert_int_eq(S.hold, HOLD_NONE);
	ck_assert_int_eq(S.order_id, 0);
}
END_TEST

START_TEST(newbox_and_partial_are_weighed)
{
	C.grams = 900; /* box 1 holds one SKU-1: 440 g expected */
	C.tol_permille = 0;
	C.tol_grams = 30;
	scan_order(&O);
	scan_item("SKU-1");
	scan_cmd("STN:NEWBOX");
	verdict_is(V_WEIGHT_MISMATCH, "WEIGHT 900 g, expected 440 g ± 30 g: check the box");
	ck_assert_int_eq(S.hold_close, CLOSE_NEWBOX);
	ck_assert_int_eq(S.box, 1);
	C.grams = 465;
	scan_cmd("STN:WEIGH");
	verdict_is(V_NEW_BOX,
	    "NEW BOX 2 for #1001: box 1 closed, label printing"
	    " — WEIGHT 465 g (expected 440 g ± 30 g)");
	ck_assert_int_eq(S.box, 2);
	/* box 2: one SKU-2, expected 240 g; a partial is weighed too */
	scan_item("SKU-2");
	C.grams = 700;
	scan_cmd("STN:PARTIAL");
	verdict_is(V_WEIGHT_MISMATCH, NULL);
	ck_assert_int_eq(S.hold_close, CLOSE_PARTIAL);
	ck_assert(!has_effect(EFF_SHIP_PARTIAL));
	C.grams = 250;
	scan_cmd("STN:WEIGH");
	verdict_is(V_PARTIAL_SHIPPED, NULL);
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, 250);
}
END_TEST

START_TEST(pending_until_stable)
{
	C.stable = 0;
	C.scale_state = "in motion (500 g)";
	scan_order(&O);
	scan_item("SKU-2");
	scan_cmd("STN:NEWBOX");
	verdict_is(V_WEIGHT_PENDING,
	    "WEIGHT PENDING: the scale shows in motion"
	    " (500 g); let it settle, then STN:WEIGH");
	ck_assert(verdict_is_refusal(R.verdict));
	ck_assert_int_eq(R.neff, 0);
	ck_assert_int_eq(S.hold, HOLD_WEIGHT);
	C.stable = 1;
	C.grams = 240;
	scan_cmd("STN:WEIGH");
	verdict_is(V_NEW_BOX, NULL);
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, 240);
}
END_TEST

START_TEST(no_product_weight_says_so)
{
	L[1].grams = -1;
	C.grams = 5000;
	scan_order(&O);
	scan_item("SKU-1");
	scan_item("SKU-1");
	scan_item("SKU-2");
	verdict_is(V_COMPLETED,
	    "COMPLETE #1001: all 3 units packed, label printing"
	    " — WEIGHT 5.00 kg, not checked: no product weight for SKU-2");
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, 5000);
}
END_TEST

START_TEST(scale_without_check_and_no_scale)
{
	C.weight_check = 0;
	C.grams = 777;
	scan_order(&O);
	scan_item("SKU-2");
	scan_cmd("STN:NEWBOX");
	verdict_is(V_NEW_BOX,
	    "NEW BOX 2 for #1001: box 1 closed, label printing"
	    " — WEIGHT 777 g");
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, 777);
	C.stable = 0;
	C.scale_state = "absent";
	scan_item("SKU-1");
	scan_cmd("STN:NEWBOX");
	verdict_is(V_NEW_BOX,
	    "NEW BOX 3 for #1001: box 2 closed, label printing"
	    " — no stable weight (scale absent): weight computed");
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, -1);
	scan_cmd("STN:WEIGH");
	verdict_is(V_WEIGHED, "the scale shows absent");
	/* no checks at all: as before issue 15 */
	I.checks = NULL;
	scan_item("SKU-1");
	verdict_is(V_COMPLETED, "COMPLETE #1001: all 3 units packed, label printing");
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, -1);
	C.stable = 1;
	C.grams = 12;
	scan_cmd("STN:WEIGH");
	verdict_is(V_WEIGHED, "WEIGHT 12 g");
	ck_assert(!verdict_is_refusal(R.verdict));
}
END_TEST

START_TEST(label_scan_back)
{
	C.weight_check = 0;
	C.verify_label = 1;
	C.grams = 1040;
	scan_order(&O);
	scan_item("SKU-1");
	scan_item("SKU-1");
	scan_item("SKU-2");
	verdict_is(V_COMPLETED, NULL);
	ck_assert_int_eq(S.hold, HOLD_LABEL);
	ck_assert_str_eq(S.label_code, "006141410000000011");
	ck_assert_str_eq(S.label_order, "#1001");
	/* the next order waits */
	scan_order(&O2);
	verdict_is(V_LABEL_NOT_VERIFIED, "LABEL NOT VERIFIED: scan #1001's label on its box first");
	ck_assert(verdict_is_refusal(R.verdict));
	ck_assert(!has_effect(EFF_OPEN));
	ck_assert_int_eq(S.order_id, 0);
	/* another package's label */
	scan_label("006141410000000099", "#0999 box 2");
	verdict_is(V_WRONG_LABEL,
	    "WRONG LABEL: that is #0999 box 2's label;"
	    " put #1001's label on this box");
	ck_assert(verdict_is_refusal(R.verdict));
	ck_assert_int_eq(S.hold, HOLD_LABEL);
	/* bench commands still work */
	scan_cmd("STN:PACKER:bo");
	verdict_is(V_PACKER, NULL);
	scan_label("006141410000000011", "#1001 box 1");
	verdict_is(V_LABEL_VERIFIED, "LABEL OK: #1001's label is on its box");
	ck_assert_int_eq(S.hold, HOLD_NONE);
	/* a reprint must be scanned back too */
	scan_cmd("STN:REPRINT");
	verdict_is(V_REPRINT, NULL);
	ck_assert(has_effect(EFF_REPRINT_LABEL));
	ck_assert_int_eq(S.hold, HOLD_LABEL);
	/* (the daemon names it; here by hand) */
	snprintf(S.label_code, sizeof(S.label_code), "006141410000000011");
	snprintf(S.label_order, sizeof(S.label_order), "#1001");
	scan_order(&O2);
	verdict_is(V_LABEL_NOT_VERIFIED, NULL);
	scan_label("006141410000000011", "#1001 box 1");
	verdict_is(V_LABEL_VERIFIED, NULL);
	scan_order(&O2);
	verdict_is(V_OPENED, NULL);
}
END_TEST

START_TEST(label_hold_after_newbox_stops_items)
{
	C.weight_check = 0;
	C.verify_label = 1;
	scan_order(&O);
	scan_item("SKU-1");
	scan_cmd("STN:NEWBOX");
	verdict_is(V_NEW_BOX, NULL);
	ck_assert_int_eq(S.hold, HOLD_LABEL);
	scan_item("SKU-1");
	verdict_is(V_LABEL_NOT_VERIFIED, NULL);
	ck_assert(!has_effect(EFF_COUNT_ITEM));
	scan_label(S.label_code, "#1001 box 1");
	verdict_is(V_LABEL_VERIFIED, NULL);
	scan_item("SKU-1");
	verdict_is(V_OK, NULL);
}
END_TEST

START_TEST(override_weight_with_pin)
{
	C.grams = 2000;
	scan_order(&O);
	scan_item("SKU-2");
	scan_cmd("STN:NEWBOX");
	verdict_is(V_WEIGHT_MISMATCH, NULL);
	/* the packer's own badge never overrides */
	scan_override("STN:OVERRIDE:ana", 1, 0, 0);
	verdict_is(V_OVERRIDE_REFUSED, "a packer's own badge never overrides: call a supervisor");
	ck_assert(verdict_is_refusal(R.verdict));
	scan_override("STN:OVERRIDE:zed", 0, 0, 0);
	verdict_is(V_OVERRIDE_REFUSED, "badge zed cannot override");
	/* badge, then a wrong PIN: nothing passes, the PIN is asked again */
	scan_override("STN:OVERRIDE:sup1", 1, 0, 0);
	verdict_is(V_OVERRIDE_PIN, "SUPERVISOR sup1: type the PIN");
	ck_assert(!verdict_is_refusal(R.verdict));
	ck_assert_str_eq(S.override_badge, "sup1");
	scan_pin(0);
	verdict_is(V_OVERRIDE_REFUSED, "wrong PIN for sup1: nothing overridden");
	ck_assert_int_eq(S.override_badge[0], '\0');
	ck_assert_int_eq(S.hold, HOLD_WEIGHT);
	ck_assert_int_eq(R.neff, 0);
	scan_override("STN:OVERRIDE:sup1", 1, 0, 0);
	scan_pin(1);
	verdict_is(V_OVERRIDDEN,
	    "OVERRIDDEN by sup1: NEW BOX 2 for #1001:"
	    " box 1 closed, label printing");
	ck_assert(!verdict_is_refusal(R.verdict));
	ck_assert_int_eq(effect(EFF_CLOSE_BOX)->units, 2000);
	ck_assert(has_effect(EFF_OVERRIDE_EVENT));
	ck_assert_str_eq(R.override,
	    "supervisor sup1 passed the weight check of"
	    " #1001 box 1 (packer ana)");
	ck_assert_int_eq(S.hold, HOLD_NONE);
	ck_assert_int_eq(S.box, 2);
	/* nothing blocked now */
	scan_override("STN:OVERRIDE:sup1:1234", 1, 1, 1);
	verdict_is(V_OVERRIDE_REFUSED, "nothing to override at this bench");
}
END_TEST

START_TEST(override_label_with_badge_and_pin)
{
	C.weight_check = 0;
	C.verify_label = 1;
	scan_order(&O2);
	scan_item("SKU-3");
	verdict_is(V_COMPLETED, NULL);
	ck_assert_int_eq(S.hold, HOLD_LABEL);
	scan_override("STN:OVERRIDE:sup1:9999", 1, 1, 0);
	verdict_is(V_OVERRIDE_REFUSED, "wrong PIN for sup1: nothing overridden");
	scan_override("STN:OVERRIDE:sup1:1234", 1, 1, 1);
	verdict_is(V_OVERRIDDEN, "OVERRIDDEN by sup1: #1002's label not scanned back");
	ck_assert_str_eq(R.override,
	    "supervisor sup1 passed the label scan-back"
	    " of #1002 (packer ana)");
	ck_assert_int_eq(S.hold, HOLD_NONE);
	scan_order(&O);
	verdict_is(V_OPENED, NULL);
}
END_TEST

START_TEST(abandon_clears_weight_hold)
{
	C.grams = 3000;
	scan_order(&O);
	scan_item("SKU-2");
	scan_cmd("STN:NEWBOX");
	verdict_is(V_WEIGHT_MISMATCH, NULL);
	scan_cmd("STN:ABANDON");
	verdict_is(V_ABANDONED, NULL);
	ck_assert_int_eq(S.hold, HOLD_NONE);
	scan_order(&O2);
	verdict_is(V_OPENED, NULL);
}
END_TEST

START_TEST(cancelled_upstream_is_never_overridden)
{
	C.grams = 3000;
	scan_order(&O);
	scan_item("SKU-2");
	scan_cmd("STN:NEWBOX");
	verdict_is(V_WEIGHT_MISMATCH, NULL);
	scan_override("STN:OVERRIDE:sup1", 1, 0, 0);
	verdict_is(V_OVERRIDE_PIN, NULL);
	/* the shop cancels while the supervisor types the PIN */
	O.status = ORDER_CANCELLED;
	scan_pin(1);
	verdict_is(V_CANCELLED, NULL);
	ck_assert(!has_effect(EFF_CLOSE_BOX));
	ck_assert(has_effect(EFF_CLOSE_CANCELLED));
	ck_assert_int_eq(S.hold, HOLD_NONE);
	ck_assert_int_eq(S.override_badge[0], '\0');
}
END_TEST

START_TEST(abandon_passes_a_label_hold)
{
	C.weight_check = 0;
	C.verify_label = 1;
	scan_order(&O);
	scan_item("SKU-2");
	scan_cmd("STN:NEWBOX");
	ck_assert_int_eq(S.hold, HOLD_LABEL);
	scan_cmd("STN:ABANDON");
	verdict_is(V_ABANDONED, NULL);
	/* the closed box's label still waits to be scanned */
	ck_assert_int_eq(S.hold, HOLD_LABEL);
	scan_order(&O2);
	verdict_is(V_LABEL_NOT_VERIFIED, NULL);
}
END_TEST

START_TEST(newbox_on_a_held_complete_order_ships_it)
{
	C.grams = 2000;
	scan_order(&O);
	scan_item("SKU-1");
	scan_item("SKU-1");
	scan_item("SKU-2");
	verdict_is(V_WEIGHT_MISMATCH, NULL);
	C.grams = 1040;
	scan_cmd("STN:NEWBOX");
	verdict_is(V_COMPLETED, NULL);
	ck_assert(has_effect(EFF_SHIP_FULL));
	ck_assert_int_eq(S.order_id, 0);
}
END_TEST

START_TEST(parse_new_commands)
{
	enum sess_cmd c;
	int64_t q;
	char b[64];

	ck_assert_int_eq(session_parse_command("STN:WEIGH", &c, &q, b, sizeof(b)), 1);
	ck_assert_int_eq(c, CMD_WEIGH);
	ck_assert_int_eq(session_parse_command("STN:OVERRIDE:sup1", &c, &q, b, sizeof(b)), 1);
	ck_assert_int_eq(c, CMD_OVERRIDE);
	ck_assert_str_eq(b, "sup1");
	ck_assert_int_eq(session_parse_command("STN:OVERRIDE:sup1:42", &c, &q, b, sizeof(b)), 1);
	ck_assert_str_eq(b, "sup1:42");
	ck_assert_int_eq(session_parse_command("STN:OVERRIDE:", &c, &q, b, sizeof(b)), -1);
	ck_assert_int_eq(session_parse_command("STN:OVERRIDE::42", &c, &q, b, sizeof(b)), -1);
	ck_assert_int_eq(session_parse_command("STN:WEIGH:1", &c, &q, b, sizeof(b)), -1);
}
END_TEST

/* ---- random sequences and the invariants ---- */

static int64_t
tolerance(int64_t expected)
{
	return C.tol_permille > 0 ? expected * C.tol_permille / 1000 : C.tol_grams;
}

START_TEST(random_sequences_keep_invariants)
{
	static const char *skus[] = { "SKU-1", "SKU-2", "SKU-3", "NOPE" };
	unsigned seed = 15;
	int run, n, k, closes = 0, blocked = 0, label_refused = 0, overridden = 0;

	for (run = 0; run < 1500; run++) {
		setup();
		C.verify_label = run % 2;
		C.tol_permille = run % 3 ? 50 : 0;
		C.tol_grams = 30;
		for (n = 0; n < 60; n++) {
			const struct sess_order *open = order_by_id(S.order_id);
			int64_t before[4], expected, diff;
			int held_label = S.hold == HOLD_LABEL, r = rand_r(&seed) % 12;
			size_t i;

			for (k = 0; k < 4; k++)
				before[k] = L[k].packed_box;
			(void)open;
			C.stable = rand_r(&seed) % 5 != 0;
			C.scale_state = "in motion";
			C.grams = (rand_r(&seed) % 2) ? 1040 : (int64_t)(rand_r(&seed) % 1500);
			switch (r) {
			case 0: scan_order(rand_r(&seed) % 2 ? &O : &O2); break;
			case 1:
			case 2:
			case 3: scan_item(skus[rand_r(&seed) % 4]); break;
			case 4: scan_cmd("STN:NEWBOX"); break;
			case 5: scan_cmd("STN:PARTIAL"); break;
			case 6: scan_cmd("STN:UNDO"); break;
			case 7: scan_cmd("STN:WEIGH"); break;
			case 8:
				scan_override(
				    rand_r(&seed) % 3 ? "STN:OVERRIDE:sup1" : "STN:OVERRIDE:ana", 1,
				    0, 0);
				break;
			case 9: scan_pin(rand_r(&seed) % 2); break;
			case 10:
				scan_label(rand_r(&seed) % 2 ? S.label_code : "006141410000000077",
				    "#0777 box 1");
				break;
			default: scan_cmd("STN:ABANDON"); break;
			}
			closes += has_effect(EFF_CLOSE_BOX);
			blocked += R.verdict == V_WEIGHT_MISMATCH || R.verdict == V_WEIGHT_PENDING;
			label_refused += R.verdict == V_LABEL_NOT_VERIFIED;
			overridden += R.verdict == V_OVERRIDDEN;
			/* no new order while a label is unverified */
			if (held_label)
				ck_assert_msg(!has_effect(EFF_OPEN), "run %d scan %d", run, n);
			/* no box closes outside tolerance unless a supervisor passed it */
			if (has_effect(EFF_CLOSE_BOX) && R.verdict != V_OVERRIDDEN) {
				const struct sess_effect *e = effect(EFF_CLOSE_BOX);
				const struct sess_order *o = order_by_id(e->order_id);

				ck_assert_msg(C.stable, "run %d scan %d: closed unweighed", run, n);
				expected = C.tare_grams;
				for (i = 0; i < o->nlines; i++) {
					const struct sess_line *l = &o->lines[i];
					int64_t units = before[l - L];
					size_t j;

					for (j = 0; j < R.neff; j++)
						if (R.eff[j].kind == EFF_COUNT_ITEM &&
						    R.eff[j].line_id == l->line_id)
							units += R.eff[j].units;
					expected += units * l->grams;
				}
				diff = C.grams > expected ? C.grams - expected : expected - C.grams;
				ck_assert_msg(diff <= tolerance(expected),
				    "run %d scan %d: %lld g closed, %lld expected", run, n,
				    (long long)C.grams, (long long)expected);
				ck_assert_int_eq(e->units, C.grams);
			}
			/* a weight hold always has its order open */
			if (S.hold == HOLD_WEIGHT)
				ck_assert_int_ne(S.order_id, 0);
		}
	}
	/* the sequences did reach every path they check */
	ck_assert_msg(closes > 100 && blocked > 1000 && label_refused > 300 && overridden > 20,
	    "closes %d blocked %d label_refused %d overridden %d", closes, blocked, label_refused,
	    overridden);
}
END_TEST

static Suite *
checks_suite(void)
{
	Suite *s = suite_create("session_checks");
	TCase *tc = tcase_create("checks");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, weight_within_tolerance_completes);
	tcase_add_test(tc, mismatch_blocks_then_weigh_fixes);
	tcase_add_test(tc, newbox_and_partial_are_weighed);
	tcase_add_test(tc, pending_until_stable);
	tcase_add_test(tc, no_product_weight_says_so);
	tcase_add_test(tc, scale_without_check_and_no_scale);
	tcase_add_test(tc, label_scan_back);
	tcase_add_test(tc, label_hold_after_newbox_stops_items);
	tcase_add_test(tc, override_weight_with_pin);
	tcase_add_test(tc, override_label_with_badge_and_pin);
	tcase_add_test(tc, abandon_clears_weight_hold);
	tcase_add_test(tc, cancelled_upstream_is_never_overridden);
	tcase_add_test(tc, abandon_passes_a_label_hold);
	tcase_add_test(tc, newbox_on_a_held_complete_order_ships_it);
	tcase_add_test(tc, parse_new_commands);
	tcase_add_test(tc, random_sequences_keep_invariants);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(checks_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
