/*
 * Unit tests of the store interface (station/store/store*.h), through the
 * engine-neutral API only: open and migrate, upsert and re-import, holds,
 * shipments against the shop's quantities, product codes, and the first
 * error of a transaction. No SQL here: a second engine must pass the same.
 */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "station/core/order.h"
#include "station/store/store.h"
#include "station/store/store_checks.h"
#include "station/store/store_jobs.h"
#include "station/store/store_pack.h"
#include "station/store/store_query.h"

static char tmpdir[256];

static void
setup_tmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/station-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown_tmp(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct order *
mkorder(int64_t id, const char *name, int64_t qty)
{
	struct order *o = calloc(1, sizeof(*o));

	o->id = id;
	o->name = strdup(name);
	o->financial_status = strdup("paid");
	o->has_shipping_address = 1;
	o->ship.name = strdup("Ada Lovelace");
	o->ship.address1 = strdup("1 Dock Road");
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

/*
 * The engine a case that must hold on both runs on: STATION_TEST_DATABASE
 * (a fresh postgresql: database, tests/e2e_pg.sh) if set, else SQLite.
 */
static struct store *
open_engine_db(void)
{
	const char *uri = getenv("STATION_TEST_DATABASE");
	char err[256];
	struct store *s;

	if (uri == NULL || uri[0] == '\0')
		return open_db();
	s = store_open(uri, 0, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	return s;
}

/* The order as `show` sees it; the caller frees it. */
static struct store_order_detail *
detail(struct store *s, const char *name)
{
	struct store_order_detail *d = NULL;

	ck_assert_int_eq(store_load_order_detail(s, name, &d), 1);
	return d;
}

static void
assert_status(struct store *s, const char *name, const char *status)
{
	struct store_order_detail *d = detail(s, name);

	ck_assert_str_eq(d->status, status);
	store_order_detail_free(d);
}

/* Events of a kind (errors only if asked) whose message starts with prefix. */
static int
events(struct store *s, const char *kind, int errors_only, const char *prefix)
{
	struct log_filter f;
	struct store_event_row *v;
	size_t i, n;
	int hits = 0;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.errors_only = errors_only;
	ck_assert_int_eq(store_list_events(s, &f, &v, &n), 0);
	for (i = 0; i < n; i++)
		if (strncmp(v[i].message, prefix, strlen(prefix)) == 0)
			hits++;
	store_event_rows_free(v, n);
	return hits;
}

/* Units left to ship of an order, as the order list says. */
static int64_t
units_left(struct store *s, const char *name)
{
	struct store_order_row *v;
	size_t i, n;
	int64_t u = -1;

	ck_assert_int_eq(store_list_orders(s, NULL, &v, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			u = v[i].units;
	store_order_rows_free(v, n);
	return u;
}

/* Sets the SQLite header's user_version (big-endian at offset 60) of a closed file. */
static void
poke_user_version(const char *path, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, b, 4, 60), 4);
	close(fd);
}

START_TEST(test_store_migrate)
{
	char path[400], uri[420], err[256];
	struct store *s = open_db(), *ro;
	int64_t *ids;
	size_t n;

	ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	ck_assert_int_eq(store_jobs_unsent(s, &ids, &n), 0); /* print_jobs exists */
	ck_assert_uint_eq(n, 0);
	free(ids);
	store_close(s);
	s = open_db(); /* reopening migrates nothing */
	ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
	snprintf(path, sizeof(path), "%s/t.db", tmpdir);
	ro = store_open(path, 1, err, sizeof(err));
	ck_assert_ptr_nonnull(ro);
	store_close(ro);
	/* "sqlite:PATH" names the same engine; an engine this build lacks is refused */
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	ro = store_open(uri, 1, err, sizeof(err));
	ck_assert_ptr_nonnull(ro);
	store_close(ro);
	/* a PostgreSQL address goes to that engine: no server there, a password refused */
	ck_assert_ptr_null(
	    store_open("postgresql:///station?host=/nonexistent-station-dir", 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "postgresql:///station?host=/nonexistent-station-dir: "));
	ck_assert_ptr_null(
	    store_open("postgresql://u:secret@/station?host=/nonexistent", 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "password in the address is refused"));
	store_close(s);
	poke_user_version(path, 99);
	ck_assert_ptr_null(store_open(path, 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "schema version 99 is newer"));
}
END_TEST

/* Issue 15: holds persist; a scale weight and its source; labels by SSCC; line weights. */
START_TEST(test_store_checks)
{
	struct store *s = open_engine_db();
	struct order *o = mkorder(9007199254740995LL, "#1005", 2);
	struct store_order_detail *d;
	struct sess_state st, back;
	struct order_view *v;
	const char *outcome;
	char err[256], sscc[19], sscc2[19], name[64];
	int64_t id, pkg, pkg2, line;
	int box;

	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_find_order(s, "#1005", &id), 1);
	ck_assert_ptr_nonnull(v = store_order_view(s, id));
	ck_assert_int_eq(v->o.lines[0].grams, 300);
	line = v->o.lines[0].line_id;
	order_view_free(v);
	ck_assert_int_gt(pkg = store_open_package(s, id, "pack-1", 1), 0);
	ck_assert_int_gt(
	    store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "ok", id, line, 1, pkg, "counted"),
	    0);
	ck_assert_int_eq(store_close_package(s, id, "pack-1", "0614141", sscc), pkg);
	ck_assert_int_eq(store_package_weigh(s, pkg, 905), 0);
	/* a second box keeps its computed weight */
	ck_assert_int_gt(pkg2 = store_open_package(s, id, "pack-1", 2), 0);
	ck_assert_int_gt(
	    store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "ok", id, line, 1, pkg2, "counted"),
	    0);
	ck_assert_int_eq(store_close_package(s, id, "pack-1", "0614141", sscc2), pkg2);
	ck_assert_int_eq(store_commit(s), 0);
	d = detail(s, "#1005");
	ck_assert_uint_eq(d->npackages, 2);
	ck_assert_int_eq(d->packages[0].weight_grams, 905);
	ck_assert_str_eq(d->packages[0].weight_source, "scale");
	ck_assert_int_eq(d->packages[1].weight_grams, 300);
	ck_assert_str_eq(d->packages[1].weight_source, "computed");
	store_order_detail_free(d);
	{
		int boxes;
		int64_t grams;
		char src[32];

		ck_assert_int_eq(store_order_weight(s, id, &boxes, &grams, src, sizeof(src)), 0);
		ck_assert_int_eq(boxes, 2);
		ck_assert_int_eq(grams, 1205);
		ck_assert_str_eq(src, "scale and computed");
	}
	ck_assert_int_eq(store_find_label(s, sscc2, name, sizeof(name), &box, &pkg), 1);
	ck_assert_str_eq(name, "#1005");
	ck_assert_int_eq(box, 2);
	ck_assert_int_eq(pkg, pkg2);
	ck_assert_int_eq(
	    store_find_label(s, "000000000000000000", name, sizeof(name), &box, &pkg), 0);
	memset(sscc2, 0, sizeof(sscc2));
	ck_assert_int_eq(store_package_label(s, pkg, sscc2, name, sizeof(name)), 1);
	ck_assert_str_eq(name, "#1005");
	ck_assert_int_eq(strlen(sscc2), 18);
	/* what a bench waits for survives a restart */
	memset(&st, 0, sizeof(st));
	st.order_id = id;
	st.box = 2;
	st.hold = HOLD_WEIGHT;
	st.hold_close = CLOSE_PARTIAL;
	snprintf(st.label_code, sizeof(st.label_code), "%s", sscc);
	snprintf(st.label_order, sizeof(st.label_order), "#1005");
	snprintf(st.override_badge, sizeof(st.override_badge), "sup1");
	ck_assert_int_eq(store_session_save(s, "pack-1", &st), 0);
	ck_assert_int_eq(store_session_load(s, "pack-1", &back), 0);
	ck_assert_int_eq(back.hold, HOLD_WEIGHT);
	ck_assert_int_eq(back.hold_close, CLOSE_PARTIAL);
	ck_assert_str_eq(back.label_code, sscc);
	ck_assert_str_eq(back.label_order, "#1005");
	ck_assert_str_eq(back.override_badge, "sup1");
	order_free(o);
	store_close(s);
}
END_TEST

