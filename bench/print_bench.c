/*
 * Printing figures: submit -> accepted by a real IPP printer (ippeveprinter,
 * direct IPP), and the loop's timer jitter while a printer hangs.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drivers/printer.h"
#include "common/loop.h"

#define JOBS	250
#define TICK_MS 10
#define HANG_MS 3000

static struct loop *loop;
static int64_t accepted_ref, completed_ref, failed_ref;

static void
on_event(const struct printer_event *e, void *arg)
{
	(void)arg;
	if (e->kind == PRINTER_EV_ACCEPTED)
		accepted_ref = e->ref;
	else if (e->kind == PRINTER_EV_STATE && e->state == PRINT_COMPLETED)
		completed_ref = e->ref;
	else if (e->kind == PRINTER_EV_FAILED ||
	    (e->kind == PRINTER_EV_STATE && e->state == PRINT_ABORTED))
		failed_ref = e->ref;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(int64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[i < n ? i : n - 1] / 1000.0;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A label-sized document (the size labels/ makes: ~7 KB). */
static void
fake_pdf(char *buf, size_t len, int n)
{
	size_t i;

	snprintf(buf, len, "%%PDF-1.4\n%% bench label %d\n", n);
	for (i = strlen(buf); i < len; i++)
		buf[i] = (char)('A' + (i * 7 + (size_t)n) % 26);
}

static int
bench_accept(struct printers *ps, const char *uri)
{
	static int64_t lat[JOBS], done[JOBS];
	static char pdf[7000];
	int64_t t0, end;
	int i;

	for (i = 0; i < JOBS; i++) {
		fake_pdf(pdf, sizeof(pdf), i);
		t0 = now_us();
		if (printers_submit(ps, i + 1, uri, &(struct print_opts){ "4x6", 1, "bench" }, pdf,
			sizeof(pdf)) == -1)
			return -1;
		end = loop_now_ms() + 10000;
		while (accepted_ref != i + 1 && failed_ref != i + 1 && loop_now_ms() < end)
			loop_run_once(loop, 100);
		if (accepted_ref != i + 1)
			return -1;
		lat[i] = now_us() - t0;
		while (completed_ref != i + 1 && failed_ref != i + 1 && loop_now_ms() < end)
			loop_run_once(loop, 100);
		if (completed_ref != i + 1)
			return -1;
		done[i] = now_us() - t0;
	}
	qsort(lat, JOBS, sizeof(lat[0]), cmp_i64);
	qsort(done, JOBS, sizeof(done[0]), cmp_i64);
	printf("print: submit -> accepted, direct IPP, %d jobs of 7 KB: p50 %.2f ms, "
	       "p99 %.2f ms, max %.2f ms (target p99 <= 50 ms)\n",
	    JOBS, pct(lat, JOBS, 0.5), pct(lat, JOBS, 0.99), pct(lat, JOBS, 1.0));
	printf("print: submit -> completed: p50 %.2f ms, p99 %.2f ms\n", pct(done, JOBS, 0.5),
	    pct(done, JOBS, 0.99));
	return 0;
}

/* A printer that takes the connection and never answers (worst case). */
static int
hung_printer(int *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 16) == -1 || getsockname(fd, (struct sockaddr *)&sa, &sl) == -1)
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

struct jitter {
	int64_t timer;
	int64_t due;
	int64_t late[HANG_MS / TICK_MS + 8];
	size_t n;
};

static void
tick(void *arg)
{
	struct jitter *j = arg;
	int64_t now = now_us();

	if (j->n < sizeof(j->late) / sizeof(j->late[0]))
		j->late[j->n++] = now - j->due;
	j->due = now + TICK_MS * 1000;
	j->timer = loop_add_timer(loop, TICK_MS, tick, j);
}

/* Timer lateness over HANG_MS with (or without) a job every 100 ms to uri. */
static void
bench_jitter(struct printers *ps, const char *uri, const char *what)
{
	static struct jitter j;
	static char pdf[7000];
	int64_t end = loop_now_ms() + HANG_MS, next = 0;
	int n = 0;

	memset(&j, 0, sizeof(j));
	j.due = now_us() + TICK_MS * 1000;
	j.timer = loop_add_timer(loop, TICK_MS, tick, &j);
	while (loop_now_ms() < end) {
		if (uri != NULL && loop_now_ms() >= next) {
			fake_pdf(pdf, sizeof(pdf), n);
			printers_submit(ps, 100000 + n++, uri, NULL, pdf, sizeof(pdf));
			next = loop_now_ms() + 100;
		}
		loop_run_once(loop, 5);
	}
	loop_cancel_timer(loop, j.timer);
	qsort(j.late, j.n, sizeof(j.late[0]), cmp_i64);
	printf("print: %d ms timer lateness, %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms "
	       "(%zu ticks, %d jobs)\n",
	    TICK_MS, what, pct(j.late, j.n, 0.5), pct(j.late, j.n, 0.99), pct(j.late, j.n, 1.0),
	    j.n, n);
}

static int
rig(const char *cmd, const char *dir, const char *extra)
{
	char buf[2 * PATH_MAX], exe[PATH_MAX], *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	if ((p = strstr(exe, "/build/bench/")) != NULL)
		*p = '\0';
	else
		snprintf(exe, sizeof(exe), ".");
	snprintf(buf, sizeof(buf), "sh %s/tests/rig/printers.sh %s %s %s >/dev/null", exe, cmd, dir,
	    extra);
	return system(buf);
}

static void
rig_uri(const char *dir, char *uri, size_t len)
{
	char path[PATH_MAX], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/rig.env", dir);
	uri[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "EVE1_URI='", 10) == 0) {
			line[strcspn(line + 10, "'") + 10] = '\0';
			if (snprintf(uri, len, "%s", line + 10) >= (int)len) {
				fprintf(stderr, "print_bench: uri too long\n");
				exit(1);
			}
		}
	fclose(f);
}

int
main(void)
{
	char dir[] = "/tmp/print-bench-XXXXXX", uri[256], hung[64];
	struct printers *ps;
	int rc = 1, hfd = -1, hport;

	if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1 || rig("start", dir, "") != 0) {
		fprintf(stderr, "print_bench: printers did not start\n");
		goto out;
	}
	rig_uri(dir, uri, sizeof(uri));
	if ((loop = loop_new()) == NULL || (ps = printers_new(loop, on_event, NULL)) == NULL)
		goto out;
	if (bench_accept(ps, uri) == -1)
		fprintf(stderr, "print_bench: a job did not complete\n");
	else
		rc = 0;
	bench_jitter(ps, NULL, "no printing (baseline)");
	if ((hfd = hung_printer(&hport)) != -1) {
		snprintf(hung, sizeof(hung), "ipp://127.0.0.1:%d/ipp/print", hport);
		bench_jitter(ps, hung, "printer hung (accepts, never answers)");
	}
	rig("kill-eve", dir, "1");
	bench_jitter(ps, uri, "printer killed (connection refused)");
	printers_free(ps);
	loop_free(loop);
out:
	if (hfd != -1)
		close(hfd);
	rig("stop", dir, "");
	snprintf(uri, sizeof(uri), "rm -rf %s", dir);
	if (system(uri) != 0)
		rc = 1;
	return rc;
}
