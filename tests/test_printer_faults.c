/*
 * Printer faults against real parts (tests/rig/printers.sh): queues that
 * reject or pause, printers killed before and during jobs, out of media,
 * a dead worker. Every job ends printed or reported, never silently lost.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/printer.h"
#include "common/loop.h"
#include "tests/printer_rig.h"

/* Waits for the sink to hold a job of eveN (its .tmp copy exists). */
static void
wait_sink_busy(int eve, int job_id)
{
	char path[PATH_MAX];

	ck_assert_int_lt(
	    snprintf(path, sizeof(path), "%s/recv/eve%d/job-%d.pdf.tmp", rig_dir, eve, job_id),
	    (int)sizeof(path));
	ck_assert_int_eq(wait_file(path), 0);
}


/* The one child process of this test: the destination's worker. */
static pid_t
worker_pid(void)
{
	char path[64], buf[256];
	FILE *f;
	long pid = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		pid = strtol(buf, NULL, 10);
	fclose(f);
	return pid > 0 ? (pid_t)pid : -1;
}


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

START_TEST(printer_killed_before_queued_job)
{
	size_t len;
	unsigned char *pdf = make_pdf("cupsd waits for the printer", &len);
	const struct ev *e;

	ck_assert_int_eq(run("sh %s kill-eve %s 1", rig_script, rig_dir), 0);
	ck_assert_int_eq(printers_submit(ps, 18, q_raw, NULL, pdf, len), 0);
	ck_assert_ptr_nonnull(wait_event(18, PRINTER_EV_ACCEPTED, -1));
	ck_assert_ptr_nonnull(e = wait_alert(q_raw, PRINTER_ALERT_OFFLINE, 1));
	ck_assert_int_eq(run("sh %s start-eve %s 1", rig_script, rig_dir), 0);
	/* cupsd delivers the job it kept: completed, not reported lost. */
	ck_assert_ptr_nonnull(e = wait_terminal(18));
	ck_assert_msg(e->state == PRINT_COMPLETED, "%s: %s", print_state_name(e->state), e->reason);
	ck_assert_int_gt(find_received(1, pdf, len), 0);
	ck_assert_ptr_nonnull(wait_alert(q_raw, PRINTER_ALERT_OFFLINE, 0));
	free(pdf);
}
END_TEST

static Suite *
printer_faults_suite(void)
{
	Suite *s = suite_create("printer_faults");
	TCase *real = tcase_create("real");

	tcase_add_unchecked_fixture(real, rig_start, rig_stop);
	tcase_add_checked_fixture(real, setup, teardown);
	tcase_set_timeout(real, 60);
	tcase_add_test(real, rejecting_queue);
	tcase_add_test(real, disabled_queue);
	tcase_add_test(real, printer_killed_before_job);
	tcase_add_test(real, printer_killed_during_direct_job);
	tcase_add_test(real, printer_killed_during_queued_job);
	tcase_add_test(real, printer_killed_before_queued_job);
	tcase_add_test(real, worker_death_fails_its_jobs);
	tcase_add_test(real, media_empty_direct);
	tcase_add_test(real, media_empty_queue);
	suite_add_tcase(s, real);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(printer_faults_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
