/* Unit tests of the core: SSCC, readiness, config, store, loop, tables. */
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
#include "station/store/store.h"
#include "station/store/store_pack.h"
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
	ck_assert_int_eq(readiness_of(&o, NULL, reason, sizeof(reason)), ORDER_READY);
	ck_assert_int_eq(readiness_of(&o, shipped, reason, sizeof(reason)), ORDER_PARTIAL);
	shipped[0] = 3;
	ck_assert_int_eq(readiness_of(&o, shipped, reason, sizeof(reason)), ORDER_FULFILLED);
	o.financial_status = "pending";
	ck_assert_int_eq(readiness_of(&o, NULL, reason, sizeof(reason)), ORDER_ON_HOLD);
	ck_assert_str_eq(reason, "not paid (pending)");
	o.financial_status = "voided";
	ck_assert_int_eq(readiness_of(&o, NULL, reason, sizeof(reason)), ORDER_ON_HOLD);
	o.financial_status = "refunded";
	ck_assert_int_eq(readiness_of(&o, NULL, reason, sizeof(reason)), ORDER_ON_HOLD);
	o.financial_status = "authorized";
	ck_assert_int_eq(readiness_of(&o, NULL, reason, sizeof(reason)), ORDER_READY);
	o.cancelled_at = "2026-11-01T10:00:00Z";
	ck_assert_int_eq(readiness_of(&o, NULL, reason, sizeof(reason)), ORDER_CANCELLED);
	o.cancelled_at = NULL;
	lines[0].requires_shipping = 0;
	ck_assert_int_eq(readiness_of(&o, NULL, reason, sizeof(reason)), ORDER_DIGITAL);
	lines[0] = mkline(3, 2, 1);	/* one fulfilled upstream */
	ck_assert_int_eq(readiness_of(&o, NULL, reason, sizeof(reason)), ORDER_PARTIAL);
	/* remaining = min(fulfillable, quantity - shipped here) */
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 0), 2);
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 2), 1);
	ck_assert_int_eq(readiness_line_remaining(&lines[0], 5), 0);
	ck_assert_int_eq(readiness_line_remaining(&lines[1], 0), 0);
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

	ck_assert_str_eq(load_errors("[daemon]\nfoo = 1\n[shop]\nname = x\ngs1_prefix = 0614141\n"
	    "[station a]\nlabel_dpi = 250\nlabel_media = 5x7\n[weird]\nx = 1\n", &c),
	    "c.ini:2: unknown key 'foo' in [daemon]\n"
	    "c.ini:7: label_dpi must be 203 or 300, not '250'\n"
	    "c.ini:8: label_media must be 4x6, 4x4 or a6, not '5x7'\n"
	    "c.ini:9: unknown section [weird]\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(load_errors("[daemon]\n[station a]\n", &c),
	    "c.ini:2: missing section [shop]\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(load_errors("[daemon]\n[shop]\nname = x\ngs1_prefix = 12ab\n", &c),
	    "c.ini:4: gs1_prefix must be 6 to 12 digits, not '12ab'\n"
	    "c.ini:4: no [station NAME] section: at least one bench is needed\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(load_errors("[daemon]\n[shop]\nname = x\n[station a]\n", &c),
	    "c.ini:2: [shop]: missing key 'gs1_prefix' (needed for package SSCCs)\n");
	ck_assert_ptr_null(c);
	ck_assert_str_eq(load_errors("[daemon]\n[shop]\nname = x\ngs1_prefix = 0614141\n"
	    "[station a]\nscanner = usb:zz\nslip_on_open = maybe\n", &c),
	    "c.ini:6: bad scanner \"usb:zz\": expected usb:VID:PID, usb:VID:PID:SERIAL or usb-port:BUS-PORT[.PORT...]\n"
	    "c.ini:7: slip_on_open: expected yes or no, not 'maybe'\n");
	ck_assert_ptr_null(c);
}
END_TEST

static struct order *
mkorder(int64_t id, const char *name, int64_t qty)
{
	struct order *o = calloc(1, sizeof(*o));

	o->id = id;
	o->name = strdup(name);
	o->financial_status = strdup("paid");
	o->has_shipping_address = 1;
	o->ship.name = strdup("Anna Müller");
	o->ship.city = strdup("Łódź");
	o->nlines = 1;
	o->lines = calloc(1, sizeof(*o->lines));
	o->lines[0].id = 9007199254740993LL;
	o->lines[0].sku = strdup("SKU-1");
	o->lines[0].title = strdup("Mug");
	o->lines[0].quantity = qty;
	o->lines[0].fulfillable_quantity = qty;
	o->lines[0].requires_shipping = 1;
	o->lines[0].grams = 300;
	return o;
}

