/*
 * core_scan_latency: scan-to-verdict latency through stationd's control
 * socket. Keeps one connection and sends {"cmd":"scan",...} lines, one at a
 * time, timing each reply. Usage: core_scan_latency SOCKET FIRST COUNT SKU
 * opens orders #B<FIRST>... (one unit of SKU each: open + item = 2 scans)
 * until COUNT scans were timed; prints p50/p99/max in ms. Exits 1 if a
 * reply is missing or a verdict is not the one expected.
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

/* One scan; returns its latency in ms, or -1 if the verdict is not want. */
static double
scan(int fd, const char *code, const char *want)
{
	char req[512], line[8192], needle[64];
	double t0, t1;
	int n;

	/* BENCH_STATION names the bench when the daemon has several (bench/pg.sh) */
	const char *st = getenv("BENCH_STATION");

	if (st != NULL && *st)
		n = snprintf(req, sizeof(req),
		    "{\"cmd\":\"scan\",\"station\":\"%s\",\"code\":\"%s\"}\n", st, code);
	else
		n = snprintf(req, sizeof(req), "{\"cmd\":\"scan\",\"code\":\"%s\"}\n", code);
	t0 = bench_now_ms();
	if (bench_write_all(fd, req, (size_t)n) == -1 ||
	    bench_read_line(fd, line, sizeof(line)) == -1) {
		fprintf(stderr, "core_scan_latency: no reply to %s\n", code);
		return -1;
	}
	t1 = bench_now_ms();
	snprintf(needle, sizeof(needle), "\"verdict\":\"%s\"", want);
	if (strstr(line, needle) == NULL) {
		fprintf(stderr, "core_scan_latency: %s: want %s, got %s\n", code, want, line);
		return -1;
	}
	return t1 - t0;
}

static int
write_raw(const char *path, const double *lat, long n)
{
	FILE *f = fopen(path, "a");
	long i;

	if (f == NULL)
		return -1;
	for (i = 0; i < n; i++)
		fprintf(f, "%.3f\n", lat[i]);
	return fclose(f) == 0 ? 0 : -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un sun;
	double *lat;
	long first, count, i = 0, order;
	char code[64];
	int fd;

	if (argc == 1) {
		printf("core_scan_latency: figures come from bench/core_scan.sh\n");
		return 0;
	}
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: core_scan_latency SOCKET FIRST COUNT SKU [RAWFILE]\n");
		return 2;
	}
	first = atol(argv[2]);
	count = atol(argv[3]);
	if (count < 2 || (lat = calloc((size_t)count, sizeof(*lat))) == NULL)
		return 2;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror("core_scan_latency: connect");
		free(lat);
		return 1;
	}
	for (order = first; i + 1 < count; order++) {
		snprintf(code, sizeof(code), "#B%ld", order);
		if ((lat[i++] = scan(fd, code, "opened")) < 0 ||
		    (lat[i++] = scan(fd, argv[4], "completed")) < 0) {
			free(lat);
			close(fd);
			return 1;
		}
	}
	close(fd);
	if (argc == 6 && write_raw(argv[5], lat, i) == -1) {
		perror(argv[5]);
		free(lat);
		return 1;
	}
	qsort(lat, (size_t)i, sizeof(*lat), cmp_double);
	printf("scans %ld  p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", i, lat[i / 2],
	    lat[(size_t)((double)i * 0.99)], lat[i - 1]);
	free(lat);
	return 0;
}
