/* Orders in the store: upsert from the shop (with readiness), holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/core/order_state.h"
#include "station/core/readiness.h"
#include "station/store/store.h"
#include "station/store/sqlite/sqlite_int.h"

/* An existing line as the store has it, for matching a re-import. */
struct old_line {
	int64_t id, shop_line_id, quantity, fulfillable, shipped, acked, packed;
	char *sku, *name;
	int removed, matched;
};

struct old_order {
	int64_t id;
	char *status, *hold_source, *station, *financial_status, *cancelled_at;
	char *addr; /* address fingerprint */
	struct old_line *lines;
	size_t nlines;
};

static void
old_order_clear(struct old_order *o)
{
	size_t i;

	for (i = 0; i < o->nlines; i++) {
		free(o->lines[i].sku);
		free(o->lines[i].name);
	}
	free(o->lines);
	free(o->status);
	free(o->hold_source);
	free(o->station);
	free(o->financial_status);
	free(o->cancelled_at);
	free(o->addr);
}

static int
streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static char *
address_fingerprint(const struct address *a)
{
	const char *f[] = { a->name, a->company, a->address1, a->address2, a->city, a->province,
		a->zip, a->country, a->phone };
	size_t i, n, len = 1;
	char *s;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		len += (f[i] ? strlen(f[i]) : 0) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0, n = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		size_t fl = f[i] ? strlen(f[i]) : 0;

		memcpy(s + n, f[i] ? f[i] : "", fl); /* len counted every byte */
		n += fl;
		s[n++] = '\x1f';
	}
	s[n] = '\0';
	return s;
}

/*
 * Binds a string or NULL without copying it (store_bind_text copies): every
 * statement of this file is stepped while the order and the buffers it binds
 * are alive, and store_stmt clears the bindings before the next use. The
 * copies were a malloc, a memcpy and a free per field, ~10% of an import.
 */
