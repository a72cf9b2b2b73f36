/*
 * Several boxes, one shop (issue 13): one box at a time pulls and pushes,
 * so the shop is not asked N times and no shipment is pushed by two boxes.
 * The store elects it (a database lock held while its session lives:
 * store_shop_lead); the others ask again every SHOP_LEAD_MS and one takes
 * over when the elected box stops, dies or loses the database. Every box
 * still refreshes what its own benches open and its webhooks announce.
 *
 * Pushes go through the elected box only: a push row is claimed by being
 * committed "sending" on the session that holds the lock, so two boxes
 * never send the same one; a box taking over reads "sending" ones back
 * only after a request's whole time, so one the previous box had in flight
 * is seen applied, not sent again.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/shop/shop_int.h"
#include "station/store/store.h"
#include "station/store/store_shop.h"

#define PULLER_KEY "puller"

/* Whether a push is "sending" (maybe in the previous box's hands). 1 / 0 (or on error: 1). */
static int
any_sending(struct store *st)
{
	struct store_push_row *rows = NULL;
	size_t n = 0;

	if (store_shop_list_pushes(st, PUSH_SENDING, 0, &rows, &n) == -1)
		return 1;
	store_push_rows_free(rows, n);
	return n > 0;
}

static void
take_over(struct shop *s)
{
	struct daemon *d = s->d;
	const char *box = d->conf->box ? d->conf->box : "";
	char *prev = shop_lead_puller(s);
	int other = prev != NULL && strcmp(prev, box) != 0;

	s->leader = 1;
	if (store_shop_set_state(d->store, PULLER_KEY, box) == -1)
		log_warnx("shop: cannot record the box that pulls: %s", store_errmsg(d->store));
	shop_event(s, 0, "pull", 0, "box %s pulls the shop now%s%s%s", box, other ? " (after " : "",
	    other ? prev : "", other ? ")" : "");
	if (other && any_sending(d->store)) {
		int64_t late = loop_now_ms() + (int64_t)d->conf->shopify.timeout * 1000;

		if (s->not_before < late)
			s->not_before = late;
	}
	/* the previous box's schedule went with it */
	if (d->conf->shopify.poll_interval > 0)
		s->pull_wanted = 1;
	free(prev);
}

int
shop_lead_check(struct shop *s)
{
	int r = store_shop_lead(s->d->store);

	if (r == 1) {
		if (!s->leader)
			take_over(s);
		return 1;
	}
	if (s->leader) {
		s->leader = 0;
		log_info("shop: this box no longer pulls the shop (%s)",
		    r == 0 ? "another box does" : store_errmsg(s->d->store));
	}
	return 0;
}

static void
on_lead(void *arg)
{
	struct shop *s = arg;

	s->lead_timer = 0;
	if (s->d->stopping)
		return;
	/* the elected box looks for other boxes' shipments to push, too */
	if (shop_lead_check(s))
		shop_schedule(s);
	if ((s->lead_timer = loop_add_timer(s->d->loop, SHOP_LEAD_MS, on_lead, s)) == -1)
		s->lead_timer = 0;
}

void
shop_lead_start(struct shop *s)
{
	if (!store_is_server(s->d->conf->database)) {
		s->leader = 1; /* one box */
		return;
	}
	(void)shop_lead_check(s);
	if ((s->lead_timer = loop_add_timer(s->d->loop, SHOP_LEAD_MS, on_lead, s)) == -1)
		s->lead_timer = 0;
}

void
shop_lead_stop(struct shop *s)
{
	if (s->lead_timer)
		loop_cancel_timer(s->d->loop, s->lead_timer);
	s->lead_timer = 0;
}

char *
shop_lead_puller(struct shop *s)
{
	char *v = NULL;

	if (store_shop_get_state(s->d->store, PULLER_KEY, &v) == -1)
		return NULL;
	return v;
}
