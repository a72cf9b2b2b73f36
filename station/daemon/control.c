/*
 * The control socket: accepts stationctl clients, one JSON object per line.
 * Every client's memory is bounded: a request line is at most
 * CLIENT_MAX_LINE; once CLIENT_OUT_HIGH bytes of replies wait unsent, the
 * client's further requests wait in the kernel (it is not read) until it
 * reads; a watcher that does not read loses events and is told how many.
 */
#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "station/daemon/control.h"
#include "station/daemon/daemon.h"
#include "station/daemon/reply.h"
#include "common/log.h"
#include "common/loop.h"
#include "station/daemon/station.h"

#define CLIENT_MAX_LINE	    ((size_t)64 * 1024)	 /* a request line; the longest is a hold reason */
#define CLIENT_OUT_HIGH	    ((size_t)256 * 1024) /* unsent bytes above which a client waits */
#define CLIENT_MAX_FDS	    4			 /* passed files waiting for their request */
#define CONTROL_MAX_CLIENTS 128 /* benches' watch screens and scripts; ~330 KB each at most */

struct client {
	int fd;
	char *in;
	size_t inlen, incap;
	char *out;
	size_t outlen, outcap;
	int fds[CLIENT_MAX_FDS]; /* SCM_RIGHTS files, oldest first */
	size_t nfds;
	char *watch;	   /* station watched ("" = all), NULL = not watching */
	uint64_t dropped;  /* events not queued since it stopped reading */
	int busy;	   /* inside one of its requests: do not free */
	uint64_t deferred; /* its reply comes later (control_reply) */
	int dead;	   /* close when no longer busy */
	struct control *ctl;
	struct client *next;
};

struct control {
	struct daemon *d;
	struct client *current; /* whose request commands_run is running */
	uint64_t next_defer;
	int fd;
	char *path;
	struct client *clients;
	size_t nclients;
	json_t *scanners; /* station → {"connected", "message"}, for status */
};

static void client_close(struct client *);
static void client_work(struct client *);

static int
append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n > *cap) {
		size_t c = *cap ? *cap : 4096;
		char *nb;

		while (c < *len + n)
			c *= 2;
		if ((nb = realloc(*buf, c)) == NULL)
			return -1;
		*buf = nb;
		*cap = c;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	return 0;
}

/* Reads requests only while its replies are being taken. */
static void
client_arm(struct client *c)
{
	short ev = c->outlen < CLIENT_OUT_HIGH ? POLLIN : 0;

	if (c->outlen > 0)
		ev |= POLLOUT;
	loop_mod_fd(c->ctl->d->loop, c->fd, ev);
}

/* Queues a line (a NUL-terminated JSON text) for the client. */
static void
client_queue(struct client *c, const char *s)
{
	if (append(&c->out, &c->outlen, &c->outcap, s, strlen(s)) == -1 ||
	    append(&c->out, &c->outlen, &c->outcap, "\n", 1) == -1) {
		log_warnx("control: out of memory replying; closing the client");
		c->dead = 1;
	}
}

/* After a watcher caught up: how many events it missed, before any new one. */
static void
client_tell_dropped(struct client *c)
{
	char msg[200];

	snprintf(msg, sizeof(msg),
	    "{\"event\":\"dropped\",\"dropped\":%llu,\"message\":"
	    "\"%llu events were dropped: this watcher did not read them in time\"}",
	    (unsigned long long)c->dropped, (unsigned long long)c->dropped);
	c->dropped = 0;
	client_queue(c, msg);
}

/* Sends what it can without blocking. Returns -1 if the client is gone (freed). */
static int
client_flush(struct client *c)
{
	ssize_t n;

	while (c->outlen > 0 && !c->dead) {
		n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			c->dead = 1;
			break;
		}
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
		if (c->outlen == 0 && c->dropped > 0)
			client_tell_dropped(c);
	}
	if (c->dead) {
		c->outlen = 0;
		if (!c->busy) {
			client_close(c);
			return -1;
		}
		return 0;
	}
	client_arm(c);
	return 0;
}

static void
client_send(struct client *c, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);

	if (s == NULL) {
		log_warnx("control: out of memory replying; closing the client");
		c->dead = 1;
	} else
		client_queue(c, s);
	free(s);
	client_flush(c);
}

