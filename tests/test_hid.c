/* Unit tests for the keyboard and HID POS report decoders, plus a long randomized run. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/hid_kbd.h"
#include "drivers/hid_pos.h"

/* What the decoders told us, in order. */
struct rec {
	char scans[8][HID_SCAN_MAX + 1];
	char aims[8][4];
	size_t lens[8];
	int nscan;
	char bads[8][128];
	int nbad;
};

static void
rec_scan(void *arg, const char *code, size_t len)
{
	struct rec *r = arg;

	ck_assert_uint_eq(strlen(code), len);
	ck_assert_uint_gt(len, 0);
	if (r->nscan < 8) {
		memcpy(r->scans[r->nscan], code, len + 1);
		r->lens[r->nscan] = len;
	}
	r->nscan++;
}

static void
rec_pos_scan(void *arg, const char *code, size_t len, const char *aim)
{
	struct rec *r = arg;

	if (r->nscan < 8)
		snprintf(r->aims[r->nscan], sizeof(r->aims[0]), "%s", aim);
	rec_scan(arg, code, len);
}

static void
rec_bad(void *arg, const char *why)
{
	struct rec *r = arg;

	if (r->nbad < 8)
		snprintf(r->bads[r->nbad], sizeof(r->bads[0]), "%s", why);
	r->nbad++;
}

/* Presses one key with mods, then releases everything. */
static void
key(struct hid_kbd *k, const struct hid_kbd_sink *s, uint8_t mods, uint8_t usage)
{
	uint8_t down[8] = { mods, 0, usage, 0, 0, 0, 0, 0 };
	uint8_t up[8] = { 0 };

	hid_kbd_feed(k, down, 8, s);
	hid_kbd_feed(k, up, 8, s);
}

/* US-layout keystrokes for printable ASCII (test side, not the decoder's). */
static void
type_us(struct hid_kbd *k, const struct hid_kbd_sink *s, const char *str)
{
	static const char *plain = "1234567890\n\x1b\b\t -=[]\\#;'`,./";
	static const char *shift = "!@#$%^&*()\n\x1b\b\t _+{}|~:\"~<>?";
	const char *p;

	for (; *str; str++) {
		char c = *str;

		if (c >= 'a' && c <= 'z')
			key(k, s, 0, (uint8_t)(0x04 + c - 'a'));
		else if (c >= 'A' && c <= 'Z')
			key(k, s, 0x02, (uint8_t)(0x04 + c - 'A'));
		else if (c == 0x1d)
			key(k, s, 0x01, 0x30);
		else if ((p = strchr(plain, c)) != NULL && c != '#')
			key(k, s, 0, (uint8_t)(0x1e + (p - plain)));
		else if ((p = strchr(shift, c)) != NULL)
			key(k, s, 0x02, (uint8_t)(0x1e + (p - shift)));
		else
			ck_abort_msg("cannot type %c", c);
	}
}

#define KBD_SETUP(layout)                                                                          \
	struct rec r;                                                                              \
	struct hid_kbd_sink s = { rec_scan, rec_bad, &r };                                         \
	struct hid_kbd *k = hid_kbd_new(layout);                                                   \
	memset(&r, 0, sizeof(r));                                                                  \
	ck_assert_ptr_nonnull(k)

START_TEST(us_basic)
{
	KBD_SETUP(HID_KBD_US);
	type_us(k, &s, "ABC-123/x_Z\n");
	type_us(k, &s, "#1001\t");
	ck_assert_int_eq(r.nscan, 2);
	ck_assert_str_eq(r.scans[0], "ABC-123/x_Z");
	ck_assert_str_eq(r.scans[1], "#1001");
	ck_assert_int_eq(r.nbad, 0);
	hid_kbd_free(k);
}
END_TEST

START_TEST(us_gs1_group_separator)
{
	KBD_SETUP(HID_KBD_US);
	type_us(k, &s,
	    "0109501101020917171905"
	    "10ABC\x1d"
	    "21XYZ\n");
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0],
	    "010950110102091717190510ABC\x1d"
	    "21XYZ");
	hid_kbd_free(k);
}
END_TEST

