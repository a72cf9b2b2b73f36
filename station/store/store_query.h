/*
 * Read-only queries behind stationctl orders, show, log and stats, and the
 * daemon's status: rows as plain structs (every string owned by its rows
 * and freed by the matching _free; NULL where the store has none). The
 * control layer (station/daemon/replies.c) turns them into tables and JSON.
 */
#ifndef STATION_STORE_QUERY_H
#define STATION_STORE_QUERY_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Orders per status, in status-name order, statuses with none left out. */
struct store_status_count {
	char status[16];
	int64_t n;
};
/* 0 / -1; *rows malloc'ed (free()), *n rows. */
int store_count_orders(struct store *, struct store_status_count **rows, size_t *n);

/* One row of the order list. */
struct store_order_row {
	char *name, *status, *ship_to, *city, *country;
	char *delivery;		/* "pickup" or the shipping title ("" if none) */
	char *station, *reason; /* "" when none */
	int64_t lines;		/* shippable lines */
	int64_t units;		/* units left to ship from this station */
};
/* The order list (only `status` if not NULL), oldest first. 0 / -1. */
int store_list_orders(struct store *, const char *status, struct store_order_row **rows, size_t *n);
void store_order_rows_free(struct store_order_row *, size_t);
/*
 * Names of the orders with a line of this SKU, oldest first, at most limit
 * (the web console's queue search). 0 / -1; *names malloc'ed, each name
 * too: free with store_names_free.
 */
int store_orders_with_sku(struct store *, const char *sku, int64_t limit, char ***names, size_t *n);
void store_names_free(char **, size_t);

/* One order, everything `stationctl show` says about it. */
struct store_detail_line {
	int64_t line;	 /* the store's line id */
	int64_t shop_id; /* has_shop_id: 0 if the shop gave none */
	int has_shop_id;
	char *sku, *title, *variant_title;
	/* shippable in all: remaining + shipped (0 for digital or removed lines) */
	int64_t quantity;
	int64_t ordered, fulfillable, packed, shipped;
	int requires_shipping, removed;
	int64_t grams; /* has_grams */
	int has_grams;
};
struct store_detail_package {
	int box;
	char *sscc, *state, *station;
	int64_t weight_grams, fulfillment; /* -1: none */
	char weight_source[12];		   /* "scale", "computed"; "" when no weight */
};
struct store_detail_fulfillment {
	int64_t id, at_ms, units;
	char *station, *packer, *file;
	int partial;
};
struct store_address {
	char *name, *first_name, *last_name, *company, *address1, *address2;
	char *city, *province, *zip, *country, *country_code, *phone;
};
struct store_order_detail {
	int64_t shop_id; /* has_shop_id */
	int has_shop_id;
	char *name, *status, *hold_reason, *station, *created_at, *financial_status;
	char *hold_source; /* "shop", "supervisor" or NULL */
	char *cancelled_at, *cancel_reason, *note, *gift_message, *tags, *email;
	char *shipping_title, *shipping_code, *tracking_number, *tracking_company;
	int pickup;
	int has_ship; /* the address below is the shop's shipping address */
	struct store_address ship;
	struct store_detail_line *lines;
	size_t nlines;
	struct store_detail_package *packages;
	size_t npackages;
	struct store_detail_fulfillment *fulfillments;
	size_t nfulfillments;
};
/* 1 found (*out owned by the caller), 0 no such order, -1 error. */
int store_load_order_detail(struct store *, const char *name, struct store_order_detail **out);
void store_order_detail_free(struct store_order_detail *); /* NULL ok */

struct log_filter {
	int64_t since_ms, until_ms; /* 0: open */
	const char *station, *order, *packer, *kind;
	int errors_only;
	int64_t after_id; /* for --follow */
	int64_t limit;	  /* 0: none */
	int newest;	  /* limit keeps the newest rows (still oldest first) */
};
/* One station-log event; strings "" when the event has none (message always set). */
struct store_event_row {
	int64_t id, at_ms;
	char *station, *order, *packer, *kind, *verdict, *message;
	char *code, *aim; /* the scan itself, exact; NULL unless a scan's event */
	int error;
};
/* Events matching f, oldest first. 0 / -1. */
int store_list_events(
    struct store *, const struct log_filter *f, struct store_event_row **rows, size_t *n);
void store_event_rows_free(struct store_event_row *, size_t);

/* Shipments and scans of one group ("all", a packer, a station, an hour or a day). */
struct store_stats_row {
	char *group;
	int64_t orders, shipments, units;
	int64_t active_ms; /* bench opening to shipment, summed */
	int64_t partial_shipments, item_scans, misscans;
	/* packing checks: boxes weighed on a scale, of which refused; labels scanned back */
	int64_t weighings, misweighs, label_scans, wrong_labels;
};
/* Statistics since/until grouped by "packer", "station", "hour", "day" or NULL (all). 0 / -1. */
int store_list_stats(struct store *, int64_t since_ms, int64_t until_ms, const char *by,
    struct store_stats_row **rows, size_t *n);
void store_stats_rows_free(struct store_stats_row *, size_t);

#endif
