/*
 * Unit tests for the pure pack-session machine (station/session.c). A tiny
 * in-memory "store" applies the effects the way station.c does, so whole
 * bench flows can be driven scan by scan and checked exactly.
 */
#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/session.h"

#define WINDOW 500

static struct sess_line L[4];
static struct sess_order O;  /* #1001, the order under test */
static struct sess_order O2; /* #1002, another order */
static struct sess_state S;
static struct sess_input I;
static struct sess_result R;
static char code_buf[512];
static char packer_buf[64];

static void
setup(void)
{
	memset(L, 0, sizeof(L));
	memset(&O, 0, sizeof(O));
	memset(&O2, 0, sizeof(O2));
	memset(&S, 0, sizeof(S));
	memset(&I, 0, sizeof(I));
	memset(&R, 0, sizeof(R));
	L[0] = (struct sess_line){ 101, "SKU-1", "Mug", 3, 0, 0, -1 };
	L[1] = (struct sess_line){ 102, "SKU-2", "Tee", 1, 0, 0, -1 };
	O = (struct sess_order){ 11, "#1001", ORDER_READY, NULL, NULL, L, 2 };
	O2 = (struct sess_order){ 12, "#1002", ORDER_READY, NULL, NULL, L + 2, 0 };
	I.station = "pack-1";
	I.now_ms = 1000000;
	I.dup_window_ms = WINDOW;
}

/* What the store does with the effects (enough for these tests). */
static void
apply_effects(void)
{
	size_t i, k;
	const struct sess_effect *e;

	for (i = 0; i < R.neff; i++) {
		e = &R.eff[i];
		switch (e->kind) {
		case EFF_OPEN:
			O.status = ORDER_IN_PROGRESS;
			O.station = "pack-1";
			break;
		case EFF_COUNT_ITEM:
			for (k = 0; k < O.nlines; k++) {
				if (L[k].line_id == e->line_id) {
					L[k].packed += e->units;
					L[k].packed_box += e->units;
				}
			}
			I.has_last_item = 1;
			I.last_item_line = e->line_id;
			I.last_item_units = e->units;
			break;
		case EFF_UNDO_ITEM:
			for (k = 0; k < O.nlines; k++) {
				if (L[k].line_id == e->line_id) {
					L[k].packed -= e->units;
					L[k].packed_box -= e->units;
				}
			}
			I.has_last_item = 0;
			break;
		case EFF_CLOSE_BOX:
			for (k = 0; k < O.nlines; k++)
				L[k].packed_box = 0;
			I.has_last_item = 0;
			I.has_last_label = 1;
			break;
		case EFF_SHIP_FULL:
		case EFF_SHIP_PARTIAL:
			for (k = 0; k < O.nlines; k++) {
				L[k].remaining -= L[k].packed;
				L[k].packed = L[k].packed_box = 0;
			}
			O.status = e->kind == EFF_SHIP_FULL ? ORDER_FULFILLED : ORDER_PARTIAL;
			O.station = NULL;
			I.has_last_item = 0;
			break;
		case EFF_ABANDON:
		case EFF_CLOSE_CANCELLED:
		case EFF_CLOSE_SHIPPED:
			for (k = 0; k < O.nlines; k++)
				L[k].packed = L[k].packed_box = 0;
			if (e->kind == EFF_ABANDON)
				O.status = ORDER_READY;
			O.station = NULL;
			I.has_last_item = 0;
			break;
		default: break;
		}
	}
}

/* One scan: decide, apply, move on; the clock moves past the window. */
static void
run(void)
{
	I.now_ms += 1000;
	session_step(&S, S.order_id != 0 ? &O : NULL, &I, &R);
	apply_effects();
	S = R.next;
}

static void
scan_order(const struct sess_order *t)
{
	I.kind = SCAN_ORDER;
	I.code = t->name;
	I.target = t;
	run();
}

static void
scan_item(const char *sku, int64_t multiplier)
{
	I.kind = SCAN_ITEM;
	I.code = sku;
	I.sku = sku;
	I.multiplier = multiplier;
	run();
}

static void
scan_unknown(const char *code)
{
	I.kind = SCAN_UNKNOWN;
	I.code = code;
	run();
}

static void
scan_cmd(const char *code)
{
	snprintf(code_buf, sizeof(code_buf), "%s", code);
	if (session_parse_command(code_buf, &I.cmd, &I.qty, packer_buf, sizeof(packer_buf)) != 1)
		ck_abort_msg("not a command: %s", code);
	I.kind = SCAN_COMMAND;
	I.code = code_buf;
	I.packer = packer_buf;
	run();
}

/* Checks the effect kinds in order, terminated by -1. */
static void
expect_effects(int first, ...)
{
	va_list ap;
	size_t n = 0;
	int k;

	va_start(ap, first);
	for (k = first; k != -1; k = va_arg(ap, int)) {
		ck_assert_uint_lt(n, R.neff);
		ck_assert_int_eq(R.eff[n].kind, k);
		n++;
	}
	va_end(ap);
	ck_assert_uint_eq(R.neff, n);
}

static void
open_o(void)
{
	scan_order(&O);
	ck_assert_int_eq(R.verdict, V_OPENED);
	ck_assert_int_eq(S.order_id, 11);
}

/* ---- names ---- */

START_TEST(test_status_names)
{
	static const char *const n[] = { "ready", "on_hold", "in_progress", "partial", "fulfilled",
		"cancelled", "archived", "digital" };
	int i;

	ck_assert_int_eq(ORDER_STATUS_COUNT, 8);
	for (i = 0; i < ORDER_STATUS_COUNT; i++) {
		ck_assert_str_eq(order_status_name(i), n[i]);
		ck_assert_int_eq(order_status_parse(n[i]), i);
	}
	ck_assert_int_eq(order_status_parse("READY"), -1);
	ck_assert_int_eq(order_status_parse(""), -1);
	ck_assert_int_eq(order_status_parse(NULL), -1);
	ck_assert_ptr_nonnull(order_status_name(ORDER_STATUS_COUNT));
}
END_TEST

START_TEST(test_verdict_names)
{
	static const char *const n[] = { "opened", "ok", "completed", "partial_shipped", "new_box",
		"undone", "quantity_set", "abandoned", "packer", "logout", "reprint", "not_found",
		"on_hold", "cancelled", "already_fulfilled", "busy_elsewhere", "order_open",
		"no_order_open", "wrong_item", "too_many", "unknown_code", "store_unavailable",
		"duplicate_read",
		/* issue 15: after the first 22, whose names and numbers stay */
		"weighed", "label_verified", "override_pin", "overridden", "weight_mismatch",
		"weight_pending", "wrong_label", "label_not_verified", "override_refused" };
	int i;

	ck_assert_int_eq(V_DUPLICATE_READ, 22);
	ck_assert_int_eq(V_COUNT, 32);
	for (i = 0; i < V_COUNT; i++) {
		ck_assert_str_eq(verdict_name(i), n[i]);
		ck_assert_int_eq(verdict_is_refusal(i),
		    (i >= V_NOT_FOUND && i <= V_STORE_UNAVAILABLE) || i >= V_WEIGHT_MISMATCH);
	}
	ck_assert_int_eq(verdict_is_refusal(V_WEIGHED), 0);
	ck_assert_int_eq(verdict_is_refusal(V_LABEL_VERIFIED), 0);
	ck_assert_int_eq(verdict_is_refusal(V_OVERRIDDEN), 0);
	ck_assert_int_eq(verdict_is_refusal(V_OVERRIDE_PIN), 0);
	ck_assert_int_eq(verdict_is_refusal(V_WRONG_LABEL), 1);
	ck_assert_int_eq(verdict_is_refusal(V_DUPLICATE_READ), 0);
	ck_assert_int_eq(verdict_is_refusal(V_REPRINT), 0);
	ck_assert_int_eq(verdict_is_refusal(V_TOO_MANY), 1);
	ck_assert_ptr_nonnull(verdict_name(V_COUNT));
}
END_TEST

