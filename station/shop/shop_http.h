/*
 * HTTPS POSTs to the shop's GraphQL endpoint with libcurl's multi
 * interface, driven by the daemon's loop (curl_multi_socket_action over
 * common/loop.h's fds and timers): nothing here ever blocks the loop.
 * TLS peers are verified; connect and whole-request timeouts; replies
 * larger than SHOP_HTTP_MAX_BODY are refused. The token is sent in a
 * header and never logged.
 */
#ifndef STATION_SHOP_HTTP_H
#define STATION_SHOP_HTTP_H

#include <stddef.h>

#define SHOP_HTTP_MAX_BODY (16L * 1024 * 1024)

struct loop;
struct shop_http;

struct shop_http_reply {
	int transport_ok; /* 0: no HTTP answer (timeout, refused, cut, too big) */
	long status;	  /* HTTP status when transport_ok */
	int retry_after;  /* seconds from Retry-After, -1 if none */
	int sent;	  /* 1 if the request may have reached the server */
	char error[256];  /* plain words when !transport_ok */
	const char *body; /* NUL-terminated, valid during the callback */
	size_t len;
};

/* Called once per request from the loop. Must not block. */
typedef void (*shop_http_cb)(void *arg, const struct shop_http_reply *);

/* url: the endpoint; token: copied. NULL on failure. */
struct shop_http *shop_http_new(
    struct loop *, const char *url, const char *token, int connect_timeout_s, int timeout_s);
/* Cancels a request in flight (its callback is not called). NULL ok. */
void shop_http_free(struct shop_http *);
/*
 * Starts a POST of body (JSON, copied). One request at a time: -1 if busy.
 * once: a mutation. It goes on a fresh connection that is not kept, because
 * libcurl silently re-sends a request whose reused connection died before
 * the reply, and a mutation must never be sent twice behind our back.
 */
int shop_http_post(struct shop_http *, const char *body, int once, shop_http_cb, void *arg);
int shop_http_busy(const struct shop_http *);

#endif
