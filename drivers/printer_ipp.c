/* IPP plumbing for the printer driver: destinations, bounded connections, requests, reasons. */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cups/cups.h>

#include "drivers/printer.h"
#include "drivers/printer_proto.h"

static int
is_printer_uri(const char *dest)
{
	return strncmp(dest, "ipp://", 6) == 0 || strncmp(dest, "ipps://", 7) == 0;
}

/* CUPS queue names: printable, no space, slash, backslash, quote or '#'. */
static int
queue_name_ok(const char *name)
{
	const unsigned char *p;

	if (*name == '\0' || strlen(name) > 127)
		return 0;
	for (p = (const unsigned char *)name; *p; p++)
		if (*p <= ' ' || *p == 127 || strchr("/\\?'\"#", *p) != NULL)
			return 0;
	return 1;
}

/* Splits "host:port" (or "/socket/path", or "host") into t->host and t->port. */
static int
parse_server(const char *server, struct ipp_target *t)
{
	const char *colon;
	char *end;
	long port;
	size_t hl;

	t->port = ippPort();
	if (server[0] == '/') {
		if (strlen(server) >= sizeof(t->host))
			return -1;
		memcpy(t->host, server, strlen(server) + 1); /* fits: checked */
		return 0;
	}
	colon = strrchr(server, ':');
	hl = colon != NULL ? (size_t)(colon - server) : strlen(server);
	if (hl == 0 || hl >= sizeof(t->host))
		return -1;
	memcpy(t->host, server, hl);
	t->host[hl] = '\0';
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
			return -1;
		t->port = (int)port;
	}
	return 0;
}

static int
parse_uri(const char *dest, struct ipp_target *t, char *err, size_t errlen)
{
	char scheme[16], user[64];

	if (strlen(dest) >= sizeof(t->uri) ||
	    httpSeparateURI(HTTP_URI_CODING_ALL, dest, scheme, sizeof(scheme), user, sizeof(user),
		t->host, sizeof(t->host), &t->port, t->resource,
		sizeof(t->resource)) < HTTP_URI_STATUS_OK ||
	    t->host[0] == '\0') {
		snprintf(err, errlen, "bad printer URI '%s'", dest);
		return -1;
	}
	memcpy(t->uri, dest, strlen(dest) + 1); /* fits: checked above */
	snprintf(t->label, sizeof(t->label), "printer %.280s", dest);
	t->enc = strcmp(scheme, "ipps") == 0 ? HTTP_ENCRYPTION_ALWAYS
					     : HTTP_ENCRYPTION_IF_REQUESTED;
	t->is_queue = 0;
	return 0;
}

int
ipp_target_parse(
    const char *server, const char *dest, struct ipp_target *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (dest == NULL || *dest == '\0') {
		snprintf(err, errlen, "no printer given");
		return -1;
	}
	if (is_printer_uri(dest))
		return parse_uri(dest, t, err, errlen);
	if (strstr(dest, "://") != NULL) {
		snprintf(err, errlen, "unsupported printer URI '%s' (use ipp:// or ipps://)", dest);
		return -1;
	}
	if (!queue_name_ok(dest)) {
		snprintf(err, errlen, "bad CUPS queue name '%s'", dest);
		return -1;
	}
	if (server == NULL || *server == '\0')
		server = cupsServer();
	if (parse_server(server, t) == -1) {
		snprintf(err, errlen, "bad CUPS server '%s'", server);
		return -1;
	}
	snprintf(t->resource, sizeof(t->resource), "/printers/%s", dest);
	/* cupsd matches the resource path; the host part does not matter. */
	httpAssembleURIf(HTTP_URI_CODING_ALL, t->uri, sizeof(t->uri), "ipp", NULL, "localhost",
	    t->port, "/printers/%s", dest);
	if (t->host[0] == '/')
		snprintf(t->label, sizeof(t->label), "queue %s on %.200s", dest, t->host);
	else
		snprintf(
		    t->label, sizeof(t->label), "queue %s on %.200s:%d", dest, t->host, t->port);
	t->is_queue = 1;
	t->enc = HTTP_ENCRYPTION_IF_REQUESTED;
	return 0;
}

/* httpSetTimeout callback: give up at the first expiry instead of retrying. */
static int
give_up(http_t *http, void *arg)
{
	(void)http;
	(void)arg;
	return 0;
}

/* One non-blocking connect to a, bounded by msec: 0, or the errno it failed with. */
static int
try_connect(const struct addrinfo *a, int msec)
{
	struct pollfd p;
	socklen_t sl = sizeof(int);
	int fd, e = 0;

	if ((fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		 a->ai_protocol)) == -1)
		return errno;
	if (connect(fd, a->ai_addr, a->ai_addrlen) == -1) {
		e = errno;
		if (e == EINPROGRESS) {
			p.fd = fd;
			p.events = POLLOUT;
			if (poll(&p, 1, msec) <= 0)
				e = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == -1)
				e = errno;
		}
	}
	close(fd);
	return e;
}

/*
 * Why a connection failed, in words a supervisor can act on. libcups
 * leaves errno at whatever its cleanup set last ("Bad file descriptor"
 * for a refused connection), so the failure is found again here: the
 * name, then a connect of our own. A first attempt that used up its
 * whole time is a timeout; it is not tried again.
 */
