/*
 * Server-Sent Events for the floor: each browser gets a bounded queue fed
 * by the daemon's second watcher (d->web_watchers). A queue that would pass
 * WEB_SSE_QUEUE belongs to a browser that does not read: it is dropped,
 * never waited for. Idle streams are suspended in MHD, not polled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/config.h"
#include "station/daemon/control.h"
#include "station/daemon/daemon.h"
#include "station/daemon/outcome.h"
#include "station/daemon/print.h"
#include "station/store/store.h"
#include "station/store/store_pack.h"
#include "station/store/store_query.h"
#include "station/web/web_int.h"

#define TICK_MS	   2000 /* how soon a closed page is noticed (suspended streams are not read) */
#define PING_TICKS 5	/* a keepalive comment every 10 s */

struct sse_client {
	struct sse_client *prev, *next;
	struct web *w;
	struct MHD_Connection *conn;
	char *buf;
	size_t len, off;
	int suspended, dropped;
};

/* Verdict latency buckets (seconds) for the /metrics histogram. */
static const double lat_bounds[WEB_LAT_BUCKETS] = { 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
	0.1, 0.25, 0.5, 1.0, 2.5 };

static void
wake(struct sse_client *c)
{
	if (c->suspended) {
		c->suspended = 0;
		MHD_resume_connection(c->conn);
		c->w->need_run = 1;
	}
}

/* Queues one message; a browser whose queue is full is dropped. */
static void
push(struct sse_client *c, const char *msg, size_t n)
{
	if (c->dropped)
		return;
	if (c->off > 0 && c->off == c->len)
		c->off = c->len = 0;
	if (c->len - c->off + n > WEB_SSE_QUEUE) {
		c->dropped = 1;
		c->w->sse_dropped++;
		log_warnx("web: dropped an event stream that stopped reading");
	} else {
		if (c->off > 0) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		memcpy(c->buf + c->len, msg, n);
		c->len += n;
	}
	wake(c);
}

static void
broadcast(struct web *w, const char *event, json_t *data)
{
	struct sse_client *c;
	char *s, *msg;
	int n;

	if (w->sse == NULL || data == NULL) {
		json_decref(data);
		return;
	}
	s = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	if (s == NULL || (n = asprintf(&msg, "event: %s\ndata: %s\n\n", event, s)) == -1) {
		free(s);
		return;
	}
	free(s);
	for (c = w->sse; c; c = c->next)
		push(c, msg, (size_t)n);
	free(msg);
}

static void
remember(struct web *w, const struct scan_outcome *o)
{
	size_t i;

	/* a HUP may have re-read the stations: only those both lists have */
	for (i = 0; i < w->nbench && i < w->d->conf->nstations; i++)
		if (strcmp(w->d->conf->stations[i].name, o->station) == 0) {
			struct web_bench *b = &w->bench[i];

			snprintf(b->verdict, sizeof(b->verdict), "%s", verdict_name(o->verdict));
			snprintf(b->message, sizeof(b->message), "%s", o->message);
			b->refused = o->refused;
			b->at_ms = store_now_ms();
		}
}

static void
count(struct web *w, const struct scan_outcome *o)
{
	double s = (double)o->elapsed_us / 1e6;
	int i;

	if ((unsigned)o->verdict < V_COUNT)
		w->scans[o->verdict]++;
	for (i = 0; i < WEB_LAT_BUCKETS; i++)
		if (s <= lat_bounds[i])
			w->lat_bucket[i]++;
	w->lat_count++;
	w->lat_sum += s;
}

double
events_bucket_bound(int i)
{
	return lat_bounds[i];
}

int
events_watching(void *arg, const char *station)
{
	(void)arg;
	(void)station;
	return 1; /* the floor's memory and the metrics count every scan */
}

void
events_scan(void *arg, const struct scan_outcome *o, const struct order_view *bench)
{
	struct web *w = arg;
	int64_t packed = 0, units = 0;
	size_t i;
	json_t *ev;
	static uint64_t seq;

	if (!o->recorded)
		return;
	remember(w, o);
	count(w, o);
	if (w->sse == NULL)
		return;
	for (i = 0; bench && i < bench->nlines; i++) {
		packed += bench->lines[i].packed;
		units += bench->lines[i].remaining;
	}
	ev = json_pack("{s:s, s:s, s:b, s:s, s:s?, s:s?, s:s?, s:i, s:I, s:I, s:I}", "station",
	    o->station, "verdict", verdict_name(o->verdict), "refused", o->refused, "message",
	    o->message, "order", o->has_order ? o->order : NULL, "open", bench ? bench->name : NULL,
	    "packer", o->packer[0] ? o->packer : NULL, "box", o->box, "packed", (json_int_t)packed,
	    "units", (json_int_t)units, "seq", (json_int_t)++seq);
	broadcast(w, "scan", ev);
}

