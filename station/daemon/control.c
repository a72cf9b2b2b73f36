/* The control socket: accepts stationctl clients, one JSON object per line. */
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
#include "common/log.h"
#include "common/loop.h"

#define CLIENT_MAX_LINE (1024 * 1024)

struct client {
	int		 fd;
	char		*in;
	size_t		 inlen, incap;
	char		*out;
	size_t		 outlen, outcap;
	char		*watch;		/* station watched ("" = all), NULL = not watching */
	int		 busy;		/* inside one of its requests: do not free */
	uint64_t	 deferred;	/* its reply comes later (control_reply) */
	int		 dead;		/* close when no longer busy */
	struct control	*ctl;
	struct client	*next;
};

struct control {
	struct daemon	*d;
	struct client	*current;	/* whose request commands_run is running */
	uint64_t	 next_defer;
	int		 fd;
	char		*path;
	struct client	*clients;
};

static void client_close(struct client *);

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

static void
client_flush(struct client *c)
{
	ssize_t n;

	while (c->outlen > 0) {
		n = write(c->fd, c->out, c->outlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			c->dead = 1;
			c->outlen = 0;
			break;
		}
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	loop_mod_fd(c->ctl->d->loop, c->fd, c->outlen ? POLLIN | POLLOUT : POLLIN);
	if (c->dead && !c->busy)
		client_close(c);
}

static void
client_send(struct client *c, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);

	if (s == NULL || append(&c->out, &c->outlen, &c->outcap, s, strlen(s)) == -1 ||
	    append(&c->out, &c->outlen, &c->outcap, "\n", 1) == -1)
		log_warnx("control: out of memory replying");
	free(s);
	client_flush(c);
}

void
control_broadcast(struct control *ctl, const char *station, json_t *msg)
{
	struct client *c, *next;

	if (ctl == NULL)
		return;
	for (c = ctl->clients; c; c = next) {
		next = c->next;
		if (c->watch && (c->watch[0] == '\0' || station == NULL ||
		    strcmp(c->watch, station) == 0))
			client_send(c, msg);
	}
}

static json_t *
vreply(int ok, const char *fmt, va_list ap)
{
	char msg[1400];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return json_pack("{s:b, s:s}", "ok", ok, ok ? "message" : "error", msg);
}

json_t *
reply_error(const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = vreply(0, fmt, ap);
	va_end(ap);
	return r;
}

json_t *
reply_message(const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = vreply(1, fmt, ap);
	va_end(ap);
	return r;
}

static void
handle_line(struct client *c, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req, *rep;
	const char *cmd;

	req = json_loadb(line, len, 0, &jerr);
	if (req == NULL || !json_is_object(req) ||
	    (cmd = json_string_value(json_object_get(req, "cmd"))) == NULL) {
		rep = reply_error("bad request: expected a JSON object with \"cmd\"");
	} else if (strcmp(cmd, "watch") == 0) {
		const char *st = json_string_value(json_object_get(req, "station"));

		free(c->watch);
		c->watch = strdup(st ? st : "");
		rep = json_pack("{s:b, s:s}", "ok", 1, "watching", st ? st : "");
	} else {
		c->ctl->current = c;
		rep = commands_run(c->ctl->d, req);
		c->ctl->current = NULL;
	}
	json_decref(req);
	if (c->deferred != 0) {
		json_decref(rep);	/* control_reply sends it */
		return;
	}
	if (rep == NULL)
		rep = reply_error("out of memory");
	client_send(c, rep);
	json_decref(rep);
}

/* Runs the complete requests buffered for c, one at a time, in order. */
static void
client_run_lines(struct client *c)
{
	char *nl;

	c->busy = 1;
	while (!c->dead && c->deferred == 0 && c->inlen > 0 &&
	    (nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		size_t linelen = (size_t)(nl - c->in);

		handle_line(c, c->in, linelen);
		memmove(c->in, nl + 1, c->inlen - linelen - 1);
		c->inlen -= linelen + 1;
	}
	c->busy = 0;
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

	if (ctl == NULL || id == 0)
		return;
	for (c = ctl->clients; c; c = c->next)
		if (c->deferred == id)
			break;
	if (c == NULL)
		return;		/* the client has gone */
	c->deferred = 0;
	if (rep == NULL)
		rep = reply_error("out of memory");
	c->busy = 1;		/* client_send must not free c */
	if (rep != NULL)
		client_send(c, rep);
	json_decref(rep);
	client_run_lines(c);
	if (c->dead)
		client_close(c);
}

static void
client_read(int fd, short revents, void *arg)
{
	struct client *c = arg;
	char buf[8192];
	ssize_t n;

	if (revents & POLLOUT) {
		client_flush(c);
		return;	/* c may be gone */
	}
	n = read(fd, buf, sizeof(buf));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	if (append(&c->in, &c->inlen, &c->incap, buf, (size_t)n) == -1 ||
	    c->inlen > CLIENT_MAX_LINE) {
		log_warnx("control: request too large; closing the client");
		client_close(c);
		return;
	}
	client_run_lines(c);
	if (c->dead)
		client_close(c);
}

static void
client_close(struct client *c)
{
	struct control *ctl = c->ctl;
	struct client **pp;

	for (pp = &ctl->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	loop_del_fd(ctl->d->loop, c->fd);
	close(c->fd);
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
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(cfd);
		return;
	}
	c->fd = cfd;
	c->ctl = ctl;
	if (loop_add_fd(ctl->d->loop, cfd, POLLIN, client_read, c) == -1) {
		close(cfd);
		free(c);
		return;
	}
	c->next = ctl->clients;
	ctl->clients = c;
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
	strcpy(sun.sun_path, path);
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL || (ctl->path = strdup(path)) == NULL) {
		free(ctl);
		return NULL;
	}
	ctl->d = d;
	if ((ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("control: socket");
		goto fail;
	}
	unlink(path);	/* a stale socket from an earlier run (kill -9) */
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
	if (ctl == NULL)
		return;
	while (ctl->clients)
		client_close(ctl->clients);
	loop_del_fd(ctl->d->loop, ctl->fd);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}
