/*
 * Scanner figures: latency from an interrupt report's arrival to the code
 * reaching the scan callback (keyboard and HID POS scanners, emulated with
 * umockdev), and how often the loop wakes when idle with and without a
 * scanner attached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "drivers/scanner.h"
#include "common/loop.h"
#include "tests/fake_usb.h"

#define SCANS 300

static int64_t t_delivered;
static int nscans, nconnected;

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
on_scan(void *arg, const char *station, const char *code, const char *aim)
{
	(void)arg;
	(void)station;
	(void)code;
	(void)aim;
	t_delivered = now_us();
	nscans++;
}

static void
on_alert(void *arg, const char *station, int connected, const char *msg)
{
	(void)arg;
	(void)station;
	(void)msg;
	if (connected == 1)
		nconnected++;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
run_until(struct loop *lp, int *counter, int target)
{
	int64_t t0 = loop_now_ms();

	while (*counter < target && loop_now_ms() - t0 < 3000)
		loop_run_once(lp, 10);
	return *counter >= target ? 0 : -1;
}

/* Waits until the fake handed over everything queued so far. */
static void
drain(struct loop *lp, struct fake_dev *d)
{
	struct fake_stats st;
	int64_t t0 = loop_now_ms();

	do {
		loop_run_once(lp, 5);
		fake_dev_stats(d, &st);
	} while ((st.queued > 0 || st.urbs_pending == 0) && loop_now_ms() - t0 < 3000);
}

static void
print_lat(const char *what, int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp64);
	printf("scan %-34s p50 %5.3f ms  p99 %5.3f ms  max %5.3f ms  (n=%d)\n", what,
	    v[n / 2] / 1000.0, v[n * 99 / 100] / 1000.0, v[n - 1] / 1000.0, n);
}

/* Keyboard: the scan's keys, then time the final Enter report alone. */
static void
bench_keyboard(struct loop *lp, struct fake_dev *d, int64_t *lat)
{
	static const uint8_t enter[8] = { 0, 0, 0x28, 0, 0, 0, 0, 0 };
	static const uint8_t up[8] = { 0 };
	int i;
	int64_t t0;

	for (i = 0; i < SCANS; i++) {
		fake_dev_type_us(d, "4006381333931");
		drain(lp, d);
		t0 = now_us();
		fake_dev_send(d, enter, 8);
		if (run_until(lp, &nscans, i + 1) == -1) {
			fprintf(stderr, "scan_bench: keyboard scan %d lost\n", i);
			exit(1);
		}
		lat[i] = t_delivered - t0;
		fake_dev_send(d, up, 8);
	}
}

static void
bench_pos(struct loop *lp, struct fake_dev *d, int64_t *lat, int base)
{
	int i;
	int64_t t0;

	for (i = 0; i < SCANS; i++) {
		drain(lp, d);
		t0 = now_us();
		fake_dev_pos_scan(d, "]E0", "4006381333931", 13);
		if (run_until(lp, &nscans, base + i + 1) == -1) {
			fprintf(stderr, "scan_bench: POS scan %d lost\n", i);
			exit(1);
		}
		lat[i] = t_delivered - t0;
	}
}

/* Runs the loop for ms with a 1 s cap per poll: wakeups and CPU used. */
static void
idle(struct loop *lp, const char *what, int ms)
{
	struct rusage r0, r1;
	int64_t t0 = loop_now_ms();
	double cpu;
	int wakeups = 0;

	getrusage(RUSAGE_SELF, &r0);
	while (loop_now_ms() - t0 < ms) {
		loop_run_once(lp, 1000);
		wakeups++;
	}
	getrusage(RUSAGE_SELF, &r1);
	cpu = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e3 +
	    (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e3 +
	    (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e3 +
	    (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e3;
	printf("idle %-34s %6.1f loop wakeups/s (poll capped at 1 s)  CPU %5.1f%%\n", what,
	    wakeups * 1000.0 / ms, cpu * 100.0 / ms);
}

int
main(int argc, char **argv)
{
	static int64_t lat[SCANS];
	struct fake_usb *fu;
	struct fake_dev *kbd, *pos;
	struct loop *lp;
	struct scanners *ss;
	char err[256];

	(void)argc;
	if (fake_usb_reexec(argv) == -1)
		return 1;
	if ((fu = fake_usb_new()) == NULL || (lp = loop_new()) == NULL)
		return 1;

	/* idle with the driver up and nothing configured */
	if ((ss = scanners_new(lp, on_scan, on_alert, NULL)) == NULL)
		return 1;
	idle(lp, "no scanner configured", 1000);
	if (scanners_add(ss, "bench", "usb:05e0:1200", "us", err, sizeof(err)) == -1) {
		fprintf(stderr, "scan_bench: %s\n", err);
		return 1;
	}
	idle(lp, "scanner configured, absent", 1000);

	kbd = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, NULL, 1);
	pos = fake_usb_plug(fu, FAKE_POS, 0x05e0, 0x1300, NULL, 2);
	if (kbd == NULL || pos == NULL ||
	    scanners_add(ss, "bench-pos", "usb:05e0:1300", NULL, err, sizeof(err)) == -1 ||
	    run_until(lp, &nconnected, 2) == -1) {
		fprintf(stderr, "scan_bench: scanners did not attach\n");
		return 1;
	}
	bench_keyboard(lp, kbd, lat);
	print_lat("keyboard (Enter report -> callback)", lat, SCANS);
	bench_pos(lp, pos, lat, nscans);
	print_lat("HID POS (report -> callback)", lat, SCANS);
	idle(lp, "two scanners attached (umockdev)", 2000);
	printf("note: under umockdev the usbfs node is a regular file, which "
	       "poll() always reports ready, so libusb reaps on every turn (the "
	       "fake paces it at 1 ms); on a real usbfs node the fd wakes only "
	       "when a URB completes, and the driver itself arms no timer while "
	       "its scanners are attached.\n");
	scanners_free(ss);
	loop_free(lp);
	fake_usb_free(fu);
	return 0;
}