START_TEST(alt_keypad_029)
{
	uint8_t rep[8] = { 0x04, 0, 0, 0, 0, 0, 0, 0 };

	KBD_SETUP(HID_KBD_US);
	type_us(k, &s, "10A");
	/* Alt held, keypad 0, 2, 9 pressed and released, then Alt up */
	hid_kbd_feed(k, rep, 8, &s);
	rep[2] = 0x62;
	hid_kbd_feed(k, rep, 8, &s);
	rep[2] = 0;
	hid_kbd_feed(k, rep, 8, &s);
	rep[2] = 0x5a;
	hid_kbd_feed(k, rep, 8, &s);
	rep[2] = 0;
	hid_kbd_feed(k, rep, 8, &s);
	rep[2] = 0x61;
	hid_kbd_feed(k, rep, 8, &s);
	rep[2] = 0;
	hid_kbd_feed(k, rep, 8, &s);
	type_us(k, &s, "21B\n");
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0],
	    "10A\x1d"
	    "21B");
	hid_kbd_free(k);
}
END_TEST

START_TEST(de_layout)
{
	KBD_SETUP(HID_KBD_DE);
	key(k, &s, 0x02, 0x1c); /* Shift + US-y position: Z */
	key(k, &s, 0, 0x1d);	/* US-z position: y */
	key(k, &s, 0, 0x31);	/* # */
	key(k, &s, 0x40, 0x14); /* AltGr + q: @ */
	key(k, &s, 0x05, 0x14); /* LCtrl+LAlt (AltGr) + q: @ */
	key(k, &s, 0x02, 0x24); /* Shift + 7: / */
	key(k, &s, 0, 0x38);	/* - */
	key(k, &s, 0x02, 0x38); /* _ */
	key(k, &s, 0, 0x2d);	/* sz */
	key(k, &s, 0x02, 0x34); /* A umlaut */
	key(k, &s, 0x41, 0x26); /* Ctrl + AltGr + 9 (]): GS */
	key(k, &s, 0, 0x1e);
	key(k, &s, 0, 0x28);
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0],
	    "Zy#@@/-_\xc3\x9f\xc3\x84\x1d"
	    "1");
	ck_assert_int_eq(r.nbad, 0);
	hid_kbd_free(k);
}
END_TEST

START_TEST(fr_layout)
{
	KBD_SETUP(HID_KBD_FR);
	key(k, &s, 0x02, 0x27); /* Shift + 0: 0 */
	key(k, &s, 0x02, 0x1e); /* 1 */
	key(k, &s, 0x02, 0x1f); /* 2 */
	key(k, &s, 0, 0x14);	/* US-q position: a */
	key(k, &s, 0, 0x04);	/* US-a position: q */
	key(k, &s, 0, 0x1f);	/* e acute */
	key(k, &s, 0, 0x33);	/* m */
	key(k, &s, 0x40, 0x27); /* AltGr + 0: @ */
	key(k, &s, 0, 0x23);	/* - */
	key(k, &s, 0, 0x1e);	/* & */
	key(k, &s, 0, 0x2f);	/* dead ^ ... */
	key(k, &s, 0, 0x08);	/* ... + e: e circumflex */
	key(k, &s, 0x02, 0x37); /* / */
	key(k, &s, 0x41, 0x2d); /* Ctrl + AltGr + ): GS */
	key(k, &s, 0, 0x2b);	/* Tab ends */
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0], "012aq\xc3\xa9m@-&\xc3\xaa/\x1d");
	hid_kbd_free(k);
}
END_TEST

START_TEST(dead_key_space_and_other)
{
	KBD_SETUP(HID_KBD_DE);
	key(k, &s, 0, 0x35); /* dead ^ */
	key(k, &s, 0, 0x2c); /* space: ^ itself */
	key(k, &s, 0, 0x35); /* dead ^ */
	key(k, &s, 0, 0x1e); /* 1: ^1 */
	key(k, &s, 0, 0x35); /* dead ^ at the end */
	key(k, &s, 0, 0x28);
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0], "^^1^");
	hid_kbd_free(k);
}
END_TEST