START_TEST(test_store_reimport)
{
	struct store *s = open_db();
	struct order *o = mkorder(9007199254740993LL, "#1001", 3);
	struct store_order_detail *d;
	const char *outcome;
	char err[256];
	int64_t id, pkg, line;

	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_str_eq(outcome, "imported");
	ck_assert_int_eq(store_commit(s), 0);
	d = detail(s, "#1001");
	ck_assert(d->has_shop_id);
	ck_assert_int_eq(d->shop_id, 9007199254740993LL);
	ck_assert_uint_eq(d->nlines, 1);
	ck_assert_int_eq(d->lines[0].shop_id, 9007199254740993LL);
	line = d->lines[0].line;
	store_order_detail_free(d);
	/* the same again: unchanged */
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_str_eq(outcome, "unchanged");
	/* two units packed, then the shop lowers the quantity to 1: a conflict event */
	ck_assert_int_eq(store_find_order(s, "#1001", &id), 1);
	ck_assert_int_gt(pkg = store_open_package(s, id, "pack-1", 1), 0);
	ck_assert_int_gt(
	    store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "ok", id, line, 2, pkg, "counted"),
	    0);
	o->lines[0].quantity = o->lines[0].fulfillable_quantity = 1;
	ck_assert_int_eq(store_upsert_order(s, o, "t2.json", &outcome, err, sizeof(err)), 0);
	ck_assert_str_eq(outcome, "updated");
	ck_assert_int_eq(events(s, "conflict", 1, "SKU-1: 2 packed but only 1 to ship now"), 1);
	ck_assert_int_eq(events(s, "update", 0, "updated from t2.json: SKU-1 quantity 3 → 1"), 1);
	/* cancelled upstream */
	o->cancelled_at = strdup("2026-11-01T10:00:00Z");
	ck_assert_int_eq(store_upsert_order(s, o, "t3.json", &outcome, err, sizeof(err)), 0);
	assert_status(s, "#1001", "cancelled");
	/* the line removed upstream: kept, marked removed, nothing left to ship */
	free(o->cancelled_at);
	o->cancelled_at = NULL;
	o->nlines = 0;
	ck_assert_int_eq(store_upsert_order(s, o, "t4.json", &outcome, err, sizeof(err)), 0);
	d = detail(s, "#1001");
	ck_assert_int_eq(d->lines[0].removed, 1);
	ck_assert_str_eq(d->status, "digital");
	store_order_detail_free(d);
	o->nlines = 1;
	order_free(o);
	store_close(s);
}
END_TEST

