/*
 * Unit tests of the order lifecycle (station/core/order_state.c): every
 * status x hold x bench x event x argument against a model written apart
 * from the module, named cases for the rules people rely on, and random
 * sequences of lifecycle events and of line quantities against models.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/order_state.h"

/* ---- the model: the lifecycle as the design page states it ---------------------- */

static int
is_closed(enum order_status s)
{
	return s == ORDER_FULFILLED || s == ORDER_CANCELLED || s == ORDER_ARCHIVED ||
	    s == ORDER_DIGITAL;
}

/* Returns 0 and fills *n, or the refusal, from the model's rules. */
static int
model_apply(
    struct order_state c, enum order_event_kind k, enum order_status arg, struct order_state *n)
{
	struct order_state r = c;

	switch (k) {
	case OEV_IMPORT:
		r.status = arg;
		r.hold = arg == ORDER_ON_HOLD ? ORDER_HOLD_SHOP : ORDER_HOLD_NONE;
		r.at_bench = 0;
		break;
	case OEV_CANCEL:
		arg = ORDER_CANCELLED;
		/* FALLTHROUGH */
	case OEV_REIMPORT:
		r.hold = ORDER_HOLD_NONE;
		if (c.status == ORDER_ARCHIVED)
			r.status = ORDER_ARCHIVED;
		else if (arg == ORDER_CANCELLED)
			r.status = ORDER_CANCELLED;
		else if (c.hold == ORDER_HOLD_SUPERVISOR) {
			r.status = ORDER_ON_HOLD;
			r.hold = ORDER_HOLD_SUPERVISOR;
		} else if (arg == ORDER_ON_HOLD) {
			r.status = ORDER_ON_HOLD;
			r.hold = ORDER_HOLD_SHOP;
		} else if (c.at_bench && !is_closed(arg))
			r.status = ORDER_IN_PROGRESS;
		else
			r.status = arg;
		break;
	case OEV_HOLD:
		if (is_closed(c.status))
			return ORDER_REFUSE_NOTHING_TO_HOLD;
		r.status = ORDER_ON_HOLD;
		r.hold = ORDER_HOLD_SUPERVISOR;
		break;
	case OEV_RELEASE:
		if (c.status != ORDER_ON_HOLD)
			return ORDER_REFUSE_NOT_HELD;
		if (c.hold == ORDER_HOLD_SHOP)
			return ORDER_REFUSE_SHOP_HOLD;
		r.hold = ORDER_HOLD_NONE;
		r.status = c.at_bench ? ORDER_IN_PROGRESS : arg;
		break;
	case OEV_OPEN:
		if (c.status != ORDER_READY && c.status != ORDER_PARTIAL &&
		    c.status != ORDER_IN_PROGRESS)
			return ORDER_REFUSE_NOT_OPENABLE;
		r.status = ORDER_IN_PROGRESS;
		r.at_bench = 1;
		break;
	case OEV_SHIP:
	case OEV_CLOSE:
		r.at_bench = 0;
		if (c.status == ORDER_READY || c.status == ORDER_PARTIAL ||
		    c.status == ORDER_IN_PROGRESS)
			r.status = arg;
		break;
	case OEV_ARCHIVE:
		if (c.at_bench || (c.status != ORDER_FULFILLED && c.status != ORDER_CANCELLED))
			return ORDER_REFUSE_NOT_ARCHIVABLE;
		r.status = ORDER_ARCHIVED;
		r.hold = ORDER_HOLD_NONE;
		break;
	default: return ORDER_REFUSE_NOT_OPENABLE;
	}
	*n = r;
	return ORDER_OK;
}

static void
assert_same(const struct order_state *a, const struct order_state *b)
{
	ck_assert_int_eq(a->status, b->status);
	ck_assert_int_eq(a->hold, b->hold);
	ck_assert_int_eq(a->at_bench, b->at_bench);
}

/* ---- names -------------------------------------------------------------------- */

