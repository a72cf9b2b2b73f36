/*
 * The scanner driver against emulated USB scanners (umockdev + the fake in
 * fake_usb.c): real libusb, real poll loop, exact codes and alerts.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/scanner.h"
#include "drivers/usb_hid.h"
#include "common/loop.h"
#include "tests/fake_usb.h"

#define WAIT_MS 3000

struct ev {
	char kind; /* 's' scan, 'a' alert */
	char station[32];
	char text[4200]; /* code or message */
	char aim[4];
	int connected;
};

static struct ev evs[64];
static int nev;

static void
on_scan(void *arg, const char *station, const char *code, const char *aim)
{
	(void)arg;
	if (nev == 64)
		return;
	evs[nev].kind = 's';
	snprintf(evs[nev].station, sizeof(evs[0].station), "%s", station);
	snprintf(evs[nev].text, sizeof(evs[0].text), "%s", code);
	snprintf(evs[nev].aim, sizeof(evs[0].aim), "%s", aim);
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

/* Everything one test needs; torn down by teardown() even on failure. */
static struct fake_usb *fu;
static struct loop *lp;
static struct scanners *ss;

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
	scanners_free(ss);
	ss = NULL;
	loop_free(lp);
	lp = NULL;
	fake_usb_free(fu);
	fu = NULL;
}

static void
start(void)
{
	ss = scanners_new(lp, on_scan, on_alert, NULL);
	ck_assert_ptr_nonnull(ss);
}

static void
add(const char *station, const char *spec, const char *layout)
{
	char err[256];

	ck_assert_msg(scanners_add(ss, station, spec, layout, err, sizeof(err)) == 0, "%s", err);
}

/* Runs the loop until n events arrived; returns the ms it took. */
static int64_t
wait_events(int n)
{
	int64_t t0 = loop_now_ms();

	while (nev < n && loop_now_ms() - t0 < WAIT_MS)
		loop_run_once(lp, 10);
	ck_assert_msg(nev >= n, "waited for %d events, got %d", n, nev);
	return loop_now_ms() - t0;
}

/* Runs the loop until the fake has handed over every queued report. */
static void
wait_drained(struct fake_dev *d)
{
	struct fake_stats st;
	int64_t t0 = loop_now_ms();

	do {
		loop_run_once(lp, 10);
		fake_dev_stats(d, &st);
	} while (st.queued > 0 && loop_now_ms() - t0 < WAIT_MS);
	ck_assert_int_eq(st.queued, 0);
	/* a few more turns so that reaped URBs reach the decoder */
	t0 = loop_now_ms();
	while (loop_now_ms() - t0 < 30)
		loop_run_once(lp, 5);
}

static void
assert_scan(int i, const char *station, const char *code, const char *aim)
{
	ck_assert_int_eq(evs[i].kind, 's');
	ck_assert_str_eq(evs[i].station, station);
	ck_assert_str_eq(evs[i].text, code);
	ck_assert_str_eq(evs[i].aim, aim);
}

static void
assert_alert(int i, const char *station, int connected, const char *prefix)
{
	ck_assert_int_eq(evs[i].kind, 'a');
	ck_assert_str_eq(evs[i].station, station);
	ck_assert_int_eq(evs[i].connected, connected);
	ck_assert_msg(strncmp(evs[i].text, prefix, strlen(prefix)) == 0,
	    "alert \"%s\" does not start with \"%s\"", evs[i].text, prefix);
}

START_TEST(keyboard_scanner)
{
	struct fake_dev *d = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, NULL, 1);
	struct fake_stats st;

	ck_assert_ptr_nonnull(d);
	start();
	add("pack-1", "usb:05e0:1200", NULL);
	wait_events(1);
	assert_alert(0, "pack-1", 1, "scanner attached (05e0:1200");
	fake_dev_stats(d, &st);
	ck_assert_int_eq(st.claimed, 1);
	ck_assert_int_eq(st.detaches, 1);
	ck_assert_int_eq(st.kernel_driver, 0);
	ck_assert_int_eq(scanners_count_connected(ss), 1);
	fake_dev_type_us(d, "ABC-123/x\n#1001\t");
	wait_events(3);
	assert_scan(1, "pack-1", "ABC-123/x", "");
	assert_scan(2, "pack-1", "#1001", "");
	scanners_free(ss);
	ss = NULL;
	fake_dev_stats(d, &st);
	ck_assert_int_eq(st.claimed, 0);
	ck_assert_int_eq(st.reattaches, 1);
	ck_assert_int_eq(st.kernel_driver, 1);
	ck_assert_int_eq(nev, 3);
}
END_TEST

