/*
 * The scale driver against an emulated USB HID POS scale (umockdev + the
 * fake in fake_usb.c, FAKE_SCALE: a Dymo 0922:8003's descriptors and its
 * 6-byte reports): real libusb, real poll loop, exact weights and alerts.
 * Also the pure report decoder (drivers/hid_scale.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/loop.h"
#include "drivers/hid_scale.h"
#include "drivers/scale.h"
#include "tests/fake_usb.h"

#define WAIT_MS 3000

struct ev {
	char kind; /* 'w' weight, 'a' alert */
	char station[32];
	char text[256];
	int connected;
	struct hid_scale_reading r;
};

static struct ev evs[64];
static int nev;

static void
on_weight(void *arg, const char *station, const struct hid_scale_reading *r)
{
	(void)arg;
	if (nev == 64)
		return;
	evs[nev].kind = 'w';
	snprintf(evs[nev].station, sizeof(evs[0].station), "%s", station);
	evs[nev].r = *r;
	nev++;
}

static void
on_alert(void *arg, const char *station, int connected, const char *msg)
{
	(void)arg;
	if (nev == 64)
		return;
	evs[nev].kind = 'a';
	snprintf(evs[nev].station, sizeof(evs[0].station), "%s", station);
	snprintf(evs[nev].text, sizeof(evs[0].text), "%s", msg);
	evs[nev].connected = connected;
	nev++;
}

static struct fake_usb *fu;
static struct loop *lp;
static struct scales *ss;

static void
setup(void)
{
	nev = 0;
	memset(evs, 0, sizeof(evs));
	fu = fake_usb_new();
	ck_assert_ptr_nonnull(fu);
	lp = loop_new();
	ck_assert_ptr_nonnull(lp);
}

static void
teardown(void)
{
	scales_free(ss);
	ss = NULL;
	loop_free(lp);
	lp = NULL;
	fake_usb_free(fu);
	fu = NULL;
}

static void
start(const char *station, const char *spec)
{
	char err[256];

	ss = scales_new(lp, on_weight, on_alert, NULL);
	ck_assert_ptr_nonnull(ss);
	ck_assert_msg(scales_add(ss, station, spec, err, sizeof(err)) == 0, "%s", err);
}

static void
wait_events(int n)
{
	int64_t t0 = loop_now_ms();

	while (nev < n && loop_now_ms() - t0 < WAIT_MS)
		loop_run_once(lp, 10);
	ck_assert_msg(nev >= n, "waited for %d events, got %d", n, nev);
}

/* Sends one report: [3, status, unit, exponent, weight LE16]. */
static void
send(struct fake_dev *d, int status, int unit, int exp, unsigned w)
{
	uint8_t r[6] = { 3, (uint8_t)status, (uint8_t)unit, (uint8_t)(int8_t)exp,
		(uint8_t)(w & 0xff), (uint8_t)(w >> 8) };

	fake_dev_send(d, r, sizeof(r));
}

static void
assert_weight(int i, int status, int64_t grams, int stable)
{
	ck_assert_int_eq(evs[i].kind, 'w');
	ck_assert_int_eq(evs[i].r.status, status);
	ck_assert_int_eq(hid_scale_grams(&evs[i].r), grams);
	ck_assert_int_eq(evs[i].r.stable, stable);
}

static void
assert_alert(int i, int connected, const char *prefix)
{
	ck_assert_int_eq(evs[i].kind, 'a');
	ck_assert_int_eq(evs[i].connected, connected);
	ck_assert_msg(strncmp(evs[i].text, prefix, strlen(prefix)) == 0,
	    "alert \"%s\" does not start with \"%s\"", evs[i].text, prefix);
}

/* ---- the pure decoder ---- */

START_TEST(decode_units_and_exponents)
{
	/* bytes as a Dymo M25 sends them */
	static const struct {
		uint8_t rep[6];
		int64_t mg;
	} cases[] = {
		{ { 3, 4, 2, 0, 0x52, 0x03 }, 850000 },	    /* 850 g */
		{ { 3, 4, 3, 0xfe, 0x7c, 0x00 }, 1240000 }, /* 124 x 10^-2 kg */
		{ { 3, 4, 11, 0xff, 0x19, 0x01 }, 796622 }, /* 28.1 oz */
		{ { 3, 4, 12, 0xfe, 0x8c, 0x00 }, 635029 }, /* 1.40 lb */
		{ { 3, 4, 2, 1, 0x0c, 0x00 }, 120000 },	    /* 12 x 10 g */
		{ { 3, 2, 11, 0xff, 0x00, 0x00 }, 0 },	    /* stable zero */
		{ { 3, 5, 2, 0, 0x0c, 0x00 }, -12000 },	    /* under zero */
	};
	struct hid_scale_reading r;
	char why[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(hid_scale_decode(cases[i].rep, 6, &r, why, sizeof(why)), 0);
		ck_assert_msg(r.mg == cases[i].mg, "case %zu: %lld mg", i, (long long)r.mg);
	}
	ck_assert_int_eq(hid_scale_grams(&r), -12);
	ck_assert_int_eq(r.stable, 0);
}
END_TEST

