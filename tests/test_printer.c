/*
 * Printer driver against real parts: ippeveprinter instances and a private
 * cupsd started by tests/rig/printers.sh, on loopback in a temp dir.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>

#include "drivers/printer.h"
#include "station/loop.h"

#define MAX_EVENTS	256
#define DEADLINE_MS	15000

static char rig_dir[PATH_MAX];
static char rig_script[PATH_MAX];
static char eve1_uri[256], eve2_uri[256], cups_server[64], q_raw[64], q_every[64];

/* ---- rig ---- */

static int
run(const char *fmt, ...)
{
	char cmd[2 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Reads NAME='value' or NAME=value from DIR/rig.env. */
static void
rig_var(const char *name, char *out, size_t outlen)
{
	char path[PATH_MAX], line[512];
	size_t n = strlen(name);
	FILE *f;

	snprintf(path, sizeof(path), "%s/rig.env", rig_dir);
	out[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, name, n) != 0 || line[n] != '=')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, outlen, "%s", line + n + 1 + (line[n + 1] == '\''));
		if (out[0] != '\0' && out[strlen(out) - 1] == '\'')
			out[strlen(out) - 1] = '\0';
	}
	fclose(f);
}

/* The repo root, from build/tests/test_printer. */
static void
find_script(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *p;

	if (n < 0)
		n = 0;
	exe[n] = '\0';
	if ((p = strstr(exe, "/build/tests/")) != NULL)
		*p = '\0';
	else
		snprintf(exe, sizeof(exe), ".");
	snprintf(rig_script, sizeof(rig_script), "%s/tests/rig/printers.sh", exe);
}

static void
rig_start(void)
{
	find_script();
	snprintf(rig_dir, sizeof(rig_dir), "/tmp/printer-test-XXXXXX");
	if (mkdtemp(rig_dir) == NULL || chmod(rig_dir, 0755) == -1)
		abort();
	if (run("sh %s start %s >/dev/null", rig_script, rig_dir) != 0) {
		run("sh %s stop %s; rm -rf %s", rig_script, rig_dir, rig_dir);
		fprintf(stderr, "test_printer: rig did not start\n");
		abort();
	}
	rig_var("EVE1_URI", eve1_uri, sizeof(eve1_uri));
	rig_var("EVE2_URI", eve2_uri, sizeof(eve2_uri));
	rig_var("CUPS_SERVER", cups_server, sizeof(cups_server));
	rig_var("Q_RAW", q_raw, sizeof(q_raw));
	rig_var("Q_EVERYWHERE", q_every, sizeof(q_every));
}

static void
rig_stop(void)
{
	run("sh %s stop %s; rm -rf %s", rig_script, rig_dir, rig_dir);
}

static void
rig_ensure(void)
{
	ck_assert_int_eq(run("sh %s ensure %s >/dev/null", rig_script, rig_dir), 0);
}

static void
fault_file(const char *name, int on)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/faults/%s", rig_dir, name);
	if (!on) {
		unlink(path);
		return;
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
}

/* ---- a real PDF from libharu ---- */

static void
pdf_error(HPDF_STATUS e, HPDF_STATUS d, void *arg)
{
	(void)e;
	(void)d;
	(void)arg;
	abort();
}

/* A one-page PDF whose text makes each document's bytes unique. */
static unsigned char *
make_pdf(const char *text, size_t *len)
{
	HPDF_Doc pdf = HPDF_New(pdf_error, NULL);
	HPDF_Page page = HPDF_AddPage(pdf);
	HPDF_UINT32 n;
	unsigned char *buf;

	HPDF_Page_SetWidth(page, 288);
	HPDF_Page_SetHeight(page, 432);
	HPDF_Page_BeginText(page);
	HPDF_Page_SetFontAndSize(page, HPDF_GetFont(pdf, "Helvetica", NULL), 14);
	HPDF_Page_TextOut(page, 20, 400, text);
	HPDF_Page_EndText(page);
	HPDF_SaveToStream(pdf);
	n = HPDF_GetStreamSize(pdf);
	buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	HPDF_ReadFromStream(pdf, buf, &n);
	HPDF_Free(pdf);
	*len = n;
	return buf;
}