START_TEST(gs1_group_separator)
{
	struct fake_dev *d = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, NULL, 1);

	start();
	add("pack-1", "usb:05e0:1200", "us");
	wait_events(1);
	fake_dev_type_us(d,
	    "0100614141999996"
	    "10LOT42\x1d"
	    "3103000750\n");
	wait_events(2);
	assert_scan(1, "pack-1",
	    "010061414199999610LOT42\x1d"
	    "3103000750",
	    "");
}
END_TEST

START_TEST(hid_pos_scanner)
{
	struct fake_dev *d = fake_usb_plug(fu, FAKE_POS, 0x05e0, 0x1300, NULL, 2);
	char big[150];
	size_t i;

	start();
	add("pack-1", "usb:05e0:1300", NULL);
	wait_events(1);
	assert_alert(0, "pack-1", 1, "scanner attached (05e0:1300");
	ck_assert_msg(strstr(evs[0].text, "HID POS") != NULL, "%s", evs[0].text);
	fake_dev_pos_scan(d, "]E0", "4006381333931", 13);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('0' + i % 10);
	big[40] = 0x1d;
	fake_dev_pos_scan(d, "]C1", big, sizeof(big)); /* three reports */
	wait_events(3);
	assert_scan(1, "pack-1", "4006381333931", "]E0");
	ck_assert_int_eq(evs[2].kind, 's');
	ck_assert_uint_eq(strlen(evs[2].text), sizeof(big));
	ck_assert_int_eq(memcmp(evs[2].text, big, sizeof(big)), 0);
	ck_assert_str_eq(evs[2].aim, "]C1");
}
END_TEST

static void
key(struct fake_dev *d, uint8_t mods, uint8_t usage)
{
	uint8_t down[8] = { mods, 0, usage, 0, 0, 0, 0, 0 };
	uint8_t up[8] = { 0 };

	fake_dev_send(d, down, 8);
	fake_dev_send(d, up, 8);
}

START_TEST(german_and_french_layouts)
{
	struct fake_dev *de = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, "DE1", 1);
	struct fake_dev *fr = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, "FR1", 2);

	start();
	add("pack-de", "usb:05e0:1200:DE1", "de");
	add("pack-fr", "usb:05e0:1200:FR1", "fr");
	wait_events(2);
	/* German: "Zy-1@" then Enter */
	key(de, 0x02, 0x1c);
	key(de, 0, 0x1d);
	key(de, 0, 0x38);
	key(de, 0, 0x1e);
	key(de, 0x40, 0x14);
	key(de, 0, 0x28);
	wait_drained(de);
	/* French: "a1m&" then Tab */
	key(fr, 0, 0x14);
	key(fr, 0x02, 0x1e);
	key(fr, 0, 0x33);
	key(fr, 0, 0x1e);
	key(fr, 0, 0x2b);
	wait_events(4);
	assert_scan(2, "pack-de", "Zy-1@", "");
	assert_scan(3, "pack-fr", "a1m&", "");
}
END_TEST

