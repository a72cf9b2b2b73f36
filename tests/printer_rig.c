/*
 * Shared by the printer suites: the rig (tests/rig/printers.sh), real PDFs,
 * and an event log with deadline-bounded waits on the loop.
 */
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>

#include "drivers/printer.h"
#include "common/loop.h"
#include "tests/printer_rig.h"
char rig_dir[PATH_MAX];
char rig_script[PATH_MAX];
char eve1_uri[256], eve2_uri[256], cups_server[64], q_raw[64], q_every[64];

/* ---- rig ---- */

int
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

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/rig.env", rig_dir), (int)sizeof(path));
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
	ck_assert_int_lt(snprintf(rig_script, sizeof(rig_script), "%s/tests/rig/printers.sh", exe),
	    (int)sizeof(rig_script));
}

void
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

void
rig_stop(void)
{
	run("sh %s stop %s; rm -rf %s", rig_script, rig_dir, rig_dir);
}

void
rig_ensure(void)
{
	ck_assert_int_eq(run("sh %s ensure %s >/dev/null", rig_script, rig_dir), 0);
}

void
fault_file(const char *name, int on)
{
	char path[PATH_MAX];
	FILE *f;

	ck_assert_int_lt(
	    snprintf(path, sizeof(path), "%s/faults/%s", rig_dir, name), (int)sizeof(path));
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
unsigned char *
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


struct ev events[MAX_EVENTS];
int nevents;

void
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

struct loop *loop;
struct printers *ps;

void
setup(void)
{
	rig_ensure();
	nevents = 0;
	ck_assert_ptr_nonnull(loop = loop_new());
	ck_assert_ptr_nonnull(ps = printers_new(loop, on_event, NULL));
	ck_assert_int_eq(printers_set_server(ps, cups_server), 0);
	printers_set_stall_ms(ps, 1500);
}

void
teardown(void)
{
	printers_free(ps);
	loop_free(loop);
}

/* The first event for ref of kind (and state, if kind is STATE), or NULL. */
const struct ev *
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
const struct ev *
last_alert(const char *dest)
{
	int i;

	for (i = nevents - 1; i >= 0; i--)
		if (events[i].kind == PRINTER_EV_ALERT && strcmp(events[i].dest, dest) == 0)
			return &events[i];
	return NULL;
}

/* On a failed wait, show what did happen. */
void
dump_events(const char *why)
{
	int i;

	fprintf(stderr, "--- %s; events so far:\n", why);
	for (i = 0; i < nevents; i++)
		fprintf(stderr, "  %d ref=%lld job=%d state=%s alerts=%#x %s: %s\n", events[i].kind,
		    (long long)events[i].ref, events[i].job_id, print_state_name(events[i].state),
		    events[i].alerts, events[i].dest, events[i].reason);
}

/* Runs the loop until ref has an event of that kind/state, or the deadline. */
const struct ev *
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
const struct ev *
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
const struct ev *
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
int
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

unsigned char *
read_file(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Asserts printer eveN's job id received exactly pdf. */
void
assert_received(int eve, int job_id, const unsigned char *pdf, size_t len)
{
	char path[PATH_MAX];
	unsigned char *got;
	size_t glen = 0;

	ck_assert_int_lt(
	    snprintf(path, sizeof(path), "%s/recv/eve%d/job-%d.pdf", rig_dir, eve, job_id),
	    (int)sizeof(path));
	ck_assert_int_eq(wait_file(path), 0);
	ck_assert_ptr_nonnull(got = read_file(path, &glen));
	ck_assert_uint_eq(glen, len);
	ck_assert(memcmp(got, pdf, len) == 0);
	free(got);
}

/* The IPP_* environment the sink saw for eveN's job id. */
char *
received_env(int eve, int job_id)
{
	char path[PATH_MAX];
	size_t len;

	ck_assert_int_lt(
	    snprintf(path, sizeof(path), "%s/recv/eve%d/job-%d.env", rig_dir, eve, job_id),
	    (int)sizeof(path));
	ck_assert_int_eq(wait_file(path), 0);
	return (char *)read_file(path, &len);
}

/* Finds which job id of eveN holds exactly pdf (queues renumber jobs). */
int
find_received(int eve, const unsigned char *pdf, size_t len)
{
	int64_t end = loop_now_ms() + DEADLINE_MS;
	char path[PATH_MAX];
	unsigned char *got;
	size_t glen;
	int id;

	while (loop_now_ms() < end) {
		for (id = 1; id < 64; id++) {
			ck_assert_int_lt(snprintf(path, sizeof(path), "%s/recv/eve%d/job-%d.pdf",
					     rig_dir, eve, id),
			    (int)sizeof(path));
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
int
print_and_complete(
    int64_t ref, const char *dest, const struct print_opts *o, const unsigned char *pdf, size_t len)
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
