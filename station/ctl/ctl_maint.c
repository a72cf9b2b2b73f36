/* stationctl's upkeep commands: backup, restore, check, archive, export. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "station/ctl/ctl.h"
#include "station/ctl/table.h"
#include "station/daemon/config.h"
#include "station/store/store.h"
#include "station/store/store_maint.h"

enum { M_BEFORE = 1, M_SINCE, M_UNTIL, M_FORMAT };

static const struct option maint_opts[] = { { "before", required_argument, NULL, M_BEFORE },
	{ "since", required_argument, NULL, M_SINCE },
	{ "until", required_argument, NULL, M_UNTIL },
	{ "format", required_argument, NULL, M_FORMAT }, { NULL, 0, NULL, 0 } };

static long long
time_opt(const char *opt, const char *v)
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

/* Does a daemon answer on the socket? (Quietly: a refusal here is good news.) */
static int
daemon_answers(struct ctl *c)
{
	struct sockaddr_un sun;
	int fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->conf->socket);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 1; /* cannot tell: say yes, refusing is the safe side */
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
	    (errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return r;
}

static void
no_args(int argc, char **argv, int want, const char *msg)
{
	if (getopt_long(argc, argv, "", maint_opts, NULL) != -1 || argc - optind != want)
		ctl_usage(msg);
}

int
cmd_backup(struct ctl *c, int argc, char **argv)
{
	char err[512];
	struct store *s;

	no_args(argc, argv, 1, "backup takes one FILE");
	if ((s = ctl_store(c)) == NULL)
		return 1;
	if (store_backup(s, argv[optind], err, sizeof(err)) == -1) {
		fprintf(stderr, "stationctl: backup: %s\n", err);
		return 1;
	}
	printf("%s: backup of %s written\n", argv[optind], c->conf->database);
	return 0;
}

int
cmd_restore(struct ctl *c, int argc, char **argv)
{
	char err[512];

	no_args(argc, argv, 1, "restore takes one FILE");
	if (daemon_answers(c)) {
		fprintf(stderr,
		    "stationctl: restore: stationd is running (%s answers);"
		    " stop it first (systemctl stop stationd)\n",
		    c->conf->socket);
		return 1;
	}
	if (store_restore(c->conf->database, argv[optind], err, sizeof(err)) == -1) {
		fprintf(stderr, "stationctl: restore: %s\n", err);
		return 1;
	}
	printf("%s restored from %s (the old one is %s.before-restore)\n", c->conf->database,
	    argv[optind], c->conf->database);
	return 0;
}

static void
print_problem(void *arg, const char *problem)
{
	(void)arg;
	printf("%s\n", problem);
}

int
cmd_check(struct ctl *c, int argc, char **argv)
{
	struct store *s;
	int n;

	no_args(argc, argv, 0, "check takes no arguments");
	if ((s = ctl_store(c)) == NULL)
		return 1;
	if ((n = store_check(s, print_problem, NULL)) == -1) {
		fprintf(stderr, "stationctl: check: %s\n", store_strerror(s));
		return 1;
	}
	if (n > 0) {
		fprintf(stderr, "stationctl: check: %d problem%s in %s\n", n, n == 1 ? "" : "s",
		    c->conf->database);
		return 1;
	}
	printf("%s: ok (integrity, sessions, print jobs, pending pushes)\n", c->conf->database);
	return 0;
}

int
cmd_archive(struct ctl *c, int argc, char **argv)
{
	long long before = -1;
	json_t *rep;
	int ch;

	while ((ch = getopt_long(argc, argv, "", maint_opts, NULL)) != -1) {
		if (ch != M_BEFORE)
			ctl_usage("archive takes --before D|T");
		before = time_opt("--before", optarg);
	}
	if (before < 0 || optind != argc)
		ctl_usage("archive needs --before D|T");
	rep = ctl_request(
	    c, json_pack("{s:s, s:I}", "cmd", "archive", "before", (json_int_t)before));
	if (ctl_check(rep)) {
		json_decref(rep);
		return 1;
	}
	printf("%lld order%s archived\n",
	    (long long)json_integer_value(json_object_get(rep, "archived")),
	    json_integer_value(json_object_get(rep, "archived")) == 1 ? "" : "s");
	json_decref(rep);
	return 0;
}

/* Local time as "YYYY-MM-DD HH:MM:SS" (the accountants' spreadsheet reads it). */
static void
fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static int
export_table(struct store_export_row *rows, size_t n, int fmt)
{
	static const char *const cols[] = { "shipment", "at", "order", "order_id", "station",
		"packer", "partial", "sku", "title", "line_id", "quantity" };
	char id[24], at[32], oid[24], lid[24], qty[24];
	struct table *t = table_new(cols, 11);
	size_t i;

	if (t == NULL)
		return 1;
	table_numeric(t, 0);
	table_numeric(t, 3);
	table_numeric(t, 9);
	table_numeric(t, 10);
	for (i = 0; i < n; i++) {
		const char *v[11] = { id, at, rows[i].order_name, oid, rows[i].station,
			rows[i].packer, rows[i].partial ? "yes" : "no", rows[i].sku, rows[i].title,
			lid, qty };

		snprintf(id, sizeof(id), "%lld", (long long)rows[i].fulfillment_id);
		fmt_time(rows[i].at, at, sizeof(at));
		snprintf(oid, sizeof(oid), "%lld", (long long)rows[i].shop_order_id);
		snprintf(lid, sizeof(lid), "%lld", (long long)rows[i].shop_line_id);
		snprintf(qty, sizeof(qty), "%lld", (long long)rows[i].quantity);
		if (table_add(t, v) == -1) {
			table_free(t);
			return 1;
		}
	}
	table_print(t, (enum table_format)fmt, stdout);
	table_free(t);
	return 0;
}

int
cmd_export(struct ctl *c, int argc, char **argv)
{
	struct store_export_row *rows = NULL;
	long long since = -1, until = 0;
	int ch, fmt = TABLE_CSV, rc;
	struct store *s;
	size_t n = 0;

	while ((ch = getopt_long(argc, argv, "", maint_opts, NULL)) != -1) {
		switch (ch) {
		case M_SINCE: since = time_opt("--since", optarg); break;
		case M_UNTIL: until = time_opt("--until", optarg); break;
		case M_FORMAT: fmt = ctl_format(optarg, 1); break;
		default: ctl_usage("export takes --since, --until and --format");
		}
	}
	if (since < 0 || optind != argc)
		ctl_usage("export needs --since D|T");
	if ((s = ctl_store(c)) == NULL)
		return 1;
	if (store_export_shipments(s, since, until, &rows, &n) == -1) {
		fprintf(stderr, "stationctl: export: %s\n", store_strerror(s));
		return 1;
	}
	rc = export_table(rows, n, fmt);
	store_export_rows_free(rows, n);
	return rc;
}