/* ---- session_parse_command ---- */

START_TEST(test_parse_command)
{
	static const struct {
		const char *code;
		int ret;
		enum sess_cmd cmd;
		int64_t qty;
		const char *packer;
	} t[] = {
		{ "STN:PARTIAL", 1, CMD_PARTIAL, 0, NULL },
		{ "STN:NEWBOX", 1, CMD_NEWBOX, 0, NULL },
		{ "STN:UNDO", 1, CMD_UNDO, 0, NULL },
		{ "STN:REPRINT", 1, CMD_REPRINT, 0, NULL },
		{ "STN:ABANDON", 1, CMD_ABANDON, 0, NULL },
		{ "STN:LOGOUT", 1, CMD_LOGOUT, 0, NULL },
		{ "STN:QTY:1", 1, CMD_QTY, 1, NULL },
		{ "STN:QTY:12", 1, CMD_QTY, 12, NULL },
		{ "STN:QTY:9999", 1, CMD_QTY, 9999, NULL },
		{ "STN:QTY:0012", 1, CMD_QTY, 12, NULL },
		{ "STN:PACKER:alice", 1, CMD_PACKER, 0, "alice" },
		{ "STN:PACKER:B-07/x~!", 1, CMD_PACKER, 0, "B-07/x~!" },
		{ "STN:PACKER:"
		  "123456789012345678901234567890123456789012345678901234567890123",
		    1, CMD_PACKER, 0,
		    "123456789012345678901234567890123456789012345678901234567890123" },
		/* not a command at all */
		{ "", 0, 0, 0, NULL },
		{ "#1001", 0, 0, 0, NULL },
		{ "STN", 0, 0, 0, NULL },
		{ "stn:UNDO", 0, 0, 0, NULL },
		{ " STN:UNDO", 0, 0, 0, NULL },
		/* malformed STN: codes */
		{ "STN:", -1, 0, 0, NULL },
		{ "STN:undo", -1, 0, 0, NULL },
		{ "STN:UNDO ", -1, 0, 0, NULL },
		{ "STN:UNDOX", -1, 0, 0, NULL },
		{ "STN:NEW BOX", -1, 0, 0, NULL },
		{ "STN:QTY", -1, 0, 0, NULL },
		{ "STN:QTY:", -1, 0, 0, NULL },
		{ "STN:QTY:0", -1, 0, 0, NULL },
		{ "STN:QTY:0000", -1, 0, 0, NULL },
		{ "STN:QTY:abc", -1, 0, 0, NULL },
		{ "STN:QTY:10000", -1, 0, 0, NULL },
		{ "STN:QTY:-1", -1, 0, 0, NULL },
		{ "STN:QTY:+5", -1, 0, 0, NULL },
		{ "STN:QTY: 5", -1, 0, 0, NULL },
		{ "STN:QTY:5 ", -1, 0, 0, NULL },
		{ "STN:QTY:5x", -1, 0, 0, NULL },
		{ "STN:QTY:99999999999999999999", -1, 0, 0, NULL },
		{ "STN:PACKER", -1, 0, 0, NULL },
		{ "STN:PACKER:", -1, 0, 0, NULL },
		{ "STN:PACKER:al ice", -1, 0, 0, NULL },
		{ "STN:PACKER: alice", -1, 0, 0, NULL },
		{ "STN:PACKER:alice\t", -1, 0, 0, NULL },
		{ "STN:PACKER:\xc3\xa9mile", -1, 0, 0, NULL },
		{ "STN:PACKER:"
		  "1234567890123456789012345678901234567890123456789012345678901234",
		    -1, 0, 0, NULL },
	};
	size_t i;
	enum sess_cmd cmd;
	int64_t qty;
	char packer[64];
	int ret;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cmd = (enum sess_cmd)77;
		qty = -7;
		strcpy(packer, "unchanged");
		ret = session_parse_command(t[i].code, &cmd, &qty, packer, sizeof(packer));
		ck_assert_msg(ret == t[i].ret, "%s: got %d", t[i].code, ret);
		if (ret != 1) {
			/* Out-parameters are written only on success. */
			ck_assert_int_eq(cmd, 77);
			ck_assert_int_eq(qty, -7);
			ck_assert_str_eq(packer, "unchanged");
			continue;
		}
		ck_assert_msg(cmd == t[i].cmd, "%s: cmd %d", t[i].code, cmd);
		if (t[i].cmd == CMD_QTY)
			ck_assert_int_eq(qty, t[i].qty);
		if (t[i].packer != NULL)
			ck_assert_str_eq(packer, t[i].packer);
	}
	ck_assert_int_eq(session_parse_command(NULL, &cmd, &qty, packer, sizeof(packer)), 0);
	/* A buffer too small for the badge is a malformed read, not a crash. */
	ck_assert_int_eq(session_parse_command("STN:PACKER:alice", &cmd, &qty, packer, 4), -1);
}
END_TEST

/* ---- opening ---- */

START_TEST(test_open_ready)
{
	strcpy(S.packer, "alice");
	S.qty_next = 5; /* stale: opening starts clean */
	scan_order(&O);
	ck_assert_int_eq(R.verdict, V_OPENED);
	expect_effects(EFF_OPEN, -1);
	ck_assert_int_eq(R.eff[0].order_id, 11);
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_int_eq(R.next.box, 1);
	ck_assert_int_eq(R.next.qty_next, 0);
	ck_assert_str_eq(R.next.packer, "alice");
	ck_assert_int_eq(R.order_id, 11);
	ck_assert_str_eq(R.order_name, "#1001");
	ck_assert_int_eq(R.packed, 0);
	ck_assert_int_eq(R.of, 4);
	ck_assert_str_eq(R.message, "OPENED #1001: scan the items (4 units)");
}
END_TEST

START_TEST(test_open_partial_and_own_in_progress)
{
	O.status = ORDER_PARTIAL;
	scan_order(&O);
	ck_assert_int_eq(R.verdict, V_OPENED);
	expect_effects(EFF_OPEN, -1);

	/* After a restart the station re-opens its own order with its counts. */
	setup();
	O.status = ORDER_IN_PROGRESS;
	O.station = "pack-1";
	L[0].packed = 2;
	scan_order(&O);
	ck_assert_int_eq(R.verdict, V_OPENED);
	expect_effects(EFF_OPEN, -1);
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_str_eq(R.message, "OPENED #1001: 2 of 4 units already packed");

	/* In progress with no station recorded: held by nobody. */
	setup();
	O.status = ORDER_IN_PROGRESS;
	scan_order(&O);
	ck_assert_int_eq(R.verdict, V_OPENED);
}
END_TEST