START_TEST(unplug_mid_scan_and_replug)
{
	struct fake_dev *d = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, NULL, 1);
	struct fake_dev *d2;
	int64_t ms;

	start();
	add("pack-1", "usb:05e0:1200", NULL);
	wait_events(1);
	fake_dev_type_us(d, "WHOLE\nPART");
	wait_drained(d);
	wait_events(2);
	assert_scan(1, "pack-1", "WHOLE", "");
	fake_usb_unplug(fu, d);
	wait_events(4);
	assert_alert(2, "pack-1", 0, "scanner unplugged");
	assert_alert(3, "pack-1", -1, "partial scan (4 bytes) cut off by unplug dropped");
	ck_assert_int_eq(scanners_count_connected(ss), 0);
	ck_assert_int_eq(scanners_station_connected(ss, "pack-1"), 0);
	ck_assert_int_eq(scanners_station_connected(ss, "pack-9"), -1);
	d2 = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, NULL, 1);
	ms = wait_events(5);
	ck_assert_msg(ms <= 1000, "replug took %lld ms", (long long)ms);
	assert_alert(4, "pack-1", 1, "scanner attached");
	ck_assert_int_eq(scanners_station_connected(ss, "pack-1"), 1);
	fake_dev_type_us(d2, "AFTER\n");
	wait_events(6);
	assert_scan(5, "pack-1", "AFTER", "");
	ck_assert_int_eq(nev, 6);
}
END_TEST

START_TEST(scanner_appears_after_start)
{
	struct fake_dev *d;
	int64_t ms;

	start();
	add("pack-1", "usb:05e0:1200", NULL);
	loop_run_once(lp, 50);
	ck_assert_int_eq(nev, 0);
	ck_assert_int_eq(scanners_count_connected(ss), 0);
	d = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, NULL, 3);
	ms = wait_events(1);
	ck_assert_msg(ms <= 1000, "attach took %lld ms", (long long)ms);
	assert_alert(0, "pack-1", 1, "scanner attached");
	fake_dev_type_us(d, "LATE\n");
	wait_events(2);
	assert_scan(1, "pack-1", "LATE", "");
}
END_TEST

START_TEST(two_stations_two_scanners)
{
	struct fake_dev *a = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, "S1", 1);
	struct fake_dev *b = fake_usb_plug(fu, FAKE_POS, 0x0c2e, 0x0b61, NULL, 4);
	int i, na = 0, nb = 0;

	start();
	add("pack-1", "usb:05e0:1200:S1", NULL);
	add("pack-2", "usb-port:1-4", NULL);
	wait_events(2);
	fake_dev_type_us(a, "A1\n");
	fake_dev_pos_scan(b, "]E0", "B1", 2);
	fake_dev_type_us(a, "A2\n");
	fake_dev_pos_scan(b, NULL, "B2", 2);
	wait_events(6);
	for (i = 2; i < 6; i++) {
		ck_assert_int_eq(evs[i].kind, 's');
		if (evs[i].text[0] == 'A') {
			ck_assert_str_eq(evs[i].station, "pack-1");
			ck_assert_str_eq(evs[i].text, na++ ? "A2" : "A1");
		} else {
			ck_assert_str_eq(evs[i].station, "pack-2");
			ck_assert_str_eq(evs[i].text, nb++ ? "B2" : "B1");
		}
	}
	ck_assert_int_eq(na, 2);
	ck_assert_int_eq(nb, 2);
}
END_TEST

START_TEST(unconfigured_device_left_alone)
{
	struct fake_dev *mine = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, "MINE", 1);
	struct fake_dev *keyboard = fake_usb_plug(fu, FAKE_KBD, 0x046d, 0xc31c, NULL, 2);
	struct fake_dev *other = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, "OTHER", 3);
	struct fake_stats st;

	start();
	add("pack-1", "usb:05e0:1200:MINE", NULL);
	wait_events(1);
	fake_dev_type_us(mine, "MINE\n");
	fake_dev_type_us(keyboard, "NOTME\n");
	wait_events(2);
	assert_scan(1, "pack-1", "MINE", "");
	fake_dev_stats(keyboard, &st);
	ck_assert_int_eq(st.opens, 0);
	ck_assert_int_eq(st.claims, 0);
	ck_assert_int_eq(st.detaches, 0);
	ck_assert_int_eq(st.kernel_driver, 1);
	/* a second unit of the same model (other serial) is not claimed */
	fake_dev_stats(other, &st);
	ck_assert_int_eq(st.claims, 0);
	ck_assert_int_eq(st.kernel_driver, 1);
	ck_assert_int_eq(nev, 2);
}
END_TEST

