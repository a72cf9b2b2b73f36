/* Shop sync's engine: one GraphQL request at a time, a cost budget, backoff, the job order. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/shop/shop_int.h"
#include "station/store/store.h"
#include "station/store/store_shop.h"

static void on_wake(void *);

void
shop_event(struct shop *s, int64_t order_id, const char *kind, int is_error, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (is_error)
		log_warnx("shop: %s", msg);
	else
		log_info("shop: %s", msg);
	if (store_add_event(s->d->store, NULL, order_id, NULL, kind, NULL, msg, is_error) == -1)
		log_warnx("shop: cannot log: %s", store_errmsg(s->d->store));
}

/* A secret file's first line, trimmed; NULL (said) on error. */
static char *
read_secret(const char *path, size_t *lenp)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("shop: %s", path);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		log_warnx("shop: %s: empty or unreadable", path);
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	while (n > 0 && (buf[strlen(buf) - 1] == ' ' || buf[strlen(buf) - 1] == '\t'))
		buf[strlen(buf) - 1] = '\0', n--;
	if (lenp)
		*lenp = strlen(buf);
	return strdup(buf);
}

static void
on_poll(void *arg)
{
	struct shop *s = arg;
	int every = s->d->conf->shopify.poll_interval;

	s->poll_timer = 0;
	s->pull_wanted = 1;
	if (every > 0)
		s->poll_timer = loop_add_timer(s->d->loop, (int64_t)every * 1000, on_poll, s);
	shop_schedule(s);
}

int
shop_start(struct daemon *d)
{
	const struct shopify_conf *y = &d->conf->shopify;
	struct shop *s;
	char *v = NULL;

	if (!y->enabled)
		return 0;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->d = d;
	s->location = y->location_id;
	if ((s->token = read_secret(y->token_file, NULL)) == NULL)
		goto fail;
	if (y->webhook_secret_file &&
	    (s->secret = read_secret(y->webhook_secret_file, &s->secret_len)) == NULL)
		goto fail;
	if ((s->http = shop_http_new(
		 d->loop, y->endpoint, s->token, y->connect_timeout, y->timeout)) == NULL)
		goto fail;
	/* The first pull is a full one; later ones take what changed since the last. */
	if (store_shop_get_state(d->store, "pull_since", &v) == -1)
		goto fail;
	s->pull_full = v == NULL;
	free(v);
	/* poll_interval 0: pulls only when asked (stationctl sync, webhooks, opens) */
	s->pull_wanted = y->poll_interval > 0;
	d->shop = s;
	log_info("shop: syncing with %s, location %lld, every %d s", y->endpoint,
	    (long long)s->location, y->poll_interval);
	if (y->poll_interval > 0)
		s->poll_timer = loop_add_timer(
		    d->loop, (int64_t)y->poll_interval * 1000, on_poll, s);
	shop_lead_start(s);
	shop_schedule(s);
	return 0;
fail:
	log_warnx("shop: not started");
	d->shop = NULL;
	shop_http_free(s->http);
	if (s->token)
		explicit_bzero(s->token, strlen(s->token));
	free(s->token);
	free(s->secret);
	free(s);
	return -1;
}

void
shop_stop(struct daemon *d)
{
	struct shop *s = d->shop;
	size_t i;

	if (s == NULL)
		return;
	shop_http_free(s->http);
	shop_lead_stop(s);
	if (s->wake)
		loop_cancel_timer(d->loop, s->wake);
	if (s->poll_timer)
		loop_cancel_timer(d->loop, s->poll_timer);
	explicit_bzero(s->token, strlen(s->token));
	free(s->token);
	if (s->secret)
		explicit_bzero(s->secret, s->secret_len);
	free(s->secret);
	for (i = 0; i < SHOP_WEBHOOK_IDS; i++)
		free(s->seen[i]);
	free(s);
	d->shop = NULL;
}

/* Milliseconds until the budget holds need (0: now). */
static int64_t
budget_wait(struct shop *s, double need)
{
	double now_avail;
	int64_t now = loop_now_ms();

	if (!s->know_budget || need <= 0)
		return 0;
	now_avail = s->avail + s->restore * (double)(now - s->avail_at) / 1000.0;
	if (now_avail > s->max_avail)
		now_avail = s->max_avail;
	if (need > s->max_avail)
		need = s->max_avail;
	if (now_avail >= need)
		return 0;
	if (s->restore <= 0)
		return 1000;
	return (int64_t)ceil((need - now_avail) / s->restore * 1000.0) + 5;
}

static void
budget_update(struct shop *s, enum shop_kind k, json_t *rep)
{
	json_t *cost = json_object_get(json_object_get(rep, "extensions"), "cost");
	json_t *ts = json_object_get(cost, "throttleStatus");

	if (!json_is_object(ts))
		return;
	s->know_budget = 1;
	s->max_avail = json_number_value(json_object_get(ts, "maximumAvailable"));
	s->avail = json_number_value(json_object_get(ts, "currentlyAvailable"));
	s->restore = json_number_value(json_object_get(ts, "restoreRate"));
	s->avail_at = loop_now_ms();
	if (json_is_number(json_object_get(cost, "requestedQueryCost")))
		s->est[k] = json_number_value(json_object_get(cost, "requestedQueryCost"));
}