START_TEST(test_store_hold)
{
	struct store *s = open_db();
	struct order *o = mkorder(1, "#2001", 1);
	struct store_order_detail *d;
	const char *outcome;
	char err[256];
	int64_t id;

	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_find_order(s, "#2001", &id), 1);
	ck_assert_int_eq(store_hold_order(s, id, "address check", err, sizeof(err)), 0);
	d = detail(s, "#2001");
	ck_assert_str_eq(d->status, "on_hold");
	ck_assert_str_eq(d->hold_reason, "address check");
	ck_assert_str_eq(d->hold_source, "supervisor");
	store_order_detail_free(d);
	/* a re-import keeps the supervisor's hold */
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	d = detail(s, "#2001");
	ck_assert_str_eq(d->status, "on_hold");
	ck_assert_str_eq(d->hold_reason, "address check");
	store_order_detail_free(d);
	ck_assert_int_eq(store_release_order(s, id, err, sizeof(err)), 0);
	d = detail(s, "#2001");
	ck_assert_str_eq(d->status, "ready");
	ck_assert_ptr_null(d->hold_reason);
	ck_assert_ptr_null(d->hold_source);
	store_order_detail_free(d);
	ck_assert_int_eq(store_release_order(s, id, err, sizeof(err)), 1);
	ck_assert_str_eq(err, "order is ready, not on hold");
	/* unpaid: the shop's hold, which a supervisor cannot lift */
	free(o->financial_status);
	o->financial_status = strdup("pending");
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_release_order(s, id, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "held by the shop: not paid (pending)"));
	ck_assert_int_eq(store_find_order(s, "#9999", &id), 0);
	/* paid: the shop's hold ends by itself; a fulfilled order cannot be held */
	free(o->financial_status);
	o->financial_status = strdup("paid");
	o->lines[0].fulfillable_quantity = 0;
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	assert_status(s, "#2001", "fulfilled");
	ck_assert_int_eq(store_hold_order(s, id, "late", err, sizeof(err)), 1);
	ck_assert_str_eq(err, "order is fulfilled: nothing to hold");
	order_free(o);
	store_close(s);
}
END_TEST