START_TEST(test_open_refusals)
{
	static const struct {
		enum order_status st;
		const char *station;
		const char *reason;
		enum verdict v;
		const char *msg;
	} t[] = {
		{ ORDER_ON_HOLD, NULL, "address problem", V_ON_HOLD,
		    "ON HOLD #1001: address problem — do not pack" },
		{ ORDER_ON_HOLD, NULL, NULL, V_ON_HOLD,
		    "ON HOLD #1001: no reason given — do not pack" },
		{ ORDER_CANCELLED, NULL, NULL, V_CANCELLED,
		    "#1001 CANCELLED — do not ship, return items to stock" },
		{ ORDER_FULFILLED, NULL, NULL, V_ALREADY_FULFILLED, "#1001 already shipped" },
		{ ORDER_ARCHIVED, NULL, NULL, V_ALREADY_FULFILLED, "#1001 already shipped" },
		{ ORDER_DIGITAL, NULL, NULL, V_ALREADY_FULFILLED,
		    "#1001: nothing to ship: digital items only" },
		{ ORDER_IN_PROGRESS, "pack-2", NULL, V_BUSY_ELSEWHERE,
		    "#1001 is open at station pack-2" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		setup();
		strcpy(S.packer, "bob");
		O.status = t[i].st;
		O.station = t[i].station;
		O.hold_reason = t[i].reason;
		scan_order(&O);
		ck_assert_int_eq(R.verdict, t[i].v);
		ck_assert_int_eq(verdict_is_refusal(R.verdict), 1);
		expect_effects(-1);
		ck_assert_int_eq(R.next.order_id, 0);
		ck_assert_int_eq(R.order_id, 11);
		ck_assert_str_eq(R.order_name, "#1001");
		ck_assert_str_eq(R.message, t[i].msg);
		ck_assert_str_eq(R.next.packer, "bob");
	}
}
END_TEST

START_TEST(test_order_scan_while_open)
{
	open_o();
	scan_item("SKU-1", 1);
	scan_order(&O);
	ck_assert_int_eq(R.verdict, V_OPENED);
	expect_effects(-1);
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_int_eq(R.next.box, 1);
	ck_assert_str_eq(R.message, "#1001 is already open here");

	scan_order(&O2);
	ck_assert_int_eq(R.verdict, V_ORDER_OPEN);
	expect_effects(-1);
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_int_eq(R.order_id, 11);
	ck_assert_str_eq(
	    R.message, "#1002 not opened: finish, STN:PARTIAL or STN:ABANDON #1001 first");
	/* Counts untouched by the refusal. */
	ck_assert_int_eq(L[0].packed, 1);
}
END_TEST

START_TEST(test_order_scan_null_target)
{
	I.kind = SCAN_ORDER;
	I.code = "#9999";
	I.target = NULL;
	run();
	ck_assert_int_eq(R.verdict, V_NOT_FOUND);
	ck_assert_str_eq(R.message, "no order #9999");
}
END_TEST

/* ---- unknown ---- */

START_TEST(test_unknown)
{
	scan_unknown("#404");
	ck_assert_int_eq(R.verdict, V_NOT_FOUND);
	expect_effects(-1);
	ck_assert_int_eq(R.order_id, 0);
	ck_assert_ptr_null(R.order_name);
	ck_assert_str_eq(R.message, "no order #404");

	open_o();
	scan_unknown("XYZ-000");
	ck_assert_int_eq(R.verdict, V_UNKNOWN_CODE);
	expect_effects(-1);
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_int_eq(R.order_id, 11);
	ck_assert_str_eq(R.message, "UNKNOWN CODE: XYZ-000");
}
END_TEST

/* ---- items ---- */

START_TEST(test_item_no_order)
{
	S.qty_next = 3; /* cannot happen through scans; still reset */
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_NO_ORDER_OPEN);
	expect_effects(-1);
	ck_assert_int_eq(R.next.qty_next, 0);
	ck_assert_str_eq(R.sku, "SKU-1");
	ck_assert_int_eq(R.order_id, 0);
}
END_TEST

START_TEST(test_item_ok_and_too_many)
{
	open_o();
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_OK);
	expect_effects(EFF_COUNT_ITEM, -1);
	ck_assert_int_eq(R.eff[0].order_id, 11);
	ck_assert_int_eq(R.eff[0].line_id, 101);
	ck_assert_int_eq(R.eff[0].units, 1);
	ck_assert_str_eq(R.sku, "SKU-1");
	ck_assert_int_eq(R.line_id, 101);
	ck_assert_int_eq(R.packed, 1);
	ck_assert_int_eq(R.of, 3);
	ck_assert_str_eq(R.message, "OK  SKU-1  1 of 3");
	scan_item("SKU-1", 1);
	ck_assert_str_eq(R.message, "OK  SKU-1  2 of 3");
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_str_eq(R.message, "OK  SKU-1  3 of 3");

	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_TOO_MANY);
	expect_effects(-1);
	ck_assert_int_eq(R.line_id, 101);
	ck_assert_int_eq(R.packed, 3);
	ck_assert_int_eq(R.of, 3);
	ck_assert_str_eq(R.message, "TOO MANY: SKU-1 already 3 of 3");
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_int_eq(L[0].packed, 3);
}
END_TEST

START_TEST(test_item_wrong)
{
	open_o();
	scan_item("SKU-9", 1);
	ck_assert_int_eq(R.verdict, V_WRONG_ITEM);
	expect_effects(-1);
	ck_assert_str_eq(R.sku, "SKU-9");
	ck_assert_int_eq(R.line_id, 0);
	ck_assert_str_eq(R.message, "WRONG ITEM: SKU-9 is not in #1001");
	ck_assert_int_eq(R.next.order_id, 11);
}
END_TEST

START_TEST(test_item_complete_one_box)
{
	strcpy(S.packer, "alice");
	open_o();
	scan_item("SKU-2", 1);
	ck_assert_int_eq(R.verdict, V_OK);
	scan_item("SKU-1", 1);
	scan_item("SKU-1", 1);
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_COMPLETED);
	expect_effects(EFF_COUNT_ITEM, EFF_CLOSE_BOX, EFF_SHIP_FULL, -1);
	ck_assert_int_eq(R.eff[0].line_id, 101);
	ck_assert_int_eq(R.eff[0].units, 1);
	ck_assert_int_eq(R.eff[1].order_id, 11);
	ck_assert_int_eq(R.eff[2].order_id, 11);
	ck_assert_int_eq(R.packed, 3);
	ck_assert_int_eq(R.of, 3);
	ck_assert_int_eq(R.order_id, 11);
	ck_assert_int_eq(R.next.order_id, 0);
	ck_assert_int_eq(R.next.box, 0);
	ck_assert_int_eq(R.next.qty_next, 0);
	ck_assert_str_eq(R.next.packer, "alice");
	ck_assert_str_eq(R.message, "COMPLETE #1001: all 4 units packed, label printing");
	/* Shipped: scanning it again says so. */
	scan_order(&O);
	ck_assert_int_eq(R.verdict, V_ALREADY_FULFILLED);
}
END_TEST

