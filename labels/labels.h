/*
 * labels: everything the station prints, as PDF bytes (libharu + libzint).
 *
 * Shipping labels (one page per package), packing slips and bench command
 * sheets. The library knows nothing of sockets, the database or station
 * internals: plain documents in, a PDF in memory out.
 *
 * Threading and blocking: every call is reentrant (no mutable globals; one
 * libharu document per call) and blocks only on CPU and on reading font
 * files. A Latin label takes well under 1 ms; the first non-Latin run of a
 * document loads a TrueType font: libharu 2.3.0 would map the CJK font in
 * ~50 ms, so fonts are loaded from a copy with a compacted cmap (see
 * fontcache.h, made once in $STATION_FONT_CACHE or /tmp), ~16 ms a CJK
 * label. The station renders documents in child processes anyway.
 *
 * Ownership: every string in the input structs is UTF-8, borrowed for the
 * duration of the call only and may be NULL where it says "optional". Output
 * lives in a caller-provided struct labels_out, filled only on success and
 * released with labels_out_free().
 */
#ifndef LABELS_LABELS_H
#define LABELS_LABELS_H

#include <stddef.h>
#include <stdint.h>

enum labels_size {
	LABELS_4X6 = 0, /* 4 x 6 in label (default) */
	LABELS_4X4,	/* 4 x 4 in label */
	LABELS_A6,	/* 105 x 148 mm label */
	LABELS_LETTER,	/* slips, command sheets */
	LABELS_A4
};

/*
 * Font files by script, for tests and unusual installs. NULL members (or a
 * NULL pointer) mean the Debian paths (DejaVu Sans for Latin/Cyrillic/Greek,
 * IPA Gothic for Han and kana, Nanum Gothic for Hangul). A named file that
 * is missing or unusable degrades to the next installed candidate with an
 * event; only_these != 0 disables those defaults, so a script nobody can
 * draw fails the render (rather than print blanks).
 */
struct labels_fonts {
	const char *latin; /* Latin beyond CP1252/CP1250, Cyrillic, Greek */
	const char *cjk;   /* Han, hiragana, katakana, fullwidth forms */
	const char *hangul;
	int only_these;
};

struct label_media {
	enum labels_size size;
	int dpi;			  /* 203 or 300: barcodes snap to whole dots */
	const struct labels_fonts *fonts; /* optional */
};

/* 4x6 at 203 dpi, letter for slips. */
void labels_media_default_label(struct label_media *);
void labels_media_default_slip(struct label_media *);
/* Config words: "4x6" "4x4" "a6" / "letter" "a4" / "203" "300". 0 or -1. */
int labels_parse_label_size(const char *word, enum labels_size *out);
int labels_parse_slip_size(const char *word, enum labels_size *out);
int labels_parse_dpi(const char *word, int *out);

/* A postal address as printed; every member optional. */
struct labels_address {
	const char *name, *company, *address1, *address2;
	const char *city, *province, *zip, *country, *phone;
};

/*
 * An address as the shop sends it (labels' own input: labels know no
 * station structs; the caller copies the pointers over from its model).
 */
struct labels_address_src {
	const char *name, *company, *address1, *address2, *city;
	const char *province, *province_code, *zip, *country, *country_code;
	const char *phone;
};

/*
 * Picks what carriers read from a shop address: the short province code
 * (MA, ON) before the full name, the country name before its code.
 * Borrows the strings (no copies; `a` outlives use). NULL a: all NULL.
 */
void labels_address_from_src(struct labels_address *out, const struct labels_address_src *a);

enum label_2d { LABEL_2D_QR = 0, LABEL_2D_DATAMATRIX };

/* One shipping label = one package = one page. */
struct label_doc {
	const char *shop_name; /* ship-from heading */
	struct labels_address from;
	struct labels_address to;      /* to.name is the customer */
	const char *service;	       /* "UPS Ground"; optional */
	const char *order_name;	       /* "#1001" */
	int package_no, package_count; /* 1-based "n of m" */
	int64_t weight_grams;	       /* < 0: unknown, not printed */
	const char *sscc;	       /* exactly 18 digits incl. check digit */
	const char *tracking;	       /* optional: Code 128 + text */
	const char *carrier;	       /* optional: printed above tracking */
	enum label_2d symbol2d;
	const char *ref2d; /* optional: default "<order> <n>/<m>" */
	int pickup;	   /* pickup layout: name, order, PICKUP */
};

/* One line of a packing slip: `quantity` of `ordered` units ship now. */
struct slip_line {
	const char *sku, *title, *variant; /* optional each */
	int64_t quantity, ordered;
};

struct slip_doc {
	const char *shop_name;
	struct labels_address shop;
	const char *order_name; /* printed and encoded as Code 128 */
	const char *barcode;	/* optional: what to encode, default order_name */
	const char *order_date; /* optional: ISO 8601; the date part is printed */
	const char *service;	/* optional */
	struct labels_address ship_to;
	const struct slip_line *lines;
	size_t nlines;
	int ships_separately;				/* other items follow in another shipment */
	const char *note, *gift_message, *bin_location; /* optional */
	/* packed boxes so far (issue 15): their total weight, < 0: none/unknown */
	int64_t weight_grams;
	int weight_boxes;
	const char *weight_source; /* "scale", "computed"; optional */
};

/* A bench's command sheet: every STN: command, then optional packer badges. */
struct sheet_doc {
	const char *bench;		 /* optional: "pack-1" in the heading */
	const char *const *packer_ids;	 /* STN:PACKER:<id> badges */
	const char *const *packer_names; /* optional, parallel to ids */
	size_t npackers;
	const char *const *supervisor_ids; /* STN:OVERRIDE:<id> badges (no PIN) */
	size_t nsupervisors;
};

/* The rendered document. events: notes the station should log
 * ("font fallback: ...", "truncated: ..."), NUL-terminated strings. */
struct labels_out {
	unsigned char *pdf;
	size_t len;
	int pages;
	char **events;
	size_t nevents;
};

/* Frees the members (not the struct itself); safe on a zeroed struct and twice. */
void labels_out_free(struct labels_out *);

/*
 * Render n labels (one page each) into one PDF. Returns 0 and fills *out, or
 * -1 with a message in err (bad SSCC, data a symbology cannot encode, no font
 * for a script, libharu failure); nothing leaks and *out is untouched then.
 */
int label_render(const struct label_doc *docs, size_t n, const struct label_media *,
    struct labels_out *out, char *err, size_t errlen);
/* A packing slip over as many pages as it needs. Same contract. */
int slip_render(const struct slip_doc *, const struct label_media *, struct labels_out *out,
    char *err, size_t errlen);
/* A command sheet. Same contract. */
int sheet_render(const struct sheet_doc *, const struct label_media *, struct labels_out *out,
    char *err, size_t errlen);

/* The command barcodes the sheet prints, in order, NULL-terminated. */
extern const char *const labels_sheet_commands[];

/* Writes out->pdf to path atomically (temp file, fsync, rename). Blocks on I/O. */
int labels_out_write(const struct labels_out *, const char *path, char *err, size_t errlen);

#endif