/* Packs and ships `units` of the order's first line at pack-1. */
static void
pack_and_ship(struct store *s, int64_t id, int64_t units)
{
	struct order_view *v;
	char sscc[19];
	int64_t pkg;

	ck_assert_ptr_nonnull(v = store_order_view(s, id));
	ck_assert_uint_ge(v->nlines, 1);
	ck_assert_int_eq(store_open_order(s, id, "pack-1"), 0);
	ck_assert_int_gt(pkg = store_open_package(s, id, "pack-1", 1), 0);
	ck_assert_int_gt(store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "ok", id,
			     v->lines[0].line_id, units, pkg, "counted"),
	    0);
	order_view_free(v);
	ck_assert_int_eq(store_close_package(s, id, "pack-1", "0614141", sscc), pkg);
	ck_assert_int_gt(store_ship(s, id, "pack-1", NULL, 0), 0);
}

/* Issue 9 #1: the station's shipments come off the shop's fulfillable quantity once. */
START_TEST(test_store_partly_fulfilled_upstream)
{
	struct store *s = open_db();
	struct order *o = mkorder(3001, "#3001", 3);
	struct store_order_detail *d;
	struct order_view *v;
	const char *outcome;
	char err[256];
	int64_t id;

	o->lines[0].fulfillable_quantity = 1; /* 2 of 3 fulfilled upstream */
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_find_order(s, "#3001", &id), 1);
	assert_status(s, "#3001", "partial");
	ck_assert_int_eq(units_left(s, "#3001"), 1);
	ck_assert_ptr_nonnull(v = store_order_view(s, id));
	ck_assert_int_eq(v->lines[0].remaining, 1);
	order_view_free(v);
	pack_and_ship(s, id, 1);
	d = detail(s, "#3001");
	ck_assert_str_eq(d->status, "fulfilled");
	ck_assert_int_eq(d->lines[0].quantity, 1);
	ck_assert_int_eq(d->lines[0].shipped, 1);
	store_order_detail_free(d);
	ck_assert_int_eq(units_left(s, "#3001"), 0);
	ck_assert_ptr_nonnull(v = store_order_view(s, id));
	ck_assert_uint_eq(v->nlines, 0); /* nothing left to pack */
	order_view_free(v);
	/* re-imported before the shop heard of our shipment: still nothing left */
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	assert_status(s, "#3001", "fulfilled");
	ck_assert_int_eq(units_left(s, "#3001"), 0);
	/* the shop heard of it (fulfillable 0): not taken off twice */
	o->lines[0].fulfillable_quantity = 0;
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	assert_status(s, "#3001", "fulfilled");
	/* quantity raised to 4: exactly one more */
	o->lines[0].quantity = 4;
	o->lines[0].fulfillable_quantity = 1;
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	assert_status(s, "#3001", "partial");
	ck_assert_int_eq(units_left(s, "#3001"), 1);
	d = detail(s, "#3001");
	ck_assert_int_eq(d->lines[0].quantity, 2); /* 1 shipped + 1 to ship */
	store_order_detail_free(d);
	order_free(o);
	store_close(s);
}
END_TEST

/* Issue 9 #3: a quantity 0 line never makes an order fulfilled at import. */
START_TEST(test_store_quantity_zero)
{
	struct store *s = open_db();
	struct order *o = mkorder(3002, "#3002", 0);
	const char *outcome;
	char err[256];

	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	assert_status(s, "#3002", "digital");
	order_free(o);
	store_close(s);
}
END_TEST

