/* stationctl commands that change things (through the daemon) or show orders. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "station/daemon/config.h"
#include "station/ctl/ctl.h"
#include "station/store/store.h"
#include "station/daemon/replies.h"
#include "station/ctl/table.h"

enum {
	OPT_FORMAT = 1,
	OPT_STATUS,
	OPT_REASON,
	OPT_STATION,
	OPT_LABEL,
	OPT_SLIP,
	OPT_LIMIT,
	OPT_KEY
};

static const struct option long_opts[] = { { "format", required_argument, NULL, OPT_FORMAT },
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "station", required_argument, NULL, OPT_STATION },
	{ "label", no_argument, NULL, OPT_LABEL }, { "slip", no_argument, NULL, OPT_SLIP },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "key", required_argument, NULL, OPT_KEY }, { NULL, 0, NULL, 0 } };

struct opts {
	const char *format, *status, *reason, *station, *key;
	int label, slip;
	long limit;
};

/* Parses the options every command shares; allowed is a string of OPT_ codes. */
static void
parse_opts(int argc, char **argv, const char *allowed, struct opts *o)
{
	int ch;
	char *end;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (ch == '?' || strchr(allowed, ch) == NULL)
			ctl_usage("unknown option");
		switch (ch) {
		case OPT_FORMAT: o->format = optarg; break;
		case OPT_STATUS: o->status = optarg; break;
		case OPT_REASON: o->reason = optarg; break;
		case OPT_STATION: o->station = optarg; break;
		case OPT_KEY: o->key = optarg; break;
		case OPT_LABEL: o->label = 1; break;
		case OPT_SLIP: o->slip = 1; break;
		case OPT_LIMIT:
			o->limit = strtol(optarg, &end, 10);
			if (*end || o->limit < 1)
				ctl_usage("--limit takes a positive number");
			break;
		}
	}
}

static void
print_status_text(json_t *rep)
{
	json_t *st = json_object_get(rep, "stations"), *v, *alerts;
	const char *k;
	size_t i;

	printf("stationd running (pid %lld)\ndatabase  %s\nspool     %s\n",
	    (long long)json_integer_value(json_object_get(rep, "pid")), ctl_str(rep, "database"),
	    ctl_str(rep, "spool"));
	printf("orders   ");
	json_object_foreach(json_object_get(rep, "orders"), k, v)
	    printf(" %s %lld", k, (long long)json_integer_value(v));
	printf("%s\n", json_object_size(json_object_get(rep, "orders")) ? "" : " none yet");
	ctl_shop_status_line(rep);
	/* Several boxes: every bench of the warehouse, with its box. */
	json_array_foreach(json_object_get(rep, "benches"), i, v)
	    printf("bench %s: box %s %s, %s%s\n", ctl_str(v, "name"), ctl_str(v, "box"),
		json_is_true(json_object_get(v, "online")) ? "online" : "OFFLINE",
		ctl_str(v, "order") ? "packing " : "idle",
		ctl_str(v, "order") ? ctl_str(v, "order") : "");
	json_array_foreach(st, i, v)
	{
		const char *order = ctl_str(v, "order");
		const char *packer = ctl_str(v, "packer");
		const char *scanner = ctl_str(v, "scanner");
		json_t *ss = json_object_get(v, "scanner_state");

		if (!json_is_object(ss))
			ss = NULL;

		printf("station %s: %s%s%s%s", ctl_str(v, "name"), order ? "packing " : "idle",
		    order ? order : "", packer ? ", packer " : "", packer ? packer : "");
		if (scanner)
			printf(", scanner %s %s", scanner,
			    ss == NULL						 ? "waiting"
				: json_is_true(json_object_get(ss, "connected")) ? "connected"
										 : "DISCONNECTED");
		if (ctl_str(v, "weight"))
			printf(", scale %s", ctl_str(v, "weight"));
		if (ctl_str(v, "waiting_for"))
			printf(", waiting for the %s%s%s", ctl_str(v, "waiting_for"),
			    ctl_str(v, "label") ? " " : "",
			    ctl_str(v, "label") ? ctl_str(v, "label") : "");
		printf("\n");
		if (ss && !json_is_true(json_object_get(ss, "connected")))
			printf(
			    "ALERT %s scanner: %s\n", ctl_str(v, "name"), ctl_str(ss, "message"));
	}
	alerts = json_object_get(rep, "alerts");
	json_array_foreach(alerts, i, v)
	    printf("ALERT %s %s: %s\n", ctl_str(v, "station") ? ctl_str(v, "station") : "-",
		ctl_str(v, "printer") ? ctl_str(v, "printer") : "", ctl_str(v, "alert"));
}

