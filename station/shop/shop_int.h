/* Shop sync's insides, shared by the files of station/shop/ only. */
#ifndef STATION_SHOP_INT_H
#define STATION_SHOP_INT_H

#include <jansson.h>
#include <stdint.h>

#include "station/shop/shop.h"
#include "station/shop/shop_http.h"

enum shop_kind { SK_PULL, SK_REFRESH, SK_PUSH, SK_VERIFY, SK_COUNT };

/* What a reply means for the request's effect upstream. */
enum shop_outcome {
	SR_OK,		/* data is there */
	SR_NOT_APPLIED, /* throttled, refused at the door, never connected: send again */
	SR_UNKNOWN,	/* may or may not have been applied (timeout, 5xx, cut) */
	SR_ERROR	/* GraphQL errors: the request itself is wrong */
};

#define SHOP_REFRESH_MAX 64
#define SHOP_WEBHOOK_IDS 256
#define SHOP_SYNC_TRIES	 3
/* A box that does not pull asks for the election this often (issue 13). */
#define SHOP_LEAD_MS	 2000

struct shop_refresh {
	int fo; /* 1: a FulfillmentOrder id, 0: an Order id */
	int64_t id;
};

struct shop {
	struct daemon *d;
	struct shop_http *http;
	char *token;
	char *secret; /* webhook secret, NULL if none */
	size_t secret_len;
	int64_t location;
	/* the cost budget (extensions.cost.throttleStatus) */
	int know_budget;
	double max_avail, avail, restore;
	int64_t avail_at;
	double est[SK_COUNT];
	long throttled;
	/*
	 * Several boxes: only the elected one pulls and pushes (store_shop_lead);
	 * any box refreshes what its own benches and webhooks ask for.
	 */
	int leader;
	int64_t lead_timer;
	/* scheduling: one request at a time */
	int busy;
	int turn; /* which kind goes first next time */
	enum shop_kind kind;
	int64_t wake;	    /* loop timer id, 0: none */
	int64_t not_before; /* monotonic ms: backoff */
	int backoff;	    /* ms, 0 after a success */
	int64_t poll_timer;
	/* pull */
	int pull_wanted, pull_full, pull_pages;
	int page_limit; /* 0, or the page size MAX_COST_EXCEEDED left us */
	char cursor[512];
	char pull_started[40];
	long pull_fos, pull_orders;
	int64_t last_pull_ms;
	long pulled_total;
	/* refreshes waiting */
	struct shop_refresh refresh[SHOP_REFRESH_MAX];
	size_t nrefresh;
	struct shop_refresh cur_refresh;
	/* the push in flight */
	int64_t push_fid, push_order;
	int64_t push_attempts, push_first_sent;
	/* stationctl sync */
	int64_t sync_gen, sync_done;
	long sync_pushed, sync_refused, sync_recognised;
	int sync_failures; /* in a row: a sync gives up after SHOP_SYNC_TRIES */
	char sync_report[512];
	/* status */
	char last_error[300];
	long pushed_total, refused_total;
	/* webhook ids seen (a ring) */
	char *seen[SHOP_WEBHOOK_IDS];
	size_t seen_next;
	long webhooks;
};

/* shop.c */
/* Sends a GraphQL request (query text, variables consumed) of kind. 0 / -1. */
int shop_send(struct shop *, enum shop_kind, const char *query, json_t *vars);
/* Runs the next job when idle: refreshes, pull, pushes. */
void shop_schedule(struct shop *);
/* A transient failure: backoff with jitter (or Retry-After seconds if >= 0). */
void shop_backoff(struct shop *, const char *why, int retry_after);
void shop_event(struct shop *, int64_t order_id, const char *kind, int is_error, const char *fmt,
    ...) __attribute__((format(printf, 5, 6)));
/* The sync in progress is over: report what it did. */
void shop_sync_finish(struct shop *, const char *why);

/* shop_lead.c */
/* Asks for the election (takes over if free): 1 this box pulls and pushes, 0 not. */
int shop_lead_check(struct shop *);
/* Starts asking every SHOP_LEAD_MS (a database server); SQLite: this box leads. */
void shop_lead_start(struct shop *);
void shop_lead_stop(struct shop *);
/* The box that pulls the shop as last recorded (caller frees), NULL if none. */
char *shop_lead_puller(struct shop *);

/* shop_pull.c */
int shop_pull_next(struct shop *);
int shop_refresh_next(struct shop *);
void shop_pull_reply(struct shop *, enum shop_outcome, json_t *data, const char *err);
void shop_refresh_reply(struct shop *, enum shop_outcome, json_t *data, const char *err);
/* Stores fulfillment order nodes and re-maps their orders (one transaction). */
int shop_apply_fos(struct shop *, json_t *nodes, long *orders);

/* shop_push.c */
/* 1 if a push was started, 0 if none is due, -1 on error. */
int shop_push_next(struct shop *);
void shop_push_reply(struct shop *, enum shop_outcome, json_t *data, const char *err);
/* push --retry: maps a refused push again (inside the caller's transaction). 0 / -1. */
int shop_push_rebuild(struct shop *, int64_t fid);
void shop_verify_reply(struct shop *, enum shop_outcome, json_t *data, const char *err);

#endif
