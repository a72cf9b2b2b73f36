/* Unit tests of the core: SSCC, readiness, config, loop, tables (the store: test_store.c). */
#include <check.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "station/daemon/config.h"
#include "station/intake/intake_parse.h"
#include "common/loop.h"
#include "station/core/readiness.h"
#include "station/core/sscc.h"
#include "station/ctl/table.h"

static char tmpdir[256];

static void
setup_tmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/station-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown_tmp(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_sscc)
{
	char out[19];

	/* GS1's worked example: 0 0614141 123456789 → check digit 0 */
	ck_assert_int_eq(sscc_check_digit("00614141123456789", 17), 0);
	ck_assert_int_eq(sscc_check_digit("10614141123456789", 17), 7);
	ck_assert_int_eq(sscc_make("0614141", 1, out), 0);
	ck_assert_str_eq(out, "006141410000000012");
	ck_assert_int_eq(sscc_make("0614141", 123456789, out), 0);
	ck_assert_str_eq(out, "006141411234567890");
	/* the extension digit extends the serial space tenfold */
	ck_assert_int_eq(sscc_make("0614141", 1123456789, out), 0);
	ck_assert_str_eq(out, "106141411234567897");
	ck_assert_int_eq(sscc_make("0614141", 10000000000LL, out), -1);
	ck_assert_int_eq(sscc_make("12345", 1, out), -1);
}
END_TEST

static struct order_line
mkline(int64_t q, int64_t fq, int ship)
{
	struct order_line l;

	memset(&l, 0, sizeof(l));
	l.quantity = q;
	l.fulfillable_quantity = fq;
	l.requires_shipping = ship;
	return l;
}

START_TEST(test_readiness)
{
	struct order_line lines[2] = { mkline(3, 3, 1), mkline(1, 1, 0) };
	struct order o;
	char reason[64];
	int64_t shipped[2] = { 1, 0 };

	memset(&o, 0, sizeof(o));
	o.lines = lines;
	o.nlines = 2;
	o.financial_status = "paid";
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_READY);
	ck_assert_int_eq(readiness_of(&o, shipped, NULL, reason, sizeof(reason)), ORDER_PARTIAL);
	shipped[0] = 3;
	ck_assert_int_eq(readiness_of(&o, shipped, NULL, reason, sizeof(reason)), ORDER_FULFILLED);
	o.financial_status = "pending";
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_ON_HOLD);
	ck_assert_str_eq(reason, "not paid (pending)");
	o.financial_status = "voided";
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_ON_HOLD);
	o.financial_status = "refunded";
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_ON_HOLD);
	o.financial_status = "authorized";
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_READY);
	o.cancelled_at = "2026-11-01T10:00:00Z";
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_CANCELLED);
	o.cancelled_at = NULL;
	lines[0].requires_shipping = 0;
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_DIGITAL);
	lines[0] = mkline(3, 2, 1); /* one fulfilled upstream */
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_PARTIAL);
	/*
	 * remaining = min(fulfillable - our shipments the shop has not heard
	 * of, quantity - shipped here)
	 */
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 0, 0), 2);
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 2, 1), 1);
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 5, 2), 0);
	ck_assert_int_eq(readiness_line_remaining(&lines[1], 0, 0), 0);
	/* issue 9 #1: 2 of 3 fulfilled upstream, 1 shipped here: nothing left */
	lines[0] = mkline(3, 1, 1);
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 0, 0), 1);
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 1, 0), 0);
	lines[0] = mkline(3, 0, 1); /* the shop heard of ours: not taken off twice */
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 1, 1), 0);
	lines[0] = mkline(3, 1, 1);
	shipped[0] = 1;
	ck_assert_int_eq(readiness_of(&o, shipped, NULL, reason, sizeof(reason)), ORDER_FULFILLED);
	/* issue 9 #3: a quantity 0 line ships nothing: never fulfilled at import */
	lines[0] = mkline(0, 0, 1);
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_DIGITAL);
	lines[1] = mkline(2, 2, 1);
	ck_assert_int_eq(readiness_of(&o, NULL, NULL, reason, sizeof(reason)), ORDER_READY);
}
END_TEST

