/* Unit tests for the pure pack-session machine (station/session.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "station/session.h"

START_TEST(test_names)
{
	ck_assert_str_eq(verdict_name(V_DUPLICATE_READ), "duplicate_read");
	ck_assert_int_eq(order_status_parse("on_hold"), ORDER_ON_HOLD);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
