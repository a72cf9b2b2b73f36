/*
 * Scale figures (issue 15), with a Dymo 0922:8003 emulated by umockdev:
 *  1. driver: a weight report's arrival to the scale callback (in process);
 *  2. daemon: a weight report sent to the verdict of the first STN:WEIGH
 *     that carries it (report -> weight committed with a scan), through
 *     the real stationd's control socket;
 *  3. daemon: scan -> verdict latency at a bench with a scale attached (its
 *     reports streaming between scans) and at one without, interleaved.
 * Prints medians and 99th percentiles; never asserts (shared machines).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_client.h"
#include "common/loop.h"
#include "drivers/scale.h"
#include "tests/fake_usb.h"

#define N 300

static char dir[64], root[512];
static pid_t daemon_pid = -1;
static int64_t t_cb;
static int ncb, attached;
static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, int64_t *v, int n)
{
	if (n == 0) {
		printf("%-44s no samples\n", what);
		return;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp64);
	printf("%-44s median %7.3f ms  p99 %7.3f ms  (n=%d)\n", what, (double)v[n / 2] / 1000.0,
	    (double)v[(n * 99) / 100] / 1000.0, n);
}

static void
weigh(struct fake_dev *d, int status, unsigned grams)
{
	uint8_t r[6] = { 3, (uint8_t)status, 2, 0, (uint8_t)(grams & 0xff), (uint8_t)(grams >> 8) };

	fake_dev_send(d, r, sizeof(r));
}

static void
on_weight(void *arg, const char *station, const struct hid_scale_reading *r)
{
	(void)arg;
	(void)station;
	(void)r;
	t_cb = now_us();
	ncb++;
}

static void
on_alert(void *arg, const char *station, int connected, const char *msg)
{
	(void)arg;
	(void)station;
	(void)msg;
	if (connected == 1)
		attached++;
}

/* 1. in process: report -> callback */
static void
driver_latency(struct fake_usb *fu)
{
	static int64_t lat[N];
	struct fake_dev *d = fake_usb_plug(fu, FAKE_SCALE, 0x0922, 0x8003, "B1", 1);
	struct loop *lp = loop_new();
	struct scales *ss;
	char err[256];
	int i, n = 0;
	int64_t t0;

	if (d == NULL || lp == NULL || (ss = scales_new(lp, on_weight, on_alert, NULL)) == NULL ||
	    scales_add(ss, "b", "usb:0922:8003:B1", err, sizeof(err)) == -1) {
		printf("scale_bench: cannot start the driver\n");
		exit(1);
	}
	for (t0 = now_us(); !attached && now_us() - t0 < 3000000;)
		loop_run_once(lp, 10);
	for (i = 0; i < N; i++) {
		int want = ncb + 1;

		t0 = now_us();
		weigh(d, 4, (unsigned)(100 + i));
		while (ncb < want && now_us() - t0 < 1000000)
			loop_run_once(lp, 5);
		if (ncb >= want)
			lat[n++] = t_cb - t0;
	}
	report("driver: report -> weight callback", lat, n);
	scales_free(ss);
	loop_free(lp);
	fake_usb_unplug(fu, d);
}

static void
cleanup(void)
{
	char cmd[160];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
	}
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "scale_bench: cleanup failed\n");
	}
}

/* One scan over the control socket; the reply line in line. 0 / -1. */
static int
scan(int fd, const char *station, const char *code, char *line, size_t cap)
{
	char req[256];
	int n = snprintf(req, sizeof(req),
	    "{\"cmd\":\"scan\",\"station\":\"%s\",\"code\":\"%s\"}\n", station, code);

	if (write(fd, req, (size_t)n) != n)
		return -1;
	return bench_read_line(fd, line, cap);
}

static int
connect_to(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), i;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >= (int)sizeof(sun.sun_path)) {
		fprintf(stderr, "scale_bench: sun.sun_path too long\n");
		exit(1);
	}
	for (i = 0; fd != -1 && i < 500; i++) {
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		usleep(10000);
	}
	if (fd != -1)
		close(fd);
	return -1;
}