static const char good_conf[] =
    "[daemon]\n"
    "database = var/station.db ; comment\n"
    "spool = /var/tmp/spool\n"
    "[shop]\nname = Example Goods\ngs1_prefix = 0614141\n"
    "[station pack-1]\nscanner = usb:05e0:1200\nlabel_printer = Zebra_ZD421\n"
    "slip_printer = ipp://localhost:8632/ipp/print\nlabel_media = 4x4\nlabel_dpi = 300\n"
    "[station pack-2]\n";

static char *
write_conf(const char *name, const char *text)
{
	static char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text as a config; returns the error output (static). */
static const char *
load_errors(const char *text, struct config **out)
{
	static char buf[4096];
	FILE *mem = fmemopen(buf, sizeof(buf), "w");
	const char *path = write_conf("c.ini", text);

	memset(buf, 0, sizeof(buf));
	char *q;
	size_t n = strlen(tmpdir) + 1;

	*out = config_load(path, 0, mem);
	fclose(mem);
	/* "c.ini:LINE: ...": drop the temporary folder from every line */
	while ((q = strstr(buf, tmpdir)) != NULL)
		memmove(q, q + n, strlen(q + n) + 1);
	return buf;
}

START_TEST(test_config_good)
{
	struct config *c;
	const struct station_conf *s;
	char expect[400];

	ck_assert_str_eq(load_errors(good_conf, &c), "");
	ck_assert_ptr_nonnull(c);
	snprintf(expect, sizeof(expect), "%s/var/station.db", tmpdir);
	ck_assert_str_eq(c->database, expect);
	ck_assert_str_eq(c->spool, "/var/tmp/spool");
	snprintf(expect, sizeof(expect), "%s/var/station.sock", tmpdir);
	ck_assert_str_eq(c->socket, expect);
	ck_assert_uint_eq(c->nstations, 2);
	ck_assert_ptr_nonnull(s = config_station(c, "pack-1"));
	ck_assert_str_eq(s->scanner, "usb:05e0:1200");
	ck_assert_str_eq(s->label_media, "4x4");
	ck_assert_int_eq(s->label_dpi, 300);
	ck_assert_ptr_nonnull(s = config_station(c, "pack-2"));
	ck_assert_str_eq(s->label_media, "4x6");
	ck_assert_int_eq(s->label_dpi, 203);
	ck_assert_str_eq(s->slip_media, "letter");
	ck_assert_int_eq(s->duplicate_window_ms, 500);
	ck_assert_ptr_null(config_station(c, "pack-3"));
	config_free(c);
}
END_TEST

START_TEST(test_config_errors)
{
	struct config *c;

	ck_assert_str_eq(
	    load_errors("[daemon]\nfoo = 1\n[shop]\nname = x\ngs1_prefix = 0614141\n"
			"[station a]\nlabel_dpi = 250\nlabel_media = 5x7\n[weird]\nx = 1\n",
		&c),
	    "c.ini:2: unknown key 'foo' in [daemon]\n"
	    "c.ini:7: label_dpi must be 203 or 300, not '250'\n"
	    "c.ini:8: label_media must be 4x6, 4x4 or a6, not '5x7'\n"
	    "c.ini:9: unknown section [weird]\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(
	    load_errors("[daemon]\n[station a]\n", &c), "c.ini:2: missing section [shop]\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(load_errors("[daemon]\n[shop]\nname = x\ngs1_prefix = 12ab\n", &c),
	    "c.ini:4: gs1_prefix must be 6 to 12 digits, not '12ab'\n"
	    "c.ini:4: no [station NAME] section: at least one bench is needed\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(load_errors("[daemon]\n[shop]\nname = x\n[station a]\n", &c),
	    "c.ini:2: [shop]: missing key 'gs1_prefix' (needed for package SSCCs)\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(load_errors("[daemon]\n[shop]\nname = x\ngs1_prefix = 0614141\n"
				     "[station a]\nscanner = usb:zz\nslip_on_open = maybe\n",
			     &c),
	    "c.ini:6: bad scanner \"usb:zz\": expected usb:VID:PID, usb:VID:PID:SERIAL or usb-port:BUS-PORT[.PORT...]\n"
	    "c.ini:7: slip_on_open: expected yes or no, not 'maybe'\n");
	ck_assert_ptr_null(c);
}
END_TEST

