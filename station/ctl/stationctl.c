/* stationctl: the supervisor's and script's view of a station. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "station/daemon/config.h"
#include "station/ctl/ctl.h"
#include "station/store/store.h"
#include "station/store/store_query.h"
#include "station/ctl/table.h"

static const char *usage_text =
    "usage: stationctl [-c FILE] COMMAND [ARGS]\n"
    "  status [--format table|json]\n"
    "  import FILE...\n"
    "  orders [--status S] [--format table|csv|json]\n"
    "  show ORDER [--format table|json]\n"
    "  hold ORDER --reason TEXT\n"
    "  release ORDER\n"
    "  abandon ORDER\n"
    "  migrate --to postgresql://...\n"
    "  scan [--station S] [--key K] [--format text|json] CODE\n"
    "  log [--since D|T] [--until D|T] [--station S] [--order O] [--packer P]\n"
    "      [--kind K] [--errors] [--format table|csv|json] [--follow]\n"
    "  stats [--since D|T] [--until D|T] [--by packer|station|hour|day] [--format ...]\n"
    "  watch [--station S]\n"
    "  reprint ORDER|SSCC [--label|--slip]\n"
    "  print-slips [--limit N] [--station S]\n"
    "  sheet [--station S]\n"
    "  backup FILE | restore FILE | check\n"
    "  archive --before D|T\n"
    "  export --since D|T [--until D|T] [--format csv|json|table]\n"
    "  web-user NAME --role viewer|supervisor   (password on stdin)\n"
    "  sync\n"
    "  pushes [--failed] [--format table|csv|json]\n"
    "  push --retry SHIPMENT\n";

void
ctl_usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "stationctl: %s\n", msg);
	fputs(usage_text, stderr);
	exit(2);
}

int
ctl_connect(struct ctl *c)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->conf->socket);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr,
		    "stationctl: the station daemon is not reachable at %s: %s"
		    " (is stationd running?)\n",
		    c->conf->socket, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sends req as one line, with passfd (if not -1) attached to its first byte
 * (SCM_RIGHTS). MSG_NOSIGNAL: a daemon gone mid-request is an error to
 * report (EPIPE), not a silent death by SIGPIPE. 0 / -1 with errno.
 */
int
ctl_send_fd(int fd, json_t *req, int passfd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	char *s = json_dumps(req, JSON_COMPACT), *line;
	size_t len, off = 0;
	ssize_t n;
	int e;

	if (s == NULL) {
		errno = ENOMEM;
		return -1;
	}
	len = strlen(s);
	if ((line = realloc(s, len + 2)) == NULL) {
		free(s);
		errno = ENOMEM;
		return -1;
	}
	line[len++] = '\n';
	line[len] = '\0';
	while (off < len) {
		struct iovec iov = { line + off, len - off };
		struct msghdr mh;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (off == 0 && passfd != -1) {
			memset(&cmsg, 0, sizeof(cmsg));
			mh.msg_control = cmsg.buf;
			mh.msg_controllen = sizeof(cmsg.buf);
			CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
			CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
			CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &passfd, sizeof(int));
		}
		if ((n = sendmsg(fd, &mh, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			e = errno;
			free(line);
			errno = e;
			return -1;
		}
		off += (size_t)n;
	}
	free(line);
	return 0;
}

int
ctl_send(int fd, json_t *req)
{
	return ctl_send_fd(fd, req, -1);
}

/* What went wrong talking to the daemon, in one line on stderr. */
void
ctl_lost(int sent, int err)
{
	if (!sent)
		fprintf(stderr,
		    "stationctl: the station daemon closed the connection while"
		    " the request was being sent (%s): did it stop or refuse the request?"
		    " See its log\n",
		    strerror(err));
	else if (err)
		fprintf(
		    stderr, "stationctl: no reply from the station daemon: %s\n", strerror(err));
	else
		fprintf(stderr,
		    "stationctl: the station daemon closed the connection before"
		    " replying: did it stop? See its log\n");
}

/* Reads one newline-terminated JSON reply. NULL on EOF or error. */
json_t *
ctl_recv(int fd, char **buf, size_t *len)
{
	char tmp[8192], *nl;
	json_error_t e;
	json_t *j;
	ssize_t n;

	for (;;) {
		if (*buf && (nl = memchr(*buf, '\n', *len)) != NULL) {
			size_t l = (size_t)(nl - *buf);

			j = json_loadb(*buf, l, 0, &e);
			memmove(*buf, nl + 1, *len - l - 1);
			*len -= l + 1;
			if (j == NULL)
				errno = EBADMSG;
			return j;
		}
		if ((n = read(fd, tmp, sizeof(tmp))) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == 0)
				errno = 0;
			return NULL;
		}
		{
			char *nb = realloc(*buf, *len + (size_t)n + 1);

			if (nb == NULL)
				return NULL;
			*buf = nb;
		}
		memcpy(*buf + *len, tmp, (size_t)n);
		*len += (size_t)n;
	}
}