/* 2 and 3: through stationd */
static void
daemon_latency(struct fake_usb *fu)
{
	static int64_t commit[N], with[N], without[N];
	char path[256], bin[600], line[8192], want[64], code[64];
	struct fake_dev *d = fake_usb_plug(fu, FAKE_SCALE, 0x0922, 0x8003, "D1", 2);
	int fd, i, nc = 0, nw = 0, no = 0, tries;
	FILE *f;
	int64_t t0;

	snprintf(path, sizeof(path), "%s/station.ini", dir);
	if (d == NULL || (f = fopen(path, "w")) == NULL)
		exit(1);
	fprintf(f,
	    "[daemon]\ndatabase = var/station.db\nspool = var/spool\n"
	    "socket = var/station.sock\n\n[shop]\nname = Bench\ngs1_prefix = 0614141\n\n"
	    "[station pack-1]\nduplicate_window = 0\nscale = usb:0922:8003:D1\n"
	    "weight_check = 5%%\n\n[station pack-2]\nduplicate_window = 0\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/var", dir);
	mkdir(path, 0755);
	snprintf(bin, sizeof(bin), "%s/build/stationd", root);
	if ((daemon_pid = fork()) == 0) {
		int lfd;

		snprintf(path, sizeof(path), "%s/stationd.log", dir);
		if ((lfd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644)) != -1) {
			dup2(lfd, 1);
			dup2(lfd, 2);
		}
		snprintf(path, sizeof(path), "%s/station.ini", dir);
		execl(bin, "stationd", "-d", "-c", path, (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/var/station.sock", dir);
	if ((fd = connect_to(path)) == -1) {
		printf("scale_bench: stationd did not come up\n");
		exit(1);
	}
	/* wait for the scale: a first reading shows in STN:WEIGH */
	for (tries = 0; tries < 300; tries++) {
		weigh(d, 4, 50);
		if (scan(fd, "pack-1", "STN:WEIGH", line, sizeof(line)) == 0 &&
		    strstr(line, "WEIGHT 50 g") != NULL)
			break;
		usleep(10000);
	}
	for (i = 0; i < N; i++) {
		/* report -> the first committed scan that carries it */
		snprintf(want, sizeof(want), "WEIGHT %d g", 100 + i);
		t0 = now_us();
		weigh(d, 4, (unsigned)(100 + i));
		for (tries = 0; tries < 2000; tries++)
			if (scan(fd, "pack-1", "STN:WEIGH", line, sizeof(line)) == -1 ||
			    strstr(line, want) != NULL)
				break;
		if (strstr(line, want) != NULL)
			commit[nc++] = now_us() - t0;
		/* a committed verdict (login) with and without a scale, interleaved;
		 * the scale keeps reporting (in motion) meanwhile */
		weigh(d, 3, (unsigned)(200 + i));
		snprintf(code, sizeof(code), "STN:PACKER:p%d", i);
		/* alternate which bench goes first: no order bias */
		for (tries = 0; tries < 2; tries++) {
			int scale_bench = (tries + i) % 2 == 0;

			t0 = now_us();
			if (scan(fd, scale_bench ? "pack-1" : "pack-2", code, line, sizeof(line)) ==
			    -1)
				continue;
			if (scale_bench)
				with[nw++] = now_us() - t0;
			else
				without[no++] = now_us() - t0;
		}
	}
	close(fd);
	/* the daemon goes before the emulated device it is reading */
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, NULL, 0);
	daemon_pid = -1;
	report("stationd: report -> weight in a committed scan", commit, nc);
	report("stationd: verdict latency, bench with scale", with, nw);
	report("stationd: verdict latency, bench without", without, no);
}

int
main(int argc, char **argv)
{
	struct fake_usb *fu;
	char self[512];
	ssize_t n;

	(void)argc;
	if (fake_usb_reexec(argv) == -1)
		return 1;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return 1;
	self[n] = '\0';
	snprintf(root, sizeof(root), "%s", dirname(dirname(dirname(self))));
	snprintf(dir, sizeof(dir), "/tmp/scale-bench.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	atexit(cleanup);
	if ((fu = fake_usb_new()) == NULL)
		return 1;
	driver_latency(fu);
	daemon_latency(fu);
	fake_usb_free(fu);
	return 0;
}
