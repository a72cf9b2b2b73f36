/* libcurl multi on the daemon's loop: sockets become loop fds, curl's timer a loop timer. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/shop/shop_http.h"

struct shop_http {
	struct loop *loop;
	CURLM *multi;
	CURL *easy; /* the request in flight, NULL when idle */
	struct curl_slist *headers;
	char *url;
	char *body; /* what we send (kept alive during the transfer) */
	char *buf;  /* what we receive */
	size_t len, cap;
	int too_big;
	int retry_after;
	int64_t timer;
	long connect_timeout, timeout;
	shop_http_cb cb;
	void *arg;
};

static void check_done(struct shop_http *);

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct shop_http *h = arg;
	size_t n = size * nmemb;
	char *nb;

	if (h->len + n + 1 > (size_t)SHOP_HTTP_MAX_BODY) {
		h->too_big = 1;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (h->len + n + 1 > h->cap) {
		size_t cap = h->cap ? h->cap : 16384;

		while (cap < h->len + n + 1)
			cap *= 2;
		if ((nb = realloc(h->buf, cap)) == NULL)
			return 0;
		h->buf = nb;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, ptr, n);
	h->len += n;
	h->buf[h->len] = '\0';
	return n;
}

static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct shop_http *h = arg;
	size_t n = size * nmemb;

	if (n > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0) {
		char tmp[32];
		size_t k = n - 12 < sizeof(tmp) - 1 ? n - 12 : sizeof(tmp) - 1;

		memcpy(tmp, ptr + 12, k);
		tmp[k] = '\0';
		h->retry_after = atoi(tmp);
		if (h->retry_after < 0)
			h->retry_after = 0;
	}
	return n;
}

static void
on_fd(int fd, short revents, void *arg)
{
	struct shop_http *h = arg;
	int flags = 0, running;

	if (revents & POLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	check_done(h);
}

static int
on_socket(CURL *e, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct shop_http *h = arg;
	short ev = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (sockp != NULL) {
			loop_del_fd(h->loop, s);
			curl_multi_assign(h->multi, s, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= POLLIN;
	if (what & CURL_POLL_OUT)
		ev |= POLLOUT;
	if (sockp == NULL) {
		if (loop_add_fd(h->loop, s, ev, on_fd, h) == -1)
			return -1;
		curl_multi_assign(h->multi, s, h);
	} else if (loop_mod_fd(h->loop, s, ev) == -1)
		return -1;
	return 0;
}

static void
on_timer(void *arg)
{
	struct shop_http *h = arg;
	int running;

	h->timer = 0;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int
on_timer_set(CURLM *m, long ms, void *arg)
{
	struct shop_http *h = arg;

	(void)m;
	if (h->timer > 0)
		loop_cancel_timer(h->loop, h->timer);
	h->timer = 0;
	if (ms >= 0 && (h->timer = loop_add_timer(h->loop, ms, on_timer, h)) == -1) {
		h->timer = 0;
		return -1;
	}
	return 0;
}

struct shop_http *
shop_http_new(
    struct loop *loop, const char *url, const char *token, int connect_timeout_s, int timeout_s)
{
	struct shop_http *h;
	char hdr[600];

	if (strlen(token) > 500 || (h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->loop = loop;
	h->connect_timeout = connect_timeout_s > 0 ? connect_timeout_s : 10;
	h->timeout = timeout_s > 0 ? timeout_s : 30;
	snprintf(hdr, sizeof(hdr), "X-Shopify-Access-Token: %s", token);
	if ((h->url = strdup(url)) == NULL || (h->multi = curl_multi_init()) == NULL ||
	    (h->headers = curl_slist_append(NULL, "Content-Type: application/json")) == NULL ||
	    curl_slist_append(h->headers, "Accept: application/json") == NULL ||
	    curl_slist_append(h->headers, hdr) == NULL) {
		explicit_bzero(hdr, sizeof(hdr));
		shop_http_free(h);
		return NULL;
	}
	explicit_bzero(hdr, sizeof(hdr));
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer_set);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

static void
finish(struct shop_http *h, CURLcode code)
{
	struct shop_http_reply r;
	shop_http_cb cb = h->cb;
	void *arg = h->arg;
	long connect_code = 0;

	memset(&r, 0, sizeof(r));
	r.retry_after = h->retry_after;
	r.sent = 1;
	if (code == CURLE_OK) {
		r.transport_ok = 1;
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &r.status);
	} else if (h->too_big || code == CURLE_FILESIZE_EXCEEDED)
		snprintf(r.error, sizeof(r.error), "reply larger than %ld bytes: refused",
		    (long)SHOP_HTTP_MAX_BODY);
	else {
		snprintf(r.error, sizeof(r.error), "%s", curl_easy_strerror(code));
		/* Never connected: the shop cannot have seen the request. */
		curl_easy_getinfo(h->easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
		if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
		    code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION)
			r.sent = 0;
	}
	r.body = h->buf ? h->buf : "";
	r.len = h->len;
	curl_multi_remove_handle(h->multi, h->easy);
	curl_easy_cleanup(h->easy);
	h->easy = NULL;
	free(h->body);
	h->body = NULL;
	cb(arg, &r);
}

static void
check_done(struct shop_http *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE && m->easy_handle == h->easy) {
			finish(h, m->data.result);
			return; /* the callback may have started the next one */
		}
}

int
shop_http_post(struct shop_http *h, const char *body, int once, shop_http_cb cb, void *arg)
{
	CURL *e;

	if (h->easy != NULL || (e = curl_easy_init()) == NULL)
		return -1;
	if ((h->body = strdup(body)) == NULL) {
		curl_easy_cleanup(e);
		return -1;
	}
	h->len = 0;
	h->too_big = 0;
	h->retry_after = -1;
	h->cb = cb;
	h->arg = arg;
	curl_easy_setopt(e, CURLOPT_URL, h->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, h->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(h->body));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, h->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, h->timeout);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SHOP_HTTP_MAX_BODY);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "stationd-shop-sync/1");
	if (once) {
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	}
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		free(h->body);
		h->body = NULL;
		return -1;
	}
	h->easy = e;
	return 0;
}

int
shop_http_busy(const struct shop_http *h)
{
	return h->easy != NULL;
}

void
shop_http_free(struct shop_http *h)
{
	if (h == NULL)
		return;
	if (h->easy) {
		curl_multi_remove_handle(h->multi, h->easy);
		curl_easy_cleanup(h->easy);
	}
	if (h->timer > 0)
		loop_cancel_timer(h->loop, h->timer);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	curl_slist_free_all(h->headers);
	free(h->url);
	free(h->body);
	free(h->buf);
	free(h);
}