START_TEST(test_item_complete_two_boxes)
{
	open_o();
	scan_cmd("STN:NEWBOX");
	ck_assert_int_eq(R.verdict, V_NEW_BOX);
	expect_effects(-1);
	ck_assert_str_eq(R.message, "this box is still empty");
	ck_assert_int_eq(R.next.box, 1);

	scan_item("SKU-1", 1);
	scan_item("SKU-1", 1);
	scan_cmd("STN:NEWBOX");
	ck_assert_int_eq(R.verdict, V_NEW_BOX);
	expect_effects(EFF_CLOSE_BOX, -1);
	ck_assert_int_eq(R.eff[0].order_id, 11);
	ck_assert_int_eq(R.next.box, 2);
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_str_eq(R.message, "NEW BOX 2 for #1001: box 1 closed, label printing");

	/* The new box is empty: another NEWBOX changes nothing. */
	scan_cmd("STN:NEWBOX");
	ck_assert_int_eq(R.verdict, V_NEW_BOX);
	expect_effects(-1);
	ck_assert_int_eq(R.next.box, 2);
	ck_assert_str_eq(R.message, "this box is still empty");
	/* And nothing to undo in it. */
	scan_cmd("STN:UNDO");
	ck_assert_int_eq(R.verdict, V_UNDONE);
	expect_effects(-1);
	ck_assert_str_eq(R.message, "nothing to undo in this box");

	scan_item("SKU-1", 1);
	ck_assert_str_eq(R.message, "OK  SKU-1  3 of 3");
	scan_item("SKU-2", 1);
	ck_assert_int_eq(R.verdict, V_COMPLETED);
	expect_effects(EFF_COUNT_ITEM, EFF_CLOSE_BOX, EFF_SHIP_FULL, -1);
	ck_assert_int_eq(R.next.order_id, 0);
	ck_assert_int_eq(R.next.box, 0);
}
END_TEST

START_TEST(test_item_multiplier)
{
	L[0].remaining = 6;
	open_o();
	scan_item("SKU-1", 3); /* a case pack of 3 */
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(R.eff[0].units, 3);
	ck_assert_str_eq(R.message, "OK  SKU-1  3 of 6");
	scan_item("SKU-1", 4); /* 3 + 4 > 6 */
	ck_assert_int_eq(R.verdict, V_TOO_MANY);
	expect_effects(-1);
	ck_assert_str_eq(R.message, "TOO MANY: 4 x SKU-1 would make 7 of 6");
	scan_item("SKU-1", 3);
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(L[0].packed, 6);
	/* Absurd multipliers are refused, never overflow into acceptance. */
	L[1].remaining = 5;
	scan_item("SKU-2", INT64_MAX);
	ck_assert_int_eq(R.verdict, V_TOO_MANY);
	scan_item("SKU-2", 0); /* a bad multiplier counts once */
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(R.eff[0].units, 1);
}
END_TEST

START_TEST(test_qty)
{
	scan_cmd("STN:QTY:2");
	ck_assert_int_eq(R.verdict, V_NO_ORDER_OPEN);
	expect_effects(-1);
	ck_assert_int_eq(R.next.qty_next, 0);

	L[0].remaining = 10;
	open_o();
	scan_cmd("STN:QTY:2");
	ck_assert_int_eq(R.verdict, V_QUANTITY_SET);
	expect_effects(-1);
	ck_assert_int_eq(R.next.qty_next, 2);
	ck_assert_int_eq(R.order_id, 11);
	ck_assert_str_eq(R.message, "QUANTITY 2: the next item scan counts 2 times");
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(R.eff[0].units, 2);
	ck_assert_int_eq(R.next.qty_next, 0);
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.eff[0].units, 1);

	/* QTY times a case pack. */
	scan_cmd("STN:QTY:3");
	scan_item("SKU-1", 2);
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(R.eff[0].units, 6);
	ck_assert_str_eq(R.message, "OK  SKU-1  9 of 10");

	/* A refused item scan uses up the quantity too. */
	scan_cmd("STN:QTY:5");
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_TOO_MANY);
	ck_assert_int_eq(R.next.qty_next, 0);
	scan_cmd("STN:QTY:5");
	scan_item("SKU-9", 1);
	ck_assert_int_eq(R.verdict, V_WRONG_ITEM);
	ck_assert_int_eq(R.next.qty_next, 0);
	/* Other scans leave it for the next item. */
	scan_cmd("STN:QTY:4");
	scan_unknown("junk");
	ck_assert_int_eq(R.next.qty_next, 4);
	scan_cmd("STN:QTY:7");
	ck_assert_int_eq(R.next.qty_next, 7);
	/* Closing the session drops it. */
	scan_cmd("STN:ABANDON");
	ck_assert_int_eq(R.next.qty_next, 0);
}
END_TEST

START_TEST(test_item_two_lines_same_sku)
{
	L[0] = (struct sess_line){ 101, "SKU-1", "Mug", 1, 0, 0, -1 };
	L[1] = (struct sess_line){ 102, "SKU-1", "Mug", 2, 0, 0, -1 };
	open_o();
	scan_cmd("STN:QTY:2");
	scan_item("SKU-1", 1); /* first line cannot take 2 */
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(R.eff[0].line_id, 102);
	ck_assert_int_eq(R.line_id, 102);
	ck_assert_str_eq(R.message, "OK  SKU-1  2 of 2");
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_COMPLETED);
	ck_assert_int_eq(R.eff[0].line_id, 101);
}
END_TEST

START_TEST(test_item_lowered_quantity)
{
	open_o();
	scan_item("SKU-1", 1);
	scan_item("SKU-1", 1);
	scan_item("SKU-1", 1);
	/* The shop lowers the line to 2 while 3 are in the box. */
	L[0].remaining = 2;
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_TOO_MANY);
	expect_effects(EFF_CONFLICT_EVENT, -1);
	ck_assert_int_eq(R.eff[0].order_id, 11);
	ck_assert_int_eq(R.eff[0].line_id, 101);
	ck_assert_int_eq(R.eff[0].units, 1);
	ck_assert_int_eq(R.packed, 3);
	ck_assert_int_eq(R.of, 2);
	ck_assert_str_eq(R.message, "TOO MANY: SKU-1 already 3 of 2");
	ck_assert_int_eq(R.next.order_id, 11);
	/* Over-packed line: the order does not complete by itself. */
	scan_item("SKU-2", 1);
	ck_assert_int_eq(R.verdict, V_OK);
	expect_effects(EFF_COUNT_ITEM, -1);
	/* Undo takes back the last scan, the SKU-2. */
	scan_cmd("STN:UNDO");
	ck_assert_int_eq(R.verdict, V_UNDONE);
	ck_assert_int_eq(R.eff[0].line_id, 102);
}
END_TEST

START_TEST(test_item_lowered_other_line_no_conflict)
{
	open_o();
	scan_item("SKU-2", 1);
	L[1].remaining = 0; /* SKU-2 lowered; SKU-1 is at its limit */
	L[0].packed = 3;
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_TOO_MANY);
	expect_effects(-1);
}
END_TEST

