/*
 * The engine seam: what a store engine implements. Included by
 * station/store/store*.c and by each engine (station/store/sqlite/,
 * station/store/pg/), never by the rest of the station.
 */
#ifndef STATION_STORE_ENGINE_H
#define STATION_STORE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "station/store/store.h"
#include "station/store/store_boxes.h"
#include "station/store/store_checks.h"
#include "station/store/store_docs.h"
#include "station/store/store_jobs.h"
#include "station/store/store_pack.h"
#include "station/store/store_query.h"
#include "station/store/store_shop.h"

/*
 * One operation per public function of store.h, store_pack.h,
 * store_query.h and store_docs.h, with the same contract (see there).
 * store_jobs.h (print jobs, effects, scan keys, resume) likewise, after
 * load_package.
 */
struct store_ops {
	void (*close)(struct store *);
	const char *(*strerror)(struct store *);
	int (*schema_version)(struct store *);
	int (*begin)(struct store *);
	int (*commit)(struct store *);
	/* optional: without them, an ordinary transaction and nothing to sync */
	int (*begin_lazy)(struct store *);
	int (*durable)(struct store *);
	void (*rollback)(struct store *);
	/* scan_id: the scan row the event reports (0: none) */
	int (*add_event)(struct store *, int64_t scan_id, const char *station, int64_t order_id,
	    const char *packer, const char *kind, const char *verdict, const char *message,
	    int is_error);
	int (*upsert_order)(struct store *, const struct order *, const char *source,
	    const char **outcome, char *err, size_t errlen);
	int (*upsert_code)(struct store *, const struct product_code *, char *err, size_t errlen);
	int (*find_order)(struct store *, const char *name, int64_t *id);
	int (*hold_order)(struct store *, int64_t id, const char *reason, char *err, size_t errlen);
	int (*release_order)(struct store *, int64_t id, char *err, size_t errlen);
	struct order_view *(*order_view)(struct store *, int64_t order_id);
	int (*session_load)(struct store *, const char *station, struct sess_state *);
	int (*session_save)(struct store *, const char *station, const struct sess_state *);
	int (*find_product)(
	    struct store *, const char *code, char *sku, size_t skulen, int64_t *multiplier);
	int (*last_item)(struct store *, const char *station, int64_t order_id, int64_t *line_id,
	    int64_t *units);
	int64_t (*last_package)(struct store *, const char *station);
	int64_t (*record_scan)(struct store *, const char *station, const char *packer,
	    const char *code, const char *aim, const char *verdict, int64_t order_id,
	    int64_t line_id, int64_t units, int64_t package_id, const char *state);
	int (*open_order)(struct store *, int64_t order_id, const char *station);
	int64_t (*open_package)(struct store *, int64_t order_id, const char *station, int box);
	int (*undo_last)(struct store *, const char *station, int64_t order_id);
	int64_t (*close_package)(struct store *, int64_t order_id, const char *station,
	    const char *gs1_prefix, char sscc[19]);
	int64_t (*ship)(
	    struct store *, int64_t order_id, const char *station, const char *packer, int partial);
	int (*close_unshipped)(struct store *, int64_t order_id, const char *station);
	int (*pending_outbox)(struct store *, int64_t **ids, size_t *n);
	char *(*fulfillment_doc)(struct store *, int64_t id, char *order_name, size_t namelen);
	int (*mark_outbox)(struct store *, int64_t id, const char *name);
	int (*load_fulfillment)(struct store *, int64_t id, struct store_fulfillment **out);
	int (*set_fulfillment_doc)(struct store *, int64_t id, const char *doc);
	int (*count_orders)(struct store *, struct store_status_count **rows, size_t *n);
	int (*orders_with_sku)(
	    struct store *, const char *sku, int64_t limit, char ***names, size_t *n);
	int (*list_orders)(
	    struct store *, const char *status, struct store_order_row **rows, size_t *n);
	int (*load_order_detail)(struct store *, const char *name, struct store_order_detail **out);
	int (*list_events)(
	    struct store *, const struct log_filter *f, struct store_event_row **rows, size_t *n);
	int (*list_stats)(struct store *, int64_t since_ms, int64_t until_ms, const char *by,
	    struct store_stats_row **rows, size_t *n);
	int (*load_order_doc)(struct store *, int64_t order_id, struct store_order_doc **out);
	int (*load_package)(struct store *, int64_t package_id, struct store_package_doc *out);
	/* packing checks (store_checks.h) */
	int (*package_weigh)(struct store *, int64_t package_id, int64_t grams);
	int (*find_label)(struct store *, const char *sscc, char *order_name, size_t namelen,
	    int *box, int64_t *package_id);
	int (*package_label)(
	    struct store *, int64_t package_id, char sscc[19], char *order_name, size_t namelen);
	int (*find_tracking)(struct store *, const char *code, char *order_name, size_t namelen);
	int (*order_weight)(struct store *, int64_t order_id, int *boxes, int64_t *grams,
	    char *source, size_t sourcelen);
	/* upkeep: backup, check, archive, retention, export (store_maint.h); may be NULL */
	const struct store_maint_ops *maint;
	const struct store_shop_ops *shop; /* store_shop.h */
	/* store_jobs.h */
	int64_t (*job_insert)(struct store *, const char *station, const char *printer,
	    const char *kind, int64_t order_id, int64_t package_id, const char *title,
	    const char *media, int copies, const void *pdf, size_t len);
	int (*job_update)(
	    struct store *, int64_t id, const char *state, int ipp_job_id, const char *reason);
	int (*job_attempt)(struct store *, int64_t id);
	int (*job_reset)(struct store *, int64_t id, const char *reason);
	int (*job_load)(struct store *, int64_t id, struct job_row *, void **pdf, size_t *len);
	int (*jobs_unsent)(struct store *, int64_t **ids, size_t *n);
	int (*jobs_unfinished)(struct store *, int64_t **ids, size_t *n);
	int (*mark_slip_printed)(struct store *, int64_t order_id);
	int (*slip_printed)(struct store *, int64_t order_id);
	int (*orders_without_slip)(struct store *, int64_t limit, int64_t **ids, size_t *n);
	int (*find_package_sscc)(
	    struct store *, const char *sscc, int64_t *id, char *station, size_t stationlen);
	int64_t (*last_package_of_order)(
	    struct store *, int64_t order_id, char *station, size_t stationlen);
	int64_t (*effect_add)(struct store *, const char *station, const char *kind, int64_t ref);
	int (*effect_done)(struct store *, int64_t id);
	int (*effects_pending)(struct store *, int64_t **ids, size_t *n);
	int (*effect_load)(struct store *, int64_t id, char *station, size_t stationlen, char *kind,
	    size_t kindlen, int64_t *ref);
	int (*scan_by_key)(struct store *, const char *station, const char *key, char **reply);
	int (*scan_set_key)(struct store *, int64_t scan_id, const char *key, const char *reply);
	int (*last_verdict)(struct store *, const char *station, struct last_verdict *lv);
	int (*resume_message)(struct store *, const char *station, char *msg, size_t msglen);
	/* store_boxes.h */
	int (*box_start)(struct store *, const char *box);
	int (*box_heartbeat)(struct store *);
	int (*box_stop)(struct store *);
	int (*claim_station)(struct store *, const char *station, char *holder, size_t holderlen);
	int (*list_benches)(struct store *, struct store_bench_row **rows, size_t *n);
	int (*unavailable)(struct store *);
	int (*abandon_order)(struct store *, int64_t order_id, char *station, size_t stationlen);
	int (*changes_fd)(struct store *);
	int (*changes_read)(struct store *, char *station, size_t stationlen);
	/* store.h: reconnecting, the shop-sync election */
	int (*reconnect_step)(struct store *, struct store_wait *w);
	int (*shop_lead)(struct store *);
};

/* Every engine's handle starts with this (the engine's own struct embeds it first). */
struct store {
	const struct store_ops *ops;
};

#endif
