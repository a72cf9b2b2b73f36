/* tests/test_labels.c: the labels API: results, events, errors, reentrancy. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labels/labels.h"

static struct label_doc
latin_doc(void)
{
	struct label_doc d = {
		.shop_name = "Example Goods",
		.from = { .address1 = "1 Dock Road",
		    .city = "Springfield",
		    .province = "MA",
		    .zip = "01101",
		    .country = "US" },
		.to = { .name = "Anna Müller",
		    .address1 = "Hauptstraße 12",
		    .city = "Łódź",
		    .zip = "90-001",
		    .country = "Poland" },
		.service = "Ground",
		.order_name = "#1001",
		.package_no = 1,
		.package_count = 1,
		.weight_grams = 900,
		.sscc = "106141411234567897",
		.tracking = "1Z999AA10123456784",
	};
	return d;
}

static int
has_event(const struct labels_out *o, const char *needle)
{
	size_t i;

	for (i = 0; i < o->nevents; i++)
		if (strstr(o->events[i], needle))
			return 1;
	return 0;
}

START_TEST(test_parse_words)
{
	enum labels_size s;
	int dpi;

	ck_assert_int_eq(labels_parse_label_size("4x6", &s), 0);
	ck_assert_int_eq(s, LABELS_4X6);
	ck_assert_int_eq(labels_parse_label_size("4x4", &s), 0);
	ck_assert_int_eq(s, LABELS_4X4);
	ck_assert_int_eq(labels_parse_label_size("a6", &s), 0);
	ck_assert_int_eq(s, LABELS_A6);
	ck_assert_int_eq(labels_parse_label_size("letter", &s), -1);
	ck_assert_int_eq(labels_parse_slip_size("letter", &s), 0);
	ck_assert_int_eq(s, LABELS_LETTER);
	ck_assert_int_eq(labels_parse_slip_size("a4", &s), 0);
	ck_assert_int_eq(s, LABELS_A4);
	ck_assert_int_eq(labels_parse_slip_size("4x6", &s), -1);
	ck_assert_int_eq(labels_parse_dpi("203", &dpi), 0);
	ck_assert_int_eq(dpi, 203);
	ck_assert_int_eq(labels_parse_dpi("300", &dpi), 0);
	ck_assert_int_eq(dpi, 300);
	ck_assert_int_eq(labels_parse_dpi("600", &dpi), -1);
	ck_assert_int_eq(labels_parse_dpi(NULL, &dpi), -1);
}
END_TEST

START_TEST(test_address_from_order)
{
	struct labels_address_src a = { .name = "Kim",
		.province = "Massachusetts",
		.province_code = "MA",
		.country_code = "US" };
	struct labels_address l;

	labels_address_from_src(&l, &a);
	ck_assert_str_eq(l.name, "Kim");
	ck_assert_str_eq(l.province, "MA");
	ck_assert_str_eq(l.country, "US");
	labels_address_from_src(&l, NULL);
	ck_assert_ptr_null(l.name);
}
END_TEST

START_TEST(test_latin_label_small_and_fast_path)
{
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char err[256] = "";

	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.pages, 1);
	ck_assert_uint_gt(o.len, 500);
	ck_assert_uint_le(o.len, 20 * 1024);
	ck_assert_int_eq(memcmp(o.pdf, "%PDF-", 5), 0);
	/* Müller and Łódź fit WinAnsi/CP1250: no TrueType font, no event. */
	ck_assert_uint_eq(o.nevents, 0);
	ck_assert_ptr_null(strstr((const char *)o.pdf, "FontFile2"));
	labels_out_free(&o);
	labels_out_free(&o); /* twice: still fine */
}
END_TEST

START_TEST(test_bad_sscc_check_digit)
{
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char err[256] = "";

	d.sscc = "106141411234567898";
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "GS1-128"));
	ck_assert_ptr_nonnull(strstr(err, "checksum"));
	ck_assert_ptr_null(o.pdf);
	ck_assert_uint_eq(o.nevents, 0);
}
END_TEST

START_TEST(test_bad_sscc_length)
{
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char err[256] = "";

	d.sscc = "12345";
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "order #1001: SSCC \"12345\" is not 18 digits");
	d.sscc = NULL;
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), -1);
	ck_assert_ptr_null(o.pdf);
}
END_TEST

START_TEST(test_tracking_not_code128)
{
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char err[256] = "";

	d.tracking = "追跡123";
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Code 128 cannot encode"));
	ck_assert_ptr_null(o.pdf);
}
END_TEST

START_TEST(test_tracking_too_long)
{
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char err[256] = "";

	d.tracking = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "mm wide"));
}
END_TEST

START_TEST(test_missing_font_falls_back)
{
	struct labels_fonts f = { .cjk = "/nonexistent/font.ttf" };
	struct label_media m;
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char err[256] = "";

	labels_media_default_label(&m);
	m.fonts = &f;
	d.to.name = "山田太郎";
	ck_assert_int_eq(label_render(&d, 1, &m, &o, err, sizeof(err)), 0);
	ck_assert(has_event(&o,
	    "font fallback: Han/kana font "
	    "/nonexistent/font.ttf missing or unusable, using "));
	labels_out_free(&o);
	/* A file that is not a TrueType font degrades the same way. */
	f.cjk = "/etc/hostname";
	ck_assert_int_eq(label_render(&d, 1, &m, &o, err, sizeof(err)), 0);
	ck_assert(has_event(&o, "font fallback: Han/kana font /etc/hostname"));
	labels_out_free(&o);
}
END_TEST

