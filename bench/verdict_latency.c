/*
 * verdict_latency: scan-to-verdict latency through stationd's control socket,
 * by verdict. For orders PREFIX<FIRST>.. (each one line of 2 x SKU) it sends
 * the order (opened), the SKU (ok, 1 of 2) and the SKU again (completed),
 * one request at a time on one connection, GAP_MS apart, and appends each
 * latency in ms to RAW.opened, RAW.ok and RAW.completed. With BENCH_JITTER=1
 * in the environment the client behaves like a packer of its own: it starts
 * at a random point of the first gap and each pause is uniform in
 * [GAP_MS / 2, 3 * GAP_MS / 2] (GAP_MS on average), so several clients are
 * not in step with each other.
 * Usage: verdict_latency SOCKET STATION PREFIX FIRST ORDERS SKU RAW [GAP_MS]
 * Exits 1 if a reply is missing or a verdict is not the one expected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_client.h"

enum { K_OPENED, K_OK, K_COMPLETED, K_COUNT };
static const char *kind_names[K_COUNT] = { "opened", "ok", "completed" };

/* One scan; its latency in ms, or -1 if the reply is missing or not want. */
static double
scan(int fd, const char *station, const char *code, const char *want)
{
	char req[512], line[8192], needle[64];
	double t0, t1;
	int n;

	n = snprintf(req, sizeof(req), "{\"cmd\":\"scan\",\"station\":\"%s\",\"code\":\"%s\"}\n",
	    station, code);
	if (n < 0 || (size_t)n >= sizeof(req))
		return -1;
	t0 = bench_now_ms();
	if (bench_write_all(fd, req, (size_t)n) == -1 ||
	    bench_read_line(fd, line, sizeof(line)) == -1) {
		fprintf(stderr, "verdict_latency: no reply to %s\n", code);
		return -1;
	}
	t1 = bench_now_ms();
	snprintf(needle, sizeof(needle), "\"verdict\":\"%s\"", want);
	if (strstr(line, needle) == NULL) {
		fprintf(stderr, "verdict_latency: %s at %s: want %s, got %s\n", code, station, want,
		    line);
		return -1;
	}
	return t1 - t0;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static long
next_pause(long gap, int jitter)
{
	if (!jitter || gap <= 0)
		return gap;
	return gap / 2 + (long)(drand48() * (double)gap);
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char *argv[])
{
	FILE *raw[K_COUNT] = { NULL };
	const char *want[3] = { "opened", "ok", "completed" };
	char code[64], path[4096];
	long first, orders, gap = 0, o;
	int fd, k, rc = 1, jitter;

	if (argc == 1) {
		printf("verdict_latency: figures come from bench/verdict.sh\n");
		return 0;
	}
	if (argc != 8 && argc != 9) {
		fprintf(stderr,
		    "usage: verdict_latency SOCKET STATION PREFIX FIRST ORDERS SKU RAW "
		    "[GAP_MS]\n");
		return 2;
	}
	first = atol(argv[4]);
	orders = atol(argv[5]);
	if (argc == 9)
		gap = atol(argv[8]);
	for (k = 0; k < K_COUNT; k++) {
		snprintf(path, sizeof(path), "%s.%s", argv[7], kind_names[k]);
		if ((raw[k] = fopen(path, "a")) == NULL) {
			perror(path);
			goto out;
		}
	}
	if ((fd = connect_to(argv[1])) == -1) {
		perror("verdict_latency: connect");
		goto out;
	}
	jitter = getenv("BENCH_JITTER") != NULL && strcmp(getenv("BENCH_JITTER"), "1") == 0;
	if (jitter && gap > 0) {
		srand48((long)getpid() ^ (long)(bench_now_ms() * 1000));
		pause_ms((long)(drand48() * (double)gap));
	}
	for (o = first; o < first + orders; o++) {
		snprintf(code, sizeof(code), "%s%ld", argv[3], o);
		for (k = 0; k < K_COUNT; k++) {
			double ms = scan(fd, argv[2], k == K_OPENED ? code : argv[6], want[k]);

			if (ms < 0) {
				close(fd);
				goto out;
			}
			fprintf(raw[k], "%.4f\n", ms);
			pause_ms(next_pause(gap, jitter));
		}
	}
	close(fd);
	rc = 0;
out:
	for (k = 0; k < K_COUNT; k++)
		if (raw[k] != NULL && fclose(raw[k]) != 0)
			rc = 1;
	return rc;
}