START_TEST(held_and_rolled_keys)
{
	uint8_t a[8] = { 0, 0, 0x04, 0, 0, 0, 0, 0 };
	uint8_t ab[8] = { 0, 0, 0x04, 0x05, 0, 0, 0, 0 };
	uint8_t up[8] = { 0 };

	KBD_SETUP(HID_KBD_US);
	hid_kbd_feed(k, a, 8, &s);
	hid_kbd_feed(k, a, 8, &s);  /* still held: no repeat */
	hid_kbd_feed(k, ab, 8, &s); /* b pressed while a held */
	hid_kbd_feed(k, up, 8, &s);
	hid_kbd_feed(k, a, 8, &s);
	hid_kbd_feed(k, up, 8, &s);
	type_us(k, &s, "\n");
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0], "aba");
	hid_kbd_free(k);
}
END_TEST

START_TEST(malformed_reports)
{
	uint8_t roll[8] = { 0, 0, 1, 1, 1, 1, 1, 1 };
	uint8_t shortrep[5] = { 0, 0, 0x04, 0, 0 };

	KBD_SETUP(HID_KBD_US);
	type_us(k, &s, "AB");
	hid_kbd_feed(k, roll, 8, &s);
	hid_kbd_feed(k, shortrep, 5, &s);
	type_us(k, &s, "C\n");
	ck_assert_int_eq(r.nbad, 2);
	ck_assert_str_eq(r.bads[0], "keyboard error rollover report");
	ck_assert_str_eq(r.bads[1], "keyboard report of 5 bytes");
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0], "ABC");

	/* an unknown usage (F1) spoils the whole scan, the next one is fine */
	type_us(k, &s, "12");
	key(k, &s, 0, 0x3a);
	type_us(k, &s, "3\n");
	ck_assert_int_eq(r.nbad, 3);
	ck_assert_str_eq(r.bads[2], "scan dropped: unknown key usage 0x3a");
	ck_assert_int_eq(r.nscan, 1);
	type_us(k, &s, "OK\n");
	ck_assert_int_eq(r.nscan, 2);
	ck_assert_str_eq(r.scans[1], "OK");
	hid_kbd_free(k);
}
END_TEST

START_TEST(overlong_scan)
{
	int i;

	KBD_SETUP(HID_KBD_US);
	for (i = 0; i < 5000; i++)
		key(k, &s, 0, 0x1e);
	ck_assert_int_eq(r.nbad, 1);
	ck_assert_str_eq(r.bads[0], "scan longer than 4096 bytes dropped");
	type_us(k, &s, "\n");
	ck_assert_int_eq(r.nscan, 0);
	/* exactly the limit is still a scan */
	for (i = 0; i < HID_SCAN_MAX; i++)
		key(k, &s, 0, 0x1f);
	type_us(k, &s, "\n");
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_uint_eq(r.lens[0], HID_SCAN_MAX);
	type_us(k, &s, "Z\n");
	ck_assert_int_eq(r.nscan, 2);
	ck_assert_str_eq(r.scans[1], "Z");
	hid_kbd_free(k);
}
END_TEST

START_TEST(reset_drops_partial)
{
	KBD_SETUP(HID_KBD_US);
	ck_assert_uint_eq(hid_kbd_reset(k), 0);
	type_us(k, &s, "PART");
	ck_assert_uint_eq(hid_kbd_reset(k), 4);
	type_us(k, &s, "NEW\n");
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0], "NEW");
	hid_kbd_free(k);
}
END_TEST

START_TEST(layout_names)
{
	enum hid_kbd_layout l;

	ck_assert_int_eq(hid_kbd_layout_parse(NULL, &l), 0);
	ck_assert_int_eq(l, HID_KBD_US);
	ck_assert_int_eq(hid_kbd_layout_parse("de", &l), 0);
	ck_assert_int_eq(l, HID_KBD_DE);
	ck_assert_int_eq(hid_kbd_layout_parse("fr", &l), 0);
	ck_assert_int_eq(l, HID_KBD_FR);
	ck_assert_int_eq(hid_kbd_layout_parse("uk", &l), -1);
	hid_kbd_free(NULL);
	hid_pos_free(NULL);
}
END_TEST

