/*
 * End to end: the real build/stationd reads emulated USB scanners (umockdev
 * + fake_usb.c answering usbfs from this process) and packs orders from
 * scanned reports only; results are read back with build/stationctl.
 * Prints "test_scanner_e2e: N passed, M failed" last.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "tests/e2e_ctl.h"
#include "tests/fake_usb.h"

#define WAIT_MS E2E_WAIT_MS

static char dir[64], conf[128], root[512];
static pid_t daemon_pid = -1;
static int npass, nfail;

static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		npass++;
		return;
	}
	nfail++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
cleanup(void)
{
	char cmd[128];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = -1;
	}
	if (dir[0] != '\0' && getenv("KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup: %s failed\n", cmd);
	}
}

/*
 * Counts rows of the scans table recorded at station with exactly code
 * (and aim, unless NULL), straight from the database.
 */
static int
scans_recorded(const char *station, const char *code, const char *aim)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	snprintf(path, sizeof(path), "file:%s/var/station.db?mode=ro", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_prepare_v2(db,
		"SELECT count(*) FROM scans WHERE station = ?1"
		" AND code = ?2 AND (?3 IS NULL OR aim = ?3)",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
		if (aim != NULL)
			sqlite3_bind_text(st, 3, aim, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
write_config(void)
{
	write_file("station.ini",
	    "[daemon]\ndatabase = var/station.db\nspool = var/spool\n"
	    "socket = var/station.sock\n\n"
	    "[shop]\nname = Example Goods\naddress1 = 1 Dock Road\n"
	    "city = Springfield\nprovince = MA\nzip = 01101\ncountry = US\n"
	    "gs1_prefix = 0614141\n\n"
	    "[station pack-1]\nduplicate_window = 0\n"
	    "scanner = usb:05e0:1200:S1\n\n"
	    "[station pack-2]\nduplicate_window = 0\n"
	    "scanner = usb:05e0:1300\n\n"
	    "[station pack-3]\nduplicate_window = 0\n"
	    "scanner = usb:05e0:1200:DE1\nscanner_layout = de\n");
}

/* An order as a Shopify webhook body: lines "SKU:QTY". */
static void
import_order(int id, const char *name, int nlines, const char **lines)
{
	char body[4096], fname[64], args[128], out[1024];
	int i, n;

	n = snprintf(body, sizeof(body),
	    "{\"order\":{\"id\":%d,\"name\":\"%s\","
	    "\"created_at\":\"2024-03-04T09:00:00+01:00\","
	    "\"financial_status\":\"paid\",\"fulfillment_status\":null,"
	    "\"cancelled_at\":null,\"cancel_reason\":null,"
	    "\"shipping_address\":{\"name\":\"Test Person\","
	    "\"address1\":\"Street 1\",\"city\":\"Berlin\",\"zip\":\"10623\","
	    "\"country\":\"Germany\",\"country_code\":\"DE\"},"
	    "\"shipping_lines\":[{\"title\":\"DHL Paket\",\"code\":\"DHL\"}],"
	    "\"line_items\":[",
	    id, name);
	for (i = 0; i < nlines; i++) {
		char sku[32];
		int q;

		if (sscanf(lines[i], "%31[^:]:%d", sku, &q) != 2)
			exit(1);
		n += snprintf(body + n, sizeof(body) - (size_t)n,
		    "%s{\"id\":%d,\"sku\":\"%s\",\"title\":\"Item %s\","
		    "\"name\":\"Item %s\",\"quantity\":%d,"
		    "\"fulfillable_quantity\":%d,\"requires_shipping\":true,"
		    "\"grams\":100,\"fulfillment_status\":null}",
		    i ? "," : "", id * 10 + i, sku, sku, sku, q, q);
	}
	snprintf(body + n, sizeof(body) - (size_t)n, "]}}\n");
	snprintf(fname, sizeof(fname), "order-%d.json", id);
	write_file(fname, body);
	if (snprintf(args, sizeof(args), "import %s/%s", dir, fname) >= (int)sizeof(args)) {
		fprintf(stderr, "test_scanner_e2e: args too long\n");
		exit(1);
	}
	check(e2e_ctl(out, sizeof(out), args) == 0, "import %s: %s", name, out);
}

static void
start_daemon(void)
{
	char bin[600], log[128], out[256];
	int64_t t0;
	int fd;

	snprintf(bin, sizeof(bin), "%s/build/stationd", root);
	snprintf(log, sizeof(log), "%s/stationd.log", dir);
	if ((daemon_pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (daemon_pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) != -1) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		/* VALGRIND=1: the daemon (and the driver) under memcheck */
		if (getenv("VALGRIND") != NULL)
			execlp("valgrind", "valgrind", "-q", "--leak-check=full",
			    "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", bin,
			    "-d", "-c", conf, (char *)NULL);
		else
			execl(bin, "stationd", "-d", "-c", conf, (char *)NULL);
		_exit(127);
	}
	t0 = e2e_now_ms();
	while (e2e_ctl(out, sizeof(out), "status") != 0) {
		if (e2e_now_ms() - t0 > 10000) {
			printf("stationd did not come up; see %s\n", log);
			exit(1);
		}
		usleep(10000);
	}
}

static int
stop_daemon(void)
{
	int st;

	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, &st, 0);
	daemon_pid = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* German-layout keystrokes for the few characters the test types. */
static void
type_de(struct fake_dev *d, const char *s)
{
	for (; *s; s++) {
		uint8_t mods = 0, usage = 0;
		uint8_t down[8] = { 0 }, up[8] = { 0 };

		if (*s >= '1' && *s <= '9')
			usage = (uint8_t)(0x1e + *s - '1');
		else if (*s == '0')
			usage = 0x27;
		else if (*s == '#')
			usage = 0x31;
		else if (*s == '-')
			usage = 0x38;
		else if (*s == 'Z') {
			mods = 0x02;
			usage = 0x1c; /* QWERTZ: Z where US has Y */
		} else if (*s == 'Y') {
			mods = 0x02;
			usage = 0x1d;
		} else if (*s == '\n')
			usage = 0x28;
		down[0] = mods;
		down[2] = usage;
		fake_dev_send(d, down, 8);
		fake_dev_send(d, up, 8);
	}
}

static void
wait_drained(struct fake_dev *d)
{
	struct fake_stats st;
	int64_t t0 = e2e_now_ms();

	do {
		fake_dev_stats(d, &st);
		if (st.queued == 0 && st.urbs_pending > 0)
			return;
		usleep(1000);
	} while (e2e_now_ms() - t0 < WAIT_MS);
}

int
main(int argc, char **argv)
{
	static const char *l5001[] = { "SKU-A:2", "SKU-B:1" };
	static const char *l5002[] = { "SKU-C:1" };
	static const char *l5003[] = { "ZY-9:1" };
	static const char *l5004[] = { "SKU-D:1" };
	struct fake_usb *fu;
	struct fake_dev *k1, *pos, *de, *kb, *k1b;
	struct fake_stats st;
	int64_t t0, ms;

	(void)argc;
	if (fake_usb_reexec(argv) == -1)
		return 1;
	/* the repository root: this program is build/tests/NAME */
	{
		char self[512];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0)
			return 1;
		self[n] = '\0';
		snprintf(root, sizeof(root), "%s", dirname(dirname(dirname(self))));
	}
	snprintf(dir, sizeof(dir), "/tmp/e2e-scanner.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1)
		return 1;
	atexit(cleanup);
	snprintf(conf, sizeof(conf), "%s/station.ini", dir);
	e2e_ctl_init(root, conf);
	write_config();
	{
		char var[160];

		snprintf(var, sizeof(var), "%s/var", dir);
		mkdir(var, 0755);
	}
	if ((fu = fake_usb_new()) == NULL)
		return 1;
	/* pack-1 and pack-2 scanners and a real keyboard are there at start */
	k1 = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, "S1", 1);
	pos = fake_usb_plug(fu, FAKE_POS, 0x05e0, 0x1300, NULL, 2);
	kb = fake_usb_plug(fu, FAKE_KBD, 0x046d, 0xc31c, NULL, 4);
	if (k1 == NULL || pos == NULL || kb == NULL)
		return 1;
	start_daemon();
	check(e2e_wait_log("pack-1", "scanner attached", 1), "pack-1 attached");
	check(e2e_wait_log("pack-2", "scanner attached", 1), "pack-2 attached");

	/* pack-3's German scanner appears after start */
	de = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, "DE1", 3);
	t0 = e2e_now_ms();
	check(e2e_wait_log("pack-3", "scanner attached", 1), "pack-3 attached");
	ms = e2e_now_ms() - t0;
	check(ms <= 1500, "late scanner took %lld ms", (long long)ms);

	import_order(5001, "#5001", 2, l5001);
	import_order(5002, "#5002", 1, l5002);
	import_order(5003, "#5003", 1, l5003);
	import_order(5004, "#5004", 1, l5004);

	/* two (three) benches at once: open all, then fill all */
	fake_dev_type_us(k1, "#5001\n");
	fake_dev_pos_scan(pos, "]C0", "#5002", 5);
	type_de(de, "#5003\n");
	check(e2e_wait_status("#5001", "in_progress"), "#5001 opened by scans");
	check(e2e_wait_status("#5002", "in_progress"), "#5002 opened by HID POS");
	check(e2e_wait_status("#5003", "in_progress"), "#5003 opened (de layout)");
	fake_dev_type_us(k1, "SKU-A\nSKU-A\nSKU-B\n");
	fake_dev_pos_scan(pos, "]C0", "SKU-C", 5);
	type_de(de, "ZY-9\n");
	check(e2e_wait_status("#5001", "fulfilled"), "#5001 completed by scans");
	check(e2e_wait_status("#5002", "fulfilled"), "#5002 completed by HID POS");
	check(e2e_wait_status("#5003", "fulfilled"), "#5003 completed (de layout)");

	/* a GS1 code with a group separator reaches the station intact */
	fake_dev_type_us(k1,
	    "0100614141999996\x1d"
	    "10LOT7\n");
	check(e2e_wait_log("pack-1", "0100614141999996", 1), "GS1 scan logged");
	check(scans_recorded("pack-1",
		  "0100614141999996\x1d"
		  "10LOT7",
		  NULL) == 1,
	    "GS1 scan recorded with its group separator");
	check(scans_recorded("pack-2", "SKU-C", "]C0") == 1, "HID POS scan recorded with AIM ]C0");
	check(scans_recorded("pack-3", "ZY-9", NULL) == 1, "German-layout scan recorded as ZY-9");

	/* unplug mid-scan, replug: the cut scan is dropped, work resumes */
	fake_dev_type_us(k1, "#5004\n");
	check(e2e_wait_status("#5004", "in_progress"), "#5004 opened");
	fake_dev_type_us(k1, "SKU-");
	wait_drained(k1);
	fake_usb_unplug(fu, k1);
	check(e2e_wait_log("pack-1", "scanner unplugged", 1), "unplug alert");
	check(e2e_wait_log("pack-1",
		  "partial scan (4 bytes) cut off by unplug "
		  "dropped",
		  1),
	    "cut scan reported");
	k1b = fake_usb_plug(fu, FAKE_KBD, 0x05e0, 0x1200, "S1", 1);
	t0 = e2e_now_ms();
	check(e2e_wait_log("pack-1", "scanner attached", 2), "pack-1 re-attached");
	ms = e2e_now_ms() - t0;
	check(ms <= 1500, "replug took %lld ms", (long long)ms);
	fake_dev_type_us(k1b, "SKU-D\n");
	check(e2e_wait_status("#5004", "fulfilled"), "#5004 completed after replug");
	check(scans_recorded("pack-1", "SKU-", NULL) == 0 &&
		scans_recorded("pack-1", "SKU-SKU-D", NULL) == 0,
	    "the scan cut by the unplug was never recorded");
	check(scans_recorded("pack-1", "SKU-D", NULL) == 1, "SKU-D recorded once");

	/* the keyboard nobody configured was never opened */
	fake_dev_stats(kb, &st);
	check(st.opens == 0 && st.claims == 0 && st.kernel_driver == 1,
	    "unconfigured keyboard touched: opens %d claims %d driver %d", st.opens, st.claims,
	    st.kernel_driver);

	check(stop_daemon() == 0, "stationd exit status");
	fake_dev_stats(k1b, &st);
	check(st.claimed == 0 && st.kernel_driver == 1 && st.reattaches == 1,
	    "pack-1 kernel driver given back: claimed %d driver %d", st.claimed, st.kernel_driver);
	fake_dev_stats(pos, &st);
	check(st.claimed == 0 && st.kernel_driver == 1, "pack-2 kernel driver given back");
	fake_usb_free(fu);
	printf("test_scanner_e2e: %d passed, %d failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}
