/* The compacted font maps every BMP character to the very same glyph. */
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labels/fontcache.h"
#include "labels/labels.h"

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The post table's offset and length in a font file read whole into buf. */
static int
find_post(const unsigned char *buf, size_t len, uint32_t *off, uint32_t *plen)
{
	size_t i, n = len >= 6 ? (size_t)(buf[4] << 8 | buf[5]) : 0;

	for (i = 0; i < n && 12 + i * 16 + 16 <= len; i++)
		if (memcmp(buf + 12 + i * 16, "post", 4) == 0) {
			*off = get32(buf + 12 + i * 16 + 8);
			*plen = get32(buf + 12 + i * 16 + 12);
			return 0;
		}
	return -1;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	if (f != NULL)
		fclose(f);
	return buf;
}

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

/* Glyph names go: the post table becomes its 32-byte version 3 header. */
START_TEST(test_post_without_names)
{
	char dst[] = "/tmp/station-fontcache-XXXXXX";
	int fd = mkstemp(dst);
	unsigned char *a, *b;
	size_t alen = 0, blen = 0;
	uint32_t aoff, apl, boff, bpl;

	ck_assert_int_ne(fd, -1);
	close(fd);
	ck_assert_int_eq(fontcache_compact(fonts[0], dst), 0);
	ck_assert_ptr_nonnull(a = slurp(fonts[0], &alen));
	ck_assert_ptr_nonnull(b = slurp(dst, &blen));
	ck_assert_int_eq(find_post(a, alen, &aoff, &apl), 0);
	ck_assert_int_eq(find_post(b, blen, &boff, &bpl), 0);
	ck_assert_uint_eq(get32(a + aoff), 0x00020000); /* IPA Gothic names its glyphs */
	ck_assert_uint_gt(apl, 100000);
	ck_assert_uint_eq(get32(b + boff), 0x00030000);
	ck_assert_uint_eq(bpl, 32);
	/* italic angle, underline and pitch are kept */
	ck_assert_int_eq(memcmp(a + aoff + 4, b + boff + 4, 28), 0);
	free(a);
	free(b);
	unlink(dst);
}
END_TEST

/* Open descriptors on files in dir. */
static int
fds_into(const char *dir)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char link[300], target[4096];
	ssize_t n;
	int count = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		if ((n = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, dir, strlen(dir)) == 0 && target[strlen(dir)] == '/')
			count++;
	}
	closedir(d);
	return count;
}

static size_t
label_size(const char *name)
{
	struct label_doc d = { .shop_name = "Example Goods",
		.from = { .address1 = "1 Dock Road",
		    .city = "Springfield",
		    .zip = "01101",
		    .country = "United States" },
		.to = { .name = name,
		    .address1 = "1-2-3 Chiyoda",
		    .city = "Tokyo",
		    .zip = "100-0001",
		    .country = "Japan" },
		.service = "EMS",
		.order_name = "#1001",
		.package_no = 1,
		.package_count = 1,
		.sscc = "106141410000000019" };
	struct labels_out o;
	char err[256];
	size_t len;

	memset(&o, 0, sizeof(o));
	ck_assert_msg(label_render(&d, 1, NULL, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(memmem(o.pdf, o.len, "IPAGothic", 9));
	len = o.len;
	labels_out_free(&o);
	return len;
}

/*
 * The CJK font is read once per process (the render worker is long-lived),
 * not once per label, and a label carries only its own glyphs.
 */
START_TEST(test_font_loaded_once)
{
	char dir[] = "/tmp/station-fontcache-dir-XXXXXX", path[4200];
	size_t one, two, many;
	DIR *d;
	struct dirent *e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("STATION_FONT_CACHE", dir, 1);
	one = label_size("山田太郎");
	ck_assert_int_eq(fds_into(dir), 1);
	many = label_size("東京都千代田区丸の内一丁目九番二号 鈴木一郎 様");
	two = label_size("山田太郎");
	ck_assert_int_eq(fds_into(dir), 1);
	ck_assert_uint_gt(many, one);
	ck_assert_uint_eq(two, one);
	unsetenv("STATION_FONT_CACHE");
	d = opendir(dir);
	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
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
	tcase_add_test(tc, test_post_without_names);
	tcase_add_test(tc, test_font_loaded_once);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