/* Builds a 64-byte HID POS report. */
static void
pos_report(uint8_t rep[64], const char *aim, const char *data, size_t n, int more)
{
	memset(rep, 0, 64);
	rep[0] = (uint8_t)n;
	if (aim != NULL)
		memcpy(rep + 1, aim, 3);
	memcpy(rep + 4, data, n);
	rep[63] = (uint8_t)more;
}

#define POS_SETUP()                                                                                \
	struct rec r;                                                                              \
	struct hid_pos_sink s = { rec_pos_scan, rec_bad, &r };                                     \
	struct hid_pos *p = hid_pos_new();                                                         \
	uint8_t rep[64];                                                                           \
	memset(&r, 0, sizeof(r));                                                                  \
	ck_assert_ptr_nonnull(p)

START_TEST(pos_single)
{
	POS_SETUP();
	pos_report(rep, "]E0", "4006381333931", 13, 0);
	hid_pos_feed(p, rep, 64, &s);
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0], "4006381333931");
	ck_assert_str_eq(r.aims[0], "]E0");
	pos_report(rep, NULL, "ABC\r\n", 5, 0);
	hid_pos_feed(p, rep, 64, &s);
	ck_assert_int_eq(r.nscan, 2);
	ck_assert_str_eq(r.scans[1], "ABC");
	ck_assert_str_eq(r.aims[1], "");
	hid_pos_free(p);
}
END_TEST

START_TEST(pos_multi_report)
{
	char big[160];
	size_t i;

	POS_SETUP();
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 26);
	big[20] = 0x1d;
	pos_report(rep, "]C1", big, 59, 1);
	hid_pos_feed(p, rep, 64, &s);
	pos_report(rep, "]C1", big + 59, 59, 1);
	hid_pos_feed(p, rep, 64, &s);
	ck_assert_int_eq(r.nscan, 0);
	pos_report(rep, "]C1", big + 118, 42, 0);
	hid_pos_feed(p, rep, 64, &s);
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_uint_eq(r.lens[0], 160);
	ck_assert_int_eq(memcmp(r.scans[0], big, 160), 0);
	ck_assert_str_eq(r.aims[0], "]C1");
	hid_pos_free(p);
}
END_TEST

START_TEST(pos_malformed)
{
	int i;

	POS_SETUP();
	hid_pos_feed(p, (const uint8_t *)"\x01]E0", 4, &s);
	pos_report(rep, "]E0", "X", 1, 0);
	rep[0] = 60; /* claims more than fits */
	hid_pos_feed(p, rep, 64, &s);
	ck_assert_int_eq(r.nbad, 2);
	ck_assert_str_eq(r.bads[0], "HID POS report of 4 bytes");
	ck_assert_str_eq(r.bads[1], "HID POS report claims 60 data bytes in 64");
	pos_report(rep, "]E0", "A\0B", 3, 0);
	hid_pos_feed(p, rep, 64, &s);
	ck_assert_int_eq(r.nbad, 3);
	ck_assert_str_eq(r.bads[2], "scan with a NUL byte dropped");
	/* overlong: 80 reports of 59 bytes, one event, nothing delivered */
	memset(rep, 'x', sizeof(rep));
	for (i = 0; i < 80; i++) {
		rep[0] = 59;
		rep[63] = i < 79;
		hid_pos_feed(p, rep, 64, &s);
	}
	ck_assert_int_eq(r.nbad, 4);
	ck_assert_str_eq(r.bads[3], "scan longer than 4096 bytes dropped");
	ck_assert_int_eq(r.nscan, 0);
	pos_report(rep, "]E0", "1", 1, 1);
	hid_pos_feed(p, rep, 64, &s);
	ck_assert_uint_eq(hid_pos_reset(p), 1);
	pos_report(rep, "]E0", "2", 1, 0);
	hid_pos_feed(p, rep, 64, &s);
	ck_assert_int_eq(r.nscan, 1);
	ck_assert_str_eq(r.scans[0], "2");
	hid_pos_free(p);
}
END_TEST

/* Cheap deterministic generator so a failure can be replayed. */
static uint32_t
rnd(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

/* Checks a delivered code is valid UTF-8 (the keyboard path only makes UTF-8). */
static int
is_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = (s[i] & 0xe0) == 0xc0 ? 1 : (s[i] & 0xf0) == 0xe0 ? 2 : 0;
		if (k == 0 || i + k >= n)
			return 0;
		for (; k > 0; k--)
			if ((s[++i] & 0xc0) != 0x80)
				return 0;
		i++;
	}
	return 1;
}