int
cmd_status(struct ctl *c, int argc, char **argv)
{
	struct opts o;
	json_t *rep;
	int rc;

	parse_opts(argc, argv, (char[]){ OPT_FORMAT, 0 }, &o);
	if (optind != argc)
		ctl_usage("status takes no arguments");
	rep = ctl_request(c, json_pack("{s:s}", "cmd", "status"));
	if ((rc = ctl_check(rep)) == 0) {
		if (o.format && ctl_format(o.format, 0) == TABLE_JSON) {
			json_dumpf(rep, stdout, JSON_INDENT(2));
			putchar('\n');
		} else
			print_status_text(rep);
	}
	json_decref(rep);
	return rc;
}

int
cmd_import(struct ctl *c, int argc, char **argv)
{
	char abs[PATH_MAX];
	struct stat sb;
	struct opts o;
	int rc = 0, i, fd;

	parse_opts(argc, argv, "", &o);
	if (optind >= argc)
		ctl_usage("import needs at least one FILE");
	for (i = optind; i < argc; i++) {
		json_t *rep;

		if (realpath(argv[i], abs) == NULL) {
			fprintf(stderr, "stationctl: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		/*
		 * The daemon reads the file this process opened, never the path
		 * with its own rights: who imports must be able to read the file.
		 * O_NONBLOCK: opening a FIFO must not hang.
		 */
		if ((fd = open(abs, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
		    fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			fprintf(stderr, "stationctl: %s: %s\n", argv[i],
			    fd == -1 ? strerror(errno) : "not a regular file");
			if (fd != -1)
				close(fd);
			rc = 1;
			continue;
		}
		rep = ctl_request_fd(c, json_pack("{s:s, s:s}", "cmd", "import", "name", abs), fd);
		close(fd);
		if (rep == NULL)
			return 1;
		if (ctl_check(rep) == 0)
			printf("%s: %s: %lld imported, %lld updated, %lld unchanged, %lld codes\n",
			    argv[i], ctl_str(rep, "kind"),
			    (long long)json_integer_value(json_object_get(rep, "imported")),
			    (long long)json_integer_value(json_object_get(rep, "updated")),
			    (long long)json_integer_value(json_object_get(rep, "unchanged")),
			    (long long)json_integer_value(json_object_get(rep, "codes")));
		else
			rc = 1;
		json_decref(rep);
	}
	return rc;
}

int
cmd_orders(struct ctl *c, int argc, char **argv)
{
	struct opts o;
	struct table *t;
	struct store *s;

	parse_opts(argc, argv, (char[]){ OPT_FORMAT, OPT_STATUS, 0 }, &o);
	if (optind != argc)
		ctl_usage("orders takes no arguments");
	if (o.status && order_status_parse(o.status) == -1) {
		fprintf(stderr,
		    "stationctl: unknown status '%s' (ready, on_hold, in_progress,"
		    " partial, fulfilled, cancelled, archived, digital)\n",
		    o.status);
		return 2;
	}
	if ((s = ctl_store(c)) == NULL)
		return 1;
	if ((t = replies_orders(s, o.status)) == NULL) {
		fprintf(stderr, "stationctl: database: %s\n", store_errmsg(s));
		return 1;
	}
	table_print(t, o.format ? ctl_format(o.format, 1) : TABLE_TEXT, stdout);
	table_free(t);
	return 0;
}

static void
print_order_text(json_t *o)
{
	json_t *a = json_object_get(o, "shipping_address"), *v;
	size_t i;

	printf("%s  %s", ctl_str(o, "name"), ctl_str(o, "status"));
	if (ctl_str(o, "hold_reason"))
		printf(" (%s)", ctl_str(o, "hold_reason"));
	if (ctl_str(o, "station"))
		printf(" at %s", ctl_str(o, "station"));
	printf("\n");
	if (json_is_object(a))
		printf("ship to  %s, %s, %s %s, %s\n", ctl_str(a, "name") ?: "",
		    ctl_str(a, "address1") ?: "", ctl_str(a, "zip") ?: "", ctl_str(a, "city") ?: "",
		    ctl_str(a, "country") ?: "");
	printf("delivery %s\n", json_is_true(json_object_get(o, "pickup")) ? "local pickup" :
	    ctl_str(o, "shipping_title") ?: "-");
	printf("%-16s %-40s %8s %6s %7s\n", "SKU", "TITLE", "QUANTITY", "PACKED", "SHIPPED");
	json_array_foreach(json_object_get(o, "lines"), i, v)
	{
		if (!json_is_true(json_object_get(v, "requires_shipping")) ||
		    json_is_true(json_object_get(v, "removed")))
			continue;
		printf("%-16s %-40.40s %8lld %6lld %7lld\n", ctl_str(v, "sku") ?: "-",
		    ctl_str(v, "title") ?: "",
		    (long long)json_integer_value(json_object_get(v, "quantity")),
		    (long long)json_integer_value(json_object_get(v, "packed")),
		    (long long)json_integer_value(json_object_get(v, "shipped")));
	}
	json_array_foreach(json_object_get(o, "packages"), i, v) printf("package %lld  %s  %s\n",
	    (long long)json_integer_value(json_object_get(v, "box")),
	    ctl_str(v, "sscc") ?: "(open)", ctl_str(v, "state"));
}

int
cmd_show(struct ctl *c, int argc, char **argv)
{
	struct opts o;
	struct store *s;
	json_t *order;
	int err;

	parse_opts(argc, argv, (char[]){ OPT_FORMAT, 0 }, &o);
	if (optind + 1 != argc)
		ctl_usage("show takes one ORDER");
	if ((s = ctl_store(c)) == NULL)
		return 1;
	if ((order = replies_order(s, argv[optind], &err)) == NULL) {
		if (err)
			fprintf(stderr, "stationctl: database: %s\n", store_errmsg(s));
		else
			fprintf(stderr, "stationctl: no order %s\n", argv[optind]);
		return 1;
	}
	if (o.format && ctl_format(o.format, 0) == TABLE_JSON) {
		json_dumpf(order, stdout, JSON_INDENT(2));
		putchar('\n');
	} else
		print_order_text(order);
	json_decref(order);
	return 0;
}

int
cmd_hold(struct ctl *c, int argc, char **argv)
{
	struct opts o;
	json_t *rep;
	int rc;

	parse_opts(argc, argv, (char[]){ OPT_REASON, 0 }, &o);
	if (optind + 1 != argc)
		ctl_usage("hold takes one ORDER");
	if (o.reason == NULL || *o.reason == '\0')
		ctl_usage("hold needs --reason TEXT");
	rep = ctl_request(c,
	    json_pack("{s:s, s:s, s:s}", "cmd", "hold", "order", argv[optind], "reason", o.reason));
	if ((rc = ctl_check(rep)) == 0)
		printf("%s on hold: %s\n", argv[optind], o.reason);
	json_decref(rep);
	return rc;
}

int
cmd_release(struct ctl *c, int argc, char **argv)
{
	struct opts o;
	json_t *rep;
	int rc;

	parse_opts(argc, argv, "", &o);
	if (optind + 1 != argc)
		ctl_usage("release takes one ORDER");
	rep = ctl_request(c, json_pack("{s:s, s:s}", "cmd", "release", "order", argv[optind]));
	if ((rc = ctl_check(rep)) == 0)
		printf("%s released\n", argv[optind]);
	json_decref(rep);
	return rc;
}

int
cmd_abandon(struct ctl *c, int argc, char **argv)
{
	struct opts o;
	json_t *rep;
	int rc;

	parse_opts(argc, argv, "", &o);
	if (optind + 1 != argc)
		ctl_usage("abandon takes one ORDER");
	rep = ctl_request(c, json_pack("{s:s, s:s}", "cmd", "abandon", "order", argv[optind]));
	if ((rc = ctl_check(rep)) == 0)
		printf("%s abandoned at %s: nothing shipped, ready again\n", argv[optind],
		    ctl_str(rep, "station"));
	json_decref(rep);
	return rc;
}

/* Copies this (SQLite) station into an empty PostgreSQL database: stop stationd first. */
int
cmd_migrate(struct ctl *c, int argc, char **argv)
{
	char report[1024], err[1024];

	if (argc != 3 || strcmp(argv[1], "--to") != 0)
		ctl_usage("migrate --to postgresql://...");
	if (store_migrate(c->conf->database, argv[2], report, sizeof(report), err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "stationctl: migrate: %s\n", err);
		return 1;
	}
	printf("migrated %s to %s: %s\n", c->conf->database, argv[2], report);
	return 0;
}

int
cmd_scan(struct ctl *c, int argc, char **argv)
{
	struct opts o;
	json_t *rep, *out;
	int rc, json;

	parse_opts(argc, argv, (char[]){ OPT_STATION, OPT_FORMAT, OPT_KEY, 0 }, &o);
	if (optind + 1 != argc)
		ctl_usage("scan takes one CODE");
	json = o.format && ctl_format(o.format, 0) == TABLE_JSON;
	rep = ctl_request(c,
	    json_pack("{s:s, s:s?, s:s, s:s?}", "cmd", "scan", "station", o.station, "code",
		argv[optind], "key", o.key));
	if (ctl_check(rep) != 0) {
		json_decref(rep);
		return 1;
	}
	rc = json_is_true(json_object_get(rep, "refused")) ? 1 : 0;
	if (json) {
		out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "verdict",
		    json_object_get(rep, "verdict"), "station", json_object_get(rep, "station"),
		    "order", json_object_get(rep, "order") ?: json_null(), "sku",
		    json_object_get(rep, "sku") ?: json_null(), "packed",
		    json_object_get(rep, "packed"), "of", json_object_get(rep, "of"), "message",
		    json_object_get(rep, "message"));
		json_dumpf(out, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(out);
	} else
		printf("%s: %s\n", ctl_str(rep, "verdict"), ctl_str(rep, "message"));
	json_decref(rep);
	return rc;
}

/* A print command answered by the daemon: prints its "message". */
static int
print_request(struct ctl *c, json_t *req)
{
	json_t *rep = ctl_request(c, req);
	int rc = ctl_check(rep);

	if (rc == 0)
		printf("%s\n", ctl_str(rep, "message") ?: "ok");
	json_decref(rep);
	return rc;
}

int
cmd_reprint(struct ctl *c, int argc, char **argv)
{
	struct opts o;

	parse_opts(argc, argv, (char[]){ OPT_LABEL, OPT_SLIP, OPT_STATION, 0 }, &o);
	if (optind + 1 != argc)
		ctl_usage("reprint takes one ORDER or SSCC");
	if (o.label && o.slip)
		ctl_usage("reprint: --label or --slip, not both");
	return print_request(c,
	    json_pack("{s:s, s:s, s:s, s:s?}", "cmd", "reprint", "what", argv[optind], "kind",
		o.slip	      ? "slip"
		    : o.label ? "label"
			      : "auto",
		"station", o.station));
}

int
cmd_print_slips(struct ctl *c, int argc, char **argv)
{
	struct opts o;

	parse_opts(argc, argv, (char[]){ OPT_LIMIT, OPT_STATION, 0 }, &o);
	if (optind != argc)
		ctl_usage("print-slips takes no arguments");
	return print_request(c,
	    json_pack("{s:s, s:I, s:s?}", "cmd", "print-slips", "limit",
		(json_int_t)(o.limit ? o.limit : 0), "station", o.station));
}

int
cmd_sheet(struct ctl *c, int argc, char **argv)
{
	struct opts o;

	parse_opts(argc, argv, (char[]){ OPT_STATION, 0 }, &o);
	if (optind != argc)
		ctl_usage("sheet takes no arguments");
	return print_request(c, json_pack("{s:s, s:s?}", "cmd", "sheet", "station", o.station));
}
