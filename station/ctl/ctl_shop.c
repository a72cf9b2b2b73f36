/* stationctl's shop sync commands: sync, pushes, push --retry, and status's shop line. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "station/ctl/ctl.h"
#include "station/ctl/table.h"

/* "shop: last pull 12:03:04, 40 pulled, 2 pushed, 1 pending, 0 failed; last error: ..." */
void
ctl_shop_status_line(json_t *rep)
{
	json_t *s = json_object_get(rep, "shop");
	long long last = json_integer_value(json_object_get(s, "last_pull_ms"));
	char when[32] = "never";
	const char *err = ctl_str(s, "last_error");
	time_t t;
	struct tm tm;

	if (!json_is_true(json_object_get(s, "enabled")))
		return;
	if (last > 0) {
		t = (time_t)(last / 1000);
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	}
	printf("shop      last pull %s, %lld fulfillment orders pulled, %lld pushed,"
	       " %lld pending, %lld failed%s%s\n",
	    when, (long long)json_integer_value(json_object_get(s, "pulled")),
	    (long long)json_integer_value(json_object_get(s, "pushed")),
	    (long long)json_integer_value(json_object_get(s, "pending")),
	    (long long)json_integer_value(json_object_get(s, "failed")),
	    err ? "; last error: " : "", err ? err : "");
	/* several boxes: which one pulls the shop */
	if (ctl_str(s, "puller") != NULL)
		printf("shop sync: pulled by %s%s\n", ctl_str(s, "puller"),
		    json_is_true(json_object_get(s, "pulls")) ? " (this box)" : "");
}

/* Pulls and pushes now; waits (at most a minute) for the daemon to say what it did. */
int
cmd_sync(struct ctl *c, int argc, char **argv)
{
	json_t *rep;
	json_int_t gen;
	int i, rc;

	(void)argv;
	if (argc != 1)
		ctl_usage("sync takes no arguments");
	rep = ctl_request(c, json_pack("{s:s}", "cmd", "sync"));
	if ((rc = ctl_check(rep)) != 0) {
		json_decref(rep);
		return rc;
	}
	gen = json_integer_value(json_object_get(rep, "sync"));
	json_decref(rep);
	for (i = 0; i < 6000; i++) {
		rep = ctl_request(c, json_pack("{s:s, s:I}", "cmd", "sync-status", "sync", gen));
		if ((rc = ctl_check(rep)) != 0) {
			json_decref(rep);
			return rc;
		}
		if (json_is_true(json_object_get(rep, "done"))) {
			printf("%s\n", ctl_str(rep, "report"));
			rc = strstr(json_string_value(json_object_get(rep, "report")), "stopped:")
			    ? 1
			    : 0;
			json_decref(rep);
			return rc;
		}
		json_decref(rep);
		usleep(10000);
	}
	fprintf(stderr, "stationctl: sync still running after a minute; see stationctl status\n");
	return 1;
}

static const struct option push_opts[] = { { "format", required_argument, NULL, 'f' },
	{ "failed", no_argument, NULL, 'F' }, { "retry", required_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 } };

int
cmd_pushes(struct ctl *c, int argc, char **argv)
{
	static const char *cols[] = { "shipment", "order", "state", "attempts", "shop_fulfillment",
		"error" };
	const char *format = NULL;
	int failed = 0, ch, rc;
	json_t *rep, *p;
	struct table *t;
	size_t i;

	while ((ch = getopt_long(argc, argv, "", push_opts, NULL)) != -1) {
		if (ch == 'f')
			format = optarg;
		else if (ch == 'F')
			failed = 1;
		else
			ctl_usage("pushes [--failed] [--format table|csv|json]");
	}
	if (optind != argc)
		ctl_usage("pushes takes no arguments");
	rep = ctl_request(c, json_pack("{s:s, s:b}", "cmd", "pushes", "failed", failed));
	if ((rc = ctl_check(rep)) != 0 || (t = table_new(cols, 6)) == NULL) {
		json_decref(rep);
		return rc ? rc : 1;
	}
	table_numeric(t, 0);
	table_numeric(t, 3);
	json_array_foreach(json_object_get(rep, "pushes"), i, p)
	{
		char id[32], att[32];
		const char *row[6];

		snprintf(id, sizeof(id), "%lld",
		    (long long)json_integer_value(json_object_get(p, "shipment")));
		snprintf(att, sizeof(att), "%lld",
		    (long long)json_integer_value(json_object_get(p, "attempts")));
		row[0] = id;
		row[1] = json_string_value(json_object_get(p, "order"));
		row[2] = json_string_value(json_object_get(p, "state"));
		row[3] = att;
		row[4] = json_string_value(json_object_get(p, "shop_fulfillment"));
		row[5] = json_string_value(json_object_get(p, "error"));
		table_add(t, row);
	}
	table_print(t, format ? (enum table_format)ctl_format(format, 1) : TABLE_TEXT, stdout);
	table_free(t);
	json_decref(rep);
	return 0;
}

int
cmd_push(struct ctl *c, int argc, char **argv)
{
	const char *retry = NULL;
	char *end;
	long long fid;
	json_t *rep;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", push_opts, NULL)) != -1) {
		if (ch == 'r')
			retry = optarg;
		else
			ctl_usage("push --retry SHIPMENT");
	}
	if (retry == NULL || optind != argc)
		ctl_usage("push --retry SHIPMENT");
	fid = strtoll(retry, &end, 10);
	if (*end || fid <= 0)
		ctl_usage("push --retry takes a shipment number (stationctl pushes)");
	rep = ctl_request(
	    c, json_pack("{s:s, s:I}", "cmd", "push-retry", "shipment", (json_int_t)fid));
	if ((rc = ctl_check(rep)) == 0)
		printf("%s\n", ctl_str(rep, "message"));
	json_decref(rep);
	return rc;
}
