/*
 * End to end (issue 15): the real build/stationd weighs boxes on an emulated
 * USB HID POS scale (umockdev + fake_usb.c, a Dymo 0922:8003) and prints
 * labels to a real IPP printer (tests/rig/printers.sh): a shift with the
 * scale, a mismatch fixed by STN:WEIGH, an override by a supervisor, a
 * wrong label scanned, a reprint verified, the scale unplugged and plugged
 * back mid-shift. The weights in the labels (pdftotext) and in spool/out
 * equal the readings. Prints "test_scale_e2e: N passed, M failed" last.
 *
 * STATION_TEST_DATABASE=postgresql:... runs it on that (fresh) PostgreSQL
 * database instead of var/station.db (tests/e2e_pg.sh makes one with
 * tests/rig/pg.sh); the test's own queries then go there too.
 */
#include <crypt.h>
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
#include <libpq-fe.h>
#include <sqlite3.h>

#include "tests/e2e_ctl.h"
#include "tests/fake_usb.h"

#define WAIT_MS E2E_WAIT_MS

static char dir[64], conf[128], root[512], rig[128];
static pid_t daemon_pid = -1;
static int npass, nfail;
static const char *pg_uri; /* STATION_TEST_DATABASE, NULL: SQLite in var/ */

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
	char cmd[1024];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = -1;
	}
	if (rig[0] != '\0') {
		snprintf(cmd, sizeof(cmd),
		    "env -u LD_PRELOAD sh %s/tests/rig/printers.sh"
		    " stop %s >/dev/null 2>&1",
		    root, rig);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup: rig stop failed\n");
	}
	if (dir[0] != '\0' && getenv("KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup: %s failed\n", cmd);
	}
}