/* Issue 15: the packing checks' keys, parsed and refused with file:line. */
START_TEST(test_config_checks)
{
	struct config *c;
	const struct station_conf *s;
	const char *head = "[daemon]\n[shop]\nname = x\ngs1_prefix = 0614141\n";
	char text[1024];

	snprintf(text, sizeof(text),
	    "%s[station a]\nscale = usb:0922:8003\nweight_check = 2.5%%\n"
	    "tare_grams = 120\nverify_label = yes\nlabel_printer = Zebra\n"
	    "[station b]\nscale = usb-port:1-1.4\nweight_check = 30g\n",
	    head);
	ck_assert_str_eq(load_errors(text, &c), "");
	ck_assert_ptr_nonnull(s = config_station(c, "a"));
	ck_assert_str_eq(s->scale, "usb:0922:8003");
	ck_assert_int_eq(s->weight_check, 1);
	ck_assert_int_eq(s->weight_tol_permille, 25);
	ck_assert_int_eq(s->weight_tol_grams, 0);
	ck_assert_int_eq(s->tare_grams, 120);
	ck_assert_int_eq(s->verify_label, 1);
	ck_assert_ptr_nonnull(s = config_station(c, "b"));
	ck_assert_int_eq(s->weight_tol_permille, 0);
	ck_assert_int_eq(s->weight_tol_grams, 30);
	ck_assert_int_eq(s->tare_grams, 0);
	ck_assert_int_eq(s->verify_label, 0);
	config_free(c);
	snprintf(text, sizeof(text),
	    "%s[station a]\nscale = com1\nweight_check = 80%%\n"
	    "tare_grams = -3\nverify_label = sure\n[station b]\nweight_check = 5%%\n"
	    "verify_label = yes\noverride_pins = /nonexistent/pins.txt\n",
	    head);
	ck_assert_str_eq(load_errors(text, &c),
	    "c.ini:6: bad scale 'com1': want usb:VID:PID[:SERIAL] or usb-port:BUS-PORT[.PORT...]\n"
	    "c.ini:7: weight_check must be a percentage (0.1% to 50%, e.g. 5%) or grams"
	    " (1g to 100000g, e.g. 30g), not '80%'\n"
	    "c.ini:8: tare_grams is grams, 0 to 100000, not '-3'\n"
	    "c.ini:9: verify_label: expected yes or no, not 'sure'\n"
	    "c.ini:11: weight_check needs a scale at [station b]\n"
	    "c.ini:12: verify_label needs a label_printer at [station b]\n"
	    "c.ini:13: override_pins: /nonexistent/pins.txt: No such file or directory\n");
	ck_assert_ptr_null(c);
}
END_TEST

static int fired[4], nfired;

static void
on_timer(void *arg)
{
	fired[nfired++] = (int)(intptr_t)arg;
}

START_TEST(test_loop_timers)
{
	struct loop *l = loop_new();
	int64_t t0 = loop_now_ms(), id;

	nfired = 0;
	loop_add_timer(l, 30, on_timer, (void *)2);
	loop_add_timer(l, 10, on_timer, (void *)1);
	id = loop_add_timer(l, 20, on_timer, (void *)9);
	loop_cancel_timer(l, id);
	while (nfired < 2 && loop_now_ms() - t0 < 2000)
		loop_run_once(l, 100);
	ck_assert_int_eq(nfired, 2);
	ck_assert_int_eq(fired[0], 1);
	ck_assert_int_eq(fired[1], 2);
	loop_free(l);
}
END_TEST

START_TEST(test_table)
{
	static const char *const cols[] = { "a", "b" };
	const char *r1[] = { "x,y", "say \"hi\"" }, *r2[] = { "山田", NULL };
	struct table *t = table_new(cols, 2);
	char buf[512];
	FILE *f;

	table_add(t, r1);
	table_add(t, r2);
	f = fmemopen(buf, sizeof(buf), "w");
	table_print(t, TABLE_CSV, f);
	fclose(f);
	ck_assert_str_eq(buf, "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n山田,\r\n");
	f = fmemopen(buf, sizeof(buf), "w");
	table_print(t, TABLE_TEXT, f);
	fclose(f);
	ck_assert_str_eq(buf, "a     b\nx,y   say \"hi\"\n山田  \n");
	table_free(t);
}
END_TEST