json_t *
ctl_request_fd(struct ctl *c, json_t *req, int passfd)
{
	char *buf = NULL;
	size_t len = 0;
	json_t *rep = NULL;
	int fd = ctl_connect(c);

	if (fd == -1) {
		json_decref(req);
		return NULL;
	}
	if (ctl_send_fd(fd, req, passfd) == -1) {
		int e = errno;

		/* a refusal it sent before closing (too many clients) is still readable */
		if ((rep = ctl_recv(fd, &buf, &len)) == NULL)
			ctl_lost(0, e);
	} else {
		errno = 0;
		if ((rep = ctl_recv(fd, &buf, &len)) == NULL)
			ctl_lost(1, errno);
	}
	free(buf);
	close(fd);
	json_decref(req);
	return rep;
}

json_t *
ctl_request(struct ctl *c, json_t *req)
{
	return ctl_request_fd(c, req, -1);
}

const char *
ctl_safe(const char *s)
{
	static char *ring[32];
	static size_t next;
	const char *r;

	if (s == NULL)
		return NULL;
	free(ring[next]);
	ring[next] = table_escape(s, 0);
	r = ring[next] ? ring[next] : "(out of memory)";
	next = (next + 1) % (sizeof(ring) / sizeof(ring[0]));
	return r;
}

const char *
ctl_str(json_t *obj, const char *key)
{
	return ctl_safe(json_string_value(json_object_get(obj, key)));
}

/* Prints a refusal's one line and returns 1, or 0 for ok. */
int
ctl_check(json_t *rep)
{
	if (rep == NULL)
		return 1;
	if (!json_is_true(json_object_get(rep, "ok"))) {
		fprintf(stderr, "stationctl: %s\n", ctl_str(rep, "error"));
		return 1;
	}
	return 0;
}

struct store *
ctl_store(struct ctl *c)
{
	char err[512];

	if (c->store == NULL &&
	    (c->store = store_open(c->conf->database, 1, err, sizeof(err))) == NULL)
		fprintf(stderr, "stationctl: database: %s\n", err);
	return c->store;
}

int
ctl_format(const char *s, int allow_csv)
{
	int f = table_format_parse(s);

	if (f == -1 || (!allow_csv && f == TABLE_CSV))
		ctl_usage("unknown --format");
	return f;
}

static const struct {
	const char *name;
	int (*fn)(struct ctl *, int, char **);
} commands[] = {
	{ "status", cmd_status },
	{ "import", cmd_import },
	{ "orders", cmd_orders },
	{ "show", cmd_show },
	{ "hold", cmd_hold },
	{ "release", cmd_release },
	{ "abandon", cmd_abandon },
	{ "migrate", cmd_migrate },
	{ "scan", cmd_scan },
	{ "log", cmd_log },
	{ "stats", cmd_stats },
	{ "watch", cmd_watch },
	{ "reprint", cmd_reprint },
	{ "print-slips", cmd_print_slips },
	{ "sheet", cmd_sheet },
	{ "backup", cmd_backup },
	{ "restore", cmd_restore },
	{ "check", cmd_check },
	{ "archive", cmd_archive },
	{ "export", cmd_export },
	{ "web-user", cmd_web_user },
	{ "sync", cmd_sync },
	{ "pushes", cmd_pushes },
	{ "push", cmd_push },
};

int
main(int argc, char *argv[])
{
	struct ctl c;
	const char *path = getenv("STATION_CONFIG");
	size_t i;
	int ch, rc;

	setlocale(LC_ALL, "");
	if (MB_CUR_MAX == 1)
		setlocale(LC_CTYPE, "C.UTF-8");
	memset(&c, 0, sizeof(c));
	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		default: ctl_usage(NULL);
		}
	}
	if (optind >= argc)
		ctl_usage("no command");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "stationctl: unknown command '%s'\n", argv[optind]);
		ctl_usage(NULL);
	}
	if ((c.conf = config_load(path ? path : CONFIG_DEFAULT_PATH, 0, stderr)) == NULL)
		return 1;
	argc -= optind;
	argv += optind;
	optind = 0; /* 0: GNU getopt starts afresh (and permutes again) */
	rc = commands[i].fn(&c, argc, argv);
	store_close(c.store);
	config_free(c.conf);
	return rc;
}