START_TEST(test_names)
{
	static const char *const want[ORDER_STATUS_COUNT] = { "ready", "on_hold", "in_progress",
		"partial", "fulfilled", "cancelled", "archived", "digital" };
	int i;

	for (i = 0; i < ORDER_STATUS_COUNT; i++) {
		ck_assert_str_eq(order_status_name((enum order_status)i), want[i]);
		ck_assert_int_eq(order_status_parse(want[i]), i);
	}
	ck_assert_str_eq(order_status_name(ORDER_STATUS_COUNT), "unknown");
	ck_assert_int_eq(order_status_parse("Ready"), -1);
	ck_assert_int_eq(order_status_parse(NULL), -1);
	ck_assert_ptr_null(order_hold_name(ORDER_HOLD_NONE));
	ck_assert_str_eq(order_hold_name(ORDER_HOLD_SHOP), "shop");
	ck_assert_str_eq(order_hold_name(ORDER_HOLD_SUPERVISOR), "supervisor");
	ck_assert_int_eq(order_hold_parse(NULL), ORDER_HOLD_NONE);
	ck_assert_int_eq(order_hold_parse("shop"), ORDER_HOLD_SHOP);
	ck_assert_int_eq(order_hold_parse("supervisor"), ORDER_HOLD_SUPERVISOR);
	ck_assert_int_eq(order_hold_parse("other"), ORDER_HOLD_NONE);
}
END_TEST

/* ---- every state x event x argument against the model ----------------------------- */

START_TEST(test_exhaustive)
{
	int st, h, b, k, a, n = 0;

	for (st = 0; st < ORDER_STATUS_COUNT; st++)
		for (h = ORDER_HOLD_NONE; h <= ORDER_HOLD_SUPERVISOR; h++)
			for (b = 0; b <= 1; b++)
				for (k = 0; k < OEV_COUNT; k++)
					for (a = 0; a < ORDER_STATUS_COUNT; a++) {
						struct order_state cur = { (enum order_status)st,
							(enum order_hold)h, b };
						struct order_state got = { ORDER_STATUS_COUNT,
							ORDER_HOLD_NONE, 9 },
								   want = got;
						struct order_event ev = { (enum order_event_kind)k,
							(enum order_status)a };
						int rg = order_state_apply(&cur, &ev, &got);
						int rw = model_apply(cur, (enum order_event_kind)k,
						    (enum order_status)a, &want);

						ck_assert_msg(rg == rw,
						    "status %s hold %d bench %d event %d arg %s: %d, model %d",
						    order_status_name(cur.status), h, b, k,
						    order_status_name(ev.shop), rg, rw);
						if (rg == ORDER_OK)
							assert_same(&got, &want);
						else
							ck_assert_int_eq(got.at_bench,
							    9); /* untouched on refusal */
						n++;
					}
	ck_assert_int_eq(n, ORDER_STATUS_COUNT * 3 * 2 * OEV_COUNT * ORDER_STATUS_COUNT);
}
END_TEST

/* ---- the rules people rely on, by name ------------------------------------------ */

static struct order_state
apply_ok(struct order_state cur, enum order_event_kind k, enum order_status arg)
{
	struct order_event ev = { k, arg };
	struct order_state n;

	ck_assert_int_eq(order_state_apply(&cur, &ev, &n), ORDER_OK);
	return n;
}

static int
apply_refused(struct order_state cur, enum order_event_kind k, enum order_status arg)
{
	struct order_event ev = { k, arg };
	struct order_state n;

	return order_state_apply(&cur, &ev, &n);
}

