/*
 * The order lifecycle: every status an order takes at the station and
 * every transition between them, as pure functions over plain structs (no
 * I/O, no allocation). The store persists what these functions decide; the
 * session machine asks them whether an order may be opened.
 */
#ifndef STATION_ORDER_STATE_H
#define STATION_ORDER_STATE_H

#include <stddef.h>
#include <stdint.h>

enum order_status {
	ORDER_READY = 0,   /* may be opened at a bench */
	ORDER_ON_HOLD,	   /* blocked, with hold_reason */
	ORDER_IN_PROGRESS, /* open at a bench (station) */
	ORDER_PARTIAL,	   /* some shipped, the rest may be opened again */
	ORDER_FULFILLED,   /* everything shipped */
	ORDER_CANCELLED,
	ORDER_ARCHIVED,
	ORDER_DIGITAL, /* nothing to ship: never shown to packers */
	ORDER_STATUS_COUNT
};

/* "ready", "on_hold", ... "digital" (the users' contract); never NULL. */
const char *order_status_name(enum order_status);
/* Parses a status name; -1 if unknown. */
int order_status_parse(const char *);

/* Who holds an order: the shop (unpaid) or a supervisor. */
enum order_hold { ORDER_HOLD_NONE = 0, ORDER_HOLD_SHOP, ORDER_HOLD_SUPERVISOR };

/* NULL, "shop", "supervisor": the store's hold_source values. */
const char *order_hold_name(enum order_hold);
/* NULL or unknown: ORDER_HOLD_NONE. */
enum order_hold order_hold_parse(const char *);

/* What the lifecycle needs to know of an order. */
struct order_state {
	enum order_status status;
	enum order_hold hold;
	int at_bench; /* open at some station */
};

/*
 * One line's quantities. upstream = quantity - fulfillable_quantity is what
 * the shop counts as fulfilled; `acked` of our `shipped` units are among
 * those (the shop has heard of them), the rest are not yet.
 */
struct order_qty {
	int64_t quantity;    /* ordered, after edits */
	int64_t fulfillable; /* the shop's fulfillable_quantity */
	int requires_shipping;
	int removed;	 /* removed from the order by a re-import */
	int64_t shipped; /* shipped by this station */
	int64_t acked;	 /* of shipped, already off the shop's fulfillable */
};

/*
 * Units still to ship from this station: 0 for digital or removed lines,
 * else max(0, min(fulfillable - (shipped - acked), quantity - shipped)).
 * Our shipments the shop has not heard of come off its fulfillable
 * quantity; those it has heard of are not taken off twice.
 */
int64_t order_qty_remaining(const struct order_qty *);

/*
 * The new `acked` after a re-import moved the line's upstream count
 * (quantity - fulfillable) from old_upstream to new_upstream: a rise is
 * taken as the shop hearing of our shipments first (at most `shipped`), a
 * fall un-hears them (acked never exceeds the upstream count).
 */
int64_t order_qty_acked(
    int64_t old_upstream, int64_t new_upstream, int64_t shipped, int64_t old_acked);

/*
 * What the lines say when nothing else does: FULFILLED (nothing left and
 * something shipped, here or upstream), DIGITAL (nothing to ship at all:
 * no line requires shipping, or every quantity is 0), PARTIAL (something
 * left and something shipped), else READY.
 */
enum order_status order_state_of_lines(const struct order_qty *, size_t n);

/* The same, a line at a time: zero a tally, add every line, read the status. */
struct order_tally {
	int64_t remaining; /* units still to ship from here */
	int64_t done;	   /* units shipped, here or upstream */
};
void order_tally_add(struct order_tally *, const struct order_qty *);
enum order_status order_tally_status(const struct order_tally *);

enum order_event_kind {
	OEV_IMPORT = 0, /* first import: shop = readiness of the shop's data */
	OEV_REIMPORT,	/* a re-import: shop = readiness of the new data */
	OEV_HOLD,	/* supervisor hold */
	OEV_RELEASE,	/* supervisor release: shop = the lines' status */
	OEV_CANCEL,	/* the shop cancelled */
	OEV_OPEN,	/* opened at a bench */
	OEV_SHIP,	/* a shipment closed the session: shop = the lines' status after it */
	OEV_CLOSE,	/* the session closed unshipped: shop = the lines' status */
	OEV_ARCHIVE,	/* past retention */
	OEV_COUNT
};

struct order_event {
	enum order_event_kind kind;
	enum order_status shop; /* see each kind; ignored by the others */
};

/* Why a transition was refused. */
enum order_refusal {
	ORDER_OK = 0,
	ORDER_REFUSE_NOTHING_TO_HOLD, /* hold: fulfilled, cancelled, archived, digital */
	ORDER_REFUSE_NOT_HELD,	      /* release: not on hold */
	ORDER_REFUSE_SHOP_HOLD,	      /* release: the shop holds it (unpaid) */
	ORDER_REFUSE_NOT_OPENABLE,    /* open: not ready, partial or in progress */
	ORDER_REFUSE_NOT_ARCHIVABLE   /* archive: not fulfilled or cancelled, or at a bench */
};

/*
 * Applies one event. Returns ORDER_OK with *next written, or the refusal
 * (next untouched). cur may equal next. cur is ignored by OEV_IMPORT.
 */
enum order_refusal order_state_apply(
    const struct order_state *cur, const struct order_event *ev, struct order_state *next);

/* Ready, partial or in progress: a bench may open it (the session checks which bench). */
int order_state_is_openable(enum order_status);

#endif