/* Issue 9 #2: a code matches by barcode, SKU or alias wherever it is known. */
START_TEST(test_store_find_product)
{
	struct store *s = open_db();
	struct product_code codes[] = {
		{ "4006381333931", "MUG-BLK-12", 1 },
		{ "14006381333938", "MUG-BLK-12", 6 },
		{ "MUGBLK", "MUG-BLK-12", 1 },
	};
	struct order *o = mkorder(4001, "#4001", 1);
	const char *outcome;
	char err[256], sku[64];
	int64_t mult;
	size_t i;

	ck_assert_int_eq(store_begin(s), 0);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		ck_assert_int_eq(store_upsert_code(s, &codes[i], err, sizeof(err)), 0);
	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(store_find_product(s, "4006381333931", sku, sizeof(sku), &mult), 1);
	ck_assert_str_eq(sku, "MUG-BLK-12");
	ck_assert_int_eq(mult, 1);
	ck_assert_int_eq(store_find_product(s, "14006381333938", sku, sizeof(sku), &mult), 1);
	ck_assert_int_eq(mult, 6);
	ck_assert_int_eq(store_find_product(s, "MUGBLK", sku, sizeof(sku), &mult), 1);
	ck_assert_str_eq(sku, "MUG-BLK-12");
	/* the catalog's SKU itself, in no order */
	mult = 0;
	ck_assert_int_eq(store_find_product(s, "MUG-BLK-12", sku, sizeof(sku), &mult), 1);
	ck_assert_str_eq(sku, "MUG-BLK-12");
	ck_assert_int_eq(mult, 1);
	/* an order line's SKU, in no catalog */
	ck_assert_int_eq(store_find_product(s, "SKU-1", sku, sizeof(sku), &mult), 1);
	ck_assert_str_eq(sku, "SKU-1");
	ck_assert_int_eq(store_find_product(s, "NOPE", sku, sizeof(sku), &mult), 0);
	order_free(o);
	store_close(s);
}
END_TEST

