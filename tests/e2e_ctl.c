/* stationctl from the C end-to-end tests: see tests/e2e_ctl.h. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/e2e_ctl.h"

static const char *e2e_root = ".", *e2e_conf = "station.ini";

void
e2e_ctl_init(const char *root, const char *conf)
{
	e2e_root = root;
	e2e_conf = conf;
}

int64_t
e2e_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs stationctl ARGS; its stdout (and stderr) into out. Exit status. */
int
e2e_ctl(char *out, size_t outlen, const char *args)
{
	char cmd[1024];
	FILE *p;
	size_t n = 0, r;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/build/stationctl -c %s %s 2>&1", e2e_root, e2e_conf, args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (n + 1 < outlen && (r = fread(out + n, 1, outlen - n - 1, p)) > 0)
		n += r;
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The order's status from `stationctl show ORDER --format json`. */
static void
order_status(const char *order, char *st, size_t stlen)
{
	static char out[65536];
	char args[128];
	json_t *j;

	snprintf(args, sizeof(args), "show '%s' --format json", order);
	st[0] = '\0';
	if (e2e_ctl(out, sizeof(out), args) != 0)
		return;
	if ((j = json_loads(out, 0, NULL)) == NULL)
		return;
	if (json_string_value(json_object_get(j, "status")) != NULL)
		snprintf(st, stlen, "%s", json_string_value(json_object_get(j, "status")));
	json_decref(j);
}

int
e2e_wait_status(const char *order, const char *want)
{
	char st[64];
	int64_t t0 = e2e_now_ms();

	do {
		order_status(order, st, sizeof(st));
		if (strcmp(st, want) == 0)
			return 1;
		usleep(10000);
	} while (e2e_now_ms() - t0 < E2E_WAIT_MS);
	printf("  %s is \"%s\", want \"%s\"\n", order, st, want);
	return 0;
}

/* How many times text occurs in the station's log (JSON). */
int
e2e_log_count(const char *station, const char *text)
{
	static char out[262144];
	char args[128];
	const char *p;
	int n = 0;

	snprintf(args, sizeof(args), "log --station %s --format json", station);
	if (e2e_ctl(out, sizeof(out), args) != 0)
		return -1;
	for (p = out; (p = strstr(p, text)) != NULL; p += strlen(text))
		n++;
	return n;
}

int
e2e_wait_log(const char *station, const char *text, int count)
{
	int64_t t0 = e2e_now_ms();

	do {
		if (e2e_log_count(station, text) >= count)
			return 1;
		usleep(10000);
	} while (e2e_now_ms() - t0 < E2E_WAIT_MS);
	printf("  log of %s: \"%s\" seen %d times, want %d\n", station, text,
	    e2e_log_count(station, text), count);
	return 0;
}
