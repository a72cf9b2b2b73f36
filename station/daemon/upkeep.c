/* Archiving and log retention from the loop, a small batch at a time. */
#include <stdint.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/daemon/reply.h"
#include "station/daemon/upkeep.h"
#include "station/store/store.h"
#include "station/store/store_maint.h"

/* What a backlog run has done so far (logged once when it is caught up). */
static struct {
	int64_t archived, pruned;
} run;

/* One batch of archiving: 1 if there may be more, 0 if caught up, -1 error. */
static int
archive_turn(struct daemon *d)
{
	int64_t n = 0;

	if (d->conf->archive_after_ms <= 0)
		return 0;
	if (store_archive_orders(
		d->store, store_now_ms() - d->conf->archive_after_ms, UPKEEP_BATCH, &n) == -1) {
		log_warnx("archive: %s", store_strerror(d->store));
		return -1;
	}
	run.archived += n;
	return n == UPKEEP_BATCH;
}

static int
prune_turn(struct daemon *d)
{
	int64_t n = 0;

	if (d->conf->log_retention_ms <= 0)
		return 0;
	if (store_prune_log(
		d->store, store_now_ms() - d->conf->log_retention_ms, UPKEEP_BATCH, &n) == -1) {
		log_warnx("log retention: %s", store_strerror(d->store));
		return -1;
	}
	run.pruned += n;
	if (n > 0 && store_compact(d->store, UPKEEP_COMPACT_PAGES) == -1)
		log_warnx("log retention: compact: %s", store_strerror(d->store));
	return n > 0;
}

static void
on_upkeep(void *arg)
{
	struct daemon *d = arg;
	int a = archive_turn(d), p = prune_turn(d);
	int more = a == 1 || p == 1;

	if (!more && (run.archived || run.pruned)) {
		log_info("upkeep: %lld order(s) archived, %lld log row(s) pruned",
		    (long long)run.archived, (long long)run.pruned);
		run.archived = run.pruned = 0;
	}
	if (!d->stopping &&
	    loop_add_timer(d->loop, more ? UPKEEP_BUSY_MS : UPKEEP_IDLE_MS, on_upkeep, d) == -1)
		log_warnx("upkeep: cannot re-arm its timer");
}

int
upkeep_start(struct daemon *d)
{
	/* a turn soon after start catches up with what a stop left behind */
	return loop_add_timer(d->loop, UPKEEP_BUSY_MS, on_upkeep, d) == -1 ? -1 : 0;
}

json_t *
upkeep_cmd_archive(struct daemon *d, json_t *req)
{
	json_t *b = json_object_get(req, "before");
	int64_t n = 0, total = 0;

	if (!json_is_integer(b) || json_integer_value(b) < 0)
		return reply_error("archive: \"before\" must be unix milliseconds");
	do {
		if (store_archive_orders(
			d->store, (int64_t)json_integer_value(b), UPKEEP_BATCH, &n) == -1)
			return reply_error("archive: %s", store_strerror(d->store));
		total += n;
	} while (n == UPKEEP_BATCH);
	log_info("archive: %lld order(s) archived by request", (long long)total);
	return json_pack("{s:b, s:I}", "ok", 1, "archived", (json_int_t)total);
}
