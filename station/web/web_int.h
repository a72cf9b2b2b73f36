/*
 * Inside the web console: the server's state, one request, the bounded
 * output buffer and the parts' entry points. Everything here runs in the
 * daemon's loop thread (MHD is driven from it), so nothing is locked.
 */
#ifndef STATION_WEB_INT_H
#define STATION_WEB_INT_H

#include <microhttpd.h>
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "station/core/session.h"

struct daemon;
struct scan_outcome;
struct order_view;

#define WEB_MAX_SESSIONS 128
#define WEB_SESSION_MS	 (12LL * 3600 * 1000) /* absolute lifetime */
#define WEB_IDLE_MS	 (2LL * 3600 * 1000)  /* idle lifetime */
#define WEB_MAX_BODY	 8192		      /* a form is small */
#define WEB_MAX_WEBHOOK	 (1u << 20)	      /* a shop's order JSON is not */
#define WEB_MAX_PAGE	 (8u << 20)	      /* the largest response we build */
#define WEB_MAX_ROWS	 2000		      /* rows on one HTML page */
#define WEB_SSE_QUEUE	 (64u << 10)	      /* per browser: beyond it, dropped */
#define WEB_MAX_SSE	 128
#define WEB_FAIL_SLOTS	 64
#define WEB_LAT_BUCKETS	 12

enum web_role { ROLE_NONE = 0, ROLE_VIEWER, ROLE_SUPERVISOR };

struct web_session {
	char id[65]; /* 32 random bytes, hex; "" = free slot */
	char csrf[65];
	char user[64];
	enum web_role role;
	int64_t expires_ms, seen_ms;
};

/* Failed logins per client address, for the rate limit. */
struct web_fail {
	char ip[64];
	int count;
	int64_t first_ms;
};

/* What the floor remembers of each bench between page loads. */
struct web_bench {
	char verdict[32];
	char message[256];
	int refused;
	int64_t at_ms; /* wall clock; 0: no scan seen since start */
};

struct sse_client;
struct web_login;
struct web_pdf;

enum login_state { LOGIN_NONE = 0, LOGIN_PENDING, LOGIN_OK, LOGIN_BAD };
enum pdf_state { PDF_NONE = 0, PDF_PENDING, PDF_DONE };

struct web {
	struct daemon *d;
	struct MHD_Daemon *mhd;
	int epfd;
	int need_run; /* a connection was resumed: run MHD before sleeping */
	int tls;
	int stopping;
	char *cert, *key;
	struct web_session sessions[WEB_MAX_SESSIONS];
	struct web_fail fails[WEB_FAIL_SLOTS];
	int64_t checks_second, checks_in_second; /* global password-check budget */
	struct sse_client *sse;			 /* doubly linked */
	size_t nsse;
	int64_t ping_timer;
	struct web_bench *bench; /* one per configured station */
	size_t nbench;
	/* /metrics, since the daemon started */
	uint64_t scans[V_COUNT];
	uint64_t lat_bucket[WEB_LAT_BUCKETS];
	uint64_t lat_count;
	double lat_sum;
	uint64_t sse_dropped, logins_failed;
	struct web_login *login; /* the password worker (web_login.c) */
	struct web_pdf *pdf;	 /* documents being rendered (web_pdf.c) */
	char *alerts_sent;	 /* the printer alerts the live pages last got */
};

/* One HTTP request while MHD hands it to us. */
struct web_req {
	struct web *w;
	struct MHD_Connection *conn;
	const char *method, *url;
	char *body;
	size_t blen;
	int too_big;
	struct web_session *sess; /* NULL: not logged in */
	char ip[64];
	enum login_state login_state; /* a login waiting for its password check */
	enum web_role login_role;
	char login_user[64];
	enum pdf_state pdf_state; /* a document waiting for the renderer */
	char *pdf;		  /* the rendered PDF (PDF_DONE; NULL: none) */
	size_t pdflen;
};

/* A growing text bounded by WEB_MAX_PAGE; once over, failed is set and it stops. */
struct wbuf {
	char *p;
	size_t len, cap;
	int failed;
};