START_TEST(decode_refusals_and_words)
{
	static const uint8_t shortr[4] = { 3, 4, 2, 0 };
	static const uint8_t id4[6] = { 4, 4, 2, 0, 1, 0 };
	static const uint8_t st9[6] = { 3, 9, 2, 0, 1, 0 };
	static const uint8_t unit0[6] = { 3, 4, 0, 0, 1, 0 };
	static const uint8_t exp20[6] = { 3, 4, 2, 20, 1, 0 };
	/* found by fuzz_hid_scale: metric tons x 10^8 overflowed the conversion */
	static const uint8_t tons[6] = { 3, 8, 8, 8, 8, 8 };
	static const uint8_t over[6] = { 3, 6, 2, 0, 0, 0 };
	static const uint8_t motion[6] = { 3, 3, 2, 0, 0xf4, 0x01 };
	static const uint8_t kg[6] = { 3, 4, 3, 0xfe, 0x7c, 0x00 };
	struct hid_scale_reading r;
	char why[96], text[128];

	ck_assert_int_eq(hid_scale_decode(shortr, 4, &r, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "scale report of 4 bytes (want 6)");
	ck_assert_int_eq(hid_scale_decode(id4, 6, &r, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "scale report id 4 ignored");
	ck_assert_int_eq(hid_scale_decode(st9, 6, &r, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "scale status 9 unknown");
	ck_assert_int_eq(hid_scale_decode(unit0, 6, &r, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "scale unit 0 unknown");
	ck_assert_int_eq(hid_scale_decode(exp20, 6, &r, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "scale exponent 20 out of range");
	ck_assert_int_eq(hid_scale_decode(tons, 6, &r, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "scale weight out of range (unit 8, exponent 8)");
	ck_assert_int_eq(hid_scale_decode(over, 6, &r, why, sizeof(why)), 0);
	hid_scale_describe(&r, text, sizeof(text));
	ck_assert_str_eq(text, "over weight: the box is too heavy for the scale");
	ck_assert_int_eq(hid_scale_decode(motion, 6, &r, why, sizeof(why)), 0);
	hid_scale_describe(&r, text, sizeof(text));
	ck_assert_str_eq(text, "in motion (500 g)");
	ck_assert_int_eq(hid_scale_decode(kg, 6, &r, why, sizeof(why)), 0);
	hid_scale_describe(&r, text, sizeof(text));
	ck_assert_str_eq(text, "1.24 kg");
}
END_TEST

/* ---- the emulated scale ---- */

START_TEST(dymo_units_unstable_then_stable)
{
	struct fake_dev *d = fake_usb_plug(fu, FAKE_SCALE, 0x0922, 0x8003, NULL, 1);
	struct hid_scale_reading r;
	struct fake_stats st;

	ck_assert_ptr_nonnull(d);
	start("pack-1", "usb:0922:8003");
	wait_events(1);
	assert_alert(0, 1, "scale attached (0922:8003");
	ck_assert_msg(strstr(evs[0].text, "no HID POS") == NULL, "%s", evs[0].text);
	fake_dev_stats(d, &st);
	ck_assert_int_eq(st.claimed, 1);
	ck_assert_int_eq(st.kernel_driver, 0);
	ck_assert_int_eq(scales_station_reading(ss, "pack-1", &r), 0);
	/* empty platter, a box put on (in motion twice), then it settles */
	send(d, 2, 2, 0, 0);
	send(d, 3, 2, 0, 310);
	send(d, 3, 2, 0, 822);
	send(d, 4, 2, 0, 840);
	send(d, 4, 2, 0, 840);	 /* repeated: no new event */
	send(d, 4, 3, -2, 124);	 /* the packer switched to kg */
	send(d, 4, 11, -1, 281); /* oz */
	send(d, 4, 12, -2, 140); /* lb */
	wait_events(8);
	assert_weight(1, 2, 0, 1);
	assert_weight(2, 3, 310, 0);
	assert_weight(3, 3, 822, 0);
	assert_weight(4, 4, 840, 1);
	assert_weight(5, 4, 1240, 1);
	assert_weight(6, 4, 797, 1);
	assert_weight(7, 4, 635, 1);
	ck_assert_int_eq(scales_station_reading(ss, "pack-1", &r), 1);
	ck_assert_int_eq(hid_scale_grams(&r), 635);
	ck_assert_int_eq(scales_station_reading(ss, "pack-2", &r), -1);
	ck_assert_int_eq(nev, 8);
	scales_free(ss);
	ss = NULL;
	fake_dev_stats(d, &st);
	ck_assert_int_eq(st.claimed, 0);
	ck_assert_int_eq(st.kernel_driver, 1);
}
END_TEST

START_TEST(negative_over_range_and_states)
{
	struct fake_dev *d = fake_usb_plug(fu, FAKE_SCALE, 0x0922, 0x8003, NULL, 1);
	static const uint8_t junk[6] = { 3, 0, 2, 0, 0, 0 };

	start("pack-1", "usb:0922:8003");
	wait_events(1);
	send(d, 5, 2, 0, 12); /* box lifted off a tared scale */
	send(d, 6, 2, 0, 0);  /* over weight */
	send(d, 7, 2, 0, 0);  /* requires calibration */
	send(d, 8, 2, 0, 0);  /* requires re-zeroing */
	send(d, 1, 2, 0, 0);  /* fault */
	fake_dev_send(d, junk, sizeof(junk));
	send(d, 2, 2, 0, 0);
	wait_events(13);
	assert_alert(1, -1, "under zero (-12 g): re-zero the scale");
	assert_weight(2, 5, -12, 0);
	assert_alert(3, -1, "over weight");
	assert_weight(4, 6, 0, 0);
	assert_alert(5, -1, "requires calibration");
	assert_weight(6, 7, 0, 0);
	assert_alert(7, -1, "requires re-zeroing");
	assert_weight(8, 8, 0, 0);
	assert_alert(9, -1, "fault");
	assert_weight(10, 1, 0, 0);
	assert_alert(11, -1, "scale status 0 unknown");
	assert_weight(12, 2, 0, 1);
}
END_TEST

START_TEST(unplug_and_replug_mid_shift)
{
	struct fake_dev *d = fake_usb_plug(fu, FAKE_SCALE, 0x0922, 0x8003, "M25A", 2);
	struct hid_scale_reading r;
	int64_t t0;

	start("pack-1", "usb:0922:8003:M25A");
	wait_events(1);
	send(d, 4, 2, 0, 500);
	wait_events(2);
	assert_weight(1, 4, 500, 1);
	fake_usb_unplug(fu, d);
	wait_events(3);
	assert_alert(2, 0, "scale unplugged");
	/* an unplugged scale has no reading: a box is never weighed stale */
	ck_assert_int_eq(scales_station_reading(ss, "pack-1", &r), 0);
	ck_assert_int_eq(scales_count_connected(ss), 0);
	t0 = loop_now_ms();
	d = fake_usb_plug(fu, FAKE_SCALE, 0x0922, 0x8003, "M25A", 2);
	wait_events(4);
	assert_alert(3, 1, "scale attached (0922:8003");
	ck_assert_msg(
	    loop_now_ms() - t0 <= 1000, "replug took %lld ms", (long long)(loop_now_ms() - t0));
	ck_assert_int_eq(scales_station_reading(ss, "pack-1", &r), 0);
	send(d, 4, 2, 0, 505);
	wait_events(5);
	assert_weight(4, 4, 505, 1);
	ck_assert_int_eq(scales_station_reading(ss, "pack-1", &r), 1);
	ck_assert_int_eq(hid_scale_grams(&r), 505);
}
END_TEST

START_TEST(spec_check)
{
	char err[256];

	ck_assert_int_eq(scale_spec_check("usb:0922:8003", err, sizeof(err)), 0);
	ck_assert_int_eq(scale_spec_check("usb-port:1-1.4", err, sizeof(err)), 0);
	ck_assert_int_eq(scale_spec_check("com1", err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "bad scale 'com1': want usb:VID:PID[:SERIAL] or"
	    " usb-port:BUS-PORT[.PORT...]");
}
END_TEST

#define ADD(s, fn, fx)                                                                             \
	do {                                                                                       \
		TCase *tc = tcase_create(#fn);                                                     \
		if (fx)                                                                            \
			tcase_add_checked_fixture(tc, setup, teardown);                            \
		tcase_set_timeout(tc, 20);                                                         \
		tcase_add_test(tc, fn);                                                            \
		suite_add_tcase(s, tc);                                                            \
	} while (0)

static Suite *
scale_suite(void)
{
	Suite *s = suite_create("scale_umockdev");

	ADD(s, decode_units_and_exponents, 0);
	ADD(s, decode_refusals_and_words, 0);
	ADD(s, spec_check, 0);
	ADD(s, dymo_units_unstable_then_stable, 1);
	ADD(s, negative_over_range_and_states, 1);
	ADD(s, unplug_and_replug_mid_shift, 1);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	(void)argc;
	if (fake_usb_reexec(argv) == -1)
		return 1;
	sr = srunner_create(scale_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
