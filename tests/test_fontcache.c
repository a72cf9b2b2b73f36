/* The compacted font maps every BMP character to the very same glyph. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labels/fontcache.h"

static const char *const fonts[] = {
	"/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
	"/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
};

START_TEST(test_same_glyphs)
{
	static uint16_t a[65536], b[65536];
	char dst[] = "/tmp/station-fontcache-XXXXXX";
	int fd = mkstemp(dst);
	size_t c, mapped = 0;

	ck_assert_int_ne(fd, -1);
	close(fd);
	ck_assert_int_eq(fontcache_read_map(fonts[_i], a), 0);
	ck_assert_int_eq(fontcache_compact(fonts[_i], dst), 0);
	ck_assert_int_eq(fontcache_read_map(dst, b), 0);
	for (c = 0; c < 65536; c++) {
		ck_assert_msg(
		    a[c] == b[c], "%s: U+%04zX maps to %u, was %u", fonts[_i], c, b[c], a[c]);
		mapped += a[c] != 0;
	}
	ck_assert_uint_gt(mapped, 1000);
	unlink(dst);
}
END_TEST

START_TEST(test_not_a_font)
{
	char dst[] = "/tmp/station-fontcache-XXXXXX", buf[4096];
	int fd = mkstemp(dst);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, "not a font at all", 17), 17);
	close(fd);
	ck_assert_int_eq(fontcache_compact(dst, "/tmp/station-fontcache-never"), -1);
	ck_assert_int_eq(access("/tmp/station-fontcache-never", F_OK), -1);
	/* no usable copy: the original path is used as it is */
	ck_assert_str_eq(fontcache_path(dst, buf, sizeof(buf)), dst);
	ck_assert_str_eq(fontcache_path("/nonexistent.ttf", buf, sizeof(buf)), "/nonexistent.ttf");
	unlink(dst);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fontcache");
	TCase *tc = tcase_create("fontcache");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_same_glyphs, 0, sizeof(fonts) / sizeof(fonts[0]));
	tcase_add_test(tc, test_not_a_font);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