void
events_scanner(void *arg, const char *station, int connected, const char *message)
{
	struct web *w = arg;

	broadcast(w, "scanner", commands_scanner_event(station, connected, message));
}

/* MHD asks for the next bytes of a stream; nothing queued: suspend until push(). */
static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_client *c = cls;
	size_t n;

	(void)pos;
	if (c->dropped || c->w->stopping)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (c->off == c->len) {
		c->off = c->len = 0;
		c->suspended = 1;
		MHD_suspend_connection(c->conn);
		return 0;
	}
	n = c->len - c->off < max ? c->len - c->off : max;
	memcpy(buf, c->buf + c->off, n);
	c->off += n;
	return (ssize_t)n;
}

static void
sse_free(void *cls)
{
	struct sse_client *c = cls;

	if (c->prev)
		c->prev->next = c->next;
	else
		c->w->sse = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->w->nsse--;
	free(c->buf);
	free(c);
}

enum MHD_Result
events_open(struct web_req *r)
{
	struct web *w = r->w;
	struct sse_client *c;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (w->nsse >= WEB_MAX_SSE)
		return web_send_error(r, 503, "too many live pages open");
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->buf = malloc(WEB_SSE_QUEUE)) == NULL) {
		free(c);
		return MHD_NO;
	}
	c->w = w;
	c->conn = r->conn;
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, c, sse_free);
	if (resp == NULL) {
		free(c->buf);
		free(c);
		return MHD_NO;
	}
	c->next = w->sse;
	if (w->sse)
		w->sse->prev = c;
	w->sse = c;
	w->nsse++;
	/* the first bytes open the stream at once (EventSource's "open") */
	memcpy(c->buf, "retry: 2000\n: hello\n\n", 21);
	c->len = 21;
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	ret = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * 1 if the browser closed its end: a page sends nothing after its request,
 * so a readable EOF (or an error) on the socket means it is gone.
 */
static int
peer_closed(struct sse_client *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
	    c->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	char b;
	ssize_t n;

	if (ci == NULL)
		return 0;
	n = recv(ci->connect_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Printer alerts come and go without a scan: live pages hear of a change within a tick. */
static void
alerts_changed(struct web *w)
{
	json_t *a = print_alerts_json(w->d);
	char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;

	if (s && (w->alerts_sent == NULL || strcmp(s, w->alerts_sent) != 0)) {
		free(w->alerts_sent);
		w->alerts_sent = s;
		broadcast(w, "alerts", json_pack("{s:O}", "alerts", a));
	} else
		free(s);
	json_decref(a);
}

static void
on_tick(void *arg)
{
	struct web *w = arg;
	struct sse_client *c;
	static unsigned ticks;

	ticks++;
	if (w->sse)
		alerts_changed(w);
	for (c = w->sse; c; c = c->next) {
		if (!c->dropped && c->suspended && peer_closed(c)) {
			c->dropped = 1;
			wake(c);
		} else if (ticks % PING_TICKS == 0)
			push(c, ": ping\n\n", 8);
	}
	w->ping_timer = loop_add_timer(w->d->loop, TICK_MS, on_tick, w);
}

/*
 * The floor after a restart: each bench's last verdict of the past hour,
 * from the station log (an hour bounds the read; older is "no scan yet").
 */
static void
recall(struct web *w)
{
	struct store_event_row *v;
	struct log_filter f;
	size_t i, n, k;

	for (i = 0; i < w->nbench; i++) {
		memset(&f, 0, sizeof(f));
		f.station = w->d->conf->stations[i].name;
		f.since_ms = store_now_ms() - 3600LL * 1000;
		f.limit = 50;
		f.newest = 1;
		if (store_list_events(w->d->store, &f, &v, &n) == -1)
			continue;
		for (k = n; k-- > 0;)
			if (v[k].verdict && v[k].verdict[0]) {
				struct web_bench *b = &w->bench[i];

				snprintf(b->verdict, sizeof(b->verdict), "%s", v[k].verdict);
				snprintf(b->message, sizeof(b->message), "%s", v[k].message);
				b->refused = v[k].error;
				b->at_ms = v[k].at_ms;
				break;
			}
		store_event_rows_free(v, n);
	}
}

int
events_start(struct web *w)
{
	recall(w);
	w->ping_timer = loop_add_timer(w->d->loop, TICK_MS, on_tick, w);
	return w->ping_timer > 0 ? 0 : -1;
}

/* Ends every stream: MHD must not be stopped with connections suspended. */
void
events_stop(struct web *w)
{
	struct sse_client *c;

	if (w->ping_timer > 0)
		loop_cancel_timer(w->d->loop, w->ping_timer);
	w->ping_timer = 0;
	w->stopping = 1;
	for (c = w->sse; c; c = c->next)
		wake(c);
	if (w->mhd && w->sse)
		MHD_run(w->mhd);
}