void wb_put(struct wbuf *, const char *s, size_t n);
void wb_puts(struct wbuf *, const char *s);
void wb_printf(struct wbuf *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HTML-escapes s (& < > " '); NULL writes nothing. */
void wb_esc(struct wbuf *, const char *s);
/* Percent-encodes s for a path segment or query value. */
void wb_url(struct wbuf *, const char *s);
void wb_free(struct wbuf *);

/* Page frame: head, navigation (active: "floor", "orders", ...), user, logout form. */
void web_page_begin(struct wbuf *, struct web_req *, const char *title, const char *active);
void web_page_end(struct wbuf *);
/* Embedded assets: 1 and the bytes for a known name ("app.css", "app.js"), else 0. */
int web_asset(const char *name, const char **type, const char **data, size_t *len);

/* Responses: each takes what it is given and queues it; returns MHD's result. */
enum MHD_Result web_send(struct web_req *, unsigned status, const char *ctype, char *body,
    size_t len, const char *disposition);
enum MHD_Result web_send_wbuf(
    struct web_req *, unsigned status, const char *ctype, struct wbuf *, const char *disposition);
enum MHD_Result web_send_json(struct web_req *, unsigned status, json_t *); /* steals */
enum MHD_Result web_send_error(struct web_req *, unsigned status, const char *msg);
enum MHD_Result web_redirect(struct web_req *, const char *location);
const char *web_arg(struct web_req *, const char *name); /* query argument or NULL */
/* A field of the urlencoded body, decoded into out; 1 found, 0 not. */
int web_form(struct web_req *, const char *name, char *out, size_t outlen);
/* A log filter from query arguments; strings borrowed from the request. */
struct log_filter;
void web_log_filter(struct web_req *, struct log_filter *);
/* "YYYY-MM-DD[ T]HH:MM[:SS]" or "YYYY-MM-DD" (local) → ms; -1 if not a time. */
int64_t web_parse_time(const char *);
/* The text of a table as JSON (array of objects) or CSV. Steals t. */
struct table;
json_t *web_table_json(struct table *);
char *web_table_text(struct table *, int csv, size_t *len);

/* auth: sessions, login, CSRF */
enum MHD_Result auth_login_page(struct web_req *, unsigned status, const char *msg);
enum MHD_Result auth_login_post(struct web_req *);
enum MHD_Result auth_logout(struct web_req *);
struct web_session *auth_session(struct web *, struct MHD_Connection *);
/* 1 if the request may act: a supervisor's session and the right CSRF token. */
int auth_may_act(struct web_req *);

/* the password worker: a check is queued, the connection suspended until it is done */
int login_start(struct web *);
void login_stop(struct web *);
/* hash NULL: an unknown name (checked against a dummy, never accepted). 0 / -1 busy. */
int login_submit(struct web_req *, const char *hash, const char *password);

/* documents: rendered in a child, the request suspended meanwhile */
struct web_pdf *pdf_new(void);
void pdf_stop(struct web *); /* answers the waiting; frees nothing else */

/* pages */
enum MHD_Result page_floor(struct web_req *);
enum MHD_Result page_orders(struct web_req *);
enum MHD_Result page_order(struct web_req *, const char *name);
enum MHD_Result page_log(struct web_req *);
enum MHD_Result page_log_download(struct web_req *, int csv);
enum MHD_Result page_stats(struct web_req *);
enum MHD_Result page_stats_csv(struct web_req *);
enum MHD_Result page_metrics(struct web_req *);
enum MHD_Result page_action(struct web_req *);
enum MHD_Result page_order_pdf(struct web_req *, const char *name, const char *kind);

/* API */
enum MHD_Result api_route(struct web_req *, const char *path);
/* ?since&until&by of /stats and /api/stats; -1 if malformed. */
int web_stats_range(struct web_req *, int64_t *since, int64_t *until, const char **by);

/* events (SSE) */
enum MHD_Result events_open(struct web_req *);
void events_scan(void *arg, const struct scan_outcome *, const struct order_view *);
void events_scanner(void *arg, const char *station, int connected, const char *message);
int events_watching(void *arg, const char *station);
void events_stop(struct web *);
int events_start(struct web *);
double events_bucket_bound(int i);

/* constant-time comparison of two NUL-terminated tokens; 1 equal */
int web_token_eq(const char *a, const char *b);

#endif