START_TEST(test_no_font_is_an_error)
{
	struct labels_fonts f = { .hangul = "/nonexistent/nanum.ttf", .only_these = 1 };
	struct label_media m;
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char err[256] = "";

	labels_media_default_label(&m);
	m.fonts = &f;
	d.to.name = "김민수";
	ck_assert_int_eq(label_render(&d, 1, &m, &o, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "no usable font for Hangul text "
	    "(tried /nonexistent/nanum.ttf)");
	ck_assert_ptr_null(o.pdf);
	/* Latin text needs no TrueType font even then. */
	d.to.name = "Kim Min-su";
	ck_assert_int_eq(label_render(&d, 1, &m, &o, err, sizeof(err)), 0);
	labels_out_free(&o);
}
END_TEST

START_TEST(test_long_name_truncated_with_event)
{
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char err[256] = "";

	d.to.name = "Maximilian Alexander Friedrich Wilhelm von und zu "
		    "Hohenzollern-Sigmaringen-Hechingen-Haigerloch-Wehrstein-"
		    "Veringen-Bittelschiess-Ostrach-Gammertingen-Hettingen";
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), 0);
	ck_assert(has_event(&o, "truncated ship-to name: \"Maximilian"));
	labels_out_free(&o);
	/* Merely long: shrinks or wraps, no event. */
	d.to.name = "Maximilian Alexander Friedrich von Hohenzollern";
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.nevents, 0);
	labels_out_free(&o);
}
END_TEST