/* Whether c watches station (NULL: an event for every station). */
static int
client_watches(const struct client *c, const char *station)
{
	return c->watch != NULL && !c->dead &&
	    (c->watch[0] == '\0' || station == NULL || strcmp(c->watch, station) == 0);
}

static int
on_watching(void *arg, const char *station)
{
	struct control *ctl = arg;
	struct client *c;

	for (c = ctl->clients; c; c = c->next)
		if (client_watches(c, station))
			return 1;
	return 0;
}

/* Queues an event for every watcher of station; one that is behind loses it. */
static void
broadcast(struct control *ctl, const char *station, json_t *msg)
{
	struct client *c, *next;
	char *s;

	if (msg == NULL || (s = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII)) == NULL) {
		log_warnx("control: out of memory telling watchers");
		return;
	}
	for (c = ctl->clients; c; c = next) {
		next = c->next;
		if (!client_watches(c, station))
			continue;
		if (c->outlen >= CLIENT_OUT_HIGH || c->dropped > 0) {
			c->dropped++;
			continue;
		}
		client_queue(c, s);
		client_flush(c);
	}
	free(s);
}

static void
on_scan(void *arg, const struct scan_outcome *o, const struct order_view *bench)
{
	json_t *msg = commands_scan_event(o, bench);

	broadcast(arg, o->station, msg);
	json_decref(msg);
}

/* The reply a keyed scan keeps for its repeats. */
static char *
on_reply_text(void *arg, const struct scan_outcome *o)
{
	json_t *r = commands_scan_json(o);
	char *txt = r ? json_dumps(r, JSON_COMPACT) : NULL;

	(void)arg;
	json_decref(r);
	return txt;
}

json_t *
control_scanner_state(struct control *ctl, const char *station)
{
	return ctl && ctl->scanners ? json_object_get(ctl->scanners, station) : NULL;
}

static void
on_scanner(void *arg, const char *station, int connected, const char *message)
{
	struct control *ctl = arg;
	json_t *msg = commands_scanner_event(station, connected, message);

	if (connected >= 0) {
		if (ctl->scanners == NULL)
			ctl->scanners = json_object();
		if (ctl->scanners != NULL)
			json_object_set_new(ctl->scanners, station,
			    json_pack(
				"{s:b, s:s}", "connected", connected > 0, "message", message));
	}

	broadcast(arg, station, msg);
	json_decref(msg);
}

/* Arguments every command reads, with the type they must have when present. */
static const struct {
	const char *key;
	json_type type;
} request_args[] = {
	{ "station", JSON_STRING },
	{ "code", JSON_STRING },
	{ "aim", JSON_STRING },
	{ "order", JSON_STRING },
	{ "reason", JSON_STRING },
	{ "name", JSON_STRING },
	{ "what", JSON_STRING },
	{ "kind", JSON_STRING },
	{ "path", JSON_STRING },
	{ "limit", JSON_INTEGER },
};

json_t *
control_parse_request(const char *line, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *req, *v;
	size_t i;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL || !json_is_object(req) || !json_is_string(json_object_get(req, "cmd"))) {
		snprintf(err, errlen, "bad request: expected a JSON object with \"cmd\"");
		json_decref(req);
		return NULL;
	}
	for (i = 0; i < sizeof(request_args) / sizeof(request_args[0]); i++) {
		v = json_object_get(req, request_args[i].key);
		if (v != NULL && !json_is_null(v) && json_typeof(v) != request_args[i].type) {
			snprintf(err, errlen, "bad request: \"%s\" must be %s", request_args[i].key,
			    request_args[i].type == JSON_STRING ? "a string" : "an integer");
			json_decref(req);
			return NULL;
		}
	}
	return req;
}

/* The oldest file the client passed, or -1; the caller owns it. */
static int
client_take_fd(struct client *c)
{
	int fd;

	if (c->nfds == 0)
		return -1;
	fd = c->fds[0];
	memmove(c->fds, c->fds + 1, (c->nfds - 1) * sizeof(c->fds[0]));
	c->nfds--;
	return fd;
}

