/* The SQLite schema: its migrations, and bringing a database file up to date. */
#include <stdio.h>
#include <stdlib.h>

#include "station/store/sqlite/sqlite_int.h"

/*
 * A box closes (or opens again): its counted units leave (or join) the open
 * count. A trigger of packages: 6 -> 7 makes it, 7 -> 8 makes it again on the
 * table it rebuilds.
 */
#define LINE_TALLY_BOX                                                                             \
	"CREATE TRIGGER line_tally_box AFTER UPDATE OF state ON packages"                          \
	" WHEN (old.state = 'open') <> (new.state = 'open') BEGIN"                                 \
	" UPDATE line_tally SET boxed = boxed + CASE WHEN new.state = 'open' THEN 1 ELSE -1 END *" \
	"  (SELECT coalesce(sum(units), 0) FROM scans c WHERE c.package_id = new.id"               \
	"   AND c.state = 'counted' AND c.line_id = line_tally.line_id)"                           \
	" WHERE line_id IN (SELECT line_id FROM scans WHERE package_id = new.id"                   \
	"  AND state = 'counted');"                                                                \
	" END;"

/* Forward migrations: migrations[i] takes user_version i to i + 1. */
static const char *migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE orders ("
	" id INTEGER PRIMARY KEY,"
	" shop_id INTEGER UNIQUE,"
	" name TEXT NOT NULL UNIQUE,"
	" email TEXT, created_at TEXT, financial_status TEXT,"
	" shop_fulfillment_status TEXT, cancelled_at TEXT, cancel_reason TEXT,"
	" note TEXT, gift_message TEXT, tags TEXT,"
	" has_ship INTEGER NOT NULL DEFAULT 0,"
	" ship_name TEXT, ship_first_name TEXT, ship_last_name TEXT, ship_company TEXT,"
	" ship_address1 TEXT, ship_address2 TEXT, ship_city TEXT, ship_province TEXT,"
	" ship_province_code TEXT, ship_zip TEXT, ship_country TEXT,"
	" ship_country_code TEXT, ship_phone TEXT,"
	" shipping_title TEXT, shipping_code TEXT, pickup INTEGER NOT NULL DEFAULT 0,"
	" tracking_number TEXT, tracking_company TEXT,"
	" status TEXT NOT NULL, hold_reason TEXT, hold_source TEXT, station TEXT,"
	" slip_printed INTEGER NOT NULL DEFAULT 0,"
	" imported_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX orders_status ON orders(status, id);"
	"CREATE TABLE order_lines ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES orders(id),"
	" shop_line_id INTEGER, position INTEGER NOT NULL,"
	" sku TEXT, title TEXT, variant_title TEXT, name TEXT,"
	" quantity INTEGER NOT NULL, fulfillable_quantity INTEGER NOT NULL,"
	" requires_shipping INTEGER NOT NULL, grams INTEGER NOT NULL DEFAULT -1,"
	" shop_fulfillment_status TEXT, removed INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX order_lines_order ON order_lines(order_id);"
	"CREATE INDEX order_lines_sku ON order_lines(sku);"
	"CREATE TABLE product_codes ("
	" code TEXT PRIMARY KEY, sku TEXT NOT NULL,"
	" multiplier INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL);"
	"CREATE TABLE sessions ("
	" station TEXT PRIMARY KEY, order_id INTEGER, box INTEGER NOT NULL DEFAULT 0,"
	" qty_next INTEGER NOT NULL DEFAULT 0, packer TEXT NOT NULL DEFAULT '',"
	" last_code TEXT NOT NULL DEFAULT '', last_ms INTEGER NOT NULL DEFAULT 0,"
	" opened_at INTEGER, last_label_job INTEGER);"
	"CREATE TABLE packages ("
	" id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, station TEXT NOT NULL,"
	" box INTEGER NOT NULL, sscc TEXT UNIQUE,"
	" state TEXT NOT NULL," /* open, closed, shipped, void */
	" fulfillment_id INTEGER, weight_grams INTEGER,"
	" created_at INTEGER NOT NULL, closed_at INTEGER);"
	"CREATE INDEX packages_order ON packages(order_id, state);"
	"CREATE TABLE scans ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, station TEXT NOT NULL,"
	" packer TEXT, code TEXT NOT NULL, aim TEXT, verdict TEXT NOT NULL,"
	" order_id INTEGER, line_id INTEGER, units INTEGER NOT NULL DEFAULT 0,"
	" package_id INTEGER,"
	" state TEXT);" /* counted, undone, shipped, abandoned (item scans) */
	"CREATE INDEX scans_order ON scans(order_id, state);"
	"CREATE INDEX scans_station ON scans(station, id);"
	"CREATE INDEX scans_line ON scans(line_id, state);"
	"CREATE INDEX scans_package ON scans(package_id, state);"
	"CREATE TABLE fulfillments ("
	" id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, station TEXT NOT NULL,"
	" packer TEXT, at INTEGER NOT NULL, partial INTEGER NOT NULL,"
	" units INTEGER NOT NULL, opened_at INTEGER,"
	" outbox_name TEXT, doc TEXT NOT NULL);"
	"CREATE INDEX fulfillments_at ON fulfillments(at);"
	"CREATE TABLE fulfillment_lines ("
	" fulfillment_id INTEGER NOT NULL, order_id INTEGER NOT NULL,"
	" line_id INTEGER NOT NULL, quantity INTEGER NOT NULL);"
	"CREATE INDEX fulfillment_lines_order ON fulfillment_lines(order_id);"
	"CREATE INDEX fulfillment_lines_line ON fulfillment_lines(line_id);"
	"CREATE TABLE print_jobs ("
	" id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, station TEXT,"
	" printer TEXT, kind TEXT NOT NULL, order_id INTEGER, package_id INTEGER,"
	" title TEXT, media TEXT, copies INTEGER NOT NULL DEFAULT 1,"
	" ipp_job_id INTEGER, state TEXT NOT NULL, reason TEXT,"
	" attempts INTEGER NOT NULL DEFAULT 0, updated_at INTEGER,"
	" accepted_at INTEGER, completed_at INTEGER, pdf BLOB);"
	"CREATE INDEX print_jobs_state ON print_jobs(state);"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, station TEXT,"
	" order_id INTEGER, order_name TEXT, packer TEXT, kind TEXT NOT NULL,"
	" verdict TEXT, message TEXT NOT NULL, error INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX events_at ON events(at);"
	"CREATE INDEX events_station ON events(station, at);"
	"CREATE INDEX events_order ON events(order_name, at);"
	"CREATE INDEX events_kind ON events(kind, at);"
	"CREATE INDEX events_packer ON events(packer, at);"
	"CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
	/*
	 * 1 -> 2: how many of our shipped units the shop has already taken off
	 * a line's fulfillable quantity (issue 9 #1). Existing rows keep the
	 * old reading (as many as the upstream count allows).
	 */
	"ALTER TABLE order_lines ADD COLUMN shop_acked INTEGER NOT NULL DEFAULT 0;"
	"UPDATE order_lines SET shop_acked = max(0, min("
	" (SELECT coalesce(sum(f.quantity), 0) FROM fulfillment_lines f WHERE f.line_id = order_lines.id),"
	" quantity - fulfillable_quantity));",
	/* 2 -> 3: a scan's event names its scan row (log --format json shows code, aim) */
	"ALTER TABLE events ADD COLUMN scan_id INTEGER;",
	/*
	 * 3 -> 4: what a committed scan implies (a label, a slip) is a row of the
	 * same transaction, carried out after it and again after a crash; a
	 * scan sent with an idempotency key keeps the key and its reply.
	 */
	"CREATE TABLE effects ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, station TEXT NOT NULL,"
	" kind TEXT NOT NULL, ref INTEGER NOT NULL, done_at INTEGER);"
	"CREATE INDEX effects_pending ON effects(done_at, id);"
	"CREATE INDEX fulfillments_unwritten ON fulfillments(id) WHERE outbox_name IS NULL;"
	"ALTER TABLE scans ADD COLUMN request_key TEXT;"
	"ALTER TABLE scans ADD COLUMN reply TEXT;"
	"CREATE UNIQUE INDEX scans_request_key ON scans(station, request_key)"
	" WHERE request_key IS NOT NULL;",
	/*
	 * 4 -> 5: shop sync (issue 12): the shop's fulfillment orders as last
	 * read, one push row per shipment (created in its transaction), state.
	 */
	"CREATE TABLE shop_fos ("
	" fo_id INTEGER PRIMARY KEY, order_shop_id INTEGER NOT NULL,"
	" here INTEGER NOT NULL, status TEXT, doc TEXT NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX shop_fos_order ON shop_fos(order_shop_id);"
	"CREATE TABLE shop_pushes ("
	" fulfillment_id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL,"
	" state TEXT NOT NULL, payload TEXT NOT NULL, shop_fulfillment TEXT, error TEXT,"
	" attempts INTEGER NOT NULL DEFAULT 0, first_sent_at INTEGER,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX shop_pushes_state ON shop_pushes(state);"
	"CREATE TABLE shop_state (key TEXT PRIMARY KEY, value TEXT);",
	/*
	 * 5 -> 6 (issue 15): what a bench is held on (a box the weight check
	 * stopped, a label to scan back, a supervisor's PIN to come), and
	 * where a package's weight came from (the scale, or product weights).
	 */
	"ALTER TABLE sessions ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sessions ADD COLUMN hold_close INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sessions ADD COLUMN label_code TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE sessions ADD COLUMN label_order TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE sessions ADD COLUMN override_badge TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE packages ADD COLUMN weight_source TEXT;"
	"UPDATE packages SET weight_source = 'computed' WHERE weight_grams IS NOT NULL;",
	/*
	 * 6 -> 7: what is packed of each line (counted, and counted in an open
	 * box), kept by triggers as scans are counted, undone, shipped or
	 * abandoned and boxes close, whoever writes them: reading the order at
	 * the bench costs a lookup per line, not a walk of every scan of the
	 * line (issue 11: a 2,000-unit line read 2,000 scans on each scan).
	 */
	"CREATE TABLE line_tally (line_id INTEGER PRIMARY KEY,"
	" counted INTEGER NOT NULL DEFAULT 0, boxed INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO line_tally(line_id, counted, boxed) SELECT c.line_id, sum(c.units),"
	" sum(CASE WHEN p.state = 'open' THEN c.units ELSE 0 END)"
	" FROM scans c LEFT JOIN packages p ON p.id = c.package_id"
	" WHERE c.state = 'counted' AND c.line_id IS NOT NULL GROUP BY c.line_id;"
	"CREATE TRIGGER line_tally_add AFTER INSERT ON scans"
	" WHEN new.state = 'counted' AND new.line_id IS NOT NULL BEGIN"
	" INSERT INTO line_tally(line_id, counted, boxed) VALUES (new.line_id, new.units,"
	"  CASE WHEN (SELECT state FROM packages WHERE id = new.package_id) = 'open'"
	"  THEN new.units ELSE 0 END)"
	" ON CONFLICT(line_id) DO UPDATE SET counted = counted + excluded.counted,"
	"  boxed = boxed + excluded.boxed;"
	" END;"
	"CREATE TRIGGER line_tally_drop AFTER DELETE ON scans"
	" WHEN old.state = 'counted' AND old.line_id IS NOT NULL BEGIN"
	" UPDATE line_tally SET counted = counted - old.units, boxed = boxed -"
	"  CASE WHEN (SELECT state FROM packages WHERE id = old.package_id) = 'open'"
	"  THEN old.units ELSE 0 END WHERE line_id = old.line_id;"
	" END;"
	/* a changed scan: the old row out, the new one in (two triggers, in that order) */
	"CREATE TRIGGER line_tally_change_out AFTER UPDATE OF state, units, line_id, package_id"
	" ON scans WHEN old.state = 'counted' AND old.line_id IS NOT NULL BEGIN"
	" UPDATE line_tally SET counted = counted - old.units, boxed = boxed -"
	"  CASE WHEN (SELECT state FROM packages WHERE id = old.package_id) = 'open'"
	"  THEN old.units ELSE 0 END WHERE line_id = old.line_id;"
	" END;"
	"CREATE TRIGGER line_tally_change_in AFTER UPDATE OF state, units, line_id, package_id"
	" ON scans WHEN new.state = 'counted' AND new.line_id IS NOT NULL BEGIN"
	" INSERT INTO line_tally(line_id, counted, boxed) VALUES (new.line_id, new.units,"
	"  CASE WHEN (SELECT state FROM packages WHERE id = new.package_id) = 'open'"
	"  THEN new.units ELSE 0 END)"
	" ON CONFLICT(line_id) DO UPDATE SET counted = counted + excluded.counted,"
	"  boxed = boxed + excluded.boxed;"
	" END;"
	/* a box closes (or opens again): its counted units leave (or join) the open count */
	LINE_TALLY_BOX
	/*
	 * Every scan asks for the bench's last label (packages by station, newest
	 * first) and an unknown code for a catalog SKU: lookups, not walks of
	 * every package and product code ever stored.
	 */
	"CREATE INDEX packages_station ON packages(station, closed_at, id)"
	" WHERE sscc IS NOT NULL;"
	"CREATE INDEX product_codes_sku ON product_codes(sku);"
	/*
	 * Rows without the key stay out of its index (every lookup names the
	 * key: col = ?): a scan that opens an order, a command and a bench
	 * without a logged-in packer write fewer index pages per commit.
	 */
	"DROP INDEX scans_line;"
	"CREATE INDEX scans_line ON scans(line_id, state) WHERE line_id IS NOT NULL;"
	"DROP INDEX scans_package;"
	"CREATE INDEX scans_package ON scans(package_id, state) WHERE package_id IS NOT NULL;"
	"DROP INDEX events_packer;"
	"CREATE INDEX events_packer ON events(packer, at) WHERE packer IS NOT NULL;",
	/*
	 * 7 -> 8 (issue 11): fewer index pages in each scan's commit, each one
	 * a page written to the WAL and synced before the verdict.
	 * - The log's query walks events by id and filters (its filters are
	 *   all optional): the indexes by time, order, kind and packer served
	 *   no query, and the prune goes by id as the scans' does. A bench's
	 *   last verdict is its newest event: by station, then id, no sort.
	 * - A shipment's lines are looked up by order, then line: one index.
	 * - A package's SSCC is unique when it has one: an open box no longer
	 *   puts a NULL in the SSCC's index, and its closing no longer moves it
	 *   out. The table is rebuilt for it (legacy_alter_table: the scans'
	 *   tally triggers name packages and stay as they are).
	 */
	"DROP INDEX events_at;"
	"DROP INDEX events_order;"
	"DROP INDEX events_kind;"
	"DROP INDEX events_packer;"
	"DROP INDEX events_station;"
	"CREATE INDEX events_station ON events(station);"
	"DROP INDEX fulfillment_lines_order;"
	"DROP INDEX fulfillment_lines_line;"
	"CREATE INDEX fulfillment_lines_order ON fulfillment_lines(order_id, line_id);"
	"PRAGMA legacy_alter_table = ON;"
	"CREATE TABLE packages_new ("
	" id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, station TEXT NOT NULL,"
	" box INTEGER NOT NULL, sscc TEXT,"
	" state TEXT NOT NULL,"
	" fulfillment_id INTEGER, weight_grams INTEGER,"
	" created_at INTEGER NOT NULL, closed_at INTEGER, weight_source TEXT);"
	"INSERT INTO packages_new(id, order_id, station, box, sscc, state, fulfillment_id,"
	" weight_grams, created_at, closed_at, weight_source)"
	" SELECT id, order_id, station, box, sscc, state, fulfillment_id,"
	" weight_grams, created_at, closed_at, weight_source FROM packages;"
	"DROP TABLE packages;"
	"ALTER TABLE packages_new RENAME TO packages;"
	"PRAGMA legacy_alter_table = OFF;"
	"CREATE UNIQUE INDEX packages_sscc ON packages(sscc) WHERE sscc IS NOT NULL;"
	"CREATE INDEX packages_order ON packages(order_id, state);"
	"CREATE INDEX packages_station ON packages(station, closed_at, id)"
	" WHERE sscc IS NOT NULL;" LINE_TALLY_BOX,
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
sqlite_schema_latest(void)
{
	return NMIGRATIONS;
}

int
sqlite_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
sqlite_user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Test hook: STATION_TEST_SCHEMA=N migrates no further than version N, so a
 * test can make the file an older station left and see this one migrate it.
 */
static int
last_migration(void)
{
	const char *stop = getenv("STATION_TEST_SCHEMA");
	int n = stop ? atoi(stop) : NMIGRATIONS;

	return n > 0 && n < NMIGRATIONS ? n : NMIGRATIONS;
}

int
sqlite_migrate(sqlite3 *db, char *err, size_t errlen)
{
	char sql[64];
	int v = sqlite_user_version(db), last = last_migration();

	if (v < 0) {
		snprintf(err, errlen, "reading schema version: %s",
		    sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errmsg(db) : "unknown error");
		return -1;
	}
	if (v > NMIGRATIONS) {
		snprintf(err, errlen, "database schema version %d is newer than this station (%d)",
		    v, NMIGRATIONS);
		return -1;
	}
	for (; v < last; v++) {
		if (sqlite_exec(db, "BEGIN IMMEDIATE", err, errlen) == -1)
			return -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (sqlite_exec(db, migrations[v], err, errlen) == -1 ||
		    sqlite_exec(db, sql, err, errlen) == -1) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (sqlite_exec(db, "COMMIT", err, errlen) == -1)
			return -1;
	}
	return 0;
}