static int
bind_str(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static const char SQL_FIND_BY_SHOP_ID[] = "SELECT id FROM orders WHERE shop_id = ?";
static const char SQL_FIND_BY_NAME[] = "SELECT id, shop_id FROM orders WHERE name = ?";

int
sqlite_store_find_order(struct store *s, const char *name, int64_t *id)
{
	sqlite3_stmt *st = store_stmt(s, SQL_FIND_BY_NAME);
	int r;

	if (st == NULL)
		return -1;
	bind_str(st, 1, name);
	r = store_step(s, st);
	if (r == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
}

/* Finds the existing row for o: by shop id, else by name. 1/0/-1. */
static int
find_existing(struct store *s, const struct order *o, int64_t *id, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int r;

	if (o->id != 0) {
		if ((st = store_stmt(s, SQL_FIND_BY_SHOP_ID)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, o->id);
		r = store_step(s, st);
		if (r == SQLITE_ROW) {
			*id = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			return 1;
		}
		sqlite3_reset(st);
		if (r != SQLITE_DONE)
			return -1;
	}
	if ((st = store_stmt(s, SQL_FIND_BY_NAME)) == NULL)
		return -1;
	bind_str(st, 1, o->name);
	r = store_step(s, st);
	if (r == SQLITE_ROW) {
		int64_t shop = sqlite3_column_int64(st, 1);

		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (o->id != 0 && shop != 0 && shop != o->id) {
			snprintf(err, errlen, "order %s: name already used by shop order %lld",
			    o->name, (long long)shop);
			return -2;
		}
		return 1;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
}

static int
load_old(struct store *s, int64_t id, struct old_order *old)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT status, hold_source, station, financial_status, cancelled_at,"
	    " coalesce(ship_name,'')||char(31)||coalesce(ship_company,'')||char(31)||"
	    " coalesce(ship_address1,'')||char(31)||coalesce(ship_address2,'')||char(31)||"
	    " coalesce(ship_city,'')||char(31)||coalesce(ship_province,'')||char(31)||"
	    " coalesce(ship_zip,'')||char(31)||coalesce(ship_country,'')||char(31)||"
	    " coalesce(ship_phone,'')||char(31) FROM orders WHERE id = ?");
	size_t cap = 0;

	memset(old, 0, sizeof(*old));
	old->id = id;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (store_step(s, st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	old->status = store_col_dup(st, 0);
	old->hold_source = store_col_dup(st, 1);
	old->station = store_col_dup(st, 2);
	old->financial_status = store_col_dup(st, 3);
	old->cancelled_at = store_col_dup(st, 4);
	old->addr = store_col_dup(st, 5);
	sqlite3_reset(st);
	st = store_stmt(s,
	    "SELECT l.id, coalesce(l.shop_line_id, 0), l.quantity, l.sku, l.name, l.removed,"
	    " (SELECT coalesce(sum(quantity), 0) FROM fulfillment_lines f WHERE f.order_id = l.order_id"
	    " AND f.line_id = l.id),"
	    " (SELECT coalesce(sum(units), 0) FROM scans c WHERE c.line_id = l.id AND c.state = 'counted'),"
	    " l.fulfillable_quantity, l.shop_acked"
	    " FROM order_lines l WHERE l.order_id = ? ORDER BY l.position");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while (store_step(s, st) == SQLITE_ROW) {
		struct old_line *l;

		if (old->nlines == cap) {
			void *p = realloc(old->lines, (cap = cap ? cap * 2 : 8) * sizeof(*l));

			if (p == NULL) {
				sqlite3_reset(st);
				return -1;
			}
			old->lines = p;
		}
		l = &old->lines[old->nlines++];
		memset(l, 0, sizeof(*l));
		l->id = sqlite3_column_int64(st, 0);
		l->shop_line_id = sqlite3_column_int64(st, 1);
		l->quantity = sqlite3_column_int64(st, 2);
		l->sku = store_col_dup(st, 3);
		l->name = store_col_dup(st, 4);
		l->removed = sqlite3_column_int(st, 5);
		l->shipped = sqlite3_column_int64(st, 6);
		l->packed = sqlite3_column_int64(st, 7);
		l->fulfillable = sqlite3_column_int64(st, 8);
		l->acked = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	return 0;
}

/* Index of the old line that new line nl continues, or -1. */
static long
match_line(struct old_order *old, const struct order_line *nl)
{
	size_t i;

	for (i = 0; i < old->nlines; i++) {
		struct old_line *l = &old->lines[i];

		if (l->matched)
			continue;
		if (nl->id != 0 ? l->shop_line_id == nl->id
				: (l->shop_line_id == 0 && streq(l->sku, nl->sku) &&
				      streq(l->name, nl->name)))
			return (long)i;
	}
	return -1;
}

static const char SQL_INSERT_ORDER[] =
    "INSERT INTO orders(shop_id, name, email, created_at, financial_status,"
    " shop_fulfillment_status, cancelled_at, cancel_reason, note, gift_message, tags,"
    " has_ship, ship_name, ship_first_name, ship_last_name, ship_company,"
    " ship_address1, ship_address2, ship_city, ship_province, ship_province_code,"
    " ship_zip, ship_country, ship_country_code, ship_phone, shipping_title,"
    " shipping_code, pickup, tracking_number, tracking_company, status,"
    " hold_reason, hold_source, imported_at, updated_at)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,"
    "?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?34)"
    /*
     * A new order is the common case of an import: the insert itself tells
     * whether its shop id or name is stored already (no row: the update
     * path looks it up), instead of two lookups before every insert.
     */
    " ON CONFLICT DO NOTHING";

static const char SQL_UPDATE_ORDER[] =
    "UPDATE orders SET shop_id = coalesce(?1, shop_id), name = ?2, email = ?3,"
    " created_at = ?4, financial_status = ?5, shop_fulfillment_status = ?6,"
    " cancelled_at = ?7, cancel_reason = ?8, note = ?9, gift_message = ?10,"
    " tags = ?11, has_ship = ?12, ship_name = ?13, ship_first_name = ?14,"
    " ship_last_name = ?15, ship_company = ?16, ship_address1 = ?17,"
    " ship_address2 = ?18, ship_city = ?19, ship_province = ?20,"
    " ship_province_code = ?21, ship_zip = ?22, ship_country = ?23,"
    " ship_country_code = ?24, ship_phone = ?25, shipping_title = ?26,"
    " shipping_code = ?27, pickup = ?28, tracking_number = ?29,"
    " tracking_company = ?30, status = ?31,"
    " hold_reason = CASE WHEN ?33 = 'supervisor' THEN hold_reason ELSE ?32 END,"
    " hold_source = ?33,"
    " updated_at = ?34 WHERE id = ?35";

static void
bind_order(sqlite3_stmt *st, const struct order *o, const char *status, const char *hold_reason,
    const char *hold_source, int64_t now)
{
	const struct address *a = &o->ship;

	if (o->id)
		sqlite3_bind_int64(st, 1, o->id);
	else
		sqlite3_bind_null(st, 1);
	bind_str(st, 2, o->name);
	bind_str(st, 3, o->email);
	bind_str(st, 4, o->created_at);
	bind_str(st, 5, o->financial_status);
	bind_str(st, 6, o->fulfillment_status);
	bind_str(st, 7, o->cancelled_at);
	bind_str(st, 8, o->cancel_reason);
	bind_str(st, 9, o->note);
	bind_str(st, 10, o->gift_message);
	bind_str(st, 11, o->tags);
	sqlite3_bind_int(st, 12, o->has_shipping_address);
	bind_str(st, 13, a->name);
	bind_str(st, 14, a->first_name);
	bind_str(st, 15, a->last_name);
	bind_str(st, 16, a->company);
	bind_str(st, 17, a->address1);
	bind_str(st, 18, a->address2);
	bind_str(st, 19, a->city);
	bind_str(st, 20, a->province);
	bind_str(st, 21, a->province_code);
	bind_str(st, 22, a->zip);
	bind_str(st, 23, a->country);
	bind_str(st, 24, a->country_code);
	bind_str(st, 25, a->phone);
	bind_str(st, 26, o->shipping_title);
	bind_str(st, 27, o->shipping_code);
	sqlite3_bind_int(st, 28, readiness_is_pickup(o));
	bind_str(st, 29, o->tracking_number);
	bind_str(st, 30, o->tracking_company);
	bind_str(st, 31, status);
	bind_str(st, 32, hold_reason);
	bind_str(st, 33, hold_source);
	sqlite3_bind_int64(st, 34, now);
}

static const char SQL_INSERT_LINE[] =
    "INSERT INTO order_lines(order_id, shop_line_id, position, sku, title,"
    " variant_title, name, quantity, fulfillable_quantity, requires_shipping,"
    " grams, shop_fulfillment_status, removed, shop_acked)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,0,?13)";
static const char SQL_UPDATE_LINE[] =
    "UPDATE order_lines SET shop_line_id = ?2, position = ?3, sku = ?4, title = ?5,"
    " variant_title = ?6, name = ?7, quantity = ?8, fulfillable_quantity = ?9,"
    " requires_shipping = ?10, grams = ?11, shop_fulfillment_status = ?12,"
    " removed = 0, shop_acked = ?13 WHERE id = ?1";

/* Writes one line; acked: how many of our shipped units the shop has heard of. */
static int
write_line(struct store *s, const char *sql, int64_t key, size_t pos, const struct order_line *l,
    int64_t acked)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int r;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, key);
	if (l->id)
		sqlite3_bind_int64(st, 2, l->id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, (int64_t)pos);
	bind_str(st, 4, l->sku);
	bind_str(st, 5, l->title);
	bind_str(st, 6, l->variant_title);
	bind_str(st, 7, l->name);
	sqlite3_bind_int64(st, 8, l->quantity);
	sqlite3_bind_int64(st, 9, l->fulfillable_quantity);
	sqlite3_bind_int(st, 10, l->requires_shipping);
	sqlite3_bind_int64(st, 11, l->grams);
	bind_str(st, 12, l->fulfillment_status);
	sqlite3_bind_int64(st, 13, acked);
	r = store_step(s, st);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : -1;
}

static const char SQL_IMPORT_EVENT[] =
    "INSERT INTO events(at, station, order_id, order_name, packer, kind,"
    " verdict, message, error, scan_id) VALUES (?1, NULL, ?2, ?3, NULL, 'import',"
    " NULL, ?4, 0, NULL)";

/* Appends s to the text in buf (len bytes used of cap), cut as snprintf cuts. */
static void
text_put(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

static void
text_put_int(char *buf, size_t cap, size_t *len, long long v)
{
	char t[24];
	size_t i = sizeof(t) - 1;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	t[i] = '\0';
	do
		t[--i] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		t[--i] = '-';
	text_put(buf, cap, len, t + i);
}

/*
 * "imported from SOURCE: STATUS[ — REASON], N lines, U units to ship", as
 * snprintf wrote it: put together by hand, it was 2% of an import.
 */
static void
import_message(char *buf, size_t cap, const char *source, const char *status, const char *reason,
    size_t nlines, int64_t units)
{
	size_t len = 0;

	buf[0] = '\0';
	text_put(buf, cap, &len, "imported from ");
	text_put(buf, cap, &len, source);
	text_put(buf, cap, &len, ": ");
	text_put(buf, cap, &len, status);
	if (reason[0] != '\0') {
		text_put(buf, cap, &len, " — ");
		text_put(buf, cap, &len, reason);
	}
	text_put(buf, cap, &len, ", ");
	text_put_int(buf, cap, &len, (long long)nlines);
	text_put(buf, cap, &len, " lines, ");
	text_put_int(buf, cap, &len, (long long)units);
	text_put(buf, cap, &len, " units to ship");
}

/*
 * Inserts o if neither its shop id nor its name is stored: 1 inserted,
 * 0 stored already (nothing written), -1 error (err set).
 */
static int
insert_new(struct store *s, const struct order *o, const char *source, char *err, size_t errlen)
{
	char reason[128], msg[256];
	struct order_event ev = { OEV_IMPORT, ORDER_READY };
	struct order_state none = { ORDER_READY, ORDER_HOLD_NONE, 0 }, ns;
	enum order_status stt;
	sqlite3_stmt *st = store_stmt(s, SQL_INSERT_ORDER);
	int64_t id, units = 0, now = store_now_ms();
	size_t i;

	if (st == NULL)
		goto fail;
	ev.shop = readiness_of(o, NULL, NULL, reason, sizeof(reason));
	if (order_state_apply(&none, &ev, &ns) != ORDER_OK)
		goto fail;
	stt = ns.status;
	bind_order(st, o, order_status_name(stt), reason[0] ? reason : NULL,
	    order_hold_name(ns.hold), now);
	if (store_step(s, st) != SQLITE_DONE) {
		sqlite3_reset(st);
		goto fail;
	}
	sqlite3_reset(st);
	if (sqlite3_changes(store_db(s)) == 0)
		return 0;
	id = sqlite3_last_insert_rowid(store_db(s));
	for (i = 0; i < o->nlines; i++) {
		if (write_line(s, SQL_INSERT_LINE, id, i, &o->lines[i], 0) == -1)
			goto fail;
		units += readiness_line_remaining(&o->lines[i], 0, 0);
	}
	import_message(msg, sizeof(msg), source, order_status_name(stt), reason, o->nlines, units);
	/* store_add_event's row, with the name at hand rather than looked up */
	if ((st = store_stmt(s, SQL_IMPORT_EVENT)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	bind_str(st, 3, o->name);
	bind_str(st, 4, msg);
	if (store_run(s, st) == -1)
		goto fail;
	return 1;
fail:
	snprintf(err, errlen, "order %s: store: %s", o->name, store_errmsg(s));
	return -1;
}

/* Appends "; text" to a change list. */
static void
note_change(char *buf, size_t len, const char *text)
{
	size_t n = strlen(buf);

	if (n + 3 >= len)
		return;
	snprintf(buf + n, len - n, "%s%s", n ? "; " : "", text);
}

/* The lifecycle state of an order row. */
static int
row_state(const char *status, const char *hold_source, const char *station, struct order_state *out)
{
	int st = order_status_parse(status);

	if (st < 0)
		return -1;
	out->status = (enum order_status)st;
	out->hold = order_hold_parse(hold_source);
	out->at_bench = station != NULL;
	return 0;
}

static int
update_existing(struct store *s, const struct order *o, int64_t id, const char *source,
    const char **outcome, char *err, size_t errlen)
{
	struct old_order old;
	int64_t *shipped = NULL, *acked = NULL;
	char reason[128], changes[900] = "", buf[300], *addr = NULL;
	const char *status, *hold_source, *hold_reason;
	struct order_state cur, next;
	struct order_event ev = { OEV_REIMPORT, ORDER_READY };
	sqlite3_stmt *st;
	size_t i;
	long m;
	int rc = -1;

	if (load_old(s, id, &old) == -1 ||
	    row_state(old.status, old.hold_source, old.station, &cur) == -1 ||
	    (shipped = calloc(o->nlines + 1, sizeof(*shipped))) == NULL ||
	    (acked = calloc(o->nlines + 1, sizeof(*acked))) == NULL)
		goto done;
	for (i = 0; i < o->nlines; i++) {
		const struct order_line *nl = &o->lines[i];

		if ((m = match_line(&old, nl)) >= 0) {
			struct old_line *ol = &old.lines[m];
			int64_t rem;

			ol->matched = 1;
			shipped[i] = ol->shipped;
			acked[i] = order_qty_acked(ol->quantity - ol->fulfillable,
			    nl->quantity - nl->fulfillable_quantity, ol->shipped, ol->acked);
			if (write_line(s, SQL_UPDATE_LINE, ol->id, i, nl, acked[i]) == -1)
				goto done;
			if (ol->quantity != nl->quantity) {
				snprintf(buf, sizeof(buf), "%s quantity %lld → %lld",
				    nl->sku	    ? nl->sku
					: nl->title ? nl->title
						    : "line",
				    (long long)ol->quantity, (long long)nl->quantity);
				note_change(changes, sizeof(changes), buf);
			}
			if (ol->removed)
				note_change(changes, sizeof(changes), "line restored");
			rem = readiness_line_remaining(nl, ol->shipped, acked[i]);
			if (ol->packed > rem) {
				snprintf(buf, sizeof(buf),
				    "%s: %lld packed but only %lld to ship now"
				    " — take %lld out of the box",
				    nl->sku ? nl->sku : "line", (long long)ol->packed,
				    (long long)rem, (long long)(ol->packed - rem));
				if (store_add_event(
					s, old.station, id, NULL, "conflict", NULL, buf, 1) == -1)
					goto done;
			}
		} else {
			if (write_line(s, SQL_INSERT_LINE, id, i, nl, 0) == -1)
				goto done;
			snprintf(buf, sizeof(buf), "line %s added",
			    nl->sku	    ? nl->sku
				: nl->title ? nl->title
					    : "");
			note_change(changes, sizeof(changes), buf);
		}
	}
	for (i = 0; i < old.nlines; i++) {
		struct old_line *ol = &old.lines[i];

		if (ol->matched || ol->removed)
			continue;
		st = store_stmt(s, "UPDATE order_lines SET removed = 1 WHERE id = ?");
		if (st == NULL)
			goto done;
		sqlite3_bind_int64(st, 1, ol->id);
		if (store_step(s, st) != SQLITE_DONE)
			goto done;
		snprintf(buf, sizeof(buf), "line %s removed",
		    ol->sku	   ? ol->sku
			: ol->name ? ol->name
				   : "");
		note_change(changes, sizeof(changes), buf);
		if (ol->packed > 0) {
			snprintf(buf, sizeof(buf),
			    "%s: removed by the shop but %lld packed"
			    " — take them out of the box",
			    ol->sku ? ol->sku : "line", (long long)ol->packed);
			if (store_add_event(s, old.station, id, NULL, "conflict", NULL, buf, 1) ==
			    -1)
				goto done;
		}
	}
	ev.shop = readiness_of(o, shipped, acked, reason, sizeof(reason));
	if (order_state_apply(&cur, &ev, &next) != ORDER_OK)
		goto done;
	status = order_status_name(next.status);
	hold_source = order_hold_name(next.hold);
	hold_reason = next.hold == ORDER_HOLD_SHOP ? reason : NULL;
	if ((addr = address_fingerprint(&o->ship)) == NULL)
		goto done;
	if (!streq(addr, old.addr))
		note_change(changes, sizeof(changes), "address changed");
	if (!streq(status, old.status)) {
		snprintf(buf, sizeof(buf), "status %s → %s%s%s", old.status, status,
		    hold_reason ? " — " : "", hold_reason ? hold_reason : "");
		note_change(changes, sizeof(changes), buf);
	}
	if ((st = store_stmt(s, SQL_UPDATE_ORDER)) == NULL)
		goto done;
	bind_order(st, o, status, hold_reason, hold_source, store_now_ms());
	sqlite3_bind_int64(st, 35, id);
	if (store_step(s, st) != SQLITE_DONE)
		goto done;
	if (changes[0] == '\0') {
		*outcome = "unchanged";
		rc = 0;
		goto done;
	}
	*outcome = "updated";
	snprintf(buf, sizeof(buf), "updated from %s: ", source);
	{
		char msg[1300];

		snprintf(msg, sizeof(msg), "%s%s", buf, changes);
		if (store_add_event(s, old.station, id, NULL, "update", NULL, msg, 0) == -1)
			goto done;
	}
	rc = 0;
done:
	if (rc == -1 && err[0] == '\0')
		snprintf(err, errlen, "order %s: store: %s", o->name, store_errmsg(s));
	free(addr);
	free(shipped);
	free(acked);
	old_order_clear(&old);
	return rc;
}

int
sqlite_store_upsert_order(struct store *s, const struct order *o, const char *source,
    const char **outcome, char *err, size_t errlen)
{
	int64_t id;
	int r;

	err[0] = '\0';
	if ((r = insert_new(s, o, source, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		*outcome = "imported";
		return 0;
	}
	r = find_existing(s, o, &id, err, errlen);
	if (r == -2)
		return -1;
	if (r == -1) {
		snprintf(err, errlen, "order %s: store: %s", o->name, store_errmsg(s));
		return -1;
	}
	if (r == 0) { /* the insert found it, the lookups do not: cannot happen */
		snprintf(err, errlen, "order %s: store: neither new nor stored", o->name);
		return -1;
	}
	return update_existing(s, o, id, source, outcome, err, errlen);
}

int
sqlite_store_upsert_code(struct store *s, const struct product_code *c, char *err, size_t errlen)
{
	sqlite3_stmt *st = store_stmt(s,
	    "INSERT INTO product_codes(code, sku, multiplier, updated_at) VALUES (?,?,?,?)"
	    " ON CONFLICT(code) DO UPDATE SET sku = excluded.sku,"
	    " multiplier = excluded.multiplier, updated_at = excluded.updated_at");
	int r;

	if (st == NULL)
		goto fail;
	store_bind_text(st, 1, c->code);
	store_bind_text(st, 2, c->sku);
	sqlite3_bind_int64(st, 3, c->multiplier);
	sqlite3_bind_int64(st, 4, store_now_ms());
	r = store_step(s, st);
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return 0;
fail:
	snprintf(err, errlen, "code %s: store: %s", c->code, store_errmsg(s));
	return -1;
}

/* The order's lifecycle state and hold reason (malloc'ed, may be NULL). 0 / -1. */
static int
load_state(struct store *s, int64_t id, struct order_state *out, char **reason)
{
	sqlite3_stmt *st = store_stmt(s,
	    "SELECT status, hold_source, station IS NOT NULL, hold_reason"
	    " FROM orders WHERE id = ?");
	int status;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (store_step(s, st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	status = order_status_parse((const char *)sqlite3_column_text(st, 0));
	out->hold = order_hold_parse((const char *)sqlite3_column_text(st, 1));
	out->at_bench = sqlite3_column_int(st, 2);
	*reason = store_col_dup(st, 3);
	sqlite3_reset(st);
	if (status < 0) {
		free(*reason);
		*reason = NULL;
		return -1;
	}
	out->status = (enum order_status)status;
	return 0;
}

/* Writes status and hold (with reason when held by a supervisor). 0 / -1. */
static int
save_state(struct store *s, int64_t id, const struct order_state *ns, const char *reason)
{
	sqlite3_stmt *st = store_stmt(s,
	    "UPDATE orders SET status = ?, hold_reason = ?,"
	    " hold_source = ?, updated_at = ? WHERE id = ?");

	if (st == NULL)
		return -1;
	store_bind_text(st, 1, order_status_name(ns->status));
	store_bind_text(st, 2, ns->hold != ORDER_HOLD_NONE ? reason : NULL);
	store_bind_text(st, 3, order_hold_name(ns->hold));
	sqlite3_bind_int64(st, 4, store_now_ms());
	sqlite3_bind_int64(st, 5, id);
	return store_run(s, st);
}

int
sqlite_store_hold_order(struct store *s, int64_t id, const char *reason, char *err, size_t errlen)
{
	struct order_state cur, next;
	struct order_event ev = { OEV_HOLD, ORDER_READY };
	char *old_reason = NULL, msg[300];

	if (load_state(s, id, &cur, &old_reason) == -1)
		return -1;
	free(old_reason);
	if (order_state_apply(&cur, &ev, &next) != ORDER_OK) {
		snprintf(
		    err, errlen, "order is %s: nothing to hold", order_status_name(cur.status));
		return 1;
	}
	if (save_state(s, id, &next, reason) == -1)
		return -1;
	snprintf(msg, sizeof(msg), "held: %s", reason);
	return store_add_event(s, NULL, id, NULL, "hold", NULL, msg, 0);
}

int
sqlite_store_release_order(struct store *s, int64_t id, char *err, size_t errlen)
{
	struct order_state cur, next;
	struct order_event ev = { OEV_RELEASE, ORDER_READY };
	char *reason = NULL, msg[300];
	int r = -1;

	if (load_state(s, id, &cur, &reason) == -1)
		return -1;
	if (!cur.at_bench && store_lines_status(s, id, &ev.shop) == -1)
		goto done;
	switch (order_state_apply(&cur, &ev, &next)) {
	case ORDER_OK: break;
	case ORDER_REFUSE_SHOP_HOLD:
		snprintf(err, errlen,
		    "held by the shop: %s; it is released when the shop"
		    " sends the order paid",
		    reason ? reason : "");
		r = 1;
		goto done;
	default:
		snprintf(err, errlen, "order is %s, not on hold", order_status_name(cur.status));
		r = 1;
		goto done;
	}
	if (save_state(s, id, &next, NULL) == -1)
		goto done;
	snprintf(msg, sizeof(msg), "released: now %s", order_status_name(next.status));
	r = store_add_event(s, NULL, id, NULL, "release", NULL, msg, 0);
done:
	free(reason);
	return r;
}