/* ---- commands ---- */

START_TEST(test_undo)
{
	scan_cmd("STN:UNDO");
	ck_assert_int_eq(R.verdict, V_NO_ORDER_OPEN);
	expect_effects(-1);

	open_o();
	scan_cmd("STN:UNDO");
	ck_assert_int_eq(R.verdict, V_UNDONE);
	expect_effects(-1);
	ck_assert_str_eq(R.message, "nothing to undo in this box");

	scan_cmd("STN:QTY:2");
	scan_item("SKU-1", 1);
	scan_cmd("STN:UNDO");
	ck_assert_int_eq(R.verdict, V_UNDONE);
	expect_effects(EFF_UNDO_ITEM, -1);
	ck_assert_int_eq(R.eff[0].order_id, 11);
	ck_assert_int_eq(R.eff[0].line_id, 101);
	ck_assert_int_eq(R.eff[0].units, 2);
	ck_assert_int_eq(R.line_id, 101);
	ck_assert_str_eq(R.sku, "SKU-1");
	ck_assert_int_eq(R.packed, 0);
	ck_assert_int_eq(R.of, 3);
	ck_assert_str_eq(R.message, "UNDONE  SKU-1  now 0 of 3");
	ck_assert_int_eq(L[0].packed, 0);
	ck_assert_int_eq(R.next.order_id, 11);

	/* A last item whose line vanished upstream still comes out. */
	I.has_last_item = 1;
	I.last_item_line = 999;
	I.last_item_units = 1;
	scan_cmd("STN:UNDO");
	ck_assert_int_eq(R.verdict, V_UNDONE);
	expect_effects(EFF_UNDO_ITEM, -1);
	ck_assert_int_eq(R.line_id, 999);
	ck_assert_str_eq(R.message, "UNDONE: 1 units taken back");
}
END_TEST

START_TEST(test_newbox_no_order)
{
	scan_cmd("STN:NEWBOX");
	ck_assert_int_eq(R.verdict, V_NO_ORDER_OPEN);
	expect_effects(-1);
	ck_assert_int_eq(R.next.box, 0);
}
END_TEST

START_TEST(test_partial)
{
	scan_cmd("STN:PARTIAL");
	ck_assert_int_eq(R.verdict, V_NO_ORDER_OPEN);
	expect_effects(-1);

	strcpy(S.packer, "alice");
	open_o();
	scan_cmd("STN:PARTIAL");
	ck_assert_int_eq(R.verdict, V_ORDER_OPEN);
	ck_assert_int_eq(verdict_is_refusal(R.verdict), 1);
	expect_effects(-1);
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_str_eq(R.message, "nothing packed yet: scan items, or STN:ABANDON");

	scan_item("SKU-1", 1);
	scan_item("SKU-1", 1);
	scan_cmd("STN:PARTIAL");
	ck_assert_int_eq(R.verdict, V_PARTIAL_SHIPPED);
	expect_effects(EFF_CLOSE_BOX, EFF_SHIP_PARTIAL, -1);
	ck_assert_int_eq(R.eff[0].order_id, 11);
	ck_assert_int_eq(R.eff[1].order_id, 11);
	ck_assert_int_eq(R.next.order_id, 0);
	ck_assert_int_eq(R.next.box, 0);
	ck_assert_str_eq(R.next.packer, "alice");
	ck_assert_str_eq(R.message, "PARTIAL #1001: shipping 2 of 4 units, the rest stays open");

	/* The rest later: 1 of SKU-1 and SKU-2 remain. */
	ck_assert_int_eq(O.status, ORDER_PARTIAL);
	open_o();
	ck_assert_int_eq(R.of, 2);
	scan_item("SKU-1", 1);
	ck_assert_str_eq(R.message, "OK  SKU-1  1 of 1");
	scan_item("SKU-2", 1);
	ck_assert_int_eq(R.verdict, V_COMPLETED);
	ck_assert_int_eq(O.status, ORDER_FULFILLED);
}
END_TEST

START_TEST(test_partial_after_newbox)
{
	open_o();
	scan_item("SKU-1", 1);
	scan_cmd("STN:NEWBOX");
	scan_cmd("STN:PARTIAL");
	ck_assert_int_eq(R.verdict, V_PARTIAL_SHIPPED);
	/* The current box is empty: no empty package gets a label. */
	expect_effects(EFF_SHIP_PARTIAL, -1);
	ck_assert_int_eq(R.next.order_id, 0);
}
END_TEST

START_TEST(test_partial_when_all_packed)
{
	open_o();
	scan_item("SKU-1", 1);
	scan_item("SKU-1", 1);
	scan_item("SKU-1", 1);
	L[1].remaining = 0; /* SKU-2 removed upstream mid-pack */
	scan_cmd("STN:PARTIAL");
	ck_assert_int_eq(R.verdict, V_COMPLETED);
	expect_effects(EFF_CLOSE_BOX, EFF_SHIP_FULL, -1);
	ck_assert_int_eq(R.next.order_id, 0);
	ck_assert_str_eq(R.message, "COMPLETE #1001: all 3 units packed, label printing");
}
END_TEST

START_TEST(test_abandon)
{
	scan_cmd("STN:ABANDON");
	ck_assert_int_eq(R.verdict, V_NO_ORDER_OPEN);
	expect_effects(-1);

	strcpy(S.packer, "alice");
	open_o();
	scan_item("SKU-1", 1);
	scan_cmd("STN:NEWBOX");
	scan_cmd("STN:QTY:2");
	scan_cmd("STN:ABANDON");
	ck_assert_int_eq(R.verdict, V_ABANDONED);
	expect_effects(EFF_ABANDON, -1);
	ck_assert_int_eq(R.eff[0].order_id, 11);
	ck_assert_int_eq(R.order_id, 11);
	ck_assert_int_eq(R.next.order_id, 0);
	ck_assert_int_eq(R.next.box, 0);
	ck_assert_int_eq(R.next.qty_next, 0);
	ck_assert_str_eq(R.next.packer, "alice");
	ck_assert_str_eq(R.message, "ABANDONED #1001: nothing shipped, return items to stock");
	/* It can be opened again. */
	open_o();
}
END_TEST

START_TEST(test_packer_logout)
{
	scan_cmd("STN:PACKER:alice");
	ck_assert_int_eq(R.verdict, V_PACKER);
	expect_effects(-1);
	ck_assert_str_eq(R.next.packer, "alice");
	ck_assert_str_eq(R.message, "PACKER alice logged in");
	open_o();
	scan_cmd("STN:PACKER:bob");
	ck_assert_int_eq(R.verdict, V_PACKER);
	ck_assert_str_eq(R.next.packer, "bob");
	ck_assert_int_eq(R.next.order_id, 11);
	scan_cmd("STN:LOGOUT");
	ck_assert_int_eq(R.verdict, V_LOGOUT);
	expect_effects(-1);
	ck_assert_str_eq(R.next.packer, "");
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_str_eq(R.message, "LOGGED OUT bob");
	scan_cmd("STN:LOGOUT");
	ck_assert_int_eq(R.verdict, V_LOGOUT);
	ck_assert_str_eq(R.message, "LOGGED OUT: nobody was logged in");
	/* An over-long badge from a careless caller is cut, not overrun. */
	I.kind = SCAN_COMMAND;
	I.cmd = CMD_PACKER;
	I.code = "STN:PACKER:x";
	I.packer =
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	run();
	ck_assert_uint_eq(strlen(R.next.packer), 63);
}
END_TEST