static int64_t
count(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static struct store *
open_db(void)
{
	char path[400], err[256];
	struct store *s;

	snprintf(path, sizeof(path), "%s/t.db", tmpdir);
	s = store_open(path, 0, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	return s;
}

START_TEST(test_store_migrate)
{
	char path[400], err[256];
	struct store *s = open_db(), *ro;

	ck_assert_int_eq(count(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM sqlite_master WHERE name = 'print_jobs'"), 1);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM sqlite_master WHERE name = 'effects'"), 1);
	store_close(s);
	s = open_db();	/* reopening migrates nothing */
	ck_assert_int_eq(count(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	snprintf(path, sizeof(path), "%s/t.db", tmpdir);
	ro = store_open(path, 1, err, sizeof(err));
	ck_assert_ptr_nonnull(ro);
	store_close(ro);
	ck_assert_int_eq(sqlite3_exec(store_db(s), "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	store_close(s);
	ck_assert_ptr_null(store_open(path, 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "schema version 99 is newer"));
}
END_TEST

START_TEST(test_store_reimport)
{
	struct store *s = open_db();
	struct order *o = mkorder(9007199254740993LL, "#1001", 3);
	const char *outcome;
	char err[256];
	int64_t id, pkg;

	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_str_eq(outcome, "imported");
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(count(s, "SELECT shop_id FROM orders"), 9007199254740993LL);
	ck_assert_int_eq(count(s, "SELECT shop_line_id FROM order_lines"), 9007199254740993LL);
	/* the same again: unchanged */
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_str_eq(outcome, "unchanged");
	/* two units packed, then the shop lowers the quantity to 1: a conflict event */
	ck_assert_int_eq(store_find_order(s, "#1001", &id), 1);
	ck_assert_int_gt(pkg = store_open_package(s, id, "pack-1", 1), 0);
	ck_assert_int_gt(store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "ok", id,
	    count(s, "SELECT id FROM order_lines"), 2, pkg, "counted"), 0);
	o->lines[0].quantity = o->lines[0].fulfillable_quantity = 1;
	ck_assert_int_eq(store_upsert_order(s, o, "t2.json", &outcome, err, sizeof(err)), 0);
	ck_assert_str_eq(outcome, "updated");
	ck_assert_int_eq(count(s, "SELECT count(*) FROM events WHERE kind = 'conflict' AND error = 1"
	    " AND message LIKE 'SKU-1: 2 packed but only 1 to ship now%'"), 1);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM events WHERE kind = 'update'"
	    " AND message = 'updated from t2.json: SKU-1 quantity 3 → 1'"), 1);
	/* cancelled upstream */
	o->cancelled_at = strdup("2026-11-01T10:00:00Z");
	ck_assert_int_eq(store_upsert_order(s, o, "t3.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM orders WHERE status = 'cancelled'"), 1);
	/* the line removed upstream: kept, marked removed, packed units reported */
	free(o->cancelled_at);
	o->cancelled_at = NULL;
	o->nlines = 0;
	ck_assert_int_eq(store_upsert_order(s, o, "t4.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(count(s, "SELECT removed FROM order_lines"), 1);
	ck_assert_int_eq(count(s, "SELECT status = 'digital' FROM orders"), 1);
	o->nlines = 1;
	order_free(o);
	store_close(s);
}
END_TEST

START_TEST(test_store_hold)
{
	struct store *s = open_db();
	struct order *o = mkorder(1, "#2001", 1);
	const char *outcome;
	char err[256];
	int64_t id;

	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_find_order(s, "#2001", &id), 1);
	ck_assert_int_eq(store_hold_order(s, id, "address check", err, sizeof(err)), 0);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM orders WHERE status = 'on_hold'"
	    " AND hold_reason = 'address check' AND hold_source = 'supervisor'"), 1);
	/* a re-import keeps the supervisor's hold */
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM orders WHERE status = 'on_hold'"
	    " AND hold_reason = 'address check'"), 1);
	ck_assert_int_eq(store_release_order(s, id, err, sizeof(err)), 0);
	ck_assert_int_eq(count(s, "SELECT count(*) FROM orders WHERE status = 'ready'"), 1);
	ck_assert_int_eq(store_release_order(s, id, err, sizeof(err)), 1);
	ck_assert_str_eq(err, "order is ready, not on hold");
	/* unpaid: the shop's hold, which a supervisor cannot lift */
	free(o->financial_status);
	o->financial_status = strdup("pending");
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_release_order(s, id, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "held by the shop: not paid (pending)"));
	ck_assert_int_eq(store_find_order(s, "#9999", &id), 0);
	order_free(o);
	store_close(s);
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
		static const char edited[] = "{\"order\":{\"id\":1,\"name\":\"#1\",\"line_items\":"
		    "[{\"id\":2,\"sku\":\"A\",\"quantity\":3,\"current_quantity\":1,"
		    "\"fulfillable_quantity\":1}]}}";

		ck_assert_int_eq(intake_parse_orders_json(edited, sizeof(edited) - 1, &v, &n,
		    err, sizeof(err)), 0);
		ck_assert_int_eq(v[0]->lines[0].quantity, 1);
		ck_assert_int_eq(v[0]->lines[0].fulfillable_quantity, 1);
		ck_assert_int_eq(readiness_is_pickup(v[0]), 1);	/* no address to ship to */
		order_array_free(v, n);
	}
	/* a pickup as REST sends it: the shipping line names only the store's
	 * address, there is no shipping address, the buyer is in billing_address */
	{
		static const char pickup[] = "{\"id\":3,\"name\":\"#3\",\"shipping_address\":null,"
		    "\"billing_address\":{\"name\":\"Jörg Weiß\"},\"shipping_lines\":[{\"title\":"
		    "\"1 Dock Road\",\"code\":\"1 Dock Road\",\"source\":\"shopify\"}],"
		    "\"line_items\":[{\"id\":4,\"sku\":\"A\",\"quantity\":1}]}";

		ck_assert_int_eq(intake_parse_orders_json(pickup, sizeof(pickup) - 1, &v, &n,
		    err, sizeof(err)), 0);
		ck_assert_int_eq(v[0]->has_shipping_address, 0);
		ck_assert_str_eq(v[0]->ship.name, "Jörg Weiß");
		ck_assert_int_eq(readiness_is_pickup(v[0]), 1);
		v[0]->lines[0].requires_shipping = 0;	/* digital: nothing to hand over */
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
	tcase_add_test(tc, test_store_migrate);
	tcase_add_test(tc, test_store_reimport);
	tcase_add_test(tc, test_store_hold);
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
