/* Tells what a spool file holds from its first bytes and CSV header row. */
#include <string.h>

#include "station/intake/intake_parse.h"
#include "station/intake/intake_util.h"

/* Header cells we look at are short; a longer cell cannot match. */
#define CELL_MAX 64

struct header_scan {
	int orders;   /* saw "Lineitem quantity" */
	int products; /* saw "Variant SKU" or "Variant Barcode" */
	int codes;    /* first cell is "barcode" */
	int lineitem; /* saw another "Lineitem ..." column */
	int variant;  /* saw another "Variant ..." column */
};

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static void
header_note_cell(struct header_scan *h, const char *cell, size_t n, int first)
{
	trim(&cell, &n);
	if (n > 9 && intake_eq_nocase(cell, 9, "Lineitem "))
		h->lineitem = 1;
	if (n > 8 && intake_eq_nocase(cell, 8, "Variant "))
		h->variant = 1;
	if (intake_eq_nocase(cell, n, "Lineitem quantity"))
		h->orders = 1;
	else if (intake_eq_nocase(cell, n, "Variant SKU") ||
	    intake_eq_nocase(cell, n, "Variant Barcode"))
		h->products = 1;
	else if (first && intake_eq_nocase(cell, n, "barcode"))
		h->codes = 1;
}

/*
 * Walks the first CSV record (quotes may hide commas and newlines) and
 * notes the header names that identify each kind of file.
 */
static void
header_scan(const char *p, size_t len, struct header_scan *h)
{
	char cell[CELL_MAX];
	size_t i = 0, n = 0;
	int quoted = 0, first = 1, overflow = 0;

	while (i < len) {
		char c = p[i++];

		if (quoted) {
			if (c == '"') {
				if (i < len && p[i] == '"')
					i++;
				else {
					quoted = 0;
					continue;
				}
			}
		} else if (c == '"') {
			quoted = 1;
			continue;
		} else if (c == ',' || c == '\n' || c == '\r') {
			if (!overflow)
				header_note_cell(h, cell, n, first);
			first = 0;
			n = 0;
			overflow = 0;
			if (c != ',')
				return;
			continue;
		}
		if (n < sizeof(cell))
			cell[n++] = c;
		else
			overflow = 1;
	}
	if (!overflow)
		header_note_cell(h, cell, n, first);
}

enum intake_kind
intake_detect(const char *buf, size_t len)
{
	struct header_scan h;
	size_t i = intake_bom_len(buf, len);

	memset(&h, 0, sizeof(h));
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i == len)
		return INTAKE_UNKNOWN;
	if (buf[i] == '{' || buf[i] == '[')
		return INTAKE_ORDERS_JSON;
	header_scan(buf + i, len - i, &h);
	if (h.orders)
		return INTAKE_ORDERS_CSV;
	if (h.products)
		return INTAKE_PRODUCTS_CSV;
	if (h.codes)
		return INTAKE_CODES_CSV;
	return INTAKE_UNKNOWN;
}

const char *
intake_detect_why(const char *buf, size_t len)
{
	struct header_scan h;
	size_t i = intake_bom_len(buf, len);

	memset(&h, 0, sizeof(h));
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i == len)
		return "empty file";
	header_scan(buf + i, len - i, &h);
	if (h.lineitem)
		return "an order export CSV without its 'Lineitem quantity' "
		       "column: missing column Lineitem quantity";
	if (h.variant)
		return "a product export CSV without 'Variant SKU' or 'Variant "
		       "Barcode': missing column Variant Barcode";
	return "not an order or product file (expected Shopify order JSON, the "
	       "order export CSV, the product export CSV or barcode,sku,multiplier "
	       "CSV)";
}