START_TEST(test_reentrant_same_bytes)
{
	struct label_doc d = latin_doc(), k = latin_doc();
	struct labels_out a = { 0 }, b = { 0 }, x = { 0 };
	char err[256] = "";

	k.to.name = "김민수";
	ck_assert_int_eq(label_render(&d, 1, NULL, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(label_render(&k, 1, NULL, &x, err, sizeof(err)), 0);
	ck_assert_int_eq(label_render(&d, 1, NULL, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.pdf, b.pdf, a.len), 0);
	labels_out_free(&a);
	labels_out_free(&b);
	labels_out_free(&x);
}
END_TEST

START_TEST(test_argument_errors)
{
	struct label_doc d = latin_doc();
	struct label_media m;
	struct labels_out o = { 0 };
	struct slip_doc s = { 0 };
	char err[256] = "";

	ck_assert_int_eq(label_render(&d, 0, NULL, &o, err, sizeof(err)), -1);
	labels_media_default_slip(&m);
	ck_assert_int_eq(label_render(&d, 1, &m, &o, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "labels print on 4x6, 4x4 or a6 media");
	d.order_name = "";
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), -1);
	ck_assert_int_eq(slip_render(&s, NULL, &o, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "packing slip: no order name");
	s.order_name = "山田"; /* not Code 128 data */
	ck_assert_int_eq(slip_render(&s, NULL, &o, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Code 128 cannot encode"));
	ck_assert_ptr_null(o.pdf);
}
END_TEST

static int
slip_pages(size_t n, const char *title)
{
	struct slip_line *l = calloc(n ? n : 1, sizeof(*l));
	char(*sku)[16] = calloc(n ? n : 1, sizeof(*sku));
	struct slip_doc s = {
		.shop_name = "Example Goods", .order_name = "#1001", .lines = l, .nlines = n
	};
	struct labels_out o = { 0 };
	char err[256] = "";
	int pages;
	size_t i;

	ck_assert_ptr_nonnull(l);
	ck_assert_ptr_nonnull(sku);
	for (i = 0; i < n; i++) {
		ck_assert_int_lt(
		    snprintf(sku[i], sizeof(sku[i]), "SKU-%05zu", i), (int)sizeof(sku[i]));
		l[i] = (struct slip_line){ sku[i], title, NULL, 1, 1 };
	}
	ck_assert_int_eq(slip_render(&s, NULL, &o, err, sizeof(err)), 0);
	pages = o.pages;
	ck_assert_uint_eq(o.nevents, 0);
	labels_out_free(&o);
	free(l);
	free(sku);
	return pages;
}

START_TEST(test_slip_page_counts)
{
	/* 20 pt rows: 22 on page 1 (ship-to block), 27 on later pages. */
	ck_assert_int_eq(slip_pages(0, "x"), 1);
	ck_assert_int_eq(slip_pages(1, "Mug"), 1);
	ck_assert_int_eq(slip_pages(22, "Mug"), 1);
	ck_assert_int_eq(slip_pages(23, "Mug"), 2);
	ck_assert_int_eq(slip_pages(40, "Mug"), 2);
	ck_assert_int_eq(slip_pages(400, "Mug"), 15);
}
END_TEST

START_TEST(test_sheet_commands)
{
	static const char *const want[] = { "STN:PARTIAL", "STN:NEWBOX", "STN:UNDO", "STN:QTY:2",
		"STN:QTY:3", "STN:QTY:4", "STN:QTY:5", "STN:QTY:6", "STN:QTY:10", "STN:REPRINT",
		"STN:ABANDON", "STN:LOGOUT", "STN:WEIGH", NULL };
	static const char *const ids[] = { "P1", "" };
	struct sheet_doc d = { .bench = "pack-1", .packer_ids = ids, .npackers = 1 };
	struct labels_out o = { 0 };
	char err[256];
	size_t i;

	for (i = 0; want[i]; i++)
		ck_assert_str_eq(labels_sheet_commands[i], want[i]);
	ck_assert_ptr_null(labels_sheet_commands[i]);
	ck_assert_int_eq(sheet_render(&d, NULL, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.pages, 2);
	labels_out_free(&o);
	ck_assert_int_eq(sheet_render(NULL, NULL, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.pages, 1);
	labels_out_free(&o);
	d.npackers = 2;
	ck_assert_int_eq(sheet_render(&d, NULL, &o, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "packer badge 2: no id");
}
END_TEST

START_TEST(test_write_file)
{
	struct label_doc d = latin_doc();
	struct labels_out o = { 0 };
	char dir[] = "/tmp/test_labels-XXXXXX", path[128], err[256];
	FILE *f;
	long len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/a.pdf", dir);
	ck_assert_int_eq(labels_out_write(&o, path, err, sizeof(err)), 0);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fclose(f);
	ck_assert_int_eq(len, (long)o.len);
	unlink(path);
	rmdir(dir);
	snprintf(path, sizeof(path), "%s/missing/a.pdf", dir);
	ck_assert_int_eq(labels_out_write(&o, path, err, sizeof(err)), -1);
	labels_out_free(&o);
}
END_TEST

START_TEST(test_media_variants)
{
	static const struct slip_line l = { "SKU-1", "Mug", "Blue", 1, 1 };
	struct slip_doc s = {
		.shop_name = "Example Goods", .order_name = "#7", .lines = &l, .nlines = 1
	};
	enum labels_size sizes[] = { LABELS_4X6, LABELS_4X4, LABELS_A6 };
	struct label_doc d = latin_doc();
	struct label_media m;
	struct labels_out o = { 0 };
	char err[256];
	size_t i;

	labels_media_default_slip(&m);
	m.size = LABELS_A4;
	ck_assert_int_eq(slip_render(&s, &m, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.pages, 1);
	labels_out_free(&o);
	ck_assert_int_eq(sheet_render(NULL, &m, &o, err, sizeof(err)), 0);
	labels_out_free(&o);
	for (i = 0; i < 3; i++) {
		labels_media_default_label(&m);
		m.size = sizes[i];
		m.dpi = 300;
		d.pickup = (int)i % 2;
		ck_assert_msg(label_render(&d, 1, &m, &o, err, sizeof(err)) == 0, "%s", err);
		ck_assert_uint_eq(o.nevents, 0);
		labels_out_free(&o);
	}
}
END_TEST

START_TEST(test_slip_giant_row_cut_with_event)
{
	struct slip_line l = { "SKU-1", NULL, "Blue", 1, 1 };
	struct slip_doc s = {
		.shop_name = "Example Goods", .order_name = "#7", .lines = &l, .nlines = 1
	};
	struct labels_out o = { 0 };
	char *title = malloc(6001), err[256];
	int i;

	ck_assert_ptr_nonnull(title);
	for (i = 0; i < 1000; i++)
		memcpy(title + i * 6, "words ", 6);
	title[6000] = '\0';
	l.title = title;
	ck_assert_int_eq(slip_render(&s, NULL, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.pages, 2); /* the row moved to a page of its own */
	ck_assert(has_event(&o, "truncated title: \"words words"));
	ck_assert(has_event(&o, "truncated variant: \"Blue\""));
	labels_out_free(&o);
	free(title);
}
END_TEST

static Suite *
labels_suite(void)
{
	Suite *s = suite_create("labels");
	TCase *t = tcase_create("api");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_parse_words);
	tcase_add_test(t, test_address_from_order);
	tcase_add_test(t, test_latin_label_small_and_fast_path);
	tcase_add_test(t, test_bad_sscc_check_digit);
	tcase_add_test(t, test_bad_sscc_length);
	tcase_add_test(t, test_tracking_not_code128);
	tcase_add_test(t, test_tracking_too_long);
	tcase_add_test(t, test_missing_font_falls_back);
	tcase_add_test(t, test_no_font_is_an_error);
	tcase_add_test(t, test_long_name_truncated_with_event);
	tcase_add_test(t, test_reentrant_same_bytes);
	tcase_add_test(t, test_argument_errors);
	tcase_add_test(t, test_slip_page_counts);
	tcase_add_test(t, test_sheet_commands);
	tcase_add_test(t, test_write_file);
	tcase_add_test(t, test_media_variants);
	tcase_add_test(t, test_slip_giant_row_cut_with_event);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(labels_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
