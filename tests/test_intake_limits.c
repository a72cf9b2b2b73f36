/* Tests for intake bounds, duplicate keys, CSV ids, refusal wording and safe opening (issue 9 #9, #10, #13). */
#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labels/labels.h"
#include "station/intake/intake.h"
#include "station/intake/intake_file.h"
#include "station/intake/intake_parse.h"
#include "station/intake/intake_stream.h"
#include "station/intake/intake_util.h"

/* An order whose note is `notelen` bytes of 'n' (then one 'é' to cut through). */
static char *
order_with_note(size_t notelen)
{
	const char *head = "{\"id\":77,\"name\":\"#N1\",\"financial_status\":\"paid\","
			   "\"line_items\":[{\"id\":1,\"sku\":\"A\",\"title\":\"A\",\"quantity\":1,"
			   "\"requires_shipping\":true}],\"note\":\"";
	size_t hl = strlen(head);
	char *buf = malloc(hl + notelen + 16);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, head, hl);
	memset(buf + hl, 'n', notelen);
	memcpy(buf + hl + notelen, "\xc3\xa9\"}", 5);
	return buf;
}

START_TEST(test_note_100k_truncated_and_slip_renders)
{
	struct order **v;
	size_t n;
	char err[512], why[512];
	char *buf = order_with_note(100 * 1024);
	struct slip_doc sd;
	struct slip_line sl = { "A", "A", NULL, 1, 1 };
	struct label_media m;
	struct labels_out out;

	ck_assert_int_eq(intake_parse_orders_json(buf, strlen(buf), &v, &n, err, sizeof(err)), 0);
	free(buf);
	ck_assert_int_eq(intake_bound_order(v[0], why, sizeof(why)), 1);
	ck_assert_uint_le(strlen(v[0]->note), INTAKE_MAX_NOTE);
	ck_assert_uint_eq(strlen(v[0]->note), INTAKE_MAX_NOTE);
	ck_assert_str_eq(why, "note 102402 -> 4096 bytes");
	/* the cut note prints: the slip renders, no libharu error */
	memset(&sd, 0, sizeof(sd));
	sd.shop_name = "Example Goods";
	sd.order_name = v[0]->name;
	sd.lines = &sl;
	sd.nlines = 1;
	sd.note = v[0]->note;
	labels_media_default_slip(&m);
	memset(&out, 0, sizeof(out));
	ck_assert_msg(slip_render(&sd, &m, &out, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_ge(out.pages, 1);
	labels_out_free(&out);
	order_array_free(v, n);
}
END_TEST

START_TEST(test_cut_on_character_boundary)
{
	struct order o;
	char why[256], note[INTAKE_MAX_NOTE + 8];

	memset(&o, 0, sizeof(o));
	memset(note, 'x', INTAKE_MAX_NOTE - 1);
	/* a two-byte character straddles the bound: cut before it */
	memcpy(note + INTAKE_MAX_NOTE - 1, "\xc3\xa9zz", 5);
	o.note = note;
	o.name = "#C1";
	ck_assert_int_eq(intake_bound_order(&o, why, sizeof(why)), 1);
	ck_assert_uint_eq(strlen(note), INTAKE_MAX_NOTE - 1);
	ck_assert_str_eq(why, "note 4099 -> 4095 bytes");
	note[0] = '\0';
	ck_assert_int_eq(intake_bound_order(&o, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_identity_too_long_refused)
{
	struct order o;
	struct order_line l;
	char why[256], sku[INTAKE_MAX_CODE + 2];

	memset(&o, 0, sizeof(o));
	memset(&l, 0, sizeof(l));
	memset(sku, 'S', sizeof(sku) - 1);
	sku[sizeof(sku) - 1] = '\0';
	l.sku = sku;
	o.name = "#L1";
	o.lines = &l;
	o.nlines = 1;
	ck_assert_int_eq(intake_bound_order(&o, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "#L1: line 1: SKU longer than 255 bytes");
	o.nlines = INTAKE_MAX_LINES + 1;
	ck_assert_int_eq(intake_bound_order(&o, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "#L1: 1001 lines (at most 1000 per order)");
}
END_TEST

START_TEST(test_duplicate_orders_key)
{
	const char *j = "{\"orders\":[{\"id\":1,\"name\":\"#A\",\"line_items\":[]}],"
			"\"orders\":[{\"id\":2,\"name\":\"#B\",\"line_items\":[]}]}";
	const char *k = "{\"id\":1,\"name\":\"#A\",\"name\":\"#B\",\"line_items\":[]}";
	struct order **v;
	size_t n;
	char err[512];

	ck_assert_int_eq(intake_parse_orders_json(j, strlen(j), &v, &n, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "duplicate") && strstr(err, "orders"), "%s", err);
	ck_assert_int_eq(intake_parse_orders_json(k, strlen(k), &v, &n, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "duplicate") && strstr(err, "name"), "%s", err);
}
END_TEST

START_TEST(test_csv_19_digit_ids)
{
	const char *c = "Name,Lineitem quantity,Lineitem name,Id\n"
			"#1,1,A,9223372036854775807\n#2,1,B,1234567890123456789\n";
	const char *over = "Name,Lineitem quantity,Lineitem name,Id\n"
			   "#1,1,A,9223372036854775808\n";
	struct order **v;
	size_t n;
	char err[512];

	ck_assert_msg(
	    intake_parse_orders_csv(c, strlen(c), &v, &n, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[0]->id, INT64_MAX);
	ck_assert_int_eq(v[1]->id, INT64_C(1234567890123456789));
	order_array_free(v, n);
	ck_assert_int_eq(intake_parse_orders_csv(over, strlen(over), &v, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "line 2: column 'Id': expected a whole number, "
	    "got '9223372036854775808'");
}
END_TEST

START_TEST(test_csv_conflicting_ids)
{
	const char *c = "Name,Lineitem quantity,Lineitem name,Id\n"
			"#1,1,A,111\n#1,1,B,\n#1,2,C,222\n";
	struct order **v;
	size_t n;
	char err[512];

	ck_assert_int_eq(intake_parse_orders_csv(c, strlen(c), &v, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "line 4: order #1: Id 222 conflicts with Id 111 "
	    "on line 2 (rows of one order carry one Id)");
}
END_TEST

START_TEST(test_detect_names_missing_column)
{
	const char *c = "Name,Email,Lineitem name,Lineitem sku\n#1,a@b,Mug,M\n";
	const char *p = "Handle,Title,Variant Price\nx,X,1\n";

	ck_assert_int_eq(intake_detect(c, strlen(c)), INTAKE_UNKNOWN);
	ck_assert_ptr_nonnull(
	    strstr(intake_detect_why(c, strlen(c)), "missing column Lineitem quantity"));
	ck_assert_ptr_nonnull(
	    strstr(intake_detect_why(p, strlen(p)), "missing column Variant Barcode"));
	ck_assert_str_eq(intake_detect_why("", 0), "empty file");
}
END_TEST

START_TEST(test_open_refuses_odd_nodes)
{
	char dir[] = "/tmp/intake-open.XXXXXX", p[256], err[256];
	struct intake_file f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	/* never blocks: O_NONBLOCK, then fstat */
	ck_assert_int_eq(intake_file_open(&f, p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a FIFO: not a regular file");
	unlink(p);
	snprintf(p, sizeof(p), "%s/link", dir);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	ck_assert_int_eq(intake_file_open(&f, p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a symbolic link: not followed (drop the file itself)");
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(intake_file_open(&f, p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a directory: not a regular file");
	rmdir(p);
	snprintf(p, sizeof(p), "%s/empty", dir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	ck_assert_int_eq(intake_file_open(&f, p, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.in.len, 0);
	intake_file_close(&f);
	unlink(p);
	rmdir(dir);
}
END_TEST

static int
drop(void *ctx, struct order *o, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	order_free(o);
	return 0;
}

/* Duplicates screened in fixed memory, then confirmed with the exact message. */
START_TEST(test_seen_screen_then_confirm)
{
	const char *dup = "[{\"id\":1,\"name\":\"#A\",\"line_items\":[]},"
			  "{\"id\":2,\"name\":\"#B\",\"line_items\":[]},"
			  "{\"id\":3,\"name\":\"#A\",\"line_items\":[]}]";
	const char *csv = "Name,Lineitem quantity,Lineitem name\n#1,1,A\n#2,1,B\n#1,1,C\n";
	struct intake_input in = { dup, strlen(dup), NULL, NULL, NULL };
	char err[512] = "";
	size_t n;

	in.seen = intake_seen_new();
	ck_assert_ptr_nonnull(in.seen);
	ck_assert_int_eq(intake_stream_orders_json_from(&in, drop, NULL, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(intake_seen_suspects(in.seen), 1);
	intake_seen_set_mode(in.seen, INTAKE_SEEN_CONFIRM);
	ck_assert_int_eq(intake_stream_orders_json_from(&in, drop, NULL, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "order #A: appears twice in this file (orders[0] "
	    "and orders[2])");
	intake_seen_free(in.seen);

	in.buf = csv;
	in.len = strlen(csv);
	in.seen = intake_seen_new();
	ck_assert_int_eq(intake_stream_orders_csv_from(&in, drop, NULL, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(intake_seen_suspects(in.seen), 1);
	intake_seen_set_mode(in.seen, INTAKE_SEEN_CONFIRM);
	ck_assert_int_eq(intake_stream_orders_csv_from(&in, drop, NULL, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "line 4: order #1 appears again (first at line 2); "
	    "an order's rows must be adjacent");
	intake_seen_set_mode(in.seen, INTAKE_SEEN_OFF);
	ck_assert_int_eq(intake_stream_orders_csv_from(&in, drop, NULL, &n, err, sizeof(err)), 0);
	intake_seen_free(in.seen);
}
END_TEST

/* 200,000 distinct names and ids: the screen suspects (almost) none. */
START_TEST(test_seen_screen_few_false)
{
	struct intake_seen *s = intake_seen_new();
	char key[32];
	size_t i, prev;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < 200000; i++) {
		snprintf(key, sizeof(key), "#%zu", i);
		ck_assert_int_eq(intake_seen_add_str(s, key, i, &prev), 0);
		ck_assert_int_eq(intake_seen_add_int(s, (int64_t)(7000000 + i), i, &prev), 0);
	}
	ck_assert_uint_le(intake_seen_suspects(s), 5);
	intake_seen_free(s);
}
END_TEST

/* A file cut short while mapped reads as NULs past its end, no SIGBUS. */
START_TEST(test_file_cut_while_read)
{
	char path[] = "/tmp/intake-cut.XXXXXX", err[256];
	struct intake_file f;
	size_t len = 8u << 20, i, sum = 0;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
	ck_assert_int_eq(intake_file_open(&f, path, err, sizeof(err)), 0);
	ck_assert_int_eq(intake_file_was_cut(&f), 0);
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	for (i = 0; i < len; i += 4096)
		sum += (unsigned char)f.in.buf[i];
	ck_assert_uint_eq(sum, 0);
	ck_assert_int_eq(intake_file_was_cut(&f), 1);
	intake_file_close(&f);
	close(fd);
	unlink(path);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("intake_limits");
	TCase *tc = tcase_create("limits");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_note_100k_truncated_and_slip_renders);
	tcase_add_test(tc, test_cut_on_character_boundary);
	tcase_add_test(tc, test_identity_too_long_refused);
	tcase_add_test(tc, test_duplicate_orders_key);
	tcase_add_test(tc, test_csv_19_digit_ids);
	tcase_add_test(tc, test_csv_conflicting_ids);
	tcase_add_test(tc, test_detect_names_missing_column);
	tcase_add_test(tc, test_open_refuses_odd_nodes);
	tcase_add_test(tc, test_file_cut_while_read);
	tcase_add_test(tc, test_seen_screen_then_confirm);
	tcase_add_test(tc, test_seen_screen_few_false);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