static void
arm(struct shop *s, int64_t ms)
{
	if (s->wake)
		loop_cancel_timer(s->d->loop, s->wake);
	s->wake = loop_add_timer(s->d->loop, ms < 0 ? 0 : ms, on_wake, s);
	if (s->wake == -1)
		s->wake = 0;
}

static void
on_wake(void *arg)
{
	struct shop *s = arg;

	s->wake = 0;
	shop_schedule(s);
}

void
shop_backoff(struct shop *s, const char *why, int retry_after)
{
	const struct shopify_conf *y = &s->d->conf->shopify;
	int64_t ms;

	snprintf(s->last_error, sizeof(s->last_error), "%s", why);
	if (retry_after >= 0)
		ms = (int64_t)retry_after * 1000;
	else {
		s->backoff = s->backoff ? s->backoff * 2 : y->retry_min;
		if (s->backoff > y->retry_max)
			s->backoff = y->retry_max;
		/* full jitter over the upper half: many stations do not retry in step */
		ms = s->backoff / 2 + (s->backoff > 1 ? random() % (s->backoff / 2 + 1) : 0);
	}
	s->not_before = loop_now_ms() + ms;
	log_info("shop: %s; next try in %lld ms", why, (long long)ms);
	/* stationctl sync waits through a few retries, then says why it stopped */
	if (++s->sync_failures >= SHOP_SYNC_TRIES)
		shop_sync_finish(s, why);
}

void
shop_sync_finish(struct shop *s, const char *why)
{
	long pending = 0;
	struct store_push_row *rows = NULL;
	size_t n = 0, i;

	if (s->sync_done == s->sync_gen)
		return;
	if (store_shop_list_pushes(s->d->store, NULL, 0, &rows, &n) == 0)
		for (i = 0; i < n; i++)
			pending += strcmp(rows[i].state, PUSH_PENDING) == 0 ||
			    strcmp(rows[i].state, PUSH_SENDING) == 0;
	store_push_rows_free(rows, n);
	snprintf(s->sync_report, sizeof(s->sync_report),
	    "pulled %ld fulfillment order(s) in %d page(s), %ld order(s) updated;"
	    " pushed %ld (%ld recognised as already applied), refused %ld, pending %ld%s%s",
	    s->pull_fos, s->pull_pages, s->pull_orders, s->sync_pushed, s->sync_recognised,
	    s->sync_refused, pending, why ? "; stopped: " : "", why ? why : "");
	s->sync_done = s->sync_gen;
}

static const char *
kind_name(enum shop_kind k)
{
	static const char *n[] = { "pull", "refresh", "push", "verify" };

	return n[k];
}

/* What the reply says: data, or an outcome and plain words. */
static enum shop_outcome
classify(struct shop *s, const struct shop_http_reply *r, json_t **rep, json_t **data, char *err,
    size_t errlen, int *retry_after)
{
	json_t *errors, *e;
	json_error_t je;
	size_t i;

	*rep = NULL;
	*retry_after = -1;
	if (!r->transport_ok) {
		snprintf(err, errlen, "shop unreachable: %s", r->error);
		return r->sent ? SR_UNKNOWN : SR_NOT_APPLIED;
	}
	if (r->status == 429) {
		snprintf(err, errlen, "HTTP 429 Too Many Requests");
		*retry_after = r->retry_after >= 0 ? r->retry_after : -1;
		s->throttled++;
		return SR_NOT_APPLIED;
	}
	if (r->status >= 500) {
		snprintf(err, errlen, "shop answered HTTP %ld", r->status);
		return SR_UNKNOWN;
	}
	if (r->status != 200) {
		snprintf(err, errlen, "shop refused the request: HTTP %ld%s", r->status,
		    r->status == 401 || r->status == 403 ? " (check the access token)" : "");
		return SR_NOT_APPLIED;
	}
	if ((*rep = json_loadb(r->body, r->len, 0, &je)) == NULL || !json_is_object(*rep)) {
		snprintf(err, errlen, "unreadable reply: %s", je.text);
		return SR_UNKNOWN;
	}
	budget_update(s, s->kind, *rep);
	errors = json_object_get(*rep, "errors");
	json_array_foreach(errors, i, e)
	{
		const char *code = json_string_value(
		    json_object_get(json_object_get(e, "extensions"), "code"));

		if (code && strcmp(code, "THROTTLED") == 0) {
			snprintf(err, errlen, "throttled by the cost budget");
			s->throttled++;
			return SR_NOT_APPLIED;
		}
	}
	if (json_array_size(errors) > 0) {
		const char *m = json_string_value(
		    json_object_get(json_array_get(errors, 0), "message"));
		const char *code = json_string_value(json_object_get(
		    json_object_get(json_array_get(errors, 0), "extensions"), "code"));

		snprintf(err, errlen, "GraphQL error: %s%s%s%s", m ? m : "(no message)",
		    code ? " (" : "", code ? code : "", code ? ")" : "");
		return SR_ERROR;
	}
	if (!json_is_object(*data = json_object_get(*rep, "data"))) {
		snprintf(err, errlen, "reply without data");
		return SR_UNKNOWN;
	}
	return SR_OK;
}

