/* The order lifecycle: statuses, their names and every transition. Pure. */
#include <string.h>

#include "station/core/order_state.h"

/* The users' contract: these exact strings appear in JSON, CSV, SQL rows and the log. */
static const char *const status_names[ORDER_STATUS_COUNT] = {
	[ORDER_READY] = "ready",
	[ORDER_ON_HOLD] = "on_hold",
	[ORDER_IN_PROGRESS] = "in_progress",
	[ORDER_PARTIAL] = "partial",
	[ORDER_FULFILLED] = "fulfilled",
	[ORDER_CANCELLED] = "cancelled",
	[ORDER_ARCHIVED] = "archived",
	[ORDER_DIGITAL] = "digital",
};

const char *
order_status_name(enum order_status s)
{
	if ((unsigned)s >= ORDER_STATUS_COUNT)
		return "unknown";
	return status_names[s];
}

int
order_status_parse(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < ORDER_STATUS_COUNT; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

const char *
order_hold_name(enum order_hold h)
{
	switch (h) {
	case ORDER_HOLD_SHOP: return "shop";
	case ORDER_HOLD_SUPERVISOR: return "supervisor";
	default: return NULL;
	}
}

enum order_hold
order_hold_parse(const char *name)
{
	if (name == NULL)
		return ORDER_HOLD_NONE;
	if (strcmp(name, "shop") == 0)
		return ORDER_HOLD_SHOP;
	if (strcmp(name, "supervisor") == 0)
		return ORDER_HOLD_SUPERVISOR;
	return ORDER_HOLD_NONE;
}

static int64_t
upstream_of(const struct order_qty *q)
{
	int64_t u = q->quantity - q->fulfillable;

	return u > 0 ? u : 0;
}

/* Our shipped units the shop has not heard of yet. */
static int64_t
unheard_of(const struct order_qty *q)
{
	int64_t a = q->acked < 0 ? 0 : q->acked, u = q->shipped - a;

	return u > 0 ? u : 0;
}

int64_t
order_qty_remaining(const struct order_qty *q)
{
	int64_t r, cap;

	if (!q->requires_shipping || q->removed)
		return 0;
	r = q->fulfillable - unheard_of(q);
	cap = q->quantity - q->shipped;
	if (cap < r)
		r = cap;
	return r > 0 ? r : 0;
}

int64_t
order_qty_acked(int64_t old_upstream, int64_t new_upstream, int64_t shipped, int64_t old_acked)
{
	int64_t a = old_acked < 0 ? 0 : old_acked;

	if (old_upstream < 0)
		old_upstream = 0;
	if (new_upstream < 0)
		new_upstream = 0;
	if (new_upstream > old_upstream)
		a += new_upstream - old_upstream;
	if (a > shipped)
		a = shipped;
	if (a > new_upstream)
		a = new_upstream;
	return a > 0 ? a : 0;
}

void
order_tally_add(struct order_tally *t, const struct order_qty *q)
{
	if (!q->requires_shipping)
		return;
	t->remaining += order_qty_remaining(q);
	t->done += unheard_of(q) + upstream_of(q);
}

enum order_status
order_tally_status(const struct order_tally *t)
{
	if (t->remaining == 0)
		return t->done > 0 ? ORDER_FULFILLED : ORDER_DIGITAL;
	return t->done > 0 ? ORDER_PARTIAL : ORDER_READY;
}

enum order_status
order_state_of_lines(const struct order_qty *q, size_t n)
{
	struct order_tally t = { 0, 0 };
	size_t i;

	for (i = 0; i < n; i++)
		order_tally_add(&t, &q[i]);
	return order_tally_status(&t);
}

int
order_state_is_openable(enum order_status s)
{
	return s == ORDER_READY || s == ORDER_PARTIAL || s == ORDER_IN_PROGRESS;
}

/* The status the shop's data gives a known order (next_status before this module). */
static void
reimport(const struct order_state *cur, enum order_status shop, struct order_state *n)
{
	*n = *cur;
	n->hold = ORDER_HOLD_NONE;
	if (cur->status == ORDER_ARCHIVED)
		return;
	if (shop == ORDER_CANCELLED) {
		n->status = ORDER_CANCELLED;
		return;
	}
	/* A supervisor's hold outlives any re-import: only a release ends it. */
	if (cur->hold == ORDER_HOLD_SUPERVISOR) {
		n->status = ORDER_ON_HOLD;
		n->hold = ORDER_HOLD_SUPERVISOR;
		return;
	}
	if (shop == ORDER_ON_HOLD) {
		n->status = ORDER_ON_HOLD;
		n->hold = ORDER_HOLD_SHOP;
		return;
	}
	/* Still something to pack while a packer has it open: the bench keeps it. */
	if (cur->at_bench && order_state_is_openable(shop)) {
		n->status = ORDER_IN_PROGRESS;
		return;
	}
	n->status = shop;
}

/* A bench session ended: the lines decide unless a hold or the shop's word stands. */
static void
settle(const struct order_state *cur, enum order_status lines, struct order_state *n)
{
	*n = *cur;
	n->at_bench = 0;
	if (cur->status == ORDER_IN_PROGRESS || cur->status == ORDER_READY ||
	    cur->status == ORDER_PARTIAL)
		n->status = lines;
}

static enum order_refusal
hold(const struct order_state *cur, struct order_state *n)
{
	switch (cur->status) {
	case ORDER_FULFILLED:
	case ORDER_CANCELLED:
	case ORDER_ARCHIVED:
	case ORDER_DIGITAL: return ORDER_REFUSE_NOTHING_TO_HOLD;
	default:
		*n = *cur;
		n->status = ORDER_ON_HOLD;
		n->hold = ORDER_HOLD_SUPERVISOR;
		return ORDER_OK;
	}
}

static enum order_refusal
release(const struct order_state *cur, enum order_status lines, struct order_state *n)
{
	if (cur->status != ORDER_ON_HOLD)
		return ORDER_REFUSE_NOT_HELD;
	if (cur->hold == ORDER_HOLD_SHOP)
		return ORDER_REFUSE_SHOP_HOLD;
	*n = *cur;
	n->hold = ORDER_HOLD_NONE;
	n->status = cur->at_bench ? ORDER_IN_PROGRESS : lines;
	return ORDER_OK;
}

enum order_refusal
order_state_apply(
    const struct order_state *cur, const struct order_event *ev, struct order_state *next)
{
	struct order_state n;

	switch (ev->kind) {
	case OEV_IMPORT:
		n.status = ev->shop;
		n.hold = ev->shop == ORDER_ON_HOLD ? ORDER_HOLD_SHOP : ORDER_HOLD_NONE;
		n.at_bench = 0;
		break;
	case OEV_REIMPORT: reimport(cur, ev->shop, &n); break;
	case OEV_HOLD:
		if (hold(cur, &n) != ORDER_OK)
			return ORDER_REFUSE_NOTHING_TO_HOLD;
		break;
	case OEV_RELEASE: {
		enum order_refusal r = release(cur, ev->shop, &n);

		if (r != ORDER_OK)
			return r;
		break;
	}
	case OEV_CANCEL: reimport(cur, ORDER_CANCELLED, &n); break;
	case OEV_OPEN:
		if (!order_state_is_openable(cur->status))
			return ORDER_REFUSE_NOT_OPENABLE;
		n = *cur;
		n.status = ORDER_IN_PROGRESS;
		n.at_bench = 1;
		break;
	case OEV_SHIP:
	case OEV_CLOSE: settle(cur, ev->shop, &n); break;
	case OEV_ARCHIVE:
		if ((cur->status != ORDER_FULFILLED && cur->status != ORDER_CANCELLED) ||
		    cur->at_bench)
			return ORDER_REFUSE_NOT_ARCHIVABLE;
		n = *cur;
		n.status = ORDER_ARCHIVED;
		n.hold = ORDER_HOLD_NONE;
		break;
	default: return ORDER_REFUSE_NOT_OPENABLE;
	}
	*next = n;
	return ORDER_OK;
}