/* The web console's queue search: orders with a line of a SKU, oldest first, bounded. */
START_TEST(test_store_orders_with_sku)
{
	struct store *s = open_db();
	const char *names[] = { "#5001", "#5002", "#5003" }, *outcome;
	char err[256], **v;
	size_t i, n;

	ck_assert_int_eq(store_begin(s), 0);
	for (i = 0; i < 3; i++) {
		struct order *o = mkorder(5001 + (int64_t)i, names[i], 1);

		if (i == 1) {
			free(o->lines[0].sku);
			o->lines[0].sku = strdup("OTHER");
		}
		ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
		order_free(o);
	}
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(store_orders_with_sku(s, "SKU-1", 0, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0], "#5001");
	ck_assert_str_eq(v[1], "#5003");
	store_names_free(v, n);
	ck_assert_int_eq(store_orders_with_sku(s, "SKU-1", 1, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	store_names_free(v, n);
	ck_assert_int_eq(store_orders_with_sku(s, "NONE", 0, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	store_names_free(v, n);
	store_close(s);
}
END_TEST

/* log_filter.newest: the newest rows of a limit, handed back oldest first. */
START_TEST(test_store_events_newest)
{
	struct store *s = open_db();
	struct store_event_row *v;
	struct log_filter f;
	char msg[16];
	size_t n;
	int i;

	for (i = 1; i <= 5; i++) {
		snprintf(msg, sizeof(msg), "e%d", i);
		ck_assert_int_eq(store_add_event(s, "pack-1", 0, NULL, "alert", NULL, msg, 0), 0);
	}
	memset(&f, 0, sizeof(f));
	f.kind = "alert";
	f.limit = 2;
	ck_assert_int_eq(store_list_events(s, &f, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].message, "e1");
	store_event_rows_free(v, n);
	f.newest = 1;
	ck_assert_int_eq(store_list_events(s, &f, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].message, "e4");
	ck_assert_str_eq(v[1].message, "e5");
	ck_assert_int_lt(v[0].id, v[1].id);
	store_event_rows_free(v, n);
	store_close(s);
}
END_TEST

/* After a rollback, the store says what went wrong first, never "not an error". */
START_TEST(test_store_first_error)
{
	struct store *s = open_db(), *ro;
	char path[400], err[256];

	ck_assert_int_eq(store_begin(s), 0);
	/* an event without a kind breaks the schema's NOT NULL: the first error */
	ck_assert_int_eq(store_add_event(s, NULL, 0, NULL, NULL, NULL, "x", 0), -1);
	/* a scan without a code: a second error, which must not replace the first */
	ck_assert_int_eq(
	    store_record_scan(s, "pack-1", NULL, NULL, NULL, "ok", 0, 0, 0, 0, NULL), -1);
	store_rollback(s);
	ck_assert_ptr_nonnull(strstr(store_strerror(s), "events.kind"));
	ck_assert_str_eq(store_errmsg(s), store_strerror(s));
	ck_assert_ptr_null(strstr(store_strerror(s), "not an error"));
	/* a new transaction starts a new record */
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(
	    store_record_scan(s, "pack-1", NULL, NULL, NULL, "ok", 0, 0, 0, 0, NULL), -1);
	store_rollback(s);
	ck_assert_ptr_nonnull(strstr(store_strerror(s), "scans.code"));
	/* a read-only store refuses writes with SQLite's reason */
	snprintf(path, sizeof(path), "%s/t.db", tmpdir);
	ck_assert_ptr_nonnull(ro = store_open(path, 1, err, sizeof(err)));
	ck_assert_int_eq(store_add_event(ro, NULL, 0, NULL, "note", NULL, "x", 0), -1);
	ck_assert_ptr_nonnull(strstr(store_strerror(ro), "readonly"));
	store_close(ro);
	store_close(s);
}
END_TEST

/*
 * A lazy transaction (an import's batch) holds and rolls back as any other;
 * store_durable then syncs it, and the transactions after it are ordinary.
 */
START_TEST(test_store_lazy)
{
	struct store *s = open_engine_db();
	struct order *a = mkorder(9007199254741001LL, "#1101", 1);
	struct order *b = mkorder(9007199254741002LL, "#1102", 1);
	struct order *c = mkorder(9007199254741003LL, "#1103", 1);
	const char *outcome;
	char err[256];
	int64_t id;

	ck_assert_int_eq(store_durable(s), 0); /* nothing lazy yet */
	ck_assert_int_eq(store_begin_lazy(s), 0);
	ck_assert_int_eq(store_upsert_order(s, a, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(store_begin_lazy(s), 0);
	ck_assert_int_eq(store_upsert_order(s, b, "t.json", &outcome, err, sizeof(err)), 0);
	store_rollback(s);
	ck_assert_int_eq(store_durable(s), 0);
	ck_assert_int_eq(store_durable(s), 0); /* twice: nothing left to sync */
	ck_assert_int_eq(store_find_order(s, "#1101", &id), 1);
	ck_assert_int_eq(store_find_order(s, "#1102", &id), 0);
	ck_assert_int_eq(store_begin(s), 0);
	ck_assert_int_eq(store_upsert_order(s, c, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_commit(s), 0);
	ck_assert_int_eq(store_find_order(s, "#1103", &id), 1);
	order_free(a);
	order_free(b);
	order_free(c);
	store_close(s);
}
END_TEST

/* packed and packed_box of the order's only line, as the bench reads them */
static void
assert_packed(struct store *s, int64_t id, int64_t packed, int64_t boxed)
{
	struct order_view *v = store_order_view(s, id);

	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->nlines, 1);
	ck_assert_int_eq(v->lines[0].packed, packed);
	ck_assert_int_eq(v->lines[0].packed_box, boxed);
	order_view_free(v);
}

/*
 * Issue 11: the bench's view of a line (packed, packed in the open box)
 * stays exact through every write that changes it: counting, undo,
 * closing a box, abandoning, shipping; and a reopened store migrated
 * from its rows reads the same.
 */
START_TEST(test_store_packed_tally)
{
	struct store *s = open_db();
	struct order *o = mkorder(4001, "#4001", 10);
	struct store_order_detail *d;
	const char *outcome;
	char err[256], sscc[19];
	int64_t id, pkg, line;
	int i;

	ck_assert_int_eq(store_upsert_order(s, o, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_int_eq(store_find_order(s, "#4001", &id), 1);
	d = detail(s, "#4001");
	line = d->lines[0].line;
	store_order_detail_free(d);
	assert_packed(s, id, 0, 0);
	ck_assert_int_eq(store_open_order(s, id, "pack-1"), 0);
	ck_assert_int_gt(pkg = store_open_package(s, id, "pack-1", 1), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_gt(store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "ok", id, line,
				     i == 2 ? 2 : 1, pkg, "counted"),
		    0);
	/* a refusal names the line but counts nothing */
	ck_assert_int_gt(
	    store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "too_many", id, line, 0, 0, NULL),
	    0);
	assert_packed(s, id, 4, 4);
	ck_assert_int_eq(store_undo_last(s, "pack-1", id), 0); /* the 2 go */
	assert_packed(s, id, 2, 2);
	ck_assert_int_gt(store_close_package(s, id, "pack-1", "0614141", sscc), 0);
	assert_packed(s, id, 2, 0);
	ck_assert_int_eq(store_undo_last(s, "pack-1", id), 0); /* nothing open: no-op */
	assert_packed(s, id, 2, 0);
	ck_assert_int_gt(pkg = store_open_package(s, id, "pack-1", 2), 0);
	ck_assert_int_gt(
	    store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "ok", id, line, 3, pkg, "counted"),
	    0);
	assert_packed(s, id, 5, 3);
	/* a restart reads the same rows */
	store_close(s);
	s = open_db();
	assert_packed(s, id, 5, 3);
	/* abandoned: nothing packed any more */
	ck_assert_int_eq(store_close_unshipped(s, id, "pack-1"), 0);
	assert_packed(s, id, 0, 0);
	/* packed again and shipped: the shipped units leave the count */
	ck_assert_int_eq(store_open_order(s, id, "pack-1"), 0);
	ck_assert_int_gt(pkg = store_open_package(s, id, "pack-1", 1), 0);
	ck_assert_int_gt(
	    store_record_scan(s, "pack-1", NULL, "SKU-1", NULL, "ok", id, line, 4, pkg, "counted"),
	    0);
	assert_packed(s, id, 4, 4);
	ck_assert_int_gt(store_ship(s, id, "pack-1", NULL, 1), 0);
	assert_packed(s, id, 0, 0);
	d = detail(s, "#4001");
	ck_assert_int_eq(d->lines[0].shipped, 4);
	store_order_detail_free(d);
	order_free(o);
	store_close(s);
}
END_TEST

/*
 * A new order's import event, word for word (the insert path writes it
 * itself): the order's name, the source, status and reason, lines and
 * units; a source too long for it is cut as snprintf cuts (255 bytes).
 */
START_TEST(test_store_import_event)
{
	struct store *s = open_db();
	struct order *a = mkorder(9007199254740993LL, "#2001", 3);
	struct order *b = mkorder(9007199254740995LL, "#2002", 2);
	struct order *c = mkorder(9007199254740999LL, "#2003", 2);
	struct store_event_row *v;
	struct log_filter f;
	const char *outcome;
	char err[256], src[400], want[256];
	size_t n;

	memset(src, 'x', sizeof(src) - 1);
	src[sizeof(src) - 1] = '\0';
	free(b->financial_status);
	b->financial_status = strdup("pending");
	b->lines[0].id = 9007199254740997LL;
	ck_assert_int_eq(store_upsert_order(s, a, "t.json", &outcome, err, sizeof(err)), 0);
	ck_assert_str_eq(outcome, "imported");
	ck_assert_int_eq(store_upsert_order(s, b, src, &outcome, err, sizeof(err)), 0);
	ck_assert_str_eq(outcome, "imported");
	free(c->financial_status);
	c->financial_status = strdup("pending");
	c->lines[0].id = 9007199254741001LL;
	ck_assert_int_eq(store_upsert_order(s, c, "p.json", &outcome, err, sizeof(err)), 0);
	memset(&f, 0, sizeof(f));
	f.kind = "import";
	ck_assert_int_eq(store_list_events(s, &f, &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0].order, "#2001");
	ck_assert_str_eq(v[0].message, "imported from t.json: ready, 1 lines, 3 units to ship");
	ck_assert_str_eq(v[0].station, "");
	ck_assert_int_eq(v[0].error, 0);
	ck_assert_str_eq(v[1].order, "#2002");
	/* "imported from " (14 bytes) and the first 241 bytes of the source */
	memcpy(want, "imported from ", 14);
	memset(want + 14, 'x', 241);
	want[255] = '\0';
	ck_assert_str_eq(v[1].message, want);
	ck_assert_uint_eq(strlen(v[1].message), 255);
	ck_assert_str_eq(v[2].message,
	    "imported from p.json: on_hold — not paid (pending), 1 lines, 2 units to ship");
	store_event_rows_free(v, n);
	order_free(a);
	order_free(b);
	order_free(c);
	store_close(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("store");
	TCase *tc = tcase_create("interface");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
	tcase_add_test(tc, test_store_migrate);
	tcase_add_test(tc, test_store_reimport);
	tcase_add_test(tc, test_store_import_event);
	tcase_add_test(tc, test_store_checks);
	tcase_add_test(tc, test_store_hold);
	tcase_add_test(tc, test_store_partly_fulfilled_upstream);
	tcase_add_test(tc, test_store_quantity_zero);
	tcase_add_test(tc, test_store_find_product);
	tcase_add_test(tc, test_store_first_error);
	tcase_add_test(tc, test_store_lazy);
	tcase_add_test(tc, test_store_orders_with_sku);
	tcase_add_test(tc, test_store_events_newest);
	tcase_add_test(tc, test_store_packed_tally);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
