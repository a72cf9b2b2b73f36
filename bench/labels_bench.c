/*
 * bench/labels_bench.c: labels/ figures for `make bench`, one line each,
 * median of several runs: a 4x6 Latin label, a CJK label, 1,000 labels in
 * one document (time and peak memory of a child doing only that), and a
 * 3-page packing slip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "labels/labels.h"

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* GS1 mod-10 check digit over the first 17 digits. */
static void
make_sscc(char out[19], unsigned long serial)
{
	int i, sum = 0;

	snprintf(out, 19, "10614141%09lu", serial % 1000000000ul);
	for (i = 0; i < 17; i++)
		sum += (out[i] - '0') * (i % 2 ? 1 : 3);
	out[17] = (char)('0' + (10 - sum % 10) % 10);
	out[18] = '\0';
}

static struct label_doc
doc(const char *name, const char *order, const char *sscc)
{
	struct label_doc d = {
		.shop_name = "Example Goods",
		.from = { .address1 = "1 Dock Road",
		    .city = "Springfield",
		    .province = "MA",
		    .zip = "01101",
		    .country = "United States" },
		.to = { .name = name,
		    .address1 = "Hauptstraße 12",
		    .city = "München",
		    .zip = "80331",
		    .country = "Germany" },
		.service = "DHL Paket",
		.order_name = order,
		.package_no = 1,
		.package_count = 1,
		.weight_grams = 1250,
		.sscc = sscc,
		.tracking = "JJD014600003826400001",
	};
	return d;
}

static int
bench_one(const char *what, const char *name, int runs, double target_ms, size_t target_bytes)
{
	char sscc[19];
	struct label_doc d;
	struct labels_out o;
	double t[64], first;
	size_t len = 0;
	char err[256];
	int i;

	make_sscc(sscc, 1);
	d = doc(name, "#1001", sscc);
	for (i = 0; i < runs; i++) {
		double t0 = now_ms();
		if (label_render(&d, 1, NULL, &o, err, sizeof(err)) == -1) {
			fprintf(stderr, "labels_bench: %s\n", err);
			return -1;
		}
		t[i] = now_ms() - t0;
		len = o.len;
		labels_out_free(&o);
	}
	first = t[0]; /* median() sorts t */
	printf("labels: %s: first %.2f ms, then median %.2f ms over %d runs (target <= %.0f ms), "
	       "%.1f KB",
	    what, first, median(t, runs), runs, target_ms, len / 1024.0);
	if (target_bytes)
		printf(" (target <= %zu KB)", target_bytes / 1024);
	printf("\n");
	return 0;
}

/* In a child so its peak RSS is this document's alone. */
static int
bench_thousand(void)
{
	double t[3];
	struct rusage ru;
	long maxrss = 0;
	size_t len = 0;
	int i, st;

	for (i = 0; i < 3; i++) {
		int fds[2];
		pid_t pid;
		if (pipe(fds) == -1 || (pid = fork()) == -1)
			return -1;
		if (pid == 0) {
			static struct label_doc d[1000];
			static char orders[1000][16], ssccs[1000][19];
			struct labels_out o;
			char err[256];
			double t0, dt;
			int k;
			for (k = 0; k < 1000; k++) {
				snprintf(orders[k], sizeof(orders[k]), "#%d", 2000 + k);
				make_sscc(ssccs[k], (unsigned long)k);
				d[k] = doc("Anna Müller", orders[k], ssccs[k]);
			}
			t0 = now_ms();
			if (label_render(d, 1000, NULL, &o, err, sizeof(err)) == -1) {
				fprintf(stderr, "labels_bench: %s\n", err);
				_exit(1);
			}
			dt = now_ms() - t0;
			if (write(fds[1], &dt, sizeof(dt)) != sizeof(dt) ||
			    write(fds[1], &o.len, sizeof(o.len)) != sizeof(o.len))
				_exit(1);
			labels_out_free(&o);
			_exit(0);
		}
		close(fds[1]);
		if (read(fds[0], &t[i], sizeof(t[i])) != sizeof(t[i]) ||
		    read(fds[0], &len, sizeof(len)) != sizeof(len)) {
			close(fds[0]);
			return -1;
		}
		close(fds[0]);
		if (wait4(pid, &st, 0, &ru) == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return -1;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	printf("labels: 1000 labels in one document: median %.0f ms over 3 runs "
	       "(target <= 1000 ms), %.0f labels/s, max RSS %.1f MB (target <= 64 MB), "
	       "%.1f MB PDF\n",
	    median(t, 3), 1000 / (median(t, 3) / 1e3), maxrss / 1024.0, len / 1048576.0);
	return 0;
}

static int
bench_slip(void)
{
	struct slip_line l[45];
	char sku[45][16];
	struct slip_doc s = { .shop_name = "Example Goods",
		.order_name = "#1001",
		.order_date = "2024-05-02",
		.ship_to = { .name = "Anna Müller", .city = "München" },
		.lines = l,
		.nlines = 45,
		.note = "Leave at the door" };
	struct labels_out o;
	double t[21];
	char err[256];
	int i, pages = 0;

	for (i = 0; i < 45; i++) {
		snprintf(sku[i], sizeof(sku[i]), "EG-%04d", i);
		l[i] = (struct slip_line){ sku[i], "Organic cotton T-shirt",
			i % 2 ? "Navy / M" : NULL, 1, 2 };
	}
	for (i = 0; i < 21; i++) {
		double t0 = now_ms();
		if (slip_render(&s, NULL, &o, err, sizeof(err)) == -1) {
			fprintf(stderr, "labels_bench: %s\n", err);
			return -1;
		}
		t[i] = now_ms() - t0;
		pages = o.pages;
		labels_out_free(&o);
	}
	printf("labels: %d-page packing slip (45 lines): median %.2f ms over 21 "
	       "runs (target <= 30 ms)\n",
	    pages, median(t, 21));
	return 0;
}

int
main(void)
{
	if (bench_one("single 4x6 label, Latin text", "Anna Müller", 51, 2, 20 * 1024) == -1 ||
	    /* as in the render worker: one process, the font read at the first label */
	    bench_one("single 4x6 label, CJK name", "山田太郎", 21, 20, 0) == -1 ||
	    bench_thousand() == -1 || bench_slip() == -1)
		return 1;
	return 0;
}
