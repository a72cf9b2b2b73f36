/*
 * Printer driver against real parts: ippeveprinter instances and a private
 * cupsd started by tests/rig/printers.sh, on loopback in a temp dir.
 * Normal printing: exact bytes and options, queues, destination errors.
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

START_TEST(media_closest)
{
	const char *label[] = { "na_index-4x6_4x6in", "oe_4x4-label_4x4in", "na_letter_8.5x11in",
		"custom_min_25.4x25.4mm" };
	const char *sheet[] = { "na_letter_8.5x11in", "iso_a4_210x297mm" };
	char out[64];

	ck_assert_int_eq(printer_media_closest("4x6", label, 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "na_index-4x6_4x6in");
	ck_assert_int_eq(printer_media_closest("iso_a6_105x148mm", label, 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "na_index-4x6_4x6in");
	ck_assert_int_eq(printer_media_closest("4x4", label, 4, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "oe_4x4-label_4x4in");
	ck_assert_int_eq(printer_media_closest("a4", sheet, 2, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "iso_a4_210x297mm");
	ck_assert_int_eq(printer_media_closest("letter", sheet, 2, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "na_letter_8.5x11in");
	ck_assert_int_eq(printer_media_closest("no-such-size", sheet, 2, out, sizeof(out)), -1);
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
		ck_assert_int_eq(printers_submit(ps, 20 + i, eve1_uri, NULL, pdf[i], len[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(e = wait_event(20 + i, PRINTER_EV_STATE, PRINT_COMPLETED));
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
	ck_assert_int_lt(
	    snprintf(path, sizeof(path), "%s/recv/eve2/job-1.env", rig_dir), (int)sizeof(path));
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
	ck_assert_msg(strstr(e->reason, "unknown queue no_such_queue") != NULL, "%s", e->reason);
	ck_assert_ptr_nonnull(wait_alert("no_such_queue", PRINTER_ALERT_UNKNOWN_QUEUE, 1));
	ck_assert_uint_eq(printers_pending(ps), 0);
	ck_assert_int_eq(printer_check_dest(cups_server, "no_such_queue", err, sizeof(err)), -1);
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
	ck_assert_msg(
	    strstr(e->reason, "CUPS server") != NULL && strstr(e->reason, "not running") != NULL,
	    "%s", e->reason);
	ck_assert_ptr_nonnull(e = wait_alert("label", PRINTER_ALERT_SERVER_DOWN, 1));
	t0 = loop_now_ms();
	ck_assert_int_eq(printer_check_dest("127.0.0.1:1", "label", err, sizeof(err)), -2);
	ck_assert_int_lt(loop_now_ms() - t0, 1000);
	ck_assert_msg(strstr(err, "not running") != NULL, "%s", err);
	/* what really happened, not libcups's stale errno ("Bad file descriptor") */
	ck_assert_msg(strstr(err, "connection refused by 127.0.0.1 port 1") != NULL, "%s", err);
	ck_assert_int_eq(
	    printer_check_dest(NULL, "ipp://127.0.0.1:1/ipp/print", err, sizeof(err)), -2);
	ck_assert_msg(
	    strstr(err, "unreachable (connection refused by 127.0.0.1 port 1)") != NULL, "%s", err);
	ck_assert_int_eq(
	    printer_check_dest(NULL, "ipp://no-such-printer.invalid/ipp/print", err, sizeof(err)),
	    -2);
	ck_assert_msg(strstr(err, "host no-such-printer.invalid not found") != NULL, "%s", err);
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
	tcase_add_test(real, follow_after_restart);
	tcase_add_test(real, idle_printer_watched);
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
