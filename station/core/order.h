/* The order model shared by intake (parsers) and the store. */
#ifndef STATION_ORDER_H
#define STATION_ORDER_H

#include <stddef.h>
#include <stdint.h>

/*
 * All strings are UTF-8, owned by the struct (freed by order_free), and may
 * be NULL where the source had no value. Shop ids are exact 64-bit integers
 * (they exceed 2^53); 0 means "the source gave none" (Shopify's CSV export
 * has no line item ids).
 */
struct address {
	char *name, *first_name, *last_name, *company;
	char *address1, *address2, *city, *province, *province_code;
	char *zip, *country, *country_code, *phone;
};

struct order_line {
	int64_t id; /* shop line item id, 0 if none */
	char *sku;
	char *title;
	char *variant_title;
	char *name;		      /* "Title - Variant" as the shop sends it */
	int64_t quantity;	      /* ordered (after edits) */
	int64_t fulfillable_quantity; /* not yet fulfilled upstream */
	int requires_shipping;	      /* 0: digital, never packed */
	int64_t grams;		      /* per unit, -1 if unknown */
	char *fulfillment_status;     /* NULL, "fulfilled", "partial" */
};

struct order {
	int64_t id; /* shop order id, 0 if none (CSV may lack Id) */
	char *name; /* "#1001": what packers scan */
	char *email;
	char *created_at;	  /* as sent, ISO 8601 */
	char *financial_status;	  /* paid, pending, authorized, voided, refunded... */
	char *fulfillment_status; /* NULL, "partial", "fulfilled", ... */
	char *cancelled_at;	  /* NULL unless cancelled */
	char *cancel_reason;
	char *note;
	char *gift_message; /* from note_attributes ("gift message" etc.) */
	char *tags;	    /* comma-separated, as sent */
	int has_shipping_address;
	struct address ship;
	char *shipping_title;  /* shipping_lines[0].title */
	char *shipping_code;   /* shipping_lines[0].code */
	int pickup;	       /* local pickup delivery */
	char *tracking_number; /* when the order carries one */
	char *tracking_company;
	char *hold_reason; /* held upstream (a fulfillment hold): why; NULL if not */
	struct order_line *lines;
	size_t nlines;
};

/* One product code: a barcode (or alias) that means `multiplier` units of sku. */
struct product_code {
	char *code;
	char *sku;
	int64_t multiplier; /* 1 for a plain barcode, n for a case pack */
};

void order_free(struct order *); /* frees members and the struct; NULL ok */
void order_array_free(struct order **, size_t);
void product_codes_free(struct product_code *, size_t);

#endif
