/* stationctl log, stats and watch: the supervisor's and the packer's screens. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "station/ctl/ctl.h"
#include "station/store/store.h"
#include "station/daemon/replies.h"
#include "station/ctl/table.h"

enum {
	O_SINCE = 1,
	O_UNTIL,
	O_STATION,
	O_ORDER,
	O_PACKER,
	O_KIND,
	O_ERRORS,
	O_FORMAT,
	O_FOLLOW,
	O_BY
};

static const struct option log_opts[] = { { "since", required_argument, NULL, O_SINCE },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "station", required_argument, NULL, O_STATION },
	{ "order", required_argument, NULL, O_ORDER },
	{ "packer", required_argument, NULL, O_PACKER },
	{ "kind", required_argument, NULL, O_KIND }, { "errors", no_argument, NULL, O_ERRORS },
	{ "format", required_argument, NULL, O_FORMAT }, { "follow", no_argument, NULL, O_FOLLOW },
	{ "by", required_argument, NULL, O_BY }, { NULL, 0, NULL, 0 } };

long long
ctl_parse_time(const char *s)
{
	struct tm tm;
	char *end;
	long long n;
	const char *fmts[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
		"%Y-%m-%dT%H:%M", "%Y-%m-%d" };
	size_t i;

	n = strtoll(s, &end, 10);
	if (end != s && n >= 0 && end[0] && end[1] == '\0' && strchr("smhd", end[0])) {
		long long mult = end[0] == 's' ? 1000
		    : end[0] == 'm'	       ? 60000
		    : end[0] == 'h'	       ? 3600000
					       : 86400000;

		return store_now_ms() - n * mult;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, fmts[i], &tm);
		if (end && *end == '\0') {
			tm.tm_isdst = -1;
			return (long long)mktime(&tm) * 1000;
		}
	}
	return -1;
}

static long long
time_arg(const char *opt, const char *v)
{
	long long t = ctl_parse_time(v);

	if (t < 0) {
		fprintf(stderr,
		    "stationctl: %s: '%s' is neither a duration (15m, 2h, 3d) nor a"
		    " time (YYYY-MM-DD[ HH:MM[:SS]])\n",
		    opt, v);
		exit(2);
	}
	return t;
}

int
cmd_log(struct ctl *c, int argc, char **argv)
{
	struct log_filter f;
	struct store *s;
	struct table *t;
	int ch, follow = 0, fmt = TABLE_TEXT, first = 1;
	int64_t last = 0;

	memset(&f, 0, sizeof(f));
	while ((ch = getopt_long(argc, argv, "", log_opts, NULL)) != -1) {
		switch (ch) {
		case O_SINCE: f.since_ms = time_arg("--since", optarg); break;
		case O_UNTIL: f.until_ms = time_arg("--until", optarg); break;
		case O_STATION: f.station = optarg; break;
		case O_ORDER: f.order = optarg; break;
		case O_PACKER: f.packer = optarg; break;
		case O_KIND: f.kind = optarg; break;
		case O_ERRORS: f.errors_only = 1; break;
		case O_FORMAT: fmt = ctl_format(optarg, 1); break;
		case O_FOLLOW: follow = 1; break;
		default: ctl_usage("unknown option for log");
		}
	}
	if (optind != argc)
		ctl_usage("log takes no arguments");
	if ((s = ctl_store(c)) == NULL)
		return 1;
	for (;;) {
		f.after_id = last;
		if ((t = replies_log(s, &f, &last)) == NULL) {
			fprintf(stderr, "stationctl: database: %s\n", store_errmsg(s));
			return 1;
		}
		if (first || fmt != TABLE_TEXT)
			table_print(t, fmt, stdout);
		else {
			/* --follow: new rows only, without repeating the header */
			FILE *mem;
			char *buf = NULL, *nl;
			size_t len = 0;

			if ((mem = open_memstream(&buf, &len)) != NULL) {
				table_print(t, fmt, mem);
				fclose(mem);
				if ((nl = strchr(buf, '\n')) != NULL && nl[1])
					fputs(nl + 1, stdout);
				free(buf);
			}
		}
		table_free(t);
		fflush(stdout);
		first = 0;
		if (!follow)
			return 0;
		poll(NULL, 0, 250);
	}
}