struct fuzz_rec {
	long scans, bads;
	int bad_utf8;
};

static void
fz_scan(void *arg, const char *code, size_t len)
{
	struct fuzz_rec *f = arg;

	if (strlen(code) != len || len == 0 || len > HID_SCAN_MAX)
		ck_abort_msg("bad scan length %zu", len);
	if (!is_utf8((const unsigned char *)code, len))
		f->bad_utf8++;
	f->scans++;
}

static void
fz_pos_scan(void *arg, const char *code, size_t len, const char *aim)
{
	struct fuzz_rec *f = arg;

	if (strlen(code) != len || len == 0 || len > HID_SCAN_MAX || strlen(aim) > 3)
		ck_abort_msg("bad POS scan length %zu", len);
	f->scans++;
}

static void
fz_bad(void *arg, const char *why)
{
	struct fuzz_rec *f = arg;

	ck_assert_uint_gt(strlen(why), 0);
	f->bads++;
}

START_TEST(randomized_reports)
{
	struct fuzz_rec f = { 0, 0, 0 };
	struct hid_kbd_sink ks = { fz_scan, fz_bad, &f };
	struct hid_pos_sink ps = { fz_pos_scan, fz_bad, &f };
	struct hid_kbd *k[3];
	struct hid_pos *p = hid_pos_new();
	uint32_t st = 0x5eed1234;
	uint8_t rep[80];
	long i;
	size_t len, j;

	for (j = 0; j < 3; j++)
		ck_assert_ptr_nonnull(k[j] = hid_kbd_new((enum hid_kbd_layout)j));
	for (i = 0; i < 600000; i++) {
		uint32_t m = rnd(&st);

		/* mostly well-formed lengths, sometimes anything */
		len = (m & 7) == 0 ? rnd(&st) % 80 : (m & 1) ? 8 : 64;
		for (j = 0; j < len; j++) {
			uint32_t v = rnd(&st);

			/* bias key codes toward the interesting range */
			rep[j] = (v & 3) == 0 ? 0 : (uint8_t)((v >> 8) % ((v & 4) ? 0x70 : 0x100));
		}
		if (len == 64 && (m & 0x30) == 0)
			rep[0] = (uint8_t)(rnd(&st) % 60);
		if ((m & 0x300) == 0 && len > 0)
			rep[len - 1] = 0;
		hid_kbd_feed(k[i % 3], rep, len, &ks);
		hid_pos_feed(p, rep, len, &ps);
		if ((m & 0xfff0) == 0) {
			hid_kbd_reset(k[m % 3]);
			hid_pos_reset(p);
		}
	}
	ck_assert_int_eq(f.bad_utf8, 0);
	ck_assert_int_gt(f.scans, 100);
	ck_assert_int_gt(f.bads, 100);
	for (j = 0; j < 3; j++)
		hid_kbd_free(k[j]);
	hid_pos_free(p);
}
END_TEST

static Suite *
hid_suite(void)
{
	Suite *s = suite_create("hid");
	TCase *tc = tcase_create("kbd");
	TCase *tp = tcase_create("pos");
	TCase *tf = tcase_create("random");

	tcase_add_test(tc, us_basic);
	tcase_add_test(tc, us_gs1_group_separator);
	tcase_add_test(tc, alt_keypad_029);
	tcase_add_test(tc, de_layout);
	tcase_add_test(tc, fr_layout);
	tcase_add_test(tc, dead_key_space_and_other);
	tcase_add_test(tc, held_and_rolled_keys);
	tcase_add_test(tc, malformed_reports);
	tcase_add_test(tc, overlong_scan);
	tcase_add_test(tc, reset_drops_partial);
	tcase_add_test(tc, layout_names);
	tcase_add_test(tp, pos_single);
	tcase_add_test(tp, pos_multi_report);
	tcase_add_test(tp, pos_malformed);
	tcase_add_test(tf, randomized_reports);
	tcase_set_timeout(tf, 60);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, tf);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hid_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