START_TEST(test_reprint)
{
	scan_cmd("STN:REPRINT");
	ck_assert_int_eq(R.verdict, V_REPRINT);
	expect_effects(-1);
	ck_assert_str_eq(R.message, "no label to reprint yet");
	I.has_last_label = 1;
	scan_cmd("STN:REPRINT");
	ck_assert_int_eq(R.verdict, V_REPRINT);
	expect_effects(EFF_REPRINT_LABEL, -1);
	ck_assert_int_eq(R.eff[0].order_id, 0);
	ck_assert_str_eq(R.message, "REPRINT: the last label prints again");
	open_o();
	scan_cmd("STN:REPRINT");
	ck_assert_int_eq(R.verdict, V_REPRINT);
	expect_effects(EFF_REPRINT_LABEL, -1);
	ck_assert_int_eq(R.eff[0].order_id, 11);
	ck_assert_int_eq(R.next.order_id, 11);
}
END_TEST

START_TEST(test_bad_kind_and_cmd)
{
	I.kind = (enum scan_kind)42;
	I.code = "x";
	run();
	ck_assert_int_eq(R.verdict, V_NOT_FOUND);
	I.kind = SCAN_COMMAND;
	I.cmd = (enum sess_cmd)42;
	I.code = "STN:?";
	run();
	/* a malformed command barcode is an unknown code, not a missing order */
	ck_assert_int_eq(R.verdict, V_UNKNOWN_CODE);
	open_o();
	I.kind = SCAN_COMMAND;
	I.cmd = (enum sess_cmd)42;
	I.code = "STN:?";
	run();
	ck_assert_int_eq(R.verdict, V_UNKNOWN_CODE);
}
END_TEST

START_TEST(test_open_lost)
{
	/* The state names an order the caller could not find: nothing open. */
	S.order_id = 77;
	S.box = 3;
	session_step(&S, NULL,
	    &(struct sess_input){ .station = "pack-1",
		.code = "SKU-1",
		.kind = SCAN_ITEM,
		.sku = "SKU-1",
		.multiplier = 1,
		.now_ms = 5 },
	    &R);
	ck_assert_int_eq(R.verdict, V_NO_ORDER_OPEN);
	ck_assert_int_eq(R.next.order_id, 0);
	ck_assert_int_eq(R.next.box, 0);
}
END_TEST

/* ---- mid-pack changes ---- */

/* Opens #1001, packs one SKU-1, then lets the shop change its status. */
static void
midpack(enum order_status st)
{
	strcpy(S.packer, "alice");
	open_o();
	scan_item("SKU-1", 1);
	O.status = st;
}

START_TEST(test_midpack_cancelled)
{
	/* Each kind of scan meets the cancellation first. */
	int k;

	for (k = 0; k < 6; k++) {
		setup();
		midpack(ORDER_CANCELLED);
		switch (k) {
		case 0: scan_item("SKU-1", 1); break;
		case 1: scan_item("SKU-9", 1); break;
		case 2: scan_order(&O2); break;
		case 3: scan_unknown("junk"); break;
		case 4: scan_cmd("STN:UNDO"); break;
		default: scan_cmd("STN:PARTIAL"); break;
		}
		ck_assert_int_eq(R.verdict, V_CANCELLED);
		expect_effects(EFF_CLOSE_CANCELLED, -1);
		ck_assert_int_eq(R.eff[0].order_id, 11);
		ck_assert_int_eq(R.order_id, 11);
		ck_assert_str_eq(R.order_name, "#1001");
		ck_assert_int_eq(R.next.order_id, 0);
		ck_assert_int_eq(R.next.box, 0);
		ck_assert_str_eq(R.next.packer, "alice");
		ck_assert_str_eq(R.message, "#1001 CANCELLED — do not ship, return items to stock");
	}
	/* Closed: the next item scan finds no order. */
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_NO_ORDER_OPEN);
}
END_TEST

START_TEST(test_midpack_shipped_upstream)
{
	enum order_status st[] = { ORDER_FULFILLED, ORDER_ARCHIVED, ORDER_DIGITAL };
	size_t i;

	for (i = 0; i < 3; i++) {
		setup();
		midpack(st[i]);
		scan_item("SKU-1", 1);
		ck_assert_int_eq(R.verdict, V_ALREADY_FULFILLED);
		expect_effects(EFF_CLOSE_SHIPPED, -1);
		ck_assert_int_eq(R.eff[0].order_id, 11);
		ck_assert_int_eq(R.next.order_id, 0);
		ck_assert_str_eq(
		    R.message, "#1001 already shipped upstream: stop, return items to stock");
	}
}
END_TEST

START_TEST(test_midpack_on_hold)
{
	midpack(ORDER_ON_HOLD);
	O.hold_reason = "fraud check";
	scan_cmd("STN:QTY:2");
	ck_assert_int_eq(R.verdict, V_ON_HOLD);
	ck_assert_int_eq(R.next.qty_next, 0);
	S.qty_next = 2;
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_ON_HOLD);
	expect_effects(-1);
	ck_assert_int_eq(R.next.order_id, 11);
	ck_assert_int_eq(R.next.box, 1);
	ck_assert_int_eq(R.next.qty_next, 0);
	ck_assert_str_eq(R.message, "ON HOLD #1001: fraud check — wait for release or STN:ABANDON");
	scan_cmd("STN:NEWBOX");
	ck_assert_int_eq(R.verdict, V_ON_HOLD);
	scan_cmd("STN:PARTIAL");
	ck_assert_int_eq(R.verdict, V_ON_HOLD);
	scan_cmd("STN:UNDO");
	ck_assert_int_eq(R.verdict, V_ON_HOLD);
	scan_order(&O);
	ck_assert_int_eq(R.verdict, V_ON_HOLD);
	ck_assert_int_eq(L[0].packed, 1);

	/* Released: packing goes on where it stopped. */
	O.status = ORDER_IN_PROGRESS;
	scan_item("SKU-1", 1);
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_str_eq(R.message, "OK  SKU-1  2 of 3");

	/* Held again: abandon still works. */
	O.status = ORDER_ON_HOLD;
	O.hold_reason = NULL;
	scan_item("SKU-2", 1);
	ck_assert_str_eq(
	    R.message, "ON HOLD #1001: no reason given — wait for release or STN:ABANDON");
	scan_cmd("STN:ABANDON");
	ck_assert_int_eq(R.verdict, V_ABANDONED);
	expect_effects(EFF_ABANDON, -1);
	ck_assert_int_eq(R.next.order_id, 0);
}
END_TEST

