/*
 * The console's HTTP server: libmicrohttpd in external epoll mode, its one
 * epoll fd watched by the daemon's loop, so requests run in the loop thread
 * between scans and never beside them. Routes, limits and responses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/config.h"
#include "station/daemon/daemon.h"
#include "station/shop/shop.h"
#include "station/web/web.h"
#include "station/web/web_int.h"

#define WEB_CONN_LIMIT	 256	     /* all clients */
#define WEB_PER_IP_LIMIT 96	     /* one address: a wall of browsers behind one NAT still fits */
#define WEB_CONN_MEMORY	 (32u << 10) /* request line and headers per connection */
#define WEB_CONN_TIMEOUT 30	     /* seconds idle (event streams ping every 10) */

int
web_token_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = la != lb;

	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0 && la > 0;
}

/* Security headers every response carries: no framing, no sniffing, our scripts only. */
static void
add_common_headers(struct web_req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
	    " connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
	if (r->w->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

enum MHD_Result
web_send(struct web_req *r, unsigned status, const char *ctype, char *body, size_t len,
    const char *disposition)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(
	    len, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	if (disposition)
		MHD_add_response_header(resp, "Content-Disposition", disposition);
	add_common_headers(r, resp);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
web_send_wbuf(
    struct web_req *r, unsigned status, const char *ctype, struct wbuf *b, const char *disposition)
{
	char *p;

	if (b->failed) {
		wb_free(b);
		p = strdup("response too large or out of memory\n");
		return web_send(r, 500, "text/plain; charset=utf-8", p, p ? strlen(p) : 0, NULL);
	}
	p = b->p;
	b->p = NULL;
	return web_send(r, status, ctype, p, b->len, disposition);
}

enum MHD_Result
web_send_json(struct web_req *r, unsigned status, json_t *j)
{
	char *s;

	if (j == NULL)
		return web_send_error(r, 500, "out of memory");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		return web_send_error(r, 500, "out of memory");
	return web_send(r, status, "application/json", s, strlen(s), NULL);
}

enum MHD_Result
web_send_error(struct web_req *r, unsigned status, const char *msg)
{
	struct wbuf b = { 0 };

	if (strncmp(r->url, "/api/", 5) == 0 || strcmp(r->url, "/events") == 0) {
		json_t *j = json_pack("{s:b, s:s}", "ok", 0, "error", msg);

		return web_send_json(r, status, j);
	}
	web_page_begin(&b, r, "Station", "");
	wb_puts(&b, "<h1>");
	wb_printf(&b, "%u", status);
	wb_puts(&b, "</h1><p class=\"error\">");
	wb_esc(&b, msg);
	wb_puts(&b, "</p>");
	web_page_end(&b);
	return web_send_wbuf(r, status, "text/html; charset=utf-8", &b, NULL);
}

enum MHD_Result
web_redirect(struct web_req *r, const char *location)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    0, (char *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", location);
	add_common_headers(r, resp);
	ret = MHD_queue_response(r->conn, 303, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
serve_asset(struct web_req *r, const char *name)
{
	const char *type, *data;
	size_t len;
	char *copy;

	if (!web_asset(name, &type, &data, &len))
		return web_send_error(r, 404, "no such page");
	if ((copy = malloc(len)) == NULL)
		return MHD_NO;
	memcpy(copy, data, len);
	return web_send(r, 200, type, copy, len, NULL);
}

/*
 * POST /webhooks/shopify: Shopify's deliveries, signed with the shared
 * secret (no session). The shop sync verifies the HMAC of the raw body,
 * drops repeats and queues a refresh of that order; it never waits for the
 * shop, so the answer goes out at once. Without [shopify]: 404.
 */
static enum MHD_Result
serve_webhook(struct web_req *r)
{
	struct shop *shop = r->w->d->shop;
	const char *topic, *hmac, *id;
	int status = 500;

	if (shop == NULL)
		return web_send_error(r, 404, "no shop sync is configured");
	if (strcmp(r->method, "POST") != 0)
		return web_send_error(r, 405, "webhooks are POSTed");
	topic = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Shopify-Topic");
	hmac = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Shopify-Hmac-Sha256");
	id = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Shopify-Webhook-Id");
	shop_webhook_handle(shop, topic ? topic : "", hmac ? hmac : "", id ? id : "",
	    r->body ? r->body : "", r->body ? r->blen : 0, &status);
	if (status == 200)
		return web_send_json(r, 200, json_pack("{s:b}", "ok", 1));
	return web_send_error(r, (unsigned)status,
	    status == 401	? "bad signature"
		: status == 400 ? "unreadable body"
				: "webhooks are not set up here");
}

/* Requests anyone may make: the login page and the console's own assets. */
static int
route_public(struct web_req *r, enum MHD_Result *ret)
{
	if (strcmp(r->url, "/login") == 0) {
		*ret = strcmp(r->method, "POST") == 0 ? auth_login_post(r)
						      : auth_login_page(r, 200, NULL);
		return 1;
	}
	if (strncmp(r->url, "/assets/", 8) == 0) {
		*ret = serve_asset(r, r->url + 8);
		return 1;
	}
	if (strcmp(r->url, "/webhooks/shopify") == 0) {
		*ret = serve_webhook(r);
		return 1;
	}
	if (strcmp(r->url, "/metrics") == 0 && r->sess == NULL &&
	    (strcmp(r->ip, "127.0.0.1") == 0 || strcmp(r->ip, "::1") == 0)) {
		/* a Prometheus on this host scrapes without a browser session */
		*ret = page_metrics(r);
		return 1;
	}
	return 0;
}

/* /orders/NAME[/slip.pdf|/label.pdf] */
static enum MHD_Result
route_order(struct web_req *r)
{
	const char *name = r->url + 8;
	char buf[600];
	size_t n = strlen(name);

	if (n > 8 &&
	    (strcmp(name + n - 9, "/slip.pdf") == 0 ||
		(n > 9 && strcmp(name + n - 10, "/label.pdf") == 0))) {
		int slip = strcmp(name + n - 9, "/slip.pdf") == 0;
		size_t cut = n - (slip ? 9 : 10);

		if (cut >= sizeof(buf))
			return web_send_error(r, 404, "no such order");
		memcpy(buf, name, cut);
		buf[cut] = '\0';
		return page_order_pdf(r, buf, slip ? "slip" : "label");
	}
	return page_order(r, name);
}

static enum MHD_Result
route(struct web_req *r)
{
	enum MHD_Result ret;
	int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;

	if (r->too_big)
		return web_send_error(r, 413, "request too large");
	if (route_public(r, &ret))
		return ret;
	if (r->sess == NULL) {
		char loc[1200];

		if (!get || strncmp(r->url, "/api/", 5) == 0 || strcmp(r->url, "/events") == 0 ||
		    strcmp(r->url, "/metrics") == 0)
			return web_send_error(r, get ? 401 : 403, "log in first");
		snprintf(loc, sizeof(loc), "/login?next=%s", strlen(r->url) < 512 ? r->url : "/");
		return web_redirect(r, loc);
	}
	if (!get) {
		if (strcmp(r->method, "POST") != 0)
			return web_send_error(r, 405, "method not allowed");
		if (strcmp(r->url, "/logout") == 0)
			return auth_logout(r);
		if (strcmp(r->url, "/act") == 0)
			return page_action(r);
		return web_send_error(r, 404, "no such action");
	}
	if (strcmp(r->url, "/") == 0)
		return page_floor(r);
	if (strcmp(r->url, "/events") == 0)
		return events_open(r);
	if (strcmp(r->url, "/orders") == 0)
		return page_orders(r);
	if (strncmp(r->url, "/orders/", 8) == 0 && r->url[8])
		return route_order(r);
	if (strcmp(r->url, "/log") == 0)
		return page_log(r);
	if (strcmp(r->url, "/log.csv") == 0 || strcmp(r->url, "/log.json") == 0)
		return page_log_download(r, strcmp(r->url, "/log.csv") == 0);
	if (strcmp(r->url, "/stats") == 0)
		return page_stats(r);
	if (strcmp(r->url, "/stats.csv") == 0)
		return page_stats_csv(r);
	if (strcmp(r->url, "/metrics") == 0)
		return page_metrics(r);
	if (strncmp(r->url, "/api/", 5) == 0)
		return api_route(r, r->url + 5);
	return web_send_error(r, 404, "no such page");
}

static void
client_ip(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
	    c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		    (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    out, (socklen_t)len);
}

/*
 * MHD's access handler: called first with the headers (we make our
 * state), then with body pieces (kept up to WEB_MAX_BODY), then once more
 * with nothing: only then is the request answered.
 */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct web_req *r = *state;

	(void)version;
	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		r->w = cls;
		r->conn = conn;
		*state = r;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t max = strcmp(url, "/webhooks/shopify") == 0 ? WEB_MAX_WEBHOOK : WEB_MAX_BODY;

		if (r->blen + *upload_size > max)
			r->too_big = 1;
		else {
			char *nb = realloc(r->body, r->blen + *upload_size + 1);

			if (nb == NULL)
				return MHD_NO;
			r->body = nb;
			memcpy(r->body + r->blen, upload, *upload_size);
			r->blen += *upload_size;
			r->body[r->blen] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	r->method = method;
	r->url = url;
	client_ip(conn, r->ip, sizeof(r->ip));
	r->sess = auth_session(r->w, conn);
	return route(r);
}

static void
on_completed(
    void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode why)
{
	struct web_req *r = *state;

	(void)cls;
	(void)conn;
	(void)why;
	if (r) {
		free(r->pdf);
		free(r->body);
		free(r);
		*state = NULL;
	}
}

static void
on_epoll(int fd, short revents, void *arg)
{
	struct web *w = arg;

	(void)fd;
	(void)revents;
	MHD_run(w->mhd);
}

/* Before the loop sleeps: run MHD for resumed streams, and wake for its timeouts. */
static int
on_prepare(void *arg)
{
	struct web *w = arg;
	MHD_UNSIGNED_LONG_LONG ms;

	/*
	 * MHD's epoll is edge-triggered inside: a connection with bytes still
	 * buffered, or whose timeout is due, shows as a timeout of 0, not as a
	 * readable epoll fd. Run it then, as after a resumed stream.
	 */
	if (w->need_run || (MHD_get_timeout(w->mhd, &ms) == MHD_YES && ms == 0)) {
		w->need_run = 0;
		MHD_run(w->mhd);
	}
	if (MHD_get_timeout(w->mhd, &ms) == MHD_YES)
		return ms > 60000 ? 60000 : (int)ms;
	return -1;
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("web: %s", msg);
}

/* "127.0.0.1:8080", "[::1]:8080", "*:8080" into a socket address. */
static int
parse_listen(const char *spec, struct sockaddr_storage *ss)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	int port;
	size_t hl;

	if (colon == NULL || (hl = (size_t)(colon - spec)) >= sizeof(host))
		return -1;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	port = atoi(colon + 1);
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		host[hl - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0) {
			s4->sin_addr.s_addr = htonl(INADDR_ANY);
			return 0;
		}
		return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
	}
}

static char *
read_small_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *p;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((p = calloc(1, 65537)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(p, 1, 65536, f);
	fclose(f);
	if (n == 0 || n == 65536) {
		free(p);
		return NULL;
	}
	return p;
}

/* The users file must exist and be private (0600, like an ssh key). */
static int
check_users_file(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1) {
		log_warn("web: users_file %s", path);
		return -1;
	}
	if ((sb.st_mode & 077) != 0) {
		log_warnx("web: users_file %s is mode %03o: refused unless 0600"
			  " (chmod 600 %s)",
		    path, (unsigned)(sb.st_mode & 0777), path);
		return -1;
	}
	return 0;
}

static int
start_mhd(struct web *w)
{
	const struct config *c = w->d->conf;
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;

	if (parse_listen(c->web.listen, &ss) == -1) {
		log_warnx("web: listen %s: not an address:port", c->web.listen);
		return -1;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (c->web.tls_cert && c->web.tls_key) {
		if ((w->cert = read_small_file(c->web.tls_cert)) == NULL ||
		    (w->key = read_small_file(c->web.tls_key)) == NULL) {
			log_warnx("web: cannot read tls_cert %s or tls_key %s", c->web.tls_cert,
			    c->web.tls_key);
			return -1;
		}
		flags |= MHD_USE_TLS;
		w->tls = 1;
	}
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_PER_IP_LIMIT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_CONN_TIMEOUT, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, w, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, w,
	    w->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, w->cert, MHD_OPTION_HTTPS_MEM_KEY,
	    w->key, MHD_OPTION_END);
	if (w->mhd == NULL) {
		log_warnx("web: cannot listen on %s (in use, or not an address of this host?)",
		    c->web.listen);
		return -1;
	}
	if ((di = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD)) == NULL) {
		log_warnx("web: libmicrohttpd has no epoll fd");
		return -1;
	}
	w->epfd = di->epoll_fd;
	if (loop_add_fd(w->d->loop, w->epfd, POLLIN, on_epoll, w) == -1 ||
	    loop_add_prepare(w->d->loop, on_prepare, w) == -1)
		return -1;
	return 0;
}

struct web *
web_new(struct daemon *d, int *failed)
{
	struct web *w;

	*failed = 0;
	if (d->conf->web.listen == NULL)
		return NULL;
	*failed = 1;
	if (check_users_file(d->conf->web.users_file) == -1)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->d = d;
	w->epfd = -1;
	w->nbench = d->conf->nstations;
	if ((w->bench = calloc(w->nbench ? w->nbench : 1, sizeof(*w->bench))) == NULL ||
	    (w->pdf = pdf_new()) == NULL || start_mhd(w) == -1 || events_start(w) == -1 ||
	    login_start(w) == -1) {
		web_free(w);
		return NULL;
	}
	d->web_watchers.watching = events_watching;
	d->web_watchers.scan = events_scan;
	d->web_watchers.scanner = events_scanner;
	d->web_watchers.arg = w;
	*failed = 0;
	log_info("web: console on %s://%s", w->tls ? "https" : "http", d->conf->web.listen);
	return w;
}

struct web_pdf *
web_pdf_of(struct web *w)
{
	return w->pdf;
}

void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	memset(&w->d->web_watchers, 0, sizeof(w->d->web_watchers));
	login_stop(w);
	if (w->pdf)
		pdf_stop(w);
	events_stop(w);
	if (w->epfd != -1)
		loop_del_fd(w->d->loop, w->epfd);
	loop_del_prepare(w->d->loop, on_prepare, w);
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	free(w->pdf);
	free(w->alerts_sent);
	free(w->cert);
	free(w->key);
	free(w->bench);
	free(w);
}
