/* Tests for the streaming order intake (station/intake_stream.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/intake/intake_stream.h"

struct seen {
	char names[8][16];
	size_t n;
	size_t fail_at; /* refuse the order with this 1-based number */
};

static int
take(void *ctx, struct order *o, char *err, size_t errlen)
{
	struct seen *s = ctx;

	s->n++;
	if (s->n <= 8)
		snprintf(s->names[s->n - 1], sizeof(s->names[0]), "%s", o->name);
	order_free(o); /* the callee owns it, also when it refuses */
	if (s->n == s->fail_at) {
		snprintf(err, errlen, "store: refused %s", s->names[s->n - 1]);
		return -1;
	}
	return 0;
}

static const char json3[] =
    "{\"orders\":[{\"name\":\"#1\",\"line_items\":[{\"id\":1,\"quantity\":1}]},"
    "{\"name\":\"#2\",\"line_items\":[]},"
    "{\"name\":\"#3\",\"line_items\":[{\"id\":1,\"quantity\":2}]}]}";

static const char csv3[] = "Name,Lineitem quantity,Lineitem name\r\n#1,1,A\r\n#1,1,B\r\n#2,1,C\r\n"
			   "#3,4,D\r\n";

START_TEST(test_stream_all)
{
	struct seen s = { .fail_at = 0 };
	char err[256];
	size_t n = 0;

	ck_assert_int_eq(
	    intake_stream_orders_json(json3, strlen(json3), take, &s, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.names[2], "#3");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(
	    intake_stream_orders_csv(csv3, strlen(csv3), take, &s, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.names[0], "#1");
	ck_assert_str_eq(s.names[2], "#3");
}
END_TEST

START_TEST(test_stream_callback_refuses)
{
	struct seen s = { .fail_at = 2 };
	char err[256];
	size_t n = 99;

	ck_assert_int_eq(
	    intake_stream_orders_json(json3, strlen(json3), take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "store: refused #2");
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(n, 99);
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	ck_assert_int_eq(
	    intake_stream_orders_csv(csv3, strlen(csv3), take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "store: refused #2");
	ck_assert_uint_eq(n, 99);
	/* the last order is handed over at the end of the file */
	memset(&s, 0, sizeof(s));
	s.fail_at = 3;
	ck_assert_int_eq(
	    intake_stream_orders_csv(csv3, strlen(csv3), take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "store: refused #3");
}
END_TEST

/* A file that goes bad after some orders: they were handed over, the
 * parse fails, the caller rolls back. */
START_TEST(test_stream_bad_late)
{
	static const char json[] = "{\"orders\":[{\"name\":\"#1\",\"line_items\":[]},"
				   "{\"name\":\"#1\",\"line_items\":[]}]}";
	static const char trunc[] =
	    "[{\"name\":\"#1\",\"line_items\":[]},{\"name\":\"#2\",\"line_it";
	static const char csv[] = "Name,Lineitem quantity,Lineitem name\n#1,1,A\n#2,1,B\n#1,1,C\n";
	struct seen s = { .fail_at = 0 };
	char err[256];
	size_t n = 99;

	ck_assert_int_eq(
	    intake_stream_orders_json(json, strlen(json), take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "order #1: appears twice in this file "
	    "(orders[0] and orders[1])");
	ck_assert_uint_eq(s.n, 1);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(
	    intake_stream_orders_json(trunc, strlen(trunc), take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "line 1, column 52: premature end of input near "
	    "'\"line_it'");
	ck_assert_uint_eq(s.n, 1);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(
	    intake_stream_orders_csv(csv, strlen(csv), take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "line 4: order #1 appears again (first at line "
	    "2); an order's rows must be adjacent");
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(n, 99);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(intake_stream_orders_json("[]", 2, take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no orders in file");
}
END_TEST

/* Thousands of orders: the duplicate checks grow and still find a late repeat. */
START_TEST(test_stream_many)
{
	struct seen s = { .fail_at = 0 };
	size_t cap = 1 << 20, o = 0, i, n;
	char *buf = malloc(cap), err[256];

	ck_assert_ptr_nonnull(buf);
	o += (size_t)snprintf(buf + o, cap - o, "[");
	for (i = 0; i < 5000; i++)
		o += (size_t)snprintf(buf + o, cap - o,
		    "%s{\"id\":%zu,\"name\":"
		    "\"#%zu\",\"line_items\":[]}",
		    i ? "," : "", (size_t)9007199254740993ULL + i, 10000 + i);
	snprintf(buf + o, cap - o, "]");
	ck_assert_int_eq(
	    intake_stream_orders_json(buf, strlen(buf), take, &s, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 5000);
	/* the same id again, under a new name, at the end */
	snprintf(buf + o, cap - o,
	    ",{\"id\":9007199254741000,\"name\":"
	    "\"#99999\",\"line_items\":[]}]");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(
	    intake_stream_orders_json(buf, strlen(buf), take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "order #99999: appears twice in this file "
	    "(orders[7] and orders[5000])");
	o = (size_t)snprintf(buf, cap, "Name,Lineitem quantity,Lineitem name\n");
	for (i = 0; i < 5000; i++)
		o += (size_t)snprintf(
		    buf + o, cap - o, "#%zu,1,A\n#%zu,2,B\n", 10000 + i, 10000 + i);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(
	    intake_stream_orders_csv(buf, strlen(buf), take, &s, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 5000);
	snprintf(buf + o, cap - o, "#10001,1,C\n");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(
	    intake_stream_orders_csv(buf, strlen(buf), take, &s, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "line 10002: order #10001 appears again (first "
	    "at line 4); an order's rows must be adjacent");
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("intake_stream");
	TCase *tc = tcase_create("stream");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_stream_all);
	tcase_add_test(tc, test_stream_callback_refuses);
	tcase_add_test(tc, test_stream_bad_late);
	tcase_add_test(tc, test_stream_many);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