/* One value (the first column of the first row) from PostgreSQL: 0 / -1. */
static int
pg_value(const char *q, int nparams, const char *const *params, char *out, size_t len)
{
	PGconn *c = PQconnectdb(pg_uri);
	PGresult *r = NULL;
	int rc = -1;

	out[0] = '\0';
	if (PQstatus(c) == CONNECTION_OK) {
		r = PQexecParams(c, q, nparams, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
				snprintf(out, len, "%s", PQgetvalue(r, 0, 0));
			rc = 0;
		} else
			printf("  query failed: %s", PQerrorMessage(c));
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* scans_recorded on PostgreSQL: params are station, code, aim (may be NULL). */
static int
pg_count(const char *const *params)
{
	char v[32];

	if (pg_value("SELECT count(*) FROM scans WHERE station = $1 AND code = $2"
		     " AND ($3::text IS NULL OR aim = $3)",
		3, params, v, sizeof(v)) == -1)
		return -1;
	return atoi(v);
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

	if (pg_uri != NULL) {
		const char *params[3] = { station, code, aim };

		return pg_count(params);
	}
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


static char eve1_uri[256];

/* Starts the printer rig outside umockdev; its label printer's URI. */
static int
start_rig(void)
{
	char cmd[1024], line[512], path[256];
	FILE *f;

	snprintf(rig, sizeof(rig), "%s/rig", dir);
	mkdir(rig, 0755);
	chmod(rig, 0755);
	snprintf(cmd, sizeof(cmd),
	    "env -u LD_PRELOAD sh %s/tests/rig/printers.sh start %s"
	    " >%s/rig.out 2>&1",
	    root, rig, dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/rig.env", rig);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "EVE1_URI=%255s", eve1_uri) == 1)
			break;
	fclose(f);
	/* the value may be quoted */
	if (eve1_uri[0] == '\'' || eve1_uri[0] == '"') {
		memmove(eve1_uri, eve1_uri + 1, strlen(eve1_uri));
		eve1_uri[strcspn(eve1_uri, "'\"")] = '\0';
	}
	return eve1_uri[0] ? 0 : -1;
}

static void
write_config(const char *pins_mode_note)
{
	char text[2048];

	(void)pins_mode_note;
	snprintf(text, sizeof(text),
	    "[daemon]\ndatabase = %s\nspool = var/spool\n"
	    "socket = var/station.sock\n\n"
	    "[shop]\nname = Example Goods\naddress1 = 1 Dock Road\n"
	    "city = Springfield\nprovince = MA\nzip = 01101\ncountry = US\n"
	    "gs1_prefix = 0614141\n\n"
	    "[station pack-1]\nduplicate_window = 0\nslip_on_open = no\n"
	    "label_printer = %s\n"
	    "scale = usb:0922:8003\nweight_check = 5%%\ntare_grams = 100\n"
	    "verify_label = yes\noverride_pins = pins.txt\n",
	    pg_uri != NULL ? pg_uri : "var/station.db", eve1_uri);
	write_file("station.ini", text);
}

static const char *next_tracking; /* the next imported order's tracking number */

/* An order as a Shopify webhook body: lines "SKU:QTY:GRAMS". */
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
	    "\"note_attributes\":[{\"name\":\"Tracking number\",\"value\":\"%s\"}],"
	    "\"line_items\":[",
	    id, name, next_tracking ? next_tracking : "");
	next_tracking = NULL;
	for (i = 0; i < nlines; i++) {
		char sku[32];
		int q, g;

		if (sscanf(lines[i], "%31[^:]:%d:%d", sku, &q, &g) != 3)
			exit(1);
		n += snprintf(body + n, sizeof(body) - (size_t)n,
		    "%s{\"id\":%d,\"sku\":\"%s\",\"title\":\"Item %s\","
		    "\"name\":\"Item %s\",\"quantity\":%d,"
		    "\"fulfillable_quantity\":%d,\"requires_shipping\":true,"
		    "\"grams\":%d,\"fulfillment_status\":null}",
		    i ? "," : "", id * 10 + i, sku, sku, sku, q, q, g);
	}
	snprintf(body + n, sizeof(body) - (size_t)n, "]}}\n");
	snprintf(fname, sizeof(fname), "order-%d.json", id);
	write_file(fname, body);
	if (snprintf(args, sizeof(args), "import %s/%s", dir, fname) >= (int)sizeof(args)) {
		fprintf(stderr, "test_scale_e2e: args too long\n");
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
		/* VALGRIND=1: the daemon (and the scale driver) under memcheck */
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

/* One scale report: [3, status, unit, exponent, weight LE16]. */
static void
weigh(struct fake_dev *d, int status, int unit, int exp, unsigned w)
{
	uint8_t r[6] = { 3, (uint8_t)status, (uint8_t)unit, (uint8_t)(int8_t)exp,
		(uint8_t)(w & 0xff), (uint8_t)(w >> 8) };

	fake_dev_send(d, r, sizeof(r));
}

/* Waits until `stationctl status` shows pack-1's scale as text. */
static int
wait_scale(const char *text)
{
	static char out[65536];
	char want[160];
	int64_t t0 = e2e_now_ms();

	snprintf(want, sizeof(want), "\"weight\": \"%s\"", text);
	do {
		if (e2e_ctl(out, sizeof(out), "status --format json") == 0 &&
		    strstr(out, want) != NULL)
			return 1;
		usleep(10000);
	} while (e2e_now_ms() - t0 < WAIT_MS);
	printf("  status never showed %s:\n%s\n", want, out);
	return 0;
}

/* stationctl scan at pack-1: exit status, the verdict line in out. */
static int
scan(char *out, size_t len, const char *code)
{
	char args[256];

	snprintf(args, sizeof(args), "scan --station pack-1 '%s'", code);
	return e2e_ctl(out, len, args);
}

static void
expect_scan(const char *code, int rc, const char *want)
{
	char out[4096];
	int r = scan(out, sizeof(out), code);

	check(r == rc && strstr(out, want) != NULL, "scan %s: exit %d (want %d), \"%s\" not in: %s",
	    code, r, rc, want, out);
}

/* One value from the database. */
static void
sql1(const char *q, char *out, size_t len)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	if (pg_uri != NULL) {
		(void)pg_value(q, 0, NULL, out, len);
		return;
	}
	snprintf(path, sizeof(path), "file:%s/var/station.db?mode=ro", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return;
	}
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, len, "%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

static void
sscc_of(const char *order, char *sscc, size_t len)
{
	char q[256];

	snprintf(q, sizeof(q),
	    "SELECT p.sscc FROM packages p JOIN orders o ON"
	    " o.id = p.order_id WHERE o.name = '%s' ORDER BY p.id LIMIT 1",
	    order);
	sql1(q, sscc, len);
}

/* The labels the printer received: how many, and the text of the newest. */
static int
labels_received(char *text, size_t len)
{
	char cmd[1024];
	FILE *p;
	size_t n = 0, r;
	int count = 0;

	snprintf(cmd, sizeof(cmd), "ls %s/recv/eve1/*.pdf 2>/dev/null | wc -l", rig);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%d", &count) != 1)
			count = 0;
		pclose(p);
	}
	text[0] = '\0';
	snprintf(cmd, sizeof(cmd),
	    "f=$(ls -t %s/recv/eve1/*.pdf 2>/dev/null | head -1);"
	    " [ -n \"$f\" ] && env -u LD_PRELOAD pdftotext \"$f\" - 2>/dev/null",
	    rig);
	if ((p = popen(cmd, "r")) != NULL) {
		while (n + 1 < len && (r = fread(text + n, 1, len - n - 1, p)) > 0)
			n += r;
		text[n] = '\0';
		pclose(p);
	}
	return count;
}

static int
wait_labels(int want, char *text, size_t len)
{
	int64_t t0 = e2e_now_ms();
	int n;

	do {
		if ((n = labels_received(text, len)) >= want) {
			usleep(100000); /* the newest file complete */
			labels_received(text, len);
			return 1;
		}
		usleep(20000);
	} while (e2e_now_ms() - t0 < WAIT_MS);
	printf("  %d labels received, want %d\n", n, want);
	return 0;
}

/* The spool/out document of order NAME (digits) as text. */
static void
spool_out(const char *digits, char *text, size_t len)
{
	char cmd[512];
	FILE *p;
	size_t n = 0, r;

	snprintf(cmd, sizeof(cmd), "cat %s/var/spool/out/fulfillment-*-%s.json 2>/dev/null", dir,
	    digits);
	text[0] = '\0';
	if ((p = popen(cmd, "r")) == NULL)
		return;
	while (n + 1 < len && (r = fread(text + n, 1, len - n - 1, p)) > 0)
		n += r;
	text[n] = '\0';
	pclose(p);
}

static int
wait_spool(const char *digits, const char *want)
{
	static char text[16384];
	int64_t t0 = e2e_now_ms();

	do {
		spool_out(digits, text, sizeof(text));
		if (strstr(text, want) != NULL)
			return 1;
		usleep(20000);
	} while (e2e_now_ms() - t0 < WAIT_MS);
	printf("  spool/out for %s lacks %s:\n%s\n", digits, want, text);
	return 0;
}

static void
write_pins(mode_t mode)
{
	struct crypt_data cd;
	char text[512], path[256];
	const char *h;

	memset(&cd, 0, sizeof(cd));
	h = crypt_r("4321", "$6$e2esaltsalt$", &cd);
	snprintf(text, sizeof(text), "# supervisors\nsup1:%s\n", h ? h : "*");
	write_file("pins.txt", text);
	snprintf(path, sizeof(path), "%s/pins.txt", dir);
	chmod(path, mode);
}

int
main(int argc, char **argv)
{
	static const char *l6001[] = { "SKU-A:2:250", "SKU-B:1:300" }; /* 900 g with the box */
	static const char *l6002[] = { "SKU-C:1:500" };		       /* 600 g */
	static const char *l6003[] = { "SKU-D:1:200" };		       /* 300 g */
	static char text[65536];
	char out[4096], sscc1[32], sscc2[32], sscc3[32], want[128], v[64], q[256];
	struct fake_usb *fu;
	struct fake_dev *sc;
	struct fake_stats st;
	int rc;

	(void)argc;
	if ((pg_uri = getenv("STATION_TEST_DATABASE")) != NULL && pg_uri[0] == '\0')
		pg_uri = NULL;
	if (fake_usb_reexec(argv) == -1)
		return 1;
	{
		char self[512];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0)
			return 1;
		self[n] = '\0';
		snprintf(root, sizeof(root), "%s", dirname(dirname(dirname(self))));
	}
	snprintf(dir, sizeof(dir), "/tmp/e2e-scale.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1)
		return 1;
	atexit(cleanup);
	if (start_rig() == -1) {
		printf("test_scale_e2e: cannot start the printer rig\n");
		printf("test_scale_e2e: 0 passed, 1 failed\n");
		return 1;
	}
	snprintf(conf, sizeof(conf), "%s/station.ini", dir);
	e2e_ctl_init(root, conf);
	write_config(NULL);
	{
		char var[160];

		snprintf(var, sizeof(var), "%s/var", dir);
		mkdir(var, 0755);
	}

	/* stationd -n refuses a PIN file others can read, at its line */
	write_pins(0644);
	if (snprintf(q, sizeof(q), "%s/build/stationd -n -c %s 2>&1", root, conf) >=
	    (int)sizeof(q)) {
		fprintf(stderr, "test_scale_e2e: q too long\n");
		exit(1);
	}
	{
		FILE *p = popen(q, "r");
		size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;

		out[n] = '\0';
		rc = p ? pclose(p) : -1;
	}
	snprintf(
	    want, sizeof(want), "station.ini:23: override_pins: %s/pins.txt is mode 0644", dir);
	check(rc != 0 && strstr(out, want) != NULL, "stationd -n with a 0644 PIN file: %s", out);
	write_pins(0600);

	if ((fu = fake_usb_new()) == NULL)
		return 1;
	sc = fake_usb_plug(fu, FAKE_SCALE, 0x0922, 0x8003, NULL, 1);
	if (sc == NULL)
		return 1;
	start_daemon();
	check(e2e_wait_log("pack-1", "scale attached (0922:8003", 1), "scale attached");
	import_order(6001, "#6001", 2, l6001);
	import_order(6002, "#6002", 1, l6002);
	next_tracking = "EE123456785DE";
	import_order(6003, "#6003", 1, l6003);

	/* 1. a box with a stray item weighs too much: no label, the box stays open */
	weigh(sc, 2, 2, 0, 0);
	check(wait_scale("0 g"), "status shows the empty scale");
	expect_scan("STN:PACKER:ana", 0, "PACKER ana logged in");
	expect_scan("#6001", 0, "OPENED #6001");
	expect_scan("SKU-A", 0, "OK");
	expect_scan("SKU-A", 0, "OK");
	weigh(sc, 3, 2, 0, 700);
	weigh(sc, 4, 3, -2, 124); /* 1.24 kg, as the scale sends kilograms */
	check(wait_scale("1.24 kg"), "status shows 1.24 kg");
	expect_scan("SKU-B", 1, "WEIGHT 1.24 kg, expected 0.90 kg ± 5%: check the box");
	check(e2e_wait_status("#6001", "in_progress"), "#6001 still open after the mismatch");
	expect_scan("#6002", 1, "#6002 not opened");
	/* the packer takes the stray item out; weighs again */
	weigh(sc, 3, 2, 0, 880);
	weigh(sc, 4, 2, 0, 905);
	check(wait_scale("905 g"), "status shows 905 g");
	expect_scan("STN:WEIGH", 0,
	    "COMPLETE #6001: all 3 units packed, label printing"
	    " — WEIGHT 905 g (expected 900 g ± 5%)");
	check(e2e_wait_status("#6001", "fulfilled"), "#6001 fulfilled after STN:WEIGH");
	check(wait_labels(1, text, sizeof(text)), "#6001's label printed");
	check(strstr(text, "905 g") != NULL, "the label says 905 g:\n%s", text);
	check(wait_spool("6001", "\"weight_grams\": 905"), "spool/out carries 905 g");
	check(wait_spool("6001", "\"weight_source\": \"scale\""), "spool/out says scale");
	check(e2e_ctl(text, sizeof(text), "show '#6001' --format json") == 0 &&
		strstr(text, "\"weight_source\": \"scale\"") != NULL,
	    "show says scale: %s", text);

	/* 2. the label is scanned back before the next order */
	sscc_of("#6001", sscc1, sizeof(sscc1));
	check(strlen(sscc1) == 18, "#6001 has an SSCC (%s)", sscc1);
	check(e2e_ctl(text, sizeof(text), "status") == 0 &&
		strstr(text, "waiting for the label") != NULL,
	    "status says the bench waits for the label: %s", text);
	expect_scan("#6002", 1, "LABEL NOT VERIFIED: scan #6001's label on its box first");
	snprintf(q, sizeof(q), "00%s", sscc1); /* as GS1-128 reads: (00) + SSCC */
	expect_scan(q, 0, "LABEL OK: #6001's label is on its box");

	/* 3. a supervisor passes a mismatch: badge, then the PIN */
	expect_scan("#6002", 0, "OPENED #6002");
	weigh(sc, 4, 11, -1, 529); /* 52.9 oz = 1.50 kg */
	check(wait_scale("1.50 kg"), "status shows 1.50 kg");
	expect_scan("SKU-C", 1, "WEIGHT 1.50 kg, expected 0.60 kg ± 5%: check the box");
	expect_scan("STN:OVERRIDE:ana", 1, "a packer's own badge never overrides");
	expect_scan("STN:OVERRIDE:sup1", 0, "SUPERVISOR sup1: type the PIN");
	expect_scan("1111", 1, "wrong PIN for sup1: nothing overridden");
	expect_scan("STN:OVERRIDE:sup1", 0, "SUPERVISOR sup1: type the PIN");
	expect_scan("4321", 0, "OVERRIDDEN by sup1: COMPLETE #6002");
	check(e2e_wait_status("#6002", "fulfilled"), "#6002 fulfilled by the override");
	check(e2e_wait_log("pack-1",
		  "supervisor sup1 passed the weight check of #6002 box 1"
		  " (packer ana)",
		  1),
	    "override logged with who and why");
	check(scans_recorded("pack-1", "4321", NULL) == 0 &&
		scans_recorded("pack-1", "1111", NULL) == 0 &&
		scans_recorded("pack-1", "(PIN for sup1)", NULL) == 2,
	    "PINs are never recorded");
	check(wait_labels(2, text, sizeof(text)), "#6002's label printed");
	check(strstr(text, "1.50 kg") != NULL, "the label says 1.50 kg:\n%s", text);
	check(wait_spool("6002", "\"weight_grams\": 1500"), "spool/out carries 1500 g");

	/* 4. the wrong label, then a reprint that must be scanned too */
	sscc_of("#6002", sscc2, sizeof(sscc2));
	expect_scan(sscc1, 1,
	    "WRONG LABEL: that is #6001 box 1's label; put #6002's label"
	    " on this box");
	expect_scan(sscc2, 0, "LABEL OK: #6002's label is on its box");
	expect_scan("STN:REPRINT", 0, "REPRINT");
	check(wait_labels(3, text, sizeof(text)), "the reprint printed");
	check(strstr(text, "1.50 kg") != NULL, "the reprint says 1.50 kg");
	expect_scan("#6003", 1, "LABEL NOT VERIFIED: scan #6002's label on its box first");
	expect_scan(sscc2, 0, "LABEL OK");

	/* 5. the scale unplugged mid-shift: the box waits; plugged back, it weighs */
	fake_usb_unplug(fu, sc);
	check(e2e_wait_log("pack-1", "scale unplugged", 1), "unplug logged");
	check(wait_scale("absent"), "status shows the scale absent");
	expect_scan("#6003", 0, "OPENED #6003");
	expect_scan("SKU-D", 1, "WEIGHT PENDING: the scale shows absent");
	sc = fake_usb_plug(fu, FAKE_SCALE, 0x0922, 0x8003, NULL, 1);
	check(e2e_wait_log("pack-1", "scale attached (0922:8003", 2), "scale attached again");
	weigh(sc, 4, 2, 0, 310);
	check(wait_scale("310 g"), "status shows 310 g");
	expect_scan("STN:WEIGH", 0, "COMPLETE #6003");
	check(e2e_wait_status("#6003", "fulfilled"), "#6003 fulfilled after the replug");
	check(wait_spool("6003", "\"weight_grams\": 310"), "spool/out carries 310 g");
	check(wait_labels(4, text, sizeof(text)) && strstr(text, "310 g") != NULL,
	    "#6003's label says 310 g:\n%s", text);
	sscc_of("#6003", sscc3, sizeof(sscc3));
	check(strlen(sscc3) == 18, "#6003 has an SSCC");
	/* the label's tracking number verifies it as well as its SSCC */
	expect_scan("EE123456785DE", 0, "LABEL OK: #6003's label is on its box");
	/* no label awaited: an SSCC is not a label scan (as before issue 15) */
	expect_scan(sscc3, 1, "no order");

	/* the log has every new verdict */
	sql1("SELECT count(DISTINCT verdict) FROM scans WHERE verdict IN ('weight_mismatch',"
	     " 'weight_pending', 'label_verified', 'label_not_verified', 'wrong_label',"
	     " 'override_pin', 'overridden', 'override_refused')",
	    v, sizeof(v));
	check(strcmp(v, "8") == 0, "8 new verdicts recorded, got %s", v);
	check(e2e_wait_log("pack-1", "\"verdict\": \"wrong_label\"", 1), "log shows wrong_label");
	/* stats by packer: 5 weighings (3 boxes passed or passed over, 2 refused), 5 labels
	 * scanned back of which 1 was another package's */
	check(e2e_ctl(text, sizeof(text), "stats --by packer --format csv") == 0 &&
		strstr(text,
		    ",weighings,misweighs,misweigh_rate,label_scans,wrong_labels,"
		    "wrong_label_rate") != NULL &&
		strstr(text, ",5,2,0.4000,5,1,0.2000") != NULL,
	    "stats by packer: %s", text);

	check(stop_daemon() == 0, "stationd exit status");
	fake_dev_stats(sc, &st);
	check(st.claimed == 0 && st.kernel_driver == 1, "scale's kernel driver given back");
	fake_usb_free(fu);
	printf("test_scale_e2e: %d passed, %d failed\n", npass, nfail);
	return nfail == 0 ? 0 : 1;
}