/* An orders/create webhook in Shopify's full shape (price sets, tax lines,
 * properties, staff, ids above 2^53, a repeated SKU, a digital line). */
START_TEST(test_webhook_shape)
{
	FILE *f = fopen(TOP_DIR "/tests/data/intake/webhook-orders-create.json", "r");
	static char buf[65536];
	struct order **v = NULL;
	char err[256];
	size_t len, n = 0;

	ck_assert_ptr_nonnull(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ck_assert_int_eq(intake_detect(buf, len), INTAKE_ORDERS_JSON);
	ck_assert_int_eq(intake_parse_orders_json(buf, len, &v, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0]->id, 820982911946154509LL);
	ck_assert_str_eq(v[0]->name, "#9998");
	ck_assert_str_eq(v[0]->gift_message, "Enjoy!");
	ck_assert_str_eq(v[0]->shipping_title, "Generic Shipping");
	ck_assert_int_eq(v[0]->pickup, 0);
	ck_assert_str_eq(v[0]->ship.name, "Steve Shipper");
	ck_assert_str_eq(v[0]->ship.province_code, "KY");
	ck_assert_uint_eq(v[0]->nlines, 3);
	ck_assert_int_eq(v[0]->lines[0].id, 866550311766439020LL);
	ck_assert_int_eq(v[0]->lines[1].id, 141249953214522974LL);
	ck_assert_str_eq(v[0]->lines[1].sku, "IPOD2008PINK");
	ck_assert_int_eq(v[0]->lines[1].grams, 567);
	ck_assert_int_eq(v[0]->lines[2].requires_shipping, 0);
	order_array_free(v, n);
	/* an order edit removed two of three: current_quantity is what is ordered now */
	{
		static const char edited[] =
		    "{\"order\":{\"id\":1,\"name\":\"#1\",\"line_items\":"
		    "[{\"id\":2,\"sku\":\"A\",\"quantity\":3,\"current_quantity\":1,"
		    "\"fulfillable_quantity\":1}]}}";

		ck_assert_int_eq(
		    intake_parse_orders_json(edited, sizeof(edited) - 1, &v, &n, err, sizeof(err)),
		    0);
		ck_assert_int_eq(v[0]->lines[0].quantity, 1);
		ck_assert_int_eq(v[0]->lines[0].fulfillable_quantity, 1);
		ck_assert_int_eq(readiness_is_pickup(v[0]), 1); /* no address to ship to */
		order_array_free(v, n);
	}
	/* a pickup as REST sends it: the shipping line names only the store's
	 * address, there is no shipping address, the buyer is in billing_address */
	{
		static const char pickup[] =
		    "{\"id\":3,\"name\":\"#3\",\"shipping_address\":null,"
		    "\"billing_address\":{\"name\":\"Jörg Weiß\"},\"shipping_lines\":[{\"title\":"
		    "\"1 Dock Road\",\"code\":\"1 Dock Road\",\"source\":\"shopify\"}],"
		    "\"line_items\":[{\"id\":4,\"sku\":\"A\",\"quantity\":1}]}";

		ck_assert_int_eq(
		    intake_parse_orders_json(pickup, sizeof(pickup) - 1, &v, &n, err, sizeof(err)),
		    0);
		ck_assert_int_eq(v[0]->has_shipping_address, 0);
		ck_assert_str_eq(v[0]->ship.name, "Jörg Weiß");
		ck_assert_int_eq(readiness_is_pickup(v[0]), 1);
		v[0]->lines[0].requires_shipping = 0; /* digital: nothing to hand over */
		ck_assert_int_eq(readiness_is_pickup(v[0]), 0);
		order_array_free(v, n);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	setlocale(LC_ALL, "C.UTF-8");
	tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
	tcase_add_test(tc, test_sscc);
	tcase_add_test(tc, test_readiness);
	tcase_add_test(tc, test_config_good);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_config_checks);
	tcase_add_test(tc, test_loop_timers);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_webhook_shape);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