START_TEST(test_named_rules)
{
	struct order_state s = { ORDER_READY, ORDER_HOLD_NONE, 0 };

	/* unpaid at import: held by the shop, and a supervisor cannot release it */
	s = apply_ok(s, OEV_IMPORT, ORDER_ON_HOLD);
	ck_assert_int_eq(s.hold, ORDER_HOLD_SHOP);
	ck_assert_int_eq(apply_refused(s, OEV_RELEASE, ORDER_READY), ORDER_REFUSE_SHOP_HOLD);
	/* paid later: ready */
	s = apply_ok(s, OEV_REIMPORT, ORDER_READY);
	ck_assert_int_eq(s.status, ORDER_READY);
	ck_assert_int_eq(s.hold, ORDER_HOLD_NONE);
	/* a supervisor hold survives re-imports, cancellation ends it */
	s = apply_ok(s, OEV_HOLD, ORDER_READY);
	s = apply_ok(s, OEV_REIMPORT, ORDER_READY);
	ck_assert_int_eq(s.status, ORDER_ON_HOLD);
	ck_assert_int_eq(s.hold, ORDER_HOLD_SUPERVISOR);
	/* a release returns to what the lines say (shipped upstream while held: fulfilled) */
	ck_assert_int_eq(apply_ok(s, OEV_RELEASE, ORDER_FULFILLED).status, ORDER_FULFILLED);
	s = apply_ok(s, OEV_CANCEL, ORDER_READY);
	ck_assert_int_eq(s.status, ORDER_CANCELLED);
	ck_assert_int_eq(apply_refused(s, OEV_HOLD, ORDER_READY), ORDER_REFUSE_NOTHING_TO_HOLD);
	ck_assert_int_eq(apply_refused(s, OEV_OPEN, ORDER_READY), ORDER_REFUSE_NOT_OPENABLE);
	s = apply_ok(s, OEV_ARCHIVE, ORDER_READY);
	ck_assert_int_eq(s.status, ORDER_ARCHIVED);
	/* archived stays archived whatever the shop sends */
	ck_assert_int_eq(apply_ok(s, OEV_REIMPORT, ORDER_READY).status, ORDER_ARCHIVED);

	/* open, re-imported while at the bench: stays in progress unless shipped upstream */
	s = apply_ok(s, OEV_IMPORT, ORDER_PARTIAL);
	s = apply_ok(s, OEV_OPEN, ORDER_READY);
	ck_assert_int_eq(s.status, ORDER_IN_PROGRESS);
	ck_assert_int_eq(apply_ok(s, OEV_REIMPORT, ORDER_READY).status, ORDER_IN_PROGRESS);
	ck_assert_int_eq(apply_ok(s, OEV_REIMPORT, ORDER_FULFILLED).status, ORDER_FULFILLED);
	ck_assert_int_eq(apply_refused(s, OEV_ARCHIVE, ORDER_READY), ORDER_REFUSE_NOT_ARCHIVABLE);
	/* held at the bench, released: back in progress; a shipment then settles it */
	s = apply_ok(s, OEV_HOLD, ORDER_READY);
	ck_assert_int_eq(apply_ok(s, OEV_RELEASE, ORDER_READY).status, ORDER_IN_PROGRESS);
	/* a session that ends on a held order leaves the hold in place */
	ck_assert_int_eq(apply_ok(s, OEV_CLOSE, ORDER_READY).status, ORDER_ON_HOLD);
	s = apply_ok(s, OEV_RELEASE, ORDER_READY);
	s = apply_ok(s, OEV_SHIP, ORDER_PARTIAL);
	ck_assert_int_eq(s.status, ORDER_PARTIAL);
	ck_assert_int_eq(s.at_bench, 0);
	s = apply_ok(s, OEV_OPEN, ORDER_READY);
	s = apply_ok(s, OEV_SHIP, ORDER_FULFILLED);
	ck_assert_int_eq(s.status, ORDER_FULFILLED);
	ck_assert_int_eq(apply_refused(s, OEV_RELEASE, ORDER_READY), ORDER_REFUSE_NOT_HELD);
	ck_assert(order_state_is_openable(ORDER_READY));
	ck_assert(order_state_is_openable(ORDER_PARTIAL));
	ck_assert(order_state_is_openable(ORDER_IN_PROGRESS));
	ck_assert(!order_state_is_openable(ORDER_ON_HOLD));
	ck_assert(!order_state_is_openable(ORDER_DIGITAL));
}
END_TEST