static void
connect_failure(const struct ipp_target *t, int msec, int64_t spent_ms, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL, *a;
	struct sockaddr_un sun;
	char port[16];
	int r, e = 0;

	if (spent_ms + 50 >= msec) {
		snprintf(why, whylen, "no answer within %d ms", msec);
		return;
	}
	if (t->host[0] == '/') {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(t->host) >= sizeof(sun.sun_path)) {
			snprintf(why, whylen, "socket path too long");
			return;
		}
		memcpy(sun.sun_path, t->host, strlen(t->host) + 1);
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNIX;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_addr = (struct sockaddr *)&sun;
		hints.ai_addrlen = sizeof(sun);
		e = try_connect(&hints, msec);
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		snprintf(port, sizeof(port), "%d", t->port);
		if ((r = getaddrinfo(t->host, port, &hints, &res)) != 0) {
			snprintf(why, whylen, "host %.100s not found (%s)", t->host,
			    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
			return;
		}
		for (a = res; a; a = a->ai_next)
			if ((e = try_connect(a, msec)) == 0)
				break;
		freeaddrinfo(res);
	}
	switch (e) {
	case 0: snprintf(why, whylen, "it accepted a connection only on the second try"); break;
	case ECONNREFUSED:
		if (t->host[0] == '/')
			snprintf(why, whylen, "connection refused on %.100s", t->host);
		else
			snprintf(
			    why, whylen, "connection refused by %.100s port %d", t->host, t->port);
		break;
	case ENOENT: snprintf(why, whylen, "no socket %.100s", t->host); break;
	case ETIMEDOUT: snprintf(why, whylen, "no answer within %d ms", msec); break;
	default: snprintf(why, whylen, "%s", strerror(e));
	}
}

http_t *
ipp_connect(const struct ipp_target *t, int msec, double io_sec, char *err, size_t errlen)
{
	struct timespec t0, t1;
	http_t *http;
	char why[200];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	http = httpConnect2(t->host, t->port, NULL, AF_UNSPEC, t->enc, 1, msec, NULL);
	if (http == NULL) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		connect_failure(t, msec,
		    (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000,
		    why, sizeof(why));

		if (t->is_queue)
			snprintf(
			    err, errlen, "CUPS server for %s is not running (%s)", t->label, why);
		else
			snprintf(err, errlen, "%s is unreachable (%s)", t->label, why);
		return NULL;
	}
	httpSetTimeout(http, io_sec, give_up, NULL);
	return http;
}

ipp_t *
ipp_new_request(const struct ipp_target *t, ipp_op_t op)
{
	ipp_t *req = ippNewRequest(op);

	if (req == NULL)
		return NULL;
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, t->uri);
	ippAddString(
	    req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
	return req;
}

ipp_t *
ipp_do(http_t *http, const struct ipp_target *t, ipp_t *request)
{
	return cupsDoRequest(http, request, t->resource);
}

/* A failure below IPP (connection reset, timeout) means start afresh. */
int
ipp_is_transport_failure(ipp_status_t st)
{
	return st == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || st == IPP_STATUS_ERROR_INTERNAL ||
	    st == IPP_STATUS_ERROR_TIMEOUT;
}

void
ipp_reason(const struct ipp_target *t, ipp_status_t st, char *buf, size_t len)
{
	const char *msg = cupsLastErrorString();

	switch (st) {
	case IPP_STATUS_ERROR_NOT_FOUND:
		if (t->is_queue)
			snprintf(buf, len, "unknown %s", t->label);
		else
			snprintf(buf, len, "%s: no printer at this URI", t->label);
		break;
	case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS:
		snprintf(buf, len, "%s is not accepting jobs", t->label);
		break;
	case IPP_STATUS_ERROR_TIMEOUT: snprintf(buf, len, "%s: timed out", t->label); break;
	case IPP_STATUS_ERROR_SERVICE_UNAVAILABLE:
	case IPP_STATUS_ERROR_INTERNAL:
		snprintf(buf, len, "%s: connection failed or timed out (%s)", t->label,
		    msg != NULL ? msg : "no answer");
		break;
	default:
		snprintf(buf, len, "%s refused the request: %s (%s)", t->label, ippErrorString(st),
		    msg != NULL ? msg : "");
		break;
	}
}

int
printer_check_dest(const char *server, const char *dest, char *err, size_t errlen)
{
	static const char *const attrs[] = { "printer-state" };
	struct ipp_target t;
	http_t *http;
	ipp_t *req, *resp;
	ipp_status_t st;

	if (ipp_target_parse(server, dest, &t, err, errlen) == -1)
		return -1;
	if ((http = ipp_connect(&t, 2000, 2.0, err, errlen)) == NULL)
		return -2;
	if ((req = ipp_new_request(&t, IPP_OP_GET_PRINTER_ATTRIBUTES)) == NULL) {
		httpClose(http);
		snprintf(err, errlen, "out of memory");
		return -2;
	}
	ippAddStrings(
	    req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 1, NULL, attrs);
	resp = ipp_do(http, &t, req);
	st = cupsLastError();
	ippDelete(resp);
	httpClose(http);
	if (st <= IPP_STATUS_OK_EVENTS_COMPLETE)
		return 0;
	ipp_reason(&t, st, err, errlen);
	return st == IPP_STATUS_ERROR_NOT_FOUND ? -1 : -2;
}