/* ---- events ---- */

struct ev {
	enum printer_event_kind	 kind;
	int64_t			 ref;
	int			 job_id;
	enum print_state	 state;
	unsigned		 alerts;
	char			 dest[256];
	char			 reason[256];
};

static struct ev events[MAX_EVENTS];
static int nevents;

static void
on_event(const struct printer_event *e, void *arg)
{
	struct ev *v;

	(void)arg;
	if (nevents == MAX_EVENTS)
		return;
	v = &events[nevents++];
	v->kind = e->kind;
	v->ref = e->ref;
	v->job_id = e->job_id;
	v->state = e->state;
	v->alerts = e->alerts;
	snprintf(v->dest, sizeof(v->dest), "%s", e->dest);
	snprintf(v->reason, sizeof(v->reason), "%s", e->reason);
}

static struct loop *loop;
static struct printers *ps;

static void
setup(void)
{
	rig_ensure();
	nevents = 0;
	ck_assert_ptr_nonnull(loop = loop_new());
	ck_assert_ptr_nonnull(ps = printers_new(loop, on_event, NULL));
	ck_assert_int_eq(printers_set_server(ps, cups_server), 0);
	printers_set_stall_ms(ps, 1500);
}

static void
teardown(void)
{
	printers_free(ps);
	loop_free(loop);
}

/* The first event for ref of kind (and state, if kind is STATE), or NULL. */
static const struct ev *
find_event(int64_t ref, enum printer_event_kind kind, int state)
{
	int i;

	for (i = 0; i < nevents; i++)
		if (events[i].ref == ref && events[i].kind == kind &&
		    (state < 0 || (int)events[i].state == state))
			return &events[i];
	return NULL;
}

/* The last alert event for dest seen from index from on, or NULL. */
static const struct ev *
last_alert(const char *dest)
{
	int i;

	for (i = nevents - 1; i >= 0; i--)
		if (events[i].kind == PRINTER_EV_ALERT && strcmp(events[i].dest, dest) == 0)
			return &events[i];
	return NULL;
}

/* On a failed wait, show what did happen. */
static void
dump_events(const char *why)
{
	int i;

	fprintf(stderr, "--- %s; events so far:\n", why);
	for (i = 0; i < nevents; i++)
		fprintf(stderr, "  %d ref=%lld job=%d state=%s alerts=%#x %s: %s\n",
		    events[i].kind, (long long)events[i].ref, events[i].job_id,
		    print_state_name(events[i].state), events[i].alerts, events[i].dest,
		    events[i].reason);
}

/* Runs the loop until ref has an event of that kind/state, or the deadline. */
static const struct ev *
wait_event(int64_t ref, enum printer_event_kind kind, int state)
{
	int64_t end = loop_now_ms() + DEADLINE_MS;
	const struct ev *e;

	while ((e = find_event(ref, kind, state)) == NULL && loop_now_ms() < end)
		loop_run_once(loop, 50);
	if (e == NULL)
		dump_events("wait_event timed out");
	return e;
}

/* Runs the loop until dest's current alert set has (or lacks) bits. */
static const struct ev *
wait_alert(const char *dest, unsigned bits, int set)
{
	int64_t end = loop_now_ms() + DEADLINE_MS;
	const struct ev *e;

	for (;;) {
		e = last_alert(dest);
		if (e != NULL && (set ? (e->alerts & bits) == bits : (e->alerts & bits) == 0))
			return e;
		if (loop_now_ms() >= end) {
			dump_events("wait_alert timed out");
			return NULL;
		}
		loop_run_once(loop, 50);
	}
}

/* Runs the loop until ref's job ends (completed, cancelled or aborted). */
static const struct ev *
wait_terminal(int64_t ref)
{
	int64_t end = loop_now_ms() + DEADLINE_MS;
	const struct ev *e;
	int s;

	while (loop_now_ms() < end) {
		for (s = PRINT_COMPLETED; s <= PRINT_ABORTED; s++)
			if ((e = find_event(ref, PRINTER_EV_STATE, s)) != NULL)
				return e;
		loop_run_once(loop, 50);
	}
	dump_events("wait_terminal timed out");
	return NULL;
}