/* ---- line quantities ------------------------------------------------------------- */

static struct order_qty
qty(int64_t q, int64_t f, int64_t shipped, int64_t acked)
{
	struct order_qty l = { q, f, 1, 0, shipped, acked };

	return l;
}

START_TEST(test_quantities)
{
	struct order_qty l[3];

	/* issue 9 #1: x3, 2 fulfilled upstream, 1 shipped here: nothing left */
	l[0] = qty(3, 1, 0, 0);
	ck_assert_int_eq(order_qty_remaining(&l[0]), 1);
	l[0] = qty(3, 1, 1, 0);
	ck_assert_int_eq(order_qty_remaining(&l[0]), 0);
	ck_assert_int_eq(order_state_of_lines(l, 1), ORDER_FULFILLED);
	/* the shop hears of it: fulfillable 0, our unit acknowledged, still nothing left */
	ck_assert_int_eq(order_qty_acked(2, 3, 1, 0), 1);
	l[0] = qty(3, 0, 1, 1);
	ck_assert_int_eq(order_qty_remaining(&l[0]), 0);
	/* then the quantity goes up by one: one more, not two */
	l[0] = qty(4, 1, 1, order_qty_acked(3, 3, 1, 1));
	ck_assert_int_eq(order_qty_remaining(&l[0]), 1);
	ck_assert_int_eq(order_state_of_lines(l, 1), ORDER_PARTIAL);
	/* no upstream: our shipment comes off whether or not the shop heard */
	l[0] = qty(3, 3, 1, 0);
	ck_assert_int_eq(order_qty_remaining(&l[0]), 2);
	l[0] = qty(3, 2, 1, order_qty_acked(0, 1, 1, 0));
	ck_assert_int_eq(l[0].acked, 1);
	ck_assert_int_eq(order_qty_remaining(&l[0]), 2);
	/* the shop un-fulfils (upstream falls): acked never above the upstream count */
	ck_assert_int_eq(order_qty_acked(3, 1, 2, 2), 1);
	ck_assert_int_eq(order_qty_acked(3, 0, 2, 2), 0);
	/* digital and removed lines ship nothing */
	l[0] = qty(3, 3, 0, 0);
	l[0].requires_shipping = 0;
	ck_assert_int_eq(order_qty_remaining(&l[0]), 0);
	ck_assert_int_eq(order_state_of_lines(l, 1), ORDER_DIGITAL);
	l[0] = qty(3, 3, 0, 0);
	l[0].removed = 1;
	ck_assert_int_eq(order_qty_remaining(&l[0]), 0);
	/* issue 9 #3: quantity 0 is nothing to ship, never fulfilled */
	l[0] = qty(0, 0, 0, 0);
	ck_assert_int_eq(order_state_of_lines(l, 1), ORDER_DIGITAL);
	l[1] = qty(2, 2, 0, 0);
	ck_assert_int_eq(order_state_of_lines(l, 2), ORDER_READY);
	l[2] = qty(1, 0, 0, 0); /* fulfilled upstream */
	ck_assert_int_eq(order_state_of_lines(l, 3), ORDER_PARTIAL);
	l[1] = qty(2, 2, 2, 0);
	ck_assert_int_eq(order_state_of_lines(l, 3), ORDER_FULFILLED);
	ck_assert_int_eq(order_state_of_lines(l, 0), ORDER_DIGITAL);
	/* bad data (fulfillable above quantity) never ships more than ordered */
	l[0] = qty(2, 5, 1, 0);
	ck_assert_int_eq(order_qty_remaining(&l[0]), 1);
}
END_TEST

/* ---- random sequences ------------------------------------------------------------ */