START_TEST(test_midpack_bench_commands_pass)
{
	enum order_status st[] = { ORDER_CANCELLED, ORDER_FULFILLED, ORDER_ON_HOLD };
	size_t i;

	for (i = 0; i < 3; i++) {
		setup();
		midpack(st[i]);
		I.has_last_label = 1;
		scan_cmd("STN:PACKER:bob");
		ck_assert_int_eq(R.verdict, V_PACKER);
		ck_assert_int_eq(R.next.order_id, 11);
		scan_cmd("STN:REPRINT");
		ck_assert_int_eq(R.verdict, V_REPRINT);
		expect_effects(EFF_REPRINT_LABEL, -1);
		ck_assert_int_eq(R.next.order_id, 11);
		scan_cmd("STN:LOGOUT");
		ck_assert_int_eq(R.verdict, V_LOGOUT);
		ck_assert_int_eq(R.next.order_id, 11);
		expect_effects(-1);
	}
}
END_TEST

/* ---- duplicate reads ---- */

static void
step_at(int64_t now, const char *code)
{
	I.kind = SCAN_ITEM;
	I.code = code;
	I.sku = code;
	I.multiplier = 1;
	I.now_ms = now;
	session_step(&S, S.order_id != 0 ? &O : NULL, &I, &R);
	apply_effects();
	S = R.next;
}

START_TEST(test_duplicate_window)
{
	L[0].remaining = 10;
	open_o();
	step_at(10000, "SKU-1");
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_str_eq(R.next.last_code, "SKU-1");
	ck_assert_int_eq(R.next.last_ms, 10000);

	step_at(10000 + WINDOW - 1, "SKU-1");
	ck_assert_int_eq(R.verdict, V_DUPLICATE_READ);
	ck_assert_int_eq(verdict_is_refusal(R.verdict), 0);
	expect_effects(-1);
	ck_assert_int_eq(R.next.last_ms, 10000 + WINDOW - 1);
	ck_assert_int_eq(R.order_id, 11);
	ck_assert_str_eq(R.message, "duplicate read ignored: SKU-1");
	ck_assert_int_eq(L[0].packed, 1);

	/* Measured from the latest read: exactly the window is a new unit. */
	step_at(10000 + 2 * WINDOW - 1, "SKU-1");
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(L[0].packed, 2);

	/* Another code in between breaks the pair. */
	step_at(20000, "SKU-1");
	step_at(20001, "SKU-2");
	ck_assert_int_eq(R.verdict, V_OK);
	step_at(20002, "SKU-1");
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(L[0].packed, 4);

	/* Clock stepped back: the same code is taken as a double read. */
	step_at(19800, "SKU-1");
	ck_assert_int_eq(R.verdict, V_DUPLICATE_READ);
	step_at(1000, "SKU-1");
	ck_assert_int_eq(R.verdict, V_DUPLICATE_READ);
	ck_assert_int_eq(R.next.last_ms, 1000);
	step_at(1000 + WINDOW, "SKU-1");
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(L[0].packed, 5);

	/* Window 0 turns detection off. */
	I.dup_window_ms = 0;
	step_at(30000, "SKU-1");
	step_at(30000, "SKU-1");
	ck_assert_int_eq(R.verdict, V_OK);
	ck_assert_int_eq(L[0].packed, 7);
}
END_TEST

START_TEST(test_duplicate_precedes_everything)
{
	/* A double read of the order slip does not say "already open here". */
	scan_order(&O);
	I.now_ms += 10;
	session_step(&S, &O, &I, &R);
	ck_assert_int_eq(R.verdict, V_DUPLICATE_READ);
	/* Nor of a command: one STN:NEWBOX read twice is one new box. */
	scan_item("SKU-1", 1);
	scan_cmd("STN:NEWBOX");
	ck_assert_int_eq(R.next.box, 2);
	I.now_ms += 10;
	session_step(&S, &O, &I, &R);
	ck_assert_int_eq(R.verdict, V_DUPLICATE_READ);
	ck_assert_int_eq(R.next.box, 2);
	/* Nor of a cancelled order's next scan: it closes on the real one. */
	O.status = ORDER_CANCELLED;
	I.now_ms += 10;
	session_step(&S, &O, &I, &R);
	ck_assert_int_eq(R.verdict, V_DUPLICATE_READ);
	ck_assert_int_eq(R.next.order_id, 11);
}
END_TEST

/* ---- messages ---- */

