/*
 * The engine seam: what a store engine implements. Included by
 * station/store/store.c and by each engine (station/store/sqlite/, later
 * station/store/postgres/), never by the rest of the station.
 */
#ifndef STATION_STORE_ENGINE_H
#define STATION_STORE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "station/store/store.h"
#include "station/store/store_checks.h"
#include "station/store/store_docs.h"
#include "station/store/store_pack.h"
#include "station/store/store_query.h"

/*
 * One operation per public function of store.h, store_pack.h,
 * store_query.h and store_docs.h, with the same contract (see there).
 * store_jobs.h (print jobs) is still implemented by the SQLite engine
 * alone (sqlite/store_jobs.c); a second engine moves it behind ops here.
 */
struct store_ops {
	void (*close)(struct store *);
	const char *(*strerror)(struct store *);
	int (*schema_version)(struct store *);
	int (*begin)(struct store *);
	int (*commit)(struct store *);
	void (*rollback)(struct store *);
	/* scan_id: the scan row the event reports (0: none) */
	int (*add_event)(struct store *, int64_t scan_id, const char *station,
	    int64_t order_id, const char *packer, const char *kind, const char *verdict,
	    const char *message, int is_error);
	int (*upsert_order)(struct store *, const struct order *, const char *source,
		    const char **outcome, char *err, size_t errlen);
	int (*upsert_code)(struct store *, const struct product_code *, char *err,
		    size_t errlen);
	int (*find_order)(struct store *, const char *name, int64_t *id);
	int (*hold_order)(struct store *, int64_t id, const char *reason, char *err,
		    size_t errlen);
	int (*release_order)(struct store *, int64_t id, char *err, size_t errlen);
	struct order_view *(*order_view)(struct store *, int64_t order_id);
	int (*session_load)(struct store *, const char *station, struct sess_state *);
	int (*session_save)(struct store *, const char *station, const struct sess_state *);
	int (*find_product)(struct store *, const char *code, char *sku, size_t skulen,
		    int64_t *multiplier);
	int (*last_item)(struct store *, const char *station, int64_t order_id,
		    int64_t *line_id, int64_t *units);
	int64_t (*last_package)(struct store *, const char *station);
	int64_t (*record_scan)(struct store *, const char *station, const char *packer,
		    const char *code, const char *aim, const char *verdict,
	    int64_t order_id, int64_t line_id, int64_t units, int64_t package_id,
	    const char *state);
	int (*open_order)(struct store *, int64_t order_id, const char *station);
	int64_t (*open_package)(struct store *, int64_t order_id, const char *station,
	    int box);
	int (*undo_last)(struct store *, const char *station, int64_t order_id);
	int64_t (*close_package)(struct store *, int64_t order_id, const char *station,
		    const char *gs1_prefix, char sscc[19]);
	int64_t (*ship)(struct store *, int64_t order_id, const char *station,
		    const char *packer, int partial);
	int (*close_unshipped)(struct store *, int64_t order_id, const char *station);
	int (*pending_outbox)(struct store *, int64_t **ids, size_t *n);
	char *(*fulfillment_doc)(struct store *, int64_t id, char *order_name,
	    size_t namelen);
	int (*mark_outbox)(struct store *, int64_t id, const char *name);
	int (*load_fulfillment)(struct store *, int64_t id, struct store_fulfillment **out);
	int (*set_fulfillment_doc)(struct store *, int64_t id, const char *doc);
	int (*count_orders)(struct store *, struct store_status_count **rows, size_t *n);
	int (*list_orders)(struct store *, const char *status,
	    struct store_order_row **rows,
		    size_t *n);
	int (*load_order_detail)(struct store *, const char *name,
		    struct store_order_detail **out);
	int (*list_events)(struct store *, const struct log_filter *f,
		    struct store_event_row **rows, size_t *n);
	int (*list_stats)(struct store *, int64_t since_ms, int64_t until_ms,
	    const char *by,
		    struct store_stats_row **rows, size_t *n);
	int (*load_order_doc)(struct store *, int64_t order_id,
	    struct store_order_doc **out);
	int (*load_package)(struct store *, int64_t package_id,
	    struct store_package_doc *out);
	/* packing checks (store_checks.h) */
	int (*package_weigh)(struct store *, int64_t package_id, int64_t grams);
	int (*find_label)(struct store *, const char *sscc, char *order_name,
	    size_t namelen, int *box, int64_t *package_id);
	int (*package_label)(struct store *, int64_t package_id, char sscc[19],
	    char *order_name, size_t namelen);
	int (*find_tracking)(struct store *, const char *code, char *order_name,
	    size_t namelen);
	int (*order_weight)(struct store *, int64_t order_id, int *boxes, int64_t *grams,
	    char *source, size_t sourcelen);
	/* upkeep: backup, check, archive, retention, export (store_maint.h); may be NULL */
	const struct store_maint_ops *maint;
};

/* Every engine's handle starts with this (the engine's own struct embeds it first). */
struct store {
	const struct store_ops	*ops;
};

#endif