static unsigned
rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/*
 * Random lifecycle events from random valid states: the module agrees with
 * the model, and "held" always means status on_hold with a holder.
 */
START_TEST(test_random_lifecycle)
{
	static const enum order_status shop_says[6] = { ORDER_READY, ORDER_PARTIAL, ORDER_FULFILLED,
		ORDER_DIGITAL, ORDER_ON_HOLD, ORDER_CANCELLED };
	unsigned seed = 20261207u;
	int run, step;

	for (run = 0; run < 2000; run++) {
		struct order_state s = { ORDER_READY, ORDER_HOLD_NONE, 0 }, m;
		struct order_event ev = { OEV_IMPORT, shop_says[rnd(&seed, 6)] };

		ck_assert_int_eq(order_state_apply(&s, &ev, &s), ORDER_OK);
		for (step = 0; step < 40; step++) {
			struct order_state got;
			int rg, rw;

			ev.kind = (enum order_event_kind)rnd(&seed, OEV_COUNT);
			if (ev.kind == OEV_IMPORT)
				ev.kind = OEV_REIMPORT;
			/* what the store passes: readiness (re-import), else the lines' status */
			ev.shop = ev.kind == OEV_REIMPORT ? shop_says[rnd(&seed, 6)]
							  : shop_says[rnd(&seed, 4)];
			rg = order_state_apply(&s, &ev, &got);
			rw = model_apply(s, ev.kind, ev.shop, &m);
			ck_assert_int_eq(rg, rw);
			if (rg != ORDER_OK)
				continue;
			assert_same(&got, &m);
			s = got;
			/* held always means on hold with a holder, and back */
			ck_assert_int_eq(s.hold != ORDER_HOLD_NONE, s.status == ORDER_ON_HOLD);
		}
	}
}
END_TEST

/*
 * Random shipments, upstream fulfilments, edits and re-imports of one line
 * against a model that knows every unit: what the station may still ship is
 * exactly what the shop still wants, and never goes negative. The station
 * learns only from re-imports, so (as with a real shop) another shipper's
 * fulfilment is modelled only when the shop has heard of all of ours.
 */
START_TEST(test_random_quantities)
{
	unsigned seed = 7u;
	int run, step;

	for (run = 0; run < 3000; run++) {
		/* the truth */
		int64_t q = 1 + rnd(&seed, 6), others = rnd(&seed, 2), heard = 0, unheard = 0;
		/* what the station knows */
		struct order_qty l = qty(q, q - others, 0, 0);
		int64_t seen_upstream = others;

		for (step = 0; step < 30; step++) {
			int64_t want = q - others - heard - unheard, k;

			if (want < 0)
				want = 0;
			ck_assert_int_eq(order_qty_remaining(&l), want);
			switch (rnd(&seed, 5)) {
			case 0: /* we ship k of what is left */
				if (want == 0)
					break;
				k = 1 + rnd(&seed, (unsigned)want);
				unheard += k;
				l.shipped += k;
				break;
			case 1: /* the shop hears of our shipments */
				heard += unheard;
				unheard = 0;
				break;
			case 2: /* another shipper (the shop knows all of ours) */
				if (unheard == 0 && want > 0)
					others++;
				break;
			case 3: /* the shop edits the quantity up by one */ q++; break;
			default: /* a re-import brings the shop's numbers */ break;
			}
			/* every step ends with a re-import of what the shop says now */
			l.acked = order_qty_acked(
			    seen_upstream, others + heard, l.shipped, l.acked);
			seen_upstream = others + heard;
			l.quantity = q;
			l.fulfillable = q - others - heard;
			ck_assert_int_le(l.shipped, q - others); /* never over-shipped */
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("order_state");
	TCase *tc = tcase_create("lifecycle");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_exhaustive);
	tcase_add_test(tc, test_named_rules);
	tcase_add_test(tc, test_quantities);
	tcase_add_test(tc, test_random_lifecycle);
	tcase_add_test(tc, test_random_quantities);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