static void
on_reply(void *arg, const struct shop_http_reply *r)
{
	struct shop *s = arg;
	json_t *rep = NULL, *data = NULL;
	char err[400] = "";
	int retry_after;
	enum shop_outcome o = classify(s, r, &rep, &data, err, sizeof(err), &retry_after);

	s->busy = 0;
	if (o == SR_OK)
		s->backoff = s->sync_failures = 0;
	switch (s->kind) {
	case SK_PULL: shop_pull_reply(s, o, data, err); break;
	case SK_REFRESH: shop_refresh_reply(s, o, data, err); break;
	case SK_PUSH: shop_push_reply(s, o, data, err); break;
	case SK_VERIFY: shop_verify_reply(s, o, data, err); break;
	default: break;
	}
	/* a throttled request waits for the budget, not a backoff */
	if (o != SR_OK && strcmp(err, "throttled by the cost budget") != 0)
		shop_backoff(s, err, retry_after);
	/*
	 * A mutation with an unknown outcome may still be in the shop's hands
	 * (a gateway's 502, our timeout): read it back only after a request's
	 * whole time has passed, so a late apply is seen, not doubled.
	 */
	if (s->kind == SK_PUSH && o == SR_UNKNOWN) {
		int64_t late = loop_now_ms() + (int64_t)s->d->conf->shopify.timeout * 1000;

		if (s->not_before < late)
			s->not_before = late;
	}
	json_decref(rep);
	shop_schedule(s);
}

int
shop_send(struct shop *s, enum shop_kind k, const char *query, json_t *vars)
{
	json_t *req = json_pack("{s:s, s:o}", "query", query, "variables", vars);
	char *body;
	int r;

	if (req == NULL || (body = json_dumps(req, JSON_COMPACT)) == NULL) {
		json_decref(req);
		return -1;
	}
	json_decref(req);
	s->kind = k;
	r = shop_http_post(s->http, body, k == SK_PUSH, on_reply, s);
	free(body);
	if (r == 0) {
		s->busy = 1;
		log_debug("shop: %s sent", kind_name(k));
	}
	return r;
}

/* Starts a request of kind k if it has work: 1 started, 0 nothing to do, -1 error. */
static int
start_kind(struct shop *s, enum shop_kind k)
{
	switch (k) {
	case SK_REFRESH: return s->nrefresh == 0 ? 0 : shop_refresh_next(s) == 0 ? 1 : -1;
	case SK_PULL: return !s->pull_wanted ? 0 : shop_pull_next(s) == 0 ? 1 : -1;
	default: return shop_push_next(s); /* a push's work is known by looking */
	}
}

/*
 * Refreshes, pull pages and pushes take turns, so that a burst of opens
 * (each refreshing its order) or a long pull never starves the pushes
 * customers wait for, nor the other way round.
 */
void
shop_schedule(struct shop *s)
{
	static const enum shop_kind turns[3] = { SK_REFRESH, SK_PULL, SK_PUSH };
	int64_t now = loop_now_ms(), wait;
	enum shop_kind k;
	double need;
	int i, r, leads;

	if (s->busy || s->d->stopping)
		return;
	if (now < s->not_before) {
		arm(s, s->not_before - now);
		return;
	}
	/* several boxes: only the elected one pulls and pushes (shop_lead.c) */
	leads = shop_lead_check(s);
	for (i = 0; i < 3; i++) {
		int t = (s->turn + i) % 3;

		k = turns[t];
		if ((k == SK_REFRESH && s->nrefresh == 0) || (k == SK_PULL && !s->pull_wanted))
			continue;
		if (k != SK_REFRESH && !leads)
			continue;
		/* a push may turn out to be a read-back: budget for the dearer */
		need = k == SK_PUSH && s->est[SK_VERIFY] > s->est[SK_PUSH] ? s->est[SK_VERIFY]
									   : s->est[k];
		if ((wait = budget_wait(s, need)) > 0) {
			arm(s, wait);
			return;
		}
		if ((r = start_kind(s, k)) == -1) {
			shop_backoff(s, "cannot start a request (out of memory or database)", -1);
			return;
		}
		if (r == 1) {
			s->turn = (t + 1) % 3;
			return;
		}
	}
	shop_sync_finish(s, NULL); /* nothing left to do */
}

void
shop_kick(struct shop *s)
{
	if (s != NULL)
		shop_schedule(s);
}