/* Waits until path exists (the sink finished or started a job). */
static int
wait_file(const char *path)
{
	int64_t end = loop_now_ms() + DEADLINE_MS;

	while (access(path, F_OK) != 0) {
		if (loop_now_ms() >= end)
			return -1;
		loop_run_once(loop, 20);
	}
	return 0;
}

static unsigned char *
read_file(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Asserts printer eveN's job id received exactly pdf. */
static void
assert_received(int eve, int job_id, const unsigned char *pdf, size_t len)
{
	char path[PATH_MAX];
	unsigned char *got;
	size_t glen = 0;

	snprintf(path, sizeof(path), "%s/recv/eve%d/job-%d.pdf", rig_dir, eve, job_id);
	ck_assert_int_eq(wait_file(path), 0);
	ck_assert_ptr_nonnull(got = read_file(path, &glen));
	ck_assert_uint_eq(glen, len);
	ck_assert(memcmp(got, pdf, len) == 0);
	free(got);
}

/* The IPP_* environment the sink saw for eveN's job id. */
static char *
received_env(int eve, int job_id)
{
	char path[PATH_MAX];
	size_t len;

	snprintf(path, sizeof(path), "%s/recv/eve%d/job-%d.env", rig_dir, eve, job_id);
	ck_assert_int_eq(wait_file(path), 0);
	return (char *)read_file(path, &len);
}

/* Finds which job id of eveN holds exactly pdf (queues renumber jobs). */
static int
find_received(int eve, const unsigned char *pdf, size_t len)
{
	int64_t end = loop_now_ms() + DEADLINE_MS;
	char path[PATH_MAX];
	unsigned char *got;
	size_t glen;
	int id;

	while (loop_now_ms() < end) {
		for (id = 1; id < 64; id++) {
			snprintf(path, sizeof(path), "%s/recv/eve%d/job-%d.pdf", rig_dir,
			    eve, id);
			if ((got = read_file(path, &glen)) == NULL)
				continue;
			if (glen == len && memcmp(got, pdf, len) == 0) {
				free(got);
				return id;
			}
			free(got);
		}
		loop_run_once(loop, 50);
	}
	return -1;
}

/* Submits pdf and returns after the printer completed it (asserted). */
static int
print_and_complete(int64_t ref, const char *dest, const struct print_opts *o,
    const unsigned char *pdf, size_t len)
{
	const struct ev *e;

	ck_assert_int_eq(printers_submit(ps, ref, dest, o, pdf, len), 0);
	e = wait_event(ref, PRINTER_EV_ACCEPTED, -1);
	ck_assert_msg(e != NULL, "job %lld not accepted", (long long)ref);
	ck_assert_int_gt(e->job_id, 0);
	e = wait_event(ref, PRINTER_EV_STATE, PRINT_COMPLETED);
	ck_assert_msg(e != NULL, "job %lld not completed", (long long)ref);
	return e->job_id;
}

/* ---- tests ---- */

START_TEST(media_closest)
{
	const char *label[] = { "na_index-4x6_4x6in", "oe_4x4-label_4x4in",
	    "na_letter_8.5x11in", "custom_min_25.4x25.4mm" };
	const char *sheet[] = { "na_letter_8.5x11in", "iso_a4_210x297mm" };
	char out[64];

	ck_assert_int_eq(printer_media_closest("4x6", label, 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "na_index-4x6_4x6in");
	ck_assert_int_eq(printer_media_closest("iso_a6_105x148mm", label, 4, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "na_index-4x6_4x6in");
	ck_assert_int_eq(printer_media_closest("4x4", label, 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "oe_4x4-label_4x4in");
	ck_assert_int_eq(printer_media_closest("a4", sheet, 2, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "iso_a4_210x297mm");
	ck_assert_int_eq(printer_media_closest("letter", sheet, 2, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "na_letter_8.5x11in");
	ck_assert_int_eq(printer_media_closest("no-such-size", sheet, 2, out,
	    sizeof(out)), -1);
	ck_assert_int_eq(printer_media_closest("4x6", sheet, 0, out, sizeof(out)), -1);
	ck_assert_str_eq(print_state_name(PRINT_FAILED), "failed");
	ck_assert_str_eq(print_state_name(PRINT_CANCELLED), "cancelled");
}
END_TEST

START_TEST(direct_ipp_exact_bytes_and_options)
{
	struct print_opts o = { "4x6", 2, "#1001 pkg 1 label" };
	size_t len;
	unsigned char *pdf = make_pdf("direct #1001", &len);
	char *env;
	int id;

	id = print_and_complete(1, eve1_uri, &o, pdf, len);
	assert_received(1, id, pdf, len);
	env = received_env(1, id);
	ck_assert_ptr_nonnull(strstr(env, "IPP_MEDIA=na_index-4x6_4x6in\n"));
	ck_assert_ptr_nonnull(strstr(env, "IPP_COPIES=2\n"));
	ck_assert_ptr_nonnull(strstr(env, "IPP_JOB_NAME=#1001 pkg 1 label\n"));
	ck_assert_ptr_nonnull(strstr(env, "IPP_DOCUMENT_FORMAT_SUPPLIED=application/pdf\n"));
	ck_assert_uint_eq(printers_pending(ps), 0);
	free(env);
	free(pdf);
}
END_TEST

START_TEST(direct_ipp_closest_media)
{
	struct print_opts o = { "iso_a6_105x148mm", 1, "a6 on a 4x6 printer" };
	size_t len;
	unsigned char *pdf = make_pdf("a6", &len);
	char *env;
	int id;

	id = print_and_complete(2, eve1_uri, &o, pdf, len);
	env = received_env(1, id);
	ck_assert_ptr_nonnull(strstr(env, "IPP_MEDIA=na_index-4x6_4x6in\n"));
	free(env);
	free(pdf);
}
END_TEST

START_TEST(direct_ipp_back_to_back)
{
	unsigned char *pdf[3];
	size_t len[3];
	char text[32];
	const struct ev *e;
	int i;

	/* ippeveprinter takes one job at a time and answers the rest "busy":
	 * the driver keeps them and sends them in order. */
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "back to back %d", i);
		pdf[i] = make_pdf(text, &len[i]);
		ck_assert_int_eq(printers_submit(ps, 20 + i, eve1_uri, NULL, pdf[i], len[i]),
		    0);
	}
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(e = wait_event(20 + i, PRINTER_EV_STATE,
		    PRINT_COMPLETED));
		assert_received(1, e->job_id, pdf[i], len[i]);
		ck_assert_ptr_null(find_event(20 + i, PRINTER_EV_FAILED, -1));
		free(pdf[i]);
	}
	ck_assert_int_lt(find_event(20, PRINTER_EV_ACCEPTED, -1)->job_id,
	    find_event(22, PRINTER_EV_ACCEPTED, -1)->job_id);
}
END_TEST

START_TEST(raw_queue_exact_bytes)
{
	struct print_opts o = { "na_index-4x6_4x6in", 1, "#1002 pkg 1 label" };
	size_t len;
	unsigned char *pdf = make_pdf("raw queue #1002", &len);
	char *env;
	int id;

	print_and_complete(3, q_raw, &o, pdf, len);
	ck_assert_int_gt(id = find_received(1, pdf, len), 0);
	env = received_env(1, id);
	ck_assert_ptr_nonnull(strstr(env, "IPP_MEDIA=na_index-4x6_4x6in\n"));
	ck_assert_ptr_nonnull(strstr(env, "IPP_JOB_NAME=#1002 pkg 1 label\n"));
	free(env);
	free(pdf);
}
END_TEST

START_TEST(everywhere_queue_completes)
{
	struct print_opts o = { "letter", 1, "#1003 slip" };
	size_t len;
	unsigned char *pdf = make_pdf("packing slip #1003", &len);
	char path[PATH_MAX];

	print_and_complete(4, q_every, &o, pdf, len);
	/* The filter chain rewrote the document; eve2 got a job all the same. */
	snprintf(path, sizeof(path), "%s/recv/eve2/job-1.env", rig_dir);
	ck_assert_int_eq(wait_file(path), 0);
	free(pdf);
}
END_TEST

START_TEST(unknown_queue)
{
	const struct ev *e;
	char err[256];

	ck_assert_int_eq(printers_submit(ps, 5, "no_such_queue", NULL, "%PDF", 4), 0);
	ck_assert_ptr_nonnull(e = wait_event(5, PRINTER_EV_FAILED, -1));
	ck_assert_msg(strstr(e->reason, "unknown queue no_such_queue") != NULL, "%s",
	    e->reason);
	ck_assert_ptr_nonnull(wait_alert("no_such_queue", PRINTER_ALERT_UNKNOWN_QUEUE, 1));
	ck_assert_uint_eq(printers_pending(ps), 0);
	ck_assert_int_eq(printer_check_dest(cups_server, "no_such_queue", err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unknown queue no_such_queue") != NULL, "%s", err);
	ck_assert_int_eq(printer_check_dest(cups_server, q_raw, err, sizeof(err)), 0);
	ck_assert_int_eq(printer_check_dest(cups_server, eve1_uri, err, sizeof(err)), 0);
	ck_assert_int_eq(printer_check_dest(NULL, "bad/name", err, sizeof(err)), -1);
	ck_assert_int_eq(printer_check_dest(NULL, "http://x/y", err, sizeof(err)), -1);
}
END_TEST

START_TEST(cupsd_not_running)
{
	const struct ev *e;
	char err[256];
	int64_t t0;

	/* Port 1 on loopback: nothing listens, connect is refused at once. */
	ck_assert_int_eq(printers_set_server(ps, "127.0.0.1:1"), 0);
	t0 = loop_now_ms();
	ck_assert_int_eq(printers_submit(ps, 6, "label", NULL, "%PDF", 4), 0);
	ck_assert_ptr_nonnull(e = wait_event(6, PRINTER_EV_FAILED, -1));
	ck_assert_int_lt(loop_now_ms() - t0, 1000);
	ck_assert_msg(strstr(e->reason, "CUPS server") != NULL &&
	    strstr(e->reason, "not running") != NULL, "%s", e->reason);
	ck_assert_ptr_nonnull(e = wait_alert("label", PRINTER_ALERT_SERVER_DOWN, 1));
	t0 = loop_now_ms();
	ck_assert_int_eq(printer_check_dest("127.0.0.1:1", "label", err, sizeof(err)), -2);
	ck_assert_int_lt(loop_now_ms() - t0, 1000);
	ck_assert_msg(strstr(err, "not running") != NULL, "%s", err);
}
END_TEST

START_TEST(rejecting_queue)
{
	size_t len;
	unsigned char *pdf = make_pdf("rejected then printed", &len);
	const struct ev *e;

	ck_assert_int_eq(run("cupsreject -h %s %s", cups_server, q_raw), 0);
	ck_assert_int_eq(printers_submit(ps, 7, q_raw, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(e = wait_event(7, PRINTER_EV_FAILED, -1));
	ck_assert_msg(strstr(e->reason, "not accepting jobs") != NULL, "%s", e->reason);
	ck_assert_ptr_nonnull(wait_alert(q_raw, PRINTER_ALERT_REJECTING, 1));
	ck_assert_int_eq(run("cupsaccept -h %s %s", cups_server, q_raw), 0);
	ck_assert_ptr_nonnull(e = wait_alert(q_raw, PRINTER_ALERT_REJECTING, 0));
	ck_assert_uint_eq(e->alerts, 0);
	print_and_complete(8, q_raw, NULL, pdf, len);
	ck_assert_int_gt(find_received(1, pdf, len), 0);
	free(pdf);
}
END_TEST

START_TEST(disabled_queue)
{
	size_t len;
	unsigned char *pdf = make_pdf("held by a paused queue", &len);
	const struct ev *e;

	ck_assert_int_eq(run("cupsdisable -h %s %s", cups_server, q_raw), 0);
	ck_assert_int_eq(printers_submit(ps, 9, q_raw, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(e = wait_event(9, PRINTER_EV_ACCEPTED, -1));
	ck_assert_int_eq(e->state, PRINT_PENDING);
	ck_assert_ptr_nonnull(e = wait_alert(q_raw, PRINTER_ALERT_PAUSED, 1));
	ck_assert_msg(strstr(e->reason, "paused") != NULL, "%s", e->reason);
	ck_assert_ptr_null(find_event(9, PRINTER_EV_STATE, PRINT_COMPLETED));
	ck_assert_int_eq(run("cupsenable -h %s %s", cups_server, q_raw), 0);
	ck_assert_ptr_nonnull(wait_event(9, PRINTER_EV_STATE, PRINT_COMPLETED));
	ck_assert_ptr_nonnull(e = wait_alert(q_raw, PRINTER_ALERT_PAUSED, 0));
	ck_assert_int_gt(find_received(1, pdf, len), 0);
	free(pdf);
}
END_TEST

START_TEST(printer_killed_before_job)
{
	size_t len;
	unsigned char *pdf = make_pdf("printer was off", &len);
	const struct ev *e;
	int id;

	ck_assert_int_eq(run("sh %s kill-eve %s 1", rig_script, rig_dir), 0);
	ck_assert_int_eq(printers_submit(ps, 10, eve1_uri, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(e = wait_event(10, PRINTER_EV_FAILED, -1));
	ck_assert_msg(strstr(e->reason, "unreachable") != NULL, "%s", e->reason);
	ck_assert_ptr_nonnull(wait_alert(eve1_uri, PRINTER_ALERT_OFFLINE, 1));
	ck_assert_int_eq(run("sh %s start-eve %s 1", rig_script, rig_dir), 0);
	ck_assert_ptr_nonnull(e = wait_alert(eve1_uri, PRINTER_ALERT_OFFLINE, 0));
	ck_assert_uint_eq(e->alerts, 0);
	/* The caller (printq) resubmits what failed; nothing was lost. */
	id = print_and_complete(11, eve1_uri, NULL, pdf, len);
	assert_received(1, id, pdf, len);
	free(pdf);
}
END_TEST

/* Waits for the sink to hold a job of eveN (its .tmp copy exists). */
static void
wait_sink_busy(int eve, int job_id)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/recv/eve%d/job-%d.pdf.tmp", rig_dir, eve, job_id);
	ck_assert_int_eq(wait_file(path), 0);
}

START_TEST(printer_killed_during_direct_job)
{
	size_t len;
	unsigned char *pdf = make_pdf("printer died mid-job", &len);
	const struct ev *e;
	int id;

	fault_file("eve1.hold", 1);
	ck_assert_int_eq(printers_submit(ps, 12, eve1_uri, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(e = wait_event(12, PRINTER_EV_ACCEPTED, -1));
	wait_sink_busy(1, e->job_id);
	ck_assert_int_eq(run("sh %s kill-eve %s 1", rig_script, rig_dir), 0);
	ck_assert_ptr_nonnull(wait_alert(eve1_uri, PRINTER_ALERT_OFFLINE, 1));
	ck_assert_ptr_null(find_event(12, PRINTER_EV_STATE, PRINT_COMPLETED));
	fault_file("eve1.hold", 0);
	ck_assert_int_eq(run("sh %s start-eve %s 1", rig_script, rig_dir), 0);
	/* The new printer never heard of the job: reported lost, not done. */
	ck_assert_ptr_nonnull(e = wait_event(12, PRINTER_EV_STATE, PRINT_ABORTED));
	ck_assert_msg(strncmp(e->reason, "lost:", 5) == 0, "%s", e->reason);
	ck_assert_ptr_nonnull(wait_alert(eve1_uri, PRINTER_ALERT_OFFLINE, 0));
	id = print_and_complete(13, eve1_uri, NULL, pdf, len);
	assert_received(1, id, pdf, len);
	free(pdf);
}
END_TEST

START_TEST(printer_killed_during_queued_job)
{
	size_t len;
	unsigned char *pdf = make_pdf("cupsd keeps the job", &len);
	const struct ev *e;

	fault_file("eve1.hold", 1);
	ck_assert_int_eq(printers_submit(ps, 14, q_raw, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(e = wait_event(14, PRINTER_EV_ACCEPTED, -1));
	ck_assert_ptr_nonnull(wait_event(14, PRINTER_EV_STATE, PRINT_PROCESSING));
	ck_assert_int_eq(run("sh %s kill-eve %s 1", rig_script, rig_dir), 0);
	ck_assert_ptr_nonnull(e = wait_alert(q_raw, PRINTER_ALERT_OFFLINE, 1));
	ck_assert_ptr_null(find_event(14, PRINTER_EV_STATE, PRINT_COMPLETED));
	fault_file("eve1.hold", 0);
	ck_assert_int_eq(run("sh %s start-eve %s 1", rig_script, rig_dir), 0);
	/*
	 * Either cupsd sends the job again and it completes, or its backend
	 * finds the restarted printer forgot the job and cupsd calls it
	 * completed: the driver reports that as lost, and it is resubmitted.
	 */
	e = wait_terminal(14);
	ck_assert_ptr_nonnull(e);
	if (e->state == PRINT_ABORTED) {
		ck_assert_msg(strncmp(e->reason, "lost:", 5) == 0, "%s", e->reason);
		print_and_complete(15, q_raw, NULL, pdf, len);
	} else {
		ck_assert_int_eq(e->state, PRINT_COMPLETED);
	}
	ck_assert_int_gt(find_received(1, pdf, len), 0);
	ck_assert_ptr_nonnull(wait_alert(q_raw, PRINTER_ALERT_OFFLINE, 0));
	free(pdf);
}
END_TEST

START_TEST(idle_printer_watched)
{
	const struct ev *e;

	ck_assert_int_eq(printers_watch(ps, eve2_uri), 0);
	ck_assert_ptr_nonnull(e = wait_alert(eve2_uri, ~0u, 0));
	ck_assert_msg(strstr(e->reason, ": ready") != NULL, "%s", e->reason);
	ck_assert_int_eq(run("sh %s kill-eve %s 2", rig_script, rig_dir), 0);
	ck_assert_ptr_nonnull(e = wait_alert(eve2_uri, PRINTER_ALERT_OFFLINE, 1));
	ck_assert_msg(strstr(e->reason, "offline") != NULL, "%s", e->reason);
	ck_assert_int_eq(run("sh %s start-eve %s 2", rig_script, rig_dir), 0);
	ck_assert_ptr_nonnull(wait_alert(eve2_uri, PRINTER_ALERT_OFFLINE, 0));
	ck_assert_uint_eq(printers_pending(ps), 0);
}
END_TEST

/* The one child process of this test: the destination's worker. */
static pid_t
worker_pid(void)
{
	char path[64], buf[256];
	FILE *f;
	long pid = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)getpid(),
	    (int)getpid());
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		pid = strtol(buf, NULL, 10);
	fclose(f);
	return pid > 0 ? (pid_t)pid : -1;
}

START_TEST(worker_death_fails_its_jobs)
{
	size_t len;
	unsigned char *pdf = make_pdf("worker died", &len);
	const struct ev *e;
	pid_t pid;

	fault_file("eve1.hold", 1);
	ck_assert_int_eq(printers_submit(ps, 16, eve1_uri, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(wait_event(16, PRINTER_EV_ACCEPTED, -1));
	ck_assert_int_gt(pid = worker_pid(), 0);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_ptr_nonnull(e = wait_event(16, PRINTER_EV_FAILED, -1));
	ck_assert_msg(strstr(e->reason, "exited") != NULL, "%s", e->reason);
	ck_assert_uint_eq(printers_pending(ps), 0);
	fault_file("eve1.hold", 0);
	/* A new worker takes the next job. */
	print_and_complete(17, eve1_uri, NULL, pdf, len);
	free(pdf);
}
END_TEST

START_TEST(follow_after_restart)
{
	size_t len;
	unsigned char *pdf = make_pdf("followed by the next daemon", &len);
	const struct ev *e;
	int job_id;

	ck_assert_int_eq(run("cupsdisable -h %s %s", cups_server, q_raw), 0);
	ck_assert_int_eq(printers_submit(ps, 30, q_raw, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(e = wait_event(30, PRINTER_EV_ACCEPTED, -1));
	job_id = e->job_id;
	/* The daemon stops; the next one follows the stored job id. */
	printers_free(ps);
	nevents = 0;
	ck_assert_ptr_nonnull(ps = printers_new(loop, on_event, NULL));
	ck_assert_int_eq(printers_set_server(ps, cups_server), 0);
	ck_assert_int_eq(printers_follow(ps, 30, q_raw, job_id), 0);
	ck_assert_ptr_nonnull(e = wait_event(30, PRINTER_EV_STATE, PRINT_PENDING));
	ck_assert_int_eq(run("cupsenable -h %s %s", cups_server, q_raw), 0);
	ck_assert_ptr_nonnull(e = wait_event(30, PRINTER_EV_STATE, PRINT_COMPLETED));
	ck_assert_int_eq(e->job_id, job_id);
	ck_assert_int_gt(find_received(1, pdf, len), 0);
	/* A job the printer never had is reported lost, to be printed again. */
	ck_assert_int_eq(printers_follow(ps, 31, eve1_uri, 9999), 0);
	ck_assert_ptr_nonnull(e = wait_event(31, PRINTER_EV_STATE, PRINT_ABORTED));
	ck_assert_msg(strncmp(e->reason, "lost:", 5) == 0, "%s", e->reason);
	ck_assert_uint_eq(printers_pending(ps), 0);
	free(pdf);
}
END_TEST

/* Out of labels, seen on dest (eve1 directly or through the raw queue). */
static void
media_empty_on(int64_t ref, const char *dest)
{
	size_t len;
	unsigned char *pdf = make_pdf(dest, &len);
	const struct ev *e;

	fault_file("eve1.media-empty", 1);
	ck_assert_int_eq(printers_submit(ps, ref, dest, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(e = wait_alert(dest, PRINTER_ALERT_MEDIA_EMPTY, 1));
	ck_assert_msg(strstr(e->reason, "out of media") != NULL, "%s", e->reason);
	ck_assert_ptr_null(find_event(ref, PRINTER_EV_STATE, PRINT_COMPLETED));
	fault_file("eve1.media-empty", 0);
	ck_assert_ptr_nonnull(wait_event(ref, PRINTER_EV_STATE, PRINT_COMPLETED));
	ck_assert_ptr_nonnull(wait_alert(dest, PRINTER_ALERT_MEDIA_EMPTY, 0));
	ck_assert_int_gt(find_received(1, pdf, len), 0);
	free(pdf);
}

START_TEST(media_empty_direct)
{
	media_empty_on(40, eve1_uri);
}
END_TEST

START_TEST(media_empty_queue)
{
	media_empty_on(41, q_raw);
}
END_TEST

static Suite *
printer_suite(void)
{
	Suite *s = suite_create("printer");
	TCase *pure = tcase_create("pure");
	TCase *real = tcase_create("real");

	tcase_add_test(pure, media_closest);
	suite_add_tcase(s, pure);

	tcase_add_unchecked_fixture(real, rig_start, rig_stop);
	tcase_add_checked_fixture(real, setup, teardown);
	tcase_set_timeout(real, 60);
	tcase_add_test(real, direct_ipp_exact_bytes_and_options);
	tcase_add_test(real, direct_ipp_closest_media);
	tcase_add_test(real, direct_ipp_back_to_back);
	tcase_add_test(real, raw_queue_exact_bytes);
	tcase_add_test(real, everywhere_queue_completes);
	tcase_add_test(real, unknown_queue);
	tcase_add_test(real, cupsd_not_running);
	tcase_add_test(real, rejecting_queue);
	tcase_add_test(real, disabled_queue);
	tcase_add_test(real, follow_after_restart);
	tcase_add_test(real, media_empty_direct);
	tcase_add_test(real, media_empty_queue);
	tcase_add_test(real, printer_killed_before_job);
	tcase_add_test(real, printer_killed_during_direct_job);
	tcase_add_test(real, printer_killed_during_queued_job);
	tcase_add_test(real, idle_printer_watched);
	tcase_add_test(real, worker_death_fails_its_jobs);
	suite_add_tcase(s, real);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(printer_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