int
cmd_stats(struct ctl *c, int argc, char **argv)
{
	const char *by = NULL;
	long long since = 0, until = 0;
	struct store *s;
	struct table *t;
	int ch, fmt = TABLE_TEXT;

	while ((ch = getopt_long(argc, argv, "", log_opts, NULL)) != -1) {
		switch (ch) {
		case O_SINCE: since = time_arg("--since", optarg); break;
		case O_UNTIL: until = time_arg("--until", optarg); break;
		case O_FORMAT: fmt = ctl_format(optarg, 1); break;
		case O_BY:
			if (strcmp(optarg, "packer") != 0 && strcmp(optarg, "station") != 0 &&
			    strcmp(optarg, "hour") != 0 && strcmp(optarg, "day") != 0)
				ctl_usage("--by takes packer, station, hour or day");
			by = optarg;
			break;
		default: ctl_usage("unknown option for stats");
		}
	}
	if (optind != argc)
		ctl_usage("stats takes no arguments");
	if ((s = ctl_store(c)) == NULL)
		return 1;
	if ((t = replies_stats(s, since, until, by)) == NULL) {
		fprintf(stderr, "stationctl: database: %s\n", store_errmsg(s));
		return 1;
	}
	table_print(t, fmt, stdout);
	table_free(t);
	return 0;
}

/* The packer's screen: order, lines, the last verdict in large colour. */
static void
draw(json_t *msg, const char *station)
{
	json_t *scan = json_object_get(msg, "scan"), *v;
	const char *verdict = json_string_value(json_object_get(scan, "verdict"));
	int refused = json_is_true(json_object_get(scan, "refused"));
	const char *open = ctl_str(msg, "open");
	size_t i;

	printf("\033[H\033[2J");
	printf("station %s   %s\n\n", station ? ctl_safe(station) : "",
	    open ? open : "(no order open)");
	json_array_foreach(json_object_get(msg, "lines"), i, v)
	{
		long long p = json_integer_value(json_object_get(v, "packed"));
		long long of = json_integer_value(json_object_get(v, "of"));

		printf("  %s %-18s %-36.36s %3lld / %-3lld\n", p >= of ? "\033[32m✔\033[0m" : " ",
		    ctl_str(v, "sku") ?: "-", ctl_str(v, "title") ?: "", p, of);
	}
	if (verdict) {
		printf("\n  \033[1;%sm  %s  \033[0m\n  %s\n", refused ? "41;97" : "42;30",
		    ctl_safe(verdict), ctl_str(scan, "message") ?: "");
		if (refused)
			putchar('\a');
	}
	printf("\nscan> ");
	fflush(stdout);
}

int
cmd_watch(struct ctl *c, int argc, char **argv)
{
	const char *station = NULL;
	char *buf = NULL, line[4200];
	size_t len = 0;
	json_t *msg;
	int ch, fd, rc = 0;

	while ((ch = getopt_long(argc, argv, "", log_opts, NULL)) != -1) {
		if (ch != O_STATION)
			ctl_usage("watch takes --station S");
		station = optarg;
	}
	if ((fd = ctl_connect(c)) == -1)
		return 1;
	if (ctl_send(fd, json_pack("{s:s, s:s?}", "cmd", "watch", "station", station)) == -1) {
		ctl_lost(0, errno);
		close(fd);
		return 1;
	}
	errno = 0;
	if ((msg = ctl_recv(fd, &buf, &len)) == NULL) {
		ctl_lost(1, errno);
		free(buf);
		close(fd);
		return 1;
	}
	json_decref(msg);
	printf("watching %s — scan or type a code and Enter\nscan> ",
	    station ? ctl_safe(station) : "all stations");
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
		/* messages that came with the last read wait in buf, not on fd */
		int buffered = buf != NULL && memchr(buf, '\n', len) != NULL;

		if (poll(p, 2, buffered ? 0 : -1) == -1 && errno != EINTR)
			break;
		if (p[0].revents || buffered) {
			errno = 0;
			if ((msg = ctl_recv(fd, &buf, &len)) == NULL) {
				/* the daemon went away (stopped, or dropped this screen) */
				printf("\n");
				ctl_lost(1, errno);
				rc = 1;
				break;
			}
			/* the screen is drawn from the daemon's events; a reply only matters if it failed */
			if (json_object_get(msg, "event") && json_object_get(msg, "scan"))
				draw(msg, station);
			else if (json_is_false(json_object_get(msg, "ok")))
				printf("\n\033[1;41;97m  ERROR  \033[0m %s\a\nscan> ",
				    ctl_str(msg, "error") ?: "");
			else if (json_integer_value(json_object_get(msg, "dropped")) > 0)
				printf("\n(%s)\nscan> ", ctl_str(msg, "message"));
			fflush(stdout);
			json_decref(msg);
		}
		if (p[1].revents) {
			if (fgets(line, sizeof(line), stdin) == NULL)
				break;
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] &&
			    ctl_send(fd,
				json_pack("{s:s, s:s?, s:s}", "cmd", "scan", "station", station,
				    "code", line)) == -1) {
				printf("\n");
				ctl_lost(0, errno);
				rc = 1;
				break;
			}
		}
	}
	free(buf);
	close(fd);
	return rc;
}
