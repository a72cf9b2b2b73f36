/* Intake: files from spool/in (or stationctl import) into the store. */
#ifndef STATION_INTAKE_H
#define STATION_INTAKE_H

#include <stddef.h>

#include "station/intake/intake_parse.h"

struct order;

struct intake_result {
	const char *kind; /* "orders-json", "orders-csv", "products-csv", "codes-csv" */
	size_t imported, updated, unchanged, codes, truncated;
};

/* "orders-json", ... for a kind; "unknown" otherwise. */
const char *intake_kind_name(enum intake_kind);

/*
 * Documented bounds on shop-supplied fields (README, "Limits"). Free text
 * over its bound is cut on a character boundary; identity fields (order
 * name, SKU) and the number of lines are refused, since cutting them would
 * change what is packed.
 */
#define INTAKE_MAX_NOTE	 4096 /* note, gift message */
#define INTAKE_MAX_TAGS	 1024
#define INTAKE_MAX_TEXT	 255  /* names, address fields, titles, e-mail */
#define INTAKE_MAX_WORD	 64   /* statuses, dates */
#define INTAKE_MAX_CODE	 255  /* order name, SKU, barcode */
#define INTAKE_MAX_LINES 1000 /* lines per order */

/*
 * Applies the bounds to o in place. Returns 0 (nothing cut), 1 (free text
 * was cut: why says which fields, "note 102400 -> 4096 bytes, ..."), or -1
 * (refused: the reason in why). Pure.
 */
int intake_bound_order(struct order *o, char *why, size_t whylen);

/* Creates spool/{in,done,failed,out}. 0 / -1 (logged). */
int intake_spool_prepare(const char *spool);

/* 1 if name is being written (".name", "name.tmp", "name.part") or a .reason. */
int intake_spool_is_partial(const char *name);

/* Moves spool/in/name to spool/done (a free name there). 0 / -1 (logged). */
int intake_spool_accept(const char *spool, const char *name);

/*
 * Refuses spool/in/name: writes NAME.reason in spool/failed first (fsync'd),
 * then moves the file beside it, so nobody finds a refused file without its
 * reason. Returns 0, or -1 if the reason could not be written (the file then
 * stays in spool/in, to be retried; logged with errno: "No space left on
 * device") or the file could not be moved.
 */
int intake_spool_refuse(const char *spool, const char *name, const char *reason);

/*
 * The complete files in spool/in, oldest name first: a malloc'ed array of
 * malloc'ed names (free each and the array). 0 / -1 (logged).
 */
int intake_spool_list(const char *spool, char ***names, size_t *n);

#endif