static int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	while (*p != '\0') {
		n = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : -1;
		if (n < 0)
			return 0;
		for (p++; n > 0; n--, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

START_TEST(test_message_truncation)
{
	char code[400];
	size_t i;

	/* 1 + 2-byte characters: every cut position gets tried. */
	for (i = 0; i < 4; i++) {
		setup();
		memset(code, 'a', i);
		code[i] = '\0';
		while (strlen(code) + 2 < sizeof(code) - 1)
			strcat(code, "\xc3\xa9");
		scan_unknown(code);
		ck_assert_int_eq(R.verdict, V_NOT_FOUND);
		ck_assert_uint_le(strlen(R.message), 255);
		ck_assert_uint_ge(strlen(R.message), 254);
		ck_assert(utf8_valid(R.message));
		ck_assert(utf8_valid(R.next.last_code));
		ck_assert_uint_ge(strlen(R.next.last_code), 254);
	}
	/* 3-byte characters (the em dash in the cancel message). */
	for (i = 0; i < 3; i++) {
		setup();
		memset(code, 'a', i);
		code[i] = '\0';
		while (strlen(code) + 3 < sizeof(code) - 1)
			strcat(code, "\xe2\x80\x94");
		scan_unknown(code);
		ck_assert(utf8_valid(R.message));
		ck_assert_uint_ge(strlen(R.message), 253);
		ck_assert(utf8_valid(R.next.last_code));
	}
	/* Control bytes never break the line. */
	setup();
	scan_unknown("AB\x1d"
		     "CD\r\n");
	ck_assert_str_eq(R.message, "no order AB?CD??");
	ck_assert_str_eq(R.next.last_code,
	    "AB\x1d"
	    "CD\r\n");
	/* A code too long to remember is never taken for a duplicate. */
	setup();
	memset(code, 'x', 300);
	code[300] = '\0';
	scan_unknown(code);
	I.now_ms += 1;
	session_step(&S, NULL, &I, &R);
	ck_assert_int_eq(R.verdict, V_NOT_FOUND);
}
END_TEST

/* ---- randomized ---- */

/* Check's own asserts cost a pipe write each in fork mode: too slow here. */
#define REQ(c)                                                                                     \
	do {                                                                                       \
		if (!(c))                                                                          \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c);                         \
	} while (0)

static uint64_t rng_state;

static uint32_t
rng(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static const char *const rand_skus[] = { "SKU-1", "SKU-2", "SKU-3", "SKU-9" };
static const char *const rand_cmds[] = { "STN:PARTIAL", "STN:NEWBOX", "STN:UNDO", "STN:QTY:2",
	"STN:QTY:3", "STN:REPRINT", "STN:ABANDON", "STN:PACKER:p1", "STN:LOGOUT" };

static void
random_order(void)
{
	size_t i;

	O.nlines = 1 + rng(4);
	for (i = 0; i < O.nlines; i++) {
		L[i].line_id = 101 + (int64_t)i;
		L[i].sku = rand_skus[rng(3)];
		L[i].title = "x";
		L[i].remaining = rng(5);
		L[i].packed = L[i].packed_box = 0;
	}
	O.status = ORDER_READY;
	O.station = NULL;
	O.hold_reason = NULL;
	/* The other order is never openable: the model tracks one order. */
	O2.status = rng(2) ? ORDER_ON_HOLD : ORDER_IN_PROGRESS;
	O2.station = "pack-2";
}

/* The shop changes something now and then. */
static void
random_upstream(void)
{
	static const enum order_status st[] = { ORDER_ON_HOLD, ORDER_CANCELLED, ORDER_FULFILLED,
		ORDER_IN_PROGRESS, ORDER_READY, ORDER_PARTIAL };

	switch (rng(40)) {
	case 0:
		O.status = st[rng(6)];
		if (O.status == ORDER_IN_PROGRESS)
			O.station = rng(2) ? "pack-2" : "pack-1";
		break;
	case 1:
		if (L[0].remaining > 0)
			L[0].remaining--;
		break;
	case 2:
		if (O.status == ORDER_ON_HOLD)
			O.status = ORDER_IN_PROGRESS;
		break;
	default: break;
	}
}

static void
random_scan(void)
{
	switch (rng(10)) {
	case 0: scan_order(rng(4) ? &O : &O2); break;
	case 1: scan_unknown("junk"); break;
	case 2:
	case 3: scan_cmd(rand_cmds[rng(9)]); break;
	default:
		I.kind = SCAN_ITEM;
		I.sku = I.code = rand_skus[rng(4)];
		I.multiplier = 1 + rng(2);
		/* Sometimes a double read inside the window. */
		I.now_ms -= rng(4) == 0 ? 1000 - rng(WINDOW) : 0;
		run();
		break;
	}
}

static void
check_invariants(int64_t prev_order, const struct sess_line *prev_lines, size_t nlines)
{
	size_t i, k;
	const struct sess_effect *e;
	int closing = 0;

	REQ(R.verdict < V_COUNT);
	REQ(R.neff <= SESS_MAX_EFFECTS);
	REQ(strlen(R.message) < sizeof(R.message));
	REQ(strlen(R.message) > 0);
	REQ(utf8_valid(R.message));
	for (i = 0; R.message[i] != '\0'; i++)
		REQ((unsigned char)R.message[i] >= 0x20);
	if (R.verdict == V_DUPLICATE_READ)
		REQ(R.neff == 0);
	for (i = 0; i < R.neff; i++) {
		e = &R.eff[i];
		if (e->kind != EFF_REPRINT_LABEL)
			REQ(e->order_id == 11);
		switch (e->kind) {
		case EFF_OPEN:
			REQ(prev_order == 0);
			REQ(R.verdict == V_OPENED);
			break;
		case EFF_COUNT_ITEM:
			REQ(e->units > 0);
			REQ(R.verdict == V_OK || R.verdict == V_COMPLETED);
			/* Accepted scans never pack a line beyond its remaining. */
			for (k = 0; k < nlines; k++)
				if (prev_lines[k].line_id == e->line_id)
					REQ(prev_lines[k].packed + e->units <=
					    prev_lines[k].remaining);
			break;
		case EFF_UNDO_ITEM:
		case EFF_CONFLICT_EVENT:
			REQ(e->units > 0);
			REQ(e->line_id != 0);
			break;
		case EFF_SHIP_FULL:
		case EFF_SHIP_PARTIAL:
		case EFF_ABANDON:
		case EFF_CLOSE_CANCELLED:
		case EFF_CLOSE_SHIPPED:
			closing++;
			REQ(i == R.neff - 1);
			break;
		default: break;
		}
	}
	REQ(closing <= 1);
	if (closing)
		REQ(R.next.order_id == 0);
	if (R.next.order_id == 0) {
		REQ(R.next.box == 0);
		REQ(R.next.qty_next == 0);
	} else {
		REQ(R.next.box >= 1);
	}
	/* Refusals change no counts. */
	if (verdict_is_refusal(R.verdict) || R.verdict == V_DUPLICATE_READ)
		for (k = 0; k < O.nlines; k++)
			if (R.next.order_id != 0)
				REQ(L[k].packed == prev_lines[k].packed);
}

START_TEST(test_random_sequences)
{
	int seq, n;
	size_t k;
	int64_t prev_order;
	struct sess_line prev_lines[4];
	int completed = 0, too_many = 0, conflicts = 0;

	rng_state = 0x9E3779B97F4A7C15ULL;
	for (seq = 0; seq < 3000; seq++) {
		setup();
		random_order();
		for (n = 0; n < 40; n++) {
			random_upstream();
			prev_order = S.order_id;
			memcpy(prev_lines, L, sizeof(L));
			random_scan();
			check_invariants(prev_order, prev_lines, O.nlines);
			/* Through accepted scans packed never exceeds remaining. */
			for (k = 0; k < R.neff; k++) {
				if (R.eff[k].kind == EFF_CONFLICT_EVENT)
					conflicts++;
				if (R.eff[k].kind == EFF_COUNT_ITEM)
					REQ(R.packed <= R.of);
			}
			completed += R.verdict == V_COMPLETED;
			too_many += R.verdict == V_TOO_MANY;
			if (O.status == ORDER_FULFILLED && S.order_id == 0 && rng(3) == 0)
				random_order();
		}
	}
	/* The generator really reaches the interesting states. */
	REQ(completed > 100);
	REQ(too_many > 100);
	REQ(conflicts > 5);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_status_names);
	tcase_add_test(tc, test_verdict_names);
	tcase_add_test(tc, test_parse_command);
	tcase_add_test(tc, test_open_ready);
	tcase_add_test(tc, test_open_partial_and_own_in_progress);
	tcase_add_test(tc, test_open_refusals);
	tcase_add_test(tc, test_order_scan_while_open);
	tcase_add_test(tc, test_order_scan_null_target);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_item_no_order);
	tcase_add_test(tc, test_item_ok_and_too_many);
	tcase_add_test(tc, test_item_wrong);
	tcase_add_test(tc, test_item_complete_one_box);
	tcase_add_test(tc, test_item_complete_two_boxes);
	tcase_add_test(tc, test_item_multiplier);
	tcase_add_test(tc, test_qty);
	tcase_add_test(tc, test_item_two_lines_same_sku);
	tcase_add_test(tc, test_item_lowered_quantity);
	tcase_add_test(tc, test_item_lowered_other_line_no_conflict);
	tcase_add_test(tc, test_undo);
	tcase_add_test(tc, test_newbox_no_order);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc, test_partial_after_newbox);
	tcase_add_test(tc, test_partial_when_all_packed);
	tcase_add_test(tc, test_abandon);
	tcase_add_test(tc, test_packer_logout);
	tcase_add_test(tc, test_reprint);
	tcase_add_test(tc, test_bad_kind_and_cmd);
	tcase_add_test(tc, test_open_lost);
	tcase_add_test(tc, test_midpack_cancelled);
	tcase_add_test(tc, test_midpack_shipped_upstream);
	tcase_add_test(tc, test_midpack_on_hold);
	tcase_add_test(tc, test_midpack_bench_commands_pass);
	tcase_add_test(tc, test_duplicate_window);
	tcase_add_test(tc, test_duplicate_precedes_everything);
	tcase_add_test(tc, test_message_truncation);
	tcase_add_test(tc, test_random_sequences);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