/* A bench's last verdict after a restart, to a watcher that just started. */
static void
send_resumed(void *arg, const struct scan_outcome *o, const struct order_view *bench)
{
	json_t *msg = commands_scan_event(o, bench);

	if (msg)
		client_send(arg, msg);
	json_decref(msg);
}

static void
handle_line(struct client *c, const char *line, size_t len)
{
	char err[256];
	json_t *req, *rep;
	const char *cmd;
	int fd = -1, watch = 0;

	if ((req = control_parse_request(line, len, err, sizeof(err))) == NULL) {
		rep = json_pack("{s:b, s:s}", "ok", 0, "error", err);
	} else if (strcmp((cmd = json_string_value(json_object_get(req, "cmd"))), "watch") == 0) {
		const char *st = json_string_value(json_object_get(req, "station"));

		free(c->watch);
		c->watch = strdup(st ? st : "");
		rep = json_pack("{s:b, s:s}", "ok", 1, "watching", st ? st : "");
		watch = 1;
	} else {
		if (strcmp(cmd, "import") == 0)
			fd = client_take_fd(c);
		c->ctl->current = c;
		rep = commands_run(c->ctl->d, req, &fd);
		c->ctl->current = NULL;
		if (fd != -1)
			close(fd);
	}
	json_decref(req);
	if (c->deferred != 0) {
		json_decref(rep); /* control_reply sends it */
		return;
	}
	if (rep == NULL)
		rep = json_pack("{s:b, s:s}", "ok", 0, "error", "out of memory");
	client_send(c, rep);
	json_decref(rep);
	if (watch) /* after a restart: each bench's last verdict, until it scans */
		station_resume(c->ctl->d, c->watch, send_resumed, c);
}

uint64_t
control_defer(struct control *ctl)
{
	if (ctl == NULL || ctl->current == NULL)
		return 0;
	ctl->current->deferred = ++ctl->next_defer;
	return ctl->current->deferred;
}

void
control_reply(struct control *ctl, uint64_t id, json_t *rep)
{
	struct client *c;

	if (ctl == NULL || id == 0) {
		json_decref(rep);
		return;
	}
	for (c = ctl->clients; c; c = c->next)
		if (c->deferred == id)
			break;
	if (c == NULL) {
		json_decref(rep);
		return; /* the client has gone */
	}
	c->deferred = 0;
	if (rep == NULL)
		rep = reply_error("out of memory");
	c->busy = 1; /* client_send must not free c */
	if (rep != NULL)
		client_send(c, rep);
	json_decref(rep);
	c->busy = 0;
	client_work(c); /* its requests that waited for this reply */
}

/*
 * Serves the complete lines it has, one at a time, as long as the client
 * takes the replies and no reply of its is deferred (control_defer).
 */
static void
client_work(struct client *c)
{
	char *nl;

	c->busy = 1;
	while (!c->dead && c->deferred == 0 && c->outlen < CLIENT_OUT_HIGH && c->inlen > 0 &&
	    (nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		size_t linelen = (size_t)(nl - c->in);

		handle_line(c, c->in, linelen);
		memmove(c->in, nl + 1, c->inlen - linelen - 1);
		c->inlen -= linelen + 1;
	}
	c->busy = 0;
	if (c->dead)
		client_close(c);
	else
		client_arm(c);
}

/* Length of the unfinished line at the end of buf. */
static size_t
line_tail(const char *buf, size_t len)
{
	const char *nl = memrchr(buf, '\n', len);

	return nl ? len - (size_t)(nl - buf) - 1 : len;
}

/* Keeps the files passed with the data (SCM_RIGHTS); too many are closed. */
static void
client_keep_fds(struct client *c, struct msghdr *mh)
{
	struct cmsghdr *cm;
	size_t i, n;
	int fd;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (c->nfds < CLIENT_MAX_FDS)
				c->fds[c->nfds++] = fd;
			else
				close(fd);
		}
	}
}