START_TEST(malformed_input_and_stall)
{
	struct fake_dev *d = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, NULL, 1);
	uint8_t roll[8] = { 0, 0, 1, 1, 1, 1, 1, 1 };
	uint8_t shortrep[4] = { 0, 0, 4, 0 };

	start();
	add("pack-1", "usb:05e0:1200", NULL);
	wait_events(1);
	fake_dev_type_us(d, "AB");
	fake_dev_send(d, roll, sizeof(roll));
	fake_dev_send(d, shortrep, sizeof(shortrep));
	fake_dev_type_us(d, "C\n");
	wait_events(4);
	assert_alert(1, "pack-1", -1, "keyboard error rollover report");
	assert_alert(2, "pack-1", -1, "keyboard report of 4 bytes");
	assert_scan(3, "pack-1", "ABC", "");
	fake_dev_stall(d);
	wait_events(5);
	assert_alert(4, "pack-1", -1, "endpoint stalled");
	fake_dev_type_us(d, "OK\n");
	wait_events(6);
	assert_scan(5, "pack-1", "OK", "");
}
END_TEST

START_TEST(spec_and_layout_checks)
{
	char err[256];

	ck_assert_int_eq(scanner_spec_check("usb:05e0:1200", err, sizeof(err)), 0);
	ck_assert_int_eq(scanner_spec_check("usb:5e0:1200:AB:12", err, sizeof(err)), 0);
	ck_assert_int_eq(scanner_spec_check("usb-port:1-1.2", err, sizeof(err)), 0);
	ck_assert_int_eq(scanner_spec_check("usb:05e0", err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "bad scanner \"usb:05e0\": expected usb:VID:PID, "
	    "usb:VID:PID:SERIAL or usb-port:BUS-PORT[.PORT...]");
	ck_assert_int_eq(scanner_spec_check("usb:05e0:12345", err, sizeof(err)), -1);
	ck_assert_int_eq(scanner_spec_check("usb:05e0:1200:", err, sizeof(err)), -1);
	ck_assert_int_eq(scanner_spec_check("usb-port:1-", err, sizeof(err)), -1);
	ck_assert_int_eq(scanner_spec_check("usb-port:1-1.", err, sizeof(err)), -1);
	ck_assert_int_eq(scanner_spec_check("hid:1", err, sizeof(err)), -1);
	ck_assert_int_eq(scanner_layout_check("fr", err, sizeof(err)), 0);
	ck_assert_int_eq(scanner_layout_check("uk", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "bad scanner_layout \"uk\": expected us, de or fr");
}
END_TEST

/* ---- drivers/usb_hid on its own: what a second device type (a scale) gets ---- */

struct owner {
	int attached, lost, bad, failed, reports;
	int boot_kbd;
	size_t desc_len;
	enum usb_hid_loss why;
	uint8_t last[64];
	size_t last_len;
};

static void
own_attached(void *arg, const struct usb_hid_info *info)
{
	struct owner *o = arg;

	o->attached++;
	o->boot_kbd = info->boot_kbd;
	o->desc_len = info->report_desc_len;
}

static void
own_report(void *arg, const uint8_t *buf, size_t len)
{
	struct owner *o = arg;

	o->reports++;
	o->last_len = len < sizeof(o->last) ? len : sizeof(o->last);
	memcpy(o->last, buf, o->last_len);
}

static void
own_lost(void *arg, enum usb_hid_loss why)
{
	struct owner *o = arg;

	o->lost++;
	o->why = why;
}

static void
own_bad(void *arg, const char *why)
{
	(void)why;
	((struct owner *)arg)->bad++;
}

static void
own_failed(void *arg, const char *why)
{
	(void)why;
	((struct owner *)arg)->failed++;
}

/* Runs the loop until *counter reaches n (or the deadline). */
static void
wait_count(const int *counter, int n)
{
	int64_t t0 = loop_now_ms();

	while (*counter < n && loop_now_ms() - t0 < WAIT_MS)
		loop_run_once(lp, 10);
	ck_assert_int_ge(*counter, n);
}

START_TEST(usb_hid_generic_device)
{
	static const struct usb_hid_ops ops = { own_attached, own_report, own_lost, own_bad,
		own_failed };
	static const uint8_t report[8] = { 0x02, 0x00, 0x04, 0x10, 0x27, 0, 0, 0 };
	struct fake_dev *d = fake_usb_plug(fu, FAKE_POS, 0x0922, 0x8003, "SC1", 3);
	struct usb_hid_spec sp;
	struct usb_hid_dev *dev;
	struct usb_hid *uh;
	struct owner o;
	struct fake_stats st;

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(usb_hid_parse_spec("usb:0922:8003:SC1", &sp), 0);
	ck_assert_int_eq(sp.vid, 0x0922);
	ck_assert_int_eq(sp.pid, 0x8003);
	ck_assert_str_eq(sp.serial, "SC1");
	ck_assert_int_eq(usb_hid_parse_spec("usb:0922", &sp), -1);
	ck_assert_int_eq(usb_hid_parse_spec(NULL, &sp), -1);
	ck_assert_ptr_nonnull(uh = usb_hid_new(lp));
	/* the device is present: attached before usb_hid_add returns */
	ck_assert_ptr_nonnull(dev = usb_hid_add(uh, &sp, &ops, &o));
	ck_assert_int_eq(o.attached, 1);
	ck_assert_int_eq(usb_hid_dev_is_attached(dev), 1);
	ck_assert_int_eq(o.boot_kbd, 0);
	ck_assert_uint_gt(o.desc_len, 0); /* the report descriptor, read for the owner */
	fake_dev_stats(d, &st);
	ck_assert_int_eq(st.claimed, 1);
	ck_assert_int_eq(st.kernel_driver, 0);
	/* raw reports, as sent */
	fake_dev_send(d, report, sizeof(report));
	wait_count(&o.reports, 1);
	ck_assert_uint_eq(o.last_len, sizeof(report));
	ck_assert_mem_eq(o.last, report, sizeof(report));
	/* unplug: lost, said why; replug: attached again */
	fake_usb_unplug(fu, d);
	wait_count(&o.lost, 1);
	ck_assert_int_eq(o.why, USB_HID_UNPLUGGED);
	ck_assert_int_eq(usb_hid_dev_is_attached(dev), 0);
	d = fake_usb_plug(fu, FAKE_POS, 0x0922, 0x8003, "SC1", 3);
	wait_count(&o.attached, 2);
	ck_assert_int_eq(usb_hid_dev_is_attached(dev), 1);
	/* free: no callback, the kernel driver comes back */
	usb_hid_free(uh);
	fake_dev_stats(d, &st);
	ck_assert_int_eq(st.claimed, 0);
	ck_assert_int_eq(st.kernel_driver, 1);
	ck_assert_int_eq(o.attached, 2);
	ck_assert_int_eq(o.lost, 1);
	ck_assert_int_eq(o.bad, 0);
	ck_assert_int_eq(o.failed, 0);
}
END_TEST

/* One case per test so that CK_RUN_CASE=name runs just that one. */
#define ADD(s, fn)                                                                                 \
	do {                                                                                       \
		TCase *tc = tcase_create(#fn);                                                     \
		tcase_add_checked_fixture(tc, setup, teardown);                                    \
		tcase_set_timeout(tc, 20);                                                         \
		tcase_add_test(tc, fn);                                                            \
		suite_add_tcase(s, tc);                                                            \
	} while (0)

static Suite *
scanner_suite(void)
{
	Suite *s = suite_create("scanner_umockdev");

	ADD(s, keyboard_scanner);
	ADD(s, gs1_group_separator);
	ADD(s, hid_pos_scanner);
	ADD(s, german_and_french_layouts);
	ADD(s, unplug_mid_scan_and_replug);
	ADD(s, scanner_appears_after_start);
	ADD(s, two_stations_two_scanners);
	ADD(s, unconfigured_device_left_alone);
	ADD(s, malformed_input_and_stall);
	ADD(s, spec_and_layout_checks);
	ADD(s, usb_hid_generic_device);
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
	sr = srunner_create(scanner_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