static void
client_io(int fd, short revents, void *arg)
{
	struct client *c = arg;
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int) * CLIENT_MAX_FDS)];
	} cmsg;
	char buf[8192];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh;
	ssize_t n;

	if ((revents & (POLLOUT | POLLHUP | POLLERR)) && client_flush(c) == -1)
		return; /* c is gone */
	if (c->outlen >= CLIENT_OUT_HIGH)
		return; /* its requests wait until it takes its replies */
	if (!(revents & (POLLIN | POLLHUP | POLLERR))) {
		client_work(c); /* requests that waited for the replies to go */
		return;		/* c may be gone */
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsg.buf;
	mh.msg_controllen = sizeof(cmsg.buf);
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0 || mh.msg_controllen > 0)
		client_keep_fds(c, &mh);
	if (n <= 0) {
		client_close(c);
		return;
	}
	if (append(&c->in, &c->inlen, &c->incap, buf, (size_t)n) == -1 ||
	    line_tail(c->in, c->inlen) > CLIENT_MAX_LINE) {
		log_warnx(
		    "control: request line over %zu bytes; closing the client", CLIENT_MAX_LINE);
		client_close(c);
		return;
	}
	client_work(c);
}

static void
client_close(struct client *c)
{
	struct control *ctl = c->ctl;
	struct client **pp;

	for (pp = &ctl->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			ctl->nclients--;
			break;
		}
	loop_del_fd(ctl->d->loop, c->fd);
	close(c->fd);
	while (c->nfds > 0)
		close(c->fds[--c->nfds]);
	free(c->in);
	free(c->out);
	free(c->watch);
	free(c);
}

static void
control_accept(int fd, short revents, void *arg)
{
	struct control *ctl = arg;
	struct client *c;
	int cfd;

	(void)revents;
	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control: accept");
		return;
	}
	if (ctl->nclients >= CONTROL_MAX_CLIENTS) {
		static const char busy[] =
		    "{\"ok\":false,\"error\":\"too many control clients\"}\n";

		log_warnx("control: %d clients already; refusing one", CONTROL_MAX_CLIENTS);
		(void)send(cfd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(cfd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(cfd);
		return;
	}
	c->fd = cfd;
	c->ctl = ctl;
	if (loop_add_fd(ctl->d->loop, cfd, POLLIN, client_io, c) == -1) {
		close(cfd);
		free(c);
		return;
	}
	c->next = ctl->clients;
	ctl->clients = c;
	ctl->nclients++;
}

struct control *
control_new(struct daemon *d, const char *path, const char *group)
{
	struct sockaddr_un sun;
	struct control *ctl;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control: socket path too long: %s", path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL || (ctl->path = strdup(path)) == NULL) {
		free(ctl);
		return NULL;
	}
	ctl->d = d;
	if ((ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("control: socket");
		goto fail;
	}
	unlink(path); /* a stale socket from an earlier run (kill -9) */
	old = umask(0117);
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("control: bind %s", path);
		goto fail;
	}
	umask(old);
	if (chmod(path, 0660) == -1)
		log_warn("control: chmod %s", path);
	if (group != NULL) {
		struct group *gr = getgrnam(group);

		if (gr == NULL || chown(path, (uid_t)-1, gr->gr_gid) == -1)
			log_warn("control: cannot give %s to group %s", path, group);
	}
	if (listen(ctl->fd, 16) == -1 ||
	    loop_add_fd(d->loop, ctl->fd, POLLIN, control_accept, ctl) == -1) {
		log_warn("control: listen %s", path);
		goto fail;
	}
	d->watchers.watching = on_watching;
	d->watchers.scan = on_scan;
	d->watchers.scanner = on_scanner;
	d->watchers.reply_text = on_reply_text;
	d->watchers.arg = ctl;
	return ctl;
fail:
	if (ctl->fd >= 0)
		close(ctl->fd);
	free(ctl->path);
	free(ctl);
	return NULL;
}

void
control_free(struct control *ctl)
{
	struct client *c;

	if (ctl == NULL)
		return;
	memset(&ctl->d->watchers, 0, sizeof(ctl->d->watchers));
	while ((c = ctl->clients) != NULL) {
		ctl->clients = c->next; /* unlinked here: client_close finds nothing to unlink */
		ctl->nclients--;
		client_close(c);
	}
	loop_del_fd(ctl->d->loop, ctl->fd);
	close(ctl->fd);
	unlink(ctl->path);
	json_decref(ctl->scanners);
	free(ctl->path);
	free(ctl);
}
